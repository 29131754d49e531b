/* trinctl_budget — see trinctl_budget.h. Each command reads like its use
 * case: options -> request -> call -> print the reply (JSON or words).
 * Amounts are typed in kroner and sent as øre; percentages are basis
 * points (850 = 8.50 %), as in budget.proto. */
#include "trinctl_budget.h"

#include <inttypes.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "trin/budget.pb-c.h"
#include "trin_codec.h"
#include "trin_money.h"
#include "trin_number.h"
#include "trinctl_file.h"
#include "trinctl_print.h"

static const char *const kinds[] = {"skema_a", "skema_b", "skema_c", "forecast", NULL};
static const char *const categories[] = {"craft",     "advisor_fees", "early_advice",
                                         "management_fee", "risk_pool", "margin",
                                         "fees_other", "financing", NULL};
static const char *const decisions[] = {"accepted", "rejected", NULL};


static char *S(const trinctl_args_t *a, const char *name) {
  return (char *)trinctl_args_str(a, name);
}
static char *ARG(const trinctl_args_t *a) { return (char *)a->arg; }

static const ProtobufCMessageDescriptor *const known_types[] = {
    &trin__budget__economic_model__descriptor, &trin__budget__budget_event__descriptor,
    &trin__budget__index_series__descriptor,
};

const ProtobufCMessageDescriptor *trinctl_budget_resolve(const char *full_name) {
  for (size_t i = 0; i < sizeof known_types / sizeof *known_types; i++)
    if (strcmp(known_types[i]->name, full_name) == 0) return known_types[i];
  return NULL;
}

static void print_json(trinctl_ctx_t *ctx, const ProtobufCMessage *m) {
  trinctl_json_t j = {ctx->out, trinctl_budget_resolve};
  trinctl_json_message(&j, m);
  fputc('\n', ctx->out);
}

static const char *kr(int64_t ore, char *buf) { return trinctl_kr(ore, buf); }

/* "12,34 %" from basis points. */
static const char *pct(int32_t bp, char *buf, size_t size) {
  char t[TRINCTL_NUM_BUF];
  snprintf(buf, size, "%s", trinctl_pct_bp(bp, t));
  return buf;
}

static const char *event_note(uint64_t seq, char *buf, size_t size) {
  if (seq) snprintf(buf, size, " (event %" PRIu64 ")", seq);
  else buf[0] = '\0';
  return buf;
}

/* Calls and, with --json, prints the reply; *out stays for the text view. */
static int call(trinctl_ctx_t *ctx, const ProtobufCMessage *req,
                const ProtobufCMessageDescriptor *d, ProtobufCMessage **out) {
  int rc = trinctl_call(ctx, req, d, out);
  if (!rc && ctx->g.json) print_json(ctx, *out);
  return rc;
}

static void print_figures(FILE *f, const Trin__Budget__ProjectFigures *p) {
  if (!p) return;
  char b1[TRIN_MONEY_BUF], b2[TRIN_MONEY_BUF], b3[TRIN_MONEY_BUF], p1[24], p2[24];
  fprintf(f, "  Skema A %s  Skema B %s  forecast %s\n", kr(p->budget_a_ore, b1),
          kr(p->budget_b_ore, b2), kr(p->forecast_ore, b3));
  if (p->drift_known)
    fprintf(f, "  drift %s (%s)", kr(p->drift_ore, b1), pct(p->drift_bp, p1, sizeof p1));
  else
    fprintf(f, "  drift: needs an approved Skema A and a Skema B");
  if (p->market_known)
    fprintf(f, ", market-adjusted %s (%s)", kr(p->market_adjusted_drift_ore, b2),
            pct(p->market_adjusted_drift_bp, p2, sizeof p2));
  fprintf(f, "\n  MOLIO %s (%d failing lines); price %s\n",
          p->molio_compliant ? "compliant" : "NOT compliant", p->molio_failing_lines,
          p->price_closed ? "closed" : "open");
  if (p->rent_known)
    fprintf(f, "  rent +%s per m² a year, %s the agreed maximum\n",
            kr(p->rent_increase_ore_per_m2, b1), p->rent_within_max ? "within" : "ABOVE");
}

/* ------------------------------------------------------------------- model */

/* "projektleder=950,kalkulator=725,50": roles and kroner per hour. */
static int parse_rates(trinctl_ctx_t *ctx, char *text, Trin__Budget__HourlyRate *rates,
                       Trin__Budget__HourlyRate **ptrs, size_t *n) {
  *n = 0;
  for (char *save = NULL, *tok = strtok_r(text, ";", &save); tok;
       tok = strtok_r(NULL, ";", &save)) {
    char *eq = strchr(tok, '=');
    if (!eq || *n >= 32)
      return trin_err_set(&ctx->err, TRIN_EINVALID, "model.rates",
                          "--rates: write ROLE=KR;ROLE=KR (e.g. projektleder=950;kalkulator=725,50)");
    *eq = '\0';
    trin__budget__hourly_rate__init(&rates[*n]);
    rates[*n].role = tok;
    trin_err_t e = {0};
    if (trin_money_parse(eq + 1, &rates[*n].rate_ore, "model.rates", &e))
      return trin_err_set(&ctx->err, TRIN_EINVALID, "model.rates", "--rates: %s", e.message);
    ptrs[*n] = &rates[*n];
    (*n)++;
  }
  return TRIN_OK;
}

static int run_model_set(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__EconomicModel m = TRIN__BUDGET__ECONOMIC_MODEL__INIT;
  Trin__Budget__HourlyRate rates[32], *ptrs[32];
  char text[1024];
  snprintf(text, sizeof text, "%s", S(a, "rates"));
  if (parse_rates(ctx, text, rates, ptrs, &m.n_rates)) return TRINCTL_EXIT_USAGE;
  m.rates = ptrs;
  m.partnership_id = ARG(a);
  m.management_fee_bp = (int32_t)trinctl_args_num(a, "management-fee-bp");
  m.risk_bp = (int32_t)trinctl_args_num(a, "risk-bp");
  m.advisor_fee_bp = (int32_t)trinctl_args_num(a, "advisor-fee-bp");
  m.margin_bp = (int32_t)trinctl_args_num(a, "margin-bp");
  m.molio_deduction_bp = (int32_t)trinctl_args_num(a, "molio-deduction-bp");
  m.index_series = S(a, "index-series");
  Trin__Budget__SetEconomicModel req = TRIN__BUDGET__SET_ECONOMIC_MODEL__INIT;
  req.model = &m;
  Trin__Budget__EconomicModelReply *r = NULL;
  int rc = call(ctx, &req.base, &trin__budget__economic_model_reply__descriptor,
                (ProtobufCMessage **)&r);
  if (!rc && !ctx->g.json && r->model) {
    char ev[32];
    fprintf(ctx->out, "%s: economic model set, %zu hourly rates, index %s%s\n",
            r->model->partnership_id, r->model->n_rates, r->model->index_series,
            event_note(r->seq, ev, sizeof ev));
  }
  trin_codec_free(r);
  return rc;
}

/* Hours as typed, with a decimal comma ("10,5", "3,25"), in hundredths. */
static bool hours_parse(const char *t, int64_t *out) {
  int64_t v = 0;
  int digits = 0, decimals = -1;
  for (; *t; t++) {
    if (*t == ',' && decimals < 0 && digits > 0) {
      decimals = 0;
    } else if (*t >= '0' && *t <= '9' && digits < 9 && decimals < 2) {
      v = v * 10 + (*t - '0');
      if (decimals >= 0) decimals++;
      else digits++;
    } else {
      return false;
    }
  }
  if (digits == 0 || decimals == 0) return false;
  for (int d = decimals < 0 ? 0 : decimals; d < 2; d++) v *= 10;
  *out = v;
  return true;
}

/* "projektleder=10,5;kalkulator=3,25": early-phase hours per role. */
static int parse_hours(trinctl_ctx_t *ctx, char *text, Trin__Budget__HoursByRole *hours,
                       Trin__Budget__HoursByRole **ptrs, size_t *n) {
  *n = 0;
  for (char *save = NULL, *tok = strtok_r(text, ";", &save); tok;
       tok = strtok_r(NULL, ";", &save)) {
    char *eq = strchr(tok, '=');
    if (eq) *eq = '\0';
    trin__budget__hours_by_role__init(&hours[*n]);
    if (!eq || eq == tok || *n >= 32 || !hours_parse(eq + 1, &hours[*n].hours_x100))
      return trin_err_set(&ctx->err, TRIN_EINVALID, "hours",
                          "--hours: write ROLE=HOURS;ROLE=HOURS, at most 32 roles, hours "
                          "with a decimal comma and at most two decimals (e.g. "
                          "projektleder=10,5;kalkulator=3,25)");
    hours[*n].role = tok;
    ptrs[*n] = &hours[*n];
    (*n)++;
  }
  return TRIN_OK;
}

static int run_price(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__CalculatePrice req = TRIN__BUDGET__CALCULATE_PRICE__INIT;
  req.partnership_id = ARG(a);
  req.craft_ore = trinctl_args_num(a, "craft");
  Trin__Budget__HoursByRole hours[32], *hptrs[32];
  char htext[1024];
  snprintf(htext, sizeof htext, "%s", S(a, "hours"));
  if (parse_hours(ctx, htext, hours, hptrs, &req.n_hours)) return TRINCTL_EXIT_USAGE;
  req.hours = hptrs;
  Trin__Budget__PriceCalculation *r = NULL;
  int rc = call(ctx, &req.base, &trin__budget__price_calculation__descriptor,
                (ProtobufCMessage **)&r);
  if (!rc && !ctx->g.json) {
    static const char *const h[] = {"line", "amount", "working"};
    trinctl_table_t *t = trinctl_table_new(3, h);
    char b[TRIN_MONEY_BUF];
    for (size_t i = 0; i < r->n_lines; i++) {
      trinctl_table_cell(t, "%s", r->lines[i]->category);
      trinctl_table_cell(t, "%s", kr(r->lines[i]->amount_ore, b));
      trinctl_table_cell(t, "%s", r->lines[i]->working);
    }
    trinctl_table_print(ctx->out, t, 0);
    trinctl_table_destroy(&t);
    fprintf(ctx->out, "price %s\n", kr(r->price_ore, b));
  }
  trin_codec_free(r);
  return rc;
}

/* ------------------------------------------------------------------ budgets */

static int budget_done(trinctl_ctx_t *ctx, int rc, Trin__Budget__BudgetReply *r,
                       const char *what) {
  if (!rc && !ctx->g.json && r->budget) {
    char ev[32], b[TRIN_MONEY_BUF];
    fprintf(ctx->out, "%s (%s, %s, %s): %s, total %s%s\n", r->budget->id, r->budget->kind,
            r->budget->date, r->budget->status, what, kr(r->budget->total_ore, b),
            event_note(r->seq, ev, sizeof ev));
    print_figures(ctx->out, r->figures);
  }
  trin_codec_free(r);
  return rc;
}

static int run_budget_create(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__Budget b = TRIN__BUDGET__BUDGET__INIT;
  b.id = ARG(a);
  b.project_id = S(a, "project");
  b.kind = S(a, "kind");
  b.date = S(a, "date");
  Trin__Budget__CreateBudget req = TRIN__BUDGET__CREATE_BUDGET__INIT;
  req.budget = &b;
  Trin__Budget__BudgetReply *r = NULL;
  int rc = call(ctx, &req.base, &trin__budget__budget_reply__descriptor, (ProtobufCMessage **)&r);
  return budget_done(ctx, rc, r, "created");
}

static int run_budget_line(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__BudgetLine l = TRIN__BUDGET__BUDGET_LINE__INIT;
  l.id = S(a, "line");
  l.category = S(a, "category");
  l.building_part = S(a, "building-part");
  l.description = S(a, "description");
  l.amount_ore = trinctl_args_num(a, "amount");
  l.molio_reference_ore = trinctl_args_num(a, "molio-reference");
  Trin__Budget__SetBudgetLine req = TRIN__BUDGET__SET_BUDGET_LINE__INIT;
  req.budget_id = ARG(a);
  req.line = &l;
  Trin__Budget__BudgetReply *r = NULL;
  int rc = call(ctx, &req.base, &trin__budget__budget_reply__descriptor, (ProtobufCMessage **)&r);
  return budget_done(ctx, rc, r, "line set");
}

static int run_budget_submit(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__SubmitBudget req = TRIN__BUDGET__SUBMIT_BUDGET__INIT;
  req.budget_id = ARG(a);
  req.date = S(a, "date");
  Trin__Budget__BudgetReply *r = NULL;
  int rc = call(ctx, &req.base, &trin__budget__budget_reply__descriptor, (ProtobufCMessage **)&r);
  return budget_done(ctx, rc, r, "submitted");
}

static int run_budget_approve(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__ApproveBudget req = TRIN__BUDGET__APPROVE_BUDGET__INIT;
  req.budget_id = ARG(a);
  req.date = S(a, "date");
  Trin__Budget__BudgetReply *r = NULL;
  int rc = call(ctx, &req.base, &trin__budget__budget_reply__descriptor, (ProtobufCMessage **)&r);
  return budget_done(ctx, rc, r, "approved");
}

static int run_budget_remove_line(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__RemoveBudgetLine req = TRIN__BUDGET__REMOVE_BUDGET_LINE__INIT;
  req.budget_id = ARG(a);
  req.line_id = S(a, "line");
  Trin__Budget__BudgetReply *r = NULL;
  int rc = call(ctx, &req.base, &trin__budget__budget_reply__descriptor, (ProtobufCMessage **)&r);
  char what[120];
  snprintf(what, sizeof what, "linje %.64s fjernet (line removed)", req.line_id);
  return budget_done(ctx, rc, r, what);
}

/* A correction's reply: the budget back in draft and the reason given (the
 * event records it with who asked). */
static int correction_done(trinctl_ctx_t *ctx, int rc, Trin__Budget__BudgetReply *r,
                           const char *what, const char *reason) {
  if (!rc && !ctx->g.json && r->budget) {
    char ev[32], b[TRIN_MONEY_BUF];
    fprintf(ctx->out, "%s (%s, %s, %s): %s, total %s%s\n", r->budget->id, r->budget->kind,
            r->budget->date, r->budget->status, what, kr(r->budget->total_ore, b),
            event_note(r->seq, ev, sizeof ev));
    fprintf(ctx->out, "  begrundelse (reason): %s\n", reason);
    print_figures(ctx->out, r->figures);
  }
  trin_codec_free(r);
  return rc;
}

static int run_budget_withdraw(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__WithdrawBudget req = TRIN__BUDGET__WITHDRAW_BUDGET__INIT;
  req.budget_id = ARG(a);
  req.reason = S(a, "reason");
  Trin__Budget__BudgetReply *r = NULL;
  int rc = call(ctx, &req.base, &trin__budget__budget_reply__descriptor, (ProtobufCMessage **)&r);
  return correction_done(ctx, rc, r, "trukket tilbage til kladde (withdrawn to draft)",
                         req.reason);
}

static int run_budget_reopen(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__ReopenBudget req = TRIN__BUDGET__REOPEN_BUDGET__INIT;
  req.budget_id = ARG(a);
  req.reason = S(a, "reason");
  Trin__Budget__BudgetReply *r = NULL;
  int rc = call(ctx, &req.base, &trin__budget__budget_reply__descriptor, (ProtobufCMessage **)&r);
  return correction_done(ctx, rc, r, "genåbnet som kladde (reopened to draft)", req.reason);
}

static int run_budget_show(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__GetBudget req = TRIN__BUDGET__GET_BUDGET__INIT;
  req.budget_id = ARG(a);
  Trin__Budget__BudgetReply *r = NULL;
  int rc = call(ctx, &req.base, &trin__budget__budget_reply__descriptor, (ProtobufCMessage **)&r);
  if (!rc && !ctx->g.json && r->budget) {
    static const char *const h[] = {"line", "category", "building part", "amount", "MOLIO ref"};
    trinctl_table_t *t = trinctl_table_new(5, h);
    char b[TRIN_MONEY_BUF];
    for (size_t i = 0; i < r->budget->n_lines; i++) {
      const Trin__Budget__BudgetLine *l = r->budget->lines[i];
      trinctl_table_cell(t, "%s", l->id);
      trinctl_table_cell(t, "%s", l->category);
      trinctl_table_cell(t, "%s", l->building_part);
      trinctl_table_cell(t, "%s", kr(l->amount_ore, b));
      trinctl_table_cell(t, "%s", l->molio_reference_ore ? kr(l->molio_reference_ore, b) : "");
    }
    trinctl_table_print(ctx->out, t, 2);
    trinctl_table_destroy(&t);
    r->seq = 0;
    return budget_done(ctx, rc, r, "shown");
  }
  trin_codec_free(r);
  return rc;
}

static int run_budget_list(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__ListBudgets req = TRIN__BUDGET__LIST_BUDGETS__INIT;
  req.project_id = a->arg ? ARG(a) : "";
  req.partnership_id = S(a, "partnership");
  req.client_org = S(a, "client");
  req.status = S(a, "status");
  req.kind = S(a, "kind");
  Trin__Budget__BudgetList *r = NULL;
  int rc = call(ctx, &req.base, &trin__budget__budget_list__descriptor, (ProtobufCMessage **)&r);
  if (!rc && !ctx->g.json) {
    static const char *const h[] = {"budget", "project", "kind", "date", "status", "total"};
    trinctl_table_t *t = trinctl_table_new(6, h);
    char b[TRIN_MONEY_BUF];
    for (size_t i = 0; i < r->n_budgets; i++) {
      trinctl_table_cell(t, "%s", r->budgets[i]->id);
      trinctl_table_cell(t, "%s", r->budgets[i]->project_id);
      trinctl_table_cell(t, "%s", r->budgets[i]->kind);
      trinctl_table_cell(t, "%s", r->budgets[i]->date);
      trinctl_table_cell(t, "%s", r->budgets[i]->status);
      trinctl_table_cell(t, "%s", kr(r->budgets[i]->total_ore, b));
    }
    trinctl_table_print(ctx->out, t, 0);
    trinctl_table_destroy(&t);
  }
  trin_codec_free(r);
  return rc;
}

/* --------------------------------------------------------- project economy */

static void print_economy(FILE *f, const Trin__Budget__ProjectEconomyReply *r) {
  char b1[TRIN_MONEY_BUF], b2[TRIN_MONEY_BUF], b3[TRIN_MONEY_BUF];
  if (r->figures) fprintf(f, "%s:\n", r->figures->project_id);
  print_figures(f, r->figures);
  if (r->forecast)
    fprintf(f, "  forecast at completion %s = costs to date %s + cost to complete %s\n",
            kr(r->forecast->at_completion_ore, b1), kr(r->forecast->costs_to_date_ore, b2),
            kr(r->forecast->cost_to_complete_ore, b3));
  for (size_t i = 0; i < r->n_options; i++)
    fprintf(f, "  option %s: %s, saving %s (%s)\n", r->options[i]->id,
            r->options[i]->description, kr(r->options[i]->saving_ore, b1),
            r->options[i]->status);
}

static int economy_call(trinctl_ctx_t *ctx, const ProtobufCMessage *req) {
  Trin__Budget__ProjectEconomyReply *r = NULL;
  int rc = call(ctx, req, &trin__budget__project_economy_reply__descriptor,
                (ProtobufCMessage **)&r);
  if (!rc && !ctx->g.json) print_economy(ctx->out, r);
  trin_codec_free(r);
  return rc;
}

static int run_economy(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__GetProjectEconomy req = TRIN__BUDGET__GET_PROJECT_ECONOMY__INIT;
  req.project_id = ARG(a);
  return economy_call(ctx, &req.base);
}

static int run_scope(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__ScopeChange c = TRIN__BUDGET__SCOPE_CHANGE__INIT;
  c.id = S(a, "id");
  c.project_id = ARG(a);
  c.description = S(a, "description");
  c.amount_ore = trinctl_args_num(a, "amount");
  c.decided_on = S(a, "date");
  Trin__Budget__RecordScopeChange req = TRIN__BUDGET__RECORD_SCOPE_CHANGE__INIT;
  req.change = &c;
  return economy_call(ctx, &req.base);
}

static int run_option_propose(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__OptimisationOption o = TRIN__BUDGET__OPTIMISATION_OPTION__INIT;
  o.id = S(a, "id");
  o.project_id = ARG(a);
  o.description = S(a, "description");
  o.saving_ore = trinctl_args_num(a, "saving");
  o.proposed_on = S(a, "date");
  Trin__Budget__ProposeOption req = TRIN__BUDGET__PROPOSE_OPTION__INIT;
  req.option = &o;
  return economy_call(ctx, &req.base);
}

static int run_option_decide(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__DecideOption req = TRIN__BUDGET__DECIDE_OPTION__INIT;
  req.option_id = ARG(a);
  req.status = S(a, "decision");
  req.decided_by = S(a, "by");
  req.date = S(a, "date");
  return economy_call(ctx, &req.base);
}

static int run_cost(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__ActualCost c = TRIN__BUDGET__ACTUAL_COST__INIT;
  c.id = S(a, "id");
  c.project_id = ARG(a);
  c.category = S(a, "category");
  c.date = S(a, "date");
  c.amount_ore = trinctl_args_num(a, "amount");
  c.description = S(a, "description");
  Trin__Budget__RecordActualCost req = TRIN__BUDGET__RECORD_ACTUAL_COST__INIT;
  req.cost = &c;
  return economy_call(ctx, &req.base);
}

static int run_rent(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__RentParameters p = TRIN__BUDGET__RENT_PARAMETERS__INIT;
  p.project_id = ARG(a);
  p.loan_share_bp = (int32_t)trinctl_args_num(a, "loan-share-bp");
  p.interest_bp = (int32_t)trinctl_args_num(a, "interest-bp");
  p.term_years = (int32_t)trinctl_args_num(a, "term-years");
  p.rentable_area_m2 = (int32_t)trinctl_args_num(a, "area");
  p.current_rent_ore_per_m2 = trinctl_args_num(a, "rent");
  p.max_rent_ore_per_m2 = trinctl_args_num(a, "max-rent");
  Trin__Budget__SetRentParameters req = TRIN__BUDGET__SET_RENT_PARAMETERS__INIT;
  req.parameters = &p;
  return economy_call(ctx, &req.base);
}

static int run_drift(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__GetDrift req = TRIN__BUDGET__GET_DRIFT__INIT;
  req.project_id = ARG(a);
  Trin__Budget__Drift *d = NULL;
  int rc = call(ctx, &req.base, &trin__budget__drift__descriptor, (ProtobufCMessage **)&d);
  if (!rc && !ctx->g.json) {
    char b[TRIN_MONEY_BUF], p[24], ia[TRINCTL_NUM_BUF], ib[TRINCTL_NUM_BUF];
    FILE *f = ctx->out;
    fprintf(f, "drift %s -> %s (%s points %s = %s, %s = %s):\n", d->skema_a_id, d->skema_b_id,
            d->index_series, d->index_a ? d->index_a->date : "",
            trinctl_num(d->index_a ? d->index_a->value_x100 : 0, 2, ia),
            d->index_b ? d->index_b->date : "",
            trinctl_num(d->index_b ? d->index_b->value_x100 : 0, 2, ib));
    fprintf(f, "  total        %s (%s)\n", kr(d->total_ore, b), pct(d->total_bp, p, sizeof p));
    fprintf(f, "  market       %s (%s)\n", kr(d->market_ore, b), pct(d->market_bp, p, sizeof p));
    fprintf(f, "  scope        %s (%s)\n", kr(d->scope_ore, b), pct(d->scope_bp, p, sizeof p));
    fprintf(f, "  unexplained  %s (%s)\n", kr(d->unexplained_ore, b),
            pct(d->unexplained_bp, p, sizeof p));
  }
  trin_codec_free(d);
  return rc;
}

static int run_molio(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__VerifyMolio req = TRIN__BUDGET__VERIFY_MOLIO__INIT;
  req.budget_id = ARG(a);
  Trin__Budget__MolioReport *m = NULL;
  int rc = call(ctx, &req.base, &trin__budget__molio_report__descriptor, (ProtobufCMessage **)&m);
  if (!rc && !ctx->g.json) {
    static const char *const h[] = {"line", "building part", "amount", "limit", "result"};
    trinctl_table_t *t = trinctl_table_new(5, h);
    char b[TRIN_MONEY_BUF];
    for (size_t i = 0; i < m->n_lines; i++) {
      trinctl_table_cell(t, "%s", m->lines[i]->line_id);
      trinctl_table_cell(t, "%s", m->lines[i]->building_part);
      trinctl_table_cell(t, "%s", kr(m->lines[i]->amount_ore, b));
      trinctl_table_cell(t, "%s", kr(m->lines[i]->limit_ore, b));
      if (m->lines[i]->passes) trinctl_table_cell(t, "passes");
      else trinctl_table_cell(t, "fails by %s", kr(m->lines[i]->excess_ore, b));
    }
    trinctl_table_print(ctx->out, t, 0);
    trinctl_table_destroy(&t);
    fprintf(ctx->out, "%d of %d lines fail, by %s in all\n", m->lines_failing, m->lines_checked,
            kr(m->excess_ore, b));
  }
  trin_codec_free(m);
  return rc;
}

static int run_turnover(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__GetTurnoverSplit req = TRIN__BUDGET__GET_TURNOVER_SPLIT__INIT;
  req.partnership_id = ARG(a);
  Trin__Budget__TurnoverSplit *t = NULL;
  int rc = call(ctx, &req.base, &trin__budget__turnover_split__descriptor,
                (ProtobufCMessage **)&t);
  if (!rc && !ctx->g.json) {
    static const char *const h[] = {"year", "party", "term", "turnover"};
    trinctl_table_t *tb = trinctl_table_new(4, h);
    char b[TRIN_MONEY_BUF], p[24];
    for (size_t i = 0; i < t->n_rows; i++) {
      trinctl_table_cell(tb, "%d", t->rows[i]->year);
      trinctl_table_cell(tb, "%s", t->rows[i]->party);
      trinctl_table_cell(tb, "%s", t->rows[i]->within_framework ? "within" : "after");
      trinctl_table_cell(tb, "%s", kr(t->rows[i]->amount_ore, b));
    }
    trinctl_table_print(ctx->out, tb, 0);
    trinctl_table_destroy(&tb);
    fprintf(ctx->out, "within the framework (until %s): %s of the turnover\n", t->framework_end,
            pct(t->within_bp, p, sizeof p));
  }
  trin_codec_free(t);
  return rc;
}

/* ------------------------------------------------------------------- index */

static int print_series(trinctl_ctx_t *ctx, int rc, Trin__Budget__IndexSeries *r) {
  if (!rc && !ctx->g.json) {
    char ev[32];
    fprintf(ctx->out, "%s: %zu points%s\n", r->series, r->n_points,
            event_note(r->seq, ev, sizeof ev));
    char v[TRINCTL_NUM_BUF];
    for (size_t i = 0; i < r->n_points; i++)
      fprintf(ctx->out, "  %s  %s\n", r->points[i]->date,
              trinctl_num(r->points[i]->value_x100, 2, v));
  }
  trin_codec_free(r);
  return rc;
}

static int run_index_import(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  char *buf;
  size_t n;
  if (trinctl_file_read(ARG(a), 16u << 20, "csv", &buf, &n, &ctx->err)) return TRINCTL_EXIT_IO;
  Trin__Budget__ImportIndexCsv req = TRIN__BUDGET__IMPORT_INDEX_CSV__INIT;
  req.series = S(a, "series");
  req.csv.data = (uint8_t *)buf;
  req.csv.len = n;
  Trin__Budget__IndexSeries *s = NULL;
  int rc = call(ctx, &req.base, &trin__budget__index_series__descriptor, (ProtobufCMessage **)&s);
  free(buf);
  return print_series(ctx, rc, s);
}

static int run_index_add(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__IndexPoint p = TRIN__BUDGET__INDEX_POINT__INIT, *pp = &p;
  p.date = S(a, "date");
  /* read as people write index points (118,20 / 118.20 / 118), by the reader the CSV
   * import uses, so both accept the same texts */
  if (trin_number_parse(S(a, "value"), 2, &p.value_x100, "points[0].value_x100", &ctx->err))
    return TRINCTL_EXIT_USAGE;
  if (p.value_x100 <= 0) {
    trin_err_set(&ctx->err, TRIN_EINVALID, "points[0].value_x100",
                 "--value must be above 0, got '%s'", S(a, "value"));
    return TRINCTL_EXIT_USAGE;
  }
  Trin__Budget__AddIndexPoints req = TRIN__BUDGET__ADD_INDEX_POINTS__INIT;
  req.series = ARG(a);
  req.points = &pp;
  req.n_points = 1;
  Trin__Budget__IndexSeries *s = NULL;
  int rc = call(ctx, &req.base, &trin__budget__index_series__descriptor, (ProtobufCMessage **)&s);
  return print_series(ctx, rc, s);
}

static int run_index_show(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__GetIndexSeries req = TRIN__BUDGET__GET_INDEX_SERIES__INIT;
  req.series = ARG(a);
  Trin__Budget__IndexSeries *s = NULL;
  int rc = call(ctx, &req.base, &trin__budget__index_series__descriptor, (ProtobufCMessage **)&s);
  return print_series(ctx, rc, s);
}

static int run_index_list(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Budget__ListIndexSeries req = TRIN__BUDGET__LIST_INDEX_SERIES__INIT;
  Trin__Budget__IndexSeriesList *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__budget__index_series_list__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    trinctl_json_t j = {ctx->out, trinctl_budget_resolve};
    trinctl_json_repeated(&j, &r->base, "series");
    fputc('\n', ctx->out);
  } else {
    static const char *const h[] = {"series", "points", "first", "last", "last value"};
    trinctl_table_t *t = trinctl_table_new(5, h);
    char v[TRINCTL_NUM_BUF];
    for (size_t i = 0; i < r->n_series; i++) {
      const Trin__Budget__IndexSeriesSummary *x = r->series[i];
      trinctl_table_cell(t, "%s", x->series);
      trinctl_table_cell(t, "%s", trinctl_num(x->points, 0, v));
      trinctl_table_cell(t, "%s", x->first_date);
      trinctl_table_cell(t, "%s", x->last_date);
      trinctl_table_cell(t, "%s", trinctl_num(x->last_value_x100, 2, v));
    }
    trinctl_table_print(ctx->out, t, 0);
    trinctl_table_destroy(&t);
  }
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ------------------------------------------------------------------- tables */

static const trinctl_opt_t no_opts[] = {OPT_END};
static const trinctl_opt_t model_opts[] = {
    OPT_TEXT("rates", false, "model.rates", "ROLE=KR;...", "fixed hourly rates, e.g. projektleder=950;kalkulator=725,50"),
    OPT_INT("management-fee-bp", true, "model.management_fee_bp", 0, 10000, "styringsgage, basis points of craft costs (850 = 8.50 %)"),
    OPT_INT("risk-bp", true, "model.risk_bp", 0, 10000, "risikopulje, basis points of craft costs"),
    OPT_INT("advisor-fee-bp", true, "model.advisor_fee_bp", 0, 10000, "rådgiverhonorar, basis points of craft costs"),
    OPT_INT("margin-bp", true, "model.margin_bp", 0, 10000, "dækningsgrad, basis points of craft + management fee + risk pool"),
    OPT_INT("molio-deduction-bp", true, "model.molio_deduction_bp", 0, 10000, "the tendered deduction on MOLIO reference prices"),
    OPT_TEXT("index-series", false, "model.index_series", "SERIES", "construction-cost index for drift (default BYG43)"),
    OPT_END};
static const trinctl_opt_t price_opts[] = {
    OPT_MONEY("craft", true, "craft_ore", "craft costs (håndværkerudgifter)"),
    OPT_TEXT("hours", false, "hours", "ROLE=H;...",
             "early-phase hours per role (early advice), e.g. projektleder=10,5;kalkulator=3,25; "
             "each role needs a rate in the partnership's model"),
    OPT_END};
static const char *const statuses[] = {"draft", "submitted", "approved", NULL};
static const trinctl_opt_t budget_list_opts[] = {
    OPT_TEXT("partnership", false, "partnership_id", "ID", "only this partnership's budgets"),
    OPT_TEXT("client", false, "client_org", "ORG", "only budgets of this client's projects"),
    OPT_CHOICE("status", false, "status", "STATUS", statuses,
               "only draft, submitted or approved budgets"),
    OPT_CHOICE("kind", false, "kind", "KIND", kinds, "only skema_a, skema_b, skema_c or forecast"),
    OPT_END};
static const trinctl_opt_t budget_create_opts[] = {
    OPT_TEXT("project", true, "budget.project_id", "ID", "the project"),
    OPT_CHOICE("kind", true, "budget.kind", "KIND", kinds, "skema_a, skema_b, skema_c or forecast"),
    OPT_DATE("date", true, "budget.date", "the budget's price date"), OPT_END};
static const trinctl_opt_t budget_line_opts[] = {
    OPT_TEXT("line", true, "line.id", "ID", "the line's id in the budget"),
    OPT_CHOICE("category", true, "line.category", "CATEGORY", categories, "the line's category"),
    OPT_MONEY("amount", true, "line.amount_ore", "the amount"),
    OPT_TEXT("building-part", false, "line.building_part", "TEXT", "building part (craft lines)"),
    OPT_MONEY("molio-reference", false, "line.molio_reference_ore", "MOLIO reference price (craft lines)"),
    OPT_TEXT("description", false, "line.description", "TEXT", "what the line is"), OPT_END};
static const trinctl_opt_t date_opts[] = {OPT_DATE("date", true, "date", "the day"), OPT_END};
static const trinctl_opt_t remove_line_opts[] = {
    OPT_TEXT("line", true, "line_id", "ID", "the line's id in the budget"), OPT_END};
static const trinctl_opt_t reason_opts[] = {
    OPT_TEXT("reason", true, "reason", "TEXT",
             "why the budget goes back to draft (kept in the event with who asked)"),
    OPT_END};
static const trinctl_opt_t scope_opts[] = {
    OPT_TEXT("id", true, "change.id", "ID", "the change's id"),
    OPT_TEXT("description", true, "change.description", "TEXT", "what was decided"),
    OPT_MONEY("amount", true, "change.amount_ore", "effect on the price (negative removes work)"),
    OPT_DATE("date", true, "change.decided_on", "when it was decided"), OPT_END};
static const trinctl_opt_t option_opts[] = {
    OPT_TEXT("id", true, "option.id", "ID", "the option's id"),
    OPT_TEXT("description", true, "option.description", "TEXT", "the option"),
    OPT_MONEY("saving", true, "option.saving_ore", "what it saves"),
    OPT_DATE("date", true, "option.proposed_on", "when it was proposed"), OPT_END};
static const trinctl_opt_t decide_opts[] = {
    OPT_CHOICE("decision", true, "status", "DECISION", decisions, "accepted or rejected"),
    OPT_TEXT("by", true, "decided_by", "ID", "who decided"),
    OPT_DATE("date", true, "date", "when"), OPT_END};
static const trinctl_opt_t cost_opts[] = {
    OPT_TEXT("id", true, "cost.id", "ID", "the cost's id"),
    OPT_CHOICE("category", true, "cost.category", "CATEGORY", categories, "its category"),
    OPT_MONEY("amount", true, "cost.amount_ore", "the amount"),
    OPT_DATE("date", true, "cost.date", "when it was incurred"),
    OPT_TEXT("description", false, "cost.description", "TEXT", "what it was"), OPT_END};
static const trinctl_opt_t rent_opts[] = {
    OPT_INT("loan-share-bp", true, "parameters.loan_share_bp", 0, 10000, "share financed by a loan"),
    OPT_INT("interest-bp", true, "parameters.interest_bp", 0, 3000, "yearly interest"),
    OPT_INT("term-years", true, "parameters.term_years", 1, 60, "loan term"),
    OPT_INT("area", true, "parameters.rentable_area_m2", 1, 100000000, "rentable area, m²"),
    OPT_MONEY("rent", true, "parameters.current_rent_ore_per_m2", "current yearly rent per m²"),
    OPT_MONEY("max-rent", true, "parameters.max_rent_ore_per_m2", "agreed maximum yearly rent per m²"),
    OPT_END};
static const trinctl_opt_t index_import_opts[] = {
    OPT_TEXT("series", true, "series", "SERIES", "the series, e.g. BYG43"), OPT_END};
static const trinctl_opt_t index_add_opts[] = {
    OPT_DATE("date", true, "points[0].date", "the point's date"),
    OPT_TEXT("value", true, "points[0].value_x100", "POINTS", "the index value as written, e.g. 118,20 or 118.20"),
    OPT_END};

const trinctl_cmd_t trinctl_budget_cmds[] = {
    {"budget", "model", "Set a partnership's tendered economic model.", "PARTNERSHIP",
     "model.partnership_id", "the partnership's id", model_opts, run_model_set},
    {"budget", "price", "The open-book price of craft costs under a partnership's model.",
     "PARTNERSHIP", "partnership_id", "the partnership's id", price_opts, run_price},
    {"budget", "create", "Create a budget version (Skema A/B/C or forecast) as a draft.", "ID",
     "budget.id", "the budget's id", budget_create_opts, run_budget_create},
    {"budget", "line", "Add or replace a line of a draft budget.", "BUDGET", "budget_id",
     "the budget's id", budget_line_opts, run_budget_line},
    {"budget", "remove-line", "Remove a line from a draft budget.", "BUDGET", "budget_id",
     "the budget's id", remove_line_opts, run_budget_remove_line},
    {"budget", "submit", "Submit a draft budget.", "BUDGET", "budget_id", "the budget's id",
     date_opts, run_budget_submit},
    {"budget", "approve",
     "Approve a submitted budget; an approved Skema B closes the price (lifecycle lets the "
     "project into trin 3).",
     "BUDGET", "budget_id", "the budget's id", date_opts, run_budget_approve},
    {"budget", "withdraw",
     "Withdraw a submitted budget to draft so its lines can change (the calculator that "
     "submits budgets).",
     "BUDGET", "budget_id", "the budget's id", reason_opts, run_budget_withdraw},
    {"budget", "reopen",
     "Reopen an approved budget as a draft (the client); refused once the price is closed: "
     "never the approved Skema B, no Skema A after it.",
     "BUDGET", "budget_id", "the budget's id", reason_opts, run_budget_reopen},
    {"budget", "show", "Show a budget and its lines.", "BUDGET", "budget_id", "the budget's id",
     no_opts, run_budget_show},
    {"budget", "list",
     "List a project's budgets or, without PROJECT, those of every project you may read; "
     "the filters combine.",
     "[PROJECT]", "project_id", "the project's id", budget_list_opts, run_budget_list},
    {"budget", "economy",
     "A project's economy: Skema A/B, forecast, drift, MOLIO, rent, options.", "PROJECT",
     "project_id", "the project's id", no_opts, run_economy},
    {"budget", "drift", "The drift from Skema A to Skema B: market, scope, unexplained.",
     "PROJECT", "project_id", "the project's id", no_opts, run_drift},
    {"budget", "molio", "MOLIO verification of a budget's craft lines.", "BUDGET", "budget_id",
     "the budget's id", no_opts, run_molio},
    {"budget", "scope", "Record a decided scope change.", "PROJECT", "change.project_id",
     "the project's id", scope_opts, run_scope},
    {"budget", "option", "Propose an optimisation option (optimeringslog).", "PROJECT",
     "option.project_id", "the project's id", option_opts, run_option_propose},
    {"budget", "decide", "Accept or reject an optimisation option.", "OPTION", "option_id",
     "the option's id", decide_opts, run_option_decide},
    {"budget", "cost", "Record an actual cost.", "PROJECT", "cost.project_id",
     "the project's id", cost_opts, run_cost},
    {"budget", "rent", "Set the rent-consequence parameters of a project.", "PROJECT",
     "parameters.project_id", "the project's id", rent_opts, run_rent},
    {"budget", "turnover", "A partnership's turnover by year and party, within and after the "
     "framework term.", "PARTNERSHIP", "partnership_id", "the partnership's id", no_opts,
     run_turnover},
    {"index", "import", "Load index points from a CSV file (columns date;value).", "FILE", "csv",
     "the CSV file", index_import_opts, run_index_import},
    {"index", "add", "Add or replace one index point.", "SERIES", "series", "the series",
     index_add_opts, run_index_add},
    {"index", "show", "Show an index series.", "SERIES", "series", "the series", no_opts,
     run_index_show},
    {"index", "list", "List the index series: points, first and last date, last value.", NULL,
     NULL, NULL, no_opts, run_index_list},
    {NULL},
};
