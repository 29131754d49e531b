/* common.store — migrations (order, idempotence, refusing a newer schema),
 * savepoints inside a batch, constraint errors as values, the statement
 * cache, and clear errors for bad locations. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "trin_store.h"

static trin_store_t *mem(void) {
  trin_store_t *s = NULL;
  trin_err_t err;
  trin_store_options_t o = {.location = ":memory:"};
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_OK);
  return s;
}

static const trin_migration_t V2[] = {
    {1, "CREATE TABLE t (id TEXT PRIMARY KEY, n INTEGER NOT NULL)"},
    {2, "ALTER TABLE t ADD COLUMN note TEXT"},
};

static int64_t count(trin_store_t *s) {
  trin_stmt_t *st;
  trin_err_t err;
  assert_int_equal(trin_store_stmt(s, "SELECT COUNT(*) FROM t", &st, &err), TRIN_OK);
  assert_int_equal(trin_stmt_step(st, &err), TRIN_STORE_ROW);
  int64_t n = trin_stmt_int64(st, 0);
  trin_stmt_reset(st);
  return n;
}

static int insert(trin_store_t *s, const char *id, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s, "INSERT INTO t(id, n) VALUES (?, ?)", &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, id);
  trin_stmt_bind_int64(st, 2, 7);
  return trin_stmt_run(st, err);
}

static void migrations(void **state) {
  trin_store_t *s = mem();
  trin_err_t err;
  int v;
  assert_int_equal(trin_store_schema_version(s, "demo", &v, &err), TRIN_OK);
  assert_int_equal(v, 0);
  assert_int_equal(trin_store_migrate(s, "demo", V2, 1, &err), TRIN_OK);
  assert_int_equal(trin_store_schema_version(s, "demo", &v, &err), TRIN_OK);
  assert_int_equal(v, 1);
  assert_int_equal(trin_store_migrate(s, "demo", V2, 2, &err), TRIN_OK);
  assert_int_equal(trin_store_migrate(s, "demo", V2, 2, &err), TRIN_OK); /* idempotent */
  assert_int_equal(trin_store_schema_version(s, "demo", &v, &err), TRIN_OK);
  assert_int_equal(v, 2);
  /* Older code against a newer store: refused with words. */
  assert_int_equal(trin_store_migrate(s, "demo", V2, 1, &err), TRIN_ECONFLICT);
  assert_non_null(strstr(err.message, "newer"));
  /* A broken migration changes nothing. */
  const trin_migration_t bad[] = {V2[0], V2[1], {3, "CREATE TABLE t (x)"}};
  assert_int_equal(trin_store_migrate(s, "demo", bad, 3, &err), TRIN_ESTORE);
  assert_int_equal(trin_store_schema_version(s, "demo", &v, &err), TRIN_OK);
  assert_int_equal(v, 2);
  /* Misnumbered migrations are a programming error, reported as such. */
  const trin_migration_t gap[] = {{1, "SELECT 1"}, {3, "SELECT 1"}};
  assert_int_equal(trin_store_migrate(s, "other", gap, 2, &err), TRIN_EINTERNAL);
  trin_store_destroy(&s);
  assert_null(s);
}

static void savepoints_and_constraints(void **state) {
  trin_store_t *s = mem();
  trin_err_t err;
  assert_int_equal(trin_store_migrate(s, "demo", V2, 2, &err), TRIN_OK);
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  assert_true(trin_store_in_transaction(s));
  assert_int_equal(insert(s, "a", &err), TRIN_OK);
  assert_int_equal(trin_store_savepoint(s, &err), TRIN_OK);
  assert_int_equal(insert(s, "b", &err), TRIN_OK);
  assert_int_equal(insert(s, "a", &err), TRIN_ECONFLICT);  /* duplicate key */
  assert_true(strlen(err.message) > 0);
  assert_int_equal(trin_store_rollback_to(s, &err), TRIN_OK);
  assert_int_equal(trin_store_savepoint(s, &err), TRIN_OK);
  assert_int_equal(insert(s, "c", &err), TRIN_OK);
  assert_int_equal(trin_store_release(s, &err), TRIN_OK);
  assert_int_equal(trin_store_commit(s, &err), TRIN_OK);
  assert_false(trin_store_in_transaction(s));
  assert_int_equal(count(s), 2); /* a and c; b went with its savepoint */
  /* Cached statement: same text, same statement, fresh bindings. */
  trin_stmt_t *st1, *st2;
  assert_int_equal(trin_store_stmt(s, "SELECT n FROM t WHERE id = ?", &st1, &err), TRIN_OK);
  trin_stmt_bind_text(st1, 1, "a");
  assert_int_equal(trin_stmt_step(st1, &err), TRIN_STORE_ROW);
  assert_int_equal(trin_stmt_int64(st1, 0), 7);
  assert_int_equal(trin_store_stmt(s, "SELECT n FROM t WHERE id = ?", &st2, &err), TRIN_OK);
  assert_ptr_equal(st1, st2);
  assert_int_equal(trin_stmt_step(st2, &err), TRIN_OK); /* unbound: no row */
  /* Bad SQL is an error value, not a crash. */
  assert_int_equal(trin_store_stmt(s, "SELEC nonsense", &st1, &err), TRIN_ESTORE);
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  assert_int_equal(trin_store_begin(s, &err), TRIN_EINTERNAL);
  assert_int_equal(trin_store_rollback(s, &err), TRIN_OK);
  trin_store_destroy(&s);
}

static void bad_locations(void **state) {
  trin_store_t *s = NULL;
  trin_err_t err;
  trin_store_options_t o = {.location = "sqlite:/nonexistent-dir/x/y.db"};
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_ESTORE);
  assert_string_equal(err.field, "store");
  assert_null(s);
  o.location = "";
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_EINVALID);
  o.location = "postgresql://localhost/trin";
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "PostgreSQL"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(migrations),
      cmocka_unit_test(savepoints_and_constraints),
      cmocka_unit_test(bad_locations),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
