/* trin_access — roles, partnership membership and the per-request checks a
 * service's rule table drives (see trin_access.h). */
#include "trin_access.h"

#include <stdio.h>
#include <string.h>

#include "trin_cursor.h"

/* ---- the rule table ---------------------------------------------------------- */

static const trin_access_rule_t *find_rule(const trin_access_table_t *t, const char *request) {
  if (t == NULL || request == NULL) return NULL;
  for (size_t i = 0; i < t->nrules; i++)
    if (strcmp(t->rules[i].request, request) == 0) return &t->rules[i];
  return NULL;
}

static const char *service_of(const trin_access_table_t *t) {
  return t && t->service ? t->service : "this service";
}

const char *trin_access_what(const trin_access_table_t *t, const char *request) {
  if (t == NULL || t->words == NULL || request == NULL) return NULL;
  for (size_t i = 0; i < t->nwords; i++)
    if (t->words[i].request && strcmp(t->words[i].request, request) == 0)
      return t->words[i].what;
  return NULL;
}

/* The order roles are named in: the partnership's people first, trin's own
 * keys last. */
static const trin_role_t ROLE_ORDER[] = {
    TRIN_ROLE_WRITER,   TRIN_ROLE_READER,  TRIN_ROLE_CALCULATOR, TRIN_ROLE_ADVISOR,
    TRIN_ROLE_RESIDENT, TRIN_ROLE_SERVICE, TRIN_ROLE_GATEWAY,
};

size_t trin_access_roles_of(unsigned roles, trin_role_t *out, size_t cap) {
  size_t n = 0;
  for (size_t i = 0; i < sizeof ROLE_ORDER / sizeof *ROLE_ORDER && n < cap; i++)
    if (roles & TRIN_ROLE_BIT(ROLE_ORDER[i])) out[n++] = ROLE_ORDER[i];
  return n;
}

const char *trin_access_roles_text(unsigned roles, char *buf, size_t cap) {
  trin_role_t named[TRIN_ROLE_COUNT_];
  size_t n = trin_access_roles_of(roles, named, TRIN_ROLE_COUNT_);
  if (n == 0) {
    snprintf(buf, cap, "admin (%s)", trin_role_word_da(TRIN_ROLE_ADMIN));
    return buf;
  }
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; i < n; i++) {
    const char *sep = i == 0 ? "" : i == n - 1 ? " or " : ", ";
    int w = snprintf(buf + used, cap - used, "%s%s (%s)", sep, trin_role_name(named[i]),
                     trin_role_word_da(named[i]));
    if (w < 0 || (size_t)w >= cap - used) break;
    used += (size_t)w;
  }
  return buf;
}

/* "advance a project's stage (trin.lifecycle.AdvanceStage)", or the bare
 * request name when the table has no words for it. */
static const char *act_text(const trin_access_table_t *t, const char *request, char *buf,
                            size_t cap) {
  const char *what = trin_access_what(t, request);
  if (what == NULL) return request ? request : "";
  snprintf(buf, cap, "%s (%s)", what, request);
  return buf;
}

void trin_access_describe(void *data, const char *request_type, const char **roles,
                          size_t *nroles, size_t cap, const char **scope) {
  static const char *const scope_names[] = {"any", "own", "member"};
  const trin_access_rule_t *rule = find_rule(data, request_type);
  *nroles = 0;
  *scope = rule ? scope_names[rule->scope] : "";
  for (int r = TRIN_ROLE_SERVICE; rule && r < TRIN_ROLE_COUNT_ && *nroles < cap; r++)
    if (rule->roles & TRIN_ROLE_BIT(r)) roles[(*nroles)++] = trin_role_name((trin_role_t)r);
}

void trin_access_install(trin_server_t *server, const trin_access_table_t *table) {
  trin_server_set_gate(server, trin_access_gate, (void *)table);
  trin_server_set_gate_describe(server, trin_access_describe);
}

int trin_access_gate(const trin_caller_t *caller, const char *request_type, void *data,
                     trin_err_t *err) {
  if (trin_access_unrestricted(caller)) return TRIN_OK;
  const trin_access_table_t *t = data;
  trin_role_t role = trin_role_parse(caller->role);
  const trin_access_rule_t *rule = find_rule(t, request_type);
  const char *who = caller->role[0] ? caller->role : "none";
  char actbuf[256];
  const char *act = act_text(t, request_type, actbuf, sizeof actbuf);
  if (rule == NULL)
    return trin_err_set(err, TRIN_EFORBIDDEN, "",
                        "organisation \"%s\" (role %s) may not %s: %s has no rule for it, "
                        "so only admin may",
                        caller->org, who, act, service_of(t));
  if (role == TRIN_ROLE_NONE || (rule->roles & TRIN_ROLE_BIT(role)) == 0) {
    char roles[256];
    return trin_err_set(err, TRIN_EFORBIDDEN, "",
                        "organisation \"%s\" (role %s) may not %s: only %s may", caller->org,
                        who, act, trin_access_roles_text(rule->roles, roles, sizeof roles));
  }
  return TRIN_OK;
}

/* A service key acts for trin itself, on whichever organisation's things the
 * rule lets it touch: scope and body checks are for organisations' keys. */
static bool acts_for_trin(const trin_caller_t *caller) {
  return trin_access_unrestricted(caller) ||
         trin_role_parse(caller->role) == TRIN_ROLE_SERVICE;
}

const char *trin_access_caller_org(const trin_request_t *req) {
  const trin_caller_t *c = trin_request_caller(req);
  return acts_for_trin(c) ? NULL : c->org;
}

static bool is_member(trin_store_t *store, const char *org, const char *partnership_id) {
  if (store == NULL || partnership_id == NULL || partnership_id[0] == '\0') return false;
  trin_stmt_t *st = NULL;
  if (trin_store_stmt(store,
                      "SELECT 1 FROM access_members WHERE partnership_id = ? AND org = ?"
                      " UNION ALL"
                      " SELECT 1 FROM access_partnerships WHERE partnership_id = ?"
                      " AND client_org = ?",
                      &st, NULL) != TRIN_OK)
    return false;
  trin_stmt_bind_text(st, 1, partnership_id);
  trin_stmt_bind_text(st, 2, org);
  trin_stmt_bind_text(st, 3, partnership_id);
  trin_stmt_bind_text(st, 4, org);
  bool found = trin_stmt_step(st, NULL) == TRIN_STORE_ROW;
  trin_stmt_reset(st);
  return found;
}

bool trin_access_may_see(trin_store_t *store, const char *org, const char *client_org,
                         const char *partnership_id) {
  if (org == NULL || org[0] == '\0') return false;
  if (client_org != NULL && strcmp(org, client_org) == 0) return true;
  return is_member(store, org, partnership_id);
}

bool trin_access_request_may_see(trin_request_t *req, const char *client_org,
                                 const char *partnership_id) {
  const char *org = trin_access_caller_org(req);
  if (org == NULL) return true;
  return trin_access_may_see(trin_request_store(req), org, client_org, partnership_id);
}

int trin_access_check(trin_store_t *store, const trin_caller_t *c,
                      const trin_access_table_t *table, const char *request,
                      const char *client_org, const char *partnership_id, const char *what,
                      const char *id, const char *field, trin_err_t *err) {
  if (trin_access_unrestricted(c)) return TRIN_OK;
  if (request == NULL) request = "";
  const trin_access_rule_t *rule = find_rule(table, request);
  trin_role_t role = trin_role_parse(c->role);
  bool allowed = false;
  if (rule != NULL && role != TRIN_ROLE_NONE && (rule->roles & TRIN_ROLE_BIT(role))) {
    if (role == TRIN_ROLE_SERVICE || rule->scope == TRIN_SCOPE_ANY)
      allowed = true;
    else if (rule->scope == TRIN_SCOPE_OWN)
      allowed = client_org != NULL && client_org[0] && strcmp(c->org, client_org) == 0;
    else
      allowed = trin_access_may_see(store, c->org, client_org, partnership_id);
  }
  if (allowed) return TRIN_OK;
  /* Outsiders learn nothing, not even that it exists or whose it is. */
  if (what != NULL && id != NULL && id[0] && strcmp(what, "organisation") != 0 &&
      role != TRIN_ROLE_SERVICE && !trin_access_may_see(store, c->org, client_org, partnership_id))
    return trin_access_not_found(err, field, what, id);
  const char *owner = client_org && client_org[0] ? client_org : "(none)";
  const char *who = c->role[0] ? c->role : "none";
  char roles[256], only[300], act[256];
  const char *why = "only the client's and the partnership members' keys may";
  if (rule == NULL) {
    why = "no rule allows it";
  } else if ((rule->roles & TRIN_ROLE_BIT(role)) == 0) {
    snprintf(only, sizeof only, "only %s may",
             trin_access_roles_text(rule->roles, roles, sizeof roles));
    why = only;
  } else if (rule->scope == TRIN_SCOPE_OWN) {
    why = "only the owner's keys may";
  }
  request = act_text(table, request, act, sizeof act);
  if (what != NULL && id != NULL && id[0])
    return trin_err_set(err, TRIN_EFORBIDDEN, field,
                        "organisation \"%s\" (role %s) may not %s on %s \"%s\" of "
                        "organisation \"%s\": %s",
                        c->org, who, request, what, id, owner, why);
  if (partnership_id != NULL && partnership_id[0])
    return trin_err_set(err, TRIN_EFORBIDDEN, field,
                        "organisation \"%s\" (role %s) may not %s in partnership \"%s\" of "
                        "organisation \"%s\": %s",
                        c->org, who, request, partnership_id, owner, why);
  return trin_err_set(err, TRIN_EFORBIDDEN, field,
                      "organisation \"%s\" (role %s) may not %s on what belongs to "
                      "organisation \"%s\": %s",
                      c->org, who, request, owner, why);
}

int trin_access_not_found(trin_err_t *err, const char *field, const char *what,
                          const char *id) {
  return trin_err_set(err, TRIN_ENOTFOUND, field ? field : "", "there is no %s '%s'", what,
                      id ? id : "");
}

int trin_access_require_on(trin_request_t *req, const trin_access_table_t *table,
                           const char *client_org, const char *partnership_id,
                           const char *what, const char *id, const char *field,
                           trin_err_t *err) {
  return trin_access_check(trin_request_store(req), trin_request_caller(req), table,
                           trin_request_type(req), client_org, partnership_id, what, id,
                           field ? field : "", err);
}

int trin_access_require_org(trin_request_t *req, const char *org, const char *field,
                            trin_err_t *err) {
  const char *mine = trin_access_caller_org(req);
  if (mine == NULL || org == NULL || org[0] == '\0' || strcmp(mine, org) == 0) return TRIN_OK;
  const trin_caller_t *c = trin_request_caller(req);
  return trin_err_set(err, TRIN_EFORBIDDEN, field,
                      "organisation \"%s\" (role %s) may not %s in the name of organisation "
                      "\"%s\": %s must be the caller's own organisation",
                      c->org, c->role[0] ? c->role : "none", trin_request_type(req), org,
                      field);
}

/* ---- membership tables --------------------------------------------------------- */

/* Plain types and `?` parameters only: the same SQL runs on the PostgreSQL
 * backend. Keys start with the partnership or project id. */
static const trin_migration_t access_migrations[] = {
    {1,
     "CREATE TABLE access_partnerships ("
     " partnership_id TEXT NOT NULL PRIMARY KEY,"
     " client_org TEXT NOT NULL);"
     "CREATE TABLE access_members ("
     " partnership_id TEXT NOT NULL,"
     " org TEXT NOT NULL,"
     " kind TEXT NOT NULL,"
     " PRIMARY KEY (partnership_id, org));"
     "CREATE TABLE access_projects ("
     " project_id TEXT NOT NULL PRIMARY KEY,"
     " client_org TEXT NOT NULL,"
     " partnership_id TEXT NOT NULL);"},
};

int trin_access_migrate(trin_store_t *store, trin_err_t *err) {
  return trin_store_migrate(store, "access", access_migrations,
                            (int)(sizeof access_migrations / sizeof access_migrations[0]),
                            err);
}

static int rewind_lifecycle(trin_store_t *store, void *data, trin_err_t *err) {
  (void)data;
  return trin_cursor_rewind(store, "lifecycle", err);
}

int trin_access_migrate_follower(trin_store_t *store, trin_err_t *err) {
  int rc = trin_access_migrate(store, err);
  if (!rc) rc = trin_cursor_migrate(store, err);
  if (!rc) rc = trin_store_migrate_fn(store, "access_replay", rewind_lifecycle, NULL, err);
  return rc;
}

static int run_stmt(trin_store_t *s, const char *sql, const char *a, const char *b,
                    const char *c, trin_err_t *err) {
  trin_stmt_t *st = NULL;
  int rc = trin_store_stmt(s, sql, &st, err);
  if (rc != TRIN_OK) return rc;
  int i = 1;
  if (a) trin_stmt_bind_text(st, i++, a);
  if (b) trin_stmt_bind_text(st, i++, b);
  if (c) trin_stmt_bind_text(st, i++, c);
  return trin_stmt_run(st, err);
}

int trin_access_put_partnership(trin_store_t *store, const char *partnership_id,
                                const char *client_org, const trin_access_member_t *members,
                                size_t nmembers, trin_err_t *err) {
  if (partnership_id == NULL || partnership_id[0] == '\0')
    return trin_err_set(err, TRIN_EINVALID, "partnership_id", "is required");
  if (client_org == NULL) client_org = "";
  int rc = run_stmt(store,
                    "INSERT INTO access_partnerships (partnership_id, client_org) VALUES (?, ?)"
                    " ON CONFLICT (partnership_id) DO UPDATE SET client_org = excluded.client_org",
                    partnership_id, client_org, NULL, err);
  if (rc == TRIN_OK)
    rc = run_stmt(store, "DELETE FROM access_members WHERE partnership_id = ?", partnership_id,
                  NULL, NULL, err);
  for (size_t i = 0; rc == TRIN_OK && i < nmembers; i++) {
    if (members[i].org == NULL || members[i].org[0] == '\0') continue;
    rc = run_stmt(store,
                  "INSERT INTO access_members (partnership_id, org, kind) VALUES (?, ?, ?)"
                  " ON CONFLICT (partnership_id, org) DO UPDATE SET kind = excluded.kind",
                  partnership_id, members[i].org, members[i].kind ? members[i].kind : "", err);
  }
  return rc;
}

int trin_access_put_project(trin_store_t *store, const char *project_id,
                            const char *client_org, const char *partnership_id,
                            trin_err_t *err) {
  if (project_id == NULL || project_id[0] == '\0')
    return trin_err_set(err, TRIN_EINVALID, "project_id", "is required");
  return run_stmt(store,
                  "INSERT INTO access_projects (project_id, client_org, partnership_id)"
                  " VALUES (?, ?, ?) ON CONFLICT (project_id) DO UPDATE SET"
                  " client_org = excluded.client_org, partnership_id = excluded.partnership_id"
                  /* most project events change neither: then nothing is written */
                  " WHERE access_projects.client_org <> excluded.client_org"
                  " OR access_projects.partnership_id <> excluded.partnership_id",
                  project_id, client_org ? client_org : "",
                  partnership_id ? partnership_id : "", err);
}

int trin_access_project(trin_store_t *store, const char *project_id, char *client_org,
                        size_t client_cap, char *partnership_id, size_t partnership_cap,
                        trin_err_t *err) {
  trin_stmt_t *st = NULL;
  int rc = trin_store_stmt(store,
                           "SELECT client_org, partnership_id FROM access_projects"
                           " WHERE project_id = ?",
                           &st, err);
  if (rc != TRIN_OK) return rc;
  trin_stmt_bind_text(st, 1, project_id ? project_id : "");
  rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) {
    if (client_cap) snprintf(client_org, client_cap, "%s", trin_stmt_text(st, 0));
    if (partnership_cap) snprintf(partnership_id, partnership_cap, "%s", trin_stmt_text(st, 1));
    trin_stmt_reset(st);
    return TRIN_OK;
  }
  trin_stmt_reset(st);
  if (rc != TRIN_OK) return rc;
  return trin_access_not_found(err, "project_id", "project", project_id);
}
