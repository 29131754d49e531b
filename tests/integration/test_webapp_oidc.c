/* webapp.oidc — signing in to the partners' web app with the organisation's
 * own account: a real OpenID provider (tests/oidc/app-provider.mjs,
 * oidc-provider, its own login and consent pages), every trin service and
 * trin-gateway as processes over CURVE (gateway_testenv) with an
 * oidc-config whose issuer has an "app" block, and headless Chromium
 * (tests/browser/oidc.mjs): the contractor's calculator signs in through the
 * provider (authorization code + PKCE), reports a defect on PA and sees it
 * on the page and in the status rows; nothing is left in the browser's
 * storage; sign-out forgets the token; the client's reader signs in the
 * same way, is shown no forms, and a write sent by hand with its token is
 * refused 403; a person the gateway maps to nothing is told why.
 *
 * Needs node (20 or newer: oidc-provider 9), npm and chromium; without them
 * the test is SKIPPED (exit 77) saying why. */
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "gateway_testenv.h"

#define OIDC_DIR TRIN_SOURCE_DIR "/tests/oidc"
#define BROWSER_DIR TRIN_SOURCE_DIR "/tests/browser"

static gt_env_t env;

/* PA through its stages to aflevering, where defects are reported. */
static bool to_handover(void) {
  static const struct {
    const char *path, *body;
  } STEPS[] = {
      {"/api/v1/projects/PA/stage", "{\"to_stage\":\"trin1\",\"date\":\"2025-04-01\"}"},
      {"/api/v1/projects/PA/stage", "{\"to_stage\":\"trin2\",\"date\":\"2025-09-01\"}"},
      {"/api/v1/projects/PA/price-closing", "{\"date\":\"2026-01-20\",\"reference\":\"B-1\"}"},
      {"/api/v1/projects/PA/stage", "{\"to_stage\":\"trin3\",\"date\":\"2026-02-01\"}"},
      {"/api/v1/projects/PA/stage", "{\"to_stage\":\"handover\",\"date\":\"2026-11-15\"}"},
  };
  for (size_t i = 0; i < sizeof STEPS / sizeof *STEPS; i++) {
    gt_http_t r;
    if (!gt_http(&env, "POST", STEPS[i].path, env.token[GT_WRITER], STEPS[i].body, NULL, NULL, &r))
      return false;
    bool good = r.status == 200;
    if (!good) printf("webapp.oidc: POST %s -> %d %s\n", STEPS[i].path, r.status, r.body);
    gt_http_free(&r);
    if (!good) return false;
  }
  return true;
}

/* Starts the provider and waits (at most 60 s, ending as soon as it is
 * there) for its "listening URL" line. Its stdin is a pipe only this
 * process holds: when the test dies, the provider reads its end and exits. */
static pid_t provider_start(const char *log, char *url, size_t cap) {
  int lifeline[2];
  if (pipe2(lifeline, O_CLOEXEC) != 0) return -1;
  pid_t pid = fork();
  if (pid < 0) return -1;
  if (pid == 0) {
    dup2(lifeline[0], 0);
    int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC, 0600);
    if (fd >= 0) {
      dup2(fd, 1);
      dup2(fd, 2);
      close(fd);
    }
    execlp("node", "node", OIDC_DIR "/app-provider.mjs", "--exit-with-stdin", (char *)NULL);
    _exit(127);
  }
  close(lifeline[0]);
  for (int i = 0; i < 3000; i++) {
    FILE *f = fopen(log, "r");
    char line[256];
    while (f && fgets(line, sizeof line, f)) {
      if (strncmp(line, "listening ", 10) == 0) {
        line[strcspn(line, "\r\n")] = '\0';
        snprintf(url, cap, "%s", line + 10);
        fclose(f);
        return pid;
      }
    }
    if (f) fclose(f);
    if (waitpid(pid, NULL, WNOHANG) == pid) return -1;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  kill(pid, SIGTERM);
  waitpid(pid, NULL, 0);
  return -1;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (getenv("TRIN_TEST_PG")) {
    printf("SKIP webapp.oidc: the plain run covers it (the provider holds no store)\n");
    return GT_SKIP;
  }
  const char *chromium;
  int rc = gt_browser_find("webapp.oidc", &chromium);
  if (rc) return rc;
  if (testproc_run("node -e \"process.exit(+process.versions.node.split('.')[0] >= 20 ? 0 : 1)\"",
                   NULL, 0) != 0) {
    printf("SKIP webapp.oidc: the OpenID provider (oidc-provider 9) needs Node.js 20 or newer; "
           "this machine's node is older\n");
    return GT_SKIP;
  }
  static const char *const provider_modules[] = {"node_modules/oidc-provider/package.json", NULL};
  static const char *const browser_modules[] = {"node_modules/playwright-core/package.json", NULL};
  rc = gt_browser_npm("webapp.oidc", OIDC_DIR, provider_modules, GT_SKIP);
  if (!rc) rc = gt_browser_npm("webapp.oidc", BROWSER_DIR, browser_modules, GT_SKIP);
  if (rc) return rc;

  char dir[] = "/tmp/trin-webapp-oidc-XXXXXX";
  if (!mkdtemp(dir)) {
    printf("webapp.oidc: FAILED: mkdtemp\n");
    return 1;
  }
  char log[300], url[200], config[300], arg[400];
  snprintf(log, sizeof log, "%s/provider.log", dir);
  pid_t provider = provider_start(log, url, sizeof url);
  if (provider < 0) {
    printf("webapp.oidc: FAILED: the OpenID provider did not start (see %s)\n", log);
    return 1;
  }
  /* The contractor's calculators and the client's readers, as the
   * provider's roles claim says; "nobody" matches no rule. */
  snprintf(config, sizeof config, "%s/oidc.json", dir);
  FILE *f = fopen(config, "w");
  if (!f) return 1;
  fprintf(f,
          "{\"issuers\": [{\"issuer\": \"%s\", \"audience\": \"api://trin\",\n"
          " \"app\": {\"client_id\": \"trin-app\", \"scope\": \"openid profile api\",\n"
          "         \"resource\": \"api://trin\", \"name\": \"Demo-IdP\"},\n"
          " \"map\": [{\"claims\": {\"tid\": \"t1\", \"roles\": \"trin.calculator\"},\n"
          "          \"organisation\": \"gamma\", \"role\": \"calculator\"},\n"
          "         {\"claims\": {\"tid\": \"t1\", \"roles\": \"trin.reader\"},\n"
          "          \"organisation\": \"alfa\", \"role\": \"reader\"}]}]}\n",
          url);
  fclose(f);
  snprintf(arg, sizeof arg, "--oidc-config=%s", config);
  const char *extra[] = {arg, NULL};
  const char *const bins[GT_NPROCS] = {TRIN_LIFECYCLE_BIN,  TRIN_BUDGET_BIN,
                                       TRIN_SURVEY_BIN,     TRIN_BENCHMARK_BIN,
                                       TRIN_AGGREGATOR_BIN, TRIN_GATEWAY_BIN};
  int failed = 0;
  if (!gt_start(&env, bins, extra) || !gt_demo(&env) || !to_handover()) {
    printf("webapp.oidc: FAILED: the services did not start\n");
    failed = 1;
  }
  if (!failed && !gt_browser_run(&env, "webapp.oidc", BROWSER_DIR "/oidc.mjs", chromium))
    failed = 1;
  if (!gt_stop(&env)) {
    printf("webapp.oidc: FAILED: a process did not stop cleanly\n");
    failed = 1;
  }
  kill(provider, SIGTERM);
  waitpid(provider, NULL, 0);
  if (!failed) {
    char cmd[600];
    snprintf(cmd, sizeof cmd, "rm -rf '%s'", dir);
    if (system(cmd) != 0) printf("webapp.oidc: could not remove %s\n", dir);
    printf("webapp.oidc: passed\n");
  } else {
    printf("webapp.oidc: the provider's log: %s\n", log);
  }
  return failed;
}
