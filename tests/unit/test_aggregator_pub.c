/* aggregator.pub — the aggregator's ZeroMQ side, as another service sees it:
 *
 *  subscriber_exactly_once: a trin_subscriber on the aggregator's PUB gets
 *    every row change exactly once and in order as an
 *    `aggregator.status_changed` event whose StatusRow carries the row (its
 *    seq = the event's seq): changes made before it started (repaired from
 *    the outbox with EventsSince), live changes, and after it was stopped
 *    and started again from its last seq, the changes it missed while away
 *    (a gap repaired) and the live ones after.
 *  get_rows: trin.aggregator.GetRows answers the rows changed after a seq,
 *    in seq order, at most `limit`, with last_seq; more than 10,000 is
 *    refused naming the field. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>
#include <zmq.h>
#include <cmocka.h>

#include "test_aggregator_util.h"
#include "trin/aggregator.pb-c.h"
#include "trin_client.h"
#include "trin_codec.h"
#include "trin_subscriber.h"

static char dir[64], ep[128], pub[128];
static uint64_t seq; /* upstream (lifecycle) events fed */

/* Project i gets dwellings v: one row change. */
typedef struct {
  int i, v;
} change_t;
static void do_change(agg_service_t *a, void *arg) {
  change_t *c = arg;
  char id[16];
  snprintf(id, sizeof id, "P%05d", c->i);
  Trin__Lifecycle__Project p;
  tu_project(&p, id, "", "KAB");
  p.dwellings = c->v;
  p.municipality = "M";
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = &p;
  Trin__Event *ev = tu_event("lifecycle", ++seq, "lifecycle.project_created", &pe.base);
  agg_service_consume(a, 0, ev);
  tu_event_free(ev);
  trin_err_t err = {0};
  agg_service_flush(a, &err);
}
static void change(tu_svc_t *s, int i, int v) {
  change_t c = {i, v};
  tu_svc_run(s, do_change, &c);
}

static tu_svc_t *start(void) {
  snprintf(dir, sizeof dir, "/tmp/trin-aggpub-XXXXXX");
  assert_non_null(mkdtemp(dir));
  snprintf(ep, sizeof ep, "ipc://%s/req", dir);
  snprintf(pub, sizeof pub, "ipc://%s/pub", dir);
  tu_svc_options_t o = {.endpoint = ep, .pub_endpoint = pub, .heartbeat_ms = 100};
  seq = 0;
  return tu_svc_start_with(&o);
}

static void stop(tu_svc_t *s) {
  tu_svc_stop(s);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  assert_int_equal(system(cmd), 0);
}

/* ---- a follower ---- */

typedef struct {
  uint64_t seqs[256];
  char ids[256][16];
  int dwellings[256];
  int n;
  int bad;  /* wrong type, service, or a payload that does not decode / match */
} follower_t;

static int on_event(void *data, const Trin__Event *ev) {
  follower_t *f = data;
  if (strcmp(ev->type, "aggregator.status_changed") != 0 ||
      strcmp(ev->service, "aggregator") != 0) {
    f->bad++;
    return TRIN_OK;
  }
  Trin__Aggregator__StatusRow *r =
      trin__aggregator__status_row__unpack(NULL, ev->payload.len, ev->payload.data);
  if (!r || r->seq != ev->seq || f->n == 256) {
    f->bad++;
  } else {
    f->seqs[f->n] = ev->seq;
    snprintf(f->ids[f->n], sizeof f->ids[f->n], "%s", r->project_id);
    f->dwellings[f->n] = r->has_dwellings ? (int)r->dwellings : -1;
    f->n++;
  }
  if (r) trin__aggregator__status_row__free_unpacked(r, NULL);
  return TRIN_OK;
}

/* Runs the follower's loop until it holds `want` events (or 10 s), then a
 * little longer to catch duplicates. */
static void follow_until(uv_loop_t *loop, follower_t *f, int want) {
  for (int i = 0; i < 1000 && f->n < want; i++) {
    uv_run(loop, UV_RUN_NOWAIT);
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  for (int i = 0; i < 30; i++) { /* 300 ms more: heartbeats, late duplicates */
    uv_run(loop, UV_RUN_NOWAIT);
    struct timespec ts = {0, 10 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  assert_int_equal(f->n, want);
}

static void check_run(const follower_t *f, uint64_t first, const char *const *ids,
                      const int *dw, int n) {
  for (int i = 0; i < n; i++) {
    assert_int_equal(f->seqs[i], first + (uint64_t)i);
    assert_string_equal(f->ids[i], ids[i]);
    assert_int_equal(f->dwellings[i], dw[i]);
  }
}

static void close_walk(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h)) uv_close(h, NULL);
}

static void subscriber_exactly_once(void **state) {
  (void)state;
  tu_svc_t *s = start();
  /* before anyone listens: 10 rows */
  for (int i = 0; i < 10; i++) change(s, i, 100 + i);
  uv_loop_t loop;
  uv_loop_init(&loop);
  void *zctx = zmq_ctx_new();
  follower_t *f = calloc(1, sizeof *f);
  trin_subscriber_options_t so = {.service = "aggregator", .pub_endpoint = pub, .endpoint = ep,
                                  .after_seq = 0, .retry_ms = 200};
  trin_subscriber_t *sub;
  trin_err_t err = {0};
  assert_int_equal(trin_subscriber_new(&loop, zctx, &so, on_event, f, &sub, &err), 0);
  follow_until(&loop, f, 10);
  const char *ids0[] = {"P00000", "P00001", "P00002", "P00003", "P00004",
                        "P00005", "P00006", "P00007", "P00008", "P00009"};
  const int dw0[] = {100, 101, 102, 103, 104, 105, 106, 107, 108, 109};
  check_run(f, 1, ids0, dw0, 10);
  /* live: project 3 twice, two new ones; an event that changes nothing
   * publishes nothing */
  change(s, 3, 500);
  change(s, 3, 501);
  change(s, 10, 110);
  change(s, 4, 104);
  change(s, 11, 111);
  follow_until(&loop, f, 14);
  const char *ids1[] = {"P00003", "P00003", "P00010", "P00011"};
  const int dw1[] = {500, 501, 110, 111};
  for (int i = 0; i < 4; i++) {
    assert_int_equal(f->seqs[10 + i], 11 + (uint64_t)i);
    assert_string_equal(f->ids[10 + i], ids1[i]);
    assert_int_equal(f->dwellings[10 + i], dw1[i]);
  }
  trin_subscriber_stats_t st = trin_subscriber_stats(sub);
  assert_int_equal(st.delivered, 14);
  assert_int_equal(f->bad, 0);
  uint64_t last = trin_subscriber_last_seq(sub);
  assert_int_equal(last, 14);
  trin_subscriber_destroy(&sub);
  /* away: three changes it does not hear */
  change(s, 0, 900);
  change(s, 12, 112);
  change(s, 0, 901);
  so.after_seq = last;
  assert_int_equal(trin_subscriber_new(&loop, zctx, &so, on_event, f, &sub, &err), 0);
  follow_until(&loop, f, 17);
  change(s, 13, 113);
  follow_until(&loop, f, 18);
  const char *ids2[] = {"P00000", "P00012", "P00000", "P00013"};
  const int dw2[] = {900, 112, 901, 113};
  for (int i = 0; i < 4; i++) {
    assert_int_equal(f->seqs[14 + i], 15 + (uint64_t)i);
    assert_string_equal(f->ids[14 + i], ids2[i]);
    assert_int_equal(f->dwellings[14 + i], dw2[i]);
  }
  st = trin_subscriber_stats(sub);
  assert_int_equal(st.delivered, 4);
  assert_true(st.repaired >= 3); /* the missed ones came from the outbox */
  assert_int_equal(f->bad, 0);
  trin_subscriber_destroy(&sub);
  uv_walk(&loop, close_walk, NULL);
  uv_run(&loop, UV_RUN_DEFAULT);
  uv_loop_close(&loop);
  zmq_ctx_term(zctx);
  free(f);
  stop(s);
}

static int get_rows(trin_client_t *cl, uint64_t since, uint32_t limit,
                    Trin__Aggregator__RowList **out, trin_err_t *err) {
  Trin__Aggregator__GetRows q = TRIN__AGGREGATOR__GET_ROWS__INIT;
  q.since_seq = since;
  q.limit = limit;
  return trin_client_call(cl, &q.base, &trin__aggregator__row_list__descriptor,
                          (ProtobufCMessage **)out, err);
}

static void get_rows_test(void **state) {
  (void)state;
  tu_svc_t *s = start();
  for (int i = 0; i < 8; i++) change(s, i, 10 + i);  /* seq 1..8 */
  change(s, 2, 99);                                  /* seq 9: P00002 */
  change(s, 5, 98);                                  /* seq 10: P00005 */
  trin_client_t *cl;
  trin_err_t err = {0};
  assert_int_equal(trin_client_new(ep, &cl, &err), 0);
  Trin__Aggregator__RowList *rl = NULL;
  /* everything, in seq order: each row once, in its current state */
  assert_int_equal(get_rows(cl, 0, 0, &rl, &err), 0);
  assert_int_equal(rl->n_rows, 8);
  assert_int_equal(rl->last_seq, 10);
  const char *order[] = {"P00000", "P00001", "P00003", "P00004",
                         "P00006", "P00007", "P00002", "P00005"};
  const uint64_t seqs[] = {1, 2, 4, 5, 7, 8, 9, 10};
  for (size_t i = 0; i < 8; i++) {
    assert_string_equal(rl->rows[i]->project_id, order[i]);
    assert_int_equal(rl->rows[i]->seq, seqs[i]);
  }
  assert_int_equal(rl->rows[6]->dwellings, 99);
  assert_string_equal(rl->rows[0]->stage, "pre_study");
  assert_string_equal(rl->rows[0]->stage_since, "2024-03-01");
  trin_codec_free(rl);
  /* after a seq, with a limit */
  assert_int_equal(get_rows(cl, 4, 3, &rl, &err), 0);
  assert_int_equal(rl->n_rows, 3);
  assert_int_equal(rl->rows[0]->seq, 5);
  assert_int_equal(rl->rows[1]->seq, 7);
  assert_int_equal(rl->rows[2]->seq, 8);
  assert_int_equal(rl->last_seq, 10);
  trin_codec_free(rl);
  /* nothing after the last */
  assert_int_equal(get_rows(cl, 10, 0, &rl, &err), 0);
  assert_int_equal(rl->n_rows, 0);
  assert_int_equal(rl->last_seq, 10);
  trin_codec_free(rl);
  /* too many at once */
  rl = NULL;
  assert_int_equal(get_rows(cl, 0, 10001, &rl, &err), TRIN_EINVALID);
  assert_null(rl);
  assert_string_equal(err.field, "limit");
  trin_client_destroy(&cl);
  stop(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(subscriber_exactly_once),
      cmocka_unit_test(get_rows_test),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
