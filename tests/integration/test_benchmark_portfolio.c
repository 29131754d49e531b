/* benchmark.portfolio — the real lifecycle, budget, survey and benchmark
 * processes wired together: projects inside and outside a partnership get
 * milestones, a dispute, Skema A and B budgets and survey rounds; the
 * benchmark service follows the three event streams and the portfolio KPIs
 * and the partnership comparison show them. kill -9 of benchmark loses
 * nothing and it resumes from its cursors; SIGTERM exits 0 everywhere. */
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
#include "test_benchmark_calls.h"
#include "test_budget_calls.h"
#include "test_survey_common.h"
#include "testproc.h"
#include "trin_codec.h"

static testproc_t lc, bg, sv, bm;
static trin_client_t *lcc, *bgc, *svc, *bmc;
static char a_lc_ep[400], a_lc_pub[400], a_bg_ep[400], a_bg_pub[400], a_sv_ep[400],
    a_sv_pub[400];

#define OK(call)                                                  \
  do {                                                            \
    trin_err_t e_ = {0};                                          \
    int rc_ = (call);                                             \
    if (rc_) fail_msg("%s: %s: %s", #call, e_.field, e_.message); \
  } while (0)

static int start_benchmark(void) {
  const char *args[] = {a_lc_ep, a_lc_pub, a_bg_ep, a_bg_pub, a_sv_ep, a_sv_pub,
                        "--heartbeat-ms=200", NULL};
  if (!testproc_start(&bm, TRIN_BENCHMARK_BIN, args)) return -1;
  trin_err_t err;
  if (trin_client_new(bm.endpoint, &bmc, &err)) return -1;
  trin_client_set_timeout(bmc, 20000);
  return 0;
}

static int setup(void **state) {
  testproc_init(&lc, "bmp-lc");
  testproc_init(&bg, "bmp-bg");
  testproc_init(&sv, "bmp-sv");
  testproc_init(&bm, "bmp-bm");
  snprintf(a_lc_ep, sizeof a_lc_ep, "--lifecycle-endpoint=%s", lc.endpoint);
  snprintf(a_lc_pub, sizeof a_lc_pub, "--lifecycle-pub-endpoint=%s", lc.pub);
  snprintf(a_bg_ep, sizeof a_bg_ep, "--budget-endpoint=%s", bg.endpoint);
  snprintf(a_bg_pub, sizeof a_bg_pub, "--budget-pub-endpoint=%s", bg.pub);
  snprintf(a_sv_ep, sizeof a_sv_ep, "--survey-endpoint=%s", sv.endpoint);
  snprintf(a_sv_pub, sizeof a_sv_pub, "--survey-pub-endpoint=%s", sv.pub);
  const char *lc_args[] = {"--heartbeat-ms=200", NULL};
  const char *bg_args[] = {a_lc_ep, a_lc_pub, "--heartbeat-ms=200", NULL};
  const char *sv_args[] = {a_lc_ep, a_lc_pub, "--heartbeat-ms=200", "--http-address=", NULL};
  if (!testproc_start(&lc, TRIN_LIFECYCLE_BIN, lc_args)) return -1;
  if (!testproc_start(&bg, TRIN_BUDGET_BIN, bg_args)) return -1;
  if (!testproc_start(&sv, TRIN_SURVEY_BIN, sv_args)) return -1;
  trin_err_t err;
  if (trin_client_new(lc.endpoint, &lcc, &err) || trin_client_new(bg.endpoint, &bgc, &err) ||
      trin_client_new(sv.endpoint, &svc, &err))
    return -1;
  trin_client_set_timeout(svc, 20000);
  return start_benchmark();
}

static int teardown(void **state) {
  trin_client_destroy(&lcc);
  trin_client_destroy(&bgc);
  trin_client_destroy(&svc);
  trin_client_destroy(&bmc);
  int s1 = testproc_stop(&bm), s2 = testproc_stop(&sv), s3 = testproc_stop(&bg),
      s4 = testproc_stop(&lc);
  testproc_cleanup(&bm);
  testproc_cleanup(&sv);
  testproc_cleanup(&bg);
  testproc_cleanup(&lc);
  return s1 == 0 && s2 == 0 && s3 == 0 && s4 == 0 ? 0 : -1;
}

static void budgets(const char *project, int64_t a_ore, int64_t b_ore) {
  char a[32], b[32];
  snprintf(a, sizeof a, "%s-A", project);
  snprintf(b, sizeof b, "%s-B", project);
  bg_line_spec_t la[] = {{"c", "craft", NULL, a_ore, 0}};
  bg_line_spec_t lb[] = {{"c", "craft", NULL, b_ore, 0}};
  assert_true(bg_wait_project(bgc, project, 10000));
  OK(bg_budget(bgc, a, project, "skema_a", "2023-01-15", la, 1, &e_));
  OK(bg_submit(bgc, a, "2023-01-16", &e_));
  OK(bg_approve(bgc, a, "2023-01-17", &e_));
  OK(bg_budget(bgc, b, project, "skema_b", "2023-03-01", lb, 1, &e_));
  OK(bg_submit(bgc, b, "2023-03-02", &e_));
  OK(bg_approve(bgc, b, "2023-03-03", &e_));
}

static void survey(const char *id, const char *project, int score) {
  Trin__Survey__Statement st = TRIN__SURVEY__STATEMENT__INIT;
  st.key = "TRUST_ECONOMY";
  st.text = "Vi har tillid til projektets økonomi";
  st.common = true;
  Trin__Survey__Statement *sts[1] = {&st};
  Trin__Survey__Survey s = TRIN__SURVEY__SURVEY__INIT;
  s.id = (char *)id;
  s.project_id = (char *)project;
  s.title = "Tilfredshed";
  s.scale_min = 1;
  s.scale_max = 5;
  s.statements = sts;
  s.n_statements = 1;
  OK(sv_create_when_known(svc, &s, &e_));
  OK(sv_add_round(svc, id, 1, "2023-04-01", "2023-04-30", &e_));
  char csv[512];
  size_t n = (size_t)snprintf(csv, sizeof csv, "respondent,role,TRUST_ECONOMY\n");
  for (int i = 0; i < 6; i++)
    n += (size_t)snprintf(csv + n, sizeof csv - n, "%s-r%d,residents,%d\n", id, i, score);
  OK(sv_import_csv(svc, id, 1, csv, n, NULL, &e_));
}

static const Trin__Benchmark__ComparisonRow *row(const Trin__Benchmark__PartnershipComparison *c,
                                                 const char *figure) {
  for (size_t i = 0; i < c->n_rows; i++)
    if (strcmp(c->rows[i]->figure->name, figure) == 0) return c->rows[i];
  return NULL;
}

/* Polls the comparison until pred holds (the events are asynchronous). */
typedef bool (*pred_fn)(const Trin__Benchmark__PartnershipComparison *c);
static Trin__Benchmark__PartnershipComparison *wait_for(pred_fn pred) {
  for (int i = 0; i < 300; i++) {
    Trin__Benchmark__PartnershipComparison *c = NULL;
    trin_err_t e = {0};
    if (bmc_compare(bmc, "KAB", "KAB", &c, &e) == 0 && pred(c)) return c;
    trin_codec_free(c);
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return NULL;
}

static bool all_in(const Trin__Benchmark__PartnershipComparison *c) {
  const Trin__Benchmark__ComparisonRow *d = row(c, "budget_drift_pct"),
                                       *s = row(c, "latest_satisfaction"),
                                       *o = row(c, "open_disputes");
  return d && s && o && d->has_difference && s->has_difference && o->outside->value == 100;
}

static bool dispute_resolved(const Trin__Benchmark__PartnershipComparison *c) {
  const Trin__Benchmark__ComparisonRow *o = row(c, "open_disputes");
  return o && o->outside->has_value && o->outside->value == 0;
}

static void projects_with_budgets_and_surveys_in_the_kpis(void **state) {
  OK(lc_org(lcc, "KAB", "client", &e_));
  OK(lc_partnership(lcc, "KAB-P", "KAB", "2022-01-01", "myndighedsprojekt", 5000000, &e_));
  OK(lc_project(lcc, "P-IN", "KAB-P", NULL, false, "2023-01-02", &e_));
  OK(lc_project(lcc, "P-OUT", NULL, "KAB", false, "2023-01-02", &e_));
  OK(lc_milestone(lcc, "P-IN", "handover", "2025-01-01", "2025-01-11", NULL, &e_));
  OK(lc_milestone(lcc, "P-OUT", "handover", "2025-01-01", "2025-02-01", NULL, &e_));
  OK(lc_dispute_open(lcc, "P-OUT", "D1", 500000, "2023-06-01", &e_));
  /* drift: inside 5.00 %, outside 20.00 % */
  budgets("P-IN", 100000000, 105000000);
  budgets("P-OUT", 100000000, 120000000);
  /* satisfaction: inside 4.00, outside 3.00 */
  survey("S-IN", "P-IN", 4);
  survey("S-OUT", "P-OUT", 3);

  Trin__Benchmark__PartnershipComparison *c = wait_for(all_in);
  assert_non_null(c);
  const Trin__Benchmark__ComparisonRow *r = row(c, "budget_drift_pct");
  assert_int_equal(r->inside->projects, 1);
  assert_int_equal(r->inside->value, 500);
  assert_int_equal(r->outside->value, 2000);
  assert_int_equal(r->difference, -1500);
  r = row(c, "market_adjusted_drift_pct"); /* no index points: unknown */
  assert_false(r->inside->has_value);
  assert_false(r->has_difference);
  r = row(c, "schedule_variance_days");
  assert_int_equal(r->inside->value, 100);   /* 10.0 days */
  assert_int_equal(r->outside->value, 310);  /* 31.0 days */
  r = row(c, "latest_satisfaction");
  assert_int_equal(r->inside->value, 400);
  assert_int_equal(r->outside->value, 300);
  assert_int_equal(r->difference, 100);
  r = row(c, "open_disputes");
  assert_int_equal(r->inside->value, 0);
  assert_int_equal(r->outside->value, 100);  /* 1.00 per project */
  r = row(c, "defects_per_dwelling");
  assert_int_equal(r->inside->value, 0);
  trin_codec_free(c);

  /* KAB's own KPI: one organisation is below the minimum group, so only its
   * own value, drift over both projects: 25,000,000 / 200,000,000 = 12.50 % */
  Trin__Benchmark__FigureReport *fr = NULL;
  OK(bmc_query(bmc, "budget_drift_pct", 0, NULL, NULL, "KAB", 0, &fr, &e_));
  assert_true(fr->suppressed);
  assert_non_null(fr->viewer);
  assert_int_equal(fr->viewer->value, 1250);
  assert_int_equal(fr->viewer->properties, 2);
  assert_string_equal(fr->viewer->label, "KAB"); /* the name lifecycle announced */
  trin_codec_free(fr);

  /* kill -9, an event while it is down, restart: resumes from its cursors */
  trin_client_destroy(&bmc);
  testproc_kill9(&bm);
  OK(lc_dispute_resolve(lcc, "D1", "2023-07-01", "forlig", &e_));
  assert_int_equal(start_benchmark(), 0);
  c = wait_for(dispute_resolved);
  assert_non_null(c);
  r = row(c, "budget_drift_pct");
  assert_int_equal(r->inside->value, 500);
  assert_int_equal(r->outside->value, 2000);
  r = row(c, "latest_satisfaction");
  assert_int_equal(r->inside->value, 400);
  trin_codec_free(c);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(projects_with_budgets_and_surveys_in_the_kpis),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
