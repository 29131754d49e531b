/* benchmark_index — see benchmark_index.h. */
#include "benchmark_index.h"

#include <stdlib.h>
#include <string.h>

#include "trin_strmap.h"

#define NYEARS (BENCHMARK_YEAR_MAX - BENCHMARK_YEAR_MIN + 1)
#define CACHE_SLOTS 128

/* ---- the index ------------------------------------------------------------------ */

typedef struct {
  char *id;
  int32_t org;         /* -1 until the lifecycle (or survey) names the client */
  bool in_partnership;
  bool partnership_known;
  benchmark_project_t p;      /* the current state: the timeline's last row */
  benchmark_project_year_t *years; /* ascending; the project counts from years[0] */
  size_t nyears;
} proj_t;

typedef struct {
  int32_t prop;
  benchmark_measure_t m;
} rec_t;

typedef struct {
  benchmark_wide_t num, den;
  int32_t cnt;
} psum_t;

/* osum: per organisation (norg_cap of them) and property figure, the summed
 * terms of its properties' records this year, over all peer groups. An
 * unfiltered ranking reads them instead of scanning the records (which is
 * memory-bound: 72 bytes a record). Invariant: they equal what a scan of
 * recs would sum, for every organisation < norg_cap; above it, zero. */
typedef struct {
  rec_t *recs;
  size_t n, cap;
  psum_t (*osum)[BENCHMARK_PROPERTY_FIGURES];
  size_t norg_cap;
} year_t;

/* Portfolio sums: per figure and side (0 inside, 1 outside, 2 partnership
 * unknown) the summed terms of an organisation's projects at a year's end. */
#define NPF (BENCHMARK_FIG_COUNT - BENCHMARK_PROPERTY_FIGURES)
typedef struct {
  int32_t year;
  psum_t s[NPF][3];
} pcell_t;
/* One holder per organisation (index org + 1; 0 = projects without a
 * client): cells ascending by year. Invariant: the sums of a year without a
 * cell are those of the last cell before it (none before the first). */
typedef struct {
  pcell_t *cells;
  size_t n, cap;
} pagg_t;

typedef struct {
  bool used;
  uint64_t generation;
  int f, year;
  benchmark_peer_t peer;
  benchmark_ranking_t r;
} slot_t;

struct benchmark_index {
  uint64_t generation;
  benchmark_org_t *orgs;
  size_t norgs, corgs;
  trin_strmap_t org_map;
  char **regions;
  size_t nregions, cregions;
  trin_strmap_t region_map;
  benchmark_prop_t *props;
  size_t nprops, cprops;
  trin_strmap_t prop_map;
  /* Per property, the position of its record in each year it has one:
   * pos[prop] is a small array of (year offset, index) pairs. */
  struct {
    int16_t year;
    int32_t at;
  } **ppos;
  uint8_t *ppos_n, *ppos_c;
  size_t cppos;
  year_t years[NYEARS];
  proj_t *projs;
  size_t nprojs, cprojs;
  trin_strmap_t proj_map;
  pagg_t *pagg;
  size_t npagg;
  slot_t cache[CACHE_SLOTS];
  /* Scratch for rankings, one cell per organisation. */
  benchmark_wide_t *s_num, *s_den;
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

benchmark_index_t *benchmark_index_new(void) { return calloc(1, sizeof(benchmark_index_t)); }

static void cache_drop(benchmark_index_t *ix) {
  for (int i = 0; i < CACHE_SLOTS; i++) {
    free(ix->cache[i].r.items);
    memset(&ix->cache[i], 0, sizeof ix->cache[i]);
  }
}

void benchmark_index_clear(benchmark_index_t *ix) {
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
  for (size_t i = 0; i < ix->nprojs; i++) {
    free(ix->projs[i].id);
    free(ix->projs[i].years);
  }
  for (size_t i = 0; i < ix->npagg; i++) free(ix->pagg[i].cells);
  free(ix->pagg);
  for (int y = 0; y < NYEARS; y++) {
    free(ix->years[y].recs);
    free(ix->years[y].osum);
  }
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
  trin_strmap_free(&ix->org_map);
  trin_strmap_free(&ix->region_map);
  trin_strmap_free(&ix->prop_map);
  trin_strmap_free(&ix->proj_map);
  uint64_t g = ix->generation + 1;
  memset(ix, 0, sizeof *ix);
  ix->generation = g;
}

void benchmark_index_destroy(benchmark_index_t **pix) {
  if (!pix || !*pix) return;
  benchmark_index_clear(*pix);
  free(*pix);
  *pix = NULL;
}

static void changed(benchmark_index_t *ix) { ix->generation++; }

/* ---- organisations ----------------------------------------------------------------- */

int32_t benchmark_index_org_find(const benchmark_index_t *ix, const char *id) {
  return trin_strmap_get(&ix->org_map, id);
}

int32_t benchmark_index_org_set(benchmark_index_t *ix, const char *id, const char *name,
                                bool open) {
  int32_t i = trin_strmap_get(&ix->org_map, id);
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
  ix->orgs[i] = (benchmark_org_t){nid, nn, open};
  if (trin_strmap_put(&ix->org_map, nid, i)) {
    free(nid);
    free(nn);
    return -1;
  }
  ix->norgs++;
  changed(ix);
  return i;
}

const benchmark_org_t *benchmark_index_org(const benchmark_index_t *ix, int32_t org) {
  return org >= 0 && (size_t)org < ix->norgs ? &ix->orgs[org] : NULL;
}

/* ---- regions ------------------------------------------------------------------------- */

int32_t benchmark_index_region_find(const benchmark_index_t *ix, const char *r) {
  if (!r || !*r) return -1;
  int32_t i = trin_strmap_get(&ix->region_map, r);
  return i >= 0 ? i : -2;
}

/* Interns region r; -1 for "" or on OOM. */
static int32_t region_intern(benchmark_index_t *ix, const char *r) {
  if (!r || !*r) return -1;
  int32_t i = trin_strmap_get(&ix->region_map, r);
  if (i >= 0) return i;
  char *c = strdup(r);
  if (!c || grow((void **)&ix->regions, &ix->cregions, ix->nregions + 1, sizeof *ix->regions)) {
    free(c);
    return -1;
  }
  i = (int32_t)ix->nregions;
  ix->regions[i] = c;
  if (trin_strmap_put(&ix->region_map, c, i)) {
    free(c);
    return -1;
  }
  ix->nregions++;
  return i;
}

/* ---- properties and measures -------------------------------------------------------- */

int32_t benchmark_index_property_find(const benchmark_index_t *ix, const char *id) {
  return trin_strmap_get(&ix->prop_map, id);
}
const benchmark_prop_t *benchmark_index_property(const benchmark_index_t *ix, int32_t i) {
  return i >= 0 && (size_t)i < ix->nprops ? &ix->props[i] : NULL;
}

/* Makes room for organisation org's sums in year yo; -1 on OOM. */
static int osum_room(benchmark_index_t *ix, int yo, int32_t org) {
  year_t *y = &ix->years[yo];
  return org < 0 ? 0 : grow((void **)&y->osum, &y->norg_cap, (size_t)org + 1, sizeof *y->osum);
}

/* Adds (sign 1) or takes away (-1) one record's terms from its
 * organisation's sums. Room must have been made (osum_room). */
static void osum_apply(benchmark_index_t *ix, int yo, int32_t org, const benchmark_measure_t *m,
                       int64_t area, int sign) {
  if (org < 0) return;
  psum_t *cell = ix->years[yo].osum[org];
  for (int f = 0; f < BENCHMARK_PROPERTY_FIGURES; f++) {
    benchmark_wide_t num, den;
    if (!benchmark_figures[f].property_term(m, area, &num, &den)) continue;
    cell[f].num += sign * num;
    cell[f].den += sign * den;
    cell[f].cnt += sign;
  }
}

int32_t benchmark_index_property_set(benchmark_index_t *ix, const char *id, int32_t org, int type,
                                     int64_t area, const char *region) {
  int32_t reg = region_intern(ix, region);
  if (region && *region && reg < 0) return -1;
  int32_t i = trin_strmap_get(&ix->prop_map, id);
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
    if (trin_strmap_put(&ix->prop_map, nid, i)) {
      free(nid);
      return -1;
    }
    ix->nprops++;
  }
  benchmark_prop_t *p = &ix->props[i];
  if (p->org != org || p->area_m2 != area) { /* its records count elsewhere, or differently */
    for (uint8_t k = 0; k < ix->ppos_n[i]; k++)
      if (osum_room(ix, ix->ppos[i][k].year, org)) return -1;
    for (uint8_t k = 0; k < ix->ppos_n[i]; k++) {
      int yo = ix->ppos[i][k].year;
      const benchmark_measure_t *m = &ix->years[yo].recs[ix->ppos[i][k].at].m;
      osum_apply(ix, yo, p->org, m, p->area_m2, -1);
      osum_apply(ix, yo, org, m, area, 1);
    }
  }
  p->org = org;
  p->type = (int8_t)type;
  p->band = (int8_t)benchmark_size_band(area);
  p->region = reg;
  p->area_m2 = area;
  changed(ix);
  return i;
}

int benchmark_index_measure_set(benchmark_index_t *ix, int32_t prop, int year,
                                const benchmark_measure_t *m) {
  if (prop < 0 || (size_t)prop >= ix->nprops || year < BENCHMARK_YEAR_MIN ||
      year > BENCHMARK_YEAR_MAX)
    return -1;
  int16_t yo = (int16_t)(year - BENCHMARK_YEAR_MIN);
  year_t *y = &ix->years[yo];
  const benchmark_prop_t *p = &ix->props[prop];
  if (osum_room(ix, yo, p->org)) return -1;
  uint8_t n = ix->ppos_n[prop];
  for (uint8_t k = 0; k < n; k++)
    if (ix->ppos[prop][k].year == yo) {
      benchmark_measure_t *old = &y->recs[ix->ppos[prop][k].at].m;
      osum_apply(ix, yo, p->org, old, p->area_m2, -1);
      *old = *m;
      osum_apply(ix, yo, p->org, m, p->area_m2, 1);
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
  osum_apply(ix, yo, p->org, m, p->area_m2, 1);
  ix->ppos[prop][n].year = yo;
  ix->ppos[prop][n].at = (int32_t)y->n;
  ix->ppos_n[prop] = (uint8_t)(n + 1);
  y->n++;
  changed(ix);
  return 0;
}

/* ---- projects -------------------------------------------------------------------------- */

/* The holder of org's sums (org -1: projects without a client). */
static pagg_t *pagg_of(benchmark_index_t *ix, int32_t org) {
  size_t h = (size_t)(org + 1);
  if (h >= ix->npagg) {
    size_t nc = ix->npagg ? ix->npagg : 16;
    while (nc <= h) nc *= 2;
    pagg_t *np = realloc(ix->pagg, nc * sizeof *np);
    if (!np) return NULL;
    memset(np + ix->npagg, 0, (nc - ix->npagg) * sizeof *np);
    ix->pagg = np;
    ix->npagg = nc;
  }
  return &ix->pagg[h];
}

/* The last cell at or before year, or NULL. */
static const pcell_t *pagg_at(const pagg_t *a, int year) {
  size_t lo = 0, hi = a->n;
  while (lo < hi) {
    size_t mid = (lo + hi) / 2;
    if (a->cells[mid].year <= year) lo = mid + 1;
    else hi = mid;
  }
  return lo ? &a->cells[lo - 1] : NULL;
}

/* Ensures a cell for year, carrying the one before it forward. */
static int pagg_cell(pagg_t *a, int year) {
  size_t i = 0;
  while (i < a->n && a->cells[i].year < year) i++;
  if (i < a->n && a->cells[i].year == year) return 0;
  if (grow((void **)&a->cells, &a->cap, a->n + 1, sizeof *a->cells)) return -1;
  memmove(&a->cells[i + 1], &a->cells[i], (a->n - i) * sizeof *a->cells);
  if (i > 0) a->cells[i] = a->cells[i - 1];
  else memset(&a->cells[i], 0, sizeof a->cells[i]);
  a->cells[i].year = year;
  a->n++;
  return 0;
}

/* Adds (sign 1) or removes (sign -1) project j's terms in every cell. */
static void pagg_add(pagg_t *a, const proj_t *j, int sign) {
  int side = !j->partnership_known ? 2 : j->in_partnership ? 0 : 1;
  for (size_t c = 0; c < a->n; c++) {
    const benchmark_project_t *p = benchmark_timeline_at(j->years, j->nyears, a->cells[c].year);
    if (!p) continue;
    for (int k = 0; k < NPF; k++) {
      benchmark_wide_t num, den;
      if (!benchmark_figures[BENCHMARK_PROPERTY_FIGURES + k].project_term(p, &num, &den)) continue;
      psum_t *ps = &a->cells[c].s[k][side];
      ps->num += sign * num;
      ps->den += sign * den;
      ps->cnt += sign;
    }
  }
}

int32_t benchmark_index_project_set(benchmark_index_t *ix, const char *id, int32_t org,
                                    bool partnership_known, bool in_partnership,
                                    const benchmark_project_year_t *years, size_t nyears) {
  benchmark_project_year_t *ny = NULL;
  if (nyears) {
    ny = malloc(nyears * sizeof *ny);
    if (!ny) return -1;
    memcpy(ny, years, nyears * sizeof *ny);
  }
  pagg_t *to = pagg_of(ix, org);
  if (!to) {
    free(ny);
    return -1;
  }
  int32_t i = trin_strmap_get(&ix->proj_map, id);
  if (i < 0) {
    char *nid = strdup(id);
    if (!nid || grow((void **)&ix->projs, &ix->cprojs, ix->nprojs + 1, sizeof *ix->projs)) {
      free(nid);
      free(ny);
      return -1;
    }
    i = (int32_t)ix->nprojs;
    memset(&ix->projs[i], 0, sizeof ix->projs[i]);
    ix->projs[i].id = nid;
    ix->projs[i].org = -1;
    if (trin_strmap_put(&ix->proj_map, nid, i)) {
      free(nid);
      free(ny);
      return -1;
    }
    ix->nprojs++;
  }
  proj_t *j = &ix->projs[i];
  /* The old terms out (the holder exists: the project was added through it),
   * the new timeline in, its years as cells, the new terms in. */
  changed(ix);
  if (j->nyears) pagg_add(&ix->pagg[j->org + 1], j, -1);
  free(j->years);
  j->org = org;
  j->partnership_known = partnership_known;
  j->in_partnership = in_partnership;
  j->years = ny;
  j->nyears = nyears;
  memset(&j->p, 0, sizeof j->p);
  if (nyears) j->p = ny[nyears - 1].p;
  to = &ix->pagg[org + 1]; /* pagg_of above made room */
  for (size_t k = 0; k < nyears; k++)
    if (pagg_cell(to, ny[k].year)) {
      j->years = NULL; /* out of the sums, consistently; the caller rebuilds */
      j->nyears = 0;
      free(ny);
      return -1;
    }
  pagg_add(to, j, 1);
  return i;
}

/* ---- rankings ---------------------------------------------------------------------------- */

static bool peer_eq(const benchmark_peer_t *a, const benchmark_peer_t *b) {
  return a->type == b->type && a->band == b->band && a->region == b->region;
}

static bool peer_match(const benchmark_peer_t *peer, const benchmark_prop_t *p) {
  return (peer->type < 0 || peer->type == p->type) &&
         (peer->band < 0 || peer->band == p->band) &&
         (peer->region == -1 || peer->region == p->region);
}

static int compute(benchmark_index_t *ix, int f, int year, const benchmark_peer_t *peer,
                   benchmark_ranking_t *r) {
  const benchmark_figure_t *fig = &benchmark_figures[f];
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
  if (fig->kind == BENCHMARK_KIND_PROPERTY) {
    if (year < BENCHMARK_YEAR_MIN || year > BENCHMARK_YEAR_MAX) goto rank;
    const year_t *y = &ix->years[year - BENCHMARK_YEAR_MIN];
    bool any = peer->type < 0 && peer->band < 0 && peer->region == -1;
    if (any) { /* every peer: the organisations' sums, kept as records change */
      for (size_t o = 0; o < y->norg_cap && o < ix->norgs; o++) {
        const psum_t *c = &y->osum[o][f];
        if (c->cnt <= 0) continue;
        ADD((int32_t)o, c->num, c->den);
        ix->s_cnt[o] = c->cnt;
      }
      goto rank;
    }
    for (size_t i = 0; i < y->n; i++) {
      const rec_t *rec = &y->recs[i];
      const benchmark_prop_t *p = &ix->props[rec->prop];
      if (p->org < 0 || (!any && !peer_match(peer, p))) continue;
      benchmark_wide_t num, den;
      if (!fig->property_term(&rec->m, p->area_m2, &num, &den)) continue;
      ADD(p->org, num, den);
    }
  } else {
    /* One cell per organisation: its sums at the end of the year. */
    int yy = year == 0 ? BENCHMARK_YEAR_MAX : year;
    int k = f - BENCHMARK_PROPERTY_FIGURES;
    for (size_t h = 1; h < ix->npagg && h <= ix->norgs; h++) {
      const pcell_t *c = pagg_at(&ix->pagg[h], yy);
      if (!c) continue;
      int32_t o = (int32_t)(h - 1);
      psum_t t = {0, 0, 0};
      for (int side = 0; side < 3; side++) {
        t.num += c->s[k][side].num;
        t.den += c->s[k][side].den;
        t.cnt += c->s[k][side].cnt;
      }
      if (t.cnt <= 0) continue;
      ADD(o, t.num, t.den);
      ix->s_cnt[o] = t.cnt; /* the projects behind the value */
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
    if (!benchmark_figure_value(fig, ix->s_num[o], ix->s_den[o], &v)) continue;
    r->items[r->n++] = (benchmark_ranked_t){o, ix->orgs[o].id, v, ix->s_cnt[o], 0, 0};
  }
  benchmark_rank(r->items, r->n, fig->direction);
  {
    int64_t *asc = r->n ? malloc(r->n * sizeof *asc) : NULL;
    if (r->n && !asc) {
      rc = -1;
      goto done;
    }
    for (size_t k = 0; k < r->n; k++)
      asc[k] = r->items[fig->direction == BENCHMARK_LOWER_IS_BETTER ? k : r->n - 1 - k].value;
    benchmark_distribution(asc, r->n, &r->dist);
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

int benchmark_index_rank(benchmark_index_t *ix, int f, int year, const benchmark_peer_t *peer,
                         const benchmark_ranking_t **out) {
  static const benchmark_peer_t any = {-1, -1, -1};
  if (benchmark_figures[f].kind == BENCHMARK_KIND_PORTFOLIO) peer = &any;
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

void benchmark_index_compare(const benchmark_index_t *ix, int f, int32_t org, int year,
                             benchmark_side_t *in, benchmark_side_t *out) {
  const benchmark_figure_t *fig = &benchmark_figures[f];
  benchmark_wide_t n[2] = {0, 0}, d[2] = {0, 0};
  int32_t c[2] = {0, 0};
  int yy = year == 0 ? BENCHMARK_YEAR_MAX : year;
  int k = f - BENCHMARK_PROPERTY_FIGURES;
  for (size_t h = 0; k >= 0 && h < ix->npagg; h++) {
    if (org >= 0 && h != (size_t)org + 1) continue;
    const pcell_t *cell = pagg_at(&ix->pagg[h], yy);
    if (!cell) continue;
    for (int side = 0; side < 2; side++) {
      n[side] += cell->s[k][side].num;
      d[side] += cell->s[k][side].den;
      c[side] += cell->s[k][side].cnt;
    }
  }
  benchmark_side_t *sides[2] = {in, out};
  for (int s2 = 0; s2 < 2; s2++) {
    memset(sides[s2], 0, sizeof *sides[s2]);
    sides[s2]->count = c[s2];
    sides[s2]->has_value =
        c[s2] > 0 && benchmark_figure_value(fig, n[s2], d[s2], &sides[s2]->value);
  }
}
