/* benchmark_iku_store — see benchmark_iku_store.h. Amounts are kept as
 * imported, in øre; the main account by its key, so the kontoplan order can
 * change in code without touching the table. */
#include "benchmark_iku_store.h"

#include <stdlib.h>
#include <string.h>

static const trin_migration_t MIGRATIONS[] = {
    {1,
     "CREATE TABLE bm_iku ("
     " year INTEGER NOT NULL, municipality TEXT NOT NULL, account TEXT NOT NULL,"
     " purchases_ore INTEGER NOT NULL, own_won_ore INTEGER NOT NULL,"
     " tasks_ore INTEGER NOT NULL,"
     " PRIMARY KEY (year, municipality, account)) WITHOUT ROWID;"},
};

int benchmark_iku_store_migrate(trin_store_t *s, trin_err_t *err) {
  return trin_store_migrate(s, "benchmark_iku", MIGRATIONS,
                            (int)(sizeof MIGRATIONS / sizeof *MIGRATIONS), err);
}

int benchmark_iku_store_put(trin_store_t *s, const benchmark_iku_row_t *row, trin_err_t *err) {
  TRIN_STMT("INSERT INTO bm_iku (year, municipality, account, purchases_ore, own_won_ore,"
            " tasks_ore) VALUES (?, ?, ?, ?, ?, ?)"
            " ON CONFLICT(year, municipality, account) DO UPDATE SET"
            " purchases_ore = excluded.purchases_ore, own_won_ore = excluded.own_won_ore,"
            " tasks_ore = excluded.tasks_ore");
  trin_stmt_bind_int64(st, 1, row->year);
  trin_stmt_bind_text(st, 2, row->municipality);
  trin_stmt_bind_text(st, 3, benchmark_iku_accounts[row->account].key);
  trin_stmt_bind_int64(st, 4, row->a.purchases);
  trin_stmt_bind_int64(st, 5, row->a.own_won);
  trin_stmt_bind_int64(st, 6, row->a.tasks);
  return trin_stmt_run(st, err);
}

/* The stored key's index (keys only: this runs for every row read). */
static int account_of(const char *key) {
  for (int k = 0; k < BENCHMARK_IKU_ACCOUNTS; k++)
    if (strcmp(key, benchmark_iku_accounts[k].key) == 0) return k;
  return -1;
}

int benchmark_iku_store_load(trin_store_t *s, int from, int to, trin_arena_t *a,
                             benchmark_iku_row_t **rows, size_t *n, trin_err_t *err) {
  TRIN_STMT("SELECT year, municipality, account, purchases_ore, own_won_ore, tasks_ore"
            " FROM bm_iku WHERE year BETWEEN ? AND ? ORDER BY year, municipality");
  trin_stmt_bind_int64(st, 1, from);
  trin_stmt_bind_int64(st, 2, to);
  *rows = NULL;
  *n = 0;
  size_t cap = 0;
  int rc;
  bool oom = false;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    if (*n == cap) {
      size_t nc = cap ? cap * 2 : 1024;
      benchmark_iku_row_t *v = realloc(*rows, nc * sizeof *v);
      if (!v) {
        oom = true;
        break;
      }
      *rows = v;
      cap = nc;
    }
    benchmark_iku_row_t *r = &(*rows)[*n];
    const char *muni = trin_stmt_text(st, 1);
    /* a municipality's rows come together: one copy of its name for them all */
    r->municipality = *n && strcmp((*rows)[*n - 1].municipality, muni) == 0
                          ? (*rows)[*n - 1].municipality
                          : trin_arena_strdup(a, muni);
    r->year = (int)trin_stmt_int64(st, 0);
    r->account = account_of(trin_stmt_text(st, 2));
    r->a.purchases = trin_stmt_int64(st, 3);
    r->a.own_won = trin_stmt_int64(st, 4);
    r->a.tasks = trin_stmt_int64(st, 5);
    if (!r->municipality) {
      oom = true;
      break;
    }
    if (r->account >= 0) (*n)++;
  }
  trin_stmt_reset(st);
  if (oom || a->failed) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  if (rc == TRIN_STORE_ROW) rc = TRIN_OK;
  if (rc) {
    free(*rows);
    *rows = NULL;
    *n = 0;
  }
  return rc;
}

int benchmark_iku_store_newest_year(trin_store_t *s, int *year, bool *found, trin_err_t *err) {
  TRIN_STMT("SELECT MAX(year) FROM bm_iku");
  *found = false;
  *year = 0;
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) {
    if (!trin_stmt_is_null(st, 0)) {
      *found = true;
      *year = (int)trin_stmt_int64(st, 0);
    }
    rc = TRIN_OK;
  }
  trin_stmt_reset(st);
  return rc;
}
