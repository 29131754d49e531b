/* budget_lifecycle_events — how the budget service learns which
 * partnerships and projects exist: it follows the lifecycle service's events
 * (trin_subscriber: exactly once, in order, gaps repaired from the outbox)
 * and applies each in its own store transaction together with the cursor
 * (trin_cursor), so a restart resumes right after the last event applied. */
#ifndef TRIN_BUDGET_LIFECYCLE_EVENTS_H
#define TRIN_BUDGET_LIFECYCLE_EVENTS_H

#include <uv.h>

#include "trin/envelope.pb-c.h"
#include "trin_err.h"
#include "trin_server.h"
#include "trin_store.h"

/* Inside an open transaction: records what one lifecycle event says about
 * a partnership (trin.lifecycle.Partnership payloads) or a project
 * (trin.lifecycle.ProjectEvent payloads) and moves the cursor to ev->seq.
 * Other events only move the cursor. A payload that does not decode is
 * logged and skipped (it would never decode on a retry either). */
int budget_lifecycle_apply(trin_store_t *s, const Trin__Event *ev, trin_err_t *err);

typedef struct budget_lifecycle_follower budget_lifecycle_follower_t;

/* Starts following lifecycle at endpoint/pub_endpoint from the cursor
 * stored in store (the server's store); applies through server
 * (trin_server_apply) so each event commits on its own. */
int budget_lifecycle_follow(uv_loop_t *loop, void *zctx, trin_server_t *server,
                            trin_store_t *store, const char *endpoint,
                            const char *pub_endpoint, budget_lifecycle_follower_t **out,
                            trin_err_t *err);
/* Stops following (the subscriber's memory is freed once the loop runs). */
void budget_lifecycle_unfollow(budget_lifecycle_follower_t **f);

#endif
