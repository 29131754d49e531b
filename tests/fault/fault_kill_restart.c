/* fault.kill_restart — every service as a real process under a steady
 * load of mixed commands from several clients (lifecycle: create a project
 * and move it through its stages; budget: add index points), while a
 * driver kills a random service with SIGKILL at random moments (seeded) and
 * restarts it. At the end, with every service up again:
 *  - every acknowledged command is in the stores, and nothing the clients
 *    never sent: for each project, the stage the lifecycle store holds is
 *    at least the last acknowledged step and at most the last attempted
 *    one (the test keeps its own model of each project, step by step);
 *    every acknowledged index point is in the budget store, and only
 *    points that were sent;
 *  - every status row in the aggregator's feed has the stage the commands
 *    imply (from the test's model, not from the services);
 *  - a subscriber (trin_subscriber) following the lifecycle's events saw
 *    each event exactly once, in order, none twice, none missing;
 *  - a local stand-in for Power BI's push endpoint that refuses one POST in
 *    four (HTTP 500) received every row as the feed has it.
 * Prints commands sent, acknowledged, kills survived, rows checked, lost
 * (must be 0).
 *
 *   test_fault_kill_restart                  CI: 25 s of load (< 2 min in all)
 *   test_fault_kill_restart --soak           10 minutes
 *   ... --seconds=N --seed=N --clients=N      by hand */
#include <jansson.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>
#include <zmq.h>

#include "lcclient.h"
#include "trin/budget.pb-c.h"
#include "test_aggregator_util.h"
#include "testproc.h"
#include "trin_codec.h"
#include "trin_http.h"
#include "trin_log.h"
#include "trin_subscriber.h"

#define MAX_CLIENTS 8
#define PROJECTS_PER_CLIENT 50000 /* enough for --soak */
#define OPEN_PROJECTS 6     /* a client keeps this many projects going */
#define COMMAND_GAP_MS 10  /* a steady load, not a flood */
#define LAST_STEP 8

static void kill_all(void);

/* Fails the run: no service process is left behind. */
static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
  kill_all();
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "fault.kill_restart: FAILED: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  exit(1);
}

static void pause_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static uint64_t now_ms(void) { return uv_hrtime() / 1000000u; }

/* ---- the services ------------------------------------------------------------ */

enum { LC, BG, SV, BM, AGG, NSVC };
static const char *NAMES[NSVC] = {"lifecycle", "budget", "survey", "benchmark", "aggregator"};
static const char *BINS[NSVC] = {TRIN_LIFECYCLE_BIN, TRIN_BUDGET_BIN, TRIN_SURVEY_BIN,
                                 TRIN_BENCHMARK_BIN, TRIN_AGGREGATOR_BIN};
static testproc_t procs[NSVC];
static char a_lc_ep[400], a_lc_pub[400], a_push[200];
static const char *extra[NSVC][16];

static void kill_all(void) {
  for (int i = 0; i < NSVC; i++)
    if (procs[i].pid > 0) testproc_kill9(&procs[i]);
}

/* A crash of this test (a failed check under a sanitizer aborts) must not
 * leave services running: SIGKILL them from the signal handler (kill() is
 * async-signal-safe), then die of the signal as before. */
static void on_fatal_signal(int sig) {
  for (int i = 0; i < NSVC; i++)
    if (procs[i].pid > 0) kill(procs[i].pid, SIGKILL);
  signal(sig, SIG_DFL);
  raise(sig);
}

static void start_service(int i) {
  if (!testproc_start(&procs[i], BINS[i], extra[i]))
    die("%s did not start (log %s)", NAMES[i], procs[i].log);
}

static int feed_port(void) {
  int port = testproc_http_port(&procs[AGG]);
  if (!port) die("no HTTP port in %s", procs[AGG].log);
  return port;
}

/* ---- the Power BI stand-in: refuses every fourth POST -------------------------------- */

typedef struct {
  char id[16];
  uint64_t seq;
  char stage[32];
} got_row_t;

static struct {
  uv_loop_t loop;
  uv_async_t stop;
  uv_thread_t thread;
  trin_http_server_t *http;
  int port;
  pthread_mutex_t mu;
  got_row_t *rows;
  size_t nrows, cap;
  int posts, refused;
} rx;

static void rx_handler(void *data, const trin_http_request_t *req, trin_http_response_t *res) {
  pthread_mutex_lock(&rx.mu);
  int n = rx.posts++;
  json_t *doc = json_loadb(req->body, req->body_len, 0, NULL);
  json_t *rows = json_object_get(doc, "rows");
  int status = strcmp(req->method, "POST") != 0 || !json_is_array(rows) ? 400
               : n % 4 == 3                                                ? 500
                                                                           : 200;
  if (status == 200) {
    for (size_t i = 0; i < json_array_size(rows); i++) {
      json_t *r = json_array_get(rows, i);
      if (rx.nrows == rx.cap) {
        rx.cap = rx.cap ? rx.cap * 2 : 1024;
        rx.rows = realloc(rx.rows, rx.cap * sizeof *rx.rows);
      }
      got_row_t *g = &rx.rows[rx.nrows++];
      snprintf(g->id, sizeof g->id, "%s", json_string_value(json_object_get(r, "project_id")));
      const char *st = json_string_value(json_object_get(r, "stage"));
      snprintf(g->stage, sizeof g->stage, "%s", st ? st : "");
      g->seq = (uint64_t)json_integer_value(json_object_get(r, "seq"));
    }
  } else {
    rx.refused++;
  }
  pthread_mutex_unlock(&rx.mu);
  json_decref(doc);
  const char *body = status == 200 ? "" : "{\"error\":{\"code\":\"refused on purpose\"}}";
  trin_http_respond(res, status, "application/json", body, strlen(body));
}

static void rx_thread(void *arg) { uv_run(&rx.loop, UV_RUN_DEFAULT); }
static void rx_walk_close(uv_handle_t *h, void *arg) {
  if (!uv_is_closing(h)) uv_close(h, NULL);
}
static void on_rx_stop(uv_async_t *h) {
  trin_http_server_destroy(&rx.http);
  uv_walk(&rx.loop, rx_walk_close, NULL);
}

static void rx_start(void) {
  uv_loop_init(&rx.loop);
  pthread_mutex_init(&rx.mu, NULL);
  trin_http_options_t ho = {.address = "127.0.0.1:0", .max_body = 64u << 20};
  trin_err_t err = {0};
  if (trin_http_server_new(&rx.loop, &ho, rx_handler, NULL, &rx.http, &err))
    die("receiver: %s", err.message);
  rx.port = trin_http_server_port(rx.http);
  uv_async_init(&rx.loop, &rx.stop, on_rx_stop);
  uv_thread_create(&rx.thread, rx_thread, NULL);
}

static void rx_stop(void) {
  uv_async_send(&rx.stop);
  uv_thread_join(&rx.thread);
  uv_run(&rx.loop, UV_RUN_DEFAULT);
  uv_loop_close(&rx.loop);
  free(rx.rows);
}

/* ---- the subscriber: every lifecycle event exactly once ------------------------------ */

static struct {
  uv_loop_t loop;
  uv_async_t stop;
  uv_thread_t thread;
  void *zctx;
  trin_subscriber_t *sub;
  _Atomic uint64_t last, delivered, out_of_order;
  trin_subscriber_stats_t stats; /* taken on the loop thread at stop */
} sb;

static int on_event(void *data, const Trin__Event *ev) {
  uint64_t last = atomic_load(&sb.last);
  if (ev->seq != last + 1) atomic_fetch_add(&sb.out_of_order, 1);
  atomic_store(&sb.last, ev->seq);
  atomic_fetch_add(&sb.delivered, 1);
  return TRIN_OK;
}

static void sb_thread(void *arg) { uv_run(&sb.loop, UV_RUN_DEFAULT); }
static void on_sb_stop(uv_async_t *h) {
  sb.stats = trin_subscriber_stats(sb.sub);
  trin_subscriber_destroy(&sb.sub);
  uv_close((uv_handle_t *)h, NULL);
}

static void sb_start(void) {
  uv_loop_init(&sb.loop);
  sb.zctx = zmq_ctx_new();
  trin_subscriber_options_t o = {.service = "lifecycle", .pub_endpoint = procs[LC].pub,
                                 .endpoint = procs[LC].endpoint, .retry_ms = 300};
  trin_err_t err = {0};
  if (trin_subscriber_new(&sb.loop, sb.zctx, &o, on_event, NULL, &sb.sub, &err))
    die("subscriber: %s", err.message);
  uv_async_init(&sb.loop, &sb.stop, on_sb_stop);
  uv_thread_create(&sb.thread, sb_thread, NULL);
}

static trin_subscriber_stats_t sb_stop(void) {
  uv_async_send(&sb.stop);
  uv_thread_join(&sb.thread);
  uv_run(&sb.loop, UV_RUN_DEFAULT);
  uv_loop_close(&sb.loop);
  zmq_ctx_term(sb.zctx);
  return sb.stats;
}

/* ---- the clients and the model ------------------------------------------------------- */

/* A project's life, one step per command: 0 created (pre_study), 1 trin1,
 * 2 trin2, 3 price closed, 4 trin3, 5 handover, 6 inspection_1y,
 * 7 inspection_5y, 8 closed. */
static const char *STEP_STAGE[LAST_STEP + 1] = {"pre_study", "trin1", "trin2", "trin2", "trin3",
                                                "handover", "inspection_1y", "inspection_5y",
                                                "closed"};

typedef struct {
  char id[16];
  int acked;      /* last step acknowledged (-1 = none) */
  int attempted;  /* last step sent (-1 = none) */
  int known;      /* the step the store holds as far as the client knows */
} project_t;

/* Budget index points: client c's k-th point is dated day k of a series of
 * its own (a new series every POINTS_PER_SERIES, under the service's limit
 * per series); each is sent once, never again. */
#define POINTS_PER_SERIES 5000

typedef struct {
  int no;
  pthread_t thread;
  int points_sent;          /* points 0..points_sent-1 were attempted */
  unsigned char *point_acked; /* [k] = 1 when acknowledged */
  uint64_t budget_sent, budget_acked;
  unsigned seed;
  project_t *projects; /* PROJECTS_PER_CLIENT */
  int nprojects;
  uint64_t sent, acked, unknown;
} client_t;

static atomic_bool stop_load;
static int nclients = 3;
static client_t clients[MAX_CLIENTS];

static int step_of(const Trin__Lifecycle__Project *p) {
  const char *s = p->stage;
  if (strcmp(s, "pre_study") == 0) return 0;
  if (strcmp(s, "trin1") == 0) return 1;
  if (strcmp(s, "trin2") == 0) return p->price_closed ? 3 : 2;
  for (int k = 4; k <= LAST_STEP; k++)
    if (strcmp(s, STEP_STAGE[k]) == 0) return k;
  die("project %s in an unexpected stage %s", p->id, s);
}

/* The step the store holds (-1 = no such project), asking until the
 * lifecycle service answers (it may be down for a while). */
static int store_step(trin_client_t **c, const char *id) {
  for (int tries = 0; tries < 600; tries++) {
    Trin__Lifecycle__ProjectReply *r = NULL;
    trin_err_t err = {0};
    int rc = lc_get(*c, id, &r, &err);
    if (rc == TRIN_OK) {
      int s = step_of(r->project);
      trin_codec_free(r);
      return s;
    }
    if (rc == TRIN_ENOTFOUND) return -1;
    /* A timeout leaves the socket waiting for the lost reply: start over. */
    trin_client_destroy(c);
    if (trin_client_new(procs[LC].endpoint, c, &err)) die("client: %s", err.message);
    trin_client_set_timeout(*c, 1000);
    pause_ms(50);
  }
  die("the lifecycle service did not answer for a minute");
}

static int send_step(trin_client_t *c, const project_t *p, int step, trin_err_t *err) {
  static const char *to[LAST_STEP + 1] = {NULL, "trin1", "trin2", NULL, "trin3", "handover",
                                          "inspection_1y", "inspection_5y", "closed"};
  char date[16];
  snprintf(date, sizeof date, "2022-%02d-01", step + 1);
  if (step == 0) return lc_project(c, p->id, "", "KAB", false, "2022-01-01", err);
  if (step == 3) return lc_close_price(c, p->id, date, err);
  return lc_advance(c, p->id, to[step], date, err);
}

static void point_name(int client, int k, char *series, size_t ns, char *date, size_t nd) {
  snprintf(series, ns, "IDX-C%d-%d", client, k / POINTS_PER_SERIES);
  time_t t = (time_t)946684800 + (time_t)(k % POINTS_PER_SERIES) * 86400; /* 2000-01-01 */
  struct tm tm;
  gmtime_r(&t, &tm);
  strftime(date, nd, "%Y-%m-%d", &tm);
}

static int send_point(trin_client_t *c, int client, int k, trin_err_t *err) {
  char series[32], date[16];
  point_name(client, k, series, sizeof series, date, sizeof date);
  Trin__Budget__IndexPoint pt = TRIN__BUDGET__INDEX_POINT__INIT;
  pt.date = date;
  pt.value_x100 = 10000 + k;
  Trin__Budget__IndexPoint *pts[] = {&pt};
  Trin__Budget__AddIndexPoints m = TRIN__BUDGET__ADD_INDEX_POINTS__INIT;
  m.series = series;
  m.points = pts;
  m.n_points = 1;
  ProtobufCMessage *reply = NULL;
  int rc = trin_client_call(c, &m.base, &trin__budget__index_series__descriptor, &reply, err);
  trin_codec_free(reply);
  return rc;
}

static void *client_main(void *arg) {
  client_t *cl = arg;
  trin_client_t *c = NULL;
  trin_err_t err = {0};
  if (trin_client_new(procs[LC].endpoint, &c, &err)) die("client: %s", err.message);
  trin_client_set_timeout(c, 1000);
  trin_client_t *bc = NULL;
  if (trin_client_new(procs[BG].endpoint, &bc, &err)) die("client: %s", err.message);
  trin_client_set_timeout(bc, 1000);
  while (!atomic_load(&stop_load)) {
    /* One command in three goes to the budget service. */
    if (rand_r(&cl->seed) % 3 == 0 && cl->points_sent < PROJECTS_PER_CLIENT) {
      int k = cl->points_sent++;
      cl->budget_sent++;
      cl->sent++;
      pause_ms(COMMAND_GAP_MS);
      if (send_point(bc, cl->no, k, &err) == TRIN_OK) {
        cl->point_acked[k] = 1;
        cl->budget_acked++;
        cl->acked++;
      } else {
        cl->unknown++;
        /* A timeout leaves the socket waiting for the lost reply. */
        trin_client_destroy(&bc);
        if (trin_client_new(procs[BG].endpoint, &bc, &err)) die("client: %s", err.message);
        trin_client_set_timeout(bc, 1000);
      }
      continue;
    }
    /* The next step of a random open project, or a new project. */
    project_t *p = NULL;
    int open = 0;
    for (int i = 0; i < cl->nprojects; i++) open += cl->projects[i].known < LAST_STEP;
    if (open < OPEN_PROJECTS && cl->nprojects < PROJECTS_PER_CLIENT) {
      p = &cl->projects[cl->nprojects++];
      snprintf(p->id, sizeof p->id, "C%dP%05d", cl->no, cl->nprojects);
      p->acked = p->attempted = p->known = -1;
    } else if (open == 0) {
      break;
    } else {
      int pick = (int)(rand_r(&cl->seed) % (unsigned)open);
      for (int i = 0; i < cl->nprojects && !p; i++)
        if (cl->projects[i].known < LAST_STEP && pick-- == 0) p = &cl->projects[i];
    }
    pause_ms(COMMAND_GAP_MS);
    int step = p->known + 1;
    p->attempted = step;
    cl->sent++;
    int rc = send_step(c, p, step, &err);
    if (rc == TRIN_OK) {
      p->acked = p->known = step;
      cl->acked++;
      continue;
    }
    /* Not acknowledged (killed, timed out, store error): ask the store
     * where the project is; the command may or may not have happened. */
    cl->unknown++;
    int s = store_step(&c, p->id);
    if (s < p->acked || s > p->attempted)
      die("%s: the store holds step %d, acknowledged %d, attempted %d (after %s: %s)", p->id, s,
          p->acked, p->attempted, trin_status_name(rc), err.message);
    p->known = s;
  }
  trin_client_destroy(&c);
  trin_client_destroy(&bc);
  return NULL;
}

/* Checks client cl's index points in the budget store: every acknowledged
 * one is there, and nothing that was never sent. Returns the lost ones. */
static int check_points(const client_t *cl, int *checked) {
  trin_client_t *c = NULL;
  trin_err_t err = {0};
  int lost = 0;
  int nseries = (cl->points_sent + POINTS_PER_SERIES - 1) / POINTS_PER_SERIES;
  unsigned char *seen = calloc((size_t)cl->points_sent + 1, 1);
  for (int sidx = 0; sidx < nseries; sidx++) {
    char series[32], date[16];
    point_name(cl->no, sidx * POINTS_PER_SERIES, series, sizeof series, date, sizeof date);
    Trin__Budget__GetIndexSeries q = TRIN__BUDGET__GET_INDEX_SERIES__INIT;
    q.series = series;
    Trin__Budget__IndexSeries *r = NULL;
    int rc = -1;
    for (int tries = 0; tries < 300 && rc != TRIN_OK && rc != TRIN_ENOTFOUND; tries++) {
      trin_client_destroy(&c);
      trin_client_new(procs[BG].endpoint, &c, &err);
      trin_client_set_timeout(c, 1000);
      rc = trin_client_call(c, &q.base, &trin__budget__index_series__descriptor,
                            (ProtobufCMessage **)&r, &err);
      if (rc != TRIN_OK && rc != TRIN_ENOTFOUND) pause_ms(100);
    }
    if (rc != TRIN_OK && rc != TRIN_ENOTFOUND) die("budget GetIndexSeries: %s", err.message);
    for (size_t i = 0; rc == TRIN_OK && i < r->n_points; i++) {
      int k = (int)(r->points[i]->value_x100 - 10000);
      char want[16];
      point_name(cl->no, k, series, sizeof series, want, sizeof want);
      if (k < sidx * POINTS_PER_SERIES || k >= cl->points_sent || strcmp(want, r->points[i]->date))
        die("budget series %s holds a point never sent: %s %lld", series, r->points[i]->date,
            (long long)r->points[i]->value_x100);
      seen[k] = 1;
    }
    trin_codec_free(r);
  }
  for (int k = 0; k < cl->points_sent; k++) {
    if (cl->point_acked[k] && !seen[k]) {
      fprintf(stderr, "LOST: budget point %d of client %d was acknowledged\n", k, cl->no);
      lost++;
    }
    *checked += seen[k];
  }
  free(seen);
  trin_client_destroy(&c);
  return lost;
}

/* ---- the run ------------------------------------------------------------------------- */

static json_t *feed_rows(int port) {
  tu_http_t r;
  if (!tu_get_auth(port, "/api/v1/status", &r) || r.status != 200) {
    tu_http_free(&r);
    return NULL;
  }
  json_t *doc = json_loads(r.body, 0, NULL);
  tu_http_free(&r);
  json_t *rows = json_incref(json_object_get(doc, "rows"));
  json_decref(doc);
  return rows;
}

/* The feed's rows by project id (sorted for bsearch). */
typedef struct {
  const char *id;
  const json_t *row;
} row_ref_t;

static int cmp_ref(const void *a, const void *b) {
  return strcmp(((const row_ref_t *)a)->id, ((const row_ref_t *)b)->id);
}

static row_ref_t *index_rows(const json_t *rows) {
  size_t n = json_array_size(rows);
  row_ref_t *ix = calloc(n + 1, sizeof *ix);
  for (size_t i = 0; i < n; i++) {
    const json_t *r = json_array_get(rows, i);
    const char *pid = json_string_value(json_object_get(r, "project_id"));
    ix[i] = (row_ref_t){pid ? pid : "", r};
  }
  qsort(ix, n, sizeof *ix, cmp_ref);
  return ix;
}

static const json_t *row_of(const row_ref_t *ix, size_t n, const char *id) {
  row_ref_t key = {id, NULL};
  const row_ref_t *f = bsearch(&key, ix, n, sizeof *ix, cmp_ref);
  return f ? f->row : NULL;
}

/* How many projects' feed rows differ from the model (0 = all equal). */
static int feed_mismatches(const json_t *rows, bool print) {
  int bad = 0, n = 0;
  size_t nrows = json_array_size(rows);
  row_ref_t *ix = index_rows(rows);
  for (int c = 0; c < nclients; c++)
    for (int i = 0; i < clients[c].nprojects; i++) {
      const project_t *p = &clients[c].projects[i];
      if (p->known < 0) continue;
      n++;
      const json_t *r = row_of(ix, nrows, p->id);
      const char *st = r ? json_string_value(json_object_get(r, "stage")) : NULL;
      if (!st || strcmp(st, STEP_STAGE[p->known]) != 0) {
        if (print)
          fprintf(stderr, "  %s: feed %s, commands imply %s\n", p->id, st ? st : "(no row)",
                  STEP_STAGE[p->known]);
        bad++;
      }
    }
  if ((size_t)n != nrows) bad++;
  free(ix);
  return bad;
}

static int cmp_got(const void *a, const void *b) {
  const got_row_t *x = a, *y = b;
  int c = strcmp(x->id, y->id);
  return c ? c : x->seq < y->seq ? -1 : x->seq > y->seq;
}

/* How many feed rows the receiver does not have as its latest row. */
static int push_mismatches(const json_t *rows, bool print) {
  pthread_mutex_lock(&rx.mu);
  qsort(rx.rows, rx.nrows, sizeof *rx.rows, cmp_got);
  int bad = 0;
  for (size_t i = 0; i < json_array_size(rows); i++) {
    const json_t *r = json_array_get(rows, i);
    const char *id = json_string_value(json_object_get(r, "project_id"));
    uint64_t seq = (uint64_t)json_integer_value(json_object_get(r, "seq"));
    /* The last received row of id: the highest seq (rows sorted by id, seq). */
    const got_row_t *last = NULL;
    size_t lo = 0, hi = rx.nrows;
    while (lo < hi) { /* first row with id > this one */
      size_t mid = (lo + hi) / 2;
      if (strcmp(rx.rows[mid].id, id) <= 0) lo = mid + 1;
      else hi = mid;
    }
    if (lo > 0 && strcmp(rx.rows[lo - 1].id, id) == 0) last = &rx.rows[lo - 1];
    if (!last || last->seq != seq ||
        strcmp(last->stage, json_string_value(json_object_get(r, "stage"))) != 0) {
      if (print && bad < 10)
        fprintf(stderr, "  %s: feed seq %llu stage %s; received %s%llu %s\n", id,
                (unsigned long long)seq, json_string_value(json_object_get(r, "stage")),
                last ? "seq " : "nothing", last ? (unsigned long long)last->seq : 0ULL,
                last ? last->stage : "");
      bad++;
    }
  }
  pthread_mutex_unlock(&rx.mu);
  return bad;
}

static uint64_t lifecycle_last_seq(void) {
  trin_client_t *c = NULL;
  trin_err_t err = {0};
  trin_client_new(procs[LC].endpoint, &c, &err);
  Trin__Ping ping = TRIN__PING__INIT;
  Trin__Pong *pong = NULL;
  if (trin_client_call(c, &ping.base, &trin__pong__descriptor, (ProtobufCMessage **)&pong, &err))
    die("lifecycle Ping: %s", err.message);
  uint64_t s = pong->last_seq;
  trin_codec_free(pong);
  trin_client_destroy(&c);
  return s;
}

int main(int argc, char **argv) {
  int seconds = 25;
  unsigned seed = (unsigned)time(NULL);
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--soak") == 0) seconds = 600;
    else if (strncmp(argv[i], "--seconds=", 10) == 0) seconds = atoi(argv[i] + 10);
    else if (strncmp(argv[i], "--seed=", 7) == 0) seed = (unsigned)strtoul(argv[i] + 7, NULL, 10);
    else if (strncmp(argv[i], "--clients=", 10) == 0) nclients = atoi(argv[i] + 10);
    else die("usage: %s [--soak] [--seconds=N] [--seed=N] [--clients=N]", argv[0]);
  }
  if (nclients < 1 || nclients > MAX_CLIENTS) die("--clients is 1..%d", MAX_CLIENTS);
  printf("fault.kill_restart: seed %u, %d s of load, %d clients (rerun: --seed=%u)\n", seed,
         seconds, nclients, seed);
  fflush(stdout);
  signal(SIGPIPE, SIG_IGN);
  signal(SIGABRT, on_fatal_signal);
  signal(SIGSEGV, on_fatal_signal);
  signal(SIGTERM, on_fatal_signal); /* CTest's timeout */
  trin_log_set_level(TRIN_LOG_WARN);

  rx_start();
  for (int i = 0; i < NSVC; i++) testproc_init(&procs[i], NAMES[i]);
  snprintf(a_lc_ep, sizeof a_lc_ep, "--lifecycle-endpoint=%s", procs[LC].endpoint);
  snprintf(a_lc_pub, sizeof a_lc_pub, "--lifecycle-pub-endpoint=%s", procs[LC].pub);
  snprintf(a_push, sizeof a_push, "--push-urls=http://127.0.0.1:%d/datasets/d1/rows", rx.port);
  const char *e_lc[] = {"--budget-endpoint=", "--heartbeat-ms=200", NULL};
  const char *e_bg[] = {a_lc_ep, a_lc_pub, "--heartbeat-ms=200", NULL};
  const char *e_sv[] = {a_lc_ep, a_lc_pub, "--http-address=", "--heartbeat-ms=200", NULL};
  const char *e_bm[] = {a_lc_ep, a_lc_pub, "--budget-endpoint=", "--survey-endpoint=",
                        "--heartbeat-ms=200", NULL};
  const char *e_agg[] = {a_lc_ep, a_lc_pub, "--budget-endpoint=", "--survey-endpoint=",
                         "--benchmark-endpoint=", "--http-address=127.0.0.1:0",
                         "--token=" TU_TOKEN, "--retry-ms=200", a_push,
                         "--push-backoff-min-ms=50", "--push-backoff-max-ms=300",
                         "--push-window-posts=1000", "--push-window-ms=1000", NULL};
  const char *const *ex[NSVC] = {e_lc, e_bg, e_sv, e_bm, e_agg};
  for (int i = 0; i < NSVC; i++) {
    int k = 0;
    for (; ex[i][k]; k++) extra[i][k] = ex[i][k];
    extra[i][k] = NULL;
    start_service(i);
  }
  {
    trin_client_t *c = NULL;
    trin_err_t err = {0};
    trin_client_new(procs[LC].endpoint, &c, &err);
    if (lc_org(c, "KAB", "client", &err)) die("organisation KAB: %s", err.message);
    trin_client_destroy(&c);
  }
  sb_start();

  for (int i = 0; i < nclients; i++) {
    clients[i].no = i + 1;
    clients[i].projects = calloc(PROJECTS_PER_CLIENT, sizeof *clients[i].projects);
    clients[i].point_acked = calloc(PROJECTS_PER_CLIENT, 1);
    clients[i].seed = seed * 31u + (unsigned)i;
    pthread_create(&clients[i].thread, NULL, client_main, &clients[i]);
  }

  /* The driver: kill a random service at a random moment, restart it. */
  unsigned rs = seed;
  int kills[NSVC] = {0}, nkills = 0;
  uint64_t end = now_ms() + (uint64_t)seconds * 1000u;
  while (now_ms() < end) {
    pause_ms(300 + (int)(rand_r(&rs) % 1200));
    if (now_ms() >= end) break;
    int v = (int)(rand_r(&rs) % NSVC);
    testproc_kill9(&procs[v]);
    pause_ms((int)(rand_r(&rs) % 400));
    start_service(v);
    kills[v]++;
    nkills++;
  }
  atomic_store(&stop_load, true);
  uint64_t sent = 0, acked = 0, unknown = 0;
  for (int i = 0; i < nclients; i++) {
    pthread_join(clients[i].thread, NULL);
    sent += clients[i].sent;
    acked += clients[i].acked;
    unknown += clients[i].unknown;
  }

  /* Every acknowledged command in the store (the model is the truth). */
  trin_client_t *c = NULL;
  trin_err_t err = {0};
  trin_client_new(procs[LC].endpoint, &c, &err);
  trin_client_set_timeout(c, 1000);
  int nprojects = 0, lost = 0;
  for (int i = 0; i < nclients; i++)
    for (int k = 0; k < clients[i].nprojects; k++) {
      project_t *p = &clients[i].projects[k];
      int s = store_step(&c, p->id);
      if (s < p->acked) {
        fprintf(stderr, "LOST: %s acknowledged step %d, the store holds %d\n", p->id, p->acked, s);
        lost++;
      } else if (s > p->attempted) {
        die("%s is at step %d, further than any command sent (%d)", p->id, s, p->attempted);
      }
      p->known = s;
      nprojects += s >= 0;
    }
  trin_client_destroy(&c);
  int points = 0;
  uint64_t budget_sent = 0, budget_acked = 0;
  for (int i = 0; i < nclients; i++) {
    lost += check_points(&clients[i], &points);
    budget_sent += clients[i].budget_sent;
    budget_acked += clients[i].budget_acked;
  }

  /* The subscriber catches up with every event, each once. */
  uint64_t want = lifecycle_last_seq();
  for (int i = 0; i < 600 && atomic_load(&sb.last) < want; i++) pause_ms(50);
  trin_subscriber_stats_t sst = sb_stop();
  uint64_t sub_last = atomic_load(&sb.last), sub_delivered = atomic_load(&sb.delivered);

  /* The feed converges on what the commands imply; the receiver on the feed. */
  int port = feed_port();
  json_t *rows = NULL;
  int feed_bad = -1, push_bad = -1;
  for (int i = 0; i < 600; i++) {
    json_decref(rows);
    rows = feed_rows(port);
    if (!rows) {
      port = feed_port();
    } else if ((feed_bad = feed_mismatches(rows, false)) == 0 &&
               (push_bad = push_mismatches(rows, false)) == 0) {
      break;
    }
    pause_ms(50);
  }

  printf("fault.kill_restart: commands sent %llu, acknowledged %llu, unanswered %llu\n",
         (unsigned long long)sent, (unsigned long long)acked, (unsigned long long)unknown);
  printf("fault.kill_restart: of those to budget: sent %llu, acknowledged %llu; "
         "index points in its store %d\n",
         (unsigned long long)budget_sent, (unsigned long long)budget_acked, points);
  printf("fault.kill_restart: kills survived %d (lifecycle %d, budget %d, survey %d, "
         "benchmark %d, aggregator %d)\n",
         nkills, kills[LC], kills[BG], kills[SV], kills[BM], kills[AGG]);
  printf("fault.kill_restart: events %llu, delivered to the subscriber %llu (live %llu, "
         "repaired %llu, duplicates dropped %llu), out of order or twice %llu\n",
         (unsigned long long)want, (unsigned long long)sub_delivered,
         (unsigned long long)sst.live, (unsigned long long)sst.repaired,
         (unsigned long long)sst.duplicates, (unsigned long long)atomic_load(&sb.out_of_order));
  pthread_mutex_lock(&rx.mu);
  printf("fault.kill_restart: Power BI stand-in: %d POSTs, %d refused on purpose, %zu rows\n",
         rx.posts, rx.refused, rx.nrows);
  pthread_mutex_unlock(&rx.mu);
  printf("fault.kill_restart: rows checked %zu (projects %d), lost %d\n",
         rows ? json_array_size(rows) : 0, nprojects, lost);
  fflush(stdout);

  int failed = 0;
  if (lost) failed = fprintf(stderr, "FAILED: %d acknowledged commands lost\n", lost);
  if (acked == 0 || nkills == 0) failed = fprintf(stderr, "FAILED: no load or no kills\n");
  if (sub_last != want || sub_delivered != want || atomic_load(&sb.out_of_order))
    failed = fprintf(stderr, "FAILED: the subscriber has %llu of %llu events (%llu out of order)\n",
                     (unsigned long long)sub_last, (unsigned long long)want,
                     (unsigned long long)atomic_load(&sb.out_of_order));
  if (!rows || feed_bad) {
    failed = fprintf(stderr, "FAILED: the feed differs from the commands in %d rows\n", feed_bad);
    if (rows) feed_mismatches(rows, true);
  } else if (push_bad) {
    failed = fprintf(stderr, "FAILED: the Power BI stand-in lacks %d of the feed's rows\n",
                     push_bad);
    push_mismatches(rows, true);
  }
  if (nprojects == 0 || (rows && json_array_size(rows) != (size_t)nprojects))
    failed = fprintf(stderr, "FAILED: %zu rows for %d projects\n",
                     rows ? json_array_size(rows) : 0, nprojects);
  json_decref(rows);

  /* Every service stops cleanly (sanitizer builds check for leaks on exit). */
  for (int i = NSVC - 1; i >= 0; i--) {
    int st = testproc_stop(&procs[i]);
    if (st != 0) failed = fprintf(stderr, "FAILED: %s stopped with %d (log %s)\n", NAMES[i], st,
                                  procs[i].log);
    else testproc_cleanup(&procs[i]);
  }
  rx_stop();
  for (int i = 0; i < nclients; i++) {
    free(clients[i].projects);
    free(clients[i].point_acked);
  }
  printf("fault.kill_restart: %s\n", failed ? "FAILED" : "passed");
  return failed ? 1 : 0;
}
