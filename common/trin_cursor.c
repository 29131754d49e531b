/* trin_cursor — see trin_cursor.h. */
#include "trin_cursor.h"

static const trin_migration_t MIGRATIONS[] = {
    {1, "CREATE TABLE trin_cursor (service TEXT PRIMARY KEY, seq INTEGER NOT NULL)"},
    {2, "ALTER TABLE trin_cursor ADD COLUMN replay_until INTEGER NOT NULL DEFAULT 0"},
};

int trin_cursor_migrate(trin_store_t *s, trin_err_t *err) {
  return trin_store_migrate(s, "cursor", MIGRATIONS,
                            (int)(sizeof MIGRATIONS / sizeof *MIGRATIONS), err);
}

int trin_cursor_get_replay(trin_store_t *s, const char *service, uint64_t *seq,
                           uint64_t *replay_until, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s, "SELECT seq, replay_until FROM trin_cursor WHERE service = ?",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, service);
  rc = trin_stmt_step(st, err);
  *seq = rc == TRIN_STORE_ROW ? (uint64_t)trin_stmt_int64(st, 0) : 0;
  if (replay_until) *replay_until = rc == TRIN_STORE_ROW ? (uint64_t)trin_stmt_int64(st, 1) : 0;
  trin_stmt_reset(st);
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

int trin_cursor_get(trin_store_t *s, const char *service, uint64_t *seq, trin_err_t *err) {
  return trin_cursor_get_replay(s, service, seq, NULL, err);
}

int trin_cursor_rewind(trin_store_t *s, const char *service, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s,
                           "UPDATE trin_cursor SET replay_until = seq, seq = 0"
                           " WHERE service = ? AND seq > 0 AND replay_until = 0",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, service);
  return trin_stmt_run(st, err);
}

int trin_cursor_set(trin_store_t *s, const char *service, uint64_t seq, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s,
                           "INSERT INTO trin_cursor(service, seq) VALUES (?, ?)"
                           " ON CONFLICT(service) DO UPDATE SET seq = excluded.seq,"
                           " replay_until = CASE WHEN excluded.seq >= trin_cursor.replay_until"
                           " THEN 0 ELSE trin_cursor.replay_until END",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, service);
  trin_stmt_bind_int64(st, 2, (int64_t)seq);
  return trin_stmt_run(st, err);
}
