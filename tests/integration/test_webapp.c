/* webapp.flow — the partners' web app (trin-gateway's /app/) in a real
 * browser: every trin service and trin-gateway as processes over CURVE
 * (gateway_testenv), the demo partnership LA with project PA filled through
 * the gateway's HTTP API (stages, a pause, milestones, disputes, budgets),
 * then tests/browser/app.mjs (Node.js + playwright-core driving Debian's
 * headless Chromium, axe-core for accessibility) signs in as each persona:
 * the calculator reports a defect and sees it, the reader sees no forms and
 * a write it sends by hand is refused 403, the outsider never sees PA, the
 * Danish UI shows `1.234.567,89 kr.`, the English one `DKK 1,234,567.89`, and
 * no page has a serious or critical axe violation. The app's files are
 * checked over plain HTTP too (types, the Content-Security-Policy).
 *
 * Screenshots of every page go to TRIN_APP_SHOTS (default: none; the
 * docs' pictures are made with TRIN_APP_SHOTS=docs/app).
 *
 * Needs node, npm and chromium (TRIN_CHROMIUM, default /usr/bin/chromium);
 * without them the test is SKIPPED (exit 77). */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "gateway_testenv.h"

static gt_env_t env;

/* One write through the gateway that must succeed (2xx). */
static bool ok(int persona, const char *method, const char *path, const char *body) {
  gt_http_t r;
  if (!gt_http(&env, method, path, env.token[persona], body, NULL, NULL, &r)) return false;
  bool good = r.status >= 200 && r.status < 300;
  if (!good) printf("webapp.flow: %s %s -> %d %s\n", method, path, r.status, r.body);
  gt_http_free(&r);
  return good;
}

/* The demo project PA as a partnership would have it a while in: the
 * stages up to aflevering with a pause, milestones, two disputes (one
 * escalated, one resolved below the bagatelgrænse), a survey round and a
 * budget. */
static bool fill(void) {
  const int W = GT_WRITER, C = GT_CALCULATOR;
  bool good =
      ok(W, "POST", "/api/v1/projects/PA/milestones",
         "{\"milestone\":{\"name\":\"skema_b\",\"baseline\":\"2025-12-01\","
         "\"forecast\":\"2026-01-10\",\"actual\":\"2026-01-20\"}}") &&
      ok(W, "POST", "/api/v1/projects/PA/milestones",
         "{\"milestone\":{\"name\":\"handover\",\"baseline\":\"2026-10-01\","
         "\"forecast\":\"2026-11-15\"}}") &&
      ok(W, "POST", "/api/v1/projects/PA/milestones",
         "{\"milestone\":{\"name\":\"inspection_1y\",\"baseline\":\"2027-11-15\"}}") &&
      ok(W, "POST", "/api/v1/projects/PA/stage", "{\"to_stage\":\"trin1\",\"date\":\"2025-04-01\"}") &&
      ok(W, "POST", "/api/v1/projects/PA/pause",
         "{\"reason\":\"resident_democracy\",\"date\":\"2025-05-01\","
         "\"note\":\"Afdelingsmøde om helhedsplanen\"}") &&
      ok(W, "POST", "/api/v1/projects/PA/resume", "{\"date\":\"2025-06-15\"}") &&
      ok(W, "POST", "/api/v1/projects/PA/stage", "{\"to_stage\":\"trin2\",\"date\":\"2025-09-01\"}") &&
      ok(W, "POST", "/api/v1/projects/PA/disputes",
         "{\"dispute_id\":\"D-1\",\"title\":\"Vinduer leveret forkert\",\"amount_ore\":\"123456789\","
         "\"date\":\"2025-10-01\",\"raised_by\":\"alfa\"}") &&
      ok(W, "POST", "/api/v1/disputes/D-1/escalation",
         "{\"to_level\":2,\"date\":\"2025-10-20\",\"by_org\":\"alfa\",\"note\":\"Ingen enighed\"}") &&
      ok(W, "POST", "/api/v1/projects/PA/disputes",
         "{\"dispute_id\":\"D-2\",\"title\":\"Tegninger forsinket\",\"amount_ore\":\"800000\","
         "\"date\":\"2025-10-05\",\"raised_by\":\"alfa\"}") &&
      ok(W, "POST", "/api/v1/disputes/D-2/resolution",
         "{\"date\":\"2025-11-01\",\"resolution\":\"Aftalt på projektledermødet\","
         "\"settled_ore\":\"400000\"}") &&
      /* D-3 up the ladder to the umpire (opmand): its deadline for
       * Voldgiftsnævnet is 8 weeks on */
      ok(W, "POST", "/api/v1/projects/PA/disputes",
         "{\"dispute_id\":\"D-3\",\"title\":\"Fundering under gavl\",\"amount_ore\":\"90000000\","
         "\"date\":\"2025-11-03\",\"raised_by\":\"alfa\"}") &&
      ok(W, "POST", "/api/v1/disputes/D-3/escalation",
         "{\"to_level\":2,\"date\":\"2025-11-10\",\"by_org\":\"alfa\"}") &&
      ok(W, "POST", "/api/v1/disputes/D-3/escalation",
         "{\"to_level\":3,\"date\":\"2025-11-24\",\"by_org\":\"alfa\"}") &&
      ok(W, "POST", "/api/v1/disputes/D-3/escalation",
         "{\"to_level\":4,\"date\":\"2025-12-08\",\"by_org\":\"alfa\"}") &&
      ok(W, "POST", "/api/v1/disputes/D-3/escalation",
         "{\"to_level\":5,\"date\":\"2026-01-05\",\"by_org\":\"alfa\"}") &&
      ok(W, "POST", "/api/v1/disputes/D-3/escalation",
         "{\"to_level\":6,\"date\":\"2026-02-01\",\"by_org\":\"alfa\"}") &&
      ok(W, "POST", "/api/v1/projects/PA/price-closing",
         "{\"date\":\"2026-01-20\",\"reference\":\"B-1\"}") &&
      ok(W, "POST", "/api/v1/projects/PA/stage", "{\"to_stage\":\"trin3\",\"date\":\"2026-02-01\"}") &&
      ok(W, "POST", "/api/v1/projects/PA/stage",
         "{\"to_stage\":\"handover\",\"date\":\"2026-11-15\"}");
  if (!good) return false;
  /* a satisfaction survey with one answered round: six respondents, so the
   * all-roles figure is shown and the small groups are suppressed */
  if (!ok(W, "POST", "/api/v1/surveys",
          "{\"survey\":{\"id\":\"S-PA\",\"project_id\":\"PA\",\"title\":\"Tilfredshed i "
          "partnerskabet\",\"scale_min\":1,\"scale_max\":5,\"statements\":["
          "{\"key\":\"TILLID\",\"text\":\"Vi har tillid til projektets økonomi\"},"
          "{\"key\":\"INFO\",\"text\":\"Følgegruppen bliver informeret i tide\"}]}}") ||
      !ok(W, "POST", "/api/v1/surveys/S-PA/rounds",
          "{\"round\":{\"number\":1,\"opens\":\"2026-03-01\",\"closes\":\"2026-03-31\"}}") ||
      !ok(W, "POST", "/api/v1/surveys/S-PA/responses",
          "{\"round\":1,\"responses\":["
          "{\"respondent\":\"r1\",\"role\":\"resident_committee\",\"scores\":{\"TILLID\":4,\"INFO\":3}},"
          "{\"respondent\":\"r2\",\"role\":\"resident_committee\",\"scores\":{\"TILLID\":5,\"INFO\":4}},"
          "{\"respondent\":\"r3\",\"role\":\"resident_committee\",\"scores\":{\"TILLID\":3,\"INFO\":2}},"
          "{\"respondent\":\"r4\",\"role\":\"client\",\"scores\":{\"TILLID\":4,\"INFO\":4}},"
          "{\"respondent\":\"r5\",\"role\":\"contractor\",\"scores\":{\"TILLID\":4,\"INFO\":5}},"
          "{\"respondent\":\"r6\",\"role\":\"advisor\",\"scores\":{\"TILLID\":2,\"INFO\":4}}]}"))
    return false;
  /* budgets: shown when the budget service takes them; the page copes
   * without, so a refusal here is reported, not failed */
  if (!ok(C, "POST", "/api/v1/budgets",
          "{\"budget\":{\"id\":\"PA-A\",\"project_id\":\"PA\",\"kind\":\"skema_a\","
          "\"date\":\"2025-08-01\",\"lines\":[{\"id\":\"h\",\"category\":\"craft\","
          "\"description\":\"Håndværkerudgifter\",\"amount_ore\":\"4200000000\"}]}}"))
    printf("webapp.flow: (no budget on the page)\n");
  return true;
}

/* The files over plain HTTP: what a browser (and a proxy) is told. */
static bool files(void) {
  static const struct {
    const char *path;
    int status;
    const char *type;
  } CASES[] = {{"/app/", 200, "text/html; charset=utf-8"},
               {"/app/app.js", 200, "text/javascript; charset=utf-8"},
               {"/app/app.css", 200, "text/css; charset=utf-8"},
               {"/app", 308, "text/plain; charset=utf-8"},
               {"/app/nothing.js", 404, "text/plain; charset=utf-8"}};
  bool good = true;
  for (size_t i = 0; i < sizeof CASES / sizeof *CASES; i++) {
    gt_http_t r;
    if (!gt_http(&env, "GET", CASES[i].path, NULL, NULL, NULL, NULL, &r)) return false;
    if (r.status != CASES[i].status || strcmp(r.content_type, CASES[i].type) != 0) {
      printf("webapp.flow: GET %s -> %d %s, not %d %s\n", CASES[i].path, r.status,
             r.content_type, CASES[i].status, CASES[i].type);
      good = false;
    }
    gt_http_free(&r);
  }
  gt_http_t r;
  if (!gt_http(&env, "POST", "/app/", NULL, "{}", NULL, NULL, &r)) return false;
  if (r.status != 405) {
    printf("webapp.flow: POST /app/ -> %d, not 405\n", r.status);
    good = false;
  }
  gt_http_free(&r);
  return good;
}

int main(void) {
  setvbuf(stdout, NULL, _IONBF, 0);
  const char *chromium;
  static const char *const modules[] = {"node_modules/playwright-core/package.json",
                                        "node_modules/@axe-core/playwright/package.json", NULL};
  int rc = gt_browser_find("webapp.flow", &chromium);
  if (!rc) rc = gt_browser_npm("webapp.flow", TRIN_BROWSER_DIR, modules, 1);
  if (rc) return rc;

  const char *const bins[GT_NPROCS] = {TRIN_LIFECYCLE_BIN, TRIN_BUDGET_BIN,
                                       TRIN_SURVEY_BIN,    TRIN_BENCHMARK_BIN,
                                       TRIN_AGGREGATOR_BIN, TRIN_GATEWAY_BIN};
  if (!gt_start(&env, bins, NULL)) {
    printf("webapp.flow: FAILED: the services did not start\n");
    gt_stop(&env);
    return 1;
  }
  int failed = 0;
  if (!gt_demo(&env) || !fill()) {
    printf("webapp.flow: FAILED: setting up the demo through the gateway\n");
    failed = 1;
  }
  if (!failed && !files()) failed = 1;
  if (!failed && !gt_browser_run(&env, "webapp.flow",
                                  TRIN_BROWSER_DIR "/app.mjs", chromium))
    failed = 1;
  if (!gt_stop(&env)) {
    printf("webapp.flow: FAILED: a process did not stop cleanly\n");
    failed = 1;
  }
  if (!failed) printf("webapp.flow: passed\n");
  return failed;
}
