/* benchmark_sustain_store — a project's sustainability state (issue 20,
 * item 3: benchmark_sustain_t) in a table of its own beside bm_projects and
 * bm_project_years, in a migration scope of its own
 * ("benchmark_sustainability"): year 0 is the current state, every other
 * row that year's. Read and written with the project row. */
#ifndef TRIN_BENCHMARK_SUSTAIN_STORE_H
#define TRIN_BENCHMARK_SUSTAIN_STORE_H

#include "benchmark_store.h"
#include "trin_err.h"
#include "trin_store.h"

int benchmark_sustain_store_migrate(trin_store_t *s, trin_err_t *err);
/* Fills row->p.sustain and each row->years[i].p.sustain (left as they are
 * where nothing is stored: a project from before the table). */
int benchmark_sustain_store_get(trin_store_t *s, benchmark_project_row_t *row, trin_err_t *err);
/* Replaces the project's rows with row's current and yearly states. */
int benchmark_sustain_store_put(trin_store_t *s, const benchmark_project_row_t *row,
                                trin_err_t *err);

#endif
