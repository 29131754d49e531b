/* agg_store — the aggregator's tables: the rows (each in its stored form,
 * trin.aggregator.RowState), the names of partnerships and organisations,
 * and the Power BI push queue. The cursors per upstream service live in
 * trin_cursor's table of the same store, written in the same transaction as
 * the rows they produced: after any crash the rows and the cursors agree. */
#ifndef TRIN_AGG_STORE_H
#define TRIN_AGG_STORE_H

#include <stdbool.h>
#include <stdint.h>

#include "agg_rows.h"
#include "trin_err.h"
#include "trin_store.h"

int agg_store_migrate(trin_store_t *s, trin_err_t *err);

/* Reads every row and name into rows (at start). */
int agg_store_load(trin_store_t *s, agg_rows_t *rows, trin_err_t *err);

/* Inside the caller's transaction. */
/* Deletes every row and name (before a rebuild from the services' logs). */
int agg_store_forget_rows(trin_store_t *s, trin_err_t *err);
int agg_store_put_row(trin_store_t *s, const agg_row_t *r, trin_err_t *err);
int agg_store_put_name(trin_store_t *s, const agg_name_t *n, trin_err_t *err);

/* ---- push queue: (target, project) pairs waiting to be sent, with the seq
 * of the row when it was queued. ---- */
int agg_store_push_enqueue(trin_store_t *s, const char *target, const char *project_id,
                           uint64_t seq, trin_err_t *err);
/* Up to max pending project ids for target queued with a seq above
 * after_seq, oldest seq first; fn is called per entry. */
typedef void (*agg_push_entry_fn)(void *data, const char *project_id, uint64_t seq);
int agg_store_push_peek(trin_store_t *s, const char *target, uint64_t after_seq, int max,
                        agg_push_entry_fn fn, void *data, trin_err_t *err);
/* Removes the entry unless it was queued again after `seq` (a newer change
 * is still to be sent). */
int agg_store_push_done(trin_store_t *s, const char *target, const char *project_id,
                        uint64_t seq, trin_err_t *err);
int agg_store_push_depth(trin_store_t *s, const char *target, int64_t *out, trin_err_t *err);
/* Records a push target; *added is true when it was not known before (the
 * caller then queues every row for it, in the same transaction). */
int agg_store_push_target_add(trin_store_t *s, const char *target, bool *added,
                              trin_err_t *err);

#endif
