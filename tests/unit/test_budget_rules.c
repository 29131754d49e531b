/* budget.* unit tests — every calculation of budget_rules against worked
 * examples written out by hand in the comments: the open-book price, the
 * rounding of øre, MOLIO at the boundary, index look-up without
 * interpolation, index CSV, the drift decomposition that adds up exactly,
 * the forecast, the rent consequence and the turnover parties. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "budget_rules.h"

static trin_date_t D(const char *s) {
  trin_date_t d;
  assert_int_equal(trin_date_parse(s, &d, "d", NULL), TRIN_OK);
  return d;
}

/* The model used in the worked examples: styringsgage 8.50 %, risikopulje
 * 3.00 %, rådgiverhonorar 10.00 %, dækningsgrad 5.00 %, MOLIO deduction
 * 12.50 %; projektleder 950.00 kr/h, kalkulator 725.50 kr/h. */
static budget_model_t model(void) {
  budget_model_t m;
  memset(&m, 0, sizeof m);
  m.management_fee_bp = 850;
  m.risk_bp = 300;
  m.advisor_fee_bp = 1000;
  m.margin_bp = 500;
  m.molio_deduction_bp = 1250;
  strcpy(m.rates[0].role, "projektleder");
  m.rates[0].rate_ore = 95000;
  strcpy(m.rates[1].role, "kalkulator");
  m.rates[1].rate_ore = 72550;
  m.nrates = 2;
  return m;
}

/* ---- budget.price -------------------------------------------------------------- */

static void price_worked_example(void **state) {
  /* craft C = 1.000.000,00 kr = 100 000 000 øre
   * early advice: 10.50 h × 950.00 = 9 975.00 kr   = 997 500 øre
   *                3.25 h × 725.50 = 2 357.875 kr  = 235 787.5 øre -> 235 788
   *               sum                               = 1 233 288 øre
   * advisor fees   = 100 000 000 × 10.00 % = 10 000 000
   * management fee = 100 000 000 ×  8.50 % =  8 500 000
   * risk pool      = 100 000 000 ×  3.00 % =  3 000 000
   * margin         = (100 000 000 + 8 500 000 + 3 000 000) × 5.00 % = 5 575 000
   * price = 100 000 000 + 1 233 288 + 10 000 000 + 8 500 000 + 3 000 000
   *       + 5 575 000 = 128 308 288 øre (1.283.082,88 kr) */
  budget_model_t m = model();
  budget_hours_t h[2] = {{"projektleder", 1050}, {"kalkulator", 325}};
  budget_price_t p;
  trin_err_t err = {0};
  assert_int_equal(budget_price_calculate(&m, 100000000, h, 2, &p, &err), TRIN_OK);
  assert_int_equal(p.nlines, 6);
  assert_int_equal(p.lines[0].category, BUDGET_CAT_CRAFT);
  assert_int_equal(p.lines[0].amount_ore, 100000000);
  assert_int_equal(p.lines[1].category, BUDGET_CAT_EARLY_ADVICE);
  assert_int_equal(p.lines[1].amount_ore, 1233288);
  assert_int_equal(p.lines[2].category, BUDGET_CAT_ADVISOR_FEES);
  assert_int_equal(p.lines[2].amount_ore, 10000000);
  assert_int_equal(p.lines[3].category, BUDGET_CAT_MANAGEMENT_FEE);
  assert_int_equal(p.lines[3].amount_ore, 8500000);
  assert_int_equal(p.lines[3].rate_bp, 850);
  assert_int_equal(p.lines[4].category, BUDGET_CAT_RISK_POOL);
  assert_int_equal(p.lines[4].amount_ore, 3000000);
  assert_int_equal(p.lines[5].category, BUDGET_CAT_MARGIN);
  assert_int_equal(p.lines[5].base_ore, 111500000);
  assert_int_equal(p.lines[5].amount_ore, 5575000);
  assert_int_equal(p.price_ore, 128308288);
  /* The working is written out for the open book. */
  assert_string_equal(p.lines[3].working, "1000000.00 × 8.50 % = 85000.00");
  assert_non_null(strstr(p.lines[1].working, "3.25 h × 725.50"));
}

static void price_rounds_each_line_half_away_from_zero(void **state) {
  /* craft 123.45 kr = 12 345 øre:
   *   advisor 10 %    : 1 234.5   -> 1 235 (half away from zero: up)
   *   management 8.5 %: 1 049.325 -> 1 049
   *   risk 3 %        :   370.35  ->   370
   *   margin 5 % of (12 345 + 1 049 + 370 = 13 764): 688.2 -> 688
   *   price = 12 345 + 0 + 1 235 + 1 049 + 370 + 688 = 15 687 */
  budget_model_t m = model();
  budget_price_t p;
  assert_int_equal(budget_price_calculate(&m, 12345, NULL, 0, &p, NULL), TRIN_OK);
  assert_int_equal(p.lines[2].amount_ore, 1235);
  assert_int_equal(p.lines[3].amount_ore, 1049);
  assert_int_equal(p.lines[4].amount_ore, 370);
  assert_int_equal(p.lines[5].base_ore, 13764);
  assert_int_equal(p.lines[5].amount_ore, 688);
  assert_int_equal(p.price_ore, 15687);
  /* The same rule below zero: −1 234.5 -> −1 235; −0.5 bp -> −1 bp. */
  trin_ore_t v;
  assert_true(trin_money_apply_bp(-12345, 1000, &v));
  assert_int_equal(v, -1235);
  assert_int_equal(budget_ratio_bp(-1, 20000), -1);
  assert_int_equal(budget_ratio_bp(1, 20000), 1);
  assert_int_equal(budget_ratio_bp(1, 20001), 0);
  int64_t q;
  assert_true(budget_mul_div(5, 1, 2, &q)); /* 2.5 -> 3 */
  assert_int_equal(q, 3);
  assert_true(budget_mul_div(-5, 1, 2, &q)); /* −2.5 -> −3 */
  assert_int_equal(q, -3);
}

static void price_refusals(void **state) {
  budget_model_t m = model();
  budget_price_t p;
  trin_err_t err = {0};
  assert_int_equal(budget_price_calculate(&m, -1, NULL, 0, &p, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "craft_ore");
  budget_hours_t h[2] = {{"projektleder", 100}, {"murer", 100}};
  assert_int_equal(budget_price_calculate(&m, 0, h, 2, &p, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "hours[1].role");
  h[1].role = "kalkulator";
  h[1].hours_x100 = -1;
  assert_int_equal(budget_price_calculate(&m, 0, h, 2, &p, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "hours[1].hours_x100");
  /* Overflowing: INT64_MAX craft plus any fee cannot be represented. */
  assert_int_equal(budget_price_calculate(&m, INT64_MAX, NULL, 0, &p, &err), TRIN_EINVALID);
  assert_true(strstr(err.message, "overflow") != NULL);
}

static void model_checks(void **state) {
  budget_model_t m = model();
  trin_err_t err = {0};
  assert_int_equal(budget_model_check(&m, &err), TRIN_OK);
  m.risk_bp = 10001;
  assert_int_equal(budget_model_check(&m, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "model.risk_bp");
  m = model();
  m.margin_bp = -1;
  assert_int_equal(budget_model_check(&m, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "model.margin_bp");
  m = model();
  strcpy(m.rates[1].role, "projektleder");
  assert_int_equal(budget_model_check(&m, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "model.rates[1].role");
  m = model();
  m.rates[0].rate_ore = -5;
  assert_int_equal(budget_model_check(&m, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "model.rates[0].rate_ore");
}

static void names_and_lines(void **state) {
  trin_err_t err = {0};
  assert_int_equal(budget_category_parse("risk_pool", "c", &err), BUDGET_CAT_RISK_POOL);
  assert_int_equal(budget_category_parse("plumbing", "line.category", &err), -1);
  assert_string_equal(err.field, "line.category");
  assert_non_null(strstr(err.message, "craft"));
  assert_int_equal(budget_kind_parse("skema_b", "k", &err), BUDGET_SKEMA_B);
  assert_int_equal(budget_kind_parse("", "budget.kind", &err), -1);
  assert_string_equal(budget_kind_name(BUDGET_FORECAST), "forecast");
  assert_int_equal(budget_status_parse("submitted", "status", &err), BUDGET_SUBMITTED);
  assert_int_equal(budget_status_parse("pending", "status", &err), -1);
  assert_string_equal(err.field, "status");
  assert_string_equal(err.message, "'pending' is not a budget status; use one of draft, "
                                   "submitted, approved");
  assert_string_equal(budget_category_name(99), "");
  budget_line_t l = {-1, 0, BUDGET_CAT_CRAFT};
  assert_int_equal(budget_line_check(&l, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "amount_ore");
  l = (budget_line_t){100, 200, BUDGET_CAT_MARGIN};
  assert_int_equal(budget_line_check(&l, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "molio_reference_ore");
  budget_line_t two[2] = {{INT64_MAX, 0, 0}, {1, 0, 0}};
  trin_ore_t t;
  assert_false(budget_lines_total(two, 2, &t));
  two[0].amount_ore = 41;
  assert_true(budget_lines_total(two, 2, &t));
  assert_int_equal(t, 42);
}

/* ---- budget.molio ------------------------------------------------------------------ */

static void molio_boundary(void **state) {
  /* Reference 10 000.00 kr, deduction 12.50 %:
   * limit = 1 000 000 × (10000 − 1250) / 10000 = 875 000 øre. */
  budget_molio_t r;
  budget_molio_line(875000, 1000000, 1250, &r);
  assert_int_equal(r.limit_ore, 875000);
  assert_true(r.passes);
  assert_int_equal(r.excess_ore, 0);
  budget_molio_line(875001, 1000000, 1250, &r);
  assert_false(r.passes);
  assert_int_equal(r.excess_ore, 1);
  /* The limit is rounded once: 333 × 0.9 = 299.7 -> 300. */
  budget_molio_line(300, 333, 1000, &r);
  assert_int_equal(r.limit_ore, 300);
  assert_true(r.passes);
  budget_molio_line(301, 333, 1000, &r);
  assert_false(r.passes);
}

static void molio_lines_summary(void **state) {
  budget_line_t l[5] = {
      {875000, 1000000, BUDGET_CAT_CRAFT},  /* on the limit: passes */
      {900000, 1000000, BUDGET_CAT_CRAFT},  /* 25 000 over */
      {500, 0, BUDGET_CAT_CRAFT},           /* no reference: not checked */
      {999999, 0, BUDGET_CAT_MARGIN},       /* not a craft line */
      {100, 100, BUDGET_CAT_CRAFT},         /* limit 88 (87.5 -> 88): 12 over */
  };
  budget_molio_summary_t s;
  budget_molio_lines(l, 5, 1250, &s);
  assert_int_equal(s.checked, 3);
  assert_int_equal(s.failing, 2);
  assert_int_equal(s.excess_ore, 25000 + 12);
}

/* ---- budget.index ------------------------------------------------------------------- */

static void index_lookup_no_interpolation(void **state) {
  budget_index_point_t pts[3] = {
      {D("2023-01-01"), 11310}, {D("2023-04-01"), 11500}, {D("2024-01-01"), 11820}};
  budget_index_point_t p;
  trin_err_t err = {0};
  /* Between two points the earlier is used, never a blend. */
  assert_int_equal(budget_index_at(pts, 3, D("2023-03-31"), "BYG43", "skema_a.date", &p, &err),
                   TRIN_OK);
  assert_int_equal(p.value_x100, 11310);
  assert_int_equal(budget_index_at(pts, 3, D("2023-04-01"), "BYG43", "f", &p, &err), TRIN_OK);
  assert_int_equal(p.value_x100, 11500);
  assert_int_equal(budget_index_at(pts, 3, D("2030-01-01"), "BYG43", "f", &p, &err), TRIN_OK);
  assert_int_equal(p.value_x100, 11820);
  /* Before the first point: refused, naming the date. */
  assert_int_equal(budget_index_at(pts, 3, D("2022-12-31"), "BYG43", "skema_a.date", &p, &err),
                   TRIN_ECONFLICT);
  assert_string_equal(err.field, "skema_a.date");
  assert_non_null(strstr(err.message, "2022-12-31"));
  assert_non_null(strstr(err.message, "BYG43"));
  assert_int_equal(budget_index_at(pts, 0, D("2022-12-31"), "BYG42", "f", &p, &err),
                   TRIN_ECONFLICT);
}

static void index_dates_and_csv(void **state) {
  trin_date_t d;
  trin_err_t err = {0};
  assert_int_equal(budget_index_date_parse("2024K3", &d, "date", &err), TRIN_OK);
  assert_int_equal(d, D("2024-07-01"));
  assert_int_equal(budget_index_date_parse("2021Q1", &d, "date", &err), TRIN_OK);
  assert_int_equal(d, D("2021-01-01"));
  assert_int_equal(budget_index_date_parse("2024K5", &d, "date", &err), TRIN_EINVALID);
  assert_int_equal(budget_index_date_parse("", &d, "points[0].date", &err), TRIN_EINVALID);
  assert_string_equal(err.field, "points[0].date");

  /* BOM, ';' separator, decimal comma, quarters and days, out of order. */
  const char *csv = "\xEF\xBB\xBF" "date;value\n2024K1;118,2\n2023-01-01;113,10\n";
  budget_index_point_t *pts = NULL;
  size_t n = 0;
  assert_int_equal(budget_index_parse_csv(csv, strlen(csv), &pts, &n, &err), TRIN_OK);
  assert_int_equal(n, 2);
  assert_int_equal(pts[0].date, D("2023-01-01"));
  assert_int_equal(pts[0].value_x100, 11310);
  assert_int_equal(pts[1].value_x100, 11820);
  free(pts);

  /* A row with a missing date refuses the whole import, naming the line. */
  const char *missing = "date,value\n2023-01-01,113.1\n,118.2\n2024-07-01,119\n";
  pts = NULL;
  assert_int_equal(budget_index_parse_csv(missing, strlen(missing), &pts, &n, &err),
                   TRIN_EINVALID);
  assert_null(pts);
  assert_string_equal(err.field, "csv");
  assert_non_null(strstr(err.message, "line 3"));
  assert_non_null(strstr(err.message, "date is missing"));
  const char *bad_value = "date;value\n2023-01-01;113,105\n";
  assert_int_equal(budget_index_parse_csv(bad_value, strlen(bad_value), &pts, &n, &err),
                   TRIN_EINVALID);
  assert_non_null(strstr(err.message, "line 2"));
  const char *zero = "date;value\n2023-01-01;0\n";
  assert_int_equal(budget_index_parse_csv(zero, strlen(zero), &pts, &n, &err), TRIN_EINVALID);
  const char *twice = "date;value\n2023-01-01;1\n2023K1;2\n";
  assert_int_equal(budget_index_parse_csv(twice, strlen(twice), &pts, &n, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "twice"));
  const char *no_header = "when;what\n2023-01-01;1\n";
  assert_int_equal(budget_index_parse_csv(no_header, strlen(no_header), &pts, &n, &err),
                   TRIN_EINVALID);
  assert_int_equal(budget_index_parse_csv("", 0, &pts, &n, &err), TRIN_EINVALID);
}

/* ---- budget.drift -------------------------------------------------------------------- */

static void drift_decomposition_adds_up(void **state) {
  /* Skema A 50.000.000,00 kr (5 000 000 000 øre) dated 2023-01-15,
   * Skema B 58.000.000,00 kr (5 800 000 000 øre) dated 2024-03-01.
   * BYG43 points used: 2023-01-01 = 113.10 and 2024-01-01 = 118.20.
   *   total  = 5 800 000 000 − 5 000 000 000 = 800 000 000
   *   market = round(5 000 000 000 × 11820 / 11310) − 5 000 000 000
   *          = round(5 225 464 190.98…) − 5 000 000 000 = 225 464 191
   *   scope  = +150 000 000 (2023-06-01) − 40 000 000 (saving, 2023-11-01)
   *          = 110 000 000; a change dated before A and one after B are out
   *   unexplained = 800 000 000 − 225 464 191 − 110 000 000 = 464 535 809
   *   in basis points of A: 1600 = 451 + 220 + 929; market-adjusted
   *   574 535 809 = 1149 bp. */
  budget_index_point_t ia = {D("2023-01-01"), 11310}, ib = {D("2024-01-01"), 11820};
  budget_change_t ch[4] = {{D("2023-06-01"), 150000000},
                           {D("2023-11-01"), -40000000},
                           {D("2022-12-01"), 99},
                           {D("2024-05-01"), 777}};
  budget_drift_t d;
  assert_int_equal(budget_drift(5000000000, D("2023-01-15"), 5800000000, D("2024-03-01"), &ia,
                                &ib, ch, 4, &d, NULL),
                   TRIN_OK);
  assert_true(d.market_known);
  assert_int_equal(d.total_ore, 800000000);
  assert_int_equal(d.market_ore, 225464191);
  assert_int_equal(d.scope_ore, 110000000);
  assert_int_equal(d.unexplained_ore, 464535809);
  assert_int_equal(d.market_ore + d.scope_ore + d.unexplained_ore, d.total_ore);
  assert_int_equal(d.total_bp, 1600);
  assert_int_equal(d.market_bp, 451);
  assert_int_equal(d.scope_bp, 220);
  assert_int_equal(d.unexplained_bp, 929);
  assert_int_equal(d.market_adjusted_ore, 574535809);
  assert_int_equal(d.market_adjusted_bp, 1149);
}

static void drift_invariant_holds_everywhere(void **state) {
  /* The decomposition adds up for any amounts, signs and index values. */
  srand(4242);
  for (int i = 0; i < 20000; i++) {
    trin_ore_t a = (trin_ore_t)(rand() % 1000000) * 100003 + 1;
    trin_ore_t b = (trin_ore_t)(rand() % 1000000) * 99991;
    budget_index_point_t ia = {D("2023-01-01"), 5000 + rand() % 20000};
    budget_index_point_t ib = {D("2024-01-01"), 5000 + rand() % 20000};
    budget_change_t ch[3] = {{D("2023-05-01"), (rand() % 2000000) - 1000000},
                             {D("2023-06-01"), -(rand() % 500000)},
                             {D("2023-07-01"), rand()}};
    budget_drift_t d;
    assert_int_equal(budget_drift(a, D("2023-01-10"), b, D("2024-02-01"), &ia, &ib, ch, 3, &d,
                                  NULL),
                     TRIN_OK);
    assert_int_equal(d.market_ore + d.scope_ore + d.unexplained_ore, b - a);
    assert_int_equal(d.market_adjusted_ore, d.scope_ore + d.unexplained_ore);
  }
  /* Without index points the market part is unknown and the rest carries it. */
  budget_drift_t d;
  assert_int_equal(budget_drift(100, D("2023-01-10"), 150, D("2024-02-01"), NULL, NULL, NULL, 0,
                                &d, NULL),
                   TRIN_OK);
  assert_false(d.market_known);
  assert_int_equal(d.unexplained_ore, 50);
  /* Overflow is refused, not wrapped. */
  trin_err_t err = {0};
  assert_int_equal(budget_drift(INT64_MIN, 0, INT64_MAX, 1, NULL, NULL, NULL, 0, &d, &err),
                   TRIN_EINVALID);
}

/* ---- budget.forecast ------------------------------------------------------------------- */

static void forecast_at_completion(void **state) {
  /* Base: Skema B 5 800 000 000 dated 2024-03-01. After it: scope +20 000 000
   * (2024-06-01) and an accepted saving of 5 000 000 (2024-07-01); a scope
   * change before the base is already in it. Costs to date 1 000 000 000.
   *   at completion = 5 800 000 000 + 20 000 000 − 5 000 000 = 5 815 000 000
   *   cost to complete = 5 815 000 000 − 1 000 000 000 = 4 815 000 000 */
  budget_change_t scope[2] = {{D("2024-06-01"), 20000000}, {D("2023-06-01"), 150000000}};
  budget_change_t savings[1] = {{D("2024-07-01"), -5000000}};
  budget_forecast_t f;
  assert_int_equal(budget_forecast(5800000000, D("2024-03-01"), scope, 2, savings, 1, 1000000000,
                                   &f, NULL),
                   TRIN_OK);
  assert_int_equal(f.scope_after_ore, 20000000);
  assert_int_equal(f.savings_after_ore, 5000000);
  assert_int_equal(f.at_completion_ore, 5815000000);
  assert_int_equal(f.cost_to_complete_ore, 4815000000);
  /* Costs beyond the budget: the forecast is at least what was spent. */
  assert_int_equal(budget_forecast(5800000000, D("2024-03-01"), scope, 2, savings, 1, 6000000000,
                                   &f, NULL),
                   TRIN_OK);
  assert_int_equal(f.at_completion_ore, 6000000000);
  assert_int_equal(f.cost_to_complete_ore, 0);
}

static void project_figures_pick_versions(void **state) {
  budget_line_t lines[2] = {{875000, 1000000, BUDGET_CAT_CRAFT}, {900000, 1000000, BUDGET_CAT_CRAFT}};
  budget_index_point_t ia = {D("2023-01-01"), 10000}, ib = {D("2024-01-01"), 11000};
  budget_project_input_t in = {.has_a = true, .has_b = true, .a_ore = 1000000,
                               .b_ore = 1200000, .a_date = D("2023-02-01"),
                               .b_date = D("2024-02-01"), .price_lines = lines,
                               .nprice_lines = 2, .molio_deduction_bp = 1250, .ia = &ia,
                               .ib = &ib, .costs_to_date_ore = 10};
  budget_project_figures_t f;
  assert_int_equal(budget_project_figures(&in, &f, NULL), TRIN_OK);
  assert_true(f.drift_known);
  assert_int_equal(f.drift.total_ore, 200000);
  assert_int_equal(f.drift.market_ore, 100000);        /* 10 % index rise on A */
  assert_int_equal(f.drift.unexplained_ore, 100000);
  assert_int_equal(f.molio.failing, 1);
  assert_int_equal(f.forecast.base_ore, 1200000);      /* no forecast version: B */
  in.has_forecast = true;
  in.forecast_version_ore = 1300000;
  in.forecast_version_date = D("2024-06-01");
  assert_int_equal(budget_project_figures(&in, &f, NULL), TRIN_OK);
  assert_int_equal(f.forecast.at_completion_ore, 1300000);
}

/* New index points re-emit a project's figures only when they differ: the
 * same inputs give equal figures; an index point that moves the market part
 * (and with it the market-adjusted drift), a point that makes it known, a
 * MOLIO or forecast change each make them differ. */
static void project_figures_compare(void **state) {
  budget_line_t lines[1] = {{875000, 1000000, BUDGET_CAT_CRAFT}};
  budget_index_point_t ia = {D("2023-01-01"), 10000}, ib = {D("2024-01-01"), 11000};
  budget_project_input_t in = {.has_a = true, .has_b = true, .a_ore = 1000000,
                               .b_ore = 1200000, .a_date = D("2023-02-01"),
                               .b_date = D("2024-02-01"), .price_lines = lines,
                               .nprice_lines = 1, .molio_deduction_bp = 1250, .ia = &ia,
                               .ib = &ib};
  budget_project_figures_t x, y;
  assert_int_equal(budget_project_figures(&in, &x, NULL), TRIN_OK);
  assert_int_equal(budget_project_figures(&in, &y, NULL), TRIN_OK);
  assert_true(budget_project_figures_equal(&x, &y));
  /* A later point (2024-01-15 = 110.00) with the same value: the same figures. */
  budget_index_point_t ib2 = {D("2024-01-15"), 11000};
  in.ib = &ib2;
  assert_int_equal(budget_project_figures(&in, &y, NULL), TRIN_OK);
  assert_true(budget_project_figures_equal(&x, &y));
  /* 2024-01-15 = 112.00: market 1 000 000 × 112 / 100 − 1 000 000 = 120 000
   * (was 100 000), market-adjusted drift 80 000 (was 100 000). */
  ib2.value_x100 = 11200;
  assert_int_equal(budget_project_figures(&in, &y, NULL), TRIN_OK);
  assert_int_equal(y.drift.market_ore, 120000);
  assert_int_equal(y.drift.market_adjusted_ore, 80000);
  assert_false(budget_project_figures_equal(&x, &y));
  assert_false(budget_project_figures_equal(&y, &x));
  /* The market part unknown (no point for A) against known. */
  in.ia = NULL;
  in.ib = NULL;
  assert_int_equal(budget_project_figures(&in, &y, NULL), TRIN_OK);
  assert_false(y.drift.market_known);
  assert_false(budget_project_figures_equal(&x, &y));
  /* The index alone equal, MOLIO or the forecast not. */
  in.ia = &ia;
  in.ib = &ib;
  lines[0].amount_ore = 875001; /* one øre above the limit: fails */
  assert_int_equal(budget_project_figures(&in, &y, NULL), TRIN_OK);
  assert_false(budget_project_figures_equal(&x, &y));
  lines[0].amount_ore = 875000;
  in.costs_to_date_ore = 5;
  assert_int_equal(budget_project_figures(&in, &y, NULL), TRIN_OK);
  assert_false(budget_project_figures_equal(&x, &y));
  in.costs_to_date_ore = 0;
  assert_int_equal(budget_project_figures(&in, &y, NULL), TRIN_OK);
  assert_true(budget_project_figures_equal(&x, &y));
}

/* ---- budget.rent ------------------------------------------------------------------------- */

static void rent_consequence_annuity(void **state) {
  /* Price 100.000.000,00 kr, 80 % financed: 8 000 000 000 øre at 4 % over
   * 30 years. Annuity factor 0.04 / (1 − 1.04^−30) = 0.0578300991…;
   * payment 462 640 793.07 -> 462 640 793 øre a year. Over 10 000 m²:
   * 46 264.08 -> 46 264 øre/m² a year (462,64 kr). Rent 900,00 kr/m² ->
   * 1.362,64 kr/m², within the maximum 1.400,00; +51.40 % = 5140 bp. */
  budget_rent_params_t p = {8000, 400, 30, 10000, 90000, 140000};
  budget_rent_t r;
  trin_err_t err = {0};
  assert_int_equal(budget_rent(10000000000, &p, &r, &err), TRIN_OK);
  assert_int_equal(r.financed_ore, 8000000000);
  assert_int_equal(r.yearly_payment_ore, 462640793);
  assert_int_equal(r.increase_ore_per_m2, 46264);
  assert_int_equal(r.new_rent_ore_per_m2, 136264);
  assert_int_equal(r.increase_bp, 5140);
  assert_true(r.within_max);
  p.max_rent_ore_per_m2 = 136263; /* one øre below: over the maximum */
  assert_int_equal(budget_rent(10000000000, &p, &r, &err), TRIN_OK);
  assert_false(r.within_max);
  /* No interest: straight repayment, 1 200 000 / 12 = 100 000 a year. */
  budget_rent_params_t z = {10000, 0, 12, 100, 0, 5000};
  assert_int_equal(budget_rent(1200000, &z, &r, &err), TRIN_OK);
  assert_int_equal(r.yearly_payment_ore, 100000);
  assert_int_equal(r.increase_ore_per_m2, 1000);
  assert_int_equal(r.increase_bp, 0);
  assert_true(r.within_max);
  /* Parameters are checked, naming the field. */
  budget_rent_params_t bad = p;
  bad.term_years = 0;
  assert_int_equal(budget_rent(1, &bad, &r, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "parameters.term_years");
  bad = p;
  bad.rentable_area_m2 = 0;
  assert_int_equal(budget_rent_check(&bad, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "parameters.rentable_area_m2");
  bad = p;
  bad.loan_share_bp = 10001;
  assert_int_equal(budget_rent_check(&bad, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "parameters.loan_share_bp");
}

static void turnover_parties(void **state) {
  assert_int_equal(budget_category_party(BUDGET_CAT_ADVISOR_FEES), BUDGET_PARTY_ADVISORS);
  assert_int_equal(budget_category_party(BUDGET_CAT_CRAFT), BUDGET_PARTY_CONTRACTOR);
  assert_int_equal(budget_category_party(BUDGET_CAT_EARLY_ADVICE), BUDGET_PARTY_CONTRACTOR);
  assert_int_equal(budget_category_party(BUDGET_CAT_MARGIN), BUDGET_PARTY_CONTRACTOR);
  assert_int_equal(budget_category_party(BUDGET_CAT_FINANCING), BUDGET_PARTY_OTHER);
  assert_string_equal(budget_party_name(BUDGET_PARTY_ADVISORS), "advisors");
}

/* Corrections: a submitted budget is withdrawn, an approved one reopened;
 * the price closing is the line neither crosses. */
static void withdraw_only_submitted(void **state) {
  (void)state;
  trin_err_t err = {0};
  budget_state_t b = {"A1", "P1", BUDGET_SKEMA_A, "submitted"};
  assert_int_equal(budget_withdraw_check(&b, &err), TRIN_OK);
  b.kind = BUDGET_SKEMA_B;
  assert_int_equal(budget_withdraw_check(&b, &err), TRIN_OK);
  b.status = "draft";
  assert_int_equal(budget_withdraw_check(&b, &err), TRIN_ECONFLICT);
  assert_string_equal(err.field, "status");
  assert_string_equal(err.message,
                      "budget 'A1' is draft; only a submitted budget can be withdrawn");
  b.status = "approved";
  assert_int_equal(budget_withdraw_check(&b, &err), TRIN_ECONFLICT);
  assert_string_equal(err.message, "budget 'A1' is approved; only a submitted budget can be "
                                   "withdrawn (an approved one is reopened)");
}

static void reopen_before_and_after_price_closing(void **state) {
  (void)state;
  trin_err_t err = {0};
  budget_price_closing_t open = {false, "", ""};
  budget_price_closing_t by_b = {true, "2025-03-01", "B1"};
  budget_price_closing_t by_lifecycle = {true, "2025-02-15", ""};
  budget_state_t a = {"A1", "P1", BUDGET_SKEMA_A, "approved"};
  assert_int_equal(budget_reopen_check(&a, &open, &err), TRIN_OK);
  assert_int_equal(budget_reopen_check(&a, &by_b, &err), TRIN_ECONFLICT);
  assert_string_equal(err.field, "price_closed");
  assert_string_equal(err.message,
                      "the price of project 'P1' is closed by Skema B 'B1' (prisen er lukket "
                      "2025-03-01): the drift is measured from its approved Skema A 'A1', "
                      "which can no longer be reopened");
  assert_int_equal(budget_reopen_check(&a, &by_lifecycle, &err), TRIN_ECONFLICT);
  assert_string_equal(err.message,
                      "the price of project 'P1' is closed in the project's lifecycle (prisen "
                      "er lukket 2025-02-15): the drift is measured from its approved Skema A "
                      "'A1', which can no longer be reopened");
  /* An approved Skema B closed the price itself: never reopened. */
  budget_state_t b = {"B1", "P1", BUDGET_SKEMA_B, "approved"};
  assert_int_equal(budget_reopen_check(&b, &by_b, &err), TRIN_ECONFLICT);
  assert_string_equal(err.field, "price_closed");
  assert_string_equal(err.message,
                      "budget 'B1' is the approved Skema B of project 'P1': approving it "
                      "closed the price (prisen er lukket 2025-03-01), and a closed price is "
                      "not reopened");
  /* Skema C and forecasts follow no price line. */
  budget_state_t c = {"C1", "P1", BUDGET_SKEMA_C, "approved"};
  assert_int_equal(budget_reopen_check(&c, &by_b, &err), TRIN_OK);
  budget_state_t f = {"F1", "P1", BUDGET_FORECAST, "approved"};
  assert_int_equal(budget_reopen_check(&f, &by_b, &err), TRIN_OK);
  /* Only an approved budget. */
  a.status = "submitted";
  assert_int_equal(budget_reopen_check(&a, &open, &err), TRIN_ECONFLICT);
  assert_string_equal(err.field, "status");
  assert_string_equal(err.message, "budget 'A1' is submitted; only an approved budget can be "
                                   "reopened (a submitted one is withdrawn)");
  a.status = "draft";
  assert_int_equal(budget_reopen_check(&a, &open, &err), TRIN_ECONFLICT);
  assert_string_equal(err.message,
                      "budget 'A1' is draft; only an approved budget can be reopened");
}

static void correction_reason_required(void **state) {
  (void)state;
  trin_err_t err = {0};
  assert_int_equal(budget_reason_check("Forkert mængde på tag", &err), TRIN_OK);
  assert_int_equal(budget_reason_check(NULL, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "reason");
  assert_string_equal(err.message, "is required: say why the budget goes back to draft");
  assert_int_equal(budget_reason_check(" \t ", &err), TRIN_EINVALID);
  assert_string_equal(err.message, "is required: say why the budget goes back to draft");
  char long_reason[BUDGET_REASON_MAX_BYTES + 2];
  memset(long_reason, 'x', sizeof long_reason - 1);
  long_reason[sizeof long_reason - 1] = '\0';
  assert_int_equal(budget_reason_check(long_reason, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "reason");
  assert_int_equal(budget_reason_check("a\x01b", &err), TRIN_EINVALID);
  assert_string_equal(err.field, "reason");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(price_worked_example),
      cmocka_unit_test(price_rounds_each_line_half_away_from_zero),
      cmocka_unit_test(price_refusals),
      cmocka_unit_test(model_checks),
      cmocka_unit_test(names_and_lines),
      cmocka_unit_test(molio_boundary),
      cmocka_unit_test(molio_lines_summary),
      cmocka_unit_test(index_lookup_no_interpolation),
      cmocka_unit_test(index_dates_and_csv),
      cmocka_unit_test(drift_decomposition_adds_up),
      cmocka_unit_test(drift_invariant_holds_everywhere),
      cmocka_unit_test(forecast_at_completion),
      cmocka_unit_test(project_figures_pick_versions),
      cmocka_unit_test(project_figures_compare),
      cmocka_unit_test(rent_consequence_annuity),
      cmocka_unit_test(turnover_parties),
      cmocka_unit_test(withdraw_only_submitted),
      cmocka_unit_test(reopen_before_and_after_price_closing),
      cmocka_unit_test(correction_reason_required),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
