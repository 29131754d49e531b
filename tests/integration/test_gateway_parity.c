/* gateway.parity — for every request of every service, as the gateway's
 * catalog reads them from the .proto service blocks (not listed here), and
 * for every persona (admin, a client's writer and reader, an advisor, a
 * contractor's calculator, a resident committee, an outsider): the request
 * sent directly with the persona's CURVE key and the same request sent
 * through the gateway with the persona's personal token get the same
 * allow/deny, the same status, field and sentence, and for reads the same
 * reply. The requests name the demo's ids wherever a field asks for one, so
 * the services' scope checks (forbidden for a member, not found for an
 * outsider) are reached, not only their role gates. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "gateway_catalog.h"
#include "gateway_handlers.h"
#include "gateway_json.h"
#include "gateway_testenv.h"
#include "trin/budget.pb-c.h"
#include "trin/envelope.pb-c.h"
#include "trin/survey.pb-c.h"
#include "trin_codec.h"

static gt_env_t env;
static gateway_catalog_t *catalog;
static const char *const BINS[GT_NPROCS] = {TRIN_LIFECYCLE_BIN, TRIN_BUDGET_BIN,
                                            TRIN_SURVEY_BIN,    TRIN_BENCHMARK_BIN,
                                            TRIN_AGGREGATOR_BIN, TRIN_GATEWAY_BIN};

static void wait_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* Until a follower has learnt the demo project from lifecycle. */
static bool knows_project(int proc, const ProtobufCMessage *q,
                          const ProtobufCMessageDescriptor *reply) {
  for (int i = 0; i < 1000; i++) {
    ProtobufCMessage *r = NULL;
    trin_err_t err;
    int rc = trin_client_call(gt_client(&env, proc, GT_WRITER), q, reply, &r, &err);
    trin_codec_free(r);
    if (rc == TRIN_OK) return true;
    wait_ms(20);
  }
  return false;
}

static int setup(void **state) {
  (void)state;
  trin_err_t err;
  if (gateway_catalog_new(&catalog, &err)) return -1;
  if (!gt_start(&env, BINS, NULL) || !gt_demo(&env)) return -1;
  Trin__Budget__ListBudgets lb = TRIN__BUDGET__LIST_BUDGETS__INIT;
  lb.project_id = "PA";
  Trin__Survey__ListSurveys ls = TRIN__SURVEY__LIST_SURVEYS__INIT;
  ls.project_id = "PA";
  if (!knows_project(GT_BUDGET, &lb.base, &trin__budget__budget_list__descriptor) ||
      !knows_project(GT_SURVEY, &ls.base, &trin__survey__survey_list__descriptor))
    return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  bool clean = gt_stop(&env);
  gateway_catalog_destroy(&catalog);
  return clean ? 0 : -1;
}

/* The demo's ids for the fields that name something. */
static const char *value_for(const char *field) {
  static const char *const IDS[][2] = {
      {"project_id", "PA"},     {"partnership_id", "LA"}, {"survey_id", "S-1"},
      {"budget_id", "B-1"},     {"dispute_id", "D-9"},    {"defect_id", "F-9"},
      {"org", "alfa"},          {"org_id", "alfa"},       {"client_org", "alfa"},
      {"series", "byg43"},      {"property_id", "E-1"},   {"line_id", "L-1"},
      {"statement_key", "tillid"}, {"id", "x9"},          {"figure", "cost_per_m2"},
  };
  for (size_t i = 0; i < sizeof IDS / sizeof *IDS; i++)
    if (strcmp(IDS[i][0], field) == 0) return IDS[i][1];
  return NULL;
}

/* The request with the demo's ids filled in; strings are static. */
static ProtobufCMessage *request_for(const ProtobufCMessageDescriptor *d) {
  ProtobufCMessage *m = calloc(1, d->sizeof_message);
  d->message_init(m);
  for (unsigned i = 0; i < d->n_fields; i++) {
    const ProtobufCFieldDescriptor *f = &d->fields[i];
    const char *v = value_for(f->name);
    if (v && f->type == PROTOBUF_C_TYPE_STRING && f->label != PROTOBUF_C_LABEL_REPEATED)
      *(const char **)((char *)m + f->offset) = v;
  }
  return m;
}

static int proc_of(const char *service) {
  for (int i = 0; i < GT_NPROCS; i++)
    if (strcmp(GT_NAMES[i], service) == 0) return i;
  return -1;
}

typedef struct {
  int code;        /* trin status */
  trin_err_t err;
  char *json;      /* the reply as the gateway would write it (OK only) */
} direct_t;

static void direct(const gateway_operation_t *op, int persona, const ProtobufCMessage *m,
                   direct_t *out) {
  memset(out, 0, sizeof *out);
  uint8_t *payload;
  size_t n;
  trin_codec_pack(m, &payload, &n, NULL);
  Trin__Envelope e = TRIN__ENVELOPE__INIT;
  e.correlation_id = "p";
  e.type = (char *)op->request;
  e.payload.data = payload;
  e.payload.len = n;
  uint8_t *bytes;
  size_t len;
  trin_codec_pack(&e.base, &bytes, &len, NULL);
  Trin__Envelope *reply = NULL;
  out->code = trin_client_call_raw(gt_client(&env, proc_of(op->service), persona), bytes, len,
                                   &reply, &out->err);
  if (out->code == TRIN_OK && reply->status != TRIN__STATUS__OK)
    out->code = trin_codec_error_from_reply(reply, &out->err);
  if (out->code == TRIN_OK) {
    ProtobufCMessage *r = NULL;
    const ProtobufCMessageDescriptor *rd = gateway_catalog_message(catalog, reply->type);
    if (rd && trin_codec_unpack(rd, reply->payload.data, reply->payload.len, "payload", &r,
                                &out->err) == TRIN_OK) {
      json_t *j = gateway_json_from_message(r);
      out->json = json_dumps(j, JSON_COMPACT | JSON_SORT_KEYS);
      json_decref(j);
      trin_codec_free(r);
    }
  }
  trin_codec_free(reply);
  free(bytes);
  free(payload);
}

/* The sentence with every key fingerprint (32 hex digits) as "<key>": a
 * refusal names the key that asked, and through the gateway that is the
 * gateway's key, not the persona's. Everything else must be the same. */
static void without_keys(const char *s, char *out, size_t n) {
  size_t o = 0;
  while (*s && o + 6 < n) {
    size_t h = 0;
    while (h < 32 && ((s[h] >= '0' && s[h] <= '9') || (s[h] >= 'a' && s[h] <= 'f'))) h++;
    if (h == 32) {
      memcpy(out + o, "<key>", 5);
      o += 5;
      s += 32;
    } else {
      out[o++] = *s++;
    }
  }
  out[o] = '\0';
}

static void lower(const char *s, char *out, size_t n) {
  size_t i = 0;
  for (; s[i] && i < n - 1; i++) out[i] = (char)(s[i] >= 'A' && s[i] <= 'Z' ? s[i] + 32 : s[i]);
  out[i] = '\0';
}

/* One comparison; returns a description of the difference, or NULL. */
static char *compare(const gateway_operation_t *op, int persona, const direct_t *d,
                     const gt_http_t *r) {
  static char why[1200];
  int want = d->code ? gateway_http_status(d->code) : 200;
  if (r->status != want) {
    snprintf(why, sizeof why, "status %d through the gateway, %d directly (%s: %.300s) — %.300s",
             r->status, want, trin_status_name(d->code), d->err.message, r->body);
    return why;
  }
  json_t *g = json_loadb(r->body, r->body_len, 0, NULL);
  if (!g) {
    snprintf(why, sizeof why, "the gateway's answer is not JSON: %.200s", r->body);
    return why;
  }
  char *diff = NULL;
  if (d->code) {
    char code[40];
    lower(trin_status_name(d->code), code, sizeof code);
    const char *gc = json_string_value(json_object_get(g, "code"));
    const char *gf = json_string_value(json_object_get(g, "field"));
    const char *gd = json_string_value(json_object_get(g, "detail"));
    char want_detail[600], got_detail[600];
    without_keys(d->err.message, want_detail, sizeof want_detail);
    without_keys(gd ? gd : "", got_detail, sizeof got_detail);
    if (!gc || strcmp(gc, code) || !gf || strcmp(gf, d->err.field) ||
        strcmp(got_detail, want_detail)) {
      snprintf(why, sizeof why, "directly %s [%s] \"%.300s\"; through the gateway %s [%s] \"%.300s\"",
               code, d->err.field, d->err.message, gc ? gc : "?", gf ? gf : "?", gd ? gd : "?");
      diff = why;
    }
  } else if (!op->writes && d->json && strcmp(op->name, "GetMetrics") != 0) {
    /* (A service's metrics count the request that asks for them: only
     * their status can agree.) */
    char *gt = json_dumps(g, JSON_COMPACT | JSON_SORT_KEYS);
    if (!gt || strcmp(gt, d->json) != 0) {
      snprintf(why, sizeof why, "replies differ:\n  direct  %.400s\n  gateway %.400s", d->json,
               gt ? gt : "?");
      diff = why;
    }
    free(gt);
  }
  json_decref(g);
  (void)persona;
  return diff;
}

static void every_request_same_through_the_gateway(void **state) {
  (void)state;
  size_t nops;
  const gateway_operation_t *ops = gateway_catalog_ops(catalog, &nops);
  int failures = 0, compared = 0, allowed = 0, denied = 0;
  for (size_t i = 0; i < nops; i++) {
    const gateway_operation_t *op = &ops[i];
    if (proc_of(op->service) < 0) continue;
    ProtobufCMessage *m = request_for(op->input);
    json_t *j = gateway_json_from_message(m);
    char *body = json_dumps(j, JSON_COMPACT);
    json_decref(j);
    char path[200];
    snprintf(path, sizeof path, "/api/v1/%s/%s", op->service, op->name);
    for (int p = 0; p < GT_NPERSONAS; p++) {
      if (p == GT_SERVICE) continue;
      char *why = NULL;
      /* A read may see a follower move between the two calls: asked again,
       * it must agree at some point. */
      for (int attempt = 0; attempt < (op->writes ? 1 : 5); attempt++) {
        direct_t d;
        direct(op, p, m, &d);
        gt_http_t r;
        assert_true(gt_http(&env, "POST", path, env.token[p], body, NULL, NULL, &r));
        why = compare(op, p, &d, &r);
        if (!why && attempt == 0) {
          compared++;
          if (d.code == TRIN_OK) allowed++;
          else if (d.code == TRIN_EFORBIDDEN || d.code == TRIN_ENOTFOUND) denied++;
        }
        free(d.json);
        gt_http_free(&r);
        if (!why) break;
        wait_ms(200);
      }
      if (why) {
        failures++;
        print_error("%s as %s (%s): %s\n", op->request, GT_PERSONAS[p].file,
                    GT_PERSONAS[p].role, why);
      }
    }
    free(body);
    free(m);
  }
  print_message("parity: %d request/persona pairs agreed (%d allowed, %d forbidden or not "
                "found), %d differed\n",
                compared, allowed, denied, failures);
  assert_int_equal(failures, 0);
  assert_true(allowed > 0);
  assert_true(denied > 0);
}

/* What the OpenAPI document says a request needs is what the service says. */
static void every_service_describes_its_requests(void **state) {
  (void)state;
  Trin__Describe q = TRIN__DESCRIBE__INIT;
  for (int s = 0; s < GT_NPROCS; s++) {
    Trin__Description *d = NULL;
    trin_err_t err;
    assert_int_equal(trin_client_call(gt_client(&env, s, GT_READER), &q.base,
                                      &trin__description__descriptor, (ProtobufCMessage **)&d,
                                      &err),
                     TRIN_OK);
    assert_string_equal(d->service, GT_NAMES[s]);
    assert_true(d->n_operations >= 3);
    trin_codec_free(d);
  }
  gt_http_t r;
  assert_true(gt_http(&env, "GET", "/api/v1/openapi.json", NULL, NULL, NULL, NULL, &r));
  json_t *doc = json_loadb(r.body, r.body_len, 0, NULL);
  json_t *op = json_object_get(json_object_get(json_object_get(doc, "paths"),
                                               "/api/v1/lifecycle/AdvanceStage"),
                               "post");
  assert_non_null(op);
  assert_string_equal(json_string_value(json_object_get(op, "x-trin-roles")), "writer");
  assert_string_equal(json_string_value(json_object_get(op, "x-trin-scope")), "own");
  json_decref(doc);
  gt_http_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(every_service_describes_its_requests),
      cmocka_unit_test(every_request_same_through_the_gateway),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
