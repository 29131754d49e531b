/* agg_survey_events — what survey's events do to the status rows: the
 * satisfaction of the latest round with its trend, the standing alerts.
 * Run by agg_events. */
#ifndef TRIN_AGG_SURVEY_EVENTS_H
#define TRIN_AGG_SURVEY_EVENTS_H

#include "agg_rows.h"

/* Applies ev (one of survey's); others change nothing. Errors as
 * agg_events_apply. */
int agg_survey_events_apply(agg_rows_t *rows, const Trin__Event *ev, trin_time_t when,
                            trin_err_t *err);

#endif
