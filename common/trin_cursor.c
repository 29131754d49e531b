/* trin_cursor — see trin_cursor.h. */
#include "trin_cursor.h"

static const trin_migration_t MIGRATIONS[] = {
    {1, "CREATE TABLE trin_cursor (service TEXT PRIMARY KEY, seq INTEGER NOT NULL)"},
};

int trin_cursor_migrate(trin_store_t *s, trin_err_t *err) {
  return trin_store_migrate(s, "cursor", MIGRATIONS, 1, err);
}

int trin_cursor_get(trin_store_t *s, const char *service, uint64_t *seq, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s, "SELECT seq FROM trin_cursor WHERE service = ?", &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, service);
  rc = trin_stmt_step(st, err);
  *seq = rc == TRIN_STORE_ROW ? (uint64_t)trin_stmt_int64(st, 0) : 0;
  trin_stmt_reset(st);
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

int trin_cursor_set(trin_store_t *s, const char *service, uint64_t seq, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s,
                           "INSERT INTO trin_cursor(service, seq) VALUES (?, ?)"
                           " ON CONFLICT(service) DO UPDATE SET seq = excluded.seq",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, service);
  trin_stmt_bind_int64(st, 2, (int64_t)seq);
  return trin_stmt_run(st, err);
}
