/* bench_earned_value — earned value (issue 20 item 1), printed, never
 * judged: the time to recompute every status row's earned value when the
 * date turns (agg_rows_set_today: SPI, CPI, EAC, VAC and the RAG of each
 * row, the changed rows put on the dirty list) for 100,000 projects of six
 * milestones with planned costs and percent complete, against the issue's
 * target of < 1 s; and the formulas alone (agg_ev_compute) per project.
 * Storing the changed rows is the aggregator's usual commit, measured by
 * bench_aggregator. --quick: 10,000 projects. */
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "agg_ev.h"
#include "agg_rows.h"
#include "bench_util.h"

#define MILESTONES 6
#define REPS 5

int main(int argc, char **argv) {
  size_t n = argc > 1 && strcmp(argv[1], "--quick") == 0 ? 10000 : 100000;
  char machine[200];
  bench_machine_line(machine, sizeof machine);
  printf("bench_earned_value: %zu projects, %d milestones each (%s)\n", n, MILESTONES, machine);

  agg_thresholds_t t;
  agg_thresholds_default(&t);
  t.economy_earned_value = 1;
  trin_date_t start = trin_date_from_ymd(2025, 1, 1);
  agg_rows_t *rows = agg_rows_new(&t);
  if (!rows) return 1;
  agg_rows_set_today(rows, start + 200, 0);
  for (size_t i = 0; i < n; i++) {
    char id[32];
    snprintf(id, sizeof id, "P%06zu", i);
    agg_row_t *r = agg_rows_get(rows, id, NULL);
    if (!r) return 1;
    bool ch = false;
    r->has |= AGG_HAS_LIFECYCLE | AGG_HAS_BUDGET | AGG_HAS_BUDGET_B;
    r->budget_b_ore = 100000000000 + (int64_t)i * 1000;
    r->actual_cost_ore = 30000000000 + (int64_t)(i % 977) * 10000000;
    r->start_date = start - (trin_date_t)(i % 365);
    r->baseline_handover = start + 730;
    for (int m = 0; m < MILESTONES; m++) {
      char name[16];
      snprintf(name, sizeof name, "m%d", m);
      agg_ev_milestone_t ms = {.baseline = start + 120 * (m + 1),
                               .has_planned_cost = true,
                               .planned_cost_ore = 15000000000 + (int64_t)m * 1000000000,
                               .has_percent = m < 3,
                               .percent_bp = m < 3 ? (int32_t)(10000 - m * 2500 - (i % 7)) : 0};
      if (agg_row_set_ev_milestone(r, name, &ms, &ch)) return 1;
    }
    agg_rows_finish(rows, r, true, 0);
  }
  agg_row_t **dirty;
  agg_rows_take_dirty(rows, &dirty);

  /* A day turns: every row's PV moves (its milestones' spending is under way). */
  double day[REPS];
  size_t changed = 0;
  for (int k = 0; k < REPS; k++) {
    double t0 = bench_now_ms();
    changed = agg_rows_set_today(rows, start + 201 + k * 3, 1000 + k);
    day[k] = bench_now_ms() - t0;
    agg_rows_take_dirty(rows, &dirty);
  }
  double med = bench_median(day, REPS);
  printf("  recompute on a new day:  %8.1f ms median of %d (%zu rows changed; target < 1 s "
         "for 100,000)\n", med, REPS, changed);
  bench_result("earned value", "recompute all rows on a new day", med, "ms",
               "< 1000 ms for 100,000", med / 1000.0 * (100000.0 / (double)n));

  /* The formulas alone. */
  agg_row_t *r0 = agg_rows_at(rows, 0);
  agg_ev_input_t in = {.bac_ore = r0->budget_b_ore, .ac_ore = r0->actual_cost_ore,
                       .start = r0->start_date, .handover = r0->baseline_handover,
                       .ms = r0->ev_ms, .nms = r0->nev_ms};
  agg_ev_t ev;
  int64_t sink = 0;
  double t0 = bench_now_ms();
  for (size_t i = 0; i < n; i++) {
    in.as_of = start + (trin_date_t)(i % 700);
    agg_ev_compute(&in, &ev);
    sink += ev.spi_x100;
  }
  double formulas = bench_now_ms() - t0;
  printf("  formulas alone:          %8.1f ms for %zu projects (%.2f µs each; checksum %lld)\n",
         formulas, n, formulas * 1000.0 / (double)n, (long long)sink);
  bench_result("earned value", "formulas per project", formulas * 1000.0 / (double)n, "µs", "",
               NAN);
  agg_rows_destroy(&rows);
  return 0;
}
