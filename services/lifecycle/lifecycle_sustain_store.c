/* lifecycle_sustain_store — see lifecycle_sustain_store.h. */
#include "lifecycle_sustain_store.h"

#include <stdlib.h>
#include <string.h>

#include "lifecycle_sustain.h"

/* A scope of its own (issue 20, item 3), so it numbers apart from the
 * schema's main line and other items' scopes. */
static const trin_migration_t MIGRATIONS[] = {
    {1,
     "CREATE TABLE sustainability_measures ("
     " project_id TEXT NOT NULL REFERENCES projects(id), id TEXT NOT NULL,"
     " kind TEXT NOT NULL, description TEXT NOT NULL, recorded_on TEXT NOT NULL,"
     " material TEXT, reused_kg INTEGER NOT NULL, reused_m2 INTEGER NOT NULL,"
     " source_project_id TEXT, source TEXT,"
     " energy_before INTEGER NOT NULL, energy_expected_after INTEGER NOT NULL,"
     " energy_measured_after INTEGER NOT NULL, co2e_saving INTEGER NOT NULL,"
     " co2e_method TEXT, between_projects INTEGER NOT NULL,"
     " PRIMARY KEY (project_id, id))"},
};

int lifecycle_sustain_store_migrate(trin_store_t *s, trin_err_t *err) {
  return trin_store_migrate(s, "lifecycle_sustainability", MIGRATIONS, 1, err);
}

int lifecycle_sustain_store_upsert(trin_store_t *s, const char *project_id,
                                   const lifecycle_sustain_measure_msg_t *m, trin_err_t *err) {
  TRIN_STMT("INSERT INTO sustainability_measures(project_id, id, kind, description,"
            " recorded_on, material, reused_kg, reused_m2, source_project_id, source,"
            " energy_before, energy_expected_after, energy_measured_after, co2e_saving,"
            " co2e_method, between_projects)"
            " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(project_id, id) DO UPDATE SET kind = excluded.kind,"
            " description = excluded.description, recorded_on = excluded.recorded_on,"
            " material = excluded.material, reused_kg = excluded.reused_kg,"
            " reused_m2 = excluded.reused_m2, source_project_id = excluded.source_project_id,"
            " source = excluded.source, energy_before = excluded.energy_before,"
            " energy_expected_after = excluded.energy_expected_after,"
            " energy_measured_after = excluded.energy_measured_after,"
            " co2e_saving = excluded.co2e_saving, co2e_method = excluded.co2e_method,"
            " between_projects = excluded.between_projects");
  trin_stmt_bind_text(st, 1, project_id);
  trin_stmt_bind_text(st, 2, m->id);
  trin_stmt_bind_text(st, 3, m->kind);
  trin_stmt_bind_text(st, 4, m->description);
  trin_stmt_bind_text(st, 5, m->recorded_on);
  trin_stmt_bind_text_or_null(st, 6, m->material);
  trin_stmt_bind_int64(st, 7, m->reused_kg);
  trin_stmt_bind_int64(st, 8, m->reused_m2);
  trin_stmt_bind_text_or_null(st, 9, m->source_project_id);
  trin_stmt_bind_text_or_null(st, 10, m->source);
  trin_stmt_bind_int64(st, 11, m->energy_before_kwh_m2_x100);
  trin_stmt_bind_int64(st, 12, m->energy_expected_after_kwh_m2_x100);
  trin_stmt_bind_int64(st, 13, m->energy_measured_after_kwh_m2_x100);
  trin_stmt_bind_int64(st, 14, m->co2e_saving_kg_m2_x100);
  trin_stmt_bind_text_or_null(st, 15, m->co2e_method);
  trin_stmt_bind_int64(st, 16, m->between_projects);
  return trin_stmt_run(st, err);
}

static const char SQL_MEASURES[] =
    "SELECT id, kind, description, recorded_on, material, reused_kg, reused_m2,"
    " source_project_id, source, energy_before, energy_expected_after,"
    " energy_measured_after, co2e_saving, co2e_method, between_projects"
    " FROM sustainability_measures WHERE project_id = ? ORDER BY recorded_on, id";

int lifecycle_sustain_store_prefetch(trin_store_t *s, const char *project_id,
                                     trin_err_t *err) {
  TRIN_STMT(SQL_MEASURES);
  int rc = trin_stmt_bind_text(st, 1, project_id);
  return rc ? rc : trin_stmt_prefetch(st, err);
}

int lifecycle_sustain_store_list(trin_store_t *s, const char *project_id, trin_arena_t *a,
                                 lifecycle_sustain_measure_msg_t ***out, size_t *n,
                                 trin_err_t *err) {
  TRIN_STMT(SQL_MEASURES);
  trin_stmt_bind_text(st, 1, project_id);
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    lifecycle_sustain_measure_msg_t *m = trin_arena_alloc(a, sizeof *m);
    if (!m || (rc = trin_arena_vec_push(a, &v, m, err))) break;
    trin__lifecycle__sustainability_measure__init(m);
    m->id = trin_stmt_text_dup(st, 0, a);
    m->kind = trin_stmt_text_dup(st, 1, a);
    m->description = trin_stmt_text_dup(st, 2, a);
    m->recorded_on = trin_stmt_text_dup(st, 3, a);
    m->material = trin_stmt_text_dup(st, 4, a);
    m->reused_kg = trin_stmt_int64(st, 5);
    m->reused_m2 = (int32_t)trin_stmt_int64(st, 6);
    m->source_project_id = trin_stmt_text_dup(st, 7, a);
    m->source = trin_stmt_text_dup(st, 8, a);
    m->energy_before_kwh_m2_x100 = (int32_t)trin_stmt_int64(st, 9);
    m->energy_expected_after_kwh_m2_x100 = (int32_t)trin_stmt_int64(st, 10);
    m->energy_measured_after_kwh_m2_x100 = (int32_t)trin_stmt_int64(st, 11);
    m->co2e_saving_kg_m2_x100 = (int32_t)trin_stmt_int64(st, 12);
    m->co2e_method = trin_stmt_text_dup(st, 13, a);
    m->between_projects = trin_stmt_int64(st, 14) != 0;
  }
  trin_stmt_reset(st);
  if (rc == TRIN_STORE_ROW) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  *out = (lifecycle_sustain_measure_msg_t **)v.items;
  *n = v.n;
  return rc;
}

int lifecycle_sustain_store_totals(trin_store_t *s, const char *project_id,
                                   int32_t gross_area_m2, trin_arena_t *a,
                                   lifecycle_sustain_totals_msg_t **out,
                                   lifecycle_sustain_measure_msg_t ***measures,
                                   size_t *nmeasures, trin_err_t *err) {
  lifecycle_sustain_measure_msg_t **ms = NULL;
  size_t n = 0;
  int rc = lifecycle_sustain_store_list(s, project_id, a, &ms, &n, err);
  if (rc) return rc;
  lifecycle_sustain_totals_msg_t *t = trin_arena_alloc(a, sizeof *t);
  lifecycle_sustain_measure_t *r = n ? calloc(n, sizeof *r) : NULL;
  if (!t || (n && !r)) {
    free(r);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  for (size_t i = 0; i < n; i++) {
    /* Stored kinds were checked on the way in; an unknown one counts as other. */
    int k = lifecycle_sustain_kind_parse(ms[i]->kind, "kind", NULL);
    r[i].kind = k < 0 ? LIFECYCLE_SUSTAIN_OTHER : (lifecycle_sustain_kind_t)k;
    r[i].material = ms[i]->material;
    r[i].source_project_id = ms[i]->source_project_id;
    r[i].co2e_method = ms[i]->co2e_method;
    r[i].reused_kg = ms[i]->reused_kg;
    r[i].reused_m2 = ms[i]->reused_m2;
    r[i].energy_before_x100 = ms[i]->energy_before_kwh_m2_x100;
    r[i].energy_expected_after_x100 = ms[i]->energy_expected_after_kwh_m2_x100;
    r[i].energy_measured_after_x100 = ms[i]->energy_measured_after_kwh_m2_x100;
    r[i].co2e_saving_x100 = ms[i]->co2e_saving_kg_m2_x100;
    r[i].between_projects = ms[i]->between_projects;
  }
  lifecycle_sustain_totals_t tot;
  lifecycle_sustain_totals(r, n, gross_area_m2, &tot);
  free(r);
  trin__lifecycle__sustainability_totals__init(t);
  t->measures = tot.measures;
  t->reuse_measures = tot.reuse_measures;
  t->reused_kg = tot.reused_kg;
  t->reused_m2 = tot.reused_m2;
  t->reused_between_projects_kg = tot.reused_between_projects_kg;
  t->reused_between_projects_m2 = tot.reused_between_projects_m2;
  t->has_energy_expected = tot.has_energy_expected;
  t->energy_saving_expected_kwh_m2_x100 = tot.energy_saving_expected_x100;
  t->has_energy_measured = tot.has_energy_measured;
  t->energy_saving_measured_kwh_m2_x100 = tot.energy_saving_measured_x100;
  t->has_energy_saved = tot.has_energy_saved;
  t->energy_saved_kwh = tot.energy_saved_kwh;
  t->has_co2e = tot.has_co2e;
  t->co2e_saving_kg_m2_x100 = tot.co2e_saving_x100;
  *out = t;
  if (measures) {
    *measures = ms;
    *nmeasures = n;
  }
  return TRIN_OK;
}
