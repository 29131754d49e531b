/* bench_gateway — trin-gateway's figures on this machine, with every service
 * running (lifecycle, budget, survey, benchmark, aggregator and the gateway,
 * plain tcp on loopback like the rest of the suite):
 *
 *  - acknowledged SetMilestone commands per second over HTTP/1.1 keep-alive
 *    through the gateway (POST /api/v1/projects/<id>/milestones with a
 *    personal token), driven by wrk and tests/bench/gateway_milestones.lua;
 *  - the same command sent straight to trin-lifecycle over ZeroMQ by
 *    bench_lifecycle's own driver (one DEALER, 2,000 in flight), in the same
 *    run and against the same processes, and the ratio HTTP / ZeroMQ;
 *  - latency at a fixed 1,000 commands/s over HTTP: wrk cannot hold a rate
 *    and wrk2 is not in Debian, so a small open-loop generator here sends
 *    request i at t0 + i ms on the next free one of 64 keep-alive
 *    connections (taken in turn) and counts its latency from that due time (a stall cannot
 *    hide by holding the sender back: no coordinated omission); beside it
 *    the same rate straight to trin-lifecycle (bench_lifecycle's open loop),
 *    so the gateway's share of the latency shows. Both start once the
 *    followers have digested the throughput runs' events (gw_quiesce);
 *  - the gateway's resident memory (VmRSS) idle and with 1,000 keep-alive
 *    connections open from this process.
 *
 * The gateway runs with --max-per-address 2000 --max-connections 4096
 * --rate-per-token 0 --rate-per-address 0 (its defaults would refuse the
 * load on purpose) and a long idle timeout; the output says so.
 *
 * It prints figures and never judges them: exit 0 whenever it ran, 1 when it
 * could not (a process did not start, the setup was refused). Rows go to
 * $TRIN_BENCH_RESULTS for tests/bench/suite.sh's table (bench_util.h).
 *   bench_gateway           about a minute
 *   bench_gateway --quick   a few seconds (the suite's smoke run) */

/* The ZeroMQ half is bench_lifecycle's driver, not a second copy of it: its
 * file is compiled into this one with its main renamed, so driver_connect,
 * run_throughput and pack_command (the same SetMilestone, projects B0000..)
 * are the very code bench_lifecycle measures with. */
#define main bench_lifecycle_main
int bench_lifecycle_main(int argc, char **argv);
#include "bench_lifecycle.c"
#undef main

#include <jansson.h>
#include <math.h>
#include <netinet/tcp.h>

#include "bench_util.h"

#ifndef TRIN_BUDGET_BIN
#error "build with the service binaries defined (tests/bench/gateway.cmake)"
#endif

/* ---- settings ------------------------------------------------------------------ */

typedef struct {
  int runs;          /* throughput runs of each kind (HTTP, ZeroMQ), alternating */
  double run_s;      /* one throughput run */
  double warmup_s;   /* one unmeasured run of each kind first (0: none) */
  double paced_s;    /* the fixed-rate run */
  int wrk_threads;
  int wrk_conns;     /* keep-alive connections wrk holds */
  int paced_conns;   /* connections of the fixed-rate generator */
  int idle_conns;    /* keep-alive connections for the memory figure */
  int projects;      /* commands go round this many projects */
} gw_opts_t;

/* 256 connections: HTTP/1.1 has one request in flight per connection, and
 * trin-lifecycle commits what has arrived together (sync=full, one fsync per
 * batch), so fewer connections measure the disk's fsync time rather than
 * the gateway (64 gave about half the rate here); 1,000 gave no more. The
 * fixed-rate generator has 64 so that a slow commit does not leave a due
 * request without a free connection (the output shows if one waited). */
static const gw_opts_t GW_FULL = {3, 5.0, 1.0, 10.0, 2, 256, 64, 1000, 1000};
/* wrk counts its duration in whole seconds. */
static const gw_opts_t GW_QUICK = {1, 1.0, 0.0, 1.0, 2, 256, 64, 1000, 200};

#define GW_RATE 1000               /* the fixed rate of the latency figure */
#define GW_REF_HTTP 20000.0        /* acknowledged HTTP commands/s, the goal */
#define GW_REF_RATIO 0.5           /* HTTP / ZeroMQ, the goal */
#define GW_SECTION "5. gateway: HTTP against ZeroMQ"
#define GW_ORG "GWB"
#define GW_PARTNERSHIP "GWB-P"
#define GW_FEED_TOKEN "gateway-bench-feed-token"

/* ---- the processes ----------------------------------------------------------------- */

enum { G_LC, G_BG, G_SV, G_BM, G_AGG, G_GW, G_N };
static const char *const G_NAME[G_N] = {"lifecycle", "budget",     "survey",
                                        "benchmark", "aggregator", "gateway"};
static testproc_t gprocs[G_N];
static bool gprocs_made;
static int gw_http_port;

static void gw_abort(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void gw_abort(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "bench_gateway: could not run: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  for (int i = G_N - 1; i >= 0; i--)
    if (gprocs[i].pid > 0) testproc_stop(&gprocs[i]);
  if (gprocs_made)
    fprintf(stderr, "bench_gateway: logs and stores are in %s, %s ...\n", gprocs[G_GW].dir,
            gprocs[G_LC].dir);
  exit(1);
}

static void gw_endpoints(testproc_t *p) {
  int a = bench_free_port(), b = bench_free_port();
  if (!a || !b) gw_abort("no free tcp port on 127.0.0.1");
  snprintf(p->endpoint, sizeof p->endpoint, "tcp://127.0.0.1:%d", a);
  snprintf(p->pub, sizeof p->pub, "tcp://127.0.0.1:%d", b);
}

/* The HTTP port a process logged ("http: listening on ... (port N)"). */
static int logged_port(const testproc_t *p) {
  int port = testproc_http_port(p);
  if (!port) gw_abort("no HTTP port in %s", p->log);
  return port;
}

/* The five services following their upstreams as in bench_suite, then the
 * gateway reaching all five. */
static void gw_system_start(void) {
  static char up[G_N][2][400], gw_ep[G_AGG + 1][400];
  for (int i = 0; i < G_N; i++) {
    char name[32];
    snprintf(name, sizeof name, "gwbench-%s", G_NAME[i]);
    testproc_init(&gprocs[i], name);
    gw_endpoints(&gprocs[i]);
  }
  gprocs_made = true;
  for (int i = G_LC; i <= G_AGG; i++) {
    snprintf(up[i][0], sizeof up[i][0], "--%s-endpoint=%s", G_NAME[i], gprocs[i].endpoint);
    snprintf(up[i][1], sizeof up[i][1], "--%s-pub-endpoint=%s", G_NAME[i], gprocs[i].pub);
    snprintf(gw_ep[i], sizeof gw_ep[i], "--%s-endpoint=%s", G_NAME[i], gprocs[i].endpoint);
  }
  char gw_agg_pub[400];
  snprintf(gw_agg_pub, sizeof gw_agg_pub, "--aggregator-pub-endpoint=%s", gprocs[G_AGG].pub);
  const char *lc_args[] = {"--heartbeat-ms=1000", NULL};
  const char *bg_args[] = {up[G_LC][0], up[G_LC][1], "--heartbeat-ms=1000", NULL};
  const char *sv_args[] = {up[G_LC][0], up[G_LC][1], "--heartbeat-ms=1000", "--http-address=",
                           NULL};
  const char *bm_args[] = {up[G_LC][0], up[G_LC][1], up[G_BG][0], up[G_BG][1], up[G_SV][0],
                           up[G_SV][1], "--heartbeat-ms=1000", NULL};
  const char *agg_args[] = {up[G_LC][0], up[G_LC][1], up[G_BG][0], up[G_BG][1], up[G_SV][0],
                            up[G_SV][1], up[G_BM][0], up[G_BM][1],
                            "--http-address=127.0.0.1:0", "--token=" GW_FEED_TOKEN,
                            "--retry-ms=200", NULL};
  const char *gw_args[] = {gw_ep[G_LC], gw_ep[G_BG], gw_ep[G_SV], gw_ep[G_BM], gw_ep[G_AGG],
                           gw_agg_pub, "--http-addr=127.0.0.1:0", "--max-per-address=2000",
                           "--max-connections=4096", "--rate-per-token=0",
                           "--rate-per-address=0", "--idle-timeout-ms=600000", NULL};
  const char *bins[G_N] = {TRIN_LIFECYCLE_BIN, TRIN_BUDGET_BIN,     TRIN_SURVEY_BIN,
                           TRIN_BENCHMARK_BIN, TRIN_AGGREGATOR_BIN, TRIN_GATEWAY_BIN};
  const char *const *args[G_N] = {lc_args, bg_args, sv_args, bm_args, agg_args, gw_args};
  for (int i = 0; i < G_N; i++)
    if (!testproc_start(&gprocs[i], bins[i], args[i]))
      gw_abort("%s did not start (log: %s)", bins[i], gprocs[i].log);
  gw_http_port = logged_port(&gprocs[G_GW]);
}

static void gw_system_stop(void) {
  for (int i = G_N - 1; i >= 0; i--) {
    int rc = testproc_stop(&gprocs[i]);
    if (rc != 0)
      fprintf(stderr, "bench_gateway: %s exited with %d (log: %s)\n", G_NAME[i], rc,
              gprocs[i].log);
  }
  for (int i = 0; i < G_N; i++) testproc_cleanup(&gprocs[i]);
  gprocs_made = false;
}

/* The client organisation, its partnership and projects B0000.. (the ids
 * bench_lifecycle's driver uses). */
static void gw_setup(int projects) {
  trin_client_t *c = NULL;
  trin_err_t e = {0};
  if (trin_client_new(gprocs[G_LC].endpoint, &c, &e)) gw_abort("client: %s", e.message);
  if (lc_org(c, GW_ORG, "client", &e) ||
      lc_partnership(c, GW_PARTNERSHIP, GW_ORG, "2022-01-01", "myndighedsprojekt", 0, &e))
    gw_abort("setup: %s (%s)", e.message, e.field);
  for (int i = 0; i < projects; i++) {
    char id[16];
    project_id(i, id);
    if (lc_project(c, id, GW_PARTNERSHIP, NULL, false, "2023-03-01", &e))
      gw_abort("setup: project %s: %s (%s)", id, e.message, e.field);
  }
  trin_client_destroy(&c);
}

/* A personal token of a writer of the client organisation, made through the
 * gateway's own ROUTER by trinctl (plain: a local caller may). */
static void gw_token(char *out, size_t cap) {
  char cmd[1200], text[2048];
  snprintf(cmd, sizeof cmd,
           "TRIN_INSECURE=true '%s' --endpoint '%s' token create --service gateway --org %s "
           "--scope api:write --role writer --person 'Gateway Bench' --json 2>&1",
           TRINCTL_BIN, gprocs[G_GW].endpoint, GW_ORG);
  int rc = testproc_run(cmd, text, sizeof text);
  json_error_t je;
  json_t *j = rc == 0 ? json_loads(text, 0, &je) : NULL;
  const char *tok = j ? json_string_value(json_object_get(j, "token")) : NULL;
  if (!tok || !*tok || strlen(tok) >= cap) gw_abort("trinctl token create: %s", text);
  snprintf(out, cap, "%s", tok);
  json_decref(j);
}

/* ---- process figures ------------------------------------------------------------------ */

/* user + system CPU of a running process, in seconds. */
static double proc_cpu_s(pid_t pid) {
  char path[64], buf[1024];
  snprintf(path, sizeof path, "/proc/%ld/stat", (long)pid);
  FILE *f = fopen(path, "r");
  if (!f) return 0;
  size_t n = fread(buf, 1, sizeof buf - 1, f);
  fclose(f);
  buf[n] = '\0';
  const char *p = strrchr(buf, ')');
  unsigned long long ut = 0, st = 0;
  if (!p || sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
    return 0;
  return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

typedef struct {
  double cpu[G_N];
} gw_cpu_t;

static gw_cpu_t gw_cpu_now(void) {
  gw_cpu_t c;
  for (int i = 0; i < G_N; i++) c.cpu[i] = proc_cpu_s(gprocs[i].pid);
  return c;
}

/* Waits until the six processes are nearly idle (under 3% of a core over
 * 300 ms, at most 30 s): after a throughput run the followers still digest
 * its events, and a latency run started then would measure that backlog. */
static void gw_quiesce(void) {
  uint64_t t0 = now_ns();
  double before = 0;
  for (int i = 0; i < G_N; i++) before += proc_cpu_s(gprocs[i].pid);
  for (;;) {
    struct timespec ts = {0, 300 * 1000 * 1000};
    nanosleep(&ts, NULL);
    double after = 0;
    for (int i = 0; i < G_N; i++) after += proc_cpu_s(gprocs[i].pid);
    if (after - before <= 0.009 || now_ns() - t0 > 30 * NS) return;
    before = after;
  }
}

/* ---- a small HTTP/1.1 client ------------------------------------------------------------ */

typedef struct {
  int fd;
  char buf[16384];
  size_t len;
  bool busy;
  uint64_t due;      /* the due time of the request in flight */
} gw_conn_t;

static int gw_connect(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  int one = 1;
  setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
  return fd;
}

/* Bytes of the first whole response in buf (0: not whole yet); its status in
 * *status. Every answer of trin_http carries a Content-Length. */
static size_t gw_response_len(const char *buf, size_t len, int *status) {
  const char *end = memmem(buf, len, "\r\n\r\n", 4);
  if (!end) return 0;
  size_t head = (size_t)(end - buf) + 4;
  *status = len > 12 ? atoi(buf + 9) : 0;
  size_t body = 0;
  for (const char *p = buf; p && p < end; p = memchr(p, '\n', (size_t)(end - p))) {
    if (*p == '\n') p++;
    if (strncasecmp(p, "Content-Length:", 15) == 0) body = strtoul(p + 15, NULL, 10);
  }
  return len >= head + body ? head + body : 0;
}

/* Writes all of a request (the socket is blocking; requests are small). */
static void gw_write_all(int fd, const char *s, size_t n) {
  while (n) {
    ssize_t w = send(fd, s, n, MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) gw_abort("HTTP send: %s", strerror(errno));
    s += w;
    n -= (size_t)w;
  }
}

/* Reads what is there without waiting; false when the gateway closed. */
static bool gw_read_some(gw_conn_t *c) {
  if (c->len == sizeof c->buf) gw_abort("an HTTP response over %zu bytes", sizeof c->buf);
  ssize_t r = recv(c->fd, c->buf + c->len, sizeof c->buf - c->len, MSG_DONTWAIT);
  if (r > 0) c->len += (size_t)r;
  return r > 0 || (r < 0 && (errno == EAGAIN || errno == EINTR));
}

/* Command k exactly as gateway_milestones.lua builds it for thread 0. */
static size_t gw_milestone_request(char *out, size_t cap, const char *token, uint64_t k,
                                   int projects) {
  char pid[16], forecast[TRIN_DATE_BUF], baseline[TRIN_DATE_BUF];
  trin_date_t base = trin_date_from_ymd(2027, 1, 1);
  project_id((int)(k % (uint64_t)projects), pid);
  trin_date_format(base, baseline);
  trin_date_format(base + 1 + (trin_date_t)((k / (uint64_t)projects) % 3000), forecast);
  char body[256];
  int bl = snprintf(body, sizeof body,
                    "{\"milestone\":{\"name\":\"gw-p-%d\",\"baseline\":\"%s\","
                    "\"forecast\":\"%s\"}}",
                    (int)(k % 8), baseline, forecast);
  int n = snprintf(out, cap,
                   "POST /api/v1/projects/%s/milestones HTTP/1.1\r\nHost: 127.0.0.1\r\n"
                   "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                   "Content-Length: %d\r\n\r\n%s",
                   pid, token, bl, body);
  if (n < 0 || (size_t)n >= cap) gw_abort("a request over %zu bytes", cap);
  return (size_t)n;
}

/* One exchange on a fresh connection, for the setup check; the status is
 * returned and the body copied to body. */
static int gw_once(const char *req, size_t n, char *body, size_t cap) {
  gw_conn_t c = {.fd = gw_connect(gw_http_port)};
  if (c.fd < 0) gw_abort("connect to the gateway: %s", strerror(errno));
  gw_write_all(c.fd, req, n);
  int status = 0;
  size_t whole;
  uint64_t t0 = now_ns();
  while (!(whole = gw_response_len(c.buf, c.len, &status))) {
    struct pollfd p = {.fd = c.fd, .events = POLLIN};
    poll(&p, 1, 100);
    if (!gw_read_some(&c)) gw_abort("the gateway closed the connection");
    if (now_ns() - t0 > 10 * NS) gw_abort("no answer from the gateway in 10 s");
  }
  const char *b = memmem(c.buf, whole, "\r\n\r\n", 4) + 4;
  snprintf(body, cap, "%.*s", (int)(whole - (size_t)(b - c.buf)), b);
  close(c.fd);
  return status;
}

/* ---- the fixed rate: an open-loop generator ---------------------------------------------- */

typedef struct {
  double p50, p99, p999, max;
  double achieved;       /* replies per second over the run */
  uint64_t ok, failed;
  uint64_t queued_max;   /* most requests due but not yet sent (all connections busy) */
  uint64_t reconnects;   /* idle connections the gateway closed, opened again */
} gw_paced_t;

/* Request i is due at t0 + i/rate; it goes on the next free connection as
 * soon as it is due (or, when all are busy, as soon as one frees) and its
 * latency is counted from the due time. */
static gw_paced_t gw_paced(const char *token, int rate, double seconds, int nconns,
                           int projects, uint64_t *next_k) {
  gw_paced_t r = {0};
  size_t n = (size_t)(rate * seconds);
  uint64_t interval = NS / (uint64_t)rate;
  gw_conn_t *conns = calloc((size_t)nconns, sizeof *conns);
  double *lat = malloc(n * sizeof *lat);
  struct pollfd *pf = calloc((size_t)nconns, sizeof *pf);
  if (!conns || !lat || !pf) gw_abort("out of memory");
  for (int i = 0; i < nconns; i++) {
    conns[i].fd = gw_connect(gw_http_port);
    if (conns[i].fd < 0) gw_abort("connect to the gateway: %s", strerror(errno));
  }
  size_t nlat = 0, sent = 0, done = 0;
  unsigned next_conn = 0;
  int shown = 0;
  uint64_t t0 = now_ns() + NS / 1000, last = t0;
  while (done < n) {
    uint64_t t = now_ns();
    /* Due requests go out while a connection is free, taken round the
     * ring so every connection carries requests (one never used would meet
     * the gateway's head timeout). */
    for (int j = 0; j < nconns && sent < n && t0 + sent * interval <= t; j++) {
      int i = (int)((next_conn + (unsigned)j) % (unsigned)nconns);
      if (conns[i].busy) continue;
      next_conn = (unsigned)i + 1;
      char req[1024];
      size_t len = gw_milestone_request(req, sizeof req, token, (*next_k)++, projects);
      conns[i].busy = true;
      conns[i].due = t0 + sent * interval;
      gw_write_all(conns[i].fd, req, len);
      sent++;
    }
    if (sent < n && t0 + sent * interval <= t) {
      uint64_t q = (t - (t0 + sent * interval)) / interval + 1;
      if (q > r.queued_max) r.queued_max = q;
    }
    for (int i = 0; i < nconns; i++) pf[i] = (struct pollfd){.fd = conns[i].fd, .events = POLLIN};
    uint64_t wake = sent < n ? t0 + sent * interval : t + NS / 10;
    uint64_t now = now_ns();
    uint64_t left = wake > now ? wake - now : 0;
    struct timespec ts = {(time_t)(left / NS), (long)(left % NS)};
    if (ppoll(pf, (nfds_t)nconns, &ts, NULL) < 0 && errno != EINTR)
      gw_abort("poll: %s", strerror(errno));
    for (int i = 0; i < nconns; i++) {
      if (!(pf[i].revents & (POLLIN | POLLHUP | POLLERR))) continue;
      gw_conn_t *c = &conns[i];
      if (!gw_read_some(c)) {
        if (c->busy) gw_abort("the gateway closed a connection with a request on it");
        /* An idle one it may close (its timeouts): open it again. */
        close(c->fd);
        *c = (gw_conn_t){.fd = gw_connect(gw_http_port)};
        if (c->fd < 0) gw_abort("connect to the gateway: %s", strerror(errno));
        r.reconnects++;
        continue;
      }
      int status;
      size_t whole;
      while ((whole = gw_response_len(c->buf, c->len, &status))) {
        uint64_t at = now_ns();
        if (!c->busy) gw_abort("an HTTP response to no request");
        if (status >= 200 && status < 300) {
          r.ok++;
          lat[nlat++] = at > c->due ? (double)(at - c->due) / 1e6 : 0;
        } else {
          r.failed++;
          if (shown++ < MAX_FAILURES_SHOWN)
            fprintf(stderr, "bench_gateway: paced: status %d: %.*s\n", status, (int)whole,
                    c->buf);
        }
        last = at;
        c->busy = false;
        done++;
        memmove(c->buf, c->buf + whole, c->len - whole);
        c->len -= whole;
      }
    }
    uint64_t t_end = now_ns();
    if (t_end > last && t_end - last > STALL_NS && done < sent)
      gw_abort("no HTTP reply for %llu s with %zu requests outstanding", STALL_NS / NS,
               sent - done);
  }
  for (int i = 0; i < nconns; i++) close(conns[i].fd);
  qsort(lat, nlat, sizeof *lat, cmp_double);
  r.p50 = bench_percentile(lat, nlat, 0.50);
  r.p99 = bench_percentile(lat, nlat, 0.99);
  r.p999 = bench_percentile(lat, nlat, 0.999);
  r.max = nlat ? lat[nlat - 1] : 0;
  r.achieved = last > t0 ? (double)done / ((double)(last - t0) / 1e9) : 0;
  free(lat);
  free(conns);
  free(pf);
  return r;
}

/* ---- wrk --------------------------------------------------------------------------------- */

typedef struct {
  double acked_per_s;    /* 2xx replies per second */
  double p99_ms;         /* wrk's own latency p99 (closed loop: not the fixed-rate figure) */
  uint64_t requests, non2xx, socket_errors;
  double seconds;
  double cpu_per_cmd_us[G_N];
  double wrk_cpu_per_cmd_us;   /* wrk itself (reaped: RUSAGE_CHILDREN) */
} gw_wrk_t;

static bool wrk_found(void) { return testproc_run("command -v wrk >/dev/null 2>&1", NULL, 0) == 0; }

/* wrk's "12.34ms" / "850.00us" / "1.02s" in milliseconds. */
static double wrk_ms(const char *s) {
  char *end;
  double v = strtod(s, &end);
  if (strncmp(end, "us", 2) == 0) return v / 1000;
  if (strncmp(end, "ms", 2) == 0) return v;
  if (*end == 's') return v * 1000;
  if (*end == 'm') return v * 60000;
  return v;
}

static gw_wrk_t gw_wrk(const gw_opts_t *o, const char *token, double seconds) {
  gw_wrk_t w = {0};
  char cmd[1400];
  snprintf(cmd, sizeof cmd,
           "wrk -t%d -c%d -d%ds --latency -s '%s' http://127.0.0.1:%d -- '%s' %d B 2>&1",
           o->wrk_threads, o->wrk_conns, seconds < 1 ? 1 : (int)(seconds + 0.5),
           TRIN_GATEWAY_LUA, gw_http_port, token, o->projects);
  gw_cpu_t c0 = gw_cpu_now();
  double wrk0 = rusage_cpu_s(RUSAGE_CHILDREN);
  FILE *p = popen(cmd, "r");
  if (!p) gw_abort("cannot run wrk: %s", strerror(errno));
  char line[512];
  unsigned long long req = 0, non = 0;
  double secs = 0;
  bool parsed = false;
  while (fgets(line, sizeof line, p)) {
    char unit[8];
    unsigned long long a, b, c, d;
    char lat[32];
    if (sscanf(line, " %llu requests in %lf%7s", &req, &secs, unit) == 3) {
      if (unit[0] == 'm' && unit[1] == ',') secs *= 60;
      parsed = true;
    } else if (sscanf(line, " Non-2xx or 3xx responses: %llu", &non) == 1) {
      w.non2xx = non;
    } else if (sscanf(line, " Socket errors: connect %llu, read %llu, write %llu, timeout %llu",
                      &a, &b, &c, &d) == 4) {
      w.socket_errors = a + b + c + d;
    } else if (sscanf(line, " 99%% %31s", lat) == 1) {
      w.p99_ms = wrk_ms(lat);
    }
    if (strstr(line, "error") || strstr(line, "Error")) fprintf(stderr, "  wrk: %s", line);
  }
  int rc = pclose(p);
  if (rc != 0 || !parsed || secs <= 0) gw_abort("wrk failed (exit %d): %s", rc, cmd);
  gw_cpu_t c1 = gw_cpu_now();
  w.wrk_cpu_per_cmd_us = req ? (rusage_cpu_s(RUSAGE_CHILDREN) - wrk0) * 1e6 / (double)req : 0;
  w.requests = req;
  w.seconds = secs;
  w.acked_per_s = (double)(req - w.non2xx) / secs;
  for (int i = 0; i < G_N; i++)
    w.cpu_per_cmd_us[i] = req ? (c1.cpu[i] - c0.cpu[i]) * 1e6 / (double)req : 0;
  return w;
}

/* ---- memory with many connections ---------------------------------------------------------- */

/* Opens n keep-alive connections, each having had one GET /healthz answered,
 * and returns the gateway's VmRSS while they are all open. */
static long gw_rss_with_connections(int n, int *opened) {
  int *fds = malloc((size_t)n * sizeof *fds);
  if (!fds) gw_abort("out of memory");
  static const char req[] = "GET /healthz HTTP/1.1\r\nHost: 127.0.0.1\r\n\r\n";
  int made = 0;
  for (int i = 0; i < n; i++) {
    fds[i] = gw_connect(gw_http_port);
    if (fds[i] < 0) {
      fprintf(stderr, "bench_gateway: connection %d of %d: %s\n", i + 1, n, strerror(errno));
      break;
    }
    made++;
    gw_write_all(fds[i], req, sizeof req - 1);
  }
  /* Every answer read, so each connection is a live keep-alive one. */
  int answered = 0;
  for (int i = 0; i < made; i++) {
    gw_conn_t c = {.fd = fds[i]};
    int status;
    uint64_t t0 = now_ns();
    while (!gw_response_len(c.buf, c.len, &status)) {
      struct pollfd p = {.fd = c.fd, .events = POLLIN};
      poll(&p, 1, 100);
      if (!gw_read_some(&c) || now_ns() - t0 > 10 * NS) break;
    }
    if (gw_response_len(c.buf, c.len, &status) && status == 200) answered++;
  }
  if (answered != made)
    fprintf(stderr, "bench_gateway: %d of %d keep-alive connections had their answer\n",
            answered, made);
  *opened = answered;
  long rss = bench_rss_kib(gprocs[G_GW].pid);
  for (int i = 0; i < made; i++) close(fds[i]);
  free(fds);
  return rss;
}

static void raise_nofile(int want) {
  struct rlimit rl;
  if (getrlimit(RLIMIT_NOFILE, &rl) != 0) return;
  if (rl.rlim_cur >= (rlim_t)want) return;
  rl.rlim_cur = rl.rlim_max == RLIM_INFINITY || rl.rlim_max >= (rlim_t)want ? (rlim_t)want
                                                                            : rl.rlim_max;
  setrlimit(RLIMIT_NOFILE, &rl);
}

/* ---- the report ----------------------------------------------------------------------------- */

static void gw_row(const char *figure, double v, int decimals, const char *unit,
                   const char *ref, double ratio) {
  char b[32];
  if (isnan(v)) snprintf(b, sizeof b, "-");
  else snprintf(b, sizeof b, "%.*f", decimals, v);
  printf("%-52s %12s  %-6s %s\n", figure, b, unit, ref);
  bench_result(GW_SECTION, figure, v, unit, ref, ratio);
}

static void gw_usage(FILE *f) {
  fprintf(f,
          "usage: bench_gateway [--quick]\n"
          "Starts every trin service and trin-gateway on tcp loopback and prints\n"
          "acknowledged SetMilestone commands/s over HTTP (wrk) and over ZeroMQ, their ratio,\n"
          "HTTP latency at a fixed %d/s, and the gateway's memory idle and with 1,000\n"
          "keep-alive connections.\n"
          "  --quick   a few seconds instead of about a minute\n"
          "  --connections N         wrk's keep-alive connections (default %d)\n"
          "  --paced-connections N   the fixed-rate generator's connections (default %d)\n"
          "Exits 0 when it ran, whatever the figures; 1 when it could not run.\n",
          GW_RATE, GW_FULL.wrk_conns, GW_FULL.paced_conns);
}

int main(int argc, char **argv) {
  gw_opts_t o = GW_FULL;
  int wrk_conns = 0, paced_conns = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      o = GW_QUICK;
    } else if (strcmp(argv[i], "--connections") == 0 && i + 1 < argc) {
      wrk_conns = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--paced-connections") == 0 && i + 1 < argc) {
      paced_conns = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      gw_usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "bench_gateway: unknown argument '%s'\n", argv[i]);
      gw_usage(stderr);
      return 2;
    }
  }
  if (wrk_conns > 0) o.wrk_conns = wrk_conns;
  if (paced_conns > 0) o.paced_conns = paced_conns;
  signal(SIGPIPE, SIG_IGN);
  /* The gateway inherits the limit: 1,000 connections need more than 1,024
   * descriptors on both sides. */
  raise_nofile(4096);
  uint64_t t_start = now_ns();
  machine_cpu_t mcpu0 = machine_cpu();
  bool have_wrk = wrk_found();

  fprintf(stderr, "starting lifecycle, budget, survey, benchmark, aggregator and gateway\n");
  gw_system_start();
  fprintf(stderr, "setup: %d projects\n", o.projects);
  gw_setup(o.projects);
  char token[256];
  gw_token(token, sizeof token);
  {
    char req[1024], body[2048];
    uint64_t k = 0;
    size_t n = gw_milestone_request(req, sizeof req, token, k, o.projects);
    int st = gw_once(req, n, body, sizeof body);
    if (st < 200 || st >= 300) gw_abort("POST milestones through the gateway: %d %s", st, body);
  }
  /* Idle: started, set up, one command served, no load yet. */
  long rss_idle = bench_rss_kib(gprocs[G_GW].pid);

  /* HTTP and ZeroMQ alternate, so drift of the machine touches both. */
  uint64_t next_k = 1, zfail = 0;
  driver_t d;
  driver_connect(&d, gprocs[G_LC].endpoint, o.projects, &next_k);
  double http[16], zmq_r[16], wrk_p99[16];
  gw_wrk_t last_wrk = {0};
  uint64_t http_non2xx = 0, http_sockerr = 0;
  double zmq_cpu_lc = 0, zmq_cpu_followers = 0, zmq_cpu_client = 0;
  int runs = o.runs < 16 ? o.runs : 16;
  fprintf(stderr, "warm-up\n");
  if (o.warmup_s > 0) {
    if (have_wrk) gw_wrk(&o, token, o.warmup_s);
    run_throughput(&d, 2000, o.warmup_s);
  }
  for (int i = 0; i < runs; i++) {
    if (have_wrk) {
      last_wrk = gw_wrk(&o, token, o.run_s);
      http[i] = last_wrk.acked_per_s;
      wrk_p99[i] = last_wrk.p99_ms;
      http_non2xx += last_wrk.non2xx;
      http_sockerr += last_wrk.socket_errors;
      fprintf(stderr, "  HTTP (wrk), run %d/%d: %.0f /s acknowledged (%llu non-2xx)\n", i + 1,
              runs, http[i], (unsigned long long)last_wrk.non2xx);
    }
    gw_cpu_t z0 = gw_cpu_now();
    double self0 = rusage_cpu_s(RUSAGE_SELF);
    uint64_t ok0 = d.ok;
    zmq_r[i] = run_throughput(&d, 2000, o.run_s);
    gw_cpu_t z1 = gw_cpu_now();
    double per = d.ok > ok0 ? 1e6 / (double)(d.ok - ok0) : 0;
    zmq_cpu_lc = (z1.cpu[G_LC] - z0.cpu[G_LC]) * per;
    zmq_cpu_followers = 0;
    for (int j = G_BG; j <= G_AGG; j++) zmq_cpu_followers += (z1.cpu[j] - z0.cpu[j]) * per;
    zmq_cpu_client = (rusage_cpu_s(RUSAGE_SELF) - self0) * per;
    fprintf(stderr, "  ZeroMQ (DEALER), run %d/%d: %.0f /s (lifecycle %.1f us CPU/cmd)\n", i + 1,
            runs, zmq_r[i], zmq_cpu_lc);
  }
  zfail = d.failed;
  driver_close(&d);
  double http_med = have_wrk ? bench_median(http, (size_t)runs) : NAN;
  double zmq_med = bench_median(zmq_r, (size_t)runs);
  double wrk_p99_med = have_wrk ? bench_median(wrk_p99, (size_t)runs) : NAN;

  gw_quiesce();
  fprintf(stderr, "latency at %d/s over HTTP\n", GW_RATE);
  uint64_t pk = 1000000000ull;   /* its own command numbers: other milestones' forecasts */
  gw_paced_t lat = gw_paced(token, GW_RATE, o.paced_s, o.paced_conns, o.projects, &pk);
  fprintf(stderr, "  p50 %.3f ms, p99 %.3f ms, max %.3f ms (%llu ok, %llu failed)\n", lat.p50,
          lat.p99, lat.max, (unsigned long long)lat.ok, (unsigned long long)lat.failed);

  /* The same rate straight to trin-lifecycle (bench_lifecycle's open loop):
   * what of the latency is the commit's and what the gateway's. */
  gw_quiesce();
  driver_connect(&d, gprocs[G_LC].endpoint, o.projects, &next_k);
  latency_t zlat = paced(&d, GW_RATE, o.paced_s, "ZeroMQ");
  zfail += d.failed;
  driver_close(&d);

  fprintf(stderr, "memory with %d keep-alive connections\n", o.idle_conns);
  long rss_loaded = bench_rss_kib(gprocs[G_GW].pid);
  int opened = 0;
  long rss_conns = gw_rss_with_connections(o.idle_conns, &opened);

  gw_system_stop();
  /* What else ran: the machine's busy time less this process and its reaped
   * children (the six services, wrk, trinctl). */
  machine_cpu_t mcpu1 = machine_cpu();
  double capacity = mcpu1.total_s - mcpu0.total_s;
  double others = (mcpu1.busy_s - mcpu0.busy_s) - rusage_cpu_s(RUSAGE_SELF) -
                  rusage_cpu_s(RUSAGE_CHILDREN);
  if (others < 0) others = 0;

  char machine[512], ref[96];
  long ncores = sysconf(_SC_NPROCESSORS_ONLN);
  bench_machine_line(machine, sizeof machine);
  printf("trin gateway benchmark — %s\n", machine);
  printf("all six processes plain tcp on loopback with their default settings (trin-lifecycle\n"
         "sync=full: one fsync per batch), as in the suite; trin-gateway with\n"
         "--max-per-address 2000 --max-connections 4096 --rate-per-token 0\n"
         "--rate-per-address 0 --idle-timeout-ms 600000;\n"
         "HTTP: wrk -t%d -c%d, POST /api/v1/projects/<id>/milestones (gateway_milestones.lua),\n"
         "%d projects; ZeroMQ: bench_lifecycle's DEALER, window 2000, the same command;\n"
         "throughput: median of %d run(s) of %.0f s each, HTTP and ZeroMQ alternating;\n"
         "fixed rate: open loop, request i due at t0 + i/%d s on the next free one of\n"
         "%d keep-alive connections, latency from its due time (no coordinated omission),\n"
         "for %.0f s, after the services went idle; ZeroMQ the same way (bench_lifecycle)\n",
         o.wrk_threads, o.wrk_conns, o.projects, runs, o.run_s, GW_RATE, o.paced_conns,
         o.paced_s);
  printf("%-52s %12s  %-6s %s\n", "figure", "value", "unit", "reference");
  if (have_wrk) {
    snprintf(ref, sizeof ref, ">= %.0f  %s", GW_REF_HTTP,
             http_med >= GW_REF_HTTP ? "met" : "MISSED");
    gw_row("acknowledged SetMilestone over HTTP (wrk)", http_med, 0, "cmd/s", ref,
           http_med / GW_REF_HTTP);
  } else {
    printf("%-52s %12s  %-6s %s\n", "acknowledged SetMilestone over HTTP (wrk)", "-", "cmd/s",
           "wrk is not installed (deploy/install-deps.sh)");
    bench_result(GW_SECTION, "acknowledged SetMilestone over HTTP: wrk is not installed", NAN,
                 "cmd/s", ">= 20000", NAN);
  }
  if (have_wrk) {
    /* Where a command's CPU goes on this machine (the last run), and the
     * rate the cores could carry if CPU were the only limit. */
    double followers = 0;
    for (int i = G_BG; i <= G_AGG; i++) followers += last_wrk.cpu_per_cmd_us[i];
    double total = last_wrk.cpu_per_cmd_us[G_GW] + last_wrk.cpu_per_cmd_us[G_LC] + followers +
                   last_wrk.wrk_cpu_per_cmd_us;
    gw_row("  CPU per HTTP command: trin-gateway", last_wrk.cpu_per_cmd_us[G_GW], 1, "us", "",
           NAN);
    gw_row("  CPU per HTTP command: trin-lifecycle", last_wrk.cpu_per_cmd_us[G_LC], 1, "us", "",
           NAN);
    gw_row("  CPU per HTTP command: the four followers", followers, 1, "us",
           "budget, survey, benchmark, aggregator", NAN);
    gw_row("  CPU per HTTP command: wrk", last_wrk.wrk_cpu_per_cmd_us, 1, "us", "", NAN);
    gw_row("  CPU ceiling of the HTTP path: cores / CPU",
           total > 0 ? (double)ncores * 1e6 / total : NAN, 0, "cmd/s",
           "if CPU were the only limit", NAN);
    gw_row("  wrk latency p99 (closed loop, -c)", wrk_p99_med, 2, "ms", "", NAN);
    gw_row("  non-2xx replies + socket errors", (double)(http_non2xx + http_sockerr), 0, "",
           "0", NAN);
  }
  gw_row("acknowledged SetMilestone over ZeroMQ (direct)", zmq_med, 0, "cmd/s", "", NAN);
  double zmq_total = zmq_cpu_lc + zmq_cpu_followers + zmq_cpu_client;
  gw_row("  CPU per ZeroMQ command: trin-lifecycle", zmq_cpu_lc, 1, "us", "", NAN);
  gw_row("  CPU per ZeroMQ command: the four followers", zmq_cpu_followers, 1, "us", "", NAN);
  gw_row("  CPU per ZeroMQ command: the client (this process)", zmq_cpu_client, 1, "us", "", NAN);
  gw_row("  CPU ceiling of the ZeroMQ path: cores / CPU",
         zmq_total > 0 ? (double)ncores * 1e6 / zmq_total : NAN, 0, "cmd/s",
         "if CPU were the only limit", NAN);
  snprintf(ref, sizeof ref, ">= %.1f  %s", GW_REF_RATIO,
           have_wrk && http_med / zmq_med >= GW_REF_RATIO ? "met" : "MISSED");
  gw_row("HTTP / ZeroMQ", have_wrk && zmq_med > 0 ? http_med / zmq_med : NAN, 3, "", ref,
         NAN);
  gw_row("HTTP latency p50 @ 1000/s", lat.p50, 3, "ms", "", NAN);
  gw_row("HTTP latency p99 @ 1000/s", lat.p99, 3, "ms", "", NAN);
  gw_row("HTTP latency max @ 1000/s", lat.max, 3, "ms", "", NAN);
  gw_row("  rate held (replies/s)", lat.achieved, 0, "/s", "1000", NAN);
  gw_row("  most requests waiting for a free connection", (double)lat.queued_max, 0, "", "",
         NAN);
  gw_row("  failed replies at the fixed rate", (double)lat.failed, 0, "", "0", NAN);
  gw_row("  idle connections closed by the gateway, reopened", (double)lat.reconnects, 0, "", "0",
         NAN);
  gw_row("ZeroMQ latency p50 @ 1000/s (direct)", zlat.p50, 3, "ms", "", NAN);
  gw_row("ZeroMQ latency p99 @ 1000/s (direct)", zlat.p99, 3, "ms", "", NAN);
  gw_row("ZeroMQ latency max @ 1000/s (direct)", zlat.max, 3, "ms", "", NAN);
  gw_row("gateway VmRSS idle", rss_idle / 1024.0, 1, "MiB", "", NAN);
  gw_row("gateway VmRSS after the load", rss_loaded / 1024.0, 1, "MiB", "", NAN);
  char fig[96];
  snprintf(fig, sizeof fig, "gateway VmRSS with %d keep-alive connections", opened);
  gw_row(fig, rss_conns / 1024.0, 1, "MiB", "", NAN);
  gw_row("  per connection", opened ? (double)(rss_conns - rss_loaded) / opened : NAN, 2,
         "KiB", "", NAN);
  gw_row("failed ZeroMQ replies", (double)zfail, 0, "", "0", NAN);
  gw_row("CPU used by other processes meanwhile", capacity > 0 ? 100 * others / capacity : 0, 1,
         "%", "of the machine; figures are noisy if high", NAN);
  gw_row("benchmark wall time", (double)(now_ns() - t_start) / 1e9, 1, "s", "", NAN);
  fflush(stdout);
  return 0;
}
