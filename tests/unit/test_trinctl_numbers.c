/* trinctl.numbers — trinctl's text output writes numbers one way, the
 * Danish way: decimal comma, thousands dot, "2,38 %", signed changes
 * ("+0,60" beside "-0,60", never a bare "0.60"), and the services' machine
 * decimals ("3.91", "-0.60") turned into that form. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <cmocka.h>

#include "trinctl_print.h"

static void scaled_numbers_and_percentages(void **state) {
  (void)state;
  char b[TRINCTL_NUM_BUF];
  assert_string_equal(trinctl_num(238, 2, b), "2,38");
  assert_string_equal(trinctl_num(123456789, 2, b), "1.234.567,89");
  assert_string_equal(trinctl_num(11820, 2, b), "118,20");
  assert_string_equal(trinctl_num(4215, 1, b), "421,5");
  assert_string_equal(trinctl_num(12345, 0, b), "12.345");
  assert_string_equal(trinctl_num(-5, 2, b), "-0,05");
  assert_string_equal(trinctl_num_signed(60, 2, b), "+0,60");
  assert_string_equal(trinctl_num_signed(-60, 2, b), "-0,60");
  assert_string_equal(trinctl_num_signed(0, 2, b), "+0,00");
  assert_string_equal(trinctl_pct_bp(238, b), "2,38 %");
  assert_string_equal(trinctl_pct_bp(-1250, b), "-12,50 %");
  assert_string_equal(trinctl_kr(70500000, b), "705.000,00 kr.");
}

static void machine_decimals_from_replies(void **state) {
  (void)state;
  char b[TRINCTL_NUM_BUF];
  assert_string_equal(trinctl_num_text("3.91", false, b), "3,91");
  assert_string_equal(trinctl_num_text("0.60", true, b), "+0,60");
  assert_string_equal(trinctl_num_text("-0.60", true, b), "-0,60");
  assert_string_equal(trinctl_num_text("0.00", true, b), "+0,00");
  assert_string_equal(trinctl_num_text("2.380", false, b), "2,380"); /* a decimal, not 2380 */
  assert_string_equal(trinctl_num_text("1234.5", false, b), "1.234,5");
  assert_string_equal(trinctl_num_text("12", false, b), "12");
  /* what is not a machine number passes unchanged */
  assert_string_equal(trinctl_num_text("", true, b), "");
  assert_string_equal(trinctl_num_text("n/a", false, b), "n/a");
  assert_string_equal(trinctl_num_text("1.", false, b), "1.");
  assert_string_equal(trinctl_num_text("1,5", false, b), "1,5");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(scaled_numbers_and_percentages),
      cmocka_unit_test(machine_decimals_from_replies),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
