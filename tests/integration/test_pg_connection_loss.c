/* lifecycle.connection_loss.pg — the lifecycle service on PostgreSQL under a
 * steady stream of commands from four clients while the database ends the
 * service's session again and again: pg_terminate_backend from a second
 * connection, and once a restart of the whole server (tests/pg/pg-restart.sh,
 * when the server is pg-start.sh's), as a failover would. Asserts:
 *  - every command is answered OK or STORE (nothing else, nothing lost);
 *  - every organisation acknowledged OK is in the store afterwards;
 *  - the outbox numbers stay without holes (events = highest number);
 *  - the same process keeps serving: after the last cut a command is OK,
 *    and the service reconnected at least once (its log says so).
 * How many commands fall into a cut transaction depends on timing, so it is
 * printed, not asserted. Needs PostgreSQL: skipped (77) without a server. */
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "../pg/pg_test.h"
#include "lcclient.h"
#include "testproc.h"
#include "trin_store.h"

#ifndef TRIN_LIFECYCLE_BIN
#error "build with -DTRIN_LIFECYCLE_BIN"
#endif
#ifndef TRIN_PG_RESTART
#error "build with -DTRIN_PG_RESTART=path/to/tests/pg/pg-restart.sh"
#endif

#define CLIENTS 4
#define PER_CLIENT 400
#define CUTS 6

typedef struct {
  int n;
  char endpoint[320];
  atomic_int done;             /* commands answered */
  int status[PER_CLIENT];      /* TRIN_OK, TRIN_ESTORE, ... */
  char message[160];           /* first unexpected answer */
  char no_txn[TRIN_ERR_MESSAGE_MAX]; /* first refusal for want of a transaction */
} client_t;

static atomic_bool stop;

static void org_id(int client, int i, char out[32]) { snprintf(out, 32, "C%d-%04d", client, i); }

static void *client_main(void *arg) {
  client_t *c = arg;
  trin_client_t *cl = NULL;
  trin_err_t err = {0};
  if (trin_client_new(c->endpoint, &cl, &err)) {
    snprintf(c->message, sizeof c->message, "client: %s", err.message);
    return NULL;
  }
  trin_client_set_timeout(cl, 20000);
  for (int i = 0; i < PER_CLIENT && !atomic_load(&stop); i++) {
    char id[32];
    org_id(c->n, i, id);
    trin_err_clear(&err);
    int rc = lc_org(cl, id, "client", &err);
    c->status[i] = rc;
    if (rc != TRIN_OK && rc != TRIN_ESTORE && !c->message[0])
      snprintf(c->message, sizeof c->message, "%s: %s: %s", id, trin_status_name(rc), err.message);
    if (rc == TRIN_ESTORE && !c->no_txn[0] &&
        strncmp(err.message, "the store could not start a transaction", 39) == 0)
      snprintf(c->no_txn, sizeof c->no_txn, "%s", err.message);
    if (rc == TRIN_ESTORE) { /* back off a little, as a real client would */
      struct timespec ts = {0, 5 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
    atomic_store(&c->done, i + 1);
  }
  trin_client_destroy(&cl);
  return NULL;
}

static int64_t one_int(trin_store_t *s, const char *sql, const char *param) {
  trin_stmt_t *st;
  trin_err_t err;
  if (trin_store_stmt(s, sql, &st, &err)) fail_msg("%s: %s", sql, err.message);
  if (param) trin_stmt_bind_text(st, 1, param);
  int rc = trin_stmt_step(st, &err);
  if (rc == TRIN_ESTORE) { /* our own session was cut by the restart: again */
    trin_stmt_reset(st);
    if (param) trin_stmt_bind_text(st, 1, param);
    rc = trin_stmt_step(st, &err);
  }
  if (rc != TRIN_STORE_ROW) fail_msg("%s: %s", sql, err.message);
  int64_t v = trin_stmt_int64(st, 0);
  trin_stmt_reset(st);
  return v;
}

/* Restarts the server TRIN_TEST_PG names when pg-start.sh made it: true
 * when it did. */
static bool restart_server(void) {
  const char *uri = getenv("TRIN_TEST_PG");
  const char *host = uri ? strstr(uri, "://") : NULL;
  if (!host) return false;
  host += 3;
  size_t hl = strcspn(host, "/?");
  const char *colon = NULL;
  for (const char *p = host; p < host + hl; p++)
    if (*p == ':') colon = p;
  int port = colon ? atoi(colon + 1) : 5432;
  char cmd[600];
  snprintf(cmd, sizeof cmd, "'%s' %d", TRIN_PG_RESTART, port);
  int rc = testproc_run(cmd, NULL, 0);
  if (rc != 0) print_message("no server restart (pg-restart.sh said %d); session cuts only\n", rc);
  return rc == 0;
}

static void wait_progress(client_t *cs, int at_least) {
  for (;;) {
    int min = PER_CLIENT;
    for (int k = 0; k < CLIENTS; k++) {
      int d = atomic_load(&cs[k].done);
      if (cs[k].message[0]) return; /* a client gave up: reported after the join */
      if (d < min) min = d;
    }
    if (min >= at_least || min >= PER_CLIENT) return;
    struct timespec ts = {0, 2 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

static void cuts_under_load(void **state) {
  testproc_t lc;
  testproc_init(&lc, "connloss");
  /* The service's sessions carry its schema as application_name, so the
   * cuts hit this service only. */
  const char *schema = strstr(lc.store, "schema=");
  assert_non_null(schema);
  char app[96];
  snprintf(app, sizeof app, "%.*s", (int)strcspn(schema + 7, "&"), schema + 7);
  size_t len = strlen(lc.store);
  snprintf(lc.store + len, sizeof lc.store - len, "&application_name=%s", app);
  assert_true(testproc_start(&lc, TRIN_LIFECYCLE_BIN, NULL));

  trin_store_t *killer = NULL;
  trin_err_t err = {0};
  trin_store_options_t o = {.location = lc.store};
  if (trin_store_open(&o, &killer, &err)) fail_msg("second connection: %s", err.message);

  client_t cs[CLIENTS];
  pthread_t th[CLIENTS];
  memset(cs, 0, sizeof cs);
  for (int k = 0; k < CLIENTS; k++) {
    cs[k].n = k;
    snprintf(cs[k].endpoint, sizeof cs[k].endpoint, "%s", lc.endpoint);
    assert_int_equal(pthread_create(&th[k], NULL, client_main, &cs[k]), 0);
  }
  int64_t cut = 0;
  bool restarted = false;
  for (int c = 1; c <= CUTS; c++) {
    wait_progress(cs, c * PER_CLIENT / (CUTS + 2));
    if (c == CUTS && (restarted = restart_server())) {
      cut++;
      continue;
    }
    /* Not our own session: the killer also runs under the same name. */
    cut += one_int(killer,
                   "SELECT COUNT(pg_terminate_backend(pid)) FROM pg_stat_activity"
                   " WHERE application_name = ? AND pid <> pg_backend_pid()",
                   app);
  }
  for (int k = 0; k < CLIENTS; k++) pthread_join(th[k], NULL);

  int ok = 0, failed = 0;
  for (int k = 0; k < CLIENTS; k++) {
    if (cs[k].message[0]) fail_msg("unexpected answer: %s", cs[k].message);
    assert_int_equal(atomic_load(&cs[k].done), PER_CLIENT);
    for (int i = 0; i < PER_CLIENT; i++) {
      char id[32];
      org_id(k, i, id);
      int64_t stored = one_int(killer, "SELECT COUNT(*) FROM organisations WHERE id = ?", id);
      if (cs[k].status[i] == TRIN_OK) {
        ok++;
        if (stored != 1) fail_msg("%s was acknowledged OK but is not in the store", id);
      } else {
        failed++;
      }
    }
  }
  /* A batch refused because no transaction could begin says why: the
   * PostgreSQL session it could not open. */
  for (int k = 0; k < CLIENTS; k++)
    if (cs[k].no_txn[0]) {
      print_message("refused for want of a transaction: %s\n", cs[k].no_txn);
      assert_non_null(strstr(cs[k].no_txn, "could not start a transaction: "));
      assert_non_null(strstr(cs[k].no_txn, "PostgreSQL"));
    }
  print_message("%lld session cuts%s; %d commands OK, %d answered STORE\n", (long long)cut,
                restarted ? " (one a server restart)" : "", ok, failed);
  assert_true(cut >= 1);
  /* No holes in the event numbers, whatever was cut. */
  int64_t events = one_int(killer, "SELECT COUNT(*) FROM trin_outbox", NULL);
  int64_t last = one_int(killer, "SELECT COALESCE(MAX(seq), 0) FROM trin_outbox", NULL);
  assert_int_equal(events, last);
  assert_true(events >= ok);

  /* The same process serves on. */
  trin_client_t *cl = NULL;
  assert_int_equal(trin_client_new(lc.endpoint, &cl, &err), TRIN_OK);
  /* A client retries STORE. While the server was down the service spaced
   * its tries out (at most 1 s apart), so the first answers after the
   * restart may still be refusals that say when it tries again. */
  int rc = TRIN_ESTORE, tries = 0;
  while (rc == TRIN_ESTORE && tries++ < 30) {
    rc = lc_org(cl, "AFTER", "client", &err);
    if (rc == TRIN_ESTORE) {
      print_message("AFTER answered STORE: %s\n", err.message);
      struct timespec ts = {0, 200 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
  assert_int_equal(rc, TRIN_OK);
  trin_client_destroy(&cl);
  assert_int_equal(one_int(killer, "SELECT COUNT(*) FROM organisations WHERE id = ?", "AFTER"),
                   1);
  trin_store_destroy(&killer);
  assert_int_equal(testproc_stop(&lc), 0);
  char log[16384] = "";
  char cmd[400];
  snprintf(cmd, sizeof cmd, "grep -c 'reconnected to PostgreSQL' '%s'", lc.log);
  testproc_run(cmd, log, sizeof log);
  assert_true(atoi(log) >= 1);
  testproc_cleanup(&lc);
}

int main(void) {
  pg_test_server(); /* skipped (77), saying why, without a server */
  const struct CMUnitTest tests[] = {cmocka_unit_test(cuts_under_load)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
