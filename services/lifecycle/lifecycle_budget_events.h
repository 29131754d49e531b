/* lifecycle_budget_events — lifecycle learns that a project's price is
 * closed from the budget service: it follows the budget's events
 * (trin_subscriber, exactly once and in order) and applies
 * budget.price_closed like the ClosePrice command — the project's price is
 * recorded closed and lifecycle.price_closed is emitted — in one store
 * transaction together with the cursor (trin_cursor).
 *
 * When the rules refuse it (the project is not in trin2 / trin1_2, the
 * price is already closed, the date is before the stage began, the project
 * is unknown) a warning is logged and the cursor still advances: the
 * budget's fact stands, and lifecycle's own state stays as its rules allow.
 * ClosePrice remains the manual alternative. */
#ifndef TRIN_LIFECYCLE_BUDGET_EVENTS_H
#define TRIN_LIFECYCLE_BUDGET_EVENTS_H

#include <uv.h>

#include "trin_server.h"
#include "trin_store.h"

typedef struct lifecycle_budget_follower lifecycle_budget_follower_t;

/* Starts following the budget service from the cursor stored in store (the
 * server's store). */
int lifecycle_budget_follow(uv_loop_t *loop, void *zctx, trin_server_t *server,
                            trin_store_t *store, const char *endpoint,
                            const char *pub_endpoint, lifecycle_budget_follower_t **out,
                            trin_err_t *err);
void lifecycle_budget_unfollow(lifecycle_budget_follower_t **f);

#endif
