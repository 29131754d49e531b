/* agg_lifecycle_events — see agg_lifecycle_events.h. */
#include "agg_lifecycle_events.h"

#include <string.h>

#include "trin/lifecycle.pb-c.h"

/* Earned value's inputs of a milestone_set (issue 20 item 1). */
static int apply_milestone(agg_row_t *row, const Trin__Lifecycle__Milestone *m, bool *ch) {
  if (!m) return TRIN_OK;
  agg_ev_milestone_t ms = {.baseline = TRIN_DATE_NONE,
                           .has_planned_cost = m->has_planned_cost_ore,
                           .planned_cost_ore = m->has_planned_cost_ore ? m->planned_cost_ore : 0,
                           .has_percent = m->has_percent_complete_bp,
                           .percent_bp = m->has_percent_complete_bp ? m->percent_complete_bp : 0};
  agg_row_set_date(&ms.baseline, m->baseline, ch);
  return agg_row_set_ev_milestone(row, m->name, &ms, ch);
}

/* Sustainability and reuse (issue 20, item 3): the project's totals as the
 * lifecycle computed them; a payload without them (an older lifecycle)
 * reads as no measures. */
static void apply_sustainability(agg_row_t *row, const Trin__Lifecycle__SustainabilityTotals *t,
                                 bool *ch) {
  static const Trin__Lifecycle__SustainabilityTotals none =
      TRIN__LIFECYCLE__SUSTAINABILITY_TOTALS__INIT;
  if (!t) t = &none;
  agg_row_set_i32(&row->sustain_measures, t->measures, ch);
  agg_row_set_i64(&row->reused_kg, t->reused_kg, ch);
  agg_row_set_i64(&row->reused_between_kg, t->reused_between_projects_kg, ch);
  agg_row_set_i32(&row->energy_saving_x100, t->energy_saving_measured_kwh_m2_x100, ch);
  agg_row_set_i32(&row->energy_expected_x100, t->energy_saving_expected_kwh_m2_x100, ch);
  agg_row_set_i64(&row->energy_saved_kwh, t->energy_saved_kwh, ch);
  agg_row_set_i32(&row->co2e_x100, t->co2e_saving_kg_m2_x100, ch);
  uint8_t has = (uint8_t)((t->has_energy_measured ? AGG_SUSTAIN_HAS_ENERGY : 0) |
                          (t->has_energy_expected ? AGG_SUSTAIN_HAS_EXPECTED : 0) |
                          (t->has_energy_saved ? AGG_SUSTAIN_HAS_SAVED : 0) |
                          (t->has_co2e ? AGG_SUSTAIN_HAS_CO2E : 0));
  if (has != row->sustain_has) {
    row->sustain_has = has;
    *ch = true;
  }
}

static int apply_project(agg_rows_t *r, const Trin__Lifecycle__ProjectEvent *pe,
                         trin_time_t when, bool *membership) {
  const Trin__Lifecycle__Project *p = pe->project;
  if (!p || !p->id || !*p->id) return TRIN_OK;
  bool added;
  agg_row_t *row = agg_rows_get(r, p->id, &added);
  if (!row) return TRIN_EINTERNAL;
  /* Without a client in the payload, access falls back on the event's org:
   * always worth recording then. */
  bool ch = false, mch = added || !p->client_org || !*p->client_org;
  agg_row_set_has(row, AGG_HAS_LIFECYCLE, true, &ch);
  agg_row_set_str(&row->project_name, p->name, &ch);
  agg_row_set_str(&row->partnership_id, p->partnership_id, &mch);
  agg_row_set_str(&row->partnership_name, agg_rows_partnership_name(r, p->partnership_id), &ch);
  agg_row_set_str(&row->client_org_id, p->client_org, &mch);
  *membership = mch;
  ch |= mch;
  agg_row_set_str(&row->client_org, agg_rows_org_name(r, p->client_org), &ch);
  agg_row_set_str(&row->municipality, p->municipality, &ch);
  agg_row_set_str(&row->kind, p->kind, &ch);
  agg_row_set_bool(&row->fast_track, p->fast_track, &ch);
  agg_row_set_i32(&row->dwellings, p->dwellings, &ch);
  agg_row_set_str(&row->stage, p->stage, &ch);
  agg_row_set_date(&row->stage_since, p->stage_since, &ch);
  agg_row_set_bool(&row->paused, p->paused, &ch);
  agg_row_set_str(&row->pause_reason, p->paused ? p->pause_reason : NULL, &ch);
  agg_row_set_date(&row->baseline_handover, p->baseline_handover, &ch);
  agg_row_set_date(&row->forecast_handover, p->forecast_handover, &ch);
  bool var = row->baseline_handover != TRIN_DATE_NONE;
  agg_row_set_has(row, AGG_HAS_VARIANCE, var, &ch);
  agg_row_set_i32(&row->schedule_variance_days, var ? p->schedule_variance_days : 0, &ch);
  agg_row_set_i32(&row->open_disputes, p->open_disputes, &ch);
  agg_row_set_i32(&row->max_dispute_level, p->max_dispute_level, &ch);
  agg_row_set_i32(&row->open_defects, p->open_defects, &ch);
  /* Rehousing: empty until a plan is recorded, never a guessed 0. */
  bool rh = p->rehousing_planned;
  agg_row_set_has(row, AGG_HAS_REHOUSING, rh, &ch);
  agg_row_set_bool(&row->without_rehousing, rh && p->without_rehousing, &ch);
  agg_row_set_i32(&row->households_to_rehouse, rh ? p->households_to_rehouse : 0, &ch);
  agg_row_set_i32(&row->households_rehoused,
                  rh ? p->households_rehoused_temporary + p->households_rehoused_permanent : 0,
                  &ch);
  agg_row_set_i32(&row->households_rehoused_permanent, rh ? p->households_rehoused_permanent : 0,
                  &ch);
  agg_row_set_i32(&row->households_moved_back, rh ? p->households_moved_back : 0, &ch);
  agg_row_set_date(&row->last_moved_back_on, rh ? p->last_moved_back_on : NULL, &ch);
  /* AB18 deadlines (item 6): the inspection next owed is the 1-year one
   * until it is held (it always falls before the 5-year one). */
  agg_row_set_date(&row->next_deadline, p->next_deadline, &ch);
  agg_row_set_str(&row->next_deadline_kind, p->next_deadline_kind, &ch);
  agg_row_set_date(&row->arbitration_deadline, p->arbitration_deadline, &ch);
  const char *owed = p->inspection_1y_held && *p->inspection_1y_held ? NULL
                                                                     : p->inspection_1y_due;
  if (!owed && !(p->inspection_5y_held && *p->inspection_5y_held)) owed = p->inspection_5y_due;
  agg_row_set_date(&row->inspection_due, owed, &ch);
  agg_row_set_date(&row->start_date, p->start_date, &ch);
  int rc = apply_milestone(row, pe->milestone, &ch);
  apply_sustainability(row, p->sustainability, &ch);
  agg_row_set_i32(&row->lessons, p->lessons, &ch); /* issue 20, item 5 */
  agg_row_set_i32(&row->lessons_adopted, p->lessons_adopted, &ch);
  agg_rows_finish(r, row, ch, when);
  return rc;
}

static const ProtobufCMessageDescriptor *const PAYLOADS[] = {
    &trin__lifecycle__project_event__descriptor, &trin__lifecycle__partnership__descriptor,
    &trin__lifecycle__organisation__descriptor};

int agg_lifecycle_events_apply(agg_rows_t *r, const Trin__Event *ev, trin_time_t when,
                               bool *membership, trin_err_t *err) {
  const ProtobufCMessageDescriptor *d = agg_rows_payload_of(ev, PAYLOADS, 3);
  ProtobufCMessage *m = NULL;
  int rc = d ? agg_rows_decode(r, ev, d, &m, err) : TRIN_OK;
  if (rc || !m) return rc;
  if (d == &trin__lifecycle__project_event__descriptor) {
    rc = apply_project(r, (const Trin__Lifecycle__ProjectEvent *)m, when, membership);
  } else if (d == &trin__lifecycle__partnership__descriptor) {
    const Trin__Lifecycle__Partnership *p = (const void *)m;
    *membership = true;
    rc = agg_rows_set_name(r, true, p->id, p->name, p->client_org, when);
  } else {
    const Trin__Lifecycle__Organisation *o = (const void *)m;
    rc = agg_rows_set_name(r, false, o->id, o->name, NULL, when);
  }
  agg_rows_decoded_done(r);
  return rc;
}
