/* benchmark.stats — fixed-point rounding, quartiles and medians as Excel's
 * QUARTILE.INC / R's quantile(type = 7), and the distribution, against
 * values computed by hand. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "benchmark_rules.h"

static void div_round_half_away_from_zero(void **state) {
  assert_int_equal(benchmark_div_round(5, 2), 3);    /* 2.5 -> 3 */
  assert_int_equal(benchmark_div_round(-5, 2), -3);  /* -2.5 -> -3 */
  assert_int_equal(benchmark_div_round(7, 3), 2);    /* 2.33 -> 2 */
  assert_int_equal(benchmark_div_round(-7, 3), -2);
  assert_int_equal(benchmark_div_round(8, 3), 3);    /* 2.67 -> 3 */
  assert_int_equal(benchmark_div_round(5, -2), -3);
  assert_int_equal(benchmark_div_round(0, 7), 0);
  /* 128-bit intermediates: 10^15 øre × 10^4 / 10^15 */
  benchmark_wide_t big = (benchmark_wide_t)1000000000000000LL * 10000;
  assert_int_equal(benchmark_div_round(big, 1000000000000000LL), 10000);
}

static void quartiles_of_four_values(void **state) {
  /* Excel QUARTILE.INC({1,2,3,4}, k) = 1, 1.75, 2.5, 3.25, 4 (× 100 here) */
  const int64_t x[] = {100, 200, 300, 400};
  assert_int_equal(benchmark_quartile(x, 4, 0), 100);
  assert_int_equal(benchmark_quartile(x, 4, 1), 175);
  assert_int_equal(benchmark_quartile(x, 4, 2), 250);
  assert_int_equal(benchmark_quartile(x, 4, 3), 325);
  assert_int_equal(benchmark_quartile(x, 4, 4), 400);
}

static void quartiles_of_seven_values(void **state) {
  /* R: quantile(c(3,5,7,8,12,14,21), type = 7) -> 3, 6, 8, 13, 21 */
  const int64_t x[] = {3, 5, 7, 8, 12, 14, 21};
  benchmark_distribution_t d;
  benchmark_distribution(x, 7, &d);
  assert_int_equal(d.n, 7);
  assert_int_equal(d.min, 3);
  assert_int_equal(d.q1, 6);
  assert_int_equal(d.median, 8);
  assert_int_equal(d.q3, 13);
  assert_int_equal(d.max, 21);
  assert_int_equal(d.mean, 10); /* 70 / 7 */
}

static void quartiles_round_half_away_from_zero(void **state) {
  /* {1, 2}: Q1 = 1.25 -> 1, median 1.5 -> 2, Q3 1.75 -> 2 */
  const int64_t x[] = {1, 2};
  assert_int_equal(benchmark_quartile(x, 2, 1), 1);
  assert_int_equal(benchmark_quartile(x, 2, 2), 2);
  assert_int_equal(benchmark_quartile(x, 2, 3), 2);
  /* {-2, -1}: median -1.5 -> -2 */
  const int64_t y[] = {-2, -1};
  assert_int_equal(benchmark_quartile(y, 2, 2), -2);
  /* odd count: the median is the middle value */
  const int64_t z[] = {10, 20, 30, 40, 50};
  assert_int_equal(benchmark_quartile(z, 5, 1), 20);
  assert_int_equal(benchmark_quartile(z, 5, 2), 30);
  assert_int_equal(benchmark_quartile(z, 5, 3), 40);
}

static void distribution_of_one_and_none(void **state) {
  const int64_t x[] = {42};
  benchmark_distribution_t d;
  benchmark_distribution(x, 1, &d);
  assert_int_equal(d.n, 1);
  assert_int_equal(d.min, 42);
  assert_int_equal(d.q1, 42);
  assert_int_equal(d.median, 42);
  assert_int_equal(d.q3, 42);
  assert_int_equal(d.max, 42);
  assert_int_equal(d.mean, 42);
  benchmark_distribution(x, 0, &d);
  assert_int_equal(d.n, 0);
  assert_int_equal(d.mean, 0);
}

static void mean_rounds_once(void **state) {
  /* (1 + 2 + 2) / 3 = 1.67 -> 2; (-1 - 2) / 2 = -1.5 -> -2 */
  const int64_t x[] = {1, 2, 2};
  benchmark_distribution_t d;
  benchmark_distribution(x, 3, &d);
  assert_int_equal(d.mean, 2);
  const int64_t y[] = {-2, -1};
  benchmark_distribution(y, 2, &d);
  assert_int_equal(d.mean, -2);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(div_round_half_away_from_zero),
      cmocka_unit_test(quartiles_of_four_values),
      cmocka_unit_test(quartiles_of_seven_values),
      cmocka_unit_test(quartiles_round_half_away_from_zero),
      cmocka_unit_test(distribution_of_one_and_none),
      cmocka_unit_test(mean_rounds_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
