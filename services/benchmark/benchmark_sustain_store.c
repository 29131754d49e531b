/* benchmark_sustain_store — see benchmark_sustain_store.h. */
#include "benchmark_sustain_store.h"

static const trin_migration_t MIGRATIONS[] = {
    {1,
     "CREATE TABLE bm_project_sustain ("
     " project_id TEXT NOT NULL, year INTEGER NOT NULL,"
     " in_partnership INTEGER NOT NULL, energy_measured INTEGER NOT NULL,"
     " reuse_measures INTEGER NOT NULL, reused_between_kg INTEGER NOT NULL,"
     " energy_saving_x100 INTEGER NOT NULL, gross_area_m2 INTEGER NOT NULL,"
     " PRIMARY KEY (project_id, year)) WITHOUT ROWID"},
};

int benchmark_sustain_store_migrate(trin_store_t *s, trin_err_t *err) {
  return trin_store_migrate(s, "benchmark_sustainability", MIGRATIONS, 1, err);
}

static benchmark_sustain_t *slot(benchmark_project_row_t *row, int year) {
  if (year == 0) return &row->p.sustain;
  for (size_t i = 0; i < row->nyears; i++)
    if (row->years[i].year == year) return &row->years[i].p.sustain;
  return NULL;
}

int benchmark_sustain_store_get(trin_store_t *s, benchmark_project_row_t *row, trin_err_t *err) {
  TRIN_STMT("SELECT year, in_partnership, energy_measured, reuse_measures, reused_between_kg,"
            " energy_saving_x100, gross_area_m2 FROM bm_project_sustain WHERE project_id = ?");
  trin_stmt_bind_text(st, 1, row->id);
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    benchmark_sustain_t *x = slot(row, (int)trin_stmt_int64(st, 0));
    if (!x) continue; /* a year the project's timeline no longer has */
    x->in_partnership = trin_stmt_int64(st, 1) != 0;
    x->energy_measured = trin_stmt_int64(st, 2) != 0;
    x->reuse_measures = (int32_t)trin_stmt_int64(st, 3);
    x->reused_between_kg = trin_stmt_int64(st, 4);
    x->energy_saving_x100 = (int32_t)trin_stmt_int64(st, 5);
    x->gross_area_m2 = (int32_t)trin_stmt_int64(st, 6);
  }
  trin_stmt_reset(st);
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

static int put_one(trin_store_t *s, const char *id, int year, const benchmark_sustain_t *x,
                   trin_err_t *err) {
  TRIN_STMT("INSERT INTO bm_project_sustain (project_id, year, in_partnership,"
            " energy_measured, reuse_measures, reused_between_kg, energy_saving_x100,"
            " gross_area_m2) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  trin_stmt_bind_text(st, 1, id);
  trin_stmt_bind_int64(st, 2, year);
  trin_stmt_bind_int64(st, 3, x->in_partnership);
  trin_stmt_bind_int64(st, 4, x->energy_measured);
  trin_stmt_bind_int64(st, 5, x->reuse_measures);
  trin_stmt_bind_int64(st, 6, x->reused_between_kg);
  trin_stmt_bind_int64(st, 7, x->energy_saving_x100);
  trin_stmt_bind_int64(st, 8, x->gross_area_m2);
  return trin_stmt_run(st, err);
}

static bool blank(const benchmark_sustain_t *x) {
  return !x->in_partnership && !x->energy_measured && !x->reuse_measures &&
         !x->reused_between_kg && !x->energy_saving_x100 && !x->gross_area_m2;
}

int benchmark_sustain_store_put(trin_store_t *s, const benchmark_project_row_t *row,
                                trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("DELETE FROM bm_project_sustain WHERE project_id = ?");
    trin_stmt_bind_text(st, 1, row->id);
    if ((rc = trin_stmt_run(st, err))) return rc;
  }
  /* Blank states are not written: a project without sustainability facts
   * (most of them) costs no rows, and reads back blank all the same. */
  if (!blank(&row->p.sustain) && (rc = put_one(s, row->id, 0, &row->p.sustain, err))) return rc;
  for (size_t i = 0; i < row->nyears; i++)
    if (!blank(&row->years[i].p.sustain) &&
        (rc = put_one(s, row->id, row->years[i].year, &row->years[i].p.sustain, err)))
      return rc;
  return TRIN_OK;
}
