/* bench_store_backends — the lifecycle service's acknowledged commands per
 * second with its store on SQLite and on PostgreSQL, in the same run on the
 * same machine, and the ratio. The command is bench_lifecycle's
 * SetMilestone (a real change: a row, an outbox event, a commit), sent over
 * tcp loopback by one DEALER keeping `window` requests outstanding; each
 * reply is checked (OK, and the answer to an outstanding request).
 *
 * PostgreSQL is the server TRIN_TEST_PG (or --pg URI) names, e.g. the one
 * tests/bench/run.sh starts with tests/pg/pg-start.sh (fsync on, so both
 * backends pay for durable commits); without one its row says skipped and
 * why. Prints figures, never judges them: exits 0 when it ran, 1 when it
 * could not (a service did not start, a reply failed). */
#include <errno.h>
#include <math.h>
#include <inttypes.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "bench_util.h"
#include "lcclient.h"
#include "testproc.h"
#include "trin/envelope.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_client.h"
#include "trin_date.h"

#ifndef TRIN_LIFECYCLE_BIN
#error "build with -DTRIN_LIFECYCLE_BIN=\"path/to/trin-lifecycle\""
#endif

#define NS 1000000000ull
#define RING 65536u
#define PROJECTS 200

typedef struct {
  int runs;
  double run_s, warmup_s;
  int window;
} opts_t;

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static testproc_t svc;

static void die(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void die(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "bench_store_backends: could not run: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, " (service log: %s)\n", svc.log);
  va_end(ap);
  if (svc.pid > 0) testproc_stop(&svc);
  exit(1);
}

static void tcp_endpoints(void) {
  int a = bench_free_port(), b = bench_free_port();
  if (!a || !b) die("found no free tcp port on 127.0.0.1");
  snprintf(svc.endpoint, sizeof svc.endpoint, "tcp://127.0.0.1:%d", a);
  snprintf(svc.pub, sizeof svc.pub, "tcp://127.0.0.1:%d", b);
}

/* ---- the driver --------------------------------------------------------------- */

typedef struct {
  void *ctx, *sock;
  uint64_t next_k, outstanding, ok, failed;
  uint8_t *pending; /* [RING] 1 = request k % RING awaits its reply */
  char baseline[TRIN_DATE_BUF];
  trin_date_t base;
} driver_t;

static void project_id(int i, char out[16]) { snprintf(out, 16, "B%04d", i); }

static void send_one(driver_t *d) {
  uint64_t k = d->next_k++;
  if (d->pending[k % RING]) die("request %" PRIu64 " got no reply", k - RING);
  char pid[16], cid[24], forecast[TRIN_DATE_BUF];
  project_id((int)(k % PROJECTS), pid);
  snprintf(cid, sizeof cid, "%012" PRIu64, k);
  trin_date_format(d->base + 1 + (trin_date_t)((k / PROJECTS) % 3000), forecast);
  Trin__Lifecycle__Milestone ms = TRIN__LIFECYCLE__MILESTONE__INIT;
  ms.name = "handover";
  ms.baseline = d->baseline;
  ms.forecast = forecast;
  Trin__Lifecycle__SetMilestone m = TRIN__LIFECYCLE__SET_MILESTONE__INIT;
  m.project_id = pid;
  m.milestone = &ms;
  uint8_t payload[256], out[512];
  size_t pl = protobuf_c_message_pack(&m.base, payload);
  Trin__Envelope env = TRIN__ENVELOPE__INIT;
  env.correlation_id = cid;
  env.type = (char *)trin__lifecycle__set_milestone__descriptor.name;
  env.payload.data = payload;
  env.payload.len = pl;
  size_t n = protobuf_c_message_pack(&env.base, out);
  if (zmq_send(d->sock, out, n, 0) != (int)n) die("send: %s", zmq_strerror(errno));
  d->pending[k % RING] = 1;
  d->outstanding++;
}

static int take_replies(driver_t *d, int timeout_ms) {
  zmq_pollitem_t it = {d->sock, 0, ZMQ_POLLIN, 0};
  if (zmq_poll(&it, 1, timeout_ms) <= 0) return 0;
  int n = 0;
  zmq_msg_t m;
  zmq_msg_init(&m);
  while (zmq_msg_recv(&m, d->sock, ZMQ_DONTWAIT) >= 0) {
    Trin__Envelope *env = trin__envelope__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
    if (!env) die("a reply that is not an envelope");
    uint64_t k = strtoull(env->correlation_id, NULL, 10);
    if (k >= d->next_k || !d->pending[k % RING]) die("a reply to no outstanding request");
    d->pending[k % RING] = 0;
    d->outstanding--;
    if (env->status == TRIN__STATUS__OK) {
      d->ok++;
    } else {
      if (d->failed++ < 3)
        fprintf(stderr, "bench_store_backends: request %" PRIu64 ": %s: %s\n", k,
                trin_status_name(env->status), env->error ? env->error->message : "");
    }
    trin__envelope__free_unpacked(env, NULL);
    n++;
  }
  zmq_msg_close(&m);
  return n;
}

static double run_throughput(driver_t *d, int window, double seconds) {
  uint64_t ok0 = d->ok, t0 = now_ns(), stop = t0 + (uint64_t)(seconds * 1e9), last = t0;
  uint64_t idle_since = t0;
  for (;;) {
    uint64_t t = now_ns();
    bool sending = t < stop;
    while (sending && d->outstanding < (uint64_t)window) send_one(d);
    int got = take_replies(d, 100);
    if (got) {
      last = now_ns();
      idle_since = last;
    } else if (now_ns() - idle_since > 20 * NS) {
      die("no reply for 20 s with %" PRIu64 " outstanding", d->outstanding);
    }
    if (!sending && d->outstanding == 0) break;
  }
  double el = (double)(last - t0) / 1e9;
  return el > 0 ? (double)(d->ok - ok0) / el : 0;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* ---- one backend ---------------------------------------------------------------- */

typedef struct {
  double rate;        /* acknowledged commands per second, median */
  double per_commit;  /* requests per transaction, from the service's log */
  double trips_per_cmd; /* round trips to the store per request, ditto */
  uint64_t failed;
} result_t;

/* Requests per transaction and round trips to the store per request, from
 * the service's last line ("stopped after N requests in M batches, E
 * events, R round trips to the store"); the round trips include setting
 * the store up and the bench's 202 set-up requests. */
static void log_figures(result_t *res) {
  FILE *f = fopen(svc.log, "r");
  if (!f) return;
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    const char *p = strstr(line, "stopped after ");
    unsigned long long req = 0, batches = 0, events = 0, trips = 0;
    if (p && sscanf(p, "stopped after %llu requests in %llu batches, %llu events, %llu round trips",
                    &req, &batches, &events, &trips) >= 2 &&
        batches > 0 && req > 0) {
      res->per_commit = (double)req / (double)batches;
      res->trips_per_cmd = (double)trips / (double)req;
    }
  }
  fclose(f);
}

#define SETUP_OK(expr)                                                     \
  do {                                                                     \
    trin_err_t e_ = {0};                                                   \
    if ((expr) != TRIN_OK) die("setup: %s: %s", #expr, e_.message);        \
  } while (0)

static result_t measure(const char *store, const opts_t *o, const char *what) {
  snprintf(svc.store, sizeof svc.store, "%s", store);
  tcp_endpoints();
  const char *extra[] = {"--sync=full", NULL};
  if (!testproc_start(&svc, TRIN_LIFECYCLE_BIN, extra)) die("%s did not start", what);
  trin_client_t *c = NULL;
  trin_err_t err = {0};
  if (trin_client_new(svc.endpoint, &c, &err)) die("client: %s", err.message);
  SETUP_OK(lc_org(c, "BENCH", "client", &e_));
  SETUP_OK(lc_partnership(c, "BENCH-P", "BENCH", "2022-01-01", "myndighedsprojekt", 5000000, &e_));
  for (int i = 0; i < PROJECTS; i++) {
    char id[16];
    project_id(i, id);
    SETUP_OK(lc_project(c, id, "BENCH-P", NULL, false, "2023-03-01", &e_));
  }
  trin_client_destroy(&c);

  driver_t d = {0};
  d.pending = calloc(RING, 1);
  if (!d.pending) die("out of memory");
  d.base = trin_date_from_ymd(2027, 1, 1);
  trin_date_format(d.base, d.baseline);
  d.ctx = zmq_ctx_new();
  d.sock = zmq_socket(d.ctx, ZMQ_DEALER);
  int zero = 0;
  zmq_setsockopt(d.sock, ZMQ_SNDHWM, &zero, sizeof zero);
  zmq_setsockopt(d.sock, ZMQ_RCVHWM, &zero, sizeof zero);
  zmq_setsockopt(d.sock, ZMQ_LINGER, &zero, sizeof zero);
  if (zmq_connect(d.sock, svc.endpoint) != 0) die("connect: %s", zmq_strerror(errno));
  run_throughput(&d, o->window, o->warmup_s);
  double r[16];
  int runs = o->runs < 16 ? o->runs : 16;
  for (int i = 0; i < runs; i++) {
    r[i] = run_throughput(&d, o->window, o->run_s);
    fprintf(stderr, "  %s, run %d/%d: %.0f /s\n", what, i + 1, runs, r[i]);
  }
  qsort(r, (size_t)runs, sizeof *r, cmp_double);
  result_t res = {runs % 2 ? r[runs / 2] : (r[runs / 2 - 1] + r[runs / 2]) / 2, 0, 0, d.failed};
  zmq_close(d.sock);
  zmq_ctx_term(d.ctx);
  free(d.pending);
  if (testproc_stop(&svc) != 0) fprintf(stderr, "bench_store_backends: %s exited badly\n", what);
  log_figures(&res);
  return res;
}

int main(int argc, char **argv) {
  opts_t o = {3, 3.0, 0.5, 2000};
  const char *pg = getenv("TRIN_TEST_PG");
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      o = (opts_t){1, 1.0, 0.2, 2000};
    } else if (strcmp(argv[i], "--pg") == 0 && i + 1 < argc) {
      pg = argv[++i];
    } else {
      fprintf(stderr,
              "usage: bench_store_backends [--quick] [--pg postgresql://USER@HOST:PORT/DB]\n"
              "The lifecycle service's acknowledged commands per second on SQLite and on\n"
              "PostgreSQL (TRIN_TEST_PG or --pg; skipped without), and their ratio.\n");
      return 2;
    }
  }
  uint64_t t0 = now_ns();
  char sqlite_loc[320], pg_loc[512];
  testproc_init(&svc, "bench-backends");
  snprintf(sqlite_loc, sizeof sqlite_loc, "%s", svc.store);
  if (strncmp(sqlite_loc, "sqlite:", 7) != 0)
    snprintf(sqlite_loc, sizeof sqlite_loc, "sqlite:%s/store.db", svc.dir);

  fprintf(stderr, "SQLite (sync=full)\n");
  result_t lite = measure(sqlite_loc, &o, "sqlite");
  result_t post = {0};
  bool have_pg = pg && *pg;
  if (have_pg) {
    fprintf(stderr, "PostgreSQL (sync=full: synchronous_commit=on)\n");
    snprintf(pg_loc, sizeof pg_loc, "%s%cschema=bench_%d", pg, strchr(pg, '?') ? '&' : '?',
             (int)getpid());
    post = measure(pg_loc, &o, "postgresql");
  }
  testproc_cleanup(&svc);

  printf("trin store backends — lifecycle SetMilestone, window %d, %d projects, sync=full,\n"
         "median of %d run(s) of %.0f s, tcp loopback\n",
         o.window, PROJECTS, o.runs, o.run_s);
  printf("%-44s %12s  %s\n", "figure", "value", "unit");
  printf("%-44s %12.0f  cmd/s\n", "acknowledged commands, SQLite", lite.rate);
  printf("%-44s %12.1f  cmd\n", "  commands per commit", lite.per_commit);
  if (have_pg) {
    printf("%-44s %12.0f  cmd/s\n", "acknowledged commands, PostgreSQL", post.rate);
    printf("%-44s %12.1f  cmd\n", "  commands per commit", post.per_commit);
    printf("%-44s %12.2f  per cmd\n", "  round trips to PostgreSQL", post.trips_per_cmd);
    printf("%-44s %12.3f\n", "PostgreSQL / SQLite", lite.rate > 0 ? post.rate / lite.rate : 0);
  } else {
    printf("%-44s %12s  (TRIN_TEST_PG names no server; tests/bench/run.sh starts one)\n",
           "acknowledged commands, PostgreSQL", "skipped");
  }
  printf("%-44s %12" PRIu64 "\n", "failed replies", lite.failed + post.failed);
  /* The suite's table (tests/bench/suite.sh), issue 21's figures. */
#define SECTION "7. the store: SetMilestone on SQLite and PostgreSQL"
  bench_result(SECTION, "acknowledged commands, SQLite", lite.rate, "cmd/s", "", NAN);
  if (have_pg) {
    bench_result(SECTION, "acknowledged commands, PostgreSQL 15", post.rate, "cmd/s",
                 ">= 0.3 of SQLite", lite.rate > 0 ? post.rate / lite.rate : NAN);
    bench_result(SECTION, "  round trips to PostgreSQL per command", post.trips_per_cmd, "",
                 "", NAN);
    bench_result(SECTION, "  commands per commit, PostgreSQL", post.per_commit, "cmd", "", NAN);
  } else {
    const char *why = getenv("TRIN_BENCH_PG_SKIP");
    char fig[200];
    snprintf(fig, sizeof fig, "acknowledged commands, PostgreSQL: skipped (%.120s)",
             why && *why ? why : "TRIN_TEST_PG names no server");
    bench_result(SECTION, fig, NAN, "", "", NAN);
  }
  printf("%-44s %12.1f  s\n", "benchmark wall time", (double)(now_ns() - t0) / 1e9);
  return lite.failed + post.failed ? 1 : 0;
}
