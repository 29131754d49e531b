/* lifecycle.sustainability_flow — issue 20, item 3 through real processes:
 * trin-lifecycle driven by trinctl records reuse (between projects of one
 * partnership and from outside it), a take-back agreement, an energy
 * renovation (expected, then measured) and CO₂e; every refusal a user can
 * reach says what to fix; `project show` prints the totals the Danish way;
 * the aggregator's feed carries the seven sustainability columns and the
 * benchmark the three portfolio figures with ranks — the worked example of
 * docs/lifecycle.md and docs/benchmark.md. */
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

#include "test_aggregator_util.h"
#include "testproc.h"

static testproc_t lc, agg, bm;
static int port;
static char out[65536];

static int run(const char *endpoint, bool err_too, const char *fmt, va_list ap) {
  char args[2048], cmd[4096];
  vsnprintf(args, sizeof args, fmt, ap);
  snprintf(cmd, sizeof cmd, "%s --endpoint '%s' %s%s", TRINCTL_BIN, endpoint, args,
           err_too ? " 2>&1" : " 2>/dev/null");
  return testproc_run(cmd, out, sizeof out);
}

/* trinctl against lifecycle; stderr folded into `out`. */
static int ctl(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = run(lc.endpoint, true, fmt, ap);
  va_end(ap);
  return rc;
}

/* trinctl against the benchmark; stdout only. */
static int bmctl(const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  int rc = run(bm.endpoint, false, fmt, ap);
  va_end(ap);
  return rc;
}

#define OK(...)                                                                      \
  do {                                                                               \
    int rc_ = ctl(__VA_ARGS__);                                                      \
    if (rc_ != 0) print_error("trinctl %s\n -> %d: %s\n", #__VA_ARGS__, rc_, out);   \
    assert_int_equal(rc_, 0);                                                        \
  } while (0)

/* Refused with exit status code_ and words_ in the message. */
#define REFUSED(code_, words_, ...)                                                  \
  do {                                                                               \
    int rc_ = ctl(__VA_ARGS__);                                                      \
    if (rc_ != (code_) || !strstr(out, (words_)))                                    \
      print_error("trinctl %s\n -> %d: %s\n", #__VA_ARGS__, rc_, out);               \
    assert_int_equal(rc_, (code_));                                                  \
    assert_non_null(strstr(out, (words_)));                                          \
  } while (0)

static void pause_ms(int ms) {
  struct timespec ts = {0, ms * 1000L * 1000L};
  nanosleep(&ts, NULL);
}

static int start_aggregator(void) {
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

static int start_benchmark(void) {
  char a1[400], a2[400];
  snprintf(a1, sizeof a1, "--lifecycle-endpoint=%s", lc.endpoint);
  snprintf(a2, sizeof a2, "--lifecycle-pub-endpoint=%s", lc.pub);
  const char *extra[] = {a1, a2, "--budget-endpoint=", "--survey-endpoint=",
                         "--heartbeat-ms=200", "--min-group=2", NULL};
  return testproc_start(&bm, TRIN_BENCHMARK_BIN, extra) ? 0 : -1;
}

static int setup(void **state) {
  (void)state;
  testproc_init(&lc, "sus-lc");
  testproc_init(&agg, "sus-agg");
  testproc_init(&bm, "sus-bm");
  if (!testproc_start(&lc, TRIN_LIFECYCLE_BIN, NULL)) return -1;
  if (start_aggregator() || start_benchmark()) return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  int rc = testproc_stop(&bm) | testproc_stop(&agg) | testproc_stop(&lc);
  testproc_cleanup(&bm);
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
     "--area 2400 --start 2024-02-01");
  OK("project create --id K2 --name Blok2 --partnership LIVA --kind renovation --area 1600 "
     "--start 2024-02-01");
  OK("project create --id K3 --name Enkelt --client KAB --kind maintenance --area 900 "
     "--start 2024-02-01");
  OK("project create --id F1 --name F1 --partnership FSBP --kind renovation --area 1200 "
     "--start 2024-02-01");
  OK("project create --id F2 --name F2 --partnership FSBP --kind renovation --start 2024-02-01");
}

static void refusals(void) {
  REFUSED(1, "project \"K1\" is not in this project's partnership (\"FSBP\")",
          "project sustainability F1 --id M1 --kind reuse --description x --date 2025-01-01 "
          "--material tagsten --kg 10 --from-project K1");
  REFUSED(1, "project \"K3\" is outside any partnership",
          "project sustainability K3 --id M1 --kind reuse --description x --date 2025-01-01 "
          "--material tagsten --kg 10 --from-project K1");
  REFUSED(1, "is this project itself",
          "project sustainability K1 --id M1 --kind reuse --description x --date 2025-01-01 "
          "--material tagsten --kg 10 --from-project K1");
  REFUSED(1, "NOPE",
          "project sustainability K1 --id M1 --kind reuse --description x --date 2025-01-01 "
          "--material tagsten --kg 10 --from-project NOPE");
  REFUSED(1, "a reuse measure needs the reused quantity: reused_kg or reused_m2 "
             "(field: measure.reused_kg)",
          "project sustainability K1 --id M1 --kind reuse --description x --date 2025-01-01 "
          "--material tagsten");
  REFUSED(1, "is required for reused material (e.g. tagsten, mursten) (field: measure.material)",
          "project sustainability K1 --id M1 --kind reuse --description x --date 2025-01-01 "
          "--kg 10");
  REFUSED(1, "only a reuse measure carries reused material; this one is take_back",
          "project sustainability K1 --id M1 --kind take_back --description x "
          "--date 2025-01-01 --kg 10");
  REFUSED(1, "an energy renovation needs the consumption before and the expected or measured "
             "consumption after",
          "project sustainability K1 --id M1 --kind energy_renovation --description x "
          "--date 2025-01-01 --energy-before 145");
  REFUSED(1, "is required with a consumption after the measure",
          "project sustainability K1 --id M1 --kind other --description x --date 2025-01-01 "
          "--energy-expected 95");
  REFUSED(1, "is required with a CO₂e saving: name the method or source (e.g. LCAbyg)",
          "project sustainability K1 --id M1 --kind other --description x --date 2025-01-01 "
          "--co2e 12,35");
  REFUSED(1, "is before the project's start date",
          "project sustainability K1 --id M1 --kind take_back --description x "
          "--date 2024-01-01");
  REFUSED(1, "there is no project",
          "project sustainability NOPE --id M1 --kind take_back --description x "
          "--date 2025-01-01");
  /* Usage errors, before any round trip. */
  REFUSED(2, "--energy-before: 'abc' is not a number",
          "project sustainability K1 --id M1 --kind other --description x --date 2025-01-01 "
          "--energy-before abc");
  REFUSED(2, "--kind: 'genbrug' is not one of: reuse, take_back, energy_renovation, other",
          "project sustainability K1 --id M1 --kind genbrug --description x --date 2025-01-01");
}

static void measures(void) {
  OK("project sustainability K1 --id M1 --kind reuse --description 'Genbrugte tagsten fra "
     "blok 2' --date 2025-03-01 --material tagsten --kg 18500 --m2 1250 --from-project K2");
  assert_non_null(strstr(out, "K1: bæredygtighedstiltag M1 (reuse) registreret: 18.500 kg og "
                              "1.250 m² tagsten genbrugt fra projekt K2 (event "));
  OK("project sustainability K1 --id M2 --kind reuse --description 'Mursten' --date 2025-03-02 "
     "--material mursten --kg 6000 --source 'Genbrugsstation Nord'");
  OK("project sustainability K1 --id M3 --kind energy_renovation --description 'Efterisolering' "
     "--date 2025-04-01 --energy-before 145,00 --energy-expected 95 --co2e 12,35 "
     "--co2e-method LCAbyg");
  assert_non_null(strstr(out, "energibesparelse    forventet 50,00 kWh/m² om året"));
  /* The measured consumption a year later: the same id replaces the measure. */
  OK("project sustainability K1 --id M3 --kind energy_renovation --description 'Efterisolering' "
     "--date 2025-04-01 --energy-before 145,00 --energy-expected 95 --energy-measured 102,40 "
     "--co2e 12,35 --co2e-method LCAbyg");
  OK("project sustainability K1 --id M4 --kind take_back --description 'Takeback-aftale på "
     "gipsplader' --date 2025-05-01");
  OK("project sustainability K2 --id E1 --kind energy_renovation --description Vinduer "
     "--date 2025-04-01 --energy-before 120 --energy-measured 110");
  OK("project sustainability K3 --id R1 --kind reuse --description Tegl --date 2025-04-01 "
     "--material tegl --kg 500 --source Nabo");
  OK("project sustainability F1 --id R1 --kind reuse --description Tegl --date 2025-04-01 "
     "--material tegl --kg 3000 --from-project F2");

  OK("project show K1");
  assert_non_null(strstr(out, "\nBæredygtighed\n"));
  assert_non_null(strstr(out, "tiltag              4 (2 genbrug)"));
  assert_non_null(strstr(out, "genbrugt            24.500 kg og 1.250 m², heraf mellem "
                              "partnerskabets projekter 18.500 kg og 1.250 m²"));
  assert_non_null(strstr(out, "energibesparelse    forventet 50,00 kWh/m² om året"));
  assert_non_null(strstr(out, "energibesparelse    målt 42,60 kWh/m² om året = 102.240 kWh "
                              "om året"));
  assert_non_null(strstr(out, "CO₂e-besparelse     12,35 kg/m²"));
  assert_non_null(strstr(out, "Genbrugsstation Nord"));
  OK("project show F2"); /* no area, no measures */
  assert_non_null(strstr(out, "tiltag              0 (0 genbrug)"));

  OK("--json project show K1");
  json_t *j = json_loads(out, 0, NULL);
  assert_non_null(j);
  json_t *p = json_object_get(j, "project");
  json_t *t = json_object_get(p, "sustainability");
  assert_int_equal(json_integer_value(json_object_get(t, "reused_kg")), 24500);
  assert_int_equal(json_integer_value(json_object_get(t, "reused_between_projects_kg")), 18500);
  assert_int_equal(json_integer_value(json_object_get(t, "energy_saved_kwh")), 102240);
  assert_int_equal(json_array_size(json_object_get(p, "sustainability_measures")), 4);
  json_decref(j);
}

/* The row of project id in the feed once `col` has `want` (JSON text),
 * waiting as long as a loaded machine needs and no longer. */
static json_t *row_when(const char *id, const char *col, const char *want) {
  for (int i = 0; i < 3000; i++) {
    tu_http_t r;
    if (tu_get_auth(port, "/api/v1/status", &r) && r.status == 200) {
      json_t *doc = json_loads(r.body, 0, NULL);
      tu_http_free(&r);
      size_t k;
      json_t *row;
      json_array_foreach(json_object_get(doc, "rows"), k, row) {
        if (strcmp(json_string_value(json_object_get(row, "project_id")), id) != 0) continue;
        char *v = json_dumps(json_object_get(row, col), JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
        bool ok = v && strcmp(v, want) == 0;
        free(v);
        if (ok) {
          json_incref(row);
          json_decref(doc);
          return row;
        }
      }
      json_decref(doc);
    } else {
      tu_http_free(&r);
    }
    pause_ms(20);
  }
  fail_msg("the feed never showed %s.%s = %s", id, col, want);
  return NULL;
}

static void expect(json_t *row, const char *col, const char *want) {
  char *v = json_dumps(json_object_get(row, col), JSON_ENCODE_ANY | JSON_REAL_PRECISION(10));
  if (!v || strcmp(v, want) != 0) print_error("%s: want %s, got %s\n", col, want, v);
  assert_string_equal(v, want);
  free(v);
}

static void feed(void) {
  json_t *k1 = row_when("K1", "energy_saving_kwh_m2", "42.6");
  expect(k1, "sustainability_measures", "4");
  expect(k1, "reused_kg", "24500");
  expect(k1, "reused_between_projects_kg", "18500");
  expect(k1, "energy_saving_expected_kwh_m2", "50.0");
  expect(k1, "energy_saved_kwh", "102240");
  expect(k1, "co2e_saving_kg_m2", "12.35");
  json_decref(k1);
  json_t *k3 = row_when("K3", "reused_kg", "500");
  expect(k3, "reused_between_projects_kg", "0");
  expect(k3, "energy_saving_kwh_m2", "null");
  expect(k3, "energy_saved_kwh", "null");
  expect(k3, "co2e_saving_kg_m2", "null");
  json_decref(k3);
  /* CSV and OData carry the same columns, named in $metadata. */
  tu_http_t r;
  assert_true(tu_get_auth(port, "/odata/$metadata", &r));
  assert_non_null(strstr(r.body, "<Property Name=\"energy_saved_kwh\" Type=\"Edm.Int64\""));
  assert_non_null(strstr(r.body, "<Property Name=\"co2e_saving_kg_m2\" Type=\"Edm.Decimal\""));
  tu_http_free(&r);
  assert_true(tu_get_auth(port, "/api/v1/status.csv", &r));
  assert_non_null(strstr(r.body, ",sustainability_measures,reused_kg,"
                                 "reused_between_projects_kg,energy_saving_kwh_m2,"
                                 "energy_saving_expected_kwh_m2,energy_saved_kwh,"
                                 "co2e_saving_kg_m2"));
  tu_http_free(&r);
}

/* The entries (value, rank) of a figure, once the first one is `first`. */
static json_t *ranking_when(const char *figure, int64_t first) {
  for (int i = 0; i < 3000; i++) {
    if (bmctl("--json benchmark query %s", figure) == 0) {
      json_t *j = json_loads(out, 0, NULL);
      json_t *e = json_object_get(j, "entries");
      if (json_array_size(e) &&
          json_integer_value(json_object_get(json_array_get(e, 0), "value")) == first) {
        json_incref(e);
        json_decref(j);
        return e;
      }
      json_decref(j);
    }
    pause_ms(20);
  }
  fail_msg("benchmark %s never ranked %lld first: %s", figure, (long long)first, out);
  return NULL;
}

static void entry(json_t *e, size_t i, int64_t value, int rank) {
  json_t *x = json_array_get(e, i);
  assert_int_equal(json_integer_value(json_object_get(x, "value")), value);
  assert_int_equal(json_integer_value(json_object_get(x, "rank")), rank);
}

static void benchmark(void) {
  /* KAB 2 of 3 projects reuse (66,67 %), fsb 1 of 2 (50,00 %). */
  json_t *e = ranking_when("reuse_share_pct", 6667);
  assert_int_equal(json_array_size(e), 2);
  entry(e, 1, 5000, 2);
  json_decref(e);
  /* (18.500 + 0) / 2 = 9,250 t per project in a partnership; fsb 1,500 t. */
  e = ranking_when("reused_between_projects_t", 9250);
  entry(e, 0, 9250, 1);
  entry(e, 1, 1500, 2);
  json_decref(e);
  /* (42,60 × 2.400 + 10,00 × 1.600) / 4.000 = 29,56 kWh/m²; fsb measured
   * nothing, so one organisation: below the group of 2, suppressed. */
  assert_int_equal(bmctl("--json benchmark query energy_saving_kwh_m2"), 0);
  json_t *j = json_loads(out, 0, NULL);
  assert_true(json_is_true(json_object_get(j, "suppressed")));
  json_decref(j);
  /* The year a measure counts in is its recorded date. */
  e = ranking_when("reuse_share_pct --year 2025", 6667);
  json_decref(e);
  assert_int_equal(bmctl("--json benchmark query reuse_share_pct --year 2024"), 0);
  j = json_loads(out, 0, NULL);
  json_t *e24 = json_object_get(j, "entries");
  for (size_t i = 0; i < json_array_size(e24); i++)
    assert_int_equal(json_integer_value(json_object_get(json_array_get(e24, i), "value")), 0);
  json_decref(j);
}

static void sustainability_end_to_end(void **state) {
  (void)state;
  portfolio();
  refusals();
  measures();
  feed();
  benchmark();
}

int main(void) {
  testproc_watchdog(600);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(sustainability_end_to_end, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
