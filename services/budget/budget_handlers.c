/* budget_handlers — see budget_handlers.h. Validation order in every
 * handler: required fields and formats first (INVALID naming the field),
 * then references (NOT_FOUND), then the domain rules (CONFLICT), so the
 * first thing a user has to fix is the first thing they are told. */
#include "budget_handlers.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "budget_access.h"
#include "budget_economy.h"
#include "budget_rules.h"
#include "trin/budget.pb-c.h"
#include "trin_arena.h"
#include "trin_id.h"
#include "trin_log.h"

#define TEXT_MAX_BYTES 2000
#define MAX_LINES 100000
#define MAX_POINTS 10000

typedef Trin__Budget__BudgetEvent budget_event_msg_t;

#define TRY(expr)                  \
  do {                             \
    if ((rc = (expr))) goto out;   \
  } while (0)

static int require_message(const void *m, const char *field, trin_err_t *err) {
  return m ? TRIN_OK : trin_err_set(err, TRIN_EINVALID, field, "is required");
}

static int oom(trin_err_t *err) { return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory"); }

/* ---- who may: the caller against the project's or partnership's client and
 * members (rules in budget_access.c). An unrestricted caller skips the
 * look-up, so what it is told about a missing id stays as it was. */

/* The resource the request names (what, id: a budget, an option, the
 * project itself) belongs to project_id; an outsider is told that resource
 * does not exist, never which project it is in. */
static int authorise_in_project(trin_request_t *req, const char *project_id, const char *what,
                                const char *id, const char *field, trin_err_t *err) {
  if (trin_access_unrestricted(trin_request_caller(req))) return TRIN_OK;
  budget_project_t p;
  int rc = budget_store_project_get(trin_request_store(req), project_id, field, &p, err);
  if (!rc)
    rc = trin_access_require_on(req, &budget_access, p.client_org, p.partnership_id, what, id,
                                field, err);
  return rc;
}

static int authorise_project(trin_request_t *req, const char *project_id, const char *field,
                             trin_err_t *err) {
  return authorise_in_project(req, project_id, "project", project_id, field, err);
}

static int authorise_partnership(trin_request_t *req, const char *partnership_id,
                                 const char *field, trin_err_t *err) {
  if (trin_access_unrestricted(trin_request_caller(req))) return TRIN_OK;
  budget_partnership_t p;
  int rc = budget_store_partnership_get(trin_request_store(req), partnership_id, field, &p, err);
  if (!rc)
    rc = trin_access_require_on(req, &budget_access, p.client_org, p.id, "partnership", p.id,
                                field, err);
  return rc;
}

/* ---- the project's figures, in every event ------------------------------------ */

/* Loads and computes the project's economy into h->economy / *r. */
static int economy(trin_request_t *req, budget_handlers_t *h, const char *project_id,
                   const char *field, budget_economy_result_t *r, trin_err_t *err) {
  int rc = budget_store_economy_load(trin_request_store(req), project_id, field, &h->economy,
                                     err);
  if (!rc) rc = budget_economy_compute(&h->economy, r, err);
  return rc;
}

/* Emits a project event of `type` whose payload is ev with the figures r
 * of the project in h->economy; ids project, partnership (when in one) and
 * extra (when extra.key). *figures (may be NULL) gets the figures too. */
static int emit_figures(trin_request_t *req, budget_handlers_t *h, trin_arena_t *a,
                        const char *type, const budget_economy_result_t *r, budget_event_msg_t *ev,
                        trin_event_id_t extra, Trin__Budget__ProjectFigures **figures,
                        uint64_t *seq, trin_err_t *err) {
  ev->figures = budget_figures_message(&h->economy, r, a);
  if (!ev->figures) return oom(err);
  if (figures) *figures = ev->figures;
  const budget_project_t *p = &h->economy.project;
  trin_event_id_t ids[3] = {{"project", p->id}, {"partnership", p->partnership_id}, {NULL, NULL}};
  size_t n = p->partnership_id[0] ? 2 : 1;
  if (extra.key) ids[n++] = extra;
  return trin_request_emit(req, type, p->client_org, ids, n, &ev->base, seq, err);
}

/* Emits a project event of `type` whose payload is ev with the project's
 * figures after the change; *figures (may be NULL) gets them too. */
static int emit_project(trin_request_t *req, budget_handlers_t *h, trin_arena_t *a,
                        const char *type, const char *project_id, budget_event_msg_t *ev,
                        Trin__Budget__ProjectFigures **figures, uint64_t *seq,
                        trin_err_t *err) {
  budget_economy_result_t r;
  int rc = economy(req, h, project_id, "project_id", &r, err);
  if (rc) return rc;
  trin_event_id_t extra = {NULL, NULL};
  if (ev->budget) extra = (trin_event_id_t){"budget", ev->budget->id};
  return emit_figures(req, h, a, type, &r, ev, extra, figures, seq, err);
}

/* Replies with the project's whole economy (figures, drift, MOLIO of the
 * price budget, forecast, rent, options). */
static int economy_reply(trin_request_t *req, budget_handlers_t *h, trin_arena_t *a,
                         const char *project_id, const char *field, uint64_t seq,
                         trin_err_t *err);

/* ---- economic model -------------------------------------------------------------- */

static int model_of(const budget_model_msg_t *m, budget_model_t *out, trin_err_t *err) {
  memset(out, 0, sizeof *out);
  if (m->n_rates > BUDGET_MAX_RATES)
    return trin_err_set(err, TRIN_ETOOBIG, "model.rates", "at most %d hourly rates (got %zu)",
                        BUDGET_MAX_RATES, m->n_rates);
  for (size_t i = 0; i < m->n_rates; i++) {
    char f[48];
    snprintf(f, sizeof f, "model.rates[%zu]", i);
    const Trin__Budget__HourlyRate *r = m->rates[i];
    int rc = require_message(r, f, err);
    if (!rc) {
      snprintf(f, sizeof f, "model.rates[%zu].role", i);
      rc = trin_id_check(r->role, f, err);
    }
    if (rc) return rc;
    snprintf(out->rates[i].role, sizeof out->rates[i].role, "%s", r->role);
    out->rates[i].rate_ore = r->rate_ore;
  }
  out->nrates = (int)m->n_rates;
  /* Checked as int64 so a value outside int32 cannot wrap into range. */
  out->management_fee_bp = m->management_fee_bp;
  out->risk_bp = m->risk_bp;
  out->advisor_fee_bp = m->advisor_fee_bp;
  out->margin_bp = m->margin_bp;
  out->molio_deduction_bp = m->molio_deduction_bp;
  return budget_model_check(out, err);
}

static int model_reply(trin_request_t *req, trin_arena_t *a, const char *pid,
                       const char *event_type, trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  budget_model_msg_t m;
  int rc = budget_store_model_get(s, pid, "partnership_id", a, &m, err);
  if (rc) return rc;
  uint64_t seq = 0;
  if (event_type) {
    budget_partnership_t p;
    if ((rc = budget_store_partnership_get(s, pid, "partnership_id", &p, err))) return rc;
    trin_event_id_t ids[1] = {{"partnership", pid}};
    if ((rc = trin_request_emit(req, event_type, p.client_org, ids, 1, &m.base, &seq, err)))
      return rc;
  }
  Trin__Budget__EconomicModelReply reply = TRIN__BUDGET__ECONOMIC_MODEL_REPLY__INIT;
  reply.model = &m;
  reply.seq = seq;
  return trin_request_reply(req, &reply.base, err);
}

static int set_economic_model(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                              trin_err_t *err) {
  const Trin__Budget__SetEconomicModel *q = (const void *)msg;
  budget_handlers_t *h = data;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  char **deps = NULL;
  size_t ndeps = 0;
  budget_economy_result_t *before = NULL;
  bool *had = NULL;
  int rc;
  TRY(require_message(q->model, "model", err));
  budget_model_msg_t m = *q->model;
  TRY(trin_id_check(m.partnership_id, "model.partnership_id", err));
  budget_model_t rules;
  TRY(model_of(&m, &rules, err));
  if (!m.index_series || !*m.index_series) m.index_series = BUDGET_DEFAULT_SERIES;
  TRY(trin_id_check(m.index_series, "model.index_series", err));
  budget_partnership_t p;
  TRY(budget_store_partnership_get(s, m.partnership_id, "model.partnership_id", &p, err));
  TRY(authorise_partnership(req, m.partnership_id, "model.partnership_id", err));
  /* The model moves the figures of every project of the partnership (the
   * MOLIO deduction, the index series of the drift): keep each project's
   * figures from before, to re-emit exactly those that change. */
  TRY(budget_store_partnership_budgeted(s, m.partnership_id, &a, &deps, &ndeps, err));
  if (ndeps) {
    before = calloc(ndeps, sizeof *before);
    had = calloc(ndeps, sizeof *had);
    if (!before || !had) TRY(oom(err));
  }
  for (size_t i = 0; i < ndeps; i++) {
    trin_err_t ignored = {0};
    had[i] = economy(req, h, deps[i], "project_id", &before[i], &ignored) == TRIN_OK;
  }
  TRY(budget_store_model_set(s, &m, err));
  TRY(model_reply(req, &a, m.partnership_id, "budget.model_set", err));
  for (size_t i = 0; i < ndeps; i++) {
    budget_economy_result_t after;
    trin_err_t why = {0};
    if (economy(req, h, deps[i], "project_id", &after, &why)) {
      if (why.code == TRIN_ESTORE) TRY(trin_err_set(err, why.code, why.field, "%s", why.message));
      trin_log_warn("model of %s: the figures of project '%s' cannot be computed (%s); "
                    "not re-emitted",
                    m.partnership_id, deps[i], why.message);
      continue;
    }
    if (had[i] && budget_project_figures_equal(&before[i].f, &after.f)) continue;
    budget_event_msg_t ev = TRIN__BUDGET__BUDGET_EVENT__INIT;
    uint64_t seq;
    TRY(emit_figures(req, h, &a, "budget.figures_changed", &after, &ev,
                     (trin_event_id_t){NULL, NULL}, NULL, &seq, err));
  }
out:
  free(before);
  free(had);
  trin_arena_reset(&a);
  return rc;
}

static int get_economic_model(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                              trin_err_t *err) {
  const Trin__Budget__GetEconomicModel *q = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc = trin_id_check(q->partnership_id, "partnership_id", err);
  if (!rc) rc = authorise_partnership(req, q->partnership_id, "partnership_id", err);
  if (!rc) rc = model_reply(req, &a, q->partnership_id, NULL, err);
  trin_arena_reset(&a);
  return rc;
}

static int calculate_price(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                           trin_err_t *err) {
  const Trin__Budget__CalculatePrice *q = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  budget_hours_t *hours = NULL;
  int rc;
  TRY(trin_id_check(q->partnership_id, "partnership_id", err));
  TRY(trin_money_check_nonnegative(q->craft_ore, "craft_ore", err));
  if (q->n_hours > BUDGET_MAX_RATES * 4)
    TRY(trin_err_set(err, TRIN_ETOOBIG, "hours", "too many hour lines (%zu)", q->n_hours));
  hours = calloc(q->n_hours + 1, sizeof *hours);
  if (!hours) TRY(oom(err));
  for (size_t i = 0; i < q->n_hours; i++) {
    char f[32];
    snprintf(f, sizeof f, "hours[%zu]", i);
    TRY(require_message(q->hours[i], f, err));
    hours[i].role = q->hours[i]->role;
    hours[i].hours_x100 = q->hours[i]->hours_x100;
  }
  budget_partnership_t p;
  TRY(budget_store_partnership_get(s, q->partnership_id, "partnership_id", &p, err));
  TRY(authorise_partnership(req, q->partnership_id, "partnership_id", err));
  budget_model_t m;
  char series[65];
  bool found;
  TRY(budget_store_model_load(s, q->partnership_id, &m, series, &found, err));
  if (!found)
    TRY(trin_err_set(err, TRIN_ENOTFOUND, "partnership_id",
                     "partnership '%s' has no economic model yet", q->partnership_id));
  budget_price_t price;
  TRY(budget_price_calculate(&m, q->craft_ore, hours, (int)q->n_hours, &price, err));
  Trin__Budget__PriceCalculation reply = TRIN__BUDGET__PRICE_CALCULATION__INIT;
  Trin__Budget__PriceLine lines[BUDGET_PRICE_LINES], *ptrs[BUDGET_PRICE_LINES];
  for (int i = 0; i < price.nlines; i++) {
    trin__budget__price_line__init(&lines[i]);
    lines[i].category = (char *)budget_category_name(price.lines[i].category);
    lines[i].base_ore = price.lines[i].base_ore;
    lines[i].rate_bp = price.lines[i].rate_bp;
    lines[i].amount_ore = price.lines[i].amount_ore;
    lines[i].working = price.lines[i].working;
    ptrs[i] = &lines[i];
  }
  reply.lines = ptrs;
  reply.n_lines = (size_t)price.nlines;
  reply.price_ore = price.price_ore;
  TRY(trin_request_reply(req, &reply.base, err));
out:
  free(hours);
  trin_arena_reset(&a);
  return rc;
}

/* ---- budgets ------------------------------------------------------------------------ */

/* Checks one line; prefix names it ("line", "budget.lines[3]"). */
static int check_line(const budget_line_msg_t *l, const char *prefix, budget_line_t *out,
                      trin_err_t *err) {
  char f[64];
  int rc = require_message(l, prefix, err);
  if (rc) return rc;
  snprintf(f, sizeof f, "%s.id", prefix);
  if ((rc = trin_id_check(l->id, f, err))) return rc;
  snprintf(f, sizeof f, "%s.category", prefix);
  int cat = budget_category_parse(l->category, f, err);
  if (cat < 0) return TRIN_EINVALID;
  snprintf(f, sizeof f, "%s.building_part", prefix);
  if ((rc = trin_text_check_optional(l->building_part, 200, f, err))) return rc;
  snprintf(f, sizeof f, "%s.description", prefix);
  if ((rc = trin_text_check_optional(l->description, TEXT_MAX_BYTES, f, err))) return rc;
  out->category = (uint8_t)cat;
  out->amount_ore = l->amount_ore;
  out->molio_reference_ore = l->molio_reference_ore;
  if ((rc = budget_line_check(out, err))) trin_err_prefix_field(err, prefix);
  return rc;
}

static int molio_report(trin_store_t *s, trin_arena_t *a, const char *budget_id,
                        const char *field, Trin__Budget__MolioReport **out, trin_err_t *err);

static int budget_reply(trin_request_t *req, budget_handlers_t *h, trin_arena_t *a,
                        const char *budget_id, bool with_lines, const char *event_type,
                        budget_event_msg_t *ev, trin_err_t *err) {
  budget_budget_msg_t *b = trin_arena_alloc(a, sizeof *b);
  if (!b) return oom(err);
  int rc = budget_store_budget_get(trin_request_store(req), budget_id, "budget_id", with_lines,
                                   a, b, err);
  if (rc) return rc;
  uint64_t seq = 0;
  Trin__Budget__BudgetReply reply = TRIN__BUDGET__BUDGET_REPLY__INIT;
  if (event_type) {
    /* The event carries the budget without its lines: a line event names
     * its line, and a 900-page calculation does not go on the bus. */
    budget_budget_msg_t head = *b;
    head.lines = NULL;
    head.n_lines = 0;
    ev->budget = &head;
    rc = emit_project(req, h, a, event_type, b->project_id, ev, &reply.figures, &seq, err);
    ev->budget = NULL;
    if (rc) return rc;
  } else {
    if ((rc = authorise_in_project(req, b->project_id, "budget", b->id, "budget_id", err)))
      return rc;
    budget_economy_result_t r;
    if ((rc = economy(req, h, b->project_id, "budget.project_id", &r, err))) return rc;
    if (!(reply.figures = budget_figures_message(&h->economy, &r, a))) return oom(err);
  }
  /* The project's figures say the MOLIO of its price budget (B, else an
   * approved A): about a draft Skema A that is no budget at all, and its
   * failing lines would read "compliant". A reply about one budget says that
   * budget's own MOLIO (the same for the price budget); a copy, for the
   * event keeps the project's. */
  Trin__Budget__MolioReport *own;
  if ((rc = molio_report(trin_request_store(req), a, b->id, "budget_id", &own, err))) return rc;
  Trin__Budget__ProjectFigures *f = trin_arena_alloc(a, sizeof *f);
  if (!f) return oom(err);
  *f = *reply.figures;
  f->molio_compliant = own->compliant;
  f->molio_failing_lines = own->lines_failing;
  reply.figures = f;
  reply.budget = b;
  reply.seq = seq;
  return trin_request_reply(req, &reply.base, err);
}

static int create_budget(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Budget__CreateBudget *q = (const void *)msg;
  budget_handlers_t *h = data;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(require_message(q->budget, "budget", err));
  const budget_budget_msg_t *b = q->budget;
  TRY(trin_id_check(b->id, "budget.id", err));
  TRY(trin_id_check(b->project_id, "budget.project_id", err));
  if (budget_kind_parse(b->kind, "budget.kind", err) < 0) TRY(TRIN_EINVALID);
  trin_date_t date;
  TRY(trin_date_parse(b->date, &date, "budget.date", err));
  if (b->n_lines > MAX_LINES)
    TRY(trin_err_set(err, TRIN_ETOOBIG, "budget.lines", "at most %d lines (got %zu)",
                     MAX_LINES, b->n_lines));
  trin_ore_t total = 0;
  for (size_t i = 0; i < b->n_lines; i++) {
    char prefix[32];
    snprintf(prefix, sizeof prefix, "budget.lines[%zu]", i);
    budget_line_t l;
    TRY(check_line(b->lines[i], prefix, &l, err));
    if (!trin_money_add(total, l.amount_ore, &total))
      TRY(trin_err_set(err, TRIN_EINVALID, "budget.lines", "the lines' total overflows"));
    for (size_t j = 0; j < i; j++)
      if (strcmp(b->lines[j]->id, b->lines[i]->id) == 0) {
        char f[48];
        snprintf(f, sizeof f, "%s.id", prefix);
        TRY(trin_err_set(err, TRIN_EINVALID, f, "line '%s' appears twice", b->lines[i]->id));
      }
  }
  budget_project_t p;
  TRY(budget_store_project_get(s, b->project_id, "budget.project_id", &p, err));
  TRY(authorise_project(req, b->project_id, "budget.project_id", err));
  TRY(budget_store_budget_insert(s, b, total, err));
  budget_event_msg_t ev = TRIN__BUDGET__BUDGET_EVENT__INIT;
  TRY(budget_reply(req, h, &a, b->id, true, "budget.budget_created", &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

/* Loads a budget a command names; it must be a draft to change its lines. */
static int load_budget(trin_request_t *req, trin_arena_t *a, const char *id, budget_budget_msg_t *b,
                       bool draft_only, trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  int rc = trin_id_check(id, "budget_id", err);
  if (!rc) rc = budget_store_budget_get(s, id, "budget_id", false, a, b, err);
  if (!rc) rc = authorise_in_project(req, b->project_id, "budget", id, "budget_id", err);
  if (!rc && draft_only && strcmp(b->status, "draft") != 0)
    rc = trin_err_set(err, TRIN_ECONFLICT, "status",
                      "budget '%s' is %s; only a draft budget's lines can change", b->id,
                      b->status);
  return rc;
}

static int set_budget_line(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                           trin_err_t *err) {
  const Trin__Budget__SetBudgetLine *q = (const void *)msg;
  budget_handlers_t *h = data;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(q->budget_id, "budget_id", err));
  budget_line_t l;
  TRY(check_line(q->line, "line", &l, err));
  budget_budget_msg_t b;
  TRY(load_budget(req, &a, q->budget_id, &b, true, err));
  trin_ore_t old, total;
  bool found;
  TRY(budget_store_line_amount(s, b.id, q->line->id, &old, &found, err));
  if (!trin_money_sub(b.total_ore, old, &total) || !trin_money_add(total, l.amount_ore, &total))
    TRY(trin_err_set(err, TRIN_EINVALID, "line.amount_ore",
                     "the budget's total would overflow"));
  TRY(budget_store_line_upsert(s, b.id, q->line, err));
  TRY(budget_store_budget_set_total(s, b.id, total, err));
  budget_event_msg_t ev = TRIN__BUDGET__BUDGET_EVENT__INIT;
  ev.line = q->line;
  TRY(budget_reply(req, h, &a, b.id, false, "budget.line_set", &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int remove_budget_line(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                              trin_err_t *err) {
  const Trin__Budget__RemoveBudgetLine *q = (const void *)msg;
  budget_handlers_t *h = data;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(q->budget_id, "budget_id", err));
  TRY(trin_id_check(q->line_id, "line_id", err));
  budget_budget_msg_t b;
  TRY(load_budget(req, &a, q->budget_id, &b, true, err));
  trin_ore_t old;
  bool found;
  TRY(budget_store_line_amount(s, b.id, q->line_id, &old, &found, err));
  if (!found)
    TRY(trin_err_set(err, TRIN_ENOTFOUND, "line_id", "budget '%s' has no line '%s'", b.id,
                     q->line_id));
  TRY(budget_store_line_delete(s, b.id, q->line_id, err));
  TRY(budget_store_budget_set_total(s, b.id, b.total_ore - old, err));
  budget_event_msg_t ev = TRIN__BUDGET__BUDGET_EVENT__INIT;
  ev.line_id = q->line_id;
  TRY(budget_reply(req, h, &a, b.id, false, "budget.line_removed", &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int submit_budget(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Budget__SubmitBudget *q = (const void *)msg;
  budget_handlers_t *h = data;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(q->budget_id, "budget_id", err));
  trin_date_t date, bdate;
  TRY(trin_date_parse(q->date, &date, "date", err));
  budget_budget_msg_t b;
  TRY(load_budget(req, &a, q->budget_id, &b, false, err));
  if (strcmp(b.status, "draft") != 0)
    TRY(trin_err_set(err, TRIN_ECONFLICT, "status",
                     "budget '%s' is %s; only a draft can be submitted", b.id, b.status));
  TRY(trin_date_parse(b.date, &bdate, "budget.date", err));
  TRY(trin_date_check_order(bdate, "the budget's date", date, "date", err));
  TRY(budget_store_budget_set_status(s, b.id, "submitted", q->date, err));
  budget_event_msg_t ev = TRIN__BUDGET__BUDGET_EVENT__INIT;
  ev.date = q->date;
  TRY(budget_reply(req, h, &a, b.id, false, "budget.budget_submitted", &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

/* The order of approvals: a Skema B needs an approved Skema A (the drift is
 * measured from it) and closes the price once; a Skema C (final account)
 * needs the approved Skema B. */
static int check_approval_order(trin_store_t *s, const budget_budget_msg_t *b, trin_err_t *err) {
  int n = 0, rc = TRIN_OK;
  if (strcmp(b->kind, "skema_b") == 0) {
    if ((rc = budget_store_budget_count(s, b->project_id, "skema_a", "approved", &n, err)))
      return rc;
    if (n == 0)
      return trin_err_set(err, TRIN_ECONFLICT, "skema_a",
                          "project '%s' has no approved Skema A; approve the Skema A "
                          "before a Skema B",
                          b->project_id);
    if ((rc = budget_store_budget_count(s, b->project_id, "skema_b", "approved", &n, err)))
      return rc;
    if (n > 0)
      return trin_err_set(err, TRIN_ECONFLICT, "skema_b",
                          "project '%s' already has an approved Skema B: the price is "
                          "closed",
                          b->project_id);
  } else if (strcmp(b->kind, "skema_c") == 0) {
    if ((rc = budget_store_budget_count(s, b->project_id, "skema_b", "approved", &n, err)))
      return rc;
    if (n == 0)
      return trin_err_set(err, TRIN_ECONFLICT, "skema_b",
                          "project '%s' has no approved Skema B; the final account "
                          "(Skema C) follows the closed price",
                          b->project_id);
  }
  return rc;
}

static int approve_budget(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                          trin_err_t *err) {
  const Trin__Budget__ApproveBudget *q = (const void *)msg;
  budget_handlers_t *h = data;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(q->budget_id, "budget_id", err));
  trin_date_t date, submitted;
  TRY(trin_date_parse(q->date, &date, "date", err));
  budget_budget_msg_t b;
  TRY(load_budget(req, &a, q->budget_id, &b, false, err));
  if (strcmp(b.status, "submitted") != 0)
    TRY(trin_err_set(err, TRIN_ECONFLICT, "status",
                     "budget '%s' is %s; only a submitted budget can be approved", b.id,
                     b.status));
  TRY(trin_date_parse(b.submitted_on, &submitted, "submitted_on", err));
  TRY(trin_date_check_order(submitted, "the day it was submitted", date, "date", err));
  TRY(check_approval_order(s, &b, err));
  TRY(budget_store_budget_set_status(s, b.id, "approved", q->date, err));
  budget_event_msg_t ev = TRIN__BUDGET__BUDGET_EVENT__INIT;
  ev.date = q->date;
  if (strcmp(b.kind, "skema_b") == 0) {
    /* Price closing: the approved Skema B at the partnership's
     * price-closing point. Lifecycle consumes budget.price_closed and lets
     * the project into trin 3. */
    budget_budget_msg_t head;
    TRY(budget_store_budget_get(s, b.id, "budget_id", false, &a, &head, err));
    ev.budget = &head;
    budget_event_msg_t pc = TRIN__BUDGET__BUDGET_EVENT__INIT;
    pc.date = q->date;
    budget_project_t p;
    TRY(budget_store_project_get(s, b.project_id, "budget.project_id", &p, err));
    budget_partnership_t ps;
    if (p.partnership_id[0] &&
        budget_store_partnership_get(s, p.partnership_id, "", &ps, NULL) == TRIN_OK)
      pc.price_closing_point = trin_arena_strdup(&a, ps.price_closing_point);
    uint64_t seq;
    TRY(emit_project(req, h, &a, "budget.budget_approved", b.project_id, &ev, NULL, &seq, err));
    TRY(budget_reply(req, h, &a, b.id, false, "budget.price_closed", &pc, err));
  } else {
    TRY(budget_reply(req, h, &a, b.id, false, "budget.budget_approved", &ev, err));
  }
out:
  trin_arena_reset(&a);
  return rc;
}

/* ---- corrections: back to draft, with a reason and who ------------------------------- */

/* Who asks, as a correction's event records it: the organisation ("local"
 * on an unauthenticated endpoint), "org/person" for a person the gateway
 * asks for, and the key's fingerprint. */
static int correction_by(trin_request_t *req, trin_arena_t *a, budget_event_msg_t *ev,
                         trin_err_t *err) {
  const trin_caller_t *c = trin_request_caller(req);
  const char *org = c && *c->org ? c->org : "local";
  ev->by = c && *c->person ? trin_arena_printf(a, "%s/%s", org, c->person)
                           : trin_arena_strdup(a, org);
  ev->by_key = trin_arena_strdup(a, c ? c->key : "");
  return ev->by && ev->by_key ? TRIN_OK : oom(err);
}

/* The budget a correction names, as the rules see it; kind -1 only for a
 * kind the store should never hold. */
static budget_state_t correction_state(const budget_budget_msg_t *b) {
  return (budget_state_t){b->id, b->project_id, budget_kind_parse(b->kind, "kind", NULL),
                          b->status};
}

static int withdraw_budget(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                           trin_err_t *err) {
  const Trin__Budget__WithdrawBudget *q = (const void *)msg;
  budget_handlers_t *h = data;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(q->budget_id, "budget_id", err));
  TRY(budget_reason_check(q->reason, err));
  budget_budget_msg_t b;
  TRY(load_budget(req, &a, q->budget_id, &b, false, err));
  budget_state_t st = correction_state(&b);
  TRY(budget_withdraw_check(&st, err));
  TRY(budget_store_budget_to_draft(trin_request_store(req), b.id, err));
  budget_event_msg_t ev = TRIN__BUDGET__BUDGET_EVENT__INIT;
  ev.reason = q->reason;
  TRY(correction_by(req, &a, &ev, err));
  TRY(budget_reply(req, h, &a, b.id, false, "budget.budget_withdrawn", &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int reopen_budget(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Budget__ReopenBudget *q = (const void *)msg;
  budget_handlers_t *h = data;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(q->budget_id, "budget_id", err));
  TRY(budget_reason_check(q->reason, err));
  budget_budget_msg_t b;
  TRY(load_budget(req, &a, q->budget_id, &b, false, err));
  /* The price is closed by the project's approved Skema B (this service's
   * own price_closed), or by lifecycle's ClosePrice, which it tells in its
   * project events. */
  TRY(budget_store_economy_load(s, b.project_id, "budget.project_id", &h->economy, err));
  const budget_version_t *vb = &h->economy.b;
  bool b_approved = vb->has && strcmp(vb->status, "approved") == 0;
  const char *lc_on = h->economy.project.price_closed_on;
  budget_price_closing_t pc = {b_approved || lc_on[0],
                               b_approved ? vb->approved_on : lc_on,
                               b_approved ? vb->id : ""};
  budget_state_t st = correction_state(&b);
  TRY(budget_reopen_check(&st, &pc, err));
  TRY(budget_store_budget_to_draft(s, b.id, err));
  budget_event_msg_t ev = TRIN__BUDGET__BUDGET_EVENT__INIT;
  ev.reason = q->reason;
  TRY(correction_by(req, &a, &ev, err));
  TRY(budget_reply(req, h, &a, b.id, false, "budget.budget_reopened", &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int get_budget(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                      trin_err_t *err) {
  const Trin__Budget__GetBudget *q = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc = trin_id_check(q->budget_id, "budget_id", err);
  if (!rc) rc = budget_reply(req, data, &a, q->budget_id, true, NULL, NULL, err);
  trin_arena_reset(&a);
  return rc;
}

static int list_budgets(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  const Trin__Budget__ListBudgets *q = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check_optional(q->project_id, "project_id", err));
  TRY(trin_id_check_optional(q->partnership_id, "partnership_id", err));
  TRY(trin_id_check_optional(q->client_org, "client_org", err));
  if (q->status && *q->status && budget_status_parse(q->status, "status", err) < 0)
    TRY(TRIN_EINVALID);
  if (q->kind && *q->kind && budget_kind_parse(q->kind, "kind", err) < 0) TRY(TRIN_EINVALID);
  /* One project: refused as before when the caller may not read it. */
  if (q->project_id && *q->project_id) {
    budget_project_t p;
    TRY(budget_store_project_get(s, q->project_id, "project_id", &p, err));
    TRY(authorise_project(req, p.id, "project_id", err));
  }
  Trin__Budget__BudgetList list = TRIN__BUDGET__BUDGET_LIST__INIT;
  budget_list_filter_t f = {q->project_id, q->partnership_id, q->client_org, q->status,
                            q->kind};
  budget_project_t *owners = NULL;
  TRY(budget_store_budget_find(s, &f, &a, &list.budgets, &owners, &list.n_budgets, err));
  size_t n = 0; /* across projects: only those the caller may read */
  for (size_t i = 0; i < list.n_budgets; i++)
    if (trin_access_request_may_see(req, owners[i].client_org, owners[i].partnership_id))
      list.budgets[n++] = list.budgets[i];
  list.n_budgets = n;
  TRY(trin_request_reply(req, &list.base, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int list_index_series(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                             trin_err_t *err) {
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Budget__IndexSeriesList list = TRIN__BUDGET__INDEX_SERIES_LIST__INIT;
  int rc = budget_store_index_list(trin_request_store(req), &a, &list.series, &list.n_series,
                                   err);
  if (!rc) rc = trin_request_reply(req, &list.base, err);
  trin_arena_reset(&a);
  return rc;
}

/* ---- index series ----------------------------------------------------------------------- */

/* Replies with the whole series; seq = the last event the change produced
 * (0 for a read). */
static int series_reply(trin_request_t *req, trin_arena_t *a, const char *series, uint64_t seq,
                        trin_err_t *err) {
  budget_index_point_t *pts = NULL;
  size_t n = 0, cap = 0;
  int rc = budget_store_index_load(trin_request_store(req), series, &pts, &n, &cap, err);
  Trin__Budget__IndexSeries reply = TRIN__BUDGET__INDEX_SERIES__INIT;
  reply.series = (char *)series;
  reply.seq = seq;
  if (!rc) {
    reply.points = trin_arena_alloc(a, (n + 1) * sizeof *reply.points);
    if (!reply.points) rc = oom(err);
    for (size_t i = 0; !rc && i < n; i++) {
      Trin__Budget__IndexPoint *p = trin_arena_alloc(a, sizeof *p);
      if (!p) {
        rc = oom(err);
        break;
      }
      trin__budget__index_point__init(p);
      char d[TRIN_DATE_BUF];
      p->date = trin_arena_strdup(a, trin_date_format(pts[i].date, d));
      p->value_x100 = pts[i].value_x100;
      reply.points[i] = p;
    }
    reply.n_points = n;
  }
  free(pts);
  if (!rc) rc = trin_request_reply(req, &reply.base, err);
  return rc;
}

/* Emits budget.index_points_added naming exactly the points this change
 * added or replaced. */
static int index_event(trin_request_t *req, trin_arena_t *a, const char *series,
                       const budget_index_point_t *added, size_t nadded, uint64_t *seq,
                       trin_err_t *err) {
  Trin__Budget__IndexSeries ev = TRIN__BUDGET__INDEX_SERIES__INIT;
  ev.series = (char *)series;
  ev.points = trin_arena_alloc(a, (nadded + 1) * sizeof *ev.points);
  if (!ev.points) return oom(err);
  for (size_t i = 0; i < nadded; i++) {
    ev.points[i] = trin_arena_alloc(a, sizeof **ev.points);
    if (!ev.points[i]) return oom(err);
    trin__budget__index_point__init(ev.points[i]);
    char d[TRIN_DATE_BUF];
    ev.points[i]->date = trin_arena_strdup(a, trin_date_format(added[i].date, d));
    ev.points[i]->value_x100 = added[i].value_x100;
  }
  ev.n_points = nadded;
  trin_event_id_t ids[1] = {{"index_series", series}};
  return trin_request_emit(req, "budget.index_points_added", "", ids, 1, &ev.base, seq, err);
}

/* After new points of `series` are stored: a project whose drift reads the
 * series gets budget.figures_changed (BudgetEvent, figures only) when its
 * figures with the new points differ from those with the old ones (old,
 * the series before the change). Everything but the points is the same in
 * both computations, so the economy is loaded once and only the points are
 * swapped. New points that make a project's market part overflow are to
 * blame and refused, naming `field`. */
static int refigure_project(trin_request_t *req, budget_handlers_t *h, trin_arena_t *a,
                            const char *series, const char *project_id,
                            const budget_index_point_t *old, size_t nold, const char *field,
                            uint64_t *seq, trin_err_t *err) {
  int rc = budget_store_economy_load(trin_request_store(req), project_id, "project_id",
                                     &h->economy, err);
  if (rc) return rc;
  budget_economy_t prev = h->economy;
  prev.points = (budget_index_point_t *)old;
  prev.npoints = nold;
  budget_economy_result_t before, after;
  trin_err_t ignored = {0};
  bool had = budget_economy_compute(&prev, &before, &ignored) == TRIN_OK;
  rc = budget_economy_compute(&h->economy, &after, err);
  if (rc == TRIN_EINVALID) {
    if (had)
      return trin_err_set(err, TRIN_EINVALID, field,
                          "with these points of %s the market part of project '%s''s drift "
                          "would overflow",
                          series, project_id);
    /* Beyond int64 before these points as well: they make nothing worse. */
    trin_log_warn("index %s: the figures of project '%s' overflow (%s); not re-emitted",
                  series, project_id, err->message);
    *err = (trin_err_t){0};
    return TRIN_OK;
  }
  if (rc) return rc;
  if (had && budget_project_figures_equal(&before.f, &after.f)) return TRIN_OK;
  budget_event_msg_t ev = TRIN__BUDGET__BUDGET_EVENT__INIT;
  return emit_figures(req, h, a, "budget.figures_changed", &after, &ev,
                      (trin_event_id_t){"index_series", series}, NULL, seq, err);
}

/* Stores the points (sorted or not, no duplicate dates), emits
 * budget.index_points_added and then budget.figures_changed for each
 * project whose figures the points change, in one transaction; replies
 * with the series. field names the input in errors ("points", "csv"). */
static int add_points(trin_request_t *req, budget_handlers_t *h, trin_arena_t *a,
                      const char *series, const budget_index_point_t *pts, size_t n,
                      const char *field, trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  char **deps = NULL;
  size_t ndeps = 0, nold = 0, cap = 0;
  budget_index_point_t *old = NULL;
  int rc = TRIN_OK;
  if (n > 0) {
    trin_date_t from = pts[0].date;
    for (size_t i = 1; i < n; i++)
      if (pts[i].date < from) from = pts[i].date;
    rc = budget_store_index_dependents(s, series, from, a, &deps, &ndeps, err);
    if (!rc && ndeps) rc = budget_store_index_load(s, series, &old, &nold, &cap, err);
  }
  if (!rc) rc = budget_store_index_upsert(s, series, pts, n, err);
  uint64_t seq = 0;
  if (!rc) rc = index_event(req, a, series, pts, n, &seq, err);
  for (size_t i = 0; !rc && i < ndeps; i++)
    rc = refigure_project(req, h, a, series, deps[i], old, nold, field, &seq, err);
  free(old);
  if (!rc) rc = series_reply(req, a, series, seq, err);
  return rc;
}

static int add_index_points(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                            trin_err_t *err) {
  const Trin__Budget__AddIndexPoints *q = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  budget_index_point_t *pts = NULL;
  int rc;
  TRY(trin_id_check(q->series, "series", err));
  if (q->n_points == 0) TRY(trin_err_set(err, TRIN_EINVALID, "points", "at least one point"));
  if (q->n_points > MAX_POINTS)
    TRY(trin_err_set(err, TRIN_ETOOBIG, "points", "at most %d points", MAX_POINTS));
  pts = calloc(q->n_points, sizeof *pts);
  if (!pts) TRY(oom(err));
  for (size_t i = 0; i < q->n_points; i++) {
    char f[40];
    snprintf(f, sizeof f, "points[%zu]", i);
    TRY(require_message(q->points[i], f, err));
    snprintf(f, sizeof f, "points[%zu].date", i);
    TRY(budget_index_date_parse(q->points[i]->date, &pts[i].date, f, err));
    for (size_t j = 0; j < i; j++)
      if (pts[j].date == pts[i].date)
        TRY(trin_err_set(err, TRIN_EINVALID, f, "the date %s appears twice",
                         q->points[i]->date));
    snprintf(f, sizeof f, "points[%zu].value_x100", i);
    if (q->points[i]->value_x100 <= 0)
      TRY(trin_err_set(err, TRIN_EINVALID, f, "must be above 0 (105.30 is 10530), got %lld",
                       (long long)q->points[i]->value_x100));
    pts[i].value_x100 = q->points[i]->value_x100;
  }
  TRY(add_points(req, data, &a, q->series, pts, q->n_points, "points", err));
out:
  free(pts);
  trin_arena_reset(&a);
  return rc;
}

static int import_index_csv(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                            trin_err_t *err) {
  const Trin__Budget__ImportIndexCsv *q = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  budget_index_point_t *pts = NULL;
  size_t n = 0;
  int rc;
  TRY(trin_id_check(q->series, "series", err));
  TRY(budget_index_parse_csv((const char *)q->csv.data, q->csv.len, &pts, &n, err));
  if (n > MAX_POINTS)
    TRY(trin_err_set(err, TRIN_ETOOBIG, "csv", "at most %d points", MAX_POINTS));
  TRY(add_points(req, data, &a, q->series, pts, n, "csv", err));
out:
  free(pts);
  trin_arena_reset(&a);
  return rc;
}

static int get_index_series(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                            trin_err_t *err) {
  const Trin__Budget__GetIndexSeries *q = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc = trin_id_check(q->series, "series", err);
  if (!rc) rc = series_reply(req, &a, q->series, 0, err);
  trin_arena_reset(&a);
  return rc;
}

/* ---- scope, options, costs, rent ------------------------------------------------------------ */

static int record_scope_change(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                               trin_err_t *err) {
  const Trin__Budget__RecordScopeChange *q = (const void *)msg;
  budget_handlers_t *h = data;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(require_message(q->change, "change", err));
  const budget_scope_msg_t *c = q->change;
  TRY(trin_id_check(c->id, "change.id", err));
  TRY(trin_id_check(c->project_id, "change.project_id", err));
  TRY(trin_text_check(c->description, TEXT_MAX_BYTES, "change.description", err));
  trin_date_t d;
  TRY(trin_date_parse(c->decided_on, &d, "change.decided_on", err));
  budget_project_t p;
  TRY(budget_store_project_get(s, c->project_id, "change.project_id", &p, err));
  TRY(authorise_project(req, p.id, "change.project_id", err));
  TRY(budget_store_scope_insert(s, c, err));
  budget_event_msg_t ev = TRIN__BUDGET__BUDGET_EVENT__INIT;
  ev.scope_change = (budget_scope_msg_t *)c;
  uint64_t seq;
  TRY(emit_project(req, h, &a, "budget.scope_change_recorded", p.id, &ev, NULL, &seq, err));
  TRY(economy_reply(req, h, &a, p.id, "change.project_id", seq, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int propose_option(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                          trin_err_t *err) {
  const Trin__Budget__ProposeOption *q = (const void *)msg;
  budget_handlers_t *h = data;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(require_message(q->option, "option", err));
  const budget_option_msg_t *o = q->option;
  TRY(trin_id_check(o->id, "option.id", err));
  TRY(trin_id_check(o->project_id, "option.project_id", err));
  TRY(trin_text_check(o->description, TEXT_MAX_BYTES, "option.description", err));
  if (o->saving_ore <= 0)
    TRY(trin_err_set(err, TRIN_EINVALID, "option.saving_ore",
                     "a saving must be above 0 øre (got %lld)", (long long)o->saving_ore));
  trin_date_t d;
  TRY(trin_date_parse(o->proposed_on, &d, "option.proposed_on", err));
  budget_project_t p;
  TRY(budget_store_project_get(s, o->project_id, "option.project_id", &p, err));
  TRY(authorise_project(req, p.id, "option.project_id", err));
  TRY(budget_store_option_insert(s, o, err));
  budget_option_msg_t stored;
  TRY(budget_store_option_get(s, o->id, "option.id", &a, &stored, err));
  budget_event_msg_t ev = TRIN__BUDGET__BUDGET_EVENT__INIT;
  ev.option = &stored;
  uint64_t seq;
  TRY(emit_project(req, h, &a, "budget.option_proposed", p.id, &ev, NULL, &seq, err));
  TRY(economy_reply(req, h, &a, p.id, "option.project_id", seq, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int decide_option(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Budget__DecideOption *q = (const void *)msg;
  budget_handlers_t *h = data;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(q->option_id, "option_id", err));
  int st = budget_option_status_parse(q->status, "status", err);
  if (st < 0) TRY(TRIN_EINVALID);
  if (st == BUDGET_OPTION_PROPOSED)
    TRY(trin_err_set(err, TRIN_EINVALID, "status", "a decision is accepted or rejected"));
  TRY(trin_id_check(q->decided_by, "decided_by", err));
  trin_date_t d, proposed;
  TRY(trin_date_parse(q->date, &d, "date", err));
  budget_option_msg_t o;
  TRY(budget_store_option_get(s, q->option_id, "option_id", &a, &o, err));
  TRY(authorise_in_project(req, o.project_id, "optimisation option", q->option_id, "option_id",
                           err));
  if (strcmp(o.status, "proposed") != 0)
    TRY(trin_err_set(err, TRIN_ECONFLICT, "status", "option '%s' was already %s on %s", o.id,
                     o.status, o.decided_on));
  TRY(trin_date_parse(o.proposed_on, &proposed, "proposed_on", err));
  TRY(trin_date_check_order(proposed, "the day it was proposed", d, "date", err));
  TRY(budget_store_option_decide(s, o.id, q->status, q->decided_by, q->date, err));
  budget_option_msg_t stored;
  TRY(budget_store_option_get(s, o.id, "option_id", &a, &stored, err));
  budget_event_msg_t ev = TRIN__BUDGET__BUDGET_EVENT__INIT;
  ev.option = &stored;
  uint64_t seq;
  TRY(emit_project(req, h, &a, "budget.option_decided", o.project_id, &ev, NULL, &seq, err));
  TRY(economy_reply(req, h, &a, o.project_id, "option_id", seq, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int record_actual_cost(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                              trin_err_t *err) {
  const Trin__Budget__RecordActualCost *q = (const void *)msg;
  budget_handlers_t *h = data;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(require_message(q->cost, "cost", err));
  const budget_cost_msg_t *c = q->cost;
  TRY(trin_id_check(c->id, "cost.id", err));
  TRY(trin_id_check(c->project_id, "cost.project_id", err));
  if (budget_category_parse(c->category, "cost.category", err) < 0) TRY(TRIN_EINVALID);
  trin_date_t d;
  TRY(trin_date_parse(c->date, &d, "cost.date", err));
  TRY(trin_money_check_nonnegative(c->amount_ore, "cost.amount_ore", err));
  TRY(trin_text_check_optional(c->description, TEXT_MAX_BYTES, "cost.description", err));
  budget_project_t p;
  TRY(budget_store_project_get(s, c->project_id, "cost.project_id", &p, err));
  TRY(authorise_project(req, p.id, "cost.project_id", err));
  TRY(budget_store_cost_insert(s, c, err));
  budget_event_msg_t ev = TRIN__BUDGET__BUDGET_EVENT__INIT;
  ev.cost = (budget_cost_msg_t *)c;
  uint64_t seq;
  rc = emit_project(req, h, &a, "budget.actual_cost_recorded", p.id, &ev, NULL, &seq, err);
  if (rc == TRIN_EINVALID) {
    /* Costs to date beyond int64 øre: the new cost is to blame. */
    trin_err_set(err, TRIN_EINVALID, "cost.amount_ore", "the project's costs would overflow");
    goto out;
  }
  if (rc) goto out;
  TRY(economy_reply(req, h, &a, p.id, "cost.project_id", seq, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int set_rent_parameters(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                               trin_err_t *err) {
  const Trin__Budget__SetRentParameters *q = (const void *)msg;
  budget_handlers_t *h = data;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(require_message(q->parameters, "parameters", err));
  const budget_rent_msg_t *r = q->parameters;
  TRY(trin_id_check(r->project_id, "parameters.project_id", err));
  budget_rent_params_t p = {r->loan_share_bp,     r->interest_bp,
                            r->term_years,        r->rentable_area_m2,
                            r->current_rent_ore_per_m2, r->max_rent_ore_per_m2};
  TRY(budget_rent_check(&p, err));
  budget_project_t pr;
  TRY(budget_store_project_get(s, r->project_id, "parameters.project_id", &pr, err));
  TRY(authorise_project(req, pr.id, "parameters.project_id", err));
  TRY(budget_store_rent_set(s, r, err));
  budget_event_msg_t ev = TRIN__BUDGET__BUDGET_EVENT__INIT;
  ev.rent = (budget_rent_msg_t *)r;
  uint64_t seq;
  TRY(emit_project(req, h, &a, "budget.rent_parameters_set", pr.id, &ev, NULL, &seq, err));
  TRY(economy_reply(req, h, &a, pr.id, "parameters.project_id", seq, err));
out:
  trin_arena_reset(&a);
  return rc;
}

/* ---- queries ------------------------------------------------------------------------------------ */

/* The MOLIO report of a budget's craft lines under the project's model. */
static int molio_report(trin_store_t *s, trin_arena_t *a, const char *budget_id,
                        const char *field, Trin__Budget__MolioReport **out, trin_err_t *err) {
  budget_budget_msg_t *b = trin_arena_alloc(a, sizeof *b);
  Trin__Budget__MolioReport *m = trin_arena_alloc(a, sizeof *m);
  if (!b || !m) return oom(err);
  int rc = budget_store_budget_get(s, budget_id, field, true, a, b, err);
  if (rc) return rc;
  budget_project_t p;
  if ((rc = budget_store_project_get(s, b->project_id, "budget.project_id", &p, err))) return rc;
  budget_model_t model;
  char series[65];
  bool found;
  if ((rc = budget_store_model_load(s, p.partnership_id, &model, series, &found, err))) return rc;
  trin__budget__molio_report__init(m);
  m->budget_id = b->id;
  m->deduction_bp = model.molio_deduction_bp;
  m->lines = trin_arena_alloc(a, (b->n_lines + 1) * sizeof *m->lines);
  if (!m->lines) return oom(err);
  for (size_t i = 0; i < b->n_lines; i++) {
    const budget_line_msg_t *l = b->lines[i];
    if (strcmp(l->category, "craft") != 0 || l->molio_reference_ore <= 0) continue;
    budget_molio_t r;
    budget_molio_line(l->amount_ore, l->molio_reference_ore, model.molio_deduction_bp, &r);
    Trin__Budget__MolioLine *ml = trin_arena_alloc(a, sizeof *ml);
    if (!ml) return oom(err);
    trin__budget__molio_line__init(ml);
    ml->line_id = l->id;
    ml->building_part = l->building_part;
    ml->amount_ore = l->amount_ore;
    ml->reference_ore = l->molio_reference_ore;
    ml->limit_ore = r.limit_ore;
    ml->passes = r.passes;
    ml->excess_ore = r.excess_ore;
    m->lines[m->n_lines++] = ml;
    m->lines_checked++;
    if (!r.passes) {
      m->lines_failing++;
      m->excess_ore += r.excess_ore;
    }
  }
  m->compliant = m->lines_failing == 0;
  *out = m;
  return TRIN_OK;
}

static int economy_reply(trin_request_t *req, budget_handlers_t *h, trin_arena_t *a,
                         const char *project_id, const char *field, uint64_t seq,
                         trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  budget_economy_result_t r;
  int rc = economy(req, h, project_id, field, &r, err);
  if (rc) return rc;
  Trin__Budget__ProjectEconomyReply reply = TRIN__BUDGET__PROJECT_ECONOMY_REPLY__INIT;
  reply.figures = budget_figures_message(&h->economy, &r, a);
  reply.forecast = budget_forecast_message(&h->economy, &r, a);
  if (!reply.figures || !reply.forecast) return oom(err);
  if (r.f.drift.market_known) reply.drift = budget_drift_message(&h->economy, &r, a);
  reply.rent = budget_rent_message(&r, a);
  if (h->economy.price &&
      (rc = molio_report(s, a, h->economy.price->id, "budget_id", &reply.molio, err)))
    return rc;
  if ((rc = budget_store_option_list(s, project_id, a, &reply.options, &reply.n_options, err)))
    return rc;
  reply.seq = seq;
  return trin_request_reply(req, &reply.base, err);
}

static int get_project_economy(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                               trin_err_t *err) {
  const Trin__Budget__GetProjectEconomy *q = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc = trin_id_check(q->project_id, "project_id", err);
  if (!rc) rc = authorise_project(req, q->project_id, "project_id", err);
  if (!rc) rc = economy_reply(req, data, &a, q->project_id, "project_id", 0, err);
  trin_arena_reset(&a);
  return rc;
}

static int get_drift(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                     trin_err_t *err) {
  const Trin__Budget__GetDrift *q = (const void *)msg;
  budget_handlers_t *h = data;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(q->project_id, "project_id", err));
  TRY(authorise_project(req, q->project_id, "project_id", err));
  budget_economy_result_t r;
  TRY(economy(req, h, q->project_id, "project_id", &r, err));
  if (!h->economy.a.has)
    TRY(trin_err_set(err, TRIN_ECONFLICT, "skema_a",
                     "project '%s' has no approved Skema A to measure the drift from",
                     q->project_id));
  if (!h->economy.b.has)
    TRY(trin_err_set(err, TRIN_ECONFLICT, "skema_b",
                     "project '%s' has no Skema B to measure the drift to", q->project_id));
  if (!r.f.drift.market_known) {
    *err = r.index_err;
    TRY(err->code ? err->code : TRIN_ECONFLICT);
  }
  Trin__Budget__Drift *d = budget_drift_message(&h->economy, &r, &a);
  if (!d) TRY(oom(err));
  TRY(trin_request_reply(req, &d->base, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int verify_molio(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  const Trin__Budget__VerifyMolio *q = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Budget__MolioReport *m = NULL;
  int rc = trin_id_check(q->budget_id, "budget_id", err);
  if (!rc && !trin_access_unrestricted(trin_request_caller(req))) {
    budget_budget_msg_t b;
    rc = budget_store_budget_get(trin_request_store(req), q->budget_id, "budget_id", false, &a,
                                 &b, err);
    if (!rc) rc = authorise_in_project(req, b.project_id, "budget", q->budget_id, "budget_id", err);
  }
  if (!rc) rc = molio_report(trin_request_store(req), &a, q->budget_id, "budget_id", &m, err);
  if (!rc) rc = trin_request_reply(req, &m->base, err);
  trin_arena_reset(&a);
  return rc;
}

typedef struct {
  trin_arena_t *a;
  Trin__Budget__TurnoverSplit *t;
  size_t cap;
  bool failed;
} turnover_t;

static void on_turnover(void *data, int year, budget_party_t party, bool within,
                        trin_ore_t amount) {
  turnover_t *tv = data;
  Trin__Budget__TurnoverSplit *t = tv->t;
  /* Rows come grouped by year, category, within; categories of one party
   * add into the previous row when it matches. */
  for (size_t i = 0; i < t->n_rows; i++) {
    Trin__Budget__TurnoverRow *r = t->rows[i];
    if (r->year == year && r->within_framework == within &&
        strcmp(r->party, budget_party_name(party)) == 0) {
      r->amount_ore += amount;
      goto totals;
    }
  }
  if (t->n_rows == tv->cap) {
    size_t nc = tv->cap ? tv->cap * 2 : 16;
    Trin__Budget__TurnoverRow **nr = trin_arena_alloc(tv->a, nc * sizeof *nr);
    if (!nr) {
      tv->failed = true;
      return;
    }
    if (t->n_rows) memcpy(nr, t->rows, t->n_rows * sizeof *nr);
    t->rows = nr;
    tv->cap = nc;
  }
  Trin__Budget__TurnoverRow *r = trin_arena_alloc(tv->a, sizeof *r);
  if (!r) {
    tv->failed = true;
    return;
  }
  trin__budget__turnover_row__init(r);
  r->year = year;
  r->party = (char *)budget_party_name(party);
  r->within_framework = within;
  r->amount_ore = amount;
  t->rows[t->n_rows++] = r;
totals:
  if (within) t->within_ore += amount;
  else t->after_ore += amount;
}

static int get_turnover_split(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                              trin_err_t *err) {
  const Trin__Budget__GetTurnoverSplit *q = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(q->partnership_id, "partnership_id", err));
  budget_partnership_t p;
  TRY(budget_store_partnership_get(s, q->partnership_id, "partnership_id", &p, err));
  TRY(authorise_partnership(req, p.id, "partnership_id", err));
  Trin__Budget__TurnoverSplit t = TRIN__BUDGET__TURNOVER_SPLIT__INIT;
  char end[TRIN_DATE_BUF];
  t.partnership_id = p.id;
  t.framework_end = trin_date_format(p.framework_end, end);
  turnover_t tv = {&a, &t, 0, false};
  TRY(budget_store_turnover(s, p.id, p.framework_end, on_turnover, &tv, err));
  if (tv.failed) TRY(oom(err));
  t.within_bp = budget_ratio_bp(t.within_ore, t.within_ore + t.after_ore);
  TRY(trin_request_reply(req, &t.base, err));
out:
  trin_arena_reset(&a);
  return rc;
}

int budget_handlers_register(trin_server_t *s, budget_handlers_t *h) {
  trin_access_install(s, &budget_access);
#define ROUTE(desc, fn) trin_server_handle(s, &trin__budget__##desc##__descriptor, fn, h)
  ROUTE(set_economic_model, set_economic_model);
  ROUTE(get_economic_model, get_economic_model);
  ROUTE(calculate_price, calculate_price);
  ROUTE(create_budget, create_budget);
  ROUTE(set_budget_line, set_budget_line);
  ROUTE(remove_budget_line, remove_budget_line);
  ROUTE(submit_budget, submit_budget);
  ROUTE(approve_budget, approve_budget);
  ROUTE(get_budget, get_budget);
  ROUTE(list_budgets, list_budgets);
  ROUTE(add_index_points, add_index_points);
  ROUTE(import_index_csv, import_index_csv);
  ROUTE(get_index_series, get_index_series);
  ROUTE(record_scope_change, record_scope_change);
  ROUTE(propose_option, propose_option);
  ROUTE(decide_option, decide_option);
  ROUTE(record_actual_cost, record_actual_cost);
  ROUTE(set_rent_parameters, set_rent_parameters);
  ROUTE(get_project_economy, get_project_economy);
  ROUTE(get_drift, get_drift);
  ROUTE(verify_molio, verify_molio);
  ROUTE(get_turnover_split, get_turnover_split);
  /* corrections (issue 19) */
  ROUTE(withdraw_budget, withdraw_budget);
  ROUTE(reopen_budget, reopen_budget);
  /* lists (issue 19) */
  ROUTE(list_index_series, list_index_series);
#undef ROUTE
  return TRIN_OK;
}

void budget_handlers_cleanup(budget_handlers_t *h) { budget_economy_free(&h->economy); }
