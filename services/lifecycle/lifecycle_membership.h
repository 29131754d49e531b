/* lifecycle_membership — lifecycle's events read for their followers: who is
 * the client and who the members of each partnership and project, written
 * to the follower's access tables (trin_access_put_partnership / _project).
 * Lifecycle owns its messages, so the decoding lives here, not in common/;
 * followers (budget, survey, benchmark, the aggregator) link the small
 * library trin_lifecycle_membership, not the lifecycle service. */
#ifndef LIFECYCLE_MEMBERSHIP_H
#define LIFECYCLE_MEMBERSHIP_H

#include "trin/envelope.pb-c.h"
#include "trin_err.h"
#include "trin_server.h"
#include "trin_store.h"

/* Applies a lifecycle event (Partnership or ProjectEvent payload) to store's
 * membership tables (trin_access_migrate made them); other events, and
 * events of other services, are ignored. A payload that does not decode is
 * logged and skipped, so one bad event cannot stop a follower. ev is
 * borrowed for the call. */
int lifecycle_membership_apply(trin_store_t *store, const Trin__Event *ev, trin_err_t *err);

/* A trin_follower replay function: the membership part of an event the
 * service applied before (lifecycle_membership_apply), nothing else; see
 * trin_access_migrate_follower for when events are replayed. data is
 * unused. */
int lifecycle_membership_replay(trin_request_t *req, const Trin__Event *ev, void *data,
                                trin_err_t *err);

#endif
