/* budget.keys_migration — schema version 2 keys budgets, their lines,
 * scope changes, options and actual costs by project (docs/postgresql.md,
 * "Distributing the schema"). A store written by version 1 is reopened and
 * migrated: every row is still there, lines carry their budget's project,
 * lists keep their insertion order, and an id another project already uses
 * is still refused with CONFLICT. Its twin budget.keys_migration.pg runs it
 * on PostgreSQL. */
#include "keys_test.h"

#include "budget_store.h"
#include "trin_arena.h"

/* Rows as version 1 held them. Budgets, lines and options are written out
 * of alphabetical order: their lists read in insertion order. */
static const char *V1_ROWS =
    "INSERT INTO projects (id, partnership_id, client_org, stage) VALUES"
    " ('p1', NULL, 'kommune', 'design'), ('p2', NULL, 'kommune', 'design');"
    "INSERT INTO budgets (id, project_id, kind, date, status, total_ore) VALUES"
    " ('bz', 'p1', 'skema_a', '2025-01-01', 'draft', 300),"
    " ('ba', 'p1', 'skema_b', '2025-01-01', 'draft', 0);"
    "INSERT INTO budget_lines (budget_id, line_id, category, amount_ore, molio_reference_ore)"
    " VALUES ('bz', 'L2', 'construction', 200, 0), ('bz', 'L1', 'construction', 100, 0);"
    "INSERT INTO scope_changes (id, project_id, description, amount_ore, decided_on) VALUES"
    " ('c1', 'p1', 'Balconies', 5000, '2025-02-01');"
    "INSERT INTO options (id, project_id, description, saving_ore, proposed_on, status) VALUES"
    " ('o2', 'p1', 'Cheaper tiles', 700, '2025-02-02', 'proposed'),"
    " ('o1', 'p1', 'Fewer doors', 900, '2025-02-02', 'proposed');"
    "INSERT INTO actual_costs (id, project_id, category, date, amount_ore) VALUES"
    " ('k1', 'p2', 'construction', '2025-03-01', 4200);";

static void test_v1_store_migrates_intact(void **state) {
  (void)state;
  char loc[512];
  keys_location(loc, sizeof loc, "budget_keys");
  trin_err_t err = {0};
  trin_store_t *s = keys_open(loc);
  assert_int_equal(budget_store_migrate_to(s, 1, &err), TRIN_OK);
  keys_exec(s, V1_ROWS);
  trin_store_destroy(&s);

  s = keys_open(loc);
  assert_int_equal(budget_store_migrate(s, &err), TRIN_OK);
  /* Through version 3 (lifecycle's price closing per project) as well. */
  assert_int_equal(keys_version(s, "budget"), 3);
  budget_project_t p;
  assert_int_equal(budget_store_project_get(s, "p1", "project_id", &p, &err), TRIN_OK);
  assert_string_equal(p.price_closed_on, "");
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM budget_lines WHERE project_id = 'p1'"), 2);

  trin_arena_t a = TRIN_ARENA_INIT;
  budget_budget_msg_t b;
  assert_int_equal(budget_store_budget_get(s, "bz", "budget_id", true, &a, &b, &err), TRIN_OK);
  assert_string_equal(b.project_id, "p1");
  assert_int_equal(b.total_ore, 300);
  assert_int_equal(b.n_lines, 2);
  assert_string_equal(b.lines[0]->id, "L2");
  assert_string_equal(b.lines[1]->id, "L1");
  budget_budget_msg_t **list;
  size_t n;
  assert_int_equal(budget_store_budget_list(s, "p1", &a, &list, &n, &err), TRIN_OK);
  assert_int_equal(n, 2);
  assert_string_equal(list[0]->id, "bz");
  assert_string_equal(list[1]->id, "ba");
  budget_option_msg_t **opts;
  assert_int_equal(budget_store_option_list(s, "p1", &a, &opts, &n, &err), TRIN_OK);
  assert_int_equal(n, 2);
  assert_string_equal(opts[0]->id, "o2");
  assert_string_equal(opts[1]->id, "o1");
  budget_option_msg_t o;
  assert_int_equal(budget_store_option_get(s, "o1", "option_id", &a, &o, &err), TRIN_OK);
  assert_int_equal(o.saving_ore, 900);

  /* Written after the migration: a line takes its budget's project and
   * lists after the migrated ones. */
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  budget_line_msg_t l;
  trin__budget__budget_line__init(&l);
  l.id = "L0";
  l.category = "construction";
  l.amount_ore = 50;
  assert_int_equal(budget_store_line_upsert(s, "bz", &l, &err), TRIN_OK);
  assert_int_equal(budget_store_option_decide(s, "o1", "accepted", "kommune", "2025-03-01",
                                              &err),
                   TRIN_OK);
  assert_int_equal(trin_store_commit(s, &err), TRIN_OK);
  assert_int_equal(budget_store_budget_get(s, "bz", "budget_id", true, &a, &b, &err), TRIN_OK);
  assert_int_equal(b.n_lines, 3);
  assert_string_equal(b.lines[2]->id, "L0");
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM budget_lines"
                               " WHERE project_id = 'p1' AND line_id = 'L0'"),
                   1);

  /* An id is one budget, change, option or cost, whichever project asks. */
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  budget_budget_msg_t nb;
  trin__budget__budget__init(&nb);
  nb.id = "ba";
  nb.project_id = "p2";
  nb.kind = "skema_a";
  nb.date = "2025-04-01";
  assert_int_equal(budget_store_budget_insert(s, &nb, 0, &err), TRIN_ECONFLICT);
  assert_string_equal(err.field, "budget.id");
  assert_string_equal(err.message, "budget 'ba' already exists");
  budget_scope_msg_t c;
  trin__budget__scope_change__init(&c);
  c.id = "c1";
  c.project_id = "p2";
  c.description = "More";
  c.decided_on = "2025-04-01";
  assert_int_equal(budget_store_scope_insert(s, &c, &err), TRIN_ECONFLICT);
  assert_string_equal(err.message, "scope change 'c1' already exists");
  budget_option_msg_t no;
  trin__budget__optimisation_option__init(&no);
  no.id = "o2";
  no.project_id = "p2";
  no.description = "Again";
  no.proposed_on = "2025-04-01";
  assert_int_equal(budget_store_option_insert(s, &no, &err), TRIN_ECONFLICT);
  assert_string_equal(err.field, "option.id");
  assert_string_equal(err.message, "option 'o2' already exists");
  budget_cost_msg_t k;
  trin__budget__actual_cost__init(&k);
  k.id = "k1";
  k.project_id = "p1";
  k.category = "construction";
  k.date = "2025-04-01";
  assert_int_equal(budget_store_cost_insert(s, &k, &err), TRIN_ECONFLICT);
  assert_string_equal(err.field, "cost.id");
  assert_string_equal(err.message, "actual cost 'k1' already exists");
  /* A new id in another project is taken. */
  k.id = "k2";
  assert_int_equal(budget_store_cost_insert(s, &k, &err), TRIN_OK);
  assert_int_equal(trin_store_commit(s, &err), TRIN_OK);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM budgets"), 2);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM actual_costs"), 2);

  /* Reopened once more: nothing left to run, everything still there. */
  trin_store_destroy(&s);
  s = keys_open(loc);
  assert_int_equal(budget_store_migrate(s, &err), TRIN_OK);
  assert_int_equal(budget_store_budget_get(s, "bz", "budget_id", true, &a, &b, &err), TRIN_OK);
  assert_int_equal(b.n_lines, 3);
  trin_arena_reset(&a);
  trin_store_destroy(&s);
  keys_remove(loc);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_v1_store_migrates_intact)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
