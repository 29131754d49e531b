/* webapp.lessons — lessons learned (issue 20, item 5) in the web app
 * (services/gateway/web/lessons.js) in a real browser: every trin service
 * and trin-gateway as processes over CURVE (gateway_testenv), filled
 * through the gateway's HTTP API — PA's lesson L1 recorded by the
 * contractor's calculator, project PB of the same partnership adopting it
 * with a measured effect, and PA's rehousing and a reuse measure for its
 * status row's figures — then tests/browser/lessons.mjs checks the pages
 * as the writer, the reader and the calculator, Danish and English.
 *
 * Screenshots go to TRIN_APP_SHOTS when set (docs/app for the docs).
 * Needs node, npm and chromium; without them the test is SKIPPED (77). */
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
  if (!good) printf("webapp.lessons: %s %s -> %d %s\n", method, path, r.status, r.body);
  gt_http_free(&r);
  return good;
}

static bool fill(void) {
  return ok(GT_CALCULATOR, "POST", "/api/v1/projects/PA/lessons",
            "{\"lesson\":{\"id\":\"L1\",\"text\":\"Stilladset skal bestilles ved trin 2\","
            "\"category\":\"schedule\",\"learned_on\":\"2025-04-01\"}}") &&
         ok(GT_WRITER, "POST", "/api/v1/projects",
            "{\"project\":{\"id\":\"PB\",\"name\":\"Blok B\",\"partnership_id\":\"LA\","
            "\"kind\":\"renovation\",\"start_date\":\"2025-09-01\"}}") &&
         ok(GT_WRITER, "POST", "/api/v1/projects/PB/lesson-adoptions",
            "{\"lesson_project_id\":\"PA\",\"lesson_id\":\"L1\",\"adoption\":{"
            "\"adopted_on\":\"2025-09-15\",\"effect\":\"Ingen ventetid på stillads\","
            "\"measure\":\"schedule_variance_days\",\"effect_value\":\"-9\"}}") &&
         /* more of PA's status row for the figures section */
         ok(GT_WRITER, "POST", "/api/v1/projects/PA/rehousing-plan", "{\"households_to_rehouse\":40}") &&
         ok(GT_WRITER, "POST", "/api/v1/projects/PA/rehousing-moves",
            "{\"move\":{\"kind\":\"temporary\",\"households\":25,\"date\":\"2025-04-01\"}}") &&
         ok(GT_WRITER, "POST", "/api/v1/projects/PA/sustainability",
            "{\"measure\":{\"id\":\"G1\",\"kind\":\"reuse\",\"description\":\"Tagsten\","
            "\"recorded_on\":\"2025-04-01\",\"material\":\"tagsten\",\"reused_kg\":18500,"
            "\"co2e_saving_kg_m2_x100\":1235,\"co2e_method\":\"LCAbyg\"}}") &&
         /* a dispute at the umpire on 2026-11-20: arbitration by 2027-01-15 */
         ok(GT_WRITER, "POST", "/api/v1/projects/PA/disputes",
            "{\"dispute_id\":\"T1\",\"title\":\"Skjulte skader\",\"amount_ore\":64000000,"
            "\"date\":\"2026-11-01\",\"raised_by\":\"alfa\"}") &&
         ok(GT_WRITER, "POST", "/api/v1/disputes/T1/escalation",
            "{\"to_level\":6,\"date\":\"2026-11-20\",\"by_org\":\"alfa\"}");
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *chromium;
  static const char *const modules[] = {"node_modules/playwright-core/package.json",
                                        "node_modules/@axe-core/playwright/package.json", NULL};
  int rc = gt_browser_find("webapp.lessons", &chromium);
  if (!rc) rc = gt_browser_npm("webapp.lessons", TRIN_BROWSER_DIR, modules, 1);
  if (rc) return rc;

  const char *const bins[GT_NPROCS] = {TRIN_LIFECYCLE_BIN, TRIN_BUDGET_BIN,
                                       TRIN_SURVEY_BIN,    TRIN_BENCHMARK_BIN,
                                       TRIN_AGGREGATOR_BIN, TRIN_GATEWAY_BIN};
  if (!gt_start(&env, bins, NULL)) {
    printf("webapp.lessons: FAILED: the services did not start\n");
    gt_stop(&env);
    return 1;
  }
  int failed = 0;
  if (!gt_demo(&env) || !fill()) {
    printf("webapp.lessons: FAILED: filling the demo through the gateway\n");
    failed = 1;
  }
  if (!failed && !gt_browser_run(&env, "webapp.lessons", TRIN_BROWSER_DIR "/lessons.mjs", chromium))
    failed = 1;
  if (!gt_stop(&env)) {
    printf("webapp.lessons: FAILED: a process did not stop cleanly\n");
    failed = 1;
  }
  if (!failed) printf("webapp.lessons: passed\n");
  return failed;
}
