/* benchmark_repetition_handlers — QueryRepetition (issue 20, item 5): one
 * partnership's repetition evidence, per kind of project, registered beside
 * the service's other requests. It keeps no state of its own: a query reads
 * the partnership's projects from the store (benchmark_repetition_store)
 * and computes the trends with benchmark_repetition. Partnership members
 * and its client read it (the figures are the partnership's own, by
 * project). */
#ifndef TRIN_BENCHMARK_REPETITION_HANDLERS_H
#define TRIN_BENCHMARK_REPETITION_HANDLERS_H

#include "trin_err.h"
#include "trin_server.h"

int benchmark_repetition_handlers_register(trin_server_t *server, trin_err_t *err);

#endif
