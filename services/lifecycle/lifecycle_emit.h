/* lifecycle_emit — a project event with the project as it now is: the
 * one way every lifecycle writer (the requests, the lessons, the followers
 * of other services' events) announces a change of a project. */
#ifndef TRIN_LIFECYCLE_EMIT_H
#define TRIN_LIFECYCLE_EMIT_H

#include <stdint.h>

#include "lifecycle_store.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_arena.h"
#include "trin_server.h"

typedef Trin__Lifecycle__ProjectEvent lifecycle_project_event_msg_t;

/* Reads project_id as it now is into arena a, puts it in ev and emits ev
 * as event `type` (ids: the project, and its partnership when it has one);
 * the project's version becomes the event's seq. *project (when not NULL)
 * is the project read, owned by a; ev stays the caller's. */
int lifecycle_emit_project(trin_request_t *req, trin_arena_t *a, const char *type,
                           const char *project_id, lifecycle_project_event_msg_t *ev,
                           lifecycle_project_msg_t **project, uint64_t *seq, trin_err_t *err);

#endif
