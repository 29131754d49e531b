/* lifecycle.ab18 — the AB18 deadlines (issue 20, item 6) through the real
 * trin-lifecycle and trin-aggregator processes and the trinctl binary.
 * Dates are counted from today (UTC), since the status row's flags are
 * judged on it: a project handed over 400 days ago owes its 1-year
 * inspection (overdue: rag_time amber), a dispute that reached the umpire
 * 50 days ago must go to arbitration within 6 days (near). Then the
 * inspection is recorded held (trinctl project inspection) and the row turns
 * back; project show and the dispute and defect lists give the deadlines in
 * Danish dates; a defect reported after the § 49 limit is marked. Every
 * refusal is checked with its words and commits nothing: an inspection
 * before handover, before the handover date, a second time, of an unknown
 * kind. */
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
#include "testcall.h"
#include "testproc.h"
#include "trin/envelope.pb-c.h"
#include "trin_codec.h"
#include "trin_date.h"

static testproc_t lc, agg;
static trin_client_t *cl;
static char out[65536];

static int start_aggregator(testproc_t *p) {
  char a1[400], a2[400];
  snprintf(a1, sizeof a1, "--lifecycle-endpoint=%s", lc.endpoint);
  snprintf(a2, sizeof a2, "--lifecycle-pub-endpoint=%s", lc.pub);
  const char *extra[] = {a1, a2, "--budget-endpoint=", "--survey-endpoint=",
                         "--benchmark-endpoint=", "--http-address=127.0.0.1:0",
                         "--token=" TU_TOKEN, "--retry-ms=200", NULL};
  assert_true(testproc_start(p, TRIN_AGGREGATOR_BIN, extra));
  char cmd[600], port[64];
  for (int i = 0; i < 500; i++) {
    snprintf(cmd, sizeof cmd,
             "sed -n 's/.*http: listening on .*(port \\([0-9]*\\)).*/\\1/p' %s | tail -1", p->log);
    if (testproc_run(cmd, port, sizeof port) == 0 && atoi(port) > 0) return atoi(port);
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  fail_msg("no HTTP port in %s", p->log);
  return 0;
}

static uint64_t last_seq(void) {
  Trin__Ping ping = TRIN__PING__INIT;
  Trin__Pong *pong = NULL;
  trin_err_t err;
  assert_int_equal(trin_client_call(cl, &ping.base, &trin__pong__descriptor,
                                    (ProtobufCMessage **)&pong, &err),
                   TRIN_OK);
  uint64_t s = pong->last_seq;
  trin_codec_free(pong);
  return s;
}

/* Waits (a generous bound, ending as soon as it holds) until the aggregator
 * has stored the effect of every lifecycle event. */
static void catch_up(int port) {
  uint64_t want = last_seq();
  for (int i = 0; i < 3000; i++) {
    tu_http_t r;
    if (tu_get(port, "/healthz", NULL, &r) && r.status == 200) {
      json_t *doc = json_loads(r.body, 0, NULL);
      json_t *c = json_object_get(json_object_get(json_object_get(doc, "upstreams"), "lifecycle"),
                                  "cursor");
      uint64_t have = (uint64_t)json_integer_value(c);
      json_decref(doc);
      tu_http_free(&r);
      if (have == want) return;
    } else {
      tu_http_free(&r);
    }
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  fail_msg("the aggregator did not catch up with lifecycle event %llu", (unsigned long long)want);
}

static json_t *row_of(int port, const char *id) {
  tu_http_t r;
  assert_true(tu_get_auth(port, "/api/v1/status", &r));
  assert_int_equal(r.status, 200);
  json_t *doc = json_loads(r.body, 0, NULL);
  assert_non_null(doc);
  tu_http_free(&r);
  json_t *rows = json_object_get(doc, "rows"), *row = NULL, *found = NULL;
  size_t i;
  json_array_foreach(rows, i, row) {
    if (strcmp(json_string_value(json_object_get(row, "project_id")), id) == 0)
      found = json_incref(row);
  }
  json_decref(doc);
  assert_non_null(found);
  return found;
}

static void assert_row(json_t *row, const char *key, const char *want) {
  json_t *v = json_object_get(row, key);
  char *got = json_dumps(v, JSON_ENCODE_ANY);
  if (!got || strcmp(got, want) != 0) print_error("%s: want %s, got %s\n", key, want, got);
  assert_non_null(got);
  assert_string_equal(got, want);
  free(got);
}

/* Runs trinctl against the lifecycle; stdout (and stderr) in `out`. */
static int ctl(const char *fmt, ...) {
  char args[2048], cmd[4096];
  va_list ap;
  va_start(ap, fmt);
  vsnprintf(args, sizeof args, fmt, ap);
  va_end(ap);
  snprintf(cmd, sizeof cmd, "%s --endpoint '%s' %s 2>&1", TRINCTL_BIN, lc.endpoint, args);
  return testproc_run(cmd, out, sizeof out);
}

/* expr fills e_ (as in testcall.h): refused with code, naming fld, saying
 * words, and nothing committed. */
#define REFUSES(expr, code, fld, words)                                               \
  do {                                                                                \
    trin_err_t e_ = {0};                                                              \
    uint64_t before_ = last_seq();                                                    \
    int rc_ = (expr);                                                                 \
    if (rc_ != (code) || !strstr(e_.message, (words)))                                \
      print_error("%s: got %d: %s (field %s)\n", #expr, rc_, e_.message, e_.field);   \
    assert_int_equal(rc_, (code));                                                    \
    assert_string_equal(e_.field, (fld));                                             \
    assert_non_null(strstr(e_.message, (words)));                                     \
    assert_int_equal(last_seq(), before_);                                            \
  } while (0)

#define SHOWS(words)                                                  \
  do {                                                                \
    if (!strstr(out, (words))) print_error("wanted %s in:\n%s\n", (words), out); \
    assert_non_null(strstr(out, (words)));                            \
  } while (0)

/* ---- dates from today -------------------------------------------------------- */

static trin_date_t today;

/* "YYYY-MM-DD" of d, in one of a few rotating buffers. */
static const char *iso(trin_date_t d) {
  static char bufs[8][TRIN_DATE_BUF];
  static int n;
  char *b = bufs[n++ % 8];
  return trin_date_format(d, b);
}

static const char *da(trin_date_t d) {
  static char bufs[8][16];
  static int n;
  char *b = bufs[n++ % 8];
  int y, m, dd;
  trin_date_to_ymd(d, &y, &m, &dd);
  snprintf(b, 16, "%02d.%02d.%04d", dd, m, y);
  return b;
}

static int hold(const char *project, const char *which, trin_date_t date,
                Trin__Lifecycle__ProjectReply **r, trin_err_t *err) {
  Trin__Lifecycle__HoldInspection m = TRIN__LIFECYCLE__HOLD_INSPECTION__INIT;
  m.project_id = (char *)project;
  m.inspection = (char *)which;
  m.date = (char *)iso(date);
  return testcall(cl, &m.base, &trin__lifecycle__project_reply__descriptor,
                  (ProtobufCMessage **)r, err);
}

static int report(const char *project, const char *id, const char *found_at, trin_date_t on,
                  Trin__Lifecycle__ProjectReply **r, trin_err_t *err) {
  Trin__Lifecycle__Defect d = TRIN__LIFECYCLE__DEFECT__INIT;
  d.id = (char *)id;
  d.description = "utæt tagrende";
  d.severity = "minor";
  d.found_at = (char *)found_at;
  d.reported_on = (char *)iso(on);
  Trin__Lifecycle__ReportDefect m = TRIN__LIFECYCLE__REPORT_DEFECT__INIT;
  m.project_id = (char *)project;
  m.defect = &d;
  return testcall(cl, &m.base, &trin__lifecycle__project_reply__descriptor,
                  (ProtobufCMessage **)r, err);
}

/* Takes a project from pre_study to handover on `handover`. */
static void to_handover(const char *id, trin_date_t start, trin_date_t handover) {
  OK(lc_advance(cl, id, "trin1", iso(start + 10), &e_));
  OK(lc_advance(cl, id, "trin2", iso(start + 20), &e_));
  OK(lc_close_price(cl, id, iso(start + 30), &e_));
  OK(lc_advance(cl, id, "trin3", iso(start + 40), &e_));
  OK(lc_advance(cl, id, "handover", iso(handover), &e_));
}

static void scenario(void **state) {
  (void)state;
  today = trin_date_today();
  testproc_init(&lc, "ab18-lc");
  testproc_init(&agg, "ab18-agg");
  assert_true(testproc_start(&lc, TRIN_LIFECYCLE_BIN, NULL));
  trin_err_t err;
  assert_int_equal(trin_client_new(lc.endpoint, &cl, &err), TRIN_OK);
  int port = start_aggregator(&agg);

  trin_date_t fw = trin_date_add_years(today, -3);
  trin_date_t handover = today - 400, actual = handover + 2;
  trin_date_t due1 = trin_date_add_years(actual, 1), due5 = trin_date_add_years(actual, 5);
  OK(lc_org(cl, "KAB", "client", &e_));
  OK(lc_partnership(cl, "LIVA", "KAB", iso(fw), "myndighedsprojekt", 0, &e_));
  OK(lc_project(cl, "P1", "LIVA", "", false, iso(fw + 1), &e_));
  OK(lc_project(cl, "P2", "LIVA", "", false, iso(fw + 1), &e_));
  to_handover("P1", fw + 1, handover);
  /* the milestone's actual date is the handover the deadlines count from */
  OK(lc_milestone(cl, "P1", "handover", iso(handover - 10), "", iso(actual), &e_));
  /* a dispute reached the umpire (level 6) 50 days ago: arbitration within 6 days */
  OK(lc_dispute_open(cl, "P1", "D1", 5000000, iso(today - 60), &e_));
  OK(lc_dispute_escalate(cl, "D1", 6, iso(today - 50), &e_));
  Trin__Lifecycle__ProjectReply *r = NULL;
  OK(report("P1", "F48", "handover", actual, &r, &e_));
  assert_string_equal(r->project->handover_on, iso(actual));
  assert_string_equal(r->project->inspection_1y_due, iso(due1));
  assert_string_equal(r->project->inspection_5y_due, iso(due5));
  assert_string_equal(r->project->inspection_1y_held, "");
  assert_string_equal(r->project->arbitration_deadline, iso(today + 6));
  assert_string_equal(r->project->next_deadline, iso(due1));
  assert_string_equal(r->project->next_deadline_kind, "inspection_1y");
  assert_int_equal(r->defect->ab18_section, 48);
  assert_string_equal(r->defect->claim_limit, iso(due5));
  trin_codec_free(r);
  OK(report("P1", "F49", "other", today - 5, &r, &e_));
  assert_int_equal(r->defect->ab18_section, 49);
  trin_codec_free(r);

  /* the row: 1-year inspection overdue (time amber from a green schedule:
   * 12 days late), arbitration near */
  catch_up(port);
  json_t *row = row_of(port, "P1");
  assert_row(row, "schedule_variance_days", "12");
  assert_row(row, "inspection_overdue", "true");
  assert_row(row, "rag_time", "\"amber\"");
  char want[64];
  snprintf(want, sizeof want, "\"%s\"", iso(due1));
  assert_row(row, "inspection_due", want);
  assert_row(row, "next_deadline", want);
  assert_row(row, "next_deadline_kind", "\"inspection_1y\"");
  snprintf(want, sizeof want, "\"%s\"", iso(today + 6));
  assert_row(row, "arbitration_deadline", want);
  assert_row(row, "arbitration_deadline_near", "true");
  json_decref(row);
  row = row_of(port, "P2");  /* not handed over: nothing owed */
  assert_row(row, "next_deadline", "null");
  assert_row(row, "inspection_overdue", "false");
  assert_row(row, "arbitration_deadline_near", "false");
  json_decref(row);

  /* refusals, each with its words, nothing committed */
  REFUSES(hold("P2", "1y", today, NULL, &e_), TRIN_ECONFLICT, "project_id",
          "the project has not been handed over yet");
  char words[200];
  snprintf(words, sizeof words,
           "the 1-year inspection (%s) cannot be held before the handover (%s)",
           iso(actual - 1), iso(actual));
  REFUSES(hold("P1", "1y", actual - 1, NULL, &e_), TRIN_EINVALID, "date", words);
  REFUSES(hold("P1", "2y", today, NULL, &e_), TRIN_EINVALID, "inspection",
          "must be 1y (the 1-year inspection) or 5y");

  /* trinctl records the 1-year inspection held, in Danish dates */
  trin_date_t held = due1 + 3;
  assert_int_equal(ctl("project inspection P1 --inspection 1y --date %s --note 'KAB og "
                       "entreprenøren gennemgik'", iso(held)), 0);
  SHOWS("1-year inspection held on ");
  SHOWS(da(held));
  SHOWS("next deadline");
  snprintf(words, sizeof words, "the 1-year inspection was already recorded as held on %s",
           iso(held));
  REFUSES(hold("P1", "1y", today, NULL, &e_), TRIN_ECONFLICT, "inspection", words);
  /* trinctl says the same in its own words */
  assert_true(ctl("project inspection P1 --inspection 1y --date %s", iso(today)) != 0);
  SHOWS("already recorded as held on");

  catch_up(port);
  row = row_of(port, "P1");
  assert_row(row, "inspection_overdue", "false");
  assert_row(row, "rag_time", "\"green\"");
  snprintf(want, sizeof want, "\"%s\"", iso(due5));
  assert_row(row, "inspection_due", want);
  snprintf(want, sizeof want, "\"%s\"", iso(today + 6));
  assert_row(row, "next_deadline", want);
  assert_row(row, "next_deadline_kind", "\"arbitration\"");
  json_decref(row);

  /* project show, dispute list, defect list: Danish dates */
  assert_int_equal(ctl("project show P1"), 0);
  SHOWS("AB18-frister");
  snprintf(words, sizeof words, "forfalder %s, holdt %s", da(due1), da(held));
  SHOWS(words);
  snprintf(words, sizeof words, "forfalder %s, ikke holdt", da(due5));
  SHOWS(words);
  snprintf(words, sizeof words, "voldgift senest %s", da(today + 6));
  SHOWS(words);
  assert_int_equal(ctl("dispute list"), 0);
  SHOWS("ARBITRATION BY");
  SHOWS(da(today + 6));
  assert_int_equal(ctl("defect list --project P1"), 0);
  SHOWS("§ 48");
  SHOWS("§ 49");
  SHOWS(da(due5));

  /* § 49: a defect found later and reported after the 5 years is kept and
   * marked, not refused */
  trin_date_t old_fw = trin_date_add_years(today, -7), old_handover = old_fw + 100;
  OK(lc_partnership(cl, "OLD", "KAB", iso(old_fw), "myndighedsprojekt", 0, &e_));
  OK(lc_project(cl, "P3", "OLD", "", false, iso(old_fw + 1), &e_));
  to_handover("P3", old_fw + 1, old_handover);
  trin_date_t limit = trin_date_add_years(old_handover, 5);
  OK(report("P3", "F-LIMIT", "other", limit, &r, &e_)); /* the last day is in time */
  assert_false(r->defect->after_claim_limit);
  trin_codec_free(r);
  OK(report("P3", "F-HANDOVER", "handover", limit + 1, &r, &e_)); /* § 48: no such limit */
  assert_false(r->defect->after_claim_limit);
  trin_codec_free(r);
  assert_int_equal(ctl("defect report P3 --id F-LATE --description 'Revner i facaden' "
                       "--severity minor --found-at other --reported %s", iso(limit + 1)), 0);
  snprintf(words, sizeof words,
           "note: reported after the last day defects can be claimed (%s: 5 years after the "
           "handover, AB18 § 49)", da(limit));
  SHOWS(words);
  assert_int_equal(ctl("defect list --project P3"), 0);
  SHOWS("§ 49, late");
  assert_int_equal(ctl("--json defect list --project P3"), 0);
  SHOWS("\"after_claim_limit\":true");

  trin_client_destroy(&cl);
  assert_int_equal(testproc_stop(&agg), 0);
  assert_int_equal(testproc_stop(&lc), 0);
  testproc_cleanup(&agg);
  testproc_cleanup(&lc);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(scenario)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
