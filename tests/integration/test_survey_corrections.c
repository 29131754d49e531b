/* survey.corrections_through_aggregator — real trin-lifecycle, trin-survey
 * and trin-aggregator processes, and trinctl (issue 19): a wrong file
 * imported into round 2 raises alerts and turns the project's status row
 * red; `trinctl survey clear-round` with a reason removes its answers, the
 * survey.round_cleared event says who and why and how many, the alerts
 * clear and the row turns back to round 1's figures; the right file is
 * imported into the same round again. Refusals are checked by their text;
 * one respondent's answers are removed with `trinctl survey
 * remove-response`. Waits end as soon as the row shows what is expected
 * (no timing assertions). */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "lcclient.h"
#include "test_aggregator_util.h"
#include "test_survey_common.h"
#include "testcall.h"
#include "testproc.h"
#include "trin_codec.h"

static survey_env_t env;
static testproc_t agg;

static int start_aggregator(void) {
  int port = survey_env_start_aggregator(&env, &agg, TRIN_AGGREGATOR_BIN, TU_TOKEN);
  if (port <= 0) fail_msg("the aggregator did not start or named no HTTP port: %s", agg.log);
  return port;
}

/* The project's row as "alert/rag/satisfaction" ("" while it has none). */
static void row_state(int port, const char *project, char *out, size_t cap) {
  out[0] = '\0';
  tu_http_t r;
  if (!tu_get_auth(port, "/api/v1/status", &r) || r.status != 200) {
    tu_http_free(&r);
    return;
  }
  json_t *doc = json_loads(r.body, 0, NULL);
  tu_http_free(&r);
  size_t i;
  json_t *row;
  json_array_foreach(json_object_get(doc, "rows"), i, row) {
    const char *p = json_string_value(json_object_get(row, "project_id"));
    if (!p || strcmp(p, project) != 0) continue;
    json_t *al = json_object_get(row, "satisfaction_alert");
    const char *rag = json_string_value(json_object_get(row, "rag_satisfaction"));
    json_t *s = json_object_get(row, "satisfaction");
    char sat[32] = "null";
    if (json_is_string(s)) snprintf(sat, sizeof sat, "%s", json_string_value(s));
    else if (json_is_number(s)) snprintf(sat, sizeof sat, "%.2f", json_number_value(s));
    snprintf(out, cap, "%s/%s/%s",
             json_is_true(al) ? "true" : json_is_false(al) ? "false" : "null",
             rag ? rag : "null", sat);
  }
  json_decref(doc);
}

/* Waits (up to 2 minutes: a bound, not a speed) until the row's state is want. */
static void wait_row(int port, const char *project, const char *want) {
  char have[96] = "";
  for (int i = 0; i < 1200; i++) {
    row_state(port, project, have, sizeof have);
    if (strcmp(have, want) == 0) return;
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  fail_msg("row %s is '%s', expected '%s'", project, have, want);
}

/* residents r1..r10 score trust, committee c1..c5 score 4. */
static void import_round(int round, int trust) {
  sbuf_t b = {0};
  sbuf_printf(&b, "respondent;role;TRUST_ECONOMY\n");
  for (int i = 0; i < 10; i++) sbuf_printf(&b, "r%d;beboer;%d\n", i + 1, trust);
  for (int i = 0; i < 5; i++) sbuf_printf(&b, "c%d;følgegruppe;4\n", i + 1);
  OK(sv_import_csv(env.svc, "S-FIX", round, b.data, b.len, NULL, &e_));
  sbuf_free(&b);
}

static int trinctl(const char *args, char *out, size_t cap) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "%s --endpoint %s %s 2>&1", TRINCTL_BIN, env.sv.endpoint, args);
  return testproc_run(cmd, out, cap);
}

static void a_wrong_import_is_cleared_and_imported_again(void **state) {
  assert_true(survey_env_start(&env, "svfix", NULL));
  testproc_init(&agg, "svfix-agg");
  int port = start_aggregator();
  OK(lc_org(env.lcc, "KAB", "client", &e_));
  OK(lc_project(env.lcc, "P-FIX", NULL, "KAB", false, "2023-03-01", &e_));

  Trin__Survey__Statement st = TRIN__SURVEY__STATEMENT__INIT, *sts[] = {&st};
  st.key = "TRUST_ECONOMY";
  st.text = "Vi har tillid til projektets økonomi";
  Trin__Survey__Thresholds t = TRIN__SURVEY__THRESHOLDS__INIT;
  t.drop_from_previous_x100 = 50;
  t.floor_x100 = 300;
  Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
  sv.id = "S-FIX";
  sv.project_id = "P-FIX";
  sv.title = "Samarbejdet med beboerne";
  sv.scale_min = 1;
  sv.scale_max = 5;
  sv.thresholds = &t;
  sv.statements = sts;
  sv.n_statements = 1;
  OK(sv_create_when_known(env.svc, &sv, &e_));
  OK(sv_add_round(env.svc, "S-FIX", 1, "2023-04-01", "2023-04-30", &e_));
  OK(sv_add_round(env.svc, "S-FIX", 2, "2023-09-01", "2023-09-30", &e_));
  OK(sv_add_round(env.svc, "S-FIX", 3, "2024-03-01", "2024-03-31", &e_));

  import_round(1, 4);
  wait_row(port, "P-FIX", "false/green/4.00");
  import_round(2, 2); /* the wrong file: residents 2.00, all 2.67 */
  wait_row(port, "P-FIX", "true/red/2.67");

  /* refusals, by their text; nothing changes */
  char out[16384];
  assert_int_equal(trinctl("survey clear-round S-FIX --round 2", out, sizeof out), 2);
  assert_non_null(strstr(out, "reason"));
  uint64_t before = sv_last_seq(env.svc);
  assert_int_equal(trinctl("survey clear-round S-FIX --round 2 --reason ' '", out, sizeof out),
                   1);
  assert_non_null(strstr(out, "is required: say why the answers are removed"));
  assert_int_equal(trinctl("survey clear-round S-FIX --round 3 --reason 'forkert fil'", out,
                           sizeof out),
                   1);
  assert_non_null(strstr(out, "round 3 of survey 'S-FIX' has no answers to remove"));
  assert_int_equal(trinctl("survey remove-response S-FIX --round 2 --respondent x7 --reason "
                           "'forkert afdeling'",
                           out, sizeof out),
                   1);
  assert_non_null(strstr(out, "round 2 of survey 'S-FIX' has no answers from respondent 'x7'"));
  Trin__Survey__ClearRound cr = TRIN__SURVEY__CLEAR_ROUND__INIT;
  cr.survey_id = "S-FIX";
  cr.round = 4;
  cr.reason = "forkert fil";
  REFUSED_UNCHANGED(testcall(env.svc, &cr.base, &trin__survey__removal__descriptor, NULL, &e_),
                    TRIN_ENOTFOUND, "round", sv_last_seq(env.svc));
  {
    trin_err_t e_ = {0};
    testcall(env.svc, &cr.base, &trin__survey__removal__descriptor, NULL, &e_);
    assert_string_equal(e_.message, "survey 'S-FIX' has no round 4");
  }
  assert_int_equal(sv_last_seq(env.svc), before);

  /* one respondent's answers out, with trinctl: 14 left */
  assert_int_equal(trinctl("survey remove-response S-FIX --round 2 --respondent r1 --reason "
                           "'svarede for en anden afdeling'",
                           out, sizeof out),
                   0);
  assert_non_null(strstr(out, "svar fjernet (response removed): survey S-FIX, runde 2"));
  assert_non_null(strstr(out, "(residents), 1 besvarede udsagn; runden har nu 14 svar"));
  assert_non_null(strstr(out, "årsag (reason)    svarede for en anden afdeling"));
  assert_int_equal(sv_count_events(env.svc, before, "survey.response_removed", NULL, NULL), 1);

  /* the round cleared, with trinctl: Danish first, then the event */
  before = sv_last_seq(env.svc);
  assert_int_equal(trinctl("survey clear-round S-FIX --round 2 --reason 'runde 1-filen blev "
                           "importeret som runde 2'",
                           out, sizeof out),
                   0);
  assert_non_null(strstr(out, "runde ryddet (round cleared): survey S-FIX, runde 2: 14 svar "
                              "fjernet (14 besvarede udsagn); runden står tom og kan "
                              "importeres igen"));
  assert_non_null(strstr(out, "fjernet af (by)   local"));
  uint8_t *pl = NULL;
  size_t pn = 0;
  assert_int_equal(sv_count_events(env.svc, before, "survey.round_cleared", &pl, &pn), 1);
  Trin__Survey__Removal *rm = trin__survey__removal__unpack(NULL, pn, pl);
  assert_non_null(rm);
  assert_string_equal(rm->reason, "runde 1-filen blev importeret som runde 2");
  assert_string_equal(rm->removed_by, "local");
  assert_true(strlen(rm->removed_at) >= 20);
  assert_int_equal(rm->round, 2);
  assert_int_equal(rm->responses, 14);
  assert_int_equal(rm->respondents_left, 0);
  trin__survey__removal__free_unpacked(rm, NULL);
  free(pl);
  assert_true(sv_count_events(env.svc, before, "survey.alert_cleared", NULL, NULL) > 0);
  assert_int_equal(sv_count_events(env.svc, before, "survey.results_changed", NULL, NULL), 2);
  /* the alerts are cleared by their own round (0), the row is round 1's again */
  Trin__Survey__AlertList *list = NULL;
  Trin__Survey__ListAlerts la = TRIN__SURVEY__LIST_ALERTS__INIT;
  la.project_id = "P-FIX";
  OK(testcall(env.svc, &la.base, &trin__survey__alert_list__descriptor,
              (ProtobufCMessage **)&list, &e_));
  assert_true(list->n_alerts > 0);
  for (size_t i = 0; i < list->n_alerts; i++) {
    assert_false(list->alerts[i]->standing);
    assert_int_equal(list->alerts[i]->cleared_by_round, 0);
    assert_string_equal(list->alerts[i]->alert->survey_id, "S-FIX");
  }
  trin_codec_free(list);
  /* the same history, by project, with trinctl: the survey column names it */
  assert_int_equal(trinctl("survey project-alerts P-FIX", out, sizeof out), 0);
  assert_non_null(strstr(out, "projekt P-FIX: advarsler (alerts)"));
  assert_non_null(strstr(out, "S-FIX"));
  assert_non_null(strstr(out, "ryddet (cleared)"));
  assert_null(strstr(out, "står (standing)"));
  wait_row(port, "P-FIX", "false/green/4.00");
  Trin__Survey__RoundResults *res = NULL;
  OK(sv_results(env.svc, "S-FIX", 0, &res, &e_));
  assert_int_equal(res->round, 1); /* the newest round with answers */
  trin_codec_free(res);

  /* the right file, into the same round */
  import_round(2, 4);
  wait_row(port, "P-FIX", "false/green/4.00");
  OK(sv_results(env.svc, "S-FIX", 0, &res, &e_));
  assert_int_equal(res->round, 2);
  assert_int_equal(res->respondents, 15);
  trin_codec_free(res);

  assert_int_equal(testproc_stop(&agg), 0);
  testproc_cleanup(&agg);
  assert_true(survey_env_stop(&env));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_wrong_import_is_cleared_and_imported_again),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
