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
  bool rh = (r->has & AGG_HAS_REHOUSING) != 0;
  o->has_without_rehousing = o->has_households_to_rehouse = o->has_households_rehoused = rh;
  o->has_households_rehoused_permanent = o->has_households_moved_back = rh;
  o->without_rehousing = r->without_rehousing;
  o->households_to_rehouse = r->households_to_rehouse;
  o->households_rehoused = r->households_rehoused;
  o->households_rehoused_permanent = r->households_rehoused_permanent;
  o->households_moved_back = r->households_moved_back;
  o->last_moved_back_on = date_text(ar, r->last_moved_back_on);
  o->next_deadline = date_text(ar, r->next_deadline);
  o->next_deadline_kind = nz(r->next_deadline_kind);
  o->arbitration_deadline = date_text(ar, r->arbitration_deadline);
  o->has_arbitration_deadline_near = o->has_inspection_overdue = lc;
  o->arbitration_deadline_near = r->arbitration_deadline_near;
  o->inspection_due = date_text(ar, r->inspection_due);
  o->inspection_overdue = r->inspection_overdue;
  o->has_spi_x100 = (r->has & AGG_HAS_SPI) != 0;
  o->spi_x100 = r->spi_x100;
  o->has_cpi_x100 = (r->has & AGG_HAS_CPI) != 0;
  o->cpi_x100 = r->cpi_x100;
  o->has_eac_ore = o->has_vac_ore = (r->has & AGG_HAS_EAC) != 0;
  o->eac_ore = r->eac_ore;
  o->vac_ore = r->vac_ore;
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
  /* lessons learned (issue 20, item 5) */
  o->has_lessons = o->has_lessons_adopted = lc;
  o->lessons = r->lessons;
  o->lessons_adopted = r->lessons_adopted;
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
  st.start_date = date_text(&ar, r->start_date);
  st.actual_cost_ore = r->actual_cost_ore;
  Trin__Aggregator__EvMilestone *ms = NULL, **msp = NULL;
  if (r->nev_ms) {
    ms = trin_arena_alloc(&ar, r->nev_ms * sizeof *ms);
    msp = trin_arena_alloc(&ar, r->nev_ms * sizeof *msp);
  }
  for (uint32_t i = 0; ms && msp && i < r->nev_ms; i++) {
    trin__aggregator__ev_milestone__init(&ms[i]);
    ms[i].name = r->ev_ms_names[i];
    ms[i].baseline = date_text(&ar, r->ev_ms[i].baseline);
    ms[i].has_planned_cost_ore = r->ev_ms[i].has_planned_cost;
    ms[i].planned_cost_ore = r->ev_ms[i].planned_cost_ore;
    ms[i].has_percent_complete_bp = r->ev_ms[i].has_percent;
    ms[i].percent_complete_bp = r->ev_ms[i].percent_bp;
    msp[i] = &ms[i];
  }
  if (msp) {
    st.ev_milestones = msp;
    st.n_ev_milestones = r->nev_ms;
  }
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

int agg_row_set_ev_milestone(agg_row_t *r, const char *name, const agg_ev_milestone_t *m,
                             bool *changed) {
  if (!name || !*name) return TRIN_OK;
  uint32_t i = 0;
  while (i < r->nev_ms && strcmp(r->ev_ms_names[i], name) != 0) i++;
  if (i == r->nev_ms) {
    if (r->nev_ms >= AGG_ROW_MAX_MILESTONES) return TRIN_OK;
    char **names = realloc(r->ev_ms_names, (r->nev_ms + 1) * sizeof *names);
    if (!names) return TRIN_EINTERNAL;
    r->ev_ms_names = names;
    agg_ev_milestone_t *ms = realloc(r->ev_ms, (r->nev_ms + 1) * sizeof *ms);
    if (!ms) return TRIN_EINTERNAL;
    r->ev_ms = ms;
    if (!(names[i] = strdup(name))) return TRIN_EINTERNAL;
    r->nev_ms++;
    r->ev_ms[i] = *m;
    *changed = true;
    return TRIN_OK;
  }
  const agg_ev_milestone_t *o = &r->ev_ms[i];
  if (o->baseline != m->baseline || o->has_planned_cost != m->has_planned_cost ||
      o->planned_cost_ore != m->planned_cost_ore || o->has_percent != m->has_percent ||
      o->percent_bp != m->percent_bp) {
    r->ev_ms[i] = *m;
    *changed = true;
  }
  return TRIN_OK;
}

void agg_row_compute_ev(agg_row_t *r, trin_date_t day, bool *changed) {
  agg_ev_t ev;
  if (r->nev_ms) {
    agg_ev_input_t in = {.bac_ore = agg_bac_ore(r),
                         .ac_ore = r->actual_cost_ore,
                         .start = r->start_date,
                         .handover = r->baseline_handover,
                         .ms = r->ev_ms,
                         .nms = r->nev_ms,
                         .as_of = day};
    agg_ev_compute(&in, &ev);
  } else {
    ev = (agg_ev_t){0}; /* no milestone, no percent reported: nothing earned */
  }
  agg_row_set_has(r, AGG_HAS_SPI, ev.has_spi, changed);
  agg_row_set_i32(&r->spi_x100, ev.has_spi ? ev.spi_x100 : 0, changed);
  agg_row_set_has(r, AGG_HAS_CPI, ev.has_cpi, changed);
  agg_row_set_i32(&r->cpi_x100, ev.has_cpi ? ev.cpi_x100 : 0, changed);
  agg_row_set_has(r, AGG_HAS_EAC, ev.has_eac, changed);
  agg_row_set_i64(&r->eac_ore, ev.has_eac ? ev.eac_ore : 0, changed);
  agg_row_set_i64(&r->vac_ore, ev.has_eac ? ev.vac_ore : 0, changed);
}
