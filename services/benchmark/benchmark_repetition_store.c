/* benchmark_repetition_store — see benchmark_repetition_store.h. */
#include "benchmark_repetition_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const trin_migration_t MIGRATIONS[] = {
    {1,
     "CREATE TABLE bm_project_starts ("
     " project_id TEXT NOT NULL PRIMARY KEY, kind TEXT NOT NULL, start_date TEXT NOT NULL);"},
};

int benchmark_repetition_store_migrate(trin_store_t *s, trin_err_t *err) {
  return trin_store_migrate(s, "benchmark_repetition", MIGRATIONS,
                            (int)(sizeof MIGRATIONS / sizeof *MIGRATIONS), err);
}

int benchmark_repetition_store_put(trin_store_t *s, const char *project_id, const char *kind,
                                   const char *start_date, trin_err_t *err) {
  if (!*kind && !*start_date) return TRIN_OK;
  TRIN_STMT("INSERT INTO bm_project_starts (project_id, kind, start_date) VALUES (?, ?, ?)"
            " ON CONFLICT(project_id) DO UPDATE SET kind = excluded.kind,"
            " start_date = excluded.start_date");
  trin_stmt_bind_text(st, 1, project_id);
  trin_stmt_bind_text(st, 2, kind);
  trin_stmt_bind_text(st, 3, start_date);
  return trin_stmt_run(st, err);
}

int benchmark_repetition_store_get(trin_store_t *s, const char *project_id, char kind[65],
                                   char start_date[11], trin_err_t *err) {
  TRIN_STMT("SELECT kind, start_date FROM bm_project_starts WHERE project_id = ?");
  trin_stmt_bind_text(st, 1, project_id);
  kind[0] = start_date[0] = 0;
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) {
    snprintf(kind, 65, "%s", trin_stmt_text(st, 0));
    snprintf(start_date, 11, "%s", trin_stmt_text(st, 1));
  }
  trin_stmt_reset(st);
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

#define ROW_COLS                                                                        \
  "p.id, p.partnership_id, p.client_org, t.kind, t.start_date, p.has, p.budget_a_ore," \
  " p.drift_ore, p.schedule_variance_days, p.satisfaction_x100, p.dwellings"

/* Steps st to its end into *rows (malloc'd); resets st. */
static int read_rows(trin_stmt_t *st, benchmark_repetition_row_t **rows, size_t *n,
                     trin_err_t *err) {
  *rows = NULL;
  *n = 0;
  size_t cap = 0;
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    if (*n == cap) {
      size_t nc = cap ? cap * 2 : 16;
      benchmark_repetition_row_t *v = realloc(*rows, nc * sizeof *v);
      if (!v) {
        rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
        break;
      }
      *rows = v;
      cap = nc;
    }
    benchmark_repetition_row_t *r = &(*rows)[(*n)++];
    memset(r, 0, sizeof *r);
    snprintf(r->id, sizeof r->id, "%s", trin_stmt_text(st, 0));
    snprintf(r->partnership_id, sizeof r->partnership_id, "%s", trin_stmt_text(st, 1));
    snprintf(r->client_org, sizeof r->client_org, "%s", trin_stmt_text(st, 2));
    snprintf(r->kind, sizeof r->kind, "%s", trin_stmt_text(st, 3));
    snprintf(r->start_date, sizeof r->start_date, "%s", trin_stmt_text(st, 4));
    r->p.has = (uint32_t)trin_stmt_int64(st, 5);
    r->p.budget_a_ore = trin_stmt_int64(st, 6);
    r->p.drift_ore = trin_stmt_int64(st, 7);
    r->p.schedule_variance_days = (int32_t)trin_stmt_int64(st, 8);
    r->p.satisfaction_x100 = (int32_t)trin_stmt_int64(st, 9);
    r->p.dwellings = (int32_t)trin_stmt_int64(st, 10);
  }
  trin_stmt_reset(st);
  if (rc != TRIN_OK) {
    free(*rows);
    *rows = NULL;
    *n = 0;
    return rc;
  }
  return TRIN_OK;
}

int benchmark_repetition_store_list(trin_store_t *s, const char *partnership_id,
                                    const char *kind, benchmark_repetition_row_t **rows,
                                    size_t *n, trin_err_t *err) {
  TRIN_STMT("SELECT " ROW_COLS
            " FROM bm_projects p JOIN bm_project_starts t ON t.project_id = p.id"
            " WHERE p.partnership_id = ? AND (? = '' OR t.kind = ?)"
            " ORDER BY t.kind, t.start_date, p.id");
  trin_stmt_bind_text(st, 1, partnership_id);
  trin_stmt_bind_text(st, 2, kind);
  trin_stmt_bind_text(st, 3, kind);
  return read_rows(st, rows, n, err);
}

int benchmark_repetition_store_list_kind(trin_store_t *s, const char *kind,
                                         benchmark_repetition_row_t **rows, size_t *n,
                                         trin_err_t *err) {
  TRIN_STMT("SELECT " ROW_COLS
            " FROM bm_projects p JOIN bm_project_starts t ON t.project_id = p.id"
            " WHERE p.partnership_id <> '' AND t.kind = ?"
            " ORDER BY p.partnership_id, t.start_date, p.id");
  trin_stmt_bind_text(st, 1, kind);
  return read_rows(st, rows, n, err);
}
