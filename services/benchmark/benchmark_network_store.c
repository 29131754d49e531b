/* benchmark_network_store — see benchmark_network_store.h. */
#include "benchmark_network_store.h"

#include <string.h>

#include "trin_access.h"

static const trin_migration_t MIGRATIONS[] = {
    {1,
     "CREATE TABLE bm_network ("
     " id TEXT PRIMARY KEY, name TEXT NOT NULL, open_inside INTEGER NOT NULL,"
     " admin_org TEXT NOT NULL);"
     "CREATE TABLE bm_network_member ("
     " network TEXT NOT NULL, org_id TEXT NOT NULL, joined TEXT NOT NULL,"
     " left_on TEXT NOT NULL, PRIMARY KEY (network, org_id));"
     "CREATE TABLE bm_network_requirement ("
     " network TEXT NOT NULL, id TEXT NOT NULL, title TEXT NOT NULL, reference TEXT NOT NULL,"
     " date TEXT NOT NULL, PRIMARY KEY (network, id));"
     "CREATE TABLE bm_network_adoption ("
     " network TEXT NOT NULL, requirement_id TEXT NOT NULL, org_id TEXT NOT NULL,"
     " project_id TEXT NOT NULL, date TEXT NOT NULL,"
     " PRIMARY KEY (network, requirement_id, org_id, project_id));"},
};

int benchmark_network_store_migrate(trin_store_t *s, trin_err_t *err) {
  return trin_store_migrate(s, "benchmark_networks", MIGRATIONS,
                            (int)(sizeof MIGRATIONS / sizeof *MIGRATIONS), err);
}

int benchmark_network_store_put(trin_store_t *s, const char *id, const char *name, bool open_inside,
                                const char *admin_org, trin_err_t *err) {
  TRIN_STMT("INSERT INTO bm_network (id, name, open_inside, admin_org) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(id) DO UPDATE SET name = excluded.name,"
            " open_inside = excluded.open_inside");
  trin_stmt_bind_text(st, 1, id);
  trin_stmt_bind_text(st, 2, name);
  trin_stmt_bind_int64(st, 3, open_inside);
  trin_stmt_bind_text(st, 4, admin_org);
  return trin_stmt_run(st, err);
}

int benchmark_network_store_member_put(trin_store_t *s, const char *network,
                                       const Trin__Benchmark__NetworkMember *m, trin_err_t *err) {
  TRIN_STMT("INSERT INTO bm_network_member (network, org_id, joined, left_on) VALUES (?, ?, ?, ?)"
            " ON CONFLICT(network, org_id) DO UPDATE SET joined = excluded.joined,"
            " left_on = excluded.left_on");
  trin_stmt_bind_text(st, 1, network);
  trin_stmt_bind_text(st, 2, m->org_id);
  trin_stmt_bind_text(st, 3, m->joined);
  trin_stmt_bind_text(st, 4, m->left ? m->left : "");
  return trin_stmt_run(st, err);
}

int benchmark_network_store_requirement_put(trin_store_t *s, const char *network,
                                            const Trin__Benchmark__NetworkRequirement *r,
                                            trin_err_t *err) {
  TRIN_STMT("INSERT INTO bm_network_requirement (network, id, title, reference, date)"
            " VALUES (?, ?, ?, ?, ?) ON CONFLICT(network, id) DO UPDATE SET"
            " title = excluded.title, reference = excluded.reference, date = excluded.date");
  trin_stmt_bind_text(st, 1, network);
  trin_stmt_bind_text(st, 2, r->id);
  trin_stmt_bind_text(st, 3, r->title);
  trin_stmt_bind_text(st, 4, r->reference);
  trin_stmt_bind_text(st, 5, r->date);
  return trin_stmt_run(st, err);
}

int benchmark_network_store_adoption_add(trin_store_t *s, const char *network,
                                         const Trin__Benchmark__NetworkAdoption *ad,
                                         trin_err_t *err) {
  TRIN_STMT("INSERT INTO bm_network_adoption (network, requirement_id, org_id, project_id, date)"
            " VALUES (?, ?, ?, ?, ?)");
  trin_stmt_bind_text(st, 1, network);
  trin_stmt_bind_text(st, 2, ad->requirement_id);
  trin_stmt_bind_text(st, 3, ad->org_id);
  trin_stmt_bind_text(st, 4, ad->project_id);
  trin_stmt_bind_text(st, 5, ad->date);
  int rc = trin_stmt_run(st, err);
  if (rc == TRIN_ECONFLICT)
    rc = trin_err_set(err, TRIN_ECONFLICT, "adoption",
                      "'%s' has already recorded adopting requirement '%s' in project '%s'",
                      ad->org_id, ad->requirement_id, ad->project_id);
  return rc;
}

/* Grows *v (n used, *cap slots) in the arena: the old slots stay behind,
 * which is fine for the handful of rows a network has. */
static bool grow(trin_arena_t *a, void ***v, size_t n, size_t *cap) {
  if (n < *cap) return true;
  size_t nc = *cap ? *cap * 2 : 8;
  void **nv = trin_arena_alloc(a, nc * sizeof *nv);
  if (!nv) return false;
  if (n) memcpy(nv, *v, n * sizeof *nv);
  *v = nv;
  *cap = nc;
  return true;
}

static int oom(trin_err_t *err) { return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory"); }

static int load_members(trin_store_t *s, const char *id, trin_arena_t *a,
                        Trin__Benchmark__Network *out, trin_err_t *err) {
  TRIN_STMT("SELECT org_id, joined, left_on FROM bm_network_member WHERE network = ?"
            " ORDER BY org_id");
  trin_stmt_bind_text(st, 1, id);
  size_t cap = 0;
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    Trin__Benchmark__NetworkMember *m = trin_arena_alloc(a, sizeof *m);
    if (!m || !grow(a, (void ***)&out->members, out->n_members, &cap)) {
      trin_stmt_reset(st);
      return oom(err);
    }
    trin__benchmark__network_member__init(m);
    m->org_id = trin_stmt_text_dup(st, 0, a);
    m->joined = trin_stmt_text_dup(st, 1, a);
    m->left = trin_stmt_text_dup(st, 2, a);
    out->members[out->n_members++] = m;
  }
  return rc;
}

static int load_requirements(trin_store_t *s, const char *id, trin_arena_t *a,
                             Trin__Benchmark__Network *out, trin_err_t *err) {
  TRIN_STMT("SELECT id, title, reference, date FROM bm_network_requirement WHERE network = ?"
            " ORDER BY date, id");
  trin_stmt_bind_text(st, 1, id);
  size_t cap = 0;
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    Trin__Benchmark__NetworkRequirement *r = trin_arena_alloc(a, sizeof *r);
    if (!r || !grow(a, (void ***)&out->requirements, out->n_requirements, &cap)) {
      trin_stmt_reset(st);
      return oom(err);
    }
    trin__benchmark__network_requirement__init(r);
    r->id = trin_stmt_text_dup(st, 0, a);
    r->title = trin_stmt_text_dup(st, 1, a);
    r->reference = trin_stmt_text_dup(st, 2, a);
    r->date = trin_stmt_text_dup(st, 3, a);
    out->requirements[out->n_requirements++] = r;
  }
  return rc;
}

static int load_adoptions(trin_store_t *s, const char *id, trin_arena_t *a,
                          Trin__Benchmark__Network *out, trin_err_t *err) {
  TRIN_STMT("SELECT requirement_id, org_id, project_id, date FROM bm_network_adoption"
            " WHERE network = ? ORDER BY date, requirement_id, org_id, project_id");
  trin_stmt_bind_text(st, 1, id);
  size_t cap = 0;
  int rc;
  while ((rc = trin_stmt_step(st, err)) == TRIN_STORE_ROW) {
    Trin__Benchmark__NetworkAdoption *d = trin_arena_alloc(a, sizeof *d);
    if (!d || !grow(a, (void ***)&out->adoptions, out->n_adoptions, &cap)) {
      trin_stmt_reset(st);
      return oom(err);
    }
    trin__benchmark__network_adoption__init(d);
    d->requirement_id = trin_stmt_text_dup(st, 0, a);
    d->org_id = trin_stmt_text_dup(st, 1, a);
    d->project_id = trin_stmt_text_dup(st, 2, a);
    d->date = trin_stmt_text_dup(st, 3, a);
    out->adoptions[out->n_adoptions++] = d;
  }
  return rc;
}

int benchmark_network_store_get(trin_store_t *s, const char *id, const char *field,
                                trin_arena_t *a, Trin__Benchmark__Network *out, trin_err_t *err) {
  trin__benchmark__network__init(out);
  int rc;
  {
    TRIN_STMT("SELECT id, name, open_inside, admin_org FROM bm_network WHERE id = ?");
    trin_stmt_bind_text(st, 1, id);
    rc = trin_stmt_step(st, err);
    if (rc == TRIN_STORE_ROW) {
      out->id = trin_stmt_text_dup(st, 0, a);
      out->name = trin_stmt_text_dup(st, 1, a);
      out->open_inside = trin_stmt_int64(st, 2) != 0;
      out->admin_org = trin_stmt_text_dup(st, 3, a);
      trin_stmt_reset(st);
      rc = TRIN_OK;
    } else if (rc == TRIN_OK) {
      return trin_access_not_found(err, field, "network", id);
    }
  }
  if (!rc) rc = load_members(s, id, a, out, err);
  if (!rc) rc = load_requirements(s, id, a, out, err);
  if (!rc) rc = load_adoptions(s, id, a, out, err);
  return rc;
}
