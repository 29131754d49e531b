/* benchmark.repetition — repetition evidence (issue 20, item 5): the
 * least-squares trend per step of drift, schedule variance, cost per
 * dwelling and satisfaction over one partnership's projects of a kind, in
 * the order they started, against values worked out by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "benchmark_repetition.h"

static benchmark_rep_project_t project(const char *id, const char *start, int64_t a, int64_t drift,
                                       int32_t dwellings) {
  benchmark_rep_project_t r = {.id = id, .start_date = start};
  r.p.has = BENCHMARK_PHAS_LIFECYCLE | BENCHMARK_PHAS_DRIFT;
  r.p.budget_a_ore = a;
  r.p.drift_ore = drift;
  r.p.dwellings = dwellings;
  return r;
}

static void schedule(benchmark_rep_project_t *r, int32_t days) {
  r->p.has |= BENCHMARK_PHAS_SCHEDULE;
  r->p.schedule_variance_days = days;
}

static void satisfaction(benchmark_rep_project_t *r, int32_t x100) {
  r->p.has |= BENCHMARK_PHAS_SATISFACTION;
  r->p.satisfaction_x100 = x100;
}

/* Four projects, given out of order; p2 and p3 started the same day, so the
 * steps are p1 = 1, p2 = 2, p3 = 2, p4 = 3.
 *   p1 2020-01-10  A 1.000.000 kr, drift 80.000 kr  (800 bp), 40 dwellings,
 *                  B/dwelling 27.000 kr, +60 days, satisfaction 3,50
 *   p2 2021-03-01  A 2.000.000 kr, drift 120.000 kr (600 bp), 80 dwellings,
 *                  26.500 kr, +30 days, 3,80
 *   p3 2021-03-01  A 1.500.000 kr, drift 60.000 kr  (400 bp), 50 dwellings,
 *                  31.200 kr, no handover baseline, 3,90
 *   p4 2022-06-15  A 3.000.000 kr, drift 30.000 kr  (100 bp), 100 dwellings,
 *                  30.300 kr, +10 days, no survey
 * slope = (n·Σxy − Σx·Σy) / (n·Σx² − (Σx)²):
 *   drift        x 1,2,2,3  y 800,600,400,100: Σx 8, Σy 1900, Σxy 3100, Σx² 18
 *                (4·3100 − 8·1900) / (4·18 − 64) = −2800 / 8 = −350 bp per step
 *   schedule     x 1,2,3  y 60,30,10: (3·150 − 6·100) / (3·14 − 36) = −150 / 6 = −25 days
 *   cost/dwell.  y 2.700.000, 2.650.000, 3.120.000, 3.030.000 øre: Σy 11.500.000,
 *                Σxy 23.330.000; (93.320.000 − 92.000.000) / 8 = 165.000 øre per step
 *   satisfaction x 1,2,2  y 350,380,390: (3·1890 − 5·1120) / (27 − 25) = 70 / 2 = 35 */
static void worked_example_by_hand(void **state) {
  benchmark_rep_project_t ps[4];
  ps[0] = project("p4", "2022-06-15", 300000000, 3000000, 100);
  schedule(&ps[0], 10);
  ps[1] = project("p3", "2021-03-01", 150000000, 6000000, 50);
  satisfaction(&ps[1], 390);
  ps[2] = project("p1", "2020-01-10", 100000000, 8000000, 40);
  schedule(&ps[2], 60);
  satisfaction(&ps[2], 350);
  ps[3] = project("p2", "2021-03-01", 200000000, 12000000, 80);
  schedule(&ps[3], 30);
  satisfaction(&ps[3], 380);

  benchmark_rep_result_t r;
  benchmark_repetition(ps, 4, &r);
  assert_int_equal(r.projects, 4);
  assert_int_equal(r.steps, 3);
  assert_string_equal(ps[0].id, "p1"); /* sorted by start date, then id */
  assert_string_equal(ps[1].id, "p2");

  const benchmark_rep_trend_t *d = &r.trend[BENCHMARK_REP_DRIFT_BP];
  assert_true(d->shown);
  assert_int_equal(d->projects, 4);
  assert_int_equal(d->slope, -350);
  assert_int_equal(d->first, 800);
  assert_int_equal(d->latest, 100);
  assert_int_equal(d->change, -700);
  assert_string_equal(d->first_id, "p1");
  assert_string_equal(d->latest_id, "p4");
  assert_true(d->improving);

  const benchmark_rep_trend_t *s = &r.trend[BENCHMARK_REP_SCHEDULE_VARIANCE_DAYS];
  assert_true(s->shown);
  assert_int_equal(s->projects, 3);
  assert_int_equal(s->slope, -25);
  assert_int_equal(s->change, -50);
  assert_true(s->improving);

  const benchmark_rep_trend_t *c = &r.trend[BENCHMARK_REP_COST_PER_DWELLING_ORE];
  assert_true(c->shown);
  assert_int_equal(c->slope, 165000);
  assert_int_equal(c->first, 2700000);
  assert_int_equal(c->latest, 3030000);
  assert_int_equal(c->change, 330000);
  assert_false(c->improving); /* dearer per dwelling: lower is better */

  const benchmark_rep_trend_t *q = &r.trend[BENCHMARK_REP_SATISFACTION_X100];
  assert_true(q->shown);
  assert_int_equal(q->projects, 3);
  assert_int_equal(q->slope, 35);
  assert_int_equal(q->first, 350);
  assert_int_equal(q->latest, 390);
  assert_string_equal(q->latest_id, "p3");
  assert_true(q->improving);
}

/* Rounded once, half away from zero: y 0, 0, 1 over steps 1, 2, 3 gives
 * (3·3 − 6·1) / (3·14 − 36) = 3 / 6 = 0,5 → 1; y 0, 0, −1 gives −1. */
static void slope_rounds_once_half_away_from_zero(void **state) {
  benchmark_rep_project_t ps[3] = {project("a", "2020-01-01", 1, 0, 1),
                                   project("b", "2020-02-01", 1, 0, 1),
                                   project("c", "2020-03-01", 1, 0, 1)};
  schedule(&ps[0], 0);
  schedule(&ps[1], 0);
  schedule(&ps[2], 1);
  benchmark_rep_result_t r;
  benchmark_repetition(ps, 3, &r);
  assert_int_equal(r.trend[BENCHMARK_REP_SCHEDULE_VARIANCE_DAYS].slope, 1);
  assert_false(r.trend[BENCHMARK_REP_SCHEDULE_VARIANCE_DAYS].improving);
  ps[2].p.schedule_variance_days = -1;
  benchmark_repetition(ps, 3, &r);
  assert_int_equal(r.trend[BENCHMARK_REP_SCHEDULE_VARIANCE_DAYS].slope, -1);
  assert_true(r.trend[BENCHMARK_REP_SCHEDULE_VARIANCE_DAYS].improving);
  /* a flat trend is not an improvement */
  assert_int_equal(r.trend[BENCHMARK_REP_DRIFT_BP].slope, 0);
  assert_false(r.trend[BENCHMARK_REP_DRIFT_BP].improving);
}

static void one_project_is_not_a_trend(void **state) {
  benchmark_rep_project_t ps[1] = {project("a", "2020-01-01", 100, 10, 1)};
  benchmark_rep_result_t r;
  benchmark_repetition(ps, 1, &r);
  assert_int_equal(r.steps, 1);
  const benchmark_rep_trend_t *d = &r.trend[BENCHMARK_REP_DRIFT_BP];
  assert_false(d->shown);
  assert_int_equal(d->projects, 1);
  assert_int_equal(d->first, 0);
  assert_string_equal(d->why, "1 project with drift_bp: fewer than the minimum of 3");
  assert_string_equal(r.trend[BENCHMARK_REP_SATISFACTION_X100].why,
                      "0 projects with satisfaction_x100: fewer than the minimum of 3");
}

static void no_projects(void **state) {
  benchmark_rep_result_t r;
  benchmark_repetition(NULL, 0, &r);
  assert_int_equal(r.projects, 0);
  assert_int_equal(r.steps, 0);
  assert_false(r.trend[BENCHMARK_REP_COST_PER_DWELLING_ORE].shown);
}

static void equal_start_dates_have_no_order(void **state) {
  benchmark_rep_project_t ps[3] = {project("a", "2021-05-01", 100, 10, 1),
                                   project("b", "2021-05-01", 100, 20, 1),
                                   project("c", "2021-05-01", 100, 30, 1)};
  benchmark_rep_result_t r;
  benchmark_repetition(ps, 3, &r);
  assert_int_equal(r.steps, 1);
  const benchmark_rep_trend_t *d = &r.trend[BENCHMARK_REP_DRIFT_BP];
  assert_false(d->shown);
  assert_int_equal(d->projects, 3);
  assert_string_equal(d->why, "every project with drift_bp started the same day: no order");
}

/* Missing measures leave a project out of that measure only: a project
 * without Skema A (no drift, no cost per dwelling) or without dwellings. */
static void missing_measures(void **state) {
  benchmark_rep_project_t ps[4] = {project("a", "2020-01-01", 100, 10, 0),
                                   project("b", "2020-06-01", 0, 0, 2),
                                   project("c", "2021-01-01", 100, 5, 2),
                                   project("d", "2022-01-01", 100, 0, 2)};
  ps[1].p.has = BENCHMARK_PHAS_LIFECYCLE; /* no budget yet */
  int64_t v;
  assert_false(benchmark_rep_value(&ps[0].p, BENCHMARK_REP_COST_PER_DWELLING_ORE, &v));
  assert_false(benchmark_rep_value(&ps[1].p, BENCHMARK_REP_DRIFT_BP, &v));
  benchmark_rep_result_t r;
  benchmark_repetition(ps, 4, &r);
  /* drift over a (step 1) 1000 bp, c (3) 500, d (4) 0:
   * Σx 8, Σy 1500, Σxy 2500, Σx² 26: (3·2500 − 8·1500) / (78 − 64) = −4500 / 14 = −321,4 */
  assert_int_equal(r.trend[BENCHMARK_REP_DRIFT_BP].projects, 3);
  assert_int_equal(r.trend[BENCHMARK_REP_DRIFT_BP].slope, -321);
  /* cost per dwelling has c and d only */
  assert_false(r.trend[BENCHMARK_REP_COST_PER_DWELLING_ORE].shown);
  assert_string_equal(r.trend[BENCHMARK_REP_COST_PER_DWELLING_ORE].why,
                      "2 projects with cost_per_dwelling_ore: fewer than the minimum of 3");
}

/* Ranked as every figure: drift slopes −350 (A), −100 (B), −350 (C), +50
 * (D) bp per project, lower is better: A and C share rank 1, B is 3rd, D
 * 4th; the same slopes as satisfaction (higher is better) turn it round. */
static void ranks_across_partnerships(void **state) {
  const int64_t slopes[] = {-350, -100, -350, 50};
  const char *const ids[] = {"A", "B", "C", "D"};
  int32_t rank, of;
  benchmark_rep_rank(slopes, ids, 4, BENCHMARK_REP_DRIFT_BP, "C", &rank, &of);
  assert_int_equal(rank, 1);
  assert_int_equal(of, 4);
  benchmark_rep_rank(slopes, ids, 4, BENCHMARK_REP_DRIFT_BP, "B", &rank, &of);
  assert_int_equal(rank, 3);
  benchmark_rep_rank(slopes, ids, 4, BENCHMARK_REP_DRIFT_BP, "D", &rank, &of);
  assert_int_equal(rank, 4);
  benchmark_rep_rank(slopes, ids, 4, BENCHMARK_REP_SATISFACTION_X100, "D", &rank, &of);
  assert_int_equal(rank, 1);
  benchmark_rep_rank(slopes, ids, 4, BENCHMARK_REP_SATISFACTION_X100, "A", &rank, &of);
  assert_int_equal(rank, 3);
  /* not among them */
  benchmark_rep_rank(slopes, ids, 4, BENCHMARK_REP_DRIFT_BP, "E", &rank, &of);
  assert_int_equal(rank, 0);
  benchmark_rep_rank(NULL, NULL, 0, BENCHMARK_REP_DRIFT_BP, "A", &rank, &of);
  assert_int_equal(rank, 0);
  assert_int_equal(of, 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(worked_example_by_hand),
      cmocka_unit_test(slope_rounds_once_half_away_from_zero),
      cmocka_unit_test(one_project_is_not_a_trend),
      cmocka_unit_test(no_projects),
      cmocka_unit_test(equal_start_dates_have_no_order),
      cmocka_unit_test(missing_measures),
      cmocka_unit_test(ranks_across_partnerships),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
