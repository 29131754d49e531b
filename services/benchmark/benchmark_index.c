/* benchmark_index — see benchmark_index.h. */
#include "benchmark_index.h"

#include <stdlib.h>
#include <string.h>

#define NYEARS (BM_YEAR_MAX - BM_YEAR_MIN + 1)
#define CACHE_SLOTS 128

/* ---- maps: open addressing, linear probing, kept at most half full ---------- */

typedef struct {
  const char **keys; /* borrowed from the entity */
  int32_t *vals;
  size_t cap, n;
} smap_t;

static uint64_t hash_str(const char *s) {
  uint64_t h = 1469598103934665603ull;
  for (; *s; s++) h = (h ^ (unsigned char)*s) * 1099511628211ull;
  return h;
}

static int32_t smap_get(const smap_t *m, const char *k) {
  if (!m->cap) return -1;
  for (size_t i = hash_str(k) & (m->cap - 1);; i = (i + 1) & (m->cap - 1)) {
    if (!m->keys[i]) return -1;
    if (strcmp(m->keys[i], k) == 0) return m->vals[i];
  }
}

static int smap_put(smap_t *m, const char *k, int32_t v) {
  if ((m->n + 1) * 2 > m->cap) {
    size_t nc = m->cap ? m->cap * 2 : 64;
    const char **nk = calloc(nc, sizeof *nk);
    int32_t *nv = calloc(nc, sizeof *nv);
    if (!nk || !nv) {
      free(nk);
      free(nv);
      return -1;
    }
    for (size_t i = 0; i < m->cap; i++)
      if (m->keys[i]) {
        size_t j = hash_str(m->keys[i]) & (nc - 1);
        while (nk[j]) j = (j + 1) & (nc - 1);
        nk[j] = m->keys[i];
        nv[j] = m->vals[i];
      }
    free(m->keys);
    free(m->vals);
    m->keys = nk;
    m->vals = nv;
    m->cap = nc;
  }
  size_t i = hash_str(k) & (m->cap - 1);
  while (m->keys[i] && strcmp(m->keys[i], k) != 0) i = (i + 1) & (m->cap - 1);
  if (!m->keys[i]) m->n++;
  m->keys[i] = k;
  m->vals[i] = v;
  return 0;
}

static void smap_free(smap_t *m) {
  free(m->keys);
  free(m->vals);
  memset(m, 0, sizeof *m);
}

/* ---- the index ------------------------------------------------------------------ */

typedef struct {
  int32_t prop;
  bm_measure_t m;
} rec_t;

typedef struct {
  rec_t *recs;
  size_t n, cap;
} year_t;

typedef struct {
  bool used;
  uint64_t generation;
  int f, year;
  bm_peer_t peer;
  bm_ranking_t r;
} slot_t;

struct bm_index {
  uint64_t generation;
  bm_org_t *orgs;
  size_t norgs, corgs;
  smap_t org_map;
  char **regions;
  size_t nregions, cregions;
  smap_t region_map;
  bm_prop_t *props;
  size_t nprops, cprops;
  smap_t prop_map;
  /* Per property, the position of its record in each year it has one:
   * pos[prop] is a small array of (year offset, index) pairs. */
  struct {
    int16_t year;
    int32_t at;
  } **ppos;
  uint8_t *ppos_n, *ppos_c;
  size_t cppos;
  year_t years[NYEARS];
  size_t nmeasures;
  bm_proj_t *projs;
  size_t nprojs, cprojs;
  smap_t proj_map;
  slot_t cache[CACHE_SLOTS];
  /* Scratch for rankings, one cell per organisation. */
  bm_wide_t *s_num, *s_den;
  int32_t *s_cnt;
  size_t s_cap;
};

static int grow(void **p, size_t *cap, size_t need, size_t size) {
  if (need <= *cap) return 0;
  size_t nc = *cap ? *cap * 2 : 16;
  while (nc < need) nc *= 2;
  void *np = realloc(*p, nc * size);
  if (!np) return -1;
  memset((char *)np + *cap * size, 0, (nc - *cap) * size);
  *p = np;
  *cap = nc;
  return 0;
}

bm_index_t *bm_index_new(void) { return calloc(1, sizeof(bm_index_t)); }

static void cache_drop(bm_index_t *ix) {
  for (int i = 0; i < CACHE_SLOTS; i++) {
    free(ix->cache[i].r.items);
    memset(&ix->cache[i], 0, sizeof ix->cache[i]);
  }
}

void bm_index_cache_clear(bm_index_t *ix) { cache_drop(ix); }

void bm_index_clear(bm_index_t *ix) {
  cache_drop(ix);
  for (size_t i = 0; i < ix->norgs; i++) {
    free(ix->orgs[i].id);
    free(ix->orgs[i].name);
  }
  for (size_t i = 0; i < ix->nregions; i++) free(ix->regions[i]);
  for (size_t i = 0; i < ix->nprops; i++) {
    free(ix->props[i].id);
    free(ix->ppos[i]);
  }
  for (size_t i = 0; i < ix->nprojs; i++) free(ix->projs[i].id);
  for (int y = 0; y < NYEARS; y++) free(ix->years[y].recs);
  free(ix->orgs);
  free(ix->regions);
  free(ix->props);
  free(ix->ppos);
  free(ix->ppos_n);
  free(ix->ppos_c);
  free(ix->projs);
  free(ix->s_num);
  free(ix->s_den);
  free(ix->s_cnt);
  smap_free(&ix->org_map);
  smap_free(&ix->region_map);
  smap_free(&ix->prop_map);
  smap_free(&ix->proj_map);
  uint64_t g = ix->generation + 1;
  memset(ix, 0, sizeof *ix);
  ix->generation = g;
}

void bm_index_destroy(bm_index_t **pix) {
  if (!pix || !*pix) return;
  bm_index_clear(*pix);
  free(*pix);
  *pix = NULL;
}

uint64_t bm_index_generation(const bm_index_t *ix) { return ix->generation; }

static void changed(bm_index_t *ix) { ix->generation++; }

/* ---- organisations ----------------------------------------------------------------- */

int32_t bm_index_org_find(const bm_index_t *ix, const char *id) {
  return smap_get(&ix->org_map, id);
}

int32_t bm_index_org_set(bm_index_t *ix, const char *id, const char *name, bool open) {
  int32_t i = smap_get(&ix->org_map, id);
  char *nn = strdup(name ? name : "");
  if (!nn) return -1;
  if (i >= 0) {
    free(ix->orgs[i].name);
    ix->orgs[i].name = nn;
    ix->orgs[i].open = open;
    changed(ix);
    return i;
  }
  char *nid = strdup(id);
  if (!nid || grow((void **)&ix->orgs, &ix->corgs, ix->norgs + 1, sizeof *ix->orgs)) {
    free(nid);
    free(nn);
    return -1;
  }
  i = (int32_t)ix->norgs;
  ix->orgs[i] = (bm_org_t){nid, nn, open};
  if (smap_put(&ix->org_map, nid, i)) {
    free(nid);
    free(nn);
    return -1;
  }
  ix->norgs++;
  changed(ix);
  return i;
}

const bm_org_t *bm_index_org(const bm_index_t *ix, int32_t org) {
  return org >= 0 && (size_t)org < ix->norgs ? &ix->orgs[org] : NULL;
}
size_t bm_index_org_count(const bm_index_t *ix) { return ix->norgs; }

/* ---- regions ------------------------------------------------------------------------- */

int32_t bm_index_region_find(const bm_index_t *ix, const char *r) {
  if (!r || !*r) return -1;
  int32_t i = smap_get(&ix->region_map, r);
  return i >= 0 ? i : -2;
}

int32_t bm_index_region(bm_index_t *ix, const char *r) {
  if (!r || !*r) return -1;
  int32_t i = smap_get(&ix->region_map, r);
  if (i >= 0) return i;
  char *c = strdup(r);
  if (!c || grow((void **)&ix->regions, &ix->cregions, ix->nregions + 1, sizeof *ix->regions)) {
    free(c);
    return -1;
  }
  i = (int32_t)ix->nregions;
  ix->regions[i] = c;
  if (smap_put(&ix->region_map, c, i)) {
    free(c);
    return -1;
  }
  ix->nregions++;
  return i;
}

/* ---- properties and measures -------------------------------------------------------- */

int32_t bm_index_property_find(const bm_index_t *ix, const char *id) {
  return smap_get(&ix->prop_map, id);
}
const bm_prop_t *bm_index_property(const bm_index_t *ix, int32_t i) {
  return i >= 0 && (size_t)i < ix->nprops ? &ix->props[i] : NULL;
}
size_t bm_index_property_count(const bm_index_t *ix) { return ix->nprops; }
size_t bm_index_measure_count(const bm_index_t *ix) { return ix->nmeasures; }

int32_t bm_index_property_set(bm_index_t *ix, const char *id, int32_t org, int type,
                              int64_t area, const char *region) {
  int32_t reg = bm_index_region(ix, region);
  if (region && *region && reg < 0) return -1;
  int32_t i = smap_get(&ix->prop_map, id);
  if (i < 0) {
    char *nid = strdup(id);
    if (!nid || grow((void **)&ix->props, &ix->cprops, ix->nprops + 1, sizeof *ix->props)) {
      free(nid);
      return -1;
    }
    /* The three per-property position arrays grow together. */
    size_t c2 = ix->cppos, c3 = ix->cppos, c4 = ix->cppos;
    if (grow((void **)&ix->ppos, &c2, ix->nprops + 1, sizeof *ix->ppos) ||
        grow((void **)&ix->ppos_n, &c3, ix->nprops + 1, 1) ||
        grow((void **)&ix->ppos_c, &c4, ix->nprops + 1, 1) || c2 != c3 || c3 != c4) {
      free(nid);
      return -1;
    }
    ix->cppos = c2;
    i = (int32_t)ix->nprops;
    ix->props[i].id = nid;
    if (smap_put(&ix->prop_map, nid, i)) {
      free(nid);
      return -1;
    }
    ix->nprops++;
  }
  bm_prop_t *p = &ix->props[i];
  p->org = org;
  p->type = (int8_t)type;
  p->band = (int8_t)bm_size_band(area);
  p->region = reg;
  p->area_m2 = area;
  changed(ix);
  return i;
}

int bm_index_measure_set(bm_index_t *ix, int32_t prop, int year, const bm_measure_t *m) {
  if (prop < 0 || (size_t)prop >= ix->nprops || year < BM_YEAR_MIN || year > BM_YEAR_MAX)
    return -1;
  int16_t yo = (int16_t)(year - BM_YEAR_MIN);
  year_t *y = &ix->years[yo];
  uint8_t n = ix->ppos_n[prop];
  for (uint8_t k = 0; k < n; k++)
    if (ix->ppos[prop][k].year == yo) {
      y->recs[ix->ppos[prop][k].at].m = *m;
      changed(ix);
      return 0;
    }
  if (n == 255) return -1;
  if (n == ix->ppos_c[prop]) {
    uint8_t nc = ix->ppos_c[prop] ? (uint8_t)(ix->ppos_c[prop] >= 128 ? 255 : ix->ppos_c[prop] * 2) : 4;
    void *np = realloc(ix->ppos[prop], nc * sizeof **ix->ppos);
    if (!np) return -1;
    ix->ppos[prop] = np;
    ix->ppos_c[prop] = nc;
  }
  if (grow((void **)&y->recs, &y->cap, y->n + 1, sizeof *y->recs)) return -1;
  y->recs[y->n] = (rec_t){prop, *m};
  ix->ppos[prop][n].year = yo;
  ix->ppos[prop][n].at = (int32_t)y->n;
  ix->ppos_n[prop] = (uint8_t)(n + 1);
  y->n++;
  ix->nmeasures++;
  changed(ix);
  return 0;
}

/* ---- projects -------------------------------------------------------------------------- */

int32_t bm_index_project_find(const bm_index_t *ix, const char *id) {
  return smap_get(&ix->proj_map, id);
}
const bm_proj_t *bm_index_project(const bm_index_t *ix, int32_t i) {
  return i >= 0 && (size_t)i < ix->nprojs ? &ix->projs[i] : NULL;
}

int32_t bm_index_project_set(bm_index_t *ix, const char *id, int32_t org,
                             bool partnership_known, bool in_partnership,
                             const bm_project_t *p) {
  int32_t i = smap_get(&ix->proj_map, id);
  if (i < 0) {
    char *nid = strdup(id);
    if (!nid || grow((void **)&ix->projs, &ix->cprojs, ix->nprojs + 1, sizeof *ix->projs)) {
      free(nid);
      return -1;
    }
    i = (int32_t)ix->nprojs;
    ix->projs[i].id = nid;
    if (smap_put(&ix->proj_map, nid, i)) {
      free(nid);
      return -1;
    }
    ix->nprojs++;
  }
  bm_proj_t *j = &ix->projs[i];
  j->org = org;
  j->partnership_known = partnership_known;
  j->in_partnership = in_partnership;
  j->p = *p;
  changed(ix);
  return i;
}

/* ---- rankings ---------------------------------------------------------------------------- */

static bool peer_eq(const bm_peer_t *a, const bm_peer_t *b) {
  return a->type == b->type && a->band == b->band && a->region == b->region;
}

static bool peer_match(const bm_peer_t *peer, const bm_prop_t *p) {
  return (peer->type < 0 || peer->type == p->type) &&
         (peer->band < 0 || peer->band == p->band) &&
         (peer->region == -1 || peer->region == p->region);
}

static int compute(bm_index_t *ix, int f, int year, const bm_peer_t *peer, bm_ranking_t *r) {
  const bm_figure_t *fig = &bm_figures[f];
  if (ix->s_cap < ix->norgs) {
    free(ix->s_num);
    free(ix->s_den);
    free(ix->s_cnt);
    ix->s_num = calloc(ix->norgs, sizeof *ix->s_num);
    ix->s_den = calloc(ix->norgs, sizeof *ix->s_den);
    ix->s_cnt = calloc(ix->norgs, sizeof *ix->s_cnt);
    ix->s_cap = ix->norgs;
    if (!ix->s_num || !ix->s_den || !ix->s_cnt) {
      ix->s_cap = 0;
      return -1;
    }
  }
  /* Invariant: the scratch cells are all zero between computations; the
   * orgs touched are listed in `touched` and zeroed again at the end. */
  int32_t *touched = NULL;
  size_t nt = 0, ct = 0;
  int rc = 0;
#define ADD(org, num, den)                                                          \
  do {                                                                              \
    if (ix->s_cnt[org] == 0) {                                                      \
      if (grow((void **)&touched, &ct, nt + 1, sizeof *touched)) {                  \
        rc = -1;                                                                    \
        goto done;                                                                  \
      }                                                                             \
      touched[nt++] = org;                                                          \
    }                                                                               \
    ix->s_num[org] += (num);                                                        \
    ix->s_den[org] += (den);                                                        \
    ix->s_cnt[org]++;                                                               \
  } while (0)
  if (fig->kind == BM_KIND_PROPERTY) {
    if (year < BM_YEAR_MIN || year > BM_YEAR_MAX) goto rank;
    const year_t *y = &ix->years[year - BM_YEAR_MIN];
    bool any = peer->type < 0 && peer->band < 0 && peer->region == -1;
    for (size_t i = 0; i < y->n; i++) {
      const rec_t *rec = &y->recs[i];
      const bm_prop_t *p = &ix->props[rec->prop];
      if (p->org < 0 || (!any && !peer_match(peer, p))) continue;
      bm_wide_t num, den;
      if (!fig->property_term(&rec->m, p->area_m2, &num, &den)) continue;
      ADD(p->org, num, den);
    }
  } else {
    for (size_t i = 0; i < ix->nprojs; i++) {
      const bm_proj_t *j = &ix->projs[i];
      bm_wide_t num, den;
      if (j->org < 0 || !fig->project_term(&j->p, &num, &den)) continue;
      ADD(j->org, num, den);
    }
  }
#undef ADD
rank:
  r->items = nt ? malloc(nt * sizeof *r->items) : NULL;
  if (nt && !r->items) {
    rc = -1;
    goto done;
  }
  r->n = 0;
  for (size_t k = 0; k < nt; k++) {
    int32_t o = touched[k];
    int64_t v;
    if (!bm_figure_value(fig, ix->s_num[o], ix->s_den[o], &v)) continue;
    r->items[r->n++] = (bm_ranked_t){o, ix->orgs[o].id, v, ix->s_cnt[o], 0, 0};
  }
  bm_rank(r->items, r->n, fig->direction);
  {
    int64_t *asc = r->n ? malloc(r->n * sizeof *asc) : NULL;
    if (r->n && !asc) {
      rc = -1;
      goto done;
    }
    for (size_t k = 0; k < r->n; k++)
      asc[k] = r->items[fig->direction == BM_LOWER_IS_BETTER ? k : r->n - 1 - k].value;
    bm_distribution(asc, r->n, &r->dist);
    free(asc);
  }
done:
  for (size_t k = 0; k < nt; k++) {
    ix->s_num[touched[k]] = 0;
    ix->s_den[touched[k]] = 0;
    ix->s_cnt[touched[k]] = 0;
  }
  free(touched);
  if (rc) {
    free(r->items);
    r->items = NULL;
    r->n = 0;
  }
  return rc;
}

int bm_index_rank(bm_index_t *ix, int f, int year, const bm_peer_t *peer,
                  const bm_ranking_t **out) {
  static const bm_peer_t any = {-1, -1, -1};
  if (bm_figures[f].kind == BM_KIND_PORTFOLIO) {
    year = 0;
    peer = &any;
  }
  uint64_t h = (uint64_t)f * 1315423911u ^ (uint64_t)(year + 7) * 2654435761u ^
               (uint64_t)(peer->type + 3) * 97 ^ (uint64_t)(peer->band + 3) * 389 ^
               (uint64_t)(peer->region + 3) * 7919;
  slot_t *s = &ix->cache[h % CACHE_SLOTS];
  if (s->used && s->generation == ix->generation && s->f == f && s->year == year &&
      peer_eq(&s->peer, peer)) {
    *out = &s->r;
    return 0;
  }
  free(s->r.items);
  memset(s, 0, sizeof *s);
  if (compute(ix, f, year, peer, &s->r)) return -1;
  s->used = true;
  s->generation = ix->generation;
  s->f = f;
  s->year = year;
  s->peer = *peer;
  *out = &s->r;
  return 0;
}

void bm_index_compare(const bm_index_t *ix, int f, int32_t org, bm_side_t *in,
                      bm_side_t *out) {
  const bm_figure_t *fig = &bm_figures[f];
  bm_wide_t n[2] = {0, 0}, d[2] = {0, 0};
  int32_t c[2] = {0, 0};
  for (size_t i = 0; i < ix->nprojs; i++) {
    const bm_proj_t *j = &ix->projs[i];
    bm_wide_t num, den;
    if (!j->partnership_known || (org >= 0 && j->org != org)) continue;
    if (!fig->project_term || !fig->project_term(&j->p, &num, &den)) continue;
    int side = j->in_partnership ? 0 : 1;
    n[side] += num;
    d[side] += den;
    c[side]++;
  }
  bm_side_t *sides[2] = {in, out};
  for (int k = 0; k < 2; k++) {
    memset(sides[k], 0, sizeof *sides[k]);
    sides[k]->count = c[k];
    sides[k]->has_value = bm_figure_value(fig, n[k], d[k], &sides[k]->value);
  }
}
