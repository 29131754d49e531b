/* agg_events — one upstream event to the status rows: hands it to the
 * follower of the service it came from (agg_lifecycle_events,
 * agg_budget_events, agg_survey_events). */
#ifndef TRIN_AGG_EVENTS_H
#define TRIN_AGG_EVENTS_H

#include "agg_rows.h"

/* Applies one upstream event (service = "lifecycle", "budget", "survey", ...).
 * Events the rows do not depend on are accepted and change nothing.
 * Returns TRIN_EDECODE naming "payload" for an event whose payload cannot be
 * decoded — the caller logs it and goes on: one bad event must not stop the
 * feed. When membership is not NULL it is set true when the event may change
 * who may see rows (a partnership event; a project event that adds a project
 * or changes its client or partnership), false otherwise, so the caller
 * records membership only when it changes. */
int agg_events_apply(agg_rows_t *rows, const char *service, const Trin__Event *ev,
                     bool *membership, trin_err_t *err);

#endif
