/* trin_sql_dialect — see trin_sql_dialect.h. A small tokenizer (words,
 * numbers, quoted text, parameters, punctuation, blanks and comments) and
 * one pass per statement that rewrites only the tokens it must. */
#include "trin_sql_dialect.h"

#include <ctype.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "trin_buf.h"

typedef enum { T_BLANK, T_WORD, T_NUM, T_STR, T_QID, T_PARAM, T_PUNCT, T_SEMI } tok_kind_t;

typedef struct {
  tok_kind_t kind;
  const char *p;
  size_t n;
} tok_t;

/* Splits sql into tokens; returns how many (0 on out of memory with *out
 * NULL). Unterminated quotes and comments run to the end. */
static size_t tokenize(const char *sql, tok_t **out) {
  size_t cap = 64, n = 0;
  tok_t *t = malloc(cap * sizeof *t);
  if (!t) return (*out = NULL, 0);
  const char *p = sql;
  while (*p) {
    tok_t k = {T_PUNCT, p, 1};
    if (isspace((unsigned char)*p)) {
      k.kind = T_BLANK;
      while (isspace((unsigned char)p[k.n])) k.n++;
    } else if (p[0] == '-' && p[1] == '-') {
      k.kind = T_BLANK;
      while (p[k.n] && p[k.n] != '\n') k.n++;
    } else if (p[0] == '/' && p[1] == '*') {
      k.kind = T_BLANK;
      k.n = 2;
      while (p[k.n] && !(p[k.n] == '*' && p[k.n + 1] == '/')) k.n++;
      if (p[k.n]) k.n += 2;
    } else if (*p == '\'' || *p == '"') {
      char q = *p;
      k.kind = q == '\'' ? T_STR : T_QID;
      for (;;) {
        if (!p[k.n]) break;
        if (p[k.n] == q) {
          if (p[k.n + 1] == q) {
            k.n += 2;
            continue;
          }
          k.n++;
          break;
        }
        k.n++;
      }
    } else if (isalpha((unsigned char)*p) || *p == '_' || (unsigned char)*p >= 0x80) {
      k.kind = T_WORD;
      while (isalnum((unsigned char)p[k.n]) || p[k.n] == '_' || p[k.n] == '$' ||
             (unsigned char)p[k.n] >= 0x80)
        k.n++;
    } else if (isdigit((unsigned char)*p)) {
      k.kind = T_NUM;
      while (isalnum((unsigned char)p[k.n]) || p[k.n] == '.') k.n++;
    } else if (*p == '?') {
      k.kind = T_PARAM;
      while (isdigit((unsigned char)p[k.n])) k.n++;
    } else if (*p == ';') {
      k.kind = T_SEMI;
    } else if ((p[0] == '=' && p[1] == '=') || (p[0] == '!' && p[1] == '=') ||
               (p[0] == '<' && (p[1] == '=' || p[1] == '>')) || (p[0] == '>' && p[1] == '=') ||
               (p[0] == '|' && p[1] == '|')) {
      k.n = 2;
    }
    if (n == cap) {
      cap *= 2;
      tok_t *nt = realloc(t, cap * sizeof *t);
      if (!nt) {
        free(t);
        return (*out = NULL, 0);
      }
      t = nt;
    }
    t[n++] = k;
    p += k.n;
  }
  *out = t;
  return n;
}

static bool is_word(const tok_t *t, const char *w) {
  return t && t->kind == T_WORD && strlen(w) == t->n && strncasecmp(t->p, w, t->n) == 0;
}

/* One statement: tokens [a, b) (b is its ';' or the end). */
typedef struct {
  const tok_t *t;
  size_t a, b;
  bool semi; /* a ';' ends it */
} stmt_t;

/* Index of the next significant token at or after i, or s->b. */
static size_t sig(const stmt_t *s, size_t i) {
  while (i < s->b && s->t[i].kind == T_BLANK) i++;
  return i;
}

static const tok_t *at(const stmt_t *s, size_t i) { return i < s->b ? &s->t[i] : NULL; }

/* What to do with individual tokens of one statement. */
typedef enum { K_KEEP, K_DROP, K_TYPE, K_TYPE_SERIAL } mark_t;

static void emit_type(trin_buf_t *out, const tok_t *t, bool serial) {
  if (is_word(t, "INTEGER")) trin_buf_puts(out, serial ? "BIGSERIAL" : "BIGINT");
  else if (is_word(t, "BLOB")) trin_buf_puts(out, "BYTEA");
  else if (is_word(t, "TEXT")) trin_buf_puts(out, "TEXT COLLATE \"C\"");
  else trin_buf_add(out, t->p, t->n);
}

static void translate_stmt(const stmt_t *s, trin_buf_t *out, int *maxp) {
  size_t i0 = sig(s, s->a);
  if (i0 >= s->b) { /* blank: keep the blanks, drop nothing */
    for (size_t i = s->a; i < s->b; i++) trin_buf_add(out, s->t[i].p, s->t[i].n);
    if (s->semi) trin_buf_add(out, ";", 1);
    return;
  }
  if (is_word(at(s, i0), "PRAGMA")) return; /* no-op on PostgreSQL */

  size_t n = s->b - s->a;
  mark_t *mark = calloc(n ? n : 1, sizeof *mark);
  if (!mark) {
    /* Out of memory: the caller sees it through the buffer. */
    trin_buf_free(out);
    out->failed = true;
    return;
  }
#define MARK(i) mark[(i) - s->a]

  size_t i1 = sig(s, i0 + 1), i2 = sig(s, i1 + 1);
  bool create = false, alter = false, or_ignore = false;
  size_t close = SIZE_MAX;       /* CREATE TABLE: the column list's ')' */
  bool rowid_table = false, without_rowid = false;
  if (is_word(at(s, i0), "CREATE")) {
    size_t k = i1;
    if (is_word(at(s, k), "TEMP") || is_word(at(s, k), "TEMPORARY")) k = sig(s, k + 1);
    create = is_word(at(s, k), "TABLE");
  } else if (is_word(at(s, i0), "ALTER") && is_word(at(s, i1), "TABLE")) {
    alter = true;
  } else if (is_word(at(s, i0), "INSERT") && is_word(at(s, i1), "OR") &&
             is_word(at(s, i2), "IGNORE")) {
    or_ignore = true;
    MARK(i1) = K_DROP;
    MARK(i2) = K_DROP;
  }

  if (create) {
    /* Column definitions start after '(' and after each ',' at depth 1; the
     * first word is the name, the next the type. */
    int depth = 0;
    bool int_pk = false;
    size_t open = SIZE_MAX;
    for (size_t i = s->a; i < s->b; i++) {
      const tok_t *t = &s->t[i];
      if (t->kind == T_PUNCT && *t->p == '(') {
        if (depth == 0 && open == SIZE_MAX) open = i;
        depth++;
        if (depth != 1 || i != open) continue;
      } else if (t->kind == T_PUNCT && *t->p == ')') {
        depth--;
        if (depth == 0 && close == SIZE_MAX && open != SIZE_MAX) close = i;
        continue;
      } else if (!(depth == 1 && t->kind == T_PUNCT && *t->p == ',')) {
        if (depth == 0 && close != SIZE_MAX && is_word(t, "WITHOUT") &&
            is_word(at(s, sig(s, i + 1)), "ROWID")) {
          MARK(i) = K_DROP;
          MARK(sig(s, i + 1)) = K_DROP;
          without_rowid = true;
        }
        continue;
      }
      /* i is the '(' opening the list or a ',' between definitions. */
      size_t name = sig(s, i + 1);
      const tok_t *nt = at(s, name);
      if (!nt || is_word(nt, "PRIMARY") || is_word(nt, "UNIQUE") || is_word(nt, "FOREIGN") ||
          is_word(nt, "CHECK") || is_word(nt, "CONSTRAINT"))
        continue;
      size_t type = sig(s, name + 1);
      const tok_t *tt = at(s, type);
      if (!tt || tt->kind != T_WORD) continue;
      size_t p1 = sig(s, type + 1), p2 = sig(s, p1 + 1);
      bool serial = is_word(tt, "INTEGER") && is_word(at(s, p1), "PRIMARY") &&
                    is_word(at(s, p2), "KEY");
      if (serial) int_pk = true;
      MARK(type) = serial ? K_TYPE_SERIAL : K_TYPE;
    }
    rowid_table = !int_pk && !without_rowid && close != SIZE_MAX;
  } else if (alter) {
    /* ALTER TABLE t ADD [COLUMN] name TYPE */
    for (size_t i = i1; i < s->b; i = sig(s, i + 1)) {
      if (!is_word(at(s, i), "ADD")) continue;
      size_t k = sig(s, i + 1);
      if (is_word(at(s, k), "COLUMN")) k = sig(s, k + 1);
      size_t type = sig(s, k + 1);
      if (at(s, type) && at(s, type)->kind == T_WORD) MARK(type) = K_TYPE;
      break;
    }
  }

  /* Where INSERT OR IGNORE's ON CONFLICT DO NOTHING goes: before a
   * top-level RETURNING, else after the last significant token. */
  size_t conflict_at = SIZE_MAX, conflict_after = SIZE_MAX;
  if (or_ignore) {
    int depth = 0;
    size_t last = s->a;
    for (size_t i = s->a; i < s->b; i++) {
      const tok_t *t = &s->t[i];
      if (t->kind == T_PUNCT && *t->p == '(') depth++;
      if (t->kind == T_PUNCT && *t->p == ')') depth--;
      if (depth == 0 && is_word(t, "RETURNING")) {
        conflict_at = i;
        break;
      }
      if (t->kind != T_BLANK) last = i;
    }
    if (conflict_at == SIZE_MAX) conflict_after = last;
  }

  size_t prev_sig = SIZE_MAX;
  for (size_t i = s->a; i < s->b; i++) {
    const tok_t *t = &s->t[i];
    if (i == conflict_at) trin_buf_puts(out, "ON CONFLICT DO NOTHING "); /* before RETURNING */
    if (i == close && rowid_table) trin_buf_puts(out, ", rowid BIGSERIAL");
    switch (MARK(i)) {
      case K_DROP: /* with the blank after it */
        if (i + 1 < s->b && s->t[i + 1].kind == T_BLANK && MARK(i + 1) == K_KEEP) i++;
        break;
      case K_TYPE:
      case K_TYPE_SERIAL:
        emit_type(out, t, MARK(i) == K_TYPE_SERIAL);
        break;
      case K_KEEP:
        if (t->kind == T_PARAM) {
          int num = t->n > 1 ? atoi(t->p + 1) : *maxp + 1;
          if (num > *maxp) *maxp = num;
          char b[16];
          snprintf(b, sizeof b, "$%d", num);
          trin_buf_puts(out, b);
        } else if (t->kind == T_PUNCT && t->n == 2 && t->p[0] == '=' && t->p[1] == '=') {
          trin_buf_puts(out, "=");
        } else if (is_word(t, "AUTOINCREMENT")) {
          /* BIGSERIAL already numbers the column. */
        } else if (is_word(t, "IFNULL") && at(s, sig(s, i + 1)) &&
                   at(s, sig(s, i + 1))->kind == T_PUNCT && *at(s, sig(s, i + 1))->p == '(') {
          trin_buf_puts(out, "COALESCE");
        } else if (prev_sig != SIZE_MAX && is_word(&s->t[prev_sig], "AS") &&
                   (is_word(t, "INTEGER") || is_word(t, "BLOB"))) {
          trin_buf_puts(out, is_word(t, "INTEGER") ? "BIGINT" : "BYTEA"); /* CAST(x AS ...) */
        } else {
          trin_buf_add(out, t->p, t->n);
        }
        break;
    }
    if (i == conflict_after) trin_buf_puts(out, " ON CONFLICT DO NOTHING");
    if (t->kind != T_BLANK) prev_sig = i;
  }
  if (s->semi) trin_buf_add(out, ";", 1);
#undef MARK
  free(mark);
}

char *trin_sql_dialect_pg(const char *sql, int *nparams) {
  if (nparams) *nparams = 0;
  tok_t *t;
  size_t n = tokenize(sql ? sql : "", &t);
  if (!t) return NULL;
  trin_buf_t out = {0};
  trin_buf_add(&out, "", 0);
  int maxp = 0;
  size_t a = 0;
  for (size_t i = 0; i <= n && !out.failed; i++) {
    if (i == n || t[i].kind == T_SEMI) {
      stmt_t s = {t, a, i, i < n};
      translate_stmt(&s, &out, &maxp);
      a = i + 1;
    }
  }
  free(t);
  if (out.failed) {
    trin_buf_free(&out);
    return NULL;
  }
  if (nparams) *nparams = maxp;
  return out.data;
}
