/* benchmark_iku_import — ImportIkuCsv: the yearly IKU figures per
 * municipality and main account from a CSV (docs/benchmark.md lists the
 * columns, Danish or English headers), the whole file validated and written
 * as one unit. */
#ifndef TRIN_BENCHMARK_IKU_IMPORT_H
#define TRIN_BENCHMARK_IKU_IMPORT_H

#include "trin/benchmark.pb-c.h"
#include "trin_server.h"

/* Parses, validates and writes the whole file inside req's transaction,
 * emits benchmark.iku_imported and replies. The first bad row refuses the
 * file ("line N, column C (field): ...") and nothing of it is stored. m is
 * borrowed for the call. */
int benchmark_iku_import_csv(trin_request_t *req, const Trin__Benchmark__ImportIkuCsv *m,
                             trin_err_t *err);

#endif
