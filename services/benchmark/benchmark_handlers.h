/* benchmark_handlers — the benchmark service: its requests (each reads
 * like its use case — validate, refs, rules, write + event in the batch
 * transaction, reply) over the state benchmark_apply defines (the in-memory
 * index, the maintenance model, the minimum peer-group size), and the check
 * after every loop turn that keeps the index no further ahead than the store
 * (the rule is in benchmark_apply.h). */
#ifndef TRIN_BENCHMARK_HANDLERS_H
#define TRIN_BENCHMARK_HANDLERS_H

#include <uv.h>

#include "benchmark_apply.h"
#include "trin_err.h"
#include "trin_server.h"
#include "trin_store.h"

/* Loads the model and the index from store, registers every request on
 * server and starts the consistency check on loop. */
int benchmark_service_new(uv_loop_t *loop, trin_server_t *server, trin_store_t *store,
                          int min_group, benchmark_service_t **out, trin_err_t *err);
/* Closes the check handle; the memory goes when the loop releases it. */
void benchmark_service_destroy(benchmark_service_t **svc);

#endif
