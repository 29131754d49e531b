/* survey.keys_migration — schema version 2 keys surveys and their
 * statements, rounds, responses, aggregates and alerts by project
 * (docs/postgresql.md, "Distributing the schema"). A store written by
 * version 1 is reopened and migrated: every row is still there and found by
 * the survey's number, a new survey numbers on, and a survey id another
 * project already uses is still refused with CONFLICT. Its twin
 * survey.keys_migration.pg runs it on PostgreSQL. */
#include "keys_test.h"

#include "survey_store.h"
#include "trin_arena.h"

/* Rows as version 1 held them: survey 1 in p1 with two statements, a round,
 * one response, its aggregate and an alert; survey 2 in p2. */
static const char *V1_ROWS =
    "INSERT INTO projects (id, partnership_id, client_org) VALUES"
    " ('p1', 'pa', 'kommune'), ('p2', '', 'kommune');"
    "INSERT INTO surveys (no, id, project_id, title, scale_min, scale_max, min_respondents,"
    " drop_from_previous, drop_from_baseline, floor, imports) VALUES"
    " (1, 's1', 'p1', 'Trust', 1, 5, 1, 50, 50, 300, 1),"
    " (2, 's2', 'p2', 'Other', 1, 5, 1, 50, 50, 300, 0);"
    "INSERT INTO statements (survey_no, n, key, text, common) VALUES"
    " (1, 0, 'trust', 'We trust each other', 1), (1, 1, 'pace', 'The pace is right', 0);"
    "INSERT INTO rounds (survey_no, number, opens, closes, respondents) VALUES"
    " (1, 1, '2025-01-01', '2025-01-31', 1);"
    "INSERT INTO alerts (survey_no, round, grp, stmt, kind, mean_x100, reference_x100,"
    " threshold_x100) VALUES (1, 1, 5, 0, 2, 200, 300, 300);";

static const uint8_t HASH[SURVEY_HASH_BYTES] = {1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16};
static const uint8_t SCORES[2] = {2, 4};

/* The blob rows, through parameters (the literal syntax differs). */
static void v1_blob_rows(trin_store_t *s) {
  trin_err_t err = {0};
  trin_stmt_t *st;
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  assert_int_equal(trin_store_stmt(s,
                                   "INSERT INTO responses (survey_no, round, respondent, role,"
                                   " scores, comment, import_no) VALUES (1, 1, ?, 0, ?, 'ok', 1)",
                                   &st, &err),
                   TRIN_OK);
  trin_stmt_bind_blob(st, 1, HASH, sizeof HASH);
  trin_stmt_bind_blob(st, 2, SCORES, sizeof SCORES);
  assert_int_equal(trin_stmt_run(st, &err), TRIN_OK);
  uint8_t dist[SURVEY_MAX_POINTS * 8] = {0};
  dist[2 * 8] = 1; /* one answer of 2 */
  assert_int_equal(trin_store_stmt(s,
                                   "INSERT INTO aggregates (survey_no, round, role, stmt, count,"
                                   " sum, dist) VALUES (1, 1, 0, 0, 1, 2, ?)",
                                   &st, &err),
                   TRIN_OK);
  trin_stmt_bind_blob(st, 1, dist, sizeof dist);
  assert_int_equal(trin_stmt_run(st, &err), TRIN_OK);
  assert_int_equal(trin_store_commit(s, &err), TRIN_OK);
}

static void test_v1_store_migrates_intact(void **state) {
  (void)state;
  char loc[512];
  keys_location(loc, sizeof loc, "survey_keys");
  trin_err_t err = {0};
  trin_store_t *s = keys_open(loc);
  assert_int_equal(survey_store_migrate_to(s, 1, &err), TRIN_OK);
  keys_exec(s, V1_ROWS);
  v1_blob_rows(s);
  trin_store_destroy(&s);

  s = keys_open(loc);
  assert_int_equal(survey_store_migrate(s, &err), TRIN_OK);
  /* version 3 (issue 19) starts the alert log with the standing alert */
  assert_int_equal(keys_version(s, "survey"), 3);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM alert_log WHERE project_id = 'p1'"
                               " AND cleared_round = -1"),
                   1);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM responses WHERE project_id = 'p1'"), 1);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM statements WHERE project_id = 'p1'"), 2);

  trin_arena_t a = TRIN_ARENA_INIT;
  survey_survey_msg_t sv;
  int64_t no = 0;
  assert_int_equal(survey_store_survey_get(s, "s1", "survey_id", &a, &sv, &no, &err), TRIN_OK);
  assert_int_equal(no, 1);
  assert_string_equal(sv.project_id, "p1");
  assert_string_equal(sv.partnership_id, "pa");
  assert_int_equal(sv.n_statements, 2);
  assert_string_equal(sv.statements[1]->key, "pace");
  assert_int_equal(sv.n_rounds, 1);
  assert_int_equal(sv.rounds[0]->respondents, 1);
  char **ids;
  size_t n;
  assert_int_equal(survey_store_surveys_with_common(s, "trust", "", &a, &ids, &n, &err),
                   TRIN_OK);
  assert_int_equal(n, 1);
  assert_string_equal(ids[0], "s1");
  survey_agg_t cube[SURVEY_NROLES * 2];
  assert_int_equal(survey_store_agg_load(s, 1, 1, 2, cube, &err), TRIN_OK);
  assert_int_equal(cube[0].count, 1);
  assert_int_equal(cube[0].sum, 2);
  assert_int_equal(cube[0].dist[2], 1);
  survey_alert_row_t *alerts = NULL;
  assert_int_equal(survey_store_alerts_load(s, 1, 1, &alerts, &n, &err), TRIN_OK);
  assert_int_equal(n, 1);
  assert_int_equal(alerts[0].mean_x100, 200);

  /* The migrated response is found by the survey's number: the same import
   * again is a duplicate, a later one with new scores replaces it. */
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  survey_put_t out;
  int old_role = -1;
  uint8_t old[2];
  assert_int_equal(survey_store_response_put(s, 1, 1, HASH, 0, SCORES, 2, "ok", 1, &out,
                                             &old_role, old, &err),
                   TRIN_OK);
  assert_int_equal(out, SURVEY_PUT_DUPLICATE);
  const uint8_t again[2] = {5, 5};
  assert_int_equal(survey_store_response_put(s, 1, 1, HASH, 1, again, 2, "", 2, &out,
                                             &old_role, old, &err),
                   TRIN_OK);
  assert_int_equal(out, SURVEY_PUT_REPLACED);
  assert_int_equal(old_role, 0);
  assert_memory_equal(old, SCORES, 2);
  assert_int_equal(survey_store_alert_delete(s, 1, &alerts[0], &err), TRIN_OK);
  free(alerts);

  /* A new survey numbers on from the migrated ones; its rows carry p2. */
  survey_survey_msg_t nv;
  trin__survey__survey__init(&nv);
  nv.id = "s3";
  nv.project_id = "p2";
  nv.title = "New";
  nv.scale_min = 1;
  nv.scale_max = 5;
  nv.min_respondents = 1;
  survey_statement_msg_t st0;
  trin__survey__statement__init(&st0);
  st0.key = "trust";
  st0.text = "We trust each other";
  st0.common = true;
  survey_statement_msg_t *stp[1] = {&st0};
  nv.statements = stp;
  nv.n_statements = 1;
  assert_int_equal(survey_store_survey_insert(s, &nv, &err), TRIN_OK);
  int64_t no3 = 0;
  survey_survey_msg_t got;
  assert_int_equal(survey_store_survey_get(s, "s3", "survey_id", &a, &got, &no3, &err), TRIN_OK);
  assert_int_equal(no3, 3);
  survey_round_msg_t r;
  trin__survey__round__init(&r);
  r.number = 1;
  r.opens = "2025-02-01";
  r.closes = "2025-02-28";
  assert_int_equal(survey_store_round_insert(s, no3, &r, &err), TRIN_OK);
  /* A failed statement spoils a PostgreSQL transaction: undo to a savepoint. */
  assert_int_equal(trin_store_savepoint(s, &err), TRIN_OK);
  assert_int_equal(survey_store_round_insert(s, no3, &r, &err), TRIN_ECONFLICT);
  assert_int_equal(trin_store_rollback_to(s, &err), TRIN_OK);
  assert_int_equal(survey_store_response_put(s, no3, 1, HASH, 2, SCORES, 1, NULL, 1, &out,
                                             &old_role, old, &err),
                   TRIN_OK);
  assert_int_equal(out, SURVEY_PUT_ADDED);
  survey_agg_t delta = {.count = 1, .sum = 2};
  assert_int_equal(survey_store_agg_add(s, no3, 1, 2, 0, &delta, &err), TRIN_OK);
  survey_alert_row_t al = {.round = 1, .group = 2, .stmt = 0, .kind = 1, .mean_x100 = 100};
  assert_int_equal(survey_store_alert_put(s, no3, &al, &err), TRIN_OK);
  assert_int_equal(trin_store_commit(s, &err), TRIN_OK);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM rounds WHERE project_id = 'p2'"), 1);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM responses WHERE project_id = 'p2'"), 1);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM aggregates WHERE project_id = 'p2'"), 1);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM alerts WHERE project_id = 'p2'"), 1);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM alerts WHERE project_id = 'p1'"), 0);
  assert_int_equal(survey_store_surveys_with_common(s, "trust", "", &a, &ids, &n, &err),
                   TRIN_OK);
  assert_int_equal(n, 2);

  /* An id is one survey, whichever project asks. */
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  nv.id = "s1";
  assert_int_equal(survey_store_survey_insert(s, &nv, &err), TRIN_ECONFLICT);
  assert_string_equal(err.field, "survey.id");
  assert_string_equal(err.message, "survey 's1' already exists");
  assert_int_equal(trin_store_rollback(s, &err), TRIN_OK);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM surveys"), 3);

  /* Reopened once more: nothing left to run, everything still there. */
  trin_store_destroy(&s);
  s = keys_open(loc);
  assert_int_equal(survey_store_migrate(s, &err), TRIN_OK);
  assert_int_equal(survey_store_survey_get(s, "s1", "survey_id", &a, &sv, &no, &err), TRIN_OK);
  assert_int_equal(sv.n_statements, 2);
  trin_arena_reset(&a);
  trin_store_destroy(&s);
  keys_remove(loc);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_v1_store_migrates_intact)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
