/* agg_row — see agg_row.h. */
#include "agg_row.h"

#include <stdlib.h>
#include <string.h>

#include "agg_rules.h"
#include "trin_codec.h"

static char *nz(const char *s) { return (char *)(s ? s : ""); }

/* Date and instant text for one StatusRow, in the caller's arena. */
static char *date_text(trin_arena_t *ar, trin_date_t d) {
  char buf[TRIN_DATE_BUF];
  char *s = trin_arena_strdup(ar, trin_date_format(d, buf));
  return s ? s : "";
}

void agg_row_to_proto(const agg_row_t *r, trin_arena_t *ar, Trin__Aggregator__StatusRow *o) {
  trin__aggregator__status_row__init(o);
  bool lc = r->has & AGG_HAS_LIFECYCLE;
  o->project_id = nz(r->project_id);
  o->project_name = nz(r->project_name);
  o->partnership_id = nz(r->partnership_id);
  o->partnership_name = nz(r->partnership_name);
  o->client_org = nz(r->client_org);
  o->municipality = nz(r->municipality);
  o->kind = nz(r->kind);
  o->has_fast_track = lc;
  o->fast_track = r->fast_track;
  o->has_dwellings = lc;
  o->dwellings = r->dwellings;
  o->stage = nz(r->stage);
  o->stage_since = date_text(ar, r->stage_since);
  o->has_paused = lc;
  o->paused = r->paused;
  o->pause_reason = nz(r->pause_reason);
  o->baseline_handover = date_text(ar, r->baseline_handover);
  o->forecast_handover = date_text(ar, r->forecast_handover);
  o->has_schedule_variance_days = (r->has & AGG_HAS_VARIANCE) != 0;
  o->schedule_variance_days = r->schedule_variance_days;
  o->has_budget_a_ore = (r->has & AGG_HAS_BUDGET_A) != 0;
  o->budget_a_ore = r->budget_a_ore;
  o->has_budget_b_ore = (r->has & AGG_HAS_BUDGET_B) != 0;
  o->budget_b_ore = r->budget_b_ore;
  o->has_forecast_ore = (r->has & AGG_HAS_FORECAST) != 0;
  o->forecast_ore = r->forecast_ore;
  o->has_drift_bp = (r->has & AGG_HAS_DRIFT) != 0;
  o->drift_bp = r->drift_bp;
  o->has_market_adjusted_drift_bp = (r->has & AGG_HAS_MARKET_DRIFT) != 0;
  o->market_adjusted_drift_bp = r->market_drift_bp;
  o->has_molio_compliant = (r->has & AGG_HAS_MOLIO) != 0;
  o->molio_compliant = r->molio_compliant;
  o->has_satisfaction_x100 = (r->has & AGG_HAS_SATISFACTION) != 0;
  o->satisfaction_x100 = r->satisfaction_x100;
  o->satisfaction_trend = nz(r->satisfaction_trend);
  o->has_satisfaction_alert = (r->has & AGG_HAS_SURVEY) != 0;
  o->satisfaction_alert = r->satisfaction_alert;
  o->has_open_disputes = o->has_max_dispute_level = o->has_open_defects = lc;
  o->open_disputes = r->open_disputes;
  o->max_dispute_level = r->max_dispute_level;
  o->open_defects = r->open_defects;
  o->rag_time = (char *)agg_rag_name(r->rag_time);
  o->rag_economy = (char *)agg_rag_name(r->rag_economy);
  o->rag_satisfaction = (char *)agg_rag_name(r->rag_satisfaction);
  o->rag_overall = (char *)agg_rag_name(r->rag_overall);
  /* sustainability and reuse (issue 20, item 3) */
  o->has_sustainability_measures = o->has_reused_kg = o->has_reused_between_projects_kg = lc;
  o->sustainability_measures = r->sustain_measures;
  o->reused_kg = r->reused_kg;
  o->reused_between_projects_kg = r->reused_between_kg;
  o->has_energy_saving_kwh_m2_x100 = (r->sustain_has & AGG_SUSTAIN_HAS_ENERGY) != 0;
  o->energy_saving_kwh_m2_x100 = r->energy_saving_x100;
  o->has_energy_saving_expected_kwh_m2_x100 = (r->sustain_has & AGG_SUSTAIN_HAS_EXPECTED) != 0;
  o->energy_saving_expected_kwh_m2_x100 = r->energy_expected_x100;
  o->has_energy_saved_kwh = (r->sustain_has & AGG_SUSTAIN_HAS_SAVED) != 0;
  o->energy_saved_kwh = r->energy_saved_kwh;
  o->has_co2e_saving_kg_m2_x100 = (r->sustain_has & AGG_SUSTAIN_HAS_CO2E) != 0;
  o->co2e_saving_kg_m2_x100 = r->co2e_x100;
  o->seq = r->seq;
  o->updated_at = "";
  if (r->updated_at) {
    char buf[TRIN_TIME_BUF];
    char *s = trin_arena_strdup(ar, trin_time_format(r->updated_at, buf));
    if (s) o->updated_at = s;
  }
}

int agg_row_pack_state(const agg_row_t *r, uint8_t **out, size_t *len, trin_err_t *err) {
  trin_arena_t ar = TRIN_ARENA_INIT;
  Trin__Aggregator__StatusRow row;
  agg_row_to_proto(r, &ar, &row);
  Trin__Aggregator__RowState st = TRIN__AGGREGATOR__ROW_STATE__INIT;
  st.row = &row;
  st.client_org_id = nz(r->client_org_id);
  st.survey_id = nz(r->survey_id);
  st.survey_round = r->survey_round;
  st.survey_closes = nz(r->survey_closes);
  st.scale_min = r->scale_min;
  st.scale_max = r->scale_max;
  st.alerts = r->alerts;
  st.n_alerts = r->nalerts;
  st.lifecycle_known = (r->has & AGG_HAS_LIFECYCLE) != 0;
  st.budget_known = (r->has & AGG_HAS_BUDGET) != 0;
  st.survey_known = (r->has & AGG_HAS_SURVEY) != 0;
  int rc = ar.failed ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory")
                     : trin_codec_pack(&st.base, out, len, err);
  trin_arena_reset(&ar);
  return rc;
}

void agg_row_set_str(char **field, const char *v, bool *changed) {
  if (!v || !*v) v = NULL;
  if (!*field && !v) return;
  if (*field && v && strcmp(*field, v) == 0) return;
  char *copy = v ? strdup(v) : NULL;
  if (v && !copy) return;
  free(*field);
  *field = copy;
  *changed = true;
}

void agg_row_set_i32(int32_t *field, int32_t v, bool *changed) {
  if (*field != v) {
    *field = v;
    *changed = true;
  }
}

void agg_row_set_i64(int64_t *field, int64_t v, bool *changed) {
  if (*field != v) {
    *field = v;
    *changed = true;
  }
}

void agg_row_set_bool(bool *field, bool v, bool *changed) {
  if (*field != v) {
    *field = v;
    *changed = true;
  }
}

void agg_row_set_has(agg_row_t *r, uint32_t bit, bool on, bool *changed) {
  bool now = (r->has & bit) != 0;
  if (now == on) return;
  if (on) r->has |= bit;
  else r->has &= ~bit;
  *changed = true;
}

void agg_row_set_date(trin_date_t *field, const char *text, bool *changed) {
  trin_date_t d = TRIN_DATE_NONE;
  if (text && *text && trin_date_parse(text, &d, "date", NULL) != TRIN_OK) d = TRIN_DATE_NONE;
  if (*field != d) {
    *field = d;
    *changed = true;
  }
}
