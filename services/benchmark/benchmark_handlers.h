/* benchmark_handlers — the benchmark service: its requests (each reads
 * like its use case — validate, refs, rules, write + event in the batch
 * transaction, reply) and the state they share: the in-memory index, the
 * maintenance model and the minimum peer-group size.
 *
 * Index consistency. The store is the truth. A handler changes the index
 * only after its writes, event and reply have succeeded, and notes the
 * event's sequence number in applied_upto. If a batch's commit then fails,
 * events up to applied_upto were never committed: after every loop turn
 * (a uv_check handle, outside any transaction) the service compares
 * applied_upto with the outbox's last committed number and, when it is
 * ahead, rebuilds the index from the store. So the index never keeps an
 * effect the store does not have for longer than one loop turn. */
#ifndef TRIN_BENCHMARK_HANDLERS_H
#define TRIN_BENCHMARK_HANDLERS_H

#include <stdint.h>
#include <uv.h>

#include "benchmark_index.h"
#include "benchmark_rules.h"
#include "trin/benchmark.pb-c.h"
#include "trin_server.h"
#include "trin_store.h"

typedef struct benchmark_service {
  trin_server_t *server;
  trin_store_t *store;
  bm_index_t *ix;
  int min_group;
  bm_model_part_t model[BM_MODEL_MAX_PARTS];
  size_t nmodel;
  uint64_t applied_upto;
  uv_check_t check;
} benchmark_service_t;

/* Loads the model and the index from store, registers every request on
 * server and starts the consistency check on loop. */
int benchmark_service_new(uv_loop_t *loop, trin_server_t *server, trin_store_t *store,
                          int min_group, benchmark_service_t **out, trin_err_t *err);
/* Closes the check handle; the memory goes when the loop releases it. */
void benchmark_service_destroy(benchmark_service_t **svc);

/* Validates a measure against the model and fills the plain struct
 * (total cost, weighted grade). Fields are named "measure.…". */
int benchmark_measure_check(const benchmark_service_t *svc, const Trin__Benchmark__Measure *m,
                            bm_measure_t *out, trin_err_t *err);
/* Validates a property's master data. */
int benchmark_property_check(const Trin__Benchmark__Property *p, trin_err_t *err);

/* Emits benchmark.figures_changed inside req's transaction. */
int benchmark_emit_figures_changed(trin_request_t *req, const char *reason, const char *org,
                                   const int32_t *years, size_t nyears,
                                   const char *const *properties, size_t nproperties,
                                   size_t property_count, const char *const *projects,
                                   size_t nprojects, const char *const *orgs, size_t norgs,
                                   uint64_t *seq, trin_err_t *err);

/* Notes that the index now holds the effect of event seq. */
void benchmark_applied(benchmark_service_t *svc, uint64_t seq);

/* The CSV import (benchmark_import.c): parses, validates and writes the
 * whole file inside req's transaction, emits figures_changed, replies, and
 * then applies it to the index. */
int benchmark_import_csv(benchmark_service_t *svc, trin_request_t *req,
                         const Trin__Benchmark__ImportCsv *m, trin_err_t *err);

#endif
