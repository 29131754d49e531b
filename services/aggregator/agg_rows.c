/* agg_rows — see agg_rows.h.
 *
 * Rows live in one array (insertion order) with a hash index on project_id;
 * names of partnerships and organisations in a small array. Every setter
 * compares before it writes, so an event that repeats what a row already
 * says changes nothing and does not bump the row's seq. */
#include "agg_rows.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin/budget.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin/survey.pb-c.h"
#include "trin_codec.h"

const agg_column_t AGG_COLUMNS[AGG_NCOLS] = {
    {"project_id", AGG_T_STRING, "lifecycle"},
    {"project_name", AGG_T_STRING, "lifecycle"},
    {"partnership_id", AGG_T_STRING, "lifecycle"},
    {"partnership_name", AGG_T_STRING, "lifecycle"},
    {"client_org", AGG_T_STRING, "lifecycle"},
    {"municipality", AGG_T_STRING, "lifecycle"},
    {"kind", AGG_T_STRING, "lifecycle"},
    {"fast_track", AGG_T_BOOL, "lifecycle"},
    {"dwellings", AGG_T_INT32, "lifecycle"},
    {"stage", AGG_T_STRING, "lifecycle"},
    {"stage_since", AGG_T_DATE, "lifecycle"},
    {"paused", AGG_T_BOOL, "lifecycle"},
    {"pause_reason", AGG_T_STRING, "lifecycle"},
    {"baseline_handover", AGG_T_DATE, "lifecycle"},
    {"forecast_handover", AGG_T_DATE, "lifecycle"},
    {"schedule_variance_days", AGG_T_INT32, "lifecycle"},
    {"budget_a_dkk", AGG_T_DEC2, "budget"},
    {"budget_b_dkk", AGG_T_DEC2, "budget"},
    {"forecast_dkk", AGG_T_DEC2, "budget"},
    {"drift_pct", AGG_T_DEC2, "budget"},
    {"market_adjusted_drift_pct", AGG_T_DEC2, "budget"},
    {"molio_compliant", AGG_T_BOOL, "budget"},
    {"satisfaction", AGG_T_DEC2, "survey"},
    {"satisfaction_trend", AGG_T_STRING, "survey"},
    {"satisfaction_alert", AGG_T_BOOL, "survey"},
    {"open_disputes", AGG_T_INT32, "lifecycle"},
    {"max_dispute_level", AGG_T_INT32, "lifecycle"},
    {"open_defects", AGG_T_INT32, "lifecycle"},
    {"rag_time", AGG_T_STRING, "aggregator"},
    {"rag_economy", AGG_T_STRING, "aggregator"},
    {"rag_satisfaction", AGG_T_STRING, "aggregator"},
    {"rag_overall", AGG_T_STRING, "aggregator"},
    {"seq", AGG_T_INT64, "aggregator"},
    {"updated_at", AGG_T_TIME, "aggregator"},
};

int agg_column_find(const char *name, size_t len) {
  for (int i = 0; i < AGG_NCOLS; i++)
    if (strlen(AGG_COLUMNS[i].name) == len && memcmp(AGG_COLUMNS[i].name, name, len) == 0)
      return i;
  return -1;
}

const char *agg_rag_name(agg_rag_t r) {
  switch (r) {
    case AGG_RAG_GREEN: return "green";
    case AGG_RAG_AMBER: return "amber";
    case AGG_RAG_RED: return "red";
    default: return "";
  }
}

static void v_str(agg_value_t *v, const char *s) {
  v->null = !s || !*s;
  v->s = s ? s : "";
}
static void v_num(agg_value_t *v, bool present, int64_t i) {
  v->null = !present;
  v->i = i;
}

void agg_row_get(const agg_row_t *r, agg_col_t col, agg_value_t *v) {
  *v = (agg_value_t){.null = true, .s = ""};
  bool lc = r->has & AGG_HAS_LIFECYCLE;
  switch (col) {
    case AGG_COL_PROJECT_ID: v_str(v, r->project_id); break;
    case AGG_COL_PROJECT_NAME: v_str(v, r->project_name); break;
    case AGG_COL_PARTNERSHIP_ID: v_str(v, r->partnership_id); break;
    case AGG_COL_PARTNERSHIP_NAME: v_str(v, r->partnership_name); break;
    case AGG_COL_CLIENT_ORG: v_str(v, r->client_org); break;
    case AGG_COL_MUNICIPALITY: v_str(v, r->municipality); break;
    case AGG_COL_KIND: v_str(v, r->kind); break;
    case AGG_COL_FAST_TRACK: v_num(v, lc, r->fast_track); break;
    case AGG_COL_DWELLINGS: v_num(v, lc, r->dwellings); break;
    case AGG_COL_STAGE: v_str(v, r->stage); break;
    case AGG_COL_STAGE_SINCE: v_num(v, r->stage_since != TRIN_DATE_NONE, r->stage_since); break;
    case AGG_COL_PAUSED: v_num(v, lc, r->paused); break;
    case AGG_COL_PAUSE_REASON: v_str(v, r->pause_reason); break;
    case AGG_COL_BASELINE_HANDOVER:
      v_num(v, r->baseline_handover != TRIN_DATE_NONE, r->baseline_handover);
      break;
    case AGG_COL_FORECAST_HANDOVER:
      v_num(v, r->forecast_handover != TRIN_DATE_NONE, r->forecast_handover);
      break;
    case AGG_COL_SCHEDULE_VARIANCE_DAYS:
      v_num(v, r->has & AGG_HAS_VARIANCE, r->schedule_variance_days);
      break;
    case AGG_COL_BUDGET_A_DKK: v_num(v, r->has & AGG_HAS_BUDGET_A, r->budget_a_ore); break;
    case AGG_COL_BUDGET_B_DKK: v_num(v, r->has & AGG_HAS_BUDGET_B, r->budget_b_ore); break;
    case AGG_COL_FORECAST_DKK: v_num(v, r->has & AGG_HAS_FORECAST, r->forecast_ore); break;
    case AGG_COL_DRIFT_PCT: v_num(v, r->has & AGG_HAS_DRIFT, r->drift_bp); break;
    case AGG_COL_MARKET_ADJUSTED_DRIFT_PCT:
      v_num(v, r->has & AGG_HAS_MARKET_DRIFT, r->market_drift_bp);
      break;
    case AGG_COL_MOLIO_COMPLIANT: v_num(v, r->has & AGG_HAS_MOLIO, r->molio_compliant); break;
    case AGG_COL_SATISFACTION:
      v_num(v, r->has & AGG_HAS_SATISFACTION, r->satisfaction_x100);
      break;
    case AGG_COL_SATISFACTION_TREND: v_str(v, r->satisfaction_trend); break;
    case AGG_COL_SATISFACTION_ALERT:
      v_num(v, r->has & AGG_HAS_SURVEY, r->satisfaction_alert);
      break;
    case AGG_COL_OPEN_DISPUTES: v_num(v, lc, r->open_disputes); break;
    case AGG_COL_MAX_DISPUTE_LEVEL: v_num(v, lc, r->max_dispute_level); break;
    case AGG_COL_OPEN_DEFECTS: v_num(v, lc, r->open_defects); break;
    case AGG_COL_RAG_TIME: v_str(v, agg_rag_name(r->rag_time)); break;
    case AGG_COL_RAG_ECONOMY: v_str(v, agg_rag_name(r->rag_economy)); break;
    case AGG_COL_RAG_SATISFACTION: v_str(v, agg_rag_name(r->rag_satisfaction)); break;
    case AGG_COL_RAG_OVERALL: v_str(v, agg_rag_name(r->rag_overall)); break;
    case AGG_COL_SEQ: v_num(v, true, (int64_t)r->seq); break;
    case AGG_COL_UPDATED_AT: v_num(v, r->updated_at != 0, r->updated_at); break;
    default: break;
  }
}

/* ---- red/amber/green ---------------------------------------------------------- */

void agg_thresholds_default(agg_thresholds_t *t) {
  *t = (agg_thresholds_t){
      .time_amber_days = 14,
      .time_red_days = 60,
      .economy_amber_bp = 400,
      .economy_red_bp = 700,
      .satisfaction_amber_bp = 6000,
      .satisfaction_red_bp = 4000,
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

void agg_rag_compute(agg_row_t *r, const agg_thresholds_t *t) {
  /* time */
  agg_rag_t time = AGG_RAG_NONE;
  if (r->has & AGG_HAS_VARIANCE) {
    int v = r->schedule_variance_days;
    time = v > t->time_red_days ? AGG_RAG_RED
           : v > t->time_amber_days ? AGG_RAG_AMBER
                                    : AGG_RAG_GREEN;
  }
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

/* ---- the table ------------------------------------------------------------------ */

struct agg_rows {
  agg_thresholds_t t;
  agg_row_t **rows;
  size_t n, cap;
  uint32_t *buckets;  /* row index + 1, 0 = empty */
  size_t nbuckets;
  agg_row_t **sorted;
  bool sorted_ok;
  agg_row_t **dirty;
  size_t ndirty, capdirty;
  agg_name_t **names;
  size_t nnames, capnames;
  agg_name_t **dirty_names;
  size_t ndirty_names;
  uint64_t max_seq;
  trin_arena_t scratch;  /* the payload being applied, rewound after each */
};

static uint32_t hash_str(const char *s) {
  uint32_t h = 2166136261u;  /* FNV-1a */
  for (; *s; s++) h = (h ^ (uint8_t)*s) * 16777619u;
  return h;
}

agg_rows_t *agg_rows_new(const agg_thresholds_t *t) {
  agg_rows_t *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  if (t) r->t = *t;
  else agg_thresholds_default(&r->t);
  r->nbuckets = 1024;
  r->buckets = calloc(r->nbuckets, sizeof *r->buckets);
  if (!r->buckets) {
    free(r);
    return NULL;
  }
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
  for (uint32_t i = 0; i < r->nalerts; i++) free(r->alerts[i]);
  free(r->alerts);
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
  free(r->buckets);
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
  uint32_t b = hash_str(id) & (uint32_t)(r->nbuckets - 1);
  for (uint32_t k = r->buckets[b]; k; k = r->rows[k - 1]->hash_next)
    if (strcmp(r->rows[k - 1]->project_id, id) == 0) return r->rows[k - 1];
  return NULL;
}

static bool rehash(agg_rows_t *r, size_t nb) {
  uint32_t *nbk = calloc(nb, sizeof *nbk);
  if (!nbk) return false;
  free(r->buckets);
  r->buckets = nbk;
  r->nbuckets = nb;
  for (size_t i = 0; i < r->n; i++) {
    uint32_t b = hash_str(r->rows[i]->project_id) & (uint32_t)(nb - 1);
    r->rows[i]->hash_next = nbk[b];
    nbk[b] = (uint32_t)(i + 1);
  }
  return true;
}

static agg_row_t *row_add(agg_rows_t *r, const char *id) {
  if (r->n == r->cap) {
    size_t nc = r->cap ? r->cap * 2 : 256;
    agg_row_t **p = realloc(r->rows, nc * sizeof *p);
    if (!p) return NULL;
    r->rows = p;
    r->cap = nc;
  }
  if (r->n + 1 > r->nbuckets / 2 && !rehash(r, r->nbuckets * 2)) return NULL;
  agg_row_t *row = calloc(1, sizeof *row);
  if (!row || !(row->project_id = strdup(id))) {
    free(row);
    return NULL;
  }
  row->stage_since = row->baseline_handover = row->forecast_handover = TRIN_DATE_NONE;
  r->rows[r->n++] = row;
  uint32_t b = hash_str(id) & (uint32_t)(r->nbuckets - 1);
  row->hash_next = r->buckets[b];
  r->buckets[b] = (uint32_t)r->n;
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

/* ---- setters that notice change -------------------------------------------------- */

static void set_str(char **field, const char *v, bool *changed) {
  if (!v || !*v) v = NULL;
  if (!*field && !v) return;
  if (*field && v && strcmp(*field, v) == 0) return;
  char *copy = v ? strdup(v) : NULL;
  if (v && !copy) return;
  free(*field);
  *field = copy;
  *changed = true;
}
static void set_i32(int32_t *field, int32_t v, bool *changed) {
  if (*field != v) {
    *field = v;
    *changed = true;
  }
}
static void set_i64(int64_t *field, int64_t v, bool *changed) {
  if (*field != v) {
    *field = v;
    *changed = true;
  }
}
static void set_bool(bool *field, bool v, bool *changed) {
  if (*field != v) {
    *field = v;
    *changed = true;
  }
}
static void set_has(agg_row_t *r, uint32_t bit, bool on, bool *changed) {
  bool now = (r->has & bit) != 0;
  if (now == on) return;
  if (on) r->has |= bit;
  else r->has &= ~bit;
  *changed = true;
}
static void set_date(trin_date_t *field, const char *text, bool *changed) {
  trin_date_t d = TRIN_DATE_NONE;
  if (text && *text && trin_date_parse(text, &d, "date", NULL) != TRIN_OK) d = TRIN_DATE_NONE;
  if (*field != d) {
    *field = d;
    *changed = true;
  }
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
  set_str(&n->name, name, changed);
  set_str(&n->client_org, client_org, changed);
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

static const char *org_name(agg_rows_t *r, const char *id) {
  if (!id || !*id) return NULL;
  agg_name_t *n = name_find(r, false, id);
  return n && n->name ? n->name : id;
}

static const char *partnership_name(agg_rows_t *r, const char *id) {
  if (!id || !*id) return NULL;
  agg_name_t *n = name_find(r, true, id);
  return n ? n->name : NULL;
}

static void finish(agg_rows_t *r, agg_row_t *row, bool changed, trin_time_t when) {
  if (!changed) return;
  agg_rag_compute(row, &r->t);
  row->updated_at = when;
  mark_dirty(r, row);
}

/* ---- lifecycle -------------------------------------------------------------------- */

static int apply_project(agg_rows_t *r, const Trin__Lifecycle__Project *p, trin_time_t when,
                         bool *membership) {
  if (!p || !p->id || !*p->id) return TRIN_OK;
  agg_row_t *row = agg_rows_find(r, p->id);
  bool added = false;
  if (!row) {
    if (!(row = row_add(r, p->id))) return TRIN_EINTERNAL;
    added = true;
  }
  /* Without a client in the payload, access falls back on the event's org:
   * always worth recording then. */
  bool ch = false, mch = added || !p->client_org || !*p->client_org;
  set_has(row, AGG_HAS_LIFECYCLE, true, &ch);
  set_str(&row->project_name, p->name, &ch);
  set_str(&row->partnership_id, p->partnership_id, &mch);
  set_str(&row->partnership_name, partnership_name(r, p->partnership_id), &ch);
  set_str(&row->client_org_id, p->client_org, &mch);
  *membership = mch;
  ch |= mch;
  set_str(&row->client_org, org_name(r, p->client_org), &ch);
  set_str(&row->municipality, p->municipality, &ch);
  set_str(&row->kind, p->kind, &ch);
  set_bool(&row->fast_track, p->fast_track, &ch);
  set_i32(&row->dwellings, p->dwellings, &ch);
  set_str(&row->stage, p->stage, &ch);
  set_date(&row->stage_since, p->stage_since, &ch);
  set_bool(&row->paused, p->paused, &ch);
  set_str(&row->pause_reason, p->paused ? p->pause_reason : NULL, &ch);
  set_date(&row->baseline_handover, p->baseline_handover, &ch);
  set_date(&row->forecast_handover, p->forecast_handover, &ch);
  bool var = row->baseline_handover != TRIN_DATE_NONE;
  set_has(row, AGG_HAS_VARIANCE, var, &ch);
  set_i32(&row->schedule_variance_days, var ? p->schedule_variance_days : 0, &ch);
  set_i32(&row->open_disputes, p->open_disputes, &ch);
  set_i32(&row->max_dispute_level, p->max_dispute_level, &ch);
  set_i32(&row->open_defects, p->open_defects, &ch);
  finish(r, row, ch, when);
  return TRIN_OK;
}

static int apply_partnership(agg_rows_t *r, const Trin__Lifecycle__Partnership *p,
                             trin_time_t when) {
  if (!p || !p->id || !*p->id) return TRIN_OK;
  bool nch = false;
  agg_name_t *n = name_put(r, true, p->id, p->name, p->client_org, &nch);
  if (!n) return TRIN_EINTERNAL;
  if (!nch) return TRIN_OK;
  name_dirty(r, n);
  for (size_t i = 0; i < r->n; i++) {
    agg_row_t *row = r->rows[i];
    if (!row->partnership_id || strcmp(row->partnership_id, p->id) != 0) continue;
    bool ch = false;
    set_str(&row->partnership_name, n->name, &ch);
    finish(r, row, ch, when);
  }
  return TRIN_OK;
}

static int apply_org(agg_rows_t *r, const Trin__Lifecycle__Organisation *o, trin_time_t when) {
  if (!o || !o->id || !*o->id) return TRIN_OK;
  bool nch = false;
  agg_name_t *n = name_put(r, false, o->id, o->name, NULL, &nch);
  if (!n) return TRIN_EINTERNAL;
  if (!nch) return TRIN_OK;
  name_dirty(r, n);
  for (size_t i = 0; i < r->n; i++) {
    agg_row_t *row = r->rows[i];
    if (!row->client_org_id || strcmp(row->client_org_id, o->id) != 0) continue;
    bool ch = false;
    set_str(&row->client_org, org_name(r, o->id), &ch);
    finish(r, row, ch, when);
  }
  return TRIN_OK;
}

/* ---- budget -------------------------------------------------------------------------- */

static int apply_figures(agg_rows_t *r, const Trin__Budget__ProjectFigures *f,
                         trin_time_t when) {
  if (!f || !f->project_id || !*f->project_id) return TRIN_OK;
  agg_row_t *row = agg_rows_find(r, f->project_id);
  if (!row && !(row = row_add(r, f->project_id))) return TRIN_EINTERNAL;
  bool ch = false;
  set_has(row, AGG_HAS_BUDGET, true, &ch);
  set_has(row, AGG_HAS_BUDGET_A, f->budget_a_ore > 0, &ch);
  set_i64(&row->budget_a_ore, f->budget_a_ore > 0 ? f->budget_a_ore : 0, &ch);
  set_has(row, AGG_HAS_BUDGET_B, f->budget_b_ore > 0, &ch);
  set_i64(&row->budget_b_ore, f->budget_b_ore > 0 ? f->budget_b_ore : 0, &ch);
  set_has(row, AGG_HAS_FORECAST, f->forecast_ore > 0, &ch);
  set_i64(&row->forecast_ore, f->forecast_ore > 0 ? f->forecast_ore : 0, &ch);
  set_has(row, AGG_HAS_DRIFT, f->drift_known, &ch);
  set_i32(&row->drift_bp, f->drift_known ? f->drift_bp : 0, &ch);
  set_has(row, AGG_HAS_MARKET_DRIFT, f->market_known, &ch);
  set_i32(&row->market_drift_bp, f->market_known ? f->market_adjusted_drift_bp : 0, &ch);
  /* MOLIO compliance is of the price budget (B, else A): none without one. */
  bool molio = f->budget_a_ore > 0 || f->budget_b_ore > 0;
  set_has(row, AGG_HAS_MOLIO, molio, &ch);
  set_bool(&row->molio_compliant, molio && f->molio_compliant, &ch);
  finish(r, row, ch, when);
  return TRIN_OK;
}

/* ---- survey ---------------------------------------------------------------------------- */

static agg_row_t *survey_row(agg_rows_t *r, const char *project_id) {
  if (!project_id || !*project_id) return NULL;
  agg_row_t *row = agg_rows_find(r, project_id);
  return row ? row : row_add(r, project_id);
}

/* The satisfaction of a round: the mean of every answer in the visible
 * all-roles statement figures — their summed sums over their summed counts,
 * in hundredths, rounded once, half away from zero (as the survey service
 * rounds). Never the mean of the figures' rounded means (issue 18: 2.88,
 * 3.63 and 3.38 average to 3.30, but 158 / 48 answers is 3.29). The trend
 * from the mean of their trend slopes with the survey service's own
 * cut-offs (±10). */
static int apply_results(agg_rows_t *r, const Trin__Survey__RoundResults *res,
                         trin_time_t when) {
  agg_row_t *row = survey_row(r, res->project_id);
  if (!row) return res->project_id && *res->project_id ? TRIN_EINTERNAL : TRIN_OK;
  bool ch = false;
  set_has(row, AGG_HAS_SURVEY, true, &ch);
  /* Which survey speaks for the project: the one with the latest round. */
  bool same = row->survey_id && strcmp(row->survey_id, res->survey_id) == 0;
  const char *closes = res->closes ? res->closes : "";
  bool adopt = !row->survey_id || (same && res->round >= row->survey_round) ||
               (!same && strcmp(closes, row->survey_closes ? row->survey_closes : "") >= 0);
  if (adopt) {
    int64_t sum = 0, count = 0, tsum = 0;
    int tn = 0;
    for (size_t i = 0; i < res->n_figures; i++) {
      const Trin__Survey__Figures *f = res->figures[i];
      if (!f->role || strcmp(f->role, "all") != 0 || f->suppressed || f->count <= 0) continue;
      sum += f->sum;
      count += f->count;
      if (f->trend && *f->trend) {
        tsum += f->trend_x100;
        tn++;
      }
    }
    set_str(&row->survey_id, res->survey_id, &ch);
    set_str(&row->survey_closes, closes, &ch);
    set_i32(&row->survey_round, res->round, &ch);
    set_i32(&row->scale_min, res->scale_min, &ch);
    set_i32(&row->scale_max, res->scale_max, &ch);
    set_has(row, AGG_HAS_SATISFACTION, count > 0, &ch);
    int32_t mean = 0;
    if (count > 0) {
      int64_t s200 = sum * 200; /* round(sum·100 / count) = (2·sum·100 ± count) / (2·count) */
      mean = (int32_t)((s200 >= 0 ? s200 + count : s200 - count) / (2 * count));
    }
    set_i32(&row->satisfaction_x100, mean, &ch);
    const char *trend = NULL;
    if (tn > 0) {
      int64_t t2 = tsum * 2, d = 2 * tn;
      int64_t avg = (t2 >= 0 ? t2 + tn : t2 - tn) / d;
      trend = avg >= 10 ? "up" : avg <= -10 ? "down" : "flat";
    }
    set_str(&row->satisfaction_trend, trend, &ch);
  }
  finish(r, row, ch, when);
  return TRIN_OK;
}

static int apply_alert(agg_rows_t *r, const Trin__Survey__Alert *a, bool raised,
                       trin_time_t when) {
  agg_row_t *row = survey_row(r, a->project_id);
  if (!row) return a->project_id && *a->project_id ? TRIN_EINTERNAL : TRIN_OK;
  char key[512];
  snprintf(key, sizeof key, "%s/%d/%s/%s/%s", a->survey_id, a->round, a->statement_key,
           a->role, a->kind);
  bool ch = false;
  set_has(row, AGG_HAS_SURVEY, true, &ch);
  uint32_t at = row->nalerts;
  for (uint32_t i = 0; i < row->nalerts; i++)
    if (strcmp(row->alerts[i], key) == 0) at = i;
  if (raised && at == row->nalerts) {
    char **p = realloc(row->alerts, (row->nalerts + 1) * sizeof *p);
    char *k = strdup(key);
    if (!p || !k) {
      free(k);
      if (p) row->alerts = p;
      return TRIN_EINTERNAL;
    }
    row->alerts = p;
    row->alerts[row->nalerts++] = k;
  } else if (!raised && at < row->nalerts) {
    free(row->alerts[at]);
    row->alerts[at] = row->alerts[--row->nalerts];
  }
  set_bool(&row->satisfaction_alert, row->nalerts > 0, &ch);
  finish(r, row, ch, when);
  return TRIN_OK;
}

static int apply_survey(agg_rows_t *r, const Trin__Survey__Survey *s, trin_time_t when) {
  agg_row_t *row = survey_row(r, s->project_id);
  if (!row) return s->project_id && *s->project_id ? TRIN_EINTERNAL : TRIN_OK;
  bool ch = false;
  set_has(row, AGG_HAS_SURVEY, true, &ch);
  finish(r, row, ch, when);
  return TRIN_OK;
}

/* ---- dispatch ----------------------------------------------------------------------------- */

static bool is(const Trin__Event *ev, const ProtobufCMessageDescriptor *d) {
  return ev->payload_type && strcmp(ev->payload_type, d->name) == 0;
}

int agg_rows_apply(agg_rows_t *r, const char *service, const Trin__Event *ev,
                   bool *membership, trin_err_t *err) {
  bool ignored;
  if (!membership) membership = &ignored;
  *membership = false;
  trin_time_t when = 0;
  if (!ev->time || trin_time_parse(ev->time, &when, "time", NULL) != TRIN_OK)
    when = trin_time_now();
  const ProtobufCMessageDescriptor *d = NULL;
  if (strcmp(service, "lifecycle") == 0) {
    if (is(ev, &trin__lifecycle__project_event__descriptor))
      d = &trin__lifecycle__project_event__descriptor;
    else if (is(ev, &trin__lifecycle__partnership__descriptor))
      d = &trin__lifecycle__partnership__descriptor;
    else if (is(ev, &trin__lifecycle__organisation__descriptor))
      d = &trin__lifecycle__organisation__descriptor;
  } else if (strcmp(service, "budget") == 0) {
    if (is(ev, &trin__budget__budget_event__descriptor))
      d = &trin__budget__budget_event__descriptor;
  } else if (strcmp(service, "survey") == 0) {
    if (is(ev, &trin__survey__round_results__descriptor))
      d = &trin__survey__round_results__descriptor;
    else if (is(ev, &trin__survey__alert__descriptor))
      d = &trin__survey__alert__descriptor;
    else if (is(ev, &trin__survey__survey__descriptor))
      d = &trin__survey__survey__descriptor;
  }
  if (!d) return TRIN_OK; /* nothing the rows depend on */
  ProtobufCMessage *m = NULL;
  int rc = trin_codec_unpack_in(&r->scratch, d, ev->payload.data, ev->payload.len, "payload",
                                &m, err);
  if (rc) {
    trin_arena_rewind(&r->scratch);
    return rc;
  }
  if (d == &trin__lifecycle__project_event__descriptor) {
    rc = apply_project(r, ((Trin__Lifecycle__ProjectEvent *)m)->project, when, membership);
  } else if (d == &trin__lifecycle__partnership__descriptor) {
    *membership = true;
    rc = apply_partnership(r, (Trin__Lifecycle__Partnership *)m, when);
  } else if (d == &trin__lifecycle__organisation__descriptor) {
    rc = apply_org(r, (Trin__Lifecycle__Organisation *)m, when);
  } else if (d == &trin__budget__budget_event__descriptor) {
    rc = apply_figures(r, ((Trin__Budget__BudgetEvent *)m)->figures, when);
  } else if (d == &trin__survey__round_results__descriptor) {
    rc = apply_results(r, (Trin__Survey__RoundResults *)m, when);
  } else if (d == &trin__survey__alert__descriptor) {
    bool raised = ev->type && strstr(ev->type, "alert_cleared") == NULL;
    rc = apply_alert(r, (Trin__Survey__Alert *)m, raised, when);
  } else if (d == &trin__survey__survey__descriptor) {
    rc = apply_survey(r, (Trin__Survey__Survey *)m, when);
  }
  trin_arena_rewind(&r->scratch);
  if (rc) return trin_err_set(err, rc, "", "out of memory applying %s", ev->type);
  return TRIN_OK;
}

/* ---- conversions ---------------------------------------------------------------------------- */

static char *nz(const char *s) { return (char *)(s ? s : ""); }

/* Text for dates and instants lives in per-row scratch owned by the caller
 * of agg_row_to_proto: a static ring is enough for one conversion at a time. */
static char date_buf[3][TRIN_DATE_BUF], time_buf[TRIN_TIME_BUF];

void agg_row_to_proto(const agg_row_t *r, Trin__Aggregator__StatusRow *o) {
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
  o->stage_since = trin_date_format(r->stage_since, date_buf[0]);
  o->has_paused = lc;
  o->paused = r->paused;
  o->pause_reason = nz(r->pause_reason);
  o->baseline_handover = trin_date_format(r->baseline_handover, date_buf[1]);
  o->forecast_handover = trin_date_format(r->forecast_handover, date_buf[2]);
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
  o->seq = r->seq;
  o->updated_at = r->updated_at ? trin_time_format(r->updated_at, time_buf) : "";
}

int agg_row_pack_state(const agg_row_t *r, uint8_t **out, size_t *len, trin_err_t *err) {
  Trin__Aggregator__StatusRow row;
  agg_row_to_proto(r, &row);
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
  return trin_codec_pack(&st.base, out, len, err);
}

static agg_rag_t rag_from(const char *s) {
  if (!s) return AGG_RAG_NONE;
  if (strcmp(s, "green") == 0) return AGG_RAG_GREEN;
  if (strcmp(s, "amber") == 0) return AGG_RAG_AMBER;
  if (strcmp(s, "red") == 0) return AGG_RAG_RED;
  return AGG_RAG_NONE;
}

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
  set_str(&row->project_name, o->project_name, &ch);
  set_str(&row->partnership_id, o->partnership_id, &ch);
  set_str(&row->partnership_name, o->partnership_name, &ch);
  set_str(&row->client_org, o->client_org, &ch);
  set_str(&row->client_org_id, st->client_org_id, &ch);
  set_str(&row->municipality, o->municipality, &ch);
  set_str(&row->kind, o->kind, &ch);
  row->fast_track = o->fast_track;
  row->dwellings = o->dwellings;
  set_str(&row->stage, o->stage, &ch);
  set_date(&row->stage_since, o->stage_since, &ch);
  row->paused = o->paused;
  set_str(&row->pause_reason, o->pause_reason, &ch);
  set_date(&row->baseline_handover, o->baseline_handover, &ch);
  set_date(&row->forecast_handover, o->forecast_handover, &ch);
  row->schedule_variance_days = o->schedule_variance_days;
  row->budget_a_ore = o->budget_a_ore;
  row->budget_b_ore = o->budget_b_ore;
  row->forecast_ore = o->forecast_ore;
  row->drift_bp = o->drift_bp;
  row->market_drift_bp = o->market_adjusted_drift_bp;
  row->molio_compliant = o->molio_compliant;
  row->satisfaction_x100 = o->satisfaction_x100;
  set_str(&row->satisfaction_trend, o->satisfaction_trend, &ch);
  row->satisfaction_alert = o->satisfaction_alert;
  row->open_disputes = o->open_disputes;
  row->max_dispute_level = o->max_dispute_level;
  row->open_defects = o->open_defects;
  row->has = (st->lifecycle_known ? AGG_HAS_LIFECYCLE : 0) |
             (o->has_schedule_variance_days ? AGG_HAS_VARIANCE : 0) |
             (o->has_budget_a_ore ? AGG_HAS_BUDGET_A : 0) |
             (o->has_budget_b_ore ? AGG_HAS_BUDGET_B : 0) |
             (o->has_forecast_ore ? AGG_HAS_FORECAST : 0) |
             (o->has_drift_bp ? AGG_HAS_DRIFT : 0) |
             (o->has_market_adjusted_drift_bp ? AGG_HAS_MARKET_DRIFT : 0) |
             (o->has_molio_compliant ? AGG_HAS_MOLIO : 0) |
             (o->has_satisfaction_x100 ? AGG_HAS_SATISFACTION : 0) |
             (st->survey_known ? AGG_HAS_SURVEY : 0) | (st->budget_known ? AGG_HAS_BUDGET : 0);
  row->rag_time = (uint8_t)rag_from(o->rag_time);
  row->rag_economy = (uint8_t)rag_from(o->rag_economy);
  row->rag_satisfaction = (uint8_t)rag_from(o->rag_satisfaction);
  row->rag_overall = (uint8_t)rag_from(o->rag_overall);
  row->seq = o->seq;
  if (o->updated_at && *o->updated_at) trin_time_parse(o->updated_at, &row->updated_at, "t", NULL);
  set_str(&row->survey_id, st->survey_id, &ch);
  set_str(&row->survey_closes, st->survey_closes, &ch);
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
