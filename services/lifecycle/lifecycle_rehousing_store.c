/* lifecycle_rehousing_store — see lifecycle_rehousing_store.h. Dates are
 * ISO 8601 text, kinds their lowercase names, flags 0/1 integers (the same
 * SQL on SQLite and PostgreSQL). */
#include "lifecycle_rehousing_store.h"

#include "lifecycle_rehousing.h"

/* A scope of its own (not the schema's main line), so it numbers apart and
 * merges with other additions to the lifecycle schema. */
static const trin_migration_t MIGRATIONS[] = {
    {1,
     "CREATE TABLE rehousing_plans ("
     " project_id TEXT PRIMARY KEY REFERENCES projects(id),"
     " without_rehousing INTEGER NOT NULL, households_to_rehouse INTEGER NOT NULL);"
     "CREATE TABLE rehousing_moves ("
     " project_id TEXT NOT NULL REFERENCES projects(id), n INTEGER NOT NULL,"
     " kind TEXT NOT NULL, households INTEGER NOT NULL, date TEXT NOT NULL, note TEXT,"
     " beyond_plan INTEGER NOT NULL, recorded_by TEXT, PRIMARY KEY (project_id, n));"},
};

int lifecycle_rehousing_store_migrate(trin_store_t *s, trin_err_t *err) {
  return trin_store_migrate(s, "lifecycle_rehousing", MIGRATIONS, 1, err);
}

static const char SQL_PLAN[] = "SELECT without_rehousing, households_to_rehouse"
                               " FROM rehousing_plans WHERE project_id = ?";
static const char SQL_MOVES[] = "SELECT kind, households, date, note, beyond_plan, recorded_by"
                                " FROM rehousing_moves WHERE project_id = ? ORDER BY date, n";

int lifecycle_rehousing_store_prefetch(trin_store_t *s, const char *project_id,
                                       trin_err_t *err) {
  const char *sql[] = {SQL_PLAN, SQL_MOVES};
  for (int i = 0; i < 2; i++) {
    trin_stmt_t *st;
    int rc = trin_store_stmt(s, sql[i], &st, err);
    if (!rc) rc = trin_stmt_bind_text(st, 1, project_id);
    if (!rc) rc = trin_stmt_prefetch(st, err);
    if (rc) return rc;
  }
  return TRIN_OK;
}

static int fill_plan(trin_store_t *s, Trin__Lifecycle__Project *p, trin_err_t *err) {
  TRIN_STMT(SQL_PLAN);
  trin_stmt_bind_text(st, 1, p->id);
  int rc = trin_stmt_step(st, err);
  p->rehousing_planned = rc == TRIN_STORE_ROW;
  if (rc == TRIN_STORE_ROW) {
    p->without_rehousing = trin_stmt_int64(st, 0) != 0;
    p->households_to_rehouse = (int32_t)trin_stmt_int64(st, 1);
    rc = TRIN_OK;
  }
  trin_stmt_reset(st);
  return rc;
}

static char *date_text(trin_arena_t *a, trin_date_t d) {
  if (d == TRIN_DATE_NONE) return "";
  char buf[TRIN_DATE_BUF];
  char *t = trin_arena_strdup(a, trin_date_format(d, buf));
  return t ? t : "";
}

int lifecycle_rehousing_store_fill(trin_store_t *s, trin_arena_t *a,
                                   Trin__Lifecycle__Project *p, bool with_moves,
                                   trin_err_t *err) {
  int rc = fill_plan(s, p, err);
  if (rc) return rc;
  TRIN_STMT(SQL_MOVES);
  trin_stmt_bind_text(st, 1, p->id);
  trin_arena_vec_t v = {0};
  lifecycle_rehousing_sums_t sums;
  lifecycle_rehousing_sum(NULL, 0, &sums);
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    /* Stored movements were checked on the way in. */
    lifecycle_move_t m = {LIFECYCLE_MOVE_TEMPORARY, (int32_t)trin_stmt_int64(st, 1),
                          TRIN_DATE_NONE};
    int kind = lifecycle_move_kind_parse(trin_stmt_text(st, 0), "kind", NULL);
    if (kind >= 0) m.kind = (lifecycle_move_kind_t)kind;
    trin_date_parse(trin_stmt_text(st, 2), &m.date, "date", NULL);
    lifecycle_rehousing_sums_t one;
    lifecycle_rehousing_sum(&m, 1, &one);
    sums.temporary += one.temporary;
    sums.permanent += one.permanent;
    sums.moved_back += one.moved_back;
    if (one.first_rehoused_on != TRIN_DATE_NONE && sums.first_rehoused_on == TRIN_DATE_NONE)
      sums.first_rehoused_on = one.first_rehoused_on; /* rows come by date */
    if (one.last_moved_back_on != TRIN_DATE_NONE) sums.last_moved_back_on = one.last_moved_back_on;
    if (!with_moves) continue;
    lifecycle_rehousing_move_msg_t *mm = trin_arena_alloc(a, sizeof *mm);
    if (!mm || (rc = trin_arena_vec_push(a, &v, mm, err))) break;
    trin__lifecycle__rehousing_move__init(mm);
    mm->kind = trin_stmt_text_dup(st, 0, a);
    mm->households = m.households;
    mm->date = trin_stmt_text_dup(st, 2, a);
    mm->note = trin_stmt_text_dup(st, 3, a);
    mm->beyond_plan = trin_stmt_int64(st, 4) != 0;
    mm->recorded_by = trin_stmt_text_dup(st, 5, a);
  }
  trin_stmt_reset(st);
  if (rc == TRIN_STORE_ROW) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  if (rc) return rc;
  p->households_rehoused_temporary = sums.temporary;
  p->households_rehoused_permanent = sums.permanent;
  p->households_moved_back = sums.moved_back;
  p->first_rehoused_on = date_text(a, sums.first_rehoused_on);
  p->last_moved_back_on = date_text(a, sums.last_moved_back_on);
  if (with_moves) {
    p->rehousing_moves = (lifecycle_rehousing_move_msg_t **)v.items;
    p->n_rehousing_moves = v.n;
  }
  return TRIN_OK;
}

int lifecycle_rehousing_store_set_plan(trin_store_t *s, const char *project_id,
                                       bool without_rehousing, int households_to_rehouse,
                                       trin_err_t *err) {
  TRIN_STMT("INSERT INTO rehousing_plans (project_id, without_rehousing, households_to_rehouse)"
            " VALUES (?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET"
            " without_rehousing = excluded.without_rehousing,"
            " households_to_rehouse = excluded.households_to_rehouse");
  trin_stmt_bind_text(st, 1, project_id);
  trin_stmt_bind_int64(st, 2, without_rehousing);
  trin_stmt_bind_int64(st, 3, households_to_rehouse);
  return trin_stmt_run(st, err);
}

int lifecycle_rehousing_store_add_move(trin_store_t *s, const char *project_id,
                                       const lifecycle_rehousing_move_msg_t *m,
                                       const char *recorded_by, trin_err_t *err) {
  TRIN_STMT("INSERT INTO rehousing_moves (project_id, n, kind, households, date, note,"
            " beyond_plan, recorded_by)"
            " VALUES (?1, (SELECT COALESCE(MAX(n), 0) + 1 FROM rehousing_moves"
            " WHERE project_id = ?1), ?2, ?3, ?4, ?5, ?6, ?7)");
  trin_stmt_bind_text(st, 1, project_id);
  trin_stmt_bind_text(st, 2, m->kind);
  trin_stmt_bind_int64(st, 3, m->households);
  trin_stmt_bind_text(st, 4, m->date);
  trin_stmt_bind_text_or_null(st, 5, m->note);
  trin_stmt_bind_int64(st, 6, m->beyond_plan);
  trin_stmt_bind_text_or_null(st, 7, recorded_by);
  return trin_stmt_run(st, err);
}
