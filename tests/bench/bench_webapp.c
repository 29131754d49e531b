/* bench_webapp — the partners' web app (trin-gateway's /app/, issue 16) in
 * Debian's headless Chromium, with every service and trin-gateway running
 * as real processes (plain tcp on loopback, like the rest of the suite):
 *
 *  - a portfolio of 1,000 projects (--quick: 200) in one partnership whose
 *    client is the signed-in person's organisation, made straight over
 *    ZeroMQ (trin_client, as the other benches do), a third of them at
 *    trin 1 and a third at trin 2; the project measured has milestones and
 *    a dispute. Measuring starts only once the aggregator's GetRows (through
 *    the gateway, with the person's token) returns every one of their rows;
 *  - tests/browser/bench.mjs then measures, several runs each (7; --quick 3),
 *    median, min and max: the portfolio page (#/) from navigation start to
 *    the first project row painted and to "fully interactive" (every row
 *    in the DOM and painted, then 50 ms without a long task, Long Tasks
 *    API), and a project page (#/projects/<id>) until its h1 and sections
 *    are in the DOM and painted. A page load starts signed out (the app keeps its
 *    token in memory only), so the cold figures include the sign-in (the
 *    token is submitted the moment the form is there, no typing); the same
 *    pages reached inside the signed-in app (a hash change, as from the
 *    menu) are measured too;
 *  - the app's assets: index.html and every file it references, as the
 *    gateway serves them: raw, the bytes it sends (its own gzip where it
 *    uses one), gzipped as served (its gzip, else zlib level 9) and all at
 *    zlib level 9.
 *
 * The targets are printed beside the figures for comparison and
 * never asserted: exit 0 whenever it ran or was skipped (no node, Chromium
 * or playwright-core), 1 when it could not run. Rows go to
 * $TRIN_BENCH_RESULTS for tests/bench/suite.sh's table (bench_util.h).
 *   bench_webapp           about a minute, 1,000 projects, 7 runs
 *   bench_webapp --quick   200 projects, 3 runs (the suite's smoke run)
 * TRIN_BENCH_SHOTS=DIR saves screenshots of both pages, TRIN_BENCH_PROFILE=DIR
 * a trace and CPU profile of one portfolio render (tests/browser/bench.mjs). */
#include <jansson.h>
#include <math.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <unistd.h>

#include "bench_util.h"
#include "lcclient.h"
#include "testproc.h"
#include "trin_client.h"
#include "trin_err.h"

#ifndef TRIN_GATEWAY_BIN
#error "build with the service binaries defined (tests/bench/CMakeLists.txt)"
#endif

/* ---- settings -------------------------------------------------------------------- */

typedef struct {
  int projects;
  int runs;
} wa_opts_t;

static const wa_opts_t WA_FULL = {1000, 7};
static const wa_opts_t WA_QUICK = {200, 3};

#define WA_SECTION "6. web app: the browser"
#define WA_ORG "WAB"
#define WA_PARTNERSHIP "WAB-P"
#define WA_FEED_TOKEN "webapp-bench-feed-token"
/* The targets (printed, not asserted). */
#define WA_REF_FIRST_ROWS_MS 500.0
#define WA_REF_INTERACTIVE_MS 1000.0
#define WA_REF_PROJECT_MS 300.0
#define WA_REF_ASSETS_KB 250.0

/* ---- the processes ------------------------------------------------------------------ */

enum { W_LC, W_BG, W_SV, W_BM, W_AGG, W_GW, W_N };
static const char *const W_NAME[W_N] = {"lifecycle", "budget",     "survey",
                                        "benchmark", "aggregator", "gateway"};
static testproc_t wprocs[W_N];
static bool wprocs_made;
static int wa_http_port;

static void wa_abort(const char *fmt, ...) __attribute__((format(printf, 1, 2), noreturn));
static void wa_abort(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  fprintf(stderr, "bench_webapp: could not run: ");
  vfprintf(stderr, fmt, ap);
  fprintf(stderr, "\n");
  va_end(ap);
  for (int i = W_N - 1; i >= 0; i--)
    if (wprocs[i].pid > 0) testproc_stop(&wprocs[i]);
  if (wprocs_made)
    fprintf(stderr, "bench_webapp: logs and stores are in %s, %s ...\n", wprocs[W_GW].dir,
            wprocs[W_LC].dir);
  exit(1);
}

static void wa_endpoints(testproc_t *p) {
  int a = bench_free_port(), b = bench_free_port();
  if (!a || !b) wa_abort("no free tcp port on 127.0.0.1");
  snprintf(p->endpoint, sizeof p->endpoint, "tcp://127.0.0.1:%d", a);
  snprintf(p->pub, sizeof p->pub, "tcp://127.0.0.1:%d", b);
}

/* The five services following their upstreams as in bench_gateway, then
 * the gateway reaching all five with its default limits: the app is
 * measured as a person meets it. */
static void wa_system_start(void) {
  static char up[W_N][2][400], gw_ep[W_AGG + 1][400];
  for (int i = 0; i < W_N; i++) {
    char name[32];
    snprintf(name, sizeof name, "wabench-%s", W_NAME[i]);
    testproc_init(&wprocs[i], name);
    wa_endpoints(&wprocs[i]);
  }
  wprocs_made = true;
  for (int i = W_LC; i <= W_AGG; i++) {
    snprintf(up[i][0], sizeof up[i][0], "--%s-endpoint=%s", W_NAME[i], wprocs[i].endpoint);
    snprintf(up[i][1], sizeof up[i][1], "--%s-pub-endpoint=%s", W_NAME[i], wprocs[i].pub);
    snprintf(gw_ep[i], sizeof gw_ep[i], "--%s-endpoint=%s", W_NAME[i], wprocs[i].endpoint);
  }
  char gw_agg_pub[400];
  snprintf(gw_agg_pub, sizeof gw_agg_pub, "--aggregator-pub-endpoint=%s", wprocs[W_AGG].pub);
  const char *lc_args[] = {"--heartbeat-ms=1000", NULL};
  const char *bg_args[] = {up[W_LC][0], up[W_LC][1], "--heartbeat-ms=1000", NULL};
  const char *sv_args[] = {up[W_LC][0], up[W_LC][1], "--heartbeat-ms=1000", "--http-address=",
                           NULL};
  const char *bm_args[] = {up[W_LC][0], up[W_LC][1], up[W_BG][0], up[W_BG][1], up[W_SV][0],
                           up[W_SV][1], "--heartbeat-ms=1000", NULL};
  const char *agg_args[] = {up[W_LC][0], up[W_LC][1], up[W_BG][0], up[W_BG][1], up[W_SV][0],
                            up[W_SV][1], up[W_BM][0], up[W_BM][1],
                            "--http-address=127.0.0.1:0", "--token=" WA_FEED_TOKEN,
                            "--retry-ms=200", NULL};
  const char *gw_args[] = {gw_ep[W_LC], gw_ep[W_BG], gw_ep[W_SV], gw_ep[W_BM], gw_ep[W_AGG],
                           gw_agg_pub, "--http-addr=127.0.0.1:0", NULL};
  const char *bins[W_N] = {TRIN_LIFECYCLE_BIN, TRIN_BUDGET_BIN,     TRIN_SURVEY_BIN,
                           TRIN_BENCHMARK_BIN, TRIN_AGGREGATOR_BIN, TRIN_GATEWAY_BIN};
  const char *const *args[W_N] = {lc_args, bg_args, sv_args, bm_args, agg_args, gw_args};
  for (int i = 0; i < W_N; i++)
    if (!testproc_start(&wprocs[i], bins[i], args[i]))
      wa_abort("%s did not start (log: %s)", bins[i], wprocs[i].log);
  wa_http_port = testproc_http_port(&wprocs[W_GW]);
  if (!wa_http_port) wa_abort("no HTTP port in %s", wprocs[W_GW].log);
}

static void wa_system_stop(void) {
  for (int i = W_N - 1; i >= 0; i--) {
    int rc = testproc_stop(&wprocs[i]);
    if (rc != 0)
      fprintf(stderr, "bench_webapp: %s exited with %d (log: %s)\n", W_NAME[i], rc,
              wprocs[i].log);
  }
  for (int i = 0; i < W_N; i++) testproc_cleanup(&wprocs[i]);
  wprocs_made = false;
}

/* ---- the portfolio ------------------------------------------------------------------- */

static void wa_project_id(int i, char out[16]) { snprintf(out, 16, "W%04d", i); }

/* The organisation, its partnership and projects W0000.., a third left at
 * programme, a third at trin 1, a third at trin 2 (so the page's counts and
 * filters have something to show); the measured project gets milestones
 * and a dispute so that its sections are not empty. */
static void wa_setup(int projects, const char *measured) {
  trin_client_t *c = NULL;
  trin_err_t e = {0};
  if (trin_client_new(wprocs[W_LC].endpoint, &c, &e)) wa_abort("client: %s", e.message);
  if (lc_org(c, WA_ORG, "client", &e) ||
      lc_partnership(c, WA_PARTNERSHIP, WA_ORG, "2022-01-01", "myndighedsprojekt", 0, &e))
    wa_abort("setup: %s (%s)", e.message, e.field);
  double t0 = bench_now_ms();
  for (int i = 0; i < projects; i++) {
    char id[16];
    wa_project_id(i, id);
    if (lc_project(c, id, WA_PARTNERSHIP, NULL, false, "2023-03-01", &e) ||
        (i % 3 >= 1 && lc_advance(c, id, "trin1", "2023-06-01", &e)) ||
        (i % 3 == 2 && lc_advance(c, id, "trin2", "2024-02-01", &e)))
      wa_abort("setup: project %s: %s (%s)", id, e.message, e.field);
    if ((i + 1) % 250 == 0)
      fprintf(stderr, "  %d projects (%.1f s)\n", i + 1, (bench_now_ms() - t0) / 1e3);
  }
  if (lc_milestone(c, measured, "skema_a", "2023-09-01", "2023-09-15", "2023-09-20", &e) ||
      lc_milestone(c, measured, "skema_b", "2024-06-01", "2024-07-01", NULL, &e) ||
      lc_milestone(c, measured, "handover", "2026-10-01", "2026-11-15", NULL, &e) ||
      lc_dispute_open(c, measured, "WD-1", 12345678, "2024-03-01", &e))
    wa_abort("setup: project %s: %s (%s)", measured, e.message, e.field);
  trin_client_destroy(&c);
}

/* A personal token of a writer of the client organisation, made through the
 * gateway's own ROUTER by trinctl (plain: a local caller may). */
static void wa_token(char *out, size_t cap) {
  char cmd[1200], text[2048];
  snprintf(cmd, sizeof cmd,
           "TRIN_INSECURE=true '%s' --endpoint '%s' token create --service gateway --org %s "
           "--scope api:write --role writer --person 'Birgitte Bench' --json 2>&1",
           TRINCTL_BIN, wprocs[W_GW].endpoint, WA_ORG);
  int rc = testproc_run(cmd, text, sizeof text);
  json_error_t je;
  json_t *j = rc == 0 ? json_loads(text, 0, &je) : NULL;
  const char *tok = j ? json_string_value(json_object_get(j, "token")) : NULL;
  if (!tok || !*tok || strlen(tok) >= cap) wa_abort("trinctl token create: %s", text);
  snprintf(out, cap, "%s", tok);
  json_decref(j);
}

/* ---- the machine meanwhile ------------------------------------------------------------- */

/* Busy and total CPU seconds of the whole machine (/proc/stat, all cores). */
static void wa_machine_cpu(double *busy, double *total) {
  unsigned long long v[8] = {0};
  *busy = *total = 0;
  FILE *f = fopen("/proc/stat", "r");
  if (!f) return;
  int n = fscanf(f, "cpu %llu %llu %llu %llu %llu %llu %llu %llu", &v[0], &v[1], &v[2], &v[3],
                 &v[4], &v[5], &v[6], &v[7]);
  fclose(f);
  if (n != 8) return;
  double tick = (double)sysconf(_SC_CLK_TCK);
  /* user nice system idle iowait irq softirq steal */
  *busy = (double)(v[0] + v[1] + v[2] + v[5] + v[6]) / tick;
  *total = (double)(v[0] + v[1] + v[2] + v[3] + v[4] + v[5] + v[6] + v[7]) / tick;
}

/* CPU seconds of this process and its reaped children (the services,
 * node and Chromium, trinctl). */
static double wa_own_cpu(void) {
  double s = 0;
  const int who[2] = {RUSAGE_SELF, RUSAGE_CHILDREN};
  for (int i = 0; i < 2; i++) {
    struct rusage u;
    if (getrusage(who[i], &u) != 0) continue;
    s += (double)(u.ru_utime.tv_sec + u.ru_stime.tv_sec) +
         (double)(u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
  }
  return s;
}

/* ---- what is needed to run at all ----------------------------------------------------- */

/* NULL when the browser half can run, else why not (the run is skipped). */
static const char *wa_missing(const char *chromium) {
  static char why[600];
  if (access(chromium, X_OK) != 0) {
    snprintf(why, sizeof why,
             "no Chromium at %s (apt-get install chromium, or set TRIN_CHROMIUM)", chromium);
    return why;
  }
  if (testproc_run("command -v node >/dev/null", NULL, 0) != 0)
    return "node is not installed (apt-get install nodejs npm)";
  if (access(TRIN_BROWSER_DIR "/node_modules/playwright-core/package.json", R_OK) == 0)
    return NULL;
  /* As webapp.flow does: the pinned packages, when npm can fetch them. */
  if (testproc_run("command -v npm >/dev/null", NULL, 0) != 0)
    return "playwright-core is not installed and npm is missing (npm ci --prefix tests/browser)";
  fprintf(stderr, "bench_webapp: npm ci --prefix " TRIN_BROWSER_DIR "\n");
  char out[4096];
  if (testproc_run("PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix '" TRIN_BROWSER_DIR
                   "' --no-audit --no-fund 2>&1",
                   out, sizeof out) != 0 ||
      access(TRIN_BROWSER_DIR "/node_modules/playwright-core/package.json", R_OK) != 0) {
    snprintf(why, sizeof why, "npm ci --prefix tests/browser failed: %.400s", out);
    return why;
  }
  return NULL;
}

/* ---- the report -------------------------------------------------------------------------- */

/* {median, min, max, n} of one figure in bench.mjs's JSON. */
typedef struct {
  double median, min, max;
  int n;
} wa_stat_t;

static wa_stat_t wa_stat(json_t *root, const char *group, const char *figure) {
  wa_stat_t s = {NAN, NAN, NAN, 0};
  json_t *f = json_object_get(json_object_get(root, group), figure);
  if (!json_is_object(f)) return s;
  json_t *v;
  if ((v = json_object_get(f, "median")) && json_is_number(v)) s.median = json_number_value(v);
  if ((v = json_object_get(f, "min")) && json_is_number(v)) s.min = json_number_value(v);
  if ((v = json_object_get(f, "max")) && json_is_number(v)) s.max = json_number_value(v);
  s.n = (int)json_integer_value(json_object_get(f, "n"));
  return s;
}

static void wa_cell(char *b, size_t cap, double v, int decimals) {
  if (isnan(v)) snprintf(b, cap, "-");
  else snprintf(b, cap, "%.*f", decimals, v);
}

/* One row of the table: figure, median, min, max, unit, the target. A
 * target of NAN prints none. */
static void wa_row(const char *figure, wa_stat_t s, int decimals, const char *unit, double target) {
  char med[32], mn[32], mx[32], ref[64] = "";
  wa_cell(med, sizeof med, s.median, decimals);
  wa_cell(mn, sizeof mn, s.min, decimals);
  wa_cell(mx, sizeof mx, s.max, decimals);
  if (!isnan(target))
    snprintf(ref, sizeof ref, "< %.0f %s%s", target, unit,
             isnan(s.median) ? "" : s.median < target ? "  (within)" : "  (over)");
  printf("%-58s %9s %9s %9s  %-4s %s\n", figure, med, mn, mx, unit, ref);
  bench_result(WA_SECTION, figure, s.median, unit, ref,
               isnan(target) || isnan(s.median) ? NAN : s.median / target);
}

static void wa_print(json_t *r, const wa_opts_t *o, const char *measured, double setup_s,
                     double rows_s) {
  char machine[512];
  bench_machine_line(machine, sizeof machine);
  json_t *assets = json_object_get(r, "assets");
  const char *gw_enc = json_string_value(json_object_get(assets, "gateway_encoding"));
  printf("trin web app benchmark — %s\n", machine);
  printf("every service and trin-gateway (default limits) plain tcp on loopback; Chromium %s\n"
         "headless (playwright-core), viewport 1200x900, Danish; a fresh browser context\n"
         "(empty cache) for each cold run; %d projects in one partnership visible to one\n"
         "writer of its client (personal token), %d run(s) per figure: median, min, max in ms.\n"
         "Setup: projects made over ZeroMQ in %.1f s, the aggregator had all their rows\n"
         "%.1f s later.\n"
         "cold = a page load, from navigation start (performance.timeOrigin); the app keeps\n"
         "  its token in memory only, so a load starts at the sign-in form, which is\n"
         "  submitted the moment it is there (GET /me, /openapi.json, /organisations).\n"
         "in app = the same page reached by a hash change while signed in (as from the\n"
         "  menu), from the change.\n"
         "painted = the first animation frame after the element entered the DOM has run.\n"
         "interactive = every row in the DOM and painted, then the end of the last long task\n"
         "  (Long Tasks API) that is followed by 50 ms without one (the paint itself when\n"
         "  none came).\n"
         "project page = #/projects/%s (milestones, a dispute): its h1 and sections in the\n"
         "  DOM (the app builds them together), then painted.\n",
         json_string_value(json_object_get(r, "browser")) ? json_string_value(
                                                                json_object_get(r, "browser"))
                                                          : "?",
         o->projects, o->runs, setup_s, rows_s, measured);
  printf("Targets from issue 16, printed for comparison, not asserted.\n\n");
  printf("%-58s %9s %9s %9s  %-4s %s\n", "figure", "median", "min", "max", "unit", "target");
  wa_row("portfolio, cold: first project row painted", wa_stat(r, "portfolio_cold", "first_row"),
         0, "ms", WA_REF_FIRST_ROWS_MS);
  wa_row("portfolio, cold: fully interactive", wa_stat(r, "portfolio_cold", "interactive"), 0,
         "ms", WA_REF_INTERACTIVE_MS);
  wa_row("  of which: the sign-in form submitted at",
         wa_stat(r, "portfolio_cold", "signin_submitted"), 0, "ms", NAN);
  wa_row("  of which: signed in, the portfolio asked for at",
         wa_stat(r, "portfolio_cold", "signed_in"), 0, "ms", NAN);
  wa_row("  of which: the last API answer before the rows came at",
         wa_stat(r, "portfolio_cold", "data_in"), 0, "ms", NAN);
  wa_row("  after it: the rows built and painted in", wa_stat(r, "portfolio_cold", "built"), 0,
         "ms", NAN);
  wa_row("  longest main-thread task", wa_stat(r, "portfolio_cold", "longest_task"), 0, "ms",
         NAN);
  wa_row("portfolio, in app: first project row painted", wa_stat(r, "portfolio_app", "first_row"),
         0, "ms", WA_REF_FIRST_ROWS_MS);
  wa_row("portfolio, in app: fully interactive", wa_stat(r, "portfolio_app", "interactive"), 0,
         "ms", WA_REF_INTERACTIVE_MS);
  wa_row("  of which: the last API answer before the rows came at",
         wa_stat(r, "portfolio_app", "data_in"), 0, "ms", NAN);
  wa_row("  after it: the rows built and painted in", wa_stat(r, "portfolio_app", "built"), 0,
         "ms", NAN);
  wa_row("  API requests before the rows", wa_stat(r, "portfolio_app", "requests"), 0, "", NAN);
  wa_row("  longest main-thread task", wa_stat(r, "portfolio_app", "longest_task"), 0, "ms",
         NAN);
  wa_row("project page, cold: h1 and sections painted", wa_stat(r, "project_cold", "ready"), 0,
         "ms", WA_REF_PROJECT_MS);
  wa_row("  of which: signed in, the project asked for at",
         wa_stat(r, "project_cold", "signed_in"), 0, "ms", NAN);
  wa_row("project page, in app: h1 and sections painted", wa_stat(r, "project_app", "ready"), 0,
         "ms", WA_REF_PROJECT_MS);
  wa_row("  of which: the last API answer before the page came at",
         wa_stat(r, "project_app", "data_in"), 0, "ms", NAN);
  wa_row("  after it: the page built and painted in", wa_stat(r, "project_app", "built"), 0, "ms",
         NAN);
  wa_row("  API requests before the page", wa_stat(r, "project_app", "requests"), 0, "", NAN);
  printf("  rows on the portfolio page: %d; sections on the project page: %d\n",
         (int)json_integer_value(json_object_get(r, "rows_seen")),
         (int)json_integer_value(json_object_get(r, "sections_seen")));

  /* The assets: one line per file, then the totals against the budget. */
  printf("\nthe app's assets as trin-gateway serves them (index.html and what it references)\n"
         "sent = the bytes on the wire (%s);\n"
         "gzip = gzipped as served (the gateway's gzip; zlib level 9 here for a file it sends\n"
         "plain); gzip-9 = every file at zlib level 9\n",
         gw_enc && *gw_enc ? "the gateway's own gzip where it uses one" : "sent uncompressed");
  printf("%-40s %10s %10s %10s %10s\n", "file", "raw B", "sent B", "gzip B", "gzip-9 B");
  json_t *files = json_object_get(assets, "files"), *f;
  size_t i;
  json_array_foreach(files, i, f) {
    printf("%-40s %10.0f %10.0f %10.0f %10.0f\n", json_string_value(json_object_get(f, "path")),
           json_number_value(json_object_get(f, "raw")),
           json_number_value(json_object_get(f, "wire")),
           json_number_value(json_object_get(f, "gzip")),
           json_number_value(json_object_get(f, "gzip9")));
  }
  printf("\n%-58s %9s   (%zu files)\n", "", "value", json_array_size(files));
  const char *const totals[][2] = {{"total_raw", "raw"},
                                   {"total_wire", "as sent by the gateway"},
                                   {"total_gzip", "gzipped as served"},
                                   {"total_gzip9", "gzipped, zlib level 9"}};
  for (size_t k = 0; k < sizeof totals / sizeof *totals; k++) {
    double bytes = json_number_value(json_object_get(assets, totals[k][0]));
    char fig[96];
    snprintf(fig, sizeof fig, "app assets, %s", totals[k][1]);
    /* the budget is for the compressed download */
    wa_row(fig, (wa_stat_t){bytes / 1024.0, NAN, NAN, 1}, 1, "KB", k >= 2 ? WA_REF_ASSETS_KB : NAN);
  }
  const char *note = json_string_value(json_object_get(assets, "note"));
  if (note && *note) printf("  %s\n", note);
}

static void wa_usage(FILE *f) {
  fprintf(f,
          "usage: bench_webapp [--quick] [--projects N] [--runs N]\n"
          "Starts every trin service and trin-gateway on tcp loopback, fills a portfolio and\n"
          "measures the partners' web app in headless Chromium (tests/browser/bench.mjs):\n"
          "the portfolio's first rows and full interactivity, a project page, and the\n"
          "app's assets gzipped, beside issue 16's targets (printed, not asserted).\n"
          "  --quick        %d projects, %d runs (default %d projects, %d runs)\n"
          "  --projects N   projects in the portfolio\n"
          "  --runs N       runs per figure (the median, min and max are printed)\n"
          "Environment: TRIN_CHROMIUM (default /usr/bin/chromium).\n"
          "Exits 0 when it ran or was skipped (no node or Chromium), 1 when it could not run.\n",
          WA_QUICK.projects, WA_QUICK.runs, WA_FULL.projects, WA_FULL.runs);
}

int main(int argc, char **argv) {
  wa_opts_t o = WA_FULL;
  int projects = 0, runs = 0;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) {
      o = WA_QUICK;
    } else if (strcmp(argv[i], "--projects") == 0 && i + 1 < argc) {
      projects = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--runs") == 0 && i + 1 < argc) {
      runs = atoi(argv[++i]);
    } else if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0) {
      wa_usage(stdout);
      return 0;
    } else {
      fprintf(stderr, "bench_webapp: unknown argument '%s'\n", argv[i]);
      wa_usage(stderr);
      return 2;
    }
  }
  if (projects > 0) o.projects = projects;
  if (runs > 0) o.runs = runs;
  if (o.projects > 9999) {
    fprintf(stderr, "bench_webapp: --projects: at most 9999 (the ids are W0000..W9999)\n");
    return 2;
  }
  signal(SIGPIPE, SIG_IGN);
  setvbuf(stdout, NULL, _IOLBF, 0);

  const char *chromium = getenv("TRIN_CHROMIUM");
  if (!chromium || !*chromium) chromium = "/usr/bin/chromium";
  const char *why = wa_missing(chromium);
  if (why) {
    printf("bench_webapp: skipped: %s\n", why);
    bench_result(WA_SECTION, "web app in the browser: skipped", NAN, "", why, NAN);
    return 0;
  }

  double t_start = bench_now_ms(), busy0, total0;
  wa_machine_cpu(&busy0, &total0);
  fprintf(stderr, "starting lifecycle, budget, survey, benchmark, aggregator and gateway\n");
  wa_system_start();
  char measured[16];
  wa_project_id(o.projects / 2, measured);
  fprintf(stderr, "setup: %d projects over ZeroMQ\n", o.projects);
  double t_setup = bench_now_ms();
  wa_setup(o.projects, measured);
  double setup_s = (bench_now_ms() - t_setup) / 1e3;
  char token[256];
  wa_token(token, sizeof token);

  /* The browser half: its progress to stderr, its figures as JSON to a
   * file. The token goes in the environment, not on a command line other
   * users could read. */
  char json_path[300];
  snprintf(json_path, sizeof json_path, "%s/bench-webapp.json", wprocs[W_GW].dir);
  setenv("TRIN_BENCH_TOKEN", token, 1);
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "node '%s/bench.mjs' 'http://127.0.0.1:%d/app/' '%s' %d %d '%s' '%s' '%s' >&2",
           TRIN_BROWSER_DIR, wa_http_port, chromium, o.projects, o.runs, measured,
           TRIN_WEB_DIR, json_path);
  fprintf(stderr, "%s\n", cmd);
  int rc = system(cmd);
  unsetenv("TRIN_BENCH_TOKEN");
  json_error_t je;
  json_t *r = rc == 0 ? json_load_file(json_path, 0, &je) : NULL;
  if (!r) wa_abort("the browser half (tests/browser/bench.mjs) exited with %d", rc);
  double rows_s = json_number_value(json_object_get(r, "rows_wait_ms")) / 1e3;
  wa_system_stop();

  /* What else ran meanwhile: the machine's busy time less this process
   * and its children (the six services, node, Chromium). */
  double busy1, total1;
  wa_machine_cpu(&busy1, &total1);
  double others = (busy1 - busy0) - wa_own_cpu();
  if (others < 0) others = 0;

  wa_print(r, &o, measured, setup_s, rows_s);
  printf("%-58s %9.1f  %%  of the machine; figures are noisy if high\n",
         "CPU used by other processes meanwhile",
         total1 > total0 ? 100 * others / (total1 - total0) : 0.0);
  bench_result(WA_SECTION, "CPU used by other processes meanwhile",
               total1 > total0 ? 100 * others / (total1 - total0) : 0.0, "%",
               "of the machine; figures are noisy if high", NAN);
  printf("%-58s %9.1f  s\n", "benchmark wall time", (bench_now_ms() - t_start) / 1e3);
  json_decref(r);
  return 0;
}
