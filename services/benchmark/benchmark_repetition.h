/* benchmark_repetition — repetition evidence (issue 20, item 5): does a
 * partnership's later project of a kind do better than its first? Seed 000
 * ("Porteføljens karakter", "Ensretning af processer er de høstede
 * gentagelseseffekter") says a portfolio makes learning between projects
 * possible and that it is not yet known how much it is harvested; these
 * functions measure it from figures trin already keeps. Plain functions on
 * plain structs, unit-tested without sockets.
 *
 * A group is one partnership's projects of one kind. Its projects are put in
 * the order they started; a project's step is the dense rank of its start
 * date (1 for the earliest date, 2 for the next later date, …): projects that
 * started the same day share a step, as neither could learn from the other.
 *
 * For each measure, over the projects that have it:
 *   slope  = (n·Σxy − Σx·Σy) / (n·Σx² − (Σx)²)      x = step, y = measure
 * the least-squares change of the measure per step, computed exactly in
 * 128-bit integers and rounded once, half away from zero. It is shown only
 * with at least BENCHMARK_REPETITION_MIN_PROJECTS projects having the measure
 * and at least two different steps among them; otherwise `why` says which.
 * first / latest are the measure of the earliest and the latest project
 * having it (by start date, then id), change = latest − first.
 *
 * The measures, each as its key figure rounds it per project:
 *   drift_bp                (Skema B − Skema A) × 10000 / Skema A   lower is better
 *   schedule_variance_days  handover forecast or actual − baseline  lower is better
 *   cost_per_dwelling_ore   Skema B / dwellings (Skema B = A + drift) lower is better
 *   satisfaction_x100       the latest round's satisfaction × 100    higher is better */
#ifndef TRIN_BENCHMARK_REPETITION_H
#define TRIN_BENCHMARK_REPETITION_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "benchmark_rules.h"

#define BENCHMARK_REPETITION_MIN_PROJECTS 3

typedef enum {
  BENCHMARK_REP_DRIFT_BP = 0,
  BENCHMARK_REP_SCHEDULE_VARIANCE_DAYS,
  BENCHMARK_REP_COST_PER_DWELLING_ORE,
  BENCHMARK_REP_SATISFACTION_X100,
  BENCHMARK_REP_COUNT
} benchmark_rep_measure_t;

/* The measure's name ("drift_bp", …) and its direction. */
const char *benchmark_rep_measure_name(int m);
benchmark_direction_t benchmark_rep_measure_direction(int m);

/* One project of a group; strings borrowed from the caller. */
typedef struct {
  const char *id;
  const char *start_date; /* YYYY-MM-DD */
  benchmark_project_t p;  /* the current state */
} benchmark_rep_project_t;

typedef struct {
  bool shown;        /* false: slope, first, latest and change are 0; why says why */
  char why[96];
  int32_t projects;  /* projects having the measure */
  int64_t slope;     /* the measure's unit per step */
  int64_t first, latest, change;
  char first_id[65], latest_id[65];
  bool improving;    /* the slope points the better way (false when 0 or not shown) */
} benchmark_rep_trend_t;

typedef struct {
  int32_t projects; /* in the group */
  int32_t steps;    /* different start dates */
  benchmark_rep_trend_t trend[BENCHMARK_REP_COUNT];
} benchmark_rep_result_t;

/* The measure of one project; false when it does not have it (no Skema A or
 * B, no handover baseline, no dwellings, no visible satisfaction). */
bool benchmark_rep_value(const benchmark_project_t *p, int m, int64_t *out);

/* Sorts projects by start date then id (in place) and fills out. n may be 0. */
void benchmark_repetition(benchmark_rep_project_t *projects, size_t n,
                          benchmark_rep_result_t *out);

/* Repetition as a benchmark figure: the rank of partnership `mine` among
 * the partnerships whose group of the same kind shows the measure's trend,
 * ranked as every benchmark figure (benchmark_rank: best first by the
 * measure's direction, equal slopes share the best rank). slopes[i] is
 * partnership ids[i]'s; *of = n; *rank 0 when mine is not among them. */
void benchmark_rep_rank(const int64_t *slopes, const char *const *ids, size_t n, int m,
                        const char *mine, int32_t *rank, int32_t *of);

#endif
