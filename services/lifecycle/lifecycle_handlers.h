/* lifecycle_handlers — the lifecycle service's requests: each handler reads
 * like its use case — decode (done by trin_server), validate, apply in the
 * batch transaction with its event, reply. */
#ifndef TRIN_LIFECYCLE_HANDLERS_H
#define TRIN_LIFECYCLE_HANDLERS_H

#include "trin_server.h"

/* Registers every lifecycle request on server. */
int lifecycle_handlers_register(trin_server_t *server);

#endif
