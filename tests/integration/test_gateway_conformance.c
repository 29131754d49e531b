/* gateway.openapi_conformance — the gateway's OpenAPI document against real
 * validators: trin-lifecycle, trin-budget, trin-survey, trin-benchmark,
 * trin-aggregator and trin-gateway run as processes (ipc sockets, the
 * gateway's HTTP on an ephemeral port); an organisation, a partnership and
 * a project are made with trinctl, an admin and a writer token with
 * `trinctl token create --service gateway`; then tests/gateway/conformance.mjs
 * validates /api/v1/openapi.json with an OpenAPI 3.1 validator and calls
 * every operation in it with a valid and an invalid request, checking each
 * answer's status, Content-Type and body against the document (ajv).
 *
 * Needs node and npm; without them, or when `npm ci --prefix tests/gateway`
 * fails (no network), the test is SKIPPED (exit 77) saying why. Its `.pg`
 * twin puts every service's store on PostgreSQL (testproc). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "testproc.h"

#define SKIP 77
#define GATEWAY_DIR TRIN_SOURCE_DIR "/tests/gateway"

enum { LC, BG, SV, BM, AG, GW, NPROC };
static const char *const NAME[NPROC] = {"lifecycle", "budget",     "survey",
                                        "benchmark", "aggregator", "gateway"};
static testproc_t proc[NPROC];
static int http_port;
static char admin_token[256], writer_token[256];
static char out[65536];

/* trinctl against endpoint; its output in `out`. */
static int ctl(const char *endpoint, const char *fmt, ...) {
  char args[1024], cmd[2048];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof args, fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof cmd, "%s --endpoint '%s' %s 2>&1", TRINCTL_BIN, endpoint, args);
  int rc = testproc_run(cmd, out, sizeof out);
  if (rc != 0) fprintf(stderr, "trinctl %s -> %d: %s\n", args, rc, out);
  return rc;
}

/* The port the gateway's log says it listens on, or 0. */
static int gateway_port(void) { return testproc_http_port(&proc[GW]); }

static bool start(int which, const char *bin, const char *const *extra) {
  if (testproc_start(&proc[which], bin, extra)) return true;
  fprintf(stderr, "trin-%s did not start; its log:\n", NAME[which]);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "tail -20 '%s' >&2", proc[which].log);
  if (system(cmd) != 0) fprintf(stderr, "(no log at %s)\n", proc[which].log);
  return false;
}

/* A personal gateway token (`trinctl token create --json`) into dst. */
static int make_token(char *dst, size_t cap, const char *org, const char *role,
                      const char *person) {
  if (ctl(proc[GW].endpoint,
          "--json token create --service gateway --org %s --scope api:write --role %s "
          "--person '%s'",
          org, role, person))
    return -1;
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  const char *t = json_string_value(json_object_get(j, "token"));
  int rc = t && strlen(t) < cap ? 0 : -1;
  if (rc == 0) snprintf(dst, cap, "%s", t);
  else fprintf(stderr, "no token in trinctl's answer: %s\n", out);
  json_decref(j);
  return rc;
}

static int setup(void **state) {
  (void)state;
  for (int i = 0; i < NPROC; i++) {
    char tag[32];
    snprintf(tag, sizeof tag, "oas-%s", NAME[i]);
    testproc_init(&proc[i], tag);
  }
  static char ep[NPROC][400], pub[NPROC][400];
  const char *ep_key[NPROC] = {"lifecycle", "budget", "survey", "benchmark", "aggregator",
                               "gateway"};
  for (int i = 0; i < NPROC; i++) {
    snprintf(ep[i], sizeof ep[i], "--%s-endpoint=%s", ep_key[i], proc[i].endpoint);
    snprintf(pub[i], sizeof pub[i], "--%s-pub-endpoint=%s", ep_key[i], proc[i].pub);
  }
  const char *lc_args[] = {"--heartbeat-ms=200", NULL};
  const char *bg_args[] = {ep[LC], pub[LC], "--heartbeat-ms=200", NULL};
  const char *sv_args[] = {ep[LC], pub[LC], "--heartbeat-ms=200", "--http-address=", NULL};
  const char *bm_args[] = {ep[LC], pub[LC], ep[BG], pub[BG], ep[SV], pub[SV],
                           "--heartbeat-ms=200", NULL};
  const char *ag_args[] = {ep[LC], pub[LC], ep[BG], pub[BG], ep[SV], pub[SV], ep[BM], pub[BM],
                           "--http-address=", "--retry-ms=200", NULL};
  /* No rate limit: the run sends a few hundred requests as fast as it can. */
  const char *gw_args[] = {ep[LC], ep[BG], ep[SV], ep[BM], ep[AG], "--http-addr=127.0.0.1:0",
                           "--rate-per-token=0", "--rate-per-address=0", NULL};
  if (!start(LC, TRIN_LIFECYCLE_BIN, lc_args) || !start(BG, TRIN_BUDGET_BIN, bg_args) ||
      !start(SV, TRIN_SURVEY_BIN, sv_args) || !start(BM, TRIN_BENCHMARK_BIN, bm_args) ||
      !start(AG, TRIN_AGGREGATOR_BIN, ag_args) || !start(GW, TRIN_GATEWAY_BIN, gw_args))
    return -1;
  http_port = gateway_port();
  if (!http_port) {
    fprintf(stderr, "no HTTP port in %s\n", proc[GW].log);
    return -1;
  }
  if (ctl(proc[LC].endpoint, "org create --id CIV --name Civica --kind client") ||
      ctl(proc[LC].endpoint,
          "partnership create --id LIVA --name LIVA --client CIV --framework-start 2022-09-01 "
          "--horizon-years 10 --price-closing myndighedsprojekt --abt-start trin1 "
          "--frame 1.800.000.000 --trivial-threshold 50.000") ||
      ctl(proc[LC].endpoint,
          "project create --id D1 --name Kildeparken --partnership LIVA --kind helhedsplan "
          "--dwellings 120 --area 9000 --start 2024-01-10"))
    return -1;
  if (make_token(admin_token, sizeof admin_token, "trin", "admin", "Conformance Admin") ||
      make_token(writer_token, sizeof writer_token, "CIV", "writer", "Conformance Writer"))
    return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  int bad = 0;
  for (int i = NPROC - 1; i >= 0; i--) {
    if (proc[i].pid <= 0) continue;
    int st = testproc_stop(&proc[i]);
    if (st != 0) {
      fprintf(stderr, "trin-%s exited %d on SIGTERM; see %s\n", NAME[i], st, proc[i].log);
      bad = 1;
    } else {
      testproc_cleanup(&proc[i]);
    }
  }
  return bad ? -1 : 0;
}

/* The whole document and every operation in it: conformance.mjs prints each
 * failure and "N passed, M failed", and exits 1 on any failure. */
static void test_every_operation_matches_the_document(void **state) {
  (void)state;
  char cmd[2048];
  snprintf(cmd, sizeof cmd,
           "node '%s/conformance.mjs' 'http://127.0.0.1:%d' '%s' '%s' org_id=CIV "
           "client_org_id=CIV partnership_id=LIVA project_id=D1",
           GATEWAY_DIR, http_port, admin_token, writer_token);
  printf("gateway.openapi_conformance: node conformance.mjs on port %d\n", http_port);
  int rc = system(cmd);
  if (rc != 0) fail_msg("conformance.mjs exited with status %d (failures above; gateway log %s)",
                        rc, proc[GW].log);
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (testproc_run("command -v node && command -v npm", NULL, 0) != 0) {
    printf("SKIP gateway.openapi_conformance: node and npm are needed "
           "(apt-get install nodejs npm)\n");
    return SKIP;
  }
  if (access(GATEWAY_DIR "/node_modules/ajv/package.json", R_OK) != 0 ||
      access(GATEWAY_DIR "/node_modules/ajv-formats/package.json", R_OK) != 0 ||
      access(GATEWAY_DIR "/node_modules/@seriousme/openapi-schema-validator/package.json",
             R_OK) != 0) {
    printf("gateway.openapi_conformance: npm ci --prefix " GATEWAY_DIR "\n");
    if (testproc_run("npm ci --prefix '" GATEWAY_DIR "' --no-audit --no-fund 2>&1", out,
                     sizeof out) != 0) {
      printf("SKIP gateway.openapi_conformance: npm ci --prefix tests/gateway failed "
             "(no network?): %s\n", out);
      return SKIP;
    }
  }
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_every_operation_matches_the_document),
  };
  return cmocka_run_group_tests_name("gateway.openapi_conformance", tests, setup, teardown);
}
