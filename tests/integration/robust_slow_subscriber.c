/* robust.slow_subscriber — a subscriber that stops reading while its
 * service publishes far more than the PUB/SUB high-water marks hold
 * (100,000 messages each side): ZeroMQ drops what does not fit, and when
 * the subscriber reads again it notices the gap (the heartbeat is ahead of
 * what it has) and repairs it from the outbox — every event delivered
 * exactly once, in order. A server and subscriber in this process, each on
 * its own loop and ZeroMQ context; the subscriber's loop simply is not run
 * while the events go out. (common.subscriber covers late joiners and lost
 * messages; this is the overflow itself.) */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>
#include <uv.h>
#include <zmq.h>

#include "trin_server.h"
#include "trin_subscriber.h"

#define EVENTS 300000
#define PER_TXN 2000

typedef struct {
  uint64_t next, count;
  bool in_order;
} consumer_t;

static int consume(void *data, const Trin__Event *ev) {
  consumer_t *c = data;
  if (ev->seq != c->next) c->in_order = false;
  c->next = ev->seq + 1;
  c->count++;
  return TRIN_OK;
}

static int emit_many(trin_request_t *req, void *data, trin_err_t *err) {
  Trin__Ping p = TRIN__PING__INIT;
  trin_event_id_t ids[1] = {{"test", "x"}};
  for (int i = 0; i < PER_TXN; i++) {
    uint64_t seq;
    int rc = trin_request_emit(req, "test.happened", "org", ids, 1, &p.base, &seq, err);
    if (rc) return rc;
  }
  return TRIN_OK;
}

/* One turn of each loop; sleeps a little when neither had anything to do. */
static void turn(uv_loop_t *a, uv_loop_t *b) {
  int busy = uv_run(a, UV_RUN_NOWAIT) + uv_run(b, UV_RUN_NOWAIT);
  (void)busy;
  struct timespec ts = {0, 200 * 1000};
  nanosleep(&ts, NULL);
}

/* What the test took, freed in teardown even when an assertion jumps out. */
typedef struct {
  char dir[64];
  trin_store_t *store;
  uv_loop_t sloop, cloop;
  bool loops_open;
  void *szctx, *czctx;
  trin_server_t *server;
  trin_subscriber_t *sub;
} slow_t;

static int slow_setup(void **state) {
  slow_t *t = calloc(1, sizeof *t);
  if (!t) return -1;
  snprintf(t->dir, sizeof t->dir, "/tmp/trin-slow-sub-%d", (int)getpid());
  char cmd[160];
  snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", t->dir, t->dir);
  if (system(cmd) != 0) {
    free(t);
    return -1;
  }
  uv_loop_init(&t->sloop);
  uv_loop_init(&t->cloop);
  t->loops_open = true;
  t->szctx = zmq_ctx_new();
  t->czctx = zmq_ctx_new();
  *state = t;
  return 0;
}

static int slow_teardown(void **state) {
  slow_t *t = *state;
  trin_subscriber_destroy(&t->sub);
  trin_server_destroy(&t->server);
  if (t->loops_open) {
    for (int i = 0; i < 10; i++) turn(&t->sloop, &t->cloop);
    uv_run(&t->cloop, UV_RUN_DEFAULT);
    uv_run(&t->sloop, UV_RUN_DEFAULT);
    uv_loop_close(&t->cloop);
    uv_loop_close(&t->sloop);
  }
  if (t->czctx) zmq_ctx_term(t->czctx);
  if (t->szctx) zmq_ctx_term(t->szctx);
  trin_store_destroy(&t->store);
  char cmd[160];
  snprintf(cmd, sizeof cmd, "rm -rf %s", t->dir);
  int rc = system(cmd);
  free(t);
  return rc == 0 ? 0 : -1;
}

static void overflow_is_repaired_from_the_outbox(void **state) {
  slow_t *t = *state;
  char ep[128], pub[128], db[128];
  snprintf(ep, sizeof ep, "ipc://%s/req", t->dir);
  snprintf(pub, sizeof pub, "ipc://%s/pub", t->dir);
  snprintf(db, sizeof db, "%s/s.db", t->dir);

  trin_err_t err = {0};
  trin_store_options_t so = {.location = db, .sync = TRIN_STORE_SYNC_NORMAL};
  assert_int_equal(trin_store_open(&so, &t->store, &err), TRIN_OK);
  trin_server_options_t opt = {.service = "test", .endpoint = ep, .pub_endpoint = pub,
                               .heartbeat_ms = 100};
  assert_int_equal(trin_server_new(&t->sloop, t->szctx, t->store, &opt, &t->server, &err),
                   TRIN_OK);

  consumer_t c = {.next = 1, .in_order = true};
  trin_subscriber_options_t o = {.service = "test", .pub_endpoint = pub, .endpoint = ep,
                                 .after_seq = 0, .retry_ms = 200};
  assert_int_equal(trin_subscriber_new(&t->cloop, t->czctx, &o, consume, &c, &t->sub, &err),
                   TRIN_OK);
  /* Connected and subscribed: it hears a heartbeat. */
  for (int i = 0; i < 2500; i++) turn(&t->sloop, &t->cloop);

  /* The subscriber stops reading; the service publishes EVENTS. On a busy
   * machine this takes longer than the silence the subscriber tolerates,
   * so its watch finds messages waiting when its loop turns again. */
  for (int i = 0; i < EVENTS / PER_TXN; i++) {
    assert_int_equal(trin_server_apply(t->server, emit_many, NULL, &err), TRIN_OK);
    uv_run(&t->sloop, UV_RUN_NOWAIT);
  }
  assert_int_equal(trin_outbox_last_seq(trin_server_outbox(t->server)), EVENTS);

  /* It reads again: the live part, then the dropped part from the log. */
  uint64_t deadline = uv_hrtime() + 120ull * 1000000000ull;
  while (c.count < EVENTS && uv_hrtime() < deadline) turn(&t->sloop, &t->cloop);
  trin_subscriber_stats_t st = trin_subscriber_stats(t->sub);
  print_message("slow subscriber: %llu delivered, %llu live, %llu repaired from the outbox, "
                "%llu gaps noticed, %llu duplicates dropped\n",
                (unsigned long long)st.delivered, (unsigned long long)st.live,
                (unsigned long long)st.repaired, (unsigned long long)st.gaps,
                (unsigned long long)st.duplicates);
  assert_int_equal(c.count, EVENTS);
  assert_true(c.in_order);
  assert_int_equal(trin_subscriber_last_seq(t->sub), EVENTS);
  /* Messages were really dropped (the high-water marks were reached) and
   * the gap was repaired from the outbox. */
  assert_true(st.live < EVENTS);
  assert_true(st.repaired > 0);
  assert_true(st.gaps >= 1);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(overflow_is_repaired_from_the_outbox, slow_setup,
                                      slow_teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
