/* benchmark.sustainability — the portfolio figures of issue 20, item 3
 * (reuse_share_pct, reused_between_projects_t, energy_saving_kwh_m2) worked
 * by hand over two organisations, their ranks, and their edge cases: no
 * measures, no area, projects outside any partnership. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "benchmark_index.h"
#include "benchmark_rules.h"

static benchmark_project_t project(bool in_partnership, int32_t reuse, int64_t between_kg,
                                   bool measured, int32_t saving_x100, int32_t area) {
  benchmark_project_t p = {.has = BENCHMARK_PHAS_LIFECYCLE};
  p.sustain.in_partnership = in_partnership;
  p.sustain.reuse_measures = reuse;
  p.sustain.reused_between_kg = between_kg;
  p.sustain.energy_measured = measured;
  p.sustain.energy_saving_x100 = saving_x100;
  p.sustain.gross_area_m2 = area;
  return p;
}

static void add(benchmark_index_t *ix, const char *id, int32_t org, benchmark_project_t p) {
  benchmark_project_year_t y = {2025, p};
  assert_true(benchmark_index_project_set(ix, id, org, true, p.sustain.in_partnership, &y, 1) >=
              0);
}

static void table(void **state) {
  (void)state;
  trin_err_t err = {0};
  assert_int_equal(benchmark_figure_find("reuse_share_pct", "figure", &err),
                   BENCHMARK_FIG_REUSE_SHARE);
  assert_int_equal(benchmark_figure_find("reused_between_projects_t", "figure", &err),
                   BENCHMARK_FIG_REUSED_BETWEEN_PROJECTS);
  assert_int_equal(benchmark_figure_find("energy_saving_kwh_m2", "figure", &err),
                   BENCHMARK_FIG_ENERGY_SAVING);
  for (int f = BENCHMARK_FIG_REUSE_SHARE; f <= BENCHMARK_FIG_ENERGY_SAVING; f++) {
    assert_int_equal(benchmark_figures[f].kind, BENCHMARK_KIND_PORTFOLIO);
    assert_int_equal(benchmark_figures[f].direction, BENCHMARK_HIGHER_IS_BETTER);
  }
}

/* KAB: K1 (partnership; 2 reuse measures, 18.500 kg from another project,
 *          measured saving 42,60 kWh/m² on 2.400 m²),
 *      K2 (partnership; no reuse; measured saving 10,00 on 1.600 m²),
 *      K3 (outside any partnership; 1 reuse measure from a dealer).
 * FSB: F1 (partnership; 1 reuse measure, 3.000 kg from another project),
 *      F2 (partnership; nothing).
 * reuse share:     KAB 2 / 3 = 66,67 %;  FSB 1 / 2 = 50,00 %
 * between, t/proj: KAB (18.500 + 0) / 2 = 9,250 t (K3 is outside: not
 *                  counted);  FSB (3.000 + 0) / 2 = 1,500 t
 * energy saving:   KAB (42,60 × 2.400 + 10,00 × 1.600) / 4.000
 *                  = (102.240 + 16.000) / 4.000 = 29,56 kWh/m²; FSB none. */
static void worked_example_and_ranks(void **state) {
  (void)state;
  benchmark_index_t *ix = benchmark_index_new();
  int32_t kab = benchmark_index_org_set(ix, "KAB", "KAB", true);
  int32_t fsb = benchmark_index_org_set(ix, "FSB", "fsb", true);
  add(ix, "K1", kab, project(true, 2, 18500, true, 4260, 2400));
  add(ix, "K2", kab, project(true, 0, 0, true, 1000, 1600));
  add(ix, "K3", kab, project(false, 1, 0, false, 0, 900));
  add(ix, "F1", fsb, project(true, 1, 3000, false, 0, 1200));
  add(ix, "F2", fsb, project(true, 0, 0, false, 0, 0));

  const benchmark_ranking_t *r;
  assert_int_equal(benchmark_index_rank(ix, BENCHMARK_FIG_REUSE_SHARE, 0, &BENCHMARK_PEER_ANY,
                                        &r), 0);
  assert_int_equal(r->n, 2);
  assert_string_equal(r->items[0].id, "KAB");
  assert_int_equal(r->items[0].value, 6667);
  assert_int_equal(r->items[0].rank, 1);
  assert_string_equal(r->items[1].id, "FSB");
  assert_int_equal(r->items[1].value, 5000);
  assert_int_equal(r->items[1].rank, 2);

  assert_int_equal(benchmark_index_rank(ix, BENCHMARK_FIG_REUSED_BETWEEN_PROJECTS, 0,
                                        &BENCHMARK_PEER_ANY, &r), 0);
  assert_int_equal(r->n, 2);
  assert_string_equal(r->items[0].id, "KAB");
  assert_int_equal(r->items[0].value, 9250); /* 9,250 t: scale 3 */
  assert_int_equal(r->items[0].count, 2);
  assert_int_equal(r->items[1].value, 1500);

  assert_int_equal(benchmark_index_rank(ix, BENCHMARK_FIG_ENERGY_SAVING, 0, &BENCHMARK_PEER_ANY,
                                        &r), 0);
  assert_int_equal(r->n, 1); /* FSB measured nothing: not ranked */
  assert_string_equal(r->items[0].id, "KAB");
  assert_int_equal(r->items[0].value, 2956);
  assert_int_equal(r->items[0].count, 2);

  /* The year's values are the same state at the end of 2025. */
  assert_int_equal(benchmark_index_rank(ix, BENCHMARK_FIG_ENERGY_SAVING, 2025,
                                        &BENCHMARK_PEER_ANY, &r), 0);
  assert_int_equal(r->items[0].value, 2956);
  benchmark_index_destroy(&ix);
}

static void edges(void **state) {
  (void)state;
  benchmark_wide_t num = 0, den = 0;
  const benchmark_figure_t *share = &benchmark_figures[BENCHMARK_FIG_REUSE_SHARE];
  const benchmark_figure_t *between = &benchmark_figures[BENCHMARK_FIG_REUSED_BETWEEN_PROJECTS];
  const benchmark_figure_t *energy = &benchmark_figures[BENCHMARK_FIG_ENERGY_SAVING];
  /* Nothing from the lifecycle yet: no term anywhere. */
  benchmark_project_t none = {0};
  assert_false(share->project_term(&none, &num, &den));
  assert_false(between->project_term(&none, &num, &den));
  assert_false(energy->project_term(&none, &num, &den));
  /* No measures: counts as a project without reuse, and as 0 kg. */
  benchmark_project_t p = project(true, 0, 0, false, 0, 1000);
  assert_true(share->project_term(&p, &num, &den));
  assert_true(num == 0 && den == 1);
  assert_true(between->project_term(&p, &num, &den));
  assert_true(num == 0 && den == 1);
  assert_false(energy->project_term(&p, &num, &den));
  /* A measured saving without an area cannot be weighed. */
  p = project(true, 0, 0, true, 4260, 0);
  assert_false(energy->project_term(&p, &num, &den));
  /* A negative saving (more consumption after) counts as it is. */
  p = project(true, 0, 0, true, -125, 400);
  assert_true(energy->project_term(&p, &num, &den));
  int64_t v;
  assert_true(benchmark_figure_value(energy, num, den, &v));
  assert_int_equal(v, -125);
  /* Outside any partnership: no "between projects" term. */
  p = project(false, 3, 0, false, 0, 100);
  assert_false(between->project_term(&p, &num, &den));
  assert_true(share->project_term(&p, &num, &den));
  assert_true(num == 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(table),
      cmocka_unit_test(worked_example_and_ranks),
      cmocka_unit_test(edges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
