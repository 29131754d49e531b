/* budget_handlers — the budget service's requests: each handler reads like
 * its use case — decode (done by trin_server), validate, check references,
 * ask the rules, apply in the batch transaction with its event (carrying the
 * project's figures after the change), reply. */
#ifndef TRIN_BUDGET_HANDLERS_H
#define TRIN_BUDGET_HANDLERS_H

#include "budget_store.h"
#include "trin_server.h"

/* State the handlers share: buffers reused from request to request. */
typedef struct {
  budget_economy_t economy;
} budget_handlers_t;

/* Registers every budget request on server; h must outlive it. */
int budget_handlers_register(trin_server_t *server, budget_handlers_t *h);
void budget_handlers_cleanup(budget_handlers_t *h);

#endif
