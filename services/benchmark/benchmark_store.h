/* benchmark_store — the benchmark service's tables and every read and write
 * of them. Reads fill protobuf messages whose strings and arrays live in the
 * caller's arena; writes run inside the caller's transaction.
 * benchmark_store_load rebuilds the in-memory index from the tables. */
#ifndef TRIN_BENCHMARK_STORE_H
#define TRIN_BENCHMARK_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "benchmark_index.h"
#include "benchmark_rules.h"
#include "trin/benchmark.pb-c.h"
#include "trin_arena.h"
#include "trin_err.h"
#include "trin_store.h"

typedef Trin__Benchmark__Organisation benchmark_organisation_msg_t;
typedef Trin__Benchmark__Property benchmark_property_msg_t;

int benchmark_store_migrate(trin_store_t *s, trin_err_t *err);
/* The service's own tables at schema `version` only, nothing newer: a store
 * as an older release left it (tests of the migrations). */
int benchmark_store_migrate_to(trin_store_t *s, int version, trin_err_t *err);

/* Create or replace. */
int benchmark_store_org_put(trin_store_t *s, const char *id, const char *name, bool open,
                            trin_err_t *err);
/* Creates the organisation named as its id, closed, unless it exists;
 * *created says which. */
int benchmark_store_org_ensure(trin_store_t *s, const char *id, bool *created, trin_err_t *err);
/* TRIN_ENOTFOUND naming field when unknown. */
int benchmark_store_org_get(trin_store_t *s, const char *id, const char *field,
                            trin_arena_t *a, benchmark_organisation_msg_t *out, trin_err_t *err);
int benchmark_store_org_list(trin_store_t *s, trin_arena_t *a, benchmark_organisation_msg_t ***out,
                             size_t *n, trin_err_t *err);

int benchmark_store_property_put(trin_store_t *s, const benchmark_property_msg_t *p,
                                 trin_err_t *err);
int benchmark_store_property_get(trin_store_t *s, const char *id, const char *field,
                                 trin_arena_t *a, benchmark_property_msg_t *out, trin_err_t *err);
/* Properties passing the filters (NULL or "" = any), by owner then id,
 * whoever may read them (issue 19); strings in the arena. */
typedef struct {
  const char *owner_org, *type, *region, *municipality;
} benchmark_property_filter_t;
int benchmark_store_property_list(trin_store_t *s, const benchmark_property_filter_t *f,
                                  trin_arena_t *a, benchmark_property_msg_t ***out, size_t *n,
                                  trin_err_t *err);

/* Create or replace a property-year. costs and grades are the measure's
 * lists; m carries the derived total and weighted grade. */
int benchmark_store_measure_put(trin_store_t *s, const char *property_id, int year,
                                const benchmark_measure_t *m,
                                const Trin__Benchmark__AccountCost *const *costs, size_t ncosts,
                                const Trin__Benchmark__PartGrade *const *grades, size_t ngrades,
                                trin_err_t *err);

int benchmark_store_model_set(trin_store_t *s, const benchmark_model_part_t *parts, size_t n,
                              trin_err_t *err);
/* parts needs room for BENCHMARK_MODEL_MAX_PARTS. */
int benchmark_store_model_get(trin_store_t *s, benchmark_model_part_t *parts, size_t *n,
                              trin_err_t *err);

/* A project's portfolio state as kept from the other services' events. */
typedef struct {
  char id[65];
  char client_org[65];       /* "" until announced */
  char partnership_id[65];   /* "" = outside (when partnership_known) */
  bool partnership_known;
  char satisfaction_closes[11]; /* the round the satisfaction comes from */
  benchmark_project_t p; /* the current state */
  benchmark_project_year_t years[BENCHMARK_YEARS]; /* the timeline (bm_project_years), ascending */
  size_t nyears;
  /* repetition evidence (issue 20, item 5): benchmark_repetition_store */
  char kind[65];       /* "" until announced */
  char start_date[11];
} benchmark_project_row_t;

/* *found false (and row zeroed with id set) when the project is new. The
 * timeline comes with the row; put replaces both. */
int benchmark_store_project_get(trin_store_t *s, const char *id, benchmark_project_row_t *row,
                                bool *found, trin_err_t *err);
int benchmark_store_project_put(trin_store_t *s, const benchmark_project_row_t *row,
                                trin_err_t *err);

/* Clears ix and fills it from the tables (organisations, properties,
 * measures, projects). */
int benchmark_store_load(trin_store_t *s, benchmark_index_t *ix, trin_err_t *err);

#endif
