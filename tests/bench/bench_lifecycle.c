/* bench_lifecycle — the lifecycle service's figures on this machine:
 * acknowledged commands per second over tcp loopback (each acknowledged only
 * after its store transaction has committed) with sync=full and
 * sync=normal, latency at a fixed offered rate, and the same figures for a
 * bare ZeroMQ ROUTER/DEALER echo, so that the cost of trin itself shows.
 *
 * It prints figures and never judges them: it exits 0 whenever it ran, even
 * when a figure misses its reference, and 1 only when it could not run (the
 * service did not start, a reply failed or never came). `--quick` takes
 * about ten seconds, for CI smoke runs.
 *
 * How it measures. One DEALER speaks raw envelopes to the service's ROUTER:
 * trin.lifecycle.SetMilestone on project k % projects, each with a forecast
 * one day later than that project's previous one, so every command is a
 * real change that writes a row, an outbox event and a commit.
 *  - Throughput: `window` requests stay outstanding (a reply lets the next
 *    request go) for a fixed time, then the rest are awaited; the rate is OK
 *    replies / (last reply − first send). Repeated; the median is printed.
 *  - Latency: open loop. Request i is due at t0 + i/rate and its latency is
 *    counted from that due time, not from when it actually left, so a stall
 *    of the service cannot hide by holding the sender back (coordinated
 *    omission).
 *  - The echo: a ROUTER thread in this process, own ZeroMQ context, sends
 *    every message straight back. It is driven by the same code with the
 *    same envelopes (an echoed request is itself an OK envelope with the
 *    right correlation id), so the two figures differ only by what the
 *    service does (and by its longer replies).
 *
 * Every reply is checked: decodable, status OK, and the answer to exactly
 * one outstanding request (correlation id). */
#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/utsname.h>
#include <sys/vfs.h>
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
#include "trin_err.h"

#ifndef TRIN_LIFECYCLE_BIN
#error "build with -DTRIN_LIFECYCLE_BIN=\"path/to/trin-lifecycle\""
#endif

/* ---- settings -------------------------------------------------------------- */

typedef struct {
  int runs;          /* throughput repetitions; the median is printed */
  double run_s;      /* one throughput run */
  double warmup_s;   /* unmeasured run after each (re)start */
  double paced_s;    /* one fixed-rate run */
  int window;        /* requests outstanding in a throughput run */
  int projects;      /* commands go round-robin over this many projects */
} bench_opts_t;

static const bench_opts_t FULL_RUN = {3, 3.0, 0.5, 3.0, 2000, 1000};
static const bench_opts_t QUICK_RUN = {1, 1.0, 0.2, 1.0, 2000, 1000};

#define REF_THROUGHPUT 50000.0  /* cmd/s with sync=full, from the issue */
#define REF_P99_MS 5.0          /* p99 at 5,000 cmd/s */
#define STALL_NS (10 * NS)      /* no reply for this long: the run failed */
#define NS 1000000000ull
/* Outstanding requests are remembered in a ring of this many slots; a reply
 * more than RING requests late counts as lost. */
#define RING 65536u
#define MAX_FAILURES_SHOWN 5

static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

/* ---- failing ----------------------------------------------------------------- */

static testproc_t svc;      /* the service process, when one runs */
static bool svc_made;       /* svc.dir exists */

static void bench_abort(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void bench_abort(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "bench_lifecycle: could not run: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  if (svc.pid > 0) testproc_stop(&svc);
  if (svc_made)
    fprintf(stderr, "bench_lifecycle: the service's log and store are in %s\n", svc.dir);
  exit(1);
}

/* ---- the machine -------------------------------------------------------------- */

static const char *fs_name(const char *dir) {
  struct statfs s;
  if (statfs(dir, &s) != 0) return "unknown filesystem";
  switch ((unsigned long)s.f_type) {
    case 0xEF53: return "ext2/3/4";
    case 0x58465342: return "xfs";
    case 0x9123683E: return "btrfs";
    case 0x01021994: return "tmpfs (fsync is free: sync=full figures mean little)";
    case 0x794C7630: return "overlayfs";
    case 0x2FC12FC1: return "zfs";
    default: return "other filesystem";
  }
}

/* Whole-machine CPU time from /proc/stat, in seconds summed over cores. */
typedef struct {
  double busy_s, steal_s, total_s;
} machine_cpu_t;

static machine_cpu_t machine_cpu(void) {
  machine_cpu_t m = {0};
  unsigned long long v[8] = {0};
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return m;
  int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2],
                 &v[3], &v[4], &v[5], &v[6], &v[7]);
  fclose(f);
  if (n != 8) return m;
  double tick = (double)sysconf(_SC_CLK_TCK);
  /* user nice system idle iowait irq softirq steal */
  m.busy_s = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / tick;
  m.steal_s = (double)v[7] / tick;
  m.total_s = (double)(v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7]) / tick;
  return m;
}

/* CPU time (user + system) of this process (RUSAGE_SELF) or of its reaped
 * children (RUSAGE_CHILDREN). */
static double rusage_cpu_s(int who) {
  struct rusage u;
  if (getrusage(who, &u) != 0) return 0;
  return (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

/* A tcp port on 127.0.0.1 that nobody listens on now (bench_util's). */
static int free_port(void) {
  int port = bench_free_port();
  if (!port) bench_abort("found no free tcp port on 127.0.0.1");
  return port;
}

/* ---- the service ------------------------------------------------------------------ */

static void service_start(const char *sync) {
  char a_sync[32];
  snprintf(a_sync, sizeof a_sync, "--sync=%s", sync);
  snprintf(svc.endpoint, sizeof svc.endpoint, "tcp://127.0.0.1:%d", free_port());
  snprintf(svc.pub, sizeof svc.pub, "tcp://127.0.0.1:%d", free_port());
  const char *extra[] = {a_sync, NULL};
  if (!testproc_start(&svc, TRIN_LIFECYCLE_BIN, extra))
    bench_abort("%s --sync=%s did not start (log: %s)", TRIN_LIFECYCLE_BIN, sync, svc.log);
}

/* What a stopped service says about its run. */
typedef struct {
  double per_commit;  /* requests per transaction, 0 = the log does not say */
  double cpu_s;       /* CPU time (user + system) of the process */
  uint64_t requests;
} service_run_t;

/* Stops the service; its CPU time comes from wait (rusage of children), its
 * requests and transactions from the last "stopped after N requests in M
 * batches" line of its log. */
static service_run_t service_stop(void) {
  service_run_t r = {0};
  double cpu0 = rusage_cpu_s(RUSAGE_CHILDREN);
  int rc = testproc_stop(&svc);
  if (rc != 0)
    fprintf(stderr, "bench_lifecycle: the service exited with %d (log: %s)\n", rc, svc.log);
  r.cpu_s = rusage_cpu_s(RUSAGE_CHILDREN) - cpu0;
  FILE *f = fopen(svc.log, "r");
  if (!f) return r;
  char line[1024];
  while (fgets(line, sizeof line, f)) {
    const char *p = strstr(line, "stopped after ");
    unsigned long long req, batches;
    if (p && sscanf(p, "stopped after %llu requests in %llu batches", &req, &batches) == 2 &&
        batches > 0) {
      r.per_commit = (double)req / (double)batches;
      r.requests = req;
    }
  }
  fclose(f);
  return r;
}

/* Microseconds of service CPU per request (0 when unknown). */
static double cpu_us_per_request(service_run_t r) {
  return r.requests ? r.cpu_s * 1e6 / (double)r.requests : 0;
}

#define SETUP_OK(expr)                                                             \
  do {                                                                             \
    trin_err_t e_ = {0};                                                           \
    if ((expr) != TRIN_OK) bench_abort("setup: %s: %s (%s)", #expr, e_.message, e_.field); \
  } while (0)

static void project_id(int i, char out[16]) { snprintf(out, 16, "B%04d", i); }

/* An organisation (the client), a partnership and the projects. */
static void service_setup(int projects) {
  trin_client_t *c = NULL;
  trin_err_t err = {0};
  if (trin_client_new(svc.endpoint, &c, &err)) bench_abort("client: %s", err.message);
  SETUP_OK(lc_org(c, "BENCH", "client", &e_));
  SETUP_OK(lc_partnership(c, "BENCH-P", "BENCH", "2022-01-01", "myndighedsprojekt", 5000000, &e_));
  for (int i = 0; i < projects; i++) {
    char id[16];
    project_id(i, id);
    SETUP_OK(lc_project(c, id, "BENCH-P", NULL, false, "2023-03-01", &e_));
  }
  trin_client_destroy(&c);
}

/* ---- the echo ----------------------------------------------------------------------- */

typedef struct {
  void *ctx, *sock;
  char endpoint[64];
  pthread_t thread;
} echo_t;

/* Sends every [identity, body] straight back; an empty body ends it. */
static void *echo_main(void *arg) {
  echo_t *e = arg;
  zmq_msg_t id, body;
  zmq_msg_init(&id);
  zmq_msg_init(&body);
  for (;;) {
    if (zmq_msg_recv(&id, e->sock, 0) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (!zmq_msg_more(&id)) continue;
    if (zmq_msg_recv(&body, e->sock, 0) < 0) break;
    if (zmq_msg_size(&body) == 0) break;
    if (zmq_msg_send(&id, e->sock, ZMQ_SNDMORE) < 0 || zmq_msg_send(&body, e->sock, 0) < 0)
      break;
  }
  zmq_msg_close(&id);
  zmq_msg_close(&body);
  return NULL;
}

static void echo_start(echo_t *e) {
  int zero = 0;
  e->ctx = zmq_ctx_new();
  e->sock = zmq_socket(e->ctx, ZMQ_ROUTER);
  zmq_setsockopt(e->sock, ZMQ_SNDHWM, &zero, sizeof zero);
  zmq_setsockopt(e->sock, ZMQ_RCVHWM, &zero, sizeof zero);
  zmq_setsockopt(e->sock, ZMQ_LINGER, &zero, sizeof zero);
  snprintf(e->endpoint, sizeof e->endpoint, "tcp://127.0.0.1:%d", free_port());
  if (zmq_bind(e->sock, e->endpoint) != 0)
    bench_abort("echo: bind %s: %s", e->endpoint, zmq_strerror(errno));
  /* The socket moves to the thread; pthread_create is the memory barrier
   * ZeroMQ asks for. */
  if (pthread_create(&e->thread, NULL, echo_main, e) != 0) bench_abort("echo: no thread");
}

/* ---- the driver: one DEALER, pipelined requests, checked replies ---------------------- */

typedef struct {
  void *ctx, *sock;
  int fd;                 /* ZMQ_FD, edge-triggered: see wait_reply */
  uint64_t *next_k;       /* correlation number of the next request (kept across runs) */
  int projects;
  trin_date_t baseline;
  char baseline_text[TRIN_DATE_BUF];
  uint64_t *due;          /* [RING]: send (or due) time of request k % RING; 0 = none */
  uint64_t outstanding;
  uint64_t ok, failed;
  uint64_t last_reply_ns;
  double *lat;            /* latencies in ms of this run (NULL = not recorded) */
  size_t nlat, cap_lat;
  size_t request_bytes, reply_bytes;
} driver_t;

static uint64_t failures_shown;

static void driver_fail(driver_t *d, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
static void driver_fail(driver_t *d, const char *fmt, ...) {
  d->failed++;
  if (failures_shown++ >= MAX_FAILURES_SHOWN) return;
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "bench_lifecycle: failed reply: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
}

static void driver_connect(driver_t *d, const char *endpoint, int projects, uint64_t *next_k) {
  memset(d, 0, sizeof *d);
  int zero = 0;
  d->next_k = next_k;
  d->projects = projects;
  d->baseline = trin_date_from_ymd(2027, 1, 1);
  trin_date_format(d->baseline, d->baseline_text);
  d->due = calloc(RING, sizeof *d->due);
  if (!d->due) bench_abort("out of memory");
  d->ctx = zmq_ctx_new();
  d->sock = zmq_socket(d->ctx, ZMQ_DEALER);
  /* No high-water marks: the window, not ZeroMQ, bounds what is in flight. */
  zmq_setsockopt(d->sock, ZMQ_SNDHWM, &zero, sizeof zero);
  zmq_setsockopt(d->sock, ZMQ_RCVHWM, &zero, sizeof zero);
  zmq_setsockopt(d->sock, ZMQ_LINGER, &zero, sizeof zero);
  if (zmq_connect(d->sock, endpoint) != 0)
    bench_abort("connect %s: %s", endpoint, zmq_strerror(errno));
  size_t sz = sizeof d->fd;
  zmq_getsockopt(d->sock, ZMQ_FD, &d->fd, &sz);
}

static void driver_close(driver_t *d) {
  zmq_close(d->sock);
  zmq_ctx_term(d->ctx);
  free(d->due);
  d->due = NULL;
}

/* The packed envelope of command k; all commands have the same size
 * (fixed-width ids and dates). */
static size_t pack_command(driver_t *d, uint64_t k, uint8_t *out, size_t cap) {
  char pid[16], cid[24], forecast[TRIN_DATE_BUF];
  project_id((int)(k % (uint64_t)d->projects), pid);
  snprintf(cid, sizeof cid, "%012" PRIu64, k);
  /* Each project's forecast moves one day per round, so no command is a
   * no-op; it wraps after 3000 rounds (3 million commands). */
  trin_date_format(d->baseline + 1 + (trin_date_t)((k / (uint64_t)d->projects) % 3000), forecast);
  Trin__Lifecycle__Milestone ms = TRIN__LIFECYCLE__MILESTONE__INIT;
  ms.name = "handover";
  ms.baseline = d->baseline_text;
  ms.forecast = forecast;
  Trin__Lifecycle__SetMilestone m = TRIN__LIFECYCLE__SET_MILESTONE__INIT;
  m.project_id = pid;
  m.milestone = &ms;
  uint8_t payload[256];
  size_t pl = protobuf_c_message_get_packed_size(&m.base);
  if (pl > sizeof payload) bench_abort("a command of %zu bytes", pl);
  protobuf_c_message_pack(&m.base, payload);
  Trin__Envelope env = TRIN__ENVELOPE__INIT;
  env.correlation_id = cid;
  env.type = (char *)trin__lifecycle__set_milestone__descriptor.name;
  env.payload.data = payload;
  env.payload.len = pl;
  size_t n = protobuf_c_message_get_packed_size(&env.base);
  if (n > cap) bench_abort("an envelope of %zu bytes", n);
  protobuf_c_message_pack(&env.base, out);
  return n;
}

static void send_one(driver_t *d, uint64_t due) {
  uint64_t k = (*d->next_k)++;
  uint64_t *slot = &d->due[k % RING];
  if (*slot) {
    driver_fail(d, "request %" PRIu64 " got no reply", k - RING);
    d->outstanding--;
  }
  uint8_t buf[512];
  size_t n = pack_command(d, k, buf, sizeof buf);
  d->request_bytes = n;
  if (zmq_send(d->sock, buf, n, ZMQ_DONTWAIT) != (int)n)
    bench_abort("send: %s", zmq_strerror(errno));
  *slot = due;
  d->outstanding++;
}

static void take_reply(driver_t *d, const uint8_t *data, size_t len, uint64_t t) {
  d->reply_bytes = len;
  Trin__Envelope *env = trin__envelope__unpack(NULL, len, data);
  if (!env) {
    driver_fail(d, "%zu bytes that are not an envelope", len);
    return;
  }
  char *end = NULL;
  uint64_t k = strtoull(env->correlation_id, &end, 10);
  uint64_t *slot = &d->due[k % RING];
  if (!env->correlation_id[0] || *end || k >= *d->next_k || *slot == 0) {
    driver_fail(d, "a reply to no outstanding request (correlation id '%s')", env->correlation_id);
  } else {
    uint64_t due = *slot;
    *slot = 0;
    d->outstanding--;
    if (env->status != TRIN__STATUS__OK) {
      const Trin__Error *e = env->error;
      driver_fail(d, "request %" PRIu64 ": %s: %s%s%s", k, trin_status_name(env->status),
                  e && e->field[0] ? e->field : "", e && e->field[0] ? ": " : "",
                  e ? e->message : "");
    } else {
      d->ok++;
      if (d->lat && d->nlat < d->cap_lat)
        d->lat[d->nlat++] = t > due ? (double)(t - due) / 1e6 : 0.0;
    }
  }
  trin__envelope__free_unpacked(env, NULL);
}

/* Takes every reply waiting; returns how many. */
static int take_replies(driver_t *d) {
  zmq_msg_t m;
  zmq_msg_init(&m);
  int n = 0;
  while (zmq_msg_recv(&m, d->sock, ZMQ_DONTWAIT) >= 0) {
    uint64_t t = now_ns();
    d->last_reply_ns = t;
    take_reply(d, zmq_msg_data(&m), zmq_msg_size(&m), t);
    n++;
  }
  if (errno != EAGAIN) bench_abort("receive: %s", zmq_strerror(errno));
  zmq_msg_close(&m);
  return n;
}

/* Waits until a reply may be waiting or until deadline (monotonic ns).
 * ZMQ_FD only signals that ZMQ_EVENTS may have changed, edge-triggered, so
 * ZMQ_EVENTS is asked first; the kernel wait is ppoll, to the microsecond,
 * as a 5,000/s schedule needs (zmq_poll counts in milliseconds). */
static void wait_reply(driver_t *d, uint64_t deadline) {
  int ev = 0;
  size_t sz = sizeof ev;
  zmq_getsockopt(d->sock, ZMQ_EVENTS, &ev, &sz);
  if (ev & ZMQ_POLLIN) return;
  uint64_t t = now_ns();
  if (t >= deadline) return;
  uint64_t left = deadline - t;
  struct timespec ts = {(time_t)(left / NS), (long)(left % NS)};
  struct pollfd p = {.fd = d->fd, .events = POLLIN};
  ppoll(&p, 1, &ts, NULL);
}

static void check_progress(driver_t *d, int got, uint64_t t, uint64_t *last_progress) {
  if (got) {
    *last_progress = t;
  } else if (t - *last_progress > STALL_NS) {
    bench_abort("no reply for %llu s with %" PRIu64 " requests outstanding",
                STALL_NS / NS, d->outstanding);
  }
}

/* Keeps `window` requests outstanding for `seconds`, then awaits the rest;
 * returns OK replies per second. */
static double run_throughput(driver_t *d, int window, double seconds) {
  uint64_t ok0 = d->ok;
  uint64_t t0 = now_ns();
  uint64_t stop = t0 + (uint64_t)(seconds * 1e9);
  uint64_t last_progress = t0;
  d->last_reply_ns = t0;
  for (;;) {
    uint64_t t = now_ns();
    bool sending = t < stop;
    while (sending && d->outstanding < (uint64_t)window) send_one(d, t);
    int got = take_replies(d);
    if (!sending && d->outstanding == 0) break;
    check_progress(d, got, t, &last_progress);
    if (!got) wait_reply(d, t + NS / 10);
  }
  double elapsed = (double)(d->last_reply_ns - t0) / 1e9;
  return elapsed > 0 ? (double)(d->ok - ok0) / elapsed : 0;
}

typedef struct {
  double p50, p99, max;
  double offered;         /* requests per second actually put on the schedule */
  size_t n;
} latency_t;

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}

/* Nearest rank. */
static double percentile(const double *sorted, size_t n, double q) {
  if (n == 0) return 0;
  size_t r = (size_t)(q * (double)n + 0.999999);
  if (r < 1) r = 1;
  if (r > n) r = n;
  return sorted[r - 1];
}

/* Open loop at `rate` requests/s for `seconds`: latency from due time. */
static latency_t run_paced(driver_t *d, int rate, double seconds) {
  size_t n = (size_t)(rate * seconds);
  uint64_t interval = NS / (uint64_t)rate;
  d->lat = malloc(n * sizeof *d->lat);
  if (!d->lat) bench_abort("out of memory");
  d->nlat = 0;
  d->cap_lat = n;
  uint64_t t0 = now_ns() + NS / 1000;
  uint64_t last_progress = t0;
  size_t i = 0;
  while (i < n || d->outstanding > 0) {
    uint64_t t = now_ns();
    while (i < n && t0 + i * interval <= t) {
      send_one(d, t0 + i * interval);
      i++;
    }
    int got = take_replies(d);
    check_progress(d, got || i < n, t, &last_progress);
    if (!got) wait_reply(d, i < n ? t0 + i * interval : t + NS / 10);
  }
  latency_t r = {0};
  qsort(d->lat, d->nlat, sizeof *d->lat, cmp_double);
  r.n = d->nlat;
  r.p50 = percentile(d->lat, d->nlat, 0.50);
  r.p99 = percentile(d->lat, d->nlat, 0.99);
  r.max = d->nlat ? d->lat[d->nlat - 1] : 0;
  r.offered = (double)n / ((double)(n ? (n - 1) * interval : 0) / 1e9 + 1.0 / rate);
  free(d->lat);
  d->lat = NULL;
  d->cap_lat = d->nlat = 0;
  return r;
}

/* Warm-up, then `runs` measured runs; returns the median. */
static double throughput_median(driver_t *d, const bench_opts_t *o, const char *what) {
  run_throughput(d, o->window, o->warmup_s);
  double r[16];
  int runs = o->runs < 16 ? o->runs : 16;
  for (int i = 0; i < runs; i++) {
    r[i] = run_throughput(d, o->window, o->run_s);
    fprintf(stderr, "  %s, run %d/%d: %.0f /s\n", what, i + 1, runs, r[i]);
  }
  qsort(r, (size_t)runs, sizeof *r, cmp_double);
  return runs % 2 ? r[runs / 2] : (r[runs / 2 - 1] + r[runs / 2]) / 2;
}

static latency_t paced(driver_t *d, int rate, double seconds, const char *what) {
  latency_t l = run_paced(d, rate, seconds);
  fprintf(stderr, "  %s @ %d/s: p50 %.3f ms, p99 %.3f ms, max %.3f ms (%zu replies)\n", what,
          rate, l.p50, l.p99, l.max, l.n);
  return l;
}

/* ---- the report ------------------------------------------------------------------------ */

static void row(const char *figure, const char *value, const char *unit, const char *ref) {
  printf("%-44s %12s  %-7s %s\n", figure, value, unit, ref);
}

static void row_num(const char *figure, double v, int decimals, const char *unit,
                    const char *ref) {
  char b[32];
  snprintf(b, sizeof b, "%.*f", decimals, v);
  row(figure, b, unit, ref);
}

static void usage(FILE *f) {
  fprintf(f,
          "usage: bench_lifecycle [--quick]\n"
          "Starts %s on tcp loopback in a temporary folder and prints\n"
          "acknowledged commands per second (sync=full and sync=normal), latency at\n"
          "5,000 and 1,000 commands/s, and a bare ROUTER/DEALER echo for comparison.\n"
          "  --quick   about 10 s instead of about a minute (CI smoke runs)\n"
          "Exits 0 when it ran, whatever the figures; 1 when it could not run.\n",
          TRIN_LIFECYCLE_BIN);
}

int main(int argc, char **argv) {
  bench_opts_t o = FULL_RUN;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      o = QUICK_RUN;
    } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "bench_lifecycle: unknown argument '%s'\n", argv[i]);
      usage(stderr);
      return 2;
    }
  }
  signal(SIGPIPE, SIG_IGN);
  uint64_t t_start = now_ns();
  machine_cpu_t cpu0 = machine_cpu();
  uint64_t next_k = 1;
  uint64_t failed = 0;
  driver_t d;

  testproc_init(&svc, "bench");
  svc_made = true;

  fprintf(stderr, "setup: %d projects (sync=full)\n", o.projects);
  service_start("full");
  service_setup(o.projects);
  service_stop();

  fprintf(stderr, "throughput, sync=full\n");
  service_start("full");
  driver_connect(&d, svc.endpoint, o.projects, &next_k);
  double full = throughput_median(&d, &o, "sync=full");
  failed += d.failed;
  driver_close(&d);
  service_run_t full_run = service_stop();

  fprintf(stderr, "latency, sync=full\n");
  service_start("full");
  driver_connect(&d, svc.endpoint, o.projects, &next_k);
  run_throughput(&d, 100, o.warmup_s);
  latency_t l5000 = paced(&d, 5000, o.paced_s, "sync=full");
  latency_t l1000 = paced(&d, 1000, o.paced_s, "sync=full");
  failed += d.failed;
  size_t request_bytes = d.request_bytes, reply_bytes = d.reply_bytes;
  driver_close(&d);
  service_run_t paced_run = service_stop();

  fprintf(stderr, "throughput, sync=normal\n");
  service_start("normal");
  driver_connect(&d, svc.endpoint, o.projects, &next_k);
  double normal = throughput_median(&d, &o, "sync=normal");
  failed += d.failed;
  driver_close(&d);
  service_run_t normal_run = service_stop();

  fprintf(stderr, "latency, sync=normal\n");
  service_start("normal");
  driver_connect(&d, svc.endpoint, o.projects, &next_k);
  run_throughput(&d, 100, o.warmup_s);
  latency_t l5000n = paced(&d, 5000, o.paced_s, "sync=normal");
  failed += d.failed;
  driver_close(&d);
  service_stop();

  fprintf(stderr, "bare ROUTER/DEALER echo\n");
  echo_t echo;
  echo_start(&echo);
  driver_connect(&d, echo.endpoint, o.projects, &next_k);
  double bare = throughput_median(&d, &o, "echo");
  latency_t le = paced(&d, 5000, o.paced_s, "echo");
  failed += d.failed;
  zmq_send(d.sock, "", 0, 0); /* ends the echo thread */
  pthread_join(echo.thread, NULL);
  driver_close(&d);
  zmq_close(echo.sock);
  zmq_ctx_term(echo.ctx);

  /* What else ran: the machine's busy time less this process and its
   * (reaped) services. */
  machine_cpu_t cpu1 = machine_cpu();
  double capacity = cpu1.total_s - cpu0.total_s;
  double others = (cpu1.busy_s - cpu0.busy_s) - rusage_cpu_s(RUSAGE_SELF) -
                  rusage_cpu_s(RUSAGE_CHILDREN);
  if (others < 0) others = 0;
  char machine[512];
  bench_machine_line(machine, sizeof machine);
  const char *fs = fs_name(svc.dir);
  testproc_cleanup(&svc);
  svc_made = false;

  char ref[64];
  printf("trin lifecycle benchmark — %s\n", machine);
  printf("store on %s; SetMilestone %zu B, its reply %zu B (the echo returns %zu B);\n"
         "window %d; %d projects; throughput: median of %d run(s) of %.0f s;\n"
         "latency: open loop for %.0f s, from each request's due time\n",
         fs, request_bytes, reply_bytes, request_bytes, o.window, o.projects, o.runs, o.run_s,
         o.paced_s);
  row("figure", "value", "unit", "reference");
  snprintf(ref, sizeof ref, ">= %.0f  %s", REF_THROUGHPUT,
           full >= REF_THROUGHPUT ? "met" : "MISSED");
  row_num("acknowledged commands, sync=full", full, 0, "cmd/s", ref);
  row_num("  commands per commit", full_run.per_commit, 1, "cmd", "");
  row_num("  service CPU per command", cpu_us_per_request(full_run), 1, "us", "");
  row_num("acknowledged commands, sync=normal", normal, 0, "cmd/s", "");
  row_num("  commands per commit", normal_run.per_commit, 1, "cmd", "");
  row_num("  service CPU per command", cpu_us_per_request(normal_run), 1, "us", "");
  row_num("bare ROUTER/DEALER echo", bare, 0, "msg/s", "");
  row_num("trin / bare, sync=full", bare > 0 ? full / bare : 0, 3, "", "");
  row_num("trin / bare, sync=normal", bare > 0 ? normal / bare : 0, 3, "", "");
  row_num("latency p50 @ 5000/s, sync=full", l5000.p50, 3, "ms", "");
  snprintf(ref, sizeof ref, "< %.0f  %s", REF_P99_MS, l5000.p99 < REF_P99_MS ? "met" : "MISSED");
  row_num("latency p99 @ 5000/s, sync=full", l5000.p99, 3, "ms", ref);
  row_num("latency max @ 5000/s, sync=full", l5000.max, 3, "ms", "");
  row_num("latency p50 @ 1000/s, sync=full", l1000.p50, 3, "ms", "");
  row_num("latency p99 @ 1000/s, sync=full", l1000.p99, 3, "ms", "");
  row_num("latency max @ 1000/s, sync=full", l1000.max, 3, "ms", "");
  row_num("  commands per commit, paced, sync=full", paced_run.per_commit, 1, "cmd", "");
  row_num("latency p50 @ 5000/s, sync=normal", l5000n.p50, 3, "ms", "");
  row_num("latency p99 @ 5000/s, sync=normal", l5000n.p99, 3, "ms", "");
  row_num("latency max @ 5000/s, sync=normal", l5000n.max, 3, "ms", "");
  row_num("echo latency p50 @ 5000/s", le.p50, 3, "ms", "");
  row_num("echo latency p99 @ 5000/s", le.p99, 3, "ms", "");
  row_num("echo latency max @ 5000/s", le.max, 3, "ms", "");
  row_num("failed replies", (double)failed, 0, "", "0");
  double stolen = cpu1.steal_s - cpu0.steal_s;
  row_num("CPU used by other processes meanwhile", capacity > 0 ? 100 * others / capacity : 0,
          1, "%", "of the machine; figures are noisy if high");
  row_num("CPU stolen by the hypervisor", capacity > 0 ? 100 * stolen / capacity : 0, 1, "%",
          "");
  row_num("benchmark wall time", (double)(now_ns() - t_start) / 1e9, 1, "s", "");
  fflush(stdout);
  return failed ? 1 : 0;
}
