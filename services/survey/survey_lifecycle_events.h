/* survey_lifecycle_events — how the survey service learns which projects
 * exist and who may see them: the lifecycle service's events, followed with
 * a trin_follower (exactly once, in order, each applied in its own
 * transaction together with the cursor). */
#ifndef TRIN_SURVEY_LIFECYCLE_EVENTS_H
#define TRIN_SURVEY_LIFECYCLE_EVENTS_H

#include "trin_follower.h"

/* A trin_follower_fn for one lifecycle Event: applies the membership it
 * carries, then records the project a ProjectEvent describes (id,
 * partnership, client); other events only move the cursor. A payload that
 * does not decode is logged and skipped (it would never decode on a retry
 * either). data is unused. */
int survey_lifecycle_apply(trin_request_t *req, const Trin__Event *ev, void *data,
                           trin_err_t *err);

#endif
