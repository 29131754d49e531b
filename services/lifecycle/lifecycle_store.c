/* lifecycle_store — see lifecycle_store.h. Dates are stored as ISO 8601
 * text (they sort and compare as text), money as integer øre, enums as their
 * lowercase names. Every table that can grow large is keyed by a project or
 * partnership id so a later sharded backend can split on it. */
#include "lifecycle_store.h"

#include <string.h>

#include "lifecycle_ab18.h"
#include "lifecycle_access.h"
#include "lifecycle_lessons_store.h"
#include "lifecycle_rehousing_store.h"
#include "lifecycle_rules.h"
#include "lifecycle_sustain_store.h"

static const trin_migration_t MIGRATIONS[] = {
    {1,
     "CREATE TABLE organisations ("
     " id TEXT PRIMARY KEY, name TEXT NOT NULL, kind TEXT NOT NULL);"
     "CREATE TABLE partnerships ("
     " id TEXT PRIMARY KEY, name TEXT NOT NULL,"
     " client_org TEXT NOT NULL REFERENCES organisations(id),"
     " economic_frame_ore INTEGER NOT NULL, framework_start TEXT NOT NULL,"
     " framework_years INTEGER NOT NULL, extension_years INTEGER NOT NULL,"
     " horizon_years INTEGER NOT NULL, price_closing_point TEXT NOT NULL,"
     " abt_starts_at TEXT NOT NULL, trivial_threshold_ore INTEGER NOT NULL);"
     "CREATE TABLE partnership_members ("
     " partnership_id TEXT NOT NULL REFERENCES partnerships(id),"
     " org_id TEXT NOT NULL REFERENCES organisations(id), role TEXT NOT NULL,"
     " PRIMARY KEY (partnership_id, org_id));"
     "CREATE TABLE projects ("
     " id TEXT PRIMARY KEY, name TEXT NOT NULL,"
     " partnership_id TEXT REFERENCES partnerships(id),"
     " client_org TEXT NOT NULL REFERENCES organisations(id),"
     " kind TEXT NOT NULL, department TEXT, municipality TEXT,"
     " dwellings INTEGER NOT NULL, gross_area_m2 INTEGER NOT NULL,"
     " fast_track INTEGER NOT NULL, start_date TEXT NOT NULL,"
     " stage TEXT NOT NULL, stage_since TEXT NOT NULL,"
     " price_closed_on TEXT, price_reference TEXT,"
     " paused_since TEXT, pause_reason TEXT,"
     " open_disputes INTEGER NOT NULL DEFAULT 0,"
     " max_dispute_level INTEGER NOT NULL DEFAULT 0,"
     " open_defects INTEGER NOT NULL DEFAULT 0,"
     " baseline_handover TEXT, forecast_handover TEXT,"
     " schedule_variance_days INTEGER NOT NULL DEFAULT 0);"
     "CREATE INDEX projects_partnership ON projects(partnership_id);"
     "CREATE TABLE stage_history ("
     " project_id TEXT NOT NULL REFERENCES projects(id), n INTEGER NOT NULL,"
     " stage TEXT NOT NULL, since TEXT NOT NULL, note TEXT,"
     " PRIMARY KEY (project_id, n));"
     "CREATE TABLE pauses ("
     " project_id TEXT NOT NULL REFERENCES projects(id), n INTEGER NOT NULL,"
     " reason TEXT NOT NULL, from_date TEXT NOT NULL, to_date TEXT, note TEXT,"
     " PRIMARY KEY (project_id, n));"
     "CREATE TABLE milestones ("
     " project_id TEXT NOT NULL REFERENCES projects(id), name TEXT NOT NULL,"
     " baseline TEXT NOT NULL, forecast TEXT, actual TEXT,"
     " variance_days INTEGER NOT NULL, PRIMARY KEY (project_id, name));"
     "CREATE TABLE disputes ("
     " id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id),"
     " title TEXT NOT NULL, amount_ore INTEGER NOT NULL, level INTEGER NOT NULL,"
     " opened_on TEXT NOT NULL, level_since TEXT NOT NULL, raised_by TEXT,"
     " resolved_on TEXT, resolution TEXT, settled_ore INTEGER NOT NULL DEFAULT 0);"
     "CREATE INDEX disputes_project ON disputes(project_id);"
     "CREATE TABLE dispute_steps ("
     " dispute_id TEXT NOT NULL REFERENCES disputes(id), n INTEGER NOT NULL,"
     " level INTEGER NOT NULL, date TEXT NOT NULL, by_org TEXT, note TEXT,"
     " PRIMARY KEY (dispute_id, n));"
     "CREATE TABLE defects ("
     " id TEXT PRIMARY KEY, project_id TEXT NOT NULL REFERENCES projects(id),"
     " description TEXT NOT NULL, severity TEXT NOT NULL, found_at TEXT NOT NULL,"
     " reported_on TEXT NOT NULL, due_on TEXT, fixed_on TEXT, cost_bearer TEXT);"
     "CREATE INDEX defects_project ON defects(project_id);"},
    /* Every key leads with the project, so a distributed PostgreSQL can
     * split these tables on project_id (docs/postgresql.md, "Distributing
     * the schema"): each table is rebuilt (new table, copy, drop, rename),
     * and a dispute's steps carry the dispute's project. Dispute and defect
     * ids stay unique across projects: the store checks before it inserts
     * (a distributed table's unique keys must hold the project). Copies keep
     * insertion order (ORDER BY rowid). */
    {2,
     "CREATE TABLE disputes_v2 ("
     " id TEXT NOT NULL, project_id TEXT NOT NULL REFERENCES projects(id),"
     " title TEXT NOT NULL, amount_ore INTEGER NOT NULL, level INTEGER NOT NULL,"
     " opened_on TEXT NOT NULL, level_since TEXT NOT NULL, raised_by TEXT,"
     " resolved_on TEXT, resolution TEXT, settled_ore INTEGER NOT NULL DEFAULT 0,"
     " PRIMARY KEY (project_id, id));"
     "INSERT INTO disputes_v2 (id, project_id, title, amount_ore, level, opened_on,"
     " level_since, raised_by, resolved_on, resolution, settled_ore)"
     " SELECT id, project_id, title, amount_ore, level, opened_on, level_since, raised_by,"
     " resolved_on, resolution, settled_ore FROM disputes ORDER BY rowid;"
     "CREATE TABLE dispute_steps_v2 ("
     " project_id TEXT NOT NULL, dispute_id TEXT NOT NULL, n INTEGER NOT NULL,"
     " level INTEGER NOT NULL, date TEXT NOT NULL, by_org TEXT, note TEXT,"
     " PRIMARY KEY (project_id, dispute_id, n),"
     " FOREIGN KEY (project_id, dispute_id) REFERENCES disputes_v2(project_id, id));"
     "INSERT INTO dispute_steps_v2 (project_id, dispute_id, n, level, date, by_org, note)"
     " SELECT d.project_id, s.dispute_id, s.n, s.level, s.date, s.by_org, s.note"
     " FROM dispute_steps s JOIN disputes d ON d.id = s.dispute_id ORDER BY s.rowid;"
     "CREATE TABLE defects_v2 ("
     " id TEXT NOT NULL, project_id TEXT NOT NULL REFERENCES projects(id),"
     " description TEXT NOT NULL, severity TEXT NOT NULL, found_at TEXT NOT NULL,"
     " reported_on TEXT NOT NULL, due_on TEXT, fixed_on TEXT, cost_bearer TEXT,"
     " PRIMARY KEY (project_id, id));"
     "INSERT INTO defects_v2 (id, project_id, description, severity, found_at,"
     " reported_on, due_on, fixed_on, cost_bearer)"
     " SELECT id, project_id, description, severity, found_at, reported_on, due_on,"
     " fixed_on, cost_bearer FROM defects ORDER BY rowid;"
     /* Children before parents: the old steps refer to the old disputes. */
     "DROP TABLE dispute_steps;"
     "DROP TABLE disputes;"
     "DROP TABLE defects;"
     "ALTER TABLE disputes_v2 RENAME TO disputes;"
     "ALTER TABLE dispute_steps_v2 RENAME TO dispute_steps;"
     "ALTER TABLE defects_v2 RENAME TO defects;"
     /* Requests name a dispute or defect by its id alone. */
     "CREATE INDEX disputes_id ON disputes(id);"
     "CREATE INDEX defects_id ON defects(id);"},
    /* The event that last changed each project (its HTTP ETag); projects
     * untouched since the upgrade read 0 until their next change. */
    {3, "ALTER TABLE projects ADD COLUMN version INTEGER NOT NULL DEFAULT 0"},
};
#define NMIGRATIONS ((int)(sizeof MIGRATIONS / sizeof *MIGRATIONS))

/* A repair the contractor reports and the client confirms or rejects
 * (lifecycle_rules, defects): a scope of its own, so it numbers apart from
 * the schema's main line. NULL = none, as fixed_on. */
static const trin_migration_t DEFECT_MIGRATIONS[] = {
    {1,
     "ALTER TABLE defects ADD COLUMN fix_reported_on TEXT;"
     "ALTER TABLE defects ADD COLUMN fix_reported_by TEXT;"
     "ALTER TABLE defects ADD COLUMN fix_rejected_on TEXT;"
     "ALTER TABLE defects ADD COLUMN fix_rejection_note TEXT;"},
};

/* Who corrected a stage (CorrectStage), shown with the correction in the
 * stage history: a scope of its own too. NULL = a step, not a correction. */
static const trin_migration_t STAGE_MIGRATIONS[] = {
    {1, "ALTER TABLE stage_history ADD COLUMN corrected_by TEXT"},
};

/* The 1- and 5-year inspections held (issue 20, item 6, AB18 deadlines):
 * a scope of its own. inspection is "1y" or "5y"; each is held once. */
static const trin_migration_t AB18_MIGRATIONS[] = {
    {1,
     "CREATE TABLE ab18_inspections ("
     " project_id TEXT NOT NULL REFERENCES projects(id), inspection TEXT NOT NULL,"
     " held_on TEXT NOT NULL, note TEXT, PRIMARY KEY (project_id, inspection))"},
};

/* Earned value's inputs on a milestone (issue 20 item 1): a scope of its
 * own. NULL = not set. */
static const trin_migration_t EARNED_VALUE_MIGRATIONS[] = {
    {1,
     "ALTER TABLE milestones ADD COLUMN planned_cost_ore INTEGER;"
     "ALTER TABLE milestones ADD COLUMN percent_complete_bp INTEGER;"},
};

int lifecycle_store_migrate(trin_store_t *s, trin_err_t *err) {
  int rc = trin_store_migrate(s, "lifecycle", MIGRATIONS, NMIGRATIONS, err);
  if (!rc) rc = trin_store_migrate(s, "lifecycle_defects", DEFECT_MIGRATIONS, 1, err);
  if (!rc) rc = trin_store_migrate(s, "lifecycle_stages", STAGE_MIGRATIONS, 1, err);
  if (!rc) rc = lifecycle_rehousing_store_migrate(s, err); /* issue 20, item 4 */
  if (!rc) rc = trin_store_migrate(s, "lifecycle_ab18", AB18_MIGRATIONS, 1, err);
  if (!rc)
    rc = trin_store_migrate(s, "lifecycle_earned_value", EARNED_VALUE_MIGRATIONS, 1, err);
  if (!rc) rc = lifecycle_sustain_store_migrate(s, err);
  if (!rc) rc = lifecycle_lessons_store_migrate(s, err); /* issue 20, item 5 */
  /* Who may see what: the membership tables every service keeps. */
  return rc ? rc : lifecycle_access_migrate(s, err);
}

int lifecycle_store_migrate_to(trin_store_t *s, int version, trin_err_t *err) {
  return trin_store_migrate_to(s, "lifecycle", MIGRATIONS, NMIGRATIONS, version, err);
}

/* ---- small helpers ---------------------------------------------------------- */

/* ---- organisations ------------------------------------------------------------ */

int lifecycle_store_org_insert(trin_store_t *s, const lifecycle_organisation_msg_t *o,
                               trin_err_t *err) {
  TRIN_STMT("INSERT INTO organisations(id, name, kind) VALUES (?, ?, ?)");
  trin_stmt_bind_text(st, 1, o->id);
  trin_stmt_bind_text(st, 2, o->name);
  trin_stmt_bind_text(st, 3, o->kind);
  return trin_stmt_run_one(s, st, "organisation", o->id, "organisation.id", err);
}

static void org_from_row(trin_arena_t *a, trin_stmt_t *st, lifecycle_organisation_msg_t *o) {
  trin__lifecycle__organisation__init(o);
  o->id = trin_stmt_text_dup(st, 0, a);
  o->name = trin_stmt_text_dup(st, 1, a);
  o->kind = trin_stmt_text_dup(st, 2, a);
}

int lifecycle_store_org_get(trin_store_t *s, const char *id, const char *field,
                            trin_arena_t *a, lifecycle_organisation_msg_t *out, trin_err_t *err) {
  TRIN_STMT("SELECT id, name, kind FROM organisations WHERE id = ?");
  trin_stmt_bind_text(st, 1, id);
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) org_from_row(a, st, out);
  trin_stmt_reset(st);
  if (rc == TRIN_OK)
    return trin_err_set(err, TRIN_ENOTFOUND, field, "there is no organisation '%s'", id);
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

int lifecycle_store_org_list(trin_store_t *s, trin_arena_t *a,
                             lifecycle_organisation_msg_t ***out, size_t *n, trin_err_t *err) {
  TRIN_STMT("SELECT id, name, kind FROM organisations ORDER BY id");
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    lifecycle_organisation_msg_t *o = trin_arena_alloc(a, sizeof *o);
    if (!o || (rc = trin_arena_vec_push(a, &v, o, err))) break;
    org_from_row(a, st, o);
  }
  trin_stmt_reset(st);
  if (rc == TRIN_STORE_ROW) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  *out = (lifecycle_organisation_msg_t **)v.items;
  *n = v.n;
  return rc;
}

/* ---- partnerships ----------------------------------------------------------------- */

int lifecycle_store_partnership_insert(trin_store_t *s, const lifecycle_partnership_msg_t *p,
                                       trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("INSERT INTO partnerships(id, name, client_org, economic_frame_ore,"
         " framework_start, framework_years, extension_years, horizon_years,"
         " price_closing_point, abt_starts_at, trivial_threshold_ore)"
         " VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    trin_stmt_bind_text(st, 1, p->id);
    trin_stmt_bind_text(st, 2, p->name);
    trin_stmt_bind_text(st, 3, p->client_org);
    trin_stmt_bind_int64(st, 4, p->economic_frame_ore);
    trin_stmt_bind_text(st, 5, p->framework_start);
    trin_stmt_bind_int64(st, 6, p->framework_years);
    trin_stmt_bind_int64(st, 7, p->extension_years);
    trin_stmt_bind_int64(st, 8, p->horizon_years);
    trin_stmt_bind_text(st, 9, p->price_closing_point);
    trin_stmt_bind_text(st, 10, p->abt_starts_at);
    trin_stmt_bind_int64(st, 11, p->trivial_threshold_ore);
    if ((rc = trin_stmt_run_one(s, st, "partnership", p->id, "partnership.id", err))) return rc;
  }
  return lifecycle_store_member_insert(s, p->id, p->client_org, "client", err);
}

int lifecycle_store_member_insert(trin_store_t *s, const char *partnership_id,
                                  const char *org_id, const char *role,
                                  trin_err_t *err) {
  TRIN_STMT("INSERT INTO partnership_members(partnership_id, org_id, role) VALUES (?, ?, ?)");
  trin_stmt_bind_text(st, 1, partnership_id);
  trin_stmt_bind_text(st, 2, org_id);
  trin_stmt_bind_text(st, 3, role);
  int rc = trin_stmt_run(st, err);
  if (rc == TRIN_ECONFLICT)
    return trin_err_set(err, TRIN_ECONFLICT, "member.org_id",
                        "'%s' is already a member of partnership '%s'", org_id,
                        partnership_id);
  return rc;
}

int lifecycle_store_partnership_set_extension(trin_store_t *s, const char *id,
                                              int years, trin_err_t *err) {
  TRIN_STMT("UPDATE partnerships SET extension_years = ? WHERE id = ?");
  trin_stmt_bind_int64(st, 1, years);
  trin_stmt_bind_text(st, 2, id);
  return trin_stmt_run_one(s, st, "partnership", id, "partnership_id", err);
}

#define PARTNERSHIP_COLS                                                       \
  "id, name, client_org, economic_frame_ore, framework_start, framework_years," \
  " extension_years, horizon_years, price_closing_point, abt_starts_at,"       \
  " trivial_threshold_ore"

static void partnership_from_row(trin_arena_t *a, trin_stmt_t *st,
                                 lifecycle_partnership_msg_t *p) {
  trin__lifecycle__partnership__init(p);
  p->id = trin_stmt_text_dup(st, 0, a);
  p->name = trin_stmt_text_dup(st, 1, a);
  p->client_org = trin_stmt_text_dup(st, 2, a);
  p->economic_frame_ore = trin_stmt_int64(st, 3);
  p->framework_start = trin_stmt_text_dup(st, 4, a);
  p->framework_years = (int32_t)trin_stmt_int64(st, 5);
  p->extension_years = (int32_t)trin_stmt_int64(st, 6);
  p->horizon_years = (int32_t)trin_stmt_int64(st, 7);
  p->price_closing_point = trin_stmt_text_dup(st, 8, a);
  p->abt_starts_at = trin_stmt_text_dup(st, 9, a);
  p->trivial_threshold_ore = trin_stmt_int64(st, 10);
  lifecycle_partnership_terms_t t = {
      .framework_years = p->framework_years,
      .extension_years = p->extension_years,
      .horizon_years = p->horizon_years,
  };
  if (trin_date_parse(p->framework_start, &t.framework_start, "", NULL) == TRIN_OK) {
    char b[TRIN_DATE_BUF];
    p->framework_end = trin_arena_strdup(a, trin_date_format(
                                                lifecycle_partnership_framework_end(&t), b));
    p->horizon_end = trin_arena_strdup(a, trin_date_format(
                                              lifecycle_partnership_horizon_end(&t), b));
  }
}

static int load_members(trin_store_t *s, trin_arena_t *a, lifecycle_partnership_msg_t *p,
                        trin_err_t *err) {
  TRIN_STMT("SELECT org_id, role FROM partnership_members WHERE partnership_id = ?"
       " ORDER BY role = 'client' DESC, org_id");
  trin_stmt_bind_text(st, 1, p->id);
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    Trin__Lifecycle__Member *m = trin_arena_alloc(a, sizeof *m);
    if (!m || (rc = trin_arena_vec_push(a, &v, m, err))) break;
    trin__lifecycle__member__init(m);
    m->org_id = trin_stmt_text_dup(st, 0, a);
    m->role = trin_stmt_text_dup(st, 1, a);
  }
  trin_stmt_reset(st);
  if (rc == TRIN_STORE_ROW) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  p->members = (Trin__Lifecycle__Member **)v.items;
  p->n_members = v.n;
  return rc;
}

int lifecycle_store_partnership_get(trin_store_t *s, const char *id,
                                    const char *field, trin_arena_t *a,
                                    lifecycle_partnership_msg_t *out, trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("SELECT " PARTNERSHIP_COLS " FROM partnerships WHERE id = ?");
    trin_stmt_bind_text(st, 1, id);
    rc = trin_stmt_step(st, err);
    if (rc == TRIN_STORE_ROW) partnership_from_row(a, st, out);
    trin_stmt_reset(st);
  }
  if (rc == TRIN_OK)
    return trin_access_not_found(err, field, "partnership", id);
  if (rc != TRIN_STORE_ROW) return rc;
  return load_members(s, a, out, err);
}

int lifecycle_store_partnership_list(trin_store_t *s, trin_arena_t *a,
                                     lifecycle_partnership_msg_t ***out, size_t *n,
                                     trin_err_t *err) {
  trin_arena_vec_t v = {0};
  int rc;
  {
    TRIN_STMT("SELECT " PARTNERSHIP_COLS " FROM partnerships ORDER BY id");
    while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
      lifecycle_partnership_msg_t *p = trin_arena_alloc(a, sizeof *p);
      if (!p || (rc = trin_arena_vec_push(a, &v, p, err))) break;
      partnership_from_row(a, st, p);
    }
    trin_stmt_reset(st);
  }
  if (rc == TRIN_STORE_ROW) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  for (size_t i = 0; rc == TRIN_OK && i < v.n; i++) rc = load_members(s, a, v.items[i], err);
  *out = (lifecycle_partnership_msg_t **)v.items;
  *n = v.n;
  return rc;
}

/* ---- projects ------------------------------------------------------------------------ */

int lifecycle_store_project_insert(trin_store_t *s, const lifecycle_project_msg_t *p,
                                   trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("INSERT INTO projects(id, name, partnership_id, client_org, kind, department,"
         " municipality, dwellings, gross_area_m2, fast_track, start_date, stage,"
         " stage_since) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, 'pre_study', ?)");
    trin_stmt_bind_text(st, 1, p->id);
    trin_stmt_bind_text(st, 2, p->name);
    trin_stmt_bind_text_or_null(st, 3, p->partnership_id);
    trin_stmt_bind_text(st, 4, p->client_org);
    trin_stmt_bind_text(st, 5, p->kind);
    trin_stmt_bind_text_or_null(st, 6, p->department);
    trin_stmt_bind_text_or_null(st, 7, p->municipality);
    trin_stmt_bind_int64(st, 8, p->dwellings);
    trin_stmt_bind_int64(st, 9, p->gross_area_m2);
    trin_stmt_bind_int64(st, 10, p->fast_track);
    trin_stmt_bind_text(st, 11, p->start_date);
    trin_stmt_bind_text(st, 12, p->start_date);
    if ((rc = trin_stmt_run_one(s, st, "project", p->id, "project.id", err))) return rc;
  }
  TRIN_STMT("INSERT INTO stage_history(project_id, n, stage, since, note)"
       " VALUES (?, 1, 'pre_study', ?, 'project created')");
  trin_stmt_bind_text(st, 1, p->id);
  trin_stmt_bind_text(st, 2, p->start_date);
  return trin_stmt_run(st, err);
}

/* The actual handover of project `pid` (an SQL expression naming the
 * project's id column), for the AB18 deadlines (lifecycle_ab18): the
 * "handover" milestone's actual date, else the day the project last entered
 * the handover stage while it is at or past it (a stage corrected back
 * before handover leaves no handover). NULL when neither. */
#define HANDOVER_OF(pid)                                                                  \
  "COALESCE((SELECT NULLIF(m.actual, '') FROM milestones m WHERE m.project_id = " pid      \
  " AND m.name = 'handover'), (SELECT h.since FROM stage_history h JOIN projects hp"       \
  " ON hp.id = h.project_id WHERE h.project_id = " pid " AND h.stage = 'handover'"         \
  " AND hp.stage IN ('handover', 'inspection_1y', 'inspection_5y', 'closed')"             \
  " ORDER BY h.n DESC LIMIT 1))"

/* Columns 23–27: the facts the AB18 deadlines are computed from. */
#define PROJECT_COLS                                                             \
  "id, name, partnership_id, client_org, kind, department, municipality,"        \
  " dwellings, gross_area_m2, fast_track, start_date, stage, stage_since,"       \
  " price_closed_on, paused_since, pause_reason, open_disputes,"                 \
  " max_dispute_level, open_defects, baseline_handover, forecast_handover,"      \
  " schedule_variance_days, version, " HANDOVER_OF("projects.id") ","           \
  " (SELECT i.held_on FROM ab18_inspections i WHERE i.project_id = projects.id"  \
  "  AND i.inspection = '1y'),"                                                  \
  " (SELECT i.held_on FROM ab18_inspections i WHERE i.project_id = projects.id"  \
  "  AND i.inspection = '5y'),"                                                  \
  " (SELECT MIN(d.level_since) FROM disputes d WHERE d.project_id = projects.id" \
  "  AND d.level = 6 AND d.resolved_on IS NULL),"                                \
  " (SELECT MIN(NULLIF(f.due_on, '')) FROM defects f"                            \
  "  WHERE f.project_id = projects.id AND f.fixed_on IS NULL)"

/* A stored date, or TRIN_DATE_NONE for NULL, "" (and, never expected,
 * anything unreadable: a deadline is then left out rather than guessed). */
static trin_date_t date_col(trin_stmt_t *st, int col) {
  trin_date_t d = TRIN_DATE_NONE;
  if (trin_stmt_is_null(st, col)) return d;
  if (trin_date_parse_optional(trin_stmt_text(st, col), &d, "", NULL)) return TRIN_DATE_NONE;
  return d;
}

static char *date_dup(trin_arena_t *a, trin_date_t d) {
  char buf[TRIN_DATE_BUF];
  return trin_arena_strdup(a, trin_date_format(d, buf));
}

static void project_ab18_from_row(trin_arena_t *a, trin_stmt_t *st, lifecycle_project_msg_t *p) {
  lifecycle_ab18_facts_t f = {
      .handover = date_col(st, 23),
      .inspection_1y_held = date_col(st, 24),
      .inspection_5y_held = date_col(st, 25),
      .umpire_since = date_col(st, 26),
      .defect_due = date_col(st, 27),
  };
  lifecycle_ab18_deadlines_t d;
  lifecycle_ab18_deadlines(&f, &d);
  p->handover_on = date_dup(a, f.handover);
  p->inspection_1y_due = date_dup(a, d.inspection_1y_due);
  p->inspection_1y_held = date_dup(a, f.inspection_1y_held);
  p->inspection_5y_due = date_dup(a, d.inspection_5y_due);
  p->inspection_5y_held = date_dup(a, f.inspection_5y_held);
  p->arbitration_deadline = date_dup(a, d.arbitration_deadline);
  p->next_deadline = date_dup(a, d.next_deadline);
  p->next_deadline_kind = (char *)lifecycle_deadline_kind_name(d.next_kind);
}

static void project_from_row(trin_arena_t *a, trin_stmt_t *st, lifecycle_project_msg_t *p) {
  trin__lifecycle__project__init(p);
  p->id = trin_stmt_text_dup(st, 0, a);
  p->name = trin_stmt_text_dup(st, 1, a);
  p->partnership_id = trin_stmt_text_dup(st, 2, a);
  p->client_org = trin_stmt_text_dup(st, 3, a);
  p->kind = trin_stmt_text_dup(st, 4, a);
  p->department = trin_stmt_text_dup(st, 5, a);
  p->municipality = trin_stmt_text_dup(st, 6, a);
  p->dwellings = (int32_t)trin_stmt_int64(st, 7);
  p->gross_area_m2 = (int32_t)trin_stmt_int64(st, 8);
  p->fast_track = trin_stmt_int64(st, 9) != 0;
  p->start_date = trin_stmt_text_dup(st, 10, a);
  p->stage = trin_stmt_text_dup(st, 11, a);
  p->stage_since = trin_stmt_text_dup(st, 12, a);
  p->price_closed = !trin_stmt_is_null(st, 13);
  p->price_closed_on = trin_stmt_text_dup(st, 13, a);
  p->paused = !trin_stmt_is_null(st, 14);
  p->paused_since = trin_stmt_text_dup(st, 14, a);
  p->pause_reason = trin_stmt_text_dup(st, 15, a);
  p->open_disputes = (int32_t)trin_stmt_int64(st, 16);
  p->max_dispute_level = (int32_t)trin_stmt_int64(st, 17);
  p->open_defects = (int32_t)trin_stmt_int64(st, 18);
  p->baseline_handover = trin_stmt_text_dup(st, 19, a);
  p->forecast_handover = trin_stmt_text_dup(st, 20, a);
  p->schedule_variance_days = (int32_t)trin_stmt_int64(st, 21);
  p->version = (uint64_t)trin_stmt_int64(st, 22);
  project_ab18_from_row(a, st, p);
}

int lifecycle_store_set_version(trin_store_t *s, const char *project_id, uint64_t seq,
                                trin_err_t *err) {
  TRIN_STMT("UPDATE projects SET version = ? WHERE id = ?");
  trin_stmt_bind_int64(st, 1, (int64_t)seq);
  trin_stmt_bind_text(st, 2, project_id);
  int rc = trin_stmt_run_deferred(st, err);
  trin_stmt_reset(st);
  return rc;
}

static int load_stages(trin_store_t *s, trin_arena_t *a, lifecycle_project_msg_t *p,
                       trin_err_t *err) {
  TRIN_STMT("SELECT stage, since, note, corrected_by FROM stage_history WHERE project_id = ?"
       " ORDER BY n");
  trin_stmt_bind_text(st, 1, p->id);
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    Trin__Lifecycle__StageEntry *e = trin_arena_alloc(a, sizeof *e);
    if (!e || (rc = trin_arena_vec_push(a, &v, e, err))) break;
    trin__lifecycle__stage_entry__init(e);
    e->stage = trin_stmt_text_dup(st, 0, a);
    e->since = trin_stmt_text_dup(st, 1, a);
    e->note = trin_stmt_text_dup(st, 2, a);
    e->corrected_by = trin_stmt_text_dup(st, 3, a);
  }
  trin_stmt_reset(st);
  p->stages = (Trin__Lifecycle__StageEntry **)v.items;
  p->n_stages = v.n;
  return rc == TRIN_STORE_ROW ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory") : rc;
}

static int load_pauses(trin_store_t *s, trin_arena_t *a, lifecycle_project_msg_t *p,
                       trin_err_t *err) {
  TRIN_STMT("SELECT reason, from_date, to_date, note FROM pauses WHERE project_id = ?"
       " ORDER BY n");
  trin_stmt_bind_text(st, 1, p->id);
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    Trin__Lifecycle__Pause *e = trin_arena_alloc(a, sizeof *e);
    if (!e || (rc = trin_arena_vec_push(a, &v, e, err))) break;
    trin__lifecycle__pause__init(e);
    e->reason = trin_stmt_text_dup(st, 0, a);
    e->from = trin_stmt_text_dup(st, 1, a);
    e->to = trin_stmt_text_dup(st, 2, a);
    e->note = trin_stmt_text_dup(st, 3, a);
  }
  trin_stmt_reset(st);
  p->pauses = (Trin__Lifecycle__Pause **)v.items;
  p->n_pauses = v.n;
  return rc == TRIN_STORE_ROW ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory") : rc;
}

static int load_milestones(trin_store_t *s, trin_arena_t *a, lifecycle_project_msg_t *p,
                           trin_err_t *err) {
  TRIN_STMT("SELECT name, baseline, forecast, actual, variance_days, planned_cost_ore,"
       " percent_complete_bp FROM milestones WHERE project_id = ? ORDER BY baseline, name");
  trin_stmt_bind_text(st, 1, p->id);
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    lifecycle_milestone_msg_t *m = trin_arena_alloc(a, sizeof *m);
    if (!m || (rc = trin_arena_vec_push(a, &v, m, err))) break;
    trin__lifecycle__milestone__init(m);
    m->name = trin_stmt_text_dup(st, 0, a);
    m->baseline = trin_stmt_text_dup(st, 1, a);
    m->forecast = trin_stmt_text_dup(st, 2, a);
    m->actual = trin_stmt_text_dup(st, 3, a);
    m->variance_days = (int32_t)trin_stmt_int64(st, 4);
    m->has_planned_cost_ore = !trin_stmt_is_null(st, 5);
    m->planned_cost_ore = trin_stmt_int64(st, 5);
    m->has_percent_complete_bp = !trin_stmt_is_null(st, 6);
    m->percent_complete_bp = (int32_t)trin_stmt_int64(st, 6);
  }
  trin_stmt_reset(st);
  p->milestones = (lifecycle_milestone_msg_t **)v.items;
  p->n_milestones = v.n;
  return rc == TRIN_STORE_ROW ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory") : rc;
}

#define DISPUTE_COLS                                                          \
  "id, project_id, title, amount_ore, level, opened_on, raised_by, resolved_on," \
  " resolution, settled_ore, level_since"

static void dispute_from_row(trin_arena_t *a, trin_stmt_t *st, lifecycle_dispute_msg_t *d) {
  trin__lifecycle__dispute__init(d);
  d->id = trin_stmt_text_dup(st, 0, a);
  d->project_id = trin_stmt_text_dup(st, 1, a);
  d->title = trin_stmt_text_dup(st, 2, a);
  d->amount_ore = trin_stmt_int64(st, 3);
  d->level = (int32_t)trin_stmt_int64(st, 4);
  d->level_name = (char *)lifecycle_dispute_level_name(d->level);
  d->opened_on = trin_stmt_text_dup(st, 5, a);
  d->raised_by = trin_stmt_text_dup(st, 6, a);
  d->resolved = !trin_stmt_is_null(st, 7);
  d->resolved_on = trin_stmt_text_dup(st, 7, a);
  d->resolution = trin_stmt_text_dup(st, 8, a);
  d->settled_ore = trin_stmt_int64(st, 9);
  d->arbitration_deadline =
      date_dup(a, lifecycle_ab18_arbitration_deadline(d->level, d->resolved, date_col(st, 10)));
}

static int load_steps(trin_store_t *s, trin_arena_t *a, lifecycle_dispute_msg_t *d,
                      trin_err_t *err) {
  TRIN_STMT("SELECT level, date, by_org, note FROM dispute_steps"
       " WHERE project_id = ? AND dispute_id = ? ORDER BY n");
  trin_stmt_bind_text(st, 1, d->project_id);
  trin_stmt_bind_text(st, 2, d->id);
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    Trin__Lifecycle__DisputeStep *e = trin_arena_alloc(a, sizeof *e);
    if (!e || (rc = trin_arena_vec_push(a, &v, e, err))) break;
    trin__lifecycle__dispute_step__init(e);
    e->level = (int32_t)trin_stmt_int64(st, 0);
    e->date = trin_stmt_text_dup(st, 1, a);
    e->by_org = trin_stmt_text_dup(st, 2, a);
    e->note = trin_stmt_text_dup(st, 3, a);
  }
  trin_stmt_reset(st);
  d->steps = (Trin__Lifecycle__DisputeStep **)v.items;
  d->n_steps = v.n;
  return rc == TRIN_STORE_ROW ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory") : rc;
}

static int load_disputes(trin_store_t *s, trin_arena_t *a, lifecycle_project_msg_t *p,
                         trin_err_t *err) {
  trin_arena_vec_t v = {0};
  int rc;
  {
    TRIN_STMT("SELECT " DISPUTE_COLS " FROM disputes WHERE project_id = ? ORDER BY opened_on, id");
    trin_stmt_bind_text(st, 1, p->id);
    while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
      lifecycle_dispute_msg_t *d = trin_arena_alloc(a, sizeof *d);
      if (!d || (rc = trin_arena_vec_push(a, &v, d, err))) break;
      dispute_from_row(a, st, d);
    }
    trin_stmt_reset(st);
  }
  if (rc == TRIN_STORE_ROW) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  for (size_t i = 0; rc == TRIN_OK && i < v.n; i++) rc = load_steps(s, a, v.items[i], err);
  p->disputes = (lifecycle_dispute_msg_t **)v.items;
  p->n_disputes = v.n;
  return rc;
}

#define DEFECT_COLS                                                            \
  "id, project_id, description, severity, found_at, reported_on, due_on,"      \
  " fixed_on, cost_bearer, fix_reported_on, fix_reported_by, fix_rejected_on,"  \
  " fix_rejection_note, " HANDOVER_OF("defects.project_id")

static void defect_from_row(trin_arena_t *a, trin_stmt_t *st, lifecycle_defect_msg_t *d) {
  trin__lifecycle__defect__init(d);
  d->id = trin_stmt_text_dup(st, 0, a);
  d->project_id = trin_stmt_text_dup(st, 1, a);
  d->description = trin_stmt_text_dup(st, 2, a);
  d->severity = trin_stmt_text_dup(st, 3, a);
  d->found_at = trin_stmt_text_dup(st, 4, a);
  d->reported_on = trin_stmt_text_dup(st, 5, a);
  d->due_on = trin_stmt_text_dup(st, 6, a);
  d->fixed_on = trin_stmt_text_dup(st, 7, a);
  d->open = trin_stmt_is_null(st, 7);
  d->cost_bearer = trin_stmt_text_dup(st, 8, a);
  d->fix_reported_on = trin_stmt_text_dup(st, 9, a);
  d->fix_reported_by = trin_stmt_text_dup(st, 10, a);
  d->fix_rejected_on = trin_stmt_text_dup(st, 11, a);
  d->fix_rejection_note = trin_stmt_text_dup(st, 12, a);
  d->awaiting_confirmation = d->open && !trin_stmt_is_null(st, 9);
  d->ab18_section = lifecycle_ab18_defect_section(d->found_at);
  trin_date_t handover = date_col(st, 13);
  d->claim_limit = date_dup(a, lifecycle_ab18_claim_limit(handover));
  d->after_claim_limit =
      lifecycle_ab18_after_claim_limit(d->found_at, handover, date_col(st, 5));
}

static int load_defects(trin_store_t *s, trin_arena_t *a, lifecycle_project_msg_t *p,
                        trin_err_t *err) {
  TRIN_STMT("SELECT " DEFECT_COLS " FROM defects WHERE project_id = ? ORDER BY reported_on, id");
  trin_stmt_bind_text(st, 1, p->id);
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    lifecycle_defect_msg_t *d = trin_arena_alloc(a, sizeof *d);
    if (!d || (rc = trin_arena_vec_push(a, &v, d, err))) break;
    defect_from_row(a, st, d);
  }
  trin_stmt_reset(st);
  p->defects = (lifecycle_defect_msg_t **)v.items;
  p->n_defects = v.n;
  return rc == TRIN_STORE_ROW ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory") : rc;
}

int lifecycle_store_project_get(trin_store_t *s, const char *id, const char *field,
                                bool with_lists, trin_arena_t *a, lifecycle_project_msg_t *out,
                                trin_err_t *err) {
  /* On a server store the project's figures come in the project's round
   * trip (docs/postgresql.md); SQLite reads them as they are stepped, and
   * binding them twice would only cost it. */
  int rc = TRIN_OK;
  if (trin_store_remote(s)) {
    rc = lifecycle_rehousing_store_prefetch(s, id, err);
    if (!rc) rc = lifecycle_lessons_store_prefetch(s, id, err);
    if (!rc) rc = lifecycle_sustain_store_prefetch(s, id, err);
    if (rc) return rc;
  }
  {
    TRIN_STMT("SELECT " PROJECT_COLS " FROM projects WHERE id = ?");
    trin_stmt_bind_text(st, 1, id);
    rc = trin_stmt_step(st, err);
    if (rc == TRIN_STORE_ROW) project_from_row(a, st, out);
    trin_stmt_reset(st);
  }
  if (rc == TRIN_OK)
    return trin_access_not_found(err, field, "project", id);
  if (rc != TRIN_STORE_ROW) return rc;
  /* Rehousing figures travel with every event; its movements with the lists. */
  if ((rc = lifecycle_rehousing_store_fill(s, a, out, with_lists, err))) return rc;
  /* So do the lesson counts (issue 20, item 5). */
  if ((rc = lifecycle_lessons_store_fill(s, out, err))) return rc;
  /* Sustainability totals (issue 20, item 3) travel with every project. */
  rc = lifecycle_sustain_store_totals(s, out->id, out->gross_area_m2, a, &out->sustainability,
                                      with_lists ? &out->sustainability_measures : NULL,
                                      &out->n_sustainability_measures, err);
  if (rc || !with_lists) return rc;
  if ((rc = load_stages(s, a, out, err))) return rc;
  if ((rc = load_pauses(s, a, out, err))) return rc;
  if ((rc = load_milestones(s, a, out, err))) return rc;
  if ((rc = load_disputes(s, a, out, err))) return rc;
  return load_defects(s, a, out, err);
}

int lifecycle_store_project_list(trin_store_t *s, const lifecycle_project_filter_t *f,
                                 trin_arena_t *a, lifecycle_project_msg_t ***out, size_t *n,
                                 trin_err_t *err) {
  /* One statement with optional filters: "? = ''" short-circuits an unset
   * filter, so the statement is prepared once and cached. */
  TRIN_STMT("SELECT " PROJECT_COLS " FROM projects"
       " WHERE (?1 = '' OR partnership_id = ?1)"
       " AND (?2 = '' OR client_org = ?2)"
       " AND (?3 = '' OR stage = ?3)"
       " AND (?4 = 0 OR partnership_id IS NULL)"
       " ORDER BY id");
  trin_stmt_bind_text(st, 1, f->partnership_id ? f->partnership_id : "");
  trin_stmt_bind_text(st, 2, f->client_org ? f->client_org : "");
  trin_stmt_bind_text(st, 3, f->stage ? f->stage : "");
  trin_stmt_bind_int64(st, 4, f->outside_partnership);
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    lifecycle_project_msg_t *p = trin_arena_alloc(a, sizeof *p);
    if (!p || (rc = trin_arena_vec_push(a, &v, p, err))) break;
    project_from_row(a, st, p);
  }
  trin_stmt_reset(st);
  if (rc == TRIN_STORE_ROW) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  for (size_t i = 0; rc == TRIN_OK && i < v.n; i++)
    if (!(rc = lifecycle_rehousing_store_fill(s, a, v.items[i], false, err)))
      rc = lifecycle_lessons_store_fill(s, v.items[i], err);
  *out = (lifecycle_project_msg_t **)v.items;
  *n = v.n;
  return rc;
}

int lifecycle_store_set_stage(trin_store_t *s, const char *project_id,
                              const char *stage, const char *date, const char *note,
                              const char *corrected_by, trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("UPDATE projects SET stage = ?, stage_since = ? WHERE id = ?");
    trin_stmt_bind_text(st, 1, stage);
    trin_stmt_bind_text(st, 2, date);
    trin_stmt_bind_text(st, 3, project_id);
    if ((rc = trin_stmt_run_one(s, st, "project", project_id, "project_id", err))) return rc;
  }
  TRIN_STMT("INSERT INTO stage_history(project_id, n, stage, since, note, corrected_by)"
       " VALUES (?1, (SELECT COALESCE(MAX(n), 0) + 1 FROM stage_history"
       " WHERE project_id = ?1), ?2, ?3, ?4, ?5)");
  trin_stmt_bind_text(st, 1, project_id);
  trin_stmt_bind_text(st, 2, stage);
  trin_stmt_bind_text(st, 3, date);
  trin_stmt_bind_text_or_null(st, 4, note);
  trin_stmt_bind_text_or_null(st, 5, corrected_by);
  return trin_stmt_run(st, err);
}

int lifecycle_store_close_price(trin_store_t *s, const char *project_id,
                                const char *date, const char *reference,
                                trin_err_t *err) {
  TRIN_STMT("UPDATE projects SET price_closed_on = ?, price_reference = ? WHERE id = ?");
  trin_stmt_bind_text(st, 1, date);
  trin_stmt_bind_text_or_null(st, 2, reference);
  trin_stmt_bind_text(st, 3, project_id);
  return trin_stmt_run_one(s, st, "project", project_id, "project_id", err);
}

int lifecycle_store_pause(trin_store_t *s, const char *project_id, const char *reason,
                          const char *date, const char *note, trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("UPDATE projects SET paused_since = ?, pause_reason = ? WHERE id = ?");
    trin_stmt_bind_text(st, 1, date);
    trin_stmt_bind_text(st, 2, reason);
    trin_stmt_bind_text(st, 3, project_id);
    if ((rc = trin_stmt_run_one(s, st, "project", project_id, "project_id", err))) return rc;
  }
  TRIN_STMT("INSERT INTO pauses(project_id, n, reason, from_date, note)"
       " VALUES (?1, (SELECT COALESCE(MAX(n), 0) + 1 FROM pauses WHERE project_id = ?1),"
       " ?2, ?3, ?4)");
  trin_stmt_bind_text(st, 1, project_id);
  trin_stmt_bind_text(st, 2, reason);
  trin_stmt_bind_text(st, 3, date);
  trin_stmt_bind_text_or_null(st, 4, note);
  return trin_stmt_run(st, err);
}

int lifecycle_store_resume(trin_store_t *s, const char *project_id, const char *date,
                           trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("UPDATE projects SET paused_since = NULL, pause_reason = NULL WHERE id = ?");
    trin_stmt_bind_text(st, 1, project_id);
    if ((rc = trin_stmt_run_one(s, st, "project", project_id, "project_id", err))) return rc;
  }
  TRIN_STMT("UPDATE pauses SET to_date = ?2 WHERE project_id = ?1 AND to_date IS NULL");
  trin_stmt_bind_text(st, 1, project_id);
  trin_stmt_bind_text(st, 2, date);
  return trin_stmt_run(st, err);
}

int lifecycle_store_milestone_upsert(trin_store_t *s, const char *project_id,
                                     const lifecycle_milestone_msg_t *m, trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("INSERT INTO milestones(project_id, name, baseline, forecast, actual,"
         " variance_days, planned_cost_ore, percent_complete_bp) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
         " ON CONFLICT(project_id, name) DO UPDATE SET baseline = excluded.baseline,"
         " forecast = excluded.forecast, actual = excluded.actual,"
         " variance_days = excluded.variance_days,"
         " planned_cost_ore = excluded.planned_cost_ore,"
         " percent_complete_bp = excluded.percent_complete_bp");
    trin_stmt_bind_text(st, 1, project_id);
    trin_stmt_bind_text(st, 2, m->name);
    trin_stmt_bind_text(st, 3, m->baseline);
    trin_stmt_bind_text_or_null(st, 4, m->forecast);
    trin_stmt_bind_text_or_null(st, 5, m->actual);
    trin_stmt_bind_int64(st, 6, m->variance_days);
    if (m->has_planned_cost_ore) trin_stmt_bind_int64(st, 7, m->planned_cost_ore);
    else trin_stmt_bind_null(st, 7);
    if (m->has_percent_complete_bp) trin_stmt_bind_int64(st, 8, m->percent_complete_bp);
    else trin_stmt_bind_null(st, 8);
    /* The project was read in this command, so only a failing store can
     * refuse these writes: a server store takes them with the next round
     * trip. */
    if ((rc = trin_stmt_run_deferred(st, err))) return rc;
  }
  if (strcmp(m->name, "handover") != 0) return TRIN_OK;
  /* The status row's time columns come from this one milestone. */
  TRIN_STMT("UPDATE projects SET baseline_handover = ?, forecast_handover = ?,"
       " schedule_variance_days = ? WHERE id = ?");
  trin_stmt_bind_text(st, 1, m->baseline);
  const char *fc = m->actual && *m->actual     ? m->actual
                   : m->forecast && *m->forecast ? m->forecast
                                                 : m->baseline;
  trin_stmt_bind_text(st, 2, fc);
  trin_stmt_bind_int64(st, 3, m->variance_days);
  trin_stmt_bind_text(st, 4, project_id);
  return trin_stmt_run_deferred(st, err);
}

/* ---- disputes ------------------------------------------------------------------------- */

int lifecycle_store_dispute_insert(trin_store_t *s, const lifecycle_dispute_msg_t *d,
                                   trin_err_t *err) {
  int rc = trin_store_refuse_taken(s, "SELECT 1 FROM disputes WHERE id = ?", "dispute", d->id,
                        "dispute_id", err);
  if (rc) return rc;
  {
    TRIN_STMT("INSERT INTO disputes(id, project_id, title, amount_ore, level, opened_on,"
         " level_since, raised_by) VALUES (?, ?, ?, ?, 1, ?, ?, ?)");
    trin_stmt_bind_text(st, 1, d->id);
    trin_stmt_bind_text(st, 2, d->project_id);
    trin_stmt_bind_text(st, 3, d->title);
    trin_stmt_bind_int64(st, 4, d->amount_ore);
    trin_stmt_bind_text(st, 5, d->opened_on);
    trin_stmt_bind_text(st, 6, d->opened_on);
    trin_stmt_bind_text_or_null(st, 7, d->raised_by);
    if ((rc = trin_stmt_run_one(s, st, "dispute", d->id, "dispute_id", err))) return rc;
  }
  TRIN_STMT("INSERT INTO dispute_steps(project_id, dispute_id, n, level, date, by_org, note)"
       " VALUES (?, ?, 1, 1, ?, ?, 'opened')");
  trin_stmt_bind_text(st, 1, d->project_id);
  trin_stmt_bind_text(st, 2, d->id);
  trin_stmt_bind_text(st, 3, d->opened_on);
  trin_stmt_bind_text_or_null(st, 4, d->raised_by);
  return trin_stmt_run(st, err);
}

int lifecycle_store_dispute_get(trin_store_t *s, const char *id, const char *field,
                                trin_arena_t *a, lifecycle_dispute_msg_t *out, trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("SELECT " DISPUTE_COLS " FROM disputes WHERE id = ?");
    trin_stmt_bind_text(st, 1, id);
    rc = trin_stmt_step(st, err);
    if (rc == TRIN_STORE_ROW) dispute_from_row(a, st, out);
    trin_stmt_reset(st);
  }
  if (rc == TRIN_OK)
    return trin_access_not_found(err, field, "dispute", id);
  if (rc != TRIN_STORE_ROW) return rc;
  return load_steps(s, a, out, err);
}

int lifecycle_store_dispute_escalate(trin_store_t *s, const char *id, int level,
                                     const char *date, const char *by_org,
                                     const char *note, trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("UPDATE disputes SET level = ?, level_since = ? WHERE id = ?");
    trin_stmt_bind_int64(st, 1, level);
    trin_stmt_bind_text(st, 2, date);
    trin_stmt_bind_text(st, 3, id);
    if ((rc = trin_stmt_run_one(s, st, "dispute", id, "dispute_id", err))) return rc;
  }
  /* The step takes its project from the dispute's row. */
  TRIN_STMT("INSERT INTO dispute_steps(project_id, dispute_id, n, level, date, by_org, note)"
       " SELECT d.project_id, d.id, (SELECT COALESCE(MAX(n), 0) + 1 FROM dispute_steps t"
       " WHERE t.project_id = d.project_id AND t.dispute_id = ?1), ?2, ?3, ?4, ?5"
       " FROM disputes d WHERE d.id = ?1");
  trin_stmt_bind_text(st, 1, id);
  trin_stmt_bind_int64(st, 2, level);
  trin_stmt_bind_text(st, 3, date);
  trin_stmt_bind_text_or_null(st, 4, by_org);
  trin_stmt_bind_text_or_null(st, 5, note);
  return trin_stmt_run(st, err);
}

int lifecycle_store_dispute_resolve(trin_store_t *s, const char *id, const char *date,
                                    const char *resolution, int64_t settled_ore,
                                    trin_err_t *err) {
  TRIN_STMT("UPDATE disputes SET resolved_on = ?, resolution = ?, settled_ore = ?"
       " WHERE id = ?");
  trin_stmt_bind_text(st, 1, date);
  trin_stmt_bind_text(st, 2, resolution);
  trin_stmt_bind_int64(st, 3, settled_ore);
  trin_stmt_bind_text(st, 4, id);
  return trin_stmt_run_one(s, st, "dispute", id, "dispute_id", err);
}

/* ---- defects ----------------------------------------------------------------------------- */

int lifecycle_store_defect_insert(trin_store_t *s, const char *project_id,
                                  const lifecycle_defect_msg_t *d, trin_err_t *err) {
  int rc = trin_store_refuse_taken(s, "SELECT 1 FROM defects WHERE id = ?", "defect", d->id,
                        "defect.id", err);
  if (rc) return rc;
  TRIN_STMT("INSERT INTO defects(id, project_id, description, severity, found_at,"
       " reported_on, due_on, cost_bearer) VALUES (?, ?, ?, ?, ?, ?, ?, ?)");
  trin_stmt_bind_text(st, 1, d->id);
  trin_stmt_bind_text(st, 2, project_id);
  trin_stmt_bind_text(st, 3, d->description);
  trin_stmt_bind_text(st, 4, d->severity);
  trin_stmt_bind_text(st, 5, d->found_at);
  trin_stmt_bind_text(st, 6, d->reported_on);
  trin_stmt_bind_text_or_null(st, 7, d->due_on);
  trin_stmt_bind_text_or_null(st, 8, d->cost_bearer);
  return trin_stmt_run_one(s, st, "defect", d->id, "defect.id", err);
}

int lifecycle_store_defect_get(trin_store_t *s, const char *id, const char *field,
                               trin_arena_t *a, lifecycle_defect_msg_t *out, trin_err_t *err) {
  TRIN_STMT("SELECT " DEFECT_COLS " FROM defects WHERE id = ?");
  trin_stmt_bind_text(st, 1, id);
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) defect_from_row(a, st, out);
  trin_stmt_reset(st);
  if (rc == TRIN_OK)
    return trin_access_not_found(err, field, "defect", id);
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

int lifecycle_store_defect_fix(trin_store_t *s, const char *id, const char *date,
                               trin_err_t *err) {
  TRIN_STMT("UPDATE defects SET fixed_on = ? WHERE id = ?");
  trin_stmt_bind_text(st, 1, date);
  trin_stmt_bind_text(st, 2, id);
  return trin_stmt_run_one(s, st, "defect", id, "defect_id", err);
}

/* ---- AB18 inspections ------------------------------------------------------------------ */

int lifecycle_store_inspection_hold(trin_store_t *s, const char *project_id,
                                    const char *inspection, const char *date, const char *note,
                                    trin_err_t *err) {
  TRIN_STMT("INSERT INTO ab18_inspections(project_id, inspection, held_on, note)"
       " VALUES (?, ?, ?, ?)");
  trin_stmt_bind_text(st, 1, project_id);
  trin_stmt_bind_text(st, 2, inspection);
  trin_stmt_bind_text(st, 3, date);
  trin_stmt_bind_text_or_null(st, 4, note);
  return trin_stmt_run(st, err);
}

/* ---- lists across projects ------------------------------------------------------------ */

#define REF_COLS "p.id, p.name, COALESCE(p.partnership_id, ''), p.client_org, p.stage"

/* The list statements select the item's columns first (so dispute_from_row
 * and defect_from_row read them as they do elsewhere) and the project's
 * REF_COLS after them, from column `first`. */
static Trin__Lifecycle__ProjectRef *ref_after(trin_arena_t *a, trin_stmt_t *st, int first) {
  Trin__Lifecycle__ProjectRef *r = trin_arena_alloc(a, sizeof *r);
  if (!r) return NULL;
  trin__lifecycle__project_ref__init(r);
  r->id = trin_stmt_text_dup(st, first, a);
  r->name = trin_stmt_text_dup(st, first + 1, a);
  r->partnership_id = trin_stmt_text_dup(st, first + 2, a);
  r->client_org = trin_stmt_text_dup(st, first + 3, a);
  r->stage = trin_stmt_text_dup(st, first + 4, a);
  return r;
}

static const char *any(const char *s) { return s ? s : ""; }

int lifecycle_store_dispute_list(trin_store_t *s, const lifecycle_dispute_filter_t *f,
                                 trin_arena_t *a, lifecycle_dispute_row_msg_t ***out,
                                 size_t *n, trin_err_t *err) {
  /* "? = ''" short-circuits an unset filter, as in the project list. */
  TRIN_STMT("SELECT d.id, d.project_id, d.title, d.amount_ore, d.level, d.opened_on,"
       " d.raised_by, d.resolved_on, d.resolution, d.settled_ore, d.level_since, " REF_COLS
       " FROM disputes d JOIN projects p ON p.id = d.project_id"
       " WHERE (?1 = '' OR p.partnership_id = ?1)"
       " AND (?2 = '' OR p.client_org = ?2)"
       " AND (?3 = '' OR d.project_id = ?3)"
       " AND (?4 = '' OR p.client_org = ?4 OR d.raised_by = ?4 OR EXISTS (SELECT 1"
       "   FROM dispute_steps t WHERE t.project_id = d.project_id AND t.dispute_id = d.id"
       "   AND t.by_org = ?4))"
       " AND (?5 = 0 OR d.resolved_on IS NULL)"
       " AND d.level >= ?6"
       " ORDER BY CASE WHEN d.resolved_on IS NULL THEN 0 ELSE 1 END, d.level DESC,"
       " d.opened_on, d.id");
  trin_stmt_bind_text(st, 1, any(f->partnership_id));
  trin_stmt_bind_text(st, 2, any(f->client_org));
  trin_stmt_bind_text(st, 3, any(f->project_id));
  trin_stmt_bind_text(st, 4, any(f->org));
  trin_stmt_bind_int64(st, 5, f->open_only);
  trin_stmt_bind_int64(st, 6, f->min_level);
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    lifecycle_dispute_row_msg_t *r = trin_arena_alloc(a, sizeof *r);
    lifecycle_dispute_msg_t *d = trin_arena_alloc(a, sizeof *d);
    if (!r || !d || (rc = trin_arena_vec_push(a, &v, r, err))) break;
    trin__lifecycle__dispute_row__init(r);
    dispute_from_row(a, st, d);
    r->dispute = d;
    if (!(r->project = ref_after(a, st, 11))) break;
  }
  trin_stmt_reset(st);
  if (rc == TRIN_STORE_ROW) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  *out = (lifecycle_dispute_row_msg_t **)v.items;
  *n = v.n;
  return rc;
}

int lifecycle_store_defect_list(trin_store_t *s, const lifecycle_defect_filter_t *f,
                                trin_arena_t *a, lifecycle_defect_row_msg_t ***out,
                                size_t *n, trin_err_t *err) {
  /* DEFECT_COLS, qualified: both tables have id and project_id. */
  TRIN_STMT("SELECT d.id, d.project_id, d.description, d.severity, d.found_at,"
       " d.reported_on, d.due_on, d.fixed_on, d.cost_bearer, d.fix_reported_on,"
       " d.fix_reported_by, d.fix_rejected_on, d.fix_rejection_note, "
       HANDOVER_OF("d.project_id") ", " REF_COLS
       " FROM defects d JOIN projects p ON p.id = d.project_id"
       " WHERE (?1 = '' OR p.partnership_id = ?1)"
       " AND (?2 = '' OR p.client_org = ?2)"
       " AND (?3 = '' OR d.project_id = ?3)"
       " AND (?4 = '' OR p.client_org = ?4 OR d.cost_bearer = ?4)"
       " AND (?5 = '' OR d.severity = ?5)"
       " AND (?6 = 0 OR d.fixed_on IS NULL)"
       " ORDER BY CASE WHEN d.fixed_on IS NULL THEN 0 ELSE 1 END,"
       " CASE WHEN d.due_on IS NULL THEN 1 ELSE 0 END, d.due_on, d.reported_on, d.id");
  trin_stmt_bind_text(st, 1, any(f->partnership_id));
  trin_stmt_bind_text(st, 2, any(f->client_org));
  trin_stmt_bind_text(st, 3, any(f->project_id));
  trin_stmt_bind_text(st, 4, any(f->org));
  trin_stmt_bind_text(st, 5, any(f->severity));
  trin_stmt_bind_int64(st, 6, f->open_only);
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    lifecycle_defect_row_msg_t *r = trin_arena_alloc(a, sizeof *r);
    lifecycle_defect_msg_t *d = trin_arena_alloc(a, sizeof *d);
    if (!r || !d || (rc = trin_arena_vec_push(a, &v, r, err))) break;
    trin__lifecycle__defect_row__init(r);
    defect_from_row(a, st, d);
    r->defect = d;
    if (!(r->project = ref_after(a, st, 14))) break;
  }
  trin_stmt_reset(st);
  if (rc == TRIN_STORE_ROW) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  *out = (lifecycle_defect_row_msg_t **)v.items;
  *n = v.n;
  return rc;
}

int lifecycle_store_defect_report_fix(trin_store_t *s, const char *id, const char *date,
                                      const char *by_org, trin_err_t *err) {
  TRIN_STMT("UPDATE defects SET fix_reported_on = ?, fix_reported_by = ? WHERE id = ?");
  trin_stmt_bind_text(st, 1, date);
  trin_stmt_bind_text(st, 2, by_org ? by_org : "");
  trin_stmt_bind_text(st, 3, id);
  return trin_stmt_run_one(s, st, "defect", id, "defect_id", err);
}

int lifecycle_store_defect_reject_fix(trin_store_t *s, const char *id, const char *date,
                                      const char *note, trin_err_t *err) {
  TRIN_STMT("UPDATE defects SET fix_reported_on = NULL, fix_reported_by = NULL,"
       " fix_rejected_on = ?, fix_rejection_note = ? WHERE id = ?");
  trin_stmt_bind_text(st, 1, date);
  trin_stmt_bind_text(st, 2, note);
  trin_stmt_bind_text(st, 3, id);
  return trin_stmt_run_one(s, st, "defect", id, "defect_id", err);
}

int lifecycle_store_refresh_counters(trin_store_t *s, const char *project_id,
                                     trin_err_t *err) {
  TRIN_STMT("UPDATE projects SET"
       " open_disputes = (SELECT COUNT(*) FROM disputes"
       "   WHERE project_id = ?1 AND resolved_on IS NULL),"
       " max_dispute_level = (SELECT COALESCE(MAX(level), 0) FROM disputes"
       "   WHERE project_id = ?1 AND resolved_on IS NULL),"
       " open_defects = (SELECT COUNT(*) FROM defects"
       "   WHERE project_id = ?1 AND fixed_on IS NULL)"
       " WHERE id = ?1");
  trin_stmt_bind_text(st, 1, project_id);
  return trin_stmt_run_one(s, st, "project", project_id, "project_id", err);
}

/* ---- corrections ------------------------------------------------------------------------ */

int lifecycle_store_org_rename(trin_store_t *s, const char *id, const char *name,
                               trin_err_t *err) {
  TRIN_STMT("UPDATE organisations SET name = ? WHERE id = ?");
  trin_stmt_bind_text(st, 1, name);
  trin_stmt_bind_text(st, 2, id);
  return trin_stmt_run_one(s, st, "organisation", id, "organisation_id", err);
}

int lifecycle_store_partnership_update(trin_store_t *s, const lifecycle_partnership_msg_t *p,
                                       trin_err_t *err) {
  TRIN_STMT("UPDATE partnerships SET name = ?, economic_frame_ore = ?,"
       " trivial_threshold_ore = ?, horizon_years = ?, framework_start = ?,"
       " framework_years = ?, price_closing_point = ?, abt_starts_at = ? WHERE id = ?");
  trin_stmt_bind_text(st, 1, p->name);
  trin_stmt_bind_int64(st, 2, p->economic_frame_ore);
  trin_stmt_bind_int64(st, 3, p->trivial_threshold_ore);
  trin_stmt_bind_int64(st, 4, p->horizon_years);
  trin_stmt_bind_text(st, 5, p->framework_start);
  trin_stmt_bind_int64(st, 6, p->framework_years);
  trin_stmt_bind_text(st, 7, p->price_closing_point);
  trin_stmt_bind_text(st, 8, p->abt_starts_at);
  trin_stmt_bind_text(st, 9, p->id);
  return trin_stmt_run_one(s, st, "partnership", p->id, "partnership_id", err);
}

int lifecycle_store_partnership_projects(trin_store_t *s, const char *id,
                                         lifecycle_partnership_projects_t *out,
                                         trin_err_t *err) {
  TRIN_STMT("SELECT COUNT(*), MIN(start_date), MAX(start_date),"
       " COALESCE(SUM(CASE WHEN price_closed_on IS NULL THEN 0 ELSE 1 END), 0),"
       " COALESCE(SUM(CASE WHEN stage = 'pre_study' THEN 0 ELSE 1 END), 0)"
       " FROM projects WHERE partnership_id = ?");
  trin_stmt_bind_text(st, 1, id);
  memset(out, 0, sizeof *out);
  out->first_start = out->last_start = TRIN_DATE_NONE;
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) {
    out->projects = (int)trin_stmt_int64(st, 0);
    out->price_closed = (int)trin_stmt_int64(st, 3);
    out->past_pre_study = (int)trin_stmt_int64(st, 4);
    char first[TRIN_DATE_BUF + 1], last[TRIN_DATE_BUF + 1];
    trin_stmt_text_copy(st, 1, first, sizeof first);
    trin_stmt_text_copy(st, 2, last, sizeof last);
    rc = TRIN_OK;
    if (out->projects > 0 &&
        (trin_date_parse(first, &out->first_start, "start_date", err) ||
         trin_date_parse(last, &out->last_start, "start_date", err)))
      rc = TRIN_EINTERNAL;
  }
  trin_stmt_reset(st);
  return rc;
}

int lifecycle_store_project_update(trin_store_t *s, const lifecycle_project_msg_t *p,
                                   trin_err_t *err) {
  TRIN_STMT("UPDATE projects SET name = ?, department = ?, municipality = ?, dwellings = ?,"
       " gross_area_m2 = ?, kind = ? WHERE id = ?");
  trin_stmt_bind_text(st, 1, p->name);
  trin_stmt_bind_text_or_null(st, 2, p->department);
  trin_stmt_bind_text_or_null(st, 3, p->municipality);
  trin_stmt_bind_int64(st, 4, p->dwellings);
  trin_stmt_bind_int64(st, 5, p->gross_area_m2);
  trin_stmt_bind_text(st, 6, p->kind);
  trin_stmt_bind_text(st, 7, p->id);
  return trin_stmt_run_one(s, st, "project", p->id, "project_id", err);
}

int lifecycle_store_stage_since(trin_store_t *s, const char *project_id, const char *stage,
                                trin_arena_t *a, char **since, trin_err_t *err) {
  TRIN_STMT("SELECT since FROM stage_history WHERE project_id = ? AND stage = ?"
       " ORDER BY n DESC LIMIT 1");
  trin_stmt_bind_text(st, 1, project_id);
  trin_stmt_bind_text(st, 2, stage);
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) *since = trin_stmt_text_dup(st, 0, a);
  trin_stmt_reset(st);
  if (rc == TRIN_OK)
    return trin_err_set(err, TRIN_EINTERNAL, "stage",
                        "project '%s' has no entry for %s in its stage history", project_id,
                        stage);
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

int lifecycle_store_defect_count(trin_store_t *s, const char *project_id, int *n,
                                 trin_err_t *err) {
  TRIN_STMT("SELECT COUNT(*) FROM defects WHERE project_id = ?");
  trin_stmt_bind_text(st, 1, project_id);
  int rc = trin_stmt_step(st, err);
  *n = rc == TRIN_STORE_ROW ? (int)trin_stmt_int64(st, 0) : 0;
  trin_stmt_reset(st);
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}
