/* benchmark.budget_events — what budget's events say to a project's row
 * (benchmark_budget_events): a reopened Skema A (budget.budget_reopened, or
 * a withdrawal) carries the figures of a project without an approved
 * Skema A, and the row drops Skema A and the drift as for a project that
 * never had one; the correction counts in the year it was made (its
 * commit time: the payload names no date). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "benchmark_budget_events.h"
#include "trin/budget.pb-c.h"

static void a_reopened_skema_a_drops_the_drift(void **state) {
  (void)state;
  benchmark_project_row_t row;
  memset(&row, 0, sizeof row);
  snprintf(row.id, sizeof row.id, "P1");
  Trin__Budget__ProjectFigures f = TRIN__BUDGET__PROJECT_FIGURES__INIT;
  f.project_id = "P1";
  f.partnership_id = "LIVA-P";
  f.budget_a_ore = 350000000;
  f.budget_b_ore = 380000000;
  f.drift_known = true;
  f.drift_ore = 30000000;
  f.market_known = true;
  f.market_adjusted_drift_ore = 10000000;
  Trin__Budget__Budget b = TRIN__BUDGET__BUDGET__INIT;
  b.id = "P1-A";
  b.approved_on = "2023-02-10";
  Trin__Budget__BudgetEvent be = TRIN__BUDGET__BUDGET_EVENT__INIT;
  be.figures = &f;
  be.budget = &b;
  const benchmark_upstream_t *u = &benchmark_budget_events;
  const char *date = NULL;
  assert_string_equal(u->project(&be.base, "budget.budget_approved", &date), "P1");
  assert_string_equal(date, "2023-02-10");
  assert_true(u->update(&row, &be.base));
  assert_true(row.p.has & BENCHMARK_PHAS_DRIFT);
  assert_true(row.p.has & BENCHMARK_PHAS_MARKET);
  assert_int_equal(row.p.drift_ore, 30000000);

  /* Reopened: no approved Skema A, so no drift (what budget now says). */
  f.budget_a_ore = 0;
  f.drift_known = false;
  f.drift_ore = 0;
  f.market_known = false;
  f.market_adjusted_drift_ore = 0;
  b.status = "draft";
  b.approved_on = "";
  be.reason = "Tagets mængde var forkert";
  be.by = "LIVA";
  date = "unset";
  assert_string_equal(u->project(&be.base, "budget.budget_reopened", &date), "P1");
  assert_null(date); /* the commit time */
  assert_true(u->update(&row, &be.base));
  assert_false(row.p.has & BENCHMARK_PHAS_DRIFT);
  assert_false(row.p.has & BENCHMARK_PHAS_MARKET);
  assert_int_equal(row.p.budget_a_ore, 0);
  assert_int_equal(row.p.drift_ore, 0);
  /* the same again says nothing new */
  assert_false(u->update(&row, &be.base));
  date = "unset";
  assert_string_equal(u->project(&be.base, "budget.budget_withdrawn", &date), "P1");
  assert_null(date);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_reopened_skema_a_drops_the_drift),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
