/* benchmark_import — ImportCsv: property master data or yearly measures
 * from a spreadsheet export (docs/benchmark.md lists the columns), the
 * whole file validated and written as one unit, then applied to the index. */
#ifndef TRIN_BENCHMARK_IMPORT_H
#define TRIN_BENCHMARK_IMPORT_H

#include "benchmark_apply.h"
#include "trin/benchmark.pb-c.h"
#include "trin_server.h"

/* Parses, validates and writes the whole file inside req's transaction,
 * emits figures_changed, replies, and then applies it to svc's index. The
 * first bad row refuses the file ("line N: <field>: ...") and nothing of it
 * is stored. m is borrowed for the call. */
int benchmark_import_csv(benchmark_service_t *svc, trin_request_t *req,
                         const Trin__Benchmark__ImportCsv *m, trin_err_t *err);

#endif
