/* trin_store — backend dispatch, the statement cache and migrations. See
 * trin_store.h. */
#include "trin_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin_log.h"
#include "trin_store_ops.h"

struct trin_stmt {
  trin_store_t *store;
  void *impl;
  const char *key;  /* the caller's pointer, the cache key */
  char *sql;        /* our copy, to notice a reused pointer with new text */
  trin_stmt_t *next;
};

#define STMT_BUCKETS 256

struct trin_store {
  const trin_store_ops_t *ops;
  void *impl;
  trin_stmt_t *buckets[STMT_BUCKETS];
  bool in_txn;
  int savepoints;
};

int trin_store_open(const trin_store_options_t *opt, trin_store_t **out,
                    trin_err_t *err) {
  const char *loc = opt->location;
  if (!loc || !*loc)
    return trin_err_set(err, TRIN_EINVALID, "store", "no store location is configured");
  trin_store_t *s = calloc(1, sizeof *s);
  if (!s) return trin_err_set(err, TRIN_EINTERNAL, "store", "out of memory");
  int rc;
  if (strncmp(loc, "postgresql:", 11) == 0 || strncmp(loc, "postgres:", 9) == 0) {
    if (strncmp(loc, "postgresql://", 13) != 0 && strncmp(loc, "postgres://", 11) != 0) {
      free(s);
      return trin_err_set(err, TRIN_EINVALID, "store",
                          "a PostgreSQL store is a URI: postgresql://USER@HOST:PORT/DATABASE");
    }
    s->ops = &trin_store_pg_ops;
    rc = trin_store_pg_open(loc, opt->sync, &s->impl, err);
  } else {
    if (strncmp(loc, "sqlite:", 7) == 0) loc += 7;
    s->ops = &trin_store_sqlite_ops;
    rc = trin_store_sqlite_open(loc, opt->sync, &s->impl, err);
  }
  if (rc) {
    free(s);
    return rc;
  }
  *out = s;
  return TRIN_OK;
}

const char *trin_store_location_for_log(const char *loc, char *out, size_t cap) {
  if (!cap) return out;
  size_t w = 0;
  const char *p = loc ? loc : "";
  const char *scheme = strstr(p, "://");
  const char *at = scheme ? strchr(scheme + 3, '@') : NULL;
  const char *colon = scheme ? memchr(scheme + 3, ':', at ? (size_t)(at - scheme - 3) : 0) : NULL;
  while (*p && w + 1 < cap) {
    if (colon && p == colon + 1) { /* user:PASSWORD@ */
      for (const char *m = "***"; *m && w + 1 < cap; m++) out[w++] = *m;
      p = at;
      continue;
    }
    if (strncmp(p, "password=", 9) == 0 && (p == loc || p[-1] == '?' || p[-1] == '&')) {
      for (const char *m = "password=***"; *m && w + 1 < cap; m++) out[w++] = *m;
      p += 9 + strcspn(p + 9, "&");
      continue;
    }
    out[w++] = *p++;
  }
  out[w] = '\0';
  return out;
}

void trin_store_destroy(trin_store_t **sp) {
  if (!sp || !*sp) return;
  trin_store_t *s = *sp;
  if (s->in_txn) {
    trin_log_warn("store closed inside a transaction; rolling back");
    s->ops->exec(s->impl, "ROLLBACK", NULL);
  }
  for (int b = 0; b < STMT_BUCKETS; b++) {
    for (trin_stmt_t *st = s->buckets[b], *n; st; st = n) {
      n = st->next;
      s->ops->finalize(st->impl);
      free(st->sql);
      free(st);
    }
  }
  s->ops->close(s->impl);
  free(s);
  *sp = NULL;
}

int trin_store_exec(trin_store_t *s, const char *sql, trin_err_t *err) {
  return s->ops->exec(s->impl, sql, err);
}

/* Transaction control runs through the statement cache: a batch takes one
 * savepoint per command, and re-parsing that SQL each time shows up. */
static int run_cached(trin_store_t *s, const char *sql, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s, sql, &st, err);
  if (rc) return rc;
  return trin_stmt_run(st, err);
}

int trin_store_begin(trin_store_t *s, trin_err_t *err) {
  if (s->in_txn)
    return trin_err_set(err, TRIN_EINTERNAL, "store", "transaction already open");
  int rc = run_cached(s, "BEGIN", err);
  if (rc == TRIN_OK) {
    s->in_txn = true;
    s->savepoints = 0;
  }
  return rc;
}

int trin_store_commit(trin_store_t *s, trin_err_t *err) {
  int rc = run_cached(s, "COMMIT", err);
  if (rc == TRIN_OK) {
    s->in_txn = false;
  } else {
    /* A failed COMMIT (disk full, I/O) leaves the transaction open in
     * SQLite; roll back so the store is usable and nothing half-done stays. */
    s->ops->exec(s->impl, "ROLLBACK", NULL);
    s->in_txn = false;
  }
  return rc;
}

int trin_store_rollback(trin_store_t *s, trin_err_t *err) {
  s->in_txn = false;
  return s->ops->exec(s->impl, "ROLLBACK", err);
}

bool trin_store_in_transaction(const trin_store_t *s) { return s->in_txn; }

int trin_store_savepoint(trin_store_t *s, trin_err_t *err) {
  int rc = run_cached(s, "SAVEPOINT trin_sp", err);
  if (rc == TRIN_OK) s->savepoints++;
  return rc;
}

int trin_store_release(trin_store_t *s, trin_err_t *err) {
  int rc = run_cached(s, "RELEASE SAVEPOINT trin_sp", err);
  if (rc == TRIN_OK) s->savepoints--;
  return rc;
}

int trin_store_rollback_to(trin_store_t *s, trin_err_t *err) {
  /* ROLLBACK TO keeps the savepoint open; release it to pop it. */
  int rc = run_cached(s, "ROLLBACK TO SAVEPOINT trin_sp", err);
  if (rc == TRIN_OK) rc = trin_store_release(s, err);
  return rc;
}

static unsigned bucket_of(const char *key) {
  uintptr_t p = (uintptr_t)key;
  return (unsigned)((p >> 3) ^ (p >> 11)) % STMT_BUCKETS;
}

int trin_store_stmt(trin_store_t *s, const char *sql, trin_stmt_t **out,
                    trin_err_t *err) {
  unsigned b = bucket_of(sql);
  for (trin_stmt_t *st = s->buckets[b]; st; st = st->next) {
    if (st->key == sql && strcmp(st->sql, sql) == 0) {
      s->ops->reset(st->impl);
      *out = st;
      return TRIN_OK;
    }
  }
  trin_stmt_t *st = calloc(1, sizeof *st);
  if (!st) return trin_err_set(err, TRIN_EINTERNAL, "store", "out of memory");
  st->sql = strdup(sql);
  if (!st->sql) {
    free(st);
    return trin_err_set(err, TRIN_EINTERNAL, "store", "out of memory");
  }
  int rc = s->ops->prepare(s->impl, sql, &st->impl, err);
  if (rc) {
    free(st->sql);
    free(st);
    return rc;
  }
  st->store = s;
  st->key = sql;
  st->next = s->buckets[b];
  s->buckets[b] = st;
  *out = st;
  return TRIN_OK;
}

int trin_stmt_bind_int64(trin_stmt_t *st, int i, int64_t v) {
  return st->store->ops->bind_int64(st->impl, i, v);
}
int trin_stmt_bind_text(trin_stmt_t *st, int i, const char *v) {
  if (!v) return st->store->ops->bind_null(st->impl, i);
  return st->store->ops->bind_text(st->impl, i, v);
}
int trin_stmt_bind_text_or_null(trin_stmt_t *st, int i, const char *v) {
  if (!v || !*v) return st->store->ops->bind_null(st->impl, i);
  return st->store->ops->bind_text(st->impl, i, v);
}
int trin_stmt_bind_blob(trin_stmt_t *st, int i, const void *v, size_t n) {
  return st->store->ops->bind_blob(st->impl, i, v, n);
}
int trin_stmt_bind_null(trin_stmt_t *st, int i) {
  return st->store->ops->bind_null(st->impl, i);
}
int trin_stmt_step(trin_stmt_t *st, trin_err_t *err) {
  return st->store->ops->step(st->store->impl, st->impl, err);
}
int trin_stmt_run(trin_stmt_t *st, trin_err_t *err) {
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) rc = TRIN_OK; /* e.g. RETURNING we ignore */
  st->store->ops->reset(st->impl);
  return rc;
}
int trin_stmt_run_deferred(trin_stmt_t *st, trin_err_t *err) {
  const trin_store_ops_t *ops = st->store->ops;
  if (!ops->defer || !st->store->in_txn) return trin_stmt_run(st, err);
  int rc = ops->defer(st->store->impl, st->impl, err);
  ops->reset(st->impl);
  return rc;
}
int trin_stmt_prefetch(trin_stmt_t *st, trin_err_t *err) {
  const trin_store_ops_t *ops = st->store->ops;
  if (!ops->prefetch || !st->store->in_txn) return TRIN_OK;
  return ops->prefetch(st->store->impl, st->impl, err);
}
void trin_stmt_reset(trin_stmt_t *st) { st->store->ops->reset(st->impl); }
int64_t trin_stmt_int64(trin_stmt_t *st, int col) {
  return st->store->ops->col_int64(st->impl, col);
}
const char *trin_stmt_text(trin_stmt_t *st, int col) {
  return st->store->ops->col_text(st->impl, col);
}
const void *trin_stmt_blob(trin_stmt_t *st, int col, size_t *len) {
  return st->store->ops->col_blob(st->impl, col, len);
}
bool trin_stmt_is_null(trin_stmt_t *st, int col) {
  return st->store->ops->col_is_null(st->impl, col);
}
int64_t trin_store_changes(trin_store_t *s) { return s->ops->changes(s->impl); }
const char *trin_store_backend(const trin_store_t *s) { return s->ops->name; }
uint64_t trin_store_reconnects(const trin_store_t *s) {
  return s->ops->reconnects ? s->ops->reconnects(s->impl) : 0;
}

bool trin_store_remote(const trin_store_t *s) { return s->ops->round_trips != NULL; }

uint64_t trin_store_round_trips(const trin_store_t *s) {
  return s->ops->round_trips ? s->ops->round_trips(s->impl) : 0;
}

/* ---- migrations ---------------------------------------------------------- */

static const char SCHEMA_TABLE[] =
    "CREATE TABLE IF NOT EXISTS trin_schema ("
    " scope TEXT PRIMARY KEY, version INTEGER NOT NULL)";

int trin_store_schema_version(trin_store_t *s, const char *scope, int *out,
                              trin_err_t *err) {
  int rc = trin_store_exec(s, SCHEMA_TABLE, err);
  if (rc) return rc;
  trin_stmt_t *st;
  if ((rc = trin_store_stmt(s, "SELECT version FROM trin_schema WHERE scope = ?",
                            &st, err)))
    return rc;
  trin_stmt_bind_text(st, 1, scope);
  rc = trin_stmt_step(st, err);
  *out = rc == TRIN_STORE_ROW ? (int)trin_stmt_int64(st, 0) : 0;
  trin_stmt_reset(st);
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

/* One version of scope in one transaction: sql (may be NULL), then fn (may
 * be NULL), then the version recorded. */
static int migrate_one(trin_store_t *s, const char *scope, int version, const char *sql,
                       trin_migration_fn fn, void *data, trin_err_t *err) {
  int rc;
  if ((rc = trin_store_begin(s, err))) return rc;
  rc = sql ? trin_store_exec(s, sql, err) : TRIN_OK;
  if (!rc && fn) rc = fn(s, data, err);
  trin_stmt_t *st = NULL;
  if (!rc)
    rc = trin_store_stmt(s,
                         "INSERT INTO trin_schema(scope, version) VALUES (?, ?) "
                         "ON CONFLICT(scope) DO UPDATE SET version = excluded.version",
                         &st, err);
  if (!rc) {
    trin_stmt_bind_text(st, 1, scope);
    trin_stmt_bind_int64(st, 2, version);
    rc = trin_stmt_run(st, err);
  }
  if (!rc) rc = trin_store_commit(s, err);
  else trin_store_rollback(s, NULL);
  if (rc) return rc;
  trin_log_info("store: %s schema migrated to version %d", scope, version);
  return TRIN_OK;
}

static int newer_than_known(const char *scope, int have, int newest, trin_err_t *err) {
  return trin_err_set(err, TRIN_ECONFLICT, "store",
                      "the %s schema in this store is version %d, newer than "
                      "this program knows (%d); use a newer trin",
                      scope, have, newest);
}

int trin_store_migrate_to(trin_store_t *s, const char *scope, const trin_migration_t *m, int n,
                          int version, trin_err_t *err) {
  return trin_store_migrate(s, scope, m, version >= 0 && version < n ? version : n, err);
}

char *trin_stmt_text_dup(trin_stmt_t *st, int col, trin_arena_t *a) {
  return trin_arena_strdup(a, trin_stmt_text(st, col));
}

void trin_stmt_text_copy(trin_stmt_t *st, int col, char *dst, size_t size) {
  snprintf(dst, size, "%s", trin_stmt_text(st, col));
}

int trin_store_migrate(trin_store_t *s, const char *scope,
                       const trin_migration_t *m, int n, trin_err_t *err) {
  int have, rc;
  if ((rc = trin_store_schema_version(s, scope, &have, err))) return rc;
  int newest = n > 0 ? m[n - 1].version : 0;
  if (have > newest) return newer_than_known(scope, have, newest, err);
  for (int i = 0; i < n; i++)
    if (m[i].version != i + 1)
      return trin_err_set(err, TRIN_EINTERNAL, "store",
                          "%s migrations must be numbered 1, 2, 3, ...", scope);
  for (int i = 0; i < n; i++)
    if (m[i].version > have &&
        (rc = migrate_one(s, scope, m[i].version, m[i].sql, NULL, NULL, err)))
      return rc;
  return TRIN_OK;
}

int trin_store_migrate_fn(trin_store_t *s, const char *scope, trin_migration_fn fn, void *data,
                          trin_err_t *err) {
  int have, rc;
  if ((rc = trin_store_schema_version(s, scope, &have, err))) return rc;
  if (have > 1) return newer_than_known(scope, have, 1, err);
  return have == 1 ? TRIN_OK : migrate_one(s, scope, 1, NULL, fn, data, err);
}

int trin_stmt_run_one(trin_store_t *s, trin_stmt_t *st, const char *what, const char *id,
                      const char *field, trin_err_t *err) {
  int rc = trin_stmt_run(st, err);
  if (rc == TRIN_ECONFLICT)
    return trin_err_set(err, TRIN_ECONFLICT, field, "%s '%s' already exists", what, id);
  if (rc) return rc;
  if (trin_store_changes(s) != 1)
    return trin_err_set(err, TRIN_ENOTFOUND, field, "there is no %s '%s'", what, id);
  return TRIN_OK;
}

int trin_store_refuse_taken(trin_store_t *s, const char *sql, const char *what, const char *id,
                            const char *field, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s, sql, &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, id);
  rc = trin_stmt_step(st, err);
  trin_stmt_reset(st);
  if (rc == TRIN_STORE_ROW)
    return trin_err_set(err, TRIN_ECONFLICT, field, "%s '%s' already exists", what, id);
  return rc;
}
