/* agg_lifecycle_events — what lifecycle's events do to the status rows: a
 * project's name, partnership, client, stage, pause, handover dates and
 * variance, disputes and defects; the names of partnerships and
 * organisations. Run by agg_events. */
#ifndef TRIN_AGG_LIFECYCLE_EVENTS_H
#define TRIN_AGG_LIFECYCLE_EVENTS_H

#include "agg_rows.h"

/* Applies ev (one of lifecycle's); others change nothing. *membership is
 * set true when the event may change who may see rows (a partnership
 * event; a project event that adds a project or changes its client or
 * partnership). Errors as agg_events_apply. */
int agg_lifecycle_events_apply(agg_rows_t *rows, const Trin__Event *ev, trin_time_t when,
                               bool *membership, trin_err_t *err);

#endif
