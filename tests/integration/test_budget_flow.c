/* budget.flow — the real trin-lifecycle and trin-budget processes, wired to
 * each other's events: a partnership and a project are created in
 * lifecycle and appear in budget; the economic model prices craft costs;
 * Skema A, index points (CSV), Skema B, a scope change and an accepted
 * optimisation give the drift decomposition; the budget service is killed
 * with -9 midway and restarted, losing nothing and catching up with what
 * lifecycle did meanwhile; approving Skema B at the price-closing point
 * closes the price in lifecycle, and the project may enter trin 3. An
 * index CSV with bytes that are not UTF-8 is refused by line and column. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "lcclient.h"
#include "test_budget_calls.h"
#include "testcall.h"
#include "testproc.h"
#include "trin/envelope.pb-c.h"
#include "trin_codec.h"

static testproc_t lc, bg;
static trin_client_t *lcc, *bgc;
static char a_lc_ep[400], a_lc_pub[400], a_bg_ep[400], a_bg_pub[400];
static const char *lc_extra[] = {a_bg_ep, a_bg_pub, "--heartbeat-ms=200", NULL};
static const char *bg_extra[] = {a_lc_ep, a_lc_pub, "--heartbeat-ms=200", NULL};

/* The call must fail with code on field, and budget's event log must not move. */
#define REFUSED(expr, code, fld) REFUSED_UNCHANGED(expr, code, fld, bg_last_seq(bgc))

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

static int setup(void **state) {
  testproc_init(&lc, "bflow-lc");
  testproc_init(&bg, "bflow-bg");
  snprintf(a_lc_ep, sizeof a_lc_ep, "--lifecycle-endpoint=%s", lc.endpoint);
  snprintf(a_lc_pub, sizeof a_lc_pub, "--lifecycle-pub-endpoint=%s", lc.pub);
  snprintf(a_bg_ep, sizeof a_bg_ep, "--budget-endpoint=%s", bg.endpoint);
  snprintf(a_bg_pub, sizeof a_bg_pub, "--budget-pub-endpoint=%s", bg.pub);
  if (!testproc_start(&lc, TRIN_LIFECYCLE_BIN, lc_extra)) return -1;
  if (!testproc_start(&bg, TRIN_BUDGET_BIN, bg_extra)) return -1;
  trin_err_t err;
  if (trin_client_new(lc.endpoint, &lcc, &err) || trin_client_new(bg.endpoint, &bgc, &err))
    return -1;
  OK(lc_org(lcc, "LIVA", "client", &e_));
  OK(lc_partnership(lcc, "LIVA-P", "LIVA", "2022-01-01", "myndighedsprojekt", 5000000, &e_));
  return 0;
}

static int teardown(void **state) {
  trin_client_destroy(&lcc);
  trin_client_destroy(&bgc);
  int rb = testproc_stop(&bg);
  int rl = testproc_stop(&lc);
  testproc_cleanup(&bg);
  testproc_cleanup(&lc);
  return rb == 0 && rl == 0 ? 0 : -1;
}

static bool lifecycle_price_closed(const char *project, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    Trin__Lifecycle__ProjectReply *r = NULL;
    trin_err_t err;
    if (lc_get(lcc, project, &r, &err) == TRIN_OK) {
      bool closed = r->project->price_closed;
      trin_codec_free(r);
      if (closed) return true;
    }
    sleep_ms(20);
  }
  return false;
}

static void price_calculation(void **state) {
  assert_true(bg_wait_project(bgc, "NONE", 1) == false);
  OK(lc_project(lcc, "P0", "LIVA-P", NULL, false, "2023-01-02", &e_));
  assert_true(bg_wait_project(bgc, "P0", 10000));
  OK(bg_model(bgc, "LIVA-P", 1250, &e_));
  /* The worked example of budget.rules, through the service. */
  Trin__Budget__HoursByRole h1 = TRIN__BUDGET__HOURS_BY_ROLE__INIT, h2 = h1;
  h1.role = "projektleder";
  h1.hours_x100 = 1050;
  h2.role = "kalkulator";
  h2.hours_x100 = 325;
  Trin__Budget__HoursByRole *hs[2] = {&h1, &h2};
  Trin__Budget__CalculatePrice q = TRIN__BUDGET__CALCULATE_PRICE__INIT;
  q.partnership_id = "LIVA-P";
  q.craft_ore = 100000000;
  q.hours = hs;
  q.n_hours = 2;
  Trin__Budget__PriceCalculation *p = NULL;
  OK(trin_client_call(bgc, &q.base, &trin__budget__price_calculation__descriptor,
                      (ProtobufCMessage **)&p, &e_));
  assert_int_equal(p->price_ore, 128308288);
  assert_int_equal(p->n_lines, 6);
  assert_string_equal(p->lines[5]->category, "margin");
  assert_int_equal(p->lines[5]->amount_ore, 5575000);
  trin_codec_free(p);
}

static void skema_a_to_b_with_kill9_and_price_closing(void **state) {
  OK(lc_project(lcc, "P1", "LIVA-P", NULL, false, "2023-01-10", &e_));
  OK(lc_advance(lcc, "P1", "trin1", "2023-02-01", &e_));
  OK(lc_advance(lcc, "P1", "trin2", "2023-06-01", &e_));
  assert_true(bg_wait_project(bgc, "P1", 10000));

  /* Skema A: 50 mio. kr. One craft line passes MOLIO, one fails. */
  bg_line_spec_t a_lines[] = {
      {"facade", "craft", "facade", 3000000000, 3500000000}, /* limit 3 062 500 000 */
      {"roof", "craft", "roof", 1000000000, 1100000000},     /* limit 962 500 000: fails */
      {"mgmt", "management_fee", NULL, 500000000, 0},
      {"risk", "risk_pool", NULL, 300000000, 0},
      {"adv", "advisor_fees", NULL, 200000000, 0},
  };
  OK(bg_budget(bgc, "P1-A", "P1", "skema_a", "2023-01-15", a_lines, 5, &e_));
  /* While P1-A is a draft P1 has no price budget, yet a reply about P1-A
   * (setting a line, reading it) says P1-A's own MOLIO: the roof fails. */
  Trin__Budget__BudgetLine roof = TRIN__BUDGET__BUDGET_LINE__INIT;
  roof.id = "roof";
  roof.category = "craft";
  roof.building_part = "roof";
  roof.amount_ore = 1000000000;
  roof.molio_reference_ore = 1100000000;
  Trin__Budget__SetBudgetLine lq = TRIN__BUDGET__SET_BUDGET_LINE__INIT;
  lq.budget_id = "P1-A";
  lq.line = &roof;
  Trin__Budget__BudgetReply *ar = NULL;
  OK(trin_client_call(bgc, &lq.base, &trin__budget__budget_reply__descriptor,
                      (ProtobufCMessage **)&ar, &e_));
  assert_string_equal(ar->budget->status, "draft");
  assert_false(ar->figures->molio_compliant);
  assert_int_equal(ar->figures->molio_failing_lines, 1);
  trin_codec_free(ar);
  ar = NULL;
  OK(bg_get_budget(bgc, "P1-A", &ar, &e_));
  assert_false(ar->figures->molio_compliant);
  assert_int_equal(ar->figures->molio_failing_lines, 1);
  trin_codec_free(ar);
  /* Skema B: 58 mio. kr.; the roof now within MOLIO. */
  bg_line_spec_t b_lines[] = {
      {"facade", "craft", "facade", 3600000000, 4200000000},
      {"roof", "craft", "roof", 960000000, 1100000000},
      {"mgmt", "management_fee", NULL, 640000000, 0},
      {"risk", "risk_pool", NULL, 350000000, 0},
      {"adv", "advisor_fees", NULL, 250000000, 0},
  };
  OK(bg_budget(bgc, "P1-B", "P1", "skema_b", "2024-03-01", b_lines, 5, &e_));
  OK(bg_submit(bgc, "P1-B", "2024-03-02", &e_));
  /* Approving a Skema B before an approved Skema A: refused, nothing moves. */
  REFUSED(bg_approve(bgc, "P1-B", "2024-03-03", &e_), TRIN_ECONFLICT, "skema_a");
  OK(bg_submit(bgc, "P1-A", "2023-01-20", &e_));
  OK(bg_approve(bgc, "P1-A", "2023-02-01", &e_));

  /* Drift needs index points: none yet, and the error names the date. */
  Trin__Budget__Drift *d = NULL;
  REFUSED(bg_drift(bgc, "P1", &d, &e_), TRIN_ECONFLICT, "skema_a.date");
  OK(bg_index_csv(bgc, "BYG43", "date;value\n2023K1;113,10\n2024-01-01;118,20\n", &e_));
  OK(bg_scope(bgc, "SC-1", "P1", 150000000, "2023-06-01", &e_));
  OK(bg_option(bgc, "OPT-1", "P1", 40000000, "2023-10-01", &e_));
  OK(bg_option(bgc, "OPT-2", "P1", 9000000, "2023-10-01", &e_));
  OK(bg_decide(bgc, "OPT-1", "accepted", "2023-11-01", &e_));
  OK(bg_decide(bgc, "OPT-2", "rejected", "2023-11-01", &e_));

  /* kill -9 midway; lifecycle goes on meanwhile. */
  testproc_kill9(&bg);
  trin_client_destroy(&bgc);
  OK(lc_project(lcc, "P2", "LIVA-P", NULL, false, "2023-05-01", &e_));
  assert_true(testproc_start(&bg, TRIN_BUDGET_BIN, bg_extra));
  trin_err_t err;
  assert_int_equal(trin_client_new(bg.endpoint, &bgc, &err), TRIN_OK);
  assert_true(bg_wait_project(bgc, "P2", 10000)); /* caught up from its cursor */

  Trin__Budget__BudgetReply *b = NULL;
  OK(bg_get_budget(bgc, "P1-B", &b, &e_));
  assert_int_equal(b->budget->total_ore, 5800000000);
  assert_int_equal(b->budget->n_lines, 5);
  assert_string_equal(b->budget->status, "submitted");
  trin_codec_free(b);

  /* The drift A -> B, with the index points used named:
   * total 800 000 000 = market 225 464 191 + scope 110 000 000 (150 mio.
   * scope − 40 mio. accepted saving; the rejected option does not count)
   * + unexplained 464 535 809. */
  OK(bg_drift(bgc, "P1", &d, &e_));
  assert_int_equal(d->total_ore, 800000000);
  assert_int_equal(d->market_ore, 225464191);
  assert_int_equal(d->scope_ore, 110000000);
  assert_int_equal(d->unexplained_ore, 464535809);
  assert_int_equal(d->market_ore + d->scope_ore + d->unexplained_ore, d->total_ore);
  assert_string_equal(d->index_series, "BYG43");
  assert_string_equal(d->index_a->date, "2023-01-01");
  assert_int_equal(d->index_a->value_x100, 11310);
  assert_string_equal(d->index_b->date, "2024-01-01");
  assert_int_equal(d->total_bp, 1600);
  trin_codec_free(d);

  /* Price closing: approve Skema B; lifecycle hears it and lets P1 into
   * trin 3. */
  trin_err_t e3 = {0};
  assert_int_equal(lc_advance(lcc, "P1", "trin3", "2024-03-05", &e3), TRIN_ECONFLICT);
  assert_string_equal(e3.field, "price_closed");
  OK(bg_approve(bgc, "P1-B", "2024-03-10", &e_));
  assert_true(lifecycle_price_closed("P1", 10000));
  OK(lc_advance(lcc, "P1", "trin3", "2024-04-01", &e_));
  Trin__Lifecycle__ProjectReply *lp = NULL;
  OK(lc_get(lcc, "P1", &lp, &e_));
  assert_string_equal(lp->project->stage, "trin3");
  assert_string_equal(lp->project->price_closed_on, "2024-03-10");
  trin_codec_free(lp);
  /* A second Skema B cannot close the price again. */
  OK(bg_budget(bgc, "P1-B2", "P1", "skema_b", "2024-05-01", b_lines, 1, &e_));
  OK(bg_submit(bgc, "P1-B2", "2024-05-02", &e_));
  REFUSED(bg_approve(bgc, "P1-B2", "2024-05-03", &e_), TRIN_ECONFLICT, "skema_b");

  /* The figures every event carries, read back. */
  OK(bg_cost(bgc, "C-1", "P1", "craft", "2024-06-30", 1000000000, &e_));
  Trin__Budget__ProjectEconomyReply *ec = NULL;
  OK(bg_economy(bgc, "P1", &ec, &e_));
  const Trin__Budget__ProjectFigures *f = ec->figures;
  assert_int_equal(f->budget_a_ore, 5000000000);
  assert_int_equal(f->budget_b_ore, 5800000000);
  assert_true(f->drift_known);
  assert_int_equal(f->drift_bp, 1600);
  assert_true(f->market_known);
  assert_int_equal(f->market_adjusted_drift_ore, 574535809);
  assert_int_equal(f->market_adjusted_drift_bp, 1149);
  assert_true(f->molio_compliant); /* Skema B's lines all pass */
  assert_true(f->price_closed);
  assert_int_equal(f->costs_to_date_ore, 1000000000);
  assert_int_equal(f->forecast_ore, 5800000000);
  assert_int_equal(ec->forecast->cost_to_complete_ore, 4800000000);
  assert_int_equal(ec->n_options, 2);
  assert_int_equal(ec->molio->lines_checked, 2);
  trin_codec_free(ec);
}

static void refused_price_closing_is_logged_and_passed(void **state) {
  /* P3 stays in pre_study: lifecycle's rules refuse the budget's price
   * closing; lifecycle logs it and moves on, so P4's closing after it
   * still arrives. */
  OK(lc_project(lcc, "P3", "LIVA-P", NULL, false, "2023-01-10", &e_));
  OK(lc_project(lcc, "P4", "LIVA-P", NULL, true, "2023-01-10", &e_));
  OK(lc_advance(lcc, "P4", "trin1_2", "2023-02-01", &e_));
  assert_true(bg_wait_project(bgc, "P3", 10000));
  assert_true(bg_wait_project(bgc, "P4", 10000));
  bg_line_spec_t l[] = {{"c", "craft", NULL, 1000000, 0}};
  const char *projects[2] = {"P3", "P4"};
  for (int i = 0; i < 2; i++) {
    char a[16], b[16];
    snprintf(a, sizeof a, "%s-A", projects[i]);
    snprintf(b, sizeof b, "%s-B", projects[i]);
    OK(bg_budget(bgc, a, projects[i], "skema_a", "2023-01-15", l, 1, &e_));
    OK(bg_submit(bgc, a, "2023-01-16", &e_));
    OK(bg_approve(bgc, a, "2023-01-17", &e_));
    OK(bg_budget(bgc, b, projects[i], "skema_b", "2023-03-01", l, 1, &e_));
    OK(bg_submit(bgc, b, "2023-03-02", &e_));
    OK(bg_approve(bgc, b, "2023-03-03", &e_));
  }
  assert_true(lifecycle_price_closed("P4", 10000));
  Trin__Lifecycle__ProjectReply *r = NULL;
  OK(lc_get(lcc, "P3", &r, &e_));
  assert_false(r->project->price_closed);
  trin_codec_free(r);
  static char log[1 << 16];
  FILE *fl = fopen(lc.log, "r");
  assert_non_null(fl);
  size_t n = fread(log, 1, sizeof log - 1, fl);
  log[n] = '\0';
  fclose(fl);
  assert_non_null(strstr(log, "price closing of project 'P3'"));
}

static void molio_rent_and_turnover(void **state) {
  /* P1's Skema A: the roof line fails MOLIO by 37 500 000 øre. */
  Trin__Budget__VerifyMolio vq = TRIN__BUDGET__VERIFY_MOLIO__INIT;
  vq.budget_id = "P1-A";
  Trin__Budget__MolioReport *m = NULL;
  OK(trin_client_call(bgc, &vq.base, &trin__budget__molio_report__descriptor,
                      (ProtobufCMessage **)&m, &e_));
  assert_int_equal(m->deduction_bp, 1250);
  assert_int_equal(m->lines_checked, 2);
  assert_int_equal(m->lines_failing, 1);
  assert_int_equal(m->excess_ore, 37500000);
  assert_false(m->compliant);
  assert_string_equal(m->lines[1]->line_id, "roof");
  assert_int_equal(m->lines[1]->limit_ore, 962500000);
  trin_codec_free(m);

  /* Rent: 80 % of Skema B's 58 mio. kr at 4 % over 30 years on 10 000 m². */
  Trin__Budget__RentParameters rp = TRIN__BUDGET__RENT_PARAMETERS__INIT;
  rp.project_id = "P1";
  rp.loan_share_bp = 8000;
  rp.interest_bp = 400;
  rp.term_years = 30;
  rp.rentable_area_m2 = 10000;
  rp.current_rent_ore_per_m2 = 90000;
  rp.max_rent_ore_per_m2 = 140000;
  Trin__Budget__SetRentParameters rq = TRIN__BUDGET__SET_RENT_PARAMETERS__INIT;
  rq.parameters = &rp;
  Trin__Budget__ProjectEconomyReply *ec = NULL;
  OK(trin_client_call(bgc, &rq.base, &trin__budget__project_economy_reply__descriptor,
                      (ProtobufCMessage **)&ec, &e_));
  assert_non_null(ec->rent);
  assert_int_equal(ec->rent->financed_ore, 4640000000);
  assert_true(ec->figures->rent_known);
  assert_true(ec->rent->within_max);
  assert_int_equal(ec->rent->new_rent_ore_per_m2,
                   90000 + ec->rent->increase_ore_per_m2);
  trin_codec_free(ec);
  rp.term_years = 0;
  REFUSED(trin_client_call(bgc, &rq.base, &trin__budget__project_economy_reply__descriptor,
                           (ProtobufCMessage **)&ec, &e_),
          TRIN_EINVALID, "parameters.term_years");

  /* Removing a draft line moves the total. */
  bg_line_spec_t l[] = {{"x", "craft", NULL, 700, 0}, {"y", "financing", NULL, 300, 0}};
  OK(bg_budget(bgc, "P2-F", "P2", "forecast", "2024-01-01", l, 2, &e_));
  Trin__Budget__RemoveBudgetLine rm = TRIN__BUDGET__REMOVE_BUDGET_LINE__INIT;
  rm.budget_id = "P2-F";
  rm.line_id = "y";
  Trin__Budget__BudgetReply *br = NULL;
  OK(trin_client_call(bgc, &rm.base, &trin__budget__budget_reply__descriptor,
                      (ProtobufCMessage **)&br, &e_));
  assert_int_equal(br->budget->total_ore, 700);
  trin_codec_free(br);
  REFUSED(trin_client_call(bgc, &rm.base, &trin__budget__budget_reply__descriptor,
                           (ProtobufCMessage **)&br, &e_),
          TRIN_ENOTFOUND, "line_id");

  /* Turnover: LIVA-P's framework runs 2022-01-01 .. 2025-12-31. */
  OK(bg_cost(bgc, "C-2", "P2", "advisor_fees", "2023-05-01", 300, &e_));
  OK(bg_cost(bgc, "C-3", "P2", "craft", "2027-02-01", 900, &e_));
  Trin__Budget__GetTurnoverSplit tq = TRIN__BUDGET__GET_TURNOVER_SPLIT__INIT;
  tq.partnership_id = "LIVA-P";
  Trin__Budget__TurnoverSplit *t = NULL;
  OK(trin_client_call(bgc, &tq.base, &trin__budget__turnover_split__descriptor,
                      (ProtobufCMessage **)&t, &e_));
  assert_string_equal(t->framework_end, "2025-12-31");
  /* C-1 (P1, 2024, craft 1 000 000 000) and C-2 within; C-3 after. */
  assert_int_equal(t->within_ore, 1000000300);
  assert_int_equal(t->after_ore, 900);
  assert_int_equal(t->n_rows, 3);
  assert_int_equal(t->rows[2]->year, 2027);
  assert_string_equal(t->rows[2]->party, "contractor");
  assert_false(t->rows[2]->within_framework);
  trin_codec_free(t);
}

static void trinctl_commands(void **state) {
  char path[512], cmd[2048], out[8192];
  snprintf(path, sizeof path, "%s/byg42.csv", bg.dir);
  FILE *f = fopen(path, "w");
  assert_non_null(f);
  fputs("date;value\n2023K1;100,00\n2024K1;104,50\n", f);
  fclose(f);
  snprintf(cmd, sizeof cmd, "%s --endpoint '%s' index import '%s' --series BYG42 2>&1",
           TRINCTL_BIN, bg.endpoint, path);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "BYG42: 2 points"));
  assert_non_null(strstr(out, "2024-01-01  104,50"));
  /* A missing date: refused (exit 1), naming the line. */
  f = fopen(path, "w");
  fputs("date;value\n2023K1;100,00\n;104,50\n", f);
  fclose(f);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 1);
  assert_non_null(strstr(out, "line 3"));
  snprintf(cmd, sizeof cmd, "%s --endpoint '%s' budget drift P1 2>&1", TRINCTL_BIN,
           bg.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "unexplained"));
  assert_non_null(strstr(out, "4.645.358,09"));
  /* percentages the Danish way too, as the amounts beside them (once "16.00 %") */
  assert_non_null(strstr(out, "(16,00 %)"));
  /* index points as people write them, in the drift's heading too (not "= 10450") */
  assert_non_null(strstr(out, "points "));
  assert_null(strstr(out, "= 1000"));
  /* trinctl index add reads what the CSV import reads: 118,20, 118.20 and 118 */
  static const struct {
    const char *value, *want;
    int status;
  } adds[] = {
      {"118,20", "2025-01-01  118,20", 0},
      {"118.25", "2025-01-01  118,25", 0},
      {"118", "2025-01-01  118,00", 0},
      {"118,2051", "'118,2051' is not a number: more than 2 decimals", 2},
      {"118,205", "'118,205' is not a number: ambiguous, the three digits after the only "
                  "separator may be thousands or decimals", 2},
  };
  for (size_t i = 0; i < sizeof adds / sizeof *adds; i++) {
    snprintf(cmd, sizeof cmd, "%s --endpoint '%s' index add BYG42 --date 2025-01-01 --value '%s' "
             "2>&1", TRINCTL_BIN, bg.endpoint, adds[i].value);
    assert_int_equal(testproc_run(cmd, out, sizeof out), adds[i].status);
    if (!strstr(out, adds[i].want)) print_error("case %zu: '%s'\n", i, out);
    assert_non_null(strstr(out, adds[i].want));
  }
  snprintf(cmd, sizeof cmd, "%s --endpoint '%s' --json budget economy P1", TRINCTL_BIN,
           bg.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "\"budget_b_ore\":5800000000"));
  /* docs/budget.md's worked example, early-phase hours included. */
  snprintf(cmd, sizeof cmd,
           "%s --endpoint '%s' --json budget price LIVA-P --craft 1.000.000 "
           "--hours 'projektleder=10,5;kalkulator=3,25' 2>&1",
           TRINCTL_BIN, bg.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 0);
  assert_non_null(strstr(out, "\"price_ore\":128308288"));
  snprintf(cmd, sizeof cmd,
           "%s --endpoint '%s' budget price LIVA-P --craft 1.000.000 "
           "--hours 'projektleder=10.5' 2>&1",
           TRINCTL_BIN, bg.endpoint);
  assert_int_equal(testproc_run(cmd, out, sizeof out), 2);
  assert_non_null(strstr(out, "--hours: write ROLE=HOURS;ROLE=HOURS"));
}

/* ---- new index points re-emit the figures they move ------------------------------------ */

/* The budget service's events after seq (all of them: the tests make few). */
static Trin__EventBatch *events_after(uint64_t seq) {
  Trin__EventsSince q = TRIN__EVENTS_SINCE__INIT;
  q.after_seq = seq;
  q.limit = 1000;
  Trin__EventBatch *b = NULL;
  OK(trin_client_call(bgc, &q.base, &trin__event_batch__descriptor, (ProtobufCMessage **)&b,
                      &e_));
  return b;
}

static const char *event_id(const Trin__Event *ev, const char *key) {
  for (size_t i = 0; i < ev->n_ids; i++)
    if (strcmp(ev->ids[i]->key, key) == 0) return ev->ids[i]->value;
  return NULL;
}

/* Event i of b is budget.figures_changed for project, caused by series,
 * with the market-adjusted drift given (øre and basis points of A). */
static void assert_figures_changed(const Trin__EventBatch *b, size_t i, const char *project,
                                   const char *series, int64_t adjusted_ore,
                                   int32_t adjusted_bp) {
  assert_true(i < b->n_events);
  const Trin__Event *ev = b->events[i];
  assert_string_equal(ev->type, "budget.figures_changed");
  assert_string_equal(ev->payload_type, "trin.budget.BudgetEvent");
  assert_string_equal(event_id(ev, "project"), project);
  assert_string_equal(event_id(ev, "index_series"), series);
  assert_string_equal(ev->org, "LIVA");
  Trin__Budget__BudgetEvent *be = NULL;
  OK(trin_codec_unpack(&trin__budget__budget_event__descriptor, ev->payload.data,
                       ev->payload.len, "payload", (ProtobufCMessage **)&be, &e_));
  assert_non_null(be->figures);
  assert_string_equal(be->figures->project_id, project);
  assert_true(be->figures->drift_known);
  assert_true(be->figures->market_known);
  assert_int_equal(be->figures->market_adjusted_drift_ore, adjusted_ore);
  assert_int_equal(be->figures->market_adjusted_drift_bp, adjusted_bp);
  assert_null(be->budget); /* figures only: nothing else changed */
  trin_codec_free(be);
}

/* A project with an approved Skema A (2023-01-15) and a draft Skema B
 * (2024-03-01), so its drift reads the index at both dates. */
static void project_a_b(const char *id, const char *partnership, int64_t a, int64_t b) {
  OK(lc_project(lcc, id, partnership, partnership ? NULL : "LIVA", false, "2023-01-10", &e_));
  assert_true(bg_wait_project(bgc, id, 10000));
  char ida[32], idb[32];
  snprintf(ida, sizeof ida, "%s-A", id);
  snprintf(idb, sizeof idb, "%s-B", id);
  bg_line_spec_t la[] = {{"c", "craft", NULL, a, 0}}, lb[] = {{"c", "craft", NULL, b, 0}};
  OK(bg_budget(bgc, ida, id, "skema_a", "2023-01-15", la, 1, &e_));
  OK(bg_submit(bgc, ida, "2023-01-16", &e_));
  OK(bg_approve(bgc, ida, "2023-01-17", &e_));
  OK(bg_budget(bgc, idb, id, "skema_b", "2024-03-01", lb, 1, &e_));
}

static void index_points_reemit_the_figures_they_move(void **state) {
  /* BYG43 holds 2023-01-01 = 113.10 and 2024-01-01 = 118.20; BYG42 (from
   * trinctl_commands) 2023-01-01 = 100.00 and 2024-01-01 = 104.50. On BYG43:
   * P1 (LIVA-P's model names no series), P5 (no partnership, so no model);
   * P3 and P4 too, but with both budgets dated before 2024. On BYG42: P6
   * (LIVA-Q's model names it). */
  OK(lc_partnership(lcc, "LIVA-Q", "LIVA", "2022-01-01", "udbudsprojekt", 5000000, &e_));
  OK(lc_project(lcc, "Q0", "LIVA-Q", NULL, false, "2023-01-10", &e_));
  assert_true(bg_wait_project(bgc, "Q0", 10000));
  OK(bg_model_series(bgc, "LIVA-Q", 1250, "BYG42", &e_));
  project_a_b("P5", NULL, 1000000000, 1100000000);
  project_a_b("P6", "LIVA-Q", 2000000000, 2300000000);
  Trin__Budget__ProjectEconomyReply *ec = NULL;
  OK(bg_economy(bgc, "P6", &ec, &e_));
  /* 20 mio. × 104.50 / 100.00: market 900 000,00 kr; 3 mio. − 0,9 mio. */
  assert_int_equal(ec->figures->market_adjusted_drift_ore, 210000000);
  trin_codec_free(ec);

  /* A later BYG43 point, 2024-02-01 = 121.00, becomes I(tB) of P1 and P5:
   *   P1: round(50 mio. × 121.00 / 113.10) = 53.492.484,53 kr → market
   *       3.492.484,53 kr (was 2.254.641,91); market-adjusted drift
   *       8.000.000,00 − 3.492.484,53 = 4.507.515,47 kr = 9.02 % (was 11.49 %)
   *   P5: round(10 mio. × 121.00 / 113.10) = 10.698.496,91 kr → market
   *       698.496,91; market-adjusted 1.000.000,00 − 698.496,91 = 301.503,09
   *       kr = 3.02 % (was 549.071,62 kr, 5.49 %)
   * In the import's transaction: its own event, then one figures event per
   * project it moved, by project id — none for P3, P4 (dated before the
   * point) or P6 (another series). */
  uint64_t seq0 = bg_last_seq(bgc);
  Trin__Budget__ImportIndexCsv iq = TRIN__BUDGET__IMPORT_INDEX_CSV__INIT;
  iq.series = "BYG43";
  static const char iq_csv[] = "date;value\n2024-02-01;121,00\n";
  iq.csv.data = (uint8_t *)iq_csv;
  iq.csv.len = sizeof iq_csv - 1;
  Trin__Budget__IndexSeries *is = NULL;
  OK(trin_client_call(bgc, &iq.base, &trin__budget__index_series__descriptor,
                      (ProtobufCMessage **)&is, &e_));
  assert_int_equal(is->seq, seq0 + 3); /* the last event the import produced */
  assert_int_equal(is->n_points, 3);
  trin_codec_free(is);
  Trin__EventBatch *b = events_after(seq0);
  assert_int_equal(b->n_events, 3);
  assert_int_equal(b->last_seq, seq0 + 3);
  assert_string_equal(b->events[0]->type, "budget.index_points_added");
  assert_figures_changed(b, 1, "P1", "BYG43", 450751547, 902);
  assert_figures_changed(b, 2, "P5", "BYG43", 30150309, 302);
  trin_codec_free(b);
  /* What the events said is what the service now answers. */
  Trin__Budget__Drift *d = NULL;
  OK(bg_drift(bgc, "P1", &d, &e_));
  assert_int_equal(d->market_ore, 349248453);
  assert_string_equal(d->index_b->date, "2024-02-01");
  assert_int_equal(d->market_ore + d->scope_ore + d->unexplained_ore, d->total_ore);
  trin_codec_free(d);

  /* By command, on BYG42: P6 alone (20 mio. × 105.00 / 100.00: market
   * 1.000.000,00 kr; market-adjusted 2.000.000,00 kr = 10.00 %). */
  uint64_t seq = 0;
  seq0 = bg_last_seq(bgc);
  OK(bg_index_point(bgc, "BYG42", "2024-02-01", 10500, &seq, &e_));
  assert_int_equal(seq, seq0 + 2);
  b = events_after(seq0);
  assert_int_equal(b->n_events, 2);
  assert_string_equal(b->events[0]->type, "budget.index_points_added");
  assert_figures_changed(b, 1, "P6", "BYG42", 200000000, 1000);
  trin_codec_free(b);

  /* Points that move no one's figures emit only the import's own event:
   * the same value again (P1 and P5 are looked at, and found unchanged), a
   * point after every budget's date, a series no model names. */
  seq0 = bg_last_seq(bgc);
  OK(bg_index_point(bgc, "BYG43", "2024-02-01", 12100, &seq, &e_));
  assert_int_equal(seq, seq0 + 1);
  OK(bg_index_csv(bgc, "BYG43", "date;value\n2026K1;130,00\n", &e_));
  OK(bg_index_csv(bgc, "BYG99", "date;value\n2020K1;90,00\n2024K1;130,00\n", &e_));
  b = events_after(seq0);
  assert_int_equal(b->n_events, 3);
  assert_int_equal(b->last_seq, seq0 + 3);
  for (size_t i = 0; i < b->n_events; i++)
    assert_string_equal(b->events[i]->type, "budget.index_points_added");
  trin_codec_free(b);
}

/* A model change moves the figures of the partnership's projects (here the
 * index series of P6's drift): exactly the projects whose figures change get
 * budget.figures_changed after budget.model_set; the same model again emits
 * nothing but model_set. */
static void model_changes_reemit_the_figures_they_move(void **state) {
  Trin__Budget__ProjectEconomyReply *ec = NULL;
  OK(bg_economy(bgc, "P6", &ec, &e_));
  int64_t before = ec->figures->market_adjusted_drift_ore;
  trin_codec_free(ec);
  uint64_t seq0 = bg_last_seq(bgc);
  OK(bg_model_series(bgc, "LIVA-Q", 1250, "BYG43", &e_));
  Trin__EventBatch *b = events_after(seq0);
  assert_int_equal(b->n_events, 2);
  assert_string_equal(b->events[0]->type, "budget.model_set");
  const Trin__Event *ev = b->events[1];
  assert_string_equal(ev->type, "budget.figures_changed");
  assert_string_equal(event_id(ev, "project"), "P6");
  Trin__Budget__BudgetEvent *be = NULL;
  OK(trin_codec_unpack(&trin__budget__budget_event__descriptor, ev->payload.data,
                       ev->payload.len, "payload", (ProtobufCMessage **)&be, &e_));
  assert_true(be->figures->market_known);
  int64_t after = be->figures->market_adjusted_drift_ore;
  assert_true(after != before);
  trin_codec_free(be);
  trin_codec_free(b);
  OK(bg_economy(bgc, "P6", &ec, &e_));
  assert_int_equal(ec->figures->market_adjusted_drift_ore, after);
  trin_codec_free(ec);

  seq0 = bg_last_seq(bgc);
  OK(bg_model_series(bgc, "LIVA-Q", 1250, "BYG43", &e_));
  b = events_after(seq0);
  assert_int_equal(b->n_events, 1);
  assert_string_equal(b->events[0]->type, "budget.model_set");
  trin_codec_free(b);
}

/* An index file saved in Latin-1 or as UTF-16, or with a NUL byte in a
 * cell: refused with the line and the column, the series as it was, no
 * event. (csv is bytes: the file reaches the service as it is.) */
static void index_csv_that_is_not_utf8_changes_nothing(void **state) {
  const struct {
    const char *csv, *want;
  } cases[] = {
      {"date;value\n2027K1;130,00\n2027K2;131\xa0" "00\n",
       "line 3, column 2 (value): the cell is not valid UTF-8 (byte 0xA0 at position 4); save "
       "the file as UTF-8"},
      /* UTF-16 "date..." as the service gets it: up to the first NUL */
      {"\xff\xfe" "d", "line 1, column 1: the cell is not valid UTF-8 (byte 0xFF at position 1)"},
  };
  Trin__Budget__GetIndexSeries q = TRIN__BUDGET__GET_INDEX_SERIES__INIT;
  q.series = "BYG43";
  Trin__Budget__IndexSeries *s = NULL;
  OK(trin_client_call(bgc, &q.base, &trin__budget__index_series__descriptor,
                      (ProtobufCMessage **)&s, &e_));
  size_t points = s->n_points;
  trin_codec_free(s);
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    REFUSED(bg_index_csv(bgc, "BYG43", cases[i].csv, &e_), TRIN_EINVALID, "csv");
    trin_err_t e = {0};
    bg_index_csv(bgc, "BYG43", cases[i].csv, &e);
    if (!strstr(e.message, cases[i].want)) print_error("case %zu: '%s'\n", i, e.message);
    assert_non_null(strstr(e.message, cases[i].want));
  }
  /* "2024K1;1\0" followed by more: not the value 1,00 silently. */
  static const char nul[] = "date;value\n2024K1;1\0" "99\n";
  trin_err_t e = {0};
  assert_int_equal(bg_index_csv_bytes(bgc, "BYG43", nul, sizeof nul - 1, &e), TRIN_EINVALID);
  assert_string_equal(e.field, "csv");
  if (!strstr(e.message, "line 2, column 2 (value): the cell holds a NUL byte"))
    print_error("NUL: '%s'\n", e.message);
  assert_non_null(strstr(e.message, "line 2, column 2 (value): the cell holds a NUL byte"));
  OK(trin_client_call(bgc, &q.base, &trin__budget__index_series__descriptor,
                      (ProtobufCMessage **)&s, &e_));
  assert_int_equal(s->n_points, points);
  trin_codec_free(s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(price_calculation),
      cmocka_unit_test(skema_a_to_b_with_kill9_and_price_closing),
      cmocka_unit_test(refused_price_closing_is_logged_and_passed),
      cmocka_unit_test(molio_rent_and_turnover),
      cmocka_unit_test(trinctl_commands),
      cmocka_unit_test(index_points_reemit_the_figures_they_move),
      cmocka_unit_test(model_changes_reemit_the_figures_they_move),
      cmocka_unit_test(index_csv_that_is_not_utf8_changes_nothing),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
