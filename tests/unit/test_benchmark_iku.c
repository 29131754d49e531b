/* benchmark.iku — competitive exposure (IKU): the formula worked by hand
 * (basis points, rounded once, half away from zero), the total from the
 * sums, the main accounts' names, the amounts' checks worded for people,
 * ranks (1 = highest, ties share the best rank), the national average, a
 * main account without tasks (no IKU, not ranked — not 0 %), a year with a
 * missing account (total partial, not ranked) and the rank history. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "benchmark_access.h"
#include "benchmark_iku.h"
#include "trin_access.h"

#define KR(x) ((int64_t)(x) * 100)

static void formula_worked_by_hand(void **state) {
  (void)state;
  /* Sundhed: (1.000.000 + 250.000) × 100 / 4.600.000 = 27,1739… % -> 2717 bp */
  benchmark_iku_amounts_t a = {KR(1000000), KR(250000), KR(4600000)};
  int32_t bp = -1;
  assert_true(benchmark_iku_bp(&a, &bp));
  assert_int_equal(bp, 2717);
  /* 2 / 3 = 66,666… % -> 6667; 1 / 3 -> 3333 */
  a = (benchmark_iku_amounts_t){2, 0, 3};
  assert_true(benchmark_iku_bp(&a, &bp));
  assert_int_equal(bp, 6667);
  a = (benchmark_iku_amounts_t){0, 1, 3};
  assert_true(benchmark_iku_bp(&a, &bp));
  assert_int_equal(bp, 3333);
  /* exactly half a basis point (1 / 20.000 = 0,5 bp) rounds away from zero */
  a = (benchmark_iku_amounts_t){1, 0, 20000};
  assert_true(benchmark_iku_bp(&a, &bp));
  assert_int_equal(bp, 1);
  /* all of it: 100 % */
  a = (benchmark_iku_amounts_t){KR(7), KR(3), KR(10)};
  assert_true(benchmark_iku_bp(&a, &bp));
  assert_int_equal(bp, 10000);
}

static void no_tasks_is_no_iku(void **state) {
  (void)state;
  benchmark_iku_amounts_t a = {0, 0, 0};
  int32_t bp = 4242;
  assert_false(benchmark_iku_bp(&a, &bp));
  assert_int_equal(bp, 4242);
}

static void amounts_refused_in_words(void **state) {
  (void)state;
  trin_err_t err = {0};
  benchmark_iku_amounts_t a = {KR(-1), 0, KR(10)};
  assert_int_equal(benchmark_iku_amounts_check(&a, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "purchases");
  assert_string_equal(err.message, "may not be negative");
  a = (benchmark_iku_amounts_t){KR(6), KR(5), KR(10)};
  assert_int_equal(benchmark_iku_amounts_check(&a, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "tasks");
  assert_string_equal(err.message,
                      "purchases plus own tenders won exceed the tasks private suppliers could "
                      "perform; they are part of those tasks (are two columns swapped?)");
  a = (benchmark_iku_amounts_t){0, 0, BENCHMARK_IKU_AMOUNT_MAX + 1};
  assert_int_equal(benchmark_iku_amounts_check(&a, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "tasks");
  assert_string_equal(err.message,
                      "is over 1.000.000.000.000 kr., more than any municipality spends");
  a = (benchmark_iku_amounts_t){KR(5), KR(5), KR(10)};
  assert_int_equal(benchmark_iku_amounts_check(&a, &err), TRIN_OK);
}

static void accounts_by_number_name_or_key(void **state) {
  (void)state;
  trin_err_t err = {0};
  assert_int_equal(benchmark_iku_account_parse("4", "main_account", &err), 3);
  assert_int_equal(benchmark_iku_account_parse(" Sundhed ", "main_account", &err), 3);
  assert_int_equal(benchmark_iku_account_parse("SUNDHED", "main_account", &err), 3);
  assert_int_equal(benchmark_iku_account_parse("0", "main_account", &err), 0);
  assert_int_equal(benchmark_iku_account_parse("Administration og it", "main_account", &err), 5);
  assert_int_equal(benchmark_iku_account_parse("transport", "main_account", &err), 1);
  assert_int_equal(benchmark_iku_account_parse("1", "main_account", &err), -1);
  assert_string_equal(err.field, "main_account");
  assert_string_equal(err.message,
                      "'1' is not a main account: write its number (0, 2, 3, 4, 5, 6), its "
                      "name (e.g. Sundhed) or its key (byudvikling, transport, undervisning, "
                      "sundhed, sociale, administration)");
  assert_string_equal(benchmark_iku_accounts[4].name, "Sociale opgaver");
  assert_int_equal(benchmark_iku_accounts[4].number, 5);
}

/* Six accounts of one municipality-year, each with tasks t and purchases p
 * (own_won 0), in kroner. */
static size_t add6(benchmark_iku_row_t *r, int year, const char *m, const int64_t p[6],
                   const int64_t t[6]) {
  for (int k = 0; k < 6; k++)
    r[k] = (benchmark_iku_row_t){year, m, k, {KR(p[k]), 0, KR(t[k])}};
  return 6;
}

/* Four municipalities in 2022 (rows by year, then municipality):
 *   A: every account 30 % of 100 kr.; total 30 %
 *   B: every account 20 % of 100 kr. but Sundhed 30 %; total 2167 bp
 *   C: as B (ties with B everywhere)
 *   D: Sundhed without tasks; the other accounts 50 %; total 50 %
 * Sundhed: A 3000, B 3000, C 3000, D none -> all three rank 1 of 3.
 * Byudvikling: D 5000 (1), A 3000 (2), B = C 2000 (3, 3). */
static size_t four(benchmark_iku_row_t *r, int year) {
  static const int64_t t[6] = {100, 100, 100, 100, 100, 100};
  static const int64_t pa[6] = {30, 30, 30, 30, 30, 30};
  static const int64_t pb[6] = {20, 20, 20, 30, 20, 20};
  static const int64_t pd[6] = {50, 50, 50, 0, 50, 50};
  static const int64_t td[6] = {100, 100, 100, 0, 100, 100};
  size_t n = 0;
  n += add6(r + n, year, "A", pa, t);
  n += add6(r + n, year, "B", pb, t);
  n += add6(r + n, year, "C", pb, t);
  n += add6(r + n, year, "D", pd, td);
  return n;
}

static void ranks_ties_share_the_best(void **state) {
  (void)state;
  benchmark_iku_row_t rows[24];
  size_t n = four(rows, 2022);
  benchmark_iku_report_t r;
  benchmark_iku_report(rows, n, "B", 2022, &r);
  assert_true(r.found);
  assert_int_equal(r.municipalities, 4);
  /* Byudvikling: D 50 %, A 30 %, B = C 20 % -> B is nr. 3 af 4, as C */
  assert_int_equal(r.accounts[0].bp, 2000);
  assert_int_equal(r.accounts[0].rank, 3);
  assert_int_equal(r.accounts[0].of, 4);
  /* average (5000 + 3000 + 2000 + 2000) / 4 = 3000 */
  assert_true(r.accounts[0].has_average);
  assert_int_equal(r.accounts[0].average_bp, 3000);
  /* Sundhed: A = B = C = 30 %, D has no tasks -> nr. 1 af 3 */
  assert_int_equal(r.accounts[3].rank, 1);
  assert_int_equal(r.accounts[3].of, 3);
  assert_int_equal(r.accounts[3].average_bp, 3000);
  /* total from the sums: 130 / 600 = 21,666… % -> 2167 (not a mean of the accounts) */
  assert_int_equal(r.total.state, BENCHMARK_IKU_OK);
  assert_int_equal(r.total.bp, 2167);
  assert_int_equal(r.total.sum.purchases, KR(130));
  assert_int_equal(r.total.sum.tasks, KR(600));
  /* totals: D 5000 (1), A 3000 (2), B = C 2167 (3) */
  assert_int_equal(r.total.rank, 3);
  assert_int_equal(r.total.of, 4);
  /* (5000 + 3000 + 2167 + 2167) / 4 = 3083,5 -> 3084 */
  assert_int_equal(r.total.average_bp, 3084);
  benchmark_iku_report(rows, n, "C", 2022, &r);
  assert_int_equal(r.total.rank, 3);
  benchmark_iku_report(rows, n, "A", 2022, &r);
  assert_int_equal(r.total.rank, 2);
  assert_int_equal(r.accounts[3].rank, 1);
}

static void no_tasks_not_ranked_not_zero(void **state) {
  (void)state;
  benchmark_iku_row_t rows[24];
  size_t n = four(rows, 2022);
  benchmark_iku_report_t r;
  benchmark_iku_report(rows, n, "D", 2022, &r);
  assert_int_equal(r.accounts[3].state, BENCHMARK_IKU_NO_TASKS);
  assert_string_equal(benchmark_iku_state_name(r.accounts[3].state), "no_tasks");
  assert_false(r.accounts[3].has_value);
  assert_int_equal(r.accounts[3].rank, 0);
  /* the others ranked on Sundhed are still counted and averaged */
  assert_int_equal(r.accounts[3].of, 3);
  assert_int_equal(r.accounts[3].average_bp, 3000);
  /* an account of no tasks still belongs to a complete year: the total ranks */
  assert_int_equal(r.total.state, BENCHMARK_IKU_OK);
  assert_int_equal(r.total.bp, 5000);
  assert_int_equal(r.total.rank, 1);
  assert_int_equal(r.accounts[0].rank, 1);
}

static void missing_account_makes_a_partial_total(void **state) {
  (void)state;
  benchmark_iku_row_t rows[24];
  size_t n = four(rows, 2022);
  /* A did not report Administration og it (its last row) */
  memmove(&rows[5], &rows[6], (n - 6) * sizeof *rows);
  n--;
  benchmark_iku_report_t r;
  benchmark_iku_report(rows, n, "A", 2022, &r);
  assert_int_equal(r.accounts[5].state, BENCHMARK_IKU_MISSING);
  assert_string_equal(benchmark_iku_state_name(r.accounts[5].state), "missing");
  assert_false(r.accounts[5].has_value);
  assert_int_equal(r.accounts[5].of, 3);
  /* the total of five accounts: 150 / 500 = 30 %, shown but not ranked */
  assert_int_equal(r.total.state, BENCHMARK_IKU_PARTIAL);
  assert_true(r.total.has_value);
  assert_int_equal(r.total.bp, 3000);
  assert_int_equal(r.total.rank, 0);
  assert_int_equal(r.total.of, 3);
  /* and the others' totals no longer count A: B is nr. 2 af 3 */
  benchmark_iku_report(rows, n, "B", 2022, &r);
  assert_int_equal(r.total.rank, 2);
  assert_int_equal(r.total.of, 3);
  assert_int_equal(r.total.average_bp, 3111); /* (5000 + 2167 + 2167) / 3 = 3111,3 */
}

static void rank_history_over_ten_years(void **state) {
  (void)state;
  /* 2012 and 2014–2022 of the four; 2013 missing; 2011 outside the window */
  benchmark_iku_row_t rows[24 * 12];
  size_t n = four(rows, 2011);
  n += four(rows + n, 2012);
  for (int y = 2014; y <= 2022; y++) n += four(rows + n, y);
  /* in 2020 B did better than A and C: 100 % on Byudvikling */
  for (size_t i = 0; i < n; i++)
    if (rows[i].year == 2020 && strcmp(rows[i].municipality, "B") == 0 && rows[i].account == 0)
      rows[i].a = (benchmark_iku_amounts_t){KR(100), 0, KR(100)};
  benchmark_iku_report_t r;
  benchmark_iku_report(rows, n, "B", 2022, &r);
  assert_int_equal(r.history[0].year, 2012);
  assert_int_equal(r.history[10].year, 2022);
  assert_int_equal(r.history[0].rank, 3);
  assert_int_equal(r.history[0].of, 4);
  assert_int_equal(r.history[1].state, BENCHMARK_IKU_MISSING);
  assert_int_equal(r.history[1].rank, 0);
  assert_false(r.history[1].has_value);
  /* 2020: (100 + 20·4 + 30) / 600 = 35 %: nr. 2 (D 50 %) */
  assert_int_equal(r.history[8].year, 2020);
  assert_int_equal(r.history[8].bp, 3500);
  assert_int_equal(r.history[8].rank, 2);
  assert_int_equal(r.history[10].rank, 3);
  assert_int_equal(r.history[10].bp, r.total.bp);
  /* a municipality the window does not know */
  benchmark_iku_report(rows, n, "Z", 2022, &r);
  assert_false(r.found);
  assert_int_equal(r.total.state, BENCHMARK_IKU_MISSING);
  assert_int_equal(r.history[10].state, BENCHMARK_IKU_MISSING);
  /* known in the window, but not in the year asked: found, nothing that year */
  benchmark_iku_report(rows, n, "A", 2013, &r);
  assert_true(r.found);
  assert_int_equal(r.total.state, BENCHMARK_IKU_MISSING);
  assert_int_equal(r.municipalities, 0);
  assert_int_equal(r.history[9].rank, 2); /* 2012 */
}

static trin_caller_t caller(const char *org, const char *role) {
  trin_caller_t c = {0};
  c.authenticated = true;
  snprintf(c.org, sizeof c.org, "%s", org);
  snprintf(c.role, sizeof c.role, "%s", role);
  return c;
}

/* The figures are national statistics of every municipality: the operator
 * imports them (as the other bulk imports), anyone working in trin reads. */
static void who_may_import_and_read(void **state) {
  (void)state;
  void *t = (void *)&benchmark_access;
  trin_err_t err = {0};
  trin_caller_t w = caller("aalborg", "writer"), rd = caller("aalborg", "reader");
  trin_caller_t svc = caller("trin", "service"), admin = caller("ops", "admin");
  trin_caller_t res = caller("aalborg", "resident");
  assert_int_equal(trin_access_gate(&w, "trin.benchmark.ImportIkuCsv", t, &err), TRIN_EFORBIDDEN);
  assert_string_equal(err.message, "organisation \"aalborg\" (role writer) may not "
                                   "trin.benchmark.ImportIkuCsv: benchmark allows it to service");
  assert_int_equal(trin_access_gate(&svc, "trin.benchmark.ImportIkuCsv", t, &err), TRIN_OK);
  assert_int_equal(trin_access_gate(&admin, "trin.benchmark.ImportIkuCsv", t, &err), TRIN_OK);
  assert_int_equal(trin_access_gate(&rd, "trin.benchmark.QueryIku", t, &err), TRIN_OK);
  assert_int_equal(trin_access_gate(&w, "trin.benchmark.QueryIku", t, &err), TRIN_OK);
  assert_int_equal(trin_access_gate(&res, "trin.benchmark.QueryIku", t, &err), TRIN_EFORBIDDEN);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(formula_worked_by_hand),
      cmocka_unit_test(no_tasks_is_no_iku),
      cmocka_unit_test(amounts_refused_in_words),
      cmocka_unit_test(accounts_by_number_name_or_key),
      cmocka_unit_test(ranks_ties_share_the_best),
      cmocka_unit_test(no_tasks_not_ranked_not_zero),
      cmocka_unit_test(missing_account_makes_a_partial_total),
      cmocka_unit_test(rank_history_over_ten_years),
      cmocka_unit_test(who_may_import_and_read),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
