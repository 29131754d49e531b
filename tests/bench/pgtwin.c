/* pgtwin — PostgreSQL twins of the benchmarks' SQL comparisons (see
 * pgtwin.h). */
#include "pgtwin.h"

#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "bench_util.h"

struct pgtwin {
  PGconn *conn;
  char schema[64];
  char version[32];
  char why[512];
};

static void set_why(pgtwin_t *pg, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void set_why(pgtwin_t *pg, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(pg->why, sizeof pg->why, fmt, ap);
  va_end(ap);
  /* libpq's messages end in a newline; the table wants one line. */
  for (char *p = pg->why; *p; p++)
    if (*p == '\n' || *p == '\t') *p = ' ';
  size_t n = strlen(pg->why);
  while (n > 0 && pg->why[n - 1] == ' ') pg->why[--n] = '\0';
}

/* Schema names are the benchmarks' own constants; anything else is refused
 * rather than quoted. */
static int plain_name(const char *s) {
  if (!*s || strlen(s) >= 64) return 0;
  for (; *s; s++)
    if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_')) return 0;
  return 1;
}

pgtwin_t *pgtwin_open(const char *schema, char *why, size_t why_size) {
  const char *uri = getenv(PGTWIN_ENV);
  if (!uri || !*uri) {
    const char *skip = getenv(PGTWIN_SKIP_ENV);
    snprintf(why, why_size, "no server: %s", skip && *skip ? skip : PGTWIN_ENV " not set");
    return NULL;
  }
  if (!plain_name(schema)) {
    snprintf(why, why_size, "schema name '%s' is not a plain lower-case name", schema);
    return NULL;
  }
  pgtwin_t *pg = calloc(1, sizeof *pg);
  if (!pg) {
    snprintf(why, why_size, "out of memory");
    return NULL;
  }
  snprintf(pg->schema, sizeof pg->schema, "%s", schema);
  pg->conn = PQconnectdb(uri);
  if (PQstatus(pg->conn) != CONNECTION_OK) {
    /* "connection to server at …, port … failed: Connection refused\n…":
     * the part after "failed: " says it in a few words. */
    const char *m = PQerrorMessage(pg->conn), *f = strstr(m, "failed: ");
    set_why(pg, "cannot connect: %.*s", (int)strcspn(f ? f + 8 : m, "\n"), f ? f + 8 : m);
    goto fail;
  }
  int v = PQserverVersion(pg->conn);
  snprintf(pg->version, sizeof pg->version, "%d.%d", v / 10000, v % 10000);
  char sql[256];
  snprintf(sql, sizeof sql,
           "SET client_min_messages = warning; DROP SCHEMA IF EXISTS %s CASCADE;"
           " CREATE SCHEMA %s; SET search_path = %s",
           schema, schema, schema);
  if (pgtwin_exec(pg, sql)) goto fail;
  return pg;
fail:
  snprintf(why, why_size, "%s", pg->why);
  PQfinish(pg->conn);
  free(pg);
  return NULL;
}

void pgtwin_destroy(pgtwin_t **pp) {
  pgtwin_t *pg = *pp;
  if (!pg) return;
  if (PQstatus(pg->conn) == CONNECTION_OK) {
    char sql[128];
    snprintf(sql, sizeof sql, "DROP SCHEMA IF EXISTS %s CASCADE", pg->schema);
    PQclear(PQexec(pg->conn, sql));
  }
  PQfinish(pg->conn);
  free(pg);
  *pp = NULL;
}

const char *pgtwin_version(const pgtwin_t *pg) { return pg->version; }
const char *pgtwin_why(const pgtwin_t *pg) { return pg->why; }

int pgtwin_exec(pgtwin_t *pg, const char *sql) {
  PGresult *r = PQexec(pg->conn, sql);
  int ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  if (!ok) set_why(pg, "%.60s…: %s", sql, PQerrorMessage(pg->conn));
  PQclear(r);
  return ok ? 0 : -1;
}

/* ---- COPY ------------------------------------------------------------------------------ */

typedef struct {
  char *data;
  size_t len, cap;
} buf_t;

static int buf_room(buf_t *b, size_t n) {
  if (b->len + n <= b->cap) return 0;
  size_t cap = b->cap ? b->cap : 1 << 20;
  while (cap < b->len + n) cap *= 2;
  char *d = realloc(b->data, cap);
  if (!d) return -1;
  b->data = d;
  b->cap = cap;
  return 0;
}

/* One SQLite value in COPY's text format: \N for NULL, backslash escapes
 * in text, bytea hex for blobs (its backslash doubled, as COPY wants). */
static int put_value(buf_t *b, sqlite3_stmt *st, int col) {
  static const char hex[] = "0123456789abcdef";
  switch (sqlite3_column_type(st, col)) {
    case SQLITE_NULL:
      if (buf_room(b, 2)) return -1;
      memcpy(b->data + b->len, "\\N", 2);
      b->len += 2;
      return 0;
    case SQLITE_INTEGER:
    case SQLITE_FLOAT: {
      char num[40];
      int n = sqlite3_column_type(st, col) == SQLITE_INTEGER
                  ? snprintf(num, sizeof num, "%lld", (long long)sqlite3_column_int64(st, col))
                  : snprintf(num, sizeof num, "%.17g", sqlite3_column_double(st, col));
      if (buf_room(b, (size_t)n)) return -1;
      memcpy(b->data + b->len, num, (size_t)n);
      b->len += (size_t)n;
      return 0;
    }
    case SQLITE_BLOB: {
      const unsigned char *p = sqlite3_column_blob(st, col);
      size_t n = (size_t)sqlite3_column_bytes(st, col);
      if (buf_room(b, 3 + 2 * n)) return -1;
      memcpy(b->data + b->len, "\\\\x", 3);
      b->len += 3;
      for (size_t i = 0; i < n; i++) {
        b->data[b->len++] = hex[p[i] >> 4];
        b->data[b->len++] = hex[p[i] & 15];
      }
      return 0;
    }
    default: {
      const unsigned char *p = sqlite3_column_text(st, col);
      size_t n = (size_t)sqlite3_column_bytes(st, col);
      if (buf_room(b, 2 * n)) return -1;
      for (size_t i = 0; i < n; i++) {
        char c = (char)p[i], e = c == '\\' ? '\\' : c == '\t' ? 't' : c == '\n' ? 'n'
                                                   : c == '\r' ? 'r'
                                                               : 0;
        if (e) {
          b->data[b->len++] = '\\';
          b->data[b->len++] = e;
        } else {
          b->data[b->len++] = c;
        }
      }
      return 0;
    }
  }
}

long pgtwin_copy(pgtwin_t *pg, sqlite3 *db, const char *select, const char *table) {
  sqlite3_stmt *st = NULL;
  if (sqlite3_prepare_v2(db, select, -1, &st, NULL) != SQLITE_OK) {
    set_why(pg, "SQLite: %s", sqlite3_errmsg(db));
    return -1;
  }
  char sql[256];
  snprintf(sql, sizeof sql, "COPY %s FROM STDIN", table);
  PGresult *r = PQexec(pg->conn, sql);
  if (PQresultStatus(r) != PGRES_COPY_IN) {
    set_why(pg, "%s: %s", sql, PQerrorMessage(pg->conn));
    PQclear(r);
    sqlite3_finalize(st);
    return -1;
  }
  PQclear(r);
  buf_t b = {0};
  long rows = 0;
  const char *failed = NULL;
  int rc, ncol = sqlite3_column_count(st);
  while (!failed && (rc = sqlite3_step(st)) == SQLITE_ROW) {
    /* A row is its values separated by tabs and ended by a newline. */
    for (int c = 0; c < ncol && !failed; c++) {
      if (buf_room(&b, 1) || put_value(&b, st, c) || buf_room(&b, 1)) {
        failed = "out of memory";
        break;
      }
      b.data[b.len++] = c + 1 < ncol ? '\t' : '\n';
    }
    rows++;
    if (!failed && b.len >= (1 << 20)) {
      if (PQputCopyData(pg->conn, b.data, (int)b.len) != 1) failed = PQerrorMessage(pg->conn);
      b.len = 0;
    }
  }
  if (!failed && rc != SQLITE_DONE) failed = sqlite3_errmsg(db);
  if (!failed && b.len > 0 && PQputCopyData(pg->conn, b.data, (int)b.len) != 1)
    failed = PQerrorMessage(pg->conn);
  char reason[256] = "";
  if (failed) snprintf(reason, sizeof reason, "%s", failed);
  free(b.data);
  sqlite3_finalize(st);
  /* Ending the COPY with an error message makes the server roll it back. */
  if (PQputCopyEnd(pg->conn, failed ? reason : NULL) != 1 && !failed)
    snprintf(reason, sizeof reason, "%s", PQerrorMessage(pg->conn)), failed = reason;
  while ((r = PQgetResult(pg->conn)) != NULL) {
    if (PQresultStatus(r) != PGRES_COMMAND_OK && !failed)
      snprintf(reason, sizeof reason, "%s", PQerrorMessage(pg->conn)), failed = reason;
    PQclear(r);
  }
  if (failed) {
    set_why(pg, "COPY %s: %s", table, reason);
    return -1;
  }
  return rows;
}

int pgtwin_prepare(pgtwin_t *pg, const char *name, const char *sql) {
  PGresult *r = PQprepare(pg->conn, name, sql, 0, NULL);
  int ok = PQresultStatus(r) == PGRES_COMMAND_OK;
  if (!ok) set_why(pg, "prepare %s: %s", name, PQerrorMessage(pg->conn));
  PQclear(r);
  return ok ? 0 : -1;
}

double pgtwin_time(pgtwin_t *pg, const char *name, int nparams, const char *const *params,
                   int reps, pgtwin_check_fn check, void *arg) {
  if (reps < 1) return NAN;
  double *v = malloc((size_t)reps * sizeof *v);
  if (!v) {
    set_why(pg, "out of memory");
    return NAN;
  }
  double m = NAN;
  PGresult *last = NULL;
  int i = 0;
  for (; i < reps; i++) {
    PQclear(last);
    double t0 = bench_now_ms();
    last = PQexecPrepared(pg->conn, name, nparams, params, NULL, NULL, 0);
    v[i] = bench_now_ms() - t0;
    if (PQresultStatus(last) != PGRES_TUPLES_OK) {
      set_why(pg, "%s: %s", name, PQerrorMessage(pg->conn));
      break;
    }
  }
  if (i == reps) {
    m = bench_median(v, (size_t)reps);
    if (check) check(last, arg);
  }
  PQclear(last);
  free(v);
  return m;
}

pgtwin_t *pgtwin_load(const pgtwin_load_t *load, sqlite3 *db, long *rows, double *seconds,
                      char *why, size_t why_size) {
  pgtwin_t *pg = pgtwin_open(load->schema, why, why_size);
  if (!pg) return NULL;
  double t0 = bench_now_ms();
  int rc = pgtwin_exec(pg, load->create);
  for (size_t i = 0; i < load->ncopies && !rc; i++) {
    long n = pgtwin_copy(pg, db, load->copies[i].select, load->copies[i].table);
    if (n < 0) rc = -1;
    else *rows = n;
  }
  if (!rc) rc = pgtwin_exec(pg, load->keys);
  for (size_t i = 0; i < load->nqueries && !rc; i++)
    rc = pgtwin_prepare(pg, load->queries[i].name, load->queries[i].sql);
  if (rc) {
    snprintf(why, why_size, "%s", pgtwin_why(pg));
    pgtwin_destroy(&pg);
    return NULL;
  }
  *seconds = (bench_now_ms() - t0) / 1e3;
  return pg;
}
