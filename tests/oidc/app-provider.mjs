// A real OpenID provider (oidc-provider) for the web app's sign-in test
// (tests/integration/test_webapp_oidc.c): the authorization code flow with
// PKCE for the public client `trin-app`, its login and consent pages being
// oidc-provider's own development pages (any login, any password). Access
// tokens are JWTs (RS256) for the resource api://trin carrying the claims
// the gateway maps to an organisation and role.
//
//   node app-provider.mjs [--exit-with-stdin]
//
// On start it prints `listening http://127.0.0.1:PORT` (an ephemeral port).
// People (the login to type):
//   kontraktor  tid t1, roles [trin.calculator], name "Karl Kontraktør"
//   laeser      tid t1, roles [trin.reader], name "Lise Læser"
//   anyone else tid t1, no roles (the gateway maps nothing: 403)
// The redirect URI may be http://127.0.0.1:<any port>/app/ (the gateway's
// port is only known once it runs).
import * as crypto from 'node:crypto';
import * as http from 'node:http';

import Provider from 'oidc-provider';

if (process.argv.includes('--exit-with-stdin')) {
  process.stdin.on('end', () => process.exit(0));
  process.stdin.on('error', () => process.exit(0));
  process.stdin.resume();
}

const PEOPLE = {
  kontraktor: { tid: 't1', roles: ['trin.calculator'], oid: 'p-kontraktor', name: 'Karl Kontraktør' },
  laeser: { tid: 't1', roles: ['trin.reader'], oid: 'p-laeser', name: 'Lise Læser' },
};
const person = (id) => PEOPLE[id] ?? { tid: 't1', oid: `p-${id}`, name: id };

function makeProvider(issuer) {
  const rsa = crypto.generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ format: 'jwk' });
  const provider = new Provider(issuer, {
    jwks: { keys: [{ ...rsa, kid: 'app-rs-1', use: 'sig', alg: 'RS256' }] },
    clients: [{
      client_id: 'trin-app',
      token_endpoint_auth_method: 'none',
      grant_types: ['authorization_code'],
      response_types: ['code'],
      redirect_uris: ['http://127.0.0.1/app/'],
    }],
    findAccount: (ctx, id) => ({
      accountId: id,
      claims: () => ({ sub: id, name: person(id).name }),
    }),
    claims: { openid: ['sub'], profile: ['name'] },
    scopes: ['openid', 'profile', 'api'],
    pkce: { required: () => true },
    clientBasedCORS: () => true,
    features: {
      devInteractions: { enabled: true },
      resourceIndicators: {
        enabled: true,
        defaultResource: () => 'api://trin',
        useGrantedResource: () => true,
        getResourceServerInfo: (ctx, resource) => {
          if (resource !== 'api://trin') throw new Error(`unknown resource ${resource}`);
          return { scope: 'api', audience: resource, accessTokenTTL: 600, accessTokenFormat: 'jwt',
                   jwt: { sign: { alg: 'RS256' } } };
        },
      },
    },
    formats: {
      customizers: {
        jwt: (ctx, token, jwt) => {
          if (token.accountId) Object.assign(jwt.payload, person(token.accountId));
        },
      },
    },
  });
  provider.proxy = false;
  // the gateway listens on a port chosen when it starts
  const allowed = provider.Client.prototype.redirectUriAllowed;
  provider.Client.prototype.redirectUriAllowed = function redirectUriAllowed(uri) {
    if (this.clientId === 'trin-app' && /^http:\/\/127\.0\.0\.1:\d+\/app\/$/.test(uri)) return true;
    return allowed.call(this, uri);
  };
  return provider;
}

let provider;
const server = http.createServer((req, res) => provider.callback()(req, res));
server.listen(0, '127.0.0.1', () => {
  const { port } = server.address();
  provider = makeProvider(`http://127.0.0.1:${port}`);
  process.stdout.write(`listening http://127.0.0.1:${port}\n`);
});
process.on('SIGTERM', () => server.close(() => process.exit(0)));
