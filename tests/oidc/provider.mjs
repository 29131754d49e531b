// A real OpenID provider (oidc-provider) for the gateway's OpenID Connect
// test (tests/integration/test_gateway_oidc.c). It issues JWT access tokens
// by the client credentials grant with a resource indicator, signed RS256 or
// ES256 depending on the client, and rotates its keys on request.
//
//   node provider.mjs [--port N] [--exit-with-stdin]
//
// N = 0 (the default): an ephemeral port. --exit-with-stdin: exit when
// standard input ends, so a test that dies takes its provider with it.
//
// On start it prints one line `listening http://127.0.0.1:PORT` on stdout.
// Plain http on loopback only: the issuer is http://127.0.0.1:PORT.
//
// Clients (secret = "secret" for all), resource api://trin unless noted:
//   writer-rs   RS256, tid t1, roles [trin.writer], oid p-writer, name "Wendy Writer"
//   writer-es   ES256, the same claims
//   reader      RS256, tid t1, groups [g-0, g-1], sub only, preferred_username "rita"
//   nomatch     RS256, tid t1, roles [trin.other]
//   short       RS256, as writer-rs, a 1 s lifetime
//   future      RS256, as writer-rs, nbf one hour ahead
// Any client may ask for resource api://other (audience api://other).
//
// Control (not part of OpenID): POST /control/rotate replaces every key by
// new ones with new kids (the JWKS then holds only the new keys);
// GET /control/stats answers {"jwks_fetches": N}.
import * as crypto from 'node:crypto';
import * as http from 'node:http';

import Provider from 'oidc-provider';

const args = process.argv.slice(2);
let port = 0;
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--port') port = Number(args[++i]);
  else if (args[i] === '--exit-with-stdin') {
    process.stdin.on('end', () => process.exit(0));
    process.stdin.on('error', () => process.exit(0));
    process.stdin.resume();
  } else {
    process.stderr.write(`provider.mjs: unknown argument ${args[i]}\n`);
    process.exit(2);
  }
}

const WRITER = { tid: 't1', roles: ['trin.writer'], oid: 'p-writer', name: 'Wendy Writer' };
const CLAIMS = {
  'writer-rs': { alg: 'RS256', claims: WRITER },
  'writer-es': { alg: 'ES256', claims: WRITER },
  reader: { alg: 'RS256', claims: { tid: 't1', groups: ['g-0', 'g-1'], preferred_username: 'rita' } },
  nomatch: { alg: 'RS256', claims: { tid: 't1', roles: ['trin.other'] } },
  short: { alg: 'RS256', claims: WRITER, ttl: 1 },
  future: { alg: 'RS256', claims: WRITER, nbfAhead: 3600 },
};

let generation = 0;
function newKeys() {
  generation += 1;
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const ec = crypto.generateKeyPairSync('ec', { namedCurve: 'P-256' }).privateKey.export({ format: 'jwk' });
  const tag = crypto.randomBytes(4).toString('hex');
  return [
    { ...rsa, kid: `rs-${generation}-${tag}`, use: 'sig', alg: 'RS256' },
    { ...ec, kid: `es-${generation}-${tag}`, use: 'sig', alg: 'ES256' },
  ];
}

function makeProvider(issuer) {
  const provider = new Provider(issuer, {
    jwks: { keys: newKeys() },
    clients: Object.keys(CLAIMS).map((id) => ({
      client_id: id,
      client_secret: 'secret',
      grant_types: ['client_credentials'],
      redirect_uris: [],
      response_types: [],
    })),
    features: {
      devInteractions: { enabled: false },
      clientCredentials: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'api://trin',
        getResourceServerInfo: (ctx, resource, client) => {
          if (resource !== 'api://trin' && resource !== 'api://other') {
            throw new Error(`unknown resource ${resource}`);
          }
          const c = CLAIMS[client.clientId];
          return {
            scope: 'api',
            audience: resource,
            accessTokenTTL: c.ttl ?? 600,
            accessTokenFormat: 'jwt',
            jwt: { sign: { alg: c.alg } },
          };
        },
      },
    },
    formats: {
      customizers: {
        jwt: (ctx, token, jwt) => {
          const c = CLAIMS[token.clientId];
          Object.assign(jwt.payload, c.claims);
          if (c.nbfAhead) jwt.payload.nbf = jwt.payload.iat + c.nbfAhead;
        },
      },
    },
  });
  provider.proxy = false;
  return provider;
}

let jwksFetches = 0;
let provider;
const server = http.createServer((req, res) => {
  if (req.url === '/control/rotate' && req.method === 'POST') {
    provider = makeProvider(provider.issuer);
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end('{"rotated":true}\n');
    return;
  }
  if (req.url === '/control/stats') {
    res.writeHead(200, { 'content-type': 'application/json' });
    res.end(JSON.stringify({ jwks_fetches: jwksFetches }) + '\n');
    return;
  }
  if (req.url === '/jwks') jwksFetches += 1;
  provider.callback()(req, res);
});
server.listen(port, '127.0.0.1', () => {
  const { port: p } = server.address();
  provider = makeProvider(`http://127.0.0.1:${p}`);
  process.stdout.write(`listening http://127.0.0.1:${p}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
