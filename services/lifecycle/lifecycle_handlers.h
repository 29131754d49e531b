/* lifecycle_handlers — the lifecycle service's requests: each handler reads
 * like its use case — decode (done by trin_server), validate, apply in the
 * batch transaction with its event, reply. */
#ifndef TRIN_LIFECYCLE_HANDLERS_H
#define TRIN_LIFECYCLE_HANDLERS_H

#include "lifecycle_rules.h"
#include "lifecycle_store.h"
#include "trin_arena.h"
#include "trin_server.h"

/* Registers every lifecycle request on server. */
int lifecycle_handlers_register(trin_server_t *server);

/* Shared with the followers of other services' events (lifecycle_budget_events):
 * the rules' view of a stored project. */
int lifecycle_project_state(const lifecycle_project_msg_t *p, lifecycle_project_state_t *s,
                            trin_err_t *err);

#endif
