/* agg_rows — see agg_rows.h.
 *
 * Rows live in one array (insertion order) with an index on project_id
 * (trin_strmap: each key is the row's own project_id, which never changes
 * and lives as long as the row); names of partnerships and organisations in
 * a small array. What each
 * upstream event means for the rows is in agg_<service>_events. */
#include "agg_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin_codec.h"
#include "trin_strmap.h"

/* ---- the table ------------------------------------------------------------------ */

struct agg_rows {
  agg_thresholds_t t;
  agg_row_t **rows;
  size_t n, cap;
  trin_strmap_t index;  /* project_id (the row's own) -> index in rows */
  agg_row_t **sorted;
  bool sorted_ok;
  agg_row_t **dirty;
  size_t ndirty, capdirty;
  agg_name_t **names;
  size_t nnames, capnames;
  agg_name_t **dirty_names;
  size_t ndirty_names;
  uint64_t max_seq;
  trin_date_t today;     /* the day earned value's PV is for (UTC) */
  trin_arena_t scratch;  /* the payload being applied, rewound after each */
};

agg_rows_t *agg_rows_new(const agg_thresholds_t *t) {
  agg_rows_t *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  if (t) r->t = *t;
  else agg_thresholds_default(&r->t);
  r->today = trin_date_today();
  return r;
}

static void row_free(agg_row_t *r) {
  free(r->project_id);
  free(r->project_name);
  free(r->partnership_id);
  free(r->partnership_name);
  free(r->client_org);
  free(r->client_org_id);
  free(r->municipality);
  free(r->kind);
  free(r->stage);
  free(r->pause_reason);
  free(r->satisfaction_trend);
  free(r->survey_id);
  free(r->survey_closes);
  free(r->next_deadline_kind);
  for (uint32_t i = 0; i < r->nalerts; i++) free(r->alerts[i]);
  free(r->alerts);
  for (uint32_t i = 0; i < r->nev_ms; i++) free(r->ev_ms_names[i]);
  free(r->ev_ms_names);
  free(r->ev_ms);
  free(r);
}

static void name_free(agg_name_t *n) {
  free(n->id);
  free(n->name);
  free(n->client_org);
  free(n);
}

void agg_rows_destroy(agg_rows_t **rp) {
  if (!rp || !*rp) return;
  agg_rows_t *r = *rp;
  *rp = NULL;
  for (size_t i = 0; i < r->n; i++) row_free(r->rows[i]);
  for (size_t i = 0; i < r->nnames; i++) name_free(r->names[i]);
  free(r->rows);
  trin_strmap_free(&r->index);
  free(r->sorted);
  free(r->dirty);
  free(r->names);
  free(r->dirty_names);
  trin_arena_reset(&r->scratch);
  free(r);
}

size_t agg_rows_count(const agg_rows_t *r) { return r->n; }
agg_row_t *agg_rows_at(agg_rows_t *r, size_t i) { return i < r->n ? r->rows[i] : NULL; }
uint64_t agg_rows_max_seq(const agg_rows_t *r) { return r->max_seq; }
void agg_rows_note_seq(agg_rows_t *r, uint64_t seq) {
  if (seq > r->max_seq) r->max_seq = seq;
}

agg_row_t *agg_rows_find(agg_rows_t *r, const char *id) {
  int32_t i = trin_strmap_get(&r->index, id);
  return i < 0 ? NULL : r->rows[i];
}

static agg_row_t *row_add(agg_rows_t *r, const char *id) {
  if (r->n == r->cap) {
    size_t nc = r->cap ? r->cap * 2 : 256;
    agg_row_t **p = realloc(r->rows, nc * sizeof *p);
    if (!p) return NULL;
    r->rows = p;
    r->cap = nc;
  }
  if (r->n >= INT32_MAX) return NULL;
  agg_row_t *row = calloc(1, sizeof *row);
  if (!row || !(row->project_id = strdup(id)) ||
      trin_strmap_put(&r->index, row->project_id, (int32_t)r->n) != 0) {
    if (row) free(row->project_id);
    free(row);
    return NULL;
  }
  row->stage_since = row->baseline_handover = row->forecast_handover = TRIN_DATE_NONE;
  row->last_moved_back_on = TRIN_DATE_NONE;
  row->next_deadline = row->arbitration_deadline = row->inspection_due = TRIN_DATE_NONE;
  row->start_date = TRIN_DATE_NONE;
  r->rows[r->n++] = row;
  r->sorted_ok = false;
  return row;
}

static int cmp_id(const void *a, const void *b) {
  return strcmp((*(agg_row_t *const *)a)->project_id, (*(agg_row_t *const *)b)->project_id);
}

agg_row_t **agg_rows_sorted(agg_rows_t *r) {
  if (!r->sorted_ok) {
    agg_row_t **p = realloc(r->sorted, (r->n ? r->n : 1) * sizeof *p);
    if (!p) return NULL;
    r->sorted = p;
    if (r->n) memcpy(p, r->rows, r->n * sizeof *p);
    qsort(p, r->n, sizeof *p, cmp_id);
    r->sorted_ok = true;
  }
  return r->sorted;
}

static void mark_dirty(agg_rows_t *r, agg_row_t *row) {
  if (row->dirty) return;
  if (r->ndirty == r->capdirty) {
    size_t nc = r->capdirty ? r->capdirty * 2 : 256;
    agg_row_t **p = realloc(r->dirty, nc * sizeof *p);
    if (!p) return; /* the row is still changed in memory; it goes out with its next change */
    r->dirty = p;
    r->capdirty = nc;
  }
  row->dirty = true;
  r->dirty[r->ndirty++] = row;
}

bool agg_rows_has_dirty(const agg_rows_t *r) { return r->ndirty || r->ndirty_names; }

size_t agg_rows_take_dirty(agg_rows_t *r, agg_row_t ***out) {
  size_t n = r->ndirty;
  for (size_t i = 0; i < n; i++) r->dirty[i]->dirty = false;
  *out = r->dirty;
  r->ndirty = 0;
  return n;
}

static agg_name_t *name_find(agg_rows_t *r, bool partnership, const char *id) {
  for (size_t i = 0; i < r->nnames; i++)
    if (r->names[i]->partnership == partnership && strcmp(r->names[i]->id, id) == 0)
      return r->names[i];
  return NULL;
}

static agg_name_t *name_put(agg_rows_t *r, bool partnership, const char *id, const char *name,
                            const char *client_org, bool *changed) {
  agg_name_t *n = name_find(r, partnership, id);
  if (!n) {
    if (r->nnames == r->capnames) {
      size_t nc = r->capnames ? r->capnames * 2 : 32;
      agg_name_t **p = realloc(r->names, nc * sizeof *p);
      if (!p) return NULL;
      r->names = p;
      r->capnames = nc;
      agg_name_t **d = realloc(r->dirty_names, nc * sizeof *d);
      if (!d) return NULL;
      r->dirty_names = d;
    }
    n = calloc(1, sizeof *n);
    if (!n || !(n->id = strdup(id))) {
      free(n);
      return NULL;
    }
    n->partnership = partnership;
    r->names[r->nnames++] = n;
  }
  agg_row_set_str(&n->name, name, changed);
  agg_row_set_str(&n->client_org, client_org, changed);
  return n;
}

int agg_rows_load_name(agg_rows_t *r, bool partnership, const char *id, const char *name,
                       const char *client_org) {
  bool changed = false;
  return name_put(r, partnership, id, name, client_org, &changed) ? TRIN_OK : TRIN_EINTERNAL;
}

static void name_dirty(agg_rows_t *r, agg_name_t *n) {
  if (n->dirty) return;
  n->dirty = true;
  r->dirty_names[r->ndirty_names++] = n;
}

size_t agg_rows_take_dirty_names(agg_rows_t *r, agg_name_t ***out) {
  size_t n = r->ndirty_names;
  for (size_t i = 0; i < n; i++) r->dirty_names[i]->dirty = false;
  *out = r->dirty_names;
  r->ndirty_names = 0;
  return n;
}

const char *agg_rows_org_name(agg_rows_t *r, const char *id) {
  if (!id || !*id) return NULL;
  agg_name_t *n = name_find(r, false, id);
  return n && n->name ? n->name : id;
}

const char *agg_rows_partnership_name(agg_rows_t *r, const char *id) {
  if (!id || !*id) return NULL;
  agg_name_t *n = name_find(r, true, id);
  return n ? n->name : NULL;
}

void agg_rows_finish(agg_rows_t *r, agg_row_t *row, bool changed, trin_time_t when) {
  if (!changed) return;
  agg_deadlines_compute(row, r->today, &r->t);
  agg_row_compute_ev(row, r->today, &changed);
  agg_rag_compute(row, &r->t);
  row->updated_at = when;
  mark_dirty(r, row);
}

trin_date_t agg_rows_today(const agg_rows_t *r) { return r->today; }

size_t agg_rows_set_today(agg_rows_t *r, trin_date_t today, trin_time_t when) {
  r->today = today;
  size_t n = 0;
  for (size_t i = 0; i < r->n; i++) {
    agg_row_t *row = r->rows[i];
    bool ch = agg_deadlines_compute(row, today, &r->t);
    agg_row_compute_ev(row, today, &ch);
    if (!ch) continue;
    agg_rag_compute(row, &r->t);
    row->updated_at = when;
    mark_dirty(r, row);
    n++;
  }
  return n;
}

agg_row_t *agg_rows_get(agg_rows_t *r, const char *project_id, bool *added) {
  if (added) *added = false;
  if (!project_id || !*project_id) return NULL;
  agg_row_t *row = agg_rows_find(r, project_id);
  if (row) return row;
  if (added) *added = true;
  return row_add(r, project_id);
}

int agg_rows_set_name(agg_rows_t *r, bool partnership, const char *id, const char *name,
                      const char *client_org, trin_time_t when) {
  if (!id || !*id) return TRIN_OK;
  bool nch = false;
  agg_name_t *n = name_put(r, partnership, id, name, client_org, &nch);
  if (!n) return TRIN_EINTERNAL;
  if (!nch) return TRIN_OK;
  name_dirty(r, n);
  for (size_t i = 0; i < r->n; i++) {
    agg_row_t *row = r->rows[i];
    const char *of = partnership ? row->partnership_id : row->client_org_id;
    if (!of || strcmp(of, id) != 0) continue;
    bool ch = false;
    if (partnership) agg_row_set_str(&row->partnership_name, n->name, &ch);
    else agg_row_set_str(&row->client_org, agg_rows_org_name(r, id), &ch);
    agg_rows_finish(r, row, ch, when);
  }
  return TRIN_OK;
}

const ProtobufCMessageDescriptor *agg_rows_payload_of(const Trin__Event *ev,
                                                      const ProtobufCMessageDescriptor *const *ds,
                                                      size_t n) {
  for (size_t i = 0; ev->payload_type && i < n; i++)
    if (strcmp(ev->payload_type, ds[i]->name) == 0) return ds[i];
  return NULL;
}

int agg_rows_decode(agg_rows_t *r, const Trin__Event *ev, const ProtobufCMessageDescriptor *d,
                    ProtobufCMessage **out, trin_err_t *err) {
  int rc = trin_codec_unpack_in(&r->scratch, d, ev->payload.data, ev->payload.len, "payload", out,
                                err);
  if (rc) trin_arena_rewind(&r->scratch);
  return rc;
}

void agg_rows_decoded_done(agg_rows_t *r) { trin_arena_rewind(&r->scratch); }

int agg_rows_load_state(agg_rows_t *r, const uint8_t *data, size_t len, trin_err_t *err) {
  Trin__Aggregator__RowState *st = NULL;
  int rc = trin_codec_unpack(&trin__aggregator__row_state__descriptor, data, len, "row",
                             (ProtobufCMessage **)&st, err);
  if (rc) return rc;
  const Trin__Aggregator__StatusRow *o = st->row;
  if (!o || !o->project_id || !*o->project_id || agg_rows_find(r, o->project_id)) {
    trin_codec_free(st);
    return trin_err_set(err, TRIN_EINVALID, "row", "a stored row has no or a repeated project_id");
  }
  agg_row_t *row = row_add(r, o->project_id);
  if (!row) {
    trin_codec_free(st);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  bool ch = false;
  agg_row_set_str(&row->project_name, o->project_name, &ch);
  agg_row_set_str(&row->partnership_id, o->partnership_id, &ch);
  agg_row_set_str(&row->partnership_name, o->partnership_name, &ch);
  agg_row_set_str(&row->client_org, o->client_org, &ch);
  agg_row_set_str(&row->client_org_id, st->client_org_id, &ch);
  agg_row_set_str(&row->municipality, o->municipality, &ch);
  agg_row_set_str(&row->kind, o->kind, &ch);
  row->fast_track = o->fast_track;
  row->dwellings = o->dwellings;
  agg_row_set_str(&row->stage, o->stage, &ch);
  agg_row_set_date(&row->stage_since, o->stage_since, &ch);
  row->paused = o->paused;
  agg_row_set_str(&row->pause_reason, o->pause_reason, &ch);
  agg_row_set_date(&row->baseline_handover, o->baseline_handover, &ch);
  agg_row_set_date(&row->forecast_handover, o->forecast_handover, &ch);
  row->schedule_variance_days = o->schedule_variance_days;
  row->budget_a_ore = o->budget_a_ore;
  row->budget_b_ore = o->budget_b_ore;
  row->forecast_ore = o->forecast_ore;
  row->drift_bp = o->drift_bp;
  row->market_drift_bp = o->market_adjusted_drift_bp;
  row->molio_compliant = o->molio_compliant;
  row->satisfaction_x100 = o->satisfaction_x100;
  agg_row_set_str(&row->satisfaction_trend, o->satisfaction_trend, &ch);
  row->satisfaction_alert = o->satisfaction_alert;
  row->open_disputes = o->open_disputes;
  row->max_dispute_level = o->max_dispute_level;
  row->open_defects = o->open_defects;
  row->without_rehousing = o->without_rehousing;
  row->households_to_rehouse = o->households_to_rehouse;
  row->households_rehoused = o->households_rehoused;
  row->households_rehoused_permanent = o->households_rehoused_permanent;
  row->households_moved_back = o->households_moved_back;
  agg_row_set_date(&row->last_moved_back_on, o->last_moved_back_on, &ch);
  agg_row_set_date(&row->next_deadline, o->next_deadline, &ch);
  agg_row_set_str(&row->next_deadline_kind, o->next_deadline_kind, &ch);
  agg_row_set_date(&row->arbitration_deadline, o->arbitration_deadline, &ch);
  row->arbitration_deadline_near = o->arbitration_deadline_near;
  agg_row_set_date(&row->inspection_due, o->inspection_due, &ch);
  row->inspection_overdue = o->inspection_overdue;
  row->has = (st->lifecycle_known ? AGG_HAS_LIFECYCLE : 0) |
             (o->has_schedule_variance_days ? AGG_HAS_VARIANCE : 0) |
             (o->has_budget_a_ore ? AGG_HAS_BUDGET_A : 0) |
             (o->has_budget_b_ore ? AGG_HAS_BUDGET_B : 0) |
             (o->has_forecast_ore ? AGG_HAS_FORECAST : 0) |
             (o->has_drift_bp ? AGG_HAS_DRIFT : 0) |
             (o->has_market_adjusted_drift_bp ? AGG_HAS_MARKET_DRIFT : 0) |
             (o->has_molio_compliant ? AGG_HAS_MOLIO : 0) |
             (o->has_satisfaction_x100 ? AGG_HAS_SATISFACTION : 0) |
             (st->survey_known ? AGG_HAS_SURVEY : 0) | (st->budget_known ? AGG_HAS_BUDGET : 0) |
             (o->has_without_rehousing ? AGG_HAS_REHOUSING : 0);
  row->has |= (o->has_spi_x100 ? AGG_HAS_SPI : 0) | (o->has_cpi_x100 ? AGG_HAS_CPI : 0) |
              (o->has_eac_ore ? AGG_HAS_EAC : 0);
  row->spi_x100 = o->spi_x100;
  row->cpi_x100 = o->cpi_x100;
  row->eac_ore = o->eac_ore;
  row->vac_ore = o->vac_ore;
  agg_row_set_date(&row->start_date, st->start_date, &ch);
  row->actual_cost_ore = st->actual_cost_ore;
  for (size_t i = 0; i < st->n_ev_milestones; i++) {
    const Trin__Aggregator__EvMilestone *m = st->ev_milestones[i];
    agg_ev_milestone_t ms = {.has_planned_cost = m->has_planned_cost_ore,
                             .planned_cost_ore = m->planned_cost_ore,
                             .has_percent = m->has_percent_complete_bp,
                             .percent_bp = m->percent_complete_bp,
                             .baseline = TRIN_DATE_NONE};
    agg_row_set_date(&ms.baseline, m->baseline, &ch);
    if (agg_row_set_ev_milestone(row, m->name, &ms, &ch)) {
      trin_codec_free(st);
      return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    }
  }
  /* sustainability and reuse (issue 20, item 3) */
  row->sustain_measures = o->sustainability_measures;
  row->reused_kg = o->reused_kg;
  row->reused_between_kg = o->reused_between_projects_kg;
  row->energy_saving_x100 = o->energy_saving_kwh_m2_x100;
  row->energy_expected_x100 = o->energy_saving_expected_kwh_m2_x100;
  row->energy_saved_kwh = o->energy_saved_kwh;
  row->co2e_x100 = o->co2e_saving_kg_m2_x100;
  row->lessons = o->lessons; /* issue 20, item 5 */
  row->lessons_adopted = o->lessons_adopted;
  row->sustain_has =
      (uint8_t)((o->has_energy_saving_kwh_m2_x100 ? AGG_SUSTAIN_HAS_ENERGY : 0) |
                (o->has_energy_saving_expected_kwh_m2_x100 ? AGG_SUSTAIN_HAS_EXPECTED : 0) |
                (o->has_energy_saved_kwh ? AGG_SUSTAIN_HAS_SAVED : 0) |
                (o->has_co2e_saving_kg_m2_x100 ? AGG_SUSTAIN_HAS_CO2E : 0));
  row->rag_time = (uint8_t)agg_rag_parse(o->rag_time);
  row->rag_economy = (uint8_t)agg_rag_parse(o->rag_economy);
  row->rag_satisfaction = (uint8_t)agg_rag_parse(o->rag_satisfaction);
  row->rag_overall = (uint8_t)agg_rag_parse(o->rag_overall);
  row->seq = o->seq;
  if (o->updated_at && *o->updated_at) trin_time_parse(o->updated_at, &row->updated_at, "t", NULL);
  agg_row_set_str(&row->survey_id, st->survey_id, &ch);
  agg_row_set_str(&row->survey_closes, st->survey_closes, &ch);
  row->survey_round = st->survey_round;
  row->scale_min = st->scale_min;
  row->scale_max = st->scale_max;
  if (st->n_alerts) {
    row->alerts = calloc(st->n_alerts, sizeof *row->alerts);
    for (size_t i = 0; row->alerts && i < st->n_alerts; i++)
      if ((row->alerts[row->nalerts] = strdup(st->alerts[i]))) row->nalerts++;
  }
  if (row->seq > r->max_seq) r->max_seq = row->seq;
  trin_codec_free(st);
  return TRIN_OK;
}
