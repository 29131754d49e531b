/* budget_lifecycle_events — how the budget service learns which
 * partnerships and projects exist: the lifecycle service's events, followed
 * with a trin_follower (exactly once, in order, each applied in its own
 * transaction together with the cursor). */
#ifndef TRIN_BUDGET_LIFECYCLE_EVENTS_H
#define TRIN_BUDGET_LIFECYCLE_EVENTS_H

#include "trin_follower.h"

/* A trin_follower_fn: records what one lifecycle event says about a
 * partnership (trin.lifecycle.Partnership payloads) or a project
 * (trin.lifecycle.ProjectEvent payloads); other events are of no interest.
 * A payload that does not decode is logged and skipped (it would never
 * decode on a retry either). data is unused. */
int budget_lifecycle_apply(trin_request_t *req, const Trin__Event *ev, void *data,
                           trin_err_t *err);

/* A trin_follower replay function: for events applied before, the
 * membership (lifecycle_membership_replay) and a project's price closing,
 * which stores older than the budget store's migration 3 did not keep
 * (budget_store_migrate rewinds the cursor once for it). */
int budget_lifecycle_replay(trin_request_t *req, const Trin__Event *ev, void *data,
                            trin_err_t *err);

#endif
