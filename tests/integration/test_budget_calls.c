/* test_budget_calls — see test_budget_calls.h. */
#include "test_budget_calls.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "testcall.h"
#include "trin/envelope.pb-c.h"
#include "trin_codec.h"

static int call(trin_client_t *c, const ProtobufCMessage *req,
                const ProtobufCMessageDescriptor *d, trin_err_t *err) {
  return testcall(c, req, d, NULL, err);
}

uint64_t bg_last_seq(trin_client_t *c) {
  Trin__Ping ping = TRIN__PING__INIT;
  Trin__Pong *pong = NULL;
  trin_err_t err;
  if (trin_client_call(c, &ping.base, &trin__pong__descriptor, (ProtobufCMessage **)&pong, &err))
    abort();
  uint64_t s = pong->last_seq;
  trin_codec_free(pong);
  return s;
}

bool bg_wait_project(trin_client_t *c, const char *project_id, int timeout_ms) {
  for (int waited = 0; waited < timeout_ms; waited += 20) {
    Trin__Budget__ListBudgets q = TRIN__BUDGET__LIST_BUDGETS__INIT;
    q.project_id = (char *)project_id;
    trin_err_t err;
    if (call(c, &q.base, &trin__budget__budget_list__descriptor, &err) == TRIN_OK) return true;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return false;
}

int bg_model(trin_client_t *c, const char *partnership, int32_t deduction_bp, trin_err_t *err) {
  return bg_model_series(c, partnership, deduction_bp, NULL, err);
}

int bg_model_series(trin_client_t *c, const char *partnership, int32_t deduction_bp,
                    const char *series, trin_err_t *err) {
  Trin__Budget__HourlyRate r1 = TRIN__BUDGET__HOURLY_RATE__INIT, r2 = r1;
  r1.role = "projektleder";
  r1.rate_ore = 95000;
  r2.role = "kalkulator";
  r2.rate_ore = 72550;
  Trin__Budget__HourlyRate *rates[2] = {&r1, &r2};
  Trin__Budget__EconomicModel m = TRIN__BUDGET__ECONOMIC_MODEL__INIT;
  m.partnership_id = (char *)partnership;
  m.rates = rates;
  m.n_rates = 2;
  m.management_fee_bp = 850;
  m.risk_bp = 300;
  m.advisor_fee_bp = 1000;
  m.margin_bp = 500;
  m.molio_deduction_bp = deduction_bp;
  m.index_series = (char *)(series ? series : "");
  Trin__Budget__SetEconomicModel q = TRIN__BUDGET__SET_ECONOMIC_MODEL__INIT;
  q.model = &m;
  return call(c, &q.base, &trin__budget__economic_model_reply__descriptor, err);
}

static void fill_line(Trin__Budget__BudgetLine *l, const bg_line_spec_t *s) {
  trin__budget__budget_line__init(l);
  l->id = (char *)s->id;
  l->category = (char *)s->category;
  l->building_part = (char *)(s->building_part ? s->building_part : "");
  l->amount_ore = s->amount_ore;
  l->molio_reference_ore = s->molio_reference_ore;
}

int bg_budget(trin_client_t *c, const char *id, const char *project, const char *kind,
              const char *date, const bg_line_spec_t *lines, int n, trin_err_t *err) {
  Trin__Budget__BudgetLine *ls = calloc((size_t)n + 1, sizeof *ls);
  Trin__Budget__BudgetLine **ps = calloc((size_t)n + 1, sizeof *ps);
  for (int i = 0; i < n; i++) {
    fill_line(&ls[i], &lines[i]);
    ps[i] = &ls[i];
  }
  Trin__Budget__Budget b = TRIN__BUDGET__BUDGET__INIT;
  b.id = (char *)id;
  b.project_id = (char *)project;
  b.kind = (char *)kind;
  b.date = (char *)date;
  b.lines = ps;
  b.n_lines = (size_t)n;
  Trin__Budget__CreateBudget q = TRIN__BUDGET__CREATE_BUDGET__INIT;
  q.budget = &b;
  int rc = call(c, &q.base, &trin__budget__budget_reply__descriptor, err);
  free(ls);
  free(ps);
  return rc;
}

int bg_line(trin_client_t *c, const char *budget, const bg_line_spec_t *s, trin_err_t *err) {
  Trin__Budget__BudgetLine l;
  fill_line(&l, s);
  Trin__Budget__SetBudgetLine q = TRIN__BUDGET__SET_BUDGET_LINE__INIT;
  q.budget_id = (char *)budget;
  q.line = &l;
  return call(c, &q.base, &trin__budget__budget_reply__descriptor, err);
}

int bg_submit(trin_client_t *c, const char *budget, const char *date, trin_err_t *err) {
  Trin__Budget__SubmitBudget q = TRIN__BUDGET__SUBMIT_BUDGET__INIT;
  q.budget_id = (char *)budget;
  q.date = (char *)date;
  return call(c, &q.base, &trin__budget__budget_reply__descriptor, err);
}

int bg_approve(trin_client_t *c, const char *budget, const char *date, trin_err_t *err) {
  Trin__Budget__ApproveBudget q = TRIN__BUDGET__APPROVE_BUDGET__INIT;
  q.budget_id = (char *)budget;
  q.date = (char *)date;
  return call(c, &q.base, &trin__budget__budget_reply__descriptor, err);
}

int bg_withdraw(trin_client_t *c, const char *budget, const char *reason, trin_err_t *err) {
  Trin__Budget__WithdrawBudget q = TRIN__BUDGET__WITHDRAW_BUDGET__INIT;
  q.budget_id = (char *)budget;
  q.reason = (char *)reason;
  return call(c, &q.base, &trin__budget__budget_reply__descriptor, err);
}

int bg_reopen(trin_client_t *c, const char *budget, const char *reason, trin_err_t *err) {
  Trin__Budget__ReopenBudget q = TRIN__BUDGET__REOPEN_BUDGET__INIT;
  q.budget_id = (char *)budget;
  q.reason = (char *)reason;
  return call(c, &q.base, &trin__budget__budget_reply__descriptor, err);
}

int bg_last_event(trin_client_t *c, Trin__Event **ev, Trin__Budget__BudgetEvent **be,
                  trin_err_t *err) {
  *ev = NULL;
  *be = NULL;
  uint64_t last = bg_last_seq(c);
  if (last == 0) return trin_err_set(err, TRIN_ENOTFOUND, "seq", "no events yet");
  Trin__EventsSince q = TRIN__EVENTS_SINCE__INIT;
  q.after_seq = last - 1;
  q.limit = 1;
  Trin__EventBatch *b = NULL;
  int rc = testcall(c, &q.base, &trin__event_batch__descriptor, (ProtobufCMessage **)&b, err);
  if (rc) return rc;
  if (b->n_events != 1) {
    trin_codec_free(b);
    return trin_err_set(err, TRIN_ENOTFOUND, "seq", "event %llu is not there",
                        (unsigned long long)last);
  }
  *ev = b->events[0];
  b->events[0] = NULL;
  b->n_events = 0;
  trin_codec_free(b);
  if (strcmp((*ev)->payload_type, trin__budget__budget_event__descriptor.name) == 0)
    rc = trin_codec_unpack(&trin__budget__budget_event__descriptor, (*ev)->payload.data,
                           (*ev)->payload.len, "payload", (ProtobufCMessage **)be, err);
  return rc;
}

int bg_index_csv(trin_client_t *c, const char *series, const char *csv, trin_err_t *err) {
  Trin__Budget__ImportIndexCsv q = TRIN__BUDGET__IMPORT_INDEX_CSV__INIT;
  q.series = (char *)series;
  q.csv.data = (uint8_t *)csv;
  q.csv.len = strlen(csv);
  return call(c, &q.base, &trin__budget__index_series__descriptor, err);
}

int bg_index_csv_bytes(trin_client_t *c, const char *series, const void *csv, size_t len,
                       trin_err_t *err) {
  Trin__Budget__ImportIndexCsv q = TRIN__BUDGET__IMPORT_INDEX_CSV__INIT;
  q.series = (char *)series;
  q.csv.data = (uint8_t *)csv;
  q.csv.len = len;
  return call(c, &q.base, &trin__budget__index_series__descriptor, err);
}

int bg_index_point(trin_client_t *c, const char *series, const char *date, int64_t value_x100,
                   uint64_t *seq, trin_err_t *err) {
  Trin__Budget__IndexPoint p = TRIN__BUDGET__INDEX_POINT__INIT;
  p.date = (char *)date;
  p.value_x100 = value_x100;
  Trin__Budget__IndexPoint *pts[1] = {&p};
  Trin__Budget__AddIndexPoints q = TRIN__BUDGET__ADD_INDEX_POINTS__INIT;
  q.series = (char *)series;
  q.points = pts;
  q.n_points = 1;
  Trin__Budget__IndexSeries *r = NULL;
  int rc = trin_client_call(c, &q.base, &trin__budget__index_series__descriptor,
                            (ProtobufCMessage **)&r, err);
  if (seq) *seq = rc ? 0 : r->seq;
  trin_codec_free(r);
  return rc;
}

int bg_scope(trin_client_t *c, const char *id, const char *project, int64_t amount_ore,
             const char *date, trin_err_t *err) {
  Trin__Budget__ScopeChange s = TRIN__BUDGET__SCOPE_CHANGE__INIT;
  s.id = (char *)id;
  s.project_id = (char *)project;
  s.description = "Ekstra altaner efter beboermøde";
  s.amount_ore = amount_ore;
  s.decided_on = (char *)date;
  Trin__Budget__RecordScopeChange q = TRIN__BUDGET__RECORD_SCOPE_CHANGE__INIT;
  q.change = &s;
  return call(c, &q.base, &trin__budget__project_economy_reply__descriptor, err);
}

int bg_option(trin_client_t *c, const char *id, const char *project, int64_t saving_ore,
              const char *date, trin_err_t *err) {
  Trin__Budget__OptimisationOption o = TRIN__BUDGET__OPTIMISATION_OPTION__INIT;
  o.id = (char *)id;
  o.project_id = (char *)project;
  o.description = "Genbrug af eksisterende vinduesrammer";
  o.saving_ore = saving_ore;
  o.proposed_on = (char *)date;
  Trin__Budget__ProposeOption q = TRIN__BUDGET__PROPOSE_OPTION__INIT;
  q.option = &o;
  return call(c, &q.base, &trin__budget__project_economy_reply__descriptor, err);
}

int bg_decide(trin_client_t *c, const char *id, const char *status, const char *date,
              trin_err_t *err) {
  Trin__Budget__DecideOption q = TRIN__BUDGET__DECIDE_OPTION__INIT;
  q.option_id = (char *)id;
  q.status = (char *)status;
  q.decided_by = "LIVA";
  q.date = (char *)date;
  return call(c, &q.base, &trin__budget__project_economy_reply__descriptor, err);
}

int bg_cost(trin_client_t *c, const char *id, const char *project, const char *category,
            const char *date, int64_t amount_ore, trin_err_t *err) {
  Trin__Budget__ActualCost a = TRIN__BUDGET__ACTUAL_COST__INIT;
  a.id = (char *)id;
  a.project_id = (char *)project;
  a.category = (char *)category;
  a.date = (char *)date;
  a.amount_ore = amount_ore;
  Trin__Budget__RecordActualCost q = TRIN__BUDGET__RECORD_ACTUAL_COST__INIT;
  q.cost = &a;
  return call(c, &q.base, &trin__budget__project_economy_reply__descriptor, err);
}

int bg_get_budget(trin_client_t *c, const char *id, Trin__Budget__BudgetReply **out,
                  trin_err_t *err) {
  Trin__Budget__GetBudget q = TRIN__BUDGET__GET_BUDGET__INIT;
  q.budget_id = (char *)id;
  return trin_client_call(c, &q.base, &trin__budget__budget_reply__descriptor,
                          (ProtobufCMessage **)out, err);
}

int bg_economy(trin_client_t *c, const char *project, Trin__Budget__ProjectEconomyReply **out,
               trin_err_t *err) {
  Trin__Budget__GetProjectEconomy q = TRIN__BUDGET__GET_PROJECT_ECONOMY__INIT;
  q.project_id = (char *)project;
  return trin_client_call(c, &q.base, &trin__budget__project_economy_reply__descriptor,
                          (ProtobufCMessage **)out, err);
}

int bg_drift(trin_client_t *c, const char *project, Trin__Budget__Drift **out,
             trin_err_t *err) {
  Trin__Budget__GetDrift q = TRIN__BUDGET__GET_DRIFT__INIT;
  q.project_id = (char *)project;
  return trin_client_call(c, &q.base, &trin__budget__drift__descriptor,
                          (ProtobufCMessage **)out, err);
}
