/* benchmark_rules — the benchmarking domain as plain functions on plain
 * structs, unit-tested without sockets: the key-figure table (name, unit,
 * formula, direction), exact fixed-point arithmetic, the maintenance model's
 * weighted grade, size bands, quartiles (Excel QUARTILE.INC = R type 7),
 * competition ranking and percentiles, and the open/anonymous rule.
 *
 * Every figure is aggregated the same way: each property-year (or project)
 * contributes a term (num, den); an organisation's value is
 *     round_half_away_from_zero(Σnum × mult / Σden)
 * at the figure's scale. Cost per m² is thus total cost / total area (a
 * ratio of sums, so a large building weighs by its size), grades and rates
 * are area-weighted means, project KPIs plain means or ratios of sums. */
#ifndef TRIN_BENCHMARK_RULES_H
#define TRIN_BENCHMARK_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trin_err.h"

/* 128-bit intermediates: Σ øre × 10000 over a whole portfolio exceeds 2^63. */
typedef __int128 benchmark_wide_t;

typedef enum {
  BENCHMARK_LOWER_IS_BETTER = 0,
  BENCHMARK_HIGHER_IS_BETTER = 1
} benchmark_direction_t;
typedef enum { BENCHMARK_KIND_PROPERTY = 0, BENCHMARK_KIND_PORTFOLIO = 1 } benchmark_kind_t;

/* ---- property master data ------------------------------------------------ */

/* The longest name (an organisation's, a property's, a municipality or
 * region) in bytes of UTF-8. */
#define BENCHMARK_NAME_MAX_BYTES 200

typedef enum {
  BENCHMARK_TYPE_SCHOOL = 0,
  BENCHMARK_TYPE_DAY_CARE,
  BENCHMARK_TYPE_ADMINISTRATION,
  BENCHMARK_TYPE_HOUSING_DEPARTMENT,
  BENCHMARK_TYPE_OTHER,
  BENCHMARK_TYPE_COUNT
} benchmark_property_type_t;

/* -1 with err filled (naming field) when text is not a type word. */
int benchmark_property_type_parse(const char *text, const char *field, trin_err_t *err);

typedef enum {
  BENCHMARK_BAND_SMALL = 0,  /* < 1,000 m² */
  BENCHMARK_BAND_MEDIUM,     /* 1,000–4,999 m² */
  BENCHMARK_BAND_LARGE,      /* 5,000–19,999 m² */
  BENCHMARK_BAND_VERY_LARGE, /* >= 20,000 m² */
  BENCHMARK_BAND_COUNT
} benchmark_size_band_t;

benchmark_size_band_t benchmark_size_band(int64_t gross_area_m2);
int benchmark_size_band_parse(const char *text, const char *field, trin_err_t *err);
const char *benchmark_size_band_name(int band);

/* ---- measures and projects -------------------------------------------------- */

enum {
  BENCHMARK_HAS_COST = 1u << 0,
  BENCHMARK_HAS_ELECTRICITY = 1u << 1,
  BENCHMARK_HAS_HEAT = 1u << 2,
  BENCHMARK_HAS_WATER = 1u << 3,
  BENCHMARK_HAS_GRADE = 1u << 4,
  BENCHMARK_HAS_CLIMATE = 1u << 5,
  BENCHMARK_HAS_ANVENDELSE = 1u << 6,
  BENCHMARK_HAS_UDNYTTELSE = 1u << 7,
  BENCHMARK_HAS_UNDERSTOETTELSE = 1u << 8,
};

/* A property's measures for one year; `has` says which were measured. */
typedef struct {
  uint32_t has;
  int64_t cost_ore;        /* sum over accounts */
  int64_t electricity_kwh;
  int64_t heat_kwh;
  int64_t water_litres;
  int32_t grade_x100;      /* weighted maintenance grade, 100–500 */
  int32_t climate_class;   /* 1–5 */
  int32_t anvendelsesgrad_bp;
  int32_t udnyttelsesgrad_bp;
  int32_t understoettelsesgrad_bp;
} benchmark_measure_t;

enum {
  BENCHMARK_PHAS_LIFECYCLE = 1u << 0,    /* the lifecycle service announced it */
  BENCHMARK_PHAS_SCHEDULE = 1u << 1,     /* has a handover baseline */
  BENCHMARK_PHAS_DRIFT = 1u << 2,        /* Skema A and B exist, A > 0 */
  BENCHMARK_PHAS_MARKET = 1u << 3,       /* market-adjusted drift known */
  BENCHMARK_PHAS_SATISFACTION = 1u << 4, /* a visible latest satisfaction */
  BENCHMARK_PHAS_REHOUSING = 1u << 8,    /* a rehousing plan is recorded (issue 20, item 4) */
};

/* Sustainability and reuse (issue 20, item 3): the lifecycle's totals the
 * portfolio figures reuse_share_pct, reused_between_projects_t and
 * energy_saving_kwh_m2 are made of. */
typedef struct {
  bool in_partnership;       /* reuse between projects needs a partnership */
  bool energy_measured;      /* a measured energy saving is stated */
  int32_t reuse_measures;
  int64_t reused_between_kg; /* from other projects of the same partnership */
  int32_t energy_saving_x100; /* measured, kWh/m² a year × 100 */
  int32_t gross_area_m2;
} benchmark_sustain_t;

/* A project's portfolio state, from the other services' events (the current
 * state, or its state at the end of one year). */
typedef struct {
  uint32_t has;
  int64_t budget_a_ore;
  int64_t drift_ore;
  int64_t market_adjusted_drift_ore;
  int32_t schedule_variance_days;
  int32_t satisfaction_x100;
  int32_t open_disputes;
  int32_t open_defects;
  int32_t dwellings;
  /* Rehousing (issue 20, item 4), with BENCHMARK_PHAS_REHOUSING. */
  bool without_rehousing;
  int32_t households_rehoused_temporary, households_moved_back;
  benchmark_sustain_t sustain; /* lifecycle's, issue 20 item 3 */
} benchmark_project_t;

/* ---- portfolio years: which year a change counts in, carried forward ----------

 * A portfolio KPI's value for year Y is the organisation's state at the end
 * of Y (31 December, inclusive). A project keeps a timeline: one state per
 * year in which something changed; for any year Y its state is that of the
 * last row at or before Y (carried forward; none before its first row).
 *
 * The year of a change is the year of the event's date — the date the
 * payload says the change happened (see benchmark_follow.h's table), or,
 * when the payload carries none, the event's commit time (UTC). A change
 * takes effect from its year onward: the service's part of the project's
 * state (each field belongs to one upstream service) is replaced in that
 * year's row and in every later row. So a change dated 31 Dec 2023 counts
 * in 2023, one dated 1 Jan 2024 first in 2024; and a late-recorded change
 * dated in an earlier year rewrites that service's part from its year on. */

#define BENCHMARK_YEAR_MIN 1990
#define BENCHMARK_YEAR_MAX 2100
#define BENCHMARK_YEARS (BENCHMARK_YEAR_MAX - BENCHMARK_YEAR_MIN + 1)

typedef enum {
  BENCHMARK_SOURCE_LIFECYCLE = 0,
  BENCHMARK_SOURCE_BUDGET,
  BENCHMARK_SOURCE_SURVEY,
  /* Lifecycle's rehousing events (issue 20, item 4): a part of their own,
   * so a movement dated in an earlier year rewrites only the rehousing
   * figures from that year on, not the disputes or stage of that time. */
  BENCHMARK_SOURCE_REHOUSING
} benchmark_source_t;

typedef struct {
  int32_t year;
  benchmark_project_t p; /* the state at the end of `year` */
} benchmark_project_year_t;

/* The year of a change: the year of `date` (YYYY-MM-DD, anything after the
 * day ignored) when it is one, else of `commit_time` (ISO 8601 UTC), clamped
 * to BENCHMARK_YEAR_MIN..BENCHMARK_YEAR_MAX; -1 when neither is a date. */
int benchmark_event_year(const char *date, const char *commit_time);

/* Copies the fields (and `has` bits) that `source` owns from src to dst:
 * lifecycle — dwellings, open disputes and defects, schedule variance;
 * budget — Skema A, drift, market-adjusted drift; survey — satisfaction;
 * rehousing — the plan's flag and the households rehoused and moved back. */
void benchmark_project_merge(benchmark_project_t *dst, const benchmark_project_t *src,
                             benchmark_source_t source);

/* Applies a change of `source` counting from `year`, `now` being the
 * project's state after it: ensures a row for year (a copy of the row
 * before it, or empty) and merges source's part of `now` into it and every
 * later row. rows are ascending by year with room for BENCHMARK_YEARS. -1 when the
 * year is out of range. */
int benchmark_timeline_apply(benchmark_project_year_t *rows, size_t *n, int year,
                             benchmark_source_t source, const benchmark_project_t *now);

/* The state at the end of `year` (the last row at or before it); NULL when
 * the timeline starts later. */
const benchmark_project_t *benchmark_timeline_at(const benchmark_project_year_t *rows, size_t n,
                                                 int year);

/* ---- the key-figure table ------------------------------------------------------ */

typedef struct {
  const char *name;
  const char *unit;
  int scale;               /* decimals carried by the integer values */
  benchmark_direction_t direction;
  benchmark_kind_t kind;
  const char *formula;     /* in words; docs/benchmark.md says the same */
  int64_t mult;            /* value = round(Σnum × mult / Σden) */
  /* One property-year's term (property figures); false = not measured. */
  bool (*property_term)(const benchmark_measure_t *m, int64_t area_m2, benchmark_wide_t *num,
                        benchmark_wide_t *den);
  /* One project's term (portfolio figures); false = not known. */
  bool (*project_term)(const benchmark_project_t *p, benchmark_wide_t *num, benchmark_wide_t *den);
} benchmark_figure_t;

enum {
  BENCHMARK_FIG_COST_PER_M2 = 0,
  BENCHMARK_FIG_ENERGY_PER_M2,
  BENCHMARK_FIG_ELECTRICITY_PER_M2,
  BENCHMARK_FIG_HEAT_PER_M2,
  BENCHMARK_FIG_WATER_PER_M2,
  BENCHMARK_FIG_MAINTENANCE_GRADE,
  BENCHMARK_FIG_INDOOR_CLIMATE,
  BENCHMARK_FIG_ANVENDELSESGRAD,
  BENCHMARK_FIG_UDNYTTELSESGRAD,
  BENCHMARK_FIG_UNDERSTOETTELSESGRAD,
  BENCHMARK_FIG_BUDGET_DRIFT,
  BENCHMARK_FIG_MARKET_ADJUSTED_DRIFT,
  BENCHMARK_FIG_SCHEDULE_VARIANCE,
  BENCHMARK_FIG_LATEST_SATISFACTION,
  BENCHMARK_FIG_OPEN_DISPUTES,
  BENCHMARK_FIG_DEFECTS_PER_DWELLING,
  /* rehousing (issue 20, item 4) */
  BENCHMARK_FIG_WITHOUT_REHOUSING_SHARE,
  BENCHMARK_FIG_MOVED_BACK_SHARE,
  /* sustainability and reuse (issue 20, item 3) */
  BENCHMARK_FIG_REUSE_SHARE,
  BENCHMARK_FIG_REUSED_BETWEEN_PROJECTS,
  BENCHMARK_FIG_ENERGY_SAVING,
  BENCHMARK_FIG_COUNT
};
#define BENCHMARK_PROPERTY_FIGURES 10 /* the first ten are property figures */

extern const benchmark_figure_t benchmark_figures[BENCHMARK_FIG_COUNT];

/* Index into benchmark_figures, or -1 with err (INVALID naming field). */
int benchmark_figure_find(const char *name, const char *field, trin_err_t *err);
const char *benchmark_direction_name(benchmark_direction_t d);
const char *benchmark_kind_name(benchmark_kind_t k);

/* TRIN_EINVALID naming field ("must be lo–hi, not v") unless lo <= v <= hi. */
int benchmark_range_check(int64_t v, int64_t lo, int64_t hi, const char *field, trin_err_t *err);

/* n / d rounded half away from zero; d != 0. Saturates at INT64 bounds. */
int64_t benchmark_div_round(benchmark_wide_t n, benchmark_wide_t d);

/* A survey round's satisfaction in hundredths: every answer of the visible
 * all-roles statements, Σ sum × 100 / Σ count, rounded once (half away from
 * zero). sums[i] and counts[i] are one statement's; false (and *out 0) when
 * no answer counts. */
bool benchmark_satisfaction_x100(const int64_t *sums, const int32_t *counts, size_t n,
                                 int32_t *out);

/* The figure's value from summed terms; false when den is 0. */
bool benchmark_figure_value(const benchmark_figure_t *f, benchmark_wide_t num, benchmark_wide_t den,
                            int64_t *out);

/* ---- the maintenance model ----------------------------------------------------- */

#define BENCHMARK_MODEL_MAX_PARTS 64

typedef struct {
  char part[65];
  int32_t weight; /* 1–1000 */
} benchmark_model_part_t;

typedef struct {
  const char *part;
  int32_t grade; /* 1 (best) – 5 */
} benchmark_part_grade_t;

/* Checks a model: 1–64 parts, ids, weights 1–1000, no duplicates. */
int benchmark_model_check(const benchmark_model_part_t *parts, size_t n, trin_err_t *err);

/* Weighted grade in hundredths: round(Σ grade × weight × 100 / Σ weight)
 * over the graded parts (parts not graded are unassessed and left out).
 * Every graded part must be in the model, graded 1–5, at most once.
 * *has is false when no part is graded. Errors name "maintenance[i]". */
int benchmark_weighted_grade_x100(const benchmark_part_grade_t *grades, size_t n,
                                  const benchmark_model_part_t *model, size_t nmodel, bool *has,
                                  int32_t *out, trin_err_t *err);

/* ---- statistics ------------------------------------------------------------------ */

typedef struct {
  int32_t n;
  int64_t mean, median, q1, q3, min, max;
} benchmark_distribution_t;

/* The p-th quartile (k = 0..4: min, Q1, median, Q3, max) of ascending
 * values, as Excel's QUARTILE.INC and R's quantile(type = 7):
 *   h = (n − 1) × k / 4,  Q = x[⌊h⌋] + (h − ⌊h⌋) × (x[⌊h⌋+1] − x[⌊h⌋]),
 * computed exactly in quarters and rounded half away from zero. n > 0. */
int64_t benchmark_quartile(const int64_t *asc, size_t n, int k);

/* Distribution of ascending values (n may be 0: all zero). The mean is
 * round(Σx / n). */
void benchmark_distribution(const int64_t *asc, size_t n, benchmark_distribution_t *out);

/* ---- ranking ------------------------------------------------------------------------ */

typedef struct {
  int32_t org;            /* the caller's index */
  const char *id;         /* tie-break: equal values list by id */
  int64_t value;
  int32_t count;          /* terms behind the value */
  int32_t rank;           /* filled by benchmark_rank */
  int32_t percentile_x100;
} benchmark_ranked_t;

/* Sorts best first (direction-aware; equal values by id) and assigns
 * competition ranks (1, 2, 2, 4: ties share the best rank) and percentiles
 * 10000 × (n − rank) / (n − 1), rounded (10000 when n = 1). */
void benchmark_rank(benchmark_ranked_t *items, size_t n, benchmark_direction_t dir);

/* ---- open and anonymous benchmarking ------------------------------------------------ */

#define BENCHMARK_MIN_GROUP_DEFAULT 5

/* May the viewer see `subject` by name? Always itself; another organisation
 * only when both have agreed to open benchmarking (reciprocity: who keeps
 * its own name hidden sees no names). viewer NULL or "" (no viewer) sees
 * no names. */
bool benchmark_name_visible(const char *viewer, bool viewer_open, const char *subject,
                            bool subject_open);

/* Who the viewer is: the caller's own organisation, never a name in the
 * request — unless the caller is an operator. caller_org is the
 * organisation the caller's key (or the person the gateway asks for)
 * belongs to; NULL or "" for a caller without one — an operator's admin
 * key, a service key, an unauthenticated local endpoint. given is the
 * request's viewer_org (NULL or "" = left out). operator: the caller is
 * unrestricted (trin_access_unrestricted: an admin key, a keyless local
 * endpoint).
 *
 * Sets *viewer to caller_org; for a caller without an organisation, to
 * NULL (no viewer: the anonymous view, nobody named, no `you`), or, when an
 * operator names one, to given (borrowed from it) — the caller of this
 * function records that in the audit trail. Refuses with TRIN_EFORBIDDEN
 * on field any other given viewer that is not the caller's own
 * organisation. */
int benchmark_viewer_resolve(const char *caller_org, const char *given, const char *field,
                             bool operator, const char **viewer, trin_err_t *err);

/* May a peer group of n organisations be shown (distribution, others'
 * values and ranks)? */
bool benchmark_group_visible(size_t n, int min_group);

/* May one side of a partnership comparison show its value? Only with at
 * least min_group projects behind it (0 = the default 5), whether the
 * comparison spans every organisation or is narrowed to one: one
 * organisation's single project inside (or outside) partnerships is that
 * project's own figure, not an anonymous one. side names it for people
 * ("inside partnerships"). Returns true when shown; otherwise writes why
 * into why (whyn bytes, always terminated), e.g. "1 project inside
 * partnerships has a value: fewer than the minimum of 5". */
bool benchmark_side_visible(int32_t projects, int min_group, const char *side, char *why,
                            size_t whyn);

#endif
