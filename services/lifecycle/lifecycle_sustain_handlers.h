/* lifecycle_sustain_handlers — the lifecycle service's sustainability
 * requests (issue 20, item 3): RecordSustainability records or replaces a
 * project's measure and emits lifecycle.sustainability_recorded with the
 * project's new totals. */
#ifndef TRIN_LIFECYCLE_SUSTAIN_HANDLERS_H
#define TRIN_LIFECYCLE_SUSTAIN_HANDLERS_H

#include "trin_server.h"

/* Registers the requests on server (lifecycle_handlers_register calls it,
 * after installing the access table). */
int lifecycle_sustain_handlers_register(trin_server_t *server);

#endif
