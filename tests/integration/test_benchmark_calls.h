/* test_benchmark_calls — short calls into the benchmark service for its
 * integration tests and benchmark, and the synthetic municipal data set
 * (98 fictional municipalities × 3 properties × 2012–2022, values from a
 * fixed pseudo-random sequence — synthetic, not real figures). */
#ifndef TRIN_TEST_BENCHMARK_CALLS_H
#define TRIN_TEST_BENCHMARK_CALLS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trin/benchmark.pb-c.h"
#include "trin_client.h"

int bmc_org(trin_client_t *c, const char *id, const char *name, bool open, trin_err_t *err);
/* reply may be NULL. */
int bmc_import(trin_client_t *c, const char *kind, const char *csv, size_t len,
               Trin__Benchmark__ImportReply **reply, trin_err_t *err);
int bmc_query(trin_client_t *c, const char *figure, int year, const char *type,
              const char *region, const char *viewer, int min_group,
              Trin__Benchmark__FigureReport **out, trin_err_t *err);
int bmc_history(trin_client_t *c, const char *figure, const char *org, int from, int to,
                const char *viewer, Trin__Benchmark__History **out, trin_err_t *err);
int bmc_compare(trin_client_t *c, const char *org, const char *viewer,
                Trin__Benchmark__PartnershipComparison **out, trin_err_t *err);
/* The same at the end of a year (0 = current). */
int bmc_compare_year(trin_client_t *c, const char *org, const char *viewer, int year,
                     Trin__Benchmark__PartnershipComparison **out, trin_err_t *err);

/* The synthetic set: nmun municipalities "K001".."K098" named "Syntetisk
 * Kommune 1".., props_per properties each, years from..to. The CSV texts
 * are malloc'd (free them). cost_ore[m][y] and area[m] receive each
 * municipality's sums when not NULL (for checking the service). */
typedef struct {
  int nmun, props_per, from, to;
  char *properties_csv, *measures_csv;
  size_t properties_len, measures_len;
  int64_t *area;      /* [nmun] */
  int64_t *cost_ore;  /* [nmun × years] */
} bmc_dataset_t;
void bmc_dataset_make(bmc_dataset_t *d, int nmun, int props_per, int from, int to);
void bmc_dataset_free(bmc_dataset_t *d);

#endif
