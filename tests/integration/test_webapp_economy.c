/* webapp.economy — a project's economy in the partners' web app
 * (services/gateway/web/economy.js) in a real browser, against every trin
 * service and trin-gateway as processes over CURVE (gateway_testenv).
 *
 * Set up through the HTTP API: partnership LA's economic model (10 % MOLIO
 * deduction, index series BYG43), two BYG43 points, an approved Skema A and
 * a submitted Skema B of project PA (a craft line of each over its MOLIO
 * limit), a decided scope change between them. Then tests/browser/
 * economy.mjs: the calculator creates a draft Skema C in the browser, pastes
 * rows copied from Excel (a real paste event carrying TSV with decimal
 * commas), meets the error naming the bad row, sees the preview in
 * `1.234,50 kr.`, saves and submits; the drift chart and its table show; the
 * writer approves Skema B; the reader sees no economy form; axe-core finds
 * nothing serious with every form open, Danish and English. Afterwards the
 * lines, total and statuses are read back here through the HTTP API and
 * must be the øre the sheet said.
 *
 * Screenshots go to TRIN_APP_SHOTS when set (docs/app for the docs).
 * Needs node, npm and chromium (TRIN_CHROMIUM, default /usr/bin/chromium);
 * without them the test is SKIPPED (exit 77). */
#include <jansson.h>
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
  if (!good) printf("webapp.economy: %s %s -> %d %s\n", method, path, r.status, r.body);
  gt_http_free(&r);
  return good;
}

/* PA's economy before the browser comes: A approved, B submitted. Amounts:
 * A = 20 000 000 + 10 000 000 + 3 000 000 kr.; B = 21 000 000 + 10 800 000
 * + 3 100 000 kr.; the facade line's MOLIO reference 21 000 000 kr. less
 * 10 % = 18 900 000 kr., so it fails in both. */
static bool fill(void) {
  const int W = GT_WRITER, C = GT_CALCULATOR, A = GT_ADMIN;
  return ok(W, "POST", "/api/v1/budget/SetEconomicModel",
            "{\"model\":{\"partnership_id\":\"LA\",\"management_fee_bp\":500,\"risk_bp\":300,"
            "\"advisor_fee_bp\":1000,\"margin_bp\":600,\"molio_deduction_bp\":1000,"
            "\"index_series\":\"BYG43\"}}") &&
         ok(A, "POST", "/api/v1/index-series/BYG43/points",
            "{\"points\":[{\"date\":\"2025-07-01\",\"value_x100\":\"10000\"},"
            "{\"date\":\"2026-01-01\",\"value_x100\":\"10400\"}]}") &&
         ok(C, "POST", "/api/v1/budgets",
            "{\"budget\":{\"id\":\"PA-A\",\"project_id\":\"PA\",\"kind\":\"skema_a\","
            "\"date\":\"2025-08-01\",\"lines\":["
            "{\"id\":\"h1\",\"category\":\"craft\",\"building_part\":\"21 Ydervægge\","
            "\"description\":\"Facade\",\"amount_ore\":\"2000000000\","
            "\"molio_reference_ore\":\"2100000000\"},"
            "{\"id\":\"h2\",\"category\":\"craft\",\"building_part\":\"27 Tage\","
            "\"description\":\"Tag\",\"amount_ore\":\"1000000000\"},"
            "{\"id\":\"r1\",\"category\":\"advisor_fees\",\"description\":\"Rådgivning\","
            "\"amount_ore\":\"300000000\"}]}}") &&
         ok(C, "POST", "/api/v1/budgets/PA-A/submit", "{\"date\":\"2025-08-05\"}") &&
         ok(W, "POST", "/api/v1/budgets/PA-A/approve", "{\"date\":\"2025-08-10\"}") &&
         ok(W, "POST", "/api/v1/budget/RecordScopeChange",
            "{\"change\":{\"id\":\"SC-1\",\"project_id\":\"PA\",\"description\":\"Altaner på "
            "gavlene\",\"amount_ore\":\"50000000\",\"decided_on\":\"2025-10-01\"}}") &&
         ok(C, "POST", "/api/v1/budgets",
            "{\"budget\":{\"id\":\"PA-B\",\"project_id\":\"PA\",\"kind\":\"skema_b\","
            "\"date\":\"2026-01-05\",\"lines\":["
            "{\"id\":\"h1\",\"category\":\"craft\",\"building_part\":\"21 Ydervægge\","
            "\"description\":\"Facade\",\"amount_ore\":\"2100000000\","
            "\"molio_reference_ore\":\"2100000000\"},"
            "{\"id\":\"h2\",\"category\":\"craft\",\"building_part\":\"27 Tage\","
            "\"description\":\"Tag\",\"amount_ore\":\"1080000000\"},"
            "{\"id\":\"r1\",\"category\":\"advisor_fees\",\"description\":\"Rådgivning\","
            "\"amount_ore\":\"310000000\"}]}}") &&
         ok(C, "POST", "/api/v1/budgets/PA-B/submit", "{\"date\":\"2026-01-06\"}");
}

static const char *str(json_t *o, const char *key) {
  const char *s = json_string_value(json_object_get(o, key));
  return s ? s : "";
}

/* GET /api/v1/budgets/{id} -> its JSON (the caller frees), or NULL. */
static json_t *budget(const char *id) {
  char path[128];
  snprintf(path, sizeof path, "/api/v1/budgets/%s", id);
  gt_http_t r;
  if (!gt_http(&env, "GET", path, env.token[GT_READER], NULL, NULL, NULL, &r)) return NULL;
  json_t *doc = r.status == 200 ? json_loads(r.body, 0, NULL) : NULL;
  if (!doc) printf("webapp.economy: GET %s -> %d %s\n", path, r.status, r.body);
  gt_http_free(&r);
  json_t *b = json_incref(json_object_get(doc, "budget"));
  json_decref(doc);
  return b;
}

/* What the browser saved, read back: the pasted sheet's lines to the øre. */
static bool read_back(void) {
  static const struct {
    const char *id, *category, *part, *description, *amount, *molio;
  } WANT[] = {
      {"1", "craft", "21 Ydervægge", "Facade, nord", "123456789", "130000000"},
      {"2", "craft", "27 Tage", "Tag og \"inddækning\"", "98765432", "0"},
      {"3", "advisor_fees", "", "Rådgivning", "4500050", "0"},
  };
  const size_t n = sizeof WANT / sizeof *WANT;
  bool good = true;
  json_t *c = budget("PA-C1");
  if (!c) return false;
  json_t *lines = json_object_get(c, "lines");
  if (json_array_size(lines) != n) {
    printf("webapp.economy: PA-C1 has %zu lines, not %zu\n", json_array_size(lines), n);
    good = false;
  }
  for (size_t i = 0; good && i < n; i++) {
    json_t *l = NULL;
    for (size_t j = 0; j < json_array_size(lines); j++)
      if (strcmp(str(json_array_get(lines, j), "id"), WANT[i].id) == 0) l = json_array_get(lines, j);
    if (!l || strcmp(str(l, "category"), WANT[i].category) != 0 ||
        strcmp(str(l, "building_part"), WANT[i].part) != 0 ||
        strcmp(str(l, "description"), WANT[i].description) != 0 ||
        strcmp(str(l, "amount_ore"), WANT[i].amount) != 0 ||
        strcmp(str(l, "molio_reference_ore"), WANT[i].molio) != 0) {
      char *got = l ? json_dumps(l, 0) : NULL;
      printf("webapp.economy: PA-C1 line %s is %s, not %s/%s/%s/%s/%s\n", WANT[i].id,
             got ? got : "missing", WANT[i].category, WANT[i].part, WANT[i].description,
             WANT[i].amount, WANT[i].molio);
      free(got);
      good = false;
    }
  }
  /* 1.234.567,89 + 987.654,32 + 45.000,50 kr. */
  if (strcmp(str(c, "total_ore"), "226722271") != 0 || strcmp(str(c, "status"), "submitted") != 0) {
    printf("webapp.economy: PA-C1 total %s status %s, not 226722271 submitted\n",
           str(c, "total_ore"), str(c, "status"));
    good = false;
  }
  json_decref(c);
  json_t *b = budget("PA-B");
  if (!b || strcmp(str(b, "status"), "approved") != 0) {
    printf("webapp.economy: PA-B is %s, not approved (by the writer, in the browser)\n",
           b ? str(b, "status") : "missing");
    good = false;
  }
  json_decref(b);
  if (good) printf("webapp.economy: read back: PA-C1's 3 lines and total 226722271 øre, PA-B approved\n");
  return good;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *chromium;
  static const char *const modules[] = {"node_modules/playwright-core/package.json",
                                        "node_modules/@axe-core/playwright/package.json", NULL};
  int rc = gt_browser_find("webapp.economy", &chromium);
  if (!rc) rc = gt_browser_npm("webapp.economy", TRIN_BROWSER_DIR, modules, 1);
  if (rc) return rc;

  const char *const bins[GT_NPROCS] = {TRIN_LIFECYCLE_BIN, TRIN_BUDGET_BIN,
                                       TRIN_SURVEY_BIN,    TRIN_BENCHMARK_BIN,
                                       TRIN_AGGREGATOR_BIN, TRIN_GATEWAY_BIN};
  if (!gt_start(&env, bins, NULL)) {
    printf("webapp.economy: FAILED: the services did not start\n");
    gt_stop(&env);
    return 1;
  }
  int failed = 0;
  if (!gt_demo(&env) || !fill()) {
    printf("webapp.economy: FAILED: setting up PA's economy through the gateway\n");
    failed = 1;
  }
  if (!failed && !gt_browser_run(&env, "webapp.economy",
                                  TRIN_BROWSER_DIR "/economy.mjs", chromium))
    failed = 1;
  if (!failed && !read_back()) failed = 1;
  if (!gt_stop(&env)) {
    printf("webapp.economy: FAILED: a process did not stop cleanly\n");
    failed = 1;
  }
  if (!failed) printf("webapp.economy: passed\n");
  return failed;
}
