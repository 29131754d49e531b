/* benchmark_apply — what every writer of the benchmark's figures shares
 * (the requests, the CSV import, the followers): the service's state, the
 * checks of a property and a measure, the benchmark.figures_changed event,
 * and the note of what the in-memory index holds.
 *
 * Index consistency. The store is the truth. A writer changes the index
 * only after its writes, event and reply have succeeded, and notes the
 * event's sequence number in applied_upto (benchmark_apply_note); when the
 * index could not follow (out of memory) it sets applied_upto to UINT64_MAX.
 * If a batch's commit then fails, events up to applied_upto were never
 * committed: after every loop turn (a uv_check handle, outside any
 * transaction; benchmark_handlers) the service compares applied_upto with
 * the outbox's last committed number and, when it is ahead, rebuilds the
 * index from the store. So the index never keeps an effect the store does
 * not have for longer than one loop turn. */
#ifndef TRIN_BENCHMARK_APPLY_H
#define TRIN_BENCHMARK_APPLY_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "benchmark_index.h"
#include "benchmark_rules.h"
#include "trin/benchmark.pb-c.h"
#include "trin_server.h"
#include "trin_store.h"

/* The service's state. server and store are borrowed (they outlive the
 * service); ix is owned; benchmark_service_new (benchmark_handlers) builds
 * it and benchmark_service_destroy frees it. */
typedef struct benchmark_service {
  trin_server_t *server;
  trin_store_t *store;
  benchmark_index_t *ix;
  int min_group;
  benchmark_model_part_t model[BENCHMARK_MODEL_MAX_PARTS];
  size_t nmodel;
  uint64_t applied_upto;
  uv_check_t check;
} benchmark_service_t;

/* Validates a property's master data. Fields are named "property.…". */
int benchmark_apply_property_check(const Trin__Benchmark__Property *p, trin_err_t *err);

/* Validates a measure against the service's maintenance model and fills the
 * plain struct (total cost, weighted grade). Fields are named "measure.…". */
int benchmark_apply_measure_check(const benchmark_service_t *svc, const Trin__Benchmark__Measure *m,
                                  benchmark_measure_t *out, trin_err_t *err);

/* Emits benchmark.figures_changed inside req's transaction. The arrays are
 * borrowed for the call; at most 100 properties and organisations are
 * listed, property_count says how many there were. */
int benchmark_apply_emit_figures_changed(trin_request_t *req, const char *reason, const char *org,
                                         const int32_t *years, size_t nyears,
                                         const char *const *properties, size_t nproperties,
                                         size_t property_count, const char *const *projects,
                                         size_t nprojects, const char *const *orgs, size_t norgs,
                                         uint64_t *seq, trin_err_t *err);

/* Notes that the index now holds the effect of event seq. */
void benchmark_apply_note(benchmark_service_t *svc, uint64_t seq);

#endif
