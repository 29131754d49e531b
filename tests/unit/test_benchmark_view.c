/* Unit tests for services/benchmark/benchmark_view: a rank history's years,
 * every refusal with its field and words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "benchmark_view.h"

static void refused(int32_t from, int32_t to, const char *field) {
  trin_err_t err;
  trin_err_clear(&err);
  assert_int_equal(benchmark_view_history_years(from, to, &err), TRIN_EINVALID);
  assert_string_equal(err.field, field);
  assert_true(strlen(err.message) > 0);
}

static void test_history_years(void **state) {
  (void)state;
  trin_err_t err;
  trin_err_clear(&err);
  assert_int_equal(benchmark_view_history_years(2015, 2024, &err), TRIN_OK);
  assert_int_equal(benchmark_view_history_years(2024, 2024, &err), TRIN_OK);
  assert_int_equal(benchmark_view_history_years(2000, 2000 + BENCHMARK_VIEW_HISTORY_MAX_YEARS - 1,
                                                &err),
                   TRIN_OK);
  refused(2024, 2023, "to_year");  /* before from_year */
  refused(2000, 2000 + BENCHMARK_VIEW_HISTORY_MAX_YEARS, "to_year");  /* too many years */
  refused(BENCHMARK_YEAR_MIN - 1, 2024, "from_year");
  refused(BENCHMARK_YEAR_MAX, BENCHMARK_YEAR_MAX + 1, "to_year");
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_history_years)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
