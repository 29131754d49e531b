/* survey.exports_through_aggregator — survey exports as they come (issue
 * 20, item 7) reach the status feed: real trin-lifecycle, trin-survey and
 * trin-aggregator processes; the SurveyXact-shaped file of tests/data/survey
 * imported through its mapping (4 respondents: every group under the
 * anonymity minimum, so the row has no satisfaction yet), then the
 * Forms-shaped file through a second mapping into the same round (7): the
 * row's satisfaction is the pooled visible all-roles mean, by hand
 * (24 + 26) / (7 + 7) = 3.57. Waits end as soon as the row shows it (no
 * timing assertions). */
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

#define DATA TRIN_SOURCE_DIR "/tests/data/survey"

static survey_env_t env;
static testproc_t agg;

static int start_aggregator(void) {
  int port = survey_env_start_aggregator(&env, &agg, TRIN_AGGREGATOR_BIN, TU_TOKEN);
  if (port <= 0) fail_msg("the aggregator did not start or named no HTTP port: %s", agg.log);
  return port;
}

/* The project's row as "satisfaction_alert/satisfaction" (alert null while
 * the row has no survey; satisfaction null while no group is visible). */
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
    json_t *s = json_object_get(row, "satisfaction");
    char sat[32] = "null";
    if (json_is_string(s)) snprintf(sat, sizeof sat, "%s", json_string_value(s));
    else if (json_is_number(s)) snprintf(sat, sizeof sat, "%.2f", json_number_value(s));
    snprintf(out, cap, "%s/%s", json_is_true(al) ? "true" : json_is_false(al) ? "false" : "null",
             sat);
  }
  json_decref(doc);
}

/* Waits (up to 2 minutes: a bound, not a speed) until the row's state is want. */
static void wait_row(int port, const char *project, const char *want) {
  char have[128] = "";
  for (int i = 0; i < 1200; i++) {
    row_state(port, project, have, sizeof have);
    if (strcmp(have, want) == 0) return;
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  fail_msg("row %s is '%s', expected '%s'", project, have, want);
}

static void set_mapping(const char *respondent, const char *role_column, const char *role,
                        const char *comment) {
  Trin__Survey__MappedColumn c[3], *cp[3];
  const char *h[] = {"Vi har tillid til projektets økonomi", "Dialogen med byggeledelsen er god",
                     "Valget af fliser i badeværelset"};
  const char *k[] = {"TRUST_ECONOMY", "DIALOGUE", "TILES"};
  for (int i = 0; i < 3; i++) {
    trin__survey__mapped_column__init(&c[i]);
    c[i].header = (char *)h[i];
    c[i].statement_key = (char *)k[i];
    cp[i] = &c[i];
  }
  Trin__Survey__ImportMapping m = TRIN__SURVEY__IMPORT_MAPPING__INIT;
  m.respondent_column = (char *)respondent;
  m.role_column = (char *)role_column;
  m.role = (char *)role;
  m.comment_column = (char *)comment;
  m.columns = cp;
  m.n_columns = 3;
  Trin__Survey__SetImportMapping req = TRIN__SURVEY__SET_IMPORT_MAPPING__INIT;
  req.survey_id = "S-FEED";
  req.mapping = &m;
  Trin__Survey__ImportMappingReply *r = NULL;
  OK(trin_client_call(env.svc, &req.base, &trin__survey__import_mapping_reply__descriptor,
                      (ProtobufCMessage **)&r, &e_));
  assert_true(r->default_answers);
  trin_codec_free(r);
}

static void import_file(const char *name, int32_t added) {
  char path[600];
  snprintf(path, sizeof path, "%s/%s", DATA, name);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  static char buf[1 << 16];
  size_t len = fread(buf, 1, sizeof buf, f);
  fclose(f);
  Trin__Survey__ImportResponses req = TRIN__SURVEY__IMPORT_RESPONSES__INIT;
  req.survey_id = "S-FEED";
  req.round = 1;
  req.csv.data = (uint8_t *)buf;
  req.csv.len = len;
  req.mapped = true;
  Trin__Survey__ImportReply *r = NULL;
  OK(trin_client_call(env.svc, &req.base, &trin__survey__import_reply__descriptor,
                      (ProtobufCMessage **)&r, &e_));
  assert_int_equal(r->added, added);
  trin_codec_free(r);
}

static void exports_reach_the_feed(void **state) {
  assert_true(survey_env_start(&env, "svexfeed", NULL));
  testproc_init(&agg, "svexfeed-agg");
  int port = start_aggregator();
  OK(lc_org(env.lcc, "KAB", "client", &e_));
  OK(lc_project(env.lcc, "P-FEED", NULL, "KAB", false, "2023-03-01", &e_));
  Trin__Survey__Statement a = TRIN__SURVEY__STATEMENT__INIT, b = TRIN__SURVEY__STATEMENT__INIT,
                          c = TRIN__SURVEY__STATEMENT__INIT;
  a.key = "TRUST_ECONOMY";
  a.text = "Vi har tillid til projektets økonomi";
  b.key = "DIALOGUE";
  b.text = "Dialogen med byggeledelsen er god";
  c.key = "TILES";
  c.text = "Valget af fliser i badeværelset";
  Trin__Survey__Statement *sts[] = {&a, &b, &c};
  Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
  sv.id = "S-FEED";
  sv.project_id = "P-FEED";
  sv.title = "Beboertilfredshed";
  sv.scale_min = 1;
  sv.scale_max = 5;
  sv.statements = sts;
  sv.n_statements = 3;
  OK(sv_create_when_known(env.svc, &sv, &e_));
  OK(sv_add_round(env.svc, "S-FEED", 1, "2024-01-01", "2024-01-31", &e_));

  set_mapping("respondentid", "Hvad er din rolle?", "", "Kommentar");
  import_file("surveyxact_export.csv", 4);
  /* Four respondents: every group suppressed, the row knows the survey. */
  wait_row(port, "P-FEED", "false/null");
  set_mapping("ID", "", "residents", "");
  import_file("forms_export.csv", 3);
  wait_row(port, "P-FEED", "false/3.57");

  assert_int_equal(testproc_stop(&agg), 0);
  testproc_cleanup(&agg);
  assert_true(survey_env_stop(&env));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(exports_reach_the_feed),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
