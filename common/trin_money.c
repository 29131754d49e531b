/* trin_money — see trin_money.h. */
#include "trin_money.h"

#include <ctype.h>
#include <stdio.h>
#include <string.h>

#define MONEY_TEXT_MAX 64

static int bad(trin_err_t *err, const char *field, const char *text,
               const char *why) {
  return trin_err_set(err, TRIN_EINVALID, field,
                      "'%.40s' is not an amount in kroner: %s", text, why);
}

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
  if (len >= MONEY_TEXT_MAX) return bad(err, field, text, "too long");

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
  const char *p = s;
  while (isspace((unsigned char)*p)) p++;
  bool neg = false;
  if (*p == '-' || *p == '+') {
    neg = *p == '-';
    p++;
  }

  /* Collect digit groups and the separators between them. */
  char digits[MONEY_TEXT_MAX];
  size_t nd = 0;
  int sep_pos[MONEY_TEXT_MAX]; /* index into digits where a separator stood */
  char sep_chr[MONEY_TEXT_MAX];
  size_t ns = 0;
  for (; *p; p++) {
    if (isdigit((unsigned char)*p)) {
      digits[nd++] = *p;
    } else if (*p == '.' || *p == ',' || *p == ' ') {
      if (nd == 0) return bad(err, field, text, "starts with a separator");
      if (ns > 0 && sep_pos[ns - 1] == (int)nd)
        return bad(err, field, text, "two separators in a row");
      sep_pos[ns] = (int)nd;
      sep_chr[ns] = *p;
      ns++;
    } else {
      return bad(err, field, text, "unexpected character");
    }
  }
  if (nd == 0) return bad(err, field, text, "no digits");
  if (ns > 0 && sep_pos[ns - 1] == (int)nd)
    return bad(err, field, text, "ends with a separator");

  /* Decide which separator, if any, is the decimal mark: the last one, when
   * it is followed by 1 or 2 digits and is not a space. All others must be
   * thousands separators with groups of exactly three digits. */
  size_t int_digits = nd, dec_digits = 0;
  size_t groups_end = ns;
  if (ns > 0) {
    size_t after = nd - (size_t)sep_pos[ns - 1];
    char c = sep_chr[ns - 1];
    if (c != ' ' && after <= 2) {
      int_digits = (size_t)sep_pos[ns - 1];
      dec_digits = after;
      groups_end = ns - 1;
      for (size_t i = 0; i < groups_end; i++)
        if (sep_chr[i] == c)
          return bad(err, field, text, "decimal mark also used for grouping");
    } else if (after != 3) {
      return bad(err, field, text, "more than two decimals");
    }
    for (size_t i = 0; i < groups_end; i++) {
      size_t next = (i + 1 < groups_end) ? (size_t)sep_pos[i + 1] : int_digits;
      if (next - (size_t)sep_pos[i] != 3)
        return bad(err, field, text, "thousands groups must have 3 digits");
      if (sep_chr[i] != sep_chr[0])
        return bad(err, field, text, "mixed thousands separators");
    }
    if (groups_end > 0 && (size_t)sep_pos[0] > 3)
      return bad(err, field, text, "thousands groups must have 3 digits");
  }

  /* The digits, padded to two decimals, are the amount in øre. */
  uint64_t m = 0;
  for (size_t i = 0; i < int_digits + 2; i++) {
    unsigned dg = i < int_digits + dec_digits ? (unsigned)(digits[i] - '0') : 0;
    if (m > (UINT64_MAX - dg) / 10) return bad(err, field, text, "too large");
    m = m * 10 + dg;
  }
  if (!to_ore(m, neg, out)) return bad(err, field, text, "too large");
  return TRIN_OK;
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
