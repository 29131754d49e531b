/* feed.powerbi_push — changed rows POSTed to a Power BI push dataset (a
 * local receiver standing in for Power BI, on its own loop thread):
 *
 *  limits_and_refusals: the receiver answers 503 three times, 429 with
 *    Retry-After: 1 twice and 400 once, then accepts. 10,500 projects, and
 *    later 40 single-row changes in quick succession (so the rate window
 *    must hold POSTs back, which the sender counts), every row has arrived (at least once; per
 *    project the highest seq received is exactly the row's seq in the feed,
 *    and no project is missing or extra), no POST held more than 10,000
 *    rows, no more than 5 were in flight at once, no window of the
 *    configured length saw more POSTs than allowed (counted from the
 *    receiver's arrival times), a 5,000-character name arrived cut to
 *    4,000, and /metrics shows the queue empty and the refusals counted.
 *  kill9_while_down: trin-lifecycle and trin-aggregator as processes, the
 *    receiver down (connection refused); rows are queued (metrics), the
 *    aggregator is killed with SIGKILL, the receiver comes up, a restarted
 *    aggregator delivers every queued row; the push URL's key never
 *    appears in the log; SIGTERM ends it with 0. */
#include <jansson.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <uv.h>
#include <cmocka.h>

#include "lcclient.h"
#include "test_aggregator_util.h"
#include "testproc.h"
#include "trin_codec.h"
#include "trin_http.h"

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* ---- the receiver: a stand-in for Power BI's push endpoint --------------------------- */

typedef struct {
  char id[16];
  uint64_t seq;
} got_row_t;

typedef struct {
  uv_loop_t loop;
  uv_async_t stop;
  uv_thread_t thread;
  trin_http_server_t *http;
  int port;
  char want_path[256];
  int script[16];  /* the answers to the first requests; then 200 */
  int nscript;
  int delay_ms;    /* each answer waits this long (so requests overlap) */
  pthread_mutex_t mu;
  /* what arrived (under mu) */
  uint64_t *arrivals;  /* ms, every POST */
  int *statuses;
  int nposts, capposts;
  got_row_t *rows;
  size_t nrows, caprows;
  int max_batch;
  size_t long_name_len;  /* of the project whose name is long */
  char long_name_prefix[8];
  int inflight, max_inflight;
  int bad_requests;      /* wrong path, method or body */
  json_t *watched;       /* the last row received for project "P00042" */
} receiver_t;

typedef struct {
  receiver_t *rx;
  trin_http_response_t *res;
  int status;
  uv_timer_t timer;
} answer_t;

static void on_answer_closed(uv_handle_t *h) { free(h->data); }

static void send_answer(uv_timer_t *t) {
  answer_t *a = t->data;
  receiver_t *rx = a->rx;
  pthread_mutex_lock(&rx->mu);
  rx->inflight--;
  pthread_mutex_unlock(&rx->mu);
  if (a->status == 429) trin_http_set_header(a->res, "Retry-After", "1");
  const char *body = a->status == 200 ? "" : "{\"error\":{\"code\":\"Refused by the test\"}}";
  trin_http_respond(a->res, a->status, "application/json", body, strlen(body));
  uv_close((uv_handle_t *)&a->timer, on_answer_closed);
}

static void rx_handler(void *data, const trin_http_request_t *req, trin_http_response_t *res) {
  receiver_t *rx = data;
  pthread_mutex_lock(&rx->mu);
  int idx = rx->nposts;
  int status = idx < rx->nscript ? rx->script[idx] : 200;
  if (rx->nposts == rx->capposts) {
    rx->capposts = rx->capposts ? rx->capposts * 2 : 64;
    rx->arrivals = realloc(rx->arrivals, (size_t)rx->capposts * sizeof *rx->arrivals);
    rx->statuses = realloc(rx->statuses, (size_t)rx->capposts * sizeof *rx->statuses);
  }
  rx->arrivals[idx] = uv_hrtime() / 1000000u;
  rx->inflight++;
  if (rx->inflight > rx->max_inflight) rx->max_inflight = rx->inflight;
  json_t *doc = NULL;
  if (strcmp(req->method, "POST") != 0 || strcmp(req->path, rx->want_path) != 0 ||
      !(doc = json_loadb(req->body, req->body_len, 0, NULL)) ||
      !json_is_array(json_object_get(doc, "rows"))) {
    rx->bad_requests++;
    status = 400;
  }
  rx->statuses[idx] = status;
  rx->nposts++;
  if (status == 200) {
    json_t *rows = json_object_get(doc, "rows");
    size_t n = json_array_size(rows);
    if ((int)n > rx->max_batch) rx->max_batch = (int)n;
    for (size_t i = 0; i < n; i++) {
      json_t *r = json_array_get(rows, i);
      if (rx->nrows == rx->caprows) {
        rx->caprows = rx->caprows ? rx->caprows * 2 : 1024;
        rx->rows = realloc(rx->rows, rx->caprows * sizeof *rx->rows);
      }
      got_row_t *g = &rx->rows[rx->nrows++];
      snprintf(g->id, sizeof g->id, "%s", json_string_value(json_object_get(r, "project_id")));
      g->seq = (uint64_t)json_integer_value(json_object_get(r, "seq"));
      if (strcmp(g->id, "P00042") == 0) {
        json_decref(rx->watched);
        rx->watched = json_incref(r);
      }
      const char *name = json_string_value(json_object_get(r, "project_name"));
      if (name && strlen(name) > 100) {
        rx->long_name_len = strlen(name);
        snprintf(rx->long_name_prefix, sizeof rx->long_name_prefix, "%s", name);
      }
    }
  }
  pthread_mutex_unlock(&rx->mu);
  json_decref(doc);
  answer_t *a = calloc(1, sizeof *a);
  a->rx = rx;
  a->res = res;
  a->status = status;
  uv_timer_init(&rx->loop, &a->timer);
  a->timer.data = a;
  uv_timer_start(&a->timer, send_answer, (uint64_t)rx->delay_ms, 0);
}

static void rx_thread(void *arg) {
  receiver_t *rx = arg;
  uv_run(&rx->loop, UV_RUN_DEFAULT);
}

static void rx_walk_close(uv_handle_t *h, void *arg) {
  (void)arg;
  if (!uv_is_closing(h)) uv_close(h, NULL);
}

static void on_rx_stop(uv_async_t *h) {
  receiver_t *rx = h->data;
  trin_http_server_destroy(&rx->http);
  uv_walk(&rx->loop, rx_walk_close, NULL);
}

/* port 0 = any; the receiver serves path; script[0..n) are its first answers. */
static receiver_t *rx_start(int port, const char *path, const int *script, int n, int delay_ms) {
  receiver_t *rx = calloc(1, sizeof *rx);
  uv_loop_init(&rx->loop);
  pthread_mutex_init(&rx->mu, NULL);
  snprintf(rx->want_path, sizeof rx->want_path, "%s", path);
  for (int i = 0; i < n && i < 16; i++) rx->script[i] = script[i];
  rx->nscript = n;
  rx->delay_ms = delay_ms;
  char addr[64];
  snprintf(addr, sizeof addr, "127.0.0.1:%d", port);
  /* 10,000 rows of ~1 KiB in one body */
  trin_http_options_t ho = {.address = addr, .max_body = 64u << 20};
  trin_err_t err = {0};
  if (trin_http_server_new(&rx->loop, &ho, rx_handler, rx, &rx->http, &err))
    fail_msg("receiver on %s: %s", addr, err.message);
  rx->port = trin_http_server_port(rx->http);
  uv_async_init(&rx->loop, &rx->stop, on_rx_stop);
  rx->stop.data = rx;
  uv_thread_create(&rx->thread, rx_thread, rx);
  return rx;
}

static void rx_stop(receiver_t *rx) {
  uv_async_send(&rx->stop);
  uv_thread_join(&rx->thread);
  uv_run(&rx->loop, UV_RUN_DEFAULT);
  uv_loop_close(&rx->loop);
  pthread_mutex_destroy(&rx->mu);
  free(rx->arrivals);
  free(rx->statuses);
  free(rx->rows);
  json_decref(rx->watched);
  free(rx);
}

/* ---- checks ------------------------------------------------------------------------------ */

static int cmp_got(const void *a, const void *b) {
  const got_row_t *x = a, *y = b;
  int c = strcmp(x->id, y->id);
  if (c) return c;
  return x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* De-duplicates what the receiver got by project (highest seq) and checks
 * it equals the feed's rows exactly: same projects, same seq. */
static void check_delivered(receiver_t *rx, int feed_port, size_t want_rows) {
  tu_http_t r;
  assert_true(tu_get_auth(feed_port, "/api/v1/status", &r));
  assert_int_equal(r.status, 200);
  json_t *doc = json_loads(r.body, 0, NULL);
  tu_http_free(&r);
  json_t *rows = json_object_get(doc, "rows");
  assert_int_equal(json_array_size(rows), want_rows);
  pthread_mutex_lock(&rx->mu);
  qsort(rx->rows, rx->nrows, sizeof *rx->rows, cmp_got);
  size_t k = 0, projects = 0;
  for (size_t i = 0; i < rx->nrows; i++) {
    if (i + 1 < rx->nrows && strcmp(rx->rows[i].id, rx->rows[i + 1].id) == 0) continue;
    rx->rows[k++] = rx->rows[i]; /* the highest seq of each project */
  }
  projects = k;
  assert_int_equal(projects, want_rows);
  /* the feed is in project order, as the sorted received rows */
  for (size_t i = 0; i < projects; i++) {
    json_t *row = json_array_get(rows, i);
    assert_string_equal(rx->rows[i].id, json_string_value(json_object_get(row, "project_id")));
    assert_int_equal(rx->rows[i].seq, (uint64_t)json_integer_value(json_object_get(row, "seq")));
  }
  pthread_mutex_unlock(&rx->mu);
  json_decref(doc);
}

/* The value of a metric line "name{...} value" containing `needle`, or -1. */
static long long metric(int port, const char *needle) {
  tu_http_t r;
  assert_true(tu_get_auth(port, "/metrics", &r));
  assert_int_equal(r.status, 200);
  long long v = -1;
  const char *p = strstr(r.body, needle);
  if (p) {
    const char *sp = strchr(p, ' ');
    if (sp) v = atoll(sp + 1);
  }
  tu_http_free(&r);
  return v;
}

/* ---- in process: limits and refusals ---------------------------------------------------- */

#define NPROJECTS 10500
#define WINDOW_MS 1000
#define WINDOW_POSTS 6

typedef struct {
  agg_push_target_stats_t st;
} stats_arg_t;
static void get_stats(agg_service_t *a, void *arg) {
  stats_arg_t *s = arg;
  s->st = agg_push_target_stats(agg_service_push(a), 0);
}

typedef struct {
  int i;
  int dwellings;
  const char *name;
  uint64_t *seq;
} change_t;
static void do_change(agg_service_t *a, void *arg) {
  change_t *c = arg;
  char id[16];
  snprintf(id, sizeof id, "P%05d", c->i);
  Trin__Lifecycle__Project p;
  tu_project(&p, id, c->i % 3 ? "LIVA" : "", "KAB");
  p.dwellings = c->dwellings;
  char muni[8];
  snprintf(muni, sizeof muni, "M%d", c->i % 7);
  p.municipality = muni;
  p.fast_track = c->i % 2 == 0;
  p.stage = c->i % 4 == 0 ? "trin3" : "trin1";
  if (c->name) p.name = (char *)c->name;
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = &p;
  Trin__Event *ev = tu_event("lifecycle", ++*c->seq, "lifecycle.stage_changed", &pe.base);
  agg_service_consume(a, 0, ev);
  tu_event_free(ev);
  trin_err_t err = {0};
  agg_service_flush(a, &err);
}

static void limits_and_refusals(void **state) {
  (void)state;
  const int script[] = {503, 503, 503, 429, 429, 400};
  receiver_t *rx = rx_start(0, "/datasets/d1/tables/ProjectStatus/rows", script, 6, 30);
  char url[128];
  snprintf(url, sizeof url, "http://127.0.0.1:%d/datasets/d1", rx->port);
  tu_svc_options_t o = {
      .push = {.urls = url, .window_posts = WINDOW_POSTS, .window_ms = WINDOW_MS,
               .backoff_min_ms = 20, .backoff_max_ms = 200},
  };
  tu_svc_t *svc = tu_svc_start_with(&o);
  uint64_t seq = 0;
  tu_svc_projects(svc, NPROJECTS, &seq);
  /* a name longer than Power BI's 4,000 characters */
  char *longname = malloc(5001);
  for (int i = 0; i < 5000; i++) longname[i] = (char)('a' + i % 26);
  longname[5000] = '\0';
  change_t c = {.i = 17, .dwellings = 99, .name = longname, .seq = &seq};
  tu_svc_run(svc, do_change, &c);
  stats_arg_t s = {0};
  for (int i = 0; i < 2500; i++) { /* until everything is delivered (≤ 25 s) */
    tu_svc_run(svc, get_stats, &s);
    if (s.st.depth == 0 && s.st.pending == 0) break;
    sleep_ms(10);
  }
  assert_int_equal(s.st.depth, 0);
  assert_int_equal(s.st.pending, 0);
  /* many small changes, each its own commit, while the receiver accepts:
   * more POSTs than one window allows, so the window makes them wait */
  for (int k = 0; k < 40; k++) {
    change_t ck = {.i = 100 + k * 7, .dwellings = 1000 + k, .seq = &seq};
    tu_svc_run(svc, do_change, &ck);
    sleep_ms(5);
  }
  for (int i = 0; i < 2500; i++) {
    tu_svc_run(svc, get_stats, &s);
    if (s.st.depth == 0 && s.st.pending == 0) break;
    sleep_ms(10);
  }
  assert_int_equal(s.st.depth, 0);
  assert_int_equal(s.st.pending, 0);
  assert_true(s.st.window_waits > 0);
  check_delivered(rx, tu_svc_port(svc), NPROJECTS);
  /* a pushed row is the feed's row: same columns, same JSON types */
  tu_http_t fr;
  assert_true(tu_get_auth(tu_svc_port(svc), "/api/v1/status?since=0", &fr));
  json_t *feed = json_loads(fr.body, 0, NULL);
  tu_http_free(&fr);
  json_t *feed_row = NULL;
  for (size_t i = 0; i < json_array_size(json_object_get(feed, "rows")); i++) {
    json_t *row = json_array_get(json_object_get(feed, "rows"), i);
    if (strcmp(json_string_value(json_object_get(row, "project_id")), "P00042") == 0)
      feed_row = row;
  }
  assert_non_null(feed_row);
  assert_int_equal(json_object_size(feed_row), 34 + 7); /* + 7: issue 20, item 3 */
  pthread_mutex_lock(&rx->mu);
  assert_non_null(rx->watched);
  assert_true(json_equal(rx->watched, feed_row));
  pthread_mutex_unlock(&rx->mu);
  json_decref(feed);

  pthread_mutex_lock(&rx->mu);
  assert_int_equal(rx->bad_requests, 0);
  /* the script was played: 3 × 503, 2 × 429, 1 × 400, then acceptance */
  assert_true(rx->nposts > 6);
  for (int i = 0; i < 6; i++) assert_int_equal(rx->statuses[i], script[i]);
  assert_true(rx->max_batch <= 10000);
  assert_true(rx->max_batch > 0);
  assert_true(rx->max_inflight <= 5);
  assert_int_equal(rx->long_name_len, 4000);
  assert_memory_equal(rx->long_name_prefix, "abcdefg", 7);
  /* Rate, counted where it is decided: POSTs are started at most
   * WINDOW_POSTS per WINDOW_MS. The receiver's arrival times are only shown:
   * on a busy machine a POST started in one window can arrive in the next
   * one's company (delays are not bounded), so they prove nothing. */
  int max_in_window = 0;
  for (int i = 0; i < rx->nposts; i++) {
    int n = 0;
    for (int j = i; j < rx->nposts && rx->arrivals[j] < rx->arrivals[i] + WINDOW_MS / 2; j++) n++;
    if (n > max_in_window) max_in_window = n;
  }
  int nposts = rx->nposts;
  pthread_mutex_unlock(&rx->mu);
  print_message("%d POSTs; started at most %d in a window; arrived at most %d in half a window\n",
                nposts, s.st.max_in_window, max_in_window);
  assert_true(s.st.max_in_window >= 1);
  assert_true(s.st.max_in_window <= WINDOW_POSTS);
  /* the limiter had work to do: more POSTs than one window allows */
  assert_true(nposts > WINDOW_POSTS);

  /* the sender's own counts, and /metrics */
  assert_true(s.st.max_pending_seen <= 5);
  assert_int_equal(s.st.server_errors, 3);
  assert_int_equal(s.st.throttled, 2);
  assert_int_equal(s.st.client_errors, 1);
  assert_int_equal(s.st.posts, (uint64_t)nposts);
  int port = tu_svc_port(svc);
  assert_int_equal(metric(port, "trin_aggregator_push_queue_depth{"), 0);
  assert_int_equal(metric(port, "trin_aggregator_push_throttled_total{"), 2);
  assert_int_equal(metric(port, "trin_aggregator_push_server_errors_total{"), 3);
  assert_int_equal(metric(port, "trin_aggregator_push_posts_total{"), nposts);
  free(longname);
  tu_svc_stop(svc);
  rx_stop(rx);
}

/* ---- processes: kill -9 while the receiver is down ------------------------------------------ */

static int aggregator_port(testproc_t *p) {
  int port = testproc_http_port(p);
  if (!port) fail_msg("no HTTP port in %s", p->log);
  return port;
}

static uint64_t last_seq(trin_client_t *cl) {
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

static void catch_up(int port, uint64_t want) {
  for (int i = 0; i < 500; i++) {
    tu_http_t r;
    if (tu_get(port, "/healthz", NULL, &r) && r.status == 200) {
      json_t *doc = json_loads(r.body, 0, NULL);
      json_t *c = json_object_get(
          json_object_get(json_object_get(doc, "upstreams"), "lifecycle"), "cursor");
      uint64_t have = (uint64_t)json_integer_value(c);
      json_decref(doc);
      tu_http_free(&r);
      if (have == want) return;
    } else {
      tu_http_free(&r);
    }
    sleep_ms(20);
  }
  fail_msg("the aggregator did not catch up with lifecycle event %llu", (unsigned long long)want);
}

static void kill9_while_down(void **state) {
  (void)state;
  testproc_t lc, agg;
  testproc_init(&lc, "push-lc");
  testproc_init(&agg, "push-agg");
  assert_true(testproc_start(&lc, TRIN_LIFECYCLE_BIN, NULL));
  trin_client_t *cl;
  trin_err_t err = {0};
  assert_int_equal(trin_client_new(lc.endpoint, &cl, &err), TRIN_OK);

  /* a port nobody listens on (yet) */
  receiver_t *probe = rx_start(0, "/", NULL, 0, 0);
  int rxport = probe->port;
  rx_stop(probe);

  char a1[400], a2[400], a3[300];
  snprintf(a1, sizeof a1, "--lifecycle-endpoint=%s", lc.endpoint);
  snprintf(a2, sizeof a2, "--lifecycle-pub-endpoint=%s", lc.pub);
  snprintf(a3, sizeof a3, "--push-urls=http://127.0.0.1:%d/beta/t1/datasets/d2/rows?key=s3cr3tKEY",
           rxport);
  const char *extra[] = {a1, a2, a3, "--budget-endpoint=", "--survey-endpoint=",
                         "--benchmark-endpoint=", "--http-address=127.0.0.1:0",
                         "--token=" TU_TOKEN, "--retry-ms=200", "--push-backoff-min-ms=50",
                         "--push-backoff-max-ms=300", NULL};
  assert_true(testproc_start(&agg, TRIN_AGGREGATOR_BIN, extra));
  int port = aggregator_port(&agg);

  assert_int_equal(lc_org(cl, "KAB", "client", &err), TRIN_OK);
  assert_int_equal(
      lc_partnership(cl, "LIVA", "KAB", "2022-01-01", "myndighedsprojekt", 0, &err), TRIN_OK);
  for (int i = 0; i < 6; i++) {
    char id[8];
    snprintf(id, sizeof id, "Q%d", i);
    assert_int_equal(
        lc_project(cl, id, i % 2 ? "LIVA" : "", i % 2 ? "" : "KAB", false, "2024-01-01", &err),
        TRIN_OK);
  }
  assert_int_equal(lc_advance(cl, "Q0", "trin1", "2024-02-01", &err), TRIN_OK);
  catch_up(port, last_seq(cl));
  /* stored and queued; the receiver is down, so they stay queued */
  for (int i = 0; i < 250 && metric(port, "trin_aggregator_push_transport_errors_total{") < 1; i++)
    sleep_ms(20);
  assert_true(metric(port, "trin_aggregator_push_transport_errors_total{") >= 1);
  assert_int_equal(metric(port, "trin_aggregator_push_queue_depth{"), 6);
  assert_int_equal(metric(port, "trin_aggregator_push_rows_total{"), 0);
  testproc_kill9(&agg);

  /* the target comes back; a restarted aggregator delivers the queue */
  receiver_t *rx = rx_start(rxport, "/beta/t1/datasets/d2/rows", NULL, 0, 0);
  assert_true(testproc_start(&agg, TRIN_AGGREGATOR_BIN, extra));
  port = aggregator_port(&agg);
  for (int i = 0; i < 500 && metric(port, "trin_aggregator_push_queue_depth{") != 0; i++)
    sleep_ms(20);
  assert_int_equal(metric(port, "trin_aggregator_push_queue_depth{"), 0);
  check_delivered(rx, port, 6);

  /* the push URL's key is a secret */
  char cmd[512], out[64];
  snprintf(cmd, sizeof cmd, "grep -c s3cr3tKEY %s", agg.log);
  testproc_run(cmd, out, sizeof out);
  assert_int_equal(atoi(out), 0);
  snprintf(cmd, sizeof cmd, "grep -c 'push to http://127.0.0.1:%d/beta/t1/datasets/d2/rows' %s",
           rxport, agg.log);
  testproc_run(cmd, out, sizeof out);
  assert_true(atoi(out) >= 1);

  assert_int_equal(testproc_stop(&agg), 0);
  rx_stop(rx);
  trin_client_destroy(&cl);
  assert_int_equal(testproc_stop(&lc), 0);
  testproc_cleanup(&agg);
  testproc_cleanup(&lc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(limits_and_refusals),
      cmocka_unit_test(kill9_while_down),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
