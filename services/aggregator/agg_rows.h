/* agg_rows — the table of status rows, one per project (agg_row.h), and
 * what the followers of each upstream service (agg_<service>_events, run by
 * agg_events) may do to them, judged by the red/amber/green rule
 * (agg_rules.h). Plain structs and functions, no sockets and no store: unit
 * tests drive them with events.
 *
 * Invariant: a row's `seq` and `updated_at` change only when one of its
 * other columns changes; a row changed by an event is put on the dirty list
 * exactly once until agg_rows_take_dirty hands it out. The caller (the
 * service) then gives it its new seq in the transaction that stores it. */
#ifndef TRIN_AGG_ROWS_H
#define TRIN_AGG_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agg_row.h"
#include "agg_rules.h"
#include "trin/envelope.pb-c.h"
#include "trin_err.h"

typedef struct agg_rows agg_rows_t;

/* t is copied; NULL = agg_thresholds_default. NULL on OOM. */
agg_rows_t *agg_rows_new(const agg_thresholds_t *t);
void agg_rows_destroy(agg_rows_t **rows);

/* Rows are owned by the table: valid until it is destroyed. */
size_t agg_rows_count(const agg_rows_t *rows);
agg_row_t *agg_rows_at(agg_rows_t *rows, size_t i);  /* insertion order */
agg_row_t *agg_rows_find(agg_rows_t *rows, const char *project_id);
/* Rows sorted by project_id (kept until the next new row). */
agg_row_t **agg_rows_sorted(agg_rows_t *rows);
/* The highest seq of any row (rows' seqs are given by the service, which
 * reports each with agg_rows_note_seq). */
uint64_t agg_rows_max_seq(const agg_rows_t *rows);
void agg_rows_note_seq(agg_rows_t *rows, uint64_t seq);

/* The day the rows are judged on — earned value's PV and the AB18 deadline
 * flags (near, overdue) are as of it: the table's, today (UTC) when it was
 * made. agg_rows_set_today moves it to `today` and recomputes every row's
 * earned value and deadline flags; a row whose figures or flags changed gets
 * updated_at = when, its RAG again and goes on the dirty list. Returns how
 * many changed. The service calls it at load (stored rows are as of the day
 * they were stored) and when the UTC date turns. */
trin_date_t agg_rows_today(const agg_rows_t *rows);
size_t agg_rows_set_today(agg_rows_t *rows, trin_date_t today, trin_time_t when);

/* ---- for the followers (agg_<service>_events) ----------------------------------- */

/* The row of project_id, added (empty) when there is none (then *added,
 * when not NULL, is set true); NULL for an empty id or when memory ran out. */
agg_row_t *agg_rows_get(agg_rows_t *rows, const char *project_id, bool *added);
/* After an event's setters: when changed, the row's AB18 flags (against the
 * table's today) and RAG are recomputed, its updated_at set to when and it
 * goes on the dirty list. */
void agg_rows_finish(agg_rows_t *rows, agg_row_t *row, bool changed, trin_time_t when);
/* The display name of an organisation (its id until lifecycle names it) and
 * of a partnership (NULL until named); NULL for an empty id. Owned by the
 * table. */
const char *agg_rows_org_name(agg_rows_t *rows, const char *id);
const char *agg_rows_partnership_name(agg_rows_t *rows, const char *id);
/* A partnership's (with its client) or an organisation's name is set; when
 * it changed it waits to be stored, and every row showing it follows. */
int agg_rows_set_name(agg_rows_t *rows, bool partnership, const char *id, const char *name,
                      const char *client_org, trin_time_t when);
/* The one of ds[0..n) that ev's payload_type names, else NULL (an event
 * the rows do not depend on). */
const ProtobufCMessageDescriptor *agg_rows_payload_of(const Trin__Event *ev,
                                                      const ProtobufCMessageDescriptor *const *ds,
                                                      size_t n);
/* An event's payload decoded as d into the table's scratch arena: *out is
 * valid until agg_rows_decoded_done, which the follower calls once it has
 * applied it. TRIN_EDECODE naming "payload" (nothing to call done for). */
int agg_rows_decode(agg_rows_t *rows, const Trin__Event *ev, const ProtobufCMessageDescriptor *d,
                    ProtobufCMessage **out, trin_err_t *err);
void agg_rows_decoded_done(agg_rows_t *rows);

/* The rows changed since the last call, in the order they first changed;
 * their dirty flags are cleared. The array is owned by the table and valid
 * until the next apply. */
size_t agg_rows_take_dirty(agg_rows_t *rows, agg_row_t ***out);
/* Rows or names wait to be stored. */
bool agg_rows_has_dirty(const agg_rows_t *rows);

/* ---- stored rows and names ------------------------------------------------------ */

/* Adds a row from its stored form (at load). */
int agg_rows_load_state(agg_rows_t *rows, const uint8_t *data, size_t len, trin_err_t *err);
/* Names of partnerships (with their client) and organisations. The table
 * keeps them to fill partnership_name and client_org; changed names are
 * handed out for storing like dirty rows. */
typedef struct {
  char *id, *name, *client_org;  /* client_org: partnerships only */
  bool partnership;
  bool dirty;
} agg_name_t;
/* Sets a name at load (not dirty, rows untouched). */
int agg_rows_load_name(agg_rows_t *rows, bool partnership, const char *id,
                       const char *name, const char *client_org);
size_t agg_rows_take_dirty_names(agg_rows_t *rows, agg_name_t ***out);

#endif
