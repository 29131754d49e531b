/* feed.dashboard — the dashboard in a real browser: trin-lifecycle and
 * trin-aggregator as processes, a project created with trinctl, then
 * tests/browser/dashboard.mjs (Node.js + playwright-core driving Debian's
 * headless Chromium) loads the page with the token, checks the project's
 * row, advances the project with trinctl and waits for the row to show the
 * new stage without a reload. Both services then stop on SIGTERM with 0.
 *
 * Needs node, npm and chromium (TRIN_CHROMIUM, default /usr/bin/chromium).
 * Without them the test is SKIPPED (exit 77, CTest SKIP_RETURN_CODE) with
 * the reason on stdout. playwright-core comes from tests/browser's
 * package-lock.json: when tests/browser/node_modules lacks it, the test
 * runs `npm ci --prefix tests/browser` first (a failure there fails). */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test_aggregator_util.h"
#include "testproc.h"

#define SKIP 77

static testproc_t lc, agg;
static char out[8192];

static int ctl(const char *fmt, ...) {
  char args[1024], cmd[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof args, fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof cmd, "%s --endpoint '%s' %s 2>&1", TRINCTL_BIN, lc.endpoint, args);
  int rc = testproc_run(cmd, out, sizeof out);
  if (rc != 0) fprintf(stderr, "trinctl %s -> %d: %s\n", args, rc, out);
  return rc;
}

static int aggregator_port(void) { return testproc_http_port(&agg); }

/* Waits until the aggregator's feed holds project id (≤ 10 s). */
static int feed_has(int port, const char *id) {
  for (int i = 0; i < 500; i++) {
    tu_http_t r = {0};
    int found = tu_get_auth(port, "/api/v1/status", &r) && r.status == 200 && r.body &&
                strstr(r.body, id) != NULL;
    tu_http_free(&r);
    if (found) return 1;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return 0;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *chromium = getenv("TRIN_CHROMIUM");
  if (!chromium || !*chromium) chromium = "/usr/bin/chromium";
  if (access(chromium, X_OK) != 0) {
    printf("SKIP feed.dashboard: no Chromium at %s (apt-get install chromium, or set "
           "TRIN_CHROMIUM)\n", chromium);
    return SKIP;
  }
  if (testproc_run("command -v node && command -v npm", NULL, 0) != 0) {
    printf("SKIP feed.dashboard: node and npm are needed (apt-get install nodejs npm)\n");
    return SKIP;
  }
  char cmd[2048];
  if (access(TRIN_BROWSER_DIR "/node_modules/playwright-core/package.json", R_OK) != 0) {
    printf("feed.dashboard: npm ci --prefix " TRIN_BROWSER_DIR "\n");
    snprintf(cmd, sizeof cmd,
             "PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --prefix '%s' --no-audit --no-fund 2>&1",
             TRIN_BROWSER_DIR);
    if (testproc_run(cmd, out, sizeof out) != 0) {
      printf("feed.dashboard: FAILED: npm ci: %s\n", out);
      return 1;
    }
  }

  testproc_init(&lc, "dash-lc");
  testproc_init(&agg, "dash-agg");
  if (!testproc_start(&lc, TRIN_LIFECYCLE_BIN, NULL)) {
    printf("feed.dashboard: FAILED: trin-lifecycle did not start (%s)\n", lc.log);
    return 1;
  }
  char a1[400], a2[400];
  snprintf(a1, sizeof a1, "--lifecycle-endpoint=%s", lc.endpoint);
  snprintf(a2, sizeof a2, "--lifecycle-pub-endpoint=%s", lc.pub);
  const char *extra[] = {a1, a2, "--budget-endpoint=", "--survey-endpoint=",
                         "--benchmark-endpoint=", "--http-address=127.0.0.1:0",
                         "--token=" TU_TOKEN, "--retry-ms=200", NULL};
  int failed = 0;
  if (!testproc_start(&agg, TRIN_AGGREGATOR_BIN, extra)) {
    printf("feed.dashboard: FAILED: trin-aggregator did not start (%s)\n", agg.log);
    testproc_stop(&lc);
    return 1;
  }
  int port = aggregator_port();
  if (!port) {
    printf("feed.dashboard: FAILED: no HTTP port in %s\n", agg.log);
    failed = 1;
  }
  if (!failed && (ctl("org create --id CIV --name Civica --kind client") ||
                  ctl("partnership create --id LIVA --name LIVA --client CIV "
                      "--framework-start 2022-09-01 --horizon-years 10 "
                      "--price-closing myndighedsprojekt --abt-start trin1 "
                      "--frame 1.800.000.000 --trivial-threshold 50.000") ||
                  ctl("project create --id D1 --name Kildeparken --partnership LIVA "
                      "--kind helhedsplan --dwellings 120 --area 9000 --start 2024-01-10"))) {
    printf("feed.dashboard: FAILED: setting up the project with trinctl\n");
    failed = 1;
  }
  if (!failed && !feed_has(port, "\"D1\"")) {
    printf("feed.dashboard: FAILED: D1 never reached the feed\n");
    failed = 1;
  }
  if (!failed) {
    snprintf(cmd, sizeof cmd,
             "node '%s/dashboard.mjs' 'http://127.0.0.1:%d/?api_key=" TU_TOKEN "' '%s' '%s' '%s'",
             TRIN_BROWSER_DIR, port, TRINCTL_BIN, lc.endpoint, chromium);
    printf("feed.dashboard: %s\n", cmd);
    int rc = system(cmd);
    if (rc != 0) {
      printf("feed.dashboard: FAILED: the browser check exited with %d\n", rc);
      failed = 1;
    }
  }
  int a = testproc_stop(&agg), l = testproc_stop(&lc);
  if (a != 0 || l != 0) {
    printf("feed.dashboard: FAILED: exit statuses on SIGTERM: aggregator %d, lifecycle %d "
           "(logs %s, %s)\n", a, l, agg.log, lc.log);
    failed = 1;
  }
  if (!failed) {
    testproc_cleanup(&agg);
    testproc_cleanup(&lc);
    printf("feed.dashboard: passed\n");
  }
  return failed;
}
