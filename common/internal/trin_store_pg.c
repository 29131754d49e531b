/* trin_store_pg — the PostgreSQL backend of trin_store (libpq): SQL written
 * for SQLite is translated once per statement (trin_sql_dialect), prepared
 * on the server under a unique name and run with text parameters (bytea
 * as binary, so zero bytes pass). A lost connection fails the transaction
 * it was in, and the next transaction reconnects and prepares again.
 * SAVEPOINT and RELEASE, one pair per command, are held back and sent with
 * the next statement in one round trip (libpq pipeline mode); so are the
 * writes a caller sends without waiting (trin_stmt_run_deferred) and the
 * reads it asks for ahead (trin_stmt_prefetch), whose rows wait for the
 * step that asks for them. A held-back write that fails dooms the whole
 * transaction: its COMMIT rolls back and fails, so no command of the batch
 * is acknowledged. A read's rows are used only if nothing was written since.
 *
 * Invariant: the backend never reconnects inside a transaction. Statements
 * run after a silent reconnect would commit one by one outside the batch,
 * and a COMMIT would then "succeed" for a batch that is half gone; so once
 * the connection drops, everything up to the end of the transaction fails
 * with TRIN_ESTORE, and only the next BEGIN (or a statement outside any
 * transaction) tries to reconnect. */
#include <ctype.h>
#include <errno.h>
#include <inttypes.h>
#include <libpq-fe.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "trin_log.h"
#include "trin_sql_dialect.h"
#include "trin_store_ops.h"

#define BYTEA_OID 17
#define BOOL_OID 16
/* Statements held back to travel with the next round trip. */
#define MAX_QUEUED 64

struct pg_stmt;

/* A held-back statement: transaction control (no parameters), a write
 * nobody waits for, or a read sent ahead; the latter two with their own
 * copy of the parameters (the statement is bound again meanwhile). */
typedef enum { Q_CONTROL, Q_WRITE, Q_READ } qkind_t;
typedef struct {
  struct pg_stmt *st;
  qkind_t kind;
  char **values;
  int *lengths, *formats;
} queued_t;

typedef struct {
  PGconn *conn;
  char *uri;            /* the location less trin's own `schema=` */
  char schema[64];      /* "" = the role's default search_path */
  trin_store_sync_t sync;
  bool broken;          /* the connection dropped: reconnect before the next transaction */
  bool in_txn;
  uint64_t generation;  /* bumps on every (re)connect: statements prepare again */
  uint64_t reconnects;
  unsigned next_name;
  int64_t changes;
  queued_t queue[MAX_QUEUED];
  int nqueued;
  bool queued_writes;   /* a Q_WRITE waits in the queue */
  /* A held-back write failed: the transaction is lost whatever follows. */
  bool doomed;
  char doomed_why[200];
  /* Bumps with every statement that may change data: rows read ahead are
   * used only while it has not moved since they were read. */
  uint64_t write_gen;
  uint64_t round_trips; /* requests that waited for the server's answer */
  /* While PostgreSQL cannot be reached, a try for every batch would hold
   * the loop (up to connect_timeout a try) and flood the log: tries are
   * spaced out, RETRY_MIN_MS doubling to RETRY_MAX_MS, and what comes in
   * between is refused at once with the last try's reason. */
  int64_t retry_at;     /* monotonic ms of the next try; 0 = none failed */
  int backoff_ms;
  char down[256];       /* why the last try failed */
  PGconn *pending;      /* a session being opened (connect_step); NULL = none */
  int64_t pending_since;
  PostgresPollingStatusType pending_poll;
} pg_t;

#define RETRY_MIN_MS 100
#define RETRY_MAX_MS 1000

static int64_t mono_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

typedef enum {
  K_PLAIN,
  K_NOOP,
  K_BEGIN,
  K_COMMIT,
  K_ROLLBACK,
  K_SAVEPOINT,
  K_RELEASE,
  K_ROLLBACK_TO
} kind_t;

typedef struct pg_stmt {
  pg_t *pg;
  char name[24];
  char *sql;            /* PostgreSQL text */
  kind_t kind;
  bool reads;           /* a SELECT: changes nothing */
  uint64_t prepared;    /* generation it was prepared in; 0 = not on this connection */
  int nparams;
  char **values;        /* [nparams], malloc'd each, NULL = SQL NULL */
  int *lengths, *formats;
  PGresult *res;
  bool executed;
  int row, nrows;
  unsigned char **blob; /* [ncols] decoded bytea of the current row */
  size_t *blob_len;
  int blob_row;         /* row the blobs were decoded for */
  int ncols;
  /* Rows read ahead (trin_stmt_prefetch), the parameters they were read
   * with, and write_gen when they were read. */
  PGresult *ahead;
  char **ahead_values;
  int *ahead_lengths, *ahead_formats;
  uint64_t ahead_gen;
} pg_stmt_t;

static void free_values(int n, char **values, int *lengths, int *formats) {
  if (values)
    for (int i = 0; i < n; i++) free(values[i]);
  free(values);
  free(lengths);
  free(formats);
}

/* Forgets what the queue holds (a rollback undoes it, a new session never
 * had it). */
static void drop_queue(pg_t *pg) {
  for (int i = 0; i < pg->nqueued; i++) {
    queued_t *q = &pg->queue[i];
    free_values(q->st->nparams, q->values, q->lengths, q->formats);
  }
  pg->nqueued = 0;
  pg->queued_writes = false;
}

/* ---- errors ------------------------------------------------------------------ */

static int pg_fail(pg_t *pg, PGresult *res, const char *what, trin_err_t *err) {
  const char *msg = res ? PQresultErrorMessage(res) : "";
  if (!msg || !*msg) msg = PQerrorMessage(pg->conn);
  char clean[200];
  snprintf(clean, sizeof clean, "%s", msg ? msg : "");
  clean[strcspn(clean, "\n")] = '\0';
  if (PQstatus(pg->conn) != CONNECTION_OK) {
    pg->broken = true;
    return trin_err_set(err, TRIN_ESTORE, "store",
                        "the connection to PostgreSQL was lost; nothing of this "
                        "transaction was saved (%s)",
                        clean);
  }
  const char *state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : NULL;
  /* Class 23: integrity constraint violation (unique, foreign key, not null, check). */
  int code = state && strncmp(state, "23", 2) == 0 ? TRIN_ECONFLICT : TRIN_ESTORE;
  if (state && strcmp(state, "53100") == 0)
    return trin_err_set(err, TRIN_ESTORE, "store",
                        "the database server's disk is full; nothing was saved (%s)", clean);
  return trin_err_set(err, code, "store", "%s%s", what, clean);
}

/* ---- connecting ------------------------------------------------------------ */

static void on_notice(void *arg, const char *message) {
  (void)arg;
  trin_log_debug("postgresql: %.*s", (int)strcspn(message, "\n"), message);
}

/* The settings every session of trin runs with. */
static int session_setup(pg_t *pg, trin_err_t *err) {
  char sql[512];
  int n = snprintf(sql, sizeof sql,
                   "SET client_min_messages = warning; SET TimeZone = 'UTC';"
                   " SET DateStyle = 'ISO'; SET client_encoding = 'UTF8';"
                   " SET synchronous_commit = %s;",
                   pg->sync == TRIN_STORE_SYNC_FULL ? "on" : "off");
  if (pg->schema[0])
    snprintf(sql + n, sizeof sql - (size_t)n,
             " CREATE SCHEMA IF NOT EXISTS \"%s\"; SET search_path = \"%s\";", pg->schema,
             pg->schema);
  PGresult *res = PQexec(pg->conn, sql);
  int rc = TRIN_OK;
  if (PQresultStatus(res) != PGRES_COMMAND_OK)
    rc = pg_fail(pg, res, "cannot set up the session: ", err);
  PQclear(res);
  return rc;
}

/* libpq's parameters for a session: our defaults first, the location's own
 * settings override them. */
#define CONNECT_KEYS {"connect_timeout", "application_name", "dbname", NULL}
#define CONNECT_VALS(pg) {"5", "trin", (pg)->uri, NULL}
#define CONNECT_TIMEOUT_MS 5000

/* conn is open: it replaces the session, which is then set up. */
static int use_session(pg_t *pg, PGconn *conn, trin_err_t *err) {
  if (pg->conn && pg->conn != conn) PQfinish(pg->conn);
  pg->conn = conn;
  PQsetNoticeProcessor(conn, on_notice, NULL);
  /* A new session knows none of the old one's prepared statements. */
  pg->generation++;
  pg->in_txn = false;
  drop_queue(pg);
  pg->write_gen++;
  int rc = session_setup(pg, err);
  /* A session without its settings is not used: the next try starts over. */
  pg->broken = rc != TRIN_OK;
  return rc;
}

static int unreachable(pg_t *pg, PGconn *conn, trin_err_t *err) {
  char msg[200];
  snprintf(msg, sizeof msg, "%s", conn ? PQerrorMessage(conn) : "out of memory");
  msg[strcspn(msg, "\n")] = '\0';
  pg->broken = true;
  return trin_err_set(err, TRIN_ESTORE, "store", "cannot reach PostgreSQL: %s", msg);
}

/* At open: connects and waits (up to connect_timeout). */
static int connect_now(pg_t *pg, trin_err_t *err) {
  const char *keys[] = CONNECT_KEYS, *vals[] = CONNECT_VALS(pg);
  PGconn *conn = PQconnectdbParams(keys, vals, 1);
  if (!conn) return trin_err_set(err, TRIN_EINTERNAL, "store", "out of memory");
  if (PQstatus(conn) != CONNECTION_OK) {
    int rc = unreachable(pg, conn, err);
    PQfinish(conn);
    return rc;
  }
  return use_session(pg, conn, err);
}

/* Later: connects without holding the loop for long. A new session is
 * started (libpq's PQconnectStartParams) and advanced with PQconnectPoll:
 * for up to CONNECT_SLICE_MS on the call that starts it, then only as far as
 * the server has already answered on each later call, so a server that
 * does not answer at all costs the loop that slice per try, not
 * connect_timeout (which libpq does not apply here: CONNECT_TIMEOUT_MS
 * does). TRIN_ESTORE "still connecting" while it is under way. */
#define CONNECT_SLICE_MS 100
static int connect_step(pg_t *pg, trin_err_t *err) {
  int64_t now = mono_ms(), wait_until = now;
  if (!pg->pending) {
    const char *keys[] = CONNECT_KEYS, *vals[] = CONNECT_VALS(pg);
    pg->pending = PQconnectStartParams(keys, vals, 1);
    if (!pg->pending || PQstatus(pg->pending) == CONNECTION_BAD) {
      int rc = unreachable(pg, pg->pending, err);
      if (pg->pending) PQfinish(pg->pending);
      pg->pending = NULL;
      return rc;
    }
    pg->pending_since = now;
    pg->pending_poll = PGRES_POLLING_WRITING; /* as libpq's documentation starts */
    wait_until = now + CONNECT_SLICE_MS;
  }
  for (;;) {
    if (pg->pending_poll == PGRES_POLLING_OK) {
      PGconn *conn = pg->pending;
      pg->pending = NULL;
      return use_session(pg, conn, err);
    }
    if (pg->pending_poll == PGRES_POLLING_FAILED ||
        mono_ms() - pg->pending_since >= CONNECT_TIMEOUT_MS) {
      int rc = pg->pending_poll == PGRES_POLLING_FAILED
                   ? unreachable(pg, pg->pending, err)
                   : trin_err_set(err, TRIN_ESTORE, "store",
                                  "cannot reach PostgreSQL: no answer within %d s",
                                  CONNECT_TIMEOUT_MS / 1000);
      pg->broken = true;
      PQfinish(pg->pending);
      pg->pending = NULL;
      return rc;
    }
    int64_t left = wait_until - mono_ms();
    struct pollfd p = {PQsocket(pg->pending),
                       pg->pending_poll == PGRES_POLLING_READING ? POLLIN : POLLOUT, 0};
    int ready = poll(&p, 1, left > 0 ? (int)left : 0);
    if (ready > 0) {
      pg->pending_poll = PQconnectPoll(pg->pending);
      continue;
    }
    if (ready < 0 && errno == EINTR) continue;
    return trin_err_set(err, TRIN_ESTORE, "store",
                        "connecting to PostgreSQL (for %d ms); nothing was saved",
                        (int)(mono_ms() - pg->pending_since));
  }
}

/* Before anything that is not part of an open transaction. */
static int ensure_connected(pg_t *pg, trin_err_t *err) {
  if (!pg->broken && PQstatus(pg->conn) == CONNECTION_OK) return TRIN_OK;
  if (pg->in_txn)
    return trin_err_set(err, TRIN_ESTORE, "store",
                        "the connection to PostgreSQL was lost; nothing of this "
                        "transaction was saved");
  int64_t now = mono_ms();
  if (pg->retry_at && now < pg->retry_at)
    return trin_err_set(err, TRIN_ESTORE, "store", "%s (trying again within %d ms)", pg->down,
                        (int)(pg->retry_at - now));
  trin_err_t why = {0};
  int rc = connect_step(pg, &why);
  if (rc == TRIN_OK) {
    pg->reconnects++;
    pg->retry_at = 0;
    pg->backoff_ms = 0;
    trin_log_warn("store: reconnected to PostgreSQL");
    return TRIN_OK;
  }
  if (pg->pending) { /* still under way: not a failed try */
    if (err) *err = why;
    return rc;
  }
  pg->backoff_ms = pg->backoff_ms ? pg->backoff_ms * 2 : RETRY_MIN_MS;
  if (pg->backoff_ms > RETRY_MAX_MS) pg->backoff_ms = RETRY_MAX_MS;
  pg->retry_at = mono_ms() + pg->backoff_ms;
  snprintf(pg->down, sizeof pg->down, "%s", why.message);
  trin_log_warn("store: %s; trying again in %d ms", why.message, pg->backoff_ms);
  if (err) *err = why;
  return rc;
}

/* Splits "postgresql://...?a=b&schema=x&c=d" into the URI libpq reads and
 * the schema, which is trin's setting, not libpq's. */
static int split_location(const char *loc, pg_t *pg, trin_err_t *err) {
  pg->uri = strdup(loc);
  if (!pg->uri) return trin_err_set(err, TRIN_EINTERNAL, "store", "out of memory");
  char *q = strchr(pg->uri, '?');
  if (!q) return TRIN_OK;
  char *w = q; /* rebuild the query in place without schema= */
  char *p = q + 1;
  bool first = true;
  while (*p) {
    size_t n = strcspn(p, "&");
    if (strncmp(p, "schema=", 7) == 0) {
      size_t vn = n - 7;
      if (vn == 0 || vn >= sizeof pg->schema)
        return trin_err_set(err, TRIN_EINVALID, "store",
                            "schema= must name a schema of 1 to 63 characters");
      for (size_t i = 0; i < vn; i++) {
        char c = p[7 + i];
        if (!(islower((unsigned char)c) || c == '_' || (i > 0 && isdigit((unsigned char)c))))
          return trin_err_set(err, TRIN_EINVALID, "store",
                              "schema= takes lowercase letters, digits and _ "
                              "(starting with a letter or _)");
      }
      memcpy(pg->schema, p + 7, vn);
      pg->schema[vn] = '\0';
    } else {
      *w++ = first ? '?' : '&';
      memmove(w, p, n);
      w += n;
      first = false;
    }
    p += n;
    if (*p == '&') p++;
  }
  *w = '\0';
  return TRIN_OK;
}

static void s_close(void *impl);

int trin_store_pg_open(const char *location, trin_store_sync_t sync, void **impl,
                       trin_err_t *err) {
  pg_t *pg = calloc(1, sizeof *pg);
  if (!pg) return trin_err_set(err, TRIN_EINTERNAL, "store", "out of memory");
  pg->sync = sync;
  int rc = split_location(location, pg, err);
  if (!rc) rc = connect_now(pg, err);
  if (rc) {
    s_close(pg);
    return rc;
  }
  *impl = pg;
  return TRIN_OK;
}

static void s_close(void *impl) {
  pg_t *pg = impl;
  if (pg->conn) PQfinish(pg->conn);
  if (pg->pending) PQfinish(pg->pending);
  free(pg->uri);
  free(pg);
}

/* ---- statements ------------------------------------------------------------- */

static kind_t kind_of(const char *sql) {
  while (isspace((unsigned char)*sql)) sql++;
  if (!*sql) return K_NOOP;
  size_t n = 0;
  while (isalpha((unsigned char)sql[n])) n++;
  const char *rest = sql + n;
  while (isspace((unsigned char)*rest)) rest++;
  if (n == 5 && strncasecmp(sql, "BEGIN", 5) == 0) return K_BEGIN;
  if (n == 6 && strncasecmp(sql, "COMMIT", 6) == 0) return K_COMMIT;
  /* ROLLBACK ends the transaction; ROLLBACK TO SAVEPOINT does not. */
  if (n == 8 && strncasecmp(sql, "ROLLBACK", 8) == 0 && strncasecmp(rest, "TO", 2) != 0)
    return K_ROLLBACK;
  if (n == 9 && strncasecmp(sql, "SAVEPOINT", 9) == 0) return K_SAVEPOINT;
  if (n == 7 && strncasecmp(sql, "RELEASE", 7) == 0) return K_RELEASE;
  if (n == 8 && strncasecmp(sql, "ROLLBACK", 8) == 0) return K_ROLLBACK_TO;
  return K_PLAIN;
}

static void clear_result(pg_stmt_t *st) {
  if (st->res) PQclear(st->res);
  st->res = NULL;
  st->executed = false;
  st->row = -1;
  st->nrows = 0;
  for (int c = 0; c < st->ncols; c++) {
    free(st->blob[c]);
    st->blob[c] = NULL;
  }
  free(st->blob);
  free(st->blob_len);
  st->blob = NULL;
  st->blob_len = NULL;
  st->ncols = 0;
  st->blob_row = -1;
}

static void clear_params(pg_stmt_t *st) {
  for (int i = 0; i < st->nparams; i++) {
    free(st->values[i]);
    st->values[i] = NULL;
    st->lengths[i] = 0;
    st->formats[i] = 0;
  }
}

static void drop_ahead(pg_stmt_t *st) {
  if (st->ahead) PQclear(st->ahead);
  st->ahead = NULL;
  free_values(st->nparams, st->ahead_values, st->ahead_lengths, st->ahead_formats);
  st->ahead_values = NULL;
  st->ahead_lengths = st->ahead_formats = NULL;
}

static int prepare_on_server(pg_stmt_t *st, trin_err_t *err) {
  pg_t *pg = st->pg;
  pg->round_trips++;
  PGresult *res = PQprepare(pg->conn, st->name, st->sql, st->nparams, NULL);
  int rc = TRIN_OK;
  if (PQresultStatus(res) != PGRES_COMMAND_OK) rc = pg_fail(pg, res, "", err);
  else st->prepared = pg->generation;
  PQclear(res);
  return rc;
}

static void s_finalize(void *stmt) {
  pg_stmt_t *st = stmt;
  if (!st) return;
  clear_result(st);
  clear_params(st);
  drop_ahead(st);
  /* The server forgets prepared statements with the session; trin keeps
   * its statements for the store's life, so none is deallocated early. */
  free(st->values);
  free(st->lengths);
  free(st->formats);
  free(st->sql);
  free(st);
}

static int s_prepare(void *impl, const char *sql, void **out, trin_err_t *err) {
  pg_t *pg = impl;
  pg_stmt_t *st = calloc(1, sizeof *st);
  if (!st) return trin_err_set(err, TRIN_EINTERNAL, "store", "out of memory");
  st->pg = pg;
  st->row = -1;
  st->blob_row = -1;
  st->sql = trin_sql_dialect_pg(sql, &st->nparams);
  if (!st->sql) {
    free(st);
    return trin_err_set(err, TRIN_EINTERNAL, "store", "out of memory");
  }
  st->kind = kind_of(st->sql);
  st->reads = st->kind == K_PLAIN && strncasecmp(st->sql + strspn(st->sql, " \t\n"), "SELECT", 6) == 0;
  int np = st->nparams ? st->nparams : 1;
  st->values = calloc((size_t)np, sizeof *st->values);
  st->lengths = calloc((size_t)np, sizeof *st->lengths);
  st->formats = calloc((size_t)np, sizeof *st->formats);
  if (!st->values || !st->lengths || !st->formats) {
    s_finalize(st);
    return trin_err_set(err, TRIN_EINTERNAL, "store", "out of memory");
  }
  snprintf(st->name, sizeof st->name, "trin_%u", ++pg->next_name);
  /* Prepared now, so bad SQL is reported where it is written; after a lost
   * connection it is prepared again on first use. */
  if (st->kind != K_NOOP) {
    int rc = pg->in_txn && pg->broken ? TRIN_OK : ensure_connected(pg, err);
    if (!rc && !pg->broken) rc = prepare_on_server(st, err);
    /* Preparing changes nothing, so outside a transaction a session the
     * server ended while idle is simply opened again and the prepare
     * repeated. */
    if (rc && pg->broken && !pg->in_txn && (rc = ensure_connected(pg, err)) == TRIN_OK)
      rc = prepare_on_server(st, err);
    if (rc) {
      s_finalize(st);
      return rc;
    }
  }
  *out = st;
  return TRIN_OK;
}

static int set_param(pg_stmt_t *st, int i, const void *v, size_t n, int format) {
  if (i < 1 || i > st->nparams) return TRIN_ESTORE;
  char *copy = malloc(n + 1);
  if (!copy) return TRIN_EINTERNAL;
  if (n) memcpy(copy, v, n);
  copy[n] = '\0';
  free(st->values[i - 1]);
  st->values[i - 1] = copy;
  st->lengths[i - 1] = (int)n;
  st->formats[i - 1] = format;
  return TRIN_OK;
}

static int s_bind_int64(void *stmt, int i, int64_t v) {
  char b[24];
  int n = snprintf(b, sizeof b, "%" PRId64, v);
  return set_param(stmt, i, b, (size_t)n, 0);
}
static int s_bind_text(void *stmt, int i, const char *v) {
  return set_param(stmt, i, v, strlen(v), 0);
}
static int s_bind_blob(void *stmt, int i, const void *v, size_t n) {
  return set_param(stmt, i, v ? v : "", n, 1); /* binary: bytes as they are */
}
static int s_bind_null(void *stmt, int i) {
  pg_stmt_t *st = stmt;
  if (i < 1 || i > st->nparams) return TRIN_ESTORE;
  free(st->values[i - 1]);
  st->values[i - 1] = NULL;
  return TRIN_OK;
}

/* Sends the held-back statements and then st (NULL: none) in one round
 * trip (libpq's pipeline mode). Returns st's result in *out, or the first
 * error: a held-back statement that failed fails st, which the server then
 * skipped. Reads sent ahead keep their rows in their statement. */
static int run_pipeline(pg_t *pg, pg_stmt_t *st, PGresult **out, trin_err_t *err) {
  int n = pg->nqueued;
  queued_t q[MAX_QUEUED];
  memcpy(q, pg->queue, (size_t)n * sizeof *q);
  pg->nqueued = 0;
  pg->queued_writes = false;
  *out = NULL;
  PGconn *c = pg->conn;
  pg->round_trips++;
  int rc = TRIN_OK;
  bool sent = PQenterPipelineMode(c) == 1;
  if (!sent) rc = pg_fail(pg, NULL, "", err);
  for (int i = 0; i < n && sent; i++)
    sent = PQsendQueryPrepared(c, q[i].st->name, q[i].values ? q[i].st->nparams : 0,
                               (const char *const *)q[i].values, q[i].lengths, q[i].formats,
                               0) == 1;
  if (st && sent)
    sent = PQsendQueryPrepared(c, st->name, st->nparams, (const char *const *)st->values,
                               st->lengths, st->formats, 0) == 1;
  if (sent) sent = PQpipelineSync(c) == 1;
  if (!sent && rc == TRIN_OK) rc = pg_fail(pg, NULL, "", err);
  int queries = sent ? n + (st ? 1 : 0) : 0;
  for (int i = 0; i < queries; i++) {
    PGresult *r = PQgetResult(c);
    if (!r) {
      if (rc == TRIN_OK) rc = pg_fail(pg, NULL, "", err);
      break;
    }
    ExecStatusType s = PQresultStatus(r);
    bool ok = s == PGRES_COMMAND_OK || s == PGRES_TUPLES_OK;
    if (!ok && rc == TRIN_OK) {
      rc = pg_fail(pg, r, "", err);
      /* Its command may have answered already: only failing the whole
       * transaction keeps an acknowledgement from outliving the write. */
      if (i < n && q[i].kind == Q_WRITE && !pg->doomed) {
        pg->doomed = true;
        snprintf(pg->doomed_why, sizeof pg->doomed_why, "%s", err ? err->message : "");
      }
    }
    if (ok && i < n && q[i].kind == Q_WRITE) {
      pg->write_gen++;
      pg->changes = strtoll(PQcmdTuples(r), NULL, 10);
    }
    if (ok && rc == TRIN_OK && i < n && q[i].kind == Q_READ) {
      /* Its rows, and the parameters they answer, wait in the statement. */
      pg_stmt_t *a = q[i].st;
      drop_ahead(a);
      a->ahead = r;
      a->ahead_values = q[i].values;
      a->ahead_lengths = q[i].lengths;
      a->ahead_formats = q[i].formats;
      a->ahead_gen = pg->write_gen;
      q[i].values = NULL;
      q[i].lengths = q[i].formats = NULL;
    } else if (ok && rc == TRIN_OK && i == n) {
      *out = r;
    } else {
      PQclear(r);
    }
    PGresult *end = PQgetResult(c); /* the NULL after each query's results */
    if (end) PQclear(end);
  }
  for (int i = 0; i < n; i++) free_values(q[i].st->nparams, q[i].values, q[i].lengths, q[i].formats);
  /* Everything up to the sync is read, however the results were grouped: a
   * query cut short may leave more than one. One NULL ends a query's
   * results; two in a row mean nothing is left to read. */
  for (int nulls = 0; sent && nulls < 2 && PQstatus(c) == CONNECTION_OK;) {
    PGresult *r = PQgetResult(c);
    if (!r) {
      nulls++;
      continue;
    }
    nulls = 0;
    bool sync = PQresultStatus(r) == PGRES_PIPELINE_SYNC;
    PQclear(r);
    if (sync) break;
  }
  if (PQstatus(c) != CONNECTION_OK || !PQexitPipelineMode(c)) {
    /* A session left in pipeline mode refuses every later statement, so it
     * is not used again: the next transaction starts a new one. */
    if (PQstatus(c) == CONNECTION_OK)
      trin_log_warn("store: a pipelined round trip to PostgreSQL ended unfinished (%.*s);"
                    " the next transaction opens a new session",
                    (int)strcspn(PQerrorMessage(c), "\n"), PQerrorMessage(c));
    bool committed = rc == TRIN_OK && *out && st->kind == K_COMMIT; /* saved all the same */
    if (rc == TRIN_OK && !committed) rc = pg_fail(pg, NULL, "", err);
    pg->broken = true;
  }
  if (rc && *out) {
    PQclear(*out);
    *out = NULL;
  }
  return rc;
}

static bool same_params(const pg_stmt_t *st) {
  for (int i = 0; i < st->nparams; i++) {
    const char *a = st->values[i], *b = st->ahead_values[i];
    if (!a || !b) {
      if (a != b) return false;
      continue;
    }
    if (st->lengths[i] != st->ahead_lengths[i] || st->formats[i] != st->ahead_formats[i] ||
        memcmp(a, b, (size_t)st->lengths[i]) != 0)
      return false;
  }
  return true;
}

/* The rows read ahead for st, when they answer this step: the same
 * parameters, and nothing written since (nor waiting to be). */
static bool take_ahead(pg_t *pg, pg_stmt_t *st) {
  if (!st->ahead) return false;
  bool fresh = st->ahead_gen == pg->write_gen && !pg->queued_writes && same_params(st);
  if (fresh) {
    st->res = st->ahead;
    st->ahead = NULL;
  }
  drop_ahead(st);
  return fresh;
}

/* st's parameters copied into q (the statement is bound again before the
 * queue is sent). */
static int queue_copy(pg_stmt_t *st, queued_t *q) {
  int n = st->nparams;
  q->values = calloc((size_t)(n ? n : 1), sizeof *q->values);
  q->lengths = calloc((size_t)(n ? n : 1), sizeof *q->lengths);
  q->formats = calloc((size_t)(n ? n : 1), sizeof *q->formats);
  bool ok = q->values && q->lengths && q->formats;
  for (int i = 0; ok && i < n; i++) {
    q->lengths[i] = st->lengths[i];
    q->formats[i] = st->formats[i];
    if (!st->values[i]) continue;
    q->values[i] = malloc((size_t)st->lengths[i] + 1);
    if (!q->values[i]) ok = false;
    else memcpy(q->values[i], st->values[i], (size_t)st->lengths[i] + 1);
  }
  if (!ok) {
    free_values(n, q->values, q->lengths, q->formats);
    return TRIN_EINTERNAL;
  }
  return TRIN_OK;
}

static int execute(pg_stmt_t *st, trin_err_t *err) {
  pg_t *pg = st->pg;
  if (st->kind == K_NOOP) return TRIN_OK;
  if (st->kind == K_ROLLBACK) {
    drop_queue(pg); /* undone anyway */
    pg->doomed = false;
  }
  if (st->kind == K_ROLLBACK && (pg->broken || PQstatus(pg->conn) != CONNECTION_OK)) {
    pg->in_txn = false; /* the server rolled it back when the session ended */
    pg->write_gen++;
    return TRIN_OK;
  }
  int rc = ensure_connected(pg, err);
  if (rc) {
    drop_queue(pg);
    if (st->kind == K_COMMIT) pg->in_txn = false;
    return rc;
  }
  if (st->prepared != pg->generation && (rc = prepare_on_server(st, err))) {
    drop_queue(pg);
    return rc;
  }
  if (st->reads && take_ahead(pg, st)) {
    st->executed = true;
    st->row = -1;
    st->nrows = PQntuples(st->res);
    return TRIN_OK;
  }
  /* A transaction a held-back write failed in saves nothing. */
  if (st->kind == K_COMMIT && pg->doomed) {
    drop_queue(pg);
    pg->round_trips++;
    PGresult *r = PQexec(pg->conn, "ROLLBACK");
    PQclear(r);
    pg->in_txn = false;
    pg->doomed = false;
    pg->write_gen++;
    return trin_err_set(err, TRIN_ESTORE, "store",
                        "a write of this transaction failed (%s); nothing was saved",
                        pg->doomed_why);
  }
  /* A savepoint per command costs two round trips that answer nothing the
   * caller waits for: hold them back and send them with the next statement.
   * Their errors (only possible on a failed transaction) surface there. */
  if ((st->kind == K_SAVEPOINT || st->kind == K_RELEASE) && pg->in_txn &&
      pg->nqueued < MAX_QUEUED) {
    pg->queue[pg->nqueued++] = (queued_t){st, Q_CONTROL, NULL, NULL, NULL};
    st->executed = true;
    st->row = -1;
    st->nrows = 0;
    return TRIN_OK;
  }
  /* ROLLBACK TO must run even when a held-back write of the command it
   * undoes failed (and made the server skip the rest of the round trip). */
  if (st->kind == K_ROLLBACK_TO && pg->nqueued) {
    PGresult *none;
    trin_err_t ignored;
    run_pipeline(pg, NULL, &none, &ignored);
    if (pg->broken) return trin_err_set(err, TRIN_ESTORE, "store", "%s", ignored.message);
  }
  PGresult *res;
  if (pg->nqueued) {
    if ((rc = run_pipeline(pg, st, &res, err))) {
      if (st->kind == K_COMMIT) pg->in_txn = false;
      return rc;
    }
  } else {
    pg->round_trips++;
    res = PQexecPrepared(pg->conn, st->name, st->nparams, (const char *const *)st->values,
                         st->lengths, st->formats, 0);
  }
  ExecStatusType status = PQresultStatus(res);
  if (st->kind == K_BEGIN && status != PGRES_COMMAND_OK && PQstatus(pg->conn) != CONNECTION_OK) {
    /* The server went away while idle (a restart, a terminated session):
     * libpq only notices now. Nothing had begun, so connect and begin again. */
    PQclear(res);
    pg->broken = true;
    if ((rc = ensure_connected(pg, err)) || (rc = prepare_on_server(st, err))) return rc;
    pg->round_trips++;
    res = PQexecPrepared(pg->conn, st->name, 0, NULL, NULL, NULL, 0);
    status = PQresultStatus(res);
  }
  if (st->kind == K_COMMIT || st->kind == K_ROLLBACK) pg->in_txn = false;
  /* Whatever may have changed data (or ended what was read in) outdates
   * the rows read ahead. */
  if (!st->reads && st->kind != K_SAVEPOINT && st->kind != K_RELEASE) pg->write_gen++;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK) {
    rc = pg_fail(pg, res, "", err);
    PQclear(res);
    return rc;
  }
  if (st->kind == K_BEGIN) {
    pg->in_txn = true;
    pg->doomed = false;
  }
  const char *tag = PQcmdStatus(res);
  /* COMMIT of a transaction the server had already failed answers
   * "ROLLBACK": nothing was saved, and the caller must hear so. */
  if (st->kind == K_COMMIT && strcmp(tag, "COMMIT") != 0) {
    PQclear(res);
    return trin_err_set(err, TRIN_ESTORE, "store",
                        "PostgreSQL rolled the transaction back (%s); nothing was saved", tag);
  }
  /* As in SQLite, only INSERT, UPDATE and DELETE set the change count. */
  if (strncmp(tag, "INSERT", 6) == 0 || strncmp(tag, "UPDATE", 6) == 0 ||
      strncmp(tag, "DELETE", 6) == 0)
    pg->changes = strtoll(PQcmdTuples(res), NULL, 10);
  st->res = res;
  st->executed = true;
  st->row = -1;
  st->nrows = PQntuples(res);
  return TRIN_OK;
}

static int s_step(void *impl, void *stmt, trin_err_t *err);

/* Holds a write back (trin_stmt_run_deferred): sent with the next round
 * trip, at the latest with this command's RELEASE. */
static int s_defer(void *impl, void *stmt, trin_err_t *err) {
  pg_t *pg = impl;
  pg_stmt_t *st = stmt;
  if (!pg->in_txn || pg->broken || st->reads || st->kind != K_PLAIN) return s_step(impl, stmt, err);
  if (st->prepared != pg->generation) {
    int rc = prepare_on_server(st, err);
    if (rc) return rc;
  }
  if (pg->nqueued == MAX_QUEUED) {
    PGresult *none;
    int rc = run_pipeline(pg, NULL, &none, err);
    if (rc) return rc;
  }
  queued_t *q = &pg->queue[pg->nqueued];
  *q = (queued_t){st, Q_WRITE, NULL, NULL, NULL};
  if (queue_copy(st, q)) return trin_err_set(err, TRIN_EINTERNAL, "store", "out of memory");
  pg->nqueued++;
  pg->queued_writes = true;
  return TRIN_OK;
}

/* Sends a read ahead (trin_stmt_prefetch) with the next round trip. A full
 * queue or a lost session simply reads it later, when it is stepped. */
static int s_prefetch(void *impl, void *stmt, trin_err_t *err) {
  pg_t *pg = impl;
  pg_stmt_t *st = stmt;
  if (!pg->in_txn || pg->broken || !st->reads || pg->nqueued == MAX_QUEUED) return TRIN_OK;
  if (st->prepared != pg->generation) {
    int rc = prepare_on_server(st, err);
    if (rc) return rc;
  }
  queued_t *q = &pg->queue[pg->nqueued];
  *q = (queued_t){st, Q_READ, NULL, NULL, NULL};
  if (queue_copy(st, q)) return TRIN_OK; /* read when stepped instead */
  pg->nqueued++;
  return TRIN_OK;
}

static int s_step(void *impl, void *stmt, trin_err_t *err) {
  (void)impl;
  pg_stmt_t *st = stmt;
  if (!st->executed) {
    int rc = execute(st, err);
    if (rc) return rc;
    st->executed = true;
  }
  if (st->row + 1 < st->nrows) {
    st->row++;
    return TRIN_STORE_ROW;
  }
  st->row = st->nrows;
  return TRIN_OK;
}

static void s_reset(void *stmt) {
  pg_stmt_t *st = stmt;
  clear_result(st);
  clear_params(st);
}

static bool has_value(pg_stmt_t *st, int c) {
  return st->res && st->row >= 0 && st->row < st->nrows && c >= 0 && c < PQnfields(st->res);
}

static int64_t s_col_int64(void *stmt, int c) {
  pg_stmt_t *st = stmt;
  if (!has_value(st, c) || PQgetisnull(st->res, st->row, c)) return 0;
  const char *v = PQgetvalue(st->res, st->row, c);
  if (PQftype(st->res, c) == BOOL_OID) return v[0] == 't';
  /* SUM() of bigint is numeric ("12"), AVG() has decimals ("12.5000"):
   * the integer part, as sqlite3_column_int64 gives. */
  return strtoll(v, NULL, 10);
}

static const char *s_col_text(void *stmt, int c) {
  pg_stmt_t *st = stmt;
  if (!has_value(st, c)) return "";
  return PQgetvalue(st->res, st->row, c);
}

static int hexval(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

static const void *s_col_blob(void *stmt, int c, size_t *len) {
  pg_stmt_t *st = stmt;
  *len = 0;
  if (!has_value(st, c) || PQgetisnull(st->res, st->row, c)) return NULL;
  const char *v = PQgetvalue(st->res, st->row, c);
  size_t n = (size_t)PQgetlength(st->res, st->row, c);
  if (PQftype(st->res, c) != BYTEA_OID) { /* text read as bytes, as in SQLite */
    *len = n;
    return v;
  }
  if (st->blob_row != st->row || !st->blob) {
    int nf = PQnfields(st->res);
    if (!st->blob) {
      st->blob = calloc((size_t)nf, sizeof *st->blob);
      st->blob_len = calloc((size_t)nf, sizeof *st->blob_len);
      if (!st->blob || !st->blob_len) return NULL;
      st->ncols = nf;
    }
    for (int i = 0; i < st->ncols; i++) {
      free(st->blob[i]);
      st->blob[i] = NULL;
    }
    st->blob_row = st->row;
  }
  if (!st->blob[c]) {
    /* bytea_output = hex (the default since 9.0): "\x" then two digits a byte. */
    if (n < 2 || v[0] != '\\' || v[1] != 'x') return NULL;
    size_t bytes = (n - 2) / 2;
    unsigned char *b = malloc(bytes ? bytes : 1);
    if (!b) return NULL;
    for (size_t i = 0; i < bytes; i++) {
      int hi = hexval(v[2 + 2 * i]), lo = hexval(v[3 + 2 * i]);
      b[i] = (unsigned char)((hi < 0 ? 0 : hi) << 4 | (lo < 0 ? 0 : lo));
    }
    st->blob[c] = b;
    st->blob_len[c] = bytes;
  }
  *len = st->blob_len[c];
  return st->blob[c];
}

static bool s_col_is_null(void *stmt, int c) {
  pg_stmt_t *st = stmt;
  return !has_value(st, c) || PQgetisnull(st->res, st->row, c);
}

static int64_t s_changes(void *impl) { return ((pg_t *)impl)->changes; }

static uint64_t s_reconnects(void *impl) { return ((pg_t *)impl)->reconnects; }

static uint64_t s_round_trips(void *impl) { return ((pg_t *)impl)->round_trips; }

static int s_exec(void *impl, const char *sql, trin_err_t *err) {
  pg_t *pg = impl;
  char *text = trin_sql_dialect_pg(sql, NULL);
  if (!text) return trin_err_set(err, TRIN_EINTERNAL, "store", "out of memory");
  kind_t kind = kind_of(text);
  int rc = TRIN_OK;
  if (kind == K_NOOP) goto done;
  if (kind == K_ROLLBACK) {
    drop_queue(pg); /* undone anyway */
    pg->doomed = false;
  }
  pg->write_gen++;
  if (pg->nqueued) { /* held-back statements go first */
    PGresult *none;
    if ((rc = run_pipeline(pg, NULL, &none, err))) goto done;
  }
  if (kind == K_ROLLBACK && (pg->broken || PQstatus(pg->conn) != CONNECTION_OK)) {
    pg->in_txn = false;
    goto done;
  }
  if ((rc = ensure_connected(pg, err))) {
    if (kind == K_COMMIT) pg->in_txn = false;
    goto done;
  }
  pg->round_trips++;
  PGresult *res = PQexec(pg->conn, text);
  ExecStatusType status = PQresultStatus(res);
  if (kind == K_COMMIT || kind == K_ROLLBACK) pg->in_txn = false;
  if (status != PGRES_COMMAND_OK && status != PGRES_TUPLES_OK && status != PGRES_EMPTY_QUERY)
    rc = pg_fail(pg, res, "", err);
  else if (kind == K_BEGIN)
    pg->in_txn = true;
  PQclear(res);
done:
  free(text);
  return rc;
}

const trin_store_ops_t trin_store_pg_ops = {
    .name = "postgresql",
    .close = s_close,
    .exec = s_exec,
    .prepare = s_prepare,
    .finalize = s_finalize,
    .bind_int64 = s_bind_int64,
    .bind_text = s_bind_text,
    .bind_blob = s_bind_blob,
    .bind_null = s_bind_null,
    .step = s_step,
    .reset = s_reset,
    .col_int64 = s_col_int64,
    .col_text = s_col_text,
    .col_blob = s_col_blob,
    .col_is_null = s_col_is_null,
    .changes = s_changes,
    .reconnects = s_reconnects,
    .round_trips = s_round_trips,
    .defer = s_defer,
    .prefetch = s_prefetch,
};
