/* gateway_store — see gateway_store.h. */
#include "gateway_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin_token.h"

static const trin_migration_t MIGRATIONS[] = {
    {1,
     "CREATE TABLE gateway_idempotency ("
     " principal TEXT NOT NULL, key TEXT NOT NULL, hash TEXT NOT NULL,"
     " status INTEGER NOT NULL, content_type TEXT NOT NULL, etag TEXT NOT NULL,"
     " body TEXT NOT NULL, created_ms INTEGER NOT NULL,"
     " PRIMARY KEY (principal, key));"
     "CREATE INDEX gateway_idempotency_age ON gateway_idempotency(created_ms);"},
};

int gateway_store_migrate(trin_store_t *s, trin_err_t *err) {
  int rc = trin_token_migrate(s, err);
  if (!rc)
    rc = trin_store_migrate(s, "gateway", MIGRATIONS,
                            (int)(sizeof MIGRATIONS / sizeof *MIGRATIONS), err);
  return rc;
}

int gateway_store_saved_get(trin_store_t *s, const char *principal, const char *key,
                            gateway_saved_t *out, trin_err_t *err) {
  memset(out, 0, sizeof *out);
  trin_stmt_t *st;
  int rc = trin_store_stmt(s,
                           "SELECT hash, status, content_type, etag, body, created_ms"
                           " FROM gateway_idempotency WHERE principal = ? AND key = ?",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, principal);
  trin_stmt_bind_text(st, 2, key);
  rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) {
    snprintf(out->hash, sizeof out->hash, "%s", trin_stmt_text(st, 0));
    out->status = (int)trin_stmt_int64(st, 1);
    snprintf(out->content_type, sizeof out->content_type, "%s", trin_stmt_text(st, 2));
    snprintf(out->etag, sizeof out->etag, "%s", trin_stmt_text(st, 3));
    const char *b = trin_stmt_text(st, 4);
    out->body_len = strlen(b);
    out->body = malloc(out->body_len + 1);
    if (out->body) memcpy(out->body, b, out->body_len + 1);
    out->created_ms = trin_stmt_int64(st, 5);
    rc = out->body ? TRIN_OK : trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  } else if (rc == TRIN_OK) {
    rc = trin_err_set(err, TRIN_ENOTFOUND, "Idempotency-Key", "no answer kept");
  }
  trin_stmt_reset(st);
  return rc;
}

int gateway_store_saved_put(trin_store_t *s, const char *principal, const char *key,
                            const gateway_saved_t *a, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s,
                           "INSERT INTO gateway_idempotency (principal, key, hash, status,"
                           " content_type, etag, body, created_ms) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
                           " ON CONFLICT (principal, key) DO NOTHING",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, principal);
  trin_stmt_bind_text(st, 2, key);
  trin_stmt_bind_text(st, 3, a->hash);
  trin_stmt_bind_int64(st, 4, a->status);
  trin_stmt_bind_text(st, 5, a->content_type);
  trin_stmt_bind_text(st, 6, a->etag);
  trin_stmt_bind_text(st, 7, a->body ? a->body : "");
  trin_stmt_bind_int64(st, 8, a->created_ms);
  rc = trin_stmt_run(st, err);
  trin_stmt_reset(st);
  return rc;
}

int gateway_store_saved_purge(trin_store_t *s, int64_t before_ms, int64_t *removed,
                              trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s, "DELETE FROM gateway_idempotency WHERE created_ms < ?", &st, err);
  if (rc) return rc;
  trin_stmt_bind_int64(st, 1, before_ms);
  rc = trin_stmt_run(st, err);
  trin_stmt_reset(st);
  if (!rc && removed) *removed = trin_store_changes(s);
  return rc;
}
