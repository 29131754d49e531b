/* lifecycle.robustness — hostile bytes get error replies and the service
 * keeps answering; kill -9 in the middle of a stream of commands loses
 * nothing that was acknowledged, and the event log replays every event
 * exactly once, in order, to a subscriber starting from 0. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <uv.h>
#include <zmq.h>

#include "lcclient.h"
#include "testproc.h"
#include "trin_codec.h"
#include "trin_date.h"
#include "trin_subscriber.h"

static testproc_t svc;
static trin_client_t *cl;

static int setup(void **state) {
  testproc_init(&svc, "robust");
  const char *extra[] = {"--max-message=65536", NULL};
  if (!testproc_start(&svc, TRIN_LIFECYCLE_BIN, extra)) return -1;
  trin_err_t err;
  return trin_client_new(svc.endpoint, &cl, &err) ? -1 : 0;
}

static int teardown(void **state) {
  trin_client_destroy(&cl);
  int rc = testproc_stop(&svc);
  testproc_cleanup(&svc);
  return rc == 0 ? 0 : -1;
}

static uint64_t last_seq(void) {
  Trin__Ping ping = TRIN__PING__INIT;
  Trin__Pong *pong = NULL;
  trin_err_t err;
  assert_int_equal(trin_client_call(cl, &ping.base, &trin__pong__descriptor,
                                    (ProtobufCMessage **)&pong, &err),
                   TRIN_OK);
  uint64_t s = pong->last_seq;
  trin_codec_free(pong);
  return s;
}

/* Sends bytes, expects an error reply; returns its status. */
static int raw_status(const void *bytes, size_t len, char *field, size_t fsz) {
  Trin__Envelope *env = NULL;
  trin_err_t err;
  int rc = trin_client_call_raw(cl, bytes, len, &env, &err);
  assert_int_equal(rc, TRIN_OK);  /* an answer came */
  int st = env->status;
  if (field) snprintf(field, fsz, "%s", env->error ? env->error->field : "");
  if (st != 0) {
    assert_non_null(env->error);
    assert_true(strlen(env->error->message) > 5);
  }
  trin_codec_free(env);
  return st;
}

static void pack_envelope(const char *type, const void *payload, size_t plen,
                          uint8_t **out, size_t *len) {
  Trin__Envelope env = TRIN__ENVELOPE__INIT;
  env.correlation_id = "robust";
  env.type = (char *)type;
  env.payload.data = (uint8_t *)payload;
  env.payload.len = plen;
  assert_int_equal(trin_codec_pack(&env.base, out, len, NULL), TRIN_OK);
}

static void random_bytes(void **state) {
  uint64_t before = last_seq();
  srand(12345);
  for (int i = 0; i < 2000; i++) {
    size_t n = (size_t)(rand() % 300);
    uint8_t buf[300];
    for (size_t k = 0; k < n; k++) buf[k] = (uint8_t)rand();
    assert_int_not_equal(raw_status(buf, n, NULL, 0), 0);
  }
  assert_int_equal(last_seq(), before);
}

static void truncated_messages(void **state) {
  trin_err_t err;
  assert_int_equal(lc_org(cl, "RB-client", "client", &err), TRIN_OK);
  Trin__Lifecycle__Organisation o = TRIN__LIFECYCLE__ORGANISATION__INIT;
  o.id = "RB-truncated";
  o.name = "Truncated Boligselskab";
  o.kind = "client";
  Trin__Lifecycle__CreateOrganisation m = TRIN__LIFECYCLE__CREATE_ORGANISATION__INIT;
  m.organisation = &o;
  uint8_t *pl, *env;
  size_t pn, en;
  assert_int_equal(trin_codec_pack(&m.base, &pl, &pn, NULL), TRIN_OK);
  pack_envelope(trin__lifecycle__create_organisation__descriptor.name, pl, pn, &env, &en);
  uint64_t before = last_seq();
  for (size_t cut = 0; cut < en; cut++) assert_int_not_equal(raw_status(env, cut, NULL, 0), 0);
  assert_int_equal(last_seq(), before);
  /* The whole message still works: the service is alive and well. */
  assert_int_equal(raw_status(env, en, NULL, 0), 0);
  assert_int_equal(last_seq(), before + 1);
  free(pl);
  free(env);
}

static void unknown_type_and_bad_payload(void **state) {
  uint8_t *env;
  size_t en;
  char field[64];
  pack_envelope("trin.lifecycle.LaunchRocket", "", 0, &env, &en);
  assert_int_equal(raw_status(env, en, field, sizeof field), TRIN__STATUS__UNKNOWN_TYPE);
  assert_string_equal(field, "type");
  free(env);
  uint8_t junk[] = {0xff, 0xff, 0xff, 0xff, 0x0f};
  pack_envelope(trin__lifecycle__create_project__descriptor.name, junk, sizeof junk, &env,
                &en);
  assert_int_equal(raw_status(env, en, field, sizeof field), TRIN__STATUS__DECODE);
  assert_string_equal(field, "payload");
  free(env);
}

static void oversized_message(void **state) {
  size_t n = 200 * 1024; /* over --max-message=65536 */
  uint8_t *big = calloc(1, n);
  uint8_t *env;
  size_t en;
  pack_envelope(trin__lifecycle__create_project__descriptor.name, big, n, &env, &en);
  assert_int_equal(raw_status(env, en, NULL, 0), TRIN__STATUS__TOO_BIG);
  free(env);
  free(big);
  assert_true(last_seq() > 0); /* still answering */
}

static void malformed_frames(void **state) {
  /* Three frames where one is expected. */
  void *ctx = zmq_ctx_new();
  void *s = zmq_socket(ctx, ZMQ_DEALER);
  int linger = 0, timeout = 3000;
  zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
  zmq_setsockopt(s, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
  assert_int_equal(zmq_connect(s, svc.endpoint), 0);
  zmq_send(s, "a", 1, ZMQ_SNDMORE);
  zmq_send(s, "b", 1, ZMQ_SNDMORE);
  zmq_send(s, "c", 1, 0);
  uint8_t buf[4096];
  int n = zmq_recv(s, buf, sizeof buf, 0);
  assert_true(n > 0);
  Trin__Envelope *env = trin__envelope__unpack(NULL, (size_t)n, buf);
  assert_non_null(env);
  assert_int_equal(env->status, TRIN__STATUS__DECODE);
  trin__envelope__free_unpacked(env, NULL);
  zmq_close(s);
  zmq_ctx_term(ctx);
}

/* ---- kill -9 in a stream of commands --------------------------------------------- */

#define STREAM 6000

static void send_create(void *sock, int i) {
  char id[32], cid[32];
  snprintf(id, sizeof id, "K-%05d", i);
  snprintf(cid, sizeof cid, "%d", i);
  Trin__Lifecycle__Organisation o = TRIN__LIFECYCLE__ORGANISATION__INIT;
  o.id = id;
  o.name = id;
  o.kind = "advisor";
  Trin__Lifecycle__CreateOrganisation m = TRIN__LIFECYCLE__CREATE_ORGANISATION__INIT;
  m.organisation = &o;
  uint8_t pl[256], buf[512];
  size_t pn = trin__lifecycle__create_organisation__pack(&m, pl);
  Trin__Envelope env = TRIN__ENVELOPE__INIT;
  env.correlation_id = cid;
  env.type = (char *)trin__lifecycle__create_organisation__descriptor.name;
  env.payload.data = pl;
  env.payload.len = pn;
  size_t n = trin__envelope__pack(&env, buf);
  zmq_send(sock, buf, n, 0);
}

/* Reads available replies; marks acknowledged commands. */
static int drain_replies(void *sock, bool *acked, int wait_ms) {
  int got = 0;
  zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
  while (zmq_poll(&it, 1, wait_ms) > 0) {
    uint8_t buf[4096];
    int n = zmq_recv(sock, buf, sizeof buf, ZMQ_DONTWAIT);
    if (n <= 0) break;
    Trin__Envelope *env = trin__envelope__unpack(NULL, (size_t)n, buf);
    if (env && env->status == 0) {
      int i = atoi(env->correlation_id);
      if (i >= 0 && i < STREAM) acked[i] = true;
      got++;
    }
    if (env) trin__envelope__free_unpacked(env, NULL);
  }
  return got;
}

typedef struct {
  uint64_t expect_next, count, target;
  bool in_order;
  int orgs_seen;
  uv_loop_t *loop;
} replay_t;

static int on_event(void *data, const Trin__Event *ev) {
  replay_t *r = data;
  if (ev->seq != r->expect_next) r->in_order = false;
  r->expect_next = ev->seq + 1;
  r->count++;
  if (strcmp(ev->type, "lifecycle.organisation_created") == 0) r->orgs_seen++;
  if (ev->seq >= r->target) uv_stop(r->loop);
  return TRIN_OK;
}

static void on_deadline(uv_timer_t *t) { uv_stop(t->loop); }

static void kill9_mid_stream(void **state) {
  uint64_t base_seq = last_seq();
  static bool acked[STREAM];
  memset(acked, 0, sizeof acked);
  void *ctx = zmq_ctx_new();
  void *s = zmq_socket(ctx, ZMQ_DEALER);
  int linger = 0;
  zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
  assert_int_equal(zmq_connect(s, svc.endpoint), 0);
  /* Queue the whole stream, then kill the service once a third is
   * acknowledged: the rest is in its socket buffers or mid-batch. */
  for (int i = 0; i < STREAM; i++) send_create(s, i);
  int acks = 0;
  for (int spins = 0; acks < STREAM / 3 && spins < 10000; spins++)
    acks += drain_replies(s, acked, 1);
  testproc_kill9(&svc);
  /* Replies already on their way were acknowledged too. */
  acks += drain_replies(s, acked, 300);
  zmq_close(s);
  zmq_ctx_term(ctx);
  int nacked = 0;
  for (int i = 0; i < STREAM; i++) nacked += acked[i];
  print_message("acknowledged %d of %d commands before kill -9\n", nacked, STREAM);
  assert_true(nacked >= STREAM / 3);

  /* Restart on the same store. */
  trin_client_destroy(&cl);
  const char *extra[] = {"--max-message=65536", NULL};
  assert_true(testproc_start(&svc, TRIN_LIFECYCLE_BIN, extra));
  trin_err_t err;
  assert_int_equal(trin_client_new(svc.endpoint, &cl, &err), TRIN_OK);

  Trin__Lifecycle__ListOrganisations q = TRIN__LIFECYCLE__LIST_ORGANISATIONS__INIT;
  Trin__Lifecycle__OrganisationList *list = NULL;
  assert_int_equal(trin_client_call(cl, &q.base, &trin__lifecycle__organisation_list__descriptor,
                                    (ProtobufCMessage **)&list, &err),
                   TRIN_OK);
  static bool stored[STREAM];
  memset(stored, 0, sizeof stored);
  int kstored = 0;
  for (size_t k = 0; k < list->n_organisations; k++) {
    const char *id = list->organisations[k]->id;
    if (strncmp(id, "K-", 2) == 0) {
      stored[atoi(id + 2)] = true;
      kstored++;
    }
  }
  size_t total_orgs = list->n_organisations;
  trin_codec_free(list);
  for (int i = 0; i < STREAM; i++)
    if (acked[i] && !stored[i]) fail_msg("command %d was acknowledged but is lost", i);
  print_message("stored %d (acknowledged %d, the rest were in flight)\n", kstored, nacked);

  /* Every event exactly once, in order, from 0: through the subscriber. */
  uint64_t last = last_seq();
  assert_true(last >= base_seq + (uint64_t)kstored);
  uv_loop_t loop;
  uv_loop_init(&loop);
  void *zctx = zmq_ctx_new();
  replay_t r = {.expect_next = 1, .in_order = true, .target = last, .loop = &loop};
  trin_subscriber_options_t so = {.service = "lifecycle", .pub_endpoint = svc.pub,
                                  .endpoint = svc.endpoint, .after_seq = 0};
  trin_subscriber_t *sub = NULL;
  assert_int_equal(trin_subscriber_new(&loop, zctx, &so, on_event, &r, &sub, &err), TRIN_OK);
  uv_timer_t deadline;
  uv_timer_init(&loop, &deadline);
  uv_timer_start(&deadline, on_deadline, 20000, 0);
  uv_run(&loop, UV_RUN_DEFAULT);
  trin_subscriber_stats_t st = trin_subscriber_stats(sub);
  trin_subscriber_destroy(&sub);
  uv_close((uv_handle_t *)&deadline, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  zmq_ctx_term(zctx);
  print_message("replayed %llu events (%llu from the outbox), %llu duplicates dropped\n",
                (unsigned long long)r.count, (unsigned long long)st.repaired,
                (unsigned long long)st.duplicates);
  assert_true(r.in_order);
  assert_int_equal(r.count, last);
  /* One organisation_created per stored organisation, no more, no less. */
  assert_int_equal(r.orgs_seen, (int)total_orgs);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(random_bytes),
      cmocka_unit_test(truncated_messages),
      cmocka_unit_test(unknown_type_and_bad_payload),
      cmocka_unit_test(oversized_message),
      cmocka_unit_test(malformed_frames),
      cmocka_unit_test(kill9_mid_stream),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
