/* lifecycle_sustain_store — the table of a project's sustainability
 * measures (issue 20, item 3) and its reads: a migration scope of its own,
 * "lifecycle_sustainability". Writes run inside the caller's transaction;
 * reads fill messages whose strings live in the caller's arena. */
#ifndef TRIN_LIFECYCLE_SUSTAIN_STORE_H
#define TRIN_LIFECYCLE_SUSTAIN_STORE_H

#include "trin/lifecycle.pb-c.h"
#include "trin_arena.h"
#include "trin_err.h"
#include "trin_store.h"

typedef Trin__Lifecycle__SustainabilityMeasure lifecycle_sustain_measure_msg_t;
typedef Trin__Lifecycle__SustainabilityTotals lifecycle_sustain_totals_msg_t;

int lifecycle_sustain_store_migrate(trin_store_t *s, trin_err_t *err);

/* Inserts the measure, or replaces the project's measure with its id. */
int lifecycle_sustain_store_upsert(trin_store_t *s, const char *project_id,
                                   const lifecycle_sustain_measure_msg_t *m, trin_err_t *err);

/* The project's measures by recorded_on, id; *out and each measure in a. */
int lifecycle_sustain_store_list(trin_store_t *s, const char *project_id, trin_arena_t *a,
                                 lifecycle_sustain_measure_msg_t ***out, size_t *n,
                                 trin_err_t *err);

/* Sends lifecycle_sustain_store_totals's read for project_id ahead
 * (trin_stmt_prefetch), to come with the project's own round trip. */
int lifecycle_sustain_store_prefetch(trin_store_t *s, const char *project_id, trin_err_t *err);

/* The project's totals over its stored measures (lifecycle_sustain_totals),
 * in *out allocated in a; with `keep`, the measures too (GetProject). */
int lifecycle_sustain_store_totals(trin_store_t *s, const char *project_id,
                                   int32_t gross_area_m2, trin_arena_t *a,
                                   lifecycle_sustain_totals_msg_t **out,
                                   lifecycle_sustain_measure_msg_t ***measures,
                                   size_t *nmeasures, trin_err_t *err);

#endif
