/* fuzz.benchmark_csv — a spreadsheet export through the benchmark service's
 * whole ImportCsv (benchmark_import_csv inside a store transaction, then
 * the in-memory index), properties or measures as the first byte's low bit
 * says. Property P1 (owner KAB) is there from the start so measures rows
 * can name a known property. Checked besides memory safety: a refused file
 * says why. */
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchmark_handlers.h"
#include "benchmark_import.h"
#include "benchmark_store.h"
#include "fuzz_inproc.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static fuzz_inproc_t p;
static benchmark_service_t *svc;

typedef struct {
  const Trin__Benchmark__ImportCsv *m;
} job_t;

static int run_import(trin_request_t *req, void *data, trin_err_t *err) {
  job_t *j = data;
  return benchmark_import_csv(svc, req, j->m, err);
}

static int import(const char *kind, const uint8_t *csv, size_t len, trin_err_t *err) {
  Trin__Benchmark__ImportCsv m = TRIN__BENCHMARK__IMPORT_CSV__INIT;
  m.kind = (char *)kind;
  m.csv.data = (uint8_t *)csv;
  m.csv.len = len;
  job_t j = {&m};
  int rc = trin_server_apply(p.server, run_import, &j, err);
  uv_run(&p.loop, UV_RUN_NOWAIT); /* the index consistency check */
  return rc;
}

static void start(void) {
  fuzz_inproc_start(&p, "benchmark", benchmark_store_migrate);
  trin_err_t err = {0};
  if (benchmark_service_new(&p.loop, p.server, p.store, 3, &svc, &err)) {
    fprintf(stderr, "fuzz.benchmark_csv: %s %s\n", err.field, err.message);
    abort();
  }
  const char *seed = "property_id,name,owner_org,type,gross_area_m2\n"
                     "P1,Skolen,KAB,school,1200\n";
  if (import("properties", (const uint8_t *)seed, strlen(seed), &err)) {
    fprintf(stderr, "fuzz.benchmark_csv: seeding: %s %s\n", err.field, err.message);
    abort();
  }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!svc) start();
  if (size < 1) return 0;
  trin_err_t err = {0};
  int rc = import((data[0] & 1) ? "measures" : "properties", data + 1, size - 1, &err);
  if (rc != TRIN_OK && !err.message[0]) abort();
  return 0;
}
