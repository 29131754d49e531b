// The gateway's OpenAPI document against real validators (gateway.openapi_conformance).
//
//   node conformance.mjs BASE_URL ADMIN_TOKEN WRITER_TOKEN [field=value ...]
//
// 1. GET BASE_URL/api/v1/openapi.json and validate it with an OpenAPI 3.1
//    validator (@seriousme/openapi-schema-validator): it must be valid.
// 2. Call every operation (every path x method) with the admin token: once
//    with a request made from its schema (field=value pairs name the ids of
//    things that exist, e.g. project_id=P1; other fields get plausible
//    values), and with broken ones, which must be answered 400 with the
//    problem's `field` naming the culprit: a body with an unknown field and
//    a body with a field of the wrong type (for a GET: an unknown query
//    parameter). Operators-only operations are also called with the writer
//    token, which must be answered 403. The service may refuse a "valid"
//    call (404, 409, 422, ...): any answer the operation documents is fine,
//    except the gateway's own "no such route" 404. Reads come first, then
//    writes in the document's order, then the reads once more (now that
//    things exist, more of them answer 200).
// 3. Every answer: its status is documented for the operation, its
//    Content-Type is the documented one, and its body validates (ajv, JSON
//    Schema 2020-12, with formats) against the documented schema.
// 4. Print each failure, then "N passed, M failed"; exit 1 on any failure.
//
// Calls are sequential, each with a timeout, so the run is bounded.
// CONFORMANCE_VERBOSE=1 prints every answer.
import { Validator } from "@seriousme/openapi-schema-validator";
import Ajv2020Module from "ajv/dist/2020.js";
import addFormatsModule from "ajv-formats";

const Ajv2020 = Ajv2020Module.default ?? Ajv2020Module;
const addFormats = addFormatsModule.default ?? addFormatsModule;

const CALL_TIMEOUT_MS = 15000;
const DOC_ID = "urn:trin:openapi";
const UNKNOWN = "conformance_no_such_field";

const [base, adminToken, writerToken, ...hintArgs] = process.argv.slice(2);
if (!base || !adminToken || !writerToken) {
  console.error("usage: node conformance.mjs BASE_URL ADMIN_TOKEN WRITER_TOKEN [field=value ...]");
  process.exit(2);
}
const hints = {};
for (const a of hintArgs) {
  const eq = a.indexOf("=");
  if (eq > 0) hints[a.slice(0, eq)] = a.slice(eq + 1);
}

let passed = 0;
const failures = [];
function pass() {
  passed++;
}
function fail(what, why) {
  failures.push(`${what}: ${why}`);
}

async function call(method, path, { token, body, headers = {} } = {}) {
  const h = { Accept: "application/json, application/problem+json", ...headers };
  if (token) h.Authorization = `Bearer ${token}`;
  let payload;
  if (body !== undefined) {
    h["Content-Type"] = "application/json";
    payload = JSON.stringify(body);
  }
  const res = await fetch(base + path, {
    method: method.toUpperCase(),
    headers: h,
    body: payload,
    signal: AbortSignal.timeout(CALL_TIMEOUT_MS),
  });
  const text = await res.text();
  return { status: res.status, type: res.headers.get("content-type") || "", text };
}

// ---- the document ------------------------------------------------------------------

let doc;
try {
  const r = await call("get", "/api/v1/openapi.json");
  if (r.status !== 200) throw new Error(`HTTP ${r.status}: ${r.text.slice(0, 300)}`);
  if (!r.type.startsWith("application/json"))
    fail("GET /api/v1/openapi.json", `Content-Type is '${r.type}', not application/json`);
  doc = JSON.parse(r.text);
} catch (e) {
  console.log(`FAIL GET /api/v1/openapi.json: ${e.message}`);
  console.log("0 passed, 1 failed");
  process.exit(1);
}

const validator = new Validator();
const verdict = await validator.validate(structuredClone(doc));
if (verdict.valid && validator.version !== "3.1") {
  fail("openapi.json", `the validator read it as OpenAPI ${validator.version}, not 3.1`);
} else if (verdict.valid) {
  pass();
} else {
  fail("openapi.json (OpenAPI 3.1 validator)", JSON.stringify(verdict.errors, null, 1));
}

// A JSON pointer ("#/components/...") into the document.
function pointer(ref) {
  if (!ref.startsWith("#/")) throw new Error(`a $ref outside the document: ${ref}`);
  let at = doc;
  for (const raw of ref.slice(2).split("/")) {
    const part = decodeURIComponent(raw).replace(/~1/g, "/").replace(/~0/g, "~");
    if (at === undefined || at === null || !(part in at)) throw new Error(`dangling $ref ${ref}`);
    at = at[part];
  }
  return at;
}
function deref(o) {
  let seen = 0;
  while (o && typeof o === "object" && typeof o.$ref === "string" && seen++ < 20) o = pointer(o.$ref);
  return o;
}

// ajv holds the document's component schemas under their own $id, so a
// "#/components/schemas/X" inside them resolves as it does in the document.
const ajv = new Ajv2020({ allErrors: true, strict: true, allowUnionTypes: true });
addFormats(ajv);
ajv.addKeyword("components");
let schemasLoaded = false;
try {
  ajv.addSchema({ $id: DOC_ID, components: { schemas: doc.components?.schemas ?? {} } });
  schemasLoaded = true;
} catch (e) {
  fail("components.schemas (ajv)", e.message);
}
const compiled = new Map();
// Every component schema must compile in ajv's strict mode (no unknown
// keyword or format, no contradictory types); and the checks below mean
// something only if a schema can say no.
function selfCheck() {
  for (const name of Object.keys(doc.components?.schemas ?? {})) {
    try {
      validatorFor({ $ref: `#/components/schemas/${name.replace(/~/g, "~0").replace(/\//g, "~1")}` });
      pass();
    } catch (e) {
      fail(`components.schemas.${name} (ajv, strict)`, e.message);
    }
  }
  try {
    const v = validatorFor({ $ref: "#/components/schemas/Problem" });
    if (v({ status: "not a number" })) fail("harness", "the Problem schema accepts {status: 'not a number'}");
  } catch (e) {
    fail("components.schemas.Problem (ajv)", e.message);
  }
}
function validatorFor(schema) {
  const key = JSON.stringify(schema);
  if (!compiled.has(key)) {
    // A document-relative $ref becomes one into the schemas' document.
    const s = JSON.parse(key.replace(/"#\/components\//g, `"${DOC_ID}#/components/`));
    compiled.set(key, ajv.compile(s));
  }
  return compiled.get(key);
}

if (schemasLoaded) selfCheck();

// ---- requests made from the schemas ------------------------------------------------------

const DATE = "2025-03-14";
// Values the services accept for fields whose words are their own (the
// .proto comments list them), by "Message.field" or by field name.
const DOMAIN = {
  "CreateOrganisation.kind": "advisor",
  "Organisation.kind": "advisor",
  "Member.role": "contractor",
  "Project.kind": "renovation",
  "ListProjects.stage": "pre_study",
  "AdvanceStage.to_stage": "trin1",
  "CreateBudget.kind": "skema_a",
  "Budget.kind": "skema_a",
  "ImportCsv.kind": "properties",
  type: "school",
  found_at: "handover",
  "DecideOption.status": "accepted",
  "CreateToken.role": "reader",
  price_closing_point: "myndighedsprojekt",
  abt_starts_at: "trin1",
  reason: "authority",
  severity: "minor",
  category: "craft",
  scope: "api:read",
  figure: "weighted_maintenance_grade",
  party: "contractor",
  client_org: "CIV",
  raised_by: "CIV",
  by_org: "CIV",
  cost_bearer: "CIV",
  decided_by: "CIV",
  viewer_org: "",
  size_band: "medium",
  csv: "date,value\n2025-01-01,100\n",
};

function stringFor(name, parent) {
  if (name in hints) return hints[name];
  if (`${parent}.${name}` in DOMAIN) return DOMAIN[`${parent}.${name}`];
  if (name in DOMAIN) return DOMAIN[name];
  const n = name.toLowerCase();
  if (n.endsWith("_id") || n === "id") {
    for (const [k, v] of Object.entries(hints)) if (n.endsWith(k)) return v;
    // The same thing gets the same id in every request: Budget.id and
    // budget_id are both CONF-BUDGET.
    const thing = n === "id" ? parent.replace(/^(Budget|Project)(?=[A-Z])/, "") || "ID" : n.replace(/_id$/, "");
    return `CONF-${thing.replace(/_/g, "").toUpperCase()}`;
  }
  if (n === "expires" || n === "expires_at") return "2099-12-31";
  if (n.includes("date") || n === "start" || n.endsWith("_start") || n.endsWith("_end") ||
      n.endsWith("_on") || n.endsWith("_at") || n === "opens" || n === "closes" ||
      n === "baseline" || n === "forecast" || n === "actual" || n === "since" || n === "until" ||
      n === "from" || n === "to" || n.endsWith("_from") || n.endsWith("_to") || n === "expires")
    return DATE;
  if (n.includes("email")) return "conformance@example.org";
  if (n.includes("url")) return "https://example.org/hook";
  if (n.includes("currency")) return "DKK";
  if (n.includes("year")) return "2025";
  return "Conformance";
}
function int64For(name) {
  const n = name.toLowerCase();
  if (n.endsWith("years")) return "1";
  if (n.includes("ore") || n.includes("amount") || n.includes("price") || n.includes("cost"))
    return "1000000";
  if (n.includes("year")) return "2025";
  return "1";
}
function intFor(name, s) {
  const n = name.toLowerCase();
  let v = 1;
  if (n.endsWith("_x100")) v = 0; // thresholds: 0 = off
  else if (n.endsWith("years")) v = 1;
  else if (n.includes("year")) v = 2025;
  else if (n.includes("month")) v = 3;
  else if (n === "scale_max" || n === "min_respondents" || n === "min_group") v = 5;
  if (typeof s.minimum === "number" && v < s.minimum) v = s.minimum;
  if (typeof s.maximum === "number" && v > s.maximum) v = s.maximum;
  return v;
}

function exampleOf(schema, name, depth, parent = "") {
  const s = deref(schema);
  if (!s || typeof s !== "object") return undefined;
  if (Array.isArray(s.anyOf) || Array.isArray(s.oneOf)) {
    const alts = (s.anyOf ?? s.oneOf).map(deref);
    const en = alts.find((a) => Array.isArray(a?.enum) && a.type === "string");
    if (en) return en.enum.find((v) => !/UNSPECIFIED|UNKNOWN/.test(v)) ?? en.enum[0];
    const notNull = alts.find((a) => a && a.type !== "null");
    return notNull ? exampleOf(notNull, name, depth, parent) : null;
  }
  if (Array.isArray(s.enum)) return s.enum.find((v) => typeof v !== "string" || !/UNSPECIFIED/.test(v)) ?? s.enum[0];
  const type = Array.isArray(s.type) ? s.type : [s.type];
  if (type.includes("object")) {
    if (depth > 3) return {};
    const out = {};
    for (const [k, v] of Object.entries(s.properties ?? {})) {
      const x = exampleOf(v, k, depth + 1, s.title ?? "");
      if (x !== undefined) out[k] = x;
    }
    return out;
  }
  if (type.includes("array")) {
    if (depth > 3) return [];
    const x = exampleOf(s.items, name.replace(/s$/, ""), depth + 1, parent);
    return x === undefined ? [] : [x];
  }
  if (type.includes("integer") && type.includes("string")) return int64For(name);
  if (type.includes("string")) {
    if (s.contentEncoding === "base64") return "Y29uZm9ybWFuY2U=";
    return stringFor(name, parent);
  }
  if (type.includes("integer")) return intFor(name, s);
  if (type.includes("number")) return 1.5;
  if (type.includes("boolean")) return false;
  return undefined;
}

// A value of a path or query parameter, as text.
function paramText(p) {
  if (p.name in hints) return hints[p.name];
  const v = exampleOf(p.schema ?? { type: "string" }, p.name.split(".").pop(), 1);
  return Array.isArray(v) ? String(v[0] ?? "") : String(v ?? "x");
}

function dropDotted(obj, dotted) {
  const parts = dotted.split(".");
  let at = obj;
  for (let i = 0; i < parts.length - 1; i++) {
    at = at?.[parts[i]];
    if (!at || typeof at !== "object") return;
  }
  if (at) delete at[parts[parts.length - 1]];
}

// ---- checking an answer ----------------------------------------------------------------

// The gateway's own 404s say the route is unknown: a documented operation
// must never get one (its 404s are for things the request names).
const ROUTE_UNKNOWN = /^no such path|has no request called/;
const validStatuses = {};
const againStatuses = {};

function check(what, op, r, want, wantField) {
  const label = `${what} -> ${r.status}`;
  if (process.env.CONFORMANCE_VERBOSE) console.log(`${label} ${r.text.slice(0, 400)}`);
  const responses = op.responses ?? {};
  const documented = responses[String(r.status)] ?? responses[`${String(r.status)[0]}XX`] ?? responses.default;
  if (!documented) {
    fail(label, `status ${r.status} is not documented for this operation; body: ${r.text.slice(0, 300)}`);
    return;
  }
  if (want && !want.includes(r.status)) {
    fail(label, `expected ${want.join(" or ")}; body: ${r.text.slice(0, 300)}`);
    return;
  }
  let resp;
  try {
    resp = deref(documented);
  } catch (e) {
    fail(label, e.message);
    return;
  }
  const content = resp.content ?? {};
  const types = Object.keys(content);
  const media = r.type.split(";")[0].trim().toLowerCase();
  if (types.length === 0) {
    if (r.text.length) fail(label, `the document promises no body but one came (${r.type})`);
    else pass();
    return;
  }
  if (!types.includes(media)) {
    fail(label, `Content-Type '${r.type}' is not among the documented ${types.join(", ")}`);
    return;
  }
  let body;
  try {
    body = JSON.parse(r.text);
  } catch (e) {
    fail(label, `the body is not JSON (${e.message}): ${r.text.slice(0, 200)}`);
    return;
  }
  const schema = content[media].schema;
  if (!schema) {
    pass();
    return;
  }
  let validate;
  try {
    validate = validatorFor(schema);
  } catch (e) {
    fail(label, `ajv cannot compile the documented schema ${JSON.stringify(schema)}: ${e.message}`);
    return;
  }
  if (!validate(body)) {
    const errs = validate.errors
      .slice(0, 8)
      .map((e) => `${e.instancePath || "/"} ${e.message} (${e.schemaPath}${e.params ? " " + JSON.stringify(e.params) : ""})`)
      .join("; ");
    fail(label, `the body does not match ${JSON.stringify(schema)}: ${errs}; body: ${r.text.slice(0, 300)}`);
  } else if (media === "application/problem+json" && body.status !== r.status) {
    fail(label, `the problem's status ${body.status} is not the HTTP status`);
  } else if (wantField !== undefined && r.status === 400 && body.field !== wantField) {
    fail(label, `the problem's field is '${body.field}', not '${wantField}' (the field at fault)`);
  } else if (r.status === 404 && ROUTE_UNKNOWN.test(body.detail ?? "")) {
    fail(label, `the gateway does not serve this documented route: ${body.detail}`);
  } else {
    pass();
  }
}

// ---- every operation -----------------------------------------------------------------------

const METHODS = ["get", "put", "post", "delete", "patch"];
const ops = [];
for (const [path, item] of Object.entries(doc.paths ?? {})) {
  for (const m of METHODS) {
    if (!item[m]) continue;
    const op = item[m];
    // Anything not said to read only counts as a write: it runs later.
    const writes = !/Reads only/.test(op.description ?? "");
    ops.push({ path, method: m, op, writes, operatorsOnly: /Operators only/.test(op.description ?? "") });
  }
}
// Reads first, so writes cannot change what they see; then writes in the
// document's order.
ops.sort((a, b) => Number(a.writes) - Number(b.writes));

function item(path) {
  return doc.paths[path] ?? {};
}

// The valid request of an operation: its URL (path parameters filled in,
// query parameters only where they name a thing that exists: other filters
// would narrow reads to nothing), its body, and the fields the path binds.
function validRequest(path, op) {
  const params = [...(item(path).parameters ?? []), ...(op.parameters ?? [])].map(deref);
  const bodySchema = op.requestBody ? deref(op.requestBody).content?.["application/json"]?.schema : undefined;
  let url = path;
  const bound = [];
  for (const p of params.filter((x) => x.in === "path")) {
    url = url.replace(`{${p.name}}`, encodeURIComponent(paramText(p)));
    bound.push(p.name);
  }
  if (/\{[^}]*\}/.test(url)) throw new Error(`path parameters not described: ${url}`);
  const query = new URLSearchParams();
  for (const p of params.filter((x) => x.in === "query"))
    if (p.name in hints) query.set(p.name, hints[p.name]);
  let body;
  if (bodySchema) {
    body = exampleOf(bodySchema, "body", 0) ?? {};
    for (const b of bound) dropDotted(body, b);
  }
  return { url, query, body, bound, hasBody: bodySchema !== undefined };
}

function opName(path, method, op) {
  return `${method.toUpperCase()} ${path} (${op.operationId ?? "no operationId"})`;
}

let calls = 0;
async function send(method, url, query, token, body) {
  calls++;
  const qs = query.toString();
  return call(method, url + (qs ? `?${qs}` : ""), { token, body });
}

for (const { path, method, op, operatorsOnly } of ops) {
  const name = opName(path, method, op);
  try {
    const { url, query, body, bound, hasBody } = validRequest(path, op);
    const ok = await send(method, url, query, adminToken, body);
    check(`${name} valid`, op, ok);
    validStatuses[ok.status] = (validStatuses[ok.status] ?? 0) + 1;

    if (method === "get" || !hasBody) {
      const q2 = new URLSearchParams(query);
      q2.set(UNKNOWN, "1");
      const bad = await send(method, url, q2, adminToken, undefined);
      check(`${name} invalid (unknown query parameter)`, op, bad, [400], UNKNOWN);
    } else {
      const bad = await send(method, url, query, adminToken, { ...body, [UNKNOWN]: 1 });
      check(`${name} invalid (unknown field)`, op, bad, [400], UNKNOWN);
      // A field of the wrong JSON type: an object for a scalar, a number
      // for a sub-message or a list.
      const first = Object.keys(body).find((k) => !bound.includes(k));
      if (first !== undefined) {
        const v = body[first];
        const wrong = v !== null && typeof v === "object" ? 12345 : { conformance: true };
        const typed = await send(method, url, query, adminToken, { ...body, [first]: wrong });
        check(`${name} invalid (${first} of the wrong type)`, op, typed, [400], first);
      }
    }

    if (operatorsOnly) {
      const denied = await send(method, url, query, writerToken, body);
      check(`${name} as writer`, op, denied, [403]);
    }
  } catch (e) {
    fail(name, e.name === "TimeoutError" ? `no answer in ${CALL_TIMEOUT_MS} ms` : e.message);
  }
}

// Reads again, now that the writes have made things to read: more replies
// (200) to check against their schemas.
for (const { path, method, op, writes } of ops) {
  if (writes) continue;
  const name = opName(path, method, op);
  try {
    const { url, query, body } = validRequest(path, op);
    const again = await send(method, url, query, adminToken, body);
    check(`${name} valid, after the writes`, op, again);
    againStatuses[again.status] = (againStatuses[again.status] ?? 0) + 1;
  } catch (e) {
    fail(name, e.name === "TimeoutError" ? `no answer in ${CALL_TIMEOUT_MS} ms` : e.message);
  }
}

console.log(`gateway conformance: ${ops.length} operations, ${calls} calls; valid requests answered ` +
  Object.entries(validStatuses).map(([k, v]) => `${k} x${v}`).join(", ") +
  "; reads after the writes " + Object.entries(againStatuses).map(([k, v]) => `${k} x${v}`).join(", "));
for (const f of failures) console.log(`FAIL ${f}`);
console.log(`${passed} passed, ${failures.length} failed`);
process.exit(failures.length ? 1 : 0);
