/* common.number — one reader for every number people type or import: the
 * Danish and the plain form read the same, thousands groups, the decimal
 * mark, ambiguous and malformed numbers refused with words, and the Danish
 * writing back (decimal comma, thousands dot, signed changes). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "trin_number.h"

static int64_t reads(const char *text, int decimals) {
  int64_t v = -777;
  trin_err_t err = {0};
  if (trin_number_parse(text, decimals, &v, "x", &err)) fail_msg("%s", err.message);
  return v;
}

static const char *refuses(const char *text, int decimals) {
  static trin_err_t err;
  memset(&err, 0, sizeof err);
  int64_t v = -777;
  assert_int_equal(trin_number_parse(text, decimals, &v, "value", &err), TRIN_EINVALID);
  assert_int_equal(v, -777);
  assert_string_equal(err.field, "value");
  return err.message;
}

static void danish_and_plain_read_the_same(void **state) {
  (void)state;
  assert_int_equal(reads("1.250.000,50", 2), 125000050);
  assert_int_equal(reads("1250000.50", 2), 125000050);
  assert_int_equal(reads("1250000,50", 2), 125000050);
  assert_int_equal(reads("1,250,000.50", 2), 125000050);
  assert_int_equal(reads("1 250 000,50", 2), 125000050);
  assert_int_equal(reads("1.250.000", 2), 125000000);
  assert_int_equal(reads("118,20", 2), 11820);
  assert_int_equal(reads("118.2", 2), 11820);
  assert_int_equal(reads("118", 2), 11800);
  assert_int_equal(reads("4,5", 2), 450);
  assert_int_equal(reads("-0.25", 2), -25);
  assert_int_equal(reads("+3", 0), 3);
  assert_int_equal(reads(" 7 ", 0), 7);
  assert_int_equal(reads("2.024", 0), 2024); /* one mark before three digits groups */
  assert_int_equal(reads("1,5", 3), 1500);
  assert_int_equal(reads("1.234,567", 3), 1234567);
  /* an amount in kroner (trin_money_parse) lets one mark before three digits group */
  int64_t v = 0;
  trin_err_t err = {0};
  assert_int_equal(trin_number_parse_ex("250.000", 2, true, &v, "x", &err), TRIN_OK);
  assert_int_equal(v, 25000000);
  assert_int_equal(reads("-9223372036854775808", 0), INT64_MIN);
}

static void malformed_and_ambiguous_refused_with_words(void **state) {
  (void)state;
  assert_string_equal(refuses("1.250.000,505", 2),
                      "'1.250.000,505' is not a number: more than 2 decimals");
  assert_string_equal(refuses("4,5", 0), "'4,5' is not a number: a whole number is expected");
  assert_string_equal(refuses("113,105", 2),
                      "'113,105' is not a number: ambiguous, the three digits after the only "
                      "separator may be thousands or decimals; write thousands without a "
                      "separator and at most 2 decimals");
  assert_string_equal(refuses("1.250", 2),
                      "'1.250' is not a number: ambiguous, the three digits after the only "
                      "separator may be thousands or decimals; write thousands without a "
                      "separator and at most 2 decimals");
  assert_string_equal(refuses("12.50.000", 2),
                      "'12.50.000' is not a number: thousands groups must have 3 digits");
  assert_string_equal(refuses("1.234.5", 2),
                      "'1.234.5' is not a number: thousands groups must have 3 digits");
  assert_string_equal(refuses("1,234,5.00", 2),
                      "'1,234,5.00' is not a number: thousands groups must have 3 digits");
  assert_string_equal(refuses("1.234 567", 0),
                      "'1.234 567' is not a number: mixed thousands separators");
  assert_string_equal(refuses("1.234,567,89", 2),
                      "'1.234,567,89' is not a number: decimal mark also used for grouping");
  assert_string_equal(refuses("5,", 2), "'5,' is not a number: ends with a separator");
  assert_string_equal(refuses(",5", 2), "',5' is not a number: starts with a separator");
  assert_string_equal(refuses("1..5", 2), "'1..5' is not a number: two separators in a row");
  assert_string_equal(refuses("abc", 2), "'abc' is not a number: unexpected character");
  assert_string_equal(refuses("-", 2), "'-' is not a number: no digits");
  assert_string_equal(refuses("  ", 2), "a number is required");
  assert_string_equal(refuses("99999999999999999999", 0),
                      "'99999999999999999999' is not a number: too large");
  assert_string_equal(refuses("92233720368547758,08", 2),
                      "'92233720368547758,08' is not a number: too large");
}

static void written_the_danish_way(void **state) {
  (void)state;
  char b[TRIN_NUMBER_BUF];
  assert_string_equal(trin_number_format_dk(125000050, 2, false, b), "1.250.000,50");
  assert_string_equal(trin_number_format_dk(11820, 2, false, b), "118,20");
  assert_string_equal(trin_number_format_dk(238, 2, false, b), "2,38");
  assert_string_equal(trin_number_format_dk(5, 2, false, b), "0,05");
  assert_string_equal(trin_number_format_dk(-60, 2, false, b), "-0,60");
  assert_string_equal(trin_number_format_dk(60, 2, true, b), "+0,60");
  assert_string_equal(trin_number_format_dk(0, 2, true, b), "+0,00");
  assert_string_equal(trin_number_format_dk(-60, 2, true, b), "-0,60");
  assert_string_equal(trin_number_format_dk(2380, 3, false, b), "2,380");
  assert_string_equal(trin_number_format_dk(1234567, 0, false, b), "1.234.567");
  assert_string_equal(trin_number_format_dk(INT64_MIN, 2, true, b),
                      "-92.233.720.368.547.758,08");
  /* What is written reads back. */
  int64_t v;
  trin_err_t err = {0};
  assert_int_equal(trin_number_parse(trin_number_format_dk(INT64_MIN, 2, false, b), 2, &v, "x",
                                     &err),
                   TRIN_OK);
  assert_int_equal(v, INT64_MIN);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(danish_and_plain_read_the_same),
      cmocka_unit_test(malformed_and_ambiguous_refused_with_words),
      cmocka_unit_test(written_the_danish_way),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
