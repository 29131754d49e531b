/* benchmark.years — portfolio KPIs per year: which year a change counts in
 * (benchmark_event_year: the event's date, else its commit time; 31 Dec vs 1 Jan),
 * the carry-forward timeline of one project (benchmark_timeline_apply / _at, a
 * service's part rewritten from a change's year on), and the index's
 * per-organisation-year sums: values, ranks and rank history over years,
 * the current values, the partnership comparison per year, and incremental
 * updates that always equal a rebuild from scratch. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "benchmark_index.h"
#include "benchmark_rules.h"

/* ---- the year of a change ------------------------------------------------------------ */

static void year_of_a_change(void **state) {
  /* the payload's date wins; the year ends on 31 December inclusive */
  assert_int_equal(benchmark_event_year("2023-12-31", "2026-03-01T10:00:00Z"), 2023);
  assert_int_equal(benchmark_event_year("2024-01-01", "2026-03-01T10:00:00Z"), 2024);
  /* no date in the payload: the commit time (UTC) */
  assert_int_equal(benchmark_event_year("", "2023-12-31T23:59:59Z"), 2023);
  assert_int_equal(benchmark_event_year(NULL, "2024-01-01T00:00:00Z"), 2024);
  /* not a date: falls back too */
  assert_int_equal(benchmark_event_year("31-12-2023", "2025-06-01T00:00:00Z"), 2025);
  assert_int_equal(benchmark_event_year("2023-13-01", "2025-06-01T00:00:00Z"), 2025);
  assert_int_equal(benchmark_event_year("2023-12-00", "2025-06-01T00:00:00Z"), 2025);
  assert_int_equal(benchmark_event_year("2023", "2025-06-01T00:00:00Z"), 2025);
  /* neither */
  assert_int_equal(benchmark_event_year("", ""), -1);
  assert_int_equal(benchmark_event_year(NULL, NULL), -1);
  /* clamped to the years the service keeps */
  assert_int_equal(benchmark_event_year("1985-05-05", NULL), BENCHMARK_YEAR_MIN);
  assert_int_equal(benchmark_event_year("2150-05-05", NULL), BENCHMARK_YEAR_MAX);
}

/* ---- one project's timeline ------------------------------------------------------------ */

static benchmark_project_t lifecycle(int disputes) {
  return (benchmark_project_t){
      .has = BENCHMARK_PHAS_LIFECYCLE, .open_disputes = disputes, .dwellings = 10};
}

static void carried_forward_from_the_last_change(void **state) {
  benchmark_project_year_t rows[BENCHMARK_YEARS];
  size_t n = 0;
  /* a dispute opened on 31 Dec 2023, resolved on 1 Jan 2024 */
  benchmark_project_t now = lifecycle(1);
  assert_int_equal(benchmark_timeline_apply(rows, &n, benchmark_event_year("2023-12-31", NULL),
                                            BENCHMARK_SOURCE_LIFECYCLE, &now),
                   0);
  now = lifecycle(0);
  assert_int_equal(benchmark_timeline_apply(rows, &n, benchmark_event_year("2024-01-01", NULL),
                                            BENCHMARK_SOURCE_LIFECYCLE, &now),
                   0);
  assert_int_equal(n, 2);
  assert_null(benchmark_timeline_at(rows, n, 2022));              /* before the first change */
  /* open at the end of 2023 */
  assert_int_equal(benchmark_timeline_at(rows, n, 2023)->open_disputes, 1);
  assert_int_equal(benchmark_timeline_at(rows, n, 2024)->open_disputes, 0);
  assert_int_equal(benchmark_timeline_at(rows, n, 2030)->open_disputes, 0); /* carried forward */
  assert_int_equal(benchmark_timeline_at(rows, n, BENCHMARK_YEAR_MAX)->open_disputes, 0);
  /* two changes in one year: the last one recorded is the year's state */
  now = lifecycle(3);
  assert_int_equal(benchmark_timeline_apply(rows, &n, 2024, BENCHMARK_SOURCE_LIFECYCLE, &now), 0);
  assert_int_equal(n, 2);
  assert_int_equal(benchmark_timeline_at(rows, n, 2024)->open_disputes, 3);
  assert_int_equal(benchmark_timeline_at(rows, n, 2023)->open_disputes, 1);
  /* out of range */
  assert_int_equal(benchmark_timeline_apply(rows, &n, 1989, BENCHMARK_SOURCE_LIFECYCLE, &now), -1);
  assert_int_equal(benchmark_timeline_apply(rows, &n, 2101, BENCHMARK_SOURCE_LIFECYCLE, &now), -1);
}

static void a_change_rewrites_its_service_part_from_its_year_on(void **state) {
  benchmark_project_year_t rows[BENCHMARK_YEARS];
  size_t n = 0;
  benchmark_project_t now = {0};
  /* survey in 2024: satisfaction 4.00 */
  now.has = BENCHMARK_PHAS_SATISFACTION;
  now.satisfaction_x100 = 400;
  assert_int_equal(benchmark_timeline_apply(rows, &n, 2024, BENCHMARK_SOURCE_SURVEY, &now), 0);
  /* recorded later, dated 2023: Skema A and B (drift 5 %) */
  now.has |= BENCHMARK_PHAS_DRIFT;
  now.budget_a_ore = 1000;
  now.drift_ore = 50;
  assert_int_equal(benchmark_timeline_apply(rows, &n, 2023, BENCHMARK_SOURCE_BUDGET, &now), 0);
  assert_int_equal(n, 2);
  const benchmark_project_t *p23 = benchmark_timeline_at(rows, n, 2023),
                            *p24 = benchmark_timeline_at(rows, n, 2024);
  /* 2023 has the budget, not the 2024 survey; 2024 has both */
  assert_int_equal(p23->has, BENCHMARK_PHAS_DRIFT);
  assert_int_equal(p23->drift_ore, 50);
  assert_int_equal(p23->satisfaction_x100, 0);
  assert_int_equal(p24->has, BENCHMARK_PHAS_DRIFT | BENCHMARK_PHAS_SATISFACTION);
  assert_int_equal(p24->drift_ore, 50);
  assert_int_equal(p24->satisfaction_x100, 400);
  /* a budget change dated 2022 rewrites the budget part of 2022, 2023, 2024 */
  now.drift_ore = 70;
  assert_int_equal(benchmark_timeline_apply(rows, &n, 2022, BENCHMARK_SOURCE_BUDGET, &now), 0);
  assert_int_equal(n, 3);
  assert_int_equal(benchmark_timeline_at(rows, n, 2022)->drift_ore, 70);
  assert_int_equal(benchmark_timeline_at(rows, n, 2023)->drift_ore, 70);
  assert_int_equal(benchmark_timeline_at(rows, n, 2024)->drift_ore, 70);
  assert_int_equal(benchmark_timeline_at(rows, n, 2024)->satisfaction_x100, 400);
  assert_false(benchmark_timeline_at(rows, n, 2023)->has & BENCHMARK_PHAS_SATISFACTION);
  /* merge copies exactly one service's part */
  benchmark_project_t a = {.has = BENCHMARK_PHAS_LIFECYCLE | BENCHMARK_PHAS_SATISFACTION,
                           .open_defects = 2,
                           .satisfaction_x100 = 300};
  benchmark_project_t b = {
      .has = BENCHMARK_PHAS_DRIFT | BENCHMARK_PHAS_MARKET | BENCHMARK_PHAS_SCHEDULE,
      .budget_a_ore = 9,
      .drift_ore = 1,
      .market_adjusted_drift_ore = 2,
      .schedule_variance_days = 5};
  benchmark_project_merge(&a, &b, BENCHMARK_SOURCE_BUDGET);
  assert_int_equal(a.has, BENCHMARK_PHAS_LIFECYCLE | BENCHMARK_PHAS_SATISFACTION |
                              BENCHMARK_PHAS_DRIFT | BENCHMARK_PHAS_MARKET);
  assert_int_equal(a.market_adjusted_drift_ore, 2);
  assert_int_equal(a.schedule_variance_days, 0);
  benchmark_project_merge(&a, &b, BENCHMARK_SOURCE_LIFECYCLE);
  assert_int_equal(a.has, BENCHMARK_PHAS_SATISFACTION | BENCHMARK_PHAS_DRIFT |
                              BENCHMARK_PHAS_MARKET | BENCHMARK_PHAS_SCHEDULE);
  assert_int_equal(a.open_defects, 0);
  assert_int_equal(a.schedule_variance_days, 5);
  assert_int_equal(a.satisfaction_x100, 300);
}

/* ---- per organisation and year in the index ------------------------------------------------ */

static benchmark_project_t drift(int64_t a, int64_t d) {
  return (benchmark_project_t){.has = BENCHMARK_PHAS_DRIFT, .budget_a_ore = a, .drift_ore = d};
}

static int64_t value_of(benchmark_index_t *ix, int f, int year, int32_t org, int32_t *rank,
                        size_t *of) {
  const benchmark_ranking_t *r;
  assert_int_equal(benchmark_index_rank(ix, f, year, &BENCHMARK_PEER_ANY, &r), 0);
  if (of) *of = r->n;
  for (size_t i = 0; i < r->n; i++)
    if (r->items[i].org == org) {
      if (rank) *rank = r->items[i].rank;
      return r->items[i].value;
    }
  if (rank) *rank = 0;
  return INT64_MIN;
}

static void organisations_ranked_per_year(void **state) {
  benchmark_index_t *ix = benchmark_index_new();
  int32_t a = benchmark_index_org_set(ix, "A", "A", true),
          b = benchmark_index_org_set(ix, "B", "B", true),
          c = benchmark_index_org_set(ix, "C", "C", true);
  /* A: drift 10 % in 2022, 2 % from 2024 (lower is better) */
  benchmark_project_year_t ya[2] = {{2022, drift(1000, 100)}, {2024, drift(1000, 20)}};
  /* B: 5 % from 2023 */
  benchmark_project_year_t yb[1] = {{2023, drift(2000, 100)}};
  /* C: two projects, 2023: 3 % and 9 % -> (30 + 90) / 2000 = 6 %, one of them
   * at 1 % from 2025 -> (30 + 10) / 2000 = 2 %, a tie with A */
  benchmark_project_year_t yc1[1] = {{2023, drift(1000, 30)}};
  benchmark_project_year_t yc2[2] = {{2023, drift(1000, 90)}, {2025, drift(1000, 10)}};
  assert_true(benchmark_index_project_set(ix, "PA", a, true, true, ya, 2) >= 0);
  assert_true(benchmark_index_project_set(ix, "PB", b, true, false, yb, 1) >= 0);
  assert_true(benchmark_index_project_set(ix, "PC1", c, true, true, yc1, 1) >= 0);
  assert_true(benchmark_index_project_set(ix, "PC2", c, true, false, yc2, 2) >= 0);

  int32_t rank;
  size_t of;
  /* 2021: nobody */
  assert_true(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2021, a, &rank, &of) == INT64_MIN);
  assert_int_equal(of, 0);
  /* 2022: A alone */
  assert_int_equal(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2022, a, &rank, &of), 1000);
  assert_int_equal(rank, 1);
  assert_int_equal(of, 1);
  /* 2023: B 5 %, C 6 %, A 10 % (carried from 2022) */
  assert_int_equal(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2023, a, &rank, &of), 1000);
  assert_int_equal(rank, 3);
  assert_int_equal(of, 3);
  assert_int_equal(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2023, c, &rank, NULL), 600);
  assert_int_equal(rank, 2);
  /* 2024: A 2 %, B 5 %, C 6 % */
  assert_int_equal(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2024, a, &rank, NULL), 200);
  assert_int_equal(rank, 1);
  /* 2025 on: A 2 % and C 2 % share rank 1, B 3rd */
  assert_int_equal(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2025, c, &rank, NULL), 200);
  assert_int_equal(rank, 1);
  assert_int_equal(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2025, a, &rank, NULL), 200);
  assert_int_equal(rank, 1);
  assert_int_equal(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2040, b, &rank, NULL), 500);
  assert_int_equal(rank, 3);
  /* year 0 = current = the last row of every timeline */
  assert_int_equal(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 0, c, &rank, &of), 200);
  assert_int_equal(of, 3);
  /* the count behind C's value is its projects */
  const benchmark_ranking_t *r;
  assert_int_equal(
      benchmark_index_rank(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2023, &BENCHMARK_PEER_ANY, &r), 0);
  for (size_t i = 0; i < r->n; i++)
    if (r->items[i].org == c) assert_int_equal(r->items[i].count, 2);
  /* distribution for 2023: 5, 6, 10 % */
  assert_int_equal(r->dist.n, 3);
  assert_int_equal(r->dist.median, 600);
  assert_int_equal(r->dist.min, 500);
  assert_int_equal(r->dist.max, 1000);

  /* inside / outside per year: C's PC1 inside, PC2 outside */
  benchmark_side_t in, out;
  benchmark_index_compare(ix, BENCHMARK_FIG_BUDGET_DRIFT, c, 2023, &in, &out);
  assert_int_equal(in.value, 300);
  assert_int_equal(out.value, 900);
  benchmark_index_compare(ix, BENCHMARK_FIG_BUDGET_DRIFT, c, 2025, &in, &out);
  assert_int_equal(out.value, 100);
  benchmark_index_compare(ix, BENCHMARK_FIG_BUDGET_DRIFT, c, 2022, &in, &out);
  assert_false(in.has_value);
  assert_int_equal(in.count, 0);
  /* everyone, 2023: inside A + PC1 = (100 + 30) / 2000, outside B + PC2 = (100 + 90) / 3000 */
  benchmark_index_compare(ix, BENCHMARK_FIG_BUDGET_DRIFT, -1, 2023, &in, &out);
  assert_int_equal(in.count, 2);
  assert_int_equal(in.value, 650);
  assert_int_equal(out.count, 2);
  assert_int_equal(out.value, 633);

  /* a project moves to another client and out of its partnership: every year follows */
  assert_true(benchmark_index_project_set(ix, "PA", b, true, false, ya, 2) >= 0);
  assert_true(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2024, a, NULL, &of) == INT64_MIN);
  assert_int_equal(of, 2);
  /* B 2022: PA 10 %; 2023: (100 + 100) / 3000 = 6.67 %; 2024: (100 + 20) / 3000 = 4 % */
  assert_int_equal(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2022, b, NULL, NULL), 1000);
  assert_int_equal(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2023, b, NULL, NULL), 667);
  assert_int_equal(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2024, b, NULL, NULL), 400);
  /* an empty timeline takes a project out of every year */
  assert_true(benchmark_index_project_set(ix, "PA", b, true, false, NULL, 0) >= 0);
  assert_int_equal(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2024, b, NULL, NULL), 500);
  assert_true(value_of(ix, BENCHMARK_FIG_BUDGET_DRIFT, 2022, b, NULL, NULL) == INT64_MIN);
  benchmark_index_destroy(&ix);
}

/* Incremental updates equal a rebuild from scratch, for every organisation,
 * figure and year, after many random changes (fixed seed). */
static uint64_t rnd_state = 88172645463325252ull;
static uint64_t rnd(void) {
  rnd_state ^= rnd_state << 13;
  rnd_state ^= rnd_state >> 7;
  rnd_state ^= rnd_state << 17;
  return rnd_state;
}

enum { NORG = 7, NPROJ = 40, ROUNDS = 400 };

typedef struct {
  int32_t org;
  bool known, inside;
  benchmark_project_year_t rows[BENCHMARK_YEARS];
  size_t n;
} sim_t;

static void incremental_equals_rebuild(void **state) {
  static sim_t sim[NPROJ];
  memset(sim, 0, sizeof sim);
  benchmark_index_t *ix = benchmark_index_new(), *fresh = benchmark_index_new();
  char id[16];
  for (int o = 0; o < NORG; o++) {
    snprintf(id, sizeof id, "O%d", o);
    benchmark_index_org_set(ix, id, id, true);
    benchmark_index_org_set(fresh, id, id, true);
  }
  for (int round = 0; round < ROUNDS; round++) {
    int j = (int)(rnd() % NPROJ);
    sim_t *s = &sim[j];
    if (rnd() % 10 == 0) s->org = (int32_t)(rnd() % (NORG + 1)) - 1; /* -1: no client */
    if (rnd() % 10 == 0) s->known = rnd() % 2, s->inside = rnd() % 2;
    benchmark_project_t now = s->n ? s->rows[s->n - 1].p : (benchmark_project_t){0};
    benchmark_source_t src = (benchmark_source_t)(rnd() % 4);
    if (src == BENCHMARK_SOURCE_LIFECYCLE) {
      now.has |= BENCHMARK_PHAS_LIFECYCLE;
      if (rnd() % 2) now.has |= BENCHMARK_PHAS_SCHEDULE;
      else now.has &= ~(uint32_t)BENCHMARK_PHAS_SCHEDULE;
      now.open_disputes = (int32_t)(rnd() % 4);
      now.open_defects = (int32_t)(rnd() % 30);
      now.dwellings = (int32_t)(rnd() % 50);
      now.schedule_variance_days = (int32_t)(rnd() % 200) - 50;
    } else if (src == BENCHMARK_SOURCE_BUDGET) {
      now.has |= BENCHMARK_PHAS_DRIFT;
      if (rnd() % 2) now.has |= BENCHMARK_PHAS_MARKET;
      else now.has &= ~(uint32_t)BENCHMARK_PHAS_MARKET;
      now.budget_a_ore = (int64_t)(rnd() % 1000000000) + 1;
      now.drift_ore = (int64_t)(rnd() % 200000000) - 50000000;
      now.market_adjusted_drift_ore = now.drift_ore / 2;
    } else if (src == BENCHMARK_SOURCE_REHOUSING) {
      if (rnd() % 3) now.has |= BENCHMARK_PHAS_REHOUSING;
      else now.has &= ~(uint32_t)BENCHMARK_PHAS_REHOUSING;
      now.without_rehousing = rnd() % 4 == 0;
      now.households_rehoused_temporary = (int32_t)(rnd() % 40);
      now.households_moved_back = now.households_rehoused_temporary / 2;
    } else {
      now.has |= BENCHMARK_PHAS_SATISFACTION;
      now.satisfaction_x100 = (int32_t)(100 + rnd() % 401);
    }
    int year = 2010 + (int)(rnd() % 15);
    assert_int_equal(benchmark_timeline_apply(s->rows, &s->n, year, src, &now), 0);
    snprintf(id, sizeof id, "P%d", j);
    assert_true(
        benchmark_index_project_set(ix, id, s->org, s->known, s->inside, s->rows, s->n) >= 0);
    if (round % 50 != 49) continue;
    benchmark_index_clear(fresh);
    for (int o = 0; o < NORG; o++) {
      snprintf(id, sizeof id, "O%d", o);
      benchmark_index_org_set(fresh, id, id, true);
    }
    for (int k = 0; k < NPROJ; k++) {
      snprintf(id, sizeof id, "P%d", k);
      assert_true(benchmark_index_project_set(fresh, id, sim[k].org, sim[k].known, sim[k].inside,
                                              sim[k].rows, sim[k].n) >= 0);
    }
    for (int f = BENCHMARK_PROPERTY_FIGURES; f < BENCHMARK_FIG_COUNT; f++)
      for (int y = 2008; y <= 2027; y++) {
        const benchmark_ranking_t *r1, *r2;
        assert_int_equal(benchmark_index_rank(ix, f, y, &BENCHMARK_PEER_ANY, &r1), 0);
        assert_int_equal(benchmark_index_rank(fresh, f, y, &BENCHMARK_PEER_ANY, &r2), 0);
        assert_int_equal(r1->n, r2->n);
        for (size_t i = 0; i < r1->n; i++) {
          assert_int_equal(r1->items[i].org, r2->items[i].org);
          assert_int_equal(r1->items[i].value, r2->items[i].value);
          assert_int_equal(r1->items[i].count, r2->items[i].count);
          assert_int_equal(r1->items[i].rank, r2->items[i].rank);
        }
        for (int32_t o = -1; o < NORG; o++) {
          benchmark_side_t a1, b1, a2, b2;
          benchmark_index_compare(ix, f, o, y, &a1, &b1);
          benchmark_index_compare(fresh, f, o, y, &a2, &b2);
          assert_memory_equal(&a1, &a2, sizeof a1);
          assert_memory_equal(&b1, &b2, sizeof b1);
        }
      }
    /* and against the definition: each project's state at the year's end */
    for (int f = BENCHMARK_PROPERTY_FIGURES; f < BENCHMARK_FIG_COUNT; f++)
      for (int y = 2009; y <= 2026; y++)
        for (int32_t o = 0; o < NORG; o++) {
          benchmark_wide_t num = 0, den = 0;
          int cnt = 0;
          for (int k = 0; k < NPROJ; k++) {
            const benchmark_project_t *p = benchmark_timeline_at(sim[k].rows, sim[k].n, y);
            benchmark_wide_t tn, td;
            if (sim[k].org != o || !p || !benchmark_figures[f].project_term(p, &tn, &td)) continue;
            num += tn;
            den += td;
            cnt++;
          }
          int64_t want = INT64_MIN, v;
          if (cnt && benchmark_figure_value(&benchmark_figures[f], num, den, &v)) want = v;
          assert_true(value_of(ix, f, y, o, NULL, NULL) == want);
        }
  }
  benchmark_index_destroy(&ix);
  benchmark_index_destroy(&fresh);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(year_of_a_change),
      cmocka_unit_test(carried_forward_from_the_last_change),
      cmocka_unit_test(a_change_rewrites_its_service_part_from_its_year_on),
      cmocka_unit_test(organisations_ranked_per_year),
      cmocka_unit_test(incremental_equals_rebuild),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
