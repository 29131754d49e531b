/* agg_odata — see agg_odata.h. */
#include "agg_odata.h"

#include <ctype.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "agg_columns.h"

/* ---- url coding ------------------------------------------------------------------ */

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

/* Percent-decodes (and '+' as space) n bytes into a new string; NULL on a
 * bad escape or an encoded NUL. */
static char *url_decode(const char *s, size_t n) {
  char *out = malloc(n + 1);
  if (!out) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%') {
      int h, l;
      if (i + 2 >= n + 0 || (h = hexval(s[i + 1])) < 0 || (l = hexval(s[i + 2])) < 0 ||
          (h == 0 && l == 0)) {
        free(out);
        return NULL;
      }
      out[o++] = (char)(h * 16 + l);
      i += 2;
    } else {
      out[o++] = s[i] == '+' ? ' ' : s[i];
    }
  }
  out[o] = '\0';
  return out;
}

void agg_url_encode(trin_buf_t *b, const char *s) {
  static const char hex[] = "0123456789ABCDEF";
  for (; *s; s++) {
    unsigned char c = (unsigned char)*s;
    if (isalnum(c) || c == '-' || c == '_' || c == '.' || c == '~' || c == '$' || c == ',' ||
        c == ':' || c == '(' || c == ')') {
      trin_buf_add(b, s, 1);
    } else {
      char e[3] = {'%', hex[c >> 4], hex[c & 15]};
      trin_buf_add(b, e, 3);
    }
  }
}

/* ---- filter ------------------------------------------------------------------------ */

typedef enum { F_AND, F_OR, F_NOT, F_CMP, F_FUNC } fkind_t;
typedef enum { OP_EQ, OP_NE, OP_GT, OP_GE, OP_LT, OP_LE } op_t;
typedef enum { FN_CONTAINS, FN_STARTSWITH, FN_ENDSWITH } fn_t;
typedef enum { L_NULL, L_STRING, L_NUMBER, L_BOOL, L_DATE, L_TIME } lkind_t;

struct agg_filter {
  fkind_t kind;
  agg_filter_t *a, *b;
  int col;
  op_t op;
  fn_t fn;
  lkind_t lk;
  char *s;     /* L_STRING */
  double num;  /* L_NUMBER */
  int64_t i;   /* L_BOOL, L_DATE (days), L_TIME (ms) */
};

static void filter_free(agg_filter_t *f) {
  if (!f) return;
  filter_free(f->a);
  filter_free(f->b);
  free(f->s);
  free(f);
}

typedef struct {
  const char *p;
  trin_err_t *err;
  int depth;
} lexer_t;

static void skip_ws(lexer_t *x) {
  while (*x->p == ' ' || *x->p == '\t') x->p++;
}

/* The next word (letters, digits, '_') without consuming it. */
static size_t peek_word(lexer_t *x, const char **start) {
  skip_ws(x);
  *start = x->p;
  const char *e = x->p;
  while (isalnum((unsigned char)*e) || *e == '_') e++;
  return (size_t)(e - x->p);
}

static bool take_word(lexer_t *x, const char *w) {
  const char *s;
  size_t n = peek_word(x, &s);
  if (n == strlen(w) && strncmp(s, w, n) == 0) {
    x->p += n;
    return true;
  }
  return false;
}

static int fail(lexer_t *x, const char *fmt, const char *arg) {
  char msg[200];
  snprintf(msg, sizeof msg, fmt, arg);
  return trin_err_set(x->err, TRIN_EINVALID, "$filter", "%s", msg);
}

static agg_filter_t *parse_or(lexer_t *x);

static agg_filter_t *node(fkind_t k, agg_filter_t *a, agg_filter_t *b) {
  agg_filter_t *f = calloc(1, sizeof *f);
  if (!f) {
    filter_free(a);
    filter_free(b);
    return NULL;
  }
  f->kind = k;
  f->a = a;
  f->b = b;
  return f;
}

static int column_at(lexer_t *x) {
  const char *s;
  size_t n = peek_word(x, &s);
  if (n == 0) {
    fail(x, "expected a column name at '%.30s'", s);
    return -1;
  }
  int c = agg_column_find(s, n);
  if (c < 0) {
    char name[80];
    snprintf(name, sizeof name, "%.*s", (int)(n < 60 ? n : 60), s);
    fail(x, "there is no column '%s'", name);
    return -1;
  }
  x->p += n;
  return c;
}

static bool is_digits(const char *s, int n) {
  for (int i = 0; i < n; i++)
    if (!isdigit((unsigned char)s[i])) return false;
  return true;
}

/* Reads a literal into f (lk, s, num, i). */
static bool parse_literal(lexer_t *x, agg_filter_t *f) {
  skip_ws(x);
  const char *p = x->p;
  if (*p == '\'') {
    trin_buf_t b = {0};
    p++;
    for (;;) {
      if (!*p) {
        trin_buf_free(&b);
        fail(x, "a text literal is not closed%s", "");
        return false;
      }
      if (*p == '\'') {
        if (p[1] == '\'') {
          trin_buf_add(&b, "'", 1);
          p += 2;
          continue;
        }
        p++;
        break;
      }
      trin_buf_add(&b, p, 1);
      p++;
    }
    f->lk = L_STRING;
    f->s = b.data ? b.data : strdup("");
    x->p = p;
    return f->s != NULL;
  }
  if (is_digits(p, 4) && p[4] == '-' && is_digits(p + 5, 2) && p[7] == '-' &&
      is_digits(p + 8, 2)) {
    const char *e = p + 10;
    char text[64];
    if (*e == 'T') {
      while (*e && *e != ' ' && *e != ')') e++;
      snprintf(text, sizeof text, "%.*s", (int)(e - p < 60 ? e - p : 60), p);
      trin_time_t t;
      if (trin_time_parse(text, &t, "$filter", NULL) != TRIN_OK) {
        fail(x, "'%s' is not an instant like 2026-11-25T08:16:48Z", text);
        return false;
      }
      f->lk = L_TIME;
      f->i = t;
    } else {
      snprintf(text, sizeof text, "%.10s", p);
      trin_date_t d;
      if (trin_date_parse(text, &d, "$filter", NULL) != TRIN_OK) {
        fail(x, "'%s' is not a date", text);
        return false;
      }
      f->lk = L_DATE;
      f->i = d;
    }
    x->p = e;
    return true;
  }
  if (*p == '-' || *p == '+' || isdigit((unsigned char)*p) || *p == '.') {
    char *end;
    double v = strtod(p, &end);
    if (end == p || !isfinite(v)) {
      fail(x, "'%.30s' is not a number", p);
      return false;
    }
    if (*end == 'm' || *end == 'M' || *end == 'L' || *end == 'd' || *end == 'D') end++;
    f->lk = L_NUMBER;
    f->num = v;
    x->p = end;
    return true;
  }
  if (take_word(x, "true")) {
    f->lk = L_BOOL;
    f->i = 1;
    return true;
  }
  if (take_word(x, "false")) {
    f->lk = L_BOOL;
    f->i = 0;
    return true;
  }
  if (take_word(x, "null")) {
    f->lk = L_NULL;
    return true;
  }
  fail(x, "expected a literal ('text', a number, true, false, null or a date) at '%.30s'", p);
  return false;
}

static bool literal_fits(lexer_t *x, agg_filter_t *f) {
  agg_type_t t = AGG_COLUMNS[f->col].type;
  const char *name = AGG_COLUMNS[f->col].name;
  if (f->lk == L_NULL) {
    if (f->op != OP_EQ && f->op != OP_NE) {
      fail(x, "null can only be compared with eq or ne (column %s)", name);
      return false;
    }
    return true;
  }
  bool ok = false;
  switch (t) {
    case AGG_T_STRING: ok = f->lk == L_STRING; break;
    case AGG_T_BOOL: ok = f->lk == L_BOOL; break;
    case AGG_T_INT32:
    case AGG_T_INT64:
    case AGG_T_DEC2: ok = f->lk == L_NUMBER; break;
    case AGG_T_DATE:
      if (f->lk == L_STRING) { /* tolerate '2026-11-25' */
        trin_date_t d;
        if (trin_date_parse(f->s, &d, "$filter", NULL) == TRIN_OK) {
          f->lk = L_DATE;
          f->i = d;
        }
      }
      ok = f->lk == L_DATE;
      break;
    case AGG_T_TIME:
      if (f->lk == L_DATE) {
        f->lk = L_TIME;
        f->i = (int64_t)f->i * 86400000;
      }
      ok = f->lk == L_TIME;
      break;
  }
  if (!ok) {
    static const char *want[] = {"a 'text' literal", "true or false", "a number", "a number",
                                 "a number", "a date like 2026-11-25",
                                 "an instant like 2026-11-25T08:16:48Z"};
    char msg[160];
    snprintf(msg, sizeof msg, "column %s takes %s", name, want[t]);
    fail(x, "%s", msg);
  }
  return ok;
}

static agg_filter_t *parse_unary(lexer_t *x) {
  if (++x->depth > 50) {
    fail(x, "the filter nests too deeply%s", "");
    return NULL;
  }
  agg_filter_t *r = NULL;
  skip_ws(x);
  if (*x->p == '(') {
    x->p++;
    r = parse_or(x);
    skip_ws(x);
    if (r && *x->p != ')') {
      filter_free(r);
      fail(x, "expected ')' at '%.30s'", x->p);
      r = NULL;
    } else if (r) {
      x->p++;
    }
  } else if (take_word(x, "not")) {
    agg_filter_t *a = parse_unary(x);
    r = a ? node(F_NOT, a, NULL) : NULL;
  } else {
    const char *s;
    size_t n = peek_word(x, &s);
    const char *after = s + n;
    while (*after == ' ') after++;
    if (*after == '(') { /* a function */
      fn_t fn;
      if (n == 8 && strncmp(s, "contains", 8) == 0) fn = FN_CONTAINS;
      else if (n == 10 && strncmp(s, "startswith", 10) == 0) fn = FN_STARTSWITH;
      else if (n == 8 && strncmp(s, "endswith", 8) == 0) fn = FN_ENDSWITH;
      else {
        char name[64];
        snprintf(name, sizeof name, "%.*s", (int)(n < 40 ? n : 40), s);
        fail(x, "the function '%s' is not supported (contains, startswith, endswith are)", name);
        x->depth--;
        return NULL;
      }
      x->p = after + 1;
      r = node(F_FUNC, NULL, NULL);
      if (!r) return NULL;
      r->fn = fn;
      if ((r->col = column_at(x)) < 0) goto bad;
      if (AGG_COLUMNS[r->col].type != AGG_T_STRING) {
        fail(x, "%s is not a text column", AGG_COLUMNS[r->col].name);
        goto bad;
      }
      skip_ws(x);
      if (*x->p != ',') {
        fail(x, "expected ',' at '%.30s'", x->p);
        goto bad;
      }
      x->p++;
      if (!parse_literal(x, r)) goto bad;
      if (r->lk != L_STRING) {
        fail(x, "the second argument must be a 'text' literal%s", "");
        goto bad;
      }
      skip_ws(x);
      if (*x->p != ')') {
        fail(x, "expected ')' at '%.30s'", x->p);
        goto bad;
      }
      x->p++;
    } else {
      r = node(F_CMP, NULL, NULL);
      if (!r) return NULL;
      if ((r->col = column_at(x)) < 0) goto bad;
      static const char *ops[] = {"eq", "ne", "gt", "ge", "lt", "le"};
      int op = -1;
      for (int i = 0; i < 6 && op < 0; i++)
        if (take_word(x, ops[i])) op = i;
      if (op < 0) {
        skip_ws(x);
        fail(x, "expected eq, ne, gt, ge, lt or le at '%.30s'", x->p);
        goto bad;
      }
      r->op = (op_t)op;
      if (!parse_literal(x, r) || !literal_fits(x, r)) goto bad;
    }
  }
  x->depth--;
  return r;
bad:
  filter_free(r);
  x->depth--;
  return NULL;
}

static agg_filter_t *parse_and(lexer_t *x) {
  agg_filter_t *l = parse_unary(x);
  while (l && take_word(x, "and")) {
    agg_filter_t *rhs = parse_unary(x);
    if (!rhs) {
      filter_free(l);
      return NULL;
    }
    l = node(F_AND, l, rhs);
  }
  return l;
}

static agg_filter_t *parse_or(lexer_t *x) {
  agg_filter_t *l = parse_and(x);
  while (l && take_word(x, "or")) {
    agg_filter_t *rhs = parse_and(x);
    if (!rhs) {
      filter_free(l);
      return NULL;
    }
    l = node(F_OR, l, rhs);
  }
  return l;
}

static int cmp_num(double a, double b) { return a < b ? -1 : a > b ? 1 : 0; }

static bool op_holds(op_t op, int c) {
  switch (op) {
    case OP_EQ: return c == 0;
    case OP_NE: return c != 0;
    case OP_GT: return c > 0;
    case OP_GE: return c >= 0;
    case OP_LT: return c < 0;
    case OP_LE: return c <= 0;
  }
  return false;
}

bool agg_odata_match(const agg_filter_t *f, const agg_row_t *r) {
  if (!f) return r->seq != 0; /* a row not yet committed is not shown */
  if (r->seq == 0) return false;
  switch (f->kind) {
    case F_AND: return agg_odata_match(f->a, r) && agg_odata_match(f->b, r);
    case F_OR: return agg_odata_match(f->a, r) || agg_odata_match(f->b, r);
    case F_NOT: return !agg_odata_match(f->a, r);
    case F_FUNC: {
      agg_value_t v;
      agg_row_get(r, (agg_col_t)f->col, &v);
      if (v.null) return false;
      size_t n = strlen(f->s), m = strlen(v.s);
      if (f->fn == FN_CONTAINS) return strstr(v.s, f->s) != NULL;
      if (f->fn == FN_STARTSWITH) return strncmp(v.s, f->s, n) == 0;
      return m >= n && strcmp(v.s + m - n, f->s) == 0;
    }
    case F_CMP: break;
  }
  agg_value_t v;
  agg_row_get(r, (agg_col_t)f->col, &v);
  if (f->lk == L_NULL) return f->op == OP_EQ ? v.null : !v.null;
  if (v.null) return f->op == OP_NE;
  int c;
  switch (AGG_COLUMNS[f->col].type) {
    case AGG_T_STRING: c = strcmp(v.s, f->s); break;
    case AGG_T_DEC2: c = cmp_num((double)v.i / 100.0, f->num); break;
    case AGG_T_INT32:
    case AGG_T_INT64: c = cmp_num((double)v.i, f->num); break;
    default: c = v.i < f->i ? -1 : v.i > f->i ? 1 : 0; break;
  }
  return op_holds(f->op, c);
}

/* ---- query options -------------------------------------------------------------------- */

static int parse_int_opt(const char *v, const char *name, int64_t *out, trin_err_t *err) {
  char *end;
  long long n = strtoll(v, &end, 10);
  if (!*v || *end || n < 0)
    return trin_err_set(err, TRIN_EINVALID, name, "must be a whole number >= 0, not '%.40s'", v);
  *out = n;
  return TRIN_OK;
}

static int parse_select(const char *v, agg_odata_query_t *q, trin_err_t *err) {
  const char *p = v;
  if (strcmp(v, "*") == 0) return TRIN_OK;
  bool seen[AGG_NCOLS] = {0};
  while (*p) {
    while (*p == ' ') p++;
    const char *e = p;
    while (*e && *e != ',') e++;
    const char *t = e;
    while (t > p && t[-1] == ' ') t--;
    int c = agg_column_find(p, (size_t)(t - p));
    if (c < 0)
      return trin_err_set(err, TRIN_EINVALID, "$select", "there is no column '%.*s'",
                          (int)(t - p < 60 ? t - p : 60), p);
    if (!seen[c]) {
      seen[c] = true;
      q->select[q->nselect++] = c;
    }
    p = *e ? e + 1 : e;
  }
  if (q->nselect == 0)
    return trin_err_set(err, TRIN_EINVALID, "$select", "names no column");
  return TRIN_OK;
}

static int parse_orderby(const char *v, agg_odata_query_t *q, trin_err_t *err) {
  const char *p = v;
  while (*p) {
    while (*p == ' ') p++;
    const char *e = p;
    while (*e && *e != ',') e++;
    const char *w = p;
    while (w < e && *w != ' ') w++;
    int c = agg_column_find(p, (size_t)(w - p));
    if (c < 0)
      return trin_err_set(err, TRIN_EINVALID, "$orderby", "there is no column '%.*s'",
                          (int)(w - p < 60 ? w - p : 60), p);
    while (w < e && *w == ' ') w++;
    const char *d = w;
    const char *de = e;
    while (de > d && de[-1] == ' ') de--;
    bool desc = false;
    if (de - d == 4 && strncmp(d, "desc", 4) == 0) desc = true;
    else if (!(de == d || (de - d == 3 && strncmp(d, "asc", 3) == 0)))
      return trin_err_set(err, TRIN_EINVALID, "$orderby", "expected asc or desc, not '%.*s'",
                          (int)(de - d < 30 ? de - d : 30), d);
    if (q->norder == AGG_ODATA_MAX_ORDER)
      return trin_err_set(err, TRIN_EINVALID, "$orderby", "at most %d columns",
                          AGG_ODATA_MAX_ORDER);
    q->order[q->norder].col = c;
    q->order[q->norder].desc = desc;
    q->norder++;
    p = *e ? e + 1 : e;
  }
  return TRIN_OK;
}

int agg_odata_parse(const char *query, agg_odata_query_t *q, trin_err_t *err) {
  memset(q, 0, sizeof *q);
  q->top = -1;
  const char *p = query ? query : "";
  int rc = TRIN_OK;
  while (*p && rc == TRIN_OK) {
    const char *amp = strchr(p, '&');
    size_t len = amp ? (size_t)(amp - p) : strlen(p);
    const char *eq = memchr(p, '=', len);
    size_t klen = eq ? (size_t)(eq - p) : len;
    char *key = url_decode(p, klen);
    char *raw = eq ? strndup(eq + 1, len - klen - 1) : strdup("");
    char *val = raw ? url_decode(raw, strlen(raw)) : NULL;
    if (!key || !val || !raw) {
      rc = trin_err_set(err, TRIN_EINVALID, "", "the query string has a bad %%-escape");
    } else if (strcmp(key, "$filter") == 0) {
      if (q->filter) {
        rc = trin_err_set(err, TRIN_EINVALID, "$filter", "is given twice");
      } else {
        lexer_t x = {.p = val, .err = err};
        q->filter = parse_or(&x);
        skip_ws(&x);
        if (!q->filter) rc = err ? err->code : TRIN_EINVALID;
        else if (*x.p)
          rc = trin_err_set(err, TRIN_EINVALID, "$filter", "unexpected '%.30s'", x.p);
        if (!rc) {
          q->raw_filter = raw;
          raw = NULL;
        }
      }
    } else if (strcmp(key, "$select") == 0) {
      rc = parse_select(val, q, err);
      if (!rc) {
        free(q->raw_select);
        q->raw_select = raw;
        raw = NULL;
      }
    } else if (strcmp(key, "$orderby") == 0) {
      rc = parse_orderby(val, q, err);
      if (!rc) {
        free(q->raw_orderby);
        q->raw_orderby = raw;
        raw = NULL;
      }
    } else if (strcmp(key, "$top") == 0) {
      rc = parse_int_opt(val, "$top", &q->top, err);
    } else if (strcmp(key, "$skip") == 0) {
      rc = parse_int_opt(val, "$skip", &q->skip, err);
    } else if (strcmp(key, "$count") == 0) {
      if (strcmp(val, "true") == 0) q->count = true;
      else if (strcmp(val, "false") == 0) q->count = false;
      else rc = trin_err_set(err, TRIN_EINVALID, "$count", "must be true or false");
    } else if (strcmp(key, "$skiptoken") == 0) {
      if ((strncmp(val, "k:", 2) != 0 && strncmp(val, "o:", 2) != 0) ||
          strlen(val) >= sizeof q->skiptoken)
        rc = trin_err_set(err, TRIN_EINVALID, "$skiptoken", "is not one this service gave");
      else snprintf(q->skiptoken, sizeof q->skiptoken, "%s", val);
    } else if (strcmp(key, "$format") == 0) {
      if (strncmp(val, "json", 4) != 0 && strncmp(val, "application/json", 16) != 0)
        rc = trin_err_set(err, TRIN_EINVALID, "$format", "only json is served");
      if (strstr(val, "IEEE754Compatible=true")) q->ieee754 = true;
    } else if (strcmp(key, "api_key") == 0) {
      /* The first wins, as in trin_http_query: a client that adds its own
       * api_key to a next link that already holds one sends it twice. */
      if (!q->raw_api_key) {
        q->raw_api_key = raw;
        raw = NULL;
      }
    } else if (key[0] == '$') {
      rc = trin_err_set(err, TRIN_EINVALID, key, "the query option %.40s is not supported",
                        key);
    }
    free(key);
    free(val);
    free(raw);
    p = amp ? amp + 1 : p + len;
  }
  if (rc) agg_odata_query_free(q);
  return rc;
}

void agg_odata_query_free(agg_odata_query_t *q) {
  filter_free(q->filter);
  q->filter = NULL;
  free(q->raw_filter);
  free(q->raw_select);
  free(q->raw_orderby);
  free(q->raw_api_key);
  q->raw_filter = q->raw_select = q->raw_orderby = q->raw_api_key = NULL;
}

/* ---- pages --------------------------------------------------------------------------------- */

static const agg_odata_query_t *sort_q;

static int cmp_rows(const void *pa, const void *pb) {
  const agg_row_t *a = *(agg_row_t *const *)pa, *b = *(agg_row_t *const *)pb;
  for (int k = 0; k < sort_q->norder; k++) {
    int col = sort_q->order[k].col;
    agg_value_t va, vb;
    agg_row_get(a, (agg_col_t)col, &va);
    agg_row_get(b, (agg_col_t)col, &vb);
    int c;
    if (va.null || vb.null) c = va.null == vb.null ? 0 : va.null ? -1 : 1; /* nulls first */
    else if (AGG_COLUMNS[col].type == AGG_T_STRING) c = strcmp(va.s, vb.s);
    else c = va.i < vb.i ? -1 : va.i > vb.i ? 1 : 0;
    if (c) return sort_q->order[k].desc ? -c : c;
  }
  return strcmp(a->project_id, b->project_id);
}

static void context(trin_buf_t *out, const char *service_url, const agg_odata_query_t *q,
                    const char *suffix) {
  trin_buf_puts(out, "\"@odata.context\":");
  trin_buf_t c = {0};
  trin_buf_printf(&c, "%s/$metadata#ProjectStatus", service_url);
  if (q->nselect) {
    trin_buf_add(&c, "(", 1);
    for (int i = 0; i < q->nselect; i++) {
      if (i) trin_buf_add(&c, ",", 1);
      trin_buf_puts(&c, AGG_COLUMNS[q->select[i]].name);
    }
    trin_buf_add(&c, ")", 1);
  }
  trin_buf_puts(&c, suffix);
  agg_json_string(out, c.data ? c.data : "");
  trin_buf_free(&c);
}

static void next_link(trin_buf_t *out, const char *service_url, const agg_odata_query_t *q,
                      const char *token, int64_t top_left) {
  trin_buf_t l = {0};
  trin_buf_printf(&l, "%s/ProjectStatus?", service_url);
  if (q->raw_filter) trin_buf_printf(&l, "$filter=%s&", q->raw_filter);
  if (q->raw_select) trin_buf_printf(&l, "$select=%s&", q->raw_select);
  if (q->raw_orderby) trin_buf_printf(&l, "$orderby=%s&", q->raw_orderby);
  if (q->count) trin_buf_puts(&l, "$count=true&");
  if (top_left >= 0) trin_buf_printf(&l, "$top=%lld&", (long long)top_left);
  /* Back to the client that sent it, in the answer it is authorised for;
   * a token sent in a header stays out of the link. */
  if (q->raw_api_key) trin_buf_printf(&l, "api_key=%s&", q->raw_api_key);
  trin_buf_puts(&l, "$skiptoken=");
  agg_url_encode(&l, token);
  trin_buf_puts(out, ",\"@odata.nextLink\":");
  agg_json_string(out, l.data ? l.data : "");
  trin_buf_free(&l);
}

bool agg_odata_wanted(const agg_odata_query_t *q, const agg_row_t *r) {
  if (q->visible && !q->visible(q->visible_data, r)) return false;
  return agg_odata_match(q->filter, r);
}

int agg_odata_page(agg_rows_t *rows, const agg_odata_query_t *q, int page_size,
                   const char *service_url, trin_buf_t *out, trin_err_t *err) {
  size_t n = agg_rows_count(rows);
  agg_row_t **sorted = agg_rows_sorted(rows);
  if (!sorted) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  /* The candidate rows in answer order. */
  agg_row_t **list = sorted;
  agg_row_t **own = NULL;
  size_t start = 0;
  bool keyset = q->norder == 0;
  if (!keyset) {
    own = malloc((n ? n : 1) * sizeof *own);
    if (!own) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    size_t m = 0;
    for (size_t i = 0; i < n; i++)
      if (agg_odata_wanted(q, sorted[i])) own[m++] = sorted[i];
    sort_q = q;
    qsort(own, m, sizeof *own, cmp_rows);
    list = own;
    n = m;
  }
  if (q->skiptoken[0] == 'k' && keyset) {
    /* first row whose id is greater than the token's */
    const char *key = q->skiptoken + 2;
    size_t lo = 0, hi = n;
    while (lo < hi) {
      size_t mid = (lo + hi) / 2;
      if (strcmp(list[mid]->project_id, key) <= 0) lo = mid + 1;
      else hi = mid;
    }
    start = lo;
  } else if (q->skiptoken[0] == 'o') {
    start = (size_t)strtoull(q->skiptoken + 2, NULL, 10);
  } else if (q->skiptoken[0]) {
    free(own);
    return trin_err_set(err, TRIN_EINVALID, "$skiptoken", "does not fit this query");
  }
  int64_t count = 0;
  if (q->count) {
    if (keyset) {
      for (size_t i = 0; i < n; i++) count += agg_odata_wanted(q, list[i]);
    } else {
      count = (int64_t)n;
    }
  }
  trin_buf_add(out, "{", 1);
  context(out, service_url, q, "");
  if (q->count) trin_buf_printf(out, ",\"@odata.count\":%lld", (long long)count);
  trin_buf_puts(out, ",\"value\":[");
  int64_t skip = q->skiptoken[0] ? 0 : q->skip; /* $skip applies to the first page only */
  int64_t limit = q->top >= 0 ? q->top : INT64_MAX;
  int64_t emitted = 0;
  size_t i = start;
  const agg_row_t *last = NULL;
  for (; i < n && emitted < limit && emitted < page_size; i++) {
    if (keyset && !agg_odata_wanted(q, list[i])) continue;
    if (skip > 0) {
      skip--;
      continue;
    }
    if (emitted) trin_buf_add(out, ",", 1);
    agg_json_row(out, list[i], q->nselect ? q->select : NULL, q->nselect, q->ieee754, 0);
    last = list[i];
    emitted++;
  }
  trin_buf_add(out, "]", 1);
  /* Is there more? Only when the page is full and rows remain. */
  bool more = false;
  if (emitted == page_size && emitted < limit) {
    for (size_t k = i; k < n && !more; k++)
      more = !keyset || agg_odata_wanted(q, list[k]);
  }
  if (more && last) {
    char token[128];
    if (keyset) snprintf(token, sizeof token, "k:%s", last->project_id);
    else snprintf(token, sizeof token, "o:%zu", i);
    next_link(out, service_url, q, token, q->top >= 0 ? limit - emitted : -1);
  }
  trin_buf_add(out, "}", 1);
  free(own);
  if (out->failed) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  return TRIN_OK;
}

int agg_odata_entity(agg_rows_t *rows, const char *id, const agg_odata_query_t *q,
                     const char *service_url, trin_buf_t *out, trin_err_t *err) {
  agg_row_t *r = agg_rows_find(rows, id);
  /* A row the reader may not see is not there for it. */
  if (r && q->visible && !q->visible(q->visible_data, r)) r = NULL;
  if (!r) return trin_err_set(err, TRIN_ENOTFOUND, "project_id", "no project '%.64s'", id);
  trin_buf_t row = {0};
  agg_json_row(&row, r, q->nselect ? q->select : NULL, q->nselect, q->ieee754, 0);
  trin_buf_add(out, "{", 1);
  context(out, service_url, q, "/$entity");
  trin_buf_add(out, ",", 1);
  if (row.len > 2) trin_buf_add(out, row.data + 1, row.len - 1); /* the row's members and } */
  else trin_buf_add(out, "}", 1);
  trin_buf_free(&row);
  return TRIN_OK;
}

/* ---- documents ------------------------------------------------------------------------------ */

static const char *edm(agg_type_t t) {
  switch (t) {
    case AGG_T_STRING: return "Edm.String";
    case AGG_T_BOOL: return "Edm.Boolean";
    case AGG_T_INT32: return "Edm.Int32";
    case AGG_T_INT64: return "Edm.Int64";
    case AGG_T_DEC2: return "Edm.Decimal";
    case AGG_T_DATE: return "Edm.Date";
    case AGG_T_TIME: return "Edm.DateTimeOffset";
  }
  return "Edm.String";
}

void agg_odata_metadata(trin_buf_t *out) {
  trin_buf_puts(out,
               "<?xml version=\"1.0\" encoding=\"utf-8\"?>\n"
               "<edmx:Edmx Version=\"4.0\" xmlns:edmx=\"http://docs.oasis-open.org/odata/ns/edmx\">\n"
               "  <edmx:DataServices>\n"
               "    <Schema Namespace=\"trin\" xmlns=\"http://docs.oasis-open.org/odata/ns/edm\">\n"
               "      <EntityType Name=\"ProjectStatus\">\n"
               "        <Key><PropertyRef Name=\"project_id\"/></Key>\n");
  for (int c = 0; c < AGG_NCOLS; c++) {
    trin_buf_printf(out, "        <Property Name=\"%s\" Type=\"%s\"", AGG_COLUMNS[c].name,
                   edm(AGG_COLUMNS[c].type));
    if (c == AGG_COL_PROJECT_ID || c == AGG_COL_SEQ) trin_buf_puts(out, " Nullable=\"false\"");
    if (AGG_COLUMNS[c].type == AGG_T_DEC2) trin_buf_puts(out, " Precision=\"18\" Scale=\"2\"");
    if (AGG_COLUMNS[c].type == AGG_T_TIME) trin_buf_puts(out, " Precision=\"3\"");
    trin_buf_puts(out, "/>\n");
  }
  trin_buf_puts(out,
               "      </EntityType>\n"
               "      <EntityContainer Name=\"Container\">\n"
               "        <EntitySet Name=\"ProjectStatus\" EntityType=\"trin.ProjectStatus\"/>\n"
               "      </EntityContainer>\n"
               "    </Schema>\n"
               "  </edmx:DataServices>\n"
               "</edmx:Edmx>\n");
}

void agg_odata_service_document(const char *service_url, trin_buf_t *out) {
  trin_buf_puts(out, "{\"@odata.context\":");
  trin_buf_t c = {0};
  trin_buf_printf(&c, "%s/$metadata", service_url);
  agg_json_string(out, c.data ? c.data : "");
  trin_buf_free(&c);
  trin_buf_puts(out, ",\"value\":[{\"name\":\"ProjectStatus\",\"kind\":\"EntitySet\","
                    "\"url\":\"ProjectStatus\"}]}");
}

void agg_odata_error(trin_buf_t *out, const char *code, const char *message, const char *target) {
  trin_buf_puts(out, "{\"error\":{\"code\":");
  agg_json_string(out, code);
  trin_buf_puts(out, ",\"message\":");
  agg_json_string(out, message);
  if (target && *target) {
    trin_buf_puts(out, ",\"target\":");
    agg_json_string(out, target);
  }
  trin_buf_puts(out, "}}");
}
