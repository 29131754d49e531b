/* benchmark_index — the benchmark service's figures in memory, so that a
 * distribution + ranking query never touches SQLite: organisations,
 * properties and projects in dense arrays with id maps; each year's
 * property measures in one contiguous array (scanned once per query); and a
 * small cache of finished rankings per (figure, year, peer group).
 *
 * The store is the truth; the index is rebuilt from it at start
 * (benchmark_store_load) and updated after every committed change. Any
 * change bumps `generation`, which invalidates the cached rankings.
 *
 * Portfolio figures are kept per organisation and year: each project has
 * a timeline (its state per year of change, see bm_timeline_apply), and
 * each organisation keeps, per year in which one of its projects changed,
 * the summed terms of its projects' states at the end of that year for
 * every portfolio figure, split inside / outside / unknown partnership. A
 * year without its own cell carries the last earlier one forward. A project
 * change subtracts the project's old terms from its organisation's cells
 * and adds the new ones: O(cells × figures), independent of the number of
 * projects and organisations.
 *
 * Property figures are also kept summed per year and organisation over all
 * peer groups, updated as records and properties change (O(figures) per
 * change).
 *
 * Query cost: an unfiltered ranking reads one sum per organisation; a peer
 * group's ranking scans the year's measures (one pass, O(properties))
 * summing each organisation's terms; a portfolio figure reads one cell per
 * organisation (binary search over its years). Then the organisations are
 * sorted (O(orgs log orgs)). A rank history is one ranking per year,
 * usually from the cache. */
#ifndef TRIN_BENCHMARK_INDEX_H
#define TRIN_BENCHMARK_INDEX_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "benchmark_rules.h"

typedef struct bm_index bm_index_t;

typedef struct {
  char *id, *name;
  bool open;
} bm_org_t;

typedef struct {
  char *id;
  int32_t org;
  int8_t type, band;
  int32_t region; /* interned region, -1 = none */
  int64_t area_m2;
} bm_prop_t;

typedef struct {
  char *id;
  int32_t org;         /* -1 until the lifecycle (or survey) names the client */
  bool in_partnership;
  bool partnership_known;
  bm_project_t p;      /* the current state: the timeline's last row */
  bm_project_year_t *years; /* ascending; the project counts from years[0] */
  size_t nyears;
} bm_proj_t;

/* Peer group filter: -1 = any. region: an interned region (-2 = a region
 * no property has, matching nothing). */
typedef struct {
  int type, band, region;
} bm_peer_t;
#define BM_PEER_ANY ((bm_peer_t){-1, -1, -1})

typedef struct {
  size_t n;
  bm_ranked_t *items;     /* best first */
  bm_distribution_t dist;
} bm_ranking_t;

bm_index_t *bm_index_new(void);
void bm_index_destroy(bm_index_t **ix);
uint64_t bm_index_generation(const bm_index_t *ix);

/* Organisations: returns the index, or -1 on OOM. set replaces the name
 * and the open flag. */
int32_t bm_index_org_set(bm_index_t *ix, const char *id, const char *name, bool open);
int32_t bm_index_org_find(const bm_index_t *ix, const char *id);
const bm_org_t *bm_index_org(const bm_index_t *ix, int32_t org);
size_t bm_index_org_count(const bm_index_t *ix);

int32_t bm_index_region(bm_index_t *ix, const char *region); /* interns; -1 for "" */
int32_t bm_index_region_find(const bm_index_t *ix, const char *region); /* -2 unknown */

int32_t bm_index_property_set(bm_index_t *ix, const char *id, int32_t org, int type,
                              int64_t area_m2, const char *region);
int32_t bm_index_property_find(const bm_index_t *ix, const char *id);
const bm_prop_t *bm_index_property(const bm_index_t *ix, int32_t prop);
size_t bm_index_property_count(const bm_index_t *ix);

/* Creates or replaces a property-year; -1 on OOM or a year out of range. */
int bm_index_measure_set(bm_index_t *ix, int32_t prop, int year, const bm_measure_t *m);
size_t bm_index_measure_count(const bm_index_t *ix);

/* Projects: client, partnership and the timeline are replaced as a whole
 * (a project counts for its current client and side in every year). years
 * is ascending by year; nyears 0 leaves the project out of every figure.
 * The organisations' per-year sums follow incrementally. -1 on OOM. */
int32_t bm_index_project_set(bm_index_t *ix, const char *id, int32_t org,
                             bool partnership_known, bool in_partnership,
                             const bm_project_year_t *years, size_t nyears);
int32_t bm_index_project_find(const bm_index_t *ix, const char *id);
const bm_proj_t *bm_index_project(const bm_index_t *ix, int32_t proj);

/* The ranking of organisations on figure f for year and peer (property
 * figures only; portfolio figures ignore it). For a portfolio figure, year
 * 0 means the current values (the last row of every timeline). The result
 * is owned by the index and valid until the next bm_index_rank or change.
 * -1 on OOM. */
int bm_index_rank(bm_index_t *ix, int f, int year, const bm_peer_t *peer,
                  const bm_ranking_t **out);
/* The same without the cache (for measuring the cold path). */
void bm_index_cache_clear(bm_index_t *ix);

/* Portfolio figure f summed over projects inside / outside partnerships at
 * the end of year (0 = current), for one organisation (org >= 0) or all
 * (-1, including projects whose client is not known). */
typedef struct {
  int32_t count;
  bool has_value;
  int64_t value;
} bm_side_t;
void bm_index_compare(const bm_index_t *ix, int f, int32_t org, int year, bm_side_t *inside,
                      bm_side_t *outside);

/* Forgets everything (before a reload from the store). */
void bm_index_clear(bm_index_t *ix);

#endif
