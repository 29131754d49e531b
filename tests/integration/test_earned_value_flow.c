/* aggregator.earned_value_flow — earned value (issue 20 item 1) through the
 * real trin-lifecycle, trin-budget and trin-aggregator processes and
 * trinctl: milestones with planned costs and percent complete set with
 * `trinctl milestone set`, an approved Skema A and an actual cost in the
 * budget service, and the status row's spi, cpi, eac_dkk and vac_dkk in
 * the feed and in `trinctl project show --earned-value`. Every baseline lies
 * in the past, so PV is the whole price budget whatever day the test runs.
 * Lifecycle's refusals of bad inputs are checked word for word. Waits end
 * as soon as what is expected is there (no timing assertions). */
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

#include "lcclient.h"
#include "test_aggregator_util.h"
#include "test_budget_calls.h"
#include "testcall.h"
#include "testproc.h"
#include "trin_codec.h"

static testproc_t lc, bg, agg;
static trin_client_t *lcc, *bgc;
static int port;

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static char l1[400], l2[400], b1[400], b2[400];
static const char *lc_extra[] = {b1, b2, "--heartbeat-ms=200", NULL};
static const char *bg_extra[] = {l1, l2, "--heartbeat-ms=200", NULL};
static const char *agg_extra[] = {l1, l2, b1, b2, "--survey-endpoint=", "--benchmark-endpoint=",
                                  "--http-address=127.0.0.1:0", "--token=" TU_TOKEN,
                                  "--retry-ms=200", "--rag-economy-earned-value=1", NULL};

static int setup(void **state) {
  (void)state;
  testproc_init(&lc, "ev-lc");
  testproc_init(&bg, "ev-bg");
  testproc_init(&agg, "ev-agg");
  snprintf(l1, sizeof l1, "--lifecycle-endpoint=%s", lc.endpoint);
  snprintf(l2, sizeof l2, "--lifecycle-pub-endpoint=%s", lc.pub);
  snprintf(b1, sizeof b1, "--budget-endpoint=%s", bg.endpoint);
  snprintf(b2, sizeof b2, "--budget-pub-endpoint=%s", bg.pub);
  if (!testproc_start(&lc, TRIN_LIFECYCLE_BIN, lc_extra)) return -1;
  if (!testproc_start(&bg, TRIN_BUDGET_BIN, bg_extra)) return -1;
  if (!testproc_start(&agg, TRIN_AGGREGATOR_BIN, agg_extra)) return -1;
  if ((port = testproc_http_port(&agg)) <= 0) return -1;
  trin_err_t err;
  if (trin_client_new(lc.endpoint, &lcc, &err) || trin_client_new(bg.endpoint, &bgc, &err))
    return -1;
  OK(lc_org(lcc, "LIVA", "client", &e_));
  OK(lc_partnership(lcc, "LIVA-P", "LIVA", "2022-01-01", "myndighedsprojekt", 5000000, &e_));
  return 0;
}

static int teardown(void **state) {
  (void)state;
  trin_client_destroy(&lcc);
  trin_client_destroy(&bgc);
  int ra = testproc_stop(&agg);
  int rb = testproc_stop(&bg);
  int rl = testproc_stop(&lc);
  testproc_cleanup(&agg);
  testproc_cleanup(&bg);
  testproc_cleanup(&lc);
  return ra == 0 && rb == 0 && rl == 0 ? 0 : -1;
}

/* trinctl against lifecycle (the aggregator at its own endpoint); its
 * output (stdout and stderr) in out; returns the exit status. */
static int trinctl(const char *args, char *out, size_t n) {
  char cmd[1600];
  snprintf(cmd, sizeof cmd, "TRIN_AGGREGATOR_ENDPOINT='%s' %s --endpoint '%s' %s 2>&1",
           agg.endpoint, TRINCTL_BIN, lc.endpoint, args);
  return testproc_run(cmd, out, n);
}

static void put_value(json_t *v, char *out, size_t n) {
  if (!v || json_is_null(v)) snprintf(out, n, "null");
  else if (json_is_number(v)) snprintf(out, n, "%.2f", json_number_value(v));
  else if (json_is_string(v)) snprintf(out, n, "%s", json_string_value(v));
  else snprintf(out, n, "?");
}

/* The project's row as "spi/cpi/eac_dkk/vac_dkk/rag_economy" ("" while the
 * aggregator has no row for it). */
static void row_state(const char *project, char *out, size_t cap) {
  out[0] = '\0';
  tu_http_t r;
  if (!tu_get_auth(port, "/api/v1/status", &r) || r.status != 200) {
    tu_http_free(&r);
    return;
  }
  json_t *doc = json_loads(r.body, 0, NULL);
  tu_http_free(&r);
  size_t i;
  json_t *row;
  json_array_foreach(json_object_get(doc, "rows"), i, row) {
    const char *p = json_string_value(json_object_get(row, "project_id"));
    if (!p || strcmp(p, project) != 0) continue;
    char s[40], c[40], e[40], v[40], g[40];
    put_value(json_object_get(row, "spi"), s, sizeof s);
    put_value(json_object_get(row, "cpi"), c, sizeof c);
    put_value(json_object_get(row, "eac_dkk"), e, sizeof e);
    put_value(json_object_get(row, "vac_dkk"), v, sizeof v);
    put_value(json_object_get(row, "rag_economy"), g, sizeof g);
    snprintf(out, cap, "%s/%s/%s/%s/%s", s, c, e, v, g);
  }
  json_decref(doc);
}

/* Waits (up to 2 minutes: a bound, not a speed) until the row reads want. */
static void wait_row(const char *project, const char *want) {
  char have[200] = "";
  for (int i = 0; i < 1200; i++) {
    row_state(project, have, sizeof have);
    if (strcmp(have, want) == 0) return;
    sleep_ms(100);
  }
  fail_msg("row %s is '%s', expected '%s'", project, have, want);
}

static const bg_line_spec_t A_LINES[] = {
    {"facade", "craft", "facade", 300000000, 350000000},
    {"roof", "craft", "roof", 100000000, 0},
    {"mgmt", "management_fee", NULL, 50000000, 0},
};

static int set_milestone(const char *project, const char *name, const char *baseline,
                         bool has_cost, int64_t cost, bool has_pct, int32_t pct, trin_err_t *err) {
  Trin__Lifecycle__Milestone m = TRIN__LIFECYCLE__MILESTONE__INIT;
  m.name = (char *)name;
  m.baseline = (char *)baseline;
  m.has_planned_cost_ore = has_cost;
  m.planned_cost_ore = cost;
  m.has_percent_complete_bp = has_pct;
  m.percent_complete_bp = pct;
  Trin__Lifecycle__SetMilestone q = TRIN__LIFECYCLE__SET_MILESTONE__INIT;
  q.project_id = (char *)project;
  q.milestone = &m;
  return testcall(lcc, &q.base, &trin__lifecycle__project_reply__descriptor, NULL, err);
}

/* BAC = the approved Skema A, 4.500.000 kr. Planned costs 1.000.000 (design,
 * 100 %), 2.000.000 (rough, 50 %) and 1.500.000 kr (handover, none
 * reported), all due in the past: PV = 4.500.000 kr;
 * EV = 4.500.000 × (1.000.000 + 1.000.000) / 4.500.000 = 2.000.000 kr, so
 * SPI = 0,44. Actual costs 2.500.000 kr: CPI = 0,80, EAC = 4.500.000 ×
 * 2.500.000 / 2.000.000 = 5.625.000 kr, VAC = −1.125.000 kr: an overrun of
 * 25 %, red with rag-economy-earned-value=1. */
static void earned_value_reaches_the_feed_and_trinctl(void **state) {
  (void)state;
  char out[8192];
  OK(lc_project(lcc, "P-EV", "LIVA-P", NULL, false, "2023-01-10", &e_));
  assert_true(bg_wait_project(bgc, "P-EV", 60000));
  OK(bg_model(bgc, "LIVA-P", 1250, &e_));
  OK(bg_budget(bgc, "P-EV-A", "P-EV", "skema_a", "2023-01-15", A_LINES, 3, &e_));
  OK(bg_submit(bgc, "P-EV-A", "2023-02-01", &e_));
  OK(bg_approve(bgc, "P-EV-A", "2023-02-10", &e_));

  assert_int_equal(trinctl("milestone set P-EV --name design --baseline 2023-03-01 "
                           "--planned-cost 1.000.000 --percent-complete-bp 10000",
                           out, sizeof out), 0);
  assert_non_null(strstr(out, "planned cost 1.000.000,00 kr., 100,00 % complete"));
  assert_int_equal(trinctl("milestone set P-EV --name rough --baseline 2023-09-01 "
                           "--planned-cost 2.000.000 --percent-complete-bp 5000",
                           out, sizeof out), 0);
  assert_int_equal(trinctl("milestone set P-EV --name handover --baseline 2024-06-01 "
                           "--planned-cost 1.500.000", out, sizeof out), 0);
  /* no actual cost yet: SPI only */
  wait_row("P-EV", "0.44/null/null/null/green");
  OK(bg_cost(bgc, "AC-1", "P-EV", "craft", "2023-10-01", 250000000, &e_));
  wait_row("P-EV", "0.44/0.80/5625000.00/-1125000.00/red");

  assert_int_equal(trinctl("project show P-EV --earned-value", out, sizeof out), 0);
  assert_non_null(strstr(out, "PLANLAGT OMKOSTNING"));
  assert_non_null(strstr(out, "2.000.000,00 kr."));
  assert_non_null(strstr(out, "50,00 %"));
  assert_non_null(strstr(out, "Earned value"));
  assert_non_null(strstr(out, "SPI                0,44"));
  assert_non_null(strstr(out, "CPI                0,80"));
  assert_non_null(strstr(out, "EAC                5.625.000,00 kr."));
  assert_non_null(strstr(out, "VAC                -1.125.000,00 kr. (overskridelse forventet)"));
  /* without the option, no aggregator is asked */
  assert_int_equal(trinctl("project show P-EV", out, sizeof out), 0);
  assert_null(strstr(out, "Earned value"));
  /* JSON: the project and the status row in one object */
  assert_int_equal(trinctl("--json project show P-EV --earned-value", out, sizeof out), 0);
  json_t *doc = json_loads(out, 0, NULL);
  assert_non_null(doc);
  json_t *row = json_object_get(doc, "status_row");
  assert_int_equal(json_integer_value(json_object_get(row, "spi_x100")), 44);
  assert_int_equal(json_integer_value(json_object_get(row, "eac_ore")), 562500000);
  json_decref(doc);
  /* a project the aggregator has no row for: refused, in words */
  assert_int_equal(trinctl("project show NOPE --earned-value", out, sizeof out), 1);
  assert_non_null(strstr(out, "NOPE"));  /* lifecycle's refusal comes first */
  /* a project lifecycle knows and the aggregator does not show: the aggregator's words */
  {
    Trin__Aggregator__GetProjectRow q = TRIN__AGGREGATOR__GET_PROJECT_ROW__INIT;
    q.project_id = "NOPE";
    trin_client_t *ac = NULL;
    trin_err_t err = {0};
    OK(trin_client_new(agg.endpoint, &ac, &e_));
    assert_int_equal(testcall(ac, &q.base, &trin__aggregator__status_row__descriptor, NULL, &err),
                     TRIN_ENOTFOUND);
    assert_string_equal(err.field, "project_id");
    assert_string_equal(err.message, "the status feed has no project 'NOPE' that you may see");
    q.project_id = "";
    assert_int_equal(testcall(ac, &q.base, &trin__aggregator__status_row__descriptor, NULL, &err),
                     TRIN_EINVALID);
    assert_string_equal(err.message, "is required");
    trin_client_destroy(&ac);
  }
}

/* Lifecycle refuses bad earned value inputs, naming the field, in words. */
static void bad_inputs_are_refused_in_words(void **state) {
  (void)state;
  char out[4096];
  OK(lc_project(lcc, "P-EV2", "LIVA-P", NULL, false, "2023-01-10", &e_));
  trin_err_t err = {0};
  assert_int_equal(set_milestone("P-EV2", "design", "2023-03-01", true, -100, false, 0, &err),
                   TRIN_EINVALID);
  assert_string_equal(err.field, "milestone.planned_cost_ore");
  assert_string_equal(err.message, "must not be negative (got -1,00 kr.)");
  assert_int_equal(set_milestone("P-EV2", "design", "2023-03-01", false, 0, true, 10001, &err),
                   TRIN_EINVALID);
  assert_string_equal(err.field, "milestone.percent_complete_bp");
  assert_string_equal(err.message,
                      "must lie between 0 and 10000 basis points (0 % to 100 %), not 10001");
  assert_int_equal(set_milestone("P-EV2", "design", "2023-03-01", true, 1000000000000001LL,
                                 false, 0, &err),
                   TRIN_EINVALID);
  assert_string_equal(err.message, "must be at most 10.000.000.000.000,00 kr.");
  /* trinctl checks the range before asking */
  assert_int_equal(trinctl("milestone set P-EV2 --name design --baseline 2023-03-01 "
                           "--percent-complete-bp 10001", out, sizeof out), 2);
  assert_non_null(strstr(out, "percent-complete-bp"));
  /* nothing was stored: the project has no milestone */
  Trin__Lifecycle__ProjectReply *r = NULL;
  OK(lc_get(lcc, "P-EV2", &r, &e_));
  assert_int_equal(r->project->n_milestones, 0);
  trin_codec_free(r);
  /* the aggregator's answer for a project nobody knows */
  assert_int_equal(trinctl("project show P-EV2 --earned-value", out, sizeof out), 0);
  assert_non_null(strstr(out, "SPI                - (kræver et prisbudget"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(earned_value_reaches_the_feed_and_trinctl),
      cmocka_unit_test(bad_inputs_are_refused_in_words),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
