/* feed.sse_resume — the SSE stream: a first connection gets every row, live
 * changes follow as `event: status` with `id:` = the row's seq; a client
 * that reconnects with Last-Event-ID gets exactly the rows changed since
 * (each once, in seq order, a row changed twice only in its latest state)
 * and nothing it already had; heartbeat comments keep it open. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_aggregator_util.h"

static tu_svc_t *svc;
static uint64_t seq;

/* Sets project i's dwellings to v (one row change). */
typedef struct {
  int i, v;
} change_t;
static void do_change(agg_service_t *a, void *arg) {
  change_t *c = arg;
  char id[16];
  snprintf(id, sizeof id, "P%05d", c->i);
  Trin__Lifecycle__Project p;
  tu_project(&p, id, c->i % 3 ? "LIVA" : "", "KAB");
  p.dwellings = c->v;
  char muni[8];
  snprintf(muni, sizeof muni, "M%d", c->i % 7);
  p.municipality = muni;
  p.fast_track = c->i % 2 == 0;
  p.stage = c->i % 4 == 0 ? "trin3" : "trin1";
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = &p;
  Trin__Event *ev = tu_event("lifecycle", ++seq, "lifecycle.stage_changed", &pe.base);
  agg_service_consume(a, 0, ev);
  tu_event_free(ev);
  trin_err_t err = {0};
  agg_service_flush(a, &err);
}
static void change(int i, int v) {
  change_t c = {i, v};
  tu_svc_run(svc, do_change, &c);
}

static void resume(void **state) {
  svc = tu_svc_start("", 0, 100);
  seq = 0;
  tu_svc_projects(svc, 20, &seq);
  tu_sse_t *s = calloc(1, sizeof *s);
  uint64_t ids[64];
  assert_true(tu_sse_open(s, tu_svc_port(svc), NULL));
  assert_int_equal(tu_sse_read(s, 20, 3000, ids, 64, NULL), 20);
  for (int i = 0; i < 20; i++) assert_int_equal(ids[i], (uint64_t)i + 1);
  /* live */
  for (int i = 0; i < 5; i++) change(i, 1000 + i);
  assert_int_equal(tu_sse_read(s, 5, 3000, ids, 64, NULL), 5);
  for (int i = 0; i < 5; i++) assert_int_equal(ids[i], (uint64_t)21 + i);
  /* an event that changes nothing sends nothing; heartbeats come */
  change(0, 1000);
  int comments = 0;
  assert_int_equal(tu_sse_read(s, 1, 400, ids, 64, &comments), 0);
  assert_true(comments >= 2);
  tu_sse_close(s);
  /* while away: 7 changes, project 3 twice */
  change(3, 2000);
  change(7, 2000);
  change(3, 2001);
  change(8, 2000);
  change(9, 2000);
  change(10, 2000);
  change(11, 2000);
  assert_true(tu_sse_open(s, tu_svc_port(svc), "25"));
  size_t n = tu_sse_read(s, 6, 3000, ids, 64, NULL);
  assert_int_equal(n, 6);
  /* exactly the rows /api/v1/status?since=25 names, in seq order */
  tu_http_t r;
  assert_true(tu_get_auth(tu_svc_port(svc), "/api/v1/status?since=25", &r));
  json_t *doc = json_loads(r.body, 0, NULL);
  json_t *rows = json_object_get(doc, "rows");
  assert_int_equal(json_array_size(rows), 6);
  uint64_t want[6];
  for (size_t i = 0; i < 6; i++)
    want[i] = (uint64_t)json_integer_value(json_object_get(json_array_get(rows, i), "seq"));
  json_decref(doc);
  tu_http_free(&r);
  for (size_t i = 0; i < 6; i++) {
    assert_int_equal(ids[i], want[i]);
    assert_true(ids[i] > 25);
    if (i) assert_true(ids[i] > ids[i - 1]);
  }
  /* nothing more, then live again */
  assert_int_equal(tu_sse_read(s, 1, 300, ids, 64, NULL), 0);
  change(12, 3000);
  assert_int_equal(tu_sse_read(s, 1, 3000, ids, 64, NULL), 1);
  assert_int_equal(ids[0], want[5] + 1);
  tu_sse_close(s);
  /* resuming from the newest id sends nothing */
  char last[32];
  snprintf(last, sizeof last, "%llu", (unsigned long long)want[5] + 1);
  assert_true(tu_sse_open(s, tu_svc_port(svc), last));
  assert_int_equal(tu_sse_read(s, 1, 300, ids, 64, NULL), 0);
  tu_sse_close(s);
  free(s);
  tu_svc_stop(svc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(resume),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
