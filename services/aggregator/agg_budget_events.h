/* agg_budget_events — what budget's events do to the status rows: Skema A
 * and B, the forecast, drift and market-adjusted drift, MOLIO compliance.
 * Run by agg_events. */
#ifndef TRIN_AGG_BUDGET_EVENTS_H
#define TRIN_AGG_BUDGET_EVENTS_H

#include "agg_rows.h"

/* Applies ev (one of budget's); others change nothing. Errors as
 * agg_events_apply. */
int agg_budget_events_apply(agg_rows_t *rows, const Trin__Event *ev, trin_time_t when,
                            trin_err_t *err);

#endif
