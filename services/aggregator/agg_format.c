/* agg_format — see agg_format.h. Numbers are written by hand rather than
 * with printf: the full feed of 100,000 rows writes millions of them. */
#include "agg_format.h"

#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static void put_int(trin_buf_t *b, int64_t v) {
  char tmp[24];
  int n = 0;
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  do {
    tmp[n++] = (char)('0' + u % 10);
    u /= 10;
  } while (u);
  char out[25];
  int o = 0;
  if (v < 0) out[o++] = '-';
  while (n) out[o++] = tmp[--n];
  trin_buf_add(b, out, (size_t)o);
}

/* hundredths -> "-12.05" */
static void put_dec2(trin_buf_t *b, int64_t v) {
  uint64_t u = v < 0 ? (uint64_t)0 - (uint64_t)v : (uint64_t)v;
  if (v < 0) trin_buf_add(b, "-", 1);
  put_int(b, (int64_t)(u / 100));
  char frac[3] = {'.', (char)('0' + (u % 100) / 10), (char)('0' + u % 10)};
  trin_buf_add(b, frac, 3);
}

void agg_value_text(trin_buf_t *b, agg_type_t t, const agg_value_t *v) {
  if (v->null) return;
  char tmp[TRIN_TIME_BUF];
  switch (t) {
    case AGG_T_STRING: trin_buf_puts(b, v->s); break;
    case AGG_T_BOOL: trin_buf_puts(b, v->i ? "true" : "false"); break;
    case AGG_T_INT32:
    case AGG_T_INT64: put_int(b, v->i); break;
    case AGG_T_DEC2: put_dec2(b, v->i); break;
    case AGG_T_DATE: trin_buf_puts(b, trin_date_format((trin_date_t)v->i, tmp)); break;
    case AGG_T_TIME: trin_buf_puts(b, trin_time_format(v->i, tmp)); break;
  }
}

static void json_string_n(trin_buf_t *b, const char *s, size_t max) {
  size_t len = strlen(s);
  if (max && len > max) {
    len = max;
    /* do not cut a UTF-8 sequence: step back over continuation bytes */
    while (len > 0 && ((unsigned char)s[len] & 0xC0) == 0x80) len--;
  }
  trin_buf_add(b, "\"", 1);
  size_t start = 0;
  for (size_t i = 0; i < len; i++) {
    unsigned char c = (unsigned char)s[i];
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    trin_buf_add(b, s + start, i - start);
    start = i + 1;
    switch (c) {
      case '"': trin_buf_add(b, "\\\"", 2); break;
      case '\\': trin_buf_add(b, "\\\\", 2); break;
      case '\n': trin_buf_add(b, "\\n", 2); break;
      case '\r': trin_buf_add(b, "\\r", 2); break;
      case '\t': trin_buf_add(b, "\\t", 2); break;
      default: {
        char e[8];
        snprintf(e, sizeof e, "\\u%04x", c);
        trin_buf_add(b, e, 6);
      }
    }
  }
  trin_buf_add(b, s + start, len - start);
  trin_buf_add(b, "\"", 1);
}

void agg_json_string(trin_buf_t *b, const char *s) { json_string_n(b, s ? s : "", 0); }

static void json_value(trin_buf_t *b, agg_type_t t, const agg_value_t *v, bool ieee754,
                       size_t max) {
  if (v->null) {
    trin_buf_add(b, "null", 4);
    return;
  }
  bool quote = t == AGG_T_DATE || t == AGG_T_TIME ||
               (ieee754 && (t == AGG_T_INT64 || t == AGG_T_DEC2));
  if (t == AGG_T_STRING) {
    json_string_n(b, v->s, max);
    return;
  }
  if (quote) trin_buf_add(b, "\"", 1);
  agg_value_text(b, t, v);
  if (quote) trin_buf_add(b, "\"", 1);
}

void agg_json_row(trin_buf_t *b, const agg_row_t *r, const int *cols, int ncols, bool ieee754,
                  size_t max_string) {
  int n = cols ? ncols : AGG_NCOLS;
  trin_buf_add(b, "{", 1);
  for (int k = 0; k < n; k++) {
    int c = cols ? cols[k] : k;
    if (k) trin_buf_add(b, ",", 1);
    trin_buf_add(b, "\"", 1);
    trin_buf_puts(b, AGG_COLUMNS[c].name);
    trin_buf_add(b, "\":", 2);
    agg_value_t v;
    agg_row_get(r, (agg_col_t)c, &v);
    json_value(b, AGG_COLUMNS[c].type, &v, ieee754, max_string);
  }
  trin_buf_add(b, "}", 1);
}

static char delim_of(const agg_csv_style_t *st) {
  return st && st->delimiter == ';' ? ';' : ',';
}

void agg_csv_header(trin_buf_t *b, const agg_csv_style_t *st) {
  char d = delim_of(st);
  for (int c = 0; c < AGG_NCOLS; c++) {
    if (c) trin_buf_add(b, &d, 1);
    trin_buf_puts(b, AGG_COLUMNS[c].name);
  }
  trin_buf_add(b, "\r\n", 2);
}

bool agg_csv_formula_like(const char *s) {
  return s && *s && strchr("=+-@\t\r", *s) != NULL;
}

void agg_csv_text(trin_buf_t *b, const char *s, char d) {
  /* The ' is what Excel, LibreOffice and Google Sheets take as "this cell
   * is text"; it is added to every text cell starting so, even one that
   * reads like a number ("-3" as a project name): the CSV cannot say a
   * cell is text any other way, and a text column holds text. */
  const char *lead = agg_csv_formula_like(s) ? "'" : "";
  char special[] = {d, '"', '\r', '\n', '\0'};
  if (!strpbrk(s, special)) {
    trin_buf_puts(b, lead);
    trin_buf_puts(b, s);
    return;
  }
  trin_buf_add(b, "\"", 1);
  trin_buf_puts(b, lead);
  for (const char *p = s; *p; p++) {
    if (*p == '"') trin_buf_add(b, "\"", 1);
    trin_buf_add(b, p, 1);
  }
  trin_buf_add(b, "\"", 1);
}

void agg_csv_row(trin_buf_t *b, const agg_row_t *r, const agg_csv_style_t *st) {
  char d = delim_of(st);
  bool comma = d == ';' && st->decimal == ',';
  for (int c = 0; c < AGG_NCOLS; c++) {
    if (c) trin_buf_add(b, &d, 1);
    agg_value_t v;
    agg_row_get(r, (agg_col_t)c, &v);
    if (v.null) continue;
    agg_type_t t = AGG_COLUMNS[c].type;
    if (t == AGG_T_STRING) {
      agg_csv_text(b, v.s, d);
    } else if (t == AGG_T_DEC2 && comma) {
      size_t at = b->len;
      agg_value_text(b, t, &v);
      if (!b->failed) {
        char *dot = memchr(b->data + at, '.', b->len - at);
        if (dot) *dot = ',';
      }
    } else {
      agg_value_text(b, t, &v); /* numbers, dates, booleans: never text */
    }
  }
  trin_buf_add(b, "\r\n", 2);
}
