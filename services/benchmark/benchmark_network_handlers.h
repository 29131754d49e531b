/* benchmark_network_handlers — the benchmark service's network requests
 * (issue 20, item 8; proto/trin/benchmark.proto "networks"): create and
 * administer a network, its members' dates, shared requirements and
 * adoptions, and the network's figures — ranks among the members on a
 * date, the member against the network, the network against the rest.
 *
 * Who: a network is administered by the organisation that created it (its
 * writers) and an operator; it is read by its members on the day asked
 * and the administrator. To anyone else it does not exist (NOT_FOUND in
 * the words of a missing id). Figures come from the service's index
 * (benchmark_index), membership from the store (benchmark_network_store). */
#ifndef TRIN_BENCHMARK_NETWORK_HANDLERS_H
#define TRIN_BENCHMARK_NETWORK_HANDLERS_H

#include "benchmark_apply.h"
#include "trin_err.h"
#include "trin_server.h"

/* svc is borrowed and must outlive the server's handlers. */
int benchmark_network_handlers_register(trin_server_t *server, benchmark_service_t *svc,
                                        trin_err_t *err);

#endif
