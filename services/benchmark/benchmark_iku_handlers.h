/* benchmark_iku_handlers — the benchmark service's IKU requests
 * (competitive exposure): ImportIkuCsv and QueryIku, registered beside the
 * service's others. They keep no state of their own: a query reads the
 * years it needs from the store (98 municipalities × 6 main accounts × 11
 * years is 6,468 rows) and ranks them with benchmark_iku. */
#ifndef TRIN_BENCHMARK_IKU_HANDLERS_H
#define TRIN_BENCHMARK_IKU_HANDLERS_H

#include "trin_err.h"
#include "trin_server.h"

int benchmark_iku_handlers_register(trin_server_t *server, trin_err_t *err);

#endif
