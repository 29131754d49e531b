/* Unit tests for common/trin_date: every day trin accepts round-trips
 * through all its forms, the calendar's edges (leap years, month ends) hold,
 * and malformed dates and times are refused with the field named. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "trin_date.h"

/* An oracle independent of the code under test: a plain calendar counter. */
static bool leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }
static int month_len(int y, int m) {
  static const int len[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && leap(y) ? 29 : len[m - 1];
}

static trin_date_t D(const char *text) {
  trin_date_t d = TRIN_DATE_NONE;
  trin_err_t err;
  int rc = trin_date_parse(text, &d, "date", &err);
  if (rc != TRIN_OK) print_message("'%s': %s\n", text, err.message);
  assert_int_equal(rc, TRIN_OK);
  return d;
}

static void test_every_day(void **state) {
  int y = 1900, m = 1, d = 1, days = 0;
  trin_date_t first = trin_date_from_ymd(1900, 1, 1), prev = first - 1;
  char buf[TRIN_DATE_BUF], want[48];
  while (y < 2200) {
    assert_true(trin_date_valid_ymd(y, m, d));
    trin_date_t date = trin_date_from_ymd(y, m, d);
    assert_int_equal(date, prev + 1);

    int yy, mm, dd;
    trin_date_to_ymd(date, &yy, &mm, &dd);
    assert_int_equal(yy, y);
    assert_int_equal(mm, m);
    assert_int_equal(dd, d);

    snprintf(want, sizeof want, "%04d-%02d-%02d", y, m, d);
    assert_string_equal(trin_date_format(date, buf), want);
    trin_date_t back = TRIN_DATE_NONE;
    assert_int_equal(trin_date_parse(buf, &back, "date", NULL), TRIN_OK);
    assert_int_equal(back, date);

    /* The day after a month's last day is not a date. */
    if (d == month_len(y, m)) assert_false(trin_date_valid_ymd(y, m, d + 1));

    prev = date;
    days++;
    if (++d > month_len(y, m)) {
      d = 1;
      if (++m > 12) {
        m = 1;
        y++;
      }
    }
  }
  assert_int_equal(days, 300 * 365 + 73);
  assert_int_equal(prev, trin_date_from_ymd(2199, 12, 31));
}

static void test_epoch_and_known_days(void **state) {
  assert_int_equal(trin_date_from_ymd(1970, 1, 1), 0);
  assert_int_equal(trin_date_from_ymd(1969, 12, 31), -1);
  assert_int_equal(trin_date_from_ymd(2000, 1, 1), 10957);
  assert_int_equal(trin_date_from_ymd(1900, 1, 1), -25567);
  assert_int_equal(D("2026-11-25") - D("2026-01-01"), 328);
}

static void test_leap_years(void **state) {
  assert_true(trin_date_valid_ymd(2000, 2, 29));  /* divisible by 400 */
  assert_false(trin_date_valid_ymd(1900, 2, 29)); /* by 100, not 400 */
  assert_false(trin_date_valid_ymd(2100, 2, 29));
  assert_true(trin_date_valid_ymd(2024, 2, 29));
  assert_false(trin_date_valid_ymd(2023, 2, 29));
  assert_int_equal(D("2000-03-01") - D("2000-02-28"), 2);
  assert_int_equal(D("1900-03-01") - D("1900-02-28"), 1);
  assert_int_equal(D("2100-03-01") - D("2100-02-28"), 1);
  assert_int_equal(D("2024-03-01") - D("2024-02-28"), 2);
  assert_int_equal(D("2025-01-01") - D("2024-01-01"), 366);
  assert_int_equal(D("2101-01-01") - D("2100-01-01"), 365);
}

static void test_valid_ymd_bounds(void **state) {
  assert_false(trin_date_valid_ymd(1899, 12, 31));
  assert_true(trin_date_valid_ymd(1900, 1, 1));
  assert_true(trin_date_valid_ymd(2199, 12, 31));
  assert_false(trin_date_valid_ymd(2200, 1, 1));
  assert_false(trin_date_valid_ymd(2026, 0, 1));
  assert_false(trin_date_valid_ymd(2026, 13, 1));
  assert_false(trin_date_valid_ymd(2026, 1, 0));
  assert_false(trin_date_valid_ymd(2026, 4, 31));
  assert_false(trin_date_valid_ymd(2026, -1, 1));
  assert_false(trin_date_valid_ymd(2026, 1, -1));
}

static void rejects(const char *text) {
  trin_err_t err;
  trin_err_clear(&err);
  trin_date_t d = 12345;
  int rc = trin_date_parse(text, &d, "start_date", &err);
  if (rc == TRIN_OK) print_message("'%s' was accepted\n", text ? text : "(null)");
  assert_int_equal(rc, TRIN_EINVALID);
  assert_int_equal(err.code, TRIN_EINVALID);
  assert_string_equal(err.field, "start_date");
  assert_true(err.message[0] != '\0');
  assert_int_equal(d, 12345);
}

static void test_parse_rejects(void **state) {
  rejects("2023-02-29");
  rejects("2026-13-01");
  rejects("2026-1-1");
  rejects("20260101");
  rejects("");
  rejects(NULL);
  rejects("2026-00-10");
  rejects("2026-04-31");
  rejects("2026-01-00");
  rejects("1899-12-31");
  rejects("2200-01-01");
  rejects("20260-01-01");
  rejects("2026-01-01 ");
  rejects(" 2026-01-01");
  rejects("2026/01/01");
  rejects("2026-01-0a");
  rejects("+026-01-01");
  rejects("2026-01-01T00:00:00Z");
  rejects("01-01-2026");
  rejects("2026-\xc3\xb8-01");

  trin_err_t err;
  trin_date_t d;
  trin_date_parse("2023-02-29", &d, "due_on", &err);
  assert_non_null(strstr(err.message, "2023-02-29"));
  trin_date_parse("2026-1-1", &d, "due_on", &err);
  assert_non_null(strstr(err.message, "YYYY-MM-DD"));
  trin_date_parse("", &d, "due_on", &err);
  assert_non_null(strstr(err.message, "required"));
}

static void test_parse_optional(void **state) {
  trin_date_t d = 1;
  assert_int_equal(trin_date_parse_optional("", &d, "due_on", NULL), TRIN_OK);
  assert_int_equal(d, TRIN_DATE_NONE);
  d = 1;
  assert_int_equal(trin_date_parse_optional(NULL, &d, "due_on", NULL), TRIN_OK);
  assert_int_equal(d, TRIN_DATE_NONE);
  assert_int_equal(trin_date_parse_optional("2024-02-29", &d, "due_on", NULL), TRIN_OK);
  assert_int_equal(d, trin_date_from_ymd(2024, 2, 29));
  trin_err_t err;
  assert_int_equal(trin_date_parse_optional("2023-02-29", &d, "due_on", &err),
                   TRIN_EINVALID);
  assert_string_equal(err.field, "due_on");
}

static void test_format_edges(void **state) {
  char buf[TRIN_DATE_BUF];
  assert_string_equal(trin_date_format(TRIN_DATE_NONE, buf), "");
  assert_string_equal(trin_date_format(0, buf), "1970-01-01");
  /* Any int32 formats inside the buffer without undefined behaviour, even
   * though such dates never come out of trin_date_parse. */
  trin_date_t odd[] = {INT32_MAX, INT32_MAX - 719468, INT32_MIN + 1, -1000000};
  for (size_t i = 0; i < sizeof odd / sizeof *odd; i++) {
    trin_date_format(odd[i], buf);
    assert_true(strlen(buf) == 10);
  }
}

static void years(const char *from, int n, const char *want) {
  char buf[TRIN_DATE_BUF];
  assert_string_equal(trin_date_format(trin_date_add_years(D(from), n), buf), want);
}

static void test_add_years(void **state) {
  years("2024-02-29", 1, "2025-02-28");
  years("2024-02-29", 4, "2028-02-29");
  years("2024-02-29", -1, "2023-02-28");
  years("2024-02-29", -4, "2020-02-29");
  years("2096-02-29", 4, "2100-02-28"); /* 2100 is not a leap year */
  years("1996-02-29", 4, "2000-02-29");
  years("2024-02-29", 0, "2024-02-29");
  years("2026-01-31", 1, "2027-01-31");
  years("2026-12-31", 10, "2036-12-31");
  years("2023-02-28", 1, "2024-02-28");
  years("2023-03-01", 1, "2024-03-01");
}

static void test_check_order(void **state) {
  trin_err_t err;
  assert_int_equal(trin_date_check_order(D("2026-01-01"), "reported_on",
                                         D("2026-01-01"), "due_on", &err),
                   TRIN_OK);
  assert_int_equal(trin_date_check_order(D("2026-01-01"), "reported_on",
                                         D("2026-01-02"), "due_on", &err),
                   TRIN_OK);
  assert_int_equal(trin_date_check_order(TRIN_DATE_NONE, "reported_on",
                                         D("2026-01-02"), "due_on", &err),
                   TRIN_OK);
  assert_int_equal(trin_date_check_order(D("2026-01-02"), "reported_on",
                                         TRIN_DATE_NONE, "due_on", &err),
                   TRIN_OK);
  trin_err_clear(&err);
  assert_int_equal(trin_date_check_order(D("2026-02-01"), "reported_on",
                                         D("2026-01-31"), "due_on", &err),
                   TRIN_EINVALID);
  assert_int_equal(err.code, TRIN_EINVALID);
  assert_string_equal(err.field, "due_on");
  assert_string_equal(err.message,
                      "due_on (2026-01-31) is before reported_on (2026-02-01)");
  assert_int_equal(trin_date_check_order(2, "a", 1, "b", NULL), TRIN_EINVALID);
}

static trin_time_t T(const char *text) {
  trin_time_t t = 0;
  trin_err_t err;
  int rc = trin_time_parse(text, &t, "at", &err);
  if (rc != TRIN_OK) print_message("'%s': %s\n", text, err.message);
  assert_int_equal(rc, TRIN_OK);
  return t;
}

static void test_time_format(void **state) {
  char buf[TRIN_TIME_BUF];
  assert_string_equal(trin_time_format(0, buf), "1970-01-01T00:00:00.000Z");
  assert_string_equal(trin_time_format(-1, buf), "1969-12-31T23:59:59.999Z");
  assert_string_equal(trin_time_format(-86400000, buf), "1969-12-31T00:00:00.000Z");
  assert_string_equal(trin_time_format(-86400001, buf), "1969-12-30T23:59:59.999Z");
  trin_time_t t = (trin_time_t)trin_date_from_ymd(2026, 11, 25) * 86400000 +
                  ((8 * 60 + 16) * 60 + 48) * 1000 + 123;
  assert_string_equal(trin_time_format(t, buf), "2026-11-25T08:16:48.123Z");
  /* The extremes stay inside the buffer and are defined. */
  trin_time_format(INT64_MAX, buf);
  assert_int_equal(strlen(buf), TRIN_TIME_BUF - 1);
  trin_time_format(INT64_MIN, buf);
  assert_int_equal(strlen(buf), TRIN_TIME_BUF - 1);
}

static void test_time_parse(void **state) {
  trin_time_t day = (trin_time_t)trin_date_from_ymd(2026, 11, 25) * 86400000;
  trin_time_t at = day + ((8 * 60 + 16) * 60 + 48) * 1000;
  assert_true(T("2026-11-25T08:16:48Z") == at);
  assert_true(T("2026-11-25T08:16:48.123Z") == at + 123);
  assert_true(T("2026-11-25T08:16:48.1Z") == at + 100);
  assert_true(T("2026-11-25T08:16:48.12Z") == at + 120);
  assert_true(T("2026-11-25T08:16:48.000Z") == at);
  /* More than millisecond precision is cut, not rounded. */
  assert_true(T("2026-11-25T08:16:48.123456Z") == at + 123);
  assert_true(T("2026-11-25T08:16:48.9999999999999999999Z") == at + 999);
  /* Offsets: local time minus the offset is UTC. */
  assert_true(T("2026-11-25T10:16:48+02:00") == at);
  assert_true(T("2026-11-25T10:16:48.123+02:00") == at + 123);
  assert_true(T("2026-11-25T02:46:48-05:30") == at);
  assert_true(T("2026-11-25T08:16:48+00:00") == at);
  assert_true(T("2026-11-25T08:16:48-00:00") == at);
  assert_true(T("2026-11-25T01:00:00+02:00") == day - 3600000); /* the day before */
  assert_true(T("2026-12-31T23:30:00-01:00") ==
              (trin_time_t)trin_date_from_ymd(2027, 1, 1) * 86400000 + 1800000);
  assert_true(T("1970-01-01T00:00:00Z") == 0);
  assert_true(T("1969-12-31T23:59:59.999Z") == -1);
  assert_true(T("2024-02-29T23:59:59Z") ==
              (trin_time_t)trin_date_from_ymd(2024, 3, 1) * 86400000 - 1000);
}

static void time_rejects(const char *text) {
  trin_err_t err;
  trin_err_clear(&err);
  trin_time_t t = 777;
  int rc = trin_time_parse(text, &t, "occurred_at", &err);
  if (rc == TRIN_OK) print_message("'%s' was accepted\n", text ? text : "(null)");
  assert_int_equal(rc, TRIN_EINVALID);
  assert_int_equal(err.code, TRIN_EINVALID);
  assert_string_equal(err.field, "occurred_at");
  assert_true(err.message[0] != '\0');
  assert_true(t == 777);
}

static void test_time_rejects(void **state) {
  time_rejects("");
  time_rejects(NULL);
  time_rejects("2026-11-25");
  time_rejects("2026-11-25T08:16:48");
  time_rejects("2026-11-25 08:16:48Z");
  time_rejects("2026-11-25T24:00:00Z");
  time_rejects("2026-11-25T08:60:00Z");
  time_rejects("2026-11-25T08:16:60Z");
  time_rejects("2026-11-25T08:16:48.Z");
  time_rejects("2026-11-25T08:16:48.12aZ");
  time_rejects("2026-11-25T08:16:48+0200");
  time_rejects("2026-11-25T08:16:48+02");
  time_rejects("2026-11-25T08:16:48+02:00Z");
  time_rejects("2026-11-25T08:16:48+24:00");
  time_rejects("2026-11-25T08:16:48+02:60");
  time_rejects("2026-11-25T08:16:48z");
  time_rejects("2026-11-25T08:16:48ZZ");
  time_rejects("2026-11-25T08:16:48Z ");
  time_rejects("2026-02-30T00:00:00Z");
  time_rejects("2026-11-25T8:16:48Z");
  time_rejects("1899-12-31T23:59:59Z");
  time_rejects("2026-11-25t08:16:48Z");
}

static void test_time_round_trip(void **state) {
  char buf[TRIN_TIME_BUF];
  /* Steps that are prime in ms so every field varies, 1900 to 2199. */
  trin_time_t lo = (trin_time_t)trin_date_from_ymd(1900, 1, 1) * 86400000;
  trin_time_t hi = (trin_time_t)trin_date_from_ymd(2199, 12, 31) * 86400000 + 86399999;
  int n = 0;
  for (trin_time_t t = lo; t <= hi; t += 9999999967) {
    trin_time_t back;
    assert_int_equal(trin_time_parse(trin_time_format(t, buf), &back, "t", NULL), TRIN_OK);
    assert_true(back == t);
    n++;
  }
  trin_time_t back;
  assert_int_equal(trin_time_parse(trin_time_format(hi, buf), &back, "t", NULL), TRIN_OK);
  assert_true(back == hi);
  assert_string_equal(buf, "2199-12-31T23:59:59.999Z");
  assert_true(n > 900);
}

static void test_now_and_today(void **state) {
  trin_time_t now = trin_time_now();
  assert_true(now > (trin_time_t)D("2024-01-01") * 86400000);
  trin_date_t today = trin_date_today();
  assert_true(today >= D("2024-01-01"));
  assert_true(today - now / 86400000 <= 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_day),
      cmocka_unit_test(test_epoch_and_known_days),
      cmocka_unit_test(test_leap_years),
      cmocka_unit_test(test_valid_ymd_bounds),
      cmocka_unit_test(test_parse_rejects),
      cmocka_unit_test(test_parse_optional),
      cmocka_unit_test(test_format_edges),
      cmocka_unit_test(test_add_years),
      cmocka_unit_test(test_check_order),
      cmocka_unit_test(test_time_format),
      cmocka_unit_test(test_time_parse),
      cmocka_unit_test(test_time_rejects),
      cmocka_unit_test(test_time_round_trip),
      cmocka_unit_test(test_now_and_today),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
