/* common.sql_dialect — the SQLite-to-PostgreSQL translation the PostgreSQL
 * store runs every statement through: parameters, column types, rowid
 * tables, INSERT OR IGNORE, pragmas, and text that must never change
 * (string literals, quoted names, comments). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "trin_sql_dialect.h"

static void expect(const char *sqlite, const char *pg, int nparams) {
  int n = -1;
  char *out = trin_sql_dialect_pg(sqlite, &n);
  assert_non_null(out);
  assert_string_equal(out, pg);
  assert_int_equal(n, nparams);
  free(out);
}

static void parameters(void **state) {
  expect("SELECT a FROM t WHERE x = ? AND y = ?", "SELECT a FROM t WHERE x = $1 AND y = $2", 2);
  /* Numbered ones repeat; a bare ? follows the largest so far (SQLite's rule). */
  expect("UPDATE t SET a = ?2 WHERE id = ?1 OR parent = ?1",
         "UPDATE t SET a = $2 WHERE id = $1 OR parent = $1", 2);
  expect("VALUES (?3, ?)", "VALUES ($3, $4)", 4);
  expect("SELECT 1", "SELECT 1", 0);
  /* Never inside quotes or comments. */
  expect("SELECT '?', \"a?\" FROM t -- why?\nWHERE x = ? /* ?1 */",
         "SELECT '?', \"a?\" FROM t -- why?\nWHERE x = $1 /* ?1 */", 1);
  expect("SELECT 'it''s ?' || ?", "SELECT 'it''s ?' || $1", 1);
}

static void column_types(void **state) {
  expect("CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL, b BLOB)",
         "CREATE TABLE t (id TEXT COLLATE \"C\" PRIMARY KEY, n BIGINT NOT NULL, b BYTEA,"
         " rowid BIGSERIAL)",
         0);
  /* INTEGER PRIMARY KEY is SQLite's rowid: numbered when an INSERT leaves it out. */
  expect("CREATE TABLE o (seq INTEGER PRIMARY KEY, e BLOB NOT NULL)",
         "CREATE TABLE o (seq BIGSERIAL PRIMARY KEY, e BYTEA NOT NULL)", 0);
  expect("create table o (n integer primary key autoincrement, x text)",
         "create table o (n BIGSERIAL primary key , x TEXT COLLATE \"C\")", 0);
  /* A column may be called like a type: only the type position changes. */
  expect("CREATE TABLE s (key TEXT NOT NULL, text TEXT NOT NULL, blob BLOB,"
         " PRIMARY KEY (key), UNIQUE (text))",
         "CREATE TABLE s (key TEXT COLLATE \"C\" NOT NULL, text TEXT COLLATE \"C\" NOT NULL,"
         " blob BYTEA, PRIMARY KEY (key), UNIQUE (text), rowid BIGSERIAL)",
         0);
  expect("CREATE TABLE r (a INTEGER NOT NULL REFERENCES x(id), b INTEGER DEFAULT (1),"
         " PRIMARY KEY (a)) WITHOUT ROWID",
         "CREATE TABLE r (a BIGINT NOT NULL REFERENCES x(id), b BIGINT DEFAULT (1),"
         " PRIMARY KEY (a)) ",
         0);
  expect("CREATE TABLE IF NOT EXISTS k (scope TEXT PRIMARY KEY, version INTEGER NOT NULL)",
         "CREATE TABLE IF NOT EXISTS k (scope TEXT COLLATE \"C\" PRIMARY KEY,"
         " version BIGINT NOT NULL, rowid BIGSERIAL)",
         0);
  expect("ALTER TABLE t ADD COLUMN note TEXT NOT NULL DEFAULT ''",
         "ALTER TABLE t ADD COLUMN note TEXT COLLATE \"C\" NOT NULL DEFAULT ''", 0);
  expect("ALTER TABLE t ADD n INTEGER", "ALTER TABLE t ADD n BIGINT", 0);
  /* Outside DDL only a CAST's type changes; names stay. */
  expect("SELECT CAST(substr(d, 1, 4) AS INTEGER), text, integer_part FROM t",
         "SELECT CAST(substr(d, 1, 4) AS BIGINT), text, integer_part FROM t", 0);
  expect("CREATE INDEX s_common ON s(key) WHERE common = 1",
         "CREATE INDEX s_common ON s(key) WHERE common = 1", 0);
}

static void statements(void **state) {
  expect("INSERT OR IGNORE INTO t (a) VALUES (?)",
         "INSERT INTO t (a) VALUES ($1) ON CONFLICT DO NOTHING", 1);
  expect("INSERT OR IGNORE INTO t(a) VALUES (?) RETURNING a",
         "INSERT INTO t(a) VALUES ($1) ON CONFLICT DO NOTHING RETURNING a", 1);
  expect("insert or ignore into t(a) select (x) from u  ",
         "insert into t(a) select (x) from u ON CONFLICT DO NOTHING  ", 0);
  /* Already portable: unchanged. */
  expect("INSERT INTO t(a, b) VALUES (?, ?) ON CONFLICT(a) DO UPDATE SET b = excluded.b",
         "INSERT INTO t(a, b) VALUES ($1, $2) ON CONFLICT(a) DO UPDATE SET b = excluded.b", 2);
  expect("SELECT IFNULL(a, 0), ifnull (b, 1) FROM t WHERE a == 2 AND b != 3",
         "SELECT COALESCE(a, 0), COALESCE (b, 1) FROM t WHERE a = 2 AND b != 3", 0);
  expect("PRAGMA cache_size = -262144", "", 0);
  expect("PRAGMA foreign_keys=ON; CREATE TABLE a (x INTEGER) WITHOUT ROWID; PRAGMA x;"
         " CREATE INDEX i ON a(x);",
         " CREATE TABLE a (x BIGINT) ; CREATE INDEX i ON a(x);", 0);
  expect("BEGIN", "BEGIN", 0);
  expect("SAVEPOINT trin_sp", "SAVEPOINT trin_sp", 0);
  expect("", "", 0);
  /* Unterminated quotes run to the end rather than past it. */
  expect("SELECT 'abc", "SELECT 'abc", 0);
  expect("SELECT \"abc ?", "SELECT \"abc ?", 0);
  expect("SELECT 1 /* ?", "SELECT 1 /* ?", 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(parameters),
      cmocka_unit_test(column_types),
      cmocka_unit_test(statements),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
