/* webapp.insight — the web app's surveys over the rounds (survey.js) and key
 * figures (benchmark.js) in a real browser: every trin service and
 * trin-gateway as processes over CURVE (gateway_testenv), filled through
 * the gateway's HTTP API:
 *   - PA's survey S-PA with two answered rounds (the second drops enough
 *     to raise an alert), so small groups are suppressed;
 *   - four more client organisations k1–k4, each with a project outside
 *     any partnership, so six clients have portfolio key figures (the
 *     benchmark's minimum is five) and five projects lie outside
 *     partnerships (inside: only PA, below the minimum);
 *   - eight properties of eight organisations with measures for 2023 and
 *     2024 (ImportCsv, the operator's); alfa, beta and gamma agreed to open
 *     benchmarking, omega did not;
 * then tests/browser/insight.mjs checks the pages as the writer, the
 * advisor, the reader, the outsider and the operator, Danish and English.
 *
 * Screenshots go to TRIN_APP_SHOTS when set (docs/app for the docs).
 * Needs node, npm and chromium; without them the test is SKIPPED (77). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway_testenv.h"

static gt_env_t env;

/* One request through the gateway that must succeed (2xx). */
static bool ok(int persona, const char *method, const char *path, const char *body) {
  gt_http_t r;
  if (!gt_http(&env, method, path, env.token[persona], body, NULL, NULL, &r)) return false;
  bool good = r.status >= 200 && r.status < 300;
  if (!good) printf("webapp.insight: %s %s -> %d %s\n", method, path, r.status, r.body);
  gt_http_free(&r);
  return good;
}

/* base64 of a NUL-terminated text (a proto `bytes` field in JSON). */
static void base64(const char *in, char *out, size_t cap) {
  static const char A[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
  size_t n = strlen(in), o = 0;
  for (size_t i = 0; i < n && o + 5 < cap; i += 3) {
    unsigned v = (unsigned char)in[i] << 16;
    if (i + 1 < n) v |= (unsigned char)in[i + 1] << 8;
    if (i + 2 < n) v |= (unsigned char)in[i + 2];
    out[o++] = A[(v >> 18) & 63];
    out[o++] = A[(v >> 12) & 63];
    out[o++] = i + 1 < n ? A[(v >> 6) & 63] : '=';
    out[o++] = i + 2 < n ? A[v & 63] : '=';
  }
  out[o] = '\0';
}

static bool import_csv(const char *kind, const char *csv) {
  static char b64[8192], body[8400];
  base64(csv, b64, sizeof b64);
  snprintf(body, sizeof body, "{\"kind\":\"%s\",\"csv\":\"%s\"}", kind, b64);
  return ok(GT_ADMIN, "POST", "/api/v1/benchmark/ImportCsv", body);
}

/* PA's survey: two rounds. Round 1 (6 answers) shows only the all-roles
 * figures; round 2 (12) shows some roles, its mean of TILLID falls from
 * 3.67 to 3.00 — more than the 0.30 the survey alerts on. */
static bool fill_survey(void) {
  const int W = GT_WRITER;
  return ok(W, "POST", "/api/v1/surveys",
            "{\"survey\":{\"id\":\"S-PA\",\"project_id\":\"PA\",\"title\":\"Tilfredshed i "
            "partnerskabet\",\"scale_min\":1,\"scale_max\":5,"
            "\"thresholds\":{\"drop_from_previous_x100\":30},\"statements\":["
            "{\"key\":\"TILLID\",\"text\":\"Vi har tillid til projektets økonomi\"},"
            "{\"key\":\"INFO\",\"text\":\"Følgegruppen bliver informeret i tide\"}]}}") &&
         ok(W, "POST", "/api/v1/surveys/S-PA/rounds",
            "{\"round\":{\"number\":1,\"opens\":\"2026-03-01\",\"closes\":\"2026-03-31\"}}") &&
         ok(W, "POST", "/api/v1/surveys/S-PA/responses",
            "{\"round\":1,\"responses\":["
            "{\"respondent\":\"r1\",\"role\":\"resident_committee\",\"scores\":{\"TILLID\":4,\"INFO\":3}},"
            "{\"respondent\":\"r2\",\"role\":\"resident_committee\",\"scores\":{\"TILLID\":5,\"INFO\":4}},"
            "{\"respondent\":\"r3\",\"role\":\"resident_committee\",\"scores\":{\"TILLID\":3,\"INFO\":2}},"
            "{\"respondent\":\"r4\",\"role\":\"client\",\"scores\":{\"TILLID\":4,\"INFO\":4}},"
            "{\"respondent\":\"r5\",\"role\":\"contractor\",\"scores\":{\"TILLID\":4,\"INFO\":5}},"
            "{\"respondent\":\"r6\",\"role\":\"advisor\",\"scores\":{\"TILLID\":2,\"INFO\":4}}]}") &&
         ok(W, "POST", "/api/v1/surveys/S-PA/rounds",
            "{\"round\":{\"number\":2,\"opens\":\"2026-06-01\",\"closes\":\"2026-06-30\"}}") &&
         ok(W, "POST", "/api/v1/surveys/S-PA/responses",
            "{\"round\":2,\"responses\":["
            "{\"respondent\":\"q1\",\"role\":\"residents\",\"scores\":{\"TILLID\":3,\"INFO\":4}},"
            "{\"respondent\":\"q2\",\"role\":\"residents\",\"scores\":{\"TILLID\":3,\"INFO\":4}},"
            "{\"respondent\":\"q3\",\"role\":\"residents\",\"scores\":{\"TILLID\":3,\"INFO\":4}},"
            "{\"respondent\":\"q4\",\"role\":\"residents\",\"scores\":{\"TILLID\":3,\"INFO\":4}},"
            "{\"respondent\":\"q5\",\"role\":\"residents\",\"scores\":{\"TILLID\":3,\"INFO\":4}},"
            "{\"respondent\":\"q6\",\"role\":\"resident_committee\",\"scores\":{\"TILLID\":3,\"INFO\":4}},"
            "{\"respondent\":\"q7\",\"role\":\"resident_committee\",\"scores\":{\"TILLID\":3,\"INFO\":5}},"
            "{\"respondent\":\"q8\",\"role\":\"resident_committee\",\"scores\":{\"TILLID\":3,\"INFO\":4}},"
            "{\"respondent\":\"q9\",\"role\":\"resident_committee\",\"scores\":{\"TILLID\":3,\"INFO\":5}},"
            "{\"respondent\":\"q10\",\"role\":\"resident_committee\",\"scores\":{\"TILLID\":3,\"INFO\":4}},"
            "{\"respondent\":\"q11\",\"role\":\"client\",\"scores\":{\"TILLID\":3,\"INFO\":3}},"
            "{\"respondent\":\"q12\",\"role\":\"advisor\",\"scores\":{\"TILLID\":3,\"INFO\":4}}]}");
}

/* Clients k1–k4 with a project each outside any partnership; property
 * figures for eight organisations; three of them open. */
static bool fill_benchmark(void) {
  static const char *const K[][2] = {
      {"k1", "Kommune Nord"}, {"k2", "Kommune Syd"}, {"k3", "Kommune Øst"}, {"k4", "Kommune Vest"}};
  char body[512];
  for (int i = 0; i < 4; i++) {
    snprintf(body, sizeof body,
             "{\"organisation\":{\"id\":\"%s\",\"name\":\"%s\",\"kind\":\"client\"}}", K[i][0],
             K[i][1]);
    if (!ok(GT_ADMIN, "POST", "/api/v1/organisations", body)) return false;
    snprintf(body, sizeof body,
             "{\"project\":{\"id\":\"PK%d\",\"name\":\"Projekt %s\",\"client_org\":\"%s\","
             "\"kind\":\"renovation\",\"dwellings\":%d,\"start_date\":\"2025-0%d-01\"}}",
             i + 1, K[i][1], K[i][0], 40 + 10 * i, i + 2);
    if (!ok(GT_ADMIN, "POST", "/api/v1/projects", body)) return false;
  }
  /* open disputes (a portfolio key figure) differ: alfa's PA and k2's PK2 have one */
  if (!ok(GT_WRITER, "POST", "/api/v1/projects/PA/disputes",
          "{\"dispute_id\":\"D-1\",\"title\":\"Vinduer leveret forkert\",\"amount_ore\":\"123456789\","
          "\"date\":\"2026-10-01\",\"raised_by\":\"alfa\"}") ||
      !ok(GT_ADMIN, "POST", "/api/v1/projects/PK2/disputes",
          "{\"dispute_id\":\"D-K2\",\"title\":\"Tag utæt\",\"amount_ore\":\"5000000\","
          "\"date\":\"2026-09-01\",\"raised_by\":\"k2\"}"))
    return false;
  static const char *const OPEN[][2] = {
      {"alfa", "Alfa Bolig"}, {"beta", "Beta Rådgivning"}, {"gamma", "Gamma Entreprise"}};
  for (int i = 0; i < 3; i++) {
    snprintf(body, sizeof body,
             "{\"organisation\":{\"id\":\"%s\",\"name\":\"%s\",\"open_benchmarking\":true}}",
             OPEN[i][0], OPEN[i][1]);
    if (!ok(GT_ADMIN, "POST", "/api/v1/benchmark/SetOrganisation", body)) return false;
  }
  return import_csv("properties",
                    "property_id,name,owner_org,type,gross_area_m2,region\n"
                    "P1,Alfa Skole,alfa,school,2000,hovedstaden\n"
                    "P2,Beta Hus,beta,administration,1500,hovedstaden\n"
                    "P3,Gamma Hal,gamma,school,3000,sjaelland\n"
                    "P4,Delta Gaard,delta,housing_department,5000,sjaelland\n"
                    "P5,Omega Skole,omega,school,2500,hovedstaden\n"
                    "P6,Nord Skole,k1,school,1200,nordjylland\n"
                    "P7,Syd Raadhus,k2,administration,8000,syddanmark\n"
                    "P8,Oest Boernehus,k3,day_care,900,hovedstaden\n") &&
         import_csv("measures",
                    "property_id,year,cost_maintenance,electricity_kwh,heat_kwh\n"
                    "P1,2023,500000,60000,150000\n"
                    "P2,2023,420000,45000,90000\n"
                    "P3,2023,810000,70000,260000\n"
                    "P4,2023,900000,80000,400000\n"
                    "P5,2023,610000,50000,170000\n"
                    "P6,2023,300000,30000,80000\n"
                    "P7,2023,2500000,200000,700000\n"
                    "P8,2023,250000,20000,60000\n"
                    "P1,2024,520000,61000,148000\n"
                    "P2,2024,390000,44000,88000\n"
                    "P3,2024,830000,69000,250000\n"
                    "P4,2024,950000,79000,390000\n"
                    "P5,2024,640000,52000,165000\n"
                    "P6,2024,310000,31000,79000\n"
                    "P7,2024,2450000,198000,690000\n"
                    "P8,2024,260000,21000,58000\n");
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *chromium;
  static const char *const modules[] = {"node_modules/playwright-core/package.json",
                                        "node_modules/@axe-core/playwright/package.json", NULL};
  int rc = gt_browser_find("webapp.insight", &chromium);
  if (!rc) rc = gt_browser_npm("webapp.insight", TRIN_BROWSER_DIR, modules, 1);
  if (rc) return rc;

  const char *const bins[GT_NPROCS] = {TRIN_LIFECYCLE_BIN, TRIN_BUDGET_BIN,
                                       TRIN_SURVEY_BIN,    TRIN_BENCHMARK_BIN,
                                       TRIN_AGGREGATOR_BIN, TRIN_GATEWAY_BIN};
  if (!gt_start(&env, bins, NULL)) {
    printf("webapp.insight: FAILED: the services did not start\n");
    gt_stop(&env);
    return 1;
  }
  int failed = 0;
  if (!gt_demo(&env) || !fill_survey() || !fill_benchmark()) {
    printf("webapp.insight: FAILED: filling the demo through the gateway\n");
    failed = 1;
  }
  if (!failed && !gt_browser_run(&env, "webapp.insight",
                                  TRIN_BROWSER_DIR "/insight.mjs", chromium))
    failed = 1;
  if (!gt_stop(&env)) {
    printf("webapp.insight: FAILED: a process did not stop cleanly\n");
    failed = 1;
  }
  if (!failed) printf("webapp.insight: passed\n");
  return failed;
}
