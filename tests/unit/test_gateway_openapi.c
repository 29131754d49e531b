/* gateway.openapi — the OpenAPI 3.1 document from real descriptors: its
 * schemas, routes, parameters, problem replies, security and roles; every
 * $ref resolves; and replies written by gateway_json validate against the
 * schemas (a small JSON Schema checker below: $ref, anyOf, type, enum,
 * pattern, minimum/maximum, properties, additionalProperties, items,
 * required), with every property present. The documents are left in the
 * working directory (gateway_openapi_small.json, gateway_openapi.json: every
 * rpc of every service) for a real validator. */
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "gateway_json.h"
#include "gateway_openapi.h"
#include "trin/aggregator.pb-c.h"
#include "trin/benchmark.pb-c.h"
#include "trin/budget.pb-c.h"
#include "trin/envelope.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin/survey.pb-c.h"
#include "trin/token.pb-c.h"

static const gateway_operation_t OPS[] = {
    {.service = "lifecycle",
     .name = "SetMilestone",
     .request = "trin.lifecycle.SetMilestone",
     .input = &trin__lifecycle__set_milestone__descriptor,
     .output = &trin__lifecycle__project_reply__descriptor,
     .writes = true,
     .http_method = "POST",
     .path = "/api/v1/projects/{project_id}/milestones",
     .roles = "writer advisor",
     .scope = "member"},
    {.service = "lifecycle",
     .name = "GetProject",
     .request = "trin.lifecycle.GetProject",
     .input = &trin__lifecycle__get_project__descriptor,
     .output = &trin__lifecycle__project_reply__descriptor,
     .http_method = "GET",
     .path = "/api/v1/projects/{project_id}",
     .roles = "reader writer advisor"},
    {.service = "lifecycle",
     .name = "ListProjects",
     .request = "trin.lifecycle.ListProjects",
     .input = &trin__lifecycle__list_projects__descriptor,
     .output = &trin__lifecycle__project_list__descriptor,
     .http_method = "GET",
     .path = "/api/v1/projects"},
    {.service = "budget",
     .name = "CreateBudget",
     .request = "trin.budget.CreateBudget",
     .input = &trin__budget__create_budget__descriptor,
     .output = &trin__budget__budget_reply__descriptor,
     .writes = true,
     .http_method = "PUT",
     .path = "/api/v1/budgets/{budget.id}",
     .roles = "writer"},
    {.service = "lifecycle",
     .name = "EventsSince",
     .request = "trin.EventsSince",
     .input = &trin__events_since__descriptor,
     .output = &trin__event_batch__descriptor,
     .admin_only = true},
};
#define NOPS (sizeof OPS / sizeof OPS[0])

/* ------------------------------------------------------------ a small checker */

static const json_t *g_doc;
static char g_why[512];

static const json_t *resolve(const char *ref) {
  const char *p = ref;
  if (strncmp(p, "#/", 2) != 0) return NULL;
  p += 2;
  const json_t *cur = g_doc;
  char seg[160];
  while (*p && cur) {
    const char *slash = strchr(p, '/');
    size_t len = slash ? (size_t)(slash - p) : strlen(p);
    snprintf(seg, sizeof seg, "%.*s", (int)len, p);
    cur = json_object_get(cur, seg);
    p = slash ? slash + 1 : p + len;
  }
  return cur;
}

static bool type_is(const char *t, const json_t *v) {
  if (strcmp(t, "object") == 0) return json_is_object(v);
  if (strcmp(t, "array") == 0) return json_is_array(v);
  if (strcmp(t, "string") == 0) return json_is_string(v);
  if (strcmp(t, "boolean") == 0) return json_is_boolean(v);
  if (strcmp(t, "null") == 0) return json_is_null(v);
  if (strcmp(t, "number") == 0) return json_is_number(v);
  if (strcmp(t, "integer") == 0) return json_is_integer(v);
  return false;
}

static bool matches(const char *pattern, const char *s) {
  regex_t re;
  if (regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB) != 0) return false;
  bool ok = regexec(&re, s, 0, NULL, 0) == 0;
  regfree(&re);
  return ok;
}

/* `full`: an object described by a message schema must carry every
 * property (gateway_json writes them all). */
static bool check(const json_t *schema, const json_t *v, const char *path, bool full) {
  const json_t *ref = json_object_get(schema, "$ref");
  if (ref) {
    const json_t *target = resolve(json_string_value(ref));
    if (target == NULL) {
      snprintf(g_why, sizeof g_why, "%s: $ref %s does not resolve", path, json_string_value(ref));
      return false;
    }
    return check(target, v, path, full);
  }
  const json_t *any = json_object_get(schema, "anyOf");
  if (any) {
    size_t i;
    const json_t *alt;
    json_array_foreach(any, i, alt) if (check(alt, v, path, full)) return true;
    snprintf(g_why, sizeof g_why, "%s: matches no alternative of anyOf", path);
    return false;
  }
  const json_t *type = json_object_get(schema, "type");
  if (type) {
    bool ok = false;
    if (json_is_string(type)) ok = type_is(json_string_value(type), v);
    size_t i;
    const json_t *t;
    json_array_foreach(type, i, t) ok |= type_is(json_string_value(t), v);
    if (!ok) {
      snprintf(g_why, sizeof g_why, "%s: wrong type", path);
      return false;
    }
  }
  const json_t *en = json_object_get(schema, "enum");
  if (en) {
    bool ok = false;
    size_t i;
    const json_t *e;
    json_array_foreach(en, i, e) ok |= json_equal(e, v);
    if (!ok) {
      snprintf(g_why, sizeof g_why, "%s: not in enum", path);
      return false;
    }
  }
  const json_t *pat = json_object_get(schema, "pattern");
  if (pat && json_is_string(v) && !matches(json_string_value(pat), json_string_value(v))) {
    snprintf(g_why, sizeof g_why, "%s: \"%s\" does not match %s", path, json_string_value(v),
             json_string_value(pat));
    return false;
  }
  if (json_is_number(v)) {
    const json_t *mn = json_object_get(schema, "minimum");
    const json_t *mx = json_object_get(schema, "maximum");
    if ((mn && json_number_value(v) < json_number_value(mn)) ||
        (mx && json_number_value(v) > json_number_value(mx))) {
      snprintf(g_why, sizeof g_why, "%s: out of range", path);
      return false;
    }
  }
  if (json_is_object(v)) {
    const json_t *props = json_object_get(schema, "properties");
    const json_t *addl = json_object_get(schema, "additionalProperties");
    const json_t *req = json_object_get(schema, "required");
    char child[512];
    const char *k;
    const json_t *pv;
    json_object_foreach((json_t *)v, k, pv) {
      snprintf(child, sizeof child, "%s.%s", path, k);
      const json_t *ps = json_object_get(props, k);
      if (ps == NULL && json_is_false(addl)) {
        snprintf(g_why, sizeof g_why, "%s: not allowed", child);
        return false;
      }
      if (ps == NULL) ps = json_is_object(addl) ? addl : NULL;
      if (ps && !check(ps, pv, child, full)) return false;
    }
    size_t i;
    const json_t *r;
    json_array_foreach(req, i, r) if (!json_object_get(v, json_string_value(r))) {
      snprintf(g_why, sizeof g_why, "%s: required %s missing", path, json_string_value(r));
      return false;
    }
    if (full && props) {
      const json_t *ignored;
      json_object_foreach((json_t *)props, k, ignored) if (!json_object_get(v, k)) {
        snprintf(g_why, sizeof g_why, "%s: property %s missing from the reply", path, k);
        return false;
      }
    }
  }
  if (json_is_array(v)) {
    const json_t *items = json_object_get(schema, "items");
    size_t i;
    const json_t *e;
    char child[512];
    json_array_foreach(v, i, e) {
      snprintf(child, sizeof child, "%s[%zu]", path, i);
      if (items && !check(items, e, child, full)) return false;
    }
  }
  return true;
}

static bool valid_reply(const json_t *doc, const char *message_name, const json_t *v) {
  g_doc = doc;
  g_why[0] = '\0';
  char ref[256];
  snprintf(ref, sizeof ref, "#/components/schemas/%s", message_name);
  json_t *s = json_pack("{s:s}", "$ref", ref);
  bool ok = check(s, v, "$", true);
  json_decref(s);
  return ok;
}

/* Every "$ref" anywhere in the document points at something. */
static void all_refs_resolve(const json_t *doc, const json_t *node, int *count) {
  if (json_is_object(node)) {
    const char *k;
    const json_t *v;
    json_object_foreach((json_t *)node, k, v) {
      if (strcmp(k, "$ref") == 0) {
        g_doc = doc;
        if (resolve(json_string_value(v)) == NULL)
          fail_msg("$ref %s does not resolve", json_string_value(v));
        (*count)++;
      } else {
        all_refs_resolve(doc, v, count);
      }
    }
  } else if (json_is_array(node)) {
    size_t i;
    const json_t *v;
    json_array_foreach(node, i, v) all_refs_resolve(doc, v, count);
  }
}

static const json_t *at(const json_t *j, const char *a, const char *b, const char *c) {
  j = json_object_get(j, a);
  if (b) j = json_object_get(j, b);
  if (c) j = json_object_get(j, c);
  if (j == NULL) fail_msg("missing %s/%s/%s", a, b ? b : "", c ? c : "");
  return j;
}

static const json_t *param(const json_t *op, const char *name) {
  size_t i;
  const json_t *p;
  json_array_foreach(json_object_get(op, "parameters"), i, p) {
    const json_t *n = json_object_get(p, "name");
    if (n && strcmp(json_string_value(n), name) == 0) return p;
    const json_t *r = json_object_get(p, "$ref");
    if (r && strstr(json_string_value(r), name)) return p;
  }
  return NULL;
}

static void dump(const json_t *doc, const char *file) {
  assert_int_equal(json_dump_file(doc, file, JSON_INDENT(2)), 0);
  char cwd[512];
  if (getcwd(cwd, sizeof cwd)) print_message("OpenAPI document written to %s/%s\n", cwd, file);
}

/* ------------------------------------------------------------ tests */

static void document_structure(void **state) {
  (void)state;
  json_t *doc = gateway_openapi_document(OPS, NOPS, "trin API", "1.2.3");
  assert_non_null(doc);
  dump(doc, "gateway_openapi_small.json");
  assert_string_equal(json_string_value(at(doc, "openapi", NULL, NULL)), "3.1.0");
  assert_string_equal(json_string_value(at(doc, "info", "title", NULL)), "trin API");
  assert_string_equal(json_string_value(at(doc, "info", "version", NULL)), "1.2.3");

  const json_t *schemas = at(doc, "components", "schemas", NULL);
  const char *want[] = {"trin.lifecycle.SetMilestone",
                        "trin.lifecycle.Milestone",
                        "trin.lifecycle.ProjectReply",
                        "trin.lifecycle.Project",
                        "trin.lifecycle.Dispute",
                        "trin.lifecycle.DisputeStep",
                        "trin.lifecycle.ProjectList",
                        "trin.budget.BudgetLine",
                        "trin.budget.ProjectFigures",
                        "trin.Event",
                        "trin.EventBatch",
                        "Problem"};
  for (size_t i = 0; i < sizeof want / sizeof want[0]; i++)
    if (json_object_get(schemas, want[i]) == NULL) fail_msg("no schema %s", want[i]);
  assert_null(json_object_get(schemas, "trin.Event.IdsEntry")); /* a map, not a schema */

  /* Types as gateway_json writes them. */
  const json_t *project = json_object_get(schemas, "trin.lifecycle.Project");
  assert_true(json_is_false(json_object_get(project, "additionalProperties")));
  assert_string_equal(json_string_value(at(project, "properties", "dwellings", "type")), "integer");
  assert_string_equal(json_string_value(at(project, "properties", "fast_track", "type")),
                      "boolean");
  const json_t *ms = at(project, "properties", "milestones", NULL);
  assert_string_equal(json_string_value(json_object_get(ms, "type")), "array");
  assert_string_equal(json_string_value(at(ms, "items", "$ref", NULL)),
                      "#/components/schemas/trin.lifecycle.Milestone");
  const json_t *amount = at(schemas, "trin.lifecycle.Dispute", "properties", NULL);
  amount = json_object_get(amount, "amount_ore");
  assert_string_equal(json_string_value(json_object_get(amount, "pattern")), "^-?[0-9]+$");
  assert_int_equal(json_array_size(json_object_get(amount, "type")), 2);
  const json_t *reply_project = at(schemas, "trin.lifecycle.ProjectReply", "properties", "project");
  assert_string_equal(
      json_string_value(
          at(json_array_get(json_object_get(reply_project, "anyOf"), 0), "$ref", NULL, NULL)),
      "#/components/schemas/trin.lifecycle.Project");
  const json_t *ids = at(schemas, "trin.Event", "properties", "ids");
  assert_string_equal(json_string_value(json_object_get(ids, "type")), "object");
  assert_string_equal(json_string_value(at(ids, "additionalProperties", "type", NULL)), "string");
  assert_string_equal(json_string_value(at(at(schemas, "trin.Event", "properties", "payload"),
                                           "contentEncoding", NULL, NULL)),
                      "base64");
  json_t *err_schema = gateway_openapi_schema_for(&trin__error__descriptor);
  const json_t *code = at(err_schema, "properties", "code", "anyOf");
  const json_t *names = at(json_array_get(code, 0), "enum", NULL, NULL);
  assert_string_equal(json_string_value(json_array_get(names, 2)), "NOT_FOUND");
  json_decref(err_schema);

  /* Problem: RFC 9457 plus code and field. */
  const json_t *problem = at(schemas, "Problem", "properties", NULL);
  const char *pf[] = {"type", "title", "status", "detail", "instance", "code", "field"};
  for (size_t i = 0; i < 7; i++) assert_non_null(json_object_get(problem, pf[i]));

  /* Security. */
  const json_t *sec = at(doc, "components", "securitySchemes", NULL);
  assert_string_equal(json_string_value(at(sec, "bearerAuth", "type", NULL)), "http");
  assert_string_equal(json_string_value(at(sec, "bearerAuth", "scheme", NULL)), "bearer");
  assert_string_equal(json_string_value(at(sec, "apiKey", "in", NULL)), "header");
  assert_string_equal(json_string_value(at(sec, "apiKey", "name", NULL)), "X-API-Key");
  assert_int_equal(json_array_size(at(doc, "security", NULL, NULL)), 2);
  assert_non_null(
      json_object_get(at(doc, "components", "responses", "TooManyRequests"), "headers"));

  int refs = 0;
  all_refs_resolve(doc, doc, &refs);
  assert_true(refs > 50);
  json_decref(doc);
}

static void routes(void **state) {
  (void)state;
  json_t *doc = gateway_openapi_document(OPS, NOPS, "trin API", "1");
  const json_t *paths = at(doc, "paths", NULL, NULL);

  /* The generic route. */
  const json_t *g = at(paths, "/api/v1/lifecycle/SetMilestone", "post", NULL);
  assert_string_equal(json_string_value(at(g, "operationId", NULL, NULL)),
                      "lifecycle.SetMilestone");
  assert_string_equal(json_string_value(json_array_get(at(g, "tags", NULL, NULL), 0)), "lifecycle");
  assert_true(json_is_true(at(g, "requestBody", "required", NULL)));
  assert_string_equal(json_string_value(at(at(g, "requestBody", "content", "application/json"),
                                           "schema", "$ref", NULL)),
                      "#/components/schemas/trin.lifecycle.SetMilestone");
  assert_non_null(param(g, "IdempotencyKey"));
  assert_string_equal(json_string_value(at(g, "x-trin-roles", NULL, NULL)), "writer advisor");
  const char *desc = json_string_value(at(g, "description", NULL, NULL));
  assert_non_null(strstr(desc, "writer or advisor"));
  assert_non_null(strstr(desc, "api:write"));
  const json_t *responses = at(g, "responses", NULL, NULL);
  assert_string_equal(json_string_value(at(at(responses, "200", "content", "application/json"),
                                           "schema", "$ref", NULL)),
                      "#/components/schemas/trin.lifecycle.ProjectReply");
  const char *codes[] = {"400", "401", "403", "404", "409", "412",
                         "413", "415", "422", "429", "503"};
  for (size_t i = 0; i < 11; i++) {
    const json_t *r = json_object_get(responses, codes[i]);
    if (r == NULL) fail_msg("no %s response", codes[i]);
    g_doc = doc;
    const json_t *target = resolve(json_string_value(json_object_get(r, "$ref")));
    assert_non_null(target);
    assert_string_equal(
        json_string_value(
            at(at(target, "content", "application/problem+json", NULL), "schema", "$ref", NULL)),
        "#/components/schemas/Problem");
  }

  /* The resource route: the path's field is a required path parameter, the
   * body optional, and a POST takes Idempotency-Key. */
  const json_t *r = at(paths, "/api/v1/projects/{project_id}/milestones", "post", NULL);
  assert_string_equal(json_string_value(at(r, "operationId", NULL, NULL)),
                      "lifecycle.SetMilestone.rest");
  const json_t *pid = param(r, "project_id");
  assert_non_null(pid);
  assert_string_equal(json_string_value(json_object_get(pid, "in")), "path");
  assert_true(json_is_true(json_object_get(pid, "required")));
  assert_string_equal(json_string_value(at(pid, "schema", "type", NULL)), "string");
  assert_non_null(param(r, "IdempotencyKey"));
  assert_true(json_is_false(at(r, "requestBody", "required", NULL)));

  /* GET: no body, no Idempotency-Key; unbound scalar fields are query
   * parameters. */
  const json_t *get = at(paths, "/api/v1/projects/{project_id}", "get", NULL);
  assert_null(json_object_get(get, "requestBody"));
  assert_null(param(get, "IdempotencyKey"));
  assert_int_equal(json_array_size(json_object_get(get, "parameters")), 1);
  assert_non_null(strstr(json_string_value(json_object_get(get, "description")), "api:read"));
  const json_t *list = at(paths, "/api/v1/projects", "get", NULL);
  assert_int_equal(json_array_size(json_object_get(list, "parameters")), 4);
  const json_t *outside = param(list, "outside_partnership");
  assert_string_equal(json_string_value(json_object_get(outside, "in")), "query");
  assert_true(json_is_false(json_object_get(outside, "required")));
  assert_string_equal(json_string_value(at(outside, "schema", "type", NULL)), "boolean");
  assert_string_equal(json_string_value(at(list, "x-trin-roles", NULL, NULL)), "unknown");
  assert_non_null(strstr(json_string_value(json_object_get(list, "description")), "unknown"));

  /* PUT with a dotted path field. */
  const json_t *put = at(paths, "/api/v1/budgets/{budget.id}", "put", NULL);
  assert_non_null(param(put, "budget.id"));
  assert_null(param(put, "IdempotencyKey"));
  assert_non_null(json_object_get(put, "requestBody"));

  /* Operators only, no resource route. */
  const json_t *ev = at(paths, "/api/v1/lifecycle/EventsSince", "post", NULL);
  assert_non_null(strstr(json_string_value(json_object_get(ev, "description")), "Operators only"));
  size_t n = 0;
  const char *k;
  const json_t *item;
  json_object_foreach((json_t *)paths, k, item) n += json_object_size(item);
  assert_int_equal(n, NOPS + 4); /* 5 generic + 4 resource routes */

  const json_t *tags = at(doc, "tags", NULL, NULL);
  assert_int_equal(json_array_size(tags), 2);
  json_decref(doc);
}

static void replies_validate(void **state) {
  (void)state;
  json_t *doc = gateway_openapi_document(OPS, NOPS, "trin API", "1");

  /* ProjectReply with nested lists and int64 money. */
  Trin__Lifecycle__DisputeStep step = TRIN__LIFECYCLE__DISPUTE_STEP__INIT;
  step.level = 2;
  step.date = "2026-05-01";
  Trin__Lifecycle__DisputeStep *steps[] = {&step};
  Trin__Lifecycle__Dispute dispute = TRIN__LIFECYCLE__DISPUTE__INIT;
  dispute.id = "D1";
  dispute.amount_ore = -9007199254740993LL;
  dispute.n_steps = 1;
  dispute.steps = steps;
  Trin__Lifecycle__Dispute *disputes[] = {&dispute};
  Trin__Lifecycle__Milestone milestone = TRIN__LIFECYCLE__MILESTONE__INIT;
  milestone.name = "handover";
  milestone.variance_days = -3;
  Trin__Lifecycle__Milestone *milestones[] = {&milestone};
  Trin__Lifecycle__Project project = TRIN__LIFECYCLE__PROJECT__INIT;
  project.id = "P-17";
  project.dwellings = 120;
  project.fast_track = 1;
  project.n_milestones = 1;
  project.milestones = milestones;
  project.n_disputes = 1;
  project.disputes = disputes;
  Trin__Lifecycle__ProjectReply reply = TRIN__LIFECYCLE__PROJECT_REPLY__INIT;
  reply.project = &project;
  reply.seq = UINT64_MAX;
  json_t *j = gateway_json_from_message(&reply.base);
  if (!valid_reply(doc, "trin.lifecycle.ProjectReply", j)) fail_msg("%s", g_why);

  /* The checker is not a rubber stamp. */
  json_t *bad = json_deep_copy(j);
  json_object_set_new(json_object_get(bad, "project"), "dwellings", json_string("many"));
  assert_false(valid_reply(doc, "trin.lifecycle.ProjectReply", bad));
  json_decref(bad);
  bad = json_deep_copy(j);
  json_object_set_new(bad, "extra", json_true());
  assert_false(valid_reply(doc, "trin.lifecycle.ProjectReply", bad));
  json_decref(bad);
  bad = json_deep_copy(j);
  json_object_set_new(bad, "seq", json_string("1.5"));
  assert_false(valid_reply(doc, "trin.lifecycle.ProjectReply", bad));
  json_decref(bad);
  bad = json_deep_copy(j);
  json_object_del(json_object_get(bad, "project"), "stage");
  assert_false(valid_reply(doc, "trin.lifecycle.ProjectReply", bad));
  json_decref(bad);
  json_decref(j);

  /* An absent sub-message is null, and that validates. */
  Trin__Lifecycle__ProjectReply empty = TRIN__LIFECYCLE__PROJECT_REPLY__INIT;
  j = gateway_json_from_message(&empty.base);
  if (!valid_reply(doc, "trin.lifecycle.ProjectReply", j)) fail_msg("%s", g_why);
  json_decref(j);

  /* Events: a map and bytes. */
  Trin__Event__IdsEntry id1 = TRIN__EVENT__IDS_ENTRY__INIT;
  id1.key = "project";
  id1.value = "P-17";
  Trin__Event__IdsEntry *idv[] = {&id1};
  Trin__Event event = TRIN__EVENT__INIT;
  event.service = "lifecycle";
  event.seq = 42;
  event.n_ids = 1;
  event.ids = idv;
  uint8_t payload[] = {0xfb, 0xff, 0xbf, 0, 1};
  event.payload.data = payload;
  event.payload.len = sizeof payload;
  Trin__Event *events[] = {&event};
  Trin__EventBatch batch = TRIN__EVENT_BATCH__INIT;
  batch.service = "lifecycle";
  batch.n_events = 1;
  batch.events = events;
  batch.last_seq = 42;
  j = gateway_json_from_message(&batch.base);
  if (!valid_reply(doc, "trin.EventBatch", j)) fail_msg("%s", g_why);
  json_decref(j);

  /* A budget reply read from JSON and written again. */
  json_error_t jerr;
  json_t *in = json_loads(
      "{\"budget\": {\"id\": \"B1\", \"lines\": [{\"id\": \"l1\", \"amount_ore\": "
      "\"9007199254740993\"}]}, \"seq\": 3}",
      0, &jerr);
  ProtobufCMessage *m = NULL;
  trin_err_t err = {0};
  assert_int_equal(gateway_json_to_message(in, &trin__budget__budget_reply__descriptor, &m, &err),
                   TRIN_OK);
  j = gateway_json_from_message(m);
  if (!valid_reply(doc, "trin.budget.BudgetReply", j)) fail_msg("%s", g_why);
  json_decref(j);
  json_decref(in);
  protobuf_c_message_free_unpacked(m, NULL);

  /* A problem as the gateway would send it. */
  j = json_pack("{s:s, s:s, s:i, s:s, s:s, s:s, s:s}", "type", "about:blank", "title", "Not Found",
                "status", 404, "detail", "there is no project P-9", "instance",
                "/api/v1/projects/P-9", "code", "not_found", "field", "project_id");
  g_doc = doc;
  json_t *ps = json_pack("{s:s}", "$ref", "#/components/schemas/Problem");
  if (!check(ps, j, "$", false)) fail_msg("%s", g_why);
  json_decref(ps);
  json_decref(j);
  json_decref(doc);
}

/* Every rpc of every service, as the catalog will list them: the whole
 * document must hold together (and is left for a real validator). */
static void whole_api(void **state) {
  (void)state;
  const ProtobufCServiceDescriptor *services[] = {&trin__lifecycle__lifecycle_service__descriptor,
                                                  &trin__budget__budget_service__descriptor,
                                                  &trin__survey__survey_service__descriptor,
                                                  &trin__benchmark__benchmark_service__descriptor,
                                                  &trin__aggregator__aggregator_service__descriptor,
                                                  &trin__token__token_service__descriptor,
                                                  &trin__common_service__descriptor};
  const char *names[] = {"lifecycle",  "budget", "survey", "benchmark",
                         "aggregator", "token",  "common"};
  gateway_operation_t ops[400];
  size_t n = 0;
  for (size_t s = 0; s < sizeof services / sizeof services[0]; s++)
    for (unsigned i = 0; i < services[s]->n_methods && n < 400; i++) {
      const ProtobufCMethodDescriptor *md = &services[s]->methods[i];
      bool reads = strncmp(md->name, "Get", 3) == 0 || strncmp(md->name, "List", 4) == 0;
      ops[n++] = (gateway_operation_t){.service = names[s],
                                       .name = md->name,
                                       .request = md->input->name,
                                       .input = md->input,
                                       .output = md->output,
                                       .writes = !reads,
                                       .roles = reads ? "reader writer" : "writer"};
    }
  assert_true(n > 30);
  json_t *doc = gateway_openapi_document(ops, n, "trin API", "0.0.0-test");
  assert_non_null(doc);
  int refs = 0;
  all_refs_resolve(doc, doc, &refs);
  assert_int_equal(json_object_size(at(doc, "paths", NULL, NULL)), n);
  /* Every schema's default message validates against itself. */
  const json_t *schemas = at(doc, "components", "schemas", NULL);
  for (size_t i = 0; i < n; i++) {
    const ProtobufCMessageDescriptor *d = ops[i].output;
    ProtobufCMessage *m = malloc(d->sizeof_message);
    d->message_init(m);
    json_t *j = gateway_json_from_message(m);
    if (!valid_reply(doc, d->name, j)) fail_msg("%s: %s", d->name, g_why);
    json_decref(j);
    free(m);
  }
  assert_true(json_object_size(schemas) > n / 2);
  dump(doc, "gateway_openapi.json");
  json_decref(doc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(document_structure),
      cmocka_unit_test(routes),
      cmocka_unit_test(replies_validate),
      cmocka_unit_test(whole_api),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
