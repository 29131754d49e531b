/* auth.curve — a trin_server behind CURVE and trin_zap, over
 * tcp://127.0.0.1, in this process: the server, its ZAP handler and a
 * filtering subscriber run on a libuv loop in a second thread, while the
 * tests connect from the main thread with their own ZeroMQ context.
 *
 * A registered key gets in and the handler sees its organisation, role and
 * fingerprint; an unregistered key, a registered key that expects another
 * server key, and a plain client are refused (seen on the client socket's
 * monitor: the handshake fails, it never succeeds); a plain connection to a
 * socket with a ZAP domain is refused by the handler; a reader key can
 * neither subscribe to events nor call EventsSince, a service key can both;
 * a revoked key is refused at its next connection, and on the connection it
 * already holds (its next request answered UNAUTHENTICATED, the gateway's
 * key alike) while other keys' connections go on; after every refusal a
 * good client is still served; a subscriber filtering one organisation gets
 * exactly that organisation's events while its sequence keeps up with all;
 * and every event's audit row names who caused it. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <cmocka.h>
#include <uv.h>
#include <zmq.h>

#include "trin_client.h"
#include "trin_codec.h"
#include "trin_keys.h"
#include "trin_server.h"
#include "trin_subscriber.h"
#include "trin_zap.h"

#define SAFETY_MS 15000 /* only a net under a hang: every wait ends on an event */

typedef struct {
  const char *name, *org, *role;
  trin_keypair_t kp;
  char fp[33];
} who_t;

enum { ALICE, BOB, READER, SVC, GATEWAY, STRANGER, NKEYS };

static struct {
  char dir[64], reg[128], db[128], ep[64], pub[64];
  trin_keypair_t server_kp;
  who_t keys[NKEYS];
  uv_loop_t loop;
  void *zctx, *tctx;
  trin_store_t *store;
  trin_server_t *server;
  trin_zap_t *zap;
  trin_subscriber_t *sub;
  uv_async_t stop;
  uv_thread_t thread;
  uv_mutex_t mu;
  uv_cond_t cond;
  uint64_t sub_last_seen, sub_count;
  bool sub_only_fsb;
  uint64_t last_fsb_seq;
  int mon_seq;
  bool joined;
} T = {.keys = {{"alice", "fsb", "writer"},
                {"bob", "os", "writer"},
                {"reader", "fsb", "reader"},
                {"svc", "trin", "service"},
                {"gateway", "trin", "gateway"},
                {"stranger", "", ""}}};

static int free_port(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_addr.s_addr = htonl(INADDR_LOOPBACK)};
  socklen_t len = sizeof a;
  if (fd < 0 || bind(fd, (struct sockaddr *)&a, sizeof a) != 0 ||
      getsockname(fd, (struct sockaddr *)&a, &len) != 0)
    return -1;
  close(fd);
  return ntohs(a.sin_port);
}

/* Replies with who the server says is calling and emits an event of the
 * caller's organisation ("trin.Pong" serves as the request type, so no test
 * proto is needed). */
static int whoami(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                  trin_err_t *err) {
  const trin_caller_t *c = trin_request_caller(req);
  char who[200];
  snprintf(who, sizeof who, "%s %s/%s/%s", c->authenticated ? "auth" : "anon", c->org, c->role,
           c->key);
  Trin__Ping p = TRIN__PING__INIT;
  trin_event_id_t ids[1] = {{"test", "x"}};
  uint64_t seq;
  int rc = trin_request_emit(req, "test.whoami", c->org, ids, 1, &p.base, &seq, err);
  if (rc) return rc;
  Trin__Pong pong = TRIN__PONG__INIT;
  pong.service = who;
  pong.last_seq = seq;
  return trin_request_reply(req, &pong.base, err);
}

static int consume(void *data, const Trin__Event *ev) {
  uv_mutex_lock(&T.mu);
  if (strcmp(ev->org, "fsb") != 0) T.sub_only_fsb = false;
  T.sub_last_seen = ev->seq;
  T.sub_count++;
  uv_cond_broadcast(&T.cond);
  uv_mutex_unlock(&T.mu);
  return TRIN_OK;
}

static void on_stop(uv_async_t *a) { uv_stop(a->loop); }
static void run_loop(void *arg) { uv_run(&T.loop, UV_RUN_DEFAULT); }

static trin_curve_client_t curve_of(int who, const char *server_pub) {
  trin_curve_client_t c = {.own = &T.keys[who].kp};
  snprintf(c.server_public_z85, sizeof c.server_public_z85, "%s",
           server_pub ? server_pub : T.server_kp.public_z85);
  return c;
}

static void register_key(int who) {
  trin_keys_entry_t e = {0};
  snprintf(e.public_z85, sizeof e.public_z85, "%s", T.keys[who].kp.public_z85);
  snprintf(e.org, sizeof e.org, "%s", T.keys[who].org);
  snprintf(e.role, sizeof e.role, "%s", T.keys[who].role);
  snprintf(e.name, sizeof e.name, "%s", T.keys[who].name);
  trin_err_t err;
  assert_int_equal(trin_keys_registry_add(T.reg, &e, &err), TRIN_OK);
}

static int setup(void **state) {
  snprintf(T.dir, sizeof T.dir, "/tmp/trin-auth-%d", (int)getpid());
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s && mkdir -p %s", T.dir, T.dir);
  if (system(cmd) != 0) return -1;
  snprintf(T.reg, sizeof T.reg, "%s/registry", T.dir);
  snprintf(T.db, sizeof T.db, "%s/s.db", T.dir);
  int p1 = free_port(), p2 = free_port();
  if (p1 <= 0 || p2 <= 0 || p1 == p2) return -1;
  snprintf(T.ep, sizeof T.ep, "tcp://127.0.0.1:%d", p1);
  snprintf(T.pub, sizeof T.pub, "tcp://127.0.0.1:%d", p2);

  trin_err_t err = {0};
  if (trin_keys_generate(&T.server_kp, &err)) return -1;
  for (int i = 0; i < NKEYS; i++) {
    if (trin_keys_generate(&T.keys[i].kp, &err)) return -1;
    trin_keys_fingerprint(T.keys[i].kp.public_z85, T.keys[i].fp);
    if (i != STRANGER) register_key(i);
  }

  trin_store_options_t so = {.location = T.db, .sync = TRIN_STORE_SYNC_NORMAL};
  if (trin_store_open(&so, &T.store, &err)) return -1;
  uv_loop_init(&T.loop);
  T.zctx = zmq_ctx_new();
  T.tctx = zmq_ctx_new();
  trin_server_options_t opt = {.service = "test", .endpoint = T.ep, .pub_endpoint = T.pub,
                               .heartbeat_ms = 100, .curve = &T.server_kp};
  /* Without the ZAP handler the server refuses to start in CURVE mode. */
  if (trin_server_new(&T.loop, T.zctx, T.store, &opt, &T.server, &err) != TRIN_EINTERNAL ||
      !strstr(err.message, "ZAP"))
    return -1;
  if (trin_zap_start(&T.loop, T.zctx, T.reg, &T.zap, &err)) return -1;
  trin_zap_t *second;
  if (trin_zap_start(&T.loop, T.zctx, T.reg, &second, &err) != TRIN_ECONFLICT) return -1;
  if (trin_server_new(&T.loop, T.zctx, T.store, &opt, &T.server, &err)) {
    fprintf(stderr, "server: %s\n", err.message);
    return -1;
  }
  trin_server_handle(T.server, &trin__pong__descriptor, whoami, NULL);

  /* A service following the events of one organisation only. */
  trin_curve_client_t sc = curve_of(SVC, NULL);
  trin_subscriber_options_t sub = {.service = "test", .pub_endpoint = T.pub, .endpoint = T.ep,
                                   .retry_ms = 200, .curve = &sc, .org = "fsb"};
  T.sub_only_fsb = true;
  if (trin_subscriber_new(&T.loop, T.zctx, &sub, consume, NULL, &T.sub, &err)) return -1;
  uv_mutex_init(&T.mu);
  uv_cond_init(&T.cond);
  uv_async_init(&T.loop, &T.stop, on_stop);
  return uv_thread_create(&T.thread, run_loop, NULL);
}

static void stop_loop(void) {
  if (T.joined) return;
  uv_async_send(&T.stop);
  uv_thread_join(&T.thread);
  T.joined = true;
}

static int teardown(void **state) {
  stop_loop();
  trin_subscriber_destroy(&T.sub);
  trin_zap_destroy(&T.zap);
  trin_server_destroy(&T.server);
  uv_close((uv_handle_t *)&T.stop, NULL);
  uv_run(&T.loop, UV_RUN_DEFAULT);
  uv_loop_close(&T.loop);
  zmq_ctx_term(T.zctx);
  zmq_ctx_term(T.tctx);
  trin_store_destroy(&T.store);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", T.dir);
  return system(cmd) == 0 ? 0 : -1;
}

/* Calls whoami as `who` (-1 = a plain client); returns the status. */
static int call(int who, const char *server_pub, int timeout_ms, char *answer, size_t cap,
                uint64_t *seq, trin_err_t *err) {
  trin_client_t *c;
  trin_curve_client_t cc;
  if (who >= 0) cc = curve_of(who, server_pub);
  int rc = trin_client_new_curve(T.ep, who >= 0 ? &cc : NULL, &c, err);
  if (rc) return rc;
  if (timeout_ms) trin_client_set_timeout(c, timeout_ms);
  Trin__Pong req = TRIN__PONG__INIT;
  ProtobufCMessage *r = NULL;
  rc = trin_client_call(c, &req.base, &trin__pong__descriptor, &r, err);
  if (rc == TRIN_OK) {
    Trin__Pong *pong = (Trin__Pong *)r;
    if (answer) snprintf(answer, cap, "%s", pong->service);
    if (seq) *seq = pong->last_seq;
    if (who == ALICE) {
      uv_mutex_lock(&T.mu);
      T.last_fsb_seq = pong->last_seq;
      uv_mutex_unlock(&T.mu);
    }
    trin_codec_free(r);
  }
  trin_client_destroy(&c);
  return rc;
}

static void expect_served(int who) {
  char answer[200], want[200];
  trin_err_t err;
  assert_int_equal(call(who, NULL, 0, answer, sizeof answer, NULL, &err), TRIN_OK);
  snprintf(want, sizeof want, "auth %s/%s/%s", T.keys[who].org, T.keys[who].role,
           T.keys[who].fp);
  assert_string_equal(answer, want);
}

/* ---- a socket of our own, watched through its monitor -------------------- */

typedef struct {
  void *sock, *mon;
} watched_t;

static watched_t open_watched(int type, int who, const char *server_pub, const char *endpoint) {
  watched_t w;
  w.sock = zmq_socket(T.tctx, type);
  assert_non_null(w.sock);
  int linger = 0;
  zmq_setsockopt(w.sock, ZMQ_LINGER, &linger, sizeof linger);
  if (who >= 0) {
    trin_curve_client_t cc = curve_of(who, server_pub);
    trin_err_t err;
    assert_int_equal(trin_keys_set_client(w.sock, &cc, &err), TRIN_OK);
  }
  if (type == ZMQ_SUB) zmq_setsockopt(w.sock, ZMQ_SUBSCRIBE, "", 0);
  char mon[64];
  snprintf(mon, sizeof mon, "inproc://auth-mon-%d", ++T.mon_seq);
  assert_int_equal(zmq_socket_monitor(w.sock, mon, ZMQ_EVENT_ALL), 0);
  w.mon = zmq_socket(T.tctx, ZMQ_PAIR);
  zmq_setsockopt(w.mon, ZMQ_LINGER, &linger, sizeof linger);
  assert_int_equal(zmq_connect(w.mon, mon), 0);
  assert_int_equal(zmq_connect(w.sock, endpoint), 0);
  return w;
}

/* The first event that settles the handshake: succeeded, failed (how), or
 * the connection dropped before it succeeded. 0 only if nothing came within
 * the safety net. *value is the event's value (the ZAP status for AUTH). */
static int handshake_outcome(watched_t *w, int *value) {
  const int settles = ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                      ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL |
                      ZMQ_EVENT_HANDSHAKE_FAILED_NO_DETAIL | ZMQ_EVENT_DISCONNECTED;
  for (;;) {
    zmq_pollitem_t it = {w->mon, 0, ZMQ_POLLIN, 0};
    if (zmq_poll(&it, 1, SAFETY_MS) <= 0) return 0;
    zmq_msg_t a, b;
    zmq_msg_init(&a);
    zmq_msg_init(&b);
    zmq_msg_recv(&a, w->mon, 0);
    zmq_msg_recv(&b, w->mon, 0);
    uint16_t ev;
    uint32_t val;
    memcpy(&ev, zmq_msg_data(&a), 2);
    memcpy(&val, (uint8_t *)zmq_msg_data(&a) + 2, 4);
    zmq_msg_close(&a);
    zmq_msg_close(&b);
    if (ev & settles) {
      if (value) *value = (int)val;
      return ev;
    }
  }
}

static void close_watched(watched_t *w) {
  zmq_socket_monitor(w->sock, NULL, 0);
  zmq_close(w->mon);
  zmq_close(w->sock);
}

/* ---- tests ------------------------------------------------------------------- */

static void registered_key_reaches_the_handler(void **state) {
  expect_served(ALICE);
  expect_served(READER);  /* the requests socket takes every registered key */
  expect_served(SVC);
}

static void unregistered_key_refused(void **state) {
  watched_t w = open_watched(ZMQ_DEALER, STRANGER, NULL, T.ep);
  int status = 0;
  assert_int_equal(handshake_outcome(&w, &status), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
  assert_int_equal(status, 400);
  close_watched(&w);
  /* Through the client: the refusal is reported as one, naming the key by
   * its fingerprint (the default timeout is never reached). */
  trin_err_t err;
  assert_int_equal(call(STRANGER, NULL, 0, NULL, 0, NULL, &err), TRIN_EUNAUTHENTICATED);
  assert_non_null(strstr(err.message, T.keys[STRANGER].fp));
  assert_null(strstr(err.message, T.keys[STRANGER].kp.public_z85));
  expect_served(ALICE);
}

static void wrong_server_key_refused(void **state) {
  /* Alice is registered, but expects another server: the server cannot open
   * her hello, so the connection drops before any handshake succeeds. */
  watched_t w = open_watched(ZMQ_DEALER, ALICE, T.keys[SVC].kp.public_z85, T.ep);
  int ev = handshake_outcome(&w, NULL);
  assert_int_not_equal(ev, 0);
  assert_int_not_equal(ev, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
  close_watched(&w);
  /* The client cannot tell this from a silent service: it times out and
   * says what to check. */
  trin_err_t err;
  assert_int_equal(call(ALICE, T.keys[SVC].kp.public_z85, 300, NULL, 0, NULL, &err),
                   TRIN_ETIMEOUT);
  assert_non_null(strstr(err.message, "public key"));
  expect_served(ALICE);
}

static void plain_client_refused(void **state) {
  watched_t w = open_watched(ZMQ_DEALER, -1, NULL, T.ep);
  int ev = handshake_outcome(&w, NULL);
  assert_int_not_equal(ev, 0);
  assert_int_not_equal(ev, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
  close_watched(&w);
  w = open_watched(ZMQ_SUB, -1, NULL, T.pub);
  ev = handshake_outcome(&w, NULL);
  assert_int_not_equal(ev, 0);
  assert_int_not_equal(ev, ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
  close_watched(&w);
  /* The client says so when its socket saw the mechanisms differ; when the
   * server hung up first, it can only time out. Either way: not served. */
  trin_err_t err;
  int rc = call(-1, NULL, 1000, NULL, 0, NULL, &err);
  assert_true(rc == TRIN_EUNAUTHENTICATED || rc == TRIN_ETIMEOUT);
  if (rc == TRIN_EUNAUTHENTICATED) assert_non_null(strstr(err.message, "only accepts CURVE"));
  expect_served(ALICE);
}

/* A plain socket with a ZAP domain asks the handler about NULL connections;
 * the handler refuses them all. */
static void plain_connection_on_zap_domain_refused(void **state) {
  void *router = zmq_socket(T.zctx, ZMQ_ROUTER);
  int linger = 0;
  zmq_setsockopt(router, ZMQ_LINGER, &linger, sizeof linger);
  zmq_setsockopt(router, ZMQ_ZAP_DOMAIN, TRIN_ZAP_REQUESTS, strlen(TRIN_ZAP_REQUESTS));
  char ep[64];
  snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", free_port());
  assert_int_equal(zmq_bind(router, ep), 0);
  watched_t w = open_watched(ZMQ_DEALER, -1, NULL, ep);
  int status = 0;
  assert_int_equal(handshake_outcome(&w, &status), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
  assert_int_equal(status, 400);
  close_watched(&w);
  /* And a client with a key, at a service without CURVE, is told so. */
  trin_client_t *c;
  trin_err_t err;
  trin_curve_client_t cc = curve_of(ALICE, NULL);
  assert_int_equal(trin_client_new_curve(ep, &cc, &c, &err), TRIN_OK);
  Trin__Ping ping = TRIN__PING__INIT;
  ProtobufCMessage *r = NULL;
  trin_client_set_timeout(c, 1000);
  int rc = trin_client_call(c, &ping.base, &trin__pong__descriptor, &r, &err);
  assert_true(rc == TRIN_EUNAUTHENTICATED || rc == TRIN_ETIMEOUT);
  if (rc == TRIN_EUNAUTHENTICATED) assert_non_null(strstr(err.message, "does not speak CURVE"));
  trin_client_destroy(&c);
  zmq_close(router);
  expect_served(ALICE);
}

static void events_only_for_services(void **state) {
  /* A reader key cannot subscribe ... */
  watched_t w = open_watched(ZMQ_SUB, READER, NULL, T.pub);
  int status = 0;
  assert_int_equal(handshake_outcome(&w, &status), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
  assert_int_equal(status, 400);
  close_watched(&w);
  /* ... nor replay the log. */
  trin_client_t *c;
  trin_err_t err;
  trin_curve_client_t cc = curve_of(READER, NULL);
  assert_int_equal(trin_client_new_curve(T.ep, &cc, &c, &err), TRIN_OK);
  Trin__EventsSince q = TRIN__EVENTS_SINCE__INIT;
  ProtobufCMessage *r = NULL;
  assert_int_equal(trin_client_call(c, &q.base, &trin__event_batch__descriptor, &r, &err),
                   TRIN_EFORBIDDEN);
  assert_non_null(strstr(err.message, "EventsSince"));
  assert_non_null(strstr(err.message, "reader"));
  trin_client_destroy(&c);

  /* A service key does both: it hears the heartbeat and replays. */
  w = open_watched(ZMQ_SUB, SVC, NULL, T.pub);
  assert_int_equal(handshake_outcome(&w, NULL), ZMQ_EVENT_HANDSHAKE_SUCCEEDED);
  zmq_pollitem_t it = {w.sock, 0, ZMQ_POLLIN, 0};
  assert_int_equal(zmq_poll(&it, 1, SAFETY_MS), 1);
  char topic[16] = {0};
  assert_int_equal(zmq_recv(w.sock, topic, sizeof topic - 1, 0), 4);
  assert_string_equal(topic, "test");
  close_watched(&w);
  cc = curve_of(SVC, NULL);
  assert_int_equal(trin_client_new_curve(T.ep, &cc, &c, &err), TRIN_OK);
  assert_int_equal(trin_client_call(c, &q.base, &trin__event_batch__descriptor, &r, &err),
                   TRIN_OK);
  Trin__EventBatch *batch = (Trin__EventBatch *)r;
  assert_true(batch->n_events > 0);
  trin_codec_free(r);
  trin_client_destroy(&c);
  expect_served(ALICE);
}

/* The subscriber (a service key, organisation fsb) gets fsb's events and
 * passes over os's, and still reaches the newest sequence. */
static void subscriber_filters_one_organisation(void **state) {
  expect_served(BOB);
  expect_served(ALICE);
  expect_served(BOB);
  expect_served(ALICE);
  uv_mutex_lock(&T.mu);
  uint64_t want = T.last_fsb_seq;
  while (T.sub_last_seen < want)
    if (uv_cond_timedwait(&T.cond, &T.mu, (uint64_t)SAFETY_MS * 1000000u) != 0) break;
  uint64_t seen = T.sub_last_seen;
  bool only_fsb = T.sub_only_fsb;
  uv_mutex_unlock(&T.mu);
  assert_int_equal(seen, want);
  assert_true(only_fsb);
}

static void revoked_key_refused_at_next_connection(void **state) {
  expect_served(BOB);
  trin_err_t err;
  assert_int_equal(trin_keys_registry_remove(T.reg, T.keys[BOB].fp, &err), TRIN_OK);
  watched_t w = open_watched(ZMQ_DEALER, BOB, NULL, T.ep);
  int status = 0;
  assert_int_equal(handshake_outcome(&w, &status), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
  assert_int_equal(status, 400);
  close_watched(&w);
  assert_int_equal(call(BOB, NULL, 0, NULL, 0, NULL, &err), TRIN_EUNAUTHENTICATED);
  /* A registry that no longer parses keeps the last good one in force. */
  FILE *f = fopen(T.reg, "a");
  fputs("this line is broken\n", f);
  fclose(f);
  expect_served(ALICE);
  w = open_watched(ZMQ_DEALER, BOB, NULL, T.ep);
  assert_int_equal(handshake_outcome(&w, &status), ZMQ_EVENT_HANDSHAKE_FAILED_AUTH);
  close_watched(&w);
  /* Registered again (the broken line removed first), Bob is back. */
  assert_int_equal(trin_keys_registry_remove(T.reg, T.keys[SVC].fp, &err), TRIN_EINVALID);
  f = fopen(T.reg, "r");
  char text[8192];
  size_t n = fread(text, 1, sizeof text - 1, f);
  fclose(f);
  text[n] = '\0';
  char *bad = strstr(text, "this line is broken\n");
  assert_non_null(bad);
  *bad = '\0';
  f = fopen(T.reg, "w");
  fputs(text, f);
  fclose(f);
  register_key(BOB);
  expect_served(BOB);
  expect_served(ALICE);  /* the last event is fsb's, for the subscriber check */
}

/* A Ping on an open connection c (the gateway's on behalf of a person when
 * actor is set): the status, err filled on a refusal. */
static int ping_on(trin_client_t *c, const Trin__Actor *actor, trin_err_t *err) {
  Trin__Ping ping = TRIN__PING__INIT;
  uint8_t payload[16], *bytes = NULL;
  size_t plen = trin__ping__pack(&ping, payload), blen = 0;
  Trin__Envelope env = TRIN__ENVELOPE__INIT;
  env.correlation_id = "ping-on";
  env.type = (char *)trin__ping__descriptor.name;
  env.payload.data = payload;
  env.payload.len = plen;
  env.actor = (Trin__Actor *)actor;
  assert_int_equal(trin_codec_pack(&env.base, &bytes, &blen, err), TRIN_OK);
  Trin__Envelope *reply = NULL;
  int rc = trin_client_call_raw(c, bytes, blen, &reply, err);
  free(bytes);
  if (rc) return rc;
  if (reply->status != TRIN__STATUS__OK) rc = trin_codec_error_from_reply(reply, err);
  else assert_string_equal(reply->type, trin__pong__descriptor.name);
  trin_codec_free(reply);
  return rc;
}

static trin_client_t *open_client(int who) {
  trin_client_t *c;
  trin_curve_client_t cc = curve_of(who, NULL);
  trin_err_t err;
  assert_int_equal(trin_client_new_curve(T.ep, &cc, &c, &err), TRIN_OK);
  return c;
}

/* Pings on c until refused (the service looks at the registry at most once
 * a second); the last status. SAFETY_MS is only a net under a hang. */
static int ping_until_refused(trin_client_t *c, const Trin__Actor *actor, trin_err_t *err) {
  int rc = ping_on(c, actor, err);
  for (int i = 0; i < SAFETY_MS / 50 && rc == TRIN_OK; i++) {
    usleep(50000);
    rc = ping_on(c, actor, err);
  }
  return rc;
}

static void expect_revoked(int rc, const trin_err_t *err, int who) {
  char want[128];
  snprintf(want, sizeof want, "key %s was revoked", T.keys[who].fp);
  assert_int_equal(rc, TRIN_EUNAUTHENTICATED);
  assert_non_null(strstr(err->message, want));
}

/* The handshake asked the registry once; a key revoked after it loses the
 * connection it holds too: its next requests there are refused, while
 * another key's open connection goes on. Registered again, it gets in. */
static void revoked_key_refused_on_open_connection(void **state) {
  trin_client_t *bob = open_client(BOB), *alice = open_client(ALICE);
  trin_err_t err;
  assert_int_equal(ping_on(bob, NULL, &err), TRIN_OK);
  assert_int_equal(ping_on(alice, NULL, &err), TRIN_OK);
  assert_int_equal(trin_keys_registry_remove(T.reg, T.keys[BOB].fp, &err), TRIN_OK);
  expect_revoked(ping_until_refused(bob, NULL, &err), &err, BOB);
  expect_revoked(ping_on(bob, NULL, &err), &err, BOB);  /* and stays refused */
  assert_int_equal(ping_on(alice, NULL, &err), TRIN_OK);
  register_key(BOB);
  expect_served(BOB);  /* a new connection */
  trin_client_destroy(&bob);

  /* The gateway's key, asking on a person's behalf, the same way. */
  Trin__Actor person = TRIN__ACTOR__INIT;
  person.org = "fsb";
  person.role = "writer";
  person.person = "someone@fsb";
  trin_client_t *gw = open_client(GATEWAY);
  assert_int_equal(ping_on(gw, &person, &err), TRIN_OK);
  assert_int_equal(trin_keys_registry_remove(T.reg, T.keys[GATEWAY].fp, &err), TRIN_OK);
  expect_revoked(ping_until_refused(gw, &person, &err), &err, GATEWAY);
  expect_revoked(ping_on(gw, NULL, &err), &err, GATEWAY);
  assert_int_equal(ping_on(alice, NULL, &err), TRIN_OK);
  register_key(GATEWAY);
  trin_client_destroy(&gw);
  gw = open_client(GATEWAY);
  assert_int_equal(ping_on(gw, &person, &err), TRIN_OK);
  trin_client_destroy(&gw);
  trin_client_destroy(&alice);
  expect_served(ALICE);  /* the last event is fsb's, for the subscriber check */
}

/* Stops the loop; the audit trail and the subscriber's position are read
 * with the loop thread gone. */
static int emit_applied(trin_request_t *req, void *data, trin_err_t *err) {
  Trin__Ping p = TRIN__PING__INIT;
  return trin_request_emit(req, "test.applied", "fsb", NULL, 0, &p.base, NULL, err);
}

static void audit_names_the_actor(void **state) {
  uv_mutex_lock(&T.mu);
  uint64_t want = T.last_fsb_seq;
  while (T.sub_last_seen < want)
    if (uv_cond_timedwait(&T.cond, &T.mu, (uint64_t)SAFETY_MS * 1000000u) != 0) break;
  uv_mutex_unlock(&T.mu);
  stop_loop();

  trin_outbox_t *ob = trin_server_outbox(T.server);
  uint64_t last = trin_outbox_last_seq(ob);
  assert_int_equal(trin_subscriber_last_seq(T.sub), last);
  trin_err_t err;
  assert_int_equal(trin_server_apply(T.server, emit_applied, NULL, &err), TRIN_OK);

  trin_outbox_audit_t rows[256];
  size_t n = 0;
  assert_int_equal(trin_outbox_audit(ob, 0, rows, 256, &n, &err), TRIN_OK);
  assert_int_equal(n, last + 1);
  uint64_t fsb = 0;
  for (size_t i = 0; i + 1 < n; i++) {
    assert_string_equal(rows[i].type, "test.whoami");
    int k = -1;
    for (int j = 0; j < NKEYS; j++)
      if (strcmp(rows[i].actor_key, T.keys[j].fp) == 0) k = j;
    assert_true(k >= 0);
    assert_string_equal(rows[i].actor_org, T.keys[k].org);
    assert_string_equal(rows[i].actor_role, T.keys[k].role);
    if (strcmp(rows[i].actor_org, "fsb") == 0) fsb++;
  }
  assert_int_equal(T.sub_count, fsb);  /* fsb's events, each once */
  assert_string_equal(rows[n - 1].type, "test.applied");
  assert_string_equal(rows[n - 1].actor_role, "service");
  assert_string_equal(rows[n - 1].actor_org, "");
  assert_string_equal(rows[n - 1].actor_key, "");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(registered_key_reaches_the_handler),
      cmocka_unit_test(unregistered_key_refused),
      cmocka_unit_test(wrong_server_key_refused),
      cmocka_unit_test(plain_client_refused),
      cmocka_unit_test(plain_connection_on_zap_domain_refused),
      cmocka_unit_test(events_only_for_services),
      cmocka_unit_test(subscriber_filters_one_organisation),
      cmocka_unit_test(revoked_key_refused_at_next_connection),
      cmocka_unit_test(revoked_key_refused_on_open_connection),
      cmocka_unit_test(audit_names_the_actor),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
