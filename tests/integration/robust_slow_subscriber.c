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

static void overflow_is_repaired_from_the_outbox(void **state) {
  char dir[64], ep[128], pub[128], db[128], cmd[160];
  snprintf(dir, sizeof dir, "/tmp/trin-slow-sub-%d", (int)getpid());
  snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", dir, dir);
  assert_int_equal(system(cmd), 0);
  snprintf(ep, sizeof ep, "ipc://%s/req", dir);
  snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
  snprintf(db, sizeof db, "%s/s.db", dir);

  trin_store_t *store;
  trin_err_t err = {0};
  trin_store_options_t so = {.location = db, .sync = TRIN_STORE_SYNC_NORMAL};
  assert_int_equal(trin_store_open(&so, &store, &err), TRIN_OK);
  uv_loop_t sloop, cloop;
  uv_loop_init(&sloop);
  uv_loop_init(&cloop);
  void *szctx = zmq_ctx_new(), *czctx = zmq_ctx_new();
  trin_server_options_t opt = {.service = "test", .endpoint = ep, .pub_endpoint = pub,
                               .heartbeat_ms = 100};
  trin_server_t *server;
  assert_int_equal(trin_server_new(&sloop, szctx, store, &opt, &server, &err), TRIN_OK);

  consumer_t c = {.next = 1, .in_order = true};
  trin_subscriber_options_t o = {.service = "test", .pub_endpoint = pub, .endpoint = ep,
                                 .after_seq = 0, .retry_ms = 200};
  trin_subscriber_t *sub;
  assert_int_equal(trin_subscriber_new(&cloop, czctx, &o, consume, &c, &sub, &err), TRIN_OK);
  /* Connected and subscribed: it hears a heartbeat. */
  for (int i = 0; i < 2500; i++) turn(&sloop, &cloop);

  /* The subscriber stops reading; the service publishes EVENTS. */
  for (int i = 0; i < EVENTS / PER_TXN; i++) {
    assert_int_equal(trin_server_apply(server, emit_many, NULL, &err), TRIN_OK);
    uv_run(&sloop, UV_RUN_NOWAIT);
  }
  assert_int_equal(trin_outbox_last_seq(trin_server_outbox(server)), EVENTS);

  /* It reads again: the live part, then the dropped part from the log. */
  uint64_t deadline = uv_hrtime() + 120ull * 1000000000ull;
  while (c.count < EVENTS && uv_hrtime() < deadline) turn(&sloop, &cloop);
  trin_subscriber_stats_t st = trin_subscriber_stats(sub);
  print_message("slow subscriber: %llu delivered, %llu live, %llu repaired from the outbox, "
                "%llu gaps noticed, %llu duplicates dropped\n",
                (unsigned long long)st.delivered, (unsigned long long)st.live,
                (unsigned long long)st.repaired, (unsigned long long)st.gaps,
                (unsigned long long)st.duplicates);
  assert_int_equal(c.count, EVENTS);
  assert_true(c.in_order);
  assert_int_equal(trin_subscriber_last_seq(sub), EVENTS);
  /* Messages were really dropped (the high-water marks were reached) and
   * the gap was repaired from the outbox. */
  assert_true(st.live < EVENTS);
  assert_true(st.repaired > 0);
  assert_true(st.gaps >= 1);

  trin_subscriber_destroy(&sub);
  trin_server_destroy(&server);
  for (int i = 0; i < 10; i++) turn(&sloop, &cloop);
  uv_run(&cloop, UV_RUN_DEFAULT);
  uv_run(&sloop, UV_RUN_DEFAULT);
  uv_loop_close(&cloop);
  uv_loop_close(&sloop);
  zmq_ctx_term(czctx);
  zmq_ctx_term(szctx);
  trin_store_destroy(&store);
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(overflow_is_repaired_from_the_outbox),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
