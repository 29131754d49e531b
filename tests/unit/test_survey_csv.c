/* survey.csv — importing a survey tool's CSV export through the real
 * import code inside an in-process server (ipc sockets, no process): ','
 * and ';' separators, BOM and CRLF, quoted comments with separators and
 * newlines, decimal commas, empty lines and unanswered cells; a broken row
 * refuses the whole file with its line number and stores nothing; a
 * re-sent file is not counted twice and a changed answer replaces the old
 * one in the running aggregates; the Response-list path names its field;
 * a cell with a NUL byte or bytes that are not UTF-8 is refused with its
 * line and column, and so is such a respondent in a Response list; Danish
 * column names; a Windows-1252 file refused with advice, or converted when
 * the request says encoding windows-1252. Imports larger than a batch of
 * the store (SURVEY_STORE_BATCH) count and aggregate exactly as row by row,
 * and a respondent repeated across batches is refused at its own line.
 * Its twin survey.csv.pg runs the same on PostgreSQL. */
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

#include "../pg/pg_test.h"
#include "survey_import.h"
#include "survey_store.h"
#include "trin_server.h"

static char dir[64];
static uv_loop_t loop;
static void *zctx;
static trin_store_t *store;
static trin_server_t *server;
static const uint8_t KEY[SURVEY_KEY_BYTES] = {1, 2, 3, 4, 5, 6, 7, 8, 9};
static int64_t survey_no;

typedef struct {
  char s[(2 * SURVEY_STORE_BATCH + 144) * 24 + 64];
  size_t len;
} sbuf_like_t;

typedef struct {
  survey_import_input_t in;
  Trin__Survey__ImportReply reply;
} job_t;

static int run_import(trin_request_t *req, void *data, trin_err_t *err) {
  job_t *j = data;
  return survey_import_run(req, KEY, &j->in, &j->reply, err);
}

static int import_csv_n(const char *csv, size_t len, Trin__Survey__ImportReply *reply,
                        trin_err_t *err) {
  job_t j = {.in = {.survey_id = "S1", .round = 1, .csv = csv, .csv_len = len}};
  trin__survey__import_reply__init(&j.reply);
  memset(err, 0, sizeof *err);
  int rc = trin_server_apply(server, run_import, &j, err);
  if (reply) *reply = j.reply;
  return rc;
}

static int import_csv(const char *csv, Trin__Survey__ImportReply *reply, trin_err_t *err) {
  return import_csv_n(csv, strlen(csv), reply, err);
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

static survey_agg_t agg(int role, int stmt) {
  survey_agg_t cube[SURVEY_NROLES * 3];
  trin_err_t err;
  assert_int_equal(survey_store_agg_load(store, survey_no, 1, 3, cube, &err), TRIN_OK);
  return cube[role * 3 + stmt];
}

static int setup(void **state) {
  snprintf(dir, sizeof dir, "/tmp/trin-survey-csv-XXXXXX");
  if (!mkdtemp(dir)) return -1;
  char loc[128], ep[128], pub[128];
  snprintf(loc, sizeof loc, "%s/s.db", dir);
  char pg_loc[512];
  if (pg_test_wanted()) pg_test_location(pg_loc, sizeof pg_loc, "survey_csv");
  snprintf(ep, sizeof ep, "ipc://%s/r", dir);
  snprintf(pub, sizeof pub, "ipc://%s/p", dir);
  trin_err_t err;
  trin_store_options_t so = {.location = pg_test_wanted() ? pg_loc : loc,
                             .sync = TRIN_STORE_SYNC_NORMAL};
  if (trin_store_open(&so, &store, &err) || survey_store_migrate(store, &err)) return -1;
  uv_loop_init(&loop);
  zctx = zmq_ctx_new();
  trin_server_options_t o = {.service = "survey", .endpoint = ep, .pub_endpoint = pub,
                             .heartbeat_ms = 0};
  if (trin_server_new(&loop, zctx, store, &o, &server, &err)) return -1;

  /* A project and a survey with three statements on 1–5 and one round. */
  Trin__Survey__Statement a = TRIN__SURVEY__STATEMENT__INIT, b = TRIN__SURVEY__STATEMENT__INIT,
                          c = TRIN__SURVEY__STATEMENT__INIT;
  a.key = "TRUST_ECONOMY";
  a.text = "Vi har tillid til økonomien";
  a.common = true;
  b.key = "DIALOGUE";
  b.text = "Dialogen er god";
  c.key = "TILES";
  c.text = "Valget af fliser";
  Trin__Survey__Statement *sts[] = {&a, &b, &c};
  Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
  sv.id = "S1";
  sv.project_id = "P1";
  sv.title = "Tilfredshed";
  sv.scale_min = 1;
  sv.scale_max = 5;
  sv.min_respondents = 5;
  sv.statements = sts;
  sv.n_statements = 3;
  Trin__Survey__Round r = TRIN__SURVEY__ROUND__INIT;
  r.number = 1;
  r.opens = "2024-01-01";
  r.closes = "2024-01-31";
  if (trin_store_begin(store, &err) ||
      survey_store_project_upsert(store, "P1", "", "KAB", &err) ||
      survey_store_survey_insert(store, &sv, &err))
    return -1;
  trin_arena_t ar = TRIN_ARENA_INIT;
  Trin__Survey__Survey got;
  if (survey_store_survey_get(store, "S1", "survey_id", &ar, &got, &survey_no, &err) ||
      survey_store_round_insert(store, survey_no, &r, &err) || trin_store_commit(store, &err))
    return -1;
  trin_arena_reset(&ar);
  return 0;
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

/* Every failing import below must leave the store as it was. */
static void assert_untouched(int64_t responses, int64_t aggregates) {
  assert_int_equal(count_rows("SELECT count(*) FROM responses"), responses);
  assert_int_equal(count_rows("SELECT count(*) FROM aggregates"), aggregates);
}

static void broken_rows_store_nothing(void **state) {
  Trin__Survey__ImportReply r;
  trin_err_t err;
  /* A score off the scale on line 4 (after an empty line 3). */
  assert_int_equal(import_csv("respondent,role,TRUST_ECONOMY\n"
                              "a,residents,4\n"
                              "\n"
                              "b,residents,7\n",
                              &r, &err),
                   TRIN_EINVALID);
  assert_string_equal(err.field, "csv");
  assert_non_null(strstr(err.message, "line 4: TRUST_ECONOMY: "));
  assert_non_null(strstr(err.message, "outside the scale 1–5"));
  assert_untouched(0, 0);
  /* An unterminated quote. */
  assert_int_equal(import_csv("respondent,role,TRUST_ECONOMY,comment\n"
                              "a,residents,4,fine\n"
                              "b,residents,3,\"open\n",
                              &r, &err),
                   TRIN_EINVALID);
  assert_non_null(strstr(err.message, "line 3"));
  assert_untouched(0, 0);
  /* A column that is no statement: the header's line. */
  assert_int_equal(import_csv("respondent,role,TRUST_ECONOMI\na,residents,4\n", &r, &err),
                   TRIN_EINVALID);
  assert_non_null(strstr(err.message, "line 1: column 3 'TRUST_ECONOMI'"));
  /* Too few fields, a bad role, a half score, nothing scored, no respondent. */
  const char *bad[][2] = {
      {"respondent,role,TRUST_ECONOMY\na,residents\n", "line 2: 2 fields"},
      {"respondent,role,TRUST_ECONOMY\na,mayor,4\n", "line 2: role: 'mayor'"},
      {"respondent;role;TRUST_ECONOMY\na;residents;4,5\n", "line 2: TRUST_ECONOMY: '4,5' is not a whole"},
      {"respondent,role,TRUST_ECONOMY\na,residents,\n", "line 2: no statement is scored"},
      {"respondent,role,TRUST_ECONOMY\n,residents,3\n", "line 2: respondent must be"},
      {"respondent,TRUST_ECONOMY\na,3\n", "line 1: the header needs"},
      {"respondent,role,TRUST_ECONOMY\na,residents,3\nb,client,3\na,residents,3\n",
       "line 4: respondent 'a' appears more than once"},
      {"respondent,role,TRUST_ECONOMY\n", "header but no responses"},
  };
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    int rc = import_csv(bad[i][0], &r, &err);
    if (rc != TRIN_EINVALID || !strstr(err.message, bad[i][1]))
      print_error("case %zu: rc %d, '%s'\n", i, rc, err.message);
    assert_int_equal(rc, TRIN_EINVALID);
    assert_string_equal(err.field, "csv");
    assert_non_null(strstr(err.message, bad[i][1]));
    assert_untouched(0, 0);
  }
}

/* Two full batches of the store and a rest; then 100 more respondents. */
#define BIG (2 * SURVEY_STORE_BATCH + 44)
#define BIGGER (BIG + 100)

/* n rows; respondent k answers DIALOGUE with 1 + (k + shift) % 5, and row
 * repeat_at names p0003 again. */
static void big_csv(sbuf_like_t *b, int n, int shift, int repeat_at) {
  b->len = (size_t)snprintf(b->s, sizeof b->s, "respondent,role,DIALOGUE\n");
  for (int k = 0; k < n; k++) {
    int who = k == repeat_at ? 3 : k;
    b->len += (size_t)snprintf(b->s + b->len, sizeof b->s - b->len, "p%04d,residents,%d\n", who,
                               1 + (who + shift) % 5);
  }
}

static int64_t big_sum(int n, int shift) {
  int64_t sum = 0;
  for (int k = 0; k < n; k++) sum += 1 + (k + shift) % 5;
  return sum;
}

static void imports_bigger_than_a_batch(void **state) {
  int64_t before = count_rows("SELECT count(*) FROM responses");
  survey_agg_t d0 = agg(SURVEY_ROLE_RESIDENTS, 1);
  static sbuf_like_t b;
  /* p0003 again in the second batch: refused at its line, nothing stored. */
  int repeat = SURVEY_STORE_BATCH + 122;
  big_csv(&b, BIG, 0, repeat);
  Trin__Survey__ImportReply r;
  trin_err_t err;
  assert_int_equal(import_csv(b.s, &r, &err), TRIN_EINVALID);
  char line[32];
  snprintf(line, sizeof line, "line %d:", repeat + 2);
  assert_non_null(strstr(err.message, line));
  assert_non_null(strstr(err.message, "p0003"));
  assert_non_null(strstr(err.message, "more than once"));
  assert_int_equal(count_rows("SELECT count(*) FROM responses"), before);
  /* The same file without the repeat: all added, counted and summed as
   * one by one. */
  big_csv(&b, BIG, 0, -1);
  assert_int_equal(import_csv(b.s, &r, &err), TRIN_OK);
  assert_int_equal(r.received, BIG);
  assert_int_equal(r.added, BIG);
  assert_int_equal(count_rows("SELECT count(*) FROM responses"), before + BIG);
  survey_agg_t d1 = agg(SURVEY_ROLE_RESIDENTS, 1);
  assert_int_equal(d1.count - d0.count, BIG);
  assert_int_equal(d1.sum - d0.sum, big_sum(BIG, 0));
  /* Again with every answer moved by one: all replaced, none added, the
   * sums follow; then once more, all unchanged. */
  big_csv(&b, BIG, 1, -1);
  assert_int_equal(import_csv(b.s, &r, &err), TRIN_OK);
  assert_int_equal(r.added, 0);
  assert_int_equal(r.replaced, BIG);
  survey_agg_t d2 = agg(SURVEY_ROLE_RESIDENTS, 1);
  assert_int_equal(d2.count, d1.count);
  assert_int_equal(d2.sum - d0.sum, big_sum(BIG, 1));
  assert_int_equal(import_csv(b.s, &r, &err), TRIN_OK);
  assert_int_equal(r.unchanged, BIG);
  assert_int_equal(r.replaced, 0);
  /* A file that both adds 100 and replaces the rest. */
  big_csv(&b, BIGGER, 2, -1);
  assert_int_equal(import_csv(b.s, &r, &err), TRIN_OK);
  assert_int_equal(r.added, 100);
  assert_int_equal(r.replaced, BIG);
  survey_agg_t d3 = agg(SURVEY_ROLE_RESIDENTS, 1);
  assert_int_equal(d3.count - d0.count, BIGGER);
  assert_int_equal(d3.sum - d0.sum, big_sum(BIGGER, 2));
  int64_t dist = 0;
  for (int v = 0; v < SURVEY_MAX_POINTS; v++) dist += d3.dist[v] - d0.dist[v];
  assert_int_equal(dist, BIGGER);
  assert_int_equal(count_rows("SELECT count(*) FROM responses"), before + BIGGER);
}

static void separators_bom_quotes_and_decimal_commas(void **state) {
  Trin__Survey__ImportReply r;
  trin_err_t err;
  /* ';' with a BOM, CRLF, a decimal comma, Danish role words, a quoted
   * comment holding ';' and a newline, an empty line, an unanswered cell,
   * columns in another order than the survey's statements. */
  const char *csv = "\xEF\xBB\xBFrespondent;role;DIALOGUE;TRUST_ECONOMY;comment\r\n"
                    "r1;Beboer;5;4,0;\"godt; rigtig godt\r\nfortsæt\"\r\n"
                    "\r\n"
                    "r2;beboere;4;3;\r\n"
                    "r3;residents;;2;\r\n"
                    "r4;Følgegruppe;3;5;\r\n";
  int rc = import_csv(csv, &r, &err);
  if (rc) print_error("%s: %s\n", err.field, err.message);
  assert_int_equal(rc, TRIN_OK);
  assert_int_equal(r.received, 4);
  assert_int_equal(r.added, 4);
  assert_int_equal(r.unchanged, 0);
  survey_agg_t te = agg(SURVEY_ROLE_RESIDENTS, 0), dl = agg(SURVEY_ROLE_RESIDENTS, 1);
  assert_int_equal(te.count, 3);
  assert_int_equal(te.sum, 9); /* 4 + 3 + 2 */
  assert_int_equal(te.dist[1], 1);
  assert_int_equal(te.dist[2], 1);
  assert_int_equal(te.dist[3], 1);
  assert_int_equal(dl.count, 2); /* r3 did not answer DIALOGUE */
  assert_int_equal(dl.sum, 9);
  assert_int_equal(agg(SURVEY_ROLE_RESIDENT_COMMITTEE, 0).sum, 5);
  assert_int_equal(agg(SURVEY_ROLE_RESIDENTS, 2).count, 0); /* TILES: no column */
  assert_int_equal(count_rows("SELECT count(*) FROM responses"), 4);
  assert_int_equal(count_rows("SELECT respondents FROM rounds"), 4);
  /* The respondent is kept only as a 16-byte keyed hash. */
  assert_int_equal(count_rows("SELECT count(*) FROM responses WHERE length(respondent) = 16"
                              " AND CAST(respondent AS TEXT) NOT LIKE '%r1%'"),
                   4);
  assert_int_equal(count_rows("SELECT count(*) FROM responses WHERE comment LIKE "
                              "'godt; rigtig godt%fortsæt'"),
                   1);

  /* ',' separated, same respondents, same answers: nothing counted twice. */
  const char *again = "respondent,role,TRUST_ECONOMY,DIALOGUE,comment\n"
                      "r2,residents,3,4,\n"
                      "r3,residents,2,,\n";
  assert_int_equal(import_csv(again, &r, &err), TRIN_OK);
  assert_int_equal(r.received, 2);
  assert_int_equal(r.added, 0);
  assert_int_equal(r.unchanged, 2);
  assert_int_equal(r.seq, 0); /* nothing changed, no event */
  te = agg(SURVEY_ROLE_RESIDENTS, 0);
  assert_int_equal(te.count, 3);
  assert_int_equal(te.sum, 9);

  /* r3 changes its mind (2 -> 5) and moves to the committee: replaced. */
  assert_int_equal(import_csv("respondent,role,TRUST_ECONOMY\nr3,resident_committee,5\n", &r,
                              &err),
                   TRIN_OK);
  assert_int_equal(r.replaced, 1);
  assert_true(r.seq > 0);
  te = agg(SURVEY_ROLE_RESIDENTS, 0);
  assert_int_equal(te.count, 2);
  assert_int_equal(te.sum, 7);
  assert_int_equal(te.dist[1], 0);
  survey_agg_t cm = agg(SURVEY_ROLE_RESIDENT_COMMITTEE, 0);
  assert_int_equal(cm.count, 2);
  assert_int_equal(cm.sum, 10);
  assert_int_equal(count_rows("SELECT count(*) FROM responses"), 4);
  assert_int_equal(count_rows("SELECT respondents FROM rounds"), 4);
}

static int import_list(Trin__Survey__Response **rs, size_t n, trin_err_t *err) {
  job_t j = {.in = {.survey_id = "S1", .round = 1, .responses = rs, .n_responses = n}};
  trin__survey__import_reply__init(&j.reply);
  memset(err, 0, sizeof *err);
  return trin_server_apply(server, run_import, &j, err);
}

static void response_list_names_the_field(void **state) {
  Trin__Survey__Response__ScoresEntry e1 = TRIN__SURVEY__RESPONSE__SCORES_ENTRY__INIT,
                                      e2 = TRIN__SURVEY__RESPONSE__SCORES_ENTRY__INIT;
  e1.key = "DIALOGUE";
  e1.value = 4;
  e2.key = "NOPE";
  e2.value = 3;
  Trin__Survey__Response__ScoresEntry *ok_s[] = {&e1}, *bad_s[] = {&e2};
  Trin__Survey__Response a = TRIN__SURVEY__RESPONSE__INIT, b = TRIN__SURVEY__RESPONSE__INIT;
  a.respondent = "x1";
  a.role = "client";
  a.scores = ok_s;
  a.n_scores = 1;
  b = a;
  b.respondent = "x2";
  b.scores = bad_s;
  Trin__Survey__Response *rs[] = {&a, &b};
  int64_t before = count_rows("SELECT count(*) FROM responses");
  trin_err_t err;
  assert_int_equal(import_list(rs, 2, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "responses[1].scores.NOPE");
  e2.key = "TILES";
  e2.value = 9;
  assert_int_equal(import_list(rs, 2, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "responses[1].scores.TILES");
  assert_int_equal(count_rows("SELECT count(*) FROM responses"), before);
  e2.value = 1;
  assert_int_equal(import_list(rs, 2, &err), TRIN_OK);
  assert_int_equal(count_rows("SELECT count(*) FROM responses"), before + 2);
  /* An unknown round or survey. */
  job_t j = {.in = {.survey_id = "S1", .round = 2, .responses = rs, .n_responses = 2}};
  assert_int_equal(trin_server_apply(server, run_import, &j, &err), TRIN_ENOTFOUND);
  assert_string_equal(err.field, "round");
  j.in.survey_id = "S9";
  assert_int_equal(trin_server_apply(server, run_import, &j, &err), TRIN_ENOTFOUND);
  assert_string_equal(err.field, "survey_id");
}

static void nul_bytes_and_invalid_utf8_refused(void **state) {
  int64_t responses = count_rows("SELECT count(*) FROM responses");
  int64_t aggregates = count_rows("SELECT count(*) FROM aggregates");
  int64_t events = count_rows("SELECT count(*) FROM trin_outbox");
  Trin__Survey__ImportReply r;
  trin_err_t err;
  /* "r1\0x" once read as "r1": with r1 on the next line the error blamed a
   * duplicate, alone it was stored as r1. */
  static const char nul[] = "respondent,role,TRUST_ECONOMY\nr1\0x,residents,4\nr1,residents,3\n";
  static const char nul_alone[] = "respondent,role,TRUST_ECONOMY\nnew,residents,4\nr1\0x,residents,3\n";
  /* Bytes FF FE: a UTF-16 byte order mark, not UTF-8. The respondent is in
   * column 2 so the column is not the row's first by accident. */
  static const char bad_utf8[] = "role;respondent;DIALOGUE\nresidents;ok;4\nresidents;r\xff\xfe;4\n";
  /* A whole file saved as UTF-16: the header's first cell already. */
  static const char utf16[] = "r\0e\0s\0,\0r\0\n\0";
  /* A valid character cut short in a quoted comment on a later line. */
  static const char cut[] = "respondent,role,TRUST_ECONOMY,comment\n"
                            "a,residents,4,\"fint\nmen k\xc3\"\n";
  const struct {
    const char *csv;
    size_t len;
    const char *want;
  } cases[] = {
      {nul, sizeof nul - 1, "line 2, column 1 (respondent): the cell holds a NUL byte (at position 3)"},
      {nul_alone, sizeof nul_alone - 1, "line 3, column 1 (respondent): the cell holds a NUL byte"},
      {bad_utf8, sizeof bad_utf8 - 1,
       "line 3, column 2 (respondent): the cell is not valid UTF-8 (byte 0xFF at position 2); "
       "it looks like Windows-1252 (0xFF = 'ÿ')"},
      {utf16, sizeof utf16 - 1, "line 1, column 1: the cell holds a NUL byte (at position 2)"},
      {cut, sizeof cut - 1,
       "line 2, column 4 (comment): the cell is not valid UTF-8 (byte 0xC3 at position 11)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    int rc = import_csv_n(cases[i].csv, cases[i].len, &r, &err);
    if (rc != TRIN_EINVALID || !strstr(err.message, cases[i].want))
      print_error("case %zu: rc %d, '%s'\n", i, rc, err.message);
    assert_int_equal(rc, TRIN_EINVALID);
    assert_string_equal(err.field, "csv");
    assert_non_null(strstr(err.message, cases[i].want));
    assert_int_equal(r.seq, 0);
    assert_untouched(responses, aggregates);
    assert_int_equal(count_rows("SELECT count(*) FROM trin_outbox"), events);
  }

  /* The Response list: protobuf-c hands strings over unchecked. */
  Trin__Survey__Response__ScoresEntry e = TRIN__SURVEY__RESPONSE__SCORES_ENTRY__INIT;
  e.key = "DIALOGUE";
  e.value = 4;
  Trin__Survey__Response__ScoresEntry *sc[] = {&e};
  Trin__Survey__Response a = TRIN__SURVEY__RESPONSE__INIT;
  a.respondent = "r\xff\xfe";
  a.role = "client";
  a.scores = sc;
  a.n_scores = 1;
  Trin__Survey__Response *rs[] = {&a};
  job_t j = {.in = {.survey_id = "S1", .round = 1, .responses = rs, .n_responses = 1}};
  trin__survey__import_reply__init(&j.reply);
  assert_int_equal(trin_server_apply(server, run_import, &j, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "responses[0].respondent");
  assert_non_null(strstr(err.message, "not valid UTF-8 at byte 1"));
  assert_untouched(responses, aggregates);
  assert_int_equal(count_rows("SELECT count(*) FROM trin_outbox"), events);
}

/* Issue 19: headers as a Danish survey tool names them, and a file in
 * Windows-1252 — refused with advice naming line and column, accepted when
 * the request says encoding windows-1252. */
static int import_enc(const char *csv, size_t len, const char *enc,
                      Trin__Survey__ImportReply *reply, trin_err_t *err) {
  job_t j = {.in = {.survey_id = "S1", .round = 1, .csv = csv, .csv_len = len, .encoding = enc}};
  trin__survey__import_reply__init(&j.reply);
  memset(err, 0, sizeof *err);
  int rc = trin_server_apply(server, run_import, &j, err);
  if (reply) *reply = j.reply;
  return rc;
}

static void danish_headers_and_windows_1252(void **state) {
  Trin__Survey__ImportReply r;
  trin_err_t err;
  int64_t responses = count_rows("SELECT count(*) FROM responses");
  int64_t aggregates = count_rows("SELECT count(*) FROM aggregates");
  int rc = import_csv("Respondent-id;ROLLE;DIALOGUE;Kommentarer\n"
                      "dk1;Bygherre;4;\"Godt, tak\"\n"
                      "dk2;rådgiver;5;\n",
                      &r, &err);
  if (rc) print_error("%s: %s\n", err.field, err.message);
  assert_int_equal(rc, TRIN_OK);
  assert_int_equal(r.added, 2);
  assert_int_equal(count_rows("SELECT count(*) FROM responses WHERE role = 3"), 1);
  assert_int_equal(count_rows("SELECT count(*) FROM responses WHERE comment = 'Godt, tak'"), 1);
  responses += 2;
  aggregates = count_rows("SELECT count(*) FROM aggregates");
  assert_int_equal(import_csv("respondent;Respondent;role;DIALOGUE\na;b;client;4\n", &r, &err),
                   TRIN_EINVALID);
  assert_string_equal(err.message, "line 1: columns 1 'respondent' and 2 'Respondent' are the "
                                   "same column");

  static const char cp[] = "respondent;rolle;DIALOGUE;Kommentar\r\n"
                           "w1;beboer;4;Fint\r\n"
                           "w2;F\xF8lgegruppe;5;R\xE6kkehusene er p\xE6ne\r\n";
  assert_int_equal(import_enc(cp, sizeof cp - 1, "", &r, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "csv");
  assert_string_equal(err.message,
                      "line 3, column 2 (rolle): the cell is not valid UTF-8 (byte 0xF8 at "
                      "position 2); it looks like Windows-1252 (0xF8 = 'ø'), Excel's \"CSV "
                      "(semikolonsepareret)\": save it as \"CSV UTF-8 (kommasepareret)\" or "
                      "use encoding windows-1252");
  assert_untouched(responses, aggregates);
  assert_int_equal(import_enc(cp, sizeof cp - 1, "windows-1252", &r, &err), TRIN_OK);
  assert_int_equal(r.added, 2);
  assert_int_equal(count_rows("SELECT count(*) FROM responses WHERE comment = "
                              "'Rækkehusene er pæne'"),
                   1);
  assert_int_equal(import_enc(cp, sizeof cp - 1, "cp1252", &r, &err), TRIN_OK);
  assert_int_equal(r.unchanged, 2);
  assert_int_equal(import_enc(cp, sizeof cp - 1, "latin-1", &r, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "encoding");

  /* encoding is about csv bytes; a Response list is UTF-8 text already. */
  Trin__Survey__Response__ScoresEntry e = TRIN__SURVEY__RESPONSE__SCORES_ENTRY__INIT;
  e.key = "DIALOGUE";
  e.value = 4;
  Trin__Survey__Response__ScoresEntry *sc[] = {&e};
  Trin__Survey__Response a = TRIN__SURVEY__RESPONSE__INIT;
  a.respondent = "x9";
  a.role = "client";
  a.scores = sc;
  a.n_scores = 1;
  Trin__Survey__Response *rs[] = {&a};
  job_t j = {.in = {.survey_id = "S1", .round = 1, .responses = rs, .n_responses = 1,
                    .encoding = "windows-1252"}};
  assert_int_equal(trin_server_apply(server, run_import, &j, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "encoding");
  assert_string_equal(err.message, "applies to csv only (responses are UTF-8 text)");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(broken_rows_store_nothing),
      cmocka_unit_test(separators_bom_quotes_and_decimal_commas),
      cmocka_unit_test(response_list_names_the_field),
      cmocka_unit_test(nul_bytes_and_invalid_utf8_refused),
      cmocka_unit_test(danish_headers_and_windows_1252),
      cmocka_unit_test(imports_bigger_than_a_batch),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
