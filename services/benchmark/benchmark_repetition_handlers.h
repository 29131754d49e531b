/* benchmark_repetition_handlers — QueryRepetition (issue 20, item 5): one
 * partnership's repetition evidence, per kind of project, registered beside
 * the service's other requests. It keeps no state of its own: a query reads
 * the partnership's projects from the store (benchmark_repetition_store)
 * and computes the trends with benchmark_repetition, and ranks each trend
 * among every partnership's of the same kind (repetition as a benchmark
 * figure). Partnership members
 * and its client read it (the figures are the partnership's own, by
 * project). */
#ifndef TRIN_BENCHMARK_REPETITION_HANDLERS_H
#define TRIN_BENCHMARK_REPETITION_HANDLERS_H

#include "trin_err.h"
#include "trin_server.h"

/* min_group: the service's minimum group for ranks (borrowed; it must
 * outlive the server). */
int benchmark_repetition_handlers_register(trin_server_t *server, const int *min_group,
                                           trin_err_t *err);

#endif
