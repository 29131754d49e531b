/* agg_store — see agg_store.h. */
#include "agg_store.h"

#include <stdlib.h>

#include "trin_cursor.h"

static const trin_migration_t MIGRATIONS[] = {
    {1,
     "CREATE TABLE agg_rows ("
     " project_id TEXT PRIMARY KEY, seq INTEGER NOT NULL, state BLOB NOT NULL);"
     "CREATE INDEX agg_rows_seq ON agg_rows(seq);"
     "CREATE TABLE agg_names ("
     " partnership INTEGER NOT NULL, id TEXT NOT NULL, name TEXT, client_org TEXT,"
     " PRIMARY KEY (partnership, id));"
     "CREATE TABLE agg_push_queue ("
     " target TEXT NOT NULL, project_id TEXT NOT NULL, seq INTEGER NOT NULL,"
     " PRIMARY KEY (target, project_id));"
     "CREATE INDEX agg_push_queue_seq ON agg_push_queue(target, seq);"},
    /* Push targets ever configured: a new one is back-filled with every row. */
    {2, "CREATE TABLE agg_push_targets (target TEXT PRIMARY KEY);"},
};

int agg_store_migrate(trin_store_t *s, trin_err_t *err) {
  int rc = trin_cursor_migrate(s, err);
  if (rc) return rc;
  return trin_store_migrate(s, "aggregator", MIGRATIONS,
                            (int)(sizeof MIGRATIONS / sizeof *MIGRATIONS), err);
}

int agg_store_load(trin_store_t *s, agg_rows_t *rows, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s, "SELECT partnership, id, name, client_org FROM agg_names", &st,
                           err);
  if (rc) return rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    if (agg_rows_load_name(rows, trin_stmt_int64(st, 0) != 0, trin_stmt_text(st, 1),
                           trin_stmt_text(st, 2), trin_stmt_text(st, 3))) {
      trin_stmt_reset(st);
      return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory loading names");
    }
  }
  trin_stmt_reset(st);
  if (rc) return rc;
  rc = trin_store_stmt(s, "SELECT state FROM agg_rows ORDER BY project_id", &st, err);
  if (rc) return rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    size_t len;
    const void *b = trin_stmt_blob(st, 0, &len);
    if (agg_rows_load_state(rows, b, len, err)) {
      trin_stmt_reset(st);
      return err ? err->code : TRIN_EINVALID;
    }
  }
  trin_stmt_reset(st);
  return rc;
}

int agg_store_forget_rows(trin_store_t *s, trin_err_t *err) {
  return trin_store_exec(s, "DELETE FROM agg_rows; DELETE FROM agg_names;", err);
}

int agg_store_put_row(trin_store_t *s, const agg_row_t *r, trin_err_t *err) {
  uint8_t *b = NULL;
  size_t len = 0;
  int rc = agg_row_pack_state(r, &b, &len, err);
  if (rc) return rc;
  trin_stmt_t *st;
  rc = trin_store_stmt(s,
                       "INSERT INTO agg_rows(project_id, seq, state) VALUES (?, ?, ?)"
                       " ON CONFLICT(project_id) DO UPDATE SET seq = excluded.seq,"
                       " state = excluded.state",
                       &st, err);
  if (!rc) {
    trin_stmt_bind_text(st, 1, r->project_id);
    trin_stmt_bind_int64(st, 2, (int64_t)r->seq);
    trin_stmt_bind_blob(st, 3, b, len);
    rc = trin_stmt_run(st, err);
  }
  free(b);
  return rc;
}

int agg_store_put_name(trin_store_t *s, const agg_name_t *n, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s,
                           "INSERT INTO agg_names(partnership, id, name, client_org)"
                           " VALUES (?, ?, ?, ?) ON CONFLICT(partnership, id) DO UPDATE"
                           " SET name = excluded.name, client_org = excluded.client_org",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_int64(st, 1, n->partnership ? 1 : 0);
  trin_stmt_bind_text(st, 2, n->id);
  trin_stmt_bind_text(st, 3, n->name);
  trin_stmt_bind_text(st, 4, n->client_org);
  return trin_stmt_run(st, err);
}

int agg_store_push_enqueue(trin_store_t *s, const char *target, const char *project_id,
                           uint64_t seq, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s,
                           "INSERT INTO agg_push_queue(target, project_id, seq) VALUES (?, ?, ?)"
                           " ON CONFLICT(target, project_id) DO UPDATE SET seq = excluded.seq",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, target);
  trin_stmt_bind_text(st, 2, project_id);
  trin_stmt_bind_int64(st, 3, (int64_t)seq);
  return trin_stmt_run(st, err);
}

int agg_store_push_peek(trin_store_t *s, const char *target, uint64_t after_seq, int max,
                        agg_push_entry_fn fn, void *data, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s,
                           "SELECT project_id, seq FROM agg_push_queue WHERE target = ?"
                           " AND seq > ? ORDER BY seq LIMIT ?",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, target);
  trin_stmt_bind_int64(st, 2, (int64_t)after_seq);
  trin_stmt_bind_int64(st, 3, max);
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW)
    fn(data, trin_stmt_text(st, 0), (uint64_t)trin_stmt_int64(st, 1));
  trin_stmt_reset(st);
  return rc;
}

int agg_store_push_done(trin_store_t *s, const char *target, const char *project_id,
                        uint64_t seq, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s,
                           "DELETE FROM agg_push_queue WHERE target = ? AND project_id = ?"
                           " AND seq <= ?",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, target);
  trin_stmt_bind_text(st, 2, project_id);
  trin_stmt_bind_int64(st, 3, (int64_t)seq);
  return trin_stmt_run(st, err);
}

int agg_store_push_depth(trin_store_t *s, const char *target, int64_t *out, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s, "SELECT count(*) FROM agg_push_queue WHERE target = ?", &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, target);
  rc = trin_stmt_step(st, err);
  *out = rc == TRIN_STORE_ROW ? trin_stmt_int64(st, 0) : 0;
  trin_stmt_reset(st);
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

int agg_store_push_target_add(trin_store_t *s, const char *target, bool *added,
                              trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s, "INSERT OR IGNORE INTO agg_push_targets(target) VALUES (?)", &st,
                           err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, target);
  rc = trin_stmt_run(st, err);
  if (!rc) *added = trin_store_changes(s) > 0;
  return rc;
}
