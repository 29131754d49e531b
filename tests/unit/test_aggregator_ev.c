/* aggregator.earned_value — the earned value formulas (agg_ev.h) on worked
 * examples computed by hand, and their edge cases: no plan, a day before
 * the start, no actual cost, no percent reported, nothing earned yet, and
 * the single rounding at the end. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "agg_ev.h"

static trin_date_t d(int y, int m, int day) { return trin_date_from_ymd(y, m, day); }

static agg_ev_milestone_t ms(trin_date_t baseline, int64_t cost, int32_t pct) {
  return (agg_ev_milestone_t){.baseline = baseline,
                              .has_planned_cost = cost >= 0,
                              .planned_cost_ore = cost >= 0 ? cost : 0,
                              .has_percent = pct >= 0,
                              .percent_bp = pct >= 0 ? pct : 0};
}

/* BAC 10.000.000 kr, start 2026-01-01, planned costs on three milestones:
 *   design   2026-03-01  2.000.000 kr  100 %
 *   rough    2026-07-01  5.000.000 kr   40 %
 *   handover 2026-12-01  3.000.000 kr   (none reported: 0 %)
 * As of 2026-05-01, actual costs 4.400.000 kr:
 *   EV  = 10.000.000 × (2.000.000×100 % + 5.000.000×40 %) / 10.000.000 = 4.000.000 kr
 *   PV  = 2.000.000 + 5.000.000 × 61/122 days (03-01 → 05-01 of 03-01 → 07-01)
 *       = 4.500.000 kr
 *   SPI = 4.000.000 / 4.500.000 = 0,888… → 0,89
 *   CPI = 4.000.000 / 4.400.000 = 0,909… → 0,91
 *   EAC = BAC / CPI = 10.000.000 × 4.400.000 / 4.000.000 = 11.000.000,00 kr
 *         (from the rounded 0,91 it would be 10.989.010,99: round once, at the end)
 *   VAC = 10.000.000 − 11.000.000 = −1.000.000,00 kr */
static void planned_costs_worked_example(void **state) {
  (void)state;
  agg_ev_milestone_t m[3] = {ms(d(2026, 3, 1), 200000000, 10000),
                             ms(d(2026, 7, 1), 500000000, 4000),
                             ms(d(2026, 12, 1), 300000000, -1)};
  agg_ev_input_t in = {.bac_ore = 1000000000, .ac_ore = 440000000, .start = d(2026, 1, 1),
                       .handover = d(2026, 12, 1), .ms = m, .nms = 3, .as_of = d(2026, 5, 1)};
  agg_ev_t ev;
  agg_ev_compute(&in, &ev);
  assert_true(ev.has_ev && ev.has_pv && ev.has_spi && ev.has_cpi && ev.has_eac);
  assert_int_equal(ev.ev_ore, 400000000);
  assert_int_equal(ev.pv_ore, 450000000);
  assert_int_equal(ev.spi_x100, 89);
  assert_int_equal(ev.cpi_x100, 91);
  assert_int_equal(ev.eac_ore, 1100000000);
  assert_int_equal(ev.vac_ore, -100000000);
  /* the plan's steps: the day of a baseline counts its milestone in full */
  in.as_of = d(2026, 3, 1);
  agg_ev_compute(&in, &ev);
  assert_int_equal(ev.pv_ore, 200000000);
  in.as_of = d(2027, 1, 1);  /* after the handover: all of it */
  agg_ev_compute(&in, &ev);
  assert_int_equal(ev.pv_ore, 1000000000);
  assert_int_equal(ev.spi_x100, 40);
}

/* No planned costs: every milestone an equal share, PV a straight line.
 * BAC 8.000.000 kr, start 2026-01-01, handover 2027-01-01 (365 days);
 * design 100 %, handover 25 %: EV = 8.000.000 × (100 + 25) / 2 % = 5.000.000 kr.
 * As of 2026-07-02 (day 182): PV = 8.000.000 × 182/365 = 3.989.041,0958… →
 * 3.989.041,10 kr; SPI = 0,625 × 365/182 = 1,2534… → 1,25. AC 6.000.000 kr:
 * CPI = 0,8333… → 0,83; EAC = 8.000.000 × 6.000.000 / 5.000.000 = 9.600.000 kr;
 * VAC = −1.600.000 kr. */
static void straight_line_worked_example(void **state) {
  (void)state;
  agg_ev_milestone_t m[2] = {ms(d(2026, 4, 1), -1, 10000), ms(d(2027, 1, 1), -1, 2500)};
  agg_ev_input_t in = {.bac_ore = 800000000, .ac_ore = 600000000, .start = d(2026, 1, 1),
                       .handover = d(2027, 1, 1), .ms = m, .nms = 2, .as_of = d(2026, 7, 2)};
  agg_ev_t ev;
  agg_ev_compute(&in, &ev);
  assert_int_equal(ev.ev_ore, 500000000);
  assert_int_equal(ev.pv_ore, 398904110);
  assert_int_equal(ev.spi_x100, 125);
  assert_int_equal(ev.cpi_x100, 83);
  assert_int_equal(ev.eac_ore, 960000000);
  assert_int_equal(ev.vac_ore, -160000000);
}

/* Half a hundredth rounds away from zero, once: EV 50 % of BAC, PV 80 %
 * (8 of 10 days): SPI = 0,625 → 0,63. */
static void rounds_half_away_from_zero(void **state) {
  (void)state;
  agg_ev_milestone_t m[1] = {ms(d(2026, 1, 11), -1, 5000)};
  agg_ev_input_t in = {.bac_ore = 100, .start = d(2026, 1, 1), .handover = d(2026, 1, 11),
                       .ms = m, .nms = 1, .as_of = d(2026, 1, 9)};
  agg_ev_t ev;
  agg_ev_compute(&in, &ev);
  assert_int_equal(ev.spi_x100, 63);
  assert_false(ev.has_cpi);
}

static void edge_cases(void **state) {
  (void)state;
  agg_ev_milestone_t m[2] = {ms(d(2026, 6, 1), -1, 5000), ms(d(2027, 1, 1), -1, -1)};
  agg_ev_input_t base = {.bac_ore = 1000000, .ac_ore = 250000, .start = d(2026, 1, 1),
                         .handover = d(2027, 1, 1), .ms = m, .nms = 2, .as_of = d(2026, 7, 2)};
  agg_ev_t ev;
  /* no baseline dates to plan by (no handover, no planned costs): no PV and
   * no SPI, but EV and so CPI, EAC and VAC stand: EV = 25 % of BAC */
  agg_ev_input_t in = base;
  in.handover = TRIN_DATE_NONE;
  agg_ev_compute(&in, &ev);
  assert_false(ev.has_pv);
  assert_false(ev.has_spi);
  assert_true(ev.has_ev && ev.has_cpi && ev.has_eac);
  assert_int_equal(ev.ev_ore, 250000);
  assert_int_equal(ev.cpi_x100, 100);
  assert_int_equal(ev.eac_ore, 1000000);
  assert_int_equal(ev.vac_ore, 0);
  /* a handover not after the start is no plan either */
  in = base;
  in.handover = in.start;
  agg_ev_compute(&in, &ev);
  assert_false(ev.has_pv);
  /* before the start: PV = 0, so no SPI */
  in = base;
  in.as_of = d(2025, 12, 1);
  agg_ev_compute(&in, &ev);
  assert_true(ev.has_pv);
  assert_int_equal(ev.pv_ore, 0);
  assert_false(ev.has_spi);
  assert_true(ev.has_cpi);
  /* no actual cost: no CPI, EAC or VAC */
  in = base;
  in.ac_ore = 0;
  agg_ev_compute(&in, &ev);
  assert_true(ev.has_spi);
  assert_false(ev.has_cpi);
  assert_false(ev.has_eac);
  /* no percent reported: no EV, so only PV */
  agg_ev_milestone_t none[2] = {ms(d(2026, 6, 1), -1, -1), ms(d(2027, 1, 1), -1, -1)};
  in = base;
  in.ms = none;
  agg_ev_compute(&in, &ev);
  assert_false(ev.has_ev);
  assert_true(ev.has_pv);
  assert_false(ev.has_spi || ev.has_cpi || ev.has_eac);
  /* 0 % reported: EV 0, SPI and CPI 0, no estimate at completion */
  agg_ev_milestone_t zero[1] = {ms(d(2027, 1, 1), -1, 0)};
  in = base;
  in.ms = zero;
  in.nms = 1;
  agg_ev_compute(&in, &ev);
  assert_true(ev.has_ev && ev.has_spi && ev.has_cpi);
  assert_int_equal(ev.spi_x100, 0);
  assert_int_equal(ev.cpi_x100, 0);
  assert_false(ev.has_eac);
  /* no price budget: nothing */
  in = base;
  in.bac_ore = 0;
  agg_ev_compute(&in, &ev);
  assert_false(ev.has_ev || ev.has_pv || ev.has_spi || ev.has_cpi || ev.has_eac);
  /* no milestones at all */
  in = base;
  in.nms = 0;
  agg_ev_compute(&in, &ev);
  assert_false(ev.has_ev || ev.has_spi || ev.has_cpi);
}

/* With planned costs, a milestone without one weighs nothing, and one due
 * on the start day is spent that day. */
static void planned_costs_edges(void **state) {
  (void)state;
  agg_ev_milestone_t m[3] = {ms(d(2026, 1, 1), 100, 10000), ms(d(2026, 1, 11), 300, 5000),
                             ms(d(2026, 1, 5), -1, 10000)};
  agg_ev_input_t in = {.bac_ore = 400, .ac_ore = 0, .start = d(2026, 1, 1),
                       .handover = TRIN_DATE_NONE, .ms = m, .nms = 3, .as_of = d(2026, 1, 1)};
  agg_ev_t ev;
  agg_ev_compute(&in, &ev);
  /* EV = 400 × (100 + 150) / 400 = 250; PV on the start day = 100 */
  assert_int_equal(ev.ev_ore, 250);
  assert_int_equal(ev.pv_ore, 100);
  assert_int_equal(ev.spi_x100, 250);
  in.as_of = d(2026, 1, 6);  /* 100 + 300 × 5/10 = 250 */
  agg_ev_compute(&in, &ev);
  assert_int_equal(ev.pv_ore, 250);
  assert_int_equal(ev.spi_x100, 100);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(planned_costs_worked_example),
      cmocka_unit_test(straight_line_worked_example),
      cmocka_unit_test(rounds_half_away_from_zero),
      cmocka_unit_test(edge_cases),
      cmocka_unit_test(planned_costs_edges),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
