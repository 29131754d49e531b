/* gateway_openapi — see gateway_openapi.h. */
#include "gateway_openapi.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway_json.h"

#define REF_PREFIX "#/components/schemas/"

/* Every builder below returns NULL when memory runs out; json_pack's "o"
 * steals a NULL argument into a failed pack, so a NULL anywhere reaches the
 * top as NULL. */

static json_t *ref_to(const char *name) {
  char buf[256];
  snprintf(buf, sizeof buf, REF_PREFIX "%s", name);
  return json_pack("{s:s}", "$ref", buf);
}

static json_t *enum_schema(const ProtobufCEnumDescriptor *ed) {
  json_t *names = json_array();
  for (unsigned i = 0; names && i < ed->n_values; i++)
    if (json_array_append_new(names, json_string(ed->values[i].name)) != 0) {
      json_decref(names);
      names = NULL;
    }
  /* gateway_json writes the name; the number only for a value this build
   * does not know, and reads both. */
  return json_pack("{s:[{s:s, s:o}, {s:s, s:s}], s:s}", "anyOf", "type", "string", "enum", names,
                   "type", "integer", "format", "int32", "description", ed->name);
}

static json_t *int64_schema(bool sig) {
  return json_pack("{s:[s,s], s:s, s:s}", "type", "integer", "string", "pattern",
                   sig ? "^-?[0-9]+$" : "^[0-9]+$", "description",
                   sig ? "64-bit integer: replies write it as a decimal string so no digit is "
                         "lost; requests may send a number or a string"
                       : "unsigned 64-bit integer: replies write it as a decimal string so no "
                         "digit is lost; requests may send a number or a string");
}

/* One value of the field (an element, for repeated fields). */
static json_t *value_schema(const ProtobufCFieldDescriptor *f, bool in_list) {
  switch (f->type) {
    case PROTOBUF_C_TYPE_INT32:
    case PROTOBUF_C_TYPE_SINT32:
    case PROTOBUF_C_TYPE_SFIXED32:
      return json_pack("{s:s, s:s, s:I, s:I}", "type", "integer", "format", "int32", "minimum",
                       (json_int_t)-2147483648LL, "maximum", (json_int_t)2147483647LL);
    case PROTOBUF_C_TYPE_UINT32:
    case PROTOBUF_C_TYPE_FIXED32:
      return json_pack("{s:s, s:I, s:I}", "type", "integer", "minimum", (json_int_t)0, "maximum",
                       (json_int_t)4294967295LL);
    case PROTOBUF_C_TYPE_INT64:
    case PROTOBUF_C_TYPE_SINT64:
    case PROTOBUF_C_TYPE_SFIXED64:
      return int64_schema(true);
    case PROTOBUF_C_TYPE_UINT64:
    case PROTOBUF_C_TYPE_FIXED64: {
      json_t *s = int64_schema(false);
      if (s && json_object_set_new(s, "minimum", json_integer(0)) != 0) {
        json_decref(s);
        s = NULL;
      }
      return s;
    }
    case PROTOBUF_C_TYPE_FLOAT:
    case PROTOBUF_C_TYPE_DOUBLE:
      return json_pack("{s:[{s:s}, {s:s, s:[s,s,s]}]}", "anyOf", "type", "number", "type", "string",
                       "enum", "NaN", "Infinity", "-Infinity");
    case PROTOBUF_C_TYPE_BOOL:
      return json_pack("{s:s}", "type", "boolean");
    case PROTOBUF_C_TYPE_STRING:
      return json_pack("{s:s}", "type", "string");
    case PROTOBUF_C_TYPE_BYTES:
      return json_pack("{s:s, s:s, s:s}", "type", "string", "contentEncoding", "base64",
                       "description", "base64 (standard or URL-safe; replies: standard, padded)");
    case PROTOBUF_C_TYPE_ENUM:
      return enum_schema(f->descriptor);
    case PROTOBUF_C_TYPE_MESSAGE: {
      const ProtobufCMessageDescriptor *d = f->descriptor;
      if (in_list) return ref_to(d->name);
      /* A singular sub-message has presence: null when absent. */
      return json_pack("{s:[o, {s:s}]}", "anyOf", ref_to(d->name), "type", "null");
    }
  }
  return json_object();
}

static json_t *field_schema(const ProtobufCFieldDescriptor *f) {
  if (f->label != PROTOBUF_C_LABEL_REPEATED) return value_schema(f, false);
  if (gateway_json_is_map(f)) {
    const ProtobufCMessageDescriptor *ed = f->descriptor;
    const ProtobufCFieldDescriptor *kf = protobuf_c_message_descriptor_get_field(ed, 1);
    const ProtobufCFieldDescriptor *vf = protobuf_c_message_descriptor_get_field(ed, 2);
    json_t *s =
        json_pack("{s:s, s:o}", "type", "object", "additionalProperties", value_schema(vf, true));
    const char *keys = kf->type == PROTOBUF_C_TYPE_STRING ? NULL
                       : kf->type == PROTOBUF_C_TYPE_BOOL ? "^(true|false)$"
                                                          : "^-?[0-9]+$";
    if (s && keys &&
        json_object_set_new(s, "propertyNames", json_pack("{s:s}", "pattern", keys)) != 0) {
      json_decref(s);
      s = NULL;
    }
    return s;
  }
  return json_pack("{s:s, s:o}", "type", "array", "items", value_schema(f, true));
}

json_t *gateway_openapi_schema_for(const ProtobufCMessageDescriptor *d) {
  json_t *props = json_object();
  for (unsigned i = 0; props && i < d->n_fields; i++)
    if (json_object_set_new(props, d->fields[i].name, field_schema(&d->fields[i])) != 0) {
      json_decref(props);
      props = NULL;
    }
  char desc[320];
  snprintf(desc, sizeof desc,
           "%s. Replies carry every field (defaults included: \"\", 0, false, [], {}); requests "
           "may leave any field out, which means its default.",
           d->name);
  return json_pack("{s:s, s:s, s:s, s:o, s:b}", "type", "object", "title", d->short_name,
                   "description", desc, "properties", props, "additionalProperties", 0);
}

/* ------------------------------------------------------------ reachability */

typedef struct {
  const ProtobufCMessageDescriptor **v;
  size_t n, cap;
} desc_set_t;

static bool set_has(const desc_set_t *s, const ProtobufCMessageDescriptor *d) {
  for (size_t i = 0; i < s->n; i++)
    if (s->v[i] == d || strcmp(s->v[i]->name, d->name) == 0) return true;
  return false;
}

/* Adds d and every message its fields reach (map entries are not schemas of
 * their own: their value's message is). Returns false when memory runs out. */
static bool collect(desc_set_t *s, const ProtobufCMessageDescriptor *d) {
  if (d == NULL || set_has(s, d)) return true;
  if (s->n == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 32;
    const ProtobufCMessageDescriptor **v = realloc(s->v, cap * sizeof *v);
    if (v == NULL) return false;
    s->v = v;
    s->cap = cap;
  }
  s->v[s->n++] = d;
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    if (f->type != PROTOBUF_C_TYPE_MESSAGE) continue;
    const ProtobufCMessageDescriptor *sub = f->descriptor;
    if (gateway_json_is_map(f)) {
      const ProtobufCFieldDescriptor *vf = protobuf_c_message_descriptor_get_field(sub, 2);
      if (vf->type != PROTOBUF_C_TYPE_MESSAGE) continue;
      sub = vf->descriptor;
    }
    if (!collect(s, sub)) return false;
  }
  return true;
}

/* ------------------------------------------------------------ fixed parts */

typedef struct {
  const char *status;
  const char *name;
  const char *description;
} problem_response_t;

static const problem_response_t PROBLEMS[] = {
    {"400", "BadRequest",
     "The body is not a JSON object of the request, or a field is wrong: `field` names it."},
    {"401", "Unauthorized", "No valid credentials: a missing, expired or revoked token or key."},
    {"403", "Forbidden", "The caller's role or token scope does not allow this request."},
    {"404", "NotFound", "The route, or the thing the request names, does not exist."},
    {"409", "Conflict",
     "The current state does not allow it, or the Idempotency-Key was used for another request."},
    {"412", "PreconditionFailed", "A precondition of the request does not hold."},
    {"413", "ContentTooLarge", "The body is larger than the gateway accepts."},
    {"415", "UnsupportedMediaType", "The body is not application/json."},
    {"422", "UnprocessableContent", "The request is well formed but a value is refused."},
    {"429", "TooManyRequests", "Too many requests; try again after Retry-After seconds."},
    {"503", "ServiceUnavailable",
     "The service that answers is not reachable or did not answer in time; try again later."},
};

static json_t *problem_schema(void) {
  return json_pack(
      "{s:s, s:s, s:s, s:{s:{s:s, s:s}, s:{s:s}, s:{s:s, s:I, s:I}, s:{s:s}, s:{s:s},"
      " s:{s:s, s:s}, s:{s:s, s:s}}}",
      "type", "object", "title", "Problem", "description",
      "Problem details (RFC 9457) with trin's status name and the field at fault.", "properties",
      "type", "type", "string", "format", "uri-reference", "title", "type", "string", "status",
      "type", "integer", "minimum", (json_int_t)100, "maximum", (json_int_t)599, "detail", "type",
      "string", "instance", "type", "string", "code", "type", "string", "description",
      "trin's status name in lowercase: invalid, not_found, conflict, forbidden, "
      "unauthenticated, too_big, timeout, ...",
      "field", "type", "string", "description",
      "the request field at fault as a dotted path (milestones[2].name); empty when no single "
      "field is");
}

static json_t *components_responses(void) {
  json_t *r = json_object();
  for (size_t i = 0; r && i < sizeof PROBLEMS / sizeof PROBLEMS[0]; i++) {
    json_t *resp = json_pack("{s:s, s:{s:{s:o}}}", "description", PROBLEMS[i].description,
                             "content", "application/problem+json", "schema", ref_to("Problem"));
    if (resp &&
        (strcmp(PROBLEMS[i].status, "429") == 0 || strcmp(PROBLEMS[i].status, "503") == 0)) {
      json_t *h = json_pack("{s:{s:s, s:{s:s, s:i}}}", "Retry-After", "description",
                            "Seconds to wait before trying again.", "schema", "type", "integer",
                            "minimum", 0);
      if (h == NULL || json_object_set_new(resp, "headers", h) != 0) {
        json_decref(resp);
        resp = NULL;
      }
    }
    if (resp == NULL || json_object_set_new(r, PROBLEMS[i].name, resp) != 0) {
      json_decref(r);
      r = NULL;
    }
  }
  return r;
}

static json_t *security_schemes(void) {
  return json_pack("{s:{s:s, s:s, s:s}, s:{s:s, s:s, s:s, s:s}}", "bearerAuth", "type", "http",
                   "scheme", "bearer", "description",
                   "A trin personal token (trin_...) or an OpenID Connect access token from the "
                   "deployment's identity provider.",
                   "apiKey", "type", "apiKey", "in", "header", "name", "X-API-Key", "description",
                   "A trin API key, for machines.");
}

static json_t *idempotency_parameter(void) {
  return json_pack("{s:s, s:s, s:b, s:s, s:{s:s, s:i, s:i}}", "name", "Idempotency-Key", "in",
                   "header", "required", 0, "description",
                   "Chosen by the client; a retry with the same key and body gets the first "
                   "answer instead of doing the change twice.",
                   "schema", "type", "string", "minLength", 1, "maxLength", 255);
}

/* ------------------------------------------------------------ operations */

static json_t *op_responses(const gateway_operation_t *op) {
  char desc[256];
  snprintf(desc, sizeof desc, "The reply: %s.", op->output->name);
  json_t *r = json_pack("{s:{s:s, s:{s:{s:o}}}}", "200", "description", desc, "content",
                        "application/json", "schema", ref_to(op->output->name));
  for (size_t i = 0; r && i < sizeof PROBLEMS / sizeof PROBLEMS[0]; i++) {
    char ref[128];
    snprintf(ref, sizeof ref, "#/components/responses/%s", PROBLEMS[i].name);
    if (json_object_set_new(r, PROBLEMS[i].status, json_pack("{s:s}", "$ref", ref)) != 0) {
      json_decref(r);
      r = NULL;
    }
  }
  return r;
}

/* "writer advisor" -> "writer or advisor" */
static void roles_words(const char *roles, char *out, size_t n) {
  size_t j = 0;
  out[0] = '\0';
  const char *p = roles;
  while (*p) {
    while (*p == ' ') p++;
    if (!*p) break;
    const char *e = p;
    while (*e && *e != ' ') e++;
    int w = snprintf(out + j, n - j, "%s%.*s", j ? " or " : "", (int)(e - p), p);
    if (w < 0 || (size_t)w >= n - j) break;
    j += (size_t)w;
    p = e;
  }
}

static json_t *op_object(const gateway_operation_t *op, bool rest) {
  char id[160], summary[200], desc[700], who[200];
  snprintf(id, sizeof id, "%s.%s%s", op->service, op->name, rest ? ".rest" : "");
  snprintf(summary, sizeof summary, "%s (%s)", op->name,
           op->request ? op->request : op->input->name);
  if (op->admin_only)
    snprintf(who, sizeof who, "Operators only: the role admin.");
  else if (op->roles && op->roles[0]) {
    char words[160];
    roles_words(op->roles, words, sizeof words);
    snprintf(who, sizeof who, "Requires the role %s (admin always may).", words);
  } else
    snprintf(who, sizeof who,
             "The roles allowed are unknown until the %s service describes its access table.",
             op->service);
  char scope[96] = "";
  if (op->scope) snprintf(scope, sizeof scope, " Who may be named: %s.", op->scope);
  snprintf(desc, sizeof desc, "%s %s%s Request: %s; reply: %s.", who,
           op->writes ? "Changes state: needs a token with scope api:write."
                      : "Reads only: needs a token with scope api:read.",
           scope, op->input->name, op->output->name);
  return json_pack("{s:s, s:[s], s:s, s:s, s:s, s:s, s:o}", "operationId", id, "tags",
                   op->service, "summary", summary, "description", desc, "x-trin-roles",
                   op->roles ? op->roles : "unknown", "x-trin-scope",
                   op->scope ? (op->scope[0] ? op->scope : "operators") : "unknown",
                   "responses", op_responses(op));
}

/* The field a (possibly dotted) request name points at, or NULL. */
static const ProtobufCFieldDescriptor *dotted_field(const ProtobufCMessageDescriptor *d,
                                                    const char *name) {
  char seg[128];
  for (;;) {
    const char *dot = strchr(name, '.');
    size_t len = dot ? (size_t)(dot - name) : strlen(name);
    if (len >= sizeof seg) return NULL;
    memcpy(seg, name, len);
    seg[len] = '\0';
    const ProtobufCFieldDescriptor *f = gateway_json_find_field(d, seg);
    if (f == NULL || dot == NULL) return f;
    if (f->type != PROTOBUF_C_TYPE_MESSAGE || f->label == PROTOBUF_C_LABEL_REPEATED) return NULL;
    d = f->descriptor;
    name = dot + 1;
  }
}

static bool append(json_t *arr, json_t *v) {
  return v && json_array_append_new(arr, v) == 0;
}

static bool add_body(json_t *o, const gateway_operation_t *op, bool required) {
  json_t *b = json_pack("{s:b, s:{s:{s:o}}}", "required", required, "content", "application/json",
                        "schema", ref_to(op->input->name));
  if (b && !required &&
      json_object_set_new(b, "description",
                          json_string("The request; fields given in the path may be left out.")) !=
          0) {
    json_decref(b);
    b = NULL;
  }
  return b && json_object_set_new(o, "requestBody", b) == 0;
}

/* The resource route's operation: path parameters from {field}, query
 * parameters for a GET, a body otherwise. */
static json_t *rest_object(const gateway_operation_t *op, const char *method) {
  json_t *o = op_object(op, true);
  json_t *params = json_array();
  if (o == NULL || params == NULL) {
    json_decref(params);
    goto fail;
  }
  if (json_object_set_new(o, "parameters", params) != 0) goto fail;
  char bound[16][64];
  size_t nbound = 0;
  for (const char *p = strchr(op->path, '{'); p; p = strchr(p, '{')) {
    const char *e = strchr(p, '}');
    if (e == NULL) break;
    char name[64];
    snprintf(name, sizeof name, "%.*s", (int)(e - p - 1), p + 1);
    if (nbound < 16) snprintf(bound[nbound++], sizeof bound[0], "%s", name);
    const ProtobufCFieldDescriptor *f = dotted_field(op->input, name);
    json_t *schema =
        f && f->label != PROTOBUF_C_LABEL_REPEATED && f->type != PROTOBUF_C_TYPE_MESSAGE
            ? value_schema(f, true)
            : json_pack("{s:s}", "type", "string");
    if (!append(params,
                json_pack("{s:s, s:s, s:b, s:s, s:o}", "name", name, "in", "path", "required", 1,
                          "description", "The request field of this name.", "schema", schema)))
      goto fail;
    p = e;
  }
  if (strcmp(method, "GET") == 0) {
    const ProtobufCMessageDescriptor *d = op->input;
    for (unsigned i = 0; i < d->n_fields; i++) {
      const ProtobufCFieldDescriptor *f = &d->fields[i];
      if (f->type == PROTOBUF_C_TYPE_MESSAGE) continue; /* maps too: entries are messages */
      bool is_bound = false;
      for (size_t b = 0; b < nbound; b++) is_bound |= strcmp(bound[b], f->name) == 0;
      if (is_bound) continue;
      json_t *schema =
          f->label == PROTOBUF_C_LABEL_REPEATED
              ? json_pack("{s:s, s:o}", "type", "array", "items", value_schema(f, true))
              : value_schema(f, true);
      json_t *q = json_pack("{s:s, s:s, s:b, s:o}", "name", f->name, "in", "query", "required", 0,
                            "schema", schema);
      if (q && f->label == PROTOBUF_C_LABEL_REPEATED &&
          (json_object_set_new(q, "style", json_string("form")) != 0 ||
           json_object_set_new(q, "explode", json_true()) != 0)) {
        json_decref(q);
        q = NULL;
      }
      if (!append(params, q)) goto fail;
    }
  } else {
    if (!add_body(o, op, false)) goto fail;
  }
  if (strcmp(method, "POST") == 0 &&
      !append(params, json_pack("{s:s}", "$ref", "#/components/parameters/IdempotencyKey")))
    goto fail;
  if (json_array_size(params) == 0) json_object_del(o, "parameters");
  return o;
fail:
  json_decref(o);
  return NULL;
}

/* paths[path][method] = operation, unless the place is taken (first wins). */
static bool put_operation(json_t *paths, const char *path, const char *method, json_t *op) {
  if (op == NULL) return false;
  json_t *item = json_object_get(paths, path);
  if (item == NULL) {
    item = json_object();
    if (item == NULL || json_object_set_new(paths, path, item) != 0) {
      json_decref(op);
      return false;
    }
  }
  if (json_object_get(item, method)) {
    json_decref(op);
    return true;
  }
  return json_object_set_new(item, method, op) == 0;
}

static bool is_known_method(const char *m) {
  return strcmp(m, "GET") == 0 || strcmp(m, "POST") == 0 || strcmp(m, "PUT") == 0 ||
         strcmp(m, "DELETE") == 0 || strcmp(m, "PATCH") == 0;
}

static bool add_operation(json_t *paths, const gateway_operation_t *op) {
  char path[256];
  snprintf(path, sizeof path, "/api/v1/%s/%s", op->service, op->name);
  json_t *generic = op_object(op, false);
  json_t *params = json_pack("[{s:s}]", "$ref", "#/components/parameters/IdempotencyKey");
  if (generic == NULL || params == NULL ||
      json_object_set_new(generic, "parameters", params) != 0 || !add_body(generic, op, true)) {
    json_decref(generic);
    return false;
  }
  if (!put_operation(paths, path, "post", generic)) return false;
  if (op->http_method == NULL || op->path == NULL || !is_known_method(op->http_method)) return true;
  char method[8];
  size_t i = 0;
  for (; op->http_method[i] && i + 1 < sizeof method; i++)
    method[i] = (char)(op->http_method[i] - 'A' + 'a');
  method[i] = '\0';
  return put_operation(paths, op->path, method, rest_object(op, op->http_method));
}

json_t *gateway_openapi_document(const gateway_operation_t *ops, size_t nops, const char *title,
                                 const char *version) {
  if (title == NULL) title = "trin";
  if (version == NULL) version = "0";
  desc_set_t set = {0};
  json_t *doc = NULL, *schemas = json_object(), *paths = json_object(), *tags = json_array();
  if (schemas == NULL || paths == NULL || tags == NULL) goto fail;
  for (size_t i = 0; i < nops; i++) {
    if (ops[i].input == NULL || ops[i].output == NULL) continue;
    if (!collect(&set, ops[i].input) || !collect(&set, ops[i].output)) goto fail;
    if (!add_operation(paths, &ops[i])) goto fail;
    bool tagged = false;
    for (size_t t = 0; t < json_array_size(tags); t++)
      tagged |= strcmp(json_string_value(json_object_get(json_array_get(tags, t), "name")),
                       ops[i].service) == 0;
    if (!tagged) {
      char d[128];
      snprintf(d, sizeof d, "Requests the %s service answers.", ops[i].service);
      if (!append(tags, json_pack("{s:s, s:s}", "name", ops[i].service, "description", d)))
        goto fail;
    }
  }
  for (size_t i = 0; i < set.n; i++)
    if (json_object_set_new(schemas, set.v[i]->name, gateway_openapi_schema_for(set.v[i])) != 0)
      goto fail;
  if (json_object_set_new(schemas, "Problem", problem_schema()) != 0) goto fail;
  doc = json_pack(
      "{s:s, s:{s:s, s:s, s:s}, s:[{s:s, s:s}], s:[{s:[]}, {s:[]}], s:O, s:O,"
      " s:{s:O, s:o, s:{s:o}, s:o}}",
      "openapi", "3.1.0", "info", "title", title, "version", version, "description",
      "Every request of every trin service as HTTP and JSON. Field names are as in the .proto "
      "files; 64-bit integers travel as decimal strings; errors are RFC 9457 problem details.",
      /* Relative: the gateway serving the document is the server. */
      "servers", "url", "/", "description", "this gateway", "security", "bearerAuth", "apiKey",
      "tags", tags, "paths", paths, "components", "schemas", schemas, "responses",
      components_responses(), "parameters", "IdempotencyKey", idempotency_parameter(),
      "securitySchemes", security_schemes());
fail:
  json_decref(schemas);
  json_decref(paths);
  json_decref(tags);
  free(set.v);
  return doc;
}
