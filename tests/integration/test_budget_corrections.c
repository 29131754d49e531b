/* budget.corrections — real trin-lifecycle, trin-budget and trin-aggregator
 * processes (issue 19, "mistakes can be corrected, with a trace"): an
 * approved Skema A is reopened with a reason; budget.budget_reopened carries
 * the reason and who asked, the project's figures lose the approved Skema A
 * and the aggregator's status row shows budget_a_dkk, MOLIO and the drift
 * empty again. trinctl removes a line of the draft, withdraws a submitted
 * budget and reopens one, with --reason required. Once the Skema B is
 * approved (the price is closed) neither the Skema B nor the Skema A is
 * reopened; nor is a Skema A whose price lifecycle closed by ClosePrice,
 * which an older store learns by replaying lifecycle's events once.
 * Waits end as soon as what is expected is there (no timing assertions). */
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
#include "test_budget_calls.h"
#include "testcall.h"
#include "testproc.h"
#include "trin/envelope.pb-c.h"
#include "trin_codec.h"
#include "trin_store.h"

static testproc_t lc, bg, agg;
static trin_client_t *lcc, *bgc;
static int port;

/* The call must fail with code on field, and budget's event log must not move. */
#define REFUSED(expr, code, fld) REFUSED_UNCHANGED(expr, code, fld, bg_last_seq(bgc))

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static char l1[400], l2[400], b1[400], b2[400];
static const char *lc_extra[] = {b1, b2, "--heartbeat-ms=200", NULL};
static const char *bg_extra[] = {l1, l2, "--heartbeat-ms=200", NULL};
static const char *agg_extra[] = {l1, l2, b1, b2, "--survey-endpoint=", "--benchmark-endpoint=",
                                  "--http-address=127.0.0.1:0", "--token=" TU_TOKEN,
                                  "--retry-ms=200", NULL};

static int setup(void **state) {
  (void)state;
  testproc_init(&lc, "bcorr-lc");
  testproc_init(&bg, "bcorr-bg");
  testproc_init(&agg, "bcorr-agg");
  snprintf(l1, sizeof l1, "--lifecycle-endpoint=%s", lc.endpoint);
  snprintf(l2, sizeof l2, "--lifecycle-pub-endpoint=%s", lc.pub);
  snprintf(b1, sizeof b1, "--budget-endpoint=%s", bg.endpoint);
  snprintf(b2, sizeof b2, "--budget-pub-endpoint=%s", bg.pub);
  if (!testproc_start(&lc, TRIN_LIFECYCLE_BIN, lc_extra)) return -1;
  if (!testproc_start(&bg, TRIN_BUDGET_BIN, bg_extra)) return -1;
  if (!testproc_start(&agg, TRIN_AGGREGATOR_BIN, agg_extra)) return -1;
  if ((port = testproc_http_port(&agg)) <= 0) return -1;
  trin_err_t err;
  if (trin_client_new(lc.endpoint, &lcc, &err) || trin_client_new(bg.endpoint, &bgc, &err))
    return -1;
  OK(lc_org(lcc, "LIVA", "client", &e_));
  OK(lc_partnership(lcc, "LIVA-P", "LIVA", "2022-01-01", "myndighedsprojekt", 5000000, &e_));
  return 0;
}

static int teardown(void **state) {
  (void)state;
  trin_client_destroy(&lcc);
  trin_client_destroy(&bgc);
  int ra = testproc_stop(&agg);
  int rb = testproc_stop(&bg);
  int rl = testproc_stop(&lc);
  testproc_cleanup(&agg);
  testproc_cleanup(&bg);
  testproc_cleanup(&lc);
  return ra == 0 && rb == 0 && rl == 0 ? 0 : -1;
}

/* ---- calls ---------------------------------------------------------------------- */

static int withdraw(const char *budget, const char *reason, Trin__Budget__BudgetReply **out,
                    trin_err_t *err) {
  Trin__Budget__WithdrawBudget q = TRIN__BUDGET__WITHDRAW_BUDGET__INIT;
  q.budget_id = (char *)budget;
  q.reason = (char *)reason;
  return testcall(bgc, &q.base, &trin__budget__budget_reply__descriptor,
                  (ProtobufCMessage **)out, err);
}

static int reopen(const char *budget, const char *reason, Trin__Budget__BudgetReply **out,
                  trin_err_t *err) {
  Trin__Budget__ReopenBudget q = TRIN__BUDGET__REOPEN_BUDGET__INIT;
  q.budget_id = (char *)budget;
  q.reason = (char *)reason;
  return testcall(bgc, &q.base, &trin__budget__budget_reply__descriptor,
                  (ProtobufCMessage **)out, err);
}

/* The budget service's last event, decoded (the caller frees both). */
static Trin__Budget__BudgetEvent *last_event(Trin__Event **ev_out) {
  uint64_t last = bg_last_seq(bgc);
  assert_true(last > 0);
  Trin__EventsSince q = TRIN__EVENTS_SINCE__INIT;
  q.after_seq = last - 1;
  q.limit = 1;
  Trin__EventBatch *b = NULL;
  OK(trin_client_call(bgc, &q.base, &trin__event_batch__descriptor, (ProtobufCMessage **)&b,
                      &e_));
  assert_int_equal(b->n_events, 1);
  Trin__Event *ev = b->events[0];
  b->events[0] = NULL;
  b->n_events = 0;
  trin_codec_free(b);
  Trin__Budget__BudgetEvent *be = NULL;
  assert_string_equal(ev->payload_type, "trin.budget.BudgetEvent");
  OK(trin_codec_unpack(&trin__budget__budget_event__descriptor, ev->payload.data,
                       ev->payload.len, "payload", (ProtobufCMessage **)&be, &e_));
  *ev_out = ev;
  return be;
}

/* trinctl against the budget service; its output (stdout and stderr) in
 * out; returns the exit status. */
static int trinctl(const char *args, char *out, size_t n) {
  char cmd[1400];
  snprintf(cmd, sizeof cmd, "%s --endpoint '%s' %s 2>&1", TRINCTL_BIN, bg.endpoint, args);
  return testproc_run(cmd, out, n);
}

/* ---- the status row --------------------------------------------------------------- */

static void put_value(json_t *v, char *out, size_t n) {
  if (!v || json_is_null(v)) snprintf(out, n, "null");
  else if (json_is_number(v)) snprintf(out, n, "%.2f", json_number_value(v));
  else if (json_is_boolean(v)) snprintf(out, n, "%s", json_is_true(v) ? "true" : "false");
  else snprintf(out, n, "?");
}

/* The project's row as "budget_a_dkk/drift_pct/molio_compliant" ("" while
 * the aggregator has no row for it). */
static void row_state(const char *project, char *out, size_t cap) {
  out[0] = '\0';
  tu_http_t r;
  if (!tu_get_auth(port, "/api/v1/status", &r) || r.status != 200) {
    tu_http_free(&r);
    return;
  }
  json_t *doc = json_loads(r.body, 0, NULL);
  tu_http_free(&r);
  size_t i;
  json_t *row;
  json_array_foreach(json_object_get(doc, "rows"), i, row) {
    const char *p = json_string_value(json_object_get(row, "project_id"));
    if (!p || strcmp(p, project) != 0) continue;
    char a[40], d[40], m[40];
    put_value(json_object_get(row, "budget_a_dkk"), a, sizeof a);
    put_value(json_object_get(row, "drift_pct"), d, sizeof d);
    put_value(json_object_get(row, "molio_compliant"), m, sizeof m);
    snprintf(out, cap, "%s/%s/%s", a, d, m);
  }
  json_decref(doc);
}

/* Waits (up to 2 minutes: a bound, not a speed) until the row reads want. */
static void wait_row(const char *project, const char *want) {
  char have[160] = "";
  for (int i = 0; i < 1200; i++) {
    row_state(project, have, sizeof have);
    if (strcmp(have, want) == 0) return;
    sleep_ms(100);
  }
  fail_msg("row %s is '%s', expected '%s'", project, have, want);
}

/* ---- the scenario ------------------------------------------------------------------ */

static const bg_line_spec_t A_LINES[] = {
    {"facade", "craft", "facade", 300000000, 350000000}, /* passes MOLIO */
    {"roof", "craft", "roof", 100000000, 0},
    {"mgmt", "management_fee", NULL, 50000000, 0},
};

static void project_in_trin2(const char *id) {
  OK(lc_project(lcc, id, "LIVA-P", NULL, false, "2023-01-10", &e_));
  OK(lc_advance(lcc, id, "trin1", "2023-02-01", &e_));
  OK(lc_advance(lcc, id, "trin2", "2023-06-01", &e_));
  assert_true(bg_wait_project(bgc, id, 60000));
}

static void reopen_skema_a_with_a_trace(void **state) {
  (void)state;
  project_in_trin2("P-C1");
  /* Known after the partnership: lifecycle's events come in order. */
  OK(bg_model(bgc, "LIVA-P", 1250, &e_));
  OK(bg_budget(bgc, "P-C1-A", "P-C1", "skema_a", "2023-01-15", A_LINES, 3, &e_));
  OK(bg_submit(bgc, "P-C1-A", "2023-02-01", &e_));
  OK(bg_approve(bgc, "P-C1-A", "2023-02-10", &e_));
  wait_row("P-C1", "4500000.00/null/true");

  /* A reason is required, in words. */
  REFUSED(reopen("P-C1-A", "", NULL, &e_), TRIN_EINVALID, "reason");
  {
    trin_err_t err = {0};
    assert_int_equal(reopen("P-C1-A", "   ", NULL, &err), TRIN_EINVALID);
    assert_string_equal(err.message, "is required: say why the budget goes back to draft");
  }
  /* An approved budget is reopened, not withdrawn. */
  {
    trin_err_t err = {0};
    assert_int_equal(withdraw("P-C1-A", "forkert", NULL, &err), TRIN_ECONFLICT);
    assert_string_equal(err.field, "status");
    assert_string_equal(err.message, "budget 'P-C1-A' is approved; only a submitted budget "
                                     "can be withdrawn (an approved one is reopened)");
  }

  Trin__Budget__BudgetReply *r = NULL;
  OK(reopen("P-C1-A", "Tagets mængde var forkert", &r, &e_));
  assert_string_equal(r->budget->status, "draft");
  assert_string_equal(r->budget->approved_on, "");
  assert_string_equal(r->budget->submitted_on, "");
  assert_int_equal(r->figures->budget_a_ore, 0); /* no approved Skema A any more */
  assert_false(r->figures->drift_known);
  assert_true(r->seq > 0);
  uint64_t seq = r->seq;
  trin_codec_free(r);

  Trin__Event *ev = NULL;
  Trin__Budget__BudgetEvent *be = last_event(&ev);
  assert_int_equal(ev->seq, seq);
  assert_string_equal(ev->type, "budget.budget_reopened");
  assert_string_equal(ev->org, "LIVA");
  assert_string_equal(be->reason, "Tagets mængde var forkert");
  assert_string_equal(be->by, "local"); /* an unauthenticated local endpoint */
  assert_string_equal(be->by_key, "");
  assert_string_equal(be->budget->id, "P-C1-A");
  assert_string_equal(be->budget->status, "draft");
  assert_int_equal(be->figures->budget_a_ore, 0);
  trin_codec_free(be);
  trin_codec_free(ev);

  /* The feed: no approved Skema A, so no MOLIO of a price budget either. */
  wait_row("P-C1", "null/null/null");
  /* Reopening a draft says what it is. */
  {
    trin_err_t err = {0};
    assert_int_equal(reopen("P-C1-A", "igen", NULL, &err), TRIN_ECONFLICT);
    assert_string_equal(err.message,
                        "budget 'P-C1-A' is draft; only an approved budget can be reopened");
  }
}

static void trinctl_remove_line_withdraw_reopen(void **state) {
  (void)state;
  char out[4096];
  /* The draft's lines change again: trinctl removes one. */
  assert_int_equal(trinctl("budget remove-line P-C1-A --line roof", out, sizeof out), 0);
  assert_non_null(strstr(out, "P-C1-A (skema_a, 2023-01-15, draft): linje roof fjernet "
                              "(line removed), total 3.500.000,00 kr."));
  Trin__Budget__BudgetReply *r = NULL;
  OK(bg_get_budget(bgc, "P-C1-A", &r, &e_));
  assert_int_equal(r->budget->n_lines, 2);
  assert_int_equal(r->budget->total_ore, 350000000);
  trin_codec_free(r);
  assert_int_equal(trinctl("budget remove-line P-C1-A --line roof", out, sizeof out), 1);
  assert_non_null(strstr(out, "budget 'P-C1-A' has no line 'roof'"));
  assert_int_equal(trinctl("budget remove-line P-C1-A", out, sizeof out), 2);
  assert_non_null(strstr(out, "missing required option --line"));

  /* Submitted, then withdrawn to draft by trinctl with a reason. */
  OK(bg_submit(bgc, "P-C1-A", "2023-02-20", &e_));
  assert_int_equal(trinctl("budget withdraw P-C1-A", out, sizeof out), 2);
  assert_non_null(strstr(out, "missing required option --reason"));
  assert_int_equal(trinctl("budget withdraw P-C1-A --reason 'Mangler facadetilbud'", out,
                           sizeof out),
                   0);
  assert_non_null(strstr(out, "P-C1-A (skema_a, 2023-01-15, draft): trukket tilbage til "
                              "kladde (withdrawn to draft), total 3.500.000,00 kr. (event "));
  assert_non_null(strstr(out, "  begrundelse (reason): Mangler facadetilbud\n"));
  Trin__Event *ev = NULL;
  Trin__Budget__BudgetEvent *be = last_event(&ev);
  assert_string_equal(ev->type, "budget.budget_withdrawn");
  assert_string_equal(be->reason, "Mangler facadetilbud");
  assert_string_equal(be->by, "local");
  trin_codec_free(be);
  trin_codec_free(ev);
  /* A draft is not withdrawn: the refusal in trinctl's words. */
  assert_int_equal(trinctl("budget withdraw P-C1-A --reason igen", out, sizeof out), 1);
  assert_non_null(strstr(out, "budget 'P-C1-A' is draft; only a submitted budget can be "
                              "withdrawn"));

  /* Approved again, reopened by trinctl, and --json says the reply as it is. */
  OK(bg_submit(bgc, "P-C1-A", "2023-02-21", &e_));
  OK(bg_approve(bgc, "P-C1-A", "2023-02-22", &e_));
  wait_row("P-C1", "3500000.00/null/true");
  assert_int_equal(trinctl("--json budget reopen P-C1-A --reason 'Ny mængde'", out, sizeof out),
                   0);
  json_t *doc = json_loads(out, 0, NULL);
  assert_non_null(doc);
  assert_string_equal(json_string_value(json_object_get(json_object_get(doc, "budget"),
                                                        "status")),
                      "draft");
  json_decref(doc);
  wait_row("P-C1", "null/null/null");
  OK(bg_submit(bgc, "P-C1-A", "2023-02-23", &e_));
  OK(bg_approve(bgc, "P-C1-A", "2023-02-24", &e_));
  wait_row("P-C1", "3500000.00/null/true");
}

static bool lifecycle_price_closed(const char *project) {
  for (int waited = 0; waited < 60000; waited += 50) {
    Trin__Lifecycle__ProjectReply *r = NULL;
    trin_err_t err;
    if (lc_get(lcc, project, &r, &err) == TRIN_OK) {
      bool closed = r->project->price_closed;
      trin_codec_free(r);
      if (closed) return true;
    }
    sleep_ms(50);
  }
  return false;
}

static void no_reopening_once_the_price_is_closed(void **state) {
  (void)state;
  bg_line_spec_t b_lines[] = {{"facade", "craft", "facade", 300000000, 350000000},
                              {"mgmt", "management_fee", NULL, 80000000, 0}};
  OK(bg_budget(bgc, "P-C1-B", "P-C1", "skema_b", "2024-03-01", b_lines, 2, &e_));
  OK(bg_submit(bgc, "P-C1-B", "2024-03-05", &e_));
  /* A submitted Skema B is withdrawn and submitted again: the price is not
   * closed until it is approved. */
  OK(withdraw("P-C1-B", "Forkert dato på tilbud", NULL, &e_));
  OK(bg_submit(bgc, "P-C1-B", "2024-03-06", &e_));
  OK(bg_approve(bgc, "P-C1-B", "2024-03-10", &e_));
  wait_row("P-C1", "3500000.00/8.57/true");

  REFUSED(reopen("P-C1-B", "for sent", NULL, &e_), TRIN_ECONFLICT, "price_closed");
  trin_err_t err = {0};
  assert_int_equal(reopen("P-C1-B", "for sent", NULL, &err), TRIN_ECONFLICT);
  assert_string_equal(err.message,
                      "budget 'P-C1-B' is the approved Skema B of project 'P-C1': approving it "
                      "closed the price (prisen er lukket 2024-03-10), and a closed price is "
                      "not reopened");
  REFUSED(reopen("P-C1-A", "for sent", NULL, &e_), TRIN_ECONFLICT, "price_closed");
  char out[2048];
  assert_int_equal(trinctl("budget reopen P-C1-A --reason 'for sent'", out, sizeof out), 1);
  assert_non_null(strstr(out, "the price of project 'P-C1' is closed by Skema B 'P-C1-B' "
                              "(prisen er lukket 2024-03-10): the drift is measured from its "
                              "approved Skema A 'P-C1-A', which can no longer be reopened"));
  wait_row("P-C1", "3500000.00/8.57/true");

  /* A price lifecycle closed by itself (ClosePrice, no Skema B here). */
  project_in_trin2("P-C2");
  OK(bg_budget(bgc, "P-C2-A", "P-C2", "skema_a", "2023-01-15", A_LINES, 3, &e_));
  OK(bg_submit(bgc, "P-C2-A", "2023-02-01", &e_));
  OK(bg_approve(bgc, "P-C2-A", "2023-02-10", &e_));
  OK(lc_close_price(lcc, "P-C2", "2023-07-01", &e_));
  assert_true(lifecycle_price_closed("P-C2"));
  /* Lifecycle's events reach budget in order: once a later project is
   * known, the price closing before it has been applied. */
  OK(lc_project(lcc, "P-C3", "LIVA-P", NULL, false, "2023-01-10", &e_));
  assert_true(bg_wait_project(bgc, "P-C3", 60000));
  assert_int_equal(reopen("P-C2-A", "for sent", NULL, &err), TRIN_ECONFLICT);
  assert_string_equal(err.field, "price_closed");
  assert_string_equal(err.message,
                      "the price of project 'P-C2' is closed in the project's lifecycle "
                      "(prisen er lukket 2023-07-01): the drift is measured from its approved "
                      "Skema A 'P-C2-A', which can no longer be reopened");
}

/* A store from before the budget store's migration 3 applied lifecycle's
 * events without keeping their price closing. Made so by hand (the closing
 * cleared, the one-time replay not yet done), the restarted service sees
 * lifecycle's events once more and knows P-C2's price is closed. */
static void an_older_store_learns_the_price_closing_by_replay(void **state) {
  (void)state;
  assert_int_equal(testproc_stop(&bg), 0);
  trin_client_destroy(&bgc);
  trin_store_t *s = NULL;
  trin_err_t err = {0};
  trin_store_options_t o = {.location = bg.store};
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_OK);
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  assert_int_equal(trin_store_exec(s,
                                   "UPDATE projects SET price_closed_on = NULL;"
                                   "DELETE FROM trin_schema"
                                   " WHERE scope = 'budget_price_closing_replay'",
                                   &err),
                   TRIN_OK);
  assert_int_equal(trin_store_commit(s, &err), TRIN_OK);
  trin_store_destroy(&s);

  assert_true(testproc_start(&bg, TRIN_BUDGET_BIN, bg_extra));
  assert_int_equal(trin_client_new(bg.endpoint, &bgc, &err), TRIN_OK);
  /* Events after the replay mark come after the replayed ones. */
  OK(lc_project(lcc, "P-C4", "LIVA-P", NULL, false, "2023-01-10", &e_));
  assert_true(bg_wait_project(bgc, "P-C4", 60000));
  assert_int_equal(reopen("P-C2-A", "for sent", NULL, &err), TRIN_ECONFLICT);
  assert_string_equal(err.field, "price_closed");
  assert_non_null(strstr(err.message, "closed in the project's lifecycle (prisen er lukket "
                                      "2023-07-01)"));
}

int main(void) {
  testproc_watchdog(600);
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(reopen_skema_a_with_a_trace),
      cmocka_unit_test(trinctl_remove_line_withdraw_reopen),
      cmocka_unit_test(no_reopening_once_the_price_is_closed),
      cmocka_unit_test(an_older_store_learns_the_price_closing_by_replay),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
