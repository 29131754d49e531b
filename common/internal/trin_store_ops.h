/* trin_store_ops — what a store backend implements. Only trin_store.c and
 * the backends include this; services use trin_store.h. */
#ifndef TRIN_STORE_OPS_H
#define TRIN_STORE_OPS_H

#include "trin_store.h"

typedef struct trin_store_ops {
  const char *name;
  void (*close)(void *impl);
  int (*exec)(void *impl, const char *sql, trin_err_t *err);
  /* Prepares sql into a backend statement handle. */
  int (*prepare)(void *impl, const char *sql, void **stmt, trin_err_t *err);
  void (*finalize)(void *stmt);
  int (*bind_int64)(void *stmt, int i, int64_t v);
  int (*bind_text)(void *stmt, int i, const char *v);
  int (*bind_blob)(void *stmt, int i, const void *v, size_t n);
  int (*bind_null)(void *stmt, int i);
  int (*step)(void *impl, void *stmt, trin_err_t *err);
  void (*reset)(void *stmt);
  int64_t (*col_int64)(void *stmt, int col);
  const char *(*col_text)(void *stmt, int col);
  const void *(*col_blob)(void *stmt, int col, size_t *len);
  bool (*col_is_null)(void *stmt, int col);
  int64_t (*changes)(void *impl);
  /* How often the backend reconnected after losing its server (NULL: an
   * embedded backend that cannot). */
  uint64_t (*reconnects)(void *impl);
  /* Requests that waited for a server's answer (NULL: an embedded backend). */
  uint64_t (*round_trips)(void *impl);
  /* A write sent with the next round trip, its error reported by a later
   * statement of the transaction, at the latest the next RELEASE or
   * COMMIT (NULL: run now). */
  int (*defer)(void *impl, void *stmt, trin_err_t *err);
  /* A bound read sent ahead with the next round trip; its rows answer the
   * statement's next step if it asks with the same parameters and nothing
   * was written between (NULL: read when stepped). */
  int (*prefetch)(void *impl, void *stmt, trin_err_t *err);
} trin_store_ops_t;

/* Backends. */
int trin_store_sqlite_open(const char *path, trin_store_sync_t sync,
                           void **impl, trin_err_t *err);
extern const trin_store_ops_t trin_store_sqlite_ops;
/* location: a libpq URI, postgresql://user@host:port/db, optionally with
 * trin's own ?schema=NAME (created if missing, then the search_path). */
int trin_store_pg_open(const char *location, trin_store_sync_t sync, void **impl,
                       trin_err_t *err);
extern const trin_store_ops_t trin_store_pg_ops;

#endif
