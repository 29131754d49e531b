/* gateway.flow — trin-gateway in front of every service, all real processes
 * over CURVE (tests/integration/gateway_testenv.h): a person's token opens a
 * dispute, the audit trail names the person beside the gateway's key, and
 * the status row shows it; an actor asserted by any key but the gateway's is
 * refused; an outsider hears "there is no project" in the words a missing
 * id gets; Idempotency-Key answers the first answer again, also after kill -9
 * of the gateway; a stale If-Match gets 412; and bad input — malformed JSON,
 * wrong types, unknown fields, a 10 MB body, the wrong Content-Type, no,
 * revoked or read-only tokens — gets the problem its status names. */
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

#include "gateway_testenv.h"
#include "lcclient.h"
#include "trin/aggregator.pb-c.h"
#include "trin/envelope.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin/token.pb-c.h"
#include "trin_codec.h"

static gt_env_t env;
static const char *const BINS[GT_NPROCS] = {TRIN_LIFECYCLE_BIN, TRIN_BUDGET_BIN,
                                            TRIN_SURVEY_BIN,    TRIN_BENCHMARK_BIN,
                                            TRIN_AGGREGATOR_BIN, TRIN_GATEWAY_BIN};

static int setup(void **state) {
  (void)state;
  if (!gt_start(&env, BINS, NULL)) return -1;
  return gt_demo(&env) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  return gt_stop(&env) ? 0 : -1;
}

/* The problem document's member, "" when absent. */
static const char *member(json_t *doc, const char *name) {
  json_t *v = json_object_get(doc, name);
  return json_is_string(v) ? json_string_value(v) : "";
}

static json_t *parse(const gt_http_t *r) {
  json_error_t je;
  json_t *j = json_loadb(r->body, r->body_len, 0, &je);
  if (!j) fail_msg("not JSON (%s): %s", je.text, r->body);
  return j;
}

static void expect_problem(const gt_http_t *r, int status, const char *code, const char *field,
                           const char *detail_part) {
  if (r->status != status) fail_msg("status %d, wanted %d: %s", r->status, status, r->body);
  assert_string_equal(r->content_type, "application/problem+json");
  json_t *p = parse(r);
  assert_int_equal(json_integer_value(json_object_get(p, "status")), status);
  assert_string_equal(member(p, "code"), code);
  if (field) assert_string_equal(member(p, "field"), field);
  if (detail_part && !strstr(member(p, "detail"), detail_part))
    fail_msg("detail '%s' lacks '%s'", member(p, "detail"), detail_part);
  assert_true(strlen(member(p, "type")) > 0);
  assert_true(strlen(member(p, "title")) > 0);
  json_decref(p);
}

static void wait_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* ---- on a person's behalf ---------------------------------------------------------- */

static int raw_with_actor(int persona, trin_err_t *err) {
  Trin__Lifecycle__GetProject q = TRIN__LIFECYCLE__GET_PROJECT__INIT;
  q.project_id = "PO";
  uint8_t *payload;
  size_t n;
  trin_codec_pack(&q.base, &payload, &n, NULL);
  Trin__Actor a = TRIN__ACTOR__INIT;
  a.org = "omega";
  a.role = "writer";
  a.person = "someone else";
  Trin__Envelope e = TRIN__ENVELOPE__INIT;
  e.correlation_id = "1";
  e.type = (char *)q.base.descriptor->name;
  e.payload.data = payload;
  e.payload.len = n;
  e.actor = &a;
  uint8_t *bytes;
  size_t len;
  trin_codec_pack(&e.base, &bytes, &len, NULL);
  Trin__Envelope *reply = NULL;
  int rc = trin_client_call_raw(gt_client(&env, GT_LIFECYCLE, persona), bytes, len, &reply, err);
  if (rc == TRIN_OK) rc = trin_codec_error_from_reply(reply, err);
  trin_codec_free(reply);
  free(bytes);
  free(payload);
  return rc;
}

static void only_the_gateway_may_assert_an_actor(void **state) {
  (void)state;
  const int keys[] = {GT_WRITER, GT_SERVICE, GT_ADMIN};
  for (size_t i = 0; i < sizeof keys / sizeof *keys; i++) {
    trin_err_t err = {0};
    assert_int_equal(raw_with_actor(keys[i], &err), TRIN_EFORBIDDEN);
    assert_string_equal(err.field, "actor");
    assert_non_null(strstr(err.message, "only the gateway's key (role gateway) may act"));
  }
}

static void a_person_opens_a_dispute_and_the_trail_names_them(void **state) {
  (void)state;
  gt_http_t r;
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PA/disputes", env.token[GT_ADVISOR],
                      "{\"dispute_id\":\"D-1\",\"title\":\"Vinduer leveret forkert\","
                      "\"amount_ore\":\"2500000\",\"date\":\"2025-05-02\",\"raised_by\":\"beta\"}",
                      NULL, NULL, &r));
  if (r.status != 200) fail_msg("%d %s", r.status, r.body);
  json_t *j = parse(&r);
  json_t *p = json_object_get(j, "project");
  assert_int_equal(json_integer_value(json_object_get(p, "open_disputes")), 1);
  assert_string_equal(member(p, "version"), member(j, "seq"));
  json_decref(j);
  gt_http_free(&r);

  Trin__AuditSince q = TRIN__AUDIT_SINCE__INIT;
  Trin__AuditBatch *b = NULL;
  trin_err_t err;
  assert_int_equal(trin_client_call(gt_client(&env, GT_LIFECYCLE, GT_ADMIN), &q.base,
                                    &trin__audit_batch__descriptor, (ProtobufCMessage **)&b,
                                    &err),
                   TRIN_OK);
  const Trin__AuditEntry *last = b->entries[b->n_entries - 1];
  assert_string_equal(last->type, "lifecycle.dispute_opened");
  assert_string_equal(last->actor_org, "beta");
  assert_string_equal(last->actor_role, "advisor");
  assert_string_equal(last->actor_key, env.gateway_fp);
  assert_non_null(strstr(last->actor_person, "Sofie Hansen (token "));
  /* Direct callers carry no person. */
  assert_string_equal(b->entries[0]->actor_person, "");
  trin_codec_free(b);

  /* The status row follows: the aggregator's GetRows through the gateway. */
  bool seen = false;
  for (int i = 0; i < 500 && !seen; i++) {
    assert_true(gt_http(&env, "POST", "/api/v1/aggregator/GetRows", env.token[GT_ADMIN], "{}",
                        NULL, NULL, &r));
    assert_int_equal(r.status, 200);
    json_t *rows = json_object_get(j = parse(&r), "rows");
    size_t k;
    json_t *row;
    json_array_foreach(rows, k, row) {
      if (strcmp(member(row, "project_id"), "PA") == 0 &&
          json_integer_value(json_object_get(row, "open_disputes")) == 1)
        seen = true;
    }
    json_decref(j);
    gt_http_free(&r);
    if (!seen) wait_ms(20);
  }
  assert_true(seen);
}

static void a_role_that_may_not_is_forbidden_and_an_outsider_hears_not_found(void **state) {
  (void)state;
  gt_http_t r;
  /* A reader of the client may read but not write: the service says so. */
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PA/stage", env.token[GT_READER],
                      "{\"to_stage\":\"trin1\",\"date\":\"2025-04-01\"}", NULL, NULL, &r));
  expect_problem(&r, 403, "forbidden", NULL,
                 "may not advance a project's stage (trin.lifecycle.AdvanceStage): only writer "
                 "(bygherre) may");
  gt_http_free(&r);
  /* An outsider's refusal reads exactly like a missing id. */
  gt_http_t missing;
  assert_true(gt_http(&env, "GET", "/api/v1/projects/PA", env.token[GT_OUTSIDER], NULL, NULL,
                      NULL, &r));
  assert_true(gt_http(&env, "GET", "/api/v1/projects/NOPE", env.token[GT_OUTSIDER], NULL, NULL,
                      NULL, &missing));
  expect_problem(&r, 404, "not_found", "project_id", "there is no project 'PA'");
  expect_problem(&missing, 404, "not_found", "project_id", "there is no project 'NOPE'");
  json_t *a = parse(&r), *b = parse(&missing);
  char want[200];
  snprintf(want, sizeof want, "%s", member(b, "detail"));
  char *at = strstr(want, "NOPE");
  assert_non_null(at);
  memmove(at + 2, at + 4, strlen(at + 4) + 1);
  memcpy(at, "PA", 2);
  assert_string_equal(member(a, "detail"), want);
  json_decref(a);
  json_decref(b);
  gt_http_free(&r);
  gt_http_free(&missing);
  /* The list filters instead of refusing. */
  assert_true(gt_http(&env, "GET", "/api/v1/projects", env.token[GT_OUTSIDER], NULL, NULL, NULL,
                      &r));
  assert_int_equal(r.status, 200);
  assert_null(strstr(r.body, "\"PA\""));
  assert_non_null(strstr(r.body, "\"PO\""));
  gt_http_free(&r);
  /* So do the lists across partnerships (issue 19): D-1 is PA's */
  assert_true(gt_http(&env, "GET", "/api/v1/disputes?open_only=true", env.token[GT_ADVISOR],
                      NULL, NULL, NULL, &r));
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "\"D-1\""));
  gt_http_free(&r);
  assert_true(gt_http(&env, "GET", "/api/v1/disputes", env.token[GT_OUTSIDER], NULL, NULL, NULL,
                      &r));
  assert_int_equal(r.status, 200);
  assert_null(strstr(r.body, "\"D-1\""));
  gt_http_free(&r);
  assert_true(gt_http(&env, "GET", "/api/v1/disputes?min_level=8", env.token[GT_ADVISOR], NULL,
                      NULL, NULL, &r));
  expect_problem(&r, 422, "invalid", "min_level", "a level of the dispute ladder, 1–7");
  gt_http_free(&r);
}

/* ---- retries and concurrent edits ---------------------------------------------------- */

static void idempotency_key_answers_the_first_answer_also_after_kill9(void **state) {
  (void)state;
  const char *body = "{\"dispute_id\":\"D-2\",\"title\":\"Stilladsleje\","
                     "\"amount_ore\":\"90000000\",\"date\":\"2025-06-01\","
                     "\"raised_by\":\"alfa\"}";
  const char *key[] = {"Idempotency-Key: dispute-D-2-try", NULL};
  gt_http_t first, again, other;
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PA/disputes", env.token[GT_WRITER], body,
                      NULL, key, &first));
  if (first.status != 200) fail_msg("%d %s", first.status, first.body);
  assert_false(first.replayed);
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PA/disputes", env.token[GT_WRITER], body,
                      NULL, key, &again));
  assert_int_equal(again.status, 200);
  assert_true(again.replayed);
  assert_string_equal(again.body, first.body);
  assert_string_equal(again.etag, first.etag);
  gt_http_free(&again);
  /* The same key with another body is a client's mistake. */
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PA/disputes", env.token[GT_WRITER],
                      "{\"dispute_id\":\"D-3\"}", NULL, key, &other));
  expect_problem(&other, 422, "invalid", "Idempotency-Key", "used before with another request");
  gt_http_free(&other);
  /* Another person's same key is theirs alone: their request is carried
   * out (and refused: an advisor raises disputes in its own name), not
   * answered with the writer's answer. */
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PA/disputes", env.token[GT_ADVISOR], body,
                      NULL, key, &other));
  assert_false(other.replayed);
  expect_problem(&other, 403, "forbidden", "raised_by", "own organisation");
  gt_http_free(&other);

  /* kill -9 the gateway, start it again: the answer is still there. */
  testproc_kill9(&env.proc[GT_GATEWAY]);
  assert_true(gt_start_gateway(&env, TRIN_GATEWAY_BIN, NULL));
  trin_client_destroy(&env.client[GT_GATEWAY][GT_ADMIN]);
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PA/disputes", env.token[GT_WRITER], body,
                      NULL, key, &again));
  assert_int_equal(again.status, 200);
  assert_true(again.replayed);
  assert_string_equal(again.body, first.body);
  gt_http_free(&again);
  gt_http_free(&first);

  /* Exactly one dispute D-2 exists. */
  assert_true(gt_http(&env, "GET", "/api/v1/projects/PA", env.token[GT_WRITER], NULL, NULL,
                      NULL, &again));
  json_t *j = parse(&again);
  json_t *disputes = json_object_get(json_object_get(j, "project"), "disputes"), *d;
  size_t k, n = 0;
  json_array_foreach(disputes, k, d) n += strcmp(member(d, "id"), "D-2") == 0;
  assert_int_equal(n, 1);
  json_decref(j);
  gt_http_free(&again);
}

static void a_stale_if_match_gets_412(void **state) {
  (void)state;
  gt_http_t r, w, stale;
  assert_true(gt_http(&env, "GET", "/api/v1/projects/PA", env.token[GT_WRITER], NULL, NULL,
                      NULL, &r));
  assert_int_equal(r.status, 200);
  assert_true(strlen(r.etag) > 2);
  char im[100];
  snprintf(im, sizeof im, "If-Match: %s", r.etag);
  const char *h[] = {im, NULL};
  const char *ms = "{\"milestone\":{\"name\":\"handover\",\"baseline\":\"2026-12-01\"}}";
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PA/milestones", env.token[GT_WRITER], ms,
                      NULL, h, &w));
  if (w.status != 200) fail_msg("%d %s", w.status, w.body);
  assert_string_not_equal(w.etag, r.etag);
  /* The same If-Match again: someone (this person) changed it since. */
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PA/milestones", env.token[GT_WRITER], ms,
                      NULL, h, &stale));
  expect_problem(&stale, 412, "conflict", "If-Match", "was changed since you read it");
  assert_string_equal(stale.etag, w.etag);
  /* and who changed what, from lifecycle's audit trail: the change that
   * made the project's current version */
  json_t *p = parse(&stale);
  json_t *ch = json_object_get(p, "changed");
  assert_non_null(ch);
  assert_string_equal(member(ch, "type"), "lifecycle.milestone_set");
  assert_string_equal(member(ch, "organisation"), "alfa");
  assert_string_equal(member(ch, "role"), "writer");
  assert_non_null(strstr(member(ch, "person"), GT_PERSONAS[GT_WRITER].person));
  char seq[32];
  snprintf(seq, sizeof seq, "\"%lld\"", (long long)json_integer_value(json_object_get(ch, "seq")));
  assert_string_equal(seq, w.etag);
  json_decref(p);
  gt_http_free(&r);
  gt_http_free(&w);
  gt_http_free(&stale);
}

/* A correction over HTTP: the resource-shaped path, the field mask in JSON,
 * If-Match like every project change, and the rule table's writer. */
static void a_project_correction_takes_if_match_and_a_writer(void **state) {
  (void)state;
  gt_http_t r, w, stale, adv;
  assert_true(gt_http(&env, "GET", "/api/v1/projects/PA", env.token[GT_WRITER], NULL, NULL,
                      NULL, &r));
  assert_int_equal(r.status, 200);
  char im[100];
  snprintf(im, sizeof im, "If-Match: %s", r.etag);
  const char *h[] = {im, NULL};
  const char *body = "{\"fields\":[\"municipality\",\"dwellings\"],\"municipality\":\"Aarhus\","
                     "\"dwellings\":77,\"reason\":\"typed from the wrong department\"}";
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PA/correction", env.token[GT_WRITER], body,
                      NULL, h, &w));
  if (w.status != 200) fail_msg("%d %s", w.status, w.body);
  json_t *j = parse(&w);
  json_t *p = json_object_get(j, "project");
  assert_string_equal(member(p, "municipality"), "Aarhus");
  assert_int_equal(json_integer_value(json_object_get(p, "dwellings")), 77);
  json_decref(j);
  assert_string_not_equal(w.etag, r.etag);
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PA/correction", env.token[GT_WRITER], body,
                      NULL, h, &stale));
  expect_problem(&stale, 412, "conflict", "If-Match", "was changed since you read it");
  /* an advisor may set milestones, not correct the project */
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PA/correction", env.token[GT_ADVISOR],
                      body, NULL, NULL, &adv));
  expect_problem(&adv, 403, "forbidden", NULL, NULL);
  gt_http_free(&r);
  gt_http_free(&w);
  gt_http_free(&stale);
  gt_http_free(&adv);
}

/* ---- a defect's repair ---------------------------------------------------------------- */

/* POSTs body as persona; fails the test unless the answer is 200. Returns
 * the parsed answer (the caller's to json_decref). */
static json_t *post_ok(int persona, const char *path, const char *body) {
  gt_http_t r;
  assert_true(gt_http(&env, "POST", path, env.token[persona], body, NULL, NULL, &r));
  if (r.status != 200) fail_msg("POST %s: %d %s", path, r.status, r.body);
  json_t *j = parse(&r);
  gt_http_free(&r);
  return j;
}

/* Waits (a generous bound, ending as soon as it holds) until the status
 * row of project shows open_defects and paused. */
static void row_shows(const char *project, int open_defects, bool paused) {
  bool seen = false;
  for (int i = 0; i < 3000 && !seen; i++) {
    gt_http_t r;
    assert_true(gt_http(&env, "POST", "/api/v1/aggregator/GetRows", env.token[GT_ADMIN], "{}",
                        NULL, NULL, &r));
    assert_int_equal(r.status, 200);
    json_t *j = parse(&r);
    size_t k;
    json_t *row;
    json_array_foreach(json_object_get(j, "rows"), k, row) {
      if (strcmp(member(row, "project_id"), project) == 0 &&
          json_integer_value(json_object_get(row, "open_defects")) == open_defects &&
          json_is_true(json_object_get(row, "paused")) == paused)
        seen = true;
    }
    json_decref(j);
    gt_http_free(&r);
    if (!seen) wait_ms(20);
  }
  if (!seen) fail_msg("the row of %s never showed %d open defects, paused %d", project,
                      open_defects, (int)paused);
}

/* AB18: the contractor reports a defect remedied, the client confirms the
 * repair, and only then is it closed. The contractor's calculator's fix
 * leaves the defect open (on the project and on the status row); the
 * calculator may not confirm it; the client's writer rejects a repair with
 * a note (open again), then confirms the next (closed, off the row). */
static void a_contractors_repair_waits_for_the_clients_confirmation(void **state) {
  (void)state;
  trin_client_t *w = gt_client(&env, GT_LIFECYCLE, GT_WRITER);
  trin_err_t err = {0};
#define LC_OK(call)                                                  \
  do {                                                               \
    if ((call) != TRIN_OK) fail_msg("%s: %s", #call, err.message);  \
  } while (0)
  LC_OK(lc_project(w, "PD", "LA", NULL, false, "2025-03-01", &err));
  LC_OK(lc_advance(w, "PD", "trin1", "2025-04-01", &err));
  LC_OK(lc_advance(w, "PD", "trin2", "2025-06-01", &err));
  LC_OK(lc_close_price(w, "PD", "2025-08-15", &err));
  LC_OK(lc_advance(w, "PD", "trin3", "2025-09-01", &err));
  LC_OK(lc_advance(w, "PD", "handover", "2026-05-01", &err));
  json_decref(post_ok(GT_CALCULATOR, "/api/v1/projects/PD/defects",
                      "{\"defect\":{\"id\":\"F-1\",\"description\":\"Utæt tagrende\","
                      "\"severity\":\"major\",\"found_at\":\"handover\","
                      "\"reported_on\":\"2026-05-02\"}}"));

  /* the contractor's fix: reported, awaiting the client, still open */
  json_t *j = post_ok(GT_CALCULATOR, "/api/v1/defects/F-1/fix", "{\"fixed_on\":\"2026-05-10\"}");
  json_t *d = json_object_get(j, "defect");
  assert_true(json_is_true(json_object_get(d, "awaiting_confirmation")));
  assert_true(json_is_true(json_object_get(d, "open")));
  assert_string_equal(member(d, "fix_reported_on"), "2026-05-10");
  assert_string_equal(member(d, "fix_reported_by"), "gamma");
  assert_string_equal(member(d, "fixed_on"), "");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "project"),
                                                      "open_defects")),
                   1);
  json_decref(j);
  /* the row after the fix: a later change (a pause) shows on it, so the fix
   * before it has been applied too, and the defect still counts as open */
  LC_OK(lc_pause(w, "PD", "authority", "2026-05-11", &err));
  row_shows("PD", 1, true);
  LC_OK(lc_resume(w, "PD", "2026-05-12", &err));

  /* the contractor may not confirm its own repair: the refusal says who may */
  gt_http_t r;
  assert_true(gt_http(&env, "POST", "/api/v1/defects/F-1/confirmation",
                      env.token[GT_CALCULATOR], "{\"date\":\"2026-05-13\"}", NULL, NULL, &r));
  expect_problem(&r, 403, "forbidden", NULL,
                 "may not confirm a defect's repair (trin.lifecycle.ConfirmDefectFix): only "
                 "writer (bygherre) may");
  gt_http_free(&r);
  /* nor record the 1-year inspection held: the client calls it (AB18) */
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PD/inspections", env.token[GT_CALCULATOR],
                      "{\"inspection\":\"1y\",\"date\":\"2026-05-13\"}", NULL, NULL, &r));
  expect_problem(&r, 403, "forbidden", NULL,
                 "may not record a 1- or 5-year inspection as held "
                 "(trin.lifecycle.HoldInspection): only writer (bygherre) may");
  gt_http_free(&r);
  /* nor report it again while the client has not answered */
  assert_true(gt_http(&env, "POST", "/api/v1/defects/F-1/fix", env.token[GT_CALCULATOR],
                      "{\"fixed_on\":\"2026-05-13\"}", NULL, NULL, &r));
  expect_problem(&r, 409, "conflict", "fixed_on", "awaits the client's confirmation");
  gt_http_free(&r);

  /* the client rejects it, saying why: open, no repair awaiting */
  j = post_ok(GT_WRITER, "/api/v1/defects/F-1/rejection",
              "{\"date\":\"2026-05-13\",\"note\":\"Tagrenden drypper stadig\"}");
  d = json_object_get(j, "defect");
  assert_false(json_is_true(json_object_get(d, "awaiting_confirmation")));
  assert_true(json_is_true(json_object_get(d, "open")));
  assert_string_equal(member(d, "fix_rejection_note"), "Tagrenden drypper stadig");
  json_decref(j);
  /* nothing to confirm now */
  assert_true(gt_http(&env, "POST", "/api/v1/defects/F-1/confirmation", env.token[GT_WRITER],
                      "{\"date\":\"2026-05-14\"}", NULL, NULL, &r));
  expect_problem(&r, 409, "conflict", "defect_id", "no repair of the defect awaits confirmation");
  gt_http_free(&r);

  /* reported again, then confirmed: closed, and off the row */
  json_decref(post_ok(GT_CALCULATOR, "/api/v1/defects/F-1/fix",
                      "{\"fixed_on\":\"2026-05-20\"}"));
  j = post_ok(GT_WRITER, "/api/v1/defects/F-1/confirmation", "{\"date\":\"2026-05-22\"}");
  d = json_object_get(j, "defect");
  assert_false(json_is_true(json_object_get(d, "open")));
  assert_string_equal(member(d, "fixed_on"), "2026-05-22");
  assert_string_equal(member(d, "fix_reported_on"), "2026-05-20");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "project"),
                                                      "open_defects")),
                   0);
  json_decref(j);
  row_shows("PD", 0, false);

  /* each step is an event of its own */
  const char *want[] = {"lifecycle.defect_reported", "lifecycle.defect_fix_reported",
                        "lifecycle.defect_fix_rejected", "lifecycle.defect_fix_reported",
                        "lifecycle.defect_fix_confirmed"};
  size_t seen = 0;
  Trin__EventsSince q = TRIN__EVENTS_SINCE__INIT;
  for (bool more = true; more;) {
    Trin__EventBatch *b = NULL;
    assert_int_equal(trin_client_call(gt_client(&env, GT_LIFECYCLE, GT_ADMIN), &q.base,
                                      &trin__event_batch__descriptor, (ProtobufCMessage **)&b,
                                      &err),
                     TRIN_OK);
    for (size_t i = 0; i < b->n_events; i++) {
      q.after_seq = b->events[i]->seq;
      if (strncmp(b->events[i]->type, "lifecycle.defect_", 17) != 0 || seen >= 5) continue;
      assert_string_equal(b->events[i]->type, want[seen]);
      seen++;
    }
    more = b->n_events > 0 && b->last_seq > q.after_seq;
    trin_codec_free(b);
  }
  assert_int_equal(seen, 5);

  /* the client's own fix closes a defect at once */
  json_decref(post_ok(GT_WRITER, "/api/v1/projects/PD/defects",
                      "{\"defect\":{\"id\":\"F-2\",\"description\":\"Ridse i gulv\","
                      "\"severity\":\"minor\",\"found_at\":\"handover\","
                      "\"reported_on\":\"2026-05-23\"}}"));
  j = post_ok(GT_WRITER, "/api/v1/defects/F-2/fix", "{\"fixed_on\":\"2026-05-24\"}");
  assert_false(json_is_true(json_object_get(json_object_get(j, "defect"), "open")));
  json_decref(j);
#undef LC_OK
}

/* ---- bad input ----------------------------------------------------------------------- */

static void bad_input_gets_the_problem_its_status_names(void **state) {
  (void)state;
  const char *t = env.token[GT_WRITER];
  gt_http_t r;
  struct {
    const char *method, *path, *body, *ctype;
    int status;
    const char *code, *field, *detail;
  } CASES[] = {
      {"POST", "/api/v1/projects/PA/milestones", "{\"milestone\":", NULL, 400, "decode", "",
       "not valid JSON"},
      {"POST", "/api/v1/projects/PA/milestones", "[1,2]", NULL, 400, "decode", "",
       "must be a JSON object"},
      {"POST", "/api/v1/projects/PA/milestones", "{\"milestone\":{\"baseline\":20261201}}", NULL,
       400, "decode", "milestone.baseline", "expected a string"},
      {"POST", "/api/v1/projects/PA/milestones", "{\"milestone\":{\"nme\":\"x\"}}", NULL, 400,
       "decode", "milestone.nme", "there is no field 'nme'"},
      {"POST", "/api/v1/projects/PA/milestones", "{\"project_id\":\"PO\"}", NULL, 400, "decode",
       "project_id", "the path names project_id"},
      {"POST", "/api/v1/projects/PA/milestones", "name=x", "application/x-www-form-urlencoded",
       415, "decode", "Content-Type", "as JSON"},
      {"POST", "/api/v1/projects/PA/milestones", "{\"milestone\":{\"name\":\"m\","
       "\"baseline\":\"2026-02-30\"}}", NULL, 422, "invalid", "milestone.baseline", NULL},
      {"POST", "/api/v1/lifecycle/NoSuchRequest", "{}", NULL, 404, "unknown_type", "",
       "no request called"},
      {"GET", "/api/v1/projects?colour=blue", NULL, NULL, 400, "decode", "colour", NULL},
      {"GET", "/api/v1/nowhere", NULL, NULL, 404, "not_found", "", "openapi.json"},
      {"DELETE", "/api/v1/projects/PA", NULL, NULL, 405, "http", "", NULL},
  };
  for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
    assert_true(gt_http(&env, CASES[i].method, CASES[i].path, t, CASES[i].body, CASES[i].ctype,
                        NULL, &r));
    expect_problem(&r, CASES[i].status, CASES[i].code, CASES[i].field, CASES[i].detail);
    gt_http_free(&r);
  }
  /* 10 MB: refused before it is read whole. */
  size_t big = 10u * 1024 * 1024;
  char *body = malloc(big + 1);
  memset(body, ' ', big);
  body[0] = '{';
  body[big - 1] = '}';
  body[big] = '\0';
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PA/milestones", t, body, NULL, NULL, &r));
  assert_int_equal(r.status, 413);
  gt_http_free(&r);
  free(body);
  /* Nothing of the above changed the project. */
  assert_true(gt_http(&env, "GET", "/api/v1/projects/PA", t, NULL, NULL, NULL, &r));
  assert_null(strstr(r.body, "\"name\":\"m\""));
  gt_http_free(&r);
}

static void tokens_missing_revoked_or_read_only(void **state) {
  (void)state;
  gt_http_t r;
  assert_true(gt_http(&env, "GET", "/api/v1/projects", NULL, NULL, NULL, NULL, &r));
  expect_problem(&r, 401, "unauthenticated", "", "needs a token");
  gt_http_free(&r);
  assert_true(gt_http(&env, "GET", "/api/v1/projects", "trin_000000000000_nope", NULL, NULL,
                      NULL, &r));
  expect_problem(&r, 401, "unauthenticated", "", "not valid");
  gt_http_free(&r);

  /* A read-only token reads, and may not write. */
  Trin__Token__CreateToken q = TRIN__TOKEN__CREATE_TOKEN__INIT;
  q.org = "alfa";
  q.scope = "api:read";
  q.role = "writer";
  q.person = "Karen Læser";
  Trin__Token__TokenCreated *made = NULL;
  trin_err_t err;
  assert_int_equal(trin_client_call(gt_client(&env, GT_GATEWAY, GT_WRITER), &q.base,
                                    &trin__token__token_created__descriptor,
                                    (ProtobufCMessage **)&made, &err),
                   TRIN_OK);
  assert_true(gt_http(&env, "GET", "/api/v1/projects/PA", made->token, NULL, NULL, NULL, &r));
  assert_int_equal(r.status, 200);
  gt_http_free(&r);
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PA/pause", made->token,
                      "{\"reason\":\"authority\",\"date\":\"2025-07-01\"}", NULL, NULL, &r));
  expect_problem(&r, 403, "forbidden", "", "is for api:read, not api:write");
  gt_http_free(&r);
  /* A writer may not make an admin token, not even for its own organisation. */
  q.scope = "api:write";
  q.role = "admin";
  ProtobufCMessage *none = NULL;
  assert_int_equal(trin_client_call(gt_client(&env, GT_GATEWAY, GT_WRITER), &q.base,
                                    &trin__token__token_created__descriptor, &none, &err),
                   TRIN_EFORBIDDEN);
  assert_string_equal(err.field, "role");

  /* Revoked: refused from the very next request. */
  Trin__Token__RevokeToken rv = TRIN__TOKEN__REVOKE_TOKEN__INIT;
  rv.id = made->id;
  ProtobufCMessage *rr = NULL;
  assert_int_equal(trin_client_call(gt_client(&env, GT_GATEWAY, GT_WRITER), &rv.base,
                                    &trin__token__token_reply__descriptor, &rr, &err),
                   TRIN_OK);
  trin_codec_free(rr);
  assert_true(gt_http(&env, "GET", "/api/v1/projects/PA", made->token, NULL, NULL, NULL, &r));
  expect_problem(&r, 401, "unauthenticated", "", "was revoked");
  gt_http_free(&r);
  trin_codec_free(made);

  /* Who am I: the person the token speaks for. */
  assert_true(gt_http(&env, "GET", "/api/v1/me", env.token[GT_CALCULATOR], NULL, NULL, NULL, &r));
  assert_int_equal(r.status, 200);
  json_t *me = parse(&r);
  assert_string_equal(member(me, "organisation"), "gamma");
  assert_string_equal(member(me, "role"), "calculator");
  assert_string_equal(member(me, "scope"), "api:write");
  json_decref(me);
  gt_http_free(&r);
}

static void health_and_openapi_need_no_token(void **state) {
  (void)state;
  gt_http_t r;
  assert_true(gt_http(&env, "GET", "/healthz", NULL, NULL, NULL, NULL, &r));
  assert_int_equal(r.status, 200);
  gt_http_free(&r);
  assert_true(gt_http(&env, "GET", "/api/v1/openapi.json", NULL, NULL, NULL, NULL, &r));
  assert_int_equal(r.status, 200);
  json_t *doc = parse(&r);
  assert_string_equal(member(doc, "openapi"), "3.1.0");
  json_t *paths = json_object_get(doc, "paths");
  assert_non_null(json_object_get(paths, "/api/v1/projects/{project_id}/disputes"));
  assert_non_null(json_object_get(paths, "/api/v1/lifecycle/OpenDispute"));
  assert_non_null(json_object_get(paths, "/api/v1/budget/SetBudgetLine"));
  json_decref(doc);
  gt_http_free(&r);
}

/* /metrics: the gateway's figures and every service's, one exposition that
 * Prometheus's own linter accepts. */
static void metrics_of_every_service_pass_promtool(void **state) {
  (void)state;
  gt_http_t r;
  assert_true(gt_http(&env, "GET", "/metrics", NULL, NULL, NULL, NULL, &r));
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.content_type, "text/plain"));
  for (int i = 0; i < GT_NPROCS; i++) {
    char want[200];
    snprintf(want, sizeof want, "trin_gateway_service_up{service=\"gateway\",target=\"%s\"} 1",
             GT_NAMES[i]);
    if (!strstr(r.body, want)) fail_msg("no '%s' in:\n%.2000s", want, r.body);
  }
  assert_non_null(strstr(r.body, "trin_requests_total{service=\"lifecycle\""));
  assert_non_null(strstr(r.body, "trin_follower_lag_events{service=\"aggregator\""));
  assert_non_null(strstr(r.body, "trin_gateway_http_responses_total"));
  char path[300], out[4096];
  snprintf(path, sizeof path, "%s/metrics.txt", env.dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fwrite(r.body, 1, r.body_len, f);
  fclose(f);
  gt_http_free(&r);
  char cmd[600];
  snprintf(cmd, sizeof cmd, "command -v promtool >/dev/null || exit 77; promtool check metrics < %s 2>&1",
           path);
  int rc = testproc_run(cmd, out, sizeof out);
  if (rc == 77) {
    print_message("promtool is missing (deploy/install-deps.sh installs it): not checked\n");
    return;
  }
  if (rc != 0) fail_msg("promtool check metrics: %s", out);
}

/* Rate limits: the gateway started again with one request a second per
 * token (a burst of 1): a second request within that second is refused 429
 * with Retry-After, and another token is not held back by the first. The
 * loop ends at the first 429; it needs only two requests within a second. */
static void over_the_rate_429_with_retry_after(void **state) {
  (void)state;
  testproc_stop(&env.proc[GT_GATEWAY]);
  const char *limits[] = {"--rate-per-token=1", "--rate-burst=1", NULL};
  assert_true(gt_start_gateway(&env, TRIN_GATEWAY_BIN, limits));
  trin_client_destroy(&env.client[GT_GATEWAY][GT_ADMIN]);
  gt_http_t r;
  bool limited = false;
  for (int i = 0; i < 200 && !limited; i++) {
    assert_true(gt_http(&env, "GET", "/api/v1/projects", env.token[GT_READER], NULL, NULL, NULL,
                        &r));
    if (r.status == 429) {
      limited = true;
      expect_problem(&r, 429, "http", "", "requests a second with these credentials");
      assert_true(atoi(r.retry_after) >= 1);
    } else {
      assert_int_equal(r.status, 200);
    }
    gt_http_free(&r);
  }
  assert_true(limited);
  /* Another person's token has its own bucket. */
  assert_true(gt_http(&env, "GET", "/api/v1/projects", env.token[GT_WRITER], NULL, NULL, NULL,
                      &r));
  assert_int_equal(r.status, 200);
  gt_http_free(&r);
}

/* Rehousing (issue 20, item 4) over HTTP: the client's writer records a
 * plan and movements on their resource paths; the contractor's calculator
 * may not (the refusal says who may); a refusal of the rules names its
 * field; the status row shows the sums. */
static void the_client_records_rehousing_and_the_row_shows_it(void **state) {
  (void)state;
  trin_client_t *w = gt_client(&env, GT_LIFECYCLE, GT_WRITER);
  trin_err_t err = {0};
  if (lc_project(w, "PR", "LA", NULL, false, "2025-03-01", &err) != TRIN_OK)
    fail_msg("lc_project: %s", err.message);
  gt_http_t r;
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PR/rehousing-plan",
                      env.token[GT_CALCULATOR], "{\"households_to_rehouse\":30}", NULL, NULL,
                      &r));
  expect_problem(&r, 403, "forbidden", NULL,
                 "may not record a project's rehousing plan "
                 "(trin.lifecycle.SetRehousingPlan): only writer (bygherre) may");
  gt_http_free(&r);
  json_t *j = post_ok(GT_WRITER, "/api/v1/projects/PR/rehousing-plan",
                      "{\"households_to_rehouse\":30}");
  assert_true(json_is_true(json_object_get(json_object_get(j, "project"), "rehousing_planned")));
  json_decref(j);
  json_decref(post_ok(GT_WRITER, "/api/v1/projects/PR/rehousing-moves",
                      "{\"move\":{\"kind\":\"temporary\",\"households\":30,"
                      "\"date\":\"2025-09-01\"}}"));
  assert_true(gt_http(&env, "POST", "/api/v1/projects/PR/rehousing-moves", env.token[GT_WRITER],
                      "{\"move\":{\"kind\":\"moved_back\",\"households\":31,"
                      "\"date\":\"2026-02-01\"}}",
                      NULL, NULL, &r));
  expect_problem(&r, 409, "conflict", "move.households", "31 more cannot move back");
  gt_http_free(&r);
  j = post_ok(GT_WRITER, "/api/v1/projects/PR/rehousing-moves",
              "{\"move\":{\"kind\":\"moved_back\",\"households\":18,"
              "\"date\":\"2026-02-01\"}}");
  json_t *p = json_object_get(j, "project");
  assert_int_equal(json_integer_value(json_object_get(p, "households_moved_back")), 18);
  json_decref(j);
  /* the row: a generous bound, ending as soon as the sums are there */
  bool seen = false;
  for (int i = 0; i < 3000 && !seen; i++) {
    assert_true(gt_http(&env, "POST", "/api/v1/aggregator/GetRows", env.token[GT_ADMIN], "{}",
                        NULL, NULL, &r));
    assert_int_equal(r.status, 200);
    j = parse(&r);
    size_t k;
    json_t *row;
    json_array_foreach(json_object_get(j, "rows"), k, row) {
      if (strcmp(member(row, "project_id"), "PR") == 0 &&
          json_integer_value(json_object_get(row, "households_to_rehouse")) == 30 &&
          json_integer_value(json_object_get(row, "households_rehoused")) == 30 &&
          json_integer_value(json_object_get(row, "households_moved_back")) == 18 &&
          strcmp(member(row, "last_moved_back_on"), "2026-02-01") == 0)
        seen = true;
    }
    json_decref(j);
    gt_http_free(&r);
    if (!seen) wait_ms(20);
  }
  if (!seen) fail_msg("the row of PR never showed its rehousing");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(health_and_openapi_need_no_token),
      cmocka_unit_test(only_the_gateway_may_assert_an_actor),
      cmocka_unit_test(a_person_opens_a_dispute_and_the_trail_names_them),
      cmocka_unit_test(a_role_that_may_not_is_forbidden_and_an_outsider_hears_not_found),
      cmocka_unit_test(a_contractors_repair_waits_for_the_clients_confirmation),
      cmocka_unit_test(the_client_records_rehousing_and_the_row_shows_it),
      cmocka_unit_test(idempotency_key_answers_the_first_answer_also_after_kill9),
      cmocka_unit_test(a_stale_if_match_gets_412),
      cmocka_unit_test(a_project_correction_takes_if_match_and_a_writer),
      cmocka_unit_test(bad_input_gets_the_problem_its_status_names),
      cmocka_unit_test(tokens_missing_revoked_or_read_only),
      cmocka_unit_test(metrics_of_every_service_pass_promtool),
      cmocka_unit_test(over_the_rate_429_with_retry_after),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
