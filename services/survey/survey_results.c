/* survey_results — see survey_results.h. */
#include "survey_results.h"

#include <string.h>

void survey_view_init(survey_view_t *v, const survey_survey_msg_t *sv, int nrounds,
                      const survey_agg_t *cube) {
  memset(v, 0, sizeof *v);
  v->sv = sv;
  v->scale = (survey_scale_t){sv->scale_min, sv->scale_max};
  if (sv->thresholds) {
    v->t.drop_from_previous_x100 = sv->thresholds->drop_from_previous_x100;
    v->t.drop_from_baseline_x100 = sv->thresholds->drop_from_baseline_x100;
    v->t.floor_x100 = sv->thresholds->floor_x100;
  }
  v->min = sv->min_respondents > 0 ? sv->min_respondents : SURVEY_DEFAULT_MIN_RESPONDENTS;
  v->nrounds = nrounds > SURVEY_MAX_ROUNDS ? SURVEY_MAX_ROUNDS : nrounds;
  v->nstmt = sv->n_statements;
  v->cube = cube;
  if (sv->n_baseline_rounds == 0) {
    v->is_base[1] = true;
    v->last_base = 1;
  }
  for (size_t i = 0; i < sv->n_baseline_rounds; i++) {
    int r = sv->baseline_rounds[i];
    if (r >= 1 && r <= SURVEY_MAX_ROUNDS) {
      v->is_base[r] = true;
      if (r > v->last_base) v->last_base = r;
    }
  }
}

static const survey_agg_t *cell(const survey_view_t *v, int round, int role, size_t stmt) {
  return &v->cube[((size_t)(round - 1) * SURVEY_NROLES + (size_t)role) * v->nstmt + stmt];
}

void survey_view_group(const survey_view_t *v, int round, int group, size_t stmt,
                       survey_agg_t *out) {
  memset(out, 0, sizeof *out);
  if (round < 1 || round > v->nrounds) return;
  if (group < SURVEY_NROLES) {
    *out = *cell(v, round, group, stmt);
    return;
  }
  for (int r = 0; r < SURVEY_NROLES; r++) survey_agg_merge(out, cell(v, round, r, stmt));
}

static void suppress_of(const survey_view_t *v, const survey_agg_t g[SURVEY_NGROUPS],
                        bool out[SURVEY_NGROUPS]) {
  int64_t counts[SURVEY_NGROUPS];
  for (int i = 0; i < SURVEY_NGROUPS; i++) counts[i] = g[i].count;
  survey_suppress(counts, v->min, out);
}

static void groups_of(const survey_view_t *v, int round, size_t stmt,
                      survey_agg_t g[SURVEY_NGROUPS]) {
  for (int i = 0; i < SURVEY_NGROUPS; i++) survey_view_group(v, round, i, stmt, &g[i]);
}

/* A group is visible when it has respondents and is not suppressed. */
static bool visible(const survey_view_t *v, int round, int group, size_t stmt,
                    survey_agg_t *out) {
  survey_agg_t g[SURVEY_NGROUPS];
  bool sup[SURVEY_NGROUPS];
  groups_of(v, round, stmt, g);
  suppress_of(v, g, sup);
  *out = g[group];
  return g[group].count > 0 && !sup[group];
}

bool survey_view_baseline(const survey_view_t *v, int round, int group, size_t stmt,
                          survey_agg_t *out) {
  /* The baseline is what later rounds are measured against: rounds up to
   * the last baseline round are never compared with it. */
  if (v->last_base == 0 || round <= v->last_base || v->last_base > v->nrounds) return false;
  survey_agg_t pooled[SURVEY_NGROUPS];
  memset(pooled, 0, sizeof pooled);
  for (int r = 1; r <= v->last_base; r++) {
    if (!v->is_base[r]) continue;
    for (int i = 0; i < SURVEY_NGROUPS; i++) {
      survey_agg_t g;
      survey_view_group(v, r, i, stmt, &g);
      survey_agg_merge(&pooled[i], &g);
    }
  }
  bool sup[SURVEY_NGROUPS];
  suppress_of(v, pooled, sup);
  *out = pooled[group];
  return pooled[group].count > 0 && !sup[group];
}

/* The alerts of one visible group in one round; -1 when the group has no
 * visible figure there. */
static int group_alerts(const survey_view_t *v, int round, int gi, size_t k,
                        survey_alert_t al[SURVEY_NALERT_KINDS]) {
  survey_agg_t now, prev, base;
  if (!visible(v, round, gi, k, &now)) return -1;
  bool has_prev = round > 1 && visible(v, round - 1, gi, k, &prev);
  bool has_base = survey_view_baseline(v, round, gi, k, &base);
  return (int)survey_alerts_check(&now, has_prev ? &prev : NULL, has_base ? &base : NULL, &v->t,
                                  al);
}

size_t survey_view_alerts(const survey_view_t *v, int round, survey_alert_row_t *out,
                          size_t cap) {
  size_t n = 0;
  for (size_t k = 0; k < v->nstmt; k++) {
    for (int gi = 0; gi < SURVEY_NGROUPS; gi++) {
      survey_alert_t al[SURVEY_NALERT_KINDS];
      int m = group_alerts(v, round, gi, k, al);
      for (int j = 0; j < m && n < cap; j++)
        out[n++] = (survey_alert_row_t){round,           gi,
                                        (int)k,          al[j].kind,
                                        al[j].mean_x100, al[j].reference_x100,
                                        al[j].threshold_x100};
    }
  }
  return n;
}

int survey_view_alert_cleared_by(const survey_view_t *v, const survey_alert_row_t *r) {
  if (r->stmt < 0 || (size_t)r->stmt >= v->nstmt) return 0;
  for (int l = r->round + 1; l <= v->nrounds; l++) {
    survey_alert_t al[SURVEY_NALERT_KINDS];
    int m = group_alerts(v, l, r->group, (size_t)r->stmt, al);
    if (m < 0) continue; /* no figure to judge by: the alert stands */
    bool meets = false;
    for (int j = 0; j < m; j++) meets = meets || al[j].kind == r->kind;
    if (!meets) return l;
  }
  return 0;
}

static char *x100_text(trin_arena_t *a, int64_t v) {
  char b[16];
  return trin_arena_strdup(a, survey_format_x100(v, b));
}

int survey_results_default_round(const survey_survey_msg_t *sv) {
  int newest = 0, answered = 0;
  for (size_t i = 0; i < sv->n_rounds; i++) {
    int n = sv->rounds[i]->number;
    if (n > newest) newest = n;
    if (sv->rounds[i]->respondents > 0 && n > answered) answered = n;
  }
  return answered ? answered : newest;
}

int survey_results_latest_answered(const survey_survey_msg_t *sv) {
  int answered = 0;
  for (size_t i = 0; i < sv->n_rounds; i++)
    if (sv->rounds[i]->respondents > 0 && sv->rounds[i]->number > answered)
      answered = sv->rounds[i]->number;
  return answered;
}

int survey_view_results(const survey_view_t *v, int round, trin_arena_t *a,
                        Trin__Survey__RoundResults *out, trin_err_t *err) {
  const survey_survey_msg_t *sv = v->sv;
  trin__survey__round_results__init(out);
  out->survey_id = sv->id;
  out->project_id = sv->project_id;
  out->partnership_id = sv->partnership_id;
  out->client_org = sv->client_org;
  out->round = round;
  out->latest_round = (int32_t)sv->n_rounds;
  out->latest_answered_round = survey_results_latest_answered(sv);
  for (size_t i = 0; i < sv->n_rounds; i++)
    if (sv->rounds[i]->number == round) {
      out->opens = sv->rounds[i]->opens;
      out->closes = sv->rounds[i]->closes;
      out->respondents = sv->rounds[i]->respondents;
    }
  out->baseline = round >= 1 && round <= SURVEY_MAX_ROUNDS && v->is_base[round];
  out->min_respondents = (int32_t)v->min;
  out->scale_min = v->scale.min;
  out->scale_max = v->scale.max;
  size_t cap = v->nstmt * SURVEY_NGROUPS;
  out->figures = trin_arena_alloc(a, (cap ? cap : 1) * sizeof *out->figures);
  if (!out->figures) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  int points = v->scale.max - v->scale.min + 1;
  for (size_t k = 0; k < v->nstmt; k++) {
    survey_agg_t g[SURVEY_NGROUPS];
    bool sup[SURVEY_NGROUPS];
    groups_of(v, round, k, g);
    suppress_of(v, g, sup);
    for (int gi = 0; gi < SURVEY_NGROUPS; gi++) {
      if (g[gi].count == 0) continue; /* nobody in the group: nothing to show */
      Trin__Survey__Figures *f = trin_arena_alloc(a, sizeof *f);
      if (!f) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
      trin__survey__figures__init(f);
      f->statement_key = sv->statements[k]->key;
      f->role = (char *)survey_role_name(gi);
      out->figures[out->n_figures++] = f;
      if (sup[gi]) {
        f->suppressed = true;
        continue;
      }
      f->count = (int32_t)g[gi].count;
      f->sum = g[gi].sum;
      f->mean_x100 = survey_mean_x100(&g[gi]);
      f->mean = x100_text(a, f->mean_x100);
      f->distribution = trin_arena_alloc(a, (size_t)points * sizeof *f->distribution);
      if (!f->distribution) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
      f->n_distribution = (size_t)points;
      for (int i = 0; i < points; i++) f->distribution[i] = (int32_t)g[gi].dist[i];
      survey_agg_t prev, base;
      if (round > 1 && visible(v, round - 1, gi, k, &prev)) {
        f->has_previous = true;
        f->change_x100 = survey_change_x100(&g[gi], &prev);
        f->change = x100_text(a, f->change_x100);
      }
      if (survey_view_baseline(v, round, gi, k, &base)) {
        f->has_baseline = true;
        f->baseline_x100 = survey_mean_x100(&base);
        f->change_from_baseline_x100 = survey_change_x100(&g[gi], &base);
      }
      survey_point_t pts[SURVEY_MAX_ROUNDS];
      size_t np = 0;
      for (int r = 1; r <= round && r <= v->nrounds; r++) {
        survey_agg_t x;
        if (visible(v, r, gi, k, &x)) pts[np++] = (survey_point_t){r, x.sum, x.count};
      }
      bool has;
      f->trend_x100 = survey_trend_x100(pts, np, &has);
      f->trend = (char *)survey_trend_name(f->trend_x100, has);
    }
  }
  return a->failed ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory") : TRIN_OK;
}

Trin__Survey__Alert *survey_alert_message(const survey_view_t *v,
                                          const survey_alert_row_t *r, trin_arena_t *a) {
  Trin__Survey__Alert *m = trin_arena_alloc(a, sizeof *m);
  if (!m) return NULL;
  trin__survey__alert__init(m);
  m->survey_id = v->sv->id;
  m->project_id = v->sv->project_id;
  m->round = r->round;
  m->statement_key = (size_t)r->stmt < v->nstmt ? v->sv->statements[r->stmt]->key : "";
  m->role = (char *)survey_role_name(r->group);
  m->kind = (char *)survey_alert_kind_name(r->kind);
  m->mean_x100 = r->mean_x100;
  m->reference_x100 = r->reference_x100;
  m->threshold_x100 = r->threshold_x100;
  char b1[16], b2[16], b3[16];
  survey_format_x100(r->mean_x100, b1);
  survey_format_x100(r->reference_x100, b2);
  survey_format_x100(r->threshold_x100, b3);
  switch (r->kind) {
    case SURVEY_ALERT_DROP_FROM_PREVIOUS:
      m->message = trin_arena_printf(a, "'%s' (%s) fell from %s to %s in round %d: more "
                                        "than %s since the previous round",
                                     m->statement_key, m->role, b2, b1, r->round, b3);
      break;
    case SURVEY_ALERT_DROP_FROM_BASELINE:
      m->message = trin_arena_printf(a, "'%s' (%s) is %s in round %d, more than %s below "
                                        "its baseline %s",
                                     m->statement_key, m->role, b1, r->round, b3, b2);
      break;
    default:
      m->message = trin_arena_printf(a, "'%s' (%s) is %s in round %d, below the floor %s",
                                     m->statement_key, m->role, b1, r->round, b3);
  }
  return m;
}
