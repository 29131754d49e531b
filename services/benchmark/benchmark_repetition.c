/* benchmark_repetition — see benchmark_repetition.h. */
#include "benchmark_repetition.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
  const char *name;
  benchmark_direction_t dir;
} measures[BENCHMARK_REP_COUNT] = {
    {"drift_bp", BENCHMARK_LOWER_IS_BETTER},
    {"schedule_variance_days", BENCHMARK_LOWER_IS_BETTER},
    {"cost_per_dwelling_ore", BENCHMARK_LOWER_IS_BETTER},
    {"satisfaction_x100", BENCHMARK_HIGHER_IS_BETTER},
};

const char *benchmark_rep_measure_name(int m) {
  return m >= 0 && m < BENCHMARK_REP_COUNT ? measures[m].name : "";
}

benchmark_direction_t benchmark_rep_measure_direction(int m) {
  return m >= 0 && m < BENCHMARK_REP_COUNT ? measures[m].dir : BENCHMARK_LOWER_IS_BETTER;
}

bool benchmark_rep_value(const benchmark_project_t *p, int m, int64_t *out) {
  bool drift = (p->has & BENCHMARK_PHAS_DRIFT) && p->budget_a_ore > 0;
  switch (m) {
  case BENCHMARK_REP_DRIFT_BP:
    if (!drift) return false;
    *out = benchmark_div_round((benchmark_wide_t)p->drift_ore * 10000, p->budget_a_ore);
    return true;
  case BENCHMARK_REP_SCHEDULE_VARIANCE_DAYS:
    if (!(p->has & BENCHMARK_PHAS_SCHEDULE)) return false;
    *out = p->schedule_variance_days;
    return true;
  case BENCHMARK_REP_COST_PER_DWELLING_ORE:
    if (!drift || !(p->has & BENCHMARK_PHAS_LIFECYCLE) || p->dwellings <= 0) return false;
    *out = benchmark_div_round((benchmark_wide_t)p->budget_a_ore + p->drift_ore, p->dwellings);
    return true;
  case BENCHMARK_REP_SATISFACTION_X100:
    if (!(p->has & BENCHMARK_PHAS_SATISFACTION)) return false;
    *out = p->satisfaction_x100;
    return true;
  default:
    return false;
  }
}

static const char *nz(const char *s) { return s ? s : ""; }

static int by_start_then_id(const void *a, const void *b) {
  const benchmark_rep_project_t *x = a, *y = b;
  int c = strcmp(nz(x->start_date), nz(y->start_date));
  return c ? c : strcmp(nz(x->id), nz(y->id));
}

static void trend(const benchmark_rep_project_t *ps, const int64_t *step, size_t n, int m,
                  benchmark_rep_trend_t *t) {
  memset(t, 0, sizeof *t);
  benchmark_wide_t sx = 0, sy = 0, sxy = 0, sxx = 0;
  int64_t first_step = 0;
  bool two_steps = false;
  for (size_t i = 0; i < n; i++) {
    int64_t y;
    if (!benchmark_rep_value(&ps[i].p, m, &y)) continue;
    if (t->projects == 0) {
      t->first = y;
      snprintf(t->first_id, sizeof t->first_id, "%s", nz(ps[i].id));
      first_step = step[i];
    } else if (step[i] != first_step) {
      two_steps = true;
    }
    t->latest = y;
    snprintf(t->latest_id, sizeof t->latest_id, "%s", nz(ps[i].id));
    t->projects++;
    sx += step[i];
    sy += y;
    sxy += (benchmark_wide_t)step[i] * y;
    sxx += (benchmark_wide_t)step[i] * step[i];
  }
  if (t->projects < BENCHMARK_REPETITION_MIN_PROJECTS) {
    snprintf(t->why, sizeof t->why, "%d project%s with %s: fewer than the minimum of %d",
             t->projects, t->projects == 1 ? "" : "s", measures[m].name,
             BENCHMARK_REPETITION_MIN_PROJECTS);
  } else if (!two_steps) {
    snprintf(t->why, sizeof t->why, "every project with %s started the same day: no order",
             measures[m].name);
  }
  if (t->why[0]) {
    t->first = t->latest = 0;
    t->first_id[0] = t->latest_id[0] = 0;
    return;
  }
  /* Two different steps make the denominator n·Σx² − (Σx)² = n²·var(x) > 0. */
  benchmark_wide_t num = t->projects * sxy - sx * sy;
  benchmark_wide_t den = t->projects * sxx - sx * sx;
  t->shown = true;
  t->slope = benchmark_div_round(num, den);
  t->change = t->latest - t->first;
  t->improving = measures[m].dir == BENCHMARK_LOWER_IS_BETTER ? t->slope < 0 : t->slope > 0;
}

void benchmark_repetition(benchmark_rep_project_t *projects, size_t n,
                          benchmark_rep_result_t *out) {
  memset(out, 0, sizeof *out);
  out->projects = (int32_t)n;
  int64_t *step = n ? calloc(n, sizeof *step) : NULL;
  if (n && !step) n = 0; /* out of memory: an empty group, every trend says why */
  if (n) qsort(projects, n, sizeof *projects, by_start_then_id);
  for (size_t i = 0; i < n; i++) {
    bool same = i > 0 && strcmp(nz(projects[i].start_date), nz(projects[i - 1].start_date)) == 0;
    step[i] = i == 0 ? 1 : same ? step[i - 1] : step[i - 1] + 1;
  }
  out->steps = n ? (int32_t)step[n - 1] : 0;
  for (int m = 0; m < BENCHMARK_REP_COUNT; m++) trend(projects, step, n, m, &out->trend[m]);
  free(step);
}

void benchmark_rep_rank(const int64_t *slopes, const char *const *ids, size_t n, int m,
                        const char *mine, int32_t *rank, int32_t *of) {
  *rank = 0;
  *of = (int32_t)n;
  benchmark_ranked_t *items = n ? calloc(n, sizeof *items) : NULL;
  if (!items) return;
  for (size_t i = 0; i < n; i++) {
    items[i].org = (int32_t)i;
    items[i].id = ids[i];
    items[i].value = slopes[i];
  }
  benchmark_rank(items, n, benchmark_rep_measure_direction(m));
  for (size_t i = 0; i < n; i++)
    if (strcmp(nz(items[i].id), nz(mine)) == 0) *rank = items[i].rank;
  free(items);
}
