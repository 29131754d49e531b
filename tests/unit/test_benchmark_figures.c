/* benchmark.figures — the key-figure table against hand-computed values:
 * the maintenance model's weighted grade, every property figure over an
 * organisation with two properties (ratios of sums, area-weighted means),
 * every portfolio figure over two projects, and the table's shape. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "benchmark_index.h"
#include "benchmark_rules.h"

static const benchmark_model_part_t MODEL[] = {
    {"roof", 20}, {"facade", 20}, {"windows", 15}, {"installations", 25}, {"interior", 20}};

/* Worked by hand: statement A, 6 answers summing 20 (3.333…), statement B,
 * 5 answers summing 17 (3.40). Every answer: 37 / 11 = 3.3636… → 336. The
 * old way, the mean of the rounded means (333 + 340) / 2 = 336.5, gave 337.
 * OS-12 of the demo (46, 58, 54 over 16 each): 158 / 48 = 3.2916… → 329. */
static void satisfaction_is_rounded_once(void **state) {
  (void)state;
  int32_t s = -1;
  const int64_t sums[] = {20, 17};
  const int32_t counts[] = {6, 5};
  assert_true(benchmark_satisfaction_x100(sums, counts, 2, &s));
  assert_int_equal(s, 336);
  const int64_t os12[] = {46, 58, 54};
  const int32_t sixteen[] = {16, 16, 16};
  assert_true(benchmark_satisfaction_x100(os12, sixteen, 3, &s));
  assert_int_equal(s, 329);
  /* half away from zero: 13 / 8 = 1.625 → 163 */
  const int64_t tie[] = {13};
  const int32_t eight[] = {8};
  assert_true(benchmark_satisfaction_x100(tie, eight, 1, &s));
  assert_int_equal(s, 163);
  /* nothing visible: unknown, not 0.00 */
  const int32_t none[] = {0};
  assert_false(benchmark_satisfaction_x100(tie, none, 1, &s));
  assert_int_equal(s, 0);
}

static void weighted_grade_all_parts(void **state) {
  /* 2×20 + 3×20 + 4×15 + 1×25 + 5×20 = 285 over weight 100 -> 2.85 */
  benchmark_part_grade_t g[] = {{"roof", 2}, {"facade", 3}, {"windows", 4}, {"installations", 1},
                         {"interior", 5}};
  bool has;
  int32_t out;
  trin_err_t err = {0};
  assert_int_equal(benchmark_weighted_grade_x100(g, 5, MODEL, 5, &has, &out, &err), TRIN_OK);
  assert_true(has);
  assert_int_equal(out, 285);
}

static void weighted_grade_some_parts(void **state) {
  /* roof 2 (20), windows 5 (15): (40 + 75) / 35 = 3.2857 -> 3.29 */
  benchmark_part_grade_t g[] = {{"roof", 2}, {"windows", 5}};
  bool has;
  int32_t out;
  trin_err_t err = {0};
  assert_int_equal(benchmark_weighted_grade_x100(g, 2, MODEL, 5, &has, &out, &err), TRIN_OK);
  assert_int_equal(out, 329);
  assert_int_equal(benchmark_weighted_grade_x100(g, 0, MODEL, 5, &has, &out, &err), TRIN_OK);
  assert_false(has);
}

static void weighted_grade_refuses_bad_parts(void **state) {
  bool has;
  int32_t out;
  trin_err_t err = {0};
  benchmark_part_grade_t unknown[] = {{"roof", 2}, {"chimney", 3}};
  assert_int_equal(benchmark_weighted_grade_x100(unknown, 2, MODEL, 5, &has, &out, &err),
                   TRIN_EINVALID);
  assert_string_equal(err.field, "maintenance[1]");
  assert_non_null(strstr(err.message, "chimney"));
  benchmark_part_grade_t six[] = {{"roof", 6}};
  assert_int_equal(benchmark_weighted_grade_x100(six, 1, MODEL, 5, &has, &out, &err),
                   TRIN_EINVALID);
  assert_non_null(strstr(err.message, "1–5"));
  benchmark_part_grade_t twice[] = {{"roof", 2}, {"roof", 3}};
  assert_int_equal(benchmark_weighted_grade_x100(twice, 2, MODEL, 5, &has, &out, &err),
                   TRIN_EINVALID);
  assert_non_null(strstr(err.message, "twice"));
}

static void model_check(void **state) {
  trin_err_t err = {0};
  assert_int_equal(benchmark_model_check(MODEL, 5, &err), TRIN_OK);
  benchmark_model_part_t bad[] = {{"roof", 20}, {"roof", 10}};
  assert_int_equal(benchmark_model_check(bad, 2, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "model.parts[1].part");
  benchmark_model_part_t zero[] = {{"roof", 0}};
  assert_int_equal(benchmark_model_check(zero, 1, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "model.parts[0].weight");
  assert_int_equal(benchmark_model_check(MODEL, 0, &err), TRIN_EINVALID);
}

static void size_bands(void **state) {
  assert_int_equal(benchmark_size_band(999), BENCHMARK_BAND_SMALL);
  assert_int_equal(benchmark_size_band(1000), BENCHMARK_BAND_MEDIUM);
  assert_int_equal(benchmark_size_band(4999), BENCHMARK_BAND_MEDIUM);
  assert_int_equal(benchmark_size_band(5000), BENCHMARK_BAND_LARGE);
  assert_int_equal(benchmark_size_band(19999), BENCHMARK_BAND_LARGE);
  assert_int_equal(benchmark_size_band(20000), BENCHMARK_BAND_VERY_LARGE);
}

static void table_shape(void **state) {
  trin_err_t err = {0};
  for (int i = 0; i < BENCHMARK_FIG_COUNT; i++) {
    const benchmark_figure_t *f = &benchmark_figures[i];
    assert_int_equal(benchmark_figure_find(f->name, "figure", &err), i);
    assert_true(f->mult > 0);
    if (i < BENCHMARK_PROPERTY_FIGURES) {
      assert_int_equal(f->kind, BENCHMARK_KIND_PROPERTY);
      assert_non_null(f->property_term);
    } else {
      assert_int_equal(f->kind, BENCHMARK_KIND_PORTFOLIO);
      assert_non_null(f->project_term);
    }
  }
  assert_int_equal(benchmark_figure_find("cost_per_sqft", "figure", &err), -1);
  assert_string_equal(err.field, "figure");
  assert_int_equal(benchmark_figures[BENCHMARK_FIG_ANVENDELSESGRAD].direction,
                   BENCHMARK_HIGHER_IS_BETTER);
  assert_int_equal(benchmark_figures[BENCHMARK_FIG_MAINTENANCE_GRADE].direction,
                   BENCHMARK_LOWER_IS_BETTER);
  assert_int_equal(benchmark_figures[BENCHMARK_FIG_LATEST_SATISFACTION].direction,
                   BENCHMARK_HIGHER_IS_BETTER);
}

/* The value of figure f for the only organisation in ix. */
static int64_t org_value(benchmark_index_t *ix, int f, int year) {
  const benchmark_ranking_t *r;
  assert_int_equal(benchmark_index_rank(ix, f, year, &BENCHMARK_PEER_ANY, &r), 0);
  assert_int_equal(r->n, 1);
  return r->items[0].value;
}

static void property_figures_of_one_organisation(void **state) {
  benchmark_index_t *ix = benchmark_index_new();
  int32_t o = benchmark_index_org_set(ix, "K1", "Kommune 1", false);
  int32_t a = benchmark_index_property_set(ix, "A", o, BENCHMARK_TYPE_SCHOOL, 1000, "nord");
  int32_t b = benchmark_index_property_set(ix, "B", o, BENCHMARK_TYPE_SCHOOL, 3000, "nord");
  benchmark_measure_t ma = {.has = BENCHMARK_HAS_COST | BENCHMARK_HAS_ELECTRICITY |
                                   BENCHMARK_HAS_HEAT | BENCHMARK_HAS_WATER | BENCHMARK_HAS_GRADE |
                                   BENCHMARK_HAS_CLIMATE | BENCHMARK_HAS_ANVENDELSE |
                                   BENCHMARK_HAS_UDNYTTELSE | BENCHMARK_HAS_UNDERSTOETTELSE,
                            .cost_ore = 50000000,
                            .electricity_kwh = 50000,
                            .heat_kwh = 100000,
                            .water_litres = 1000000,
                            .grade_x100 = 200,
                            .climate_class = 2,
                            .anvendelsesgrad_bp = 8000,
                            .udnyttelsesgrad_bp = 9000,
                            .understoettelsesgrad_bp = 5000};
  benchmark_measure_t mb = ma;
  mb.cost_ore = 30000000;
  mb.electricity_kwh = 40000;
  mb.heat_kwh = 110001;
  mb.water_litres = 2000000;
  mb.grade_x100 = 400;
  mb.climate_class = 3;
  mb.anvendelsesgrad_bp = 6000;
  mb.udnyttelsesgrad_bp = 7000;
  mb.understoettelsesgrad_bp = 7001;
  assert_int_equal(benchmark_index_measure_set(ix, a, 2022, &ma), 0);
  assert_int_equal(benchmark_index_measure_set(ix, b, 2022, &mb), 0);
  /* 80,000,000 øre / 4,000 m² = 20,000 øre/m² = 200.00 DKK/m² */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_COST_PER_M2, 2022), 20000);
  /* (150,000 + 150,001) kWh / 4,000 m² = 75.00025 -> 75.0 */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_ENERGY_PER_M2, 2022), 750);
  /* 90,000 / 4,000 = 22.5 kWh/m² */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_ELECTRICITY_PER_M2, 2022), 225);
  /* 210,001 / 4,000 = 52.50025 -> 52.5 */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_HEAT_PER_M2, 2022), 525);
  /* 3,000,000 l / 4,000 m² = 750 l/m² */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_WATER_PER_M2, 2022), 750);
  /* (2.00 × 1,000 + 4.00 × 3,000) / 4,000 = 3.50 */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_MAINTENANCE_GRADE, 2022), 350);
  /* (2 × 1,000 + 3 × 3,000) / 4,000 = 2.75 */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_INDOOR_CLIMATE, 2022), 275);
  /* (80 % × 1,000 + 60 % × 3,000) / 4,000 = 65.00 % */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_ANVENDELSESGRAD, 2022), 6500);
  /* (90 % × 1,000 + 70 % × 3,000) / 4,000 = 75.00 % */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_UDNYTTELSESGRAD, 2022), 7500);
  /* (50 % × 1,000 + 70.01 % × 3,000) / 4,000 = 65.0075 % -> 65.01 % */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_UNDERSTOETTELSESGRAD, 2022), 6501);
  /* a property without a measure is left out, not counted as zero */
  benchmark_measure_t only_cost = {.has = BENCHMARK_HAS_COST, .cost_ore = 1000};
  assert_int_equal(benchmark_index_measure_set(ix, b, 2023, &only_cost), 0);
  assert_int_equal(org_value(ix, BENCHMARK_FIG_COST_PER_M2, 2023), 0); /* 1000 / 3000 = 0.33 øre */
  const benchmark_ranking_t *r;
  assert_int_equal(
      benchmark_index_rank(ix, BENCHMARK_FIG_ENERGY_PER_M2, 2023, &BENCHMARK_PEER_ANY, &r), 0);
  assert_int_equal(r->n, 0);
  benchmark_index_destroy(&ix);
}

static void portfolio_figures_of_one_organisation(void **state) {
  benchmark_index_t *ix = benchmark_index_new();
  int32_t o = benchmark_index_org_set(ix, "ALM", "Almen Bolig", false);
  benchmark_project_t p1 = {.has = BENCHMARK_PHAS_LIFECYCLE | BENCHMARK_PHAS_SCHEDULE |
                                   BENCHMARK_PHAS_DRIFT | BENCHMARK_PHAS_MARKET |
                                   BENCHMARK_PHAS_SATISFACTION,
                            .budget_a_ore = 1000000,
                            .drift_ore = 100000,
                            .market_adjusted_drift_ore = 50000,
                            .schedule_variance_days = 10,
                            .satisfaction_x100 = 367,
                            .open_disputes = 1,
                            .open_defects = 3,
                            .dwellings = 40};
  benchmark_project_t p2 = {.has = BENCHMARK_PHAS_LIFECYCLE | BENCHMARK_PHAS_SCHEDULE |
                                   BENCHMARK_PHAS_DRIFT | BENCHMARK_PHAS_SATISFACTION,
                            .budget_a_ore = 3000000,
                            .drift_ore = -30000,
                            .schedule_variance_days = 21,
                            .satisfaction_x100 = 400,
                            .open_disputes = 2,
                            .open_defects = 0,
                            .dwellings = 60};
  benchmark_project_year_t y1 = {2023, p1}, y2 = {2024, p2};
  assert_true(benchmark_index_project_set(ix, "P1", o, true, true, &y1, 1) >= 0);
  assert_true(benchmark_index_project_set(ix, "P2", o, true, false, &y2, 1) >= 0);
  /* (100,000 − 30,000) / 4,000,000 = 1.75 % */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_BUDGET_DRIFT, 0), 175);
  /* only P1 has index points: 50,000 / 1,000,000 = 5.00 % */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_MARKET_ADJUSTED_DRIFT, 0), 500);
  /* (10 + 21) / 2 = 15.5 days */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_SCHEDULE_VARIANCE, 0), 155);
  /* (3.67 + 4.00) / 2 = 3.835 -> 3.84 */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_LATEST_SATISFACTION, 0), 384);
  /* (1 + 2) / 2 = 1.50 per project */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_OPEN_DISPUTES, 0), 150);
  /* 3 / 100 dwellings = 0.030 */
  assert_int_equal(org_value(ix, BENCHMARK_FIG_DEFECTS_PER_DWELLING, 0), 30);
  /* inside (P1) against outside (P2) */
  benchmark_side_t in, out;
  benchmark_index_compare(ix, BENCHMARK_FIG_BUDGET_DRIFT, o, 0, &in, &out);
  assert_int_equal(in.count, 1);
  assert_int_equal(in.value, 1000);  /* 10.00 % */
  assert_int_equal(out.count, 1);
  assert_int_equal(out.value, -100); /* -1.00 % */
  benchmark_index_compare(ix, BENCHMARK_FIG_MARKET_ADJUSTED_DRIFT, -1, 0, &in, &out);
  assert_true(in.has_value);
  assert_false(out.has_value);
  assert_int_equal(out.count, 0);
  benchmark_index_destroy(&ix);
}

/* Rehousing (issue 20, item 4), the worked example of docs/benchmark.md
 * "Rehousing figures". Inside partnerships: I1 and I2 renovated without
 * rehousing, I3 rehoused 35 temporarily of whom 32 moved back, I4 rehoused
 * 10 permanently only. Outside: O1 20 temporarily, 5 back; O2 10
 * temporarily, 10 back; O3 has no plan (left out of both figures).
 *   without rehousing: inside 2 / 4 = 50.00 %, outside 0 / 2 = 0.00 %,
 *     all 2 / 6 = 33.33 %;
 *   moved back: inside 32 / 35 = 91.43 % (91.428… rounded), outside
 *     (5 + 10) / (20 + 10) = 50.00 %, all 47 / 65 = 72.31 % (72.307…);
 *     I4 rehoused nobody temporarily, so it is left out. */
static void rehousing_figures_inside_and_outside(void **state) {
  benchmark_index_t *ix = benchmark_index_new();
  int32_t o = benchmark_index_org_set(ix, "ALM", "Almen Bolig", false);
  const uint32_t H = BENCHMARK_PHAS_LIFECYCLE | BENCHMARK_PHAS_REHOUSING;
  struct {
    const char *id;
    bool inside;
    benchmark_project_t p;
  } ps[] = {
      {"I1", true, {.has = H, .without_rehousing = true}},
      {"I2", true, {.has = H, .without_rehousing = true}},
      {"I3", true, {.has = H, .households_rehoused_temporary = 35, .households_moved_back = 32}},
      {"I4", true, {.has = H}},
      {"O1", false, {.has = H, .households_rehoused_temporary = 20, .households_moved_back = 5}},
      {"O2", false, {.has = H, .households_rehoused_temporary = 10, .households_moved_back = 10}},
      {"O3", false, {.has = BENCHMARK_PHAS_LIFECYCLE}},
  };
  for (size_t i = 0; i < sizeof ps / sizeof *ps; i++) {
    benchmark_project_year_t y = {2024, ps[i].p};
    assert_true(benchmark_index_project_set(ix, ps[i].id, o, true, ps[i].inside, &y, 1) >= 0);
  }
  assert_int_equal(org_value(ix, BENCHMARK_FIG_WITHOUT_REHOUSING_SHARE, 0), 3333);
  assert_int_equal(org_value(ix, BENCHMARK_FIG_MOVED_BACK_SHARE, 0), 7231);
  benchmark_side_t in, out;
  benchmark_index_compare(ix, BENCHMARK_FIG_WITHOUT_REHOUSING_SHARE, o, 0, &in, &out);
  assert_int_equal(in.count, 4);
  assert_int_equal(in.value, 5000);
  assert_int_equal(out.count, 2);
  assert_int_equal(out.value, 0);
  benchmark_index_compare(ix, BENCHMARK_FIG_MOVED_BACK_SHARE, -1, 0, &in, &out);
  assert_int_equal(in.count, 1);
  assert_int_equal(in.value, 9143);
  assert_int_equal(out.count, 2);
  assert_int_equal(out.value, 5000);
  /* The minimum group: four and two projects are too few to show a side. */
  char why[120];
  assert_false(benchmark_side_visible(4, 0, "inside partnerships", why, sizeof why));
  assert_string_equal(why, "4 projects inside partnerships have a value: fewer than the "
                           "minimum of 5");
  /* Before 2024 nobody had a plan: no values. */
  benchmark_index_compare(ix, BENCHMARK_FIG_MOVED_BACK_SHARE, -1, 2023, &in, &out);
  assert_false(in.has_value);
  assert_false(out.has_value);
  /* A rehousing event's merge carries the rehousing part, and only it; a
   * lifecycle change (a stage, a dispute) leaves it alone. */
  benchmark_project_t dst = {0}, src = {.has = H, .without_rehousing = true,
                                        .households_rehoused_temporary = 3,
                                        .households_moved_back = 1};
  benchmark_project_merge(&dst, &src, BENCHMARK_SOURCE_LIFECYCLE);
  assert_false(dst.has & BENCHMARK_PHAS_REHOUSING);
  assert_int_equal(dst.households_moved_back, 0);
  src.open_disputes = 7;
  benchmark_project_merge(&dst, &src, BENCHMARK_SOURCE_REHOUSING);
  assert_int_equal(dst.open_disputes, 0);
  assert_true(dst.has & BENCHMARK_PHAS_REHOUSING);
  assert_true(dst.without_rehousing);
  assert_int_equal(dst.households_rehoused_temporary, 3);
  assert_int_equal(dst.households_moved_back, 1);
  benchmark_project_merge(&dst, &src, BENCHMARK_SOURCE_BUDGET); /* not budget's to change */
  assert_int_equal(dst.households_moved_back, 1);
  benchmark_index_destroy(&ix);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(weighted_grade_all_parts),
      cmocka_unit_test(weighted_grade_some_parts),
      cmocka_unit_test(weighted_grade_refuses_bad_parts),
      cmocka_unit_test(model_check),
      cmocka_unit_test(size_bands),
      cmocka_unit_test(table_shape),
      cmocka_unit_test(property_figures_of_one_organisation),
      cmocka_unit_test(portfolio_figures_of_one_organisation),
      cmocka_unit_test(rehousing_figures_inside_and_outside),
      cmocka_unit_test(satisfaction_is_rounded_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
