/* trin_date — see trin_date.h. Day arithmetic uses Howard Hinnant's
 * days_from_civil / civil_from_days, exact for the proleptic Gregorian
 * calendar. */
#include "trin_date.h"

#include <stdio.h>
#include <string.h>
#include <time.h>

static bool is_leap(int y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

static int days_in_month(int y, int m) {
  static const int dim[] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  return m == 2 && is_leap(y) ? 29 : dim[m - 1];
}

bool trin_date_valid_ymd(int y, int m, int d) {
  return y >= 1900 && y <= 2199 && m >= 1 && m <= 12 && d >= 1 &&
         d <= days_in_month(y, m);
}

trin_date_t trin_date_from_ymd(int y, int m, int d) {
  /* In 64 bits so that no int32 input can overflow; the result of a date
   * outside int32 days is meaningless but defined. */
  int64_t yy = (int64_t)y - (m <= 2);
  int64_t era = (yy >= 0 ? yy : yy - 399) / 400;
  int64_t yoe = yy - era * 400;
  int64_t doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  int64_t doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return (trin_date_t)(era * 146097 + doe - 719468);
}

void trin_date_to_ymd(trin_date_t date, int *y, int *m, int *d) {
  /* In 64 bits: date + 719468 overflows int32 for the last ~700,000 days. */
  int64_t z = (int64_t)date + 719468;
  int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  int64_t doe = z - era * 146097;
  int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  int64_t mp = (5 * doy + 2) / 153;
  *d = (int)(doy - (153 * mp + 2) / 5 + 1);
  *m = (int)(mp < 10 ? mp + 3 : mp - 9);
  *y = (int)(yoe + era * 400 + (*m <= 2));
}

static bool digits(const char *s, int n, int *out) {
  int v = 0;
  for (int i = 0; i < n; i++) {
    if (s[i] < '0' || s[i] > '9') return false;
    v = v * 10 + (s[i] - '0');
  }
  *out = v;
  return true;
}

int trin_date_parse(const char *text, trin_date_t *out, const char *field,
                    trin_err_t *err) {
  if (text == NULL || *text == '\0')
    return trin_err_set(err, TRIN_EINVALID, field,
                        "a date is required (YYYY-MM-DD)");
  int y, m, d;
  if (strlen(text) != 10 || text[4] != '-' || text[7] != '-' ||
      !digits(text, 4, &y) || !digits(text + 5, 2, &m) ||
      !digits(text + 8, 2, &d))
    return trin_err_set(err, TRIN_EINVALID, field,
                        "'%.40s' is not a date in the form YYYY-MM-DD", text);
  if (!trin_date_valid_ymd(y, m, d))
    return trin_err_set(err, TRIN_EINVALID, field,
                        "'%s' is not a calendar date between 1900 and 2199",
                        text);
  *out = trin_date_from_ymd(y, m, d);
  return TRIN_OK;
}

int trin_date_parse_optional(const char *text, trin_date_t *out,
                             const char *field, trin_err_t *err) {
  if (text == NULL || *text == '\0') {
    *out = TRIN_DATE_NONE;
    return TRIN_OK;
  }
  return trin_date_parse(text, out, field, err);
}

char *trin_date_format(trin_date_t date, char *buf) {
  if (date == TRIN_DATE_NONE) {
    buf[0] = '\0';
    return buf;
  }
  int y, m, d;
  trin_date_to_ymd(date, &y, &m, &d);
  /* The form holds years 0000-9999 only; the unsigned modulo keeps any other
   * year inside the buffer (and lets the compiler see that it fits). */
  snprintf(buf, TRIN_DATE_BUF, "%04u-%02u-%02u", (unsigned)y % 10000u,
           (unsigned)m % 100u, (unsigned)d % 100u);
  return buf;
}

trin_date_t trin_date_add_years(trin_date_t date, int years) {
  int y, m, d;
  trin_date_to_ymd(date, &y, &m, &d);
  y += years;
  if (m == 2 && d == 29 && !is_leap(y)) d = 28;
  return trin_date_from_ymd(y, m, d);
}

trin_date_t trin_date_today(void) {
  return (trin_date_t)(trin_time_now() / 86400000);
}

int trin_date_check_order(trin_date_t earlier, const char *earlier_field,
                          trin_date_t later, const char *later_field,
                          trin_err_t *err) {
  if (earlier == TRIN_DATE_NONE || later == TRIN_DATE_NONE || earlier <= later)
    return TRIN_OK;
  char a[TRIN_DATE_BUF], b[TRIN_DATE_BUF];
  return trin_err_set(err, TRIN_EINVALID, later_field,
                      "%s (%s) is before %s (%s)", later_field,
                      trin_date_format(later, b), earlier_field,
                      trin_date_format(earlier, a));
}

trin_time_t trin_time_now(void) {
  struct timespec ts;
  clock_gettime(CLOCK_REALTIME, &ts);
  return (trin_time_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *trin_time_format(trin_time_t t, char *buf) {
  /* Floor division, written so that no t (INT64_MIN included) overflows. */
  trin_time_t days = t / 86400000, ms = t % 86400000;
  if (ms < 0) {
    days--;
    ms += 86400000;
  }
  int y, m, d;
  trin_date_to_ymd((trin_date_t)days, &y, &m, &d);
  /* 0 <= ms < 86400000; the moduli only tell the compiler the fields fit. */
  unsigned s = (unsigned)(ms / 1000);
  snprintf(buf, TRIN_TIME_BUF, "%04u-%02u-%02uT%02u:%02u:%02u.%03uZ",
           (unsigned)y % 10000u, (unsigned)m % 100u, (unsigned)d % 100u,
           s / 3600u % 100u, s / 60u % 60u, s % 60u,
           (unsigned)(ms % 1000) % 1000u);
  return buf;
}

int trin_time_parse(const char *text, trin_time_t *out, const char *field,
                    trin_err_t *err) {
  int y, mo, d, h, mi, s;
  size_t n = text ? strlen(text) : 0;
  if (n < 20 || text[4] != '-' || text[7] != '-' || text[10] != 'T' ||
      text[13] != ':' || text[16] != ':' || !digits(text, 4, &y) ||
      !digits(text + 5, 2, &mo) || !digits(text + 8, 2, &d) ||
      !digits(text + 11, 2, &h) || !digits(text + 14, 2, &mi) ||
      !digits(text + 17, 2, &s))
    goto bad;
  if (!trin_date_valid_ymd(y, mo, d) || h > 23 || mi > 59 || s > 59) goto bad;
  const char *p = text + 19;
  int frac = 0;
  if (*p == '.') {
    p++;
    int nd = 0;
    while (*p >= '0' && *p <= '9') {
      if (nd < 3) frac = frac * 10 + (*p - '0');
      nd++;
      p++;
    }
    if (nd == 0) goto bad;
    for (; nd < 3; nd++) frac *= 10;
  }
  int offset_min = 0;
  if (*p == 'Z' && p[1] == '\0') {
  } else if ((*p == '+' || *p == '-') && strlen(p) == 6 && p[3] == ':') {
    int oh, om;
    if (!digits(p + 1, 2, &oh) || !digits(p + 4, 2, &om) || oh > 23 || om > 59)
      goto bad;
    offset_min = (oh * 60 + om) * (*p == '-' ? -1 : 1);
  } else {
    goto bad;
  }
  *out = (trin_time_t)trin_date_from_ymd(y, mo, d) * 86400000 +
         ((trin_time_t)h * 3600 + mi * 60 + s - offset_min * 60) * 1000 + frac;
  return TRIN_OK;
bad:
  return trin_err_set(err, TRIN_EINVALID, field,
                      "'%.40s' is not an ISO 8601 time such as "
                      "2026-11-25T08:16:48Z",
                      text ? text : "");
}
