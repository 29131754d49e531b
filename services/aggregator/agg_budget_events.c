/* agg_budget_events — see agg_budget_events.h. */
#include "agg_budget_events.h"

#include <string.h>

#include "trin/budget.pb-c.h"

static int apply_figures(agg_rows_t *r, const Trin__Budget__ProjectFigures *f,
                         trin_time_t when) {
  if (!f || !f->project_id || !*f->project_id) return TRIN_OK;
  agg_row_t *row = agg_rows_get(r, f->project_id, NULL);
  if (!row) return TRIN_EINTERNAL;
  bool ch = false;
  agg_row_set_has(row, AGG_HAS_BUDGET, true, &ch);
  agg_row_set_has(row, AGG_HAS_BUDGET_A, f->budget_a_ore > 0, &ch);
  agg_row_set_i64(&row->budget_a_ore, f->budget_a_ore > 0 ? f->budget_a_ore : 0, &ch);
  agg_row_set_has(row, AGG_HAS_BUDGET_B, f->budget_b_ore > 0, &ch);
  agg_row_set_i64(&row->budget_b_ore, f->budget_b_ore > 0 ? f->budget_b_ore : 0, &ch);
  agg_row_set_has(row, AGG_HAS_FORECAST, f->forecast_ore > 0, &ch);
  agg_row_set_i64(&row->forecast_ore, f->forecast_ore > 0 ? f->forecast_ore : 0, &ch);
  agg_row_set_has(row, AGG_HAS_DRIFT, f->drift_known, &ch);
  agg_row_set_i32(&row->drift_bp, f->drift_known ? f->drift_bp : 0, &ch);
  agg_row_set_has(row, AGG_HAS_MARKET_DRIFT, f->market_known, &ch);
  agg_row_set_i32(&row->market_drift_bp, f->market_known ? f->market_adjusted_drift_bp : 0, &ch);
  /* MOLIO compliance is of the price budget (B, else A): none without one. */
  bool molio = f->budget_a_ore > 0 || f->budget_b_ore > 0;
  agg_row_set_has(row, AGG_HAS_MOLIO, molio, &ch);
  agg_row_set_bool(&row->molio_compliant, molio && f->molio_compliant, &ch);
  /* earned value's AC (issue 20 item 1) */
  agg_row_set_i64(&row->actual_cost_ore, f->costs_to_date_ore > 0 ? f->costs_to_date_ore : 0, &ch);
  agg_rows_finish(r, row, ch, when);
  return TRIN_OK;
}

int agg_budget_events_apply(agg_rows_t *r, const Trin__Event *ev, trin_time_t when,
                            trin_err_t *err) {
  const ProtobufCMessageDescriptor *d = &trin__budget__budget_event__descriptor;
  ProtobufCMessage *m = NULL;
  int rc = agg_rows_payload_of(ev, &d, 1) ? agg_rows_decode(r, ev, d, &m, err) : TRIN_OK;
  if (rc || !m) return rc;
  rc = apply_figures(r, ((Trin__Budget__BudgetEvent *)m)->figures, when);
  agg_rows_decoded_done(r);
  return rc;
}
