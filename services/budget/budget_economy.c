/* budget_economy — see budget_economy.h. */
#include "budget_economy.h"

#include <stdio.h>
#include <string.h>

int budget_economy_compute(const budget_economy_t *e, budget_economy_result_t *r,
                           trin_err_t *err) {
  memset(r, 0, sizeof *r);
  if (e->a.has && e->b.has) {
    r->has_ia = budget_index_at(e->points, e->npoints, e->a.date, e->series, "skema_a.date",
                                &r->ia, &r->index_err) == TRIN_OK;
    if (r->has_ia)
      r->has_ib = budget_index_at(e->points, e->npoints, e->b.date, e->series,
                                  "skema_b.date", &r->ib, &r->index_err) == TRIN_OK;
  }
  budget_project_input_t in = {
      .has_a = e->a.has,
      .has_b = e->b.has,
      .has_forecast = e->forecast.has,
      .a_ore = e->a.total_ore,
      .b_ore = e->b.total_ore,
      .forecast_version_ore = e->forecast.total_ore,
      .a_date = e->a.date,
      .b_date = e->b.date,
      .forecast_version_date = e->forecast.date,
      .price_lines = e->lines,
      .nprice_lines = e->nlines,
      .molio_deduction_bp = e->model.molio_deduction_bp,
      .ia = r->has_ia && r->has_ib ? &r->ia : NULL,
      .ib = r->has_ia && r->has_ib ? &r->ib : NULL,
      .scope = e->scope,
      .nscope = e->nscope,
      .savings = e->savings,
      .nsavings = e->nsavings,
      .costs_to_date_ore = e->costs_to_date_ore,
  };
  int rc = budget_project_figures(&in, &r->f, err);
  if (rc) return rc;
  if (e->has_rent) {
    trin_ore_t price = e->price ? e->price->total_ore : 0;
    rc = budget_rent(price, &e->rent, &r->rent, err);
    if (rc) return rc;
    r->has_rent = true;
  }
  return TRIN_OK;
}

Trin__Budget__ProjectFigures *budget_figures_message(const budget_economy_t *e,
                                                     const budget_economy_result_t *r,
                                                     trin_arena_t *a) {
  Trin__Budget__ProjectFigures *f = trin_arena_alloc(a, sizeof *f);
  if (!f) return NULL;
  trin__budget__project_figures__init(f);
  f->project_id = trin_arena_strdup(a, e->project.id);
  f->partnership_id = trin_arena_strdup(a, e->project.partnership_id);
  f->budget_a_ore = e->a.has ? e->a.total_ore : 0;
  f->budget_b_ore = e->b.has ? e->b.total_ore : 0;
  f->budget_c_ore = e->c.has ? e->c.total_ore : 0;
  f->forecast_ore = r->f.forecast.at_completion_ore;
  f->drift_known = r->f.drift_known;
  if (r->f.drift_known) {
    f->drift_ore = r->f.drift.total_ore;
    f->drift_bp = r->f.drift.total_bp;
    f->market_known = r->f.drift.market_known;
    if (f->market_known) {
      f->market_adjusted_drift_ore = r->f.drift.market_adjusted_ore;
      f->market_adjusted_drift_bp = r->f.drift.market_adjusted_bp;
    }
  }
  f->molio_compliant = r->f.molio.failing == 0;
  f->molio_failing_lines = r->f.molio.failing;
  f->costs_to_date_ore = e->costs_to_date_ore;
  f->price_closed = e->b.has && strcmp(e->b.status, "approved") == 0;
  f->price_closed_on = trin_arena_strdup(a, f->price_closed ? e->b.approved_on : "");
  f->rent_known = r->has_rent;
  if (r->has_rent) {
    f->rent_increase_ore_per_m2 = r->rent.increase_ore_per_m2;
    f->rent_within_max = r->rent.within_max;
  }
  return a->failed ? NULL : f;
}

static Trin__Budget__IndexPoint *point_message(const budget_index_point_t *p, trin_arena_t *a) {
  Trin__Budget__IndexPoint *m = trin_arena_alloc(a, sizeof *m);
  if (!m) return NULL;
  trin__budget__index_point__init(m);
  char d[TRIN_DATE_BUF];
  m->date = trin_arena_strdup(a, trin_date_format(p->date, d));
  m->value_x100 = p->value_x100;
  return m;
}

Trin__Budget__Drift *budget_drift_message(const budget_economy_t *e,
                                          const budget_economy_result_t *r, trin_arena_t *a) {
  if (!r->f.drift_known) return NULL;
  Trin__Budget__Drift *d = trin_arena_alloc(a, sizeof *d);
  if (!d) return NULL;
  trin__budget__drift__init(d);
  const budget_drift_t *x = &r->f.drift;
  d->skema_a_id = trin_arena_strdup(a, e->a.id);
  d->skema_b_id = trin_arena_strdup(a, e->b.id);
  d->skema_a_ore = x->a_ore;
  d->skema_b_ore = x->b_ore;
  d->total_ore = x->total_ore;
  d->index_series = trin_arena_strdup(a, e->series);
  if (x->market_known) {
    d->index_a = point_message(&r->ia, a);
    d->index_b = point_message(&r->ib, a);
  }
  d->market_ore = x->market_ore;
  d->scope_ore = x->scope_ore;
  d->unexplained_ore = x->unexplained_ore;
  d->total_bp = x->total_bp;
  d->market_bp = x->market_bp;
  d->scope_bp = x->scope_bp;
  d->unexplained_bp = x->unexplained_bp;
  d->market_adjusted_ore = x->market_adjusted_ore;
  d->market_adjusted_bp = x->market_adjusted_bp;
  return a->failed ? NULL : d;
}

Trin__Budget__Forecast *budget_forecast_message(const budget_economy_t *e,
                                                const budget_economy_result_t *r,
                                                trin_arena_t *a) {
  Trin__Budget__Forecast *f = trin_arena_alloc(a, sizeof *f);
  if (!f) return NULL;
  trin__budget__forecast__init(f);
  const budget_version_t *base = e->forecast.has ? &e->forecast
                                 : e->b.has      ? &e->b
                                 : e->a.has      ? &e->a
                                                 : NULL;
  f->base_budget_id = trin_arena_strdup(a, base ? base->id : "");
  f->base_ore = r->f.forecast.base_ore;
  f->scope_after_ore = r->f.forecast.scope_after_ore;
  f->savings_after_ore = r->f.forecast.savings_after_ore;
  f->costs_to_date_ore = r->f.forecast.costs_to_date_ore;
  f->cost_to_complete_ore = r->f.forecast.cost_to_complete_ore;
  f->at_completion_ore = r->f.forecast.at_completion_ore;
  return a->failed ? NULL : f;
}

Trin__Budget__RentConsequence *budget_rent_message(const budget_economy_result_t *r,
                                                   trin_arena_t *a) {
  if (!r->has_rent) return NULL;
  Trin__Budget__RentConsequence *m = trin_arena_alloc(a, sizeof *m);
  if (!m) return NULL;
  trin__budget__rent_consequence__init(m);
  m->financed_ore = r->rent.financed_ore;
  m->yearly_payment_ore = r->rent.yearly_payment_ore;
  m->increase_ore_per_m2 = r->rent.increase_ore_per_m2;
  m->new_rent_ore_per_m2 = r->rent.new_rent_ore_per_m2;
  m->increase_bp = r->rent.increase_bp;
  m->within_max = r->rent.within_max;
  return m;
}
