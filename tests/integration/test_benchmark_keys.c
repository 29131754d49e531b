/* benchmark.keys_migration — schema version 3 keys properties and their
 * measures by owner organisation (docs/postgresql.md, "Distributing the
 * schema"). A store written by version 2 is reopened and migrated: every
 * row is still there, measures carry their property's owner, and a
 * property id stays one property — given a new owner it moves, measures
 * and all. Its twin benchmark.keys_migration.pg runs it on PostgreSQL. */
#include "keys_test.h"

#include "benchmark_store.h"
#include "trin_arena.h"

/* Rows as version 2 held them. */
static const char *V2_ROWS =
    "INSERT INTO bm_organisations (id, name, open_benchmarking) VALUES"
    " ('o1', 'Boligselskab 1', 1), ('o2', 'Boligselskab 2', 0);"
    "INSERT INTO bm_properties (id, name, owner_org, type, gross_area_m2, year_built,"
    " municipality, region) VALUES"
    " ('x1', 'Blok 1', 'o1', 'family', 5000, 1970, 'Aarhus', 'midt'),"
    " ('x2', 'Blok 2', 'o2', 'family', 3000, 1980, '', '');"
    "INSERT INTO bm_measures (property_id, year, total_cost_ore, costs, heat_kwh, grades)"
    " VALUES ('x1', 2020, 1000, 'drift=1000', 50, ''), ('x1', 2021, 1100, 'drift=1100', NULL, ''),"
    " ('x2', 2021, 700, '', NULL, '');";

static void test_v2_store_migrates_intact(void **state) {
  (void)state;
  char loc[512];
  keys_location(loc, sizeof loc, "benchmark_keys");
  trin_err_t err = {0};
  trin_store_t *s = keys_open(loc);
  assert_int_equal(benchmark_store_migrate_to(s, 2, &err), TRIN_OK);
  keys_exec(s, V2_ROWS);
  trin_store_destroy(&s);

  s = keys_open(loc);
  assert_int_equal(benchmark_store_migrate(s, &err), TRIN_OK);
  assert_int_equal(keys_version(s, "benchmark"), 3);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM bm_measures WHERE owner_org = 'o1'"
                               " AND property_id = 'x1'"),
                   2);
  assert_int_equal(keys_int(s, "SELECT heat_kwh FROM bm_measures WHERE property_id = 'x1'"
                               " AND year = 2020"),
                   50);
  trin_arena_t a = TRIN_ARENA_INIT;
  benchmark_property_msg_t p;
  assert_int_equal(benchmark_store_property_get(s, "x1", "property_id", &a, &p, &err), TRIN_OK);
  assert_string_equal(p.owner_org, "o1");
  assert_string_equal(p.municipality, "Aarhus");
  assert_int_equal(p.gross_area_m2, 5000);

  /* A put by the same owner changes the row in place. */
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  benchmark_property_msg_t np = p;
  np.name = "Blok 1 (renamed)";
  assert_int_equal(benchmark_store_property_put(s, &np, &err), TRIN_OK);
  /* A new owner moves the property and its measures to the owner's key. */
  np.owner_org = "o2";
  assert_int_equal(benchmark_store_property_put(s, &np, &err), TRIN_OK);
  benchmark_measure_t m = {0};
  m.has = BENCHMARK_HAS_COST;
  m.cost_ore = 1200;
  assert_int_equal(benchmark_store_measure_put(s, "x1", 2022, &m, NULL, 0, NULL, 0, &err),
                   TRIN_OK);
  assert_int_equal(trin_store_commit(s, &err), TRIN_OK);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM bm_properties WHERE id = 'x1'"), 1);
  assert_int_equal(benchmark_store_property_get(s, "x1", "property_id", &a, &p, &err), TRIN_OK);
  assert_string_equal(p.owner_org, "o2");
  assert_string_equal(p.name, "Blok 1 (renamed)");
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM bm_measures WHERE property_id = 'x1'"),
                   3);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM bm_measures WHERE property_id = 'x1'"
                               " AND owner_org = 'o2'"),
                   3);
  assert_int_equal(keys_int(s, "SELECT heat_kwh FROM bm_measures WHERE property_id = 'x1'"
                               " AND year = 2020"),
                   50);
  assert_int_equal(keys_int(s, "SELECT total_cost_ore FROM bm_measures"
                               " WHERE property_id = 'x1' AND year = 2022"),
                   1200);

  /* Reopened once more: nothing left to run, everything still there. */
  trin_store_destroy(&s);
  s = keys_open(loc);
  assert_int_equal(benchmark_store_migrate(s, &err), TRIN_OK);
  assert_int_equal(benchmark_store_property_get(s, "x2", "property_id", &a, &p, &err), TRIN_OK);
  assert_string_equal(p.owner_org, "o2");
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM bm_measures"), 4);
  trin_arena_reset(&a);
  trin_store_destroy(&s);
  keys_remove(loc);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_v2_store_migrates_intact)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
