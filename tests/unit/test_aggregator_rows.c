/* aggregator.rows / aggregator.rag — status rows from upstream events
 * (lifecycle, budget, survey), seq moving only on change, names filled in
 * later, empty columns when a service said nothing, the RAG rules at their
 * boundaries, and the stored form round-trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "agg_columns.h"
#include "agg_format.h"
#include "agg_events.h"
#include "agg_rows.h"
#include "test_aggregator_util.h"

static agg_rows_t *rows;
static uint64_t lc_seq;

static int setup(void **state) {
  rows = agg_rows_new(NULL);
  lc_seq = 0;
  return rows ? 0 : -1;
}
static int teardown(void **state) {
  agg_rows_destroy(&rows);
  return 0;
}

/* Applies one event; returns whether the rows said it changes membership. */
static bool apply(const char *service, const char *type, const ProtobufCMessage *m) {
  Trin__Event *ev = tu_event(service, ++lc_seq, type, m);
  trin_err_t err = {0};
  bool membership = true;
  assert_int_equal(agg_events_apply(rows, service, ev, &membership, &err), TRIN_OK);
  tu_event_free(ev);
  return membership;
}

static void project(Trin__Lifecycle__Project *p) {
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = p;
  apply("lifecycle", "lifecycle.stage_changed", &pe.base);
}

/* Marks the dirty rows stored with the next seqs, as the service does. */
static size_t commit(uint64_t *seq) {
  agg_row_t **d;
  size_t n = agg_rows_take_dirty(rows, &d);
  for (size_t i = 0; i < n; i++) d[i]->seq = ++*seq;
  return n;
}

static char *cell(const agg_row_t *r, agg_col_t c) {
  static char out[256];
  agg_value_t v;
  agg_row_get(r, c, &v);
  if (v.null) return strcpy(out, "<null>");
  trin_buf_t b = {0};
  agg_value_text(&b, AGG_COLUMNS[c].type, &v);
  snprintf(out, sizeof out, "%s", b.data ? b.data : "");
  trin_buf_free(&b);
  return out;
}

static void lifecycle_columns(void **state) {
  uint64_t seq = 0;
  Trin__Lifecycle__Project p;
  tu_project(&p, "P-1", "LIVA", "KAB");
  p.fast_track = true;
  p.dwellings = 240;
  project(&p);
  assert_int_equal(commit(&seq), 1);
  agg_row_t *r = agg_rows_find(rows, "P-1");
  assert_non_null(r);
  assert_string_equal(cell(r, AGG_COL_PROJECT_NAME), "P-1");
  assert_string_equal(cell(r, AGG_COL_PARTNERSHIP_ID), "LIVA");
  assert_string_equal(cell(r, AGG_COL_PARTNERSHIP_NAME), "<null>"); /* not announced yet */
  assert_string_equal(cell(r, AGG_COL_CLIENT_ORG), "KAB");           /* id until named */
  assert_string_equal(cell(r, AGG_COL_FAST_TRACK), "true");
  assert_string_equal(cell(r, AGG_COL_DWELLINGS), "240");
  assert_string_equal(cell(r, AGG_COL_STAGE), "pre_study");
  assert_string_equal(cell(r, AGG_COL_STAGE_SINCE), "2024-03-01");
  assert_string_equal(cell(r, AGG_COL_PAUSED), "false");
  assert_string_equal(cell(r, AGG_COL_PAUSE_REASON), "<null>");
  assert_string_equal(cell(r, AGG_COL_BASELINE_HANDOVER), "<null>");
  assert_string_equal(cell(r, AGG_COL_SCHEDULE_VARIANCE_DAYS), "<null>");
  assert_string_equal(cell(r, AGG_COL_OPEN_DISPUTES), "0");
  assert_string_equal(cell(r, AGG_COL_RAG_TIME), "<null>");
  assert_string_equal(cell(r, AGG_COL_RAG_OVERALL), "<null>");
  /* budget and survey said nothing: their columns are empty */
  for (int c = AGG_COL_BUDGET_A_DKK; c <= AGG_COL_SATISFACTION_ALERT; c++)
    assert_string_equal(cell(r, (agg_col_t)c), "<null>");
  assert_string_equal(cell(r, AGG_COL_UPDATED_AT), "2026-11-25T08:00:00.000Z");
  assert_int_equal(r->seq, 1);

  /* names arrive: the rows that use them change */
  Trin__Lifecycle__Organisation o = TRIN__LIFECYCLE__ORGANISATION__INIT;
  o.id = "KAB";
  o.name = "KAB (Københavns Almene Boligselskab)";
  o.kind = "client";
  apply("lifecycle", "lifecycle.organisation_created", &o.base);
  Trin__Lifecycle__Partnership ps = TRIN__LIFECYCLE__PARTNERSHIP__INIT;
  ps.id = "LIVA";
  ps.name = "LIVA Partnerskab";
  ps.client_org = "KAB";
  apply("lifecycle", "lifecycle.partnership_created", &ps.base);
  assert_int_equal(commit(&seq), 1); /* one row, changed twice, one new seq */
  assert_int_equal(r->seq, 2);
  assert_string_equal(cell(r, AGG_COL_CLIENT_ORG), "KAB (Københavns Almene Boligselskab)");
  assert_string_equal(cell(r, AGG_COL_PARTNERSHIP_NAME), "LIVA Partnerskab");
  agg_name_t **names;
  assert_int_equal(agg_rows_take_dirty_names(rows, &names), 2);

  /* the same state again changes nothing */
  project(&p);
  apply("lifecycle", "lifecycle.partnership_created", &ps.base);
  assert_int_equal(commit(&seq), 0);

  /* pause, milestone, disputes, defects */
  p.paused = true;
  p.pause_reason = "landsbyggefonden";
  p.baseline_handover = "2026-06-01";
  p.forecast_handover = "2026-07-01";
  p.schedule_variance_days = 30;
  p.open_disputes = 2;
  p.max_dispute_level = 3;
  p.open_defects = 4;
  project(&p);
  assert_int_equal(commit(&seq), 1);
  assert_int_equal(r->seq, 3);
  assert_string_equal(cell(r, AGG_COL_PAUSED), "true");
  assert_string_equal(cell(r, AGG_COL_PAUSE_REASON), "landsbyggefonden");
  assert_string_equal(cell(r, AGG_COL_BASELINE_HANDOVER), "2026-06-01");
  assert_string_equal(cell(r, AGG_COL_FORECAST_HANDOVER), "2026-07-01");
  assert_string_equal(cell(r, AGG_COL_SCHEDULE_VARIANCE_DAYS), "30");
  assert_string_equal(cell(r, AGG_COL_MAX_DISPUTE_LEVEL), "3");
  assert_string_equal(cell(r, AGG_COL_OPEN_DEFECTS), "4");
  assert_string_equal(cell(r, AGG_COL_RAG_TIME), "amber"); /* 30 > 14 */
  assert_string_equal(cell(r, AGG_COL_RAG_OVERALL), "amber");
  /* a resumed project has no pause reason */
  p.paused = false;
  project(&p);
  commit(&seq);
  assert_string_equal(cell(r, AGG_COL_PAUSE_REASON), "<null>");
}

static void budget_columns(void **state) {
  uint64_t seq = 0;
  Trin__Lifecycle__Project p;
  tu_project(&p, "P-2", "", "KAB");
  project(&p);
  commit(&seq);
  Trin__Budget__ProjectFigures f = TRIN__BUDGET__PROJECT_FIGURES__INIT;
  f.project_id = "P-2";
  f.budget_a_ore = 10000000000; /* 100 mio. kr. */
  Trin__Budget__BudgetEvent be = TRIN__BUDGET__BUDGET_EVENT__INIT;
  be.figures = &f;
  apply("budget", "budget.budget_approved", &be.base);
  assert_int_equal(commit(&seq), 1);
  agg_row_t *r = agg_rows_find(rows, "P-2");
  assert_string_equal(cell(r, AGG_COL_BUDGET_A_DKK), "100000000.00");
  assert_string_equal(cell(r, AGG_COL_BUDGET_B_DKK), "<null>");
  assert_string_equal(cell(r, AGG_COL_DRIFT_PCT), "<null>");
  assert_string_equal(cell(r, AGG_COL_MOLIO_COMPLIANT), "false");
  assert_string_equal(cell(r, AGG_COL_RAG_ECONOMY), "amber"); /* MOLIO fails */
  f.budget_b_ore = 10550000012;
  f.forecast_ore = 10600000000;
  f.drift_known = true;
  f.drift_bp = 550;
  f.market_known = true;
  f.market_adjusted_drift_bp = 120;
  f.molio_compliant = true;
  apply("budget", "budget.budget_approved", &be.base);
  commit(&seq);
  assert_string_equal(cell(r, AGG_COL_BUDGET_B_DKK), "105500000.12");
  assert_string_equal(cell(r, AGG_COL_FORECAST_DKK), "106000000.00");
  assert_string_equal(cell(r, AGG_COL_DRIFT_PCT), "5.50");
  assert_string_equal(cell(r, AGG_COL_MARKET_ADJUSTED_DRIFT_PCT), "1.20");
  assert_string_equal(cell(r, AGG_COL_MOLIO_COMPLIANT), "true");
  /* market-adjusted 1.2 % green, forecast 0.47 % over B green */
  assert_string_equal(cell(r, AGG_COL_RAG_ECONOMY), "green");
  assert_string_equal(cell(r, AGG_COL_RAG_OVERALL), "green");
  /* the Skema A reopened (issue 19): budget's figures no longer have an
   * approved A, nor a drift; the row shows them empty, B and MOLIO stay */
  Trin__Budget__ProjectFigures before = f;
  f.budget_a_ore = 0;
  f.drift_known = false;
  f.drift_bp = 0;
  f.market_known = false;
  f.market_adjusted_drift_bp = 0;
  be.reason = "Tagets mængde var forkert";
  apply("budget", "budget.budget_reopened", &be.base);
  assert_int_equal(commit(&seq), 1);
  assert_string_equal(cell(r, AGG_COL_BUDGET_A_DKK), "<null>");
  assert_string_equal(cell(r, AGG_COL_DRIFT_PCT), "<null>");
  assert_string_equal(cell(r, AGG_COL_MARKET_ADJUSTED_DRIFT_PCT), "<null>");
  assert_string_equal(cell(r, AGG_COL_BUDGET_B_DKK), "105500000.12");
  assert_string_equal(cell(r, AGG_COL_MOLIO_COMPLIANT), "true");
  f = before;
  be.reason = NULL;
  apply("budget", "budget.budget_approved", &be.base);
  commit(&seq);
  assert_string_equal(cell(r, AGG_COL_BUDGET_A_DKK), "100000000.00");
  /* a budget event for a project lifecycle has not announced yet: a row
   * with the budget's columns and empty lifecycle columns */
  f.project_id = "P-NEW";
  apply("budget", "budget.budget_created", &be.base);
  commit(&seq);
  agg_row_t *n = agg_rows_find(rows, "P-NEW");
  assert_non_null(n);
  assert_string_equal(cell(n, AGG_COL_STAGE), "<null>");
  assert_string_equal(cell(n, AGG_COL_DWELLINGS), "<null>");
  assert_string_equal(cell(n, AGG_COL_BUDGET_A_DKK), "100000000.00");
  /* model_set (no figures) changes nothing */
  Trin__Budget__EconomicModel em = TRIN__BUDGET__ECONOMIC_MODEL__INIT;
  em.partnership_id = "LIVA";
  apply("budget", "budget.model_set", &em.base);
  assert_int_equal(commit(&seq), 0);
}

static void set_figures(Trin__Survey__Figures *f, int count, int sum) {
  f->count = count;
  f->sum = sum;
  f->mean_x100 = count ? (sum * 200 + count) / (2 * count) : 0;
}

/* A statement's figures as the survey service sends them: count and sum,
 * and the mean they give rounded half away from zero. */
static Trin__Survey__Figures *fig(const char *key, const char *role, int count, int sum,
                                  int trend, bool suppressed) {
  Trin__Survey__Figures *f = calloc(1, sizeof *f);
  trin__survey__figures__init(f);
  f->statement_key = (char *)key;
  f->role = (char *)role;
  f->suppressed = suppressed;
  set_figures(f, suppressed ? 0 : count, suppressed ? 0 : sum);
  f->trend_x100 = trend;
  f->trend = trend ? (trend >= 10 ? "up" : trend <= -10 ? "down" : "flat") : "";
  return f;
}

static void survey_columns(void **state) {
  uint64_t seq = 0;
  Trin__Survey__RoundResults res = TRIN__SURVEY__ROUND_RESULTS__INIT;
  res.survey_id = "S1";
  res.project_id = "P-3";
  res.round = 1;
  res.closes = "2025-03-01";
  res.scale_min = 1;
  res.scale_max = 5;
  Trin__Survey__Figures *f[4] = {fig("trust", "all", 8, 32, 0, false),
                                 fig("trust", "residents", 8, 8, 0, false),
                                 fig("economy", "all", 8, 29, 0, false),
                                 fig("hidden", "all", 8, 8, 0, true)};
  res.figures = f;
  res.n_figures = 4;
  apply("survey", "survey.results_changed", &res.base);
  commit(&seq);
  agg_row_t *r = agg_rows_find(rows, "P-3");
  /* (32 + 29) / 16 answers = 3.8125 -> 381; suppressed and single roles do
   * not count */
  assert_string_equal(cell(r, AGG_COL_SATISFACTION), "3.81");
  assert_string_equal(cell(r, AGG_COL_SATISFACTION_TREND), "<null>");
  assert_string_equal(cell(r, AGG_COL_SATISFACTION_ALERT), "false");
  /* 3.81 on 1–5 is at 70 % of the scale: green (amber below 60 %) */
  assert_string_equal(cell(r, AGG_COL_RAG_SATISFACTION), "green");
  /* round 2: lower, trending down */
  res.round = 2;
  res.closes = "2025-09-01";
  set_figures(f[0], 8, 24);
  f[0]->trend_x100 = -50;
  f[0]->trend = "down";
  set_figures(f[2], 8, 24);
  f[2]->trend_x100 = -20;
  f[2]->trend = "down";
  apply("survey", "survey.results_changed", &res.base);
  commit(&seq);
  assert_string_equal(cell(r, AGG_COL_SATISFACTION), "3.00");
  assert_string_equal(cell(r, AGG_COL_SATISFACTION_TREND), "down");
  assert_string_equal(cell(r, AGG_COL_RAG_SATISFACTION), "amber"); /* 50 %, and down */
  /* an older round re-imported does not take over */
  res.round = 1;
  set_figures(f[0], 8, 40);
  apply("survey", "survey.results_changed", &res.base);
  commit(&seq);
  assert_string_equal(cell(r, AGG_COL_SATISFACTION), "3.00");
  /* alerts: raised twice (same key) then cleared once -> none */
  Trin__Survey__Alert al = TRIN__SURVEY__ALERT__INIT;
  al.survey_id = "S1";
  al.project_id = "P-3";
  al.round = 2;
  al.statement_key = "trust";
  al.role = "all";
  al.kind = "drop_from_previous";
  apply("survey", "survey.alert_raised", &al.base);
  apply("survey", "survey.alert_raised", &al.base);
  commit(&seq);
  assert_string_equal(cell(r, AGG_COL_SATISFACTION_ALERT), "true");
  assert_string_equal(cell(r, AGG_COL_RAG_SATISFACTION), "red");
  assert_string_equal(cell(r, AGG_COL_RAG_OVERALL), "red");
  apply("survey", "survey.alert_cleared", &al.base);
  commit(&seq);
  assert_string_equal(cell(r, AGG_COL_SATISFACTION_ALERT), "false");
  assert_string_equal(cell(r, AGG_COL_RAG_SATISFACTION), "amber");
  for (int i = 0; i < 4; i++) free(f[i]);
}

/* Issue 18, S-OS-12 round 3 (deploy/demo-portfolio.sh), all roles, 16
 * answers each: TRUST_ECONOMY 46 (2.875 -> 2.88), INFORMED 58 (3.625 ->
 * 3.63), LISTENED 54 (3.375 -> 3.38). The rounded means average to
 * 989 / 3 = 329.67 -> 3.30; every answer together is 158 / 48 = 79 / 24 =
 * 3.2917 -> 3.29, rounded once. With unequal counts the answers weigh
 * (a statement fewer people scored counts less): 9 / 2 and 30 / 10 give
 * 39 / 12 = 3.25, not (450 + 300) / 2 = 3.75. */
static void satisfaction_is_rounded_once(void **state) {
  uint64_t seq = 0;
  Trin__Survey__RoundResults res = TRIN__SURVEY__ROUND_RESULTS__INIT;
  res.survey_id = "S-OS-12";
  res.project_id = "OS-12";
  res.round = 3;
  res.closes = "2024-03-31";
  res.scale_min = 1;
  res.scale_max = 5;
  Trin__Survey__Figures *f[3] = {fig("TRUST_ECONOMY", "all", 16, 46, 0, false),
                                 fig("INFORMED", "all", 16, 58, 0, false),
                                 fig("LISTENED", "all", 16, 54, 0, false)};
  assert_int_equal(f[0]->mean_x100, 288);
  assert_int_equal(f[1]->mean_x100, 363);
  assert_int_equal(f[2]->mean_x100, 338);
  res.figures = f;
  res.n_figures = 3;
  apply("survey", "survey.results_changed", &res.base);
  commit(&seq);
  agg_row_t *r = agg_rows_find(rows, "OS-12");
  assert_int_equal(r->satisfaction_x100, 329);
  assert_string_equal(cell(r, AGG_COL_SATISFACTION), "3.29");
  res.round = 4;
  set_figures(f[0], 2, 9);
  set_figures(f[1], 10, 30);
  res.n_figures = 2;
  apply("survey", "survey.results_changed", &res.base);
  commit(&seq);
  assert_string_equal(cell(r, AGG_COL_SATISFACTION), "3.25");
  /* A tie rounds half away from zero: 13 / 8 = 1.625 -> 1.63. */
  res.round = 5;
  set_figures(f[0], 8, 13);
  res.n_figures = 1;
  apply("survey", "survey.results_changed", &res.base);
  commit(&seq);
  assert_string_equal(cell(r, AGG_COL_SATISFACTION), "1.63");
  for (int i = 0; i < 3; i++) free(f[i]);
}

/* Issue 19: a correction empties round 2 (ClearRound): the survey service
 * sends round 2 without figures, then round 1, older, as the newest round
 * with answers (latest_answered_round): round 1 speaks again. */
static void emptied_round_turns_back(void **state) {
  uint64_t seq = 0;
  Trin__Survey__RoundResults res = TRIN__SURVEY__ROUND_RESULTS__INIT;
  res.survey_id = "S1";
  res.project_id = "P-3";
  res.round = 1;
  res.closes = "2025-03-01";
  res.scale_min = 1;
  res.scale_max = 5;
  res.latest_answered_round = 1;
  Trin__Survey__Figures *f[1] = {fig("trust", "all", 8, 32, 0, false)};
  res.figures = f;
  res.n_figures = 1;
  apply("survey", "survey.results_changed", &res.base);
  res.round = 2;
  res.closes = "2025-09-01";
  res.latest_answered_round = 2;
  set_figures(f[0], 8, 16);
  apply("survey", "survey.results_changed", &res.base);
  commit(&seq);
  agg_row_t *r = agg_rows_find(rows, "P-3");
  assert_string_equal(cell(r, AGG_COL_SATISFACTION), "2.00");
  /* round 2 cleared: no figures, round 1 the newest with answers */
  res.n_figures = 0;
  res.latest_answered_round = 1;
  apply("survey", "survey.results_changed", &res.base);
  commit(&seq);
  assert_string_equal(cell(r, AGG_COL_SATISFACTION), "<null>");
  res.round = 1;
  res.closes = "2025-03-01";
  res.n_figures = 1;
  set_figures(f[0], 8, 32);
  apply("survey", "survey.results_changed", &res.base);
  commit(&seq);
  assert_string_equal(cell(r, AGG_COL_SATISFACTION), "4.00");
  assert_int_equal(r->survey_round, 1);
  /* round 2 imported again: it speaks */
  res.round = 2;
  res.closes = "2025-09-01";
  res.latest_answered_round = 2;
  set_figures(f[0], 8, 28);
  apply("survey", "survey.results_changed", &res.base);
  commit(&seq);
  assert_string_equal(cell(r, AGG_COL_SATISFACTION), "3.50");
  free(f[0]);
}

static void bad_payload_is_refused_and_changes_nothing(void **state) {
  Trin__Event *ev = tu_event("lifecycle", 1, "lifecycle.project_created",
                             &(Trin__Lifecycle__Organisation)TRIN__LIFECYCLE__ORGANISATION__INIT.base);
  free(ev->payload_type);
  ev->payload_type = strdup("trin.lifecycle.ProjectEvent");
  free(ev->payload.data);
  ev->payload.data = (uint8_t *)strdup("\xff\xff\xff\xff");
  ev->payload.len = 4;
  trin_err_t err = {0};
  assert_int_equal(agg_events_apply(rows, "lifecycle", ev, NULL, &err), TRIN_EDECODE);
  assert_string_equal(err.field, "payload");
  assert_int_equal(agg_rows_count(rows), 0);
  tu_event_free(ev);
  /* unknown event kinds are accepted and change nothing */
  Trin__Lifecycle__Organisation o = TRIN__LIFECYCLE__ORGANISATION__INIT;
  apply("benchmark", "benchmark.something", &o.base);
  assert_int_equal(agg_rows_count(rows), 0);
}

/* The aggregator records membership (who may see a row) only when an event
 * changes it: a new project, another client or partnership, any partnership
 * event. A project's everyday events (a milestone, a stage) do not. */
static void membership_changes_are_reported(void **state) {
  Trin__Lifecycle__Project p;
  tu_project(&p, "P-9", "LIVA", "KAB");
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = &p;
  assert_true(apply("lifecycle", "lifecycle.project_created", &pe.base));
  p.dwellings = 12;
  p.stage = "construction";
  assert_false(apply("lifecycle", "lifecycle.stage_changed", &pe.base));
  p.partnership_id = "AAB";
  assert_true(apply("lifecycle", "lifecycle.project_changed", &pe.base));
  assert_false(apply("lifecycle", "lifecycle.project_changed", &pe.base));
  p.client_org = "FSB";
  assert_true(apply("lifecycle", "lifecycle.project_changed", &pe.base));
  p.client_org = "";
  assert_true(apply("lifecycle", "lifecycle.project_changed", &pe.base));
  assert_true(apply("lifecycle", "lifecycle.project_changed", &pe.base)); /* org from the event */
  Trin__Lifecycle__Partnership ps = TRIN__LIFECYCLE__PARTNERSHIP__INIT;
  ps.id = "AAB";
  ps.name = "AAB partnership";
  assert_true(apply("lifecycle", "lifecycle.partnership_changed", &ps.base));
  assert_true(apply("lifecycle", "lifecycle.partnership_changed", &ps.base)); /* members may differ */
  Trin__Budget__BudgetEvent be = TRIN__BUDGET__BUDGET_EVENT__INIT;
  assert_false(apply("budget", "budget.line_set", &be.base));
}

static void stored_form_round_trips(void **state) {
  uint64_t seq = 0;
  Trin__Lifecycle__Project p;
  tu_project(&p, "P-4", "LIVA", "KAB");
  p.baseline_handover = "2026-06-01";
  p.forecast_handover = "2026-06-01";
  p.pause_reason = "authority";
  p.paused = true;
  project(&p);
  Trin__Budget__ProjectFigures f = TRIN__BUDGET__PROJECT_FIGURES__INIT;
  f.project_id = "P-4";
  f.budget_a_ore = 123456;
  f.drift_known = true;
  f.drift_bp = -250;
  Trin__Budget__BudgetEvent be = TRIN__BUDGET__BUDGET_EVENT__INIT;
  be.figures = &f;
  apply("budget", "budget.budget_approved", &be.base);
  commit(&seq);
  agg_row_t *r = agg_rows_find(rows, "P-4");
  uint8_t *b;
  size_t len;
  assert_int_equal(agg_row_pack_state(r, &b, &len, NULL), TRIN_OK);
  agg_rows_t *other = agg_rows_new(NULL);
  assert_int_equal(agg_rows_load_state(other, b, len, NULL), TRIN_OK);
  agg_row_t *c = agg_rows_find(other, "P-4");
  assert_non_null(c);
  for (int col = 0; col < AGG_NCOLS; col++) {
    char a[256];
    snprintf(a, sizeof a, "%s", cell(r, (agg_col_t)col));
    assert_string_equal(cell(c, (agg_col_t)col), a);
  }
  /* loading the same project twice is refused */
  trin_err_t err = {0};
  assert_int_equal(agg_rows_load_state(other, b, len, &err), TRIN_EINVALID);
  free(b);
  agg_rows_destroy(&other);
}

/* Rehousing (issue 20, item 4): empty until the client records a plan; then
 * the plan and the movements' sums, rehoused = temporary + permanent (the
 * worked example of lifecycle.rehousing: 35 + 5 = 40, 32 back), and the
 * stored form keeps them. */
static void rehousing_columns(void **state) {
  uint64_t seq = 0;
  Trin__Lifecycle__Project p;
  tu_project(&p, "P-5", "LIVA", "KAB");
  project(&p);
  commit(&seq);
  agg_row_t *r = agg_rows_find(rows, "P-5");
  for (int c = AGG_COL_WITHOUT_REHOUSING; c <= AGG_COL_LAST_MOVED_BACK_ON; c++)
    assert_string_equal(cell(r, (agg_col_t)c), "<null>");
  p.rehousing_planned = true;
  p.households_to_rehouse = 40;
  p.households_rehoused_temporary = 35;
  p.households_rehoused_permanent = 5;
  p.households_moved_back = 32;
  p.first_rehoused_on = "2027-03-01";
  p.last_moved_back_on = "2028-03-01";
  project(&p);
  assert_int_equal(commit(&seq), 1);
  assert_string_equal(cell(r, AGG_COL_WITHOUT_REHOUSING), "false");
  assert_string_equal(cell(r, AGG_COL_HOUSEHOLDS_TO_REHOUSE), "40");
  assert_string_equal(cell(r, AGG_COL_HOUSEHOLDS_REHOUSED), "40");
  assert_string_equal(cell(r, AGG_COL_HOUSEHOLDS_REHOUSED_PERMANENT), "5");
  assert_string_equal(cell(r, AGG_COL_HOUSEHOLDS_MOVED_BACK), "32");
  assert_string_equal(cell(r, AGG_COL_LAST_MOVED_BACK_ON), "2028-03-01");
  uint8_t *b;
  size_t len;
  assert_int_equal(agg_row_pack_state(r, &b, &len, NULL), TRIN_OK);
  agg_rows_t *other = agg_rows_new(NULL);
  assert_int_equal(agg_rows_load_state(other, b, len, NULL), TRIN_OK);
  agg_row_t *c = agg_rows_find(other, "P-5");
  for (int col = 0; col < AGG_NCOLS; col++) {
    char a[256];
    snprintf(a, sizeof a, "%s", cell(r, (agg_col_t)col));
    assert_string_equal(cell(c, (agg_col_t)col), a);
  }
  free(b);
  agg_rows_destroy(&other);
  /* Another project renovated without rehousing: a flag and zeros, no date. */
  Trin__Lifecycle__Project w;
  tu_project(&w, "P-6", "", "KAB");
  w.rehousing_planned = true;
  w.without_rehousing = true;
  project(&w);
  commit(&seq);
  agg_row_t *rw = agg_rows_find(rows, "P-6");
  assert_string_equal(cell(rw, AGG_COL_WITHOUT_REHOUSING), "true");
  assert_string_equal(cell(rw, AGG_COL_HOUSEHOLDS_REHOUSED), "0");
  assert_string_equal(cell(rw, AGG_COL_LAST_MOVED_BACK_ON), "<null>");
}

/* ---- earned value (issue 20 item 1) ---- */

static void milestone(Trin__Lifecycle__Project *p, const char *name, const char *baseline,
                      int64_t cost, int32_t pct) {
  Trin__Lifecycle__Milestone m = TRIN__LIFECYCLE__MILESTONE__INIT;
  m.name = (char *)name;
  m.baseline = (char *)baseline;
  m.has_planned_cost_ore = cost >= 0;
  m.planned_cost_ore = cost >= 0 ? cost : 0;
  m.has_percent_complete_bp = pct >= 0;
  m.percent_complete_bp = pct >= 0 ? pct : 0;
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = p;
  pe.milestone = &m;
  apply("lifecycle", "lifecycle.milestone_set", &pe.base);
}

static void budget_figures(const char *id, int64_t a, int64_t b, int64_t costs) {
  Trin__Budget__ProjectFigures f = TRIN__BUDGET__PROJECT_FIGURES__INIT;
  f.project_id = (char *)id;
  f.budget_a_ore = a;
  f.budget_b_ore = b;
  f.costs_to_date_ore = costs;
  Trin__Budget__BudgetEvent be = TRIN__BUDGET__BUDGET_EVENT__INIT;
  be.figures = &f;
  apply("budget", "budget.actual_cost_recorded", &be.base);
}

/* The worked example of aggregator.earned_value through events: lifecycle
 * sends the start and the milestones, budget Skema B and the costs to date;
 * the row shows SPI 0.89, CPI 0.91, EAC 11.000.000 and VAC −1.000.000 kr.
 * as of 2026-05-01, and follows the day when it turns. */
static void earned_value_columns(void **state) {
  uint64_t seq = 0;
  agg_rows_set_today(rows, trin_date_from_ymd(2026, 5, 1), 0);
  Trin__Lifecycle__Project p;
  tu_project(&p, "P-EV", "LIVA", "KAB");
  p.start_date = "2026-01-01";
  project(&p);
  agg_row_t *r = agg_rows_find(rows, "P-EV");
  for (int c = AGG_COL_SPI; c <= AGG_COL_VAC_DKK; c++)
    assert_string_equal(cell(r, (agg_col_t)c), "<null>");
  milestone(&p, "design", "2026-03-01", 200000000, 10000);
  milestone(&p, "rough", "2026-07-01", 500000000, 4000);
  p.baseline_handover = "2026-12-01";
  milestone(&p, "handover", "2026-12-01", 300000000, -1);
  /* no price budget yet: nothing to earn */
  for (int c = AGG_COL_SPI; c <= AGG_COL_VAC_DKK; c++)
    assert_string_equal(cell(r, (agg_col_t)c), "<null>");
  budget_figures("P-EV", 900000000, 1000000000, 0);
  assert_string_equal(cell(r, AGG_COL_SPI), "0.89");
  assert_string_equal(cell(r, AGG_COL_CPI), "<null>"); /* no actual cost yet */
  assert_string_equal(cell(r, AGG_COL_EAC_DKK), "<null>");
  budget_figures("P-EV", 900000000, 1000000000, 440000000);
  assert_string_equal(cell(r, AGG_COL_SPI), "0.89");
  assert_string_equal(cell(r, AGG_COL_CPI), "0.91");
  assert_string_equal(cell(r, AGG_COL_EAC_DKK), "11000000.00");
  assert_string_equal(cell(r, AGG_COL_VAC_DKK), "-1000000.00");
  commit(&seq);
  uint64_t before = r->seq;

  /* the same day again changes nothing; the next day moves PV and SPI */
  assert_int_equal(agg_rows_set_today(rows, trin_date_from_ymd(2026, 5, 1), 0), 0);
  assert_int_equal(commit(&seq), 0);
  assert_int_equal(agg_rows_set_today(rows, trin_date_from_ymd(2027, 1, 1), 1000), 1);
  assert_int_equal(commit(&seq), 1);
  assert_true(r->seq > before);
  assert_string_equal(cell(r, AGG_COL_SPI), "0.40");  /* PV = all of BAC */
  assert_string_equal(cell(r, AGG_COL_CPI), "0.91");  /* AC and EV did not move */

  /* the milestone replaced: percent reported on it, its cost dropped */
  milestone(&p, "rough", "2026-07-01", 500000000, 10000);
  assert_string_equal(cell(r, AGG_COL_CPI), "1.59");  /* EV 7.000.000 / AC 4.400.000 */

  /* the stored form keeps the inputs: a reloaded table computes the same */
  uint8_t *b;
  size_t len;
  assert_int_equal(agg_row_pack_state(r, &b, &len, NULL), TRIN_OK);
  agg_rows_t *other = agg_rows_new(NULL);
  assert_int_equal(agg_rows_load_state(other, b, len, NULL), TRIN_OK);
  free(b);
  agg_rows_set_today(other, trin_date_from_ymd(2027, 1, 1), 0);
  agg_row_t *c = agg_rows_find(other, "P-EV");
  for (int col = AGG_COL_SPI; col <= AGG_COL_VAC_DKK; col++) {
    char a[256];
    snprintf(a, sizeof a, "%s", cell(r, (agg_col_t)col));
    assert_string_equal(cell(c, (agg_col_t)col), a);
  }
  assert_int_equal(c->nev_ms, 3);
  assert_int_equal(c->start_date, trin_date_from_ymd(2026, 1, 1));
  assert_int_equal(c->actual_cost_ore, 440000000);
  agg_rows_destroy(&other);
}


/* ---- RAG ---- */

static agg_row_t blank(void) {
  agg_row_t r;
  memset(&r, 0, sizeof r);
  r.scale_min = 1;
  r.scale_max = 5;
  return r;
}

static void rag_time(void **state) {
  agg_thresholds_t t;
  agg_thresholds_default(&t);
  agg_row_t r = blank();
  agg_rag_compute(&r, &t);
  assert_int_equal(r.rag_time, AGG_RAG_NONE);
  assert_int_equal(r.rag_overall, AGG_RAG_NONE);
  r.has = AGG_HAS_VARIANCE;
  int cases[][2] = {{-30, AGG_RAG_GREEN}, {0, AGG_RAG_GREEN}, {14, AGG_RAG_GREEN},
                    {15, AGG_RAG_AMBER}, {60, AGG_RAG_AMBER}, {61, AGG_RAG_RED}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    r.schedule_variance_days = cases[i][0];
    agg_rag_compute(&r, &t);
    assert_int_equal(r.rag_time, cases[i][1]);
    assert_int_equal(r.rag_overall, cases[i][1]);
  }
  t.time_amber_days = 0;
  t.time_red_days = 5;
  r.schedule_variance_days = 1;
  agg_rag_compute(&r, &t);
  assert_int_equal(r.rag_time, AGG_RAG_AMBER);
}

static void rag_economy(void **state) {
  agg_thresholds_t t;
  agg_thresholds_default(&t);
  agg_row_t r = blank();
  r.has = AGG_HAS_BUDGET; /* a budget service spoke, but no figures */
  agg_rag_compute(&r, &t);
  assert_int_equal(r.rag_economy, AGG_RAG_NONE);
  r.has |= AGG_HAS_DRIFT;
  int cases[][2] = {{-900, AGG_RAG_GREEN}, {399, AGG_RAG_GREEN}, {400, AGG_RAG_AMBER},
                    {700, AGG_RAG_AMBER}, {701, AGG_RAG_RED}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    r.drift_bp = cases[i][0];
    agg_rag_compute(&r, &t);
    assert_int_equal(r.rag_economy, cases[i][1]);
  }
  /* the market-adjusted drift wins over the total when known */
  r.drift_bp = 900;
  r.has |= AGG_HAS_MARKET_DRIFT;
  r.market_drift_bp = 100;
  agg_rag_compute(&r, &t);
  assert_int_equal(r.rag_economy, AGG_RAG_GREEN);
  /* the forecast over Skema B: 8 % -> red */
  r.has |= AGG_HAS_BUDGET_B | AGG_HAS_FORECAST;
  r.budget_b_ore = 1000000;
  r.forecast_ore = 1080000;
  agg_rag_compute(&r, &t);
  assert_int_equal(r.rag_economy, AGG_RAG_RED);
  /* MOLIO failing makes green amber */
  r.forecast_ore = 1000000;
  r.has |= AGG_HAS_MOLIO;
  r.molio_compliant = false;
  agg_rag_compute(&r, &t);
  assert_int_equal(r.rag_economy, AGG_RAG_AMBER);
}

/* Earned value judges economy only when the operator says so
 * (rag-economy-earned-value): EAC's overrun of BAC (Skema B, else A) against
 * the economy thresholds. */
static void rag_economy_earned_value(void **state) {
  agg_thresholds_t t;
  agg_thresholds_default(&t);
  agg_row_t r = blank();
  r.has = AGG_HAS_BUDGET | AGG_HAS_BUDGET_A | AGG_HAS_EAC;
  r.budget_a_ore = 1000000;
  r.eac_ore = 1100000; /* 10 % over */
  agg_rag_compute(&r, &t);
  assert_int_equal(r.rag_economy, AGG_RAG_NONE); /* off by default */
  t.economy_earned_value = 1;
  int64_t cases[][2] = {{900000, AGG_RAG_GREEN}, {1039900, AGG_RAG_GREEN},
                        {1040000, AGG_RAG_AMBER}, {1070000, AGG_RAG_AMBER},
                        {1070100, AGG_RAG_RED}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    r.eac_ore = cases[i][0];
    agg_rag_compute(&r, &t);
    assert_int_equal(r.rag_economy, cases[i][1]);
  }
  /* Skema B is the price budget once there is one */
  r.has |= AGG_HAS_BUDGET_B;
  r.budget_b_ore = 1100000;
  r.eac_ore = 1100000;
  agg_rag_compute(&r, &t);
  assert_int_equal(r.rag_economy, AGG_RAG_GREEN);
  /* no estimate: no colour from it */
  r.has &= ~(uint32_t)AGG_HAS_EAC;
  r.eac_ore = 9000000;
  agg_rag_compute(&r, &t);
  assert_int_equal(r.rag_economy, AGG_RAG_NONE);
}

static void rag_satisfaction_and_overall(void **state) {
  agg_thresholds_t t;
  agg_thresholds_default(&t);
  agg_row_t r = blank();
  r.has = AGG_HAS_SATISFACTION | AGG_HAS_SURVEY;
  /* 1–5: 60 % of the span is 3.40, 40 % is 2.60 */
  int cases[][2] = {{340, AGG_RAG_GREEN}, {339, AGG_RAG_AMBER}, {260, AGG_RAG_AMBER},
                    {259, AGG_RAG_RED}};
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    r.satisfaction_x100 = cases[i][0];
    agg_rag_compute(&r, &t);
    assert_int_equal(r.rag_satisfaction, cases[i][1]);
  }
  /* 0–10 scale: 7.0 is 70 % -> green */
  r.scale_min = 0;
  r.scale_max = 10;
  r.satisfaction_x100 = 700;
  agg_rag_compute(&r, &t);
  assert_int_equal(r.rag_satisfaction, AGG_RAG_GREEN);
  /* overall is the worst of those not empty */
  r.has |= AGG_HAS_VARIANCE;
  r.schedule_variance_days = 100;
  agg_rag_compute(&r, &t);
  assert_int_equal(r.rag_overall, AGG_RAG_RED);
  assert_int_equal(r.rag_economy, AGG_RAG_NONE);
  /* thresholds are checked */
  t.time_red_days = 1;
  trin_err_t err = {0};
  assert_int_equal(agg_thresholds_check(&t, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "rag-time-red-days");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(lifecycle_columns, setup, teardown),
      cmocka_unit_test_setup_teardown(budget_columns, setup, teardown),
      cmocka_unit_test_setup_teardown(survey_columns, setup, teardown),
      cmocka_unit_test_setup_teardown(satisfaction_is_rounded_once, setup, teardown),
      cmocka_unit_test_setup_teardown(emptied_round_turns_back, setup, teardown),
      cmocka_unit_test_setup_teardown(bad_payload_is_refused_and_changes_nothing, setup, teardown),
      cmocka_unit_test_setup_teardown(membership_changes_are_reported, setup, teardown),
      cmocka_unit_test_setup_teardown(stored_form_round_trips, setup, teardown),
      cmocka_unit_test_setup_teardown(rehousing_columns, setup, teardown),
      cmocka_unit_test(rag_economy_earned_value),
      cmocka_unit_test_setup_teardown(earned_value_columns, setup, teardown),
      cmocka_unit_test(rag_time),
      cmocka_unit_test(rag_economy),
      cmocka_unit_test(rag_satisfaction_and_overall),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
