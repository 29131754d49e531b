/* survey.flow — the real trin-lifecycle and trin-survey processes: the
 * survey service learns projects from lifecycle events; three rounds on a
 * partnership project where trust in the economy drops and an alert is
 * raised; a re-sent import not counted twice; anonymity in replies and in
 * events; inside-vs-outside comparison; refusals that change nothing,
 * among them a file with a NUL byte or bytes that are not UTF-8 in a cell
 * (by the service and by trinctl, named by line and column); a Danish
 * office's survey: a key with Ø, Excel's Windows-1252 file through trinctl,
 * and results that default to the newest round with answers. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lcclient.h"
#include "test_survey_common.h"
#include "testcall.h"
#include "trin_codec.h"

static survey_env_t env;

/* The call must fail with code on field, and the event log must not move. */
#define REFUSED(expr, code, fld) REFUSED_UNCHANGED(expr, code, fld, sv_last_seq(env.svc))

static Trin__Survey__Statement st_trust = TRIN__SURVEY__STATEMENT__INIT,
                               st_dialogue = TRIN__SURVEY__STATEMENT__INIT,
                               st_quality = TRIN__SURVEY__STATEMENT__INIT;
static Trin__Survey__Statement *statements[] = {&st_trust, &st_dialogue, &st_quality};
static Trin__Survey__Thresholds thresholds = TRIN__SURVEY__THRESHOLDS__INIT;

static void survey_for(Trin__Survey__Survey *sv, const char *id, const char *project,
                       size_t nstatements) {
  trin__survey__survey__init(sv);
  sv->id = (char *)id;
  sv->project_id = (char *)project;
  sv->title = "Samarbejdet med beboerne";
  sv->scale_min = 1;
  sv->scale_max = 5;
  sv->thresholds = &thresholds;
  sv->statements = statements;
  sv->n_statements = nstatements;
}

static int setup(void **state) {
  st_trust.key = "TRUST_ECONOMY";
  st_trust.text = "Vi har tillid til projektets økonomi";
  st_trust.common = true;
  st_dialogue.key = "DIALOGUE";
  st_dialogue.text = "Dialogen med beboerne er god";
  st_dialogue.common = true;
  st_quality.key = "TILES";
  st_quality.text = "Vi er tilfredse med valget af fliser";
  thresholds.drop_from_previous_x100 = 50;
  thresholds.floor_x100 = 300;
  if (!survey_env_start(&env, "svflow", NULL)) return -1;
  OK(lc_org(env.lcc, "KAB", "client", &e_));
  OK(lc_partnership(env.lcc, "KAB-P", "KAB", "2022-01-01", "myndighedsprojekt", 5000000, &e_));
  OK(lc_project(env.lcc, "P-IN", "KAB-P", NULL, false, "2023-03-01", &e_));
  OK(lc_project(env.lcc, "P-OUT", NULL, "KAB", false, "2023-03-01", &e_));
  return 0;
}

static int teardown(void **state) { return survey_env_stop(&env) ? 0 : -1; }

/* residents r1..r10 score trust[i], committee c1..c5 score committee_trust,
 * client k1..nclient score 4; everyone scores DIALOGUE 4. */
static void round_csv(sbuf_t *b, const int trust[10], int committee_trust, int nclient) {
  sbuf_printf(b, "respondent;role;TRUST_ECONOMY;DIALOGUE;comment\n");
  for (int i = 0; i < 10; i++) sbuf_printf(b, "r%d;beboer;%d;4;\n", i + 1, trust[i]);
  for (int i = 0; i < 5; i++)
    sbuf_printf(b, "c%d;følgegruppe;%d,0;4;\"ok; fint\"\n", i + 1, committee_trust);
  for (int i = 0; i < nclient; i++) sbuf_printf(b, "k%d;client;4;4;\n", i + 1);
}

static void three_rounds_and_an_alert(void **state) {
  Trin__Survey__Survey sv;
  survey_for(&sv, "S-IN", "P-NONE", 3);
  REFUSED(sv_create(env.svc, &sv, &e_), TRIN_ENOTFOUND, "survey.project_id");
  survey_for(&sv, "S-IN", "P-IN", 3);
  OK(sv_create_when_known(env.svc, &sv, &e_));
  OK(sv_add_round(env.svc, "S-IN", 1, "2023-04-01", "2023-04-30", &e_));
  REFUSED(sv_add_round(env.svc, "S-IN", 3, "2023-09-01", "2023-09-30", &e_), TRIN_EINVALID,
          "round.number");
  REFUSED(sv_add_round(env.svc, "S-IN", 2, "2023-04-15", "2023-09-30", &e_), TRIN_ECONFLICT,
          "round.opens");
  OK(sv_add_round(env.svc, "S-IN", 2, "2023-09-01", "2023-09-30", &e_));
  OK(sv_add_round(env.svc, "S-IN", 3, "2024-03-01", "2024-03-31", &e_));
  uint64_t start = sv_last_seq(env.svc);

  /* Round 1: residents all 4, committee 5, three client answers. */
  int t1[10] = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4};
  sbuf_t b = {0};
  round_csv(&b, t1, 5, 3);
  Trin__Survey__ImportReply *ir = NULL;
  OK(sv_import_csv(env.svc, "S-IN", 1, b.data, b.len, &ir, &e_));
  assert_int_equal(ir->added, 18);
  assert_true(ir->seq > start);
  trin_codec_free(ir);
  sbuf_free(&b);

  Trin__Survey__RoundResults *r = NULL;
  OK(sv_results(env.svc, "S-IN", 1, &r, &e_));
  assert_true(r->baseline);
  assert_string_equal(r->partnership_id, "KAB-P");
  const Trin__Survey__Figures *f = sv_figure(r, "TRUST_ECONOMY", "residents");
  assert_non_null(f);
  assert_int_equal(f->count, 10);
  assert_string_equal(f->mean, "4.00");
  /* client (3) hidden; the committee (5) too, or all − residents − committee
   * would give the client's figure away. */
  assert_true(sv_figure(r, "TRUST_ECONOMY", "client")->suppressed);
  assert_int_equal(sv_figure(r, "TRUST_ECONOMY", "client")->count, 0);
  assert_true(sv_figure(r, "TRUST_ECONOMY", "resident_committee")->suppressed);
  f = sv_figure(r, "TRUST_ECONOMY", "all");
  assert_int_equal(f->count, 18);
  assert_int_equal(f->sum, 77);
  assert_string_equal(f->mean, "4.28");
  assert_null(sv_figure(r, "TILES", "all")); /* nobody scored it */
  trin_codec_free(r);

  /* The event carries the same filtered figures. */
  uint8_t *pl = NULL;
  size_t pn = 0;
  assert_int_equal(sv_count_events(env.svc, start, "survey.results_changed", &pl, &pn), 1);
  Trin__Survey__RoundResults *ev = trin__survey__round_results__unpack(NULL, pn, pl);
  assert_non_null(ev);
  const Trin__Survey__Figures *ef = sv_figure(ev, "TRUST_ECONOMY", "client");
  assert_true(ef->suppressed);
  assert_int_equal(ef->count, 0);
  assert_int_equal(ef->sum, 0);
  assert_int_equal(ef->n_distribution, 0);
  trin__survey__round_results__free_unpacked(ev, NULL);
  free(pl);

  /* Round 2: residents 3.50 — a drop of exactly 0.50: no alert. */
  int t2[10] = {4, 4, 4, 4, 4, 3, 3, 3, 3, 3};
  round_csv(&b, t2, 4, 0);
  OK(sv_import_csv(env.svc, "S-IN", 2, b.data, b.len, &ir, &e_));
  assert_int_equal(ir->added, 15);
  /* ... but all roles together fell from 4.28 to 3.67: that alerts. */
  assert_int_equal(ir->alerts_raised, 1);
  trin_codec_free(ir);
  sbuf_free(&b);
  OK(sv_results(env.svc, "S-IN", 2, &r, &e_));
  f = sv_figure(r, "TRUST_ECONOMY", "residents");
  assert_string_equal(f->mean, "3.50");
  assert_true(f->has_previous);
  assert_int_equal(f->change_x100, -50);
  assert_string_equal(f->change, "-0.50");
  assert_int_equal(f->baseline_x100, 400);
  assert_int_equal(f->n_distribution, 5);
  assert_int_equal(f->distribution[2], 5);
  assert_int_equal(f->distribution[3], 5);
  f = sv_figure(r, "TRUST_ECONOMY", "resident_committee");
  assert_false(f->suppressed); /* no client this time: 5 is enough */
  assert_false(f->has_previous); /* round 1's committee figure was hidden */
  assert_int_equal(r->n_alerts, 1);
  assert_string_equal(r->alerts[0]->role, "all");
  assert_string_equal(r->alerts[0]->kind, "drop_from_previous");
  assert_int_equal(r->alerts[0]->mean_x100, 367);
  assert_int_equal(r->alerts[0]->reference_x100, 428);
  trin_codec_free(r);

  /* Round 3: trust in the economy collapses among residents. */
  uint64_t before3 = sv_last_seq(env.svc);
  int t3[10] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
  round_csv(&b, t3, 4, 0);
  OK(sv_import_csv(env.svc, "S-IN", 3, b.data, b.len, &ir, &e_));
  assert_true(ir->alerts_raised >= 2);
  trin_codec_free(ir);
  OK(sv_results(env.svc, "S-IN", 0, &r, &e_)); /* 0 = latest */
  assert_int_equal(r->round, 3);
  f = sv_figure(r, "TRUST_ECONOMY", "residents");
  assert_string_equal(f->mean, "2.00");
  assert_int_equal(f->change_x100, -150);
  assert_int_equal(f->change_from_baseline_x100, -200);
  assert_string_equal(f->trend, "down");
  assert_int_equal(f->trend_x100, -100);
  bool drop = false, floor = false;
  for (size_t i = 0; i < r->n_alerts; i++) {
    const Trin__Survey__Alert *a = r->alerts[i];
    if (strcmp(a->statement_key, "TRUST_ECONOMY") || strcmp(a->role, "residents")) continue;
    if (strcmp(a->kind, "drop_from_previous") == 0) {
      drop = true;
      assert_int_equal(a->mean_x100, 200);
      assert_int_equal(a->reference_x100, 350);
    }
    if (strcmp(a->kind, "below_floor") == 0) floor = true;
  }
  assert_true(drop);
  assert_true(floor);
  trin_codec_free(r);
  int raised = sv_count_events(env.svc, before3, "survey.alert_raised", &pl, &pn);
  assert_true(raised >= 2);
  Trin__Survey__Alert *al = trin__survey__alert__unpack(NULL, pn, pl);
  assert_non_null(al);
  assert_string_equal(al->project_id, "P-IN");
  assert_true(strlen(al->message) > 10);
  trin__survey__alert__free_unpacked(al, NULL);
  free(pl);

  /* The same file again: nothing counted twice, no event. */
  uint64_t before_resend = sv_last_seq(env.svc);
  OK(sv_import_csv(env.svc, "S-IN", 3, b.data, b.len, &ir, &e_));
  assert_int_equal(ir->added, 0);
  assert_int_equal(ir->unchanged, 15);
  assert_int_equal(ir->seq, 0);
  trin_codec_free(ir);
  assert_int_equal(sv_last_seq(env.svc), before_resend);
  OK(sv_results(env.svc, "S-IN", 3, &r, &e_));
  assert_int_equal(sv_figure(r, "TRUST_ECONOMY", "residents")->count, 10);
  assert_int_equal(sv_figure(r, "TRUST_ECONOMY", "all")->count, 15);
  trin_codec_free(r);

  /* A bad row: refused with its line, nothing stored, no event. */
  sbuf_printf(&b, "r99;residents;9;4;\n");
  REFUSED(sv_import_csv(env.svc, "S-IN", 3, b.data, b.len, NULL, &e_), TRIN_EINVALID, "csv");
  {
    trin_err_t e_ = {0};
    sv_import_csv(env.svc, "S-IN", 3, b.data, b.len, NULL, &e_);
    assert_non_null(strstr(e_.message, "line 17: TRUST_ECONOMY"));
  }
  sbuf_free(&b);
  OK(sv_results(env.svc, "S-IN", 3, &r, &e_));
  assert_int_equal(sv_figure(r, "TRUST_ECONOMY", "all")->count, 15);
  trin_codec_free(r);
}

static void thresholds_baseline_and_anonymity_minimum(void **state) {
  Trin__Survey__SetThresholds m = TRIN__SURVEY__SET_THRESHOLDS__INIT;
  m.survey_id = "S-IN";
  m.min_respondents = 4;
  ProtobufCMessage *rep = NULL;
#define SET_THRESHOLDS(e) \
  trin_client_call(env.svc, &m.base, &trin__survey__survey_reply__descriptor, &rep, e)
  REFUSED(SET_THRESHOLDS(&e_), TRIN_EINVALID, "min_respondents");
  m.min_respondents = 11;
  OK(SET_THRESHOLDS(&e_));
  trin_codec_free(rep);
  m.min_respondents = 6;
  REFUSED(SET_THRESHOLDS(&e_), TRIN_ECONFLICT, "min_respondents");
  /* With 11 required, residents (10) and committee are hidden; all (15) shows. */
  Trin__Survey__RoundResults *r = NULL;
  OK(sv_results(env.svc, "S-IN", 3, &r, &e_));
  assert_int_equal(r->min_respondents, 11);
  assert_true(sv_figure(r, "TRUST_ECONOMY", "residents")->suppressed);
  assert_false(sv_figure(r, "TRUST_ECONOMY", "all")->suppressed);
  trin_codec_free(r);

  /* Baseline = round 2: round 3 is compared with 2's figures. */
  Trin__Survey__SetBaseline sb = TRIN__SURVEY__SET_BASELINE__INIT;
  int32_t rounds[] = {2};
  sb.survey_id = "S-IN";
  sb.rounds = rounds;
  sb.n_rounds = 1;
  OK(trin_client_call(env.svc, &sb.base, &trin__survey__survey_reply__descriptor, &rep, &e_));
  trin_codec_free(rep);
  OK(sv_results(env.svc, "S-IN", 3, &r, &e_));
  const Trin__Survey__Figures *f = sv_figure(r, "TRUST_ECONOMY", "all");
  assert_true(f->has_baseline);
  assert_int_equal(f->baseline_x100, 367); /* (35 + 20) / 15 */
  trin_codec_free(r);
  rounds[0] = 7;
  REFUSED(trin_client_call(env.svc, &sb.base, &trin__survey__survey_reply__descriptor, &rep,
                           &e_),
          TRIN_ENOTFOUND, "rounds[0]");
#undef SET_THRESHOLDS
}

/* Issue 18: with no project outside partnerships (S-OUT comes in the next
 * test) the outside pool is empty: it was reported as not suppressed, with
 * no count. It is suppressed, and says why. */
static void comparison_with_an_empty_pool(void **state) {
  Trin__Survey__Compare q = TRIN__SURVEY__COMPARE__INIT;
  q.statement_key = "TRUST_ECONOMY";
  q.client_org = "KAB";
  Trin__Survey__Comparison *c = NULL;
  OK(trin_client_call(env.svc, &q.base, &trin__survey__comparison__descriptor,
                      (ProtobufCMessage **)&c, &e_));
  assert_int_equal(c->n_groups, 2);
  assert_string_equal(c->groups[0]->group, "inside");
  assert_false(c->groups[0]->suppressed);
  assert_string_equal(c->groups[0]->reason, "");
  assert_int_equal(c->groups[0]->count, 15);
  assert_string_equal(c->groups[1]->group, "outside");
  assert_int_equal(c->groups[1]->projects, 0);
  assert_true(c->groups[1]->suppressed);
  assert_int_equal(c->groups[1]->count, 0);
  assert_string_equal(c->groups[1]->mean, "");
  assert_string_equal(c->groups[1]->reason,
                      "no project outside partnerships has a visible figure for "
                      "'TRUST_ECONOMY'");
  assert_int_equal(c->difference_x100, 0);
  trin_codec_free(c);
}

static void inside_versus_outside(void **state) {
  Trin__Survey__Survey sv;
  survey_for(&sv, "S-OUT", "P-OUT", 1); /* only TRUST_ECONOMY */
  OK(sv_create_when_known(env.svc, &sv, &e_));
  OK(sv_add_round(env.svc, "S-OUT", 1, "2023-04-01", "2023-04-30", &e_));
  sbuf_t b = {0};
  sbuf_printf(&b, "respondent,role,TRUST_ECONOMY\n");
  for (int i = 0; i < 6; i++) sbuf_printf(&b, "o%d,residents,5\n", i);
  OK(sv_import_csv(env.svc, "S-OUT", 1, b.data, b.len, NULL, &e_));
  sbuf_free(&b);
  Trin__Survey__Compare q = TRIN__SURVEY__COMPARE__INIT;
  q.statement_key = "TRUST_ECONOMY";
  q.client_org = "KAB";
  Trin__Survey__Comparison *c = NULL;
  OK(trin_client_call(env.svc, &q.base, &trin__survey__comparison__descriptor,
                      (ProtobufCMessage **)&c, &e_));
  assert_int_equal(c->n_groups, 2);
  assert_string_equal(c->groups[0]->group, "inside");
  assert_int_equal(c->groups[0]->projects, 1);
  assert_int_equal(c->groups[0]->count, 15);          /* S-IN round 3, all roles */
  assert_string_equal(c->groups[0]->mean, "2.67");    /* 40 / 15 */
  assert_string_equal(c->groups[1]->mean, "5.00");
  assert_int_equal(c->difference_x100, -233);
  trin_codec_free(c);
  q.statement_key = "TILES"; /* per-project, not common */
  REFUSED(trin_client_call(env.svc, &q.base, &trin__survey__comparison__descriptor,
                           (ProtobufCMessage **)&c, &e_),
          TRIN_ENOTFOUND, "statement_key");
}

/* trinctl reads the file and sends it; a ';' file with a BOM and decimal
 * commas, then the results as a table and as JSON. */
static void trinctl_import_and_results(void **state) {
  char path[400], cmd[1400], out[16384];
  snprintf(path, sizeof path, "%s/round1.csv", env.sv.dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("\xEF\xBB\xBFrespondent;role;TRUST_ECONOMY\r\n", f);
  for (int i = 0; i < 6; i++) fprintf(f, "o%d;residents;5,0\r\n", i);
  fprintf(f, "n1;beboer;4\r\n");
  fclose(f);
  snprintf(cmd, sizeof cmd, "%s --endpoint %s survey import --survey S-OUT --round 1 %s",
           TRINCTL_BIN, env.sv.endpoint, path);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "7 responses, 1 new, 0 replaced, 6 unchanged"));
  snprintf(cmd, sizeof cmd, "%s --endpoint %s survey results S-OUT", TRINCTL_BIN,
           env.sv.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "TRUST_ECONOMY"));
  assert_non_null(strstr(out, "4,86")); /* 34 / 7, a decimal comma as trinctl writes numbers */
  snprintf(cmd, sizeof cmd, "%s --endpoint %s --json survey results S-IN --round 1",
           TRINCTL_BIN, env.sv.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "\"suppressed\":true"));
  /* A bad row: exit 1 and the line on stderr (not captured), nothing stored. */
  f = fopen(path, "a");
  fputs("x9;residents;8\r\n", f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "%s --endpoint %s survey import --survey S-OUT --round 1 %s 2>&1",
           TRINCTL_BIN, env.sv.endpoint, path);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 1);
  assert_non_null(strstr(out, "line 9"));
}

/* "n1\0x" was read as "n1" (so with n1 on the next line the error blamed a
 * duplicate), and "r\xff\xfe" was recorded though the docs say UTF-8: both
 * refused with line and column, nothing stored, no event. */
static void nul_bytes_and_invalid_utf8_change_nothing(void **state) {
  static const char nul[] = "respondent;role;TRUST_ECONOMY\nn1\0x;residents;4\nn1;residents;3\n";
  static const char ff[] = "role;respondent;TRUST_ECONOMY\nresidents;n2;4\nresidents;r\xff\xfe;3\n";
  const struct {
    const char *csv;
    size_t len;
    const char *want;
  } cases[] = {
      {nul, sizeof nul - 1, "line 2, column 1 (respondent): the cell holds a NUL byte (at position 3)"},
      {ff, sizeof ff - 1,
       "line 3, column 2 (respondent): the cell is not valid UTF-8 (byte 0xFF at position 2); "
       "it looks like Windows-1252 (0xFF = 'ÿ')"},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    trin_err_t e = {0};
    uint64_t before = sv_last_seq(env.svc);
    assert_int_equal(sv_import_csv(env.svc, "S-IN", 3, cases[i].csv, cases[i].len, NULL, &e),
                     TRIN_EINVALID);
    assert_string_equal(e.field, "csv");
    if (!strstr(e.message, cases[i].want)) print_error("case %zu: '%s'\n", i, e.message);
    assert_non_null(strstr(e.message, cases[i].want));
    assert_int_equal(sv_last_seq(env.svc), before);
  }
  Trin__Survey__RoundResults *r = NULL;
  OK(sv_results(env.svc, "S-IN", 3, &r, &e_));
  assert_int_equal(sv_figure(r, "TRUST_ECONOMY", "all")->count, 15);
  trin_codec_free(r);

  /* trinctl sends the file's bytes as they are; the service's words reach
   * the user. */
  char path[400], cmd[1400], out[16384];
  snprintf(path, sizeof path, "%s/nul.csv", env.sv.dir);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(nul, 1, sizeof nul - 1, f), sizeof nul - 1);
  fclose(f);
  uint64_t before = sv_last_seq(env.svc);
  snprintf(cmd, sizeof cmd, "%s --endpoint %s survey import --survey S-IN --round 3 %s 2>&1",
           TRINCTL_BIN, env.sv.endpoint, path);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 1);
  assert_non_null(strstr(out, "line 2, column 1 (respondent): the cell holds a NUL byte"));
  assert_int_equal(sv_last_seq(env.svc), before);
}

/* Issue 19: a Danish office's survey — a statement key with Ø, a file from
 * Excel's plain "CSV (semikolonsepareret)" in Windows-1252 with Danish
 * headers (refused with advice, accepted with --encoding windows-1252), and
 * results that default to the newest round with answers. */
static void danish_files_keys_and_the_default_round(void **state) {
  static Trin__Survey__Statement clean = TRIN__SURVEY__STATEMENT__INIT,
                                 bad = TRIN__SURVEY__STATEMENT__INIT;
  clean.key = "RENGØRING";
  clean.text = "Der bliver gjort rent efter håndværkerne";
  clean.common = true;
  Trin__Survey__Statement *sts[] = {&clean, &st_dialogue};
  Trin__Survey__Survey sv;
  survey_for(&sv, "S-DK", "P-OUT", 2);
  sv.statements = sts;
  /* The rule still refuses what is not a letter, digit or . _ - : */
  bad.key = "RENG ØRING";
  bad.text = "x";
  Trin__Survey__Statement *bads[] = {&bad};
  sv.statements = bads;
  sv.n_statements = 1;
  REFUSED(sv_create(env.svc, &sv, &e_), TRIN_EINVALID, "survey.statements[0].key");
  {
    trin_err_t e_ = {0};
    sv_create(env.svc, &sv, &e_);
    assert_string_equal(e_.message, "'RENG ØRING' may only contain letters A-Z and Æ Ø Å, "
                                    "digits and . _ - : (starting with a letter or digit)");
  }
  sv.statements = sts;
  sv.n_statements = 2;
  OK(sv_create(env.svc, &sv, &e_));
  OK(sv_add_round(env.svc, "S-DK", 1, "2024-01-01", "2024-01-31", &e_));
  OK(sv_add_round(env.svc, "S-DK", 2, "2024-06-01", "2024-06-30", &e_));

  /* The bytes a Danish Excel writes: æ E6, ø F8, å E5, Ø D8, Å C5. */
  static const char cp1252[] =
      "Respondent;Rolle;RENG\xD8RING;DIALOGUE;Kommentar\r\n"
      "d1;beboer;4;4;Fint\r\n"
      "d2;beboer;5;4;R\xE6kkehusene er p\xE6ne\r\n"
      "d3;F\xF8lgegruppe;3;4;\r\n"
      "d4;beboer;4;5;\xC5" "bent og \xE6rligt\r\n"
      "d5;beboer;4;4;\r\n";
  char path[400], cmd[1400], out[16384];
  snprintf(path, sizeof path, "%s/excel.csv", env.sv.dir);
  FILE *f = fopen(path, "wb");
  assert_non_null(f);
  assert_int_equal(fwrite(cp1252, 1, sizeof cp1252 - 1, f), sizeof cp1252 - 1);
  fclose(f);
  uint64_t before = sv_last_seq(env.svc);
  snprintf(cmd, sizeof cmd, "%s --endpoint %s survey import --survey S-DK --round 1 %s 2>&1",
           TRINCTL_BIN, env.sv.endpoint, path);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 1);
  if (!strstr(out, "line 1, column 3: the cell")) print_error("%s\n", out);
  assert_non_null(strstr(out, "line 1, column 3: the cell is not valid UTF-8 (byte 0xD8 at position 5); it looks "
                              "like Windows-1252 (0xD8 = 'Ø'), Excel's \"CSV "
                              "(semikolonsepareret)\": save it as \"CSV UTF-8 "
                              "(kommasepareret)\" or use encoding windows-1252"));
  assert_int_equal(sv_last_seq(env.svc), before);
  snprintf(cmd, sizeof cmd,
           "%s --endpoint %s survey import --survey S-DK --round 1 --encoding windows-1252 %s",
           TRINCTL_BIN, env.sv.endpoint, path);
  int rc = testproc_run(cmd, out, sizeof out);
  if (rc != 0) print_error("%s\n", out);
  assert_int_equal(rc, 0);
  assert_non_null(strstr(out, "5 responses, 5 new, 0 replaced, 0 unchanged"));

  /* Round 2 has no answers yet: the results show round 1 and say so. */
  Trin__Survey__RoundResults *r = NULL;
  OK(sv_results(env.svc, "S-DK", 0, &r, &e_));
  assert_int_equal(r->round, 1);
  assert_int_equal(r->latest_round, 2);
  assert_int_equal(r->respondents, 5);
  const Trin__Survey__Figures *fg = sv_figure(r, "RENGØRING", "all");
  assert_non_null(fg);
  assert_int_equal(fg->count, 5);
  assert_string_equal(fg->mean, "4.00");
  trin_codec_free(r);
  OK(sv_results(env.svc, "S-DK", 2, &r, &e_));
  assert_int_equal(r->round, 2);
  assert_int_equal(r->respondents, 0);
  trin_codec_free(r);
  snprintf(cmd, sizeof cmd, "%s --endpoint %s survey results S-DK", TRINCTL_BIN,
           env.sv.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "round 1 ("));
  assert_non_null(strstr(out, "runde 1 er den seneste med svar; runde 2 har ingen svar endnu"));
  assert_non_null(strstr(out, "RENGØRING"));
  snprintf(cmd, sizeof cmd, "%s --endpoint %s survey results S-DK --round 2", TRINCTL_BIN,
           env.sv.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "runde 2 har ingen svar endnu"));

  /* A common statement with Ø compares like any other. */
  Trin__Survey__Compare q = TRIN__SURVEY__COMPARE__INIT;
  q.statement_key = "RENGØRING";
  Trin__Survey__Comparison *c = NULL;
  OK(trin_client_call(env.svc, &q.base, &trin__survey__comparison__descriptor,
                      (ProtobufCMessage **)&c, &e_));
  assert_string_equal(c->groups[1]->mean, "4.00");
  trin_codec_free(c);
}

/* Issue 19: an alert stands until a later round's figures for the same
 * statement and role no longer meet its condition. Round 2 collapses
 * (residents 2.00, all 2.67: drops and below the floor); round 3 is back
 * at 4.00: every round-2 alert is cleared by round 3, and the cleared
 * event names the alert as it was raised (round 2), so a follower that
 * keys alerts by their round (the aggregator) removes exactly it. */
static void a_recovered_round_clears_the_alert(void **state) {
  OK(lc_project(env.lcc, "P-REC", "KAB-P", NULL, false, "2023-03-01", &e_));
  Trin__Survey__Survey sv;
  survey_for(&sv, "S-REC", "P-REC", 2);
  OK(sv_create_when_known(env.svc, &sv, &e_));
  OK(sv_add_round(env.svc, "S-REC", 1, "2023-04-01", "2023-04-30", &e_));
  OK(sv_add_round(env.svc, "S-REC", 2, "2023-09-01", "2023-09-30", &e_));
  OK(sv_add_round(env.svc, "S-REC", 3, "2024-03-01", "2024-03-31", &e_));
  int good[10] = {4, 4, 4, 4, 4, 4, 4, 4, 4, 4}, bad[10] = {2, 2, 2, 2, 2, 2, 2, 2, 2, 2};
  sbuf_t b = {0};
  Trin__Survey__ImportReply *ir = NULL;
  round_csv(&b, good, 4, 0);
  OK(sv_import_csv(env.svc, "S-REC", 1, b.data, b.len, &ir, &e_));
  trin_codec_free(ir);
  sbuf_free(&b);
  round_csv(&b, bad, 4, 0);
  OK(sv_import_csv(env.svc, "S-REC", 2, b.data, b.len, &ir, &e_));
  assert_int_equal(ir->alerts_raised, 4); /* residents and all: drop and floor */
  trin_codec_free(ir);
  sbuf_free(&b);

  uint64_t before3 = sv_last_seq(env.svc);
  uint8_t *pl = NULL;
  size_t pn = 0;
  assert_int_equal(sv_count_events(env.svc, before3, "survey.alert_cleared", &pl, &pn), 0);
  round_csv(&b, good, 4, 0);
  OK(sv_import_csv(env.svc, "S-REC", 3, b.data, b.len, &ir, &e_));
  assert_int_equal(ir->alerts_raised, 0);
  trin_codec_free(ir);
  sbuf_free(&b);
  assert_int_equal(sv_count_events(env.svc, before3, "survey.alert_cleared", &pl, &pn), 4);
  Trin__Survey__Alert *al = trin__survey__alert__unpack(NULL, pn, pl);
  assert_non_null(al);
  assert_string_equal(al->survey_id, "S-REC");
  assert_string_equal(al->project_id, "P-REC");
  assert_string_equal(al->statement_key, "TRUST_ECONOMY");
  assert_int_equal(al->round, 2);
  assert_int_equal(al->cleared_by_round, 3);
  trin__survey__alert__free_unpacked(al, NULL);
  free(pl);

  /* Round 2's figures are what they were, but nothing stands any more. */
  Trin__Survey__RoundResults *r = NULL;
  OK(sv_results(env.svc, "S-REC", 2, &r, &e_));
  assert_string_equal(sv_figure(r, "TRUST_ECONOMY", "residents")->mean, "2.00");
  assert_int_equal(r->n_alerts, 0);
  trin_codec_free(r);

  /* Round 3 again, with the residents down once more: a new alert of
   * round 3's own; round 2's stay cleared (nothing cleared twice). */
  uint64_t again = sv_last_seq(env.svc);
  round_csv(&b, bad, 4, 0);
  OK(sv_import_csv(env.svc, "S-REC", 3, b.data, b.len, &ir, &e_));
  assert_true(ir->alerts_raised > 0);
  trin_codec_free(ir);
  sbuf_free(&b);
  assert_int_equal(sv_count_events(env.svc, again, "survey.alert_cleared", NULL, NULL), 0);
  assert_true(sv_count_events(env.svc, again, "survey.alert_raised", &pl, &pn) > 0);
  al = trin__survey__alert__unpack(NULL, pn, pl);
  assert_non_null(al);
  assert_int_equal(al->round, 3);
  trin__survey__alert__free_unpacked(al, NULL);
  free(pl);

  /* The list keeps the history: round 2's four cleared by round 3, round
   * 3's own standing. */
  Trin__Survey__AlertList *list = NULL;
  Trin__Survey__ListAlerts la = TRIN__SURVEY__LIST_ALERTS__INIT;
  la.survey_id = "S-REC";
  OK(trin_client_call(env.svc, &la.base, &trin__survey__alert_list__descriptor,
                      (ProtobufCMessage **)&list, &e_));
  size_t cleared = 0, standing = 0;
  for (size_t i = 0; i < list->n_alerts; i++) {
    const Trin__Survey__AlertEntry *x = list->alerts[i];
    assert_true(strlen(x->raised_at) >= 20);
    if (x->alert->round == 2) {
      cleared++;
      assert_false(x->standing);
      assert_int_equal(x->cleared_by_round, 3);
      assert_true(strlen(x->cleared_at) >= 20);
    } else {
      standing++;
      assert_int_equal(x->alert->round, 3);
      assert_true(x->standing);
    }
  }
  assert_int_equal(cleared, 4);
  assert_true(standing > 0);
  trin_codec_free(list);

  /* Acknowledged with a note: recorded, an event, still standing. */
  Trin__Survey__AcknowledgeAlert ack = TRIN__SURVEY__ACKNOWLEDGE_ALERT__INIT;
  ack.survey_id = "S-REC";
  ack.round = 3;
  ack.statement_key = "TRUST_ECONOMY";
  ack.role = "residents";
  ack.kind = "below_floor";
  ack.note = "";
  Trin__Survey__AlertEntry *ent = NULL;
#define ACK(e)                                                                   \
  trin_client_call(env.svc, &ack.base, &trin__survey__alert_entry__descriptor, \
                   (ProtobufCMessage **)&ent, e)
  REFUSED(ACK(&e_), TRIN_EINVALID, "note");
  {
    trin_err_t e_ = {0};
    ACK(&e_);
    assert_string_equal(e_.message, "is required: say what is being done about the alert");
  }
  ack.note = "Beboermøde om økonomien 12. april";
  ack.kind = "drop_from_baseline";
  REFUSED(ACK(&e_), TRIN_ENOTFOUND, "round");
  {
    trin_err_t e_ = {0};
    ACK(&e_);
    assert_string_equal(e_.message, "survey 'S-REC' has no drop_from_baseline alert for "
                                    "TRUST_ECONOMY / residents raised by round 3");
  }
  ack.kind = "below_floor";
  uint64_t before_ack = sv_last_seq(env.svc);
  OK(ACK(&e_));
  assert_true(ent->standing);
  assert_string_equal(ent->note, "Beboermøde om økonomien 12. april");
  assert_true(strlen(ent->acknowledged_by) > 0);
  assert_true(strlen(ent->acknowledged_at) >= 20);
  assert_true(ent->seq > before_ack);
  trin_codec_free(ent);
#undef ACK
  assert_int_equal(sv_count_events(env.svc, before_ack, "survey.alert_acknowledged", NULL, NULL),
                   1);

  /* trinctl survey alerts: Danish first, one line per alert. */
  char cmd[1400], out[16384];
  snprintf(cmd, sizeof cmd, "%s --endpoint %s survey alerts S-REC", TRINCTL_BIN,
           env.sv.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "survey S-REC: advarsler (alerts)"));
  assert_non_null(strstr(out, "ryddet af runde 3 (cleared)"));
  assert_non_null(strstr(out, "står (standing)"));
  assert_non_null(strstr(out, "Beboermøde om økonomien 12. april"));
  snprintf(cmd, sizeof cmd, "%s --endpoint %s --json survey alerts S-REC", TRINCTL_BIN,
           env.sv.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "\"cleared_by_round\":3"));
  snprintf(cmd, sizeof cmd, "%s --endpoint %s survey alerts S-OUT", TRINCTL_BIN,
           env.sv.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "survey S-OUT: ingen advarsler (no alerts)"));

  /* trinctl survey ack: the same request, Danish first; refused in words. */
  snprintf(cmd, sizeof cmd,
           "%s --endpoint %s survey ack S-REC --round 3 --statement TRUST_ECONOMY --role "
           "residents --kind below_floor --note 'Ny beboerdialog i maj'",
           TRINCTL_BIN, env.sv.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "advarsel kvitteret (alert acknowledged): survey S-REC, runde 3, "
                              "TRUST_ECONOMY / residents, below_floor"));
  assert_non_null(strstr(out, "note       Ny beboerdialog i maj"));
  snprintf(cmd, sizeof cmd,
           "%s --endpoint %s survey ack S-REC --round 3 --statement TRUST_ECONOMY "
           "--kind drop_from_baseline --note 'x' 2>&1",
           TRINCTL_BIN, env.sv.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 1);
  assert_non_null(strstr(out, "survey 'S-REC' has no drop_from_baseline alert for "
                              "TRUST_ECONOMY / all raised by round 3"));

  /* ListAlerts by project: the project's surveys' alerts; one of the two ids. */
  Trin__Survey__ListAlerts lp = TRIN__SURVEY__LIST_ALERTS__INIT;
  lp.project_id = "P-REC";
  Trin__Survey__AlertList *by_project = NULL;
  OK(trin_client_call(env.svc, &lp.base, &trin__survey__alert_list__descriptor,
                      (ProtobufCMessage **)&by_project, &e_));
  assert_int_equal(by_project->n_alerts, cleared + standing);
  for (size_t i = 0; i < by_project->n_alerts; i++)
    assert_string_equal(by_project->alerts[i]->alert->survey_id, "S-REC");
  trin_codec_free(by_project);
  lp.survey_id = "S-REC";
  REFUSED(testcall(env.svc, &lp.base, &trin__survey__alert_list__descriptor, NULL, &e_),
          TRIN_EINVALID, "survey_id");
  lp.survey_id = "";
  lp.project_id = "P-NONE";
  REFUSED(testcall(env.svc, &lp.base, &trin__survey__alert_list__descriptor, NULL, &e_),
          TRIN_ENOTFOUND, "project_id");
  lp.project_id = "";
  {
    trin_err_t e_ = {0};
    testcall(env.svc, &lp.base, &trin__survey__alert_list__descriptor, NULL, &e_);
    assert_string_equal(e_.field, "survey_id");
    assert_string_equal(e_.message, "give survey_id (or project_id for all its surveys)");
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(three_rounds_and_an_alert),
      cmocka_unit_test(thresholds_baseline_and_anonymity_minimum),
      cmocka_unit_test(comparison_with_an_empty_pool),
      cmocka_unit_test(inside_versus_outside),
      cmocka_unit_test(trinctl_import_and_results),
      cmocka_unit_test(nul_bytes_and_invalid_utf8_change_nothing),
      cmocka_unit_test(danish_files_keys_and_the_default_round),
      cmocka_unit_test(a_recovered_round_clears_the_alert),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
