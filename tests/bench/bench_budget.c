/* bench_budget — the budget service's figures on this machine. It prints
 * figures and never judges them: exit 0 whenever it ran, 1 only when it
 * could not run. `--quick` for CI smoke runs.
 *
 *  1. Portfolio recomputation, in memory: 20,000 projects × 200 budget
 *     lines as plain structs (the shape budget_store_economy_load fills),
 *     each project's drift A -> B (with index points), MOLIO verification
 *     of its 200 lines and forecast at completion through
 *     budget_project_figures — the same code the service runs on every
 *     change. Reference: under 1 s. Median of 5 runs.
 *  2. Budget line updates ingested per second, durable: the real
 *     trin-lifecycle and trin-budget processes (sync=full: every
 *     acknowledgement is a committed, fsynced batch), one DEALER keeping
 *     `window` trin.budget.SetBudgetLine requests outstanding on one
 *     project's draft budget of 200 lines; each reply is checked (status
 *     OK, known correlation id). Reference: 20,000/s. Median of 3 runs. */
#include <inttypes.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/utsname.h>
#include <time.h>
#include <unistd.h>
#include <zmq.h>

#include "budget_rules.h"
#include "lcclient.h"
#include "test_budget_calls.h"
#include "testproc.h"
#include "trin/budget.pb-c.h"
#include "trin/envelope.pb-c.h"
#include "trin_codec.h"

#define NS 1000000000ull
static uint64_t now_ns(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * NS + (uint64_t)ts.tv_nsec;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return (x > y) - (x < y);
}
static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_double);
  return v[n / 2];
}

static testproc_t lc, bg;
static void die(const char *what) {
  fprintf(stderr, "bench_budget: could not run: %s\n", what);
  if (bg.pid > 0) testproc_stop(&bg);
  if (lc.pid > 0) testproc_stop(&lc);
  exit(1);
}

static void machine_line(char *out, size_t size) {
  struct utsname u;
  uname(&u);
  long cpus = sysconf(_SC_NPROCESSORS_ONLN);
  long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
  char model[256] = "unknown CPU";
  FILE *f = fopen("/proc/cpuinfo", "r");
  if (f) {
    char line[512];
    while (fgets(line, sizeof line, f))
      if (strncmp(line, "model name", 10) == 0) {
        char *v = strchr(line, ':');
        if (v) snprintf(model, sizeof model, "%s", v + 2);
        model[strcspn(model, "\n")] = '\0';
        break;
      }
    fclose(f);
  }
  snprintf(out, size, "%ld cores (nproc), %.1f GiB memory, %s, %s %s", cpus,
           (double)pages * (double)psize / (1024.0 * 1024 * 1024), model, u.sysname, u.release);
}

/* ---- 1. portfolio recomputation ------------------------------------------------------ */

typedef struct {
  trin_ore_t a_ore, b_ore, forecast_ore;
  trin_date_t a_date, b_date;
  budget_line_t *lines;
  budget_change_t changes[3];
} bench_project_t;

static double portfolio_run(bench_project_t *ps, int nprojects, int nlines,
                            const budget_index_point_t *pts, size_t npts, int64_t *checksum) {
  uint64_t t0 = now_ns();
  int64_t sum = 0;
  for (int i = 0; i < nprojects; i++) {
    bench_project_t *p = &ps[i];
    budget_index_point_t ia, ib;
    bool found = budget_index_at(pts, npts, p->a_date, "BYG43", "a", &ia, NULL) == TRIN_OK &&
                 budget_index_at(pts, npts, p->b_date, "BYG43", "b", &ib, NULL) == TRIN_OK;
    budget_project_input_t in = {.has_a = true, .has_b = true, .a_ore = p->a_ore,
                                 .b_ore = p->b_ore, .a_date = p->a_date, .b_date = p->b_date,
                                 .price_lines = p->lines, .nprice_lines = (size_t)nlines,
                                 .molio_deduction_bp = 1250, .ia = found ? &ia : NULL,
                                 .ib = found ? &ib : NULL, .scope = p->changes, .nscope = 2,
                                 .savings = p->changes + 2, .nsavings = 1,
                                 .costs_to_date_ore = p->a_ore / 3};
    budget_project_figures_t f;
    if (budget_project_figures(&in, &f, NULL) != TRIN_OK) die("a recomputation failed");
    sum += f.drift.unexplained_ore + f.molio.failing + f.forecast.at_completion_ore;
  }
  *checksum = sum;
  return (double)(now_ns() - t0) / 1e9;
}

static void portfolio(int nprojects, int nlines, int runs, double *med, double *best) {
  bench_project_t *ps = calloc((size_t)nprojects, sizeof *ps);
  budget_line_t *all = malloc((size_t)nprojects * (size_t)nlines * sizeof *all);
  if (!ps || !all) die("out of memory for the portfolio");
  srand(2025);
  budget_index_point_t pts[40];
  for (int q = 0; q < 40; q++) {
    pts[q].date = trin_date_from_ymd(2016 + q / 4, (q % 4) * 3 + 1, 1);
    pts[q].value_x100 = 9000 + q * 120 + rand() % 50;
  }
  for (int i = 0; i < nprojects; i++) {
    bench_project_t *p = &ps[i];
    p->lines = all + (size_t)i * (size_t)nlines;
    trin_ore_t total = 0;
    for (int k = 0; k < nlines; k++) {
      budget_line_t *l = &p->lines[k];
      l->category = (uint8_t)(k % 8);
      l->amount_ore = 100000 + (rand() % 10000000);
      l->molio_reference_ore = l->category == BUDGET_CAT_CRAFT ? l->amount_ore + rand() % 3000000 : 0;
      total += l->amount_ore;
    }
    p->a_date = trin_date_from_ymd(2018 + rand() % 4, 1 + rand() % 12, 1 + rand() % 28);
    p->b_date = p->a_date + 200 + rand() % 600;
    p->a_ore = total - total / 10;
    p->b_ore = total;
    p->changes[0] = (budget_change_t){p->a_date + 30, rand() % 5000000};
    p->changes[1] = (budget_change_t){p->a_date + 60, -(rand() % 2000000)};
    p->changes[2] = (budget_change_t){p->a_date + 90, -(rand() % 1000000)};
  }
  double t[16];
  int64_t check = 0, first = 0;
  for (int r = 0; r < runs; r++) {
    t[r] = portfolio_run(ps, nprojects, nlines, pts, 40, &check);
    if (r == 0) first = check;
    else if (check != first) die("recomputation is not deterministic");
  }
  *med = median(t, runs);
  *best = t[0];
  for (int r = 1; r < runs; r++) if (t[r] < *best) *best = t[r];
  free(all);
  free(ps);
}

/* ---- 2. line updates ingested per second ----------------------------------------------- */

#define RING 65536u

static size_t pack_line(uint64_t k, int nlines, uint8_t *out) {
  char id[16], cid[24];
  snprintf(id, sizeof id, "L%03d", (int)(k % (uint64_t)nlines));
  snprintf(cid, sizeof cid, "%" PRIu64, k);
  Trin__Budget__BudgetLine l = TRIN__BUDGET__BUDGET_LINE__INIT;
  l.id = id;
  l.category = "craft";
  l.amount_ore = 100000 + (int64_t)(k % 1000003);
  l.molio_reference_ore = 150000;
  Trin__Budget__SetBudgetLine m = TRIN__BUDGET__SET_BUDGET_LINE__INIT;
  m.budget_id = "BENCH-A";
  m.line = &l;
  uint8_t pl[256];
  size_t pn = trin__budget__set_budget_line__pack(&m, pl);
  Trin__Envelope env = TRIN__ENVELOPE__INIT;
  env.correlation_id = cid;
  env.type = (char *)trin__budget__set_budget_line__descriptor.name;
  env.payload.data = pl;
  env.payload.len = pn;
  return trin__envelope__pack(&env, out);
}

static double ingest_run(void *sock, uint64_t *next_k, int window, double seconds, int nlines) {
  static uint8_t pending[RING];
  uint64_t sent = 0, ok = 0, first_send = 0, last_reply = 0;
  uint64_t start_k = *next_k;
  uint64_t stop_at = now_ns() + (uint64_t)(seconds * 1e9);
  memset(pending, 0, sizeof pending);
  zmq_pollitem_t it = {sock, 0, ZMQ_POLLIN, 0};
  uint64_t last_progress = now_ns();
  for (;;) {
    bool sending = now_ns() < stop_at;
    while (sending && sent - ok < (uint64_t)window) {
      uint8_t buf[512];
      size_t n = pack_line(*next_k, nlines, buf);
      if (!first_send) first_send = now_ns();
      if (zmq_send(sock, buf, n, 0) < 0) die("send failed");
      pending[*next_k % RING] = 1;
      (*next_k)++;
      sent++;
    }
    if (!sending && ok == sent) break;
    if (zmq_poll(&it, 1, 100) <= 0) {
      if (now_ns() - last_progress > 10 * NS) die("no reply for 10 s");
      continue;
    }
    uint8_t buf[16384];
    int n;
    while ((n = zmq_recv(sock, buf, sizeof buf, ZMQ_DONTWAIT)) > 0) {
      if ((size_t)n > sizeof buf) die("reply too large");
      Trin__Envelope *env = trin__envelope__unpack(NULL, (size_t)n, buf);
      if (!env) die("undecodable reply");
      if (env->status != 0) {
        fprintf(stderr, "bench_budget: refused: %s\n", env->error ? env->error->message : "");
        die("a line update was refused");
      }
      uint64_t k = strtoull(env->correlation_id, NULL, 10);
      if (k < start_k || k >= *next_k || !pending[k % RING]) die("unexpected reply");
      pending[k % RING] = 0;
      trin__envelope__free_unpacked(env, NULL);
      ok++;
      last_reply = last_progress = now_ns();
    }
  }
  return (double)ok / ((double)(last_reply - first_send) / 1e9);
}

static void ingest(int runs, double seconds, int window, int nlines, double *med) {
  testproc_init(&lc, "bench-budget-lc");
  testproc_init(&bg, "bench-budget-bg");
  char a_ep[400], a_pub[400];
  snprintf(a_ep, sizeof a_ep, "--lifecycle-endpoint=%s", lc.endpoint);
  snprintf(a_pub, sizeof a_pub, "--lifecycle-pub-endpoint=%s", lc.pub);
  const char *bg_extra[] = {a_ep, a_pub, "--sync=full", "--log-level=warn", NULL};
  const char *lc_extra[] = {"--log-level=warn", NULL};
  if (!testproc_start(&lc, TRIN_LIFECYCLE_BIN, lc_extra)) die("trin-lifecycle did not start");
  if (!testproc_start(&bg, TRIN_BUDGET_BIN, bg_extra)) die("trin-budget did not start");
  trin_client_t *lcc, *bgc;
  trin_err_t err;
  if (trin_client_new(lc.endpoint, &lcc, &err) || trin_client_new(bg.endpoint, &bgc, &err))
    die("no client");
  if (lc_org(lcc, "BENCH", "client", &err) ||
      lc_partnership(lcc, "BENCH-P", "BENCH", "2022-01-01", "udbudsprojekt", 0, &err) ||
      lc_project(lcc, "BENCH-1", "BENCH-P", NULL, false, "2023-01-02", &err))
    die(err.message);
  if (!bg_wait_project(bgc, "BENCH-1", 10000)) die("budget did not learn the project");
  if (bg_model(bgc, "BENCH-P", 1250, &err)) die(err.message);
  bg_line_spec_t *lines = calloc((size_t)nlines, sizeof *lines);
  char (*ids)[16] = calloc((size_t)nlines, sizeof *ids);
  for (int i = 0; i < nlines; i++) {
    snprintf(ids[i], sizeof ids[i], "L%03d", i);
    lines[i] = (bg_line_spec_t){ids[i], "craft", NULL, 100000, 150000};
  }
  if (bg_budget(bgc, "BENCH-A", "BENCH-1", "skema_a", "2023-02-01", lines, nlines, &err))
    die(err.message);
  free(lines);
  free(ids);
  trin_client_destroy(&lcc);
  trin_client_destroy(&bgc);

  void *ctx = zmq_ctx_new();
  void *s = zmq_socket(ctx, ZMQ_DEALER);
  int linger = 0, hwm = 0;
  zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
  zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
  zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
  if (zmq_connect(s, bg.endpoint)) die("connect");
  uint64_t k = 0;
  ingest_run(s, &k, window, seconds / 4, nlines); /* warm-up */
  double t[8];
  for (int r = 0; r < runs; r++) t[r] = ingest_run(s, &k, window, seconds, nlines);
  *med = median(t, runs);
  zmq_close(s);
  zmq_ctx_term(ctx);
  int rb = testproc_stop(&bg), rl = testproc_stop(&lc);
  if (rb != 0 || rl != 0) die("a service did not stop cleanly");
  testproc_cleanup(&bg);
  testproc_cleanup(&lc);
}

int main(int argc, char **argv) {
  bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  if (argc > 1 && !quick) {
    fprintf(stderr, "usage: bench_budget [--quick]\n");
    return 2;
  }
  int projects = 20000, nlines = 200;
  double pmed, pbest, imed;
  portfolio(projects, nlines, quick ? 2 : 5, &pmed, &pbest);
  ingest(quick ? 1 : 3, quick ? 1.0 : 3.0, 2000, nlines, &imed);
  char machine[512];
  machine_line(machine, sizeof machine);
  printf("trin budget benchmark — %s\n", machine);
  printf("%-58s %10s %-10s %s\n", "figure", "value", "unit", "reference");
  printf("%-58s %10.3f %-10s %s\n", "recompute drift+MOLIO+forecast, 20,000 × 200 lines (median)",
         pmed, "s", "< 1 s");
  printf("%-58s %10.3f %-10s\n", "  same, best run", pbest, "s");
  printf("%-58s %10.0f %-10s\n", "  lines verified per second (median)",
         (double)projects * nlines / pmed, "lines/s");
  printf("%-58s %10.0f %-10s %s\n", "budget line updates ingested, sync=full (median)", imed,
         "updates/s", ">= 20,000/s");
  return 0;
}
