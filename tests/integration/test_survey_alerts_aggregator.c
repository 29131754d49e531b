/* survey.alerts_through_aggregator — real trin-lifecycle, trin-survey and
 * trin-aggregator processes (issue 19): round 2 of a survey raises alerts
 * and the project's status row shows satisfaction_alert = true and
 * rag_satisfaction = red; round 3 recovers, the survey service clears the
 * round-2 alerts (survey.alert_cleared naming them by their round) and the
 * row's alert goes false and its satisfaction leaves red. Waits end as soon
 * as the row shows what is expected (no timing assertions). */
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

/* The project's row as "alert/rag" ("" while the row has no survey yet). */
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
    snprintf(out, cap, "%s/%s", json_is_true(al) ? "true" : json_is_false(al) ? "false" : "null",
             rag ? rag : "null");
  }
  json_decref(doc);
}

/* Waits (up to 2 minutes: a bound, not a speed) until the row's state is want. */
static void wait_row(int port, const char *project, const char *want) {
  char have[64] = "";
  for (int i = 0; i < 1200; i++) {
    row_state(port, project, have, sizeof have);
    if (strcmp(have, want) == 0) return;
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  fail_msg("row %s is '%s', expected '%s'", project, have, want);
}

/* residents r1..r10 score trust, committee c1..c5 score 4. */
static void round_csv(sbuf_t *b, int trust) {
  sbuf_printf(b, "respondent;role;TRUST_ECONOMY\n");
  for (int i = 0; i < 10; i++) sbuf_printf(b, "r%d;beboer;%d\n", i + 1, trust);
  for (int i = 0; i < 5; i++) sbuf_printf(b, "c%d;følgegruppe;4\n", i + 1);
}

static void import_round(int round, int trust) {
  sbuf_t b = {0};
  round_csv(&b, trust);
  OK(sv_import_csv(env.svc, "S-AGG", round, b.data, b.len, NULL, &e_));
  sbuf_free(&b);
}

static void a_recovered_round_clears_the_row_alert(void **state) {
  assert_true(survey_env_start(&env, "aggsv", NULL));
  testproc_init(&agg, "aggsv-agg");
  int port = start_aggregator();
  OK(lc_org(env.lcc, "KAB", "client", &e_));
  OK(lc_project(env.lcc, "P-AGG", NULL, "KAB", false, "2023-03-01", &e_));

  Trin__Survey__Statement st = TRIN__SURVEY__STATEMENT__INIT, *sts[] = {&st};
  st.key = "TRUST_ECONOMY";
  st.text = "Vi har tillid til projektets økonomi";
  Trin__Survey__Thresholds t = TRIN__SURVEY__THRESHOLDS__INIT;
  t.drop_from_previous_x100 = 50;
  t.floor_x100 = 300;
  Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
  sv.id = "S-AGG";
  sv.project_id = "P-AGG";
  sv.title = "Samarbejdet med beboerne";
  sv.scale_min = 1;
  sv.scale_max = 5;
  sv.thresholds = &t;
  sv.statements = sts;
  sv.n_statements = 1;
  OK(sv_create_when_known(env.svc, &sv, &e_));
  OK(sv_add_round(env.svc, "S-AGG", 1, "2023-04-01", "2023-04-30", &e_));
  OK(sv_add_round(env.svc, "S-AGG", 2, "2023-09-01", "2023-09-30", &e_));
  OK(sv_add_round(env.svc, "S-AGG", 3, "2024-03-01", "2024-03-31", &e_));

  import_round(1, 4);
  wait_row(port, "P-AGG", "false/green");
  import_round(2, 2); /* residents 2.00, all 2.67: dropped and below the floor */
  wait_row(port, "P-AGG", "true/red");
  import_round(3, 4); /* back at 4.00 */
  wait_row(port, "P-AGG", "false/green");

  assert_int_equal(testproc_stop(&agg), 0);
  testproc_cleanup(&agg);
  assert_true(survey_env_stop(&env));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_recovered_round_clears_the_row_alert),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
