/* survey_store — see survey_store.h. Dates are ISO 8601 text, roles and
 * statements small integers (the statement's position in its survey),
 * respondents 16-byte keyed hashes. */
#include "survey_store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin_access.h"

static const trin_migration_t MIGRATIONS[] = {
    {1,
     "CREATE TABLE projects ("
     " id TEXT PRIMARY KEY, partnership_id TEXT NOT NULL DEFAULT '',"
     " client_org TEXT NOT NULL DEFAULT '');"
     "CREATE TABLE surveys ("
     " no INTEGER PRIMARY KEY, id TEXT NOT NULL UNIQUE,"
     " project_id TEXT NOT NULL REFERENCES projects(id), title TEXT NOT NULL,"
     " scale_min INTEGER NOT NULL, scale_max INTEGER NOT NULL,"
     " min_respondents INTEGER NOT NULL,"
     " drop_from_previous INTEGER NOT NULL, drop_from_baseline INTEGER NOT NULL,"
     " floor INTEGER NOT NULL, baseline_rounds TEXT NOT NULL DEFAULT '',"
     " imports INTEGER NOT NULL DEFAULT 0);"
     "CREATE INDEX surveys_project ON surveys(project_id);"
     "CREATE TABLE statements ("
     " survey_no INTEGER NOT NULL REFERENCES surveys(no), n INTEGER NOT NULL,"
     " key TEXT NOT NULL, text TEXT NOT NULL, common INTEGER NOT NULL,"
     " PRIMARY KEY (survey_no, n), UNIQUE (survey_no, key));"
     "CREATE INDEX statements_common ON statements(key) WHERE common = 1;"
     "CREATE TABLE rounds ("
     " survey_no INTEGER NOT NULL REFERENCES surveys(no), number INTEGER NOT NULL,"
     " opens TEXT NOT NULL, closes TEXT NOT NULL,"
     " respondents INTEGER NOT NULL DEFAULT 0,"
     " PRIMARY KEY (survey_no, number));"
     /* The keyed hash is the only trace of a respondent. */
     "CREATE TABLE responses ("
     " survey_no INTEGER NOT NULL, round INTEGER NOT NULL, respondent BLOB NOT NULL,"
     " role INTEGER NOT NULL, scores BLOB NOT NULL, comment TEXT,"
     " import_no INTEGER NOT NULL,"
     " PRIMARY KEY (survey_no, round, respondent)) WITHOUT ROWID;"
     "CREATE TABLE aggregates ("
     " survey_no INTEGER NOT NULL, round INTEGER NOT NULL, role INTEGER NOT NULL,"
     " stmt INTEGER NOT NULL, count INTEGER NOT NULL, sum INTEGER NOT NULL,"
     " dist BLOB NOT NULL,"
     " PRIMARY KEY (survey_no, round, role, stmt)) WITHOUT ROWID;"
     "CREATE TABLE alerts ("
     " survey_no INTEGER NOT NULL, round INTEGER NOT NULL, grp INTEGER NOT NULL,"
     " stmt INTEGER NOT NULL, kind INTEGER NOT NULL, mean_x100 INTEGER NOT NULL,"
     " reference_x100 INTEGER NOT NULL, threshold_x100 INTEGER NOT NULL,"
     " PRIMARY KEY (survey_no, round, grp, stmt, kind)) WITHOUT ROWID;"},
    /* Every key leads with the project, so a distributed PostgreSQL can
     * split these tables on project_id and keep a survey's statements,
     * rounds, responses, aggregates and alerts on the survey's node
     * (docs/postgresql.md, "Distributing the schema"): each table is rebuilt
     * (new table, copy, drop, rename) and the children carry the survey's
     * project. A survey's number and id stay unique across projects: the
     * store numbers surveys itself and checks the id before it inserts. */
    {2,
     "CREATE TABLE surveys_v2 ("
     " no INTEGER NOT NULL, id TEXT NOT NULL,"
     " project_id TEXT NOT NULL REFERENCES projects(id), title TEXT NOT NULL,"
     " scale_min INTEGER NOT NULL, scale_max INTEGER NOT NULL,"
     " min_respondents INTEGER NOT NULL,"
     " drop_from_previous INTEGER NOT NULL, drop_from_baseline INTEGER NOT NULL,"
     " floor INTEGER NOT NULL, baseline_rounds TEXT NOT NULL DEFAULT '',"
     " imports INTEGER NOT NULL DEFAULT 0,"
     " PRIMARY KEY (project_id, no), UNIQUE (project_id, id));"
     "INSERT INTO surveys_v2 (no, id, project_id, title, scale_min, scale_max,"
     " min_respondents, drop_from_previous, drop_from_baseline, floor, baseline_rounds,"
     " imports)"
     " SELECT no, id, project_id, title, scale_min, scale_max, min_respondents,"
     " drop_from_previous, drop_from_baseline, floor, baseline_rounds, imports"
     " FROM surveys ORDER BY no;"
     "CREATE TABLE statements_v2 ("
     " project_id TEXT NOT NULL, survey_no INTEGER NOT NULL, n INTEGER NOT NULL,"
     " key TEXT NOT NULL, text TEXT NOT NULL, common INTEGER NOT NULL,"
     " PRIMARY KEY (project_id, survey_no, n), UNIQUE (project_id, survey_no, key),"
     " FOREIGN KEY (project_id, survey_no) REFERENCES surveys_v2(project_id, no));"
     "INSERT INTO statements_v2 (project_id, survey_no, n, key, text, common)"
     " SELECT s.project_id, t.survey_no, t.n, t.key, t.text, t.common"
     " FROM statements t JOIN surveys s ON s.no = t.survey_no;"
     "CREATE TABLE rounds_v2 ("
     " project_id TEXT NOT NULL, survey_no INTEGER NOT NULL, number INTEGER NOT NULL,"
     " opens TEXT NOT NULL, closes TEXT NOT NULL,"
     " respondents INTEGER NOT NULL DEFAULT 0,"
     " PRIMARY KEY (project_id, survey_no, number),"
     " FOREIGN KEY (project_id, survey_no) REFERENCES surveys_v2(project_id, no));"
     "INSERT INTO rounds_v2 (project_id, survey_no, number, opens, closes, respondents)"
     " SELECT s.project_id, r.survey_no, r.number, r.opens, r.closes, r.respondents"
     " FROM rounds r JOIN surveys s ON s.no = r.survey_no;"
     "CREATE TABLE responses_v2 ("
     " project_id TEXT NOT NULL, survey_no INTEGER NOT NULL, round INTEGER NOT NULL,"
     " respondent BLOB NOT NULL, role INTEGER NOT NULL, scores BLOB NOT NULL,"
     " comment TEXT, import_no INTEGER NOT NULL,"
     " PRIMARY KEY (project_id, survey_no, round, respondent)) WITHOUT ROWID;"
     "INSERT INTO responses_v2 (project_id, survey_no, round, respondent, role, scores,"
     " comment, import_no)"
     " SELECT s.project_id, r.survey_no, r.round, r.respondent, r.role, r.scores,"
     " r.comment, r.import_no FROM responses r JOIN surveys s ON s.no = r.survey_no;"
     "CREATE TABLE aggregates_v2 ("
     " project_id TEXT NOT NULL, survey_no INTEGER NOT NULL, round INTEGER NOT NULL,"
     " role INTEGER NOT NULL, stmt INTEGER NOT NULL, count INTEGER NOT NULL,"
     " sum INTEGER NOT NULL, dist BLOB NOT NULL,"
     " PRIMARY KEY (project_id, survey_no, round, role, stmt)) WITHOUT ROWID;"
     "INSERT INTO aggregates_v2 (project_id, survey_no, round, role, stmt, count, sum, dist)"
     " SELECT s.project_id, a.survey_no, a.round, a.role, a.stmt, a.count, a.sum, a.dist"
     " FROM aggregates a JOIN surveys s ON s.no = a.survey_no;"
     "CREATE TABLE alerts_v2 ("
     " project_id TEXT NOT NULL, survey_no INTEGER NOT NULL, round INTEGER NOT NULL,"
     " grp INTEGER NOT NULL, stmt INTEGER NOT NULL, kind INTEGER NOT NULL,"
     " mean_x100 INTEGER NOT NULL, reference_x100 INTEGER NOT NULL,"
     " threshold_x100 INTEGER NOT NULL,"
     " PRIMARY KEY (project_id, survey_no, round, grp, stmt, kind)) WITHOUT ROWID;"
     "INSERT INTO alerts_v2 (project_id, survey_no, round, grp, stmt, kind, mean_x100,"
     " reference_x100, threshold_x100)"
     " SELECT s.project_id, a.survey_no, a.round, a.grp, a.stmt, a.kind, a.mean_x100,"
     " a.reference_x100, a.threshold_x100 FROM alerts a JOIN surveys s ON s.no = a.survey_no;"
     /* Children before parents: the old statements and rounds refer to the
      * old surveys. */
     "DROP TABLE statements;"
     "DROP TABLE rounds;"
     "DROP TABLE responses;"
     "DROP TABLE aggregates;"
     "DROP TABLE alerts;"
     "DROP TABLE surveys;"
     "ALTER TABLE surveys_v2 RENAME TO surveys;"
     "ALTER TABLE statements_v2 RENAME TO statements;"
     "ALTER TABLE rounds_v2 RENAME TO rounds;"
     "ALTER TABLE responses_v2 RENAME TO responses;"
     "ALTER TABLE aggregates_v2 RENAME TO aggregates;"
     "ALTER TABLE alerts_v2 RENAME TO alerts;"
     /* Requests name a survey by its id alone; the service's own calls use
      * its number. */
     "CREATE INDEX surveys_id ON surveys(id);"
     "CREATE INDEX surveys_no ON surveys(no);"
     "CREATE INDEX statements_common ON statements(key) WHERE common = 1;"},
    /* Issue 19: an alert's life (raised, acknowledged, cleared) outlives
     * its standing row in alerts. cleared_round -1 = standing, 0 = its own
     * round's figures changed, else the later round that recovered. The
     * alerts standing at the upgrade start their log with no date. */
    {3,
     "CREATE TABLE alert_log ("
     " project_id TEXT NOT NULL, survey_no INTEGER NOT NULL, round INTEGER NOT NULL,"
     " grp INTEGER NOT NULL, stmt INTEGER NOT NULL, kind INTEGER NOT NULL,"
     " mean_x100 INTEGER NOT NULL, reference_x100 INTEGER NOT NULL,"
     " threshold_x100 INTEGER NOT NULL, raised_at TEXT NOT NULL,"
     " cleared_round INTEGER NOT NULL DEFAULT -1, cleared_at TEXT NOT NULL DEFAULT '',"
     " ack_by TEXT NOT NULL DEFAULT '', ack_at TEXT NOT NULL DEFAULT '',"
     " ack_note TEXT NOT NULL DEFAULT '',"
     " PRIMARY KEY (project_id, survey_no, round, grp, stmt, kind)) WITHOUT ROWID;"
     "INSERT INTO alert_log (project_id, survey_no, round, grp, stmt, kind, mean_x100,"
     " reference_x100, threshold_x100, raised_at)"
     " SELECT project_id, survey_no, round, grp, stmt, kind, mean_x100, reference_x100,"
     " threshold_x100, '' FROM alerts;"},
};
#define NMIGRATIONS ((int)(sizeof MIGRATIONS / sizeof *MIGRATIONS))

/* Issue 20, item 7: a survey's import mapping (trin.survey.ImportMapping,
 * packed as sent), a scope of its own so it numbers apart from the schema's
 * main line. Keyed like the survey's other children (migration 2). */
static const trin_migration_t MAPPING_MIGRATIONS[] = {
    {1,
     "CREATE TABLE import_mappings ("
     " project_id TEXT NOT NULL, survey_no INTEGER NOT NULL, mapping BLOB NOT NULL,"
     " set_by TEXT NOT NULL, set_at TEXT NOT NULL,"
     " PRIMARY KEY (project_id, survey_no))"},
};

int survey_store_migrate(trin_store_t *s, trin_err_t *err) {
  int rc = trin_store_migrate(s, "survey", MIGRATIONS, NMIGRATIONS, err);
  if (!rc) rc = trin_store_migrate(s, "survey_mapping", MAPPING_MIGRATIONS, 1, err);
  /* A large import touches many index pages; give this connection a page
   * cache that holds them (SQLite's default is 2 MiB). */
  if (!rc) rc = trin_store_exec(s, "PRAGMA cache_size = -262144", err);
  /* Partnership membership, learnt from lifecycle's events. */
  if (!rc) rc = trin_access_migrate_follower(s, err);
  return rc;
}

int survey_store_migrate_to(trin_store_t *s, int version, trin_err_t *err) {
  return trin_store_migrate_to(s, "survey", MIGRATIONS, NMIGRATIONS, version, err);
}

/* ---- helpers ------------------------------------------------------------------- */

static int oom(trin_err_t *err) {
  return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
}

/* A survey's rows in its child tables, found by the survey's number
 * (parameter ?N): the keys lead with the project (see migration 2), which
 * the survey's row gives, so every look-up uses the key. */
#define OF_SURVEY(N) \
  "project_id = (SELECT project_id FROM surveys WHERE no = ?" N ") AND survey_no = ?" N

/* ---- projects --------------------------------------------------------------------- */

int survey_store_project_upsert(trin_store_t *s, const char *id, const char *partnership_id,
                                const char *client_org, trin_err_t *err) {
  TRIN_STMT("INSERT INTO projects(id, partnership_id, client_org) VALUES (?, ?, ?)"
       " ON CONFLICT(id) DO UPDATE SET partnership_id = excluded.partnership_id,"
       " client_org = excluded.client_org");
  trin_stmt_bind_text(st, 1, id);
  trin_stmt_bind_text(st, 2, partnership_id ? partnership_id : "");
  trin_stmt_bind_text(st, 3, client_org ? client_org : "");
  return trin_stmt_run(st, err);
}

int survey_store_project_get(trin_store_t *s, const char *id, const char *field,
                             survey_project_t *out, trin_err_t *err) {
  TRIN_STMT("SELECT id, partnership_id, client_org FROM projects WHERE id = ?");
  trin_stmt_bind_text(st, 1, id);
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) {
    snprintf(out->id, sizeof out->id, "%s", trin_stmt_text(st, 0));
    snprintf(out->partnership_id, sizeof out->partnership_id, "%s", trin_stmt_text(st, 1));
    snprintf(out->client_org, sizeof out->client_org, "%s", trin_stmt_text(st, 2));
  }
  trin_stmt_reset(st);
  if (rc == TRIN_OK)
    return trin_access_not_found(err, field, "project", id);
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

/* ---- surveys ------------------------------------------------------------------------ */

static void baseline_text(const int32_t *r, size_t n, char *buf, size_t size) {
  size_t k = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < n && k + 12 < size; i++)
    k += (size_t)snprintf(buf + k, size - k, "%s%d", i ? "," : "", r[i]);
}

int survey_store_survey_insert(trin_store_t *s, const survey_survey_msg_t *sv, trin_err_t *err) {
  const Trin__Survey__Thresholds *t = sv->thresholds;
  char base[512];
  baseline_text(sv->baseline_rounds, sv->n_baseline_rounds, base, sizeof base);
  int64_t no;
  {
    /* The id requests name must stay unique across projects; the key holds
     * the project too (migration 2). */
    TRIN_STMT("SELECT 1 FROM surveys WHERE id = ?");
    trin_stmt_bind_text(st, 1, sv->id);
    int rc = trin_stmt_step(st, err);
    trin_stmt_reset(st);
    if (rc == TRIN_STORE_ROW)
      return trin_err_set(err, TRIN_ECONFLICT, "survey.id", "survey '%s' already exists",
                          sv->id);
    if (rc) return rc;
  }
  {
    /* Numbers are unique across projects, as when `no` was the key. */
    TRIN_STMT("INSERT INTO surveys(no, id, project_id, title, scale_min, scale_max,"
         " min_respondents, drop_from_previous, drop_from_baseline, floor,"
         " baseline_rounds) VALUES ((SELECT COALESCE(MAX(no), 0) + 1 FROM surveys),"
         " ?, ?, ?, ?, ?, ?, ?, ?, ?, ?) RETURNING no");
    trin_stmt_bind_text(st, 1, sv->id);
    trin_stmt_bind_text(st, 2, sv->project_id);
    trin_stmt_bind_text(st, 3, sv->title);
    trin_stmt_bind_int64(st, 4, sv->scale_min);
    trin_stmt_bind_int64(st, 5, sv->scale_max);
    trin_stmt_bind_int64(st, 6, sv->min_respondents);
    trin_stmt_bind_int64(st, 7, t ? t->drop_from_previous_x100 : 0);
    trin_stmt_bind_int64(st, 8, t ? t->drop_from_baseline_x100 : 0);
    trin_stmt_bind_int64(st, 9, t ? t->floor_x100 : 0);
    trin_stmt_bind_text(st, 10, base);
    int rc = trin_stmt_step(st, err);
    no = rc == TRIN_STORE_ROW ? trin_stmt_int64(st, 0) : 0;
    trin_stmt_reset(st);
    if (rc == TRIN_ECONFLICT)
      return trin_err_set(err, TRIN_ECONFLICT, "survey.id", "survey '%s' already exists",
                          sv->id);
    if (rc != TRIN_STORE_ROW) return rc ? rc : trin_err_set(err, TRIN_ESTORE, "", "no row");
  }
  for (size_t i = 0; i < sv->n_statements; i++) {
    TRIN_STMT("INSERT INTO statements(project_id, survey_no, n, key, text, common)"
         " VALUES (?, ?, ?, ?, ?, ?)");
    trin_stmt_bind_text(st, 1, sv->project_id);
    trin_stmt_bind_int64(st, 2, no);
    trin_stmt_bind_int64(st, 3, (int64_t)i);
    trin_stmt_bind_text(st, 4, sv->statements[i]->key);
    trin_stmt_bind_text(st, 5, sv->statements[i]->text);
    trin_stmt_bind_int64(st, 6, sv->statements[i]->common);
    int rc = trin_stmt_run(st, err);
    if (rc == TRIN_ECONFLICT)
      return trin_err_set(err, TRIN_EINVALID, "survey.statements", "key '%s' appears twice",
                          sv->statements[i]->key);
    if (rc) return rc;
  }
  return TRIN_OK;
}

static int32_t *parse_baseline(trin_arena_t *a, const char *text, size_t *n) {
  size_t cap = 1;
  for (const char *p = text; *p; p++) cap += *p == ',';
  int32_t *r = trin_arena_alloc(a, cap * sizeof *r);
  *n = 0;
  if (!r) return NULL;
  for (const char *p = text; *p;) {
    char *end;
    long v = strtol(p, &end, 10);
    if (end == p) break;
    r[(*n)++] = (int32_t)v;
    p = *end == ',' ? end + 1 : end;
  }
  return r;
}

#define SURVEY_COLS                                                                \
  "s.no, s.id, s.project_id, s.title, s.scale_min, s.scale_max, s.min_respondents," \
  " s.drop_from_previous, s.drop_from_baseline, s.floor, s.baseline_rounds,"        \
  " p.partnership_id, p.client_org"

static int survey_from_row(trin_arena_t *a, trin_stmt_t *st, survey_survey_msg_t *o, int64_t *no,
                           trin_err_t *err) {
  trin__survey__survey__init(o);
  Trin__Survey__Thresholds *t = trin_arena_alloc(a, sizeof *t);
  if (!t) return oom(err);
  trin__survey__thresholds__init(t);
  *no = trin_stmt_int64(st, 0);
  o->id = trin_stmt_text_dup(st, 1, a);
  o->project_id = trin_stmt_text_dup(st, 2, a);
  o->title = trin_stmt_text_dup(st, 3, a);
  o->scale_min = (int32_t)trin_stmt_int64(st, 4);
  o->scale_max = (int32_t)trin_stmt_int64(st, 5);
  o->min_respondents = (int32_t)trin_stmt_int64(st, 6);
  t->drop_from_previous_x100 = (int32_t)trin_stmt_int64(st, 7);
  t->drop_from_baseline_x100 = (int32_t)trin_stmt_int64(st, 8);
  t->floor_x100 = (int32_t)trin_stmt_int64(st, 9);
  o->thresholds = t;
  o->baseline_rounds = parse_baseline(a, trin_stmt_text(st, 10), &o->n_baseline_rounds);
  o->partnership_id = trin_stmt_text_dup(st, 11, a);
  o->client_org = trin_stmt_text_dup(st, 12, a);
  return a->failed ? oom(err) : TRIN_OK;
}

static int load_lists(trin_store_t *s, trin_arena_t *a, int64_t no, survey_survey_msg_t *o,
                      trin_err_t *err) {
  trin_arena_vec_t v = {0};
  int rc;
  {
    TRIN_STMT("SELECT key, text, common FROM statements WHERE " OF_SURVEY("1") " ORDER BY n");
    trin_stmt_bind_int64(st, 1, no);
    while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
      survey_statement_msg_t *m = trin_arena_alloc(a, sizeof *m);
      if ((rc = trin_arena_vec_push(a, &v, m, err))) break;
      trin__survey__statement__init(m);
      m->key = trin_stmt_text_dup(st, 0, a);
      m->text = trin_stmt_text_dup(st, 1, a);
      m->common = trin_stmt_int64(st, 2) != 0;
    }
    trin_stmt_reset(st);
    if (rc) return rc;
    o->statements = (survey_statement_msg_t **)v.items;
    o->n_statements = v.n;
  }
  trin_arena_vec_t r = {0};
  {
    TRIN_STMT("SELECT number, opens, closes, respondents FROM rounds WHERE " OF_SURVEY("1")
         " ORDER BY number");
    trin_stmt_bind_int64(st, 1, no);
    while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
      survey_round_msg_t *m = trin_arena_alloc(a, sizeof *m);
      if ((rc = trin_arena_vec_push(a, &r, m, err))) break;
      trin__survey__round__init(m);
      m->number = (int32_t)trin_stmt_int64(st, 0);
      m->opens = trin_stmt_text_dup(st, 1, a);
      m->closes = trin_stmt_text_dup(st, 2, a);
      m->respondents = (int32_t)trin_stmt_int64(st, 3);
    }
    trin_stmt_reset(st);
    if (rc) return rc;
    o->rounds = (survey_round_msg_t **)r.items;
    o->n_rounds = r.n;
  }
  return a->failed ? oom(err) : TRIN_OK;
}

int survey_store_survey_get(trin_store_t *s, const char *id, const char *field,
                            trin_arena_t *a, survey_survey_msg_t *out, int64_t *no_out,
                            trin_err_t *err) {
  int64_t no = 0;
  int rc;
  {
    TRIN_STMT("SELECT " SURVEY_COLS " FROM surveys s JOIN projects p ON p.id = s.project_id"
         " WHERE s.id = ?");
    trin_stmt_bind_text(st, 1, id);
    rc = trin_stmt_step(st, err);
    if (rc == TRIN_STORE_ROW && survey_from_row(a, st, out, &no, err)) rc = err->code;
    trin_stmt_reset(st);
  }
  if (rc == TRIN_OK)
    return trin_access_not_found(err, field, "survey", id);
  if (rc != TRIN_STORE_ROW) return rc;
  if (no_out) *no_out = no;
  return load_lists(s, a, no, out, err);
}

int survey_store_survey_list(trin_store_t *s, const survey_list_filter_t *f, trin_arena_t *a,
                             survey_survey_msg_t ***out, size_t *n, trin_err_t *err) {
  trin_arena_vec_t v = {0};
  trin_arena_vec_t nos = {0};
  int rc;
  {
    /* "? = ''" short-circuits an unset filter, so the statement is cached once. */
    TRIN_STMT("SELECT " SURVEY_COLS " FROM surveys s JOIN projects p ON p.id = s.project_id"
         " WHERE (?1 = '' OR s.project_id = ?1)"
         " AND (?2 = '' OR p.partnership_id = ?2)"
         " AND (?3 = '' OR p.client_org = ?3) ORDER BY s.id");
    trin_stmt_bind_text(st, 1, f->project_id ? f->project_id : "");
    trin_stmt_bind_text(st, 2, f->partnership_id ? f->partnership_id : "");
    trin_stmt_bind_text(st, 3, f->client_org ? f->client_org : "");
    while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
      survey_survey_msg_t *o = trin_arena_alloc(a, sizeof *o);
      int64_t *no = trin_arena_alloc(a, sizeof *no);
      if (!no) {
        rc = oom(err);
        break;
      }
      if ((rc = trin_arena_vec_push(a, &v, o, err)) || (rc = trin_arena_vec_push(a, &nos, no, err)) ||
          (rc = survey_from_row(a, st, o, no, err)))
        break;
    }
    trin_stmt_reset(st);
  }
  for (size_t i = 0; rc == TRIN_OK && i < v.n; i++)
    rc = load_lists(s, a, *(int64_t *)nos.items[i], v.items[i], err);
  *out = (survey_survey_msg_t **)v.items;
  *n = v.n;
  return rc;
}

int survey_store_round_insert(trin_store_t *s, int64_t no, const survey_round_msg_t *r,
                              trin_err_t *err) {
  /* The round takes its project from the survey's row. */
  TRIN_STMT("INSERT INTO rounds(project_id, survey_no, number, opens, closes)"
       " SELECT project_id, no, ?2, ?3, ?4 FROM surveys WHERE no = ?1");
  trin_stmt_bind_int64(st, 1, no);
  trin_stmt_bind_int64(st, 2, r->number);
  trin_stmt_bind_text(st, 3, r->opens);
  trin_stmt_bind_text(st, 4, r->closes);
  int rc = trin_stmt_run(st, err);
  if (rc == TRIN_ECONFLICT)
    return trin_err_set(err, TRIN_ECONFLICT, "round.number", "round %d already exists",
                        r->number);
  return rc;
}

int survey_store_set_baseline(trin_store_t *s, int64_t no, const int32_t *rounds,
                              size_t n, trin_err_t *err) {
  char base[512];
  baseline_text(rounds, n, base, sizeof base);
  TRIN_STMT("UPDATE surveys SET baseline_rounds = ? WHERE no = ?");
  trin_stmt_bind_text(st, 1, base);
  trin_stmt_bind_int64(st, 2, no);
  return trin_stmt_run(st, err);
}

int survey_store_set_thresholds(trin_store_t *s, int64_t no, const survey_thresholds_t *t,
                                int32_t min_respondents, trin_err_t *err) {
  TRIN_STMT("UPDATE surveys SET drop_from_previous = ?, drop_from_baseline = ?, floor = ?,"
       " min_respondents = ? WHERE no = ?");
  trin_stmt_bind_int64(st, 1, t->drop_from_previous_x100);
  trin_stmt_bind_int64(st, 2, t->drop_from_baseline_x100);
  trin_stmt_bind_int64(st, 3, t->floor_x100);
  trin_stmt_bind_int64(st, 4, min_respondents);
  trin_stmt_bind_int64(st, 5, no);
  return trin_stmt_run(st, err);
}

int survey_store_surveys_with_common(trin_store_t *s, const char *key,
                                     const char *client_org, trin_arena_t *a,
                                     char ***ids, size_t *n, trin_err_t *err) {
  TRIN_STMT("SELECT s.id FROM statements t"
       " JOIN surveys s ON s.project_id = t.project_id AND s.no = t.survey_no"
       " JOIN projects p ON p.id = s.project_id"
       " WHERE t.common = 1 AND t.key = ? AND (? = '' OR p.client_org = ?) ORDER BY s.id");
  trin_stmt_bind_text(st, 1, key);
  trin_stmt_bind_text(st, 2, client_org ? client_org : "");
  trin_stmt_bind_text(st, 3, client_org ? client_org : "");
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW)
    if ((rc = trin_arena_vec_push(a, &v, trin_stmt_text_dup(st, 0, a), err))) break;
  trin_stmt_reset(st);
  *ids = (char **)v.items;
  *n = v.n;
  return rc;
}

/* ---- responses ----------------------------------------------------------------------- */

int survey_store_next_import(trin_store_t *s, int64_t no, int64_t *import_no,
                             trin_err_t *err) {
  TRIN_STMT("UPDATE surveys SET imports = imports + 1 WHERE no = ? RETURNING imports");
  trin_stmt_bind_int64(st, 1, no);
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) *import_no = trin_stmt_int64(st, 0);
  trin_stmt_reset(st);
  if (rc == TRIN_OK) return trin_err_set(err, TRIN_EINTERNAL, "", "survey vanished");
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

/* The statement of survey_store_responses_add: the survey's number (?1),
 * the round (?2) and the import (?3), then respondent, role, scores and
 * comment of each row. Casts inside VALUES give PostgreSQL the parameters'
 * types (a bare VALUES parameter would be text). */
static const char *responses_add_sql(void) {
  static char sql[SURVEY_STORE_BATCH * 96 + 512];
  if (sql[0]) return sql;
  size_t w = (size_t)snprintf(sql, sizeof sql, "%s",
                              "INSERT INTO responses(project_id, survey_no, round, respondent,"
                              " role, scores, comment, import_no) SELECT s.project_id, s.no,"
                              " CAST(?2 AS INTEGER), v.column1, v.column2, v.column3,"
                              " v.column4, CAST(?3 AS INTEGER) FROM surveys s, (VALUES ");
  for (int i = 0; i < SURVEY_STORE_BATCH; i++) {
    int p = 4 + 4 * i;
    w += (size_t)snprintf(sql + w, sizeof sql - w,
                          "%s(CAST(?%d AS BLOB), CAST(?%d AS INTEGER), CAST(?%d AS BLOB),"
                          " CAST(?%d AS TEXT))",
                          i ? ", " : "", p, p + 1, p + 2, p + 3);
  }
  snprintf(sql + w, sizeof sql - w, "%s",
           ") AS v WHERE s.no = ?1 ON CONFLICT DO NOTHING RETURNING respondent");
  return sql;
}

int survey_store_responses_add(trin_store_t *s, int64_t no, int round, int64_t import_no,
                               const survey_new_response_t *rows, size_t nscores, bool *added,
                               trin_err_t *err) {
  TRIN_STMT(responses_add_sql());
  trin_stmt_bind_int64(st, 1, no);
  trin_stmt_bind_int64(st, 2, round);
  trin_stmt_bind_int64(st, 3, import_no);
  for (int i = 0; i < SURVEY_STORE_BATCH; i++) {
    int p = 4 + 4 * i;
    trin_stmt_bind_blob(st, p, rows[i].hash, SURVEY_HASH_BYTES);
    trin_stmt_bind_int64(st, p + 1, rows[i].role);
    trin_stmt_bind_blob(st, p + 2, rows[i].scores, nscores);
    trin_stmt_bind_text_or_null(st, p + 3, rows[i].comment);
    added[i] = false;
  }
  /* The rows come back in the order they went in, as a rule: look from
   * the one after the last found. */
  int rc;
  size_t next = 0;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    size_t len;
    const void *h = trin_stmt_blob(st, 0, &len);
    for (size_t k = 0; k < SURVEY_STORE_BATCH; k++) {
      size_t i = (next + k) % SURVEY_STORE_BATCH;
      if (!added[i] && len == SURVEY_HASH_BYTES && memcmp(rows[i].hash, h, len) == 0) {
        added[i] = true;
        next = i + 1;
        break;
      }
    }
  }
  trin_stmt_reset(st);
  return rc;
}

/* What a stored response (role, scores, comment at columns col..col+2 of
 * st) becomes when the same respondent answers role, scores and comment
 * in another import: UNCHANGED or REPLACED, with the old role and scores
 * (nscores bytes, SURVEY_NO_ANSWER where none) for the aggregates. */
static survey_put_t outcome_of(trin_stmt_t *st, int col, int role, const uint8_t *scores,
                               size_t nscores, const char *comment, int *old_role,
                               uint8_t *old_scores) {
  size_t len;
  const uint8_t *old = trin_stmt_blob(st, col + 1, &len);
  *old_role = (int)trin_stmt_int64(st, col);
  memset(old_scores, SURVEY_NO_ANSWER, nscores);
  memcpy(old_scores, old, len < nscores ? len : nscores);
  bool same = *old_role == role && len == nscores && memcmp(old, scores, nscores) == 0 &&
              strcmp(trin_stmt_text(st, col + 2), comment ? comment : "") == 0;
  return same ? SURVEY_PUT_UNCHANGED : SURVEY_PUT_REPLACED;
}

/* The stored response takes this import's answers and number (unchanged
 * ones too: the number tells a repeat in the same import). The row is
 * there, so only a failing store refuses: a server store takes it with the
 * next round trip. */
static int response_update(trin_store_t *s, int64_t no, int round,
                           const uint8_t hash[SURVEY_HASH_BYTES], int role,
                           const uint8_t *scores, size_t nscores, const char *comment,
                           int64_t import_no, trin_err_t *err) {
  TRIN_STMT("UPDATE responses SET role = ?1, scores = ?2, comment = ?3, import_no = ?4"
       " WHERE " OF_SURVEY("5") " AND round = ?6 AND respondent = ?7");
  trin_stmt_bind_int64(st, 1, role);
  trin_stmt_bind_blob(st, 2, scores, nscores);
  trin_stmt_bind_text_or_null(st, 3, comment);
  trin_stmt_bind_int64(st, 4, import_no);
  trin_stmt_bind_int64(st, 5, no);
  trin_stmt_bind_int64(st, 6, round);
  trin_stmt_bind_blob(st, 7, hash, SURVEY_HASH_BYTES);
  return trin_stmt_run_deferred(st, err);
}

/* survey_store_responses_known's statement: the batch's respondents as one
 * array parameter (?3), each looked up by the table's whole key. One
 * parameter, so the server plans it in no time, and LATERAL with OFFSET 0
 * (which keeps the planner from turning it into a join) makes each a
 * look-up by the key whatever the statistics say: right after a large
 * import they still call the round empty, and a join hashed the whole
 * round for every batch (85 ms). PostgreSQL's SQL: only a server store
 * batches (trin_store_remote). */
static const char RESPONSES_KNOWN[] =
    "SELECT r.respondent, r.role, r.scores, r.comment, r.import_no"
    " FROM unnest(CAST(?3 AS bytea[])) AS v(h), LATERAL (SELECT x.respondent, x.role,"
    " x.scores, x.comment, x.import_no FROM responses x WHERE x.project_id = (SELECT"
    " project_id FROM surveys WHERE no = ?1) AND x.survey_no = ?1 AND x.round = ?2"
    " AND x.respondent = v.h OFFSET 0) AS r";

/* PostgreSQL's text form of a bytea[]: {"\\x00ff…",…} (a backslash inside
 * an element is written twice). out holds n * (2 * SURVEY_HASH_BYTES + 8) + 3. */
static void hashes_array(const survey_new_response_t *rows, const bool *skip, size_t n,
                         char *out) {
  static const char hex[] = "0123456789abcdef";
  size_t w = 0;
  out[w++] = '{';
  for (size_t i = 0; i < n; i++) {
    if (skip[i]) continue;
    if (w > 1) out[w++] = ',';
    memcpy(out + w, "\"\\\\x", 4);
    w += 4;
    for (int b = 0; b < SURVEY_HASH_BYTES; b++) {
      out[w++] = hex[rows[i].hash[b] >> 4];
      out[w++] = hex[rows[i].hash[b] & 15];
    }
    out[w++] = '"';
  }
  out[w++] = '}';
  out[w] = '\0';
}

int survey_store_responses_known(trin_store_t *s, int64_t no, int round, int64_t import_no,
                                 const survey_new_response_t *rows, const bool *skip,
                                 size_t n, size_t nscores, survey_put_t *outcome,
                                 int *old_role, uint8_t *old_scores, bool *found,
                                 trin_err_t *err) {
  static char array[SURVEY_STORE_BATCH * (2 * SURVEY_HASH_BYTES + 8) + 3];
  TRIN_STMT(RESPONSES_KNOWN);
  trin_stmt_bind_int64(st, 1, no);
  trin_stmt_bind_int64(st, 2, round);
  if (n > SURVEY_STORE_BATCH) n = SURVEY_STORE_BATCH;
  hashes_array(rows, skip, n, array);
  trin_stmt_bind_text(st, 3, array);
  for (size_t i = 0; i < n; i++) found[i] = false;
  int rc;
  size_t next = 0;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    size_t len;
    const void *h = trin_stmt_blob(st, 0, &len);
    for (size_t k = 0; k < n; k++) {
      size_t i = (next + k) % n;
      if (skip[i] || found[i] || len != SURVEY_HASH_BYTES || memcmp(rows[i].hash, h, len) != 0)
        continue;
      found[i] = true;
      next = i + 1;
      outcome[i] = trin_stmt_int64(st, 4) == import_no
                       ? SURVEY_PUT_DUPLICATE
                       : outcome_of(st, 1, rows[i].role, rows[i].scores, nscores,
                                    rows[i].comment, &old_role[i], old_scores + i * nscores);
      break;
    }
  }
  trin_stmt_reset(st);
  for (size_t i = 0; rc == TRIN_OK && i < n; i++)
    if (!skip[i] && found[i] && outcome[i] != SURVEY_PUT_DUPLICATE)
      rc = response_update(s, no, round, rows[i].hash, rows[i].role, rows[i].scores, nscores,
                           rows[i].comment, import_no, err);
  return rc;
}

int survey_store_response_put(trin_store_t *s, int64_t no, int round,
                              const uint8_t hash[SURVEY_HASH_BYTES], int role,
                              const uint8_t *scores, size_t nscores, const char *comment,
                              int64_t import_no, survey_put_t *outcome, int *old_role,
                              uint8_t *old_scores, trin_err_t *err) {
  int rc;
  /* The common case first: a respondent not seen in this round. */
  {
    TRIN_STMT("INSERT INTO responses(project_id, survey_no, round, respondent, role, scores,"
         " comment, import_no) SELECT project_id, no, ?2, ?3, ?4, ?5, ?6, ?7 FROM surveys"
         " WHERE no = ?1 ON CONFLICT DO NOTHING");
    trin_stmt_bind_int64(st, 1, no);
    trin_stmt_bind_int64(st, 2, round);
    trin_stmt_bind_blob(st, 3, hash, SURVEY_HASH_BYTES);
    trin_stmt_bind_int64(st, 4, role);
    trin_stmt_bind_blob(st, 5, scores, nscores);
    trin_stmt_bind_text_or_null(st, 6, comment);
    trin_stmt_bind_int64(st, 7, import_no);
    if ((rc = trin_stmt_run(st, err))) return rc;
    if (trin_store_changes(s) == 1) {
      *outcome = SURVEY_PUT_ADDED;
      return TRIN_OK;
    }
  }
  {
    TRIN_STMT("SELECT role, scores, comment, import_no FROM responses"
         " WHERE " OF_SURVEY("1") " AND round = ?2 AND respondent = ?3");
    trin_stmt_bind_int64(st, 1, no);
    trin_stmt_bind_int64(st, 2, round);
    trin_stmt_bind_blob(st, 3, hash, SURVEY_HASH_BYTES);
    rc = trin_stmt_step(st, err);
    if (rc != TRIN_STORE_ROW) {
      trin_stmt_reset(st);
      return rc ? rc : trin_err_set(err, TRIN_EINTERNAL, "", "response vanished");
    }
    if (trin_stmt_int64(st, 3) == import_no) {
      trin_stmt_reset(st);
      *outcome = SURVEY_PUT_DUPLICATE;
      return TRIN_OK;
    }
    *outcome = outcome_of(st, 0, role, scores, nscores, comment, old_role, old_scores);
    trin_stmt_reset(st);
  }
  return response_update(s, no, round, hash, role, scores, nscores, comment, import_no, err);
}

int survey_store_round_add_respondents(trin_store_t *s, int64_t no, int round,
                                       int64_t added, trin_err_t *err) {
  TRIN_STMT("UPDATE rounds SET respondents = respondents + ?1 WHERE " OF_SURVEY("2")
       " AND number = ?3");
  trin_stmt_bind_int64(st, 1, added);
  trin_stmt_bind_int64(st, 2, no);
  trin_stmt_bind_int64(st, 3, round);
  return trin_stmt_run(st, err);
}

int survey_store_response_remove(trin_store_t *s, int64_t no, int round,
                                 const uint8_t hash[SURVEY_HASH_BYTES], size_t nscores,
                                 bool *found, int *role, uint8_t *scores, trin_err_t *err) {
  *found = false;
  {
    TRIN_STMT("SELECT role, scores FROM responses"
         " WHERE " OF_SURVEY("1") " AND round = ?2 AND respondent = ?3");
    trin_stmt_bind_int64(st, 1, no);
    trin_stmt_bind_int64(st, 2, round);
    trin_stmt_bind_blob(st, 3, hash, SURVEY_HASH_BYTES);
    int rc = trin_stmt_step(st, err);
    if (rc == TRIN_STORE_ROW) {
      size_t len;
      const uint8_t *old = trin_stmt_blob(st, 1, &len);
      *role = (int)trin_stmt_int64(st, 0);
      memset(scores, SURVEY_NO_ANSWER, nscores);
      memcpy(scores, old, len < nscores ? len : nscores);
      *found = true;
      rc = TRIN_OK;
    }
    trin_stmt_reset(st);
    if (rc || !*found) return rc;
  }
  TRIN_STMT("DELETE FROM responses WHERE " OF_SURVEY("1") " AND round = ?2 AND respondent = ?3");
  trin_stmt_bind_int64(st, 1, no);
  trin_stmt_bind_int64(st, 2, round);
  trin_stmt_bind_blob(st, 3, hash, SURVEY_HASH_BYTES);
  return trin_stmt_run(st, err);
}

int survey_store_round_clear(trin_store_t *s, int64_t no, int round, int32_t *responses,
                             int32_t *answers, trin_err_t *err) {
  int rc;
  *responses = *answers = 0;
  {
    TRIN_STMT("SELECT COUNT(*) FROM responses WHERE " OF_SURVEY("1") " AND round = ?2");
    trin_stmt_bind_int64(st, 1, no);
    trin_stmt_bind_int64(st, 2, round);
    rc = trin_stmt_step(st, err);
    if (rc == TRIN_STORE_ROW) *responses = (int32_t)trin_stmt_int64(st, 0);
    trin_stmt_reset(st);
    if (rc != TRIN_STORE_ROW) return rc ? rc : trin_err_set(err, TRIN_ESTORE, "", "no row");
  }
  {
    /* Every answer is counted once, in its respondent's role. */
    TRIN_STMT("SELECT COALESCE(SUM(count), 0) FROM aggregates WHERE " OF_SURVEY("1")
         " AND round = ?2");
    trin_stmt_bind_int64(st, 1, no);
    trin_stmt_bind_int64(st, 2, round);
    rc = trin_stmt_step(st, err);
    if (rc == TRIN_STORE_ROW) *answers = (int32_t)trin_stmt_int64(st, 0);
    trin_stmt_reset(st);
    if (rc != TRIN_STORE_ROW) return rc ? rc : trin_err_set(err, TRIN_ESTORE, "", "no row");
  }
  {
    TRIN_STMT("DELETE FROM responses WHERE " OF_SURVEY("1") " AND round = ?2");
    trin_stmt_bind_int64(st, 1, no);
    trin_stmt_bind_int64(st, 2, round);
    if ((rc = trin_stmt_run(st, err))) return rc;
  }
  {
    TRIN_STMT("DELETE FROM aggregates WHERE " OF_SURVEY("1") " AND round = ?2");
    trin_stmt_bind_int64(st, 1, no);
    trin_stmt_bind_int64(st, 2, round);
    if ((rc = trin_stmt_run(st, err))) return rc;
  }
  TRIN_STMT("UPDATE rounds SET respondents = 0 WHERE " OF_SURVEY("1") " AND number = ?2");
  trin_stmt_bind_int64(st, 1, no);
  trin_stmt_bind_int64(st, 2, round);
  return trin_stmt_run(st, err);
}

/* ---- aggregates ----------------------------------------------------------------------- */

/* dist is stored as SURVEY_MAX_POINTS little-endian 64-bit counts. */
#define DIST_BYTES (SURVEY_MAX_POINTS * 8)

static void dist_encode(const survey_agg_t *a, uint8_t out[DIST_BYTES]) {
  for (int i = 0; i < SURVEY_MAX_POINTS; i++)
    for (int b = 0; b < 8; b++) out[i * 8 + b] = (uint8_t)((uint64_t)a->dist[i] >> (8 * b));
}

static void dist_decode(const uint8_t *in, size_t len, survey_agg_t *a) {
  for (int i = 0; i < SURVEY_MAX_POINTS; i++) {
    uint64_t v = 0;
    if ((size_t)(i + 1) * 8 <= len)
      for (int b = 0; b < 8; b++) v |= (uint64_t)in[i * 8 + b] << (8 * b);
    a->dist[i] = (int64_t)v;
  }
}

int survey_store_agg_add(trin_store_t *s, int64_t no, int round, int role, int stmt,
                         const survey_agg_t *delta, trin_err_t *err) {
  survey_agg_t cur = {0};
  int rc;
  {
    TRIN_STMT("SELECT count, sum, dist FROM aggregates"
         " WHERE " OF_SURVEY("1") " AND round = ?2 AND role = ?3 AND stmt = ?4");
    trin_stmt_bind_int64(st, 1, no);
    trin_stmt_bind_int64(st, 2, round);
    trin_stmt_bind_int64(st, 3, role);
    trin_stmt_bind_int64(st, 4, stmt);
    rc = trin_stmt_step(st, err);
    if (rc == TRIN_STORE_ROW) {
      size_t len;
      const uint8_t *d = trin_stmt_blob(st, 2, &len);
      cur.count = trin_stmt_int64(st, 0);
      cur.sum = trin_stmt_int64(st, 1);
      dist_decode(d, len, &cur);
      rc = TRIN_OK;
    }
    trin_stmt_reset(st);
    if (rc) return rc;
  }
  survey_agg_merge(&cur, delta);
  if (cur.count < 0)
    return trin_err_set(err, TRIN_EINTERNAL, "", "aggregate below zero (round %d)", round);
  uint8_t d[DIST_BYTES];
  dist_encode(&cur, d);
  TRIN_STMT("INSERT INTO aggregates(project_id, survey_no, round, role, stmt, count, sum, dist)"
       " SELECT project_id, no, ?2, ?3, ?4, ?5, ?6, ?7 FROM surveys WHERE no = ?1"
       " ON CONFLICT(project_id, survey_no, round, role, stmt)"
       " DO UPDATE SET count = excluded.count, sum = excluded.sum, dist = excluded.dist");
  trin_stmt_bind_int64(st, 1, no);
  trin_stmt_bind_int64(st, 2, round);
  trin_stmt_bind_int64(st, 3, role);
  trin_stmt_bind_int64(st, 4, stmt);
  trin_stmt_bind_int64(st, 5, cur.count);
  trin_stmt_bind_int64(st, 6, cur.sum);
  trin_stmt_bind_blob(st, 7, d, sizeof d);
  return trin_stmt_run(st, err);
}

int survey_store_agg_load(trin_store_t *s, int64_t no, int nrounds, size_t nstmt,
                          survey_agg_t *cube, trin_err_t *err) {
  memset(cube, 0, (size_t)nrounds * SURVEY_NROLES * nstmt * sizeof *cube);
  TRIN_STMT("SELECT round, role, stmt, count, sum, dist FROM aggregates"
       " WHERE " OF_SURVEY("1") " AND round <= ?2");
  trin_stmt_bind_int64(st, 1, no);
  trin_stmt_bind_int64(st, 2, nrounds);
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    int64_t r = trin_stmt_int64(st, 0), role = trin_stmt_int64(st, 1),
            k = trin_stmt_int64(st, 2);
    if (r < 1 || r > nrounds || role < 0 || role >= SURVEY_NROLES || k < 0 ||
        (size_t)k >= nstmt)
      continue;
    survey_agg_t *a = &cube[((size_t)(r - 1) * SURVEY_NROLES + (size_t)role) * nstmt + (size_t)k];
    size_t len;
    const uint8_t *d = trin_stmt_blob(st, 5, &len);
    a->count = trin_stmt_int64(st, 3);
    a->sum = trin_stmt_int64(st, 4);
    dist_decode(d, len, a);
  }
  trin_stmt_reset(st);
  return rc;
}

/* ---- alerts ------------------------------------------------------------------------------ */

int survey_store_alerts_load(trin_store_t *s, int64_t no, int from_round,
                             survey_alert_row_t **out, size_t *n, trin_err_t *err) {
  TRIN_STMT("SELECT round, grp, stmt, kind, mean_x100, reference_x100, threshold_x100"
       " FROM alerts WHERE " OF_SURVEY("1") " AND round >= ?2 ORDER BY round, stmt, grp, kind");
  trin_stmt_bind_int64(st, 1, no);
  trin_stmt_bind_int64(st, 2, from_round);
  size_t cap = 0;
  *out = NULL;
  *n = 0;
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 16;
      survey_alert_row_t *nr = realloc(*out, cap * sizeof *nr);
      if (!nr) {
        rc = oom(err);
        break;
      }
      *out = nr;
    }
    survey_alert_row_t *a = &(*out)[(*n)++];
    a->round = (int)trin_stmt_int64(st, 0);
    a->group = (int)trin_stmt_int64(st, 1);
    a->stmt = (int)trin_stmt_int64(st, 2);
    a->kind = (int)trin_stmt_int64(st, 3);
    a->mean_x100 = (int32_t)trin_stmt_int64(st, 4);
    a->reference_x100 = (int32_t)trin_stmt_int64(st, 5);
    a->threshold_x100 = (int32_t)trin_stmt_int64(st, 6);
  }
  trin_stmt_reset(st);
  return rc;
}

int survey_store_alert_put(trin_store_t *s, int64_t no, const survey_alert_row_t *a,
                           trin_err_t *err) {
  TRIN_STMT("INSERT INTO alerts(project_id, survey_no, round, grp, stmt, kind, mean_x100,"
       " reference_x100, threshold_x100)"
       " SELECT project_id, no, ?2, ?3, ?4, ?5, ?6, ?7, ?8 FROM surveys WHERE no = ?1"
       " ON CONFLICT(project_id, survey_no, round, grp, stmt, kind) DO UPDATE SET"
       " mean_x100 = excluded.mean_x100, reference_x100 = excluded.reference_x100,"
       " threshold_x100 = excluded.threshold_x100");
  trin_stmt_bind_int64(st, 1, no);
  trin_stmt_bind_int64(st, 2, a->round);
  trin_stmt_bind_int64(st, 3, a->group);
  trin_stmt_bind_int64(st, 4, a->stmt);
  trin_stmt_bind_int64(st, 5, a->kind);
  trin_stmt_bind_int64(st, 6, a->mean_x100);
  trin_stmt_bind_int64(st, 7, a->reference_x100);
  trin_stmt_bind_int64(st, 8, a->threshold_x100);
  return trin_stmt_run(st, err);
}

int survey_store_alert_delete(trin_store_t *s, int64_t no, const survey_alert_row_t *a,
                              trin_err_t *err) {
  TRIN_STMT("DELETE FROM alerts WHERE " OF_SURVEY("1") " AND round = ?2 AND grp = ?3"
       " AND stmt = ?4 AND kind = ?5");
  trin_stmt_bind_int64(st, 1, no);
  trin_stmt_bind_int64(st, 2, a->round);
  trin_stmt_bind_int64(st, 3, a->group);
  trin_stmt_bind_int64(st, 4, a->stmt);
  trin_stmt_bind_int64(st, 5, a->kind);
  return trin_stmt_run(st, err);
}

/* ---- alert log ---------------------------------------------------------------------------- */

int survey_store_alert_log_raised(trin_store_t *s, int64_t no, const survey_alert_row_t *a,
                                  const char *at, trin_err_t *err) {
  /* Raised again (its own round re-imported after it went): a new life. */
  TRIN_STMT("INSERT INTO alert_log(project_id, survey_no, round, grp, stmt, kind, mean_x100,"
       " reference_x100, threshold_x100, raised_at)"
       " SELECT project_id, no, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9 FROM surveys WHERE no = ?1"
       " ON CONFLICT(project_id, survey_no, round, grp, stmt, kind) DO UPDATE SET"
       " mean_x100 = excluded.mean_x100, reference_x100 = excluded.reference_x100,"
       " threshold_x100 = excluded.threshold_x100, raised_at = excluded.raised_at,"
       " cleared_round = -1, cleared_at = '', ack_by = '', ack_at = '', ack_note = ''");
  trin_stmt_bind_int64(st, 1, no);
  trin_stmt_bind_int64(st, 2, a->round);
  trin_stmt_bind_int64(st, 3, a->group);
  trin_stmt_bind_int64(st, 4, a->stmt);
  trin_stmt_bind_int64(st, 5, a->kind);
  trin_stmt_bind_int64(st, 6, a->mean_x100);
  trin_stmt_bind_int64(st, 7, a->reference_x100);
  trin_stmt_bind_int64(st, 8, a->threshold_x100);
  trin_stmt_bind_text(st, 9, at);
  return trin_stmt_run(st, err);
}

int survey_store_alert_log_cleared(trin_store_t *s, int64_t no, const survey_alert_row_t *a,
                                   int by_round, const char *at, trin_err_t *err) {
  TRIN_STMT("UPDATE alert_log SET cleared_round = ?6, cleared_at = ?7 WHERE " OF_SURVEY("1")
       " AND round = ?2 AND grp = ?3 AND stmt = ?4 AND kind = ?5");
  trin_stmt_bind_int64(st, 1, no);
  trin_stmt_bind_int64(st, 2, a->round);
  trin_stmt_bind_int64(st, 3, a->group);
  trin_stmt_bind_int64(st, 4, a->stmt);
  trin_stmt_bind_int64(st, 5, a->kind);
  trin_stmt_bind_int64(st, 6, by_round);
  trin_stmt_bind_text(st, 7, at);
  return trin_stmt_run(st, err);
}

int survey_store_alert_log_ack(trin_store_t *s, int64_t no, const survey_alert_row_t *a,
                               const char *by, const char *at, const char *note,
                               trin_err_t *err) {
  TRIN_STMT("UPDATE alert_log SET ack_by = ?6, ack_at = ?7, ack_note = ?8 WHERE "
       OF_SURVEY("1") " AND round = ?2 AND grp = ?3 AND stmt = ?4 AND kind = ?5");
  trin_stmt_bind_int64(st, 1, no);
  trin_stmt_bind_int64(st, 2, a->round);
  trin_stmt_bind_int64(st, 3, a->group);
  trin_stmt_bind_int64(st, 4, a->stmt);
  trin_stmt_bind_int64(st, 5, a->kind);
  trin_stmt_bind_text(st, 6, by);
  trin_stmt_bind_text(st, 7, at);
  trin_stmt_bind_text(st, 8, note);
  return trin_stmt_run(st, err);
}

int survey_store_alert_log_load(trin_store_t *s, int64_t no, trin_arena_t *ar,
                                survey_alert_log_t **out, size_t *n, trin_err_t *err) {
  TRIN_STMT("SELECT round, grp, stmt, kind, mean_x100, reference_x100, threshold_x100,"
       " raised_at, cleared_round, cleared_at, ack_by, ack_at, ack_note"
       " FROM alert_log WHERE " OF_SURVEY("1") " ORDER BY round, stmt, grp, kind");
  trin_stmt_bind_int64(st, 1, no);
  size_t cap = 0;
  *out = NULL;
  *n = 0;
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    if (*n == cap) {
      cap = cap ? cap * 2 : 16;
      survey_alert_log_t *nr = realloc(*out, cap * sizeof *nr);
      if (!nr) {
        rc = oom(err);
        break;
      }
      *out = nr;
    }
    survey_alert_log_t *l = &(*out)[(*n)++];
    l->a.round = (int)trin_stmt_int64(st, 0);
    l->a.group = (int)trin_stmt_int64(st, 1);
    l->a.stmt = (int)trin_stmt_int64(st, 2);
    l->a.kind = (int)trin_stmt_int64(st, 3);
    l->a.mean_x100 = (int32_t)trin_stmt_int64(st, 4);
    l->a.reference_x100 = (int32_t)trin_stmt_int64(st, 5);
    l->a.threshold_x100 = (int32_t)trin_stmt_int64(st, 6);
    l->raised_at = trin_stmt_text_dup(st, 7, ar);
    l->cleared_round = (int)trin_stmt_int64(st, 8);
    l->cleared_at = trin_stmt_text_dup(st, 9, ar);
    l->ack_by = trin_stmt_text_dup(st, 10, ar);
    l->ack_at = trin_stmt_text_dup(st, 11, ar);
    l->ack_note = trin_stmt_text_dup(st, 12, ar);
  }
  trin_stmt_reset(st);
  if (!rc && ar->failed) rc = oom(err);
  return rc;
}

/* ---- import mappings (issue 20, item 7) ------------------------------------------ */

int survey_store_mapping_put(trin_store_t *s, int64_t no, const void *mapping, size_t len,
                             const char *set_by, const char *set_at, trin_err_t *err) {
  TRIN_STMT("INSERT INTO import_mappings(project_id, survey_no, mapping, set_by, set_at)"
            " SELECT project_id, no, ?2, ?3, ?4 FROM surveys WHERE no = ?1"
            " ON CONFLICT(project_id, survey_no) DO UPDATE SET mapping = excluded.mapping,"
            " set_by = excluded.set_by, set_at = excluded.set_at");
  trin_stmt_bind_int64(st, 1, no);
  trin_stmt_bind_blob(st, 2, mapping, len);
  trin_stmt_bind_text(st, 3, set_by);
  trin_stmt_bind_text(st, 4, set_at);
  return trin_stmt_run(st, err);
}

int survey_store_mapping_get(trin_store_t *s, int64_t no, trin_arena_t *a,
                             survey_mapping_row_t *out, trin_err_t *err) {
  TRIN_STMT("SELECT mapping, set_by, set_at FROM import_mappings WHERE " OF_SURVEY("1"));
  trin_stmt_bind_int64(st, 1, no);
  int rc = trin_stmt_step(st, err);
  memset(out, 0, sizeof *out);
  if (rc == TRIN_STORE_ROW) {
    size_t len = 0;
    const void *b = trin_stmt_blob(st, 0, &len);
    uint8_t *copy = trin_arena_alloc(a, len ? len : 1);
    if (copy) memcpy(copy, b, len);
    out->mapping = copy;
    out->len = len;
    out->set_by = trin_stmt_text_dup(st, 1, a);
    out->set_at = trin_stmt_text_dup(st, 2, a);
    out->found = true;
    rc = copy && out->set_by && out->set_at ? TRIN_OK : oom(err);
  }
  trin_stmt_reset(st);
  return rc;
}
