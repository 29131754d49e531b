/* lists.trinctl — the lists across partnerships (issue 19) through the
 * trinctl binary against a real trin-lifecycle and a trin-budget following
 * it: `dispute list`, `defect list`, `budget list` (one project's, or every
 * project's by status), `index list`, `survey list` (a trin-survey, its
 * rounds) and `benchmark properties` (a trin-benchmark) with their filters, as readable
 * tables (Danish numbers) and as --json, and the usage errors of their
 * options. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>
#include <jansson.h>

#include "testproc.h"

static testproc_t svc, bg, sv, bm;
static char out[65536];
static char a_lc_ep[400], a_lc_pub[400];
static const char *bg_extra[] = {a_lc_ep, a_lc_pub, "--heartbeat-ms=200", NULL};
/* benchmark's properties need no other service */
static const char *bm_extra[] = {"--lifecycle-endpoint=", "--budget-endpoint=",
                                 "--survey-endpoint=", NULL};
static const char *sv_extra[] = {a_lc_ep, a_lc_pub, "--heartbeat-ms=200", "--http-address=",
                                 NULL};

/* Runs trinctl with args against the service; returns its exit status and
 * leaves stdout in `out` (stderr is folded in when err_too). */
static int ctl_at(const char *endpoint, bool err_too, const char *fmt, va_list ap) {
  char args[2048], cmd[4096];
  vsnprintf(args, sizeof args, fmt, ap);
  snprintf(cmd, sizeof cmd, "%s --endpoint '%s' %s%s", TRINCTL_BIN, endpoint, args,
           err_too ? " 2>&1" : " 2>/dev/null");
  return testproc_run(cmd, out, sizeof out);
}

static int ctl(bool err_too, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = ctl_at(svc.endpoint, err_too, fmt, ap);
  va_end(ap);
  return rc;
}

/* The same against the budget service, and the survey service. */
static int bgctl(bool err_too, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = ctl_at(bg.endpoint, err_too, fmt, ap);
  va_end(ap);
  return rc;
}

static int bmctl(bool err_too, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = ctl_at(bm.endpoint, err_too, fmt, ap);
  va_end(ap);
  return rc;
}

static int svctl(bool err_too, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = ctl_at(sv.endpoint, err_too, fmt, ap);
  va_end(ap);
  return rc;
}

#define SV_OK(...)                                                                 \
  do {                                                                             \
    int rc_ = svctl(true, __VA_ARGS__);                                            \
    if (rc_ != 0) print_error("trinctl %s\n -> %d: %s\n", #__VA_ARGS__, rc_, out); \
    assert_int_equal(rc_, 0);                                                      \
  } while (0)

#define BG_OK(...)                                                                 \
  do {                                                                             \
    int rc_ = bgctl(true, __VA_ARGS__);                                            \
    if (rc_ != 0) print_error("trinctl %s\n -> %d: %s\n", #__VA_ARGS__, rc_, out); \
    assert_int_equal(rc_, 0);                                                      \
  } while (0)

#define OK(...)                                                                    \
  do {                                                                             \
    int rc_ = ctl(true, __VA_ARGS__);                                              \
    if (rc_ != 0) print_error("trinctl %s\n -> %d: %s\n", #__VA_ARGS__, rc_, out); \
    assert_int_equal(rc_, 0);                                                      \
  } while (0)

#define HAS(text)                                                   \
  do {                                                              \
    if (!strstr(out, (text))) print_error("no '%s' in:\n%s\n", (text), out); \
    assert_non_null(strstr(out, (text)));                           \
  } while (0)

/* The --json array in `out`; the caller json_decref()s it. */
static json_t *json_array_out(size_t want) {
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  if (!j) print_error("not JSON: %s\n%s\n", je.text, out);
  assert_non_null(j);
  assert_true(json_is_array(j));
  if (json_array_size(j) != want) print_error("%s\n", out);
  assert_int_equal(json_array_size(j), want);
  return j;
}

static const char *str_at(json_t *j, size_t i, const char *obj, const char *key) {
  return json_string_value(json_object_get(json_object_get(json_array_get(j, i), obj), key));
}

static int setup(void **state) {
  testproc_init(&svc, "lists");
  testproc_init(&bg, "lists-bg");
  testproc_init(&sv, "lists-sv");
  testproc_init(&bm, "lists-bm");
  snprintf(a_lc_ep, sizeof a_lc_ep, "--lifecycle-endpoint=%s", svc.endpoint);
  snprintf(a_lc_pub, sizeof a_lc_pub, "--lifecycle-pub-endpoint=%s", svc.pub);
  if (!testproc_start(&svc, TRIN_LIFECYCLE_BIN, NULL)) return -1;
  if (!testproc_start(&bg, TRIN_BUDGET_BIN, bg_extra)) return -1;
  if (!testproc_start(&sv, TRIN_SURVEY_BIN, sv_extra)) return -1;
  if (!testproc_start(&bm, TRIN_BENCHMARK_BIN, bm_extra)) return -1;
  /* Two partnerships; disputes and defects in three projects. */
  const char *cmds[] = {
      "org create --id CIV --name Civica --kind client",
      "org create --id AAB --name AAB --kind client",
      "org create --id TE --name 'Totalentreprenøren' --kind contractor",
      "partnership create --id LIVA --name LIVA --client CIV --framework-start 2022-09-01 "
      "--price-closing myndighedsprojekt",
      "partnership create --id AABP --name AABP --client AAB --framework-start 2022-09-01 "
      "--price-closing myndighedsprojekt",
      "partnership add-member --partnership LIVA --org TE --role contractor",
      "project create --id P1 --name Kildeparken --partnership LIVA --kind helhedsplan "
      "--start 2023-01-10",
      "project create --id P2 --name Tagene --partnership LIVA --kind maintenance "
      "--fast-track --start 2023-01-10",
      "project create --id Q1 --name Nørrebro --partnership AABP --kind renovation "
      "--start 2023-01-10",
      "dispute open P1 --id D1 --title 'Ekstraarbejde facade' --amount 1.234.567,89 "
      "--date 2023-03-01 --raised-by TE",
      "dispute escalate D1 --level 3 --date 2023-04-01 --by CIV",
      "dispute open P1 --id D2 --title 'Stillads' --amount 50.000 --date 2023-03-05 "
      "--raised-by CIV",
      "dispute resolve D2 --date 2023-05-01 --resolution Forlig --settled 25.000",
      "dispute open Q1 --id D3 --title 'Vinduer' --amount 10.000 --date 2023-03-02 "
      "--raised-by AAB",
      /* P2 to handover so it takes defects */
      "project advance P2 --to trin1_2 --date 2023-02-01",
      "project close-price P2 --date 2023-03-01",
      "project advance P2 --to trin3 --date 2023-04-01",
      "project advance P2 --to handover --date 2024-05-01",
      "defect report P2 --id M1 --description 'Utæt tag' --severity critical "
      "--found-at handover --reported 2024-05-01 --due 2024-06-01 --cost-bearer TE",
      "defect report P2 --id M2 --description 'Ridse i dør' --severity minor "
      "--found-at handover --reported 2024-05-01 --due 2024-09-01",
      "defect report P2 --id M3 --description 'Maling' --severity minor "
      "--found-at handover --reported 2024-05-01 --due 2024-05-15",
      "defect fix M3 --date 2024-05-20",
  };
  for (size_t i = 0; i < sizeof cmds / sizeof *cmds; i++)
    if (ctl(true, "%s", cmds[i]) != 0) {
      fprintf(stderr, "setup: trinctl %s\n -> %s\n", cmds[i], out);
      return -1;
    }
  return 0;
}

static int teardown(void **state) {
  int rm = testproc_stop(&bm);
  testproc_cleanup(&bm);
  int rs = testproc_stop(&sv);
  int rb = testproc_stop(&bg);
  int rc = testproc_stop(&svc);
  testproc_cleanup(&sv);
  testproc_cleanup(&bg);
  testproc_cleanup(&svc);
  return rc == 0 && rb == 0 && rs == 0 && rm == 0 ? 0 : -1;
}

static void dispute_list_text_and_json(void **state) {
  OK("dispute list");
  HAS("ID");
  HAS("LEVEL");
  HAS("3 conflict forum");
  HAS("1.234.567,89 kr.");
  HAS("resolved 2023-05-01");
  /* open first, highest level first */
  assert_true(strstr(out, "D1") < strstr(out, "D3"));
  assert_true(strstr(out, "D3") < strstr(out, "D2"));

  OK("--json dispute list --open");
  json_t *j = json_array_out(2);
  assert_string_equal(str_at(j, 0, "dispute", "id"), "D1");
  assert_string_equal(str_at(j, 0, "project", "name"), "Kildeparken");
  assert_string_equal(str_at(j, 0, "project", "partnership_id"), "LIVA");
  assert_int_equal(json_integer_value(json_object_get(
                       json_object_get(json_array_get(j, 0), "dispute"), "amount_ore")),
                   123456789);
  json_decref(j);

  OK("--json dispute list --partnership AABP");
  j = json_array_out(1);
  assert_string_equal(str_at(j, 0, "dispute", "id"), "D3");
  json_decref(j);
  OK("--json dispute list --min-level 2");
  j = json_array_out(1);
  assert_string_equal(str_at(j, 0, "dispute", "id"), "D1");
  json_decref(j);
  /* TE raised D1 only; CIV is the client of both of LIVA's disputes */
  OK("--json dispute list --org TE");
  j = json_array_out(1);
  json_decref(j);
  OK("--json dispute list --org CIV");
  j = json_array_out(2);
  json_decref(j);
  OK("--json dispute list --client AAB --project P1");
  j = json_array_out(0);
  json_decref(j);
  OK("dispute list --client AAB --project P1");
  HAS("(ingen)");

  /* usage: the ladder has levels 1–7 */
  assert_int_equal(ctl(true, "dispute list --min-level 8"), 2);
  HAS("--min-level");
}

static void defect_list_text_and_json(void **state) {
  OK("defect list --as-of 2024-07-01");
  HAS("SEVERITY");
  HAS("OVERDUE");
  HAS("fixed 2024-05-20");
  HAS("1 overdue as of 2024-07-01");
  /* open first, earliest due first */
  assert_true(strstr(out, "M1") < strstr(out, "M2"));
  assert_true(strstr(out, "M2") < strstr(out, "M3"));

  OK("--json defect list --overdue --as-of 2024-07-01");
  json_t *j = json_array_out(1);
  assert_string_equal(str_at(j, 0, "defect", "id"), "M1");
  assert_string_equal(str_at(j, 0, "project", "id"), "P2");
  assert_true(json_is_true(json_object_get(json_array_get(j, 0), "overdue")));
  json_decref(j);
  /* due on the day itself is not overdue yet */
  OK("--json defect list --overdue --as-of 2024-06-01");
  j = json_array_out(0);
  json_decref(j);
  OK("--json defect list --open");
  j = json_array_out(2);
  json_decref(j);
  OK("--json defect list --severity minor");
  j = json_array_out(2);
  json_decref(j);
  OK("--json defect list --org TE");
  j = json_array_out(1);
  json_decref(j);
  OK("--json defect list --partnership AABP");
  j = json_array_out(0);
  json_decref(j);

  /* usage and refusals name what is wrong */
  assert_int_equal(ctl(true, "defect list --severity awful"), 2);
  HAS("--severity");
  assert_int_equal(ctl(true, "defect list --as-of 2024-02-30"), 2);
  HAS("--as-of");
}

static void budget_and_index_lists(void **state) {
  /* budget learns the projects from lifecycle's events: wait (a generous
   * bound, ended as soon as it knows the last one) */
  bool known = false;
  for (int i = 0; i < 300 && !known; i++) {
    known = bgctl(false, "budget list Q1") == 0;
    if (!known) {
      struct timespec ts = {0, 100 * 1000000L};
      nanosleep(&ts, NULL);
    }
  }
  assert_true(known);
  BG_OK("budget create A1 --project P1 --kind skema_a --date 2023-05-01");
  BG_OK("budget line A1 --line L1 --category craft --amount 1.234.567,89");
  BG_OK("budget submit A1 --date 2023-05-02");
  BG_OK("budget create A2 --project P2 --kind skema_a --date 2023-05-01");
  BG_OK("budget create QA --project Q1 --kind skema_a --date 2023-05-01");
  BG_OK("budget line QA --line L1 --category craft --amount 100");
  BG_OK("budget submit QA --date 2023-05-03");

  /* one project's, as before */
  BG_OK("budget list P1");
  HAS("A1");
  assert_null(strstr(out, "A2"));
  /* across projects by status: Danish amounts, the project named */
  BG_OK("budget list --status submitted");
  HAS("project");
  HAS("1.234.567,89 kr.");
  HAS("QA");
  assert_null(strstr(out, "A2"));
  BG_OK("--json budget list --status submitted --partnership LIVA");
  json_error_t je;
  json_t *j = json_loads(out, 0, &je);
  assert_non_null(j);
  json_t *b = json_object_get(j, "budgets");
  assert_int_equal(json_array_size(b), 1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(b, 0), "id")), "A1");
  assert_int_equal(json_integer_value(json_object_get(json_array_get(b, 0), "total_ore")),
                   123456789);
  json_decref(j);
  BG_OK("--json budget list --status draft --client CIV");
  j = json_loads(out, 0, &je);
  assert_non_null(j);
  assert_int_equal(json_array_size(json_object_get(j, "budgets")), 1);
  json_decref(j);
  assert_int_equal(bgctl(true, "budget list --status pending"), 2);
  HAS("--status");

  /* index series: points, first and last date, last value */
  BG_OK("index add BYG42 --date 2023-01-01 --value 100,00");
  BG_OK("index add BYG42 --date 2024-01-01 --value 1.104,50");
  BG_OK("index add BYG43 --date 2023-01-01 --value 98");
  BG_OK("index list");
  HAS("last value");
  HAS("2023-01-01  2024-01-01  1.104,50");
  BG_OK("--json index list");
  j = json_array_out(2);
  json_t *x = json_array_get(j, 0);
  assert_string_equal(json_string_value(json_object_get(x, "series")), "BYG42");
  assert_int_equal(json_integer_value(json_object_get(x, "points")), 2);
  assert_string_equal(json_string_value(json_object_get(x, "last_date")), "2024-01-01");
  assert_int_equal(json_integer_value(json_object_get(x, "last_value_x100")), 110450);
  json_decref(j);
}

static void survey_list_with_rounds(void **state) {
  char path[512];
  snprintf(path, sizeof path, "%s/statements.csv", sv.dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("key,text,common\ntrust,Vi har tillid,yes\n", f);
  fclose(f);
  /* survey learns the projects from lifecycle's events: a generous bound,
   * ended as soon as it knows Q1 */
  int rc = 1;
  for (int i = 0; i < 300 && rc != 0; i++) {
    rc = svctl(false, "survey create SQ --project Q1 --title 'Tilfredshed Nørrebro' "
                      "--statements '%s'", path);
    if (rc != 0) {
      struct timespec ts = {0, 100 * 1000000L};
      nanosleep(&ts, NULL);
    }
  }
  assert_int_equal(rc, 0);
  SV_OK("survey create SP --project P1 --title 'Tilfredshed Kildeparken' --statements '%s'",
        path);
  SV_OK("survey round SP --number 1 --opens 2024-03-01 --closes 2024-03-31");
  SV_OK("survey round SP --number 2 --opens 2025-03-01 --closes 2025-03-31");

  SV_OK("survey list --partnership LIVA");
  HAS("respondents");
  HAS("2024-03-01  2024-03-31");
  HAS("2025-03-01  2025-03-31");
  HAS("Tilfredshed Kildeparken");
  assert_null(strstr(out, "SQ"));
  SV_OK("--json survey list --client AAB");
  json_t *j = json_array_out(1);
  assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "id")), "SQ");
  assert_int_equal(json_array_size(json_object_get(json_array_get(j, 0), "rounds")), 0);
  json_decref(j);
  SV_OK("--json survey list");
  j = json_array_out(2);
  json_t *rounds = json_object_get(json_array_get(j, 0), "rounds");
  assert_int_equal(json_array_size(rounds), 2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(rounds, 1), "opens")),
                      "2025-03-01");
  json_decref(j);
}

static void benchmark_properties(void **state) {
  char path[512];
  snprintf(path, sizeof path, "%s/properties.csv", bm.dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("property_id,name,owner_org,type,gross_area_m2\n"
        "SKOLE1,Ørestad Skole,KBH,school,12500\n"
        "BH1,Børnehuset,KBH,day_care,900\n"
        "SKOLE2,Aarhus Skole,AAR,school,8000\n", f);
  fclose(f);
  int rc = bmctl(true, "benchmark import '%s' --kind properties", path);
  if (rc) print_error("%s\n", out);
  assert_int_equal(rc, 0);
  assert_int_equal(bmctl(true, "benchmark properties --type school"), 0);
  HAS("m²");
  HAS("12.500");
  HAS("Ørestad Skole");
  assert_null(strstr(out, "BH1"));
  assert_int_equal(bmctl(true, "--json benchmark properties --org KBH"), 0);
  json_t *j = json_array_out(2);
  assert_string_equal(json_string_value(json_object_get(json_array_get(j, 0), "id")), "BH1");
  assert_int_equal(json_integer_value(json_object_get(json_array_get(j, 1), "gross_area_m2")),
                   12500);
  json_decref(j);
  assert_int_equal(bmctl(true, "benchmark properties --type castle"), 2);
  HAS("--type");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(dispute_list_text_and_json),
      cmocka_unit_test(defect_list_text_and_json),
      cmocka_unit_test(budget_and_index_lists),
      cmocka_unit_test(survey_list_with_rounds),
      cmocka_unit_test(benchmark_properties),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
