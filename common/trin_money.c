/* trin_money — see trin_money.h. */
#include "trin_money.h"

#include "trin_number.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MONEY_TEXT_MAX 64

/* Applies the sign to a magnitude; exact over the whole int64 range, so
 * that everything trin_money_format writes parses back (INT64_MIN too). */
static bool to_ore(uint64_t m, bool neg, trin_ore_t *out) {
  if (m > (uint64_t)INT64_MAX + (neg ? 1 : 0)) return false;
  *out = neg && m > 0 ? -(trin_ore_t)(m - 1) - 1 : (trin_ore_t)m;
  return true;
}

int trin_money_parse(const char *text, trin_ore_t *out, const char *field,
                     trin_err_t *err) {
  if (text == NULL || *text == '\0')
    return trin_err_set(err, TRIN_EINVALID, field, "an amount is required");
  size_t len = strlen(text);
  if (len >= MONEY_TEXT_MAX)
    return trin_err_set(err, TRIN_EINVALID, field, "'%.40s' is not a number: too long", text);

  /* Copy digits and separators; strip an optional currency suffix. */
  char s[MONEY_TEXT_MAX];
  memcpy(s, text, len + 1);
  while (len > 0 && isspace((unsigned char)s[len - 1])) s[--len] = '\0';
  static const char *const suffixes[] = {"kr.", "kr", "DKK", "dkk"};
  for (size_t i = 0; i < sizeof suffixes / sizeof *suffixes; i++) {
    size_t sl = strlen(suffixes[i]);
    if (len > sl && strcmp(s + len - sl, suffixes[i]) == 0) {
      len -= sl;
      s[len] = '\0';
      while (len > 0 && isspace((unsigned char)s[len - 1])) s[--len] = '\0';
      break;
    }
  }
  /* The number itself is read like every other number trin reads. */
  return trin_number_parse_ex(s, 2, true, out, field, err);
}

int trin_money_parse_ore(const char *text, trin_ore_t *out, const char *field,
                         trin_err_t *err) {
  if (text == NULL || *text == '\0')
    return trin_err_set(err, TRIN_EINVALID, field, "an amount in øre is required");
  const char *p = text;
  bool neg = false;
  if (*p == '-') {
    neg = true;
    p++;
  }
  if (*p == '\0')
    return trin_err_set(err, TRIN_EINVALID, field, "'%.40s' is not a whole number of øre", text);
  uint64_t m = 0;
  bool big = false;
  for (; *p; p++) {
    if (!isdigit((unsigned char)*p))
      return trin_err_set(err, TRIN_EINVALID, field,
                          "'%.40s' is not a whole number of øre", text);
    unsigned dg = (unsigned)(*p - '0');
    if (m > (UINT64_MAX - dg) / 10) big = true;
    else m = m * 10 + dg;
  }
  if (big || !to_ore(m, neg, out))
    return trin_err_set(err, TRIN_EINVALID, field, "'%.40s' is too large", text);
  return TRIN_OK;
}

static char *format(trin_ore_t v, char *buf, char dec, char group,
                    const char *suffix) {
  /* Work on the magnitude as unsigned so INT64_MIN formats correctly. */
  uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  char rev[TRIN_MONEY_BUF];
  size_t n = 0;
  rev[n++] = (char)('0' + m % 10);
  m /= 10;
  rev[n++] = (char)('0' + m % 10);
  m /= 10;
  rev[n++] = dec;
  int in_group = 0;
  do {
    if (group && in_group == 3) {
      rev[n++] = group;
      in_group = 0;
    }
    rev[n++] = (char)('0' + m % 10);
    m /= 10;
    in_group++;
  } while (m > 0);
  size_t o = 0;
  if (v < 0) buf[o++] = '-';
  while (n > 0) buf[o++] = rev[--n];
  buf[o] = '\0';
  if (suffix) strcat(buf, suffix);
  return buf;
}

char *trin_money_format(trin_ore_t v, char *buf) {
  return format(v, buf, '.', 0, NULL);
}

char *trin_money_format_dk(trin_ore_t v, char *buf) {
  return format(v, buf, ',', '.', " kr.");
}

bool trin_money_add(trin_ore_t a, trin_ore_t b, trin_ore_t *out) {
  trin_ore_t r;
  if (__builtin_add_overflow(a, b, &r)) return false;
  *out = r;
  return true;
}

bool trin_money_sub(trin_ore_t a, trin_ore_t b, trin_ore_t *out) {
  trin_ore_t r;
  if (__builtin_sub_overflow(a, b, &r)) return false;
  *out = r;
  return true;
}

bool trin_money_apply_bp(trin_ore_t a, int64_t basis_points, trin_ore_t *out) {
  __int128 p = (__int128)a * basis_points;
  __int128 q = p / 10000, r = p % 10000;
  if (r >= 5000) q++;
  else if (r <= -5000) q--;
  if (q > INT64_MAX || q < INT64_MIN) return false;
  *out = (trin_ore_t)q;
  return true;
}

int trin_money_check_nonnegative(trin_ore_t v, const char *field,
                                 trin_err_t *err) {
  if (v >= 0) return TRIN_OK;
  char buf[TRIN_MONEY_BUF];
  return trin_err_set(err, TRIN_EINVALID, field,
                      "must not be negative (got %s kr.)",
                      trin_money_format_dk(v, buf));
}
