/* benchmark_iku_store — the IKU figures' table (competitive exposure, see
 * benchmark_iku.h): one row per year, municipality and main account, its
 * own migration scope ("benchmark_iku") beside the benchmark service's.
 * Writes run inside the caller's transaction. */
#ifndef TRIN_BENCHMARK_IKU_STORE_H
#define TRIN_BENCHMARK_IKU_STORE_H

#include <stdbool.h>
#include <stddef.h>

#include "benchmark_iku.h"
#include "trin_arena.h"
#include "trin_err.h"
#include "trin_store.h"

int benchmark_iku_store_migrate(trin_store_t *s, trin_err_t *err);

/* Create or replace the row of (year, municipality, account). */
int benchmark_iku_store_put(trin_store_t *s, const benchmark_iku_row_t *row, trin_err_t *err);

/* Every row of the years from..to, ordered by year, then municipality (the
 * order benchmark_iku_report reads). *rows is malloc'd (the caller frees it;
 * NULL when none); the municipality strings live in a. */
int benchmark_iku_store_load(trin_store_t *s, int from, int to, trin_arena_t *a,
                             benchmark_iku_row_t **rows, size_t *n, trin_err_t *err);

/* The newest year with any row; *found false when the table is empty. */
int benchmark_iku_store_newest_year(trin_store_t *s, int *year, bool *found, trin_err_t *err);

#endif
