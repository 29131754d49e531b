/* aggregator.flow — the real trin-lifecycle and trin-aggregator processes:
 * a scripted scenario gives exactly the expected rows (every column of
 * every row checked); the aggregator is killed with SIGKILL in the middle
 * and the lifecycle service too while the aggregator is down; after the
 * restarts the feed is complete, equals the expected rows, and equals what
 * a fresh aggregator rebuilds from the lifecycle's log (all columns but
 * seq). Both processes then stop cleanly on SIGTERM (exit 0: sanitizer
 * builds would fail on leaks). */
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

#include "agg_columns.h"
#include "lcclient.h"
#include "agg_columns.h"
#include "test_aggregator_util.h"
#include "testcall.h"
#include "testproc.h"
#include "trin_codec.h"

static testproc_t lc, agg, fresh;
static trin_client_t *cl;

static void start_lifecycle(void) { assert_true(testproc_start(&lc, TRIN_LIFECYCLE_BIN, NULL)); }

/* Starts an aggregator following lc; returns its HTTP port (read from its log). */
static int start_aggregator(testproc_t *p) {
  char a1[400], a2[400];
  snprintf(a1, sizeof a1, "--lifecycle-endpoint=%s", lc.endpoint);
  snprintf(a2, sizeof a2, "--lifecycle-pub-endpoint=%s", lc.pub);
  const char *extra[] = {a1, a2, "--budget-endpoint=", "--survey-endpoint=",
                         "--benchmark-endpoint=", "--http-address=127.0.0.1:0",
                         "--token=" TU_TOKEN, "--retry-ms=200", NULL};
  assert_true(testproc_start(p, TRIN_AGGREGATOR_BIN, extra));
  int port = testproc_http_port(p);
  if (port <= 0) fail_msg("no HTTP port in %s", p->log);
  return port;
}

static uint64_t lifecycle_last_seq(void) {
  Trin__Ping ping = TRIN__PING__INIT;
  Trin__Pong *pong = NULL;
  trin_err_t err;
  assert_int_equal(trin_client_call(cl, &ping.base, &trin__pong__descriptor,
                                    (ProtobufCMessage **)&pong, &err),
                   TRIN_OK);
  uint64_t s = pong->last_seq;
  trin_codec_free(pong);
  return s;
}

/* Waits until the aggregator has stored the effect of every lifecycle event. */
static void catch_up(int port) {
  uint64_t want = lifecycle_last_seq();
  if (!tu_wait_caught_up(port, "lifecycle", want))
    fail_msg("the aggregator did not catch up with lifecycle event %llu", (unsigned long long)want);
}

static json_t *rows_of(int port) {
  tu_http_t r;
  assert_true(tu_get_auth(port, "/api/v1/status", &r));
  assert_int_equal(r.status, 200);
  json_error_t je;
  json_t *doc = json_loads(r.body, 0, &je);
  assert_non_null(doc);
  tu_http_free(&r);
  json_t *rows = json_incref(json_object_get(doc, "rows"));
  json_decref(doc);
  return rows;
}

/* The expected rows, every column but seq and updated_at (checked apart). */
static const char *EXPECTED =
    "["
    "{\"project_id\":\"P1\",\"project_name\":\"P1\",\"partnership_id\":\"LIVA\","
    "\"partnership_name\":\"LIVA\",\"client_org\":\"KAB\",\"municipality\":null,"
    "\"kind\":\"helhedsplan\",\"fast_track\":false,\"dwellings\":120,\"stage\":\"trin2\","
    "\"stage_since\":\"2022-10-01\",\"paused\":false,\"pause_reason\":null,"
    "\"baseline_handover\":\"2025-01-01\",\"forecast_handover\":\"2025-03-15\","
    "\"schedule_variance_days\":73,\"budget_a_dkk\":null,\"budget_b_dkk\":null,"
    "\"forecast_dkk\":null,\"drift_pct\":null,\"market_adjusted_drift_pct\":null,"
    "\"molio_compliant\":null,\"satisfaction\":null,\"satisfaction_trend\":null,"
    "\"satisfaction_alert\":null,\"open_disputes\":0,\"max_dispute_level\":0,"
    "\"open_defects\":0,\"rag_time\":\"red\",\"rag_economy\":null,\"rag_satisfaction\":null,"
    "\"rag_overall\":\"red\","
    "\"without_rehousing\":false,\"households_to_rehouse\":40,\"households_rehoused\":30,"
    "\"households_rehoused_permanent\":5,\"households_moved_back\":20,"
    "\"last_moved_back_on\":\"2023-02-01\"},"
    "{\"project_id\":\"P2\",\"project_name\":\"P2\",\"partnership_id\":null,"
    "\"partnership_name\":null,\"client_org\":\"KAB\",\"municipality\":null,"
    "\"kind\":\"helhedsplan\",\"fast_track\":true,\"dwellings\":120,\"stage\":\"pre_study\","
    "\"stage_since\":\"2022-04-01\",\"paused\":true,\"pause_reason\":\"authority\","
    "\"baseline_handover\":null,\"forecast_handover\":null,"
    "\"schedule_variance_days\":null,\"budget_a_dkk\":null,\"budget_b_dkk\":null,"
    "\"forecast_dkk\":null,\"drift_pct\":null,\"market_adjusted_drift_pct\":null,"
    "\"molio_compliant\":null,\"satisfaction\":null,\"satisfaction_trend\":null,"
    "\"satisfaction_alert\":null,\"open_disputes\":0,\"max_dispute_level\":0,"
    "\"open_defects\":0,\"rag_time\":null,\"rag_economy\":null,\"rag_satisfaction\":null,"
    "\"rag_overall\":null,"
    "\"without_rehousing\":true,\"households_to_rehouse\":0,\"households_rehoused\":0,"
    "\"households_rehoused_permanent\":0,\"households_moved_back\":0,"
    "\"last_moved_back_on\":null},"
    "{\"project_id\":\"P3\",\"project_name\":\"P3\",\"partnership_id\":\"LIVA\","
    "\"partnership_name\":\"LIVA\",\"client_org\":\"KAB\",\"municipality\":null,"
    "\"kind\":\"helhedsplan\",\"fast_track\":false,\"dwellings\":120,\"stage\":\"pre_study\","
    "\"stage_since\":\"2022-05-01\",\"paused\":false,\"pause_reason\":null,"
    "\"baseline_handover\":\"2025-06-01\",\"forecast_handover\":\"2025-06-11\","
    "\"schedule_variance_days\":10,\"budget_a_dkk\":null,\"budget_b_dkk\":null,"
    "\"forecast_dkk\":null,\"drift_pct\":null,\"market_adjusted_drift_pct\":null,"
    "\"molio_compliant\":null,\"satisfaction\":null,\"satisfaction_trend\":null,"
    "\"satisfaction_alert\":null,\"open_disputes\":1,\"max_dispute_level\":3,"
    "\"open_defects\":0,\"rag_time\":\"green\",\"rag_economy\":null,\"rag_satisfaction\":null,"
    "\"rag_overall\":\"green\","
    "\"without_rehousing\":null,\"households_to_rehouse\":null,\"households_rehoused\":null,"
    "\"households_rehoused_permanent\":null,\"households_moved_back\":null,"
    "\"last_moved_back_on\":null}"
    "]";

/* Every column of every row equals the expected one; seq and updated_at
 * are present and sane. */
static void check_rows(json_t *rows) {
  json_t *want = json_loads(EXPECTED, 0, NULL);
  assert_non_null(want);
  assert_int_equal(json_array_size(rows), json_array_size(want));
  uint64_t seqs[8] = {0};
  for (size_t i = 0; i < json_array_size(want); i++) {
    json_t *w = json_array_get(want, i), *g = json_array_get(rows, i);
    assert_int_equal(json_object_size(g), AGG_NCOLS);
    const char *k;
    json_t *v;
    json_object_foreach(w, k, v) {
      json_t *got = json_object_get(g, k);
      assert_non_null(got);
      if (!json_equal(v, got)) {
        char *a = json_dumps(v, JSON_ENCODE_ANY), *b = json_dumps(got, JSON_ENCODE_ANY);
        print_error("%s.%s: want %s, got %s\n",
                    json_string_value(json_object_get(w, "project_id")), k, a, b);
        free(a);
        free(b);
        fail();
      }
    }
    seqs[i] = (uint64_t)json_integer_value(json_object_get(g, "seq"));
    assert_true(seqs[i] > 0);
    const char *ts = json_string_value(json_object_get(g, "updated_at"));
    assert_non_null(ts);
    assert_int_equal(strlen(ts), 24);
    assert_int_equal(ts[23], 'Z');
  }
  for (size_t i = 0; i < json_array_size(want); i++)
    for (size_t k = i + 1; k < json_array_size(want); k++) assert_true(seqs[i] != seqs[k]);
  json_decref(want);
}

static void without_seq(json_t *rows) {
  size_t i;
  json_t *r;
  json_array_foreach(rows, i, r) json_object_del(r, "seq");
}

static void scenario(void **state) {
  testproc_init(&lc, "agg-lc");
  testproc_init(&agg, "agg");
  testproc_init(&fresh, "agg-fresh");
  start_lifecycle();
  trin_err_t err;
  assert_int_equal(trin_client_new(lc.endpoint, &cl, &err), TRIN_OK);
  int port = start_aggregator(&agg);

  OK(lc_org(cl, "KAB", "client", &e_));
  OK(lc_org(cl, "NCC", "contractor", &e_));
  OK(lc_partnership(cl, "LIVA", "KAB", "2022-01-01", "myndighedsprojekt", 0, &e_));
  OK(lc_project(cl, "P1", "LIVA", "", false, "2022-03-01", &e_));
  OK(lc_project(cl, "P2", "", "KAB", true, "2022-04-01", &e_));
  OK(lc_project(cl, "P3", "LIVA", "", false, "2022-05-01", &e_));
  OK(lc_advance(cl, "P1", "trin1", "2022-06-01", &e_));
  OK(lc_milestone(cl, "P1", "handover", "2025-01-01", "2025-03-15", NULL, &e_));
  catch_up(port);

  /* the aggregator dies; the work goes on without it */
  testproc_kill9(&agg);
  OK(lc_pause(cl, "P2", "authority", "2022-07-01", &e_));
  OK(lc_dispute_open(cl, "P3", "D1", 100000, "2022-08-01", &e_));
  OK(lc_dispute_escalate(cl, "D1", 3, "2022-09-01", &e_));
  /* and so does the lifecycle service, and comes back */
  testproc_kill9(&lc);
  trin_client_destroy(&cl);
  start_lifecycle();
  assert_int_equal(trin_client_new(lc.endpoint, &cl, &err), TRIN_OK);
  OK(lc_milestone(cl, "P3", "handover", "2025-06-01", "2025-06-11", NULL, &e_));
  OK(lc_advance(cl, "P1", "trin2", "2022-10-01", &e_));
  /* rehousing (issue 20, item 4): P1 rehouses 40 of its 120 households, P2
   * is renovated without rehousing, P3 has said nothing (empty columns) */
  OK(lc_rehousing_plan(cl, "P1", 40, false, &e_));
  OK(lc_rehousing_move(cl, "P1", "temporary", 25, "2022-11-01", NULL, false, &e_));
  OK(lc_rehousing_move(cl, "P1", "permanent", 5, "2022-11-15", NULL, false, &e_));
  OK(lc_rehousing_move(cl, "P1", "moved_back", 20, "2023-02-01", "første tilbageflytning",
                       false, &e_));
  OK(lc_rehousing_plan(cl, "P2", 0, true, &e_));

  port = start_aggregator(&agg);
  catch_up(port);
  json_t *rows = rows_of(port);
  check_rows(rows);

  /* a fresh aggregator rebuilds the same rows from the lifecycle's log */
  int fport = start_aggregator(&fresh);
  catch_up(fport);
  json_t *rebuilt = rows_of(fport);
  check_rows(rebuilt);
  without_seq(rows);
  without_seq(rebuilt);
  assert_true(json_equal(rows, rebuilt));
  json_decref(rows);
  json_decref(rebuilt);

  /* a kill -9 right after changes: the restarted aggregator still has them */
  OK(lc_resume(cl, "P2", "2022-12-01", &e_));
  catch_up(port);
  testproc_kill9(&agg);
  port = start_aggregator(&agg);
  catch_up(port);
  rows = rows_of(port);
  assert_false(json_is_true(json_object_get(json_array_get(rows, 1), "paused")));
  json_decref(rows);

  assert_int_equal(testproc_stop(&fresh), 0);
  assert_int_equal(testproc_stop(&agg), 0);
  trin_client_destroy(&cl);
  assert_int_equal(testproc_stop(&lc), 0);
  testproc_cleanup(&fresh);
  testproc_cleanup(&agg);
  testproc_cleanup(&lc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(scenario),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
