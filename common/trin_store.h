/* trin_store — the one small interface every service's state goes through:
 * transactions, savepoints, prepared statements with positional `?`
 * parameters, and versioned schema migrations. SQLite (WAL) is the embedded
 * backend; PostgreSQL the server backend, behind the same calls: SQL is
 * written in SQLite's dialect and translated (trin_sql_dialect.h).
 *
 * Ownership: the store owns every statement it hands out; a statement stays
 * valid until trin_store_destroy. Text and blob pointers read from a row are
 * owned by the statement and valid until the next step/reset of it. */
#ifndef TRIN_STORE_H
#define TRIN_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trin_arena.h"
#include "trin_err.h"

typedef struct trin_store trin_store_t;
typedef struct trin_stmt trin_stmt_t;

/* Durability of a commit. FULL (default) survives a power cut: one fsync
 * per commit, and trin commits in batches. NORMAL survives a process crash
 * but may lose the last commits on a power cut. */
typedef enum { TRIN_STORE_SYNC_FULL = 0, TRIN_STORE_SYNC_NORMAL = 1 } trin_store_sync_t;

typedef struct {
  /* "sqlite:PATH", a bare PATH, ":memory:", or a PostgreSQL URI
   * "postgresql://USER@HOST:PORT/DB[?schema=NAME]" (docs/postgresql.md). */
  const char *location;
  trin_store_sync_t sync;
} trin_store_options_t;

int trin_store_open(const trin_store_options_t *opt, trin_store_t **out,
                    trin_err_t *err);
void trin_store_destroy(trin_store_t **store);

/* location as it may be shown in logs and errors: a URI's password
 * (`user:secret@`, `password=secret`) replaced by "***". Writes at most cap
 * bytes into out (always terminated) and returns out. */
const char *trin_store_location_for_log(const char *location, char *out, size_t cap);

/* A migration: schema version `version` is reached by running `sql` (one or
 * more statements). Versions start at 1 and rise by one; `scope` keeps
 * several modules' schemas apart in one store ("outbox", "lifecycle"). */
typedef struct {
  int version;
  const char *sql;
} trin_migration_t;

/* Runs, in one transaction per version, every migration of `scope` above the
 * store's current version for that scope. Refuses to run against a store
 * whose version is newer than the code knows (a downgrade). */
int trin_store_migrate(trin_store_t *s, const char *scope,
                       const trin_migration_t *migrations, int n,
                       trin_err_t *err);
/* trin_store_migrate up to `version` only (a test builds an old store this
 * way); a version past the newest, or TRIN_STORE_NEWEST, runs them all. */
#define TRIN_STORE_NEWEST (-1)
int trin_store_migrate_to(trin_store_t *s, const char *scope,
                          const trin_migration_t *migrations, int n, int version,
                          trin_err_t *err);
int trin_store_schema_version(trin_store_t *s, const char *scope, int *out,
                              trin_err_t *err);
/* A one-time step that a function does, for what SQL alone cannot (it
 * needs another module's functions): unless scope is at version 1
 * already, runs fn in a transaction that also records version 1. */
typedef int (*trin_migration_fn)(trin_store_t *s, void *data, trin_err_t *err);
int trin_store_migrate_fn(trin_store_t *s, const char *scope, trin_migration_fn fn, void *data,
                          trin_err_t *err);

/* A server backend that lost its connection reconnects here (never inside
 * a transaction). A failed commit returns TRIN_ESTORE: nothing was saved,
 * or, when the connection dropped during the COMMIT, possibly everything. */
int trin_store_begin(trin_store_t *s, trin_err_t *err);
int trin_store_commit(trin_store_t *s, trin_err_t *err);
int trin_store_rollback(trin_store_t *s, trin_err_t *err);
bool trin_store_in_transaction(const trin_store_t *s);
/* Nested units inside a transaction: everything since the savepoint can be
 * undone without losing the rest of the batch. */
int trin_store_savepoint(trin_store_t *s, trin_err_t *err);
int trin_store_release(trin_store_t *s, trin_err_t *err);
int trin_store_rollback_to(trin_store_t *s, trin_err_t *err);

/* Runs SQL without parameters or results (DDL, pragmas). */
int trin_store_exec(trin_store_t *s, const char *sql, trin_err_t *err);

/* A prepared statement for `sql`, cached by the pointer's text: call it with
 * the same string literal every time and it is prepared once. The statement
 * comes back reset with its parameters cleared. */
int trin_store_stmt(trin_store_t *s, const char *sql, trin_stmt_t **out,
                    trin_err_t *err);

/* Parameters are numbered from 1, as `?` appear. text/blob are copied. */
int trin_stmt_bind_int64(trin_stmt_t *st, int i, int64_t v);
int trin_stmt_bind_text(trin_stmt_t *st, int i, const char *v); /* NULL binds NULL */
/* "" binds NULL: optional text columns keep NULL for "not given". */
int trin_stmt_bind_text_or_null(trin_stmt_t *st, int i, const char *v);
int trin_stmt_bind_blob(trin_stmt_t *st, int i, const void *v, size_t n);
int trin_stmt_bind_null(trin_stmt_t *st, int i);

#define TRIN_STORE_ROW 100
/* TRIN_STORE_ROW when a row is ready, TRIN_OK when done, else an error
 * (TRIN_ECONFLICT for a constraint violation, TRIN_ESTORE otherwise). */
int trin_stmt_step(trin_stmt_t *st, trin_err_t *err);
/* Steps a statement expected to return no rows. */
int trin_stmt_run(trin_stmt_t *st, trin_err_t *err);
/* trin_stmt_run for a write that only a failing store can refuse (an
 * outbox append, the upsert of a row whose parent this command read, a
 * version stamp): inside a transaction a server backend sends it with the
 * next round trip instead of waiting for it now. If it fails, a later call
 * reports it and the whole transaction is lost: trin_store_commit fails and
 * saves nothing, so no command of the batch is acknowledged. Never for a
 * write whose refusal answers the user (a key clash) or whose change
 * count is read. SQLite runs it at once. Resets st. */
int trin_stmt_run_deferred(trin_stmt_t *st, trin_err_t *err);
/* Reads ahead: st, prepared and bound, goes to a server backend with the
 * next round trip, and its rows answer st's next step if that asks with the
 * same parameters and nothing was written in between; otherwise the step
 * reads again. For the several reads one answer needs (a project and its
 * figures), so they cost one round trip, not one each. Embedded backends do
 * nothing. Call trin_store_stmt and bind again before stepping, as always. */
int trin_stmt_prefetch(trin_stmt_t *st, trin_err_t *err);
void trin_stmt_reset(trin_stmt_t *st);

/* Columns are numbered from 0. NULL reads as 0 / "" / empty blob. */
int64_t trin_stmt_int64(trin_stmt_t *st, int col);
const char *trin_stmt_text(trin_stmt_t *st, int col);
const void *trin_stmt_blob(trin_stmt_t *st, int col, size_t *len);
bool trin_stmt_is_null(trin_stmt_t *st, int col);
/* A text column copied into arena a (owned by the arena), or into dst of
 * size bytes (always terminated, cut at size - 1): for values that must
 * outlive the next step of the statement. */
char *trin_stmt_text_dup(trin_stmt_t *st, int col, trin_arena_t *a);
void trin_stmt_text_copy(trin_stmt_t *st, int col, char *dst, size_t size);

/* Declares `trin_stmt_t *st` prepared from sql on the enclosing function's
 * store `s`, or returns its error (filled into the enclosing `err`) from
 * the enclosing function: the opening line of every store function. */
#define TRIN_STMT(sql)                             \
  trin_stmt_t *st;                                 \
  do {                                             \
    int trin_stmt_rc_ = trin_store_stmt(s, sql, &st, err); \
    if (trin_stmt_rc_) return trin_stmt_rc_;       \
  } while (0)

/* Rows changed by the last INSERT, UPDATE or DELETE. */
int64_t trin_store_changes(trin_store_t *s);

/* Runs an INSERT/UPDATE of the thing `what` called `id` that must touch
 * exactly one row: TRIN_ECONFLICT "WHAT 'ID' already exists" on a key
 * clash, TRIN_ENOTFOUND "there is no WHAT 'ID'" when no row changed; both
 * name `field`, the request field that gave the id. */
int trin_stmt_run_one(trin_store_t *s, trin_stmt_t *st, const char *what, const char *id,
                      const char *field, trin_err_t *err);
/* For ids that requests name alone but a table's key no longer holds alone
 * (it leads with the distribution column): TRIN_ECONFLICT, worded as
 * trin_stmt_run_one's, when `sql` (one `?`, the id) finds a row. */
int trin_store_refuse_taken(trin_store_t *s, const char *sql, const char *what, const char *id,
                            const char *field, trin_err_t *err);

/* Whether each statement is a round trip to a server (PostgreSQL): then
 * sending many rows in one statement pays; on SQLite a statement is a
 * function call. */
bool trin_store_remote(const trin_store_t *s);
/* "sqlite" or "postgresql". */
const char *trin_store_backend(const trin_store_t *s);
/* How often a server backend reconnected after losing its connection; a
 * commit whose answer was lost may or may not have happened, so whoever
 * keeps numbers in memory (the outbox) reads them again when this moves. */
uint64_t trin_store_reconnects(const trin_store_t *s);
/* Requests that waited for a server backend's answer since the store was
 * opened (statements, pipelined batches of them, prepares); 0 for SQLite. */
uint64_t trin_store_round_trips(const trin_store_t *s);

#endif
