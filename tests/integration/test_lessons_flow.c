/* lifecycle.lessons_flow — issue 20, item 5 through real processes:
 * trin-lifecycle driven by trinctl records lessons learned in one project
 * and their adoption by a later project of the same partnership (with a
 * measured effect), refuses what a user can get wrong with words saying
 * what to fix, lists them the Danish way, and the aggregator's feed carries
 * the two lesson columns in JSON, CSV and OData $metadata. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "test_aggregator_util.h"
#include "testproc.h"

static testproc_t lc, agg;
static int port;
static char out[65536];

/* trinctl against lifecycle; stderr folded into `out`. */
static int ctl(const char *fmt, ...) {
  char args[2048], cmd[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof args, fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof cmd, "%s --endpoint '%s' %s 2>&1", TRINCTL_BIN, lc.endpoint, args);
  return testproc_run(cmd, out, sizeof out);
}

#define OK(...)                                                                      \
  do {                                                                               \
    int rc_ = ctl(__VA_ARGS__);                                                      \
    if (rc_ != 0) print_error("trinctl %s\n -> %d: %s\n", #__VA_ARGS__, rc_, out);   \
    assert_int_equal(rc_, 0);                                                        \
  } while (0)

#define SAYS(words_)                                                                 \
  do {                                                                               \
    if (!strstr(out, (words_))) print_error("missing \"%s\" in:\n%s\n", (words_), out); \
    assert_non_null(strstr(out, (words_)));                                          \
  } while (0)

/* Refused with exit status code_ and words_ in the message. */
#define REFUSED(code_, words_, ...)                                                  \
  do {                                                                               \
    int rc_ = ctl(__VA_ARGS__);                                                      \
    if (rc_ != (code_)) print_error("trinctl %s\n -> %d: %s\n", #__VA_ARGS__, rc_, out); \
    assert_int_equal(rc_, (code_));                                                  \
    SAYS(words_);                                                                    \
  } while (0)

static int setup(void **state) {
  (void)state;
  testproc_init(&lc, "les-lc");
  testproc_init(&agg, "les-agg");
  if (!testproc_start(&lc, TRIN_LIFECYCLE_BIN, NULL)) return -1;
  char a1[400], a2[400];
  snprintf(a1, sizeof a1, "--lifecycle-endpoint=%s", lc.endpoint);
  snprintf(a2, sizeof a2, "--lifecycle-pub-endpoint=%s", lc.pub);
  const char *extra[] = {a1, a2, "--budget-endpoint=", "--survey-endpoint=",
                         "--benchmark-endpoint=", "--http-address=127.0.0.1:0",
                         "--token=" TU_TOKEN, "--retry-ms=200", NULL};
  if (!testproc_start(&agg, TRIN_AGGREGATOR_BIN, extra)) return -1;
  port = testproc_http_port(&agg);
  return port > 0 ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  int rc = testproc_stop(&agg) | testproc_stop(&lc);
  testproc_cleanup(&agg);
  testproc_cleanup(&lc);
  return rc == 0 ? 0 : -1;
}

static void portfolio(void) {
  OK("org create --id KAB --name KAB --kind client");
  OK("org create --id FSB --name fsb --kind client");
  OK("partnership create --id LIVA --name LIVA --client KAB --framework-start 2024-01-01 "
     "--price-closing myndighedsprojekt");
  OK("partnership create --id FSBP --name 'fsb partnerskab' --client FSB "
     "--framework-start 2024-01-01 --price-closing projektforslag");
  OK("project create --id K1 --name Kildeparken --partnership LIVA --kind renovation "
     "--start 2024-02-01");
  OK("project create --id K2 --name Blok2 --partnership LIVA --kind renovation "
     "--start 2024-08-01");
  OK("project create --id K3 --name Enkelt --client KAB --kind maintenance --start 2024-02-01");
  OK("project create --id F1 --name F1 --partnership FSBP --kind renovation --start 2024-02-01");
}

static void record(void) {
  OK("lesson record K1 --id L1 --text 'Beboermøde før skema A gav færre klager' "
     "--category residents --date 2024-05-01");
  SAYS("K1: erfaring registreret (event ");
  SAYS("K1/L1  01.05.2024  beboere");
  SAYS("  Beboermøde før skema A gav færre klager\n");
  SAYS("endnu ikke overtaget af andre projekter");
  SAYS("K1 har nu 1 erfaring registreret og 0 overtaget fra andre projekter");
  OK("lesson record K1 --id L2 --text 'Genhusning i to bølger, ikke én' --category rehousing "
     "--date 2024-06-15");
  SAYS("K1 har nu 2 erfaringer registreret");
  /* The same id again corrects the lesson; it is still one lesson. */
  OK("lesson record K1 --id L2 --text 'Genhusning i to bølger' --category rehousing "
     "--date 2024-06-15");
  SAYS("K1 har nu 2 erfaringer registreret");
}

static void refusals(void) {
  REFUSED(1, "lesson.learned_on", "lesson record K1 --id L9 --text x --category process "
                                  "--date 2024-01-31");
  SAYS("the project's start date");
  REFUSED(2, "--category", "lesson record K1 --id L9 --text x --category Proces "
                           "--date 2024-05-01");
  REFUSED(1, "is the project the lesson was learned in",
          "lesson adopt K1 --from K1 --lesson L1 --date 2024-09-01");
  REFUSED(1, "project \"F1\" is not in partnership \"LIVA\", where the lesson was learned",
          "lesson adopt F1 --from K1 --lesson L1 --date 2024-09-01");
  REFUSED(1, "project \"K3\" is not in partnership \"LIVA\"",
          "lesson adopt K3 --from K1 --lesson L1 --date 2024-09-01");
  /* A project outside any partnership keeps its own lessons; none moves. */
  OK("lesson record K3 --id L1 --text 'Stillads bestilt for sent' --category schedule "
     "--date 2024-03-01");
  REFUSED(1, "project \"K3\" is outside any partnership",
          "lesson adopt K1 --from K3 --lesson L1 --date 2024-09-01");
  REFUSED(1, "project \"K1\" has no lesson \"L7\"",
          "lesson adopt K2 --from K1 --lesson L7 --date 2024-09-01");
  REFUSED(1, "the lesson's learned_on", "lesson adopt K2 --from K1 --lesson L1 --date 2024-04-30");
  REFUSED(1, "needs adoption.measure",
          "lesson adopt K2 --from K1 --lesson L1 --date 2024-09-01 --value=-14");
  REFUSED(1, "no project", "lesson adopt K2 --from K99 --lesson L1 --date 2024-09-01");
}

static uint64_t adopt(void) {
  OK("lesson adopt K2 --from K1 --lesson L1 --date 2024-09-01 --measure schedule_variance_days "
     "--value=-14 --effect 'Beboermødet holdt tidsplanen'");
  SAYS("K2: erfaring overtaget (event ");
  SAYS("overtaget af K2 01.09.2024: målt -14 dage tidsafvigelse — Beboermødet holdt tidsplanen");
  SAYS("K2 har nu 0 erfaringer registreret og 1 overtaget fra andre projekter");
  /* Again: the adoption is replaced, not counted twice. */
  OK("--json lesson adopt K2 --from K1 --lesson L1 --date 2024-09-01 "
     "--measure schedule_variance_days --value=-14 --effect 'Beboermødet holdt tidsplanen'");
  json_t *j = json_loads(out, 0, NULL);
  assert_non_null(j);
  uint64_t seq = (uint64_t)json_integer_value(json_object_get(j, "seq"));
  json_t *p = json_object_get(j, "project");
  assert_int_equal(json_integer_value(json_object_get(p, "lessons_adopted")), 1);
  json_t *x = json_array_get(json_object_get(json_object_get(j, "lesson"), "adoptions"), 0);
  assert_string_equal(json_string_value(json_object_get(x, "project_id")), "K2");
  assert_string_equal(json_string_value(json_object_get(x, "measure")),
                      "schedule_variance_days");
  assert_int_equal(json_array_size(json_object_get(json_object_get(j, "lesson"), "adoptions")),
                   1);
  json_decref(j);
  assert_true(seq > 0);
  return seq;
}

static void lists(void) {
  OK("lesson list --partnership LIVA");
  SAYS("K1/L1  01.05.2024  beboere");
  SAYS("K1/L2  15.06.2024  genhusning");
  SAYS("  Genhusning i to bølger\n");
  SAYS("2 erfaringer, 1 overtaget af andre projekter");
  /* Oldest learned first. */
  assert_true(strstr(out, "K1/L1") < strstr(out, "K1/L2"));
  OK("lesson list --category rehousing");
  assert_null(strstr(out, "K1/L1"));
  SAYS("K1/L2");
  OK("lesson list --adopted-by K2");
  SAYS("K1/L1");
  assert_null(strstr(out, "K1/L2"));
  OK("lesson list --partnership FSBP");
  SAYS("ingen erfaringer");
  OK("project show K2");
  SAYS("\nErfaringer\n");
  SAYS("overtaget fra andre projekter    1");
}

/* The feed's rows by project id, once the aggregator stored event `seq`. */
static json_t *rows_after(uint64_t seq) {
  assert_true(tu_wait_caught_up(port, "lifecycle", seq));
  tu_http_t r;
  assert_true(tu_get_auth(port, "/api/v1/status", &r));
  assert_int_equal(r.status, 200);
  json_t *doc = json_loads(r.body, 0, NULL);
  tu_http_free(&r);
  assert_non_null(doc);
  json_t *by_id = json_object();
  size_t k;
  json_t *row;
  json_array_foreach(json_object_get(doc, "rows"), k, row)
      json_object_set(by_id, json_string_value(json_object_get(row, "project_id")), row);
  json_decref(doc);
  return by_id;
}

static void expect(json_t *rows, const char *id, const char *col, json_int_t want) {
  json_t *v = json_object_get(json_object_get(rows, id), col);
  if (!json_is_integer(v) || json_integer_value(v) != want)
    print_error("%s.%s: want %lld\n", id, col, (long long)want);
  assert_true(json_is_integer(v));
  assert_int_equal(json_integer_value(v), want);
}

static void feed(uint64_t seq) {
  json_t *rows = rows_after(seq);
  expect(rows, "K1", "lessons", 2);
  expect(rows, "K1", "lessons_adopted", 0);
  expect(rows, "K2", "lessons", 0);
  expect(rows, "K2", "lessons_adopted", 1);
  expect(rows, "K3", "lessons", 1);
  json_decref(rows);
  tu_http_t r;
  assert_true(tu_get_auth(port, "/odata/$metadata", &r));
  assert_non_null(strstr(r.body, "<Property Name=\"lessons\" Type=\"Edm.Int32\""));
  assert_non_null(strstr(r.body, "<Property Name=\"lessons_adopted\" Type=\"Edm.Int32\""));
  tu_http_free(&r);
  assert_true(tu_get_auth(port, "/api/v1/status.csv", &r));
  assert_non_null(strstr(r.body, ",lessons,lessons_adopted"));
  tu_http_free(&r);
}

static void test_lessons(void **state) {
  (void)state;
  portfolio();
  record();
  refusals();
  uint64_t seq = adopt();
  lists();
  feed(seq);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(test_lessons, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
