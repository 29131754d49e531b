/* trin_store_sqlite — the embedded SQLite backend of trin_store: one
 * connection, WAL journal, foreign keys on, durability per trin_store_sync_t. */
#include <sqlite3.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#include "trin_store_ops.h"

static int fail(sqlite3 *db, int rc, trin_err_t *err) {
  int code = TRIN_ESTORE;
  int prim = rc & 0xff;
  if (prim == SQLITE_CONSTRAINT) code = TRIN_ECONFLICT;
  const char *what = db ? sqlite3_errmsg(db) : sqlite3_errstr(rc);
  if (prim == SQLITE_FULL)
    return trin_err_set(err, TRIN_ESTORE, "store",
                        "the disk is full; nothing was saved (%s)", what);
  return trin_err_set(err, code, "store", "%s", what);
}

int trin_store_sqlite_open(const char *path, trin_store_sync_t sync, void **impl,
                           trin_err_t *err) {
  /* Memory statistics take a global mutex around every SQLite allocation
   * (13 % of a busy service's CPU in the benchmark); trin never reads them.
   * Must precede initialisation, so later calls simply fail, harmlessly. */
  static bool configured;
  if (!configured) {
    sqlite3_config(SQLITE_CONFIG_MEMSTATUS, 0);
    /* Every temporary b-tree (an IN list, a sort index) made its page cache
     * with one 85 KiB allocation up front, and every command's savepoint
     * its statement journal with a 64 KiB chunk; freed at the statement's
     * end, each went back to the kernel and faulted in again the next
     * time: two thirds of the service's CPU at full load. Without them the
     * pages and the journal come in small pieces malloc keeps. */
    sqlite3_config(SQLITE_CONFIG_PAGECACHE, (void *)0, 0, 0);
    sqlite3_config(SQLITE_CONFIG_STMTJRNL_SPILL, -1);
    configured = true;
  }
  sqlite3 *db = NULL;
  int rc = sqlite3_open_v2(path, &db,
                           SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE |
                               SQLITE_OPEN_NOMUTEX,
                           NULL);
  if (rc != SQLITE_OK) {
    trin_err_set(err, TRIN_ESTORE, "store", "cannot open %s: %s", path,
                 db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return TRIN_ESTORE;
  }
  sqlite3_busy_timeout(db, 5000);
  const char *pragmas =
      sync == TRIN_STORE_SYNC_FULL
          ? "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; "
            "PRAGMA foreign_keys=ON;"
          : "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL; "
            "PRAGMA foreign_keys=ON;";
  char *msg = NULL;
  rc = sqlite3_exec(db, pragmas, NULL, NULL, &msg);
  if (rc != SQLITE_OK) {
    trin_err_set(err, TRIN_ESTORE, "store", "cannot set up %s: %s", path,
                 msg ? msg : sqlite3_errstr(rc));
    sqlite3_free(msg);
    sqlite3_close(db);
    return TRIN_ESTORE;
  }
  *impl = db;
  return TRIN_OK;
}

static void s_close(void *impl) { sqlite3_close_v2(impl); }

static int s_exec(void *impl, const char *sql, trin_err_t *err) {
  int rc = sqlite3_exec(impl, sql, NULL, NULL, NULL);
  return rc == SQLITE_OK ? TRIN_OK : fail(impl, rc, err);
}

static int s_prepare(void *impl, const char *sql, void **stmt, trin_err_t *err) {
  sqlite3_stmt *st = NULL;
  int rc = sqlite3_prepare_v3(impl, sql, -1, SQLITE_PREPARE_PERSISTENT, &st, NULL);
  if (rc != SQLITE_OK) return fail(impl, rc, err);
  *stmt = st;
  return TRIN_OK;
}

static void s_finalize(void *st) { sqlite3_finalize(st); }
static int s_bind_int64(void *st, int i, int64_t v) {
  return sqlite3_bind_int64(st, i, v) == SQLITE_OK ? TRIN_OK : TRIN_ESTORE;
}
static int s_bind_text(void *st, int i, const char *v) {
  return sqlite3_bind_text(st, i, v, -1, SQLITE_TRANSIENT) == SQLITE_OK ? TRIN_OK
                                                                        : TRIN_ESTORE;
}
static int s_bind_blob(void *st, int i, const void *v, size_t n) {
  return sqlite3_bind_blob64(st, i, v ? v : "", n, SQLITE_TRANSIENT) == SQLITE_OK
             ? TRIN_OK
             : TRIN_ESTORE;
}
static int s_bind_null(void *st, int i) {
  return sqlite3_bind_null(st, i) == SQLITE_OK ? TRIN_OK : TRIN_ESTORE;
}
static int s_step(void *impl, void *st, trin_err_t *err) {
  int rc = sqlite3_step(st);
  if (rc == SQLITE_ROW) return TRIN_STORE_ROW;
  if (rc == SQLITE_DONE) return TRIN_OK;
  int r = fail(impl, rc, err);
  sqlite3_reset(st);
  return r;
}
static void s_reset(void *st) {
  sqlite3_reset(st);
  sqlite3_clear_bindings(st);
}
static int64_t s_col_int64(void *st, int c) { return sqlite3_column_int64(st, c); }
static const char *s_col_text(void *st, int c) {
  const unsigned char *t = sqlite3_column_text(st, c);
  return t ? (const char *)t : "";
}
static const void *s_col_blob(void *st, int c, size_t *len) {
  const void *b = sqlite3_column_blob(st, c);
  *len = (size_t)sqlite3_column_bytes(st, c);
  return b;
}
static bool s_col_is_null(void *st, int c) {
  return sqlite3_column_type(st, c) == SQLITE_NULL;
}
static int64_t s_changes(void *impl) { return sqlite3_changes64(impl); }

const trin_store_ops_t trin_store_sqlite_ops = {
    .name = "sqlite",
    .close = s_close,
    .exec = s_exec,
    .prepare = s_prepare,
    .finalize = s_finalize,
    .bind_int64 = s_bind_int64,
    .bind_text = s_bind_text,
    .bind_blob = s_bind_blob,
    .bind_null = s_bind_null,
    .step = s_step,
    .reset = s_reset,
    .col_int64 = s_col_int64,
    .col_text = s_col_text,
    .col_blob = s_col_blob,
    .col_is_null = s_col_is_null,
    .changes = s_changes,
};
