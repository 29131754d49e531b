/* keys_test — what the *.keys_migration tests share: a store that outlives
 * a reopen (a SQLite file in a fresh folder, or a fresh schema on the
 * PostgreSQL server of a `.pg` twin), raw SQL for writing rows the way an
 * older schema version held them, and one-value queries for reading back.
 * Header-only, cmocka assertions. */
#ifndef TRIN_KEYS_TEST_H
#define TRIN_KEYS_TEST_H

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trin_store.h"
#include "../pg/pg_test.h"

/* Where the test's store lives; the same text opens it again. */
static inline void keys_location(char *out, size_t size, const char *tag) {
  if (pg_test_wanted()) {
    pg_test_location(out, size, tag);
    return;
  }
  char dir[] = "/tmp/trin-keys-XXXXXX";
  if (!mkdtemp(dir)) fail_msg("mkdtemp failed");
  snprintf(out, size, "%s/%s.db", dir, tag);
}

/* Removes a SQLite store's files and folder (a PostgreSQL schema stays: the
 * test server is thrown away). */
static inline void keys_remove(const char *location) {
  if (pg_test_wanted()) return;
  char f[600];
  static const char *const ext[] = {"", "-wal", "-shm", "-journal"};
  for (size_t i = 0; i < sizeof ext / sizeof *ext; i++) {
    snprintf(f, sizeof f, "%s%s", location, ext[i]);
    unlink(f);
  }
  snprintf(f, sizeof f, "%s", location);
  char *slash = strrchr(f, '/');
  if (slash) {
    *slash = '\0';
    rmdir(f);
  }
}

static inline trin_store_t *keys_open(const char *location) {
  trin_store_t *s = NULL;
  trin_err_t err = {0};
  trin_store_options_t o = {.location = location};
  if (trin_store_open(&o, &s, &err) != TRIN_OK) fail_msg("open %s: %s", location, err.message);
  return s;
}

/* Runs SQL (several statements) in one transaction. */
static inline void keys_exec(trin_store_t *s, const char *sql) {
  trin_err_t err = {0};
  if (trin_store_begin(s, &err) || trin_store_exec(s, sql, &err) || trin_store_commit(s, &err))
    fail_msg("%s\n-> %s", sql, err.message);
}

/* The first column of the first row of `sql` (no parameters), as text
 * copied into out; "" when there is no row. */
static inline const char *keys_text(trin_store_t *s, const char *sql, char *out, size_t size) {
  trin_stmt_t *st;
  trin_err_t err = {0};
  if (trin_store_stmt(s, sql, &st, &err)) fail_msg("%s\n-> %s", sql, err.message);
  int rc = trin_stmt_step(st, &err);
  if (rc != TRIN_STORE_ROW && rc != TRIN_OK) fail_msg("%s\n-> %s", sql, err.message);
  snprintf(out, size, "%s", rc == TRIN_STORE_ROW ? trin_stmt_text(st, 0) : "");
  trin_stmt_reset(st);
  return out;
}

static inline int64_t keys_int(trin_store_t *s, const char *sql) {
  trin_stmt_t *st;
  trin_err_t err = {0};
  if (trin_store_stmt(s, sql, &st, &err)) fail_msg("%s\n-> %s", sql, err.message);
  if (trin_stmt_step(st, &err) != TRIN_STORE_ROW) fail_msg("%s\n-> no row: %s", sql, err.message);
  int64_t v = trin_stmt_int64(st, 0);
  trin_stmt_reset(st);
  return v;
}

static inline int keys_version(trin_store_t *s, const char *scope) {
  int v = -1;
  trin_err_t err = {0};
  if (trin_store_schema_version(s, scope, &v, &err)) fail_msg("version: %s", err.message);
  return v;
}

#endif
