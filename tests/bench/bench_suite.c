/* bench_suite — trin against its limits and the alternatives (issue 10):
 * the figures that need the whole system running, each beside its
 * reference measured in the same run. tests/bench/suite.sh runs it (with
 * bench_benchmark for the SQL comparison) and prints the one table.
 *
 *  1. Messaging against its floor: bare libzmq PUB/SUB and ROUTER/DEALER
 *     (no protobuf, no store) with the sizes trin's messages have, against
 *     trin's command → event → aggregator → status row path on the real
 *     processes: SetMilestone commands pipelined into trin-lifecycle, status
 *     rows counted as they arrive on trin-aggregator's ZeroMQ status PUB
 *     (aggregator.status_changed events carrying a StatusRow).
 *  2. Freshness: open-loop SetMilestone at 1,000 and 5,000 commands/s; for
 *     each command, the time from its acknowledgement to its project's row
 *     arriving on the status PUB and on the SSE stream.
 *  3. Portfolio scale: N projects (100,000 by default) created, each with a
 *     budget and a survey with one round of imported answers, all by
 *     pipelined requests; then VmRSS of every service, and the OData page,
 *     the full JSON feed and the CSV feed timed over HTTP from here.
 *  4. Against SQL (survey half): one round's results from the service against
 *     the same figures in SQLite SQL over the service's own store file, and
 *     in PostgreSQL SQL over a copy of its rows when TRIN_TEST_PG names a
 *     server (pgtwin.h).
 *
 * Figures go to stdout and, when TRIN_BENCH_RESULTS names a file, as rows
 * for the table (see bench_util.h). `bench_suite --report FILE [--json OUT]`
 * prints that table. Nothing is judged: exit 1 only when it could not run. */
#include <errno.h>
#include <inttypes.h>
#include <jansson.h>
#include <math.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <sqlite3.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "pgtwin.h"
#include "bench_util.h"
#include "lcclient.h"
#include "test_aggregator_util.h"
#include "test_budget_calls.h"
#include "test_survey_common.h"
#include "testproc.h"
#include "trin/aggregator.pb-c.h"
#include "trin/budget.pb-c.h"
#include "trin/envelope.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin/survey.pb-c.h"
#include "trin_client.h"
#include "trin_codec.h"
#include "trin_err.h"

#define NS 1000000000ull

/* ---- settings ------------------------------------------------------------------ */

typedef struct {
  int projects;        /* portfolio size */
  int flow_commands;   /* commands in the messaging throughput run */
  int bare_messages;   /* messages in each bare libzmq run */
  double paced_s;      /* one freshness run */
  int respondents;     /* per survey round */
  int http_reps;       /* OData page and results repeats (feeds: a third) */
  int big_round;       /* respondents in the big survey round */
  int msg_reps;        /* bare libzmq runs and event-path replays (median of) */
} suite_opts_t;

static const suite_opts_t FULL = {100000, 100000, 1000000, 5.0, 8, 21, 200000, 3};
static const suite_opts_t QUICK = {5000, 20000, 200000, 2.0, 8, 7, 20000, 1};

#define WINDOW 2000
#define FRESH_PROJECTS 5000   /* projects the freshness commands go round */
#define FLOW_PROJECTS 1000    /* projects the throughput commands go round */

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* ---- the processes -------------------------------------------------------------- */

enum { P_LC, P_BG, P_SV, P_BM, P_AGG, P_N };
static const char *const P_NAME[P_N] = {"lifecycle", "budget", "survey", "benchmark",
                                        "aggregator"};
static testproc_t procs[P_N];
static bool procs_made;
static int http_port;

static void suite_abort(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void suite_abort(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "bench_suite: could not run: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  for (int i = P_N - 1; i >= 0; i--)
    if (procs[i].pid > 0) testproc_stop(&procs[i]);
  if (procs_made) fprintf(stderr, "bench_suite: logs and stores are in /tmp (%s ...)\n", procs[0].dir);
  exit(1);
}

static void tcp_endpoints(testproc_t *p) {
  int a = bench_free_port(), b = bench_free_port();
  if (!a || !b) suite_abort("no free tcp port on 127.0.0.1");
  snprintf(p->endpoint, sizeof p->endpoint, "tcp://127.0.0.1:%d", a);
  snprintf(p->pub, sizeof p->pub, "tcp://127.0.0.1:%d", b);
}

/* The HTTP port the aggregator logged. */
static int aggregator_port(const testproc_t *p) {
  int port = testproc_http_port(p);
  if (!port) suite_abort("no HTTP port in %s", p->log);
  return port;
}

/* All five services on tcp loopback, each following its upstreams, like a
 * deployment; the aggregator's feed on an ephemeral port. */
static void system_start(void) {
  static char up[P_N][2][400];
  for (int i = 0; i < P_N; i++) {
    char name[32];
    snprintf(name, sizeof name, "suite-%s", P_NAME[i]);
    testproc_init(&procs[i], name);
    tcp_endpoints(&procs[i]);
  }
  procs_made = true;
  for (int i = P_LC; i <= P_BM; i++) {
    snprintf(up[i][0], sizeof up[i][0], "--%s-endpoint=%s", P_NAME[i], procs[i].endpoint);
    snprintf(up[i][1], sizeof up[i][1], "--%s-pub-endpoint=%s", P_NAME[i], procs[i].pub);
  }
  const char *lc_args[] = {"--heartbeat-ms=1000", NULL};
  const char *bg_args[] = {up[P_LC][0], up[P_LC][1], "--heartbeat-ms=1000", NULL};
  const char *sv_args[] = {up[P_LC][0], up[P_LC][1], "--heartbeat-ms=1000", "--http-address=",
                           NULL};
  const char *bm_args[] = {up[P_LC][0], up[P_LC][1], up[P_BG][0], up[P_BG][1], up[P_SV][0],
                           up[P_SV][1], "--heartbeat-ms=1000", NULL};
  const char *agg_args[] = {up[P_LC][0], up[P_LC][1], up[P_BG][0], up[P_BG][1], up[P_SV][0],
                            up[P_SV][1], up[P_BM][0], up[P_BM][1],
                            "--http-address=127.0.0.1:0", "--token=" TU_TOKEN,
                            "--page-size=1000", "--retry-ms=200", NULL};
  const char *bins[P_N] = {TRIN_LIFECYCLE_BIN, TRIN_BUDGET_BIN, TRIN_SURVEY_BIN,
                           TRIN_BENCHMARK_BIN, TRIN_AGGREGATOR_BIN};
  const char *const *args[P_N] = {lc_args, bg_args, sv_args, bm_args, agg_args};
  for (int i = 0; i < P_N; i++)
    if (!testproc_start(&procs[i], bins[i], args[i]))
      suite_abort("%s did not start (log: %s)", bins[i], procs[i].log);
  http_port = aggregator_port(&procs[P_AGG]);
  /* The client organisation, the partnership and its economic model. */
  trin_client_t *lc = NULL, *bg = NULL;
  trin_err_t e = {0};
  if (trin_client_new(procs[P_LC].endpoint, &lc, &e) ||
      trin_client_new(procs[P_BG].endpoint, &bg, &e))
    suite_abort("client: %s", e.message);
  if (lc_org(lc, "SUITE", "client", &e) ||
      lc_partnership(lc, "SUITE-P", "SUITE", "2022-01-01", "myndighedsprojekt", 0, &e))
    suite_abort("setup: %s (%s)", e.message, e.field);
  uint64_t t0 = now_ns();
  while (bg_model(bg, "SUITE-P", 1250, &e) != TRIN_OK) {
    if (now_ns() - t0 > 20 * NS) suite_abort("budget model: %s (%s)", e.message, e.field);
    struct timespec ts = {0, 50 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  trin_client_destroy(&lc);
  trin_client_destroy(&bg);
}

static void system_stop(void) {
  for (int i = P_N - 1; i >= 0; i--) {
    int rc = testproc_stop(&procs[i]);
    if (rc != 0)
      fprintf(stderr, "bench_suite: %s exited with %d (log: %s)\n", P_NAME[i], rc, procs[i].log);
  }
  for (int i = 0; i < P_N; i++) testproc_cleanup(&procs[i]);
  procs_made = false;
}

static uint64_t ping_last_seq(const char *endpoint) {
  trin_client_t *c = NULL;
  trin_err_t err = {0};
  if (trin_client_new(endpoint, &c, &err)) suite_abort("client: %s", err.message);
  Trin__Ping ping = TRIN__PING__INIT;
  Trin__Pong *pong = NULL;
  if (trin_client_call(c, &ping.base, &trin__pong__descriptor, (ProtobufCMessage **)&pong,
                       &err) != TRIN_OK)
    suite_abort("ping %s: %s", endpoint, err.message);
  uint64_t s = pong->last_seq;
  trin_codec_free(pong);
  trin_client_destroy(&c);
  return s;
}

static uint64_t last_seq(int i) { return ping_last_seq(procs[i].endpoint); }

/* Waits until the aggregator's cursor on every upstream is that upstream's
 * last event; returns the seconds waited. */
static double aggregator_catch_up(double timeout_s) {
  uint64_t want[P_BM + 1];
  for (int i = P_LC; i <= P_BM; i++) want[i] = last_seq(i);
  uint64_t t0 = now_ns();
  for (;;) {
    tu_http_t r;
    bool all = false;
    if (tu_get(http_port, "/healthz", NULL, &r) && r.status == 200) {
      json_t *doc = json_loads(r.body, 0, NULL);
      json_t *ups = json_object_get(doc, "upstreams");
      all = true;
      for (int i = P_LC; i <= P_BM; i++) {
        json_t *c = json_object_get(json_object_get(ups, P_NAME[i]), "cursor");
        if ((uint64_t)json_integer_value(c) < want[i]) all = false;
      }
      json_decref(doc);
    }
    tu_http_free(&r);
    double waited = (double)(now_ns() - t0) / 1e9;
    if (all) return waited;
    if (waited > timeout_s) suite_abort("the aggregator did not catch up in %.0f s", timeout_s);
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

/* ---- pipelined requests ------------------------------------------------------------ */

/* Builds request k into static storage; returns it. */
typedef const ProtobufCMessage *(*build_fn)(uint64_t k, void *arg);

typedef struct {
  void *ctx, *sock;
  int fd;
  uint64_t ok, failed, outstanding;
  uint64_t *ack_ns;   /* [cap] acknowledgement time of request k (0 = none yet) */
  uint64_t cap;
  size_t request_bytes;
} pipe_t;

static void *zctx;

static void pipe_open(pipe_t *p, const char *endpoint, uint64_t cap) {
  memset(p, 0, sizeof *p);
  int zero = 0;
  p->sock = zmq_socket(zctx, ZMQ_DEALER);
  zmq_setsockopt(p->sock, ZMQ_SNDHWM, &zero, sizeof zero);
  zmq_setsockopt(p->sock, ZMQ_RCVHWM, &zero, sizeof zero);
  zmq_setsockopt(p->sock, ZMQ_LINGER, &zero, sizeof zero);
  if (zmq_connect(p->sock, endpoint) != 0) suite_abort("connect %s", endpoint);
  size_t sz = sizeof p->fd;
  zmq_getsockopt(p->sock, ZMQ_FD, &p->fd, &sz);
  p->cap = cap;
  if (cap) {
    p->ack_ns = calloc(cap, sizeof *p->ack_ns);
    if (!p->ack_ns) suite_abort("out of memory");
  }
}

static void pipe_close(pipe_t *p) {
  zmq_close(p->sock);
  free(p->ack_ns);
  p->ack_ns = NULL;
}

static void pipe_send(pipe_t *p, uint64_t k, const ProtobufCMessage *m) {
  static uint8_t *payload, *buf;
  static size_t payload_cap, buf_cap;
  size_t pl = protobuf_c_message_get_packed_size(m);
  if (pl + 256 > payload_cap) {
    payload_cap = buf_cap = 2 * pl + 256;
    payload = realloc(payload, payload_cap);
    buf = realloc(buf, buf_cap);
    if (!payload || !buf) suite_abort("out of memory");
  }
  protobuf_c_message_pack(m, payload);
  char cid[24];
  snprintf(cid, sizeof cid, "%012" PRIu64, k);
  Trin__Envelope env = TRIN__ENVELOPE__INIT;
  env.correlation_id = cid;
  env.type = (char *)m->descriptor->name;
  env.payload.data = payload;
  env.payload.len = pl;
  size_t n = protobuf_c_message_get_packed_size(&env.base);
  if (n > buf_cap) suite_abort("an envelope of %zu bytes", n);
  protobuf_c_message_pack(&env.base, buf);
  p->request_bytes = n;
  if (zmq_send(p->sock, buf, n, 0) != (int)n) suite_abort("send: %s", zmq_strerror(errno));
  p->outstanding++;
}

/* Takes every reply waiting; returns how many. */
static int pipe_take(pipe_t *p) {
  zmq_msg_t m;
  zmq_msg_init(&m);
  int n = 0;
  while (zmq_msg_recv(&m, p->sock, ZMQ_DONTWAIT) >= 0) {
    uint64_t t = now_ns();
    Trin__Envelope *env = trin__envelope__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
    n++;
    p->outstanding--;
    if (!env) {
      p->failed++;
      continue;
    }
    if (env->status != TRIN__STATUS__OK) {
      if (p->failed++ < 5)
        fprintf(stderr, "bench_suite: request %s failed: %s: %s %s\n", env->correlation_id,
                trin_status_name(env->status), env->error ? env->error->field : "",
                env->error ? env->error->message : "");
    } else {
      p->ok++;
      uint64_t k = strtoull(env->correlation_id, NULL, 10);
      if (p->ack_ns && k < p->cap) p->ack_ns[k] = t;
    }
    trin__envelope__free_unpacked(env, NULL);
  }
  zmq_msg_close(&m);
  return n;
}

/* True when a ZeroMQ socket has a message waiting. */
static bool zready(void *sock) {
  int ev = 0;
  size_t sz = sizeof ev;
  zmq_getsockopt(sock, ZMQ_EVENTS, &ev, &sz);
  return (ev & ZMQ_POLLIN) != 0;
}

/* Sends requests [0, n) with `window` outstanding; returns the seconds it
 * took until the last reply. Aborts when any failed. */
static double pipe_run(const char *endpoint, uint64_t n, int window, build_fn build, void *arg,
                       const char *what) {
  pipe_t p;
  pipe_open(&p, endpoint, 0);
  uint64_t t0 = now_ns(), last = t0, k = 0;
  while (k < n || p.outstanding > 0) {
    while (k < n && p.outstanding < (uint64_t)window) {
      pipe_send(&p, k, build(k, arg));
      k++;
    }
    int got = pipe_take(&p);
    uint64_t t = now_ns();
    if (got) last = t;
    else if (t - last > 30 * NS) suite_abort("%s: no reply for 30 s", what);
    else if (!zready(p.sock)) {
      struct pollfd pf = {.fd = p.fd, .events = POLLIN};
      poll(&pf, 1, 10);
    }
  }
  uint64_t failed = p.failed;
  pipe_close(&p);
  if (failed) suite_abort("%s: %" PRIu64 " of %" PRIu64 " requests failed", what, failed, n);
  return (double)(last - t0) / 1e9;
}

/* ---- the commands ------------------------------------------------------------------- */

static void pid_of(char *out, size_t n, char prefix, uint64_t i) {
  snprintf(out, n, "%c%06" PRIu64, prefix, i);
}

static const ProtobufCMessage *build_project(uint64_t k, void *arg) {
  static char id[16];
  static Trin__Lifecycle__Project p;
  static Trin__Lifecycle__CreateProject m;
  pid_of(id, sizeof id, *(const char *)arg, k);
  trin__lifecycle__project__init(&p);
  p.id = id;
  p.name = id;
  p.partnership_id = "SUITE-P";
  p.kind = "helhedsplan";
  p.dwellings = 50 + (int32_t)(k % 400);
  p.gross_area_m2 = 9000;
  p.start_date = "2023-03-01";
  trin__lifecycle__create_project__init(&m);
  m.project = &p;
  return &m.base;
}

/* SetMilestone on project `prefix` k % projects, the forecast one day later
 * each round, so every command changes the project's status row. */
typedef struct {
  char prefix;
  uint64_t projects;
  uint64_t base;       /* added to k: runs never repeat a forecast */
} milestone_arg_t;

static const ProtobufCMessage *build_milestone(uint64_t k, void *arg) {
  const milestone_arg_t *a = arg;
  static char id[16], forecast[16];
  static Trin__Lifecycle__Milestone ms;
  static Trin__Lifecycle__SetMilestone m;
  uint64_t j = k + a->base;
  pid_of(id, sizeof id, a->prefix, j % a->projects);
  uint64_t day = (j / a->projects) % 3000;
  /* 2027-01-02 + day, formatted without a date library: months of 28
   * days are enough to make each forecast distinct and valid. */
  snprintf(forecast, sizeof forecast, "%04d-%02d-%02d", 2027 + (int)(day / 336),
           1 + (int)(day / 28 % 12), 1 + (int)(day % 28));
  trin__lifecycle__milestone__init(&ms);
  ms.name = "handover";
  ms.baseline = "2027-01-01";
  ms.forecast = forecast;
  trin__lifecycle__set_milestone__init(&m);
  m.project_id = id;
  m.milestone = &ms;
  return &m.base;
}

/* ---- the status PUB and the SSE stream ------------------------------------------------ */

typedef struct {
  void *sock;
  int fd;
  size_t last_bytes;   /* size of the last event message */
} statsub_t;

static void statsub_open(statsub_t *s) {
  int zero = 0;
  s->sock = zmq_socket(zctx, ZMQ_SUB);
  zmq_setsockopt(s->sock, ZMQ_RCVHWM, &zero, sizeof zero);
  zmq_setsockopt(s->sock, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(s->sock, ZMQ_SUBSCRIBE, "", 0);
  if (zmq_connect(s->sock, procs[P_AGG].pub) != 0) suite_abort("connect the status PUB");
  size_t sz = sizeof s->fd;
  zmq_getsockopt(s->sock, ZMQ_FD, &s->fd, &sz);
}

/* Index of project `prefix`NNNNNN, or -1. */
static long project_index(const char *id, size_t len, char prefix) {
  if (len != 7 || id[0] != prefix) return -1;
  long v = 0;
  for (size_t i = 1; i < 7; i++) {
    if (id[i] < '0' || id[i] > '9') return -1;
    v = v * 10 + (id[i] - '0');
  }
  return v;
}

/* Calls seen(project index, arrival ns) for every status row waiting. */
static int statsub_take(statsub_t *s, char prefix, void (*seen)(long, uint64_t, void *),
                        void *arg) {
  zmq_msg_t m;
  zmq_msg_init(&m);
  int n = 0;
  while (zmq_msg_recv(&m, s->sock, ZMQ_DONTWAIT) >= 0) {
    if (zmq_msg_more(&m)) continue; /* the topic frame */
    uint64_t t = now_ns();
    s->last_bytes = zmq_msg_size(&m);
    Trin__Event *ev = trin__event__unpack(NULL, zmq_msg_size(&m), zmq_msg_data(&m));
    if (!ev) continue;
    if (strcmp(ev->type, "aggregator.status_changed") == 0) {
      Trin__Aggregator__StatusRow *r =
          trin__aggregator__status_row__unpack(NULL, ev->payload.len, ev->payload.data);
      if (r) {
        n++;
        seen(project_index(r->project_id, strlen(r->project_id), prefix), t, arg);
        trin__aggregator__status_row__free_unpacked(r, NULL);
      }
    }
    trin__event__free_unpacked(ev, NULL);
  }
  zmq_msg_close(&m);
  return n;
}

/* Reads what the SSE connection has and calls seen() for each complete
 * status event. */
static int sse_take(tu_sse_t *s, char prefix, void (*seen)(long, uint64_t, void *), void *arg) {
  int n = 0;
  for (;;) {
    ssize_t r = recv(s->fd, s->buf + s->len, sizeof s->buf - 1 - s->len, MSG_DONTWAIT);
    if (r <= 0) break;
    s->len += (size_t)r;
  }
  uint64_t t = now_ns();
  s->buf[s->len] = '\0';
  char *start = s->buf, *end;
  while ((end = strstr(start, "\n\n")) != NULL) {
    *end = '\0';
    const char *pid = strstr(start, "\"project_id\":\"");
    if (pid) {
      pid += 14;
      const char *q = strchr(pid, '"');
      if (q) {
        n++;
        seen(project_index(pid, (size_t)(q - pid), prefix), t, arg);
      }
    }
    start = end + 2;
  }
  size_t rest = s->len - (size_t)(start - s->buf);
  memmove(s->buf, start, rest);
  s->len = rest;
  return n;
}

/* ---- 1. messaging against its floor ---------------------------------------------------- */

typedef struct {
  void *sock;
  uint64_t n;
  size_t size;
} bare_pub_t;

static void *bare_pub_main(void *arg) {
  bare_pub_t *b = arg;
  char *msg = calloc(1, b->size);
  for (uint64_t i = 0; i < b->n; i++) zmq_send(b->sock, msg, b->size, 0);
  free(msg);
  return NULL;
}

/* Bare PUB/SUB over tcp loopback: messages/s received. */
static double bare_pubsub(uint64_t n, size_t size) {
  int zero = 0;
  void *pub = zmq_socket(zctx, ZMQ_PUB), *sub = zmq_socket(zctx, ZMQ_SUB);
  zmq_setsockopt(pub, ZMQ_SNDHWM, &zero, sizeof zero);
  zmq_setsockopt(pub, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(sub, ZMQ_RCVHWM, &zero, sizeof zero);
  zmq_setsockopt(sub, ZMQ_LINGER, &zero, sizeof zero);
  zmq_setsockopt(sub, ZMQ_SUBSCRIBE, "", 0);
  char ep[64];
  snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", bench_free_port());
  if (zmq_bind(pub, ep) != 0 || zmq_connect(sub, ep) != 0) suite_abort("bare PUB/SUB on %s", ep);
  /* The slow joiner: wait until a probe arrives. */
  char probe = 'p', got[8];
  int timeout = 10;
  zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
  for (int i = 0; i < 500; i++) {
    zmq_send(pub, &probe, 1, 0);
    if (zmq_recv(sub, got, sizeof got, 0) == 1) break;
  }
  while (zmq_recv(sub, got, sizeof got, ZMQ_DONTWAIT) >= 0) {}
  bare_pub_t b = {pub, n, size};
  pthread_t th;
  uint64_t t0 = now_ns();
  if (pthread_create(&th, NULL, bare_pub_main, &b) != 0) suite_abort("no thread");
  timeout = 5000;
  zmq_setsockopt(sub, ZMQ_RCVTIMEO, &timeout, sizeof timeout);
  zmq_msg_t m;
  zmq_msg_init(&m);
  uint64_t have = 0;
  while (have < n && zmq_msg_recv(&m, sub, 0) >= 0) have++;
  uint64_t t1 = now_ns();
  zmq_msg_close(&m);
  pthread_join(th, NULL);
  zmq_close(pub);
  zmq_close(sub);
  if (have < n) fprintf(stderr, "bench_suite: bare PUB/SUB: %" PRIu64 " of %" PRIu64 " arrived\n", have, n);
  return (double)have / ((double)(t1 - t0) / 1e9);
}

typedef struct {
  void *sock;
} echo_t;

static void *echo_main(void *arg) {
  echo_t *e = arg;
  zmq_msg_t id, body;
  zmq_msg_init(&id);
  zmq_msg_init(&body);
  for (;;) {
    if (zmq_msg_recv(&id, e->sock, 0) < 0) break;
    if (zmq_msg_recv(&body, e->sock, 0) < 0) break;
    if (zmq_msg_size(&body) == 0) break;
    zmq_msg_send(&id, e->sock, ZMQ_SNDMORE);
    zmq_msg_send(&body, e->sock, 0);
  }
  zmq_msg_close(&id);
  zmq_msg_close(&body);
  return NULL;
}

/* Bare ROUTER/DEALER echo, `window` outstanding, messages of `size` bytes:
 * round trips/s. */
static double bare_echo(uint64_t n, size_t size, int window) {
  int zero = 0;
  echo_t e;
  e.sock = zmq_socket(zctx, ZMQ_ROUTER);
  zmq_setsockopt(e.sock, ZMQ_SNDHWM, &zero, sizeof zero);
  zmq_setsockopt(e.sock, ZMQ_RCVHWM, &zero, sizeof zero);
  zmq_setsockopt(e.sock, ZMQ_LINGER, &zero, sizeof zero);
  char ep[64];
  snprintf(ep, sizeof ep, "tcp://127.0.0.1:%d", bench_free_port());
  if (zmq_bind(e.sock, ep) != 0) suite_abort("bare ROUTER on %s", ep);
  pthread_t th;
  if (pthread_create(&th, NULL, echo_main, &e) != 0) suite_abort("no thread");
  void *d = zmq_socket(zctx, ZMQ_DEALER);
  zmq_setsockopt(d, ZMQ_SNDHWM, &zero, sizeof zero);
  zmq_setsockopt(d, ZMQ_RCVHWM, &zero, sizeof zero);
  zmq_setsockopt(d, ZMQ_LINGER, &zero, sizeof zero);
  zmq_connect(d, ep);
  char *msg = calloc(1, size);
  uint64_t sent = 0, got = 0, t0 = now_ns();
  zmq_msg_t m;
  zmq_msg_init(&m);
  while (got < n) {
    while (sent < n && sent - got < (uint64_t)window) {
      zmq_send(d, msg, size, 0);
      sent++;
    }
    if (zmq_msg_recv(&m, d, 0) < 0) break;
    got++;
    while (zmq_msg_recv(&m, d, ZMQ_DONTWAIT) >= 0) got++;
  }
  uint64_t t1 = now_ns();
  zmq_msg_close(&m);
  zmq_send(d, "", 0, 0);
  pthread_join(th, NULL);
  zmq_close(d);
  zmq_close(e.sock);
  free(msg);
  return (double)got / ((double)(t1 - t0) / 1e9);
}

typedef struct {
  uint64_t rows, first_ns, last_ns;
} flow_count_t;

static void flow_seen(long project, uint64_t t, void *arg) {
  flow_count_t *c = arg;
  if (project < 0) return;
  if (!c->rows) c->first_ns = t;
  c->rows++;
  c->last_ns = t;
}

static uint64_t milestone_base;

/* The aggregator's cursor on lifecycle, read from /healthz; -1 when it
 * does not answer. */
static long long healthz_cursor(int port) {
  tu_http_t r;
  long long cur = -1;
  if (tu_get(port, "/healthz", NULL, &r) && r.status == 200) {
    json_t *doc = json_loads(r.body, 0, NULL);
    json_t *c = json_object_get(json_object_get(json_object_get(doc, "upstreams"), "lifecycle"),
                                "cursor");
    if (json_is_integer(c)) cur = (long long)json_integer_value(c);
    json_decref(doc);
  }
  tu_http_free(&r);
  return cur;
}

/* CPU time (clock ticks) a process has used so far; 0 if unknown. */
static unsigned long long cpu_ticks(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%d/stat", (int)pid);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  const char *p = strrchr(buf, ')'); /* the name may hold spaces */
  unsigned long long ut = 0, st = 0;
  if (p) sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st);
  return ut + st;
}

/* Waits until every service is idle (the followers have digested what came
 * before), so a measurement has the machine to itself. */
static void quiesce(void) {
  uint64_t t0 = now_ns();
  unsigned long long before = 0;
  for (int i = 0; i < P_N; i++) before += cpu_ticks(procs[i].pid);
  for (;;) {
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL);
    unsigned long long now = 0;
    for (int i = 0; i < P_N; i++) now += cpu_ticks(procs[i].pid);
    if (now - before <= 3 || now_ns() - t0 > 60 * NS) return;
    before = now;
  }
}

/* The status rows an aggregator serves, by project id, without the seq
 * (each aggregator numbers its own events). NULL if it does not answer. */
static json_t *rows_by_project(int port) {
  tu_http_t r;
  json_t *out = NULL;
  if (tu_get_auth(port, "/api/v1/status", &r) && r.status == 200) {
    json_t *doc = json_loads(r.body, 0, NULL);
    json_t *rows = json_object_get(doc, "rows"), *row;
    size_t i;
    out = json_object();
    json_array_foreach(rows, i, row) {
      json_t *id = json_object_get(row, "project_id");
      if (!json_is_string(id)) continue;
      json_object_del(row, "seq");
      json_object_set(out, json_string_value(id), row);
    }
    json_decref(doc);
  }
  tu_http_free(&r);
  return out;
}

/* How many of the replayed rows equal the live aggregator's row for the
 * same project, of how many replayed: the fast path must also be right. */
static void compare_rows(int replay_port, uint64_t *same, uint64_t *of) {
  json_t *a = rows_by_project(replay_port), *b = rows_by_project(http_port);
  const char *id;
  json_t *row;
  *same = *of = 0;
  json_object_foreach(a, id, row) {
    (*of)++;
    if (json_equal(row, json_object_get(b, id))) (*same)++;
    else if (*of - *same <= 3)
      fprintf(stderr, "bench_suite: replayed row %s differs from the live aggregator's\n", id);
  }
  json_decref(a);
  json_decref(b);
}

/* trin's event path alone: the events lifecycle has committed, carried to a
 * fresh aggregator and turned into status rows, without the commands that
 * made them. Lifecycle is held (SIGSTOP) while the new aggregator starts
 * and asks for the events, then let go; the clock runs from then until the
 * aggregator's committed cursor reaches lifecycle's last event. Returns
 * events/s, and the number carried in *events. */
static double replay_path(uint64_t *events, uint64_t *rows, uint64_t *same, uint64_t *of) {
  testproc_t rp;
  testproc_init(&rp, "suite-replay");
  tcp_endpoints(&rp);
  char lce[400], lcp[400];
  snprintf(lce, sizeof lce, "--lifecycle-endpoint=%s", procs[P_LC].endpoint);
  snprintf(lcp, sizeof lcp, "--lifecycle-pub-endpoint=%s", procs[P_LC].pub);
  const char *args[] = {lce, lcp, "--budget-endpoint=", "--survey-endpoint=",
                        "--benchmark-endpoint=", "--http-address=127.0.0.1:0",
                        "--token=" TU_TOKEN, "--retry-ms=200", NULL};
  quiesce();
  uint64_t want = last_seq(P_LC);
  kill(procs[P_LC].pid, SIGSTOP);
  if (!testproc_start(&rp, TRIN_AGGREGATOR_BIN, args)) {
    kill(procs[P_LC].pid, SIGCONT);
    suite_abort("the replay aggregator did not start (log: %s)", rp.log);
  }
  int port = aggregator_port(&rp);
  long long c0 = healthz_cursor(port);
  struct timespec settle = {0, 300 * 1000 * 1000}; /* its replay request is queued */
  nanosleep(&settle, NULL);
  uint64_t t0 = now_ns();
  kill(procs[P_LC].pid, SIGCONT);
  long long cur = c0;
  uint64_t t1 = t0;
  while ((uint64_t)(cur < 0 ? 0 : cur) < want) {
    struct timespec ts = {0, 5 * 1000 * 1000}; /* gentle: each poll is work for it */
    nanosleep(&ts, NULL);
    cur = healthz_cursor(port);
    t1 = now_ns();
    if (t1 - t0 > 120 * NS) suite_abort("the replay aggregator did not catch up (log: %s)", rp.log);
  }
  *rows = ping_last_seq(rp.endpoint); /* its outbox: one event per status row written */
  compare_rows(port, same, of);
  if (testproc_stop(&rp) != 0) fprintf(stderr, "bench_suite: replay aggregator: see %s\n", rp.log);
  testproc_cleanup(&rp);
  *events = want - (uint64_t)(c0 < 0 ? 0 : c0);
  return (double)*events / ((double)(t1 - t0) / 1e9);
}

static void section_messaging(const suite_opts_t *o) {
  const char *S = "1. messaging against its floor";
  fprintf(stderr, "[1] %d projects for the flow\n", FLOW_PROJECTS);
  char prefix = 'M';
  pipe_run(procs[P_LC].endpoint, FLOW_PROJECTS, WINDOW, build_project, &prefix, "create");
  aggregator_catch_up(60);

  statsub_t sub = {0};
  statsub_open(&sub);
  /* A warm-up that also proves the subscription is live. */
  milestone_arg_t ma = {'M', FLOW_PROJECTS, milestone_base};
  flow_count_t warm = {0};
  pipe_run(procs[P_LC].endpoint, FLOW_PROJECTS, WINDOW, build_milestone, &ma, "warm-up");
  milestone_base += FLOW_PROJECTS;
  for (uint64_t t0 = now_ns(); warm.rows < FLOW_PROJECTS && now_ns() - t0 < 10 * NS;) {
    if (!statsub_take(&sub, 'M', flow_seen, &warm)) {
      struct timespec ts = {0, 1000000};
      nanosleep(&ts, NULL);
    }
  }
  if (warm.rows == 0) suite_abort("no status row arrived on the aggregator's PUB");

  fprintf(stderr, "[1] trin path: %d SetMilestone commands, window %d\n", o->flow_commands, WINDOW);
  pipe_t p;
  pipe_open(&p, procs[P_LC].endpoint, 0);
  ma.base = milestone_base;
  flow_count_t c = {0};
  uint64_t n = (uint64_t)o->flow_commands, k = 0, t0 = now_ns(), last_ack = t0, last = t0;
  while (k < n || p.outstanding > 0 || c.rows < p.ok) {
    while (k < n && p.outstanding < WINDOW) {
      pipe_send(&p, k, build_milestone(k, &ma));
      k++;
    }
    int a = pipe_take(&p), r = statsub_take(&sub, 'M', flow_seen, &c);
    uint64_t t = now_ns();
    if (a) last_ack = t;
    if (a || r) last = t;
    else if (t - last > 5 * NS) break; /* rows that never come */
    if (!a && !r && !zready(p.sock) && !zready(sub.sock)) {
      struct pollfd pf[2] = {{.fd = p.fd, .events = POLLIN}, {.fd = sub.fd, .events = POLLIN}};
      poll(pf, 2, 1);
    }
  }
  milestone_base += n;
  size_t cmd_bytes = p.request_bytes;
  uint64_t acked = p.ok, failed = p.failed;
  pipe_close(&p);
  zmq_close(sub.sock);
  double ack_rate = (double)acked / ((double)(last_ack - t0) / 1e9);
  double row_rate = c.rows ? (double)c.rows / ((double)(c.last_ns - t0) / 1e9) : 0;
  size_t row_bytes = sub.last_bytes;
  fprintf(stderr, "  %" PRIu64 " acknowledged (%" PRIu64 " failed), %" PRIu64
          " status rows; command %zu B, row event %zu B\n", acked, failed, c.rows, cmd_bytes, row_bytes);

  /* The floor on an idle machine: the followers may still be digesting the
   * flow's events, and a floor measured beside them would flatter trin. */
  quiesce();
  fprintf(stderr, "[1] bare libzmq PUB/SUB %zu B and ROUTER/DEALER %zu B, median of %d\n",
          row_bytes, cmd_bytes, o->msg_reps);
  double pv[8], ev[8];
  for (int i = 0; i < o->msg_reps; i++) {
    pv[i] = bare_pubsub((uint64_t)o->bare_messages, row_bytes);
    ev[i] = bare_echo((uint64_t)o->bare_messages, cmd_bytes, WINDOW);
  }
  double pubsub = bench_median(pv, (size_t)o->msg_reps);
  double echo = bench_median(ev, (size_t)o->msg_reps);
  printf("messaging: trin rows %.0f/s, acks %.0f/s; bare PUB/SUB %.0f/s, echo %.0f/s\n", row_rate,
         ack_rate, pubsub, echo);

  char f[160], ref[96];
  snprintf(f, sizeof f, "bare libzmq PUB/SUB, %zu B messages, median of %d", row_bytes,
           o->msg_reps);
  bench_result(S, f, pubsub, "msg/s", "floor", NAN);
  snprintf(f, sizeof f, "bare libzmq ROUTER/DEALER echo, %zu B, window %d, median of %d",
           cmd_bytes, WINDOW, o->msg_reps);
  bench_result(S, f, echo, "msg/s", "floor", NAN);
  bench_result(S, "trin: SetMilestone acknowledged (lifecycle, sync=full)", ack_rate, "cmd/s",
               "ratio vs bare echo", echo > 0 ? ack_rate / echo : NAN);
  snprintf(ref, sizeof ref, ">= 0.5 x bare PUB/SUB");
  bench_result(S, "trin: command -> event -> aggregator -> status row on PUB", row_rate, "rows/s",
               ref, pubsub > 0 ? row_rate / pubsub : NAN);
  snprintf(f, sizeof f, "  status rows received of %" PRIu64 " commands", n);
  bench_result(S, f, (double)c.rows, "rows", "", NAN);

  fprintf(stderr, "[1] event path alone: a fresh aggregator replays lifecycle's events, "
          "median of %d\n", o->msg_reps);
  uint64_t carried = 0, written = 0, same = 0, of = 0;
  double rv[8];
  for (int i = 0; i < o->msg_reps; i++) {
    uint64_t w, sm, nr;
    rv[i] = replay_path(&carried, &w, &sm, &nr);
    printf("messaging: event path %.0f events/s (%" PRIu64 " events, %" PRIu64
           " rows written; %" PRIu64 " of %" PRIu64 " rows equal the live aggregator's)\n",
           rv[i], carried, w, sm, nr);
    /* Every replay must give the live rows; the worst one is reported. */
    if (i == 0 || nr - sm > of - same) {
      same = sm;
      of = nr;
    }
    if (i == 0 || w > written) written = w;
  }
  double replay = bench_median(rv, (size_t)o->msg_reps);
  snprintf(f, sizeof f, "trin: committed event -> aggregator -> status row (%" PRIu64
           " events), median of %d", carried, o->msg_reps);
  bench_result(S, f, replay, "events/s", ref, pubsub > 0 ? replay / pubsub : NAN);
  snprintf(f, sizeof f, "  status rows written for them, the most of the runs (replayed events coalesce)");
  bench_result(S, f, (double)written, "rows", "", NAN);
  snprintf(f, sizeof f, "  replayed rows equal to the live aggregator's (of %" PRIu64 ")", of);
  bench_result(S, f, (double)same, "rows", "all", of ? (double)same / (double)of : NAN);
}

/* ---- 2. freshness ---------------------------------------------------------------------- */

typedef struct {
  uint64_t *last_k;   /* [FRESH_PROJECTS]: the newest command sent for the project, +1 */
  uint64_t *pub_ns, *sse_ns;  /* [n]: arrival of the command's row */
  uint64_t n;
  bool sse;
} fresh_t;

static void fresh_seen(long project, uint64_t t, void *arg) {
  fresh_t *f = arg;
  if (project < 0 || project >= FRESH_PROJECTS || !f->last_k[project]) return;
  uint64_t k = f->last_k[project] - 1;
  uint64_t *slot = f->sse ? &f->sse_ns[k] : &f->pub_ns[k];
  if (!*slot) *slot = t;
}

typedef struct {
  double p50, p99, max;
  uint64_t seen, n;
} lat_t;

static lat_t latencies(const uint64_t *arrive, const uint64_t *ack, uint64_t n) {
  double *v = malloc((n + 1) * sizeof *v);
  lat_t l = {0};
  l.n = n;
  for (uint64_t k = 0; k < n; k++) {
    if (!arrive[k] || !ack[k]) continue;
    v[l.seen++] = arrive[k] > ack[k] ? (double)(arrive[k] - ack[k]) / 1e6 : 0.0;
  }
  bench_median(v, l.seen); /* sorts */
  l.p50 = bench_percentile(v, l.seen, 0.50);
  l.p99 = bench_percentile(v, l.seen, 0.99);
  l.max = l.seen ? v[l.seen - 1] : 0;
  free(v);
  return l;
}

static void fresh_run(int rate, double seconds) {
  const char *S = "2. freshness: command ack -> row";
  uint64_t n = (uint64_t)(rate * seconds);
  fresh_t f = {0};
  f.n = n;
  f.last_k = calloc(FRESH_PROJECTS, sizeof *f.last_k);
  f.pub_ns = calloc(n, sizeof *f.pub_ns);
  f.sse_ns = calloc(n, sizeof *f.sse_ns);
  if (!f.last_k || !f.pub_ns || !f.sse_ns) suite_abort("out of memory");
  statsub_t sub = {0};
  statsub_open(&sub);
  tu_sse_t *sse = malloc(sizeof *sse);
  if (!sse || !tu_sse_open(sse, http_port, NULL)) suite_abort("no SSE stream");
  pipe_t p;
  pipe_open(&p, procs[P_LC].endpoint, n);
  milestone_arg_t ma = {'F', FRESH_PROJECTS, milestone_base};
  /* Let the subscription settle, and drop what came before. */
  struct timespec settle = {0, 300 * 1000 * 1000};
  nanosleep(&settle, NULL);
  f.sse = false;
  while (statsub_take(&sub, 'F', fresh_seen, &f)) {}
  f.sse = true;
  sse_take(sse, 'F', fresh_seen, &f);

  uint64_t interval = NS / (uint64_t)rate, t0 = now_ns() + NS / 1000, k = 0;
  uint64_t drain_until = 0;
  for (;;) {
    uint64_t t = now_ns();
    while (k < n && t0 + k * interval <= t) {
      f.last_k[(k + ma.base) % FRESH_PROJECTS] = k + 1;
      pipe_send(&p, k, build_milestone(k, &ma));
      k++;
    }
    pipe_take(&p);
    f.sse = false;
    statsub_take(&sub, 'F', fresh_seen, &f);
    f.sse = true;
    sse_take(sse, 'F', fresh_seen, &f);
    if (k == n && !drain_until) drain_until = t + 2 * NS;
    if (drain_until && t > drain_until) break;
    if (drain_until && p.outstanding == 0) {
      bool all = true;
      for (uint64_t j = n > FRESH_PROJECTS ? n - FRESH_PROJECTS : 0; j < n && all; j++)
        all = f.pub_ns[j] && f.sse_ns[j];
      if (all) break;
    }
    if (!zready(p.sock) && !zready(sub.sock)) {
      uint64_t due = k < n ? t0 + k * interval : t + NS / 1000;
      uint64_t left = due > t ? due - t : 0;
      struct timespec ts = {(time_t)(left / NS), (long)(left % NS)};
      struct pollfd pf[3] = {{.fd = p.fd, .events = POLLIN},
                             {.fd = sub.fd, .events = POLLIN},
                             {.fd = sse->fd, .events = POLLIN}};
      ppoll(pf, 3, &ts, NULL);
    }
  }
  milestone_base += n;
  lat_t lp = latencies(f.pub_ns, p.ack_ns, n), ls = latencies(f.sse_ns, p.ack_ns, n);
  if (p.failed) suite_abort("freshness: %" PRIu64 " commands failed", p.failed);
  printf("freshness @ %d/s: PUB p50 %.3f p99 %.3f max %.3f ms (%" PRIu64 "/%" PRIu64
         "); SSE p50 %.3f p99 %.3f max %.3f ms (%" PRIu64 "/%" PRIu64 ")\n",
         rate, lp.p50, lp.p99, lp.max, lp.seen, n, ls.p50, ls.p99, ls.max, ls.seen, n);
  char fig[160];
  const struct {
    const char *name;
    lat_t l;
  } ch[2] = {{"status PUB", lp}, {"SSE", ls}};
  for (int i = 0; i < 2; i++) {
    snprintf(fig, sizeof fig, "%s @ %d cmd/s: p50", ch[i].name, rate);
    bench_result(S, fig, ch[i].l.p50, "ms", "", NAN);
    snprintf(fig, sizeof fig, "%s @ %d cmd/s: p99", ch[i].name, rate);
    bench_result(S, fig, ch[i].l.p99, "ms", "< 10 ms", ch[i].l.p99 / 10.0);
    snprintf(fig, sizeof fig, "%s @ %d cmd/s: max", ch[i].name, rate);
    bench_result(S, fig, ch[i].l.max, "ms", "", NAN);
    if (ch[i].l.seen < n) {
      snprintf(fig, sizeof fig, "%s @ %d cmd/s: rows not seen", ch[i].name, rate);
      bench_result(S, fig, (double)(n - ch[i].l.seen), "rows", "0", NAN);
    }
  }
  pipe_close(&p);
  zmq_close(sub.sock);
  tu_sse_close(sse);
  free(sse);
  free(f.last_k);
  free(f.pub_ns);
  free(f.sse_ns);
}

static void section_freshness(const suite_opts_t *o) {
  fprintf(stderr, "[2] %d projects for freshness\n", FRESH_PROJECTS);
  char prefix = 'F';
  pipe_run(procs[P_LC].endpoint, FRESH_PROJECTS, WINDOW, build_project, &prefix, "create");
  aggregator_catch_up(60);
  fresh_run(1000, o->paced_s);
  fresh_run(5000, o->paced_s);
}

/* ---- 3. portfolio scale ------------------------------------------------------------------- */

static const ProtobufCMessage *build_budget(uint64_t k, void *arg) {
  (void)arg;
  static char id[16], pid[16], lid[5][8];
  static const char *const cats[5] = {"craft", "craft", "management_fee", "risk_pool",
                                      "advisor_fees"};
  static Trin__Budget__BudgetLine lines[5], *lp[5];
  static Trin__Budget__Budget b;
  static Trin__Budget__CreateBudget m;
  pid_of(pid, sizeof pid, 'S', k);
  snprintf(id, sizeof id, "B%06" PRIu64, k);
  for (int i = 0; i < 5; i++) {
    trin__budget__budget_line__init(&lines[i]);
    snprintf(lid[i], sizeof lid[i], "L%d", i + 1);
    lines[i].id = lid[i];
    lines[i].category = (char *)cats[i];
    lines[i].building_part = "";
    lines[i].amount_ore = (int64_t)(1000000 + (k * 7919 + (uint64_t)i * 104729) % 9000000) * 100;
    lines[i].molio_reference_ore = i < 2 ? lines[i].amount_ore + lines[i].amount_ore / 8 : 0;
    lp[i] = &lines[i];
  }
  trin__budget__budget__init(&b);
  b.id = id;
  b.project_id = pid;
  b.kind = "skema_a";
  b.date = "2023-04-01";
  b.lines = lp;
  b.n_lines = 5;
  trin__budget__create_budget__init(&m);
  m.budget = &b;
  return &m.base;
}

#define SURVEY_STATEMENTS 5

static const ProtobufCMessage *build_survey(uint64_t k, void *arg) {
  (void)arg;
  static char id[16], pid[16], keys[SURVEY_STATEMENTS][8];
  static Trin__Survey__Statement st[SURVEY_STATEMENTS], *sts[SURVEY_STATEMENTS];
  static Trin__Survey__Thresholds t;
  static Trin__Survey__Survey sv;
  static Trin__Survey__CreateSurvey m;
  pid_of(pid, sizeof pid, 'S', k);
  snprintf(id, sizeof id, "U%06" PRIu64, k);
  for (int i = 0; i < SURVEY_STATEMENTS; i++) {
    trin__survey__statement__init(&st[i]);
    snprintf(keys[i], sizeof keys[i], "V%02d", i + 1);
    st[i].key = keys[i];
    st[i].text = "Statement";
    st[i].common = i < 3;
    sts[i] = &st[i];
  }
  trin__survey__thresholds__init(&t);
  t.drop_from_previous_x100 = 50;
  t.floor_x100 = 250;
  trin__survey__survey__init(&sv);
  sv.id = id;
  sv.project_id = pid;
  sv.title = "Suite";
  sv.scale_min = 1;
  sv.scale_max = 5;
  sv.thresholds = &t;
  sv.statements = sts;
  sv.n_statements = SURVEY_STATEMENTS;
  trin__survey__create_survey__init(&m);
  m.survey = &sv;
  return &m.base;
}

static const ProtobufCMessage *build_round(uint64_t k, void *arg) {
  (void)arg;
  static char id[16];
  static Trin__Survey__Round r;
  static Trin__Survey__AddRound m;
  snprintf(id, sizeof id, "U%06" PRIu64, k);
  trin__survey__round__init(&r);
  r.number = 1;
  r.opens = "2024-01-01";
  r.closes = "2024-01-31";
  trin__survey__add_round__init(&m);
  m.survey_id = id;
  m.round = &r;
  return &m.base;
}

static const ProtobufCMessage *build_import(uint64_t k, void *arg) {
  int respondents = *(const int *)arg;
  static char id[16];
  static sbuf_t csv;
  static Trin__Survey__ImportResponses m;
  static const char *const roles[] = {"residents", "client", "contractor", "advisor"};
  snprintf(id, sizeof id, "U%06" PRIu64, k);
  csv.len = 0;
  sbuf_printf(&csv, "respondent;role;V01;V02;V03;V04;V05\n");
  for (int i = 0; i < respondents; i++) {
    uint64_t h = k * 2654435761u + (uint64_t)i * 40503u;
    sbuf_printf(&csv, "r%d;%s;%d;%d;%d;%d;%d\n", i, roles[i % 4], 1 + (int)(h % 5),
                1 + (int)(h / 5 % 5), 1 + (int)(h / 25 % 5), 1 + (int)(h / 125 % 5),
                1 + (int)(h / 625 % 5));
  }
  trin__survey__import_responses__init(&m);
  m.survey_id = id;
  m.round = 1;
  m.csv.data = (uint8_t *)csv.data;
  m.csv.len = csv.len;
  return &m.base;
}

/* Waits until service i has followed lifecycle up to project `id`. */
static void wait_known(int i, const char *id) {
  trin_client_t *c = NULL;
  trin_err_t err = {0};
  if (trin_client_new(procs[i].endpoint, &c, &err)) suite_abort("client: %s", err.message);
  bool ok = true;
  if (i == P_BG) {
    ok = bg_wait_project(c, id, 120000);
  } else {
    /* The survey service: a throw-away survey can be created once it knows
     * the project. */
    Trin__Survey__Statement st = TRIN__SURVEY__STATEMENT__INIT, *sts[1] = {&st};
    st.key = "V01";
    st.text = "x";
    Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
    sv.id = "PROBE";
    sv.project_id = (char *)id;
    sv.title = "probe";
    sv.scale_min = 1;
    sv.scale_max = 5;
    sv.statements = sts;
    sv.n_statements = 1;
    uint64_t t0 = now_ns();
    for (;;) {
      int rc = sv_create(c, &sv, &err);
      if (rc == TRIN_OK) break;
      if (rc != TRIN_ENOTFOUND || now_ns() - t0 > 120 * NS) {
        ok = false;
        break;
      }
      struct timespec ts = {0, 50 * 1000 * 1000};
      nanosleep(&ts, NULL);
    }
  }
  trin_client_destroy(&c);
  if (!ok) suite_abort("%s did not learn project %s", P_NAME[i], id);
}

/* Median milliseconds of `reps` authorised GETs of path; *bytes the body. */
static double timed_get(const char *path, int reps, size_t *bytes) {
  double *v = malloc((size_t)reps * sizeof *v);
  for (int i = 0; i < reps; i++) {
    tu_http_t r;
    double t0 = bench_now_ms();
    if (!tu_get_auth(http_port, path, &r) || r.status != 200)
      suite_abort("GET %s: status %d", path, r.status);
    v[i] = bench_now_ms() - t0;
    *bytes = r.body_len;
    tu_http_free(&r);
  }
  double m = bench_median(v, (size_t)reps);
  free(v);
  return m;
}

static void section_portfolio(const suite_opts_t *o) {
  const char *S = "3. portfolio scale";
  uint64_t n = (uint64_t)o->projects;
  char fig[160], last[16];
  pid_of(last, sizeof last, 'S', n - 1);

  fprintf(stderr, "[3] %" PRIu64 " projects\n", n);
  char prefix = 'S';
  double t = pipe_run(procs[P_LC].endpoint, n, WINDOW, build_project, &prefix, "CreateProject");
  printf("portfolio: %" PRIu64 " projects in %.1f s\n", n, t);
  bench_result(S, "load: projects created (pipelined CreateProject)", (double)n / t, "cmd/s", "",
               NAN);

  fprintf(stderr, "[3] %" PRIu64 " budgets x 5 lines\n", n);
  wait_known(P_BG, last);
  t = pipe_run(procs[P_BG].endpoint, n, WINDOW, build_budget, NULL, "CreateBudget");
  printf("portfolio: %" PRIu64 " budgets in %.1f s\n", n, t);
  bench_result(S, "load: budgets of 5 lines (pipelined CreateBudget)", (double)n / t, "cmd/s", "",
               NAN);

  fprintf(stderr, "[3] %" PRIu64 " surveys, one round, %d respondents each\n", n, o->respondents);
  wait_known(P_SV, last);
  double t1 = pipe_run(procs[P_SV].endpoint, n, WINDOW, build_survey, NULL, "CreateSurvey");
  double t2 = pipe_run(procs[P_SV].endpoint, n, WINDOW, build_round, NULL, "AddRound");
  int resp = o->respondents;
  double t3 = pipe_run(procs[P_SV].endpoint, n, 200, build_import, &resp, "ImportResponses");
  printf("portfolio: surveys %.1f s, rounds %.1f s, imports %.1f s\n", t1, t2, t3);
  bench_result(S, "load: surveys + rounds + CSV imports", (double)n / (t1 + t2 + t3),
               "proj/s", "", NAN);

  fprintf(stderr, "[3] the aggregator catches up\n");
  double w = aggregator_catch_up(600);
  printf("portfolio: aggregator caught up %.1f s after the last load\n", w);
  bench_result(S, "aggregator caught up after the last load", w, "s", "", NAN);

  long total = 0;
  for (int i = 0; i < P_N; i++) {
    long kib = bench_rss_kib(procs[i].pid);
    total += kib > 0 ? kib : 0;
    snprintf(fig, sizeof fig, "resident memory (VmRSS): %s", P_NAME[i]);
    bench_result(S, fig, (double)kib / 1024.0, "MiB", "", NAN);
    printf("portfolio: VmRSS %s %.1f MiB\n", P_NAME[i], (double)kib / 1024.0);
  }
  snprintf(fig, sizeof fig, "resident memory, all five services (%" PRIu64 " projects)", n);
  bench_result(S, fig, (double)total / 1024.0, "MiB", "< 1024 MiB", (double)total / 1024.0 / 1024.0);

  size_t bytes = 0;
  int reps = o->http_reps, freps = o->http_reps / 3 > 3 ? o->http_reps / 3 : 3;
  double page = timed_get("/odata/ProjectStatus?$top=1000", reps, &bytes);
  snprintf(fig, sizeof fig, "OData page of 1,000 rows (%.0f KiB), median of %d", bytes / 1024.0, reps);
  bench_result(S, fig, page, "ms", "< 20 ms", page / 20.0);
  char path[160];
  snprintf(path, sizeof path,
           "/odata/ProjectStatus?$skip=%d&$top=1000&$filter=dwellings%%20gt%%20100", o->projects / 2);
  page = timed_get(path, reps, &bytes);
  snprintf(fig, sizeof fig, "OData page, $filter + $skip, median of %d", reps);
  bench_result(S, fig, page, "ms", "< 20 ms", page / 20.0);
  double full = timed_get("/api/v1/status", freps, &bytes);
  snprintf(fig, sizeof fig, "full JSON feed (%.1f MiB), median of %d", bytes / 1048576.0, freps);
  bench_result(S, fig, full, "ms", "", NAN);
  double csv = timed_get("/api/v1/status.csv", freps, &bytes);
  snprintf(fig, sizeof fig, "CSV feed (%.1f MiB), median of %d", bytes / 1048576.0, freps);
  bench_result(S, fig, csv, "ms", "", NAN);
  printf("portfolio: OData page %.2f ms, JSON %.0f ms, CSV %.0f ms\n", page, full, csv);
}

/* ---- 4. survey results against SQL ------------------------------------------------------ */

/* The SQL twin of GetResults(survey, round): per statement, per role and
 * for all roles, the count, sum, mean and distribution of the scores, from
 * the service's own rows (one score byte per statement, 0xFF = none). The
 * service answers from its running aggregates; SQL has to read every
 * response. */
static const char *SQL_RESULTS =
    "WITH sv AS (SELECT no FROM surveys WHERE id = ?1),"
    " ans AS (SELECT st.n AS stmt, r.role AS role,"
    "   CASE hex(substr(r.scores, st.n + 1, 1))"
    "     WHEN '00' THEN 0 WHEN '01' THEN 1 WHEN '02' THEN 2 WHEN '03' THEN 3"
    "     WHEN '04' THEN 4 WHEN '05' THEN 5 WHEN '06' THEN 6 WHEN '07' THEN 7"
    "     WHEN '08' THEN 8 WHEN '09' THEN 9 WHEN '0A' THEN 10 END AS score"
    "   FROM sv JOIN responses r ON r.survey_no = sv.no AND r.round = ?2"
    "   JOIN statements st ON st.survey_no = sv.no)"
    " SELECT stmt, role, count(score), sum(score), avg(score),"
    "   sum(score = 1), sum(score = 2), sum(score = 3), sum(score = 4), sum(score = 5)"
    " FROM ans WHERE score IS NOT NULL GROUP BY stmt, role"
    " UNION ALL"
    " SELECT stmt, -1, count(score), sum(score), avg(score),"
    "   sum(score = 1), sum(score = 2), sum(score = 3), sum(score = 4), sum(score = 5)"
    " FROM ans WHERE score IS NOT NULL GROUP BY stmt";

/* The same computation in PostgreSQL's dialect over copies of the same
 * rows: get_byte() reads the score byte; a statement past the end of the
 * scores or a byte above 10 is no score, as hex() of an empty or other
 * substr is in SQLite; sum of a 0/1 cast counts the distribution. */
static const char *PG_RESULTS =
    "WITH sv AS (SELECT no FROM surveys WHERE id = $1),"
    " ans AS (SELECT st.n AS stmt, r.role AS role,"
    "   CASE WHEN st.n < length(r.scores) THEN"
    "     CASE WHEN get_byte(r.scores, st.n) <= 10 THEN get_byte(r.scores, st.n) END"
    "   END AS score"
    "   FROM sv JOIN responses r ON r.survey_no = sv.no AND r.round = $2::int"
    "   JOIN statements st ON st.survey_no = sv.no)"
    " SELECT stmt, role, count(score), sum(score), avg(score),"
    "   sum((score = 1)::int), sum((score = 2)::int), sum((score = 3)::int),"
    "   sum((score = 4)::int), sum((score = 5)::int)"
    " FROM ans WHERE score IS NOT NULL GROUP BY stmt, role"
    " UNION ALL"
    " SELECT stmt, -1, count(score), sum(score), avg(score),"
    "   sum((score = 1)::int), sum((score = 2)::int), sum((score = 3)::int),"
    "   sum((score = 4)::int), sum((score = 5)::int)"
    " FROM ans WHERE score IS NOT NULL GROUP BY stmt";

/* The survey service's tables as its store has them (the columns the query
 * reads, and every key and index SQLite has on them), filled by COPY from
 * the store file and analysed; NULL with the reason in why when PostgreSQL
 * is not available or misbehaves. *seconds the load, *rows the responses. */
static pgtwin_t *pg_survey_load(sqlite3 *db, double *seconds, long *rows, char *why,
                                size_t why_size) {
  static const pgtwin_copy_t copies[] = {
      {"SELECT no, id, project_id FROM surveys", "surveys"},
      {"SELECT project_id, survey_no, n FROM statements", "statements"},
      {"SELECT project_id, survey_no, round, respondent, role, scores FROM responses",
       "responses"},
  };
  const pgtwin_query_t queries[] = {{"results", PG_RESULTS}};
  const pgtwin_load_t load = {
      .schema = "bench_suite_survey",
      .create = "CREATE TABLE surveys (no bigint NOT NULL, id text NOT NULL,"
                " project_id text NOT NULL);"
                "CREATE TABLE statements (project_id text NOT NULL,"
                " survey_no bigint NOT NULL, n integer NOT NULL);"
                "CREATE TABLE responses (project_id text NOT NULL,"
                " survey_no bigint NOT NULL, round integer NOT NULL,"
                " respondent bytea NOT NULL, role integer NOT NULL, scores bytea NOT NULL)",
      .copies = copies,
      .ncopies = sizeof copies / sizeof *copies,
      .keys = "ALTER TABLE surveys ADD PRIMARY KEY (project_id, no),"
              " ADD UNIQUE (project_id, id);"
              "CREATE INDEX surveys_id ON surveys(id);"
              "CREATE INDEX surveys_no ON surveys(no);"
              "ALTER TABLE statements ADD PRIMARY KEY (project_id, survey_no, n);"
              "ALTER TABLE responses ADD PRIMARY KEY (project_id, survey_no, round,"
              " respondent);"
              "ANALYZE surveys; ANALYZE statements; ANALYZE responses",
      .queries = queries,
      .nqueries = sizeof queries / sizeof *queries,
  };
  return pgtwin_load(&load, db, rows, seconds, why, why_size);
}

/* The sum over the "all" rows (role -1) of a PG_RESULTS answer. */
static void pg_results_sum(const PGresult *r, void *arg) {
  int64_t sum = 0;
  for (int i = 0; i < PQntuples(r); i++)
    if (atoi(PQgetvalue(r, i, 1)) == -1) sum += strtoll(PQgetvalue(r, i, 3), NULL, 10);
  *(int64_t *)arg = sum;
}

/* Median ms of GetResults; *sum_out the sum over the "all" figures. */
static double service_results(trin_client_t *c, const char *survey, int reps, int64_t *sum_out) {
  double *v = malloc((size_t)reps * sizeof *v);
  for (int i = 0; i < reps; i++) {
    Trin__Survey__RoundResults *r = NULL;
    trin_err_t e = {0};
    double t0 = bench_now_ms();
    if (sv_results(c, survey, 1, &r, &e)) suite_abort("GetResults %s: %s", survey, e.message);
    v[i] = bench_now_ms() - t0;
    int64_t sum = 0;
    for (size_t f = 0; f < r->n_figures; f++)
      if (strcmp(r->figures[f]->role, "all") == 0) sum += r->figures[f]->sum;
    *sum_out = sum;
    trin_codec_free(r);
  }
  double m = bench_median(v, (size_t)reps);
  free(v);
  return m;
}

static double sql_results(sqlite3 *db, sqlite3_stmt *q, const char *survey, int reps,
                          int64_t *sum_out) {
  double *v = malloc((size_t)reps * sizeof *v);
  for (int i = 0; i < reps; i++) {
    double t0 = bench_now_ms();
    sqlite3_bind_text(q, 1, survey, -1, SQLITE_STATIC);
    sqlite3_bind_int(q, 2, 1);
    int64_t sum = 0;
    int rc;
    while ((rc = sqlite3_step(q)) == SQLITE_ROW)
      if (sqlite3_column_int(q, 1) == -1) sum += sqlite3_column_int64(q, 3);
    if (rc != SQLITE_DONE) suite_abort("SQL: %s", sqlite3_errmsg(db));
    sqlite3_reset(q);
    v[i] = bench_now_ms() - t0;
    *sum_out = sum;
  }
  double m = bench_median(v, (size_t)reps);
  free(v);
  return m;
}

/* One survey round of `n` respondents imported in one CSV request (the big
 * round of the comparison); returns the import's seconds. */
static double big_round(int n) {
  trin_client_t *c = NULL;
  trin_err_t e = {0};
  if (trin_client_new(procs[P_SV].endpoint, &c, &e)) suite_abort("client: %s", e.message);
  trin_client_set_timeout(c, 120000);
  Trin__Survey__CreateSurvey *cs = (Trin__Survey__CreateSurvey *)build_survey(0, NULL);
  cs->survey->id = "UBIG";
  if (sv_create(c, cs->survey, &e) || sv_add_round(c, "UBIG", 1, "2024-01-01", "2024-01-31", &e))
    suite_abort("big survey: %s (%s)", e.message, e.field);
  Trin__Survey__ImportResponses *im = (Trin__Survey__ImportResponses *)build_import(7, &n);
  double t0 = bench_now_ms();
  if (sv_import_csv(c, "UBIG", 1, (const char *)im->csv.data, im->csv.len, NULL, &e))
    suite_abort("big import: %s (%s)", e.message, e.field);
  double t = (bench_now_ms() - t0) / 1e3;
  trin_client_destroy(&c);
  return t;
}

static void section_survey_sql(const suite_opts_t *o) {
  const char *S = "4. against SQL: survey round results";
  fprintf(stderr, "[4] a round of %d respondents in one CSV import\n", o->big_round);
  double imp = big_round(o->big_round);
  char fig[160];
  snprintf(fig, sizeof fig, "import %d responses x %d statements in one request", o->big_round,
           SURVEY_STATEMENTS);
  bench_result(S, fig, imp, "s", "", NAN);

  trin_client_t *c = NULL;
  trin_err_t e = {0};
  if (trin_client_new(procs[P_SV].endpoint, &c, &e)) suite_abort("client: %s", e.message);
  sqlite3 *db = NULL;
  const char *path = procs[P_SV].store + strlen("sqlite:");
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    suite_abort("sqlite open %s", path);
  sqlite3_stmt *q = NULL;
  if (sqlite3_prepare_v2(db, SQL_RESULTS, -1, &q, NULL) != SQLITE_OK)
    suite_abort("sqlite prepare: %s", sqlite3_errmsg(db));
  /* PostgreSQL is optional: without a server (or when it fails) its rows
   * say why, and the SQLite comparison stands alone. */
  char why[512] = "";
  double pg_load = 0;
  long pg_rows = 0;
  fprintf(stderr, "[4] the survey store's rows copied into PostgreSQL\n");
  pgtwin_t *pg = pg_survey_load(db, &pg_load, &pg_rows, why, sizeof why);
  if (pg) {
    printf("survey results: %ld responses copied into PostgreSQL %s in %.1f s\n", pg_rows,
           pgtwin_version(pg), pg_load);
    snprintf(fig, sizeof fig,
             "  PostgreSQL %s: %ld responses copied in (COPY, keys, ANALYZE)",
             pgtwin_version(pg), pg_rows);
    bench_result(S, fig, pg_load, "s", "", NAN);
  } else {
    fprintf(stderr, "bench_suite: PostgreSQL twin not measured: %s\n", why);
  }
  char small[16];
  snprintf(small, sizeof small, "U%06d", o->projects / 2);
  const struct {
    const char *id, *what;
    int respondents;
  } rounds[2] = {{small, "a portfolio survey's round", o->respondents},
                 {"UBIG", "the big round", o->big_round}};
  int reps = o->http_reps;
  for (int i = 0; i < 2; i++) {
    int64_t s1 = 0, s2 = 0;
    double svc = service_results(c, rounds[i].id, reps, &s1);
    /* SQL reads every response of the big round: fewer repeats. */
    int sreps = i == 0 ? reps : (reps < 5 ? reps : 5);
    double sql = sql_results(db, q, rounds[i].id, sreps, &s2);
    printf("survey results %s: service %.3f ms, SQLite %.3f ms (sums %lld / %lld)\n",
           rounds[i].id, svc, sql, (long long)s1, (long long)s2);
    if (s1 != s2)
      fprintf(stderr, "bench_suite: the SQL twin disagrees with the service on %s (%lld / %lld)\n",
              rounds[i].id, (long long)s1, (long long)s2);
    snprintf(fig, sizeof fig, "GetResults, %s (%d respondents), median of %d", rounds[i].what,
             rounds[i].respondents, reps);
    bench_result(S, fig, svc, "ms", "", NAN);
    snprintf(fig, sizeof fig, "  the same in SQLite SQL over the same store (%d)%s", sreps,
             s1 == s2 ? "" : " (SUMS DIFFER)");
    bench_result(S, fig, sql, "ms", "ratio SQLite / trin", svc > 0 ? sql / svc : NAN);

    double pgt = NAN;
    int64_t s3 = 0;
    if (pg) {
      const char *params[2] = {rounds[i].id, "1"};
      pgt = pgtwin_time(pg, "results", 2, params, sreps, pg_results_sum, &s3);
      if (isnan(pgt)) snprintf(why, sizeof why, "%s", pgtwin_why(pg));
    }
    if (isnan(pgt)) {
      if (pg) fprintf(stderr, "bench_suite: PostgreSQL results of %s: %s\n", rounds[i].id, why);
      snprintf(fig, sizeof fig, "  the same in PostgreSQL SQL: not available (%.60s)", why);
      bench_result(S, fig, NAN, "", "", NAN);
      continue;
    }
    printf("survey results %s: PostgreSQL %.3f ms (sum %lld)\n", rounds[i].id, pgt,
           (long long)s3);
    if (s1 != s3)
      fprintf(stderr,
              "bench_suite: the PostgreSQL twin disagrees with the service on %s (%lld / %lld)\n",
              rounds[i].id, (long long)s1, (long long)s3);
    snprintf(fig, sizeof fig, "  the same in PostgreSQL SQL over a copy of the store (%d)%s",
             sreps, s1 == s3 ? "" : " (SUMS DIFFER)");
    bench_result(S, fig, pgt, "ms", "ratio PostgreSQL / trin", svc > 0 ? pgt / svc : NAN);
  }
  pgtwin_destroy(&pg);
  sqlite3_finalize(q);
  sqlite3_close(db);
  trin_client_destroy(&c);
}

/* ---- main -------------------------------------------------------------------------------- */

static void usage(FILE *f) {
  fprintf(f,
          "usage: bench_suite [--quick] [--only SECTION]\n"
          "       bench_suite --report RESULTS [--json OUT]\n"
          "Starts all five services on tcp loopback and measures messaging against bare\n"
          "libzmq, freshness of the status feeds, and a portfolio of 100,000 projects\n"
          "(--quick: 5,000). Rows go to $" BENCH_RESULTS_ENV " when set; --report prints them\n"
          "as one table and writes JSON. --only 1..4 runs one section (while working on it;\n"
          "4 loads its portfolio with section 3 first).\n"
          "Exit 1 only when it could not run.\n");
}

int main(int argc, char **argv) {
  suite_opts_t o = FULL;
  const char *report = NULL, *json = NULL;
  int only = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) o = QUICK;
    else if (strcmp(argv[i], "--report") == 0 && i + 1 < argc) report = argv[++i];
    else if (strcmp(argv[i], "--json") == 0 && i + 1 < argc) json = argv[++i];
    else if (strcmp(argv[i], "--projects") == 0 && i + 1 < argc) o.projects = atoi(argv[++i]);
    else if (strcmp(argv[i], "--only") == 0 && i + 1 < argc) only = atoi(argv[++i]);
    else if (strcmp(argv[i], "-h") == 0 || strcmp(argv[i], "--help") == 0) {
      usage(stdout);
      return 0;
    } else {
      usage(stderr);
      return 2;
    }
  }
  if (report)
    return bench_report(report, json, "trin performance suite (issue 10)") == 0 ? 0 : 1;
  if (only < 0 || only > 4) {
    fprintf(stderr, "bench_suite: --only must be 1..4\n");
    return 2;
  }
  if (o.projects < 10 || o.projects > 999999) {
    fprintf(stderr, "bench_suite: --projects must be 10..999999\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  zctx = zmq_ctx_new();
  double t0 = bench_now_ms();
  system_start();
  if (!only || only == 1) section_messaging(&o);
  if (!only || only == 2) section_freshness(&o);
  /* Section 4 compares over the portfolio section 3 loads. */
  if (!only || only == 3 || only == 4) section_portfolio(&o);
  if (!only || only == 4) section_survey_sql(&o);
  system_stop();
  zmq_ctx_term(zctx);
  printf("bench_suite: %.0f s\n", (bench_now_ms() - t0) / 1e3);
  return 0;
}
