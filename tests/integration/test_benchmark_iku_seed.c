/* benchmark.iku — competitive exposure (IKU) through the real
 * trin-benchmark process: seed 003's table of Aalborg Kommune (its IKU and
 * national place per main account, the total 29,8 % as nr. 30, the national
 * average 28,0 % and the total's places 2012–2022) comes out of trin when
 * tests/data/iku/iku_seed_aalborg.csv (the seed's Aalborg figures amid 97
 * synthetic municipalities) is imported, over the wire and through trinctl's
 * Danish table; bad files are refused whole, naming line and column; who may
 * import and read; a main account without tasks and a missing one; kill -9
 * and restart give the same report. The service speaks CURVE: the operator
 * imports with an admin key, a municipality's reader reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_benchmark_calls.h"
#include "testcall.h"
#include "testproc.h"
#include "trin_codec.h"

static const char *extra[] = {"--lifecycle-endpoint=", "--budget-endpoint=", "--survey-endpoint=",
                              NULL};

static testproc_t bm;
enum { ADMIN, WRITER, READER, NWHO };
static const struct {
  const char *org, *role;
} WHO[NWHO] = {[ADMIN] = {"ops", "admin"}, [WRITER] = {"aalborg", "writer"},
               [READER] = {"aalborg", "reader"}};
static bmc_keys_t keys;
static char key_args[3][260];
static trin_keypair_t bm_pair, who_pair[NWHO];
static trin_client_t *cl[NWHO];
static char key_file[NWHO][260];

static trin_client_t *as(int who) {
  if (!cl[who]) {
    trin_err_t err = {0};
    if (bmc_client_as(bm.endpoint, &who_pair[who], &bm_pair, &cl[who], &err))
      fail_msg("client: %s", err.message);
    trin_client_set_timeout(cl[who], 60000);
  }
  return cl[who];
}

static void clients_close(void) {
  for (int w = 0; w < NWHO; w++) trin_client_destroy(&cl[w]);
}

static int start(void) {
  const char *args[8];
  int n = 0;
  for (int i = 0; extra[i]; i++) args[n++] = extra[i];
  for (int i = 0; i < 3; i++) args[n++] = key_args[i];
  args[n] = NULL;
  trin_curve_client_t curve = {.own = &who_pair[ADMIN]};
  snprintf(curve.server_public_z85, sizeof curve.server_public_z85, "%s", bm_pair.public_z85);
  return testproc_start_curve(&bm, TRIN_BENCHMARK_BIN, args, &curve) ? 0 : -1;
}

static int setup(void **state) {
  (void)state;
  testproc_init(&bm, "benchmark-iku");
  trin_err_t err = {0};
  if (bmc_keys_init(&keys, &err) || bmc_keys_service(&keys, "benchmark", &bm_pair, key_args, &err))
    return -1;
  for (int w = 0; w < NWHO; w++) {
    if (bmc_keys_person(&keys, WHO[w].org, WHO[w].role, &who_pair[w], &err)) return -1;
    snprintf(key_file[w], sizeof key_file[w], "%s/%s-%s", keys.dir, WHO[w].org, WHO[w].role);
    if (trin_keys_write(key_file[w], &who_pair[w], &err)) return -1;
  }
  return start();
}

static int teardown(void **state) {
  (void)state;
  clients_close();
  int st = testproc_stop(&bm);
  testproc_cleanup(&bm);
  bmc_keys_cleanup(&keys);
  return st == 0 ? 0 : -1;
}

static uint64_t last_seq(void) {
  Trin__Ping ping = TRIN__PING__INIT;
  Trin__Pong *pong = NULL;
  trin_err_t err;
  assert_int_equal(trin_client_call(as(ADMIN), &ping.base, &trin__pong__descriptor,
                                    (ProtobufCMessage **)&pong, &err),
                   TRIN_OK);
  uint64_t s = pong->last_seq;
  trin_codec_free(pong);
  return s;
}

static int import(int who, const char *csv, trin_err_t *err) {
  Trin__Benchmark__ImportIkuCsv m = TRIN__BENCHMARK__IMPORT_IKU_CSV__INIT;
  m.csv.data = (uint8_t *)csv;
  m.csv.len = strlen(csv);
  return testcall(as(who), &m.base, &trin__benchmark__iku_import_reply__descriptor, NULL, err);
}

static int query(int who, const char *muni, int year, Trin__Benchmark__IkuReport **out,
                 trin_err_t *err) {
  Trin__Benchmark__QueryIku m = TRIN__BENCHMARK__QUERY_IKU__INIT;
  m.municipality = (char *)muni;
  m.year = year;
  return testcall(as(who), &m.base, &trin__benchmark__iku_report__descriptor,
                  (ProtobufCMessage **)out, err);
}

/* The command line of trinctl asking with who's key. */
static const char *ctl(int who) {
  static char buf[NWHO][900];
  snprintf(buf[who], sizeof buf[who], "%s --endpoint=%s --key %s --server-key %s/benchmark.pub",
           TRINCTL_BIN, bm.endpoint, key_file[who], keys.peer_keys);
  return buf[who];
}

/* The line of out that starts with `start`, copied into line. */
static const char *line_of(const char *out, const char *start, char *line, size_t size) {
  for (const char *p = out; p && *p; p = strchr(p, '\n') ? strchr(p, '\n') + 1 : NULL)
    if (strncmp(p, start, strlen(start)) == 0) {
      const char *eol = strchr(p, '\n');
      snprintf(line, size, "%.*s", (int)(eol ? eol - p : (long)strlen(p)), p);
      return line;
    }
  fail_msg("no line starting '%s' in:\n%s", start, out);
  return NULL;
}

static void nothing_imported_yet(void **state) {
  (void)state;
  trin_err_t err = {0};
  assert_int_equal(query(READER, "Aalborg", 0, NULL, &err), TRIN_ENOTFOUND);
  assert_string_equal(err.field, "municipality");
  assert_string_equal(err.message,
                      "no IKU figures have been imported (trinctl benchmark iku-import)");
  assert_int_equal(query(READER, "", 2022, NULL, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "municipality");
  assert_string_equal(err.message, "is required");
  assert_int_equal(query(READER, "Aalborg", 1800, NULL, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "year");
  assert_string_equal(err.message, "must be 1990–2100, not 1800");
}

#define HEAD "year;municipality;main_account;purchases;own_won;tasks\n"

/* A refused file: INVALID, field csv, the message as people read it, and
 * nothing stored (no event). */
static void refused(const char *csv, const char *want_start) {
  trin_err_t err = {0};
  uint64_t before = last_seq();
  int rc = import(ADMIN, csv, &err);
  if (rc != TRIN_EINVALID || strncmp(err.message, want_start, strlen(want_start)) != 0)
    fail_msg("got %d '%s', want '%s...'", rc, err.message, want_start);
  assert_string_equal(err.field, "csv");
  assert_int_equal(last_seq(), before);
}

static void bad_files_refused_whole(void **state) {
  (void)state;
  refused("year;municipality;main_account;purchases;own_won\n2022;Aalborg;4;1;1\n",
          "line 1: the header has no column 'tasks' (or 'udbudsegnede opgaver'); the columns are "
          "year;municipality;main_account;purchases;own_won;tasks (år;kommune;hovedkonto;køb;"
          "egne vundne udbud;udbudsegnede opgaver)");
  refused(HEAD "2022;Aalborg;4;100;10;1000\n2022;Aalborg;2;12,3x;0;1000\n",
          "line 3, column 4 (purchases): '12,3x' is not a number");
  refused(HEAD "2022;Aalborg;Hovedkonto 9;100;10;1000\n",
          "line 2, column 3 (main_account): 'Hovedkonto 9' is not a main account: write its "
          "number (0, 2, 3, 4, 5, 6), its name (e.g. Sundhed) or its key");
  refused(HEAD "2022;Aalborg;Sundhed;1000;10;100\n",
          "line 2, column 6 (tasks): purchases plus own tenders won exceed the tasks private "
          "suppliers could perform; they are part of those tasks (are two columns swapped?)");
  refused(HEAD "2022;Aalborg;Sundhed;-5;0;100\n",
          "line 2, column 4 (purchases): may not be negative");
  refused(HEAD "1850;Aalborg;Sundhed;5;0;100\n", "line 2, column 1 (year): must be 1990–2100, "
                                                 "not 1850");
  refused(HEAD "2022;;Sundhed;5;0;100\n", "line 2, column 2 (municipality): ");
  refused(HEAD "2022;Aalborg;Sundhed;5;0;100\n2022;Aalborg;Transport;5;0;100\n"
               "2022;Aalborg;4;6;0;100\n",
          "line 4: 2022, Aalborg, Sundhed is given on line 2 already; give each year, "
          "municipality and main account once");
  refused(HEAD, "has no data rows");
  /* the file is national statistics of every municipality: the operator
   * imports it, not a municipality's writer */
  trin_err_t err = {0};
  uint64_t before = last_seq();
  assert_int_equal(import(WRITER, HEAD "2022;Aalborg;4;5;0;100\n", &err), TRIN_EFORBIDDEN);
  assert_non_null(strstr(err.message, "ImportIkuCsv"));
  assert_int_equal(last_seq(), before);
  /* nothing of any of them was stored */
  assert_int_equal(query(READER, "Aalborg", 0, NULL, &err), TRIN_ENOTFOUND);
}

/* seed 003: Aalborg's percentage and place per main account in 2022 */
static const struct {
  const char *key, *name;
  int bp, rank, average_bp;
} SEED[6] = {
    {"byudvikling", "Byudvikling", 7000, 1, 4525},
    {"transport", "Transport og infrastruktur", 6800, 23, 5660},
    {"undervisning", "Undervisning og kultur", 3050, 31, 2830},
    {"sundhed", "Sundhed", 1890, 23, 1518},
    {"sociale", "Sociale opgaver", 2610, 55, 2500},
    {"administration", "Administration og it", 2000, 63, 2402},
};
static const int SEED_HISTORY[11] = {31, 36, 27, 56, 29, 27, 25, 23, 23, 22, 30}; /* 2012–2022 */

static void seed_table_reproduced(void **state) {
  (void)state;
  static char out[1 << 16];
  char cmd[2000], line[300];
  snprintf(cmd, sizeof cmd, "%s benchmark iku-import %s", ctl(ADMIN), TRIN_IKU_SEED_CSV);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, ": 6.468 rækker, 98 kommuner, år 2012–2022 (hændelse "));

  Trin__Benchmark__IkuReport *r = NULL;
  OK(query(READER, "Aalborg", 2022, &r, &e_));
  assert_string_equal(r->municipality, "Aalborg");
  assert_int_equal(r->year, 2022);
  assert_int_equal(r->municipalities, 98);
  assert_int_equal(r->n_accounts, 6);
  for (int k = 0; k < 6; k++) {
    const Trin__Benchmark__IkuFigure *f = r->accounts[k];
    assert_string_equal(f->account, SEED[k].key);
    assert_string_equal(f->name, SEED[k].name);
    assert_string_equal(f->state, "ok");
    assert_true(f->has_value);
    assert_int_equal(f->iku_bp, SEED[k].bp);
    assert_int_equal(f->rank, SEED[k].rank);
    assert_int_equal(f->of, 98);
    assert_true(f->has_average);
    assert_int_equal(f->average_bp, SEED[k].average_bp);
  }
  /* "29,8 pct. ... 1,8 pct. point højere end landsgennemsnittet ... nr. 30" */
  assert_int_equal(r->total->iku_bp, 2980);
  assert_int_equal(r->total->rank, 30);
  assert_int_equal(r->total->of, 98);
  assert_int_equal(r->total->average_bp, 2800);
  assert_string_equal(r->total->name, "I alt");
  assert_int_equal(r->n_history, 11);
  for (int k = 0; k < 11; k++) {
    assert_int_equal(r->history[k]->year, 2012 + k);
    assert_int_equal(r->history[k]->rank, SEED_HISTORY[k]);
    assert_int_equal(r->history[k]->of, 98);
  }
  trin_codec_free(r);
  /* year 0 = the newest year with figures */
  OK(query(READER, "Aalborg", 0, &r, &e_));
  assert_int_equal(r->year, 2022);
  trin_codec_free(r);

  /* trinctl's table: the seed's, the Danish way */
  snprintf(cmd, sizeof cmd, "%s benchmark iku --municipality Aalborg --year 2022", ctl(READER));
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "Konkurrenceudsættelse (IKU), Aalborg 2022: 98 kommuner\n"));
  static const char *const want[7][3] = {
      {"Byudvikling ", "70,0 %", "nr. 1 af 98"},
      {"Transport og infrastruktur ", "68,0 %", "nr. 23 af 98"},
      {"Undervisning og kultur ", "30,5 %", "nr. 31 af 98"},
      {"Sundhed ", "18,9 %", "nr. 23 af 98"},
      {"Sociale opgaver ", "26,1 %", "nr. 55 af 98"},
      {"Administration og it ", "20,0 %", "nr. 63 af 98"},
      {"I alt ", "29,8 %", "nr. 30 af 98"},
  };
  for (int i = 0; i < 7; i++) {
    line_of(out, want[i][0], line, sizeof line);
    if (!strstr(line, want[i][1]) || !strstr(line, want[i][2]))
      fail_msg("want '%s' and '%s' in '%s'", want[i][1], want[i][2], line);
  }
  assert_non_null(strstr(line_of(out, "I alt ", line, sizeof line), "28,0 %"));
  assert_non_null(strstr(line_of(out, "Transport og", line, sizeof line), "56,6 %"));
  for (int k = 0; k < 11; k++) {
    char year[8], place[24];
    snprintf(year, sizeof year, "%d ", 2012 + k);
    snprintf(place, sizeof place, "nr. %d af 98", SEED_HISTORY[k]);
    assert_non_null(strstr(line_of(out, year, line, sizeof line), place));
  }
  snprintf(cmd, sizeof cmd, "%s --json benchmark iku --municipality Aalborg", ctl(READER));
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "\"iku_bp\":2980"));
  assert_non_null(strstr(out, "\"average_bp\":2800"));
  /* an unknown municipality: refused in words, exit 1 */
  snprintf(cmd, sizeof cmd, "%s benchmark iku --municipality Ålborg 2>&1", ctl(READER));
  assert_int_equal(testproc_run(cmd, out, sizeof out), 1);
  assert_non_null(strstr(out, "no IKU figures of municipality 'Ålborg' in 2012–2022 (names are "
                              "matched exactly, as imported)"));
}

/* 2023: Aalborg reports Sundhed without tasks and no Administration og it;
 * two synthetic municipalities report everything. */
static void no_tasks_and_missing_accounts(void **state) {
  (void)state;
  OK(import(ADMIN,
            "år;kommune;hovedkonto;køb;egne vundne udbud;udbudsegnede opgaver\n"
            "2023;Aalborg;0;70;0;100\n2023;Aalborg;2;60;0;100\n2023;Aalborg;3;30;0;100\n"
            "2023;Aalborg;4;0;0;0\n2023;Aalborg;5;20;0;100\n"
            "2023;Syntetisk kommune 01;0;10;0;100\n2023;Syntetisk kommune 01;2;10;0;100\n"
            "2023;Syntetisk kommune 01;3;10;0;100\n2023;Syntetisk kommune 01;4;10;0;100\n"
            "2023;Syntetisk kommune 01;5;10;0;100\n2023;Syntetisk kommune 01;6;10;0;100\n"
            "2023;Syntetisk kommune 02;0;90;0;100\n2023;Syntetisk kommune 02;2;90;0;100\n"
            "2023;Syntetisk kommune 02;3;90;0;100\n2023;Syntetisk kommune 02;4;90;0;100\n"
            "2023;Syntetisk kommune 02;5;90;0;100\n2023;Syntetisk kommune 02;6;90;0;100\n",
            &e_));
  Trin__Benchmark__IkuReport *r = NULL;
  OK(query(READER, "Aalborg", 0, &r, &e_));
  assert_int_equal(r->year, 2023);
  assert_int_equal(r->municipalities, 3);
  /* Sundhed: no tasks -> no IKU, no rank (not 0 %); the other two ranked */
  assert_string_equal(r->accounts[3]->state, "no_tasks");
  assert_false(r->accounts[3]->has_value);
  assert_int_equal(r->accounts[3]->rank, 0);
  assert_int_equal(r->accounts[3]->of, 2);
  assert_string_equal(r->accounts[5]->state, "missing");
  /* the total of the five reported: 180 / 400 = 45 %, not ranked */
  assert_string_equal(r->total->state, "partial");
  assert_int_equal(r->total->iku_bp, 4500);
  assert_int_equal(r->total->rank, 0);
  assert_int_equal(r->total->of, 2);
  assert_string_equal(r->history[10]->state, "partial");
  assert_int_equal(r->history[9]->rank, 30); /* 2022 */
  trin_codec_free(r);
  static char out[1 << 16];
  char cmd[2000], line[300];
  snprintf(cmd, sizeof cmd, "%s benchmark iku --municipality Aalborg", ctl(READER));
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(line_of(out, "Sundhed ", line, sizeof line),
                         "ingen udbudsegnede opgaver"));
  assert_non_null(strstr(line_of(out, "Administration og it ", line, sizeof line),
                         "ikke indberettet"));
  assert_non_null(
      strstr(line_of(out, "I alt ", line, sizeof line), "ikke placeret: 1 hovedkonto mangler"));
  assert_non_null(strstr(line_of(out, "2023 ", line, sizeof line), "ikke placeret"));
}

static void kill9_and_restart_give_the_same_report(void **state) {
  (void)state;
  Trin__Benchmark__IkuReport *before = NULL, *after = NULL;
  OK(query(READER, "Aalborg", 2022, &before, &e_));
  clients_close();
  testproc_kill9(&bm);
  assert_int_equal(start(), 0);
  OK(query(READER, "Aalborg", 2022, &after, &e_));
  for (int k = 0; k < 6; k++) {
    assert_int_equal(before->accounts[k]->iku_bp, after->accounts[k]->iku_bp);
    assert_int_equal(before->accounts[k]->rank, after->accounts[k]->rank);
  }
  assert_int_equal(after->total->rank, 30);
  for (int k = 0; k < 11; k++)
    assert_int_equal(before->history[k]->rank, after->history[k]->rank);
  trin_codec_free(before);
  trin_codec_free(after);
}

int main(void) {
  testproc_watchdog(290);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(nothing_imported_yet),
      cmocka_unit_test(bad_files_refused_whole),
      cmocka_unit_test(seed_table_reproduced),
      cmocka_unit_test(no_tasks_and_missing_accounts),
      cmocka_unit_test(kill9_and_restart_give_the_same_report),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
