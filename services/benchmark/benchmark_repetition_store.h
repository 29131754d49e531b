/* benchmark_repetition_store — what repetition evidence needs beyond the
 * project rows (issue 20, item 5): each project's kind and start date, as
 * lifecycle announces them, in a table of its own (migration scope
 * "benchmark_repetition"), and the read of one partnership's projects.
 * Projects kept before this table existed join once lifecycle announces
 * them again (any change to the project). */
#ifndef TRIN_BENCHMARK_REPETITION_STORE_H
#define TRIN_BENCHMARK_REPETITION_STORE_H

#include <stddef.h>

#include "benchmark_rules.h"
#include "trin_err.h"
#include "trin_store.h"

int benchmark_repetition_store_migrate(trin_store_t *s, trin_err_t *err);

/* Create or replace a project's kind and start date (inside the caller's
 * transaction). Nothing is written while both are "". */
int benchmark_repetition_store_put(trin_store_t *s, const char *project_id, const char *kind,
                                   const char *start_date, trin_err_t *err);
/* kind and start_date ("" when unknown) of a project; sizes 65 and 11. */
int benchmark_repetition_store_get(trin_store_t *s, const char *project_id, char kind[65],
                                   char start_date[11], trin_err_t *err);

typedef struct {
  char id[65];
  char partnership_id[65];
  char client_org[65];
  char kind[65];
  char start_date[11];
  benchmark_project_t p; /* the current state */
} benchmark_repetition_row_t;

/* The partnership's projects with a known start, of `kind` ("" = any), by
 * kind, start date, id. *rows is malloc'd (the caller frees it), NULL when
 * *n is 0. */
int benchmark_repetition_store_list(trin_store_t *s, const char *partnership_id,
                                    const char *kind, benchmark_repetition_row_t **rows,
                                    size_t *n, trin_err_t *err);

/* Every partnership's projects of `kind` with a known start (projects
 * outside partnerships left out), by partnership, start date, id; as
 * benchmark_repetition_store_list. */
int benchmark_repetition_store_list_kind(trin_store_t *s, const char *kind,
                                         benchmark_repetition_row_t **rows, size_t *n,
                                         trin_err_t *err);

#endif
