/* trin_number — see trin_number.h. */
#include "trin_number.h"

#include <ctype.h>
#include <string.h>

#define NUMBER_TEXT_MAX 64

static int bad(trin_err_t *err, const char *field, const char *text, const char *why) {
  return trin_err_set(err, TRIN_EINVALID, field, "'%.40s' is not a number: %s", text, why);
}

static int too_many_decimals(trin_err_t *err, const char *field, const char *text,
                             int decimals) {
  if (decimals == 0) return bad(err, field, text, "a whole number is expected");
  return trin_err_set(err, TRIN_EINVALID, field,
                      "'%.40s' is not a number: more than %d decimals", text, decimals);
}

int trin_number_parse(const char *text, int decimals, int64_t *out, const char *field,
                      trin_err_t *err) {
  return trin_number_parse_ex(text, decimals, decimals == 0, out, field, err);
}

int trin_number_parse_ex(const char *text, int decimals, bool lone_groups, int64_t *out,
                         const char *field, trin_err_t *err) {
  if (text == NULL) text = "";
  const char *p = text;
  while (isspace((unsigned char)*p)) p++;
  size_t len = strlen(p);
  while (len > 0 && isspace((unsigned char)p[len - 1])) len--;
  if (len == 0) return trin_err_set(err, TRIN_EINVALID, field, "a number is required");
  if (len >= NUMBER_TEXT_MAX) return bad(err, field, text, "too long");
  if (decimals < 0 || decimals > 9) return bad(err, field, text, "unsupported precision");
  const char *end = p + len;
  bool neg = false;
  if (*p == '-' || *p == '+') neg = *p++ == '-';

  /* Digits, and where each separator stood among them. */
  char digits[NUMBER_TEXT_MAX];
  size_t nd = 0, ns = 0;
  size_t sep_pos[NUMBER_TEXT_MAX];
  char sep_chr[NUMBER_TEXT_MAX];
  for (; p < end; p++) {
    if (isdigit((unsigned char)*p)) {
      digits[nd++] = *p;
    } else if (*p == '.' || *p == ',' || *p == ' ') {
      if (nd == 0) return bad(err, field, text, "starts with a separator");
      if (ns > 0 && sep_pos[ns - 1] == nd) return bad(err, field, text, "two separators in a row");
      sep_pos[ns] = nd;
      sep_chr[ns++] = *p;
    } else {
      return bad(err, field, text, "unexpected character");
    }
  }
  if (nd == 0) return bad(err, field, text, "no digits");
  if (ns > 0 && sep_pos[ns - 1] == nd)
    return bad(err, field, text, "ends with a separator");

  /* Which separator, if any, is the decimal mark (see the header). */
  size_t int_digits = nd, dec_digits = 0, groups_end = ns;
  if (ns > 0 && sep_chr[ns - 1] != ' ') {
    char c = sep_chr[ns - 1];
    size_t after = nd - sep_pos[ns - 1], same = 0;
    bool other = false;
    for (size_t i = 0; i < ns; i++) {
      if (sep_chr[i] == c) same++;
      else if (sep_chr[i] != ' ') other = true;
    }
    bool is_decimal = other;
    if (!other && same == 1) {
      if (after == 3 && !lone_groups)
        return trin_err_set(err, TRIN_EINVALID, field,
                            "'%.40s' is not a number: ambiguous, the three digits after the "
                            "only separator may be thousands or decimals; write thousands "
                            "without a separator and at most %d decimals",
                            text, decimals);
      is_decimal = after != 3;
    }
    if (is_decimal) {
      if (same > 1) return bad(err, field, text, "decimal mark also used for grouping");
      if (after > (size_t)decimals) return too_many_decimals(err, field, text, decimals);
      int_digits = sep_pos[ns - 1];
      dec_digits = after;
      groups_end = ns - 1;
    }
  }
  for (size_t i = 0; i < groups_end; i++) {
    size_t next = i + 1 < groups_end ? sep_pos[i + 1] : int_digits;
    if (next - sep_pos[i] != 3 || (i == 0 && sep_pos[0] > 3))
      return bad(err, field, text, "thousands groups must have 3 digits");
    if (sep_chr[i] != sep_chr[0]) return bad(err, field, text, "mixed thousands separators");
  }

  /* The digits, padded to the decimals, are the scaled value; the magnitude
   * may be INT64_MAX + 1 when negative, so INT64_MIN reads back too. */
  uint64_t m = 0;
  for (size_t i = 0; i < int_digits + (size_t)decimals; i++) {
    unsigned dg = i < int_digits + dec_digits ? (unsigned)(digits[i] - '0') : 0;
    if (m > (UINT64_MAX - dg) / 10) return bad(err, field, text, "too large");
    m = m * 10 + dg;
  }
  if (m > (uint64_t)INT64_MAX + (neg ? 1 : 0)) return bad(err, field, text, "too large");
  *out = neg && m > 0 ? -(int64_t)(m - 1) - 1 : (int64_t)m;
  return TRIN_OK;
}

char *trin_number_format_dk(int64_t v, int decimals, bool sign, char *buf) {
  if (decimals < 0) decimals = 0;
  if (decimals > 9) decimals = 9;
  /* The magnitude as unsigned so INT64_MIN formats correctly; built backwards. */
  uint64_t m = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  char rev[TRIN_NUMBER_BUF];
  size_t n = 0;
  for (int i = 0; i < decimals; i++) {
    rev[n++] = (char)('0' + m % 10);
    m /= 10;
  }
  if (decimals > 0) rev[n++] = ',';
  int in_group = 0;
  do {
    if (in_group == 3) {
      rev[n++] = '.';
      in_group = 0;
    }
    rev[n++] = (char)('0' + m % 10);
    m /= 10;
    in_group++;
  } while (m > 0);
  size_t o = 0;
  if (v < 0) buf[o++] = '-';
  else if (sign) buf[o++] = '+';
  while (n > 0) buf[o++] = rev[--n];
  buf[o] = '\0';
  return buf;
}
