/* benchmark_iku — competitive exposure (IKU, "indikator for
 * konkurrenceudsættelse"): the pure rules. Per year, municipality and main
 * account (hovedkonto) of the municipal chart of accounts,
 *
 *   IKU = (purchases from private suppliers + tenders won by the
 *          municipality itself) × 100 / tasks private suppliers could perform
 *
 * in basis points (2730 = 27,30 %), and the total from the sums over the main
 * accounts reported, each rounded half away from zero once, at the end. Ranks
 * among all municipalities with a value that year: 1 = the highest IKU;
 * equal basis points share the best rank (competition ranking 1, 2, 2, 4),
 * the convention of every other benchmark rank, so "nr. 12 af 98" always
 * means eleven municipalities did strictly better. docs/benchmark.md,
 * "Competitive exposure (IKU)", has the worked example and the seed it comes
 * from (DI's municipal ranking of Aalborg Kommune). No sockets, no store. */
#ifndef TRIN_BENCHMARK_IKU_H
#define TRIN_BENCHMARK_IKU_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trin_err.h"

#define BENCHMARK_IKU_ACCOUNTS 6
/* The rank history: the year asked and the ten before it (2012–2022 for 2022). */
#define BENCHMARK_IKU_HISTORY_YEARS 11
/* Any one amount, in øre: 1.000 mia. kr. Six of them times 10,000 (basis
 * points) stays inside int64. */
#define BENCHMARK_IKU_AMOUNT_MAX INT64_C(100000000000000)
#define BENCHMARK_IKU_NAME_MAX_BYTES 100

/* A main account of the municipal chart of accounts (kontoplanen). */
typedef struct {
  const char *key;    /* "sundhed": the wire and the store */
  int number;         /* the hovedkonto's number: 4 */
  const char *name;   /* Danish, as people and the seed name it: "Sundhed" */
} benchmark_iku_account_t;

/* In kontoplan order: byudvikling (0), transport (2), undervisning (3),
 * sundhed (4), sociale (5), administration (6). */
extern const benchmark_iku_account_t benchmark_iku_accounts[BENCHMARK_IKU_ACCOUNTS];

/* The account's index for its key, its number ("4") or its Danish name
 * ("Sundhed", any ASCII case); -1 with INVALID naming field otherwise. */
int benchmark_iku_account_parse(const char *text, const char *field, trin_err_t *err);

/* One reported row's amounts (any one unit; øre as imported). */
typedef struct {
  int64_t purchases;  /* from private suppliers */
  int64_t own_won;    /* tenders the municipality won itself */
  int64_t tasks;      /* tasks private suppliers could perform (udbudsegnede opgaver) */
} benchmark_iku_amounts_t;

/* Each amount 0..BENCHMARK_IKU_AMOUNT_MAX, and purchases + own_won no more
 * than tasks (they are part of them: an IKU over 100 % is a mistake in the
 * file, often two columns swapped). INVALID naming the field at fault. */
int benchmark_iku_amounts_check(const benchmark_iku_amounts_t *a, trin_err_t *err);

/* The IKU in basis points; false (no IKU) when tasks is 0. */
bool benchmark_iku_bp(const benchmark_iku_amounts_t *a, int32_t *bp);

/* Why a figure has no rank (or no value). */
typedef enum {
  BENCHMARK_IKU_OK = 0,
  BENCHMARK_IKU_NO_TASKS, /* reported with tasks 0: no IKU, not ranked — not 0 % */
  BENCHMARK_IKU_MISSING,  /* not reported that year */
  BENCHMARK_IKU_PARTIAL,  /* the total of a year with some accounts missing: its IKU from
                             the accounts reported, not ranked against complete years */
} benchmark_iku_state_t;

/* "ok", "no_tasks", "missing", "partial". */
const char *benchmark_iku_state_name(benchmark_iku_state_t s);

/* One stored row: a year, a municipality, a main account. */
typedef struct {
  int year;
  const char *municipality; /* borrowed */
  int account;              /* index into benchmark_iku_accounts */
  benchmark_iku_amounts_t a;
} benchmark_iku_row_t;

typedef struct {
  benchmark_iku_state_t state;
  bool has_value;
  int32_t bp;
  int32_t rank; /* 0 = not ranked */
  int32_t of;   /* municipalities ranked on this figure that year */
  bool has_average;
  int32_t average_bp; /* mean of the ranked municipalities' IKU, each once */
  benchmark_iku_amounts_t sum; /* the inputs (the total: their sums) */
} benchmark_iku_figure_t;

typedef struct {
  int year;
  benchmark_iku_state_t state;
  bool has_value;
  int32_t bp;
  int32_t rank;
  int32_t of;
} benchmark_iku_point_t;

typedef struct {
  int year;
  bool found;       /* the municipality has a row in some year of the history */
  int municipalities; /* with a row in `year` */
  benchmark_iku_figure_t accounts[BENCHMARK_IKU_ACCOUNTS];
  benchmark_iku_figure_t total;
  benchmark_iku_point_t history[BENCHMARK_IKU_HISTORY_YEARS]; /* year - 10 .. year */
} benchmark_iku_report_t;

/* The report of `municipality` for `year` from rows ordered by year, each
 * municipality's rows of a year together, rows of other years ignored: every figure's value,
 * rank among all municipalities and the national average, and the total's
 * rank for each year of the history. One pass per year and no allocation:
 * a rank is 1 + the number of municipalities with a strictly higher IKU. */
void benchmark_iku_report(const benchmark_iku_row_t *rows, size_t n, const char *municipality,
                          int year, benchmark_iku_report_t *out);

#endif
