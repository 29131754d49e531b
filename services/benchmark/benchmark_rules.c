/* benchmark_rules — see benchmark_rules.h. */
#include "benchmark_rules.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin_id.h"

static const char *const TYPE_NAMES[BENCHMARK_TYPE_COUNT] = {
    "school", "day_care", "administration", "housing_department", "other"};
static const char *const BAND_NAMES[BENCHMARK_BAND_COUNT] = {"small", "medium", "large",
                                                       "very_large"};

int benchmark_property_type_parse(const char *text, const char *field, trin_err_t *err) {
  for (int i = 0; i < BENCHMARK_TYPE_COUNT; i++)
    if (text && strcmp(text, TYPE_NAMES[i]) == 0) return i;
  trin_err_set(err, TRIN_EINVALID, field,
               "must be school, day_care, administration, housing_department or other, "
               "not '%s'",
               text ? text : "");
  return -1;
}

benchmark_size_band_t benchmark_size_band(int64_t a) {
  if (a < 1000) return BENCHMARK_BAND_SMALL;
  if (a < 5000) return BENCHMARK_BAND_MEDIUM;
  if (a < 20000) return BENCHMARK_BAND_LARGE;
  return BENCHMARK_BAND_VERY_LARGE;
}

int benchmark_size_band_parse(const char *text, const char *field, trin_err_t *err) {
  for (int i = 0; i < BENCHMARK_BAND_COUNT; i++)
    if (text && strcmp(text, BAND_NAMES[i]) == 0) return i;
  trin_err_set(err, TRIN_EINVALID, field,
               "must be small, medium, large or very_large, not '%s'", text ? text : "");
  return -1;
}

const char *benchmark_size_band_name(int band) {
  return band >= 0 && band < BENCHMARK_BAND_COUNT ? BAND_NAMES[band] : "";
}

/* ---- terms ------------------------------------------------------------------ */

#define PTERM(fn, flags, expr)                                                        \
  static bool fn(const benchmark_measure_t *m, int64_t area, benchmark_wide_t *num,   \
                 benchmark_wide_t *den) {                                             \
    if ((m->has & (flags)) != (flags) || area <= 0) return false;                     \
    *num = (expr);                                                                    \
    *den = area;                                                                      \
    return true;                                                                      \
  }

PTERM(t_cost, BENCHMARK_HAS_COST, m->cost_ore)
PTERM(t_energy, BENCHMARK_HAS_ELECTRICITY | BENCHMARK_HAS_HEAT,
      (benchmark_wide_t)m->electricity_kwh + m->heat_kwh)
PTERM(t_electricity, BENCHMARK_HAS_ELECTRICITY, m->electricity_kwh)
PTERM(t_heat, BENCHMARK_HAS_HEAT, m->heat_kwh)
PTERM(t_water, BENCHMARK_HAS_WATER, m->water_litres)
PTERM(t_grade, BENCHMARK_HAS_GRADE, (benchmark_wide_t)m->grade_x100 * area)
PTERM(t_climate, BENCHMARK_HAS_CLIMATE, (benchmark_wide_t)m->climate_class * 100 * area)
PTERM(t_anv, BENCHMARK_HAS_ANVENDELSE, (benchmark_wide_t)m->anvendelsesgrad_bp * area)
PTERM(t_udn, BENCHMARK_HAS_UDNYTTELSE, (benchmark_wide_t)m->udnyttelsesgrad_bp * area)
PTERM(t_und, BENCHMARK_HAS_UNDERSTOETTELSE, (benchmark_wide_t)m->understoettelsesgrad_bp * area)

static bool j_drift(const benchmark_project_t *p, benchmark_wide_t *num, benchmark_wide_t *den) {
  if (!(p->has & BENCHMARK_PHAS_DRIFT) || p->budget_a_ore <= 0) return false;
  *num = p->drift_ore;
  *den = p->budget_a_ore;
  return true;
}
static bool j_market(const benchmark_project_t *p, benchmark_wide_t *num, benchmark_wide_t *den) {
  if (!(p->has & BENCHMARK_PHAS_DRIFT) || !(p->has & BENCHMARK_PHAS_MARKET) || p->budget_a_ore <= 0)
    return false;
  *num = p->market_adjusted_drift_ore;
  *den = p->budget_a_ore;
  return true;
}
static bool j_schedule(const benchmark_project_t *p, benchmark_wide_t *num, benchmark_wide_t *den) {
  if (!(p->has & BENCHMARK_PHAS_SCHEDULE)) return false;
  *num = p->schedule_variance_days;
  *den = 1;
  return true;
}
static bool j_satisfaction(const benchmark_project_t *p, benchmark_wide_t *num,
                           benchmark_wide_t *den) {
  if (!(p->has & BENCHMARK_PHAS_SATISFACTION)) return false;
  *num = p->satisfaction_x100;
  *den = 1;
  return true;
}
static bool j_disputes(const benchmark_project_t *p, benchmark_wide_t *num, benchmark_wide_t *den) {
  if (!(p->has & BENCHMARK_PHAS_LIFECYCLE)) return false;
  *num = p->open_disputes;
  *den = 1;
  return true;
}
static bool j_defects(const benchmark_project_t *p, benchmark_wide_t *num, benchmark_wide_t *den) {
  if (!(p->has & BENCHMARK_PHAS_LIFECYCLE) || p->dwellings <= 0) return false;
  *num = p->open_defects;
  *den = p->dwellings;
  return true;
}

/* Rehousing (issue 20, item 4; seed 000): a project with a plan counts 1
 * towards "without rehousing" when it is renovated with its residents at
 * home; moving back counts the households back of those rehoused
 * temporarily, over projects that rehoused any. */
static bool j_without_rehousing(const benchmark_project_t *p, benchmark_wide_t *num,
                                benchmark_wide_t *den) {
  if (!(p->has & BENCHMARK_PHAS_REHOUSING)) return false;
  *num = p->without_rehousing ? 1 : 0;
  *den = 1;
  return true;
}
static bool j_moved_back(const benchmark_project_t *p, benchmark_wide_t *num,
                         benchmark_wide_t *den) {
  if (!(p->has & BENCHMARK_PHAS_REHOUSING) || p->households_rehoused_temporary <= 0) return false;
  *num = p->households_moved_back;
  *den = p->households_rehoused_temporary;
  return true;
}

/* Sustainability and reuse (issue 20, item 3; seed 000, Bilag 4 and
 * "Cirkulære partnerskaber"; seed 001 on energy). */
static bool j_reuse_share(const benchmark_project_t *p, benchmark_wide_t *num,
                          benchmark_wide_t *den) {
  if (!(p->has & BENCHMARK_PHAS_LIFECYCLE)) return false;
  *num = p->sustain.reuse_measures > 0;
  *den = 1;
  return true;
}
/* Only projects in a partnership can reuse "between projects of one
 * partnership"; the others would only dilute the mean. */
static bool j_reused_between(const benchmark_project_t *p, benchmark_wide_t *num,
                             benchmark_wide_t *den) {
  if (!(p->has & BENCHMARK_PHAS_LIFECYCLE) || !p->sustain.in_partnership) return false;
  *num = p->sustain.reused_between_kg;
  *den = 1;
  return true;
}
/* Area-weighted, as energy_per_m2: Σ saving × area / Σ area = the kWh a
 * year saved per m² of the projects that measured one. */
static bool j_energy_saving(const benchmark_project_t *p, benchmark_wide_t *num,
                            benchmark_wide_t *den) {
  if (!(p->has & BENCHMARK_PHAS_LIFECYCLE) || !p->sustain.energy_measured ||
      p->sustain.gross_area_m2 <= 0)
    return false;
  *num = (benchmark_wide_t)p->sustain.energy_saving_x100 * p->sustain.gross_area_m2;
  *den = p->sustain.gross_area_m2;
  return true;
}

/* The key-figure table: the one place a figure is defined. */
const benchmark_figure_t benchmark_figures[BENCHMARK_FIG_COUNT] = {
    {"cost_per_m2", "DKK/m2", 2, BENCHMARK_LOWER_IS_BETTER, BENCHMARK_KIND_PROPERTY,
     "sum of all accounts' costs (øre) / gross area (m²)", 1, t_cost, NULL},
    {"energy_per_m2", "kWh/m2", 1, BENCHMARK_LOWER_IS_BETTER, BENCHMARK_KIND_PROPERTY,
     "(electricity + heat, kWh) / gross area", 10, t_energy, NULL},
    {"electricity_per_m2", "kWh/m2", 1, BENCHMARK_LOWER_IS_BETTER, BENCHMARK_KIND_PROPERTY,
     "electricity (kWh) / gross area", 10, t_electricity, NULL},
    {"heat_per_m2", "kWh/m2", 1, BENCHMARK_LOWER_IS_BETTER, BENCHMARK_KIND_PROPERTY,
     "heat (kWh) / gross area", 10, t_heat, NULL},
    {"water_per_m2", "l/m2", 0, BENCHMARK_LOWER_IS_BETTER, BENCHMARK_KIND_PROPERTY,
     "water (litres) / gross area", 1, t_water, NULL},
    {"weighted_maintenance_grade", "grade", 2, BENCHMARK_LOWER_IS_BETTER, BENCHMARK_KIND_PROPERTY,
     "area-weighted mean of each property's weighted grade "
     "(Σ grade × weight / Σ weight over graded parts; 1 = best, 5 = worst)",
     1, t_grade, NULL},
    {"indoor_climate_class", "class", 2, BENCHMARK_LOWER_IS_BETTER, BENCHMARK_KIND_PROPERTY,
     "area-weighted mean of the indoor climate class (1 = best, 5 = worst)", 1, t_climate,
     NULL},
    {"anvendelsesgrad", "%", 2, BENCHMARK_HIGHER_IS_BETTER, BENCHMARK_KIND_PROPERTY,
     "area-weighted mean of the use rate (booked / available hours)", 1, t_anv, NULL},
    {"udnyttelsesgrad", "%", 2, BENCHMARK_HIGHER_IS_BETTER, BENCHMARK_KIND_PROPERTY,
     "area-weighted mean of the utilisation rate (used / booked hours)", 1, t_udn, NULL},
    {"understoettelsesgrad", "%", 2, BENCHMARK_HIGHER_IS_BETTER, BENCHMARK_KIND_PROPERTY,
     "area-weighted mean of the support rate (used / available capacity)", 1, t_und, NULL},
    {"budget_drift_pct", "%", 2, BENCHMARK_LOWER_IS_BETTER, BENCHMARK_KIND_PORTFOLIO,
     "Σ (Skema B − Skema A) / Σ Skema A × 100 over projects with both", 10000, NULL,
     j_drift},
    {"market_adjusted_drift_pct", "%", 2, BENCHMARK_LOWER_IS_BETTER, BENCHMARK_KIND_PORTFOLIO,
     "Σ (drift − market part) / Σ Skema A × 100 over projects with index points", 10000,
     NULL, j_market},
    {"schedule_variance_days", "days", 1, BENCHMARK_LOWER_IS_BETTER, BENCHMARK_KIND_PORTFOLIO,
     "mean handover variance (forecast or actual − baseline) over projects with a "
     "handover milestone",
     10, NULL, j_schedule},
    {"latest_satisfaction", "points", 2, BENCHMARK_HIGHER_IS_BETTER, BENCHMARK_KIND_PORTFOLIO,
     "mean over projects of the latest round's mean of visible all-roles statement means",
     1, NULL, j_satisfaction},
    {"open_disputes", "per project", 2, BENCHMARK_LOWER_IS_BETTER, BENCHMARK_KIND_PORTFOLIO,
     "open disputes / projects", 100, NULL, j_disputes},
    {"defects_per_dwelling", "per dwelling", 3, BENCHMARK_LOWER_IS_BETTER, BENCHMARK_KIND_PORTFOLIO,
     "Σ open defects / Σ dwellings over projects with dwellings", 1000, NULL, j_defects},
    /* rehousing (issue 20, item 4) */
    {"without_rehousing_share_pct", "%", 2, BENCHMARK_HIGHER_IS_BETTER, BENCHMARK_KIND_PORTFOLIO,
     "projects renovated without rehousing / projects with a rehousing plan × 100", 10000, NULL,
     j_without_rehousing},
    {"moved_back_share_pct", "%", 2, BENCHMARK_HIGHER_IS_BETTER, BENCHMARK_KIND_PORTFOLIO,
     "Σ households moved back / Σ households rehoused temporarily × 100 over projects that "
     "rehoused temporarily",
     10000, NULL, j_moved_back},
    /* sustainability and reuse (issue 20, item 3) */
    {"reuse_share_pct", "%", 2, BENCHMARK_HIGHER_IS_BETTER, BENCHMARK_KIND_PORTFOLIO,
     "projects with a reuse measure / projects × 100", 10000, NULL, j_reuse_share},
    {"reused_between_projects_t", "t per project", 3, BENCHMARK_HIGHER_IS_BETTER,
     BENCHMARK_KIND_PORTFOLIO,
     "Σ material reused from another project of the same partnership (kg) / projects in "
     "partnerships, in tonnes",
     1, NULL, j_reused_between},
    {"energy_saving_kwh_m2", "kWh/m2", 2, BENCHMARK_HIGHER_IS_BETTER, BENCHMARK_KIND_PORTFOLIO,
     "Σ measured saving (before − after, kWh/m² a year) × gross area / Σ gross area over "
     "projects with a measured saving and an area",
     1, NULL, j_energy_saving},
};

int benchmark_figure_find(const char *name, const char *field, trin_err_t *err) {
  if (!name || !*name) {
    trin_err_set(err, TRIN_EINVALID, field, "is required");
    return -1;
  }
  for (int i = 0; i < BENCHMARK_FIG_COUNT; i++)
    if (strcmp(name, benchmark_figures[i].name) == 0) return i;
  trin_err_set(err, TRIN_EINVALID, field, "'%s' is not a key figure (see ListFigures)", name);
  return -1;
}

const char *benchmark_direction_name(benchmark_direction_t d) {
  return d == BENCHMARK_HIGHER_IS_BETTER ? "higher_is_better" : "lower_is_better";
}
const char *benchmark_kind_name(benchmark_kind_t k) {
  return k == BENCHMARK_KIND_PORTFOLIO ? "portfolio" : "property";
}

int benchmark_range_check(int64_t v, int64_t lo, int64_t hi, const char *field, trin_err_t *err) {
  if (v < lo || v > hi)
    return trin_err_set(err, TRIN_EINVALID, field, "must be %lld–%lld, not %lld", (long long)lo,
                        (long long)hi, (long long)v);
  return TRIN_OK;
}

int64_t benchmark_div_round(benchmark_wide_t n, benchmark_wide_t d) {
  bool neg = (n < 0) != (d < 0);
  if (n < 0) n = -n;
  if (d < 0) d = -d;
  benchmark_wide_t q = (n + d / 2) / d; /* half away from zero: ties go up in magnitude */
  if (q > (benchmark_wide_t)INT64_MAX) return neg ? INT64_MIN : INT64_MAX;
  return neg ? -(int64_t)q : (int64_t)q;
}

bool benchmark_figure_value(const benchmark_figure_t *f, benchmark_wide_t num, benchmark_wide_t den,
                            int64_t *out) {
  if (den == 0) return false;
  *out = benchmark_div_round(num * f->mult, den);
  return true;
}

/* ---- maintenance model --------------------------------------------------------- */

int benchmark_model_check(const benchmark_model_part_t *parts, size_t n, trin_err_t *err) {
  if (n < 1 || n > BENCHMARK_MODEL_MAX_PARTS)
    return trin_err_set(err, TRIN_EINVALID, "model.parts", "must list 1–%d parts",
                        BENCHMARK_MODEL_MAX_PARTS);
  for (size_t i = 0; i < n; i++) {
    char f[48];
    snprintf(f, sizeof f, "model.parts[%zu].part", i);
    int rc = trin_id_check(parts[i].part, f, err);
    if (rc) return rc;
    if (parts[i].weight < 1 || parts[i].weight > 1000) {
      snprintf(f, sizeof f, "model.parts[%zu].weight", i);
      return trin_err_set(err, TRIN_EINVALID, f, "must be 1–1000, not %d", parts[i].weight);
    }
    for (size_t j = 0; j < i; j++)
      if (strcmp(parts[i].part, parts[j].part) == 0) {
        snprintf(f, sizeof f, "model.parts[%zu].part", i);
        return trin_err_set(err, TRIN_EINVALID, f, "'%s' is listed twice", parts[i].part);
      }
  }
  return TRIN_OK;
}

int benchmark_weighted_grade_x100(const benchmark_part_grade_t *g, size_t n,
                                  const benchmark_model_part_t *model, size_t nmodel, bool *has,
                                  int32_t *out, trin_err_t *err) {
  int64_t sum = 0, weights = 0;
  *has = false;
  *out = 0;
  for (size_t i = 0; i < n; i++) {
    char f[48];
    snprintf(f, sizeof f, "maintenance[%zu]", i);
    const benchmark_model_part_t *mp = NULL;
    for (size_t k = 0; k < nmodel && !mp; k++)
      if (g[i].part && strcmp(g[i].part, model[k].part) == 0) mp = &model[k];
    if (!mp)
      return trin_err_set(err, TRIN_EINVALID, f,
                          "part '%s' is not in the maintenance model", g[i].part ? g[i].part : "");
    if (g[i].grade < 1 || g[i].grade > 5)
      return trin_err_set(err, TRIN_EINVALID, f, "grade of '%s' must be 1–5, not %d",
                          g[i].part, g[i].grade);
    for (size_t j = 0; j < i; j++)
      if (strcmp(g[i].part, g[j].part) == 0)
        return trin_err_set(err, TRIN_EINVALID, f, "part '%s' is graded twice", g[i].part);
    sum += (int64_t)g[i].grade * mp->weight * 100;
    weights += mp->weight;
  }
  if (weights > 0) {
    *has = true;
    *out = (int32_t)benchmark_div_round(sum, weights);
  }
  return TRIN_OK;
}

/* ---- statistics -------------------------------------------------------------------- */

int64_t benchmark_quartile(const int64_t *x, size_t n, int k) {
  if (n == 0) return 0;
  /* h = (n−1)k/4 = i + r/4 */
  size_t h4 = (n - 1) * (size_t)k;
  size_t i = h4 / 4, r = h4 % 4;
  if (r == 0 || i + 1 >= n) return x[i];
  benchmark_wide_t q4 =
      (benchmark_wide_t)x[i] * 4 + (benchmark_wide_t)r * ((benchmark_wide_t)x[i + 1] - x[i]);
  return benchmark_div_round(q4, 4);
}

void benchmark_distribution(const int64_t *x, size_t n, benchmark_distribution_t *d) {
  memset(d, 0, sizeof *d);
  if (n == 0) return;
  benchmark_wide_t sum = 0;
  for (size_t i = 0; i < n; i++) sum += x[i];
  d->n = (int32_t)n;
  d->mean = benchmark_div_round(sum, (benchmark_wide_t)n);
  d->min = x[0];
  d->max = x[n - 1];
  d->q1 = benchmark_quartile(x, n, 1);
  d->median = benchmark_quartile(x, n, 2);
  d->q3 = benchmark_quartile(x, n, 3);
}

/* ---- ranking ---------------------------------------------------------------------- */

static int cmp_lower(const void *a, const void *b) {
  const benchmark_ranked_t *x = a, *y = b;
  if (x->value != y->value) return x->value < y->value ? -1 : 1;
  return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}
static int cmp_higher(const void *a, const void *b) {
  const benchmark_ranked_t *x = a, *y = b;
  if (x->value != y->value) return x->value > y->value ? -1 : 1;
  return strcmp(x->id ? x->id : "", y->id ? y->id : "");
}

void benchmark_rank(benchmark_ranked_t *items, size_t n, benchmark_direction_t dir) {
  if (n == 0) return;
  qsort(items, n, sizeof *items, dir == BENCHMARK_HIGHER_IS_BETTER ? cmp_higher : cmp_lower);
  for (size_t i = 0; i < n; i++) {
    /* Invariant: a tie takes the rank of the first of its run (1, 2, 2, 4). */
    items[i].rank = (i > 0 && items[i].value == items[i - 1].value) ? items[i - 1].rank
                                                                     : (int32_t)(i + 1);
    items[i].percentile_x100 =
        n == 1 ? 10000
               : (int32_t)benchmark_div_round((benchmark_wide_t)(n - (size_t)items[i].rank) * 10000,
                                              (benchmark_wide_t)(n - 1));
  }
}

/* ---- portfolio years ------------------------------------------------------------------- */

/* The year of a leading YYYY-MM-DD, or -1. */
static int date_year(const char *s) {
  if (!s) return -1;
  for (int i = 0; i < 10; i++) {
    bool dash = i == 4 || i == 7;
    if (dash ? s[i] != '-' : (s[i] < '0' || s[i] > '9')) return -1;
  }
  int y = (s[0] - '0') * 1000 + (s[1] - '0') * 100 + (s[2] - '0') * 10 + (s[3] - '0');
  int m = (s[5] - '0') * 10 + (s[6] - '0'), d = (s[8] - '0') * 10 + (s[9] - '0');
  if (m < 1 || m > 12 || d < 1 || d > 31) return -1;
  return y;
}

int benchmark_event_year(const char *date, const char *commit_time) {
  int y = date_year(date);
  if (y < 0) y = date_year(commit_time);
  if (y < 0) return -1;
  return y < BENCHMARK_YEAR_MIN   ? BENCHMARK_YEAR_MIN
         : y > BENCHMARK_YEAR_MAX ? BENCHMARK_YEAR_MAX
                                  : y;
}

void benchmark_project_merge(benchmark_project_t *dst, const benchmark_project_t *src,
                             benchmark_source_t source) {
  uint32_t bits = 0;
  switch (source) {
    case BENCHMARK_SOURCE_LIFECYCLE:
      bits = BENCHMARK_PHAS_LIFECYCLE | BENCHMARK_PHAS_SCHEDULE;
      dst->schedule_variance_days = src->schedule_variance_days;
      dst->open_disputes = src->open_disputes;
      dst->open_defects = src->open_defects;
      dst->dwellings = src->dwellings;
      dst->sustain = src->sustain;
      break;
    case BENCHMARK_SOURCE_REHOUSING:
      bits = BENCHMARK_PHAS_REHOUSING;
      dst->without_rehousing = src->without_rehousing;
      dst->households_rehoused_temporary = src->households_rehoused_temporary;
      dst->households_moved_back = src->households_moved_back;
      break;
    case BENCHMARK_SOURCE_BUDGET:
      bits = BENCHMARK_PHAS_DRIFT | BENCHMARK_PHAS_MARKET;
      dst->budget_a_ore = src->budget_a_ore;
      dst->drift_ore = src->drift_ore;
      dst->market_adjusted_drift_ore = src->market_adjusted_drift_ore;
      break;
    case BENCHMARK_SOURCE_SURVEY:
      bits = BENCHMARK_PHAS_SATISFACTION;
      dst->satisfaction_x100 = src->satisfaction_x100;
      break;
  }
  dst->has = (dst->has & ~bits) | (src->has & bits);
}

int benchmark_timeline_apply(benchmark_project_year_t *rows, size_t *n, int year,
                             benchmark_source_t source, const benchmark_project_t *now) {
  if (year < BENCHMARK_YEAR_MIN || year > BENCHMARK_YEAR_MAX || *n > BENCHMARK_YEARS) return -1;
  size_t i = 0;
  while (i < *n && rows[i].year < year) i++;
  if (i == *n || rows[i].year != year) {
    /* Invariant: rows stay ascending and distinct, so at most BENCHMARK_YEARS. */
    memmove(&rows[i + 1], &rows[i], (*n - i) * sizeof *rows);
    memset(&rows[i], 0, sizeof rows[i]);
    rows[i].year = year;
    if (i > 0) rows[i].p = rows[i - 1].p; /* carried forward into the new row */
    (*n)++;
  }
  for (size_t k = i; k < *n; k++) benchmark_project_merge(&rows[k].p, now, source);
  return 0;
}

const benchmark_project_t *benchmark_timeline_at(const benchmark_project_year_t *rows, size_t n,
                                                 int year) {
  size_t lo = 0, hi = n; /* the first row after year */
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (rows[mid].year <= year) lo = mid + 1;
    else hi = mid;
  }
  return lo ? &rows[lo - 1].p : NULL;
}

/* ---- open and anonymous -------------------------------------------------------------- */

bool benchmark_name_visible(const char *viewer, bool viewer_open, const char *subject,
                            bool subject_open) {
  if (!viewer || !*viewer) return false; /* no viewer: the anonymous view */
  if (subject && strcmp(viewer, subject) == 0) return true;
  return viewer_open && subject_open;
}

int benchmark_viewer_resolve(const char *caller_org, const char *given, const char *field,
                             bool operator, const char **viewer, trin_err_t *err) {
  bool has_org = caller_org && *caller_org, named = given && *given;
  *viewer = has_org ? caller_org : NULL;
  if (!named || (has_org && strcmp(given, caller_org) == 0)) return TRIN_OK;
  if (!has_org && operator) {
    *viewer = given; /* the caller records it in the audit trail */
    return TRIN_OK;
  }
  *viewer = NULL;
  if (has_org)
    return trin_err_set(err, TRIN_EFORBIDDEN, field,
                        "may not view as \"%s\": the viewer is the caller's own organisation "
                        "\"%s\" (leave %s out)",
                        given, caller_org, field);
  return trin_err_set(err, TRIN_EFORBIDDEN, field,
                      "may not view as \"%s\": the viewer is the caller's own organisation, "
                      "which a service key lacks: ask with the organisation's key, an admin "
                      "key (audited) or through the gateway on a person's behalf",
                      given);
}

bool benchmark_group_visible(size_t n, int min_group) {
  if (min_group < 1) min_group = BENCHMARK_MIN_GROUP_DEFAULT;
  return n >= (size_t)min_group;
}

bool benchmark_side_visible(int32_t projects, int min_group, const char *side, char *why,
                            size_t whyn) {
  if (min_group < 1) min_group = BENCHMARK_MIN_GROUP_DEFAULT;
  if (whyn) why[0] = '\0';
  if (projects > 0 && benchmark_group_visible((size_t)projects, min_group)) return true;
  if (!whyn) return false;
  if (projects <= 0) snprintf(why, whyn, "no project %s has a value", side);
  else
    snprintf(why, whyn, "%d project%s %s %s a value: fewer than the minimum of %d", projects,
             projects == 1 ? "" : "s", side, projects == 1 ? "has" : "have", min_group);
  return false;
}

bool benchmark_satisfaction_x100(const int64_t *sums, const int32_t *counts, size_t n,
                                 int32_t *out) {
  benchmark_wide_t sum = 0, count = 0;
  for (size_t i = 0; i < n; i++) {
    if (counts[i] <= 0) continue;
    sum += (benchmark_wide_t)sums[i] * 100;
    count += counts[i];
  }
  *out = count ? (int32_t)benchmark_div_round(sum, count) : 0;
  return count > 0;
}
