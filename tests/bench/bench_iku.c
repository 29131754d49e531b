/* bench_iku — competitive exposure (IKU): a municipality's ranks per main
 * account and in total, the national averages and the total's rank history
 * over ten years (eleven points), for 98 municipalities × 6 main accounts ×
 * 11 years (6,468 rows of synthetic figures from a fixed pseudo-random
 * sequence). Issue 20's goal: < 5 ms cold. Cold = a freshly opened store
 * (SQLite, as the service keeps it): read the eleven years, rank — what one
 * QueryIku does, without the socket. Also the ranking alone on rows in
 * memory, and all 98 municipalities' reports. Prints; asserts nothing. */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "bench_util.h"
#include "benchmark_iku.h"
#include "benchmark_iku_store.h"
#include "trin_store.h"

#define NMUN 98
#define FROM 2012
#define TO 2022
#define ROUNDS 9

static uint64_t rng = 20221231;
static int64_t next(int64_t lo, int64_t hi) {
  rng = rng * 6364136223846793005ULL + 1442695040888963407ULL;
  return lo + (int64_t)((rng >> 33) % (uint64_t)(hi - lo + 1));
}

static int fail(const char *what, const trin_err_t *err) {
  fprintf(stderr, "bench_iku: %s: %s\n", what, err->message);
  return 1;
}

/* A fresh store at location holding the synthetic set. */
static int fill(const char *location, trin_err_t *err) {
  trin_store_options_t opt = {.location = location, .sync = TRIN_STORE_SYNC_NORMAL};
  trin_store_t *s = NULL;
  int rc = trin_store_open(&opt, &s, err);
  if (!rc) rc = benchmark_iku_store_migrate(s, err);
  if (!rc) rc = trin_store_begin(s, err);
  char names[NMUN][32];
  for (int m = 0; m < NMUN; m++)
    snprintf(names[m], sizeof names[m], "Syntetisk kommune %02d", m + 1);
  for (int y = FROM; !rc && y <= TO; y++)
    for (int m = 0; !rc && m < NMUN; m++)
      for (int k = 0; !rc && k < BENCHMARK_IKU_ACCOUNTS; k++) {
        int64_t tasks = next(1000000, 2000000000) * 100;
        int64_t num = tasks / 10000 * next(500, 9000);
        benchmark_iku_row_t r = {y, names[m], k, {num - num / 8, num / 8, tasks}};
        rc = benchmark_iku_store_put(s, &r, err);
      }
  if (!rc) rc = trin_store_commit(s, err);
  trin_store_destroy(&s);
  return rc;
}

int main(int argc, char **argv) {
  (void)argc;
  (void)argv;
  char machine[256], dir[] = "/tmp/bench-iku-XXXXXX", location[128];
  bench_machine_line(machine, sizeof machine);
  printf("bench_iku — IKU ranks and ten-year rank history, %d municipalities × %d main "
         "accounts × %d years\n%s\n",
         NMUN, BENCHMARK_IKU_ACCOUNTS, TO - FROM + 1, machine);
  if (!mkdtemp(dir)) return 1;
  snprintf(location, sizeof location, "sqlite:%s/benchmark.db", dir);
  trin_err_t err = {0};
  if (fill(location, &err)) return fail("filling the store", &err);

  double cold[ROUNDS], rank_only[ROUNDS], all98 = 0;
  benchmark_iku_report_t rep;
  int32_t checksum = 0;
  for (int i = 0; i < ROUNDS; i++) {
    /* cold: a store opened for this query alone */
    trin_store_options_t opt = {.location = location};
    trin_store_t *s = NULL;
    trin_arena_t a = TRIN_ARENA_INIT;
    benchmark_iku_row_t *rows = NULL;
    size_t n = 0;
    if (trin_store_open(&opt, &s, &err)) return fail("opening the store", &err);
    double t0 = bench_now_ms();
    if (benchmark_iku_store_load(s, FROM, TO, &a, &rows, &n, &err))
      return fail("reading the rows", &err);
    double t1 = bench_now_ms();
    benchmark_iku_report(rows, n, "Syntetisk kommune 30", TO, &rep);
    double t2 = bench_now_ms();
    cold[i] = t2 - t0;
    rank_only[i] = t2 - t1;
    checksum += rep.total.rank + rep.history[0].rank;
    if (i == 0) {
      double t3 = bench_now_ms();
      for (int m = 0; m < NMUN; m++) {
        char name[32];
        snprintf(name, sizeof name, "Syntetisk kommune %02d", m + 1);
        benchmark_iku_report(rows, n, name, TO, &rep);
        checksum += rep.total.rank;
      }
      all98 = bench_now_ms() - t3;
      printf("rows read: %zu\n", n);
    }
    free(rows);
    trin_arena_reset(&a);
    trin_store_destroy(&s);
  }
  double first_cold = cold[0], first_rank = rank_only[0];
  double med_cold = bench_median(cold, ROUNDS), med_rank = bench_median(rank_only, ROUNDS);
  printf("one municipality, cold (fresh store: read 11 years + rank + history): first %.3f ms, "
         "median of %d %.3f ms   (goal < 5 ms)\n",
         first_cold, ROUNDS, med_cold);
  printf("ranking + history alone (rows in memory): first %.3f ms, median %.3f ms\n",
         first_rank, med_rank);
  printf("all %d municipalities' reports from the rows read once: %.3f ms\n", NMUN, all98);
  printf("(checksum %d)\n", (int)checksum);
  bench_result("benchmark", "IKU ranks + 10-year rank history, 98 × 6, cold", med_cold, "ms",
               "< 5 ms", 5.0 / (med_cold > 0 ? med_cold : 1e-9));
  char path[160];
  snprintf(path, sizeof path, "%s/benchmark.db", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/benchmark.db-wal", dir);
  unlink(path);
  snprintf(path, sizeof path, "%s/benchmark.db-shm", dir);
  unlink(path);
  rmdir(dir);
  return 0;
}
