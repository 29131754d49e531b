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
 * a timeline (its state per year of change, see benchmark_timeline_apply), and
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

typedef struct benchmark_index benchmark_index_t;

typedef struct {
  char *id, *name;
  bool open;
} benchmark_org_t;

typedef struct {
  char *id;
  int32_t org;
  int8_t type, band;
  int32_t region; /* interned region, -1 = none */
  int64_t area_m2;
} benchmark_prop_t;

/* Peer group filter: -1 = any. region: an interned region (-2 = a region
 * no property has, matching nothing). */
typedef struct {
  int type, band, region;
} benchmark_peer_t;
#define BENCHMARK_PEER_ANY ((benchmark_peer_t){-1, -1, -1})

typedef struct {
  size_t n;
  benchmark_ranked_t *items;     /* best first */
  benchmark_distribution_t dist;
} benchmark_ranking_t;

benchmark_index_t *benchmark_index_new(void);
void benchmark_index_destroy(benchmark_index_t **ix);

/* Organisations: returns the index, or -1 on OOM. set replaces the name
 * and the open flag. */
int32_t benchmark_index_org_set(benchmark_index_t *ix, const char *id, const char *name, bool open);
int32_t benchmark_index_org_find(const benchmark_index_t *ix, const char *id);
const benchmark_org_t *benchmark_index_org(const benchmark_index_t *ix, int32_t org);

/* The interned region (see benchmark_peer_t): -1 for "", -2 when no property has it. */
int32_t benchmark_index_region_find(const benchmark_index_t *ix, const char *region);

int32_t benchmark_index_property_set(benchmark_index_t *ix, const char *id, int32_t org, int type,
                                     int64_t area_m2, const char *region);
int32_t benchmark_index_property_find(const benchmark_index_t *ix, const char *id);
const benchmark_prop_t *benchmark_index_property(const benchmark_index_t *ix, int32_t prop);

/* Creates or replaces a property-year; -1 on OOM or a year out of range. */
int benchmark_index_measure_set(benchmark_index_t *ix, int32_t prop, int year,
                                const benchmark_measure_t *m);

/* Projects: client, partnership and the timeline are replaced as a whole
 * (a project counts for its current client and side in every year). years
 * is ascending by year; nyears 0 leaves the project out of every figure.
 * The organisations' per-year sums follow incrementally. -1 on OOM. */
int32_t benchmark_index_project_set(benchmark_index_t *ix, const char *id, int32_t org,
                                    bool partnership_known, bool in_partnership,
                                    const benchmark_project_year_t *years, size_t nyears);

/* The ranking of organisations on figure f for year and peer (property
 * figures only; portfolio figures ignore it). For a portfolio figure, year
 * 0 means the current values (the last row of every timeline). The result
 * is owned by the index and valid until the next benchmark_index_rank or change.
 * -1 on OOM. */
int benchmark_index_rank(benchmark_index_t *ix, int f, int year, const benchmark_peer_t *peer,
                         const benchmark_ranking_t **out);

/* Portfolio figure f summed over projects inside / outside partnerships at
 * the end of year (0 = current), for one organisation (org >= 0) or all
 * (-1, including projects whose client is not known). */
typedef struct {
  int32_t count;
  bool has_value;
  int64_t value;
} benchmark_side_t;
void benchmark_index_compare(const benchmark_index_t *ix, int f, int32_t org, int year,
                             benchmark_side_t *inside, benchmark_side_t *outside);

/* Forgets everything (before a reload from the store). */
void benchmark_index_clear(benchmark_index_t *ix);

#endif
