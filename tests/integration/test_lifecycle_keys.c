/* lifecycle.keys_migration — schema version 2 keys disputes, their steps
 * and defects by project (docs/postgresql.md, "Distributing the schema"). A
 * store written by version 1 is reopened and migrated: every row is still
 * there and read back the same, steps carry their dispute's project, a new
 * step numbers on, and an id another project already uses is still refused
 * with CONFLICT. Its twin lifecycle.keys_migration.pg runs it on PostgreSQL. */
#include "keys_test.h"

#include "lifecycle_store.h"
#include "trin_arena.h"

/* Rows as version 1 held them: two projects, a dispute with two steps in
 * p1, a defect in p2. */
static const char *V1_ROWS =
    "INSERT INTO organisations (id, name, kind) VALUES ('kommune', 'Kommunen', 'client');"
    "INSERT INTO projects (id, name, client_org, kind, dwellings, gross_area_m2, fast_track,"
    " start_date, stage, stage_since) VALUES"
    " ('p1', 'One', 'kommune', 'new_build', 10, 1000, 0, '2025-01-01', 'pre_study',"
    " '2025-01-01'),"
    " ('p2', 'Two', 'kommune', 'renovation', 20, 2000, 0, '2025-02-01', 'pre_study',"
    " '2025-02-01');"
    "INSERT INTO disputes (id, project_id, title, amount_ore, level, opened_on, level_since,"
    " raised_by) VALUES ('d1', 'p1', 'Roof', 500000, 2, '2025-03-01', '2025-03-10', 'kommune');"
    "INSERT INTO dispute_steps (dispute_id, n, level, date, by_org, note) VALUES"
    " ('d1', 1, 1, '2025-03-01', 'kommune', 'opened'),"
    " ('d1', 2, 2, '2025-03-10', 'kommune', 'escalated');"
    "INSERT INTO defects (id, project_id, description, severity, found_at, reported_on)"
    " VALUES ('f1', 'p2', 'Leak', 'critical', 'handover', '2025-04-01');";

static void test_v1_store_migrates_intact(void **state) {
  (void)state;
  char loc[512];
  keys_location(loc, sizeof loc, "lifecycle_keys");
  trin_err_t err = {0};
  trin_store_t *s = keys_open(loc);
  assert_int_equal(lifecycle_store_migrate_to(s, 1, &err), TRIN_OK);
  keys_exec(s, V1_ROWS);
  trin_store_destroy(&s);

  s = keys_open(loc);
  assert_int_equal(lifecycle_store_migrate(s, &err), TRIN_OK);
  assert_int_equal(keys_version(s, "lifecycle"), 3);  /* 3: projects' version */
  char b[64];
  assert_string_equal(keys_text(s, "SELECT project_id FROM dispute_steps WHERE n = 2", b,
                                sizeof b),
                      "p1");

  trin_arena_t a = TRIN_ARENA_INIT;
  lifecycle_dispute_msg_t d;
  assert_int_equal(lifecycle_store_dispute_get(s, "d1", "dispute_id", &a, &d, &err), TRIN_OK);
  assert_string_equal(d.project_id, "p1");
  assert_string_equal(d.title, "Roof");
  assert_int_equal(d.amount_ore, 500000);
  assert_int_equal(d.level, 2);
  assert_int_equal(d.n_steps, 2);
  assert_string_equal(d.steps[0]->note, "opened");
  assert_int_equal(d.steps[1]->level, 2);
  lifecycle_defect_msg_t f;
  assert_int_equal(lifecycle_store_defect_get(s, "f1", "defect_id", &a, &f, &err), TRIN_OK);
  assert_string_equal(f.project_id, "p2");
  assert_string_equal(f.severity, "critical");
  assert_true(f.open);
  lifecycle_project_msg_t p;
  assert_int_equal(lifecycle_store_project_get(s, "p1", "project_id", true, &a, &p, &err),
                   TRIN_OK);
  assert_int_equal(p.n_disputes, 1);
  assert_int_equal(p.disputes[0]->n_steps, 2);
  assert_int_equal(p.n_defects, 0);

  /* Written after the migration: the steps carry the project and number on. */
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  assert_int_equal(lifecycle_store_dispute_escalate(s, "d1", 3, "2025-05-01", "kommune",
                                                    "to arbitration", &err),
                   TRIN_OK);
  lifecycle_dispute_msg_t d2;
  trin__lifecycle__dispute__init(&d2);
  d2.id = "d2";
  d2.project_id = "p2";
  d2.title = "Windows";
  d2.amount_ore = 100;
  d2.opened_on = "2025-05-02";
  assert_int_equal(lifecycle_store_dispute_insert(s, &d2, &err), TRIN_OK);
  assert_int_equal(trin_store_commit(s, &err), TRIN_OK);
  assert_int_equal(lifecycle_store_dispute_get(s, "d1", "dispute_id", &a, &d, &err), TRIN_OK);
  assert_int_equal(d.n_steps, 3);
  assert_int_equal(d.steps[2]->level, 3);
  assert_string_equal(d.steps[2]->note, "to arbitration");
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM dispute_steps"
                               " WHERE project_id = 'p2' AND dispute_id = 'd2'"),
                   1);

  /* An id is one dispute or defect, whichever project asks. */
  assert_int_equal(trin_store_begin(s, &err), TRIN_OK);
  d2.id = "d1";
  assert_int_equal(lifecycle_store_dispute_insert(s, &d2, &err), TRIN_ECONFLICT);
  assert_string_equal(err.field, "dispute_id");
  assert_string_equal(err.message, "dispute 'd1' already exists");
  lifecycle_defect_msg_t f2;
  trin__lifecycle__defect__init(&f2);
  f2.id = "f1";
  f2.description = "Crack";
  f2.severity = "major";
  f2.found_at = "handover";
  f2.reported_on = "2025-05-03";
  assert_int_equal(lifecycle_store_defect_insert(s, "p1", &f2, &err), TRIN_ECONFLICT);
  assert_string_equal(err.field, "defect.id");
  assert_string_equal(err.message, "defect 'f1' already exists");
  assert_int_equal(trin_store_rollback(s, &err), TRIN_OK);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM disputes WHERE id = 'd1'"), 1);
  assert_int_equal(keys_int(s, "SELECT COUNT(*) FROM defects WHERE id = 'f1'"), 1);

  /* Reopened once more: nothing left to run, everything still there. */
  trin_store_destroy(&s);
  s = keys_open(loc);
  assert_int_equal(lifecycle_store_migrate(s, &err), TRIN_OK);
  assert_int_equal(lifecycle_store_dispute_get(s, "d1", "dispute_id", &a, &d, &err), TRIN_OK);
  assert_int_equal(d.n_steps, 3);
  trin_arena_reset(&a);
  trin_store_destroy(&s);
  keys_remove(loc);
}

int main(void) {
  const struct CMUnitTest tests[] = {cmocka_unit_test(test_v1_store_migrates_intact)};
  return cmocka_run_group_tests(tests, NULL, NULL);
}
