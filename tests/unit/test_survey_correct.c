/* survey.correct — corrections (issue 19) through the real correction and
 * import code inside an in-process server (ipc sockets, no process):
 * removing one respondent's answers takes them out of the round's
 * aggregates and count; when the group falls under the anonymity minimum
 * its alerts clear; clearing a round empties it so it can be imported
 * again; removing the answers of a round that had cleared an earlier
 * round's alert leaves that alert standing again; each removal emits its
 * event with who and why, followed by the alert and results events an
 * import emits; every refusal names its field in words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>
#include <uv.h>
#include <zmq.h>

#include "survey_access.h"
#include "survey_correct.h"
#include "survey_import.h"
#include "survey_store.h"
#include "trin_codec.h"
#include "trin_server.h"

static char dir[64];
static uv_loop_t loop;
static void *zctx;
static trin_store_t *store;
static trin_server_t *server;
static const uint8_t KEY[SURVEY_KEY_BYTES] = {9, 8, 7, 6, 5, 4, 3, 2, 1};
static int64_t survey_no;

typedef struct {
  survey_import_input_t in;
  Trin__Survey__ImportReply reply;
} import_job_t;

static int run_import(trin_request_t *req, void *data, trin_err_t *err) {
  import_job_t *j = data;
  return survey_import_run(req, KEY, &j->in, &j->reply, err);
}

/* A round of n respondents "<round>-<i>" in role residents, every
 * statement scored `score`. */
static void import_round(int round, int n, int score) {
  char csv[2048];
  size_t k = (size_t)snprintf(csv, sizeof csv, "respondent,role,A,B\n");
  for (int i = 0; i < n; i++)
    k += (size_t)snprintf(csv + k, sizeof csv - k, "%d-%d,residents,%d,%d\n", round, i, score,
                          score);
  import_job_t j = {.in = {.survey_id = "S1", .round = round, .csv = csv, .csv_len = k}};
  trin__survey__import_reply__init(&j.reply);
  trin_err_t err = {0};
  assert_int_equal(trin_server_apply(server, run_import, &j, &err), TRIN_OK);
  assert_int_equal(j.reply.added, n);
}

typedef struct {
  survey_correction_t c;
  trin_arena_t a;
  Trin__Survey__Removal out;
} correct_job_t;

static int run_correct(trin_request_t *req, void *data, trin_err_t *err) {
  correct_job_t *j = data;
  return survey_correct_run(req, KEY, &j->c, &j->a, &j->out, err);
}

/* Runs a correction; out's strings are copied into the caller's buffers
 * before the job's arena goes. */
static int correct(const char *respondent, int round, const char *reason,
                   Trin__Survey__Removal *out, char by[64], char rsp[40], trin_err_t *err) {
  correct_job_t j = {.c = {"S1", round, respondent, reason}, .a = TRIN_ARENA_INIT};
  memset(err, 0, sizeof *err);
  int rc = trin_server_apply(server, run_correct, &j, err);
  if (out) *out = j.out;
  if (by) snprintf(by, 64, "%s", j.out.removed_by ? j.out.removed_by : "");
  if (rsp) snprintf(rsp, 40, "%s", j.out.respondent ? j.out.respondent : "");
  if (out) out->removed_by = out->respondent = out->reason = out->removed_at = NULL;
  if (out) out->survey_id = out->project_id = out->role = NULL;
  trin_arena_reset(&j.a);
  return rc;
}

static int64_t count_rows(const char *sql) {
  trin_stmt_t *st;
  trin_err_t err;
  assert_int_equal(trin_store_stmt(store, sql, &st, &err), TRIN_OK);
  assert_int_equal(trin_stmt_step(st, &err), TRIN_STORE_ROW);
  int64_t n = trin_stmt_int64(st, 0);
  trin_stmt_reset(st);
  return n;
}

static int64_t last_seq(void) {
  return count_rows("SELECT COALESCE(MAX(seq), 0) FROM trin_outbox");
}

/* The types of the events after seq, space separated. */
static void events_after(int64_t seq, char *out, size_t size) {
  trin_stmt_t *st;
  trin_err_t err;
  assert_int_equal(trin_store_stmt(store, "SELECT type FROM trin_outbox WHERE seq > ? ORDER BY seq",
                                   &st, &err),
                   TRIN_OK);
  trin_stmt_bind_int64(st, 1, seq);
  size_t k = 0;
  out[0] = '\0';
  while (trin_stmt_step(st, &err) == TRIN_STORE_ROW && k < size)
    k += (size_t)snprintf(out + k, size - k, "%s%s", k ? " " : "", trin_stmt_text(st, 0));
  trin_stmt_reset(st);
}

/* The payload of the event at seq, decoded as d (trin_codec_free it). */
static ProtobufCMessage *event_payload(int64_t seq, const ProtobufCMessageDescriptor *d) {
  trin_stmt_t *st;
  trin_err_t err;
  assert_int_equal(trin_store_stmt(store, "SELECT event FROM trin_outbox WHERE seq = ?", &st,
                                   &err),
                   TRIN_OK);
  trin_stmt_bind_int64(st, 1, seq);
  assert_int_equal(trin_stmt_step(st, &err), TRIN_STORE_ROW);
  size_t len;
  const uint8_t *b = trin_stmt_blob(st, 0, &len);
  Trin__Event *ev = (Trin__Event *)protobuf_c_message_unpack(&trin__event__descriptor, NULL,
                                                             len, b);
  trin_stmt_reset(st);
  assert_non_null(ev);
  ProtobufCMessage *m =
      protobuf_c_message_unpack(d, NULL, ev->payload.len, ev->payload.data);
  protobuf_c_message_free_unpacked(&ev->base, NULL);
  assert_non_null(m);
  return m;
}

static int64_t standing(int round) {
  char sql[160];
  snprintf(sql, sizeof sql, "SELECT COUNT(*) FROM alerts WHERE survey_no = %lld AND round = %d",
           (long long)survey_no, round);
  return count_rows(sql);
}

static int64_t round_respondents(int round) {
  char sql[160];
  snprintf(sql, sizeof sql,
           "SELECT respondents FROM rounds WHERE survey_no = %lld AND number = %d",
           (long long)survey_no, round);
  return count_rows(sql);
}

static survey_agg_t agg(int round, int role, int stmt) {
  survey_agg_t cube[3 * SURVEY_NROLES * 2];
  trin_err_t err;
  assert_int_equal(survey_store_agg_load(store, survey_no, 3, 2, cube, &err), TRIN_OK);
  return cube[((round - 1) * SURVEY_NROLES + role) * 2 + stmt];
}

static int setup(void **state) {
  snprintf(dir, sizeof dir, "/tmp/trin-survey-correct-XXXXXX");
  if (!mkdtemp(dir)) return -1;
  char loc[128], ep[128], pub[128];
  snprintf(loc, sizeof loc, "%s/s.db", dir);
  snprintf(ep, sizeof ep, "ipc://%s/r", dir);
  snprintf(pub, sizeof pub, "ipc://%s/p", dir);
  trin_err_t err;
  trin_store_options_t so = {.location = loc, .sync = TRIN_STORE_SYNC_NORMAL};
  if (trin_store_open(&so, &store, &err) || survey_store_migrate(store, &err)) return -1;
  uv_loop_init(&loop);
  zctx = zmq_ctx_new();
  trin_server_options_t o = {.service = "survey", .endpoint = ep, .pub_endpoint = pub,
                             .heartbeat_ms = 0};
  if (trin_server_new(&loop, zctx, store, &o, &server, &err)) return -1;
  /* Two statements on 1–5, an alert below 3,00, three rounds. */
  Trin__Survey__Statement a = TRIN__SURVEY__STATEMENT__INIT, b = TRIN__SURVEY__STATEMENT__INIT;
  a.key = "A";
  a.text = "Vi bliver hørt";
  b.key = "B";
  b.text = "Dialogen er god";
  Trin__Survey__Statement *sts[] = {&a, &b};
  Trin__Survey__Thresholds t = TRIN__SURVEY__THRESHOLDS__INIT;
  t.floor_x100 = 300;
  Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
  sv.id = "S1";
  sv.project_id = "P1";
  sv.title = "Tilfredshed";
  sv.scale_min = 1;
  sv.scale_max = 5;
  sv.min_respondents = 5;
  sv.thresholds = &t;
  sv.statements = sts;
  sv.n_statements = 2;
  if (trin_store_begin(store, &err) ||
      survey_store_project_upsert(store, "P1", "", "KAB", &err) ||
      survey_store_survey_insert(store, &sv, &err))
    return -1;
  trin_arena_t ar = TRIN_ARENA_INIT;
  Trin__Survey__Survey got;
  if (survey_store_survey_get(store, "S1", "survey_id", &ar, &got, &survey_no, &err)) return -1;
  const char *dates[3][2] = {{"2024-01-01", "2024-01-31"}, {"2024-06-01", "2024-06-30"},
                             {"2025-01-01", "2025-01-31"}};
  for (int i = 0; i < 3; i++) {
    Trin__Survey__Round r = TRIN__SURVEY__ROUND__INIT;
    r.number = i + 1;
    r.opens = (char *)dates[i][0];
    r.closes = (char *)dates[i][1];
    if (survey_store_round_insert(store, survey_no, &r, &err)) return -1;
  }
  trin_arena_reset(&ar);
  return trin_store_commit(store, &err) ? -1 : 0;
}

static int teardown(void **state) {
  trin_server_destroy(&server);
  uv_run(&loop, UV_RUN_NOWAIT);
  uv_loop_close(&loop);
  zmq_ctx_term(zctx);
  trin_store_destroy(&store);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  return system(cmd) == 0 ? 0 : -1;
}

static void removing_answers_and_clearing_a_round(void **state) {
  trin_err_t err;
  Trin__Survey__Removal out;
  char by[64], rsp[40], types[512];
  import_round(1, 6, 4);
  import_round(2, 6, 1); /* the wrong file: every mean 1,00, below the floor */
  assert_int_equal(standing(2), 4); /* A and B, residents and all */
  int residents = survey_role_parse("residents", "role", &err);
  assert_int_equal(agg(2, residents, 0).count, 6);

  /* refusals, in words, naming the field */
  assert_int_equal(correct("2-0", 2, "  ", NULL, NULL, NULL, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "reason");
  assert_string_equal(err.message, "is required: say why the answers are removed");
  assert_int_equal(correct("2-0", 9, "fejl", NULL, NULL, NULL, &err), TRIN_ENOTFOUND);
  assert_string_equal(err.field, "round");
  assert_string_equal(err.message, "survey 'S1' has no round 9");
  assert_int_equal(correct("nobody", 2, "fejl", NULL, NULL, NULL, &err), TRIN_ENOTFOUND);
  assert_string_equal(err.field, "respondent");
  assert_string_equal(err.message, "round 2 of survey 'S1' has no answers from respondent "
                                   "'nobody'");
  assert_int_equal(correct("", 2, "fejl", NULL, NULL, NULL, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "respondent");
  assert_int_equal(correct(NULL, 3, "fejl", NULL, NULL, NULL, &err), TRIN_ECONFLICT);
  assert_string_equal(err.field, "round");
  assert_string_equal(err.message, "round 3 of survey 'S1' has no answers to remove");
  assert_int_equal(round_respondents(2), 6);

  /* one respondent out: 5 left, still visible, the alerts stand */
  int64_t seq = last_seq();
  assert_int_equal(correct("2-0", 2, "svarede for en anden afdeling", &out, by, rsp, &err),
                   TRIN_OK);
  assert_int_equal(out.responses, 1);
  assert_int_equal(out.answers, 2);
  assert_int_equal(out.respondents_left, 5);
  assert_string_equal(by, "local");
  assert_int_equal(strlen(rsp), 2 * SURVEY_HASH_BYTES);
  assert_int_equal(round_respondents(2), 5);
  assert_int_equal(agg(2, residents, 0).count, 5);
  assert_int_equal(agg(2, residents, 0).sum, 5);
  assert_int_equal(standing(2), 4);
  events_after(seq, types, sizeof types);
  assert_string_equal(types, "survey.response_removed survey.results_changed");
  Trin__Survey__Removal *ev =
      (Trin__Survey__Removal *)event_payload(seq + 1, &trin__survey__removal__descriptor);
  assert_string_equal(ev->reason, "svarede for en anden afdeling");
  assert_string_equal(ev->role, "residents");
  assert_string_equal(ev->respondent, rsp);
  assert_int_equal(ev->round, 2);
  protobuf_c_message_free_unpacked(&ev->base, NULL);
  /* the same respondent again: gone */
  assert_int_equal(correct("2-0", 2, "igen", NULL, NULL, NULL, &err), TRIN_ENOTFOUND);

  /* another: 4 left, under the minimum: nothing visible, the alerts clear */
  seq = last_seq();
  assert_int_equal(correct("2-1", 2, "dublet", &out, NULL, NULL, &err), TRIN_OK);
  assert_int_equal(standing(2), 0);
  events_after(seq, types, sizeof types);
  assert_string_equal(types, "survey.response_removed survey.alert_cleared "
                             "survey.alert_cleared survey.alert_cleared survey.alert_cleared "
                             "survey.results_changed");

  /* the round cleared: empty, and round 1 speaks again */
  seq = last_seq();
  assert_int_equal(correct(NULL, 2, "forkert fil importeret", &out, NULL, rsp, &err), TRIN_OK);
  assert_int_equal(out.responses, 4);
  assert_int_equal(out.answers, 8);
  assert_int_equal(out.respondents_left, 0);
  assert_string_equal(rsp, "");
  assert_int_equal(round_respondents(2), 0);
  assert_int_equal(agg(2, residents, 0).count, 0);
  assert_int_equal(count_rows("SELECT COUNT(*) FROM responses WHERE round = 2"), 0);
  events_after(seq, types, sizeof types);
  assert_string_equal(types, "survey.round_cleared survey.results_changed "
                             "survey.results_changed");
  Trin__Survey__RoundResults *res = (Trin__Survey__RoundResults *)event_payload(
      seq + 3, &trin__survey__round_results__descriptor);
  assert_int_equal(res->round, 1);
  assert_int_equal(res->latest_answered_round, 1);
  protobuf_c_message_free_unpacked(&res->base, NULL);
  assert_int_equal(correct(NULL, 2, "igen", NULL, NULL, NULL, &err), TRIN_ECONFLICT);

  /* imported again, the right file this time */
  import_round(2, 6, 4);
  assert_int_equal(round_respondents(2), 6);
  assert_int_equal(agg(2, residents, 0).sum, 24);
  assert_int_equal(standing(2), 0);
}

/* Round 2 raised alerts, round 3 recovered and cleared them; round 3's
 * answers were wrong: without them round 2's alerts stand again. */
static void clearing_the_round_that_cleared_an_alert(void **state) {
  trin_err_t err;
  import_round(1, 6, 4);
  import_round(2, 6, 2);
  assert_int_equal(standing(2), 4);
  import_round(3, 6, 4);
  assert_int_equal(standing(2), 0);
  int64_t seq = last_seq();
  assert_int_equal(correct(NULL, 3, "runde 3 var testdata", NULL, NULL, NULL, &err), TRIN_OK);
  assert_int_equal(standing(2), 4);
  char types[512];
  events_after(seq, types, sizeof types);
  assert_string_equal(types, "survey.round_cleared survey.alert_raised survey.alert_raised "
                             "survey.alert_raised survey.alert_raised survey.results_changed "
                             "survey.results_changed");
}

static trin_caller_t caller(const char *org, const char *role) {
  trin_caller_t c;
  memset(&c, 0, sizeof c);
  c.authenticated = true;
  snprintf(c.org, sizeof c.org, "%s", org);
  snprintf(c.role, sizeof c.role, "%s", role);
  return c;
}

/* Who imports answers may remove them (the client's writers, resident
 * committees); a reader may neither remove answers nor acknowledge an
 * alert, and is told who may. */
static void who_may_correct_and_acknowledge(void **state) {
  (void)state;
  trin_err_t err;
  void *t = (void *)&survey_access;
  trin_caller_t rd = caller("alfa", "reader"), w = caller("alfa", "writer"),
                res = caller("afd", "resident"), adv = caller("raad", "advisor");
  assert_int_equal(trin_access_gate(&rd, "trin.survey.AcknowledgeAlert", t, &err),
                   TRIN_EFORBIDDEN);
  assert_string_equal(err.message, "organisation \"alfa\" (role reader) may not acknowledge "
                                   "a survey alert (trin.survey.AcknowledgeAlert): only writer "
                                   "(bygherre) or advisor (rådgiver) may");
  assert_int_equal(trin_access_gate(&adv, "trin.survey.AcknowledgeAlert", t, &err), TRIN_OK);
  const char *corrections[] = {"trin.survey.RemoveResponse", "trin.survey.ClearRound"};
  for (int i = 0; i < 2; i++) {
    assert_int_equal(trin_access_gate(&rd, corrections[i], t, &err), TRIN_EFORBIDDEN);
    assert_non_null(strstr(err.message, "only writer (bygherre) or resident (beboerrepræsentant) may"));
    assert_int_equal(trin_access_gate(&adv, corrections[i], t, &err), TRIN_EFORBIDDEN);
    assert_int_equal(trin_access_gate(&w, corrections[i], t, &err), TRIN_OK);
    assert_int_equal(trin_access_gate(&res, corrections[i], t, &err), TRIN_OK);
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(removing_answers_and_clearing_a_round, setup, teardown),
      cmocka_unit_test_setup_teardown(clearing_the_round_that_cleared_an_alert, setup, teardown),
      cmocka_unit_test(who_may_correct_and_acknowledge),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
