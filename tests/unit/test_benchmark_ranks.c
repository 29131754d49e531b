/* benchmark.ranks — competition ranking (1, 2, 2, 4) in both directions,
 * percentiles, peer-group filtering (type, size band, region), the cache
 * following changes, the kept per-organisation sums agreeing with a scan,
 * the minimum group size (peer groups, comparison sides), the
 * open/anonymous rule and who the viewer is. */
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

static void ranks_lower_is_better_with_ties(void **state) {
  benchmark_ranked_t it[] = {{0, "a", 5, 1, 0, 0}, {1, "b", 3, 1, 0, 0}, {2, "c", 3, 1, 0, 0},
                      {3, "d", 9, 1, 0, 0}};
  benchmark_rank(it, 4, BENCHMARK_LOWER_IS_BETTER);
  assert_string_equal(it[0].id, "b");
  assert_string_equal(it[1].id, "c");
  assert_string_equal(it[2].id, "a");
  assert_string_equal(it[3].id, "d");
  assert_int_equal(it[0].rank, 1);
  assert_int_equal(it[1].rank, 1);
  assert_int_equal(it[2].rank, 3);
  assert_int_equal(it[3].rank, 4);
  /* 100 × (n − rank) / (n − 1): 100, 100, 33.33, 0 */
  assert_int_equal(it[0].percentile_x100, 10000);
  assert_int_equal(it[1].percentile_x100, 10000);
  assert_int_equal(it[2].percentile_x100, 3333);
  assert_int_equal(it[3].percentile_x100, 0);
}

static void ranks_higher_is_better_with_ties(void **state) {
  benchmark_ranked_t it[] = {{0, "a", 5, 1, 0, 0}, {1, "b", 3, 1, 0, 0}, {2, "c", 3, 1, 0, 0},
                      {3, "d", 9, 1, 0, 0}};
  benchmark_rank(it, 4, BENCHMARK_HIGHER_IS_BETTER);
  assert_string_equal(it[0].id, "d");
  assert_int_equal(it[0].rank, 1);
  assert_string_equal(it[1].id, "a");
  assert_int_equal(it[1].rank, 2);
  assert_int_equal(it[2].rank, 3);
  assert_int_equal(it[3].rank, 3);
  assert_int_equal(it[1].percentile_x100, 6667); /* 2/3 */
  assert_int_equal(it[2].percentile_x100, 3333);
}

static void ranks_of_one_and_all_tied(void **state) {
  benchmark_ranked_t one[] = {{0, "a", 7, 1, 0, 0}};
  benchmark_rank(one, 1, BENCHMARK_LOWER_IS_BETTER);
  assert_int_equal(one[0].rank, 1);
  assert_int_equal(one[0].percentile_x100, 10000);
  benchmark_ranked_t tied[] = {{0, "c", 7, 1, 0, 0}, {1, "a", 7, 1, 0, 0}, {2, "b", 7, 1, 0, 0}};
  benchmark_rank(tied, 3, BENCHMARK_HIGHER_IS_BETTER);
  for (int i = 0; i < 3; i++) {
    assert_int_equal(tied[i].rank, 1);
    assert_int_equal(tied[i].percentile_x100, 10000);
  }
  assert_string_equal(tied[0].id, "a"); /* equal values list by id */
}

static void open_and_anonymous(void **state) {
  /* the viewer always sees itself */
  assert_true(benchmark_name_visible("K1", false, "K1", false));
  /* both agreed */
  assert_true(benchmark_name_visible("K1", true, "K2", true));
  /* only the other agreed: the viewer, who hides itself, sees no names */
  assert_false(benchmark_name_visible("K1", false, "K2", true));
  /* only the viewer agreed */
  assert_false(benchmark_name_visible("K1", true, "K2", false));
  assert_false(benchmark_name_visible("", true, "K2", false));
}

/* The viewer is the caller's own organisation; viewer_org in the body may
 * only repeat it, and a caller without one may not name any — unless it is
 * an operator. */
static void viewer_is_the_caller(void **state) {
  const char *v = "unset";
  trin_err_t e = {0};
  assert_int_equal(benchmark_viewer_resolve("K1", NULL, "viewer_org", false, &v, &e), TRIN_OK);
  assert_string_equal(v, "K1");
  assert_int_equal(benchmark_viewer_resolve("K1", "", "viewer_org", false, &v, &e), TRIN_OK);
  assert_string_equal(v, "K1");
  assert_int_equal(benchmark_viewer_resolve("K1", "K1", "viewer_org", false, &v, &e), TRIN_OK);
  assert_string_equal(v, "K1");
  /* another organisation: refused, the caller's own named */
  assert_int_equal(benchmark_viewer_resolve("K1", "K2", "viewer_org", false, &v, &e),
                   TRIN_EFORBIDDEN);
  assert_null(v);
  assert_string_equal(e.field, "viewer_org");
  assert_string_equal(e.message, "may not view as \"K2\": the viewer is the caller's own "
                                 "organisation \"K1\" (leave viewer_org out)");
  /* no organisation of its own (operator key, local endpoint): no viewer,
   * the anonymous view; naming one is refused */
  v = "unset";
  assert_int_equal(benchmark_viewer_resolve(NULL, NULL, "viewer_org", false, &v, &e), TRIN_OK);
  assert_null(v);
  v = "unset";
  assert_int_equal(benchmark_viewer_resolve("", "", "viewer_org", false, &v, &e), TRIN_OK);
  assert_null(v);
  assert_int_equal(benchmark_viewer_resolve(NULL, "demo-kab", "viewer_org", false, &v, &e),
                   TRIN_EFORBIDDEN);
  assert_null(v);
  assert_string_equal(e.field, "viewer_org");
  assert_string_equal(e.message,
                      "may not view as \"demo-kab\": the viewer is the caller's own "
                      "organisation, which a service key lacks: ask with the organisation's key, "
                      "an admin key (audited) or through the gateway on a person's behalf");
  /* an operator may name one (its caller writes that to the audit trail);
   * an operator with an organisation of its own still views as that */
  assert_int_equal(benchmark_viewer_resolve(NULL, "demo-kab", "viewer_org", true, &v, &e), TRIN_OK);
  assert_string_equal(v, "demo-kab");
  assert_int_equal(benchmark_viewer_resolve("K1", "K2", "viewer_org", true, &v, &e),
                   TRIN_EFORBIDDEN);
  assert_null(v);
  /* the longest id still leaves the whole sentence in the message */
  char longest[65];
  memset(longest, 'x', 64);
  longest[64] = '\0';
  assert_int_equal(benchmark_viewer_resolve(NULL, longest, "viewer_org", false, &v, &e),
                   TRIN_EFORBIDDEN);
  assert_non_null(strstr(e.message, "on a person's behalf"));
  /* no viewer sees nobody by name, whatever is claimed open */
  assert_false(benchmark_name_visible(NULL, false, "K2", true));
  assert_false(benchmark_name_visible(NULL, true, "K2", true));
  assert_false(benchmark_name_visible("", true, "K2", true));
}

static void minimum_group(void **state) {
  assert_false(benchmark_group_visible(4, 5));
  assert_true(benchmark_group_visible(5, 5));
  assert_false(benchmark_group_visible(4, 0)); /* 0 = the default 5 */
  assert_true(benchmark_group_visible(2, 2));
}

/* A comparison side needs min_group projects, says why when it has fewer,
 * and has nothing to show with none (the rule holds for one organisation's
 * comparison as for everyone's: the caller does not tell them apart). */
static void minimum_comparison_side(void **state) {
  char why[128];
  assert_true(benchmark_side_visible(5, 5, "inside partnerships", why, sizeof why));
  assert_string_equal(why, "");
  assert_true(benchmark_side_visible(7, 0, "inside partnerships", why, sizeof why)); /* default 5 */
  assert_false(benchmark_side_visible(1, 5, "inside partnerships", why, sizeof why));
  assert_string_equal(why, "1 project inside partnerships has a value: fewer than the minimum of 5");
  assert_false(benchmark_side_visible(4, 0, "outside partnerships", why, sizeof why));
  assert_string_equal(why,
                      "4 projects outside partnerships have a value: fewer than the minimum of 5");
  assert_false(benchmark_side_visible(0, 2, "outside partnerships", why, sizeof why));
  assert_string_equal(why, "no project outside partnerships has a value");
  assert_true(benchmark_side_visible(2, 2, "outside partnerships", why, sizeof why));
  /* a short buffer is cut, still terminated; none at all is allowed */
  char tiny[8];
  assert_false(benchmark_side_visible(1, 5, "inside partnerships", tiny, sizeof tiny));
  assert_int_equal(strlen(tiny), 7);
  assert_false(benchmark_side_visible(3, 5, "inside partnerships", NULL, 0));
}

/* Six organisations: K1..K5 own one school each (region nord, areas from
 * small to large), K6 owns a day-care in syd. */
static benchmark_index_t *six(void) {
  benchmark_index_t *ix = benchmark_index_new();
  static const int64_t area[] = {500, 1500, 6000, 25000, 900, 2000};
  static const int64_t cost[] = {100, 200, 300, 400, 200, 50}; /* DKK per m² */
  for (int i = 0; i < 6; i++) {
    char id[8], name[16], pid[8];
    snprintf(id, sizeof id, "K%d", i + 1);
    snprintf(name, sizeof name, "Kommune %d", i + 1);
    snprintf(pid, sizeof pid, "P%d", i + 1);
    int32_t o = benchmark_index_org_set(ix, id, name, i % 2 == 0);
    int32_t p = benchmark_index_property_set(
        ix, pid, o, i < 5 ? BENCHMARK_TYPE_SCHOOL : BENCHMARK_TYPE_DAY_CARE, area[i],
        i < 5 ? "nord" : "syd");
    benchmark_measure_t m = {.has = BENCHMARK_HAS_COST, .cost_ore = cost[i] * 100 * area[i]};
    assert_int_equal(benchmark_index_measure_set(ix, p, 2020, &m), 0);
  }
  return ix;
}

static void ranking_over_all_and_peer_groups(void **state) {
  benchmark_index_t *ix = six();
  const benchmark_ranking_t *r;
  assert_int_equal(
      benchmark_index_rank(ix, BENCHMARK_FIG_COST_PER_M2, 2020, &BENCHMARK_PEER_ANY, &r), 0);
  assert_int_equal(r->n, 6);
  /* 50, 100, 200, 200, 300, 400 DKK/m²: K6 1, K1 2, K2 and K5 3, K3 5, K4 6 */
  const char *order[] = {"K6", "K1", "K2", "K5", "K3", "K4"};
  const int ranks[] = {1, 2, 3, 3, 5, 6};
  for (int i = 0; i < 6; i++) {
    assert_string_equal(benchmark_index_org(ix, r->items[i].org)->id, order[i]);
    assert_int_equal(r->items[i].rank, ranks[i]);
  }
  /* R: quantile(c(50,100,200,200,300,400), type = 7): 125, 200, 275 (× 100) */
  assert_int_equal(r->dist.q1, 12500);
  assert_int_equal(r->dist.median, 20000);
  assert_int_equal(r->dist.q3, 27500);
  assert_int_equal(r->dist.mean, 20833); /* 1250 / 6 = 208.333 */
  /* schools only */
  benchmark_peer_t schools = {BENCHMARK_TYPE_SCHOOL, -1, -1};
  assert_int_equal(benchmark_index_rank(ix, BENCHMARK_FIG_COST_PER_M2, 2020, &schools, &r), 0);
  assert_int_equal(r->n, 5);
  assert_string_equal(benchmark_index_org(ix, r->items[0].org)->id, "K1");
  /* medium schools: K2 (1,500 m²) and K6 is a day-care; 2,000 m² -> K6 excluded */
  benchmark_peer_t medium = {BENCHMARK_TYPE_SCHOOL, BENCHMARK_BAND_MEDIUM, -1};
  assert_int_equal(benchmark_index_rank(ix, BENCHMARK_FIG_COST_PER_M2, 2020, &medium, &r), 0);
  assert_int_equal(r->n, 1);
  assert_string_equal(benchmark_index_org(ix, r->items[0].org)->id, "K2");
  /* region syd */
  benchmark_peer_t syd = {-1, -1, benchmark_index_region_find(ix, "syd")};
  assert_int_equal(benchmark_index_rank(ix, BENCHMARK_FIG_COST_PER_M2, 2020, &syd, &r), 0);
  assert_int_equal(r->n, 1);
  /* a region nobody has matches nobody */
  benchmark_peer_t nowhere = {-1, -1, benchmark_index_region_find(ix, "atlantis")};
  assert_int_equal(nowhere.region, -2);
  assert_int_equal(benchmark_index_rank(ix, BENCHMARK_FIG_COST_PER_M2, 2020, &nowhere, &r), 0);
  assert_int_equal(r->n, 0);
  /* a year without measures */
  assert_int_equal(
      benchmark_index_rank(ix, BENCHMARK_FIG_COST_PER_M2, 2019, &BENCHMARK_PEER_ANY, &r), 0);
  assert_int_equal(r->n, 0);
  benchmark_index_destroy(&ix);
}

static void cached_ranking_follows_changes(void **state) {
  benchmark_index_t *ix = six();
  const benchmark_ranking_t *r;
  assert_int_equal(
      benchmark_index_rank(ix, BENCHMARK_FIG_COST_PER_M2, 2020, &BENCHMARK_PEER_ANY, &r), 0);
  assert_string_equal(benchmark_index_org(ix, r->items[5].org)->id, "K4");
  /* K4 now spends 10 DKK/m²: best */
  benchmark_measure_t m = {.has = BENCHMARK_HAS_COST, .cost_ore = 10 * 100 * 25000};
  assert_int_equal(
      benchmark_index_measure_set(ix, benchmark_index_property_find(ix, "P4"), 2020, &m), 0);
  assert_int_equal(
      benchmark_index_rank(ix, BENCHMARK_FIG_COST_PER_M2, 2020, &BENCHMARK_PEER_ANY, &r), 0);
  assert_string_equal(benchmark_index_org(ix, r->items[0].org)->id, "K4");
  assert_int_equal(r->n, 6);
  /* P3 moves to K1: K1's cost is now (100×500 + 300×6000) / 6500 = 284.62 */
  assert_true(benchmark_index_property_set(ix, "P3", benchmark_index_org_find(ix, "K1"),
                                           BENCHMARK_TYPE_SCHOOL, 6000, "nord") >= 0);
  assert_int_equal(
      benchmark_index_rank(ix, BENCHMARK_FIG_COST_PER_M2, 2020, &BENCHMARK_PEER_ANY, &r), 0);
  assert_int_equal(r->n, 5);
  for (size_t i = 0; i < r->n; i++)
    if (strcmp(benchmark_index_org(ix, r->items[i].org)->id, "K1") == 0) {
      assert_int_equal(r->items[i].value, 28462);
      assert_int_equal(r->items[i].count, 2);
    }
  benchmark_index_destroy(&ix);
}

/* An unfiltered ranking reads sums kept as records and properties change; a
 * peer group's ranking scans the records. With every property a school, the
 * school group is everyone, so the two must agree on every figure and year
 * through random changes: new and replaced records, properties moving to
 * another organisation or to none, areas changing. */
static uint32_t lcg(uint32_t *s) { return (*s = *s * 1103515245u + 12345u) >> 8; }

static void kept_sums_agree_with_a_scan(void **state) {
  benchmark_index_t *ix = benchmark_index_new();
  uint32_t seed = 7;
  enum { ORGS = 12, PROPS = 60, Y0 = 2018, NY = 4 };
  for (int i = 0; i < ORGS; i++) {
    char id[8];
    snprintf(id, sizeof id, "K%02d", i);
    assert_true(benchmark_index_org_set(ix, id, id, true) >= 0);
  }
  static const benchmark_peer_t schools = {BENCHMARK_TYPE_SCHOOL, -1, -1};
  int compared = 0;
  for (int step = 0; step < 600; step++) {
    char pid[8];
    snprintf(pid, sizeof pid, "P%02u", lcg(&seed) % PROPS);
    uint32_t what = lcg(&seed) % 10;
    int32_t p = benchmark_index_property_find(ix, pid);
    if (p < 0 || what < 2) { /* new, or moved: another organisation (or none), another area */
      int32_t org = (int32_t)(lcg(&seed) % (ORGS + 1)) - 1;
      int64_t area = 100 + (int64_t)(lcg(&seed) % 20000);
      p = benchmark_index_property_set(ix, pid, org, BENCHMARK_TYPE_SCHOOL, area, "nord");
      assert_true(p >= 0);
    }
    if (what >= 2) { /* a record, new or replacing one; some fields missing */
      benchmark_measure_t m = {.has = lcg(&seed) & 0x1ff};
      m.cost_ore = (int64_t)(lcg(&seed) % 100000000);
      m.electricity_kwh = (int64_t)(lcg(&seed) % 500000);
      m.heat_kwh = (int64_t)(lcg(&seed) % 900000);
      m.water_litres = (int64_t)(lcg(&seed) % 5000000);
      m.grade_x100 = 100 + (int32_t)(lcg(&seed) % 401);
      m.climate_class = 1 + (int32_t)(lcg(&seed) % 5);
      m.anvendelsesgrad_bp = (int32_t)(lcg(&seed) % 10001);
      m.udnyttelsesgrad_bp = (int32_t)(lcg(&seed) % 10001);
      m.understoettelsesgrad_bp = (int32_t)(lcg(&seed) % 10001);
      assert_int_equal(benchmark_index_measure_set(ix, p, Y0 + (int)(lcg(&seed) % NY), &m), 0);
    }
    if (step % 50 != 49) continue;
    for (int f = 0; f < BENCHMARK_PROPERTY_FIGURES; f++)
      for (int year = Y0 - 1; year <= Y0 + NY; year++) {
        const benchmark_ranking_t *all, *scan;
        assert_int_equal(benchmark_index_rank(ix, f, year, &BENCHMARK_PEER_ANY, &all), 0);
        benchmark_ranking_t kept = *all; /* the next rank may reuse the slot's items */
        kept.items = kept.n ? malloc(kept.n * sizeof *kept.items) : NULL;
        if (kept.n) memcpy(kept.items, all->items, kept.n * sizeof *kept.items);
        assert_int_equal(benchmark_index_rank(ix, f, year, &schools, &scan), 0);
        assert_int_equal(kept.n, scan->n);
        for (size_t i = 0; i < kept.n; i++) {
          assert_int_equal(kept.items[i].org, scan->items[i].org);
          assert_int_equal(kept.items[i].value, scan->items[i].value);
          assert_int_equal(kept.items[i].count, scan->items[i].count);
          assert_int_equal(kept.items[i].rank, scan->items[i].rank);
        }
        assert_int_equal(kept.dist.median, scan->dist.median);
        compared += kept.n > 0;
        free(kept.items);
      }
  }
  assert_true(compared > 100); /* the rankings compared were not empty */
  benchmark_index_destroy(&ix);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(ranks_lower_is_better_with_ties),
      cmocka_unit_test(ranks_higher_is_better_with_ties),
      cmocka_unit_test(ranks_of_one_and_all_tied),
      cmocka_unit_test(open_and_anonymous),
      cmocka_unit_test(viewer_is_the_caller),
      cmocka_unit_test(minimum_group),
      cmocka_unit_test(minimum_comparison_side),
      cmocka_unit_test(ranking_over_all_and_peer_groups),
      cmocka_unit_test(cached_ranking_follows_changes),
      cmocka_unit_test(kept_sums_agree_with_a_scan),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
