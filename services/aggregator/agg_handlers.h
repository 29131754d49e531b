/* agg_handlers — the aggregator's own request on its ROUTER: GetRows, the
 * rows a caller may see, in seq order (EventsSince and Ping are
 * trin_server's). */
#ifndef TRIN_AGG_HANDLERS_H
#define TRIN_AGG_HANDLERS_H

#include "agg_rows.h"
#include "trin_server.h"

/* Registers GetRows on server. rows is the address of the service's table
 * pointer, read at every request because a reload replaces the table;
 * borrowed: it must outlive the server's handlers. */
void agg_handlers_register(trin_server_t *server, agg_rows_t **rows);

#endif
