/* pgtwin — the PostgreSQL twins of the benchmarks' SQL comparisons: a
 * connection to the server $TRIN_TEST_PG names, a fresh schema of the
 * benchmark's own, a service's SQLite rows copied there by COPY FROM STDIN,
 * and a prepared query timed like its SQLite twin.
 *
 * PostgreSQL is optional: every call reports failure as a value and keeps
 * the reason (pgtwin_why), so a benchmark records the figure as "not
 * available (reason)" and goes on. Nothing here aborts. */
#ifndef TRIN_PGTWIN_H
#define TRIN_PGTWIN_H

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stddef.h>

#define PGTWIN_ENV "TRIN_TEST_PG"
/* Why there is no server (tests/bench/suite.sh sets it when pg-start fails). */
#define PGTWIN_SKIP_ENV "TRIN_BENCH_PG_SKIP"

typedef struct pgtwin pgtwin_t;

/* Connects to $TRIN_TEST_PG and creates the schema `schema` (dropped first
 * if a run left it) as the connection's search path. Returns NULL and
 * writes the reason to why (e.g. "no server: TRIN_TEST_PG not set") when
 * there is no server or it refuses. The caller owns the handle. */
pgtwin_t *pgtwin_open(const char *schema, char *why, size_t why_size);
/* Drops the schema, closes the connection and sets *pg to NULL. */
void pgtwin_destroy(pgtwin_t **pg);

/* The server's version, "15.14" (empty before a connection). */
const char *pgtwin_version(const pgtwin_t *pg);
/* The reason of the last failure, in words (owned by pg). */
const char *pgtwin_why(const pgtwin_t *pg);

/* Runs one or more statements without results. 0, or -1 (see why). */
int pgtwin_exec(pgtwin_t *pg, const char *sql);
/* Copies every row of an SQLite SELECT (columns in the table's order) into
 * the existing table `table` with COPY FROM STDIN in text format; blobs go
 * as bytea hex (\x…). Returns the rows copied, or -1. */
long pgtwin_copy(pgtwin_t *pg, sqlite3 *db, const char *select, const char *table);
/* Prepares `sql` ($1.. parameters, sent as text) under `name`. 0 or -1. */
int pgtwin_prepare(pgtwin_t *pg, const char *name, const char *sql);

/* A twin's tables, loaded the way every benchmark loads them. */
typedef struct {
  const char *select, *table; /* pgtwin_copy's arguments */
} pgtwin_copy_t;
typedef struct {
  const char *name, *sql; /* pgtwin_prepare's arguments */
} pgtwin_query_t;
typedef struct {
  const char *schema;          /* pgtwin_open's */
  const char *create;          /* the tables, without keys (COPY is faster so) */
  const pgtwin_copy_t *copies; /* in order */
  size_t ncopies;
  const char *keys;            /* keys and indexes as the store has them, and ANALYZE */
  const pgtwin_query_t *queries;
  size_t nqueries;
} pgtwin_load_t;

/* pgtwin_open, then create, the copies, keys and the prepared queries.
 * *rows: the rows of the last copy; *seconds: the whole load. NULL with the
 * reason in why when any step fails (the schema is dropped again). */
pgtwin_t *pgtwin_load(const pgtwin_load_t *load, sqlite3 *db, long *rows, double *seconds,
                      char *why, size_t why_size);

/* Runs the prepared statement `reps` times with the same text parameters
 * and returns the median milliseconds of the round trips (the whole result
 * received); NaN when a run fails. When check is not NULL it is called with
 * the last run's result, outside the timing. */
typedef void (*pgtwin_check_fn)(const PGresult *res, void *arg);
double pgtwin_time(pgtwin_t *pg, const char *name, int nparams, const char *const *params,
                   int reps, pgtwin_check_fn check, void *arg);

#endif
