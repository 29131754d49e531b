/* benchmark_store — see benchmark_store.h. A measure is one row per
 * property-year: the figures' inputs as columns (NULL = not measured), and
 * its lists (costs by account, grades by building part) as compact text
 * "account=amount;..." / "part=grade;..." so loading 100,000 properties ×
 * 11 years writes 1.1 million rows, not ten times that. The derived total
 * cost and weighted grade are columns, so the index loads without parsing. */
#include "benchmark_store.h"

#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchmark_iku_store.h"
#include "benchmark_repetition_store.h"
#include "benchmark_sustain_store.h"
#include "benchmark_network_store.h"
#include "trin_access.h"

static const trin_migration_t MIGRATIONS[] = {
    {1,
     "CREATE TABLE bm_organisations ("
     " id TEXT PRIMARY KEY, name TEXT NOT NULL, open_benchmarking INTEGER NOT NULL);"
     "CREATE TABLE bm_properties ("
     " id TEXT PRIMARY KEY, name TEXT NOT NULL,"
     " owner_org TEXT NOT NULL REFERENCES bm_organisations(id),"
     " type TEXT NOT NULL, gross_area_m2 INTEGER NOT NULL, year_built INTEGER NOT NULL,"
     " municipality TEXT, region TEXT);"
     "CREATE TABLE bm_measures ("
     " property_id TEXT NOT NULL REFERENCES bm_properties(id), year INTEGER NOT NULL,"
     " total_cost_ore INTEGER, costs TEXT NOT NULL,"
     " electricity_kwh INTEGER, heat_kwh INTEGER, water_litres INTEGER,"
     " grade_x100 INTEGER, grades TEXT NOT NULL, climate_class INTEGER,"
     " anvendelsesgrad_bp INTEGER, udnyttelsesgrad_bp INTEGER,"
     " understoettelsesgrad_bp INTEGER,"
     " PRIMARY KEY (property_id, year)) WITHOUT ROWID;"
     "CREATE TABLE bm_model (n INTEGER PRIMARY KEY, part TEXT NOT NULL UNIQUE,"
     " weight INTEGER NOT NULL);"
     "CREATE TABLE bm_projects ("
     " id TEXT PRIMARY KEY, client_org TEXT NOT NULL, partnership_id TEXT NOT NULL,"
     " partnership_known INTEGER NOT NULL, has INTEGER NOT NULL,"
     " budget_a_ore INTEGER NOT NULL, drift_ore INTEGER NOT NULL,"
     " market_adjusted_drift_ore INTEGER NOT NULL,"
     " schedule_variance_days INTEGER NOT NULL, satisfaction_x100 INTEGER NOT NULL,"
     " satisfaction_closes TEXT NOT NULL, open_disputes INTEGER NOT NULL,"
     " open_defects INTEGER NOT NULL, dwellings INTEGER NOT NULL);"
     /* A neutral starting model (not KL's weights): replace it with
      * SetMaintenanceModel. */
     "INSERT INTO bm_model VALUES (1,'roof',20),(2,'facade',20),(3,'windows',15),"
     "(4,'installations',25),(5,'interior',20);"},
    /* Portfolio KPIs per year: each project's state at the end of every year
     * in which it changed (carried forward to later years). Projects kept
     * before this version have no dated history: their state counts from the
     * year of the upgrade. */
    {2,
     "CREATE TABLE bm_project_years ("
     " project_id TEXT NOT NULL REFERENCES bm_projects(id), year INTEGER NOT NULL,"
     " has INTEGER NOT NULL, budget_a_ore INTEGER NOT NULL, drift_ore INTEGER NOT NULL,"
     " market_adjusted_drift_ore INTEGER NOT NULL,"
     " schedule_variance_days INTEGER NOT NULL, satisfaction_x100 INTEGER NOT NULL,"
     " open_disputes INTEGER NOT NULL, open_defects INTEGER NOT NULL,"
     " dwellings INTEGER NOT NULL, PRIMARY KEY (project_id, year)) WITHOUT ROWID;"
     "INSERT INTO bm_project_years SELECT id,"
     " CAST(substr(CAST(CURRENT_DATE AS TEXT), 1, 4) AS INTEGER), has,"
     " budget_a_ore, drift_ore, market_adjusted_drift_ore, schedule_variance_days,"
     " satisfaction_x100, open_disputes, open_defects, dwellings FROM bm_projects;"},
    /* Every key leads with the owner organisation, so a distributed
     * PostgreSQL can split properties and their measures on owner_org and
     * keep them together (docs/postgresql.md, "Distributing the schema"):
     * both tables are rebuilt (new table, copy, drop, rename) and a measure
     * carries its property's owner. Property ids stay unique across owners:
     * the store moves a property that changes owner rather than adding one. */
    {3,
     "CREATE TABLE bm_properties_v3 ("
     " id TEXT NOT NULL, name TEXT NOT NULL,"
     " owner_org TEXT NOT NULL REFERENCES bm_organisations(id),"
     " type TEXT NOT NULL, gross_area_m2 INTEGER NOT NULL, year_built INTEGER NOT NULL,"
     " municipality TEXT, region TEXT, PRIMARY KEY (owner_org, id));"
     "INSERT INTO bm_properties_v3 (id, name, owner_org, type, gross_area_m2, year_built,"
     " municipality, region)"
     " SELECT id, name, owner_org, type, gross_area_m2, year_built, municipality, region"
     " FROM bm_properties ORDER BY rowid;"
     "CREATE TABLE bm_measures_v3 ("
     " owner_org TEXT NOT NULL, property_id TEXT NOT NULL, year INTEGER NOT NULL,"
     " total_cost_ore INTEGER, costs TEXT NOT NULL,"
     " electricity_kwh INTEGER, heat_kwh INTEGER, water_litres INTEGER,"
     " grade_x100 INTEGER, grades TEXT NOT NULL, climate_class INTEGER,"
     " anvendelsesgrad_bp INTEGER, udnyttelsesgrad_bp INTEGER,"
     " understoettelsesgrad_bp INTEGER,"
     " PRIMARY KEY (owner_org, property_id, year),"
     " FOREIGN KEY (owner_org, property_id) REFERENCES bm_properties_v3(owner_org, id))"
     " WITHOUT ROWID;"
     "INSERT INTO bm_measures_v3 (owner_org, property_id, year, total_cost_ore, costs,"
     " electricity_kwh, heat_kwh, water_litres, grade_x100, grades, climate_class,"
     " anvendelsesgrad_bp, udnyttelsesgrad_bp, understoettelsesgrad_bp)"
     " SELECT p.owner_org, m.property_id, m.year, m.total_cost_ore, m.costs,"
     " m.electricity_kwh, m.heat_kwh, m.water_litres, m.grade_x100, m.grades,"
     " m.climate_class, m.anvendelsesgrad_bp, m.udnyttelsesgrad_bp,"
     " m.understoettelsesgrad_bp FROM bm_measures m JOIN bm_properties p"
     " ON p.id = m.property_id;"
     /* Children before parents: the old measures refer to the old properties. */
     "DROP TABLE bm_measures;"
     "DROP TABLE bm_properties;"
     "ALTER TABLE bm_properties_v3 RENAME TO bm_properties;"
     "ALTER TABLE bm_measures_v3 RENAME TO bm_measures;"
     /* Requests name a property by its id alone. */
     "CREATE INDEX bm_properties_id ON bm_properties(id);"},
};
#define NMIGRATIONS ((int)(sizeof MIGRATIONS / sizeof *MIGRATIONS))

/* A project's rehousing state (issue 20, item 4), current and per year,
 * beside the columns above; written and read by the rehousing_* functions
 * below so the statements above stay as they were. */
static const trin_migration_t REHOUSING_MIGRATIONS[] = {
    {1,
     "ALTER TABLE bm_projects ADD COLUMN without_rehousing INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE bm_projects ADD COLUMN households_rehoused_temporary INTEGER NOT NULL"
     " DEFAULT 0;"
     "ALTER TABLE bm_projects ADD COLUMN households_moved_back INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE bm_project_years ADD COLUMN without_rehousing INTEGER NOT NULL DEFAULT 0;"
     "ALTER TABLE bm_project_years ADD COLUMN households_rehoused_temporary INTEGER NOT NULL"
     " DEFAULT 0;"
     "ALTER TABLE bm_project_years ADD COLUMN households_moved_back INTEGER NOT NULL"
     " DEFAULT 0;"},
};

int benchmark_store_migrate(trin_store_t *s, trin_err_t *err) {
  int rc = trin_store_migrate(s, "benchmark", MIGRATIONS, NMIGRATIONS, err);
  /* Partnership membership, learnt from lifecycle's events. */
  if (!rc) rc = trin_access_migrate_follower(s, err);
  /* The IKU figures: a scope of their own (benchmark_iku_store). */
  if (!rc) rc = benchmark_iku_store_migrate(s, err);
  /* Rehousing (issue 20, item 4): a scope of its own. */
  if (!rc) rc = trin_store_migrate(s, "benchmark_rehousing", REHOUSING_MIGRATIONS, 1, err);
  /* Kind and start date for repetition evidence (item 5): a scope of its own too. */
  if (!rc) rc = benchmark_repetition_store_migrate(s, err);
  /* Sustainability and reuse (issue 20, item 3): a scope of its own too. */
  if (!rc) rc = benchmark_sustain_store_migrate(s, err);
  /* Networks (issue 20, item 8): a scope of their own (benchmark_network_store). */
  return rc ? rc : benchmark_network_store_migrate(s, err);
}

int benchmark_store_migrate_to(trin_store_t *s, int version, trin_err_t *err) {
  return trin_store_migrate_to(s, "benchmark", MIGRATIONS, NMIGRATIONS, version, err);
}

static int bind_opt(trin_stmt_t *st, int i, bool has, int64_t v) {
  return has ? trin_stmt_bind_int64(st, i, v) : trin_stmt_bind_null(st, i);
}

/* ---- organisations ---------------------------------------------------------- */

int benchmark_store_org_put(trin_store_t *s, const char *id, const char *name, bool open,
                            trin_err_t *err) {
  TRIN_STMT("INSERT INTO bm_organisations (id, name, open_benchmarking) VALUES (?, ?, ?)"
       " ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
       " open_benchmarking = excluded.open_benchmarking");
  trin_stmt_bind_text(st, 1, id);
  trin_stmt_bind_text(st, 2, name);
  trin_stmt_bind_int64(st, 3, open);
  return trin_stmt_run(st, err);
}

int benchmark_store_org_ensure(trin_store_t *s, const char *id, bool *created,
                               trin_err_t *err) {
  TRIN_STMT("INSERT OR IGNORE INTO bm_organisations (id, name, open_benchmarking) VALUES (?, ?, 0)");
  trin_stmt_bind_text(st, 1, id);
  trin_stmt_bind_text(st, 2, id);
  int rc = trin_stmt_run(st, err);
  if (!rc) *created = trin_store_changes(s) > 0;
  return rc;
}

static void org_from_row(trin_arena_t *a, trin_stmt_t *st, benchmark_organisation_msg_t *o) {
  trin__benchmark__organisation__init(o);
  o->id = trin_arena_strdup(a, trin_stmt_text(st, 0));
  o->name = trin_arena_strdup(a, trin_stmt_text(st, 1));
  o->open_benchmarking = trin_stmt_int64(st, 2) != 0;
}

int benchmark_store_org_get(trin_store_t *s, const char *id, const char *field,
                            trin_arena_t *a, benchmark_organisation_msg_t *out, trin_err_t *err) {
  TRIN_STMT("SELECT id, name, open_benchmarking FROM bm_organisations WHERE id = ?");
  trin_stmt_bind_text(st, 1, id);
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) {
    org_from_row(a, st, out);
    trin_stmt_reset(st);
    return a->failed ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory") : TRIN_OK;
  }
  trin_stmt_reset(st);
  if (rc) return rc;
  return trin_err_set(err, TRIN_ENOTFOUND, field, "no organisation '%s'", id);
}

int benchmark_store_org_list(trin_store_t *s, trin_arena_t *a, benchmark_organisation_msg_t ***out,
                             size_t *n, trin_err_t *err) {
  TRIN_STMT("SELECT id, name, open_benchmarking FROM bm_organisations ORDER BY id");
  size_t cap = 0;
  *out = NULL;
  *n = 0;
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    if (*n == cap) {
      size_t nc = cap ? cap * 2 : 16;
      benchmark_organisation_msg_t **v = trin_arena_alloc(a, nc * sizeof *v);
      if (!v) break;
      if (*n) memcpy(v, *out, *n * sizeof *v);
      *out = v;
      cap = nc;
    }
    benchmark_organisation_msg_t *o = trin_arena_alloc(a, sizeof *o);
    if (!o) break;
    org_from_row(a, st, o);
    (*out)[(*n)++] = o;
  }
  trin_stmt_reset(st);
  if (a->failed) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

/* ---- properties ----------------------------------------------------------------- */

/* Runs a statement of three text parameters. */
static int run3(trin_store_t *s, const char *sql, const char *a, const char *b, const char *c,
                trin_err_t *err) {
  TRIN_STMT(sql);
  trin_stmt_bind_text(st, 1, a);
  trin_stmt_bind_text(st, 2, b);
  if (c) trin_stmt_bind_text(st, 3, c);
  return trin_stmt_run(st, err);
}

int benchmark_store_property_put(trin_store_t *s, const benchmark_property_msg_t *p,
                                 trin_err_t *err) {
  /* The key is (owner_org, id) (migration 3) and an id names one property:
   * a property given a new owner moves, measures and all, to the new key. */
  char *was = NULL;
  int rc;
  {
    TRIN_STMT("SELECT owner_org FROM bm_properties WHERE id = ?");
    trin_stmt_bind_text(st, 1, p->id);
    rc = trin_stmt_step(st, err);
    if (rc == TRIN_STORE_ROW && strcmp(trin_stmt_text(st, 0), p->owner_org) != 0 &&
        !(was = strdup(trin_stmt_text(st, 0))))
      rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    trin_stmt_reset(st);
    if (rc == TRIN_STORE_ROW) rc = TRIN_OK;
  }
  if (!rc) {
    TRIN_STMT("INSERT INTO bm_properties (id, name, owner_org, type, gross_area_m2, year_built,"
         " municipality, region) VALUES (?, ?, ?, ?, ?, ?, ?, ?)"
         " ON CONFLICT(owner_org, id) DO UPDATE SET name = excluded.name,"
         " type = excluded.type, gross_area_m2 = excluded.gross_area_m2,"
         " year_built = excluded.year_built, municipality = excluded.municipality,"
         " region = excluded.region");
    trin_stmt_bind_text(st, 1, p->id);
    trin_stmt_bind_text(st, 2, p->name);
    trin_stmt_bind_text(st, 3, p->owner_org);
    trin_stmt_bind_text(st, 4, p->type);
    trin_stmt_bind_int64(st, 5, p->gross_area_m2);
    trin_stmt_bind_int64(st, 6, p->year_built);
    trin_stmt_bind_text(st, 7, p->municipality ? p->municipality : "");
    trin_stmt_bind_text(st, 8, p->region ? p->region : "");
    rc = trin_stmt_run(st, err);
  }
  if (!rc && was)
    rc = run3(s,
              "INSERT INTO bm_measures (owner_org, property_id, year, total_cost_ore, costs,"
              " electricity_kwh, heat_kwh, water_litres, grade_x100, grades, climate_class,"
              " anvendelsesgrad_bp, udnyttelsesgrad_bp, understoettelsesgrad_bp)"
              " SELECT ?1, property_id, year, total_cost_ore, costs, electricity_kwh, heat_kwh,"
              " water_litres, grade_x100, grades, climate_class, anvendelsesgrad_bp,"
              " udnyttelsesgrad_bp, understoettelsesgrad_bp FROM bm_measures"
              " WHERE owner_org = ?2 AND property_id = ?3",
              p->owner_org, was, p->id, err);
  if (!rc && was)
    rc = run3(s, "DELETE FROM bm_measures WHERE owner_org = ? AND property_id = ?", was,
              p->id, NULL, err);
  if (!rc && was)
    rc = run3(s, "DELETE FROM bm_properties WHERE owner_org = ? AND id = ?", was, p->id,
              NULL, err);
  free(was);
  return rc;
}

#define PROPERTY_COLS \
  "id, name, owner_org, type, gross_area_m2, year_built, municipality, region"

static void property_from_row(trin_arena_t *a, trin_stmt_t *st, benchmark_property_msg_t *p) {
  trin__benchmark__property__init(p);
  p->id = trin_arena_strdup(a, trin_stmt_text(st, 0));
  p->name = trin_arena_strdup(a, trin_stmt_text(st, 1));
  p->owner_org = trin_arena_strdup(a, trin_stmt_text(st, 2));
  p->type = trin_arena_strdup(a, trin_stmt_text(st, 3));
  p->gross_area_m2 = trin_stmt_int64(st, 4);
  p->year_built = (int32_t)trin_stmt_int64(st, 5);
  p->municipality = trin_arena_strdup(a, trin_stmt_text(st, 6));
  p->region = trin_arena_strdup(a, trin_stmt_text(st, 7));
  p->size_band = (char *)benchmark_size_band_name(benchmark_size_band(p->gross_area_m2));
}

int benchmark_store_property_list(trin_store_t *s, const benchmark_property_filter_t *f,
                                  trin_arena_t *a, benchmark_property_msg_t ***out, size_t *n,
                                  trin_err_t *err) {
  /* "? = ''" short-circuits an unset filter, so the statement is cached once. */
  TRIN_STMT("SELECT " PROPERTY_COLS " FROM bm_properties"
       " WHERE (?1 = '' OR owner_org = ?1) AND (?2 = '' OR type = ?2)"
       " AND (?3 = '' OR region = ?3) AND (?4 = '' OR municipality = ?4)"
       " ORDER BY owner_org, id");
  trin_stmt_bind_text(st, 1, f->owner_org ? f->owner_org : "");
  trin_stmt_bind_text(st, 2, f->type ? f->type : "");
  trin_stmt_bind_text(st, 3, f->region ? f->region : "");
  trin_stmt_bind_text(st, 4, f->municipality ? f->municipality : "");
  trin_arena_vec_t v = {0};
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    benchmark_property_msg_t *p = trin_arena_alloc(a, sizeof *p);
    if (!p || (rc = trin_arena_vec_push(a, &v, p, err))) break;
    property_from_row(a, st, p);
  }
  trin_stmt_reset(st);
  if (rc == TRIN_STORE_ROW || (!rc && a->failed))
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  *out = (benchmark_property_msg_t **)v.items;
  *n = v.n;
  return rc;
}

int benchmark_store_property_get(trin_store_t *s, const char *id, const char *field,
                                 trin_arena_t *a, benchmark_property_msg_t *p, trin_err_t *err) {
  TRIN_STMT("SELECT " PROPERTY_COLS " FROM bm_properties WHERE id = ?");
  trin_stmt_bind_text(st, 1, id);
  int rc = trin_stmt_step(st, err);
  if (rc == TRIN_STORE_ROW) {
    property_from_row(a, st, p);
    trin_stmt_reset(st);
    return a->failed ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory") : TRIN_OK;
  }
  trin_stmt_reset(st);
  if (rc) return rc;
  return trin_access_not_found(err, field, "property", id);
}

/* ---- measures ----------------------------------------------------------------------- */

int benchmark_store_measure_put(trin_store_t *s, const char *property_id, int year,
                                const benchmark_measure_t *m,
                                const Trin__Benchmark__AccountCost *const *costs, size_t ncosts,
                                const Trin__Benchmark__PartGrade *const *grades, size_t ngrades,
                                trin_err_t *err) {
  /* Lists as text; ids hold no '=' or ';' (trin_id rules). */
  char cbuf[4096], gbuf[4096];
  size_t cl = 0, gl = 0;
  cbuf[0] = gbuf[0] = '\0';
  for (size_t i = 0; i < ncosts && cl < sizeof cbuf; i++)
    cl += (size_t)snprintf(cbuf + cl, sizeof cbuf - cl, "%s%s=%" PRId64, i ? ";" : "",
                           costs[i]->account, costs[i]->amount_ore);
  for (size_t i = 0; i < ngrades && gl < sizeof gbuf; i++)
    gl += (size_t)snprintf(gbuf + gl, sizeof gbuf - gl, "%s%s=%d", i ? ";" : "",
                           grades[i]->part, grades[i]->grade);
  if (cl >= sizeof cbuf || gl >= sizeof gbuf)
    return trin_err_set(err, TRIN_ETOOBIG, "measure", "too many accounts or parts");
  /* The measure takes its owner from the property's row. */
  TRIN_STMT("INSERT INTO bm_measures (owner_org, property_id, year, total_cost_ore, costs,"
       " electricity_kwh, heat_kwh, water_litres, grade_x100, grades, climate_class,"
       " anvendelsesgrad_bp, udnyttelsesgrad_bp, understoettelsesgrad_bp)"
       " SELECT owner_org, id, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13"
       " FROM bm_properties WHERE id = ?1"
       " ON CONFLICT(owner_org, property_id, year) DO UPDATE SET total_cost_ore = excluded.total_cost_ore,"
       " costs = excluded.costs, electricity_kwh = excluded.electricity_kwh,"
       " heat_kwh = excluded.heat_kwh, water_litres = excluded.water_litres,"
       " grade_x100 = excluded.grade_x100, grades = excluded.grades,"
       " climate_class = excluded.climate_class,"
       " anvendelsesgrad_bp = excluded.anvendelsesgrad_bp,"
       " udnyttelsesgrad_bp = excluded.udnyttelsesgrad_bp,"
       " understoettelsesgrad_bp = excluded.understoettelsesgrad_bp");
  trin_stmt_bind_text(st, 1, property_id);
  trin_stmt_bind_int64(st, 2, year);
  bind_opt(st, 3, m->has & BENCHMARK_HAS_COST, m->cost_ore);
  trin_stmt_bind_text(st, 4, cbuf);
  bind_opt(st, 5, m->has & BENCHMARK_HAS_ELECTRICITY, m->electricity_kwh);
  bind_opt(st, 6, m->has & BENCHMARK_HAS_HEAT, m->heat_kwh);
  bind_opt(st, 7, m->has & BENCHMARK_HAS_WATER, m->water_litres);
  bind_opt(st, 8, m->has & BENCHMARK_HAS_GRADE, m->grade_x100);
  trin_stmt_bind_text(st, 9, gbuf);
  bind_opt(st, 10, m->has & BENCHMARK_HAS_CLIMATE, m->climate_class);
  bind_opt(st, 11, m->has & BENCHMARK_HAS_ANVENDELSE, m->anvendelsesgrad_bp);
  bind_opt(st, 12, m->has & BENCHMARK_HAS_UDNYTTELSE, m->udnyttelsesgrad_bp);
  bind_opt(st, 13, m->has & BENCHMARK_HAS_UNDERSTOETTELSE, m->understoettelsesgrad_bp);
  return trin_stmt_run(st, err);
}

/* ---- the maintenance model ----------------------------------------------------------- */

int benchmark_store_model_set(trin_store_t *s, const benchmark_model_part_t *parts, size_t n,
                              trin_err_t *err) {
  int rc = trin_store_exec(s, "DELETE FROM bm_model", err);
  if (rc) return rc;
  for (size_t i = 0; i < n; i++) {
    TRIN_STMT("INSERT INTO bm_model (n, part, weight) VALUES (?, ?, ?)");
    trin_stmt_bind_int64(st, 1, (int64_t)i + 1);
    trin_stmt_bind_text(st, 2, parts[i].part);
    trin_stmt_bind_int64(st, 3, parts[i].weight);
    if ((rc = trin_stmt_run(st, err))) return rc;
  }
  return TRIN_OK;
}

int benchmark_store_model_get(trin_store_t *s, benchmark_model_part_t *parts, size_t *n,
                              trin_err_t *err) {
  TRIN_STMT("SELECT part, weight FROM bm_model ORDER BY n");
  int rc;
  *n = 0;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW && *n < BENCHMARK_MODEL_MAX_PARTS) {
    snprintf(parts[*n].part, sizeof parts[*n].part, "%s", trin_stmt_text(st, 0));
    parts[*n].weight = (int32_t)trin_stmt_int64(st, 1);
    (*n)++;
  }
  trin_stmt_reset(st);
  return rc == TRIN_STORE_ROW ? TRIN_OK : rc;
}

/* ---- projects ------------------------------------------------------------------------- */

static void project_from_row(trin_stmt_t *st, benchmark_project_row_t *r) {
  snprintf(r->id, sizeof r->id, "%s", trin_stmt_text(st, 0));
  snprintf(r->client_org, sizeof r->client_org, "%s", trin_stmt_text(st, 1));
  snprintf(r->partnership_id, sizeof r->partnership_id, "%s", trin_stmt_text(st, 2));
  r->partnership_known = trin_stmt_int64(st, 3) != 0;
  r->p.has = (uint32_t)trin_stmt_int64(st, 4);
  r->p.budget_a_ore = trin_stmt_int64(st, 5);
  r->p.drift_ore = trin_stmt_int64(st, 6);
  r->p.market_adjusted_drift_ore = trin_stmt_int64(st, 7);
  r->p.schedule_variance_days = (int32_t)trin_stmt_int64(st, 8);
  r->p.satisfaction_x100 = (int32_t)trin_stmt_int64(st, 9);
  snprintf(r->satisfaction_closes, sizeof r->satisfaction_closes, "%s", trin_stmt_text(st, 10));
  r->p.open_disputes = (int32_t)trin_stmt_int64(st, 11);
  r->p.open_defects = (int32_t)trin_stmt_int64(st, 12);
  r->p.dwellings = (int32_t)trin_stmt_int64(st, 13);
}

#define PROJECT_COLS                                                                  \
  "id, client_org, partnership_id, partnership_known, has, budget_a_ore, drift_ore,"  \
  " market_adjusted_drift_ore, schedule_variance_days, satisfaction_x100,"            \
  " satisfaction_closes, open_disputes, open_defects, dwellings"

#define YEAR_COLS                                                                     \
  "year, has, budget_a_ore, drift_ore, market_adjusted_drift_ore,"                      \
  " schedule_variance_days, satisfaction_x100, open_disputes, open_defects, dwellings"

/* ---- rehousing (issue 20, item 4): the columns of REHOUSING_MIGRATIONS */

static void rehousing_from_row(trin_stmt_t *st, int col, benchmark_project_t *p) {
  p->without_rehousing = trin_stmt_int64(st, col) != 0;
  p->households_rehoused_temporary = (int32_t)trin_stmt_int64(st, col + 1);
  p->households_moved_back = (int32_t)trin_stmt_int64(st, col + 2);
}

static void rehousing_bind(trin_stmt_t *st, const benchmark_project_t *p) {
  trin_stmt_bind_int64(st, 1, p->without_rehousing);
  trin_stmt_bind_int64(st, 2, p->households_rehoused_temporary);
  trin_stmt_bind_int64(st, 3, p->households_moved_back);
}

static int rehousing_get(trin_store_t *s, benchmark_project_row_t *row, trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("SELECT without_rehousing, households_rehoused_temporary, households_moved_back"
              " FROM bm_projects WHERE id = ?");
    trin_stmt_bind_text(st, 1, row->id);
    rc = trin_stmt_step(st, err);
    if (rc == TRIN_STORE_ROW) rehousing_from_row(st, 0, &row->p);
    trin_stmt_reset(st);
    if (rc != TRIN_STORE_ROW && rc) return rc;
  }
  TRIN_STMT("SELECT year, without_rehousing, households_rehoused_temporary,"
            " households_moved_back FROM bm_project_years WHERE project_id = ? ORDER BY year");
  trin_stmt_bind_text(st, 1, row->id);
  size_t i = 0;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    int32_t year = (int32_t)trin_stmt_int64(st, 0);
    while (i < row->nyears && row->years[i].year < year) i++;
    if (i < row->nyears && row->years[i].year == year)
      rehousing_from_row(st, 1, &row->years[i].p);
  }
  trin_stmt_reset(st);
  return rc == TRIN_STORE_ROW || rc == TRIN_OK ? TRIN_OK : rc;
}

static int rehousing_put(trin_store_t *s, const benchmark_project_row_t *r, trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("UPDATE bm_projects SET without_rehousing = ?, households_rehoused_temporary = ?,"
              " households_moved_back = ? WHERE id = ?");
    rehousing_bind(st, &r->p);
    trin_stmt_bind_text(st, 4, r->id);
    if ((rc = trin_stmt_run(st, err))) return rc;
  }
  for (size_t i = 0; i < r->nyears; i++) {
    TRIN_STMT("UPDATE bm_project_years SET without_rehousing = ?,"
              " households_rehoused_temporary = ?, households_moved_back = ?"
              " WHERE project_id = ? AND year = ?");
    rehousing_bind(st, &r->years[i].p);
    trin_stmt_bind_text(st, 4, r->id);
    trin_stmt_bind_int64(st, 5, r->years[i].year);
    if ((rc = trin_stmt_run(st, err))) return rc;
  }
  return TRIN_OK;
}

static int project_years_get(trin_store_t *s, benchmark_project_row_t *row, trin_err_t *err) {
  TRIN_STMT("SELECT " YEAR_COLS " FROM bm_project_years WHERE project_id = ? ORDER BY year");
  trin_stmt_bind_text(st, 1, row->id);
  int rc;
  row->nyears = 0;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW && row->nyears < BENCHMARK_YEARS) {
    benchmark_project_year_t *y = &row->years[row->nyears++];
    memset(y, 0, sizeof *y);
    y->year = (int32_t)trin_stmt_int64(st, 0);
    y->p.has = (uint32_t)trin_stmt_int64(st, 1);
    y->p.budget_a_ore = trin_stmt_int64(st, 2);
    y->p.drift_ore = trin_stmt_int64(st, 3);
    y->p.market_adjusted_drift_ore = trin_stmt_int64(st, 4);
    y->p.schedule_variance_days = (int32_t)trin_stmt_int64(st, 5);
    y->p.satisfaction_x100 = (int32_t)trin_stmt_int64(st, 6);
    y->p.open_disputes = (int32_t)trin_stmt_int64(st, 7);
    y->p.open_defects = (int32_t)trin_stmt_int64(st, 8);
    y->p.dwellings = (int32_t)trin_stmt_int64(st, 9);
  }
  trin_stmt_reset(st);
  if (rc != TRIN_STORE_ROW && rc != TRIN_OK) return rc;
  return rehousing_get(s, row, err);
}

static int project_years_put(trin_store_t *s, const benchmark_project_row_t *r, trin_err_t *err) {
  int rc;
  {
    TRIN_STMT("DELETE FROM bm_project_years WHERE project_id = ?");
    trin_stmt_bind_text(st, 1, r->id);
    if ((rc = trin_stmt_run(st, err))) return rc;
  }
  for (size_t i = 0; i < r->nyears; i++) {
    const benchmark_project_year_t *y = &r->years[i];
    TRIN_STMT("INSERT INTO bm_project_years (project_id, " YEAR_COLS
         ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
    trin_stmt_bind_text(st, 1, r->id);
    trin_stmt_bind_int64(st, 2, y->year);
    trin_stmt_bind_int64(st, 3, y->p.has);
    trin_stmt_bind_int64(st, 4, y->p.budget_a_ore);
    trin_stmt_bind_int64(st, 5, y->p.drift_ore);
    trin_stmt_bind_int64(st, 6, y->p.market_adjusted_drift_ore);
    trin_stmt_bind_int64(st, 7, y->p.schedule_variance_days);
    trin_stmt_bind_int64(st, 8, y->p.satisfaction_x100);
    trin_stmt_bind_int64(st, 9, y->p.open_disputes);
    trin_stmt_bind_int64(st, 10, y->p.open_defects);
    trin_stmt_bind_int64(st, 11, y->p.dwellings);
    if ((rc = trin_stmt_run(st, err))) return rc;
  }
  return rehousing_put(s, r, err);
}

int benchmark_store_project_get(trin_store_t *s, const char *id, benchmark_project_row_t *row,
                                bool *found, trin_err_t *err) {
  TRIN_STMT("SELECT " PROJECT_COLS " FROM bm_projects WHERE id = ?");
  memset(row, 0, sizeof *row);
  snprintf(row->id, sizeof row->id, "%s", id);
  trin_stmt_bind_text(st, 1, id);
  int rc = trin_stmt_step(st, err);
  *found = rc == TRIN_STORE_ROW;
  if (*found) project_from_row(st, row);
  trin_stmt_reset(st);
  if (rc != TRIN_STORE_ROW && rc) return rc;
  if (!*found) return TRIN_OK;
  rc = project_years_get(s, row, err);
  if (!rc) rc = benchmark_repetition_store_get(s, id, row->kind, row->start_date, err);
  return rc ? rc : benchmark_sustain_store_get(s, row, err);
}

int benchmark_store_project_put(trin_store_t *s, const benchmark_project_row_t *r,
                                trin_err_t *err) {
  TRIN_STMT("INSERT INTO bm_projects (" PROJECT_COLS
       ") VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)"
       " ON CONFLICT(id) DO UPDATE SET client_org = excluded.client_org,"
       " partnership_id = excluded.partnership_id,"
       " partnership_known = excluded.partnership_known, has = excluded.has,"
       " budget_a_ore = excluded.budget_a_ore, drift_ore = excluded.drift_ore,"
       " market_adjusted_drift_ore = excluded.market_adjusted_drift_ore,"
       " schedule_variance_days = excluded.schedule_variance_days,"
       " satisfaction_x100 = excluded.satisfaction_x100,"
       " satisfaction_closes = excluded.satisfaction_closes,"
       " open_disputes = excluded.open_disputes, open_defects = excluded.open_defects,"
       " dwellings = excluded.dwellings");
  trin_stmt_bind_text(st, 1, r->id);
  trin_stmt_bind_text(st, 2, r->client_org);
  trin_stmt_bind_text(st, 3, r->partnership_id);
  trin_stmt_bind_int64(st, 4, r->partnership_known);
  trin_stmt_bind_int64(st, 5, r->p.has);
  trin_stmt_bind_int64(st, 6, r->p.budget_a_ore);
  trin_stmt_bind_int64(st, 7, r->p.drift_ore);
  trin_stmt_bind_int64(st, 8, r->p.market_adjusted_drift_ore);
  trin_stmt_bind_int64(st, 9, r->p.schedule_variance_days);
  trin_stmt_bind_int64(st, 10, r->p.satisfaction_x100);
  trin_stmt_bind_text(st, 11, r->satisfaction_closes);
  trin_stmt_bind_int64(st, 12, r->p.open_disputes);
  trin_stmt_bind_int64(st, 13, r->p.open_defects);
  trin_stmt_bind_int64(st, 14, r->p.dwellings);
  int rc = trin_stmt_run(st, err);
  if (!rc) rc = project_years_put(s, r, err);
  if (!rc) rc = benchmark_repetition_store_put(s, r->id, r->kind, r->start_date, err);
  return rc ? rc : benchmark_sustain_store_put(s, r, err);
}

/* ---- loading the index ------------------------------------------------------------------ */

int benchmark_store_load(trin_store_t *s, benchmark_index_t *ix, trin_err_t *err) {
  benchmark_index_clear(ix);
  int rc;
#define OOM() trin_err_set(err, TRIN_EINTERNAL, "", "out of memory loading the index")
  {
    TRIN_STMT("SELECT id, name, open_benchmarking FROM bm_organisations");
    while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW)
      if (benchmark_index_org_set(ix, trin_stmt_text(st, 0), trin_stmt_text(st, 1),
                                  trin_stmt_int64(st, 2) != 0) < 0) {
        trin_stmt_reset(st);
        return OOM();
      }
    trin_stmt_reset(st);
    if (rc) return rc;
  }
  {
    TRIN_STMT("SELECT id, owner_org, type, gross_area_m2, region FROM bm_properties");
    while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
      int type = benchmark_property_type_parse(trin_stmt_text(st, 2), "type", NULL);
      if (benchmark_index_property_set(ix, trin_stmt_text(st, 0),
                                       benchmark_index_org_find(ix, trin_stmt_text(st, 1)), type,
                                       trin_stmt_int64(st, 3), trin_stmt_text(st, 4)) < 0) {
        trin_stmt_reset(st);
        return OOM();
      }
    }
    trin_stmt_reset(st);
    if (rc) return rc;
  }
  {
    TRIN_STMT("SELECT property_id, year, total_cost_ore, electricity_kwh, heat_kwh, water_litres,"
         " grade_x100, climate_class, anvendelsesgrad_bp, udnyttelsesgrad_bp,"
         " understoettelsesgrad_bp FROM bm_measures");
    while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
      benchmark_measure_t m = {0};
      static const uint32_t flag[] = {
          BENCHMARK_HAS_COST,       BENCHMARK_HAS_ELECTRICITY, BENCHMARK_HAS_HEAT,
          BENCHMARK_HAS_WATER,      BENCHMARK_HAS_GRADE,       BENCHMARK_HAS_CLIMATE,
          BENCHMARK_HAS_ANVENDELSE, BENCHMARK_HAS_UDNYTTELSE,  BENCHMARK_HAS_UNDERSTOETTELSE};
      for (int c = 0; c < 9; c++)
        if (!trin_stmt_is_null(st, 2 + c)) m.has |= flag[c];
      m.cost_ore = trin_stmt_int64(st, 2);
      m.electricity_kwh = trin_stmt_int64(st, 3);
      m.heat_kwh = trin_stmt_int64(st, 4);
      m.water_litres = trin_stmt_int64(st, 5);
      m.grade_x100 = (int32_t)trin_stmt_int64(st, 6);
      m.climate_class = (int32_t)trin_stmt_int64(st, 7);
      m.anvendelsesgrad_bp = (int32_t)trin_stmt_int64(st, 8);
      m.udnyttelsesgrad_bp = (int32_t)trin_stmt_int64(st, 9);
      m.understoettelsesgrad_bp = (int32_t)trin_stmt_int64(st, 10);
      int32_t p = benchmark_index_property_find(ix, trin_stmt_text(st, 0));
      if (p < 0 || benchmark_index_measure_set(ix, p, (int)trin_stmt_int64(st, 1), &m)) {
        trin_stmt_reset(st);
        return OOM();
      }
    }
    trin_stmt_reset(st);
    if (rc) return rc;
  }
  {
    TRIN_STMT("SELECT " PROJECT_COLS " FROM bm_projects");
    benchmark_project_row_t *r = malloc(sizeof *r);
    if (!r) {
      trin_stmt_reset(st);
      return OOM();
    }
    while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
      memset(r, 0, sizeof *r);
      project_from_row(st, r);
      int32_t org = r->client_org[0] ? benchmark_index_org_find(ix, r->client_org) : -1;
      int rc2 = project_years_get(s, r, err);
      if (!rc2) rc2 = benchmark_sustain_store_get(s, r, err);
      if (!rc2 && benchmark_index_project_set(ix, r->id, org, r->partnership_known,
                                              r->partnership_id[0] != 0, r->years, r->nyears) < 0)
        rc2 = OOM();
      if (rc2) {
        trin_stmt_reset(st);
        free(r);
        return rc2;
      }
    }
    free(r);
    trin_stmt_reset(st);
    if (rc) return rc;
  }
#undef OOM
  return TRIN_OK;
}
