/* webapp.corrections — correcting mistakes in the partners' web app (issue
 * 19) in a real browser, against every trin service and trin-gateway as
 * processes over CURVE (gateway_testenv).
 *
 * Set up through the HTTP API: project PA of partnership LA advanced to
 * trin 3 with its price closed in trin 2, and a survey whose round 2 (six
 * answers and a test answer, all far below round 1) raised an alert. Then
 * tests/browser/corrections.mjs: the client's writer corrects PA's name and
 * dwellings with a reason (refused first without one; a 412 when PA changed
 * meanwhile) and sees the new name on the page and in the portfolio (the
 * status feed); corrects the stage advanced by mistake (trin 3 back to trin
 * 2, the history saying so with the reason) and is refused going on to
 * trin 1, the service's words shown; acknowledges the alert with a note;
 * removes the test answer; clears round 2 after the confirm step, and the
 * alert and the status row go back to round 1. The calculator withdraws a
 * submitted forecast and the writer reopens an approved one, each with a
 * reason. The reader is offered none of it, the advisor only the
 * acknowledgement.
 *
 * Screenshots go to TRIN_APP_SHOTS when set.
 * Needs node, npm and chromium (TRIN_CHROMIUM, default /usr/bin/chromium);
 * without them the test is SKIPPED (exit 77). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "gateway_testenv.h"

static gt_env_t env;

/* One request through the gateway that must succeed (2xx). */
static bool ok(int persona, const char *method, const char *path, const char *body) {
  gt_http_t r;
  if (!gt_http(&env, method, path, env.token[persona], body, NULL, NULL, &r)) return false;
  bool good = r.status >= 200 && r.status < 300;
  if (!good) printf("webapp.corrections: %s %s -> %d %s\n", method, path, r.status, r.body);
  gt_http_free(&r);
  return good;
}

/* Six answers of TILLID = score, respondents <prefix>1..6, and extra. */
static void answers(char *out, size_t size, int round, const char *prefix, int score,
                    const char *extra) {
  static const char *const ROLES[] = {"resident_committee", "resident_committee",
                                      "resident_committee", "client",
                                      "contractor",         "advisor"};
  size_t n = (size_t)snprintf(out, size, "{\"round\":%d,\"responses\":[", round);
  for (int i = 0; i < 6 && n < size; i++)
    n += (size_t)snprintf(out + n, size - n,
                          "%s{\"respondent\":\"%s%d\",\"role\":\"%s\",\"scores\":{\"TILLID\":%d}}",
                          i ? "," : "", prefix, i + 1, ROLES[i], score);
  if (n < size) snprintf(out + n, size - n, "%s]}", extra ? extra : "");
}

static bool fill(void) {
  const int W = GT_WRITER;
  if (!ok(W, "POST", "/api/v1/projects/PA/stage", "{\"to_stage\":\"trin1\",\"date\":\"2025-04-01\"}") ||
      !ok(W, "POST", "/api/v1/projects/PA/stage", "{\"to_stage\":\"trin2\",\"date\":\"2025-09-01\"}") ||
      !ok(W, "POST", "/api/v1/projects/PA/price-closing",
          "{\"date\":\"2026-01-20\",\"reference\":\"B-1\"}") ||
      !ok(W, "POST", "/api/v1/projects/PA/stage", "{\"to_stage\":\"trin3\",\"date\":\"2026-02-01\"}"))
    return false;
  /* round 2 fell by 2 points from round 1: a drop_from_previous alert for
   * all roles (the single roles are too few to be shown, and never alert) */
  char body[2048];
  if (!ok(W, "POST", "/api/v1/surveys",
          "{\"survey\":{\"id\":\"S-PA\",\"project_id\":\"PA\",\"title\":\"Tilfredshed i "
          "partnerskabet\",\"scale_min\":1,\"scale_max\":5,"
          "\"thresholds\":{\"drop_from_previous_x100\":50},\"statements\":["
          "{\"key\":\"TILLID\",\"text\":\"Vi har tillid til projektets økonomi\"}]}}") ||
      !ok(W, "POST", "/api/v1/surveys/S-PA/rounds",
          "{\"round\":{\"number\":1,\"opens\":\"2026-03-01\",\"closes\":\"2026-03-31\"}}") ||
      !ok(W, "POST", "/api/v1/surveys/S-PA/rounds",
          "{\"round\":{\"number\":2,\"opens\":\"2026-06-01\",\"closes\":\"2026-06-30\"}}"))
    return false;
  answers(body, sizeof body, 1, "a", 4, NULL);
  if (!ok(W, "POST", "/api/v1/surveys/S-PA/responses", body)) return false;
  answers(body, sizeof body, 2, "b", 2,
          ",{\"respondent\":\"test-7\",\"role\":\"client\",\"scores\":{\"TILLID\":1}}");
  if (!ok(W, "POST", "/api/v1/surveys/S-PA/responses", body)) return false;
  /* two forecasts: PA-F1 submitted (the calculator withdraws it), PA-F2
   * approved (the writer reopens it) */
  static const char *const FORECASTS[] = {"PA-F1", "PA-F2"};
  for (int i = 0; i < 2; i++) {
    char path[96];
    snprintf(body, sizeof body,
             "{\"budget\":{\"id\":\"%s\",\"project_id\":\"PA\",\"kind\":\"forecast\","
             "\"date\":\"2026-03-01\",\"lines\":[{\"id\":\"h\",\"category\":\"craft\","
             "\"description\":\"Håndværkerudgifter\",\"amount_ore\":\"4200000000\"}]}}",
             FORECASTS[i]);
    if (!ok(GT_CALCULATOR, "POST", "/api/v1/budgets", body)) return false;
    snprintf(path, sizeof path, "/api/v1/budgets/%s/submit", FORECASTS[i]);
    if (!ok(GT_CALCULATOR, "POST", path, "{\"date\":\"2026-03-02\"}")) return false;
  }
  return ok(W, "POST", "/api/v1/budgets/PA-F2/approve", "{\"date\":\"2026-03-03\"}");
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *chromium;
  static const char *const modules[] = {"node_modules/playwright-core/package.json",
                                        "node_modules/@axe-core/playwright/package.json", NULL};
  int rc = gt_browser_find("webapp.corrections", &chromium);
  if (!rc) rc = gt_browser_npm("webapp.corrections", TRIN_BROWSER_DIR, modules, 1);
  if (rc) return rc;

  const char *const bins[GT_NPROCS] = {TRIN_LIFECYCLE_BIN, TRIN_BUDGET_BIN,
                                       TRIN_SURVEY_BIN,    TRIN_BENCHMARK_BIN,
                                       TRIN_AGGREGATOR_BIN, TRIN_GATEWAY_BIN};
  if (!gt_start(&env, bins, NULL)) {
    printf("webapp.corrections: FAILED: the services did not start\n");
    gt_stop(&env);
    return 1;
  }
  int failed = 0;
  if (!gt_demo(&env) || !fill()) {
    printf("webapp.corrections: FAILED: setting up the demo through the gateway\n");
    failed = 1;
  }
  if (!failed && !gt_browser_run(&env, "webapp.corrections",
                                  TRIN_BROWSER_DIR "/corrections.mjs", chromium))
    failed = 1;
  if (!gt_stop(&env)) {
    printf("webapp.corrections: FAILED: a process did not stop cleanly\n");
    failed = 1;
  }
  if (!failed) printf("webapp.corrections: passed\n");
  return failed;
}
