/* lifecycle_rehousing_store — the tables of a project's rehousing plan and
 * movements (issue 20, item 4; the rules are lifecycle_rehousing.h). A
 * migration scope of its own, "lifecycle_rehousing". Reads fill protobuf
 * messages whose strings and arrays live in the caller's arena; writes run
 * inside the caller's transaction. */
#ifndef TRIN_LIFECYCLE_REHOUSING_STORE_H
#define TRIN_LIFECYCLE_REHOUSING_STORE_H

#include <stdbool.h>

#include "trin/lifecycle.pb-c.h"
#include "trin_arena.h"
#include "trin_err.h"
#include "trin_store.h"

typedef Trin__Lifecycle__RehousingMove lifecycle_rehousing_move_msg_t;

int lifecycle_rehousing_store_migrate(trin_store_t *s, trin_err_t *err);

/* Sends lifecycle_rehousing_store_fill's reads for project_id ahead
 * (trin_stmt_prefetch), to come with the project's own round trip. */
int lifecycle_rehousing_store_prefetch(trin_store_t *s, const char *project_id,
                                       trin_err_t *err);

/* Fills p's rehousing figures (rehousing_planned … last_moved_back_on) from
 * its plan and movements; with_moves also p->rehousing_moves, by date. */
int lifecycle_rehousing_store_fill(trin_store_t *s, trin_arena_t *a,
                                   Trin__Lifecycle__Project *p, bool with_moves,
                                   trin_err_t *err);
/* Records or replaces the project's plan. */
int lifecycle_rehousing_store_set_plan(trin_store_t *s, const char *project_id,
                                       bool without_rehousing, int households_to_rehouse,
                                       trin_err_t *err);
/* Appends a movement; recorded_by NULL or "" = none (the operator). */
int lifecycle_rehousing_store_add_move(trin_store_t *s, const char *project_id,
                                       const lifecycle_rehousing_move_msg_t *m,
                                       const char *recorded_by, trin_err_t *err);

#endif
