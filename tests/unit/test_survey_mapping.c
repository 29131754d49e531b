/* survey.mapping — survey exports as they come (issue 20, item 7): the
 * matching rules (case and runs of white space, the no-break space), the
 * shipped Danish five-point agreement scale, a mapping's refusals naming
 * their field; then the mapped import through the real import code in an
 * in-process server: a SurveyXact-like export (';', BOM, CRLF, quoted
 * fields, a role column, a comment) and a Forms-like one (',', the tool's
 * own columns ignored, one role for every row) from tests/data/survey,
 * with their figures worked out by hand; an answer word the mapping does
 * not know refuses the whole file naming line, column and word; a NUL byte
 * or bytes that are not UTF-8 are refused as in the plain CSV import; a
 * missing question column, no saved mapping, and mapped without a csv. */
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
#include "survey_import.h"
#include "survey_mapping.h"
#include "survey_store.h"
#include "trin_server.h"

static char dir[64];
static uv_loop_t loop;
static void *zctx;
static trin_store_t *store;
static trin_server_t *server;
static const uint8_t KEY[SURVEY_KEY_BYTES] = {9, 8, 7, 6, 5, 4, 3, 2, 1};
static int64_t survey_no;
static Trin__Survey__Survey *survey; /* as stored, for survey_mapping_check */
static trin_arena_t survey_arena = TRIN_ARENA_INIT;

/* ---- the rules alone --------------------------------------------------------------- */

static void normalise_ignores_case_and_space_runs(void **state) {
  char out[64];
  assert_true(survey_mapping_normalise("  Meget \t ENIG\r\n", out, sizeof out));
  assert_string_equal(out, "meget enig");
  /* Æ Ø Å É lower-cased; a no-break space (C2 A0) is white space. */
  assert_true(survey_mapping_normalise("TILLID TIL ØKONOMIEN\xc2\xa0", out, sizeof out));
  assert_string_equal(out, "tillid til økonomien");
  assert_true(survey_mapping_normalise("Æble Å É", out, sizeof out));
  assert_string_equal(out, "æble å é");
  assert_true(survey_mapping_normalise(" \xc2\xa0 ", out, sizeof out));
  assert_string_equal(out, "");
  /* Too long: cut on a character boundary and said. */
  assert_false(survey_mapping_normalise("øøøø", out, 6));
  assert_string_equal(out, "øø");
}

static void danish_scale_scores(void **state) {
  Trin__Survey__ImportMapping m = TRIN__SURVEY__IMPORT_MAPPING__INIT; /* no words: default */
  survey_scale_t sc = {1, 5};
  const struct {
    const char *cell;
    int score;
  } ok[] = {
      {"Meget enig", 5}, {"Enig", 4}, {"Hverken enig eller uenig", 3}, {"Uenig", 2},
      {"Meget uenig", 1}, {"Ved ikke", SURVEY_NO_ANSWER}, {" meget  ENIG ", 5},
      {"HVERKEN ENIG\nELLER UENIG", 3}, {"ved\xc2\xa0ikke", SURVEY_NO_ANSWER},
      /* a tool exporting the scale's numbers */
      {"4", 4}, {"2,0", 2},
  };
  for (size_t i = 0; i < sizeof ok / sizeof *ok; i++) {
    int score = -1;
    assert_true(survey_mapping_score(&m, sc, ok[i].cell, &score));
    assert_int_equal(score, ok[i].score);
  }
  int score;
  const char *bad[] = {"Delvis enig", "Enig!", "6", "0", "enig eller uenig", "Meget"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++)
    assert_false(survey_mapping_score(&m, sc, bad[i], &score));
  char words[300];
  survey_mapping_words(&m, words, sizeof words);
  assert_string_equal(words, "'Meget enig', 'Enig', 'Hverken enig eller uenig', 'Uenig', "
                             "'Meget uenig', 'Ved ikke'");
  /* A mapping's own words replace the default ones. */
  Trin__Survey__AnswerWord w1 = TRIN__SURVEY__ANSWER_WORD__INIT,
                           w2 = TRIN__SURVEY__ANSWER_WORD__INIT;
  w1.word = "Helt enig";
  w1.score = 5;
  w2.word = "Ved ikke / ikke relevant";
  w2.no_answer = true;
  Trin__Survey__AnswerWord *ws[] = {&w1, &w2};
  m.answers = ws;
  m.n_answers = 2;
  assert_true(survey_mapping_score(&m, sc, "helt enig", &score));
  assert_int_equal(score, 5);
  assert_true(survey_mapping_score(&m, sc, "Ved ikke / ikke relevant", &score));
  assert_int_equal(score, SURVEY_NO_ANSWER);
  assert_false(survey_mapping_score(&m, sc, "Meget enig", &score));
}

/* A valid mapping for the survey of setup(), edited by each case. */
typedef struct {
  Trin__Survey__ImportMapping m;
  Trin__Survey__MappedColumn c[3];
  Trin__Survey__MappedColumn *cp[3];
  Trin__Survey__AnswerWord w[2];
  Trin__Survey__AnswerWord *wp[2];
} mapping_t;

static void mapping_init(mapping_t *x) {
  trin__survey__import_mapping__init(&x->m);
  x->m.respondent_column = "respondentid";
  x->m.role_column = "Hvad er din rolle?";
  x->m.comment_column = "Kommentar";
  const char *h[] = {"Vi har tillid til projektets økonomi", "Dialogen med byggeledelsen er god",
                     "Valget af fliser i badeværelset"};
  const char *k[] = {"TRUST_ECONOMY", "DIALOGUE", "TILES"};
  for (int i = 0; i < 3; i++) {
    trin__survey__mapped_column__init(&x->c[i]);
    x->c[i].header = (char *)h[i];
    x->c[i].statement_key = (char *)k[i];
    x->cp[i] = &x->c[i];
  }
  x->m.columns = x->cp;
  x->m.n_columns = 3;
  for (int i = 0; i < 2; i++) {
    trin__survey__answer_word__init(&x->w[i]);
    x->wp[i] = &x->w[i];
  }
  x->w[0].word = "Helt enig";
  x->w[0].score = 5;
  x->w[1].word = "Ved ikke";
  x->w[1].no_answer = true;
}

static void mapping_refusals_name_the_field(void **state) {
  mapping_t x;
  trin_err_t err;
  mapping_init(&x);
  assert_int_equal(survey_mapping_check(&x.m, survey, &err), TRIN_OK);
  const struct {
    int edit;
    const char *field, *want;
  } cases[] = {
      {0, "mapping.respondent_column", "is required"},
      {1, "mapping.role_column", "give either role_column or role, not both"},
      {2, "mapping.role_column", "is required (the column with the respondent's role)"},
      {3, "mapping.role", "'mayor' is not a role"},
      {4, "mapping.columns[1].statement_key", "'DIALOG' is not a statement of survey 'S1'"},
      {5, "mapping.columns[2].statement_key", "statement 'TRUST_ECONOMY' has a column already"},
      {6, "mapping.columns[1].header", "column ' vi har TILLID til projektets  økonomi' is "
                                       "named already by mapping.columns[0].header"},
      {7, "mapping.comment_column", "column 'RESPONDENTID' is named already by "
                                    "mapping.respondent_column"},
      {8, "mapping.answers[1].word", "'helt  ENIG' is given already as answers[0]"},
      {9, "mapping.answers[0].score", "outside the scale 1–5"},
      {10, "mapping.answers[1].score", "must be 0 for a word meaning \"not answered\" (got 3)"},
      {11, "mapping.columns", "1–100 columns are required"},
      {12, "mapping.columns[0].header", "is only white space"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    mapping_init(&x);
    switch (cases[i].edit) {
      case 0: x.m.respondent_column = ""; break;
      case 1: x.m.role = "residents"; break;
      case 2: x.m.role_column = ""; break;
      case 3: x.m.role_column = ""; x.m.role = "mayor"; break;
      case 4: x.c[1].statement_key = "DIALOG"; break;
      case 5: x.c[2].statement_key = "TRUST_ECONOMY"; break;
      case 6: x.c[1].header = " vi har TILLID til projektets  økonomi"; break;
      case 7: x.m.comment_column = "RESPONDENTID"; break;
      case 8: x.m.answers = x.wp; x.m.n_answers = 2; x.w[1].word = "helt  ENIG"; break;
      case 9: x.m.answers = x.wp; x.m.n_answers = 1; x.w[0].score = 6; break;
      case 10: x.m.answers = x.wp; x.m.n_answers = 2; x.w[1].score = 3; break;
      case 11: x.m.n_columns = 0; break;
      case 12: x.c[0].header = "\xc2\xa0 "; break;
    }
    memset(&err, 0, sizeof err);
    int rc = survey_mapping_check(&x.m, survey, &err);
    if (rc != TRIN_EINVALID || strcmp(err.field, cases[i].field) != 0 ||
        !strstr(err.message, cases[i].want))
      print_error("case %zu: rc %d, %s: %s\n", i, rc, err.field, err.message);
    assert_int_equal(rc, TRIN_EINVALID);
    assert_string_equal(err.field, cases[i].field);
    assert_non_null(strstr(err.message, cases[i].want));
  }
  /* No words on a survey that is not on 1–5: the default does not fit. */
  mapping_init(&x);
  Trin__Survey__Survey other = *survey;
  other.scale_min = 0;
  other.scale_max = 10;
  assert_int_equal(survey_mapping_check(&x.m, &other, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "mapping.answers");
  assert_non_null(strstr(err.message, "fits surveys on 1–5, survey 'S1' is on 0–10"));
}

/* ---- the mapped import --------------------------------------------------------------- */

typedef struct {
  survey_import_input_t in;
  Trin__Survey__ImportReply reply;
} job_t;

static int run_import(trin_request_t *req, void *data, trin_err_t *err) {
  job_t *j = data;
  return survey_import_run(req, KEY, &j->in, &j->reply, err);
}

static int import_mapped(int round, const char *csv, size_t len, Trin__Survey__ImportReply *reply,
                         trin_err_t *err) {
  job_t j = {.in = {.survey_id = "S1", .round = round, .csv = csv, .csv_len = len,
                    .mapped = true}};
  trin__survey__import_reply__init(&j.reply);
  memset(err, 0, sizeof *err);
  int rc = trin_server_apply(server, run_import, &j, err);
  if (reply) *reply = j.reply;
  return rc;
}

static char *read_fixture(const char *name, size_t *len) {
  char path[512];
  snprintf(path, sizeof path, "%s/%s", TRIN_SURVEY_DATA, name);
  FILE *f = fopen(path, "rb");
  assert_non_null(f);
  char *buf = malloc(1 << 16);
  *len = fread(buf, 1, (1 << 16) - 1, f);
  buf[*len] = '\0';
  fclose(f);
  return buf;
}

static void save_mapping(const Trin__Survey__ImportMapping *m) {
  trin_err_t err;
  assert_int_equal(survey_mapping_check(m, survey, &err), TRIN_OK);
  size_t len = trin__survey__import_mapping__get_packed_size(m);
  uint8_t *buf = malloc(len + 1);
  trin__survey__import_mapping__pack(m, buf);
  assert_int_equal(trin_store_begin(store, &err), TRIN_OK);
  assert_int_equal(
      survey_store_mapping_put(store, survey_no, buf, len, "KAB", "2026-12-07T00:00:00Z", &err),
      TRIN_OK);
  assert_int_equal(trin_store_commit(store, &err), TRIN_OK);
  free(buf);
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

/* The stored aggregate of (round, role, statement). */
static survey_agg_t agg(int round, int role, int stmt) {
  survey_agg_t cube[2 * SURVEY_NROLES * 3];
  trin_err_t err;
  assert_int_equal(survey_store_agg_load(store, survey_no, 2, 3, cube, &err), TRIN_OK);
  return cube[((size_t)(round - 1) * SURVEY_NROLES + (size_t)role) * 3 + (size_t)stmt];
}

static void no_mapping_and_no_csv_refused(void **state) {
  trin_err_t err;
  /* Before any mapping is saved (this test runs first). */
  assert_int_equal(import_mapped(1, "a,b\n1,2\n", 8, NULL, &err), TRIN_ENOTFOUND);
  assert_string_equal(err.field, "mapped");
  assert_string_equal(err.message, "survey 'S1' has no import mapping; save one first (trinctl "
                                   "survey mapping-set)");
  job_t j = {.in = {.survey_id = "S1", .round = 1, .mapped = true}};
  Trin__Survey__Response r = TRIN__SURVEY__RESPONSE__INIT;
  Trin__Survey__Response *rs[] = {&r};
  j.in.responses = rs;
  j.in.n_responses = 1;
  assert_int_equal(trin_server_apply(server, run_import, &j, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "mapped");
  assert_string_equal(err.message, "applies to csv only (a survey tool's export as it comes)");
}

static void surveyxact_export_by_hand(void **state) {
  mapping_t x;
  mapping_init(&x); /* the default Danish scale: no words */
  save_mapping(&x.m);
  size_t len;
  char *csv = read_fixture("surveyxact_export.csv", &len);
  Trin__Survey__ImportReply r;
  trin_err_t err;
  int rc = import_mapped(1, csv, len, &r, &err);
  if (rc) print_error("%s: %s\n", err.field, err.message);
  assert_int_equal(rc, TRIN_OK);
  assert_int_equal(r.received, 4);
  assert_int_equal(r.added, 4);
  /* By hand, from the file: TRUST_ECONOMY Meget enig 5, enig 4, Meget uenig
   * 1, Uenig 2 = 4 answers, sum 12; DIALOGUE Enig 4, Hverken 3, "  Meget
   * ENIG " 5, Uenig 2 = 4, 14; TILES Ved ikke (none), Uenig 2, empty (none),
   * Enig 4 = 2, 6. Residents are 1001, 1003, 1004 (Beboer, beboere), the
   * følgegruppe 1002. */
  survey_agg_t a = agg(1, SURVEY_ROLE_RESIDENTS, 0);
  assert_int_equal(a.count, 3);
  assert_int_equal(a.sum, 5 + 1 + 2);
  assert_int_equal(a.dist[0], 1); /* one 1 */
  assert_int_equal(a.dist[4], 1); /* one 5 */
  a = agg(1, SURVEY_ROLE_RESIDENT_COMMITTEE, 0);
  assert_int_equal(a.count, 1);
  assert_int_equal(a.sum, 4);
  a = agg(1, SURVEY_ROLE_RESIDENTS, 1);
  assert_int_equal(a.count, 3);
  assert_int_equal(a.sum, 4 + 5 + 2);
  a = agg(1, SURVEY_ROLE_RESIDENT_COMMITTEE, 1);
  assert_int_equal(a.sum, 3);
  a = agg(1, SURVEY_ROLE_RESIDENTS, 2);
  assert_int_equal(a.count, 1);
  assert_int_equal(a.sum, 4);
  a = agg(1, SURVEY_ROLE_RESIDENT_COMMITTEE, 2);
  assert_int_equal(a.count, 1);
  assert_int_equal(a.sum, 2);
  /* The comments were read from their column (one with ';', one with a
   * line break, CRLF -> LF). */
  assert_int_equal(
      count_rows("SELECT count(*) FROM responses WHERE comment = 'Fint; men langsomt'"), 1);
  assert_int_equal(count_rows("SELECT count(*) FROM responses WHERE comment = 'Flere\nlinjer'"), 1);
  /* Sent again as it is: unchanged, not counted twice. */
  assert_int_equal(import_mapped(1, csv, len, &r, &err), TRIN_OK);
  assert_int_equal(r.unchanged, 4);
  assert_int_equal(agg(1, SURVEY_ROLE_RESIDENTS, 0).count, 3);
  free(csv);
  /* The same first row saved by a Danish Excel as Windows-1252 (ø = F8,
   * æ = E6 in the headers): converted first, then matched — unchanged. */
  static const char cp1252[] =
      "respondentid;Hvad er din rolle?;Vi har tillid til projektets \xf8konomi;"
      "Dialogen med byggeledelsen er god;Valget af fliser i badev\xe6relset;Kommentar\r\n"
      "1001;Beboer;Meget enig;Enig;Ved ikke;\"Fint; men langsomt\"\r\n";
  job_t j = {.in = {.survey_id = "S1", .round = 1, .csv = cp1252, .csv_len = sizeof cp1252 - 1,
                    .mapped = true, .encoding = "windows-1252"}};
  trin__survey__import_reply__init(&j.reply);
  rc = trin_server_apply(server, run_import, &j, &err);
  if (rc) print_error("%s: %s\n", err.field, err.message);
  assert_int_equal(rc, TRIN_OK);
  assert_int_equal(j.reply.received, 1);
  assert_int_equal(j.reply.unchanged, 1);
}

static void forms_export_ignores_its_own_columns(void **state) {
  mapping_t x;
  mapping_init(&x);
  /* Forms has no role column: everybody answering is a resident; its ID
   * column is the respondent; no comment column. */
  x.m.respondent_column = "ID";
  x.m.role_column = "";
  x.m.role = "beboere";
  x.m.comment_column = "";
  save_mapping(&x.m);
  size_t len;
  char *csv = read_fixture("forms_export.csv", &len);
  Trin__Survey__ImportReply r;
  trin_err_t err;
  int rc = import_mapped(2, csv, len, &r, &err);
  if (rc) print_error("%s: %s\n", err.field, err.message);
  assert_int_equal(rc, TRIN_OK);
  assert_int_equal(r.added, 3);
  /* By hand: TRUST_ECONOMY Enig 4, Meget enig 5, Hverken 3 = 3, 12 (its
   * header ends in a no-break space); DIALOGUE 5, 5, 2 = 3, 12; TILES
   * Hverken 3, Meget enig 5, Ved ikke (none) = 2, 8. */
  survey_agg_t a = agg(2, SURVEY_ROLE_RESIDENTS, 0);
  assert_int_equal(a.count, 3);
  assert_int_equal(a.sum, 12);
  a = agg(2, SURVEY_ROLE_RESIDENTS, 1);
  assert_int_equal(a.count, 3);
  assert_int_equal(a.sum, 12);
  a = agg(2, SURVEY_ROLE_RESIDENTS, 2);
  assert_int_equal(a.count, 2);
  assert_int_equal(a.sum, 8);
  assert_int_equal(agg(2, SURVEY_ROLE_RESIDENT_COMMITTEE, 0).count, 0);
  free(csv);
}

static void unknown_word_refuses_the_whole_file(void **state) {
  mapping_t x;
  mapping_init(&x);
  save_mapping(&x.m);
  int64_t responses = count_rows("SELECT count(*) FROM responses");
  int64_t events = count_rows("SELECT count(*) FROM trin_outbox");
  /* Good rows first: the bad cell on line 4 must take them back. */
  static const char word[] =
      "respondentid;Hvad er din rolle?;Vi har tillid til projektets økonomi;"
      "Dialogen med byggeledelsen er god;Valget af fliser i badeværelset\r\n"
      "n1;Beboer;Enig;Enig;Enig\r\n"
      "n2;Beboer;Uenig;Uenig;Uenig\r\n"
      "n3;Beboer;Enig;Delvis enig;Enig\r\n";
  /* The header of every case below but "missing". */
#define HEAD "respondentid,Hvad er din rolle?,Vi har tillid til projektets økonomi," \
             "Dialogen med byggeledelsen er god,Valget af fliser i badeværelset"
  static const char role[] = HEAD "\nn1,Borgmester,Enig,Enig,Enig\n";
  static const char missing[] =
      "respondentid,Hvad er din rolle?,Vi har tillid til økonomien,"
      "Dialogen med byggeledelsen er god,Valget af fliser i badeværelset\n"
      "n1,Beboer,Enig,Enig,Enig\n";
  static const char twice[] = HEAD ",DIALOGEN MED BYGGELEDELSEN ER GOD\n"
                              "n1,Beboer,Enig,Enig,Enig,Enig\n";
  static const char noresp[] = HEAD "\n,Beboer,Enig,Enig,Enig\n";
  /* The NUL and UTF-8 refusals of the plain import hold here too. */
  static const char nul[] = HEAD "\nn1,Beboer,En\0ig,Enig,Enig\n";
  static const char utf8[] = "respondentid;Hvad er din rolle?;Vi har tillid til projektets økonomi;"
                             "Dialogen med byggeledelsen er god;Valget af fliser i badeværelset\n"
                             "n1;Beboer;Enig;Enig;Meget u\xe6nig\n";
  const struct {
    const char *csv;
    size_t len;
    const char *want;
  } cases[] = {
      {word, sizeof word - 1,
       "line 4, column 4 (Dialogen med byggeledelsen er god): 'Delvis enig' is not an answer "
       "word of the mapping ('Meget enig', 'Enig', 'Hverken enig eller uenig', 'Uenig', "
       "'Meget uenig', 'Ved ikke')"},
      {role, sizeof role - 1, "line 2, column 2 (Hvad er din rolle?): 'Borgmester' is not a role"},
      {missing, sizeof missing - 1,
       "line 1: the file has no column 'Vi har tillid til projektets økonomi', which survey "
       "'S1''s mapping names"},
      {twice, sizeof twice - 1,
       "line 1: columns 4 and 6 are both 'DIALOGEN MED BYGGELEDELSEN ER GOD'"},
      {noresp, sizeof noresp - 1,
       "line 2, column 1 (respondentid): respondent must be 1–200 characters"},
      {nul, sizeof nul - 1,
       "line 2, column 3 (Vi har tillid til projektets økonomi): the cell holds a NUL byte"},
      {utf8, sizeof utf8 - 1,
       "line 2, column 5 (Valget af fliser i badeværelset): the cell is not valid UTF-8 (byte "
       "0xE6 at position 8)"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    Trin__Survey__ImportReply r;
    trin_err_t err;
    int rc = import_mapped(1, cases[i].csv, cases[i].len, &r, &err);
    if (rc != TRIN_EINVALID || !strstr(err.message, cases[i].want))
      print_error("case %zu: rc %d, %s: %s\n", i, rc, err.field, err.message);
    assert_int_equal(rc, TRIN_EINVALID);
    assert_string_equal(err.field, "csv");
    assert_non_null(strstr(err.message, cases[i].want));
    assert_int_equal(count_rows("SELECT count(*) FROM responses"), responses);
    assert_int_equal(count_rows("SELECT count(*) FROM trin_outbox"), events);
  }
#undef HEAD
}

/* The mapping belongs to the survey's definition: the client's writers save
 * it; whoever reads the survey or imports into it may read it. */
static trin_caller_t caller(const char *org, const char *role) {
  trin_caller_t c;
  memset(&c, 0, sizeof c);
  c.authenticated = true;
  snprintf(c.org, sizeof c.org, "%s", org);
  snprintf(c.role, sizeof c.role, "%s", role);
  return c;
}

static void who_may_save_and_read_a_mapping(void **state) {
  trin_err_t err;
  void *t = (void *)&survey_access;
  trin_caller_t w = caller("KAB", "writer"), res = caller("afd", "resident"),
                adv = caller("raad", "advisor"), calc = caller("ent", "calculator");
  assert_int_equal(trin_access_gate(&w, "trin.survey.SetImportMapping", t, &err), TRIN_OK);
  assert_int_equal(trin_access_gate(&res, "trin.survey.SetImportMapping", t, &err),
                   TRIN_EFORBIDDEN);
  assert_string_equal(err.message, "organisation \"afd\" (role resident) may not save a "
                                   "survey's import mapping (export columns and answer words) "
                                   "(trin.survey.SetImportMapping): only writer (bygherre) may");
  assert_int_equal(trin_access_gate(&adv, "trin.survey.SetImportMapping", t, &err),
                   TRIN_EFORBIDDEN);
  assert_int_equal(trin_access_gate(&calc, "trin.survey.SetImportMapping", t, &err),
                   TRIN_EFORBIDDEN);
  trin_caller_t *readers[] = {&w, &res, &adv, &calc};
  for (int i = 0; i < 4; i++)
    assert_int_equal(trin_access_gate(readers[i], "trin.survey.GetImportMapping", t, &err),
                     TRIN_OK);
}

/* ---- set-up -------------------------------------------------------------------------- */

static int setup(void **state) {
  snprintf(dir, sizeof dir, "/tmp/trin-survey-map-XXXXXX");
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
  Trin__Survey__Statement a = TRIN__SURVEY__STATEMENT__INIT, b = TRIN__SURVEY__STATEMENT__INIT,
                          c = TRIN__SURVEY__STATEMENT__INIT;
  a.key = "TRUST_ECONOMY";
  a.text = "Vi har tillid til projektets økonomi";
  a.common = true;
  b.key = "DIALOGUE";
  b.text = "Dialogen med byggeledelsen er god";
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
  Trin__Survey__Round r1 = TRIN__SURVEY__ROUND__INIT, r2 = TRIN__SURVEY__ROUND__INIT;
  r1.number = 1;
  r1.opens = "2024-01-01";
  r1.closes = "2024-01-31";
  r2.number = 2;
  r2.opens = "2024-12-01";
  r2.closes = "2024-12-31";
  if (trin_store_begin(store, &err) ||
      survey_store_project_upsert(store, "P1", "", "KAB", &err) ||
      survey_store_survey_insert(store, &sv, &err))
    return -1;
  survey = trin_arena_alloc(&survey_arena, sizeof *survey);
  if (!survey ||
      survey_store_survey_get(store, "S1", "survey_id", &survey_arena, survey, &survey_no, &err) ||
      survey_store_round_insert(store, survey_no, &r1, &err) ||
      survey_store_round_insert(store, survey_no, &r2, &err) || trin_store_commit(store, &err))
    return -1;
  return 0;
}

static int teardown(void **state) {
  trin_arena_reset(&survey_arena);
  trin_server_destroy(&server);
  uv_run(&loop, UV_RUN_NOWAIT);
  uv_loop_close(&loop);
  zmq_ctx_term(zctx);
  trin_store_destroy(&store);
  char cmd[128];
  snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
  return system(cmd) == 0 ? 0 : -1;
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(normalise_ignores_case_and_space_runs),
      cmocka_unit_test(danish_scale_scores),
      cmocka_unit_test(mapping_refusals_name_the_field),
      cmocka_unit_test(no_mapping_and_no_csv_refused),
      cmocka_unit_test(surveyxact_export_by_hand),
      cmocka_unit_test(forms_export_ignores_its_own_columns),
      cmocka_unit_test(unknown_word_refuses_the_whole_file),
      cmocka_unit_test(who_may_save_and_read_a_mapping),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
