/* Unit tests for services/lifecycle/lifecycle_sustain: a measure's checks
 * (every refusal a user can reach, with its words) and a project's totals,
 * worked by hand in kg, m² and hundredths of kWh/m² and kg CO₂e/m². */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lifecycle_sustain.h"

static trin_err_t err;

#define REFUSE(field_, words_, call)                  \
  do {                                                \
    trin_err_clear(&err);                             \
    assert_int_equal((call), TRIN_EINVALID);          \
    assert_string_equal(err.field, (field_));         \
    assert_non_null(strstr(err.message, (words_)));   \
  } while (0)

static lifecycle_sustain_measure_t reuse(int64_t kg, int32_t m2, bool between) {
  lifecycle_sustain_measure_t m = {.kind = LIFECYCLE_SUSTAIN_REUSE, .material = "tagsten",
                                   .reused_kg = kg, .reused_m2 = m2,
                                   .between_projects = between,
                                   .source_project_id = between ? "P-2" : ""};
  return m;
}

static lifecycle_sustain_measure_t energy(int32_t before, int32_t expected, int32_t measured) {
  lifecycle_sustain_measure_t m = {.kind = LIFECYCLE_SUSTAIN_ENERGY_RENOVATION,
                                   .energy_before_x100 = before,
                                   .energy_expected_after_x100 = expected,
                                   .energy_measured_after_x100 = measured};
  return m;
}

static void kinds(void **state) {
  (void)state;
  assert_int_equal(lifecycle_sustain_kind_parse("reuse", "kind", &err), LIFECYCLE_SUSTAIN_REUSE);
  assert_int_equal(lifecycle_sustain_kind_parse("take_back", "kind", &err),
                   LIFECYCLE_SUSTAIN_TAKE_BACK);
  assert_int_equal(lifecycle_sustain_kind_parse("energy_renovation", "kind", &err),
                   LIFECYCLE_SUSTAIN_ENERGY_RENOVATION);
  assert_int_equal(lifecycle_sustain_kind_parse("other", "kind", &err), LIFECYCLE_SUSTAIN_OTHER);
  trin_err_clear(&err);
  assert_int_equal(lifecycle_sustain_kind_parse("genbrug", "measure.kind", &err), -1);
  assert_string_equal(err.field, "measure.kind");
  assert_string_equal(err.message,
                      "must be reuse, take_back, energy_renovation or other, not \"genbrug\"");
  assert_string_equal(lifecycle_sustain_kind_name(LIFECYCLE_SUSTAIN_TAKE_BACK), "take_back");
}

static void checks(void **state) {
  (void)state;
  lifecycle_sustain_measure_t m = reuse(18500, 1250, true);
  assert_int_equal(lifecycle_sustain_check(&m, &err), TRIN_OK);
  m = reuse(-1, 0, false);
  REFUSE("reused_kg", "must be 0 or more, not -1", lifecycle_sustain_check(&m, &err));
  m = reuse(0, -5, false);
  REFUSE("reused_m2", "must be 0 or more, not -5", lifecycle_sustain_check(&m, &err));
  m = reuse(0, 0, false);
  REFUSE("reused_kg", "a reuse measure needs the reused quantity",
         lifecycle_sustain_check(&m, &err));
  m = reuse(100, 0, false);
  m.material = "";
  REFUSE("material", "is required for reused material", lifecycle_sustain_check(&m, &err));
  /* A take-back carries no reused quantity, so nothing counts twice. */
  m = (lifecycle_sustain_measure_t){.kind = LIFECYCLE_SUSTAIN_TAKE_BACK, .reused_kg = 10};
  REFUSE("reused_kg", "only a reuse measure carries reused material; this one is take_back",
         lifecycle_sustain_check(&m, &err));
  m = (lifecycle_sustain_measure_t){.kind = LIFECYCLE_SUSTAIN_OTHER, .source_project_id = "P-2"};
  REFUSE("source_project_id", "this one is other", lifecycle_sustain_check(&m, &err));
  m = (lifecycle_sustain_measure_t){.kind = LIFECYCLE_SUSTAIN_TAKE_BACK};
  assert_int_equal(lifecycle_sustain_check(&m, &err), TRIN_OK);
  /* Energy. */
  m = energy(14500, 9500, 0);
  assert_int_equal(lifecycle_sustain_check(&m, &err), TRIN_OK);
  m = energy(0, 9500, 0);
  REFUSE("energy_before_kwh_m2_x100", "is required with a consumption after the measure",
         lifecycle_sustain_check(&m, &err));
  m = energy(14500, 0, 0);
  REFUSE("energy_before_kwh_m2_x100", "an energy renovation needs the consumption before",
         lifecycle_sustain_check(&m, &err));
  m = energy(-1, 0, 0);
  REFUSE("energy_before_kwh_m2_x100", "must be 0 or more (0 = not stated), not -1",
         lifecycle_sustain_check(&m, &err));
  m = energy(14500, -2, 0);
  REFUSE("energy_expected_after_kwh_m2_x100", "not -2", lifecycle_sustain_check(&m, &err));
  m = energy(14500, 9500, LIFECYCLE_SUSTAIN_FIGURE_MAX_X100 + 1);
  REFUSE("energy_measured_after_kwh_m2_x100", "must be at most 10000000 (hundredths)",
         lifecycle_sustain_check(&m, &err));
  /* CO₂e needs its method. */
  m = energy(14500, 9500, 0);
  m.co2e_saving_x100 = 1235;
  REFUSE("co2e_method", "is required with a CO₂e saving", lifecycle_sustain_check(&m, &err));
  m.co2e_method = "LCAbyg 2023";
  assert_int_equal(lifecycle_sustain_check(&m, &err), TRIN_OK);
  m.co2e_saving_x100 = -3;
  REFUSE("co2e_saving_kg_m2_x100", "not -3", lifecycle_sustain_check(&m, &err));
}

/* The worked example of docs/lifecycle.md, "Sustainability and reuse":
 * a project of 2.400 m² with four measures.
 *   A reuse: 18.500 kg roof tiles, 1.250 m², from P-2 of the partnership
 *   B reuse: 6.000 kg bricks from a dealer (no source project)
 *   C energy renovation: before 145,00, expected 95,00, measured 102,40
 *     kWh/m² a year; CO₂e saving 12,35 kg/m² by LCAbyg
 *   D take-back agreement, no figures
 * reused 24.500 kg, 1.250 m²; between projects 18.500 kg, 1.250 m²;
 * expected saving 145,00 − 95,00 = 50,00 kWh/m²; measured 145,00 − 102,40
 * = 42,60 kWh/m²; energy saved 42,60 × 2.400 = 102.240 kWh a year. */
static void totals_worked_example(void **state) {
  (void)state;
  lifecycle_sustain_measure_t m[4] = {reuse(18500, 1250, true), reuse(6000, 0, false),
                                      energy(14500, 9500, 10240),
                                      {.kind = LIFECYCLE_SUSTAIN_TAKE_BACK}};
  m[1].material = "mursten";
  m[2].co2e_saving_x100 = 1235;
  m[2].co2e_method = "LCAbyg";
  lifecycle_sustain_totals_t t;
  lifecycle_sustain_totals(m, 4, 2400, &t);
  assert_int_equal(t.measures, 4);
  assert_int_equal(t.reuse_measures, 2);
  assert_int_equal(t.reused_kg, 24500);
  assert_int_equal(t.reused_m2, 1250);
  assert_int_equal(t.reused_between_projects_kg, 18500);
  assert_int_equal(t.reused_between_projects_m2, 1250);
  assert_true(t.has_energy_expected);
  assert_int_equal(t.energy_saving_expected_x100, 5000);
  assert_true(t.has_energy_measured);
  assert_int_equal(t.energy_saving_measured_x100, 4260);
  assert_true(t.has_energy_saved);
  assert_int_equal(t.energy_saved_kwh, 102240);
  assert_true(t.has_co2e);
  assert_int_equal(t.co2e_saving_x100, 1235);
}

static void totals_edges(void **state) {
  (void)state;
  lifecycle_sustain_totals_t t;
  /* No measures: every total 0, nothing stated. */
  lifecycle_sustain_totals(NULL, 0, 2400, &t);
  assert_int_equal(t.measures, 0);
  assert_int_equal(t.reused_kg, 0);
  assert_false(t.has_energy_expected || t.has_energy_measured || t.has_energy_saved ||
               t.has_co2e);
  /* No gross area: the saving per m² stands, the kWh a year cannot. */
  lifecycle_sustain_measure_t m = energy(14500, 0, 10240);
  lifecycle_sustain_totals(&m, 1, 0, &t);
  assert_true(t.has_energy_measured);
  assert_int_equal(t.energy_saving_measured_x100, 4260);
  assert_false(t.has_energy_saved);
  assert_int_equal(t.energy_saved_kwh, 0);
  assert_false(t.has_energy_expected);
  /* Rounding half away from zero: 42,60 × 333 = 14.185,8 -> 14.186 kWh. */
  lifecycle_sustain_totals(&m, 1, 333, &t);
  assert_int_equal(t.energy_saved_kwh, 14186);
  /* More consumption after than before: a negative saving, rounded away
   * from zero too: −1,25 × 2 = −2,5 -> −3 kWh; −1,25 × 333 = −416,25 -> −416. */
  m = energy(10000, 0, 10125);
  lifecycle_sustain_totals(&m, 1, 2, &t);
  assert_int_equal(t.energy_saving_measured_x100, -125);
  assert_int_equal(t.energy_saved_kwh, -3);
  lifecycle_sustain_totals(&m, 1, 333, &t);
  assert_int_equal(t.energy_saved_kwh, -416);
  /* A method without a saving states a CO₂e of 0; a saving needs a method. */
  m = (lifecycle_sustain_measure_t){.kind = LIFECYCLE_SUSTAIN_OTHER, .co2e_method = "BR18"};
  lifecycle_sustain_totals(&m, 1, 100, &t);
  assert_true(t.has_co2e);
  assert_int_equal(t.co2e_saving_x100, 0);
  /* Two energy measures add their savings; a measure without an after is
   * left out of that saving. */
  lifecycle_sustain_measure_t two[2] = {energy(14500, 9500, 0), energy(9500, 9000, 0)};
  lifecycle_sustain_totals(two, 2, 100, &t);
  assert_int_equal(t.energy_saving_expected_x100, 5500);
  assert_false(t.has_energy_measured);
  /* Sums saturate instead of wrapping. */
  lifecycle_sustain_measure_t big[2] = {reuse(INT64_MAX - 1, INT32_MAX, true),
                                        reuse(10, INT32_MAX, true)};
  lifecycle_sustain_totals(big, 2, 100, &t);
  assert_int_equal(t.reused_kg, INT64_MAX);
  assert_int_equal(t.reused_m2, INT32_MAX);
  assert_int_equal(t.reused_between_projects_kg, INT64_MAX);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(kinds),
      cmocka_unit_test(checks),
      cmocka_unit_test(totals_worked_example),
      cmocka_unit_test(totals_edges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
