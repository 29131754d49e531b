/* budget_store — see budget_store.h. Dates are stored as ISO 8601 text
 * (they sort and compare as text), money as integer øre, enums as their
 * lowercase names. Budget totals are kept in the budgets row and changed
 * with every line, so the figures never sum lines in SQL. */
#include "budget_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin_access.h"
#include "trin_cursor.h"

static const trin_migration_t MIGRATIONS[] = {
    {1,
     "CREATE TABLE partnerships ("
     " id TEXT PRIMARY KEY, client_org TEXT NOT NULL,"
     " price_closing_point TEXT NOT NULL, framework_end TEXT NOT NULL);"
     "CREATE TABLE projects ("
     " id TEXT PRIMARY KEY, partnership_id TEXT, client_org TEXT NOT NULL,"
     " stage TEXT NOT NULL);"
     "CREATE TABLE models ("
     " partnership_id TEXT PRIMARY KEY, management_fee_bp INTEGER NOT NULL,"
     " risk_bp INTEGER NOT NULL, advisor_fee_bp INTEGER NOT NULL,"
     " margin_bp INTEGER NOT NULL, molio_deduction_bp INTEGER NOT NULL,"
     " index_series TEXT NOT NULL);"
     "CREATE TABLE model_rates ("
     " partnership_id TEXT NOT NULL, n INTEGER NOT NULL, role TEXT NOT NULL,"
     " rate_ore INTEGER NOT NULL, PRIMARY KEY (partnership_id, n));"
     "CREATE TABLE budgets ("
     " id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id),"
     " kind TEXT NOT NULL, date TEXT NOT NULL, status TEXT NOT NULL,"
     " total_ore INTEGER NOT NULL, submitted_on TEXT, approved_on TEXT);"
     "CREATE INDEX budgets_project ON budgets(project_id, kind);"
     "CREATE TABLE budget_lines ("
     " budget_id TEXT NOT NULL REFERENCES budgets(id), line_id TEXT NOT NULL,"
     " category TEXT NOT NULL, building_part TEXT, description TEXT,"
     " amount_ore INTEGER NOT NULL, molio_reference_ore INTEGER NOT NULL,"
     " PRIMARY KEY (budget_id, line_id));"
     "CREATE TABLE index_points ("
     " series TEXT NOT NULL, date TEXT NOT NULL, value_x100 INTEGER NOT NULL,"
     " PRIMARY KEY (series, date));"
     "CREATE TABLE scope_changes ("
     " id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id),"
     " description TEXT NOT NULL, amount_ore INTEGER NOT NULL, decided_on TEXT NOT NULL);"
     "CREATE INDEX scope_project ON scope_changes(project_id);"
     "CREATE TABLE options ("
     " id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id),"
     " description TEXT NOT NULL, saving_ore INTEGER NOT NULL, proposed_on TEXT NOT NULL,"
     " status TEXT NOT NULL, decided_by TEXT, decided_on TEXT);"
     "CREATE INDEX options_project ON options(project_id);"
     "CREATE TABLE actual_costs ("
     " id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id),"
     " category TEXT NOT NULL, date TEXT NOT NULL, amount_ore INTEGER NOT NULL,"
     " description TEXT);"
     "CREATE INDEX costs_project ON actual_costs(project_id);"
     "CREATE TABLE rent_parameters ("
     " project_id TEXT PRIMARY KEY REFERENCES projects(id),"
     " loan_share_bp INTEGER NOT NULL, interest_bp INTEGER NOT NULL,"
     " term_years INTEGER NOT NULL, rentable_area_m2 INTEGER NOT NULL,"
     " current_rent_ore_per_m2 INTEGER NOT NULL, max_rent_ore_per_m2 INTEGER NOT NULL);"},
    /* Every key leads with the project, so a distributed PostgreSQL can
     * split these tables on project_id (docs/postgresql.md, "Distributing
     * the schema"): each table is rebuilt (new table, copy, drop, rename),
     * and a budget's lines carry the budget's project. Budget, scope change,
     * option and cost ids stay unique across projects: the store checks
     * before it inserts. Copies keep insertion order (ORDER BY rowid), which
     * lists and "the latest version" read. */
    {2,
     "CREATE TABLE budgets_v2 ("
     " id TEXT NOT NULL, project_id TEXT NOT NULL REFERENCES projects(id),"
     " kind TEXT NOT NULL, date TEXT NOT NULL, status TEXT NOT NULL,"
     " total_ore INTEGER NOT NULL, submitted_on TEXT, approved_on TEXT,"
     " PRIMARY KEY (project_id, id));"
     "INSERT INTO budgets_v2 (id, project_id, kind, date, status, total_ore,"
     " submitted_on, approved_on)"
     " SELECT id, project_id, kind, date, status, total_ore, submitted_on, approved_on"
     " FROM budgets ORDER BY rowid;"
     "CREATE TABLE budget_lines_v2 ("
     " project_id TEXT NOT NULL, budget_id TEXT NOT NULL, line_id TEXT NOT NULL,"
     " category TEXT NOT NULL, building_part TEXT, description TEXT,"
     " amount_ore INTEGER NOT NULL, molio_reference_ore INTEGER NOT NULL,"
     " PRIMARY KEY (project_id, budget_id, line_id),"
     " FOREIGN KEY (project_id, budget_id) REFERENCES budgets_v2(project_id, id));"
     "INSERT INTO budget_lines_v2 (project_id, budget_id, line_id, category, building_part,"
     " description, amount_ore, molio_reference_ore)"
     " SELECT b.project_id, l.budget_id, l.line_id, l.category, l.building_part,"
     " l.description, l.amount_ore, l.molio_reference_ore"
     " FROM budget_lines l JOIN budgets b ON b.id = l.budget_id ORDER BY l.rowid;"
     "CREATE TABLE scope_changes_v2 ("
     " id TEXT NOT NULL, project_id TEXT NOT NULL REFERENCES projects(id),"
     " description TEXT NOT NULL, amount_ore INTEGER NOT NULL, decided_on TEXT NOT NULL,"
     " PRIMARY KEY (project_id, id));"
     "INSERT INTO scope_changes_v2 (id, project_id, description, amount_ore, decided_on)"
     " SELECT id, project_id, description, amount_ore, decided_on FROM scope_changes"
     " ORDER BY rowid;"
     "CREATE TABLE options_v2 ("
     " id TEXT NOT NULL, project_id TEXT NOT NULL REFERENCES projects(id),"
     " description TEXT NOT NULL, saving_ore INTEGER NOT NULL, proposed_on TEXT NOT NULL,"
     " status TEXT NOT NULL, decided_by TEXT, decided_on TEXT,"
     " PRIMARY KEY (project_id, id));"
     "INSERT INTO options_v2 (id, project_id, description, saving_ore, proposed_on, status,"
     " decided_by, decided_on)"
     " SELECT id, project_id, description, saving_ore, proposed_on, status, decided_by,"
     " decided_on FROM options ORDER BY rowid;"
     "CREATE TABLE actual_costs_v2 ("
     " id TEXT NOT NULL, project_id TEXT NOT NULL REFERENCES projects(id),"
     " category TEXT NOT NULL, date TEXT NOT NULL, amount_ore INTEGER NOT NULL,"
     " description TEXT, PRIMARY KEY (project_id, id));"
     "INSERT INTO actual_costs_v2 (id, project_id, category, date, amount_ore, description)"
     " SELECT id, project_id, category, date, amount_ore, description FROM actual_costs"
     " ORDER BY rowid;"
     /* Children before parents: the old lines refer to the old budgets. */
     "DROP TABLE budget_lines;"
     "DROP TABLE budgets;"
     "DROP TABLE scope_changes;"
     "DROP TABLE options;"
     "DROP TABLE actual_costs;"
     "ALTER TABLE budgets_v2 RENAME TO budgets;"
     "ALTER TABLE budget_lines_v2 RENAME TO budget_lines;"
     "ALTER TABLE scope_changes_v2 RENAME TO scope_changes;"
     "ALTER TABLE options_v2 RENAME TO options;"
     "ALTER TABLE actual_costs_v2 RENAME TO actual_costs;"
     "CREATE INDEX budgets_project ON budgets(project_id, kind);"
     /* Requests name a budget, option, ... by its id alone. */
     "CREATE INDEX budgets_id ON budgets(id);"
     "CREATE INDEX budget_lines_budget ON budget_lines(budget_id, line_id);"
     "CREATE INDEX scope_changes_id ON scope_changes(id);"
     "CREATE INDEX options_id ON options(id);"
     "CREATE INDEX actual_costs_id ON actual_costs(id);"},
    /* Lifecycle's price closing (ClosePrice closes a price without a Skema B
     * here): a Skema A is not reopened once it is. */
    {3, "ALTER TABLE projects ADD COLUMN price_closed_on TEXT;"},
};
#define NMIGRATIONS ((int)(sizeof MIGRATIONS / sizeof *MIGRATIONS))

/* A store older than migration 3 applied lifecycle's events without
 * keeping their price closing: see them once more (budget_lifecycle_replay). */
static int rewind_for_price_closing(trin_store_t *s, void *data, trin_err_t *err) {
  (void)data;
  return trin_cursor_rewind(s, "lifecycle", err);
}

int budget_store_migrate(trin_store_t *s, trin_err_t *err) {
  int rc = trin_store_migrate(s, "budget", MIGRATIONS, NMIGRATIONS, err);
  /* Partnership membership, learnt from lifecycle's events with the rest. */
  if (!rc) rc = trin_access_migrate_follower(s, err);
  if (!rc)
    rc = trin_store_migrate_fn(s, "budget_price_closing_replay", rewind_for_price_closing, NULL,
                               err);
  return rc;
}

int budget_store_migrate_to(trin_store_t *s, int version, trin_err_t *err) {
  return trin_store_migrate_to(s, "budget", MIGRATIONS, NMIGRATIONS, version, err);
}

/* ---- helpers ------------------------------------------------------------------ */

static trin_date_t col_date(trin_stmt_t *st, int c) {
  trin_date_t d = TRIN_DATE_NONE;
  trin_date_parse_optional(trin_stmt_text(st, c), &d, "", NULL);
  return d;
}

static int not_found(const char *what, const char *id, const char *field, trin_err_t *err) {
  return trin_access_not_found(err, field, what, id);
}

/* Grows a malloc'd array to hold one more element. */
static int grow(void **p, size_t *cap, size_t n, size_t elem, trin_err_t *err) {
  if (n < *cap) return TRIN_OK;
  size_t nc = *cap ? *cap * 2 : 64;
  void *np = realloc(*p, nc * elem);
  if (!np) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  *p = np;
  *cap = nc;
  return TRIN_OK;
}

/* ---- lifecycle's facts ---------------------------------------------------------- */

int budget_store_partnership_upsert(trin_store_t *s, const budget_partnership_t *p,
                                    trin_err_t *err) {
  TRIN_STMT("INSERT INTO partnerships (id, client_org, price_closing_point, framework_end)"
       " VALUES (?,?,?,?) ON CONFLICT(id) DO UPDATE SET client_org=excluded.client_org,"
       " price_closing_point=excluded.price_closing_point,"
       " framework_end=excluded.framework_end");
  char d[TRIN_DATE_BUF];
  trin_stmt_bind_text(st, 1, p->id);
  trin_stmt_bind_text(st, 2, p->client_org);
  trin_stmt_bind_text(st, 3, p->price_closing_point);
  trin_stmt_bind_text(st, 4, trin_date_format(p->framework_end, d));
  return trin_stmt_run(st, err);
}

int budget_store_project_upsert(trin_store_t *s, const budget_project_t *p, trin_err_t *err) {
  TRIN_STMT("INSERT INTO projects (id, partnership_id, client_org, stage, price_closed_on)"
       " VALUES (?,?,?,?,?)"
       " ON CONFLICT(id) DO UPDATE SET partnership_id=excluded.partnership_id,"
       " client_org=excluded.client_org, stage=excluded.stage,"
       " price_closed_on=COALESCE(excluded.price_closed_on, projects.price_closed_on)");
  trin_stmt_bind_text(st, 1, p->id);
  trin_stmt_bind_text_or_null(st, 2, p->partnership_id);
  trin_stmt_bind_text(st, 3, p->client_org);
  trin_stmt_bind_text(st, 4, p->stage);
  trin_stmt_bind_text_or_null(st, 5, p->price_closed_on);
  return trin_stmt_run(st, err);
}

int budget_store_project_price_closed(trin_store_t *s, const char *id, const char *on,
                                      trin_err_t *err) {
  TRIN_STMT("UPDATE projects SET price_closed_on = ? WHERE id = ?");
  trin_stmt_bind_text(st, 1, on);
  trin_stmt_bind_text(st, 2, id);
  return trin_stmt_run(st, err);
}

int budget_store_partnership_get(trin_store_t *s, const char *id, const char *field,
                                 budget_partnership_t *out, trin_err_t *err) {
  TRIN_STMT("SELECT id, client_org, price_closing_point, framework_end FROM partnerships"
       " WHERE id = ?");
  trin_stmt_bind_text(st, 1, id);
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_OK) return not_found("partnership", id, field, err);
  if (rc != TRIN_STORE_ROW) return rc;
  trin_stmt_text_copy(st, 0, out->id, sizeof out->id);
  trin_stmt_text_copy(st, 1, out->client_org, sizeof out->client_org);
  trin_stmt_text_copy(st, 2, out->price_closing_point, sizeof out->price_closing_point);
  out->framework_end = col_date(st, 3);
  trin_stmt_reset(st);
  return TRIN_OK;
}

int budget_store_project_get(trin_store_t *s, const char *id, const char *field,
                             budget_project_t *out, trin_err_t *err) {
  TRIN_STMT("SELECT id, partnership_id, client_org, stage, price_closed_on FROM projects"
       " WHERE id = ?");
  trin_stmt_bind_text(st, 1, id);
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_OK)
    return trin_access_not_found(err, field, "project", id);
  if (rc != TRIN_STORE_ROW) return rc;
  trin_stmt_text_copy(st, 0, out->id, sizeof out->id);
  trin_stmt_text_copy(st, 1, out->partnership_id, sizeof out->partnership_id);
  trin_stmt_text_copy(st, 2, out->client_org, sizeof out->client_org);
  trin_stmt_text_copy(st, 3, out->stage, sizeof out->stage);
  trin_stmt_text_copy(st, 4, out->price_closed_on, sizeof out->price_closed_on);
  trin_stmt_reset(st);
  return TRIN_OK;
}

/* ---- model ------------------------------------------------------------------------- */

int budget_store_model_set(trin_store_t *s, const budget_model_msg_t *m, trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("INSERT INTO models (partnership_id, management_fee_bp, risk_bp, advisor_fee_bp,"
         " margin_bp, molio_deduction_bp, index_series) VALUES (?,?,?,?,?,?,?)"
         " ON CONFLICT(partnership_id) DO UPDATE SET"
         " management_fee_bp=excluded.management_fee_bp, risk_bp=excluded.risk_bp,"
         " advisor_fee_bp=excluded.advisor_fee_bp, margin_bp=excluded.margin_bp,"
         " molio_deduction_bp=excluded.molio_deduction_bp,"
         " index_series=excluded.index_series");
    trin_stmt_bind_text(st, 1, m->partnership_id);
    trin_stmt_bind_int64(st, 2, m->management_fee_bp);
    trin_stmt_bind_int64(st, 3, m->risk_bp);
    trin_stmt_bind_int64(st, 4, m->advisor_fee_bp);
    trin_stmt_bind_int64(st, 5, m->margin_bp);
    trin_stmt_bind_int64(st, 6, m->molio_deduction_bp);
    trin_stmt_bind_text(st, 7, m->index_series);
    if ((rc = trin_stmt_run(st, err))) return rc;
  }
  {
    TRIN_STMT("DELETE FROM model_rates WHERE partnership_id = ?");
    trin_stmt_bind_text(st, 1, m->partnership_id);
    if ((rc = trin_stmt_run(st, err))) return rc;
  }
  for (size_t i = 0; i < m->n_rates; i++) {
    TRIN_STMT("INSERT INTO model_rates (partnership_id, n, role, rate_ore) VALUES (?,?,?,?)");
    trin_stmt_bind_text(st, 1, m->partnership_id);
    trin_stmt_bind_int64(st, 2, (int64_t)i);
    trin_stmt_bind_text(st, 3, m->rates[i]->role);
    trin_stmt_bind_int64(st, 4, m->rates[i]->rate_ore);
    if ((rc = trin_stmt_run(st, err))) return rc;
  }
  return TRIN_OK;
}

int budget_store_model_get(trin_store_t *s, const char *pid, const char *field,
                           trin_arena_t *a, budget_model_msg_t *m, trin_err_t *err) {
  trin__budget__economic_model__init(m);
  int rc;
  {
    TRIN_STMT("SELECT m.partnership_id, management_fee_bp, risk_bp, advisor_fee_bp, margin_bp,"
         " molio_deduction_bp, index_series, p.price_closing_point FROM models m"
         " JOIN partnerships p ON p.id = m.partnership_id WHERE m.partnership_id = ?");
    trin_stmt_bind_text(st, 1, pid);
    rc = trin_stmt_step(st, err);
    if (rc == TRIN_OK)
      return trin_err_set(err, TRIN_ENOTFOUND, field,
                          "partnership '%.64s' has no economic model yet", pid);
    if (rc != TRIN_STORE_ROW) return rc;
    m->partnership_id = trin_stmt_text_dup(st, 0, a);
    m->management_fee_bp = (int32_t)trin_stmt_int64(st, 1);
    m->risk_bp = (int32_t)trin_stmt_int64(st, 2);
    m->advisor_fee_bp = (int32_t)trin_stmt_int64(st, 3);
    m->margin_bp = (int32_t)trin_stmt_int64(st, 4);
    m->molio_deduction_bp = (int32_t)trin_stmt_int64(st, 5);
    m->index_series = trin_stmt_text_dup(st, 6, a);
    m->price_closing_point = trin_stmt_text_dup(st, 7, a);
    trin_stmt_reset(st);
  }
  TRIN_STMT("SELECT role, rate_ore FROM model_rates WHERE partnership_id = ? ORDER BY n");
  trin_stmt_bind_text(st, 1, pid);
  trin_arena_vec_t v = {0};
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    Trin__Budget__HourlyRate *r = trin_arena_alloc(a, sizeof *r);
    if (!r) {
      trin_stmt_reset(st);
      return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    }
    trin__budget__hourly_rate__init(r);
    r->role = trin_stmt_text_dup(st, 0, a);
    r->rate_ore = trin_stmt_int64(st, 1);
    if ((rc = trin_arena_vec_push(a, &v, r, err))) {
      trin_stmt_reset(st);
      return rc;
    }
  }
  if (rc) return rc;
  m->rates = (Trin__Budget__HourlyRate **)v.items;
  m->n_rates = v.n;
  return a->failed ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory") : TRIN_OK;
}

int budget_store_model_load(trin_store_t *s, const char *pid, budget_model_t *m,
                            char series[65], bool *found, trin_err_t *err) {
  memset(m, 0, sizeof *m);
  snprintf(series, 65, "%s", BUDGET_DEFAULT_SERIES);
  *found = false;
  if (!pid || !*pid) return TRIN_OK;
  int rc;
  {
    TRIN_STMT("SELECT management_fee_bp, risk_bp, advisor_fee_bp, margin_bp, molio_deduction_bp,"
         " index_series FROM models WHERE partnership_id = ?");
    trin_stmt_bind_text(st, 1, pid);
    rc = trin_stmt_step(st, err);
    if (rc == TRIN_OK) return TRIN_OK;
    if (rc != TRIN_STORE_ROW) return rc;
    m->management_fee_bp = (int32_t)trin_stmt_int64(st, 0);
    m->risk_bp = (int32_t)trin_stmt_int64(st, 1);
    m->advisor_fee_bp = (int32_t)trin_stmt_int64(st, 2);
    m->margin_bp = (int32_t)trin_stmt_int64(st, 3);
    m->molio_deduction_bp = (int32_t)trin_stmt_int64(st, 4);
    snprintf(series, 65, "%s", trin_stmt_text(st, 5));
    trin_stmt_reset(st);
    *found = true;
  }
  TRIN_STMT("SELECT role, rate_ore FROM model_rates WHERE partnership_id = ? ORDER BY n");
  trin_stmt_bind_text(st, 1, pid);
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    if (m->nrates >= BUDGET_MAX_RATES) continue;
    budget_rate_t *r = &m->rates[m->nrates++];
    snprintf(r->role, sizeof r->role, "%s", trin_stmt_text(st, 0));
    r->rate_ore = trin_stmt_int64(st, 1);
  }
  return rc;
}

/* ---- budgets ------------------------------------------------------------------------------ */

int budget_store_line_upsert(trin_store_t *s, const char *budget_id, const budget_line_msg_t *l,
                             trin_err_t *err) {
  /* The line takes its project from the budget's row. */
  TRIN_STMT("INSERT INTO budget_lines (project_id, budget_id, line_id, category, building_part,"
       " description, amount_ore, molio_reference_ore)"
       " SELECT project_id, id, ?2, ?3, ?4, ?5, ?6, ?7 FROM budgets WHERE id = ?1"
       " ON CONFLICT(project_id, budget_id, line_id) DO UPDATE SET category=excluded.category,"
       " building_part=excluded.building_part, description=excluded.description,"
       " amount_ore=excluded.amount_ore, molio_reference_ore=excluded.molio_reference_ore");
  trin_stmt_bind_text(st, 1, budget_id);
  trin_stmt_bind_text(st, 2, l->id);
  trin_stmt_bind_text(st, 3, l->category);
  trin_stmt_bind_text_or_null(st, 4, l->building_part);
  trin_stmt_bind_text_or_null(st, 5, l->description);
  trin_stmt_bind_int64(st, 6, l->amount_ore);
  trin_stmt_bind_int64(st, 7, l->molio_reference_ore);
  return trin_stmt_run(st, err);
}

int budget_store_budget_insert(trin_store_t *s, const budget_budget_msg_t *b, trin_ore_t total,
                               trin_err_t *err) {
  int rc = trin_store_refuse_taken(s, "SELECT 1 FROM budgets WHERE id = ?", "budget", b->id, "budget.id",
                        err);
  if (rc) return rc;
  {
    TRIN_STMT("INSERT INTO budgets (id, project_id, kind, date, status, total_ore)"
         " VALUES (?,?,?,?,'draft',?)");
    trin_stmt_bind_text(st, 1, b->id);
    trin_stmt_bind_text(st, 2, b->project_id);
    trin_stmt_bind_text(st, 3, b->kind);
    trin_stmt_bind_text(st, 4, b->date);
    trin_stmt_bind_int64(st, 5, total);
    if ((rc = trin_stmt_run_one(s, st, "budget", b->id, "budget.id", err))) return rc;
  }
  for (size_t i = 0; i < b->n_lines; i++)
    if ((rc = budget_store_line_upsert(s, b->id, b->lines[i], err))) return rc;
  return TRIN_OK;
}

static int budget_row(trin_arena_t *a, trin_stmt_t *st, budget_budget_msg_t *b) {
  trin__budget__budget__init(b);
  b->id = trin_stmt_text_dup(st, 0, a);
  b->project_id = trin_stmt_text_dup(st, 1, a);
  b->kind = trin_stmt_text_dup(st, 2, a);
  b->date = trin_stmt_text_dup(st, 3, a);
  b->status = trin_stmt_text_dup(st, 4, a);
  b->total_ore = trin_stmt_int64(st, 5);
  b->submitted_on = trin_stmt_text_dup(st, 6, a);
  b->approved_on = trin_stmt_text_dup(st, 7, a);
  return a->failed ? TRIN_EINTERNAL : TRIN_OK;
}

#define BUDGET_COLS "id, project_id, kind, date, status, total_ore, submitted_on, approved_on"

int budget_store_budget_get(trin_store_t *s, const char *id, const char *field,
                            bool with_lines, trin_arena_t *a, budget_budget_msg_t *out,
                            trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("SELECT " BUDGET_COLS " FROM budgets WHERE id = ?");
    trin_stmt_bind_text(st, 1, id);
    rc = trin_stmt_step(st, err);
    if (rc == TRIN_OK) return not_found("budget", id, field, err);
    if (rc != TRIN_STORE_ROW) return rc;
    rc = budget_row(a, st, out);
    trin_stmt_reset(st);
    if (rc) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  if (!with_lines) return TRIN_OK;
  TRIN_STMT("SELECT line_id, category, building_part, description, amount_ore, molio_reference_ore"
       " FROM budget_lines WHERE project_id = ? AND budget_id = ? ORDER BY rowid");
  trin_stmt_bind_text(st, 1, out->project_id);
  trin_stmt_bind_text(st, 2, id);
  trin_arena_vec_t v = {0};
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    budget_line_msg_t *l = trin_arena_alloc(a, sizeof *l);
    if (!l || trin_arena_vec_push(a, &v, l, err)) {
      trin_stmt_reset(st);
      return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    }
    trin__budget__budget_line__init(l);
    l->id = trin_stmt_text_dup(st, 0, a);
    l->category = trin_stmt_text_dup(st, 1, a);
    l->building_part = trin_stmt_text_dup(st, 2, a);
    l->description = trin_stmt_text_dup(st, 3, a);
    l->amount_ore = trin_stmt_int64(st, 4);
    l->molio_reference_ore = trin_stmt_int64(st, 5);
  }
  if (rc) return rc;
  out->lines = (budget_line_msg_t **)v.items;
  out->n_lines = v.n;
  return a->failed ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory") : TRIN_OK;
}

int budget_store_budget_list(trin_store_t *s, const char *project_id, trin_arena_t *a,
                             budget_budget_msg_t ***out, size_t *n, trin_err_t *err) {
  TRIN_STMT("SELECT " BUDGET_COLS " FROM budgets WHERE project_id = ? ORDER BY date, rowid");
  trin_stmt_bind_text(st, 1, project_id);
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    budget_budget_msg_t *b = trin_arena_alloc(a, sizeof *b);
    if (!b || budget_row(a, st, b) || trin_arena_vec_push(a, &v, b, err)) {
      trin_stmt_reset(st);
      return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    }
  }
  if (rc) return rc;
  *out = (budget_budget_msg_t **)v.items;
  *n = v.n;
  return TRIN_OK;
}

static const char *any(const char *s) { return s ? s : ""; }

int budget_store_budget_find(trin_store_t *s, const budget_list_filter_t *f, trin_arena_t *a,
                             budget_budget_msg_t ***out, budget_project_t **owners,
                             size_t *n, trin_err_t *err) {
  /* "? = ''" short-circuits an unset filter, so the statement is cached once. */
  TRIN_STMT("SELECT b.id, b.project_id, b.kind, b.date, b.status, b.total_ore,"
       " b.submitted_on, b.approved_on, COALESCE(p.partnership_id, ''), p.client_org"
       " FROM budgets b JOIN projects p ON p.id = b.project_id"
       " WHERE (?1 = '' OR b.project_id = ?1)"
       " AND (?2 = '' OR p.partnership_id = ?2)"
       " AND (?3 = '' OR p.client_org = ?3)"
       " AND (?4 = '' OR b.status = ?4)"
       " AND (?5 = '' OR b.kind = ?5)"
       " ORDER BY b.project_id, b.date, b.rowid");
  trin_stmt_bind_text(st, 1, any(f->project_id));
  trin_stmt_bind_text(st, 2, any(f->partnership_id));
  trin_stmt_bind_text(st, 3, any(f->client_org));
  trin_stmt_bind_text(st, 4, any(f->status));
  trin_stmt_bind_text(st, 5, any(f->kind));
  trin_arena_vec_t v = {0}, o = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    budget_budget_msg_t *b = trin_arena_alloc(a, sizeof *b);
    budget_project_t *p = trin_arena_alloc(a, sizeof *p);
    if (!b || !p || budget_row(a, st, b) || trin_arena_vec_push(a, &v, b, err) ||
        trin_arena_vec_push(a, &o, p, err)) {
      trin_stmt_reset(st);
      return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    }
    memset(p, 0, sizeof *p);
    trin_stmt_text_copy(st, 1, p->id, sizeof p->id);
    trin_stmt_text_copy(st, 8, p->partnership_id, sizeof p->partnership_id);
    trin_stmt_text_copy(st, 9, p->client_org, sizeof p->client_org);
  }
  if (rc) return rc;
  *out = (budget_budget_msg_t **)v.items;
  *n = v.n;
  /* the vector holds pointers; the caller wants the owners side by side */
  *owners = trin_arena_alloc(a, (v.n ? v.n : 1) * sizeof **owners);
  if (!*owners) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  for (size_t i = 0; i < v.n; i++) (*owners)[i] = *(budget_project_t *)o.items[i];
  return TRIN_OK;
}

int budget_store_index_list(trin_store_t *s, trin_arena_t *a, budget_index_summary_msg_t ***out,
                            size_t *n, trin_err_t *err) {
  TRIN_STMT("SELECT p.series, COUNT(*), MIN(p.date), MAX(p.date),"
       " (SELECT q.value_x100 FROM index_points q WHERE q.series = p.series"
       "  ORDER BY q.date DESC LIMIT 1)"
       " FROM index_points p GROUP BY p.series ORDER BY p.series");
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    budget_index_summary_msg_t *x = trin_arena_alloc(a, sizeof *x);
    if (!x || trin_arena_vec_push(a, &v, x, err)) {
      trin_stmt_reset(st);
      return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    }
    trin__budget__index_series_summary__init(x);
    x->series = trin_stmt_text_dup(st, 0, a);
    x->points = (uint32_t)trin_stmt_int64(st, 1);
    x->first_date = trin_stmt_text_dup(st, 2, a);
    x->last_date = trin_stmt_text_dup(st, 3, a);
    x->last_value_x100 = trin_stmt_int64(st, 4);
  }
  if (rc) return rc;
  if (a->failed) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  *out = (budget_index_summary_msg_t **)v.items;
  *n = v.n;
  return TRIN_OK;
}

int budget_store_line_amount(trin_store_t *s, const char *budget_id, const char *line_id,
                             trin_ore_t *amount, bool *found, trin_err_t *err) {
  TRIN_STMT("SELECT amount_ore FROM budget_lines WHERE budget_id = ? AND line_id = ?");
  trin_stmt_bind_text(st, 1, budget_id);
  trin_stmt_bind_text(st, 2, line_id);
  int rc = trin_stmt_step(st, err);
  *found = rc == TRIN_STORE_ROW;
  *amount = *found ? trin_stmt_int64(st, 0) : 0;
  trin_stmt_reset(st);
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

int budget_store_line_delete(trin_store_t *s, const char *budget_id, const char *line_id,
                             trin_err_t *err) {
  TRIN_STMT("DELETE FROM budget_lines WHERE budget_id = ? AND line_id = ?");
  trin_stmt_bind_text(st, 1, budget_id);
  trin_stmt_bind_text(st, 2, line_id);
  return trin_stmt_run_one(s, st, "line", line_id, "line_id", err);
}

int budget_store_budget_set_total(trin_store_t *s, const char *id, trin_ore_t total,
                                  trin_err_t *err) {
  TRIN_STMT("UPDATE budgets SET total_ore = ? WHERE id = ?");
  trin_stmt_bind_int64(st, 1, total);
  trin_stmt_bind_text(st, 2, id);
  return trin_stmt_run_one(s, st, "budget", id, "budget_id", err);
}

int budget_store_budget_set_status(trin_store_t *s, const char *id, const char *status,
                                   const char *date, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(
      s,
      "UPDATE budgets SET status = ?1,"
      " submitted_on = CASE WHEN ?1 = 'submitted' THEN ?2 ELSE submitted_on END,"
      " approved_on = CASE WHEN ?1 = 'approved' THEN ?2 ELSE approved_on END WHERE id = ?3",
      &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, status);
  trin_stmt_bind_text(st, 2, date);
  trin_stmt_bind_text(st, 3, id);
  return trin_stmt_run_one(s, st, "budget", id, "budget_id", err);
}

int budget_store_budget_to_draft(trin_store_t *s, const char *id, trin_err_t *err) {
  trin_stmt_t *st;
  int rc = trin_store_stmt(s,
                           "UPDATE budgets SET status = 'draft', submitted_on = NULL,"
                           " approved_on = NULL WHERE id = ?",
                           &st, err);
  if (rc) return rc;
  trin_stmt_bind_text(st, 1, id);
  return trin_stmt_run_one(s, st, "budget", id, "budget_id", err);
}

int budget_store_budget_count(trin_store_t *s, const char *project_id, const char *kind,
                              const char *status, int *n, trin_err_t *err) {
  TRIN_STMT("SELECT count(*) FROM budgets WHERE project_id = ? AND kind = ?"
       " AND (? = '' OR status = ?)");
  trin_stmt_bind_text(st, 1, project_id);
  trin_stmt_bind_text(st, 2, kind);
  trin_stmt_bind_text(st, 3, status);
  trin_stmt_bind_text(st, 4, status);
  int rc = trin_stmt_step(st, err);
  if (rc != TRIN_STORE_ROW) return rc ? rc : TRIN_EINTERNAL;
  *n = (int)trin_stmt_int64(st, 0);
  trin_stmt_reset(st);
  return TRIN_OK;
}

/* ---- index ------------------------------------------------------------------------------------ */

int budget_store_index_upsert(trin_store_t *s, const char *series,
                              const budget_index_point_t *pts, size_t n, trin_err_t *err) {
  for (size_t i = 0; i < n; i++) {
    TRIN_STMT("INSERT INTO index_points (series, date, value_x100) VALUES (?,?,?)"
         " ON CONFLICT(series, date) DO UPDATE SET value_x100 = excluded.value_x100");
    char d[TRIN_DATE_BUF];
    trin_stmt_bind_text(st, 1, series);
    trin_stmt_bind_text(st, 2, trin_date_format(pts[i].date, d));
    trin_stmt_bind_int64(st, 3, pts[i].value_x100);
    int rc = trin_stmt_run(st, err);
    if (rc) return rc;
  }
  return TRIN_OK;
}

int budget_store_index_load(trin_store_t *s, const char *series, budget_index_point_t **pts,
                            size_t *n, size_t *cap, trin_err_t *err) {
  TRIN_STMT("SELECT date, value_x100 FROM index_points WHERE series = ? ORDER BY date");
  trin_stmt_bind_text(st, 1, series);
  *n = 0;
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    if (grow((void **)pts, cap, *n, sizeof **pts, err)) {
      trin_stmt_reset(st);
      return TRIN_EINTERNAL;
    }
    (*pts)[*n].date = col_date(st, 0);
    (*pts)[*n].value_x100 = trin_stmt_int64(st, 1);
    (*n)++;
  }
  return rc;
}

int budget_store_index_dependents(trin_store_t *s, const char *series, trin_date_t from,
                                  trin_arena_t *a, char ***ids, size_t *n, trin_err_t *err) {
  /* Each EXISTS is a look-up in budgets_project (project_id, kind). */
  TRIN_STMT("SELECT p.id FROM projects p LEFT JOIN models m ON m.partnership_id = p.partnership_id"
       " WHERE coalesce(m.index_series, '" BUDGET_DEFAULT_SERIES "') = ?1"
       " AND EXISTS (SELECT 1 FROM budgets a WHERE a.project_id = p.id"
       "   AND a.kind = 'skema_a' AND a.status = 'approved')"
       " AND EXISTS (SELECT 1 FROM budgets b WHERE b.project_id = p.id AND b.kind = 'skema_b')"
       " AND EXISTS (SELECT 1 FROM budgets x WHERE x.project_id = p.id"
       "   AND x.kind IN ('skema_a', 'skema_b') AND x.date >= ?2"
       "   AND (x.kind = 'skema_b' OR x.status = 'approved'))"
       " ORDER BY p.id");
  char d[TRIN_DATE_BUF];
  trin_stmt_bind_text(st, 1, series);
  trin_stmt_bind_text(st, 2, trin_date_format(from, d));
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    char *id = trin_stmt_text_dup(st, 0, a);
    if (!id || trin_arena_vec_push(a, &v, id, err)) {
      trin_stmt_reset(st);
      return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    }
  }
  if (rc) return rc;
  *ids = (char **)v.items;
  *n = v.n;
  return TRIN_OK;
}

int budget_store_partnership_budgeted(trin_store_t *s, const char *partnership_id,
                                      trin_arena_t *a, char ***ids, size_t *n,
                                      trin_err_t *err) {
  TRIN_STMT("SELECT p.id FROM projects p WHERE p.partnership_id = ?"
       " AND EXISTS (SELECT 1 FROM budgets b WHERE b.project_id = p.id) ORDER BY p.id");
  trin_stmt_bind_text(st, 1, partnership_id);
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    if (trin_arena_vec_push(a, &v, trin_stmt_text_dup(st, 0, a), err)) {
      trin_stmt_reset(st);
      return TRIN_EINTERNAL;
    }
  }
  if (rc) return rc;
  *ids = (char **)v.items;
  *n = v.n;
  return TRIN_OK;
}

/* ---- scope, options, costs, rent ------------------------------------------------------------------ */

int budget_store_scope_insert(trin_store_t *s, const budget_scope_msg_t *c, trin_err_t *err) {
  int rc = trin_store_refuse_taken(s, "SELECT 1 FROM scope_changes WHERE id = ?", "scope change", c->id,
                        "change.id", err);
  if (rc) return rc;
  TRIN_STMT("INSERT INTO scope_changes (id, project_id, description, amount_ore, decided_on)"
       " VALUES (?,?,?,?,?)");
  trin_stmt_bind_text(st, 1, c->id);
  trin_stmt_bind_text(st, 2, c->project_id);
  trin_stmt_bind_text(st, 3, c->description);
  trin_stmt_bind_int64(st, 4, c->amount_ore);
  trin_stmt_bind_text(st, 5, c->decided_on);
  return trin_stmt_run_one(s, st, "scope change", c->id, "change.id", err);
}

int budget_store_option_insert(trin_store_t *s, const budget_option_msg_t *o, trin_err_t *err) {
  int rc = trin_store_refuse_taken(s, "SELECT 1 FROM options WHERE id = ?", "option", o->id, "option.id",
                        err);
  if (rc) return rc;
  TRIN_STMT("INSERT INTO options (id, project_id, description, saving_ore, proposed_on, status)"
       " VALUES (?,?,?,?,?,'proposed')");
  trin_stmt_bind_text(st, 1, o->id);
  trin_stmt_bind_text(st, 2, o->project_id);
  trin_stmt_bind_text(st, 3, o->description);
  trin_stmt_bind_int64(st, 4, o->saving_ore);
  trin_stmt_bind_text(st, 5, o->proposed_on);
  return trin_stmt_run_one(s, st, "option", o->id, "option.id", err);
}

static void option_row(trin_arena_t *a, trin_stmt_t *st, budget_option_msg_t *o) {
  trin__budget__optimisation_option__init(o);
  o->id = trin_stmt_text_dup(st, 0, a);
  o->project_id = trin_stmt_text_dup(st, 1, a);
  o->description = trin_stmt_text_dup(st, 2, a);
  o->saving_ore = trin_stmt_int64(st, 3);
  o->proposed_on = trin_stmt_text_dup(st, 4, a);
  o->status = trin_stmt_text_dup(st, 5, a);
  o->decided_by = trin_stmt_text_dup(st, 6, a);
  o->decided_on = trin_stmt_text_dup(st, 7, a);
}

#define OPTION_COLS "id, project_id, description, saving_ore, proposed_on, status, decided_by, decided_on"

int budget_store_option_get(trin_store_t *s, const char *id, const char *field,
                            trin_arena_t *a, budget_option_msg_t *out, trin_err_t *err) {
  TRIN_STMT("SELECT " OPTION_COLS " FROM options WHERE id = ?");
  trin_stmt_bind_text(st, 1, id);
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_OK) return not_found("optimisation option", id, field, err);
  if (rc != TRIN_STORE_ROW) return rc;
  option_row(a, st, out);
  trin_stmt_reset(st);
  return a->failed ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory") : TRIN_OK;
}

int budget_store_option_list(trin_store_t *s, const char *project_id, trin_arena_t *a,
                             budget_option_msg_t ***out, size_t *n, trin_err_t *err) {
  TRIN_STMT("SELECT " OPTION_COLS " FROM options WHERE project_id = ? ORDER BY proposed_on, rowid");
  trin_stmt_bind_text(st, 1, project_id);
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    budget_option_msg_t *o = trin_arena_alloc(a, sizeof *o);
    if (!o || trin_arena_vec_push(a, &v, o, err)) {
      trin_stmt_reset(st);
      return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    }
    option_row(a, st, o);
  }
  if (rc) return rc;
  *out = (budget_option_msg_t **)v.items;
  *n = v.n;
  return TRIN_OK;
}

int budget_store_option_decide(trin_store_t *s, const char *id, const char *status,
                               const char *by, const char *date, trin_err_t *err) {
  TRIN_STMT("UPDATE options SET status = ?, decided_by = ?, decided_on = ? WHERE id = ?");
  trin_stmt_bind_text(st, 1, status);
  trin_stmt_bind_text(st, 2, by);
  trin_stmt_bind_text(st, 3, date);
  trin_stmt_bind_text(st, 4, id);
  return trin_stmt_run_one(s, st, "optimisation option", id, "option_id", err);
}

int budget_store_cost_insert(trin_store_t *s, const budget_cost_msg_t *c, trin_err_t *err) {
  int rc = trin_store_refuse_taken(s, "SELECT 1 FROM actual_costs WHERE id = ?", "actual cost", c->id,
                        "cost.id", err);
  if (rc) return rc;
  TRIN_STMT("INSERT INTO actual_costs (id, project_id, category, date, amount_ore, description)"
       " VALUES (?,?,?,?,?,?)");
  trin_stmt_bind_text(st, 1, c->id);
  trin_stmt_bind_text(st, 2, c->project_id);
  trin_stmt_bind_text(st, 3, c->category);
  trin_stmt_bind_text(st, 4, c->date);
  trin_stmt_bind_int64(st, 5, c->amount_ore);
  trin_stmt_bind_text_or_null(st, 6, c->description);
  return trin_stmt_run_one(s, st, "actual cost", c->id, "cost.id", err);
}

int budget_store_rent_set(trin_store_t *s, const budget_rent_msg_t *r, trin_err_t *err) {
  TRIN_STMT("INSERT INTO rent_parameters (project_id, loan_share_bp, interest_bp,"
       " term_years, rentable_area_m2, current_rent_ore_per_m2, max_rent_ore_per_m2)"
       " VALUES (?,?,?,?,?,?,?) ON CONFLICT(project_id) DO UPDATE SET"
       " loan_share_bp = excluded.loan_share_bp, interest_bp = excluded.interest_bp,"
       " term_years = excluded.term_years, rentable_area_m2 = excluded.rentable_area_m2,"
       " current_rent_ore_per_m2 = excluded.current_rent_ore_per_m2,"
       " max_rent_ore_per_m2 = excluded.max_rent_ore_per_m2");
  trin_stmt_bind_text(st, 1, r->project_id);
  trin_stmt_bind_int64(st, 2, r->loan_share_bp);
  trin_stmt_bind_int64(st, 3, r->interest_bp);
  trin_stmt_bind_int64(st, 4, r->term_years);
  trin_stmt_bind_int64(st, 5, r->rentable_area_m2);
  trin_stmt_bind_int64(st, 6, r->current_rent_ore_per_m2);
  trin_stmt_bind_int64(st, 7, r->max_rent_ore_per_m2);
  return trin_stmt_run(st, err);
}

int budget_store_turnover(trin_store_t *s, const char *partnership_id,
                          trin_date_t framework_end, budget_turnover_fn fn, void *data,
                          trin_err_t *err) {
  TRIN_STMT("SELECT CAST(substr(c.date, 1, 4) AS INTEGER), c.category, c.date <= ?,"
       " sum(c.amount_ore) FROM actual_costs c JOIN projects p ON p.id = c.project_id"
       " WHERE p.partnership_id = ? GROUP BY 1, 2, 3 ORDER BY 1, 2, 3");
  char d[TRIN_DATE_BUF];
  trin_stmt_bind_text(st, 1, trin_date_format(framework_end, d));
  trin_stmt_bind_text(st, 2, partnership_id);
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    int cat = budget_category_parse(trin_stmt_text(st, 1), "category", NULL);
    if (cat < 0) continue;
    fn(data, (int)trin_stmt_int64(st, 0), budget_category_party((budget_category_t)cat),
       trin_stmt_int64(st, 2) != 0, trin_stmt_int64(st, 3));
  }
  return rc;
}

/* ---- economy ------------------------------------------------------------------------------------------ */

static int load_version(trin_store_t *s, const char *project_id, const char *kind,
                        bool approved_only, budget_version_t *v, trin_err_t *err) {
  memset(v, 0, sizeof *v);
  v->date = TRIN_DATE_NONE;
  TRIN_STMT("SELECT id, status, total_ore, date, approved_on FROM budgets"
       " WHERE project_id = ? AND kind = ? AND (? = 0 OR status = 'approved')"
       " ORDER BY status = 'approved' DESC, date DESC, rowid DESC LIMIT 1");
  trin_stmt_bind_text(st, 1, project_id);
  trin_stmt_bind_text(st, 2, kind);
  trin_stmt_bind_int64(st, 3, approved_only);
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_OK) return TRIN_OK;
  if (rc != TRIN_STORE_ROW) return rc;
  v->has = true;
  trin_stmt_text_copy(st, 0, v->id, sizeof v->id);
  trin_stmt_text_copy(st, 1, v->status, sizeof v->status);
  v->total_ore = trin_stmt_int64(st, 2);
  v->date = col_date(st, 3);
  trin_stmt_text_copy(st, 4, v->approved_on, sizeof v->approved_on);
  trin_stmt_reset(st);
  return TRIN_OK;
}

static int load_lines(trin_store_t *s, budget_economy_t *e, const char *budget_id,
                      trin_err_t *err) {
  TRIN_STMT("SELECT category, amount_ore, molio_reference_ore FROM budget_lines"
       " WHERE project_id = ? AND budget_id = ?");
  trin_stmt_bind_text(st, 1, e->project.id);
  trin_stmt_bind_text(st, 2, budget_id);
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    if (grow((void **)&e->lines, &e->lines_cap, e->nlines, sizeof *e->lines, err)) {
      trin_stmt_reset(st);
      return TRIN_EINTERNAL;
    }
    int cat = budget_category_parse(trin_stmt_text(st, 0), "category", NULL);
    budget_line_t *l = &e->lines[e->nlines++];
    l->category = (uint8_t)(cat < 0 ? BUDGET_CAT_FEES_OTHER : cat);
    l->amount_ore = trin_stmt_int64(st, 1);
    l->molio_reference_ore = trin_stmt_int64(st, 2);
  }
  return rc;
}

static int load_changes(trin_store_t *s, budget_economy_t *e, trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("SELECT decided_on, amount_ore FROM scope_changes WHERE project_id = ?");
    trin_stmt_bind_text(st, 1, e->project.id);
    while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
      if (grow((void **)&e->scope, &e->scope_cap, e->nscope, sizeof *e->scope, err)) {
        trin_stmt_reset(st);
        return TRIN_EINTERNAL;
      }
      e->scope[e->nscope].date = col_date(st, 0);
      e->scope[e->nscope++].amount_ore = trin_stmt_int64(st, 1);
    }
    if (rc) return rc;
  }
  {
    TRIN_STMT("SELECT decided_on, saving_ore FROM options WHERE project_id = ?"
         " AND status = 'accepted'");
    trin_stmt_bind_text(st, 1, e->project.id);
    while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
      if (grow((void **)&e->savings, &e->savings_cap, e->nsavings, sizeof *e->savings, err)) {
        trin_stmt_reset(st);
        return TRIN_EINTERNAL;
      }
      e->savings[e->nsavings].date = col_date(st, 0);
      /* A saving lowers the price: the rules take it as a negative change. */
      e->savings[e->nsavings++].amount_ore = -trin_stmt_int64(st, 1);
    }
    if (rc) return rc;
  }
  {
    TRIN_STMT("SELECT coalesce(sum(amount_ore), 0) FROM actual_costs WHERE project_id = ?");
    trin_stmt_bind_text(st, 1, e->project.id);
    rc = trin_stmt_step(st, err);
    if (rc != TRIN_STORE_ROW) return rc ? rc : TRIN_EINTERNAL;
    e->costs_to_date_ore = trin_stmt_int64(st, 0);
    trin_stmt_reset(st);
  }
  TRIN_STMT("SELECT loan_share_bp, interest_bp, term_years, rentable_area_m2,"
       " current_rent_ore_per_m2, max_rent_ore_per_m2 FROM rent_parameters"
       " WHERE project_id = ?");
  trin_stmt_bind_text(st, 1, e->project.id);
  rc = trin_stmt_step(st, err);
  e->has_rent = rc == TRIN_STORE_ROW;
  if (e->has_rent) {
    e->rent.loan_share_bp = (int32_t)trin_stmt_int64(st, 0);
    e->rent.interest_bp = (int32_t)trin_stmt_int64(st, 1);
    e->rent.term_years = (int32_t)trin_stmt_int64(st, 2);
    e->rent.rentable_area_m2 = (int32_t)trin_stmt_int64(st, 3);
    e->rent.current_rent_ore_per_m2 = trin_stmt_int64(st, 4);
    e->rent.max_rent_ore_per_m2 = trin_stmt_int64(st, 5);
    trin_stmt_reset(st);
    return TRIN_OK;
  }
  return rc;
}

int budget_store_economy_load(trin_store_t *s, const char *project_id, const char *field,
                              budget_economy_t *e, trin_err_t *err) {
  e->nlines = e->npoints = e->nscope = e->nsavings = 0;
  e->costs_to_date_ore = 0;
  e->has_rent = false;
  e->price = NULL;
  e->price_closing_point[0] = '\0';
  int rc = budget_store_project_get(s, project_id, field, &e->project, err);
  if (!rc) rc = budget_store_model_load(s, e->project.partnership_id, &e->model, e->series,
                                        &e->has_model, err);
  if (!rc && e->project.partnership_id[0]) {
    budget_partnership_t p;
    if (budget_store_partnership_get(s, e->project.partnership_id, "", &p, NULL) == TRIN_OK)
      snprintf(e->price_closing_point, sizeof e->price_closing_point, "%s",
               p.price_closing_point);
  }
  if (!rc) rc = load_version(s, project_id, "skema_a", true, &e->a, err);
  if (!rc) rc = load_version(s, project_id, "skema_b", false, &e->b, err);
  if (!rc) rc = load_version(s, project_id, "skema_c", false, &e->c, err);
  if (!rc) rc = load_version(s, project_id, "forecast", false, &e->forecast, err);
  if (rc) return rc;
  e->price = e->b.has ? &e->b : e->a.has ? &e->a : NULL;
  if (e->price && (rc = load_lines(s, e, e->price->id, err))) return rc;
  if (e->a.has && e->b.has &&
      (rc = budget_store_index_load(s, e->series, &e->points, &e->npoints, &e->points_cap, err)))
    return rc;
  return load_changes(s, e, err);
}

void budget_economy_free(budget_economy_t *e) {
  free(e->lines);
  free(e->points);
  free(e->scope);
  free(e->savings);
  memset(e, 0, sizeof *e);
}
