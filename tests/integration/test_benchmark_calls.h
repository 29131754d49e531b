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
#include "trin_keys.h"

int bmc_org(trin_client_t *c, const char *id, const char *name, bool open, trin_err_t *err);
/* reply may be NULL. */
int bmc_import(trin_client_t *c, const char *kind, const char *csv, size_t len,
               Trin__Benchmark__ImportReply **reply, trin_err_t *err);
/* viewer (deprecated, NULL or "" = left out): the service takes the viewer
 * from the caller's key; given, it must be that organisation. */
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

/* ---- asking as an organisation ------------------------------------------------------
 * The viewer of open and anonymous benchmarking is the caller's own
 * organisation, taken from its key; a plain endpoint (no key) sees the
 * anonymous view only. Tests that check names and `you` therefore run the
 * services with CURVE and ask with organisations' keys: a temporary folder
 * holds the key registry and the services' key files (DIR/keys/<service>
 * and .pub — also the folder for --peer-keys). */
typedef struct {
  char dir[128];       /* removed by bmc_keys_cleanup */
  char registry[200];
  char peer_keys[200];
} bmc_keys_t;

int bmc_keys_init(bmc_keys_t *k, trin_err_t *err);
/* A service's key pair (into *pair), written as DIR/keys/<service> and
 * registered with role service; args receives the three settings a keyed
 * service starts with (--key, --key-registry, --peer-keys). */
int bmc_keys_service(bmc_keys_t *k, const char *service, trin_keypair_t *pair,
                     char args[3][260], trin_err_t *err);
/* A key of organisation org with role (admin, writer, reader, ...),
 * registered; nothing written to disk. */
int bmc_keys_person(bmc_keys_t *k, const char *org, const char *role, trin_keypair_t *pair,
                    trin_err_t *err);
/* A client of the service at endpoint (whose pair is service) asking with
 * own; *out is the caller's (trin_client_destroy). Both pairs are borrowed
 * and must outlive the client. */
int bmc_client_as(const char *endpoint, const trin_keypair_t *own,
                  const trin_keypair_t *service, trin_client_t **out, trin_err_t *err);
/* Removes the folder and everything in it (unless TRIN_TEST_KEEP is set). */
void bmc_keys_cleanup(bmc_keys_t *k);

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
