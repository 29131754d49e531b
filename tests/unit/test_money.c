/* Unit tests for common/trin_money: amounts as people type them, the two
 * printed forms, and arithmetic that refuses to overflow. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "trin_money.h"

static void parses(const char *text, trin_ore_t want) {
  trin_err_t err;
  trin_err_clear(&err);
  trin_ore_t v = 42;
  int rc = trin_money_parse(text, &v, "amount", &err);
  if (rc != TRIN_OK || v != want)
    print_message("'%s': rc %d (%s), got %lld want %lld\n", text, rc,
                  err.message, (long long)v, (long long)want);
  assert_int_equal(rc, TRIN_OK);
  assert_true(v == want);
}

static void rejects(const char *text) {
  trin_err_t err;
  trin_err_clear(&err);
  trin_ore_t v = 42;
  int rc = trin_money_parse(text, &v, "amount", &err);
  if (rc == TRIN_OK) print_message("'%s' was accepted as %lld\n", text, (long long)v);
  assert_int_equal(rc, TRIN_EINVALID);
  assert_int_equal(err.code, TRIN_EINVALID);
  assert_string_equal(err.field, "amount");
  assert_true(err.message[0] != '\0');
  assert_true(v == 42); /* out untouched */
}

static void test_parse_forms(void **state) {
  parses("1234", 123400);
  parses("1234.5", 123450);
  parses("1234,50", 123450);
  parses("1.234.567,89", 123456789);
  parses("1,234,567.89", 123456789);
  parses("1 234 567,89", 123456789);
  parses("-12,5", -1250);
  parses("1.234", 123400); /* three digits after one separator: thousands */
  parses("1,234", 123400);
  parses("1 234", 123400);
  parses("100 kr.", 10000);
  parses("100 kr", 10000);
  parses("100kr.", 10000);
  parses("2.500 DKK", 250000);
  parses("2.500 dkk", 250000);
  parses("2500DKK", 250000);
  parses("0", 0);
  parses("-0", 0);
  parses("0,05", 5);
  parses("0.5", 50);
  parses("1,23", 123);
  parses("+7", 700);
  parses("-1.234,50 kr.", -123450);
  parses("  12  ", 1200);
  parses("12 kr.  ", 1200);
  parses("1.234,5", 123450);
  parses("1,234.5", 123450);
  parses("007", 700);
}

static void test_parse_rejects(void **state) {
  rejects("");
  rejects("abc");
  rejects("1,2,3");
  rejects("12.345,6789");
  rejects("1..2");
  rejects(",5");
  rejects("5,");
  rejects("99999999999999999999");
  rejects("-");
  rejects("kr.");
  rejects("kr 100");
  rejects("1e5");
  rejects("--5");
  rejects("- 5");
  rejects("1.2345");       /* four decimals */
  rejects("1234,567");     /* 4 digits before a thousands separator */
  rejects("12 34");        /* a space is never a decimal mark */
  rejects("1.234.5");      /* decimal mark also used for grouping */
  rejects("1.234,567");    /* mixed thousands separators */
  rejects("1,23,456");     /* groups of two */
  rejects("12.34.567");
  rejects("1.2.3");
  rejects("1 .5");
  rejects("5 EUR");
  char longtext[100];
  memset(longtext, '1', sizeof longtext - 1);
  longtext[sizeof longtext - 1] = '\0';
  rejects(longtext);

  trin_err_t err;
  trin_ore_t v;
  assert_int_equal(trin_money_parse(NULL, &v, "amount", &err), TRIN_EINVALID);
  assert_string_equal(err.field, "amount");
  /* err may be NULL. */
  assert_int_equal(trin_money_parse("x", &v, "amount", NULL), TRIN_EINVALID);

  trin_money_parse("12.345,6789", &v, "budget", &err);
  assert_non_null(strstr(err.message, "12.345,6789"));
  assert_non_null(strstr(err.message, "decimals"));
}

/* The whole int64 range parses, and not one øre more. */
static void test_parse_limits(void **state) {
  parses("92233720368547758,07", INT64_MAX);
  parses("92.233.720.368.547.758,07 kr.", INT64_MAX);
  parses("-92233720368547758.08", INT64_MIN);
  rejects("92233720368547758,08");
  rejects("-92233720368547758.09");
  rejects("184467440737095516,16");   /* 2^64 øre */
  rejects("184467440737095516,15");   /* UINT64_MAX øre */
  rejects("1844674407370955161");
  trin_err_t err;
  trin_ore_t v;
  trin_money_parse("99999999999999999999", &v, "amount", &err);
  assert_non_null(strstr(err.message, "too large"));
}

static void test_format(void **state) {
  char buf[TRIN_MONEY_BUF];
  struct { trin_ore_t v; const char *machine, *dk; } cases[] = {
      {0, "0.00", "0,00 kr."},
      {5, "0.05", "0,05 kr."},
      {-5, "-0.05", "-0,05 kr."},
      {100, "1.00", "1,00 kr."},
      {-100, "-1.00", "-1,00 kr."},
      {99999, "999.99", "999,99 kr."},
      {100000, "1000.00", "1.000,00 kr."},
      {-100000, "-1000.00", "-1.000,00 kr."},
      {123456789, "1234567.89", "1.234.567,89 kr."},
      {-123456789, "-1234567.89", "-1.234.567,89 kr."},
      {300000000000, "3000000000.00", "3.000.000.000,00 kr."},
      {INT64_MAX, "92233720368547758.07", "92.233.720.368.547.758,07 kr."},
      {INT64_MIN, "-92233720368547758.08", "-92.233.720.368.547.758,08 kr."},
      {INT64_MIN + 1, "-92233720368547758.07", "-92.233.720.368.547.758,07 kr."},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    assert_string_equal(trin_money_format(cases[i].v, buf), cases[i].machine);
    assert_true(strlen(buf) < TRIN_MONEY_BUF);
    assert_string_equal(trin_money_format_dk(cases[i].v, buf), cases[i].dk);
    assert_true(strlen(buf) < TRIN_MONEY_BUF);
    /* Both forms parse back to the same amount. */
    trin_ore_t back;
    assert_int_equal(trin_money_parse(cases[i].machine, &back, "a", NULL), TRIN_OK);
    assert_true(back == cases[i].v);
    assert_int_equal(trin_money_parse(cases[i].dk, &back, "a", NULL), TRIN_OK);
    assert_true(back == cases[i].v);
  }
}

/* Round trip over many magnitudes: every power-of-ten boundary and its
 * neighbours, both signs. */
static void test_format_round_trip(void **state) {
  char buf[TRIN_MONEY_BUF];
  int checked = 0;
  for (int sign = -1; sign <= 1; sign += 2) {
    trin_ore_t p = 1;
    for (int e = 0; e <= 18; e++) {
      if (e > 0) p *= 10;
      for (trin_ore_t d = -2; d <= 2; d++) {
        trin_ore_t v = sign * (p + d);
        trin_ore_t back;
        assert_int_equal(trin_money_parse(trin_money_format(v, buf), &back, "a", NULL),
                         TRIN_OK);
        assert_true(back == v);
        assert_int_equal(trin_money_parse(trin_money_format_dk(v, buf), &back, "a", NULL),
                         TRIN_OK);
        assert_true(back == v);
        checked++;
      }
    }
  }
  assert_int_equal(checked, 2 * 19 * 5);
}

static void test_add_sub(void **state) {
  trin_ore_t r = 7;
  assert_true(trin_money_add(1, 2, &r));
  assert_true(r == 3);
  assert_true(trin_money_add(INT64_MAX, 0, &r));
  assert_true(r == INT64_MAX);
  assert_true(trin_money_add(INT64_MAX, INT64_MIN, &r));
  assert_true(r == -1);
  r = 7;
  assert_false(trin_money_add(INT64_MAX, 1, &r));
  assert_false(trin_money_add(INT64_MIN, -1, &r));
  assert_false(trin_money_add(INT64_MIN, INT64_MIN, &r));
  assert_true(r == 7); /* untouched */

  assert_true(trin_money_sub(5, 7, &r));
  assert_true(r == -2);
  assert_true(trin_money_sub(-1, INT64_MAX, &r));
  assert_true(r == INT64_MIN);
  r = 7;
  assert_false(trin_money_sub(INT64_MIN, 1, &r));
  assert_false(trin_money_sub(0, INT64_MIN, &r));
  assert_false(trin_money_sub(INT64_MAX, -1, &r));
  assert_true(r == 7);
}

static void bp(trin_ore_t a, int64_t basis_points, trin_ore_t want) {
  trin_ore_t r = 42;
  bool ok = trin_money_apply_bp(a, basis_points, &r);
  if (!ok || r != want)
    print_message("%lld x %lld bp: got %lld want %lld\n", (long long)a,
                  (long long)basis_points, (long long)r, (long long)want);
  assert_true(ok);
  assert_true(r == want);
}

static void test_apply_bp(void **state) {
  bp(10000, 2500, 2500);
  bp(123456789, 10000, 123456789);
  bp(123456789, 0, 0);
  bp(0, 9999, 0);
  bp(1, 5000, 1);       /* 0.5 rounds away from zero */
  bp(-1, 5000, -1);
  bp(1, -5000, -1);
  bp(-1, -5000, 1);
  bp(1, 4999, 0);
  bp(-1, 4999, 0);
  bp(3, 1667, 1);       /* 0.5001 */
  bp(15, 3333, 5);      /* 4.9995 */
  bp(-15, 3333, -5);
  bp(25, 1000, 3);      /* 2.5 -> 3, not bankers' 2 */
  bp(35, 1000, 4);      /* 3.5 -> 4 */
  bp(-25, 1000, -3);
  bp(100, -2500, -25);
  bp(99999, 150, 1500); /* 1499.985 */
  bp(99999, 149, 1490); /* 1489.9851 */
  bp(INT64_MAX, 10000, INT64_MAX);
  bp(INT64_MIN, 10000, INT64_MIN);
  bp(INT64_MAX, 5000, INT64_MAX / 2 + 1); /* ...03.5 rounds up */
}

static void test_apply_bp_overflow(void **state) {
  trin_ore_t r = 42;
  assert_false(trin_money_apply_bp(INT64_MAX, 10001, &r));
  assert_false(trin_money_apply_bp(INT64_MIN, -10000, &r));
  assert_false(trin_money_apply_bp(INT64_MAX, INT64_MAX, &r));
  assert_false(trin_money_apply_bp(INT64_MIN, INT64_MIN, &r));
  assert_false(trin_money_apply_bp(1000000000000000, 100000000, &r));
  assert_true(r == 42);
}

static void ore(const char *text, trin_ore_t want) {
  trin_ore_t v = 42;
  trin_err_t err;
  int rc = trin_money_parse_ore(text, &v, "amount_ore", &err);
  if (rc != TRIN_OK) print_message("'%s': %s\n", text, err.message);
  assert_int_equal(rc, TRIN_OK);
  assert_true(v == want);
}

static void ore_rejects(const char *text) {
  trin_ore_t v = 42;
  trin_err_t err;
  trin_err_clear(&err);
  assert_int_equal(trin_money_parse_ore(text, &v, "amount_ore", &err), TRIN_EINVALID);
  assert_int_equal(err.code, TRIN_EINVALID);
  assert_string_equal(err.field, "amount_ore");
  assert_true(err.message[0] != '\0');
  assert_true(v == 42);
}

static void test_parse_ore(void **state) {
  ore("0", 0);
  ore("123456", 123456);
  ore("-5", -5);
  ore("-0", 0);
  ore("9223372036854775807", INT64_MAX);
  ore("-9223372036854775808", INT64_MIN);
  ore_rejects("");
  ore_rejects(NULL);
  ore_rejects("-");
  ore_rejects("12a");
  ore_rejects("1.5");
  ore_rejects("1,5");
  ore_rejects(" 5");
  ore_rejects("5 ");
  ore_rejects("+5");
  ore_rejects("--5");
  ore_rejects("9223372036854775808");
  ore_rejects("-9223372036854775809");
  ore_rejects("99999999999999999999999999");
  ore_rejects("99999999999999999999999999x");
}

static void test_check_nonnegative(void **state) {
  trin_err_t err;
  assert_int_equal(trin_money_check_nonnegative(0, "amount_ore", &err), TRIN_OK);
  assert_int_equal(trin_money_check_nonnegative(INT64_MAX, "amount_ore", &err), TRIN_OK);
  trin_err_clear(&err);
  assert_int_equal(trin_money_check_nonnegative(-1, "amount_ore", &err), TRIN_EINVALID);
  assert_int_equal(err.code, TRIN_EINVALID);
  assert_string_equal(err.field, "amount_ore");
  assert_non_null(strstr(err.message, "negative"));
  assert_non_null(strstr(err.message, "-0,01 kr."));
  assert_int_equal(trin_money_check_nonnegative(INT64_MIN, "x", &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "-92.233.720.368.547.758,08 kr."));
  assert_int_equal(trin_money_check_nonnegative(-1, "x", NULL), TRIN_EINVALID);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_parse_forms),
      cmocka_unit_test(test_parse_rejects),
      cmocka_unit_test(test_parse_limits),
      cmocka_unit_test(test_format),
      cmocka_unit_test(test_format_round_trip),
      cmocka_unit_test(test_add_sub),
      cmocka_unit_test(test_apply_bp),
      cmocka_unit_test(test_apply_bp_overflow),
      cmocka_unit_test(test_parse_ore),
      cmocka_unit_test(test_check_nonnegative),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
