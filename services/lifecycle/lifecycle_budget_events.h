/* lifecycle_budget_events — lifecycle learns that a project's price is
 * closed from the budget service: followed with a trin_follower (exactly
 * once, in order, the cursor committed with the effect), budget.price_closed
 * is applied like the ClosePrice command — the project's price is recorded
 * closed and lifecycle.price_closed is emitted.
 *
 * When the rules refuse it (the project is not in trin2 / trin1_2, the
 * price is already closed, the date is before the stage began, the project
 * is unknown) a warning is logged and the cursor still advances: the
 * budget's fact stands, and lifecycle's own state stays as its rules allow.
 * ClosePrice remains the manual alternative. */
#ifndef TRIN_LIFECYCLE_BUDGET_EVENTS_H
#define TRIN_LIFECYCLE_BUDGET_EVENTS_H

#include "trin_follower.h"

/* A trin_follower_fn for the budget service's events (data unused). */
int lifecycle_budget_apply(trin_request_t *req, const Trin__Event *ev, void *data,
                           trin_err_t *err);

#endif
