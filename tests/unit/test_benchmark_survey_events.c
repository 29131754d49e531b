/* benchmark.survey_events — what a survey.results_changed says to a
 * project's benchmark row: the latest round's satisfaction; an older round
 * re-imported changes nothing, unless a correction (issue 19) emptied the
 * latest round and the older one is the survey's newest with answers
 * (RoundResults.latest_answered_round). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "benchmark_survey_events.h"
#include "trin/survey.pb-c.h"

static void results(Trin__Survey__RoundResults *rr, Trin__Survey__Figures **f, int round,
                    const char *closes, int latest_answered, int count, int sum) {
  trin__survey__round_results__init(rr);
  trin__survey__figures__init(f[0]);
  rr->survey_id = "S1";
  rr->project_id = "P1";
  rr->client_org = "KAB";
  rr->round = round;
  rr->closes = (char *)closes;
  rr->latest_answered_round = latest_answered;
  f[0]->statement_key = "TRUST";
  f[0]->role = "all";
  f[0]->count = count;
  f[0]->sum = sum;
  rr->figures = f;
  rr->n_figures = count ? 1 : 0;
}

static void an_emptied_round_gives_way_to_the_one_before(void **state) {
  (void)state;
  benchmark_project_row_t row;
  memset(&row, 0, sizeof row);
  snprintf(row.id, sizeof row.id, "P1");
  Trin__Survey__Figures fig, *f[1] = {&fig};
  Trin__Survey__RoundResults rr;
  results(&rr, f, 1, "2024-01-31", 1, 8, 32);
  assert_true(benchmark_survey_events.update(&row, &rr.base));
  assert_int_equal(row.p.satisfaction_x100, 400);
  results(&rr, f, 2, "2024-06-30", 2, 8, 16);
  assert_true(benchmark_survey_events.update(&row, &rr.base));
  assert_int_equal(row.p.satisfaction_x100, 200);
  /* an older round re-imported changes nothing */
  results(&rr, f, 1, "2024-01-31", 2, 8, 40);
  assert_false(benchmark_survey_events.update(&row, &rr.base));
  assert_int_equal(row.p.satisfaction_x100, 200);
  /* round 2 cleared: no satisfaction; then round 1, the newest with answers */
  results(&rr, f, 2, "2024-06-30", 1, 0, 0);
  assert_true(benchmark_survey_events.update(&row, &rr.base));
  assert_false(row.p.has & BENCHMARK_PHAS_SATISFACTION);
  results(&rr, f, 1, "2024-01-31", 1, 8, 32);
  assert_true(benchmark_survey_events.update(&row, &rr.base));
  assert_true(row.p.has & BENCHMARK_PHAS_SATISFACTION);
  assert_int_equal(row.p.satisfaction_x100, 400);
  assert_string_equal(row.satisfaction_closes, "2024-01-31");
  /* round 2 imported again speaks */
  results(&rr, f, 2, "2024-06-30", 2, 8, 28);
  assert_true(benchmark_survey_events.update(&row, &rr.base));
  assert_int_equal(row.p.satisfaction_x100, 350);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(an_emptied_round_gives_way_to_the_one_before),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
