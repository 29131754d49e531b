/* agg_rules — see agg_rules.h. */
#include "agg_rules.h"

#include <string.h>

const char *agg_rag_name(agg_rag_t r) {
  switch (r) {
    case AGG_RAG_GREEN: return "green";
    case AGG_RAG_AMBER: return "amber";
    case AGG_RAG_RED: return "red";
    default: return "";
  }
}

agg_rag_t agg_rag_parse(const char *s) {
  if (!s) return AGG_RAG_NONE;
  if (strcmp(s, "green") == 0) return AGG_RAG_GREEN;
  if (strcmp(s, "amber") == 0) return AGG_RAG_AMBER;
  if (strcmp(s, "red") == 0) return AGG_RAG_RED;
  return AGG_RAG_NONE;
}

void agg_thresholds_default(agg_thresholds_t *t) {
  *t = (agg_thresholds_t){
      .time_amber_days = 14,
      .time_red_days = 60,
      .economy_amber_bp = 400,
      .economy_red_bp = 700,
      .satisfaction_amber_bp = 6000,
      .satisfaction_red_bp = 4000,
      .deadline_near_days = 14,
  };
}

int agg_thresholds_check(const agg_thresholds_t *t, trin_err_t *err) {
  if (t->time_amber_days < 0 || t->time_red_days < t->time_amber_days)
    return trin_err_set(err, TRIN_EINVALID, "rag-time-red-days",
                        "must be at least rag-time-amber-days (%d), which must be >= 0",
                        t->time_amber_days);
  if (t->economy_amber_bp < 0 || t->economy_red_bp < t->economy_amber_bp)
    return trin_err_set(err, TRIN_EINVALID, "rag-economy-red-bp",
                        "must be at least rag-economy-amber-bp (%d), which must be >= 0",
                        t->economy_amber_bp);
  if (t->satisfaction_red_bp < 0 || t->satisfaction_amber_bp < t->satisfaction_red_bp ||
      t->satisfaction_amber_bp > 10000)
    return trin_err_set(err, TRIN_EINVALID, "rag-satisfaction-amber-bp",
                        "must lie between rag-satisfaction-red-bp (%d) and 10000",
                        t->satisfaction_red_bp);
  if (t->deadline_near_days < 0)
    return trin_err_set(err, TRIN_EINVALID, "deadline-near-days", "must be >= 0, not %d",
                        t->deadline_near_days);
  return TRIN_OK;
}

static agg_rag_t worst(agg_rag_t a, agg_rag_t b) { return a > b ? a : b; }

/* An overrun in basis points against the thresholds: below amber green,
 * amber up to red, red above it. */
static agg_rag_t overrun_rag(int64_t bp, const agg_thresholds_t *t) {
  if (bp > t->economy_red_bp) return AGG_RAG_RED;
  if (bp >= t->economy_amber_bp) return AGG_RAG_AMBER;
  return AGG_RAG_GREEN;
}

int64_t agg_bac_ore(const agg_row_t *r) {
  if ((r->has & AGG_HAS_BUDGET_B) && r->budget_b_ore > 0) return r->budget_b_ore;
  if ((r->has & AGG_HAS_BUDGET_A) && r->budget_a_ore > 0) return r->budget_a_ore;
  return 0;
}

void agg_rag_compute(agg_row_t *r, const agg_thresholds_t *t) {
  /* time */
  agg_rag_t time = AGG_RAG_NONE;
  if (r->has & AGG_HAS_VARIANCE) {
    int v = r->schedule_variance_days;
    time = v > t->time_red_days ? AGG_RAG_RED
           : v > t->time_amber_days ? AGG_RAG_AMBER
                                    : AGG_RAG_GREEN;
  }
  /* AB18 (item 6): an inspection owed and not held is late work */
  if ((r->has & AGG_HAS_LIFECYCLE) && r->inspection_overdue) time = worst(time, AGG_RAG_AMBER);
  /* economy */
  agg_rag_t eco = AGG_RAG_NONE;
  if (r->has & AGG_HAS_MARKET_DRIFT) eco = worst(eco, overrun_rag(r->market_drift_bp, t));
  else if (r->has & AGG_HAS_DRIFT) eco = worst(eco, overrun_rag(r->drift_bp, t));
  if ((r->has & AGG_HAS_FORECAST) && (r->has & AGG_HAS_BUDGET_B) && r->budget_b_ore > 0) {
    /* the forecast's overrun of Skema B, in basis points of B */
    long double bp = ((long double)r->forecast_ore - (long double)r->budget_b_ore) * 10000.0L /
                     (long double)r->budget_b_ore;
    eco = worst(eco, overrun_rag((int64_t)bp, t));
  }
  if (r->has & AGG_HAS_MOLIO) {
    eco = worst(eco, r->molio_compliant ? AGG_RAG_GREEN : AGG_RAG_AMBER);
  }
  int64_t bac = agg_bac_ore(r);
  if (t->economy_earned_value && (r->has & AGG_HAS_EAC) && bac > 0) {
    /* the estimate at completion's overrun of the price budget, in basis points of it */
    long double bp = ((long double)r->eac_ore - (long double)bac) * 10000.0L / (long double)bac;
    eco = worst(eco, overrun_rag((int64_t)bp, t));
  }
  /* satisfaction */
  agg_rag_t sat = AGG_RAG_NONE;
  if ((r->has & AGG_HAS_SATISFACTION) && r->scale_max > r->scale_min) {
    int64_t span = (int64_t)(r->scale_max - r->scale_min) * 100;
    int64_t pos = ((int64_t)r->satisfaction_x100 - (int64_t)r->scale_min * 100) * 10000 / span;
    sat = pos < t->satisfaction_red_bp     ? AGG_RAG_RED
          : pos < t->satisfaction_amber_bp ? AGG_RAG_AMBER
                                           : AGG_RAG_GREEN;
    if (r->satisfaction_trend && strcmp(r->satisfaction_trend, "down") == 0)
      sat = worst(sat, AGG_RAG_AMBER);
  }
  if ((r->has & AGG_HAS_SURVEY) && r->satisfaction_alert) sat = AGG_RAG_RED;
  r->rag_time = (uint8_t)time;
  r->rag_economy = (uint8_t)eco;
  r->rag_satisfaction = (uint8_t)sat;
  r->rag_overall = (uint8_t)worst(worst(time, eco), sat);
}

bool agg_deadlines_compute(agg_row_t *r, trin_date_t today, const agg_thresholds_t *t) {
  bool near = r->arbitration_deadline != TRIN_DATE_NONE && today != TRIN_DATE_NONE &&
              (int64_t)r->arbitration_deadline - today <= t->deadline_near_days;
  bool overdue = r->inspection_due != TRIN_DATE_NONE && today != TRIN_DATE_NONE &&
                 r->inspection_due < today;
  bool changed = near != r->arbitration_deadline_near || overdue != r->inspection_overdue;
  r->arbitration_deadline_near = near;
  r->inspection_overdue = overdue;
  return changed;
}
