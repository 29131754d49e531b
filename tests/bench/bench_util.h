/* bench_util — what the benchmarks share: the clock, medians and
 * percentiles, the machine line, free tcp ports, resident memory, and the
 * suite's result rows.
 *
 * Result rows. A benchmark calls bench_result() for each figure it wants in
 * the suite's table; when the environment names a file in
 * TRIN_BENCH_RESULTS the row is appended there (one tab-separated line),
 * otherwise nothing happens, so a benchmark run on its own prints just as
 * before. bench_report() reads such a file back, prints the one table with
 * the machine line, and writes the same as JSON. */
#ifndef TRIN_BENCH_UTIL_H
#define TRIN_BENCH_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>

#define BENCH_RESULTS_ENV "TRIN_BENCH_RESULTS"

/* Monotonic clock in milliseconds. */
double bench_now_ms(void);
/* Sorts v and returns its median (0 when n is 0). */
double bench_median(double *v, size_t n);
/* Nearest-rank percentile (q in 0..1) of a SORTED array. */
double bench_percentile(const double *sorted, size_t n, double q);
/* "2 cores, 23.5 GiB, CPU, Linux 6.x, 2026-11-25 10:00 UTC". */
void bench_machine_line(char *out, size_t size);
/* A tcp port on 127.0.0.1 nobody listens on now; 0 when none was found. */
int bench_free_port(void);
/* VmRSS of a process in KiB (-1 when it cannot be read). */
long bench_rss_kib(pid_t pid);

/* Appends a row to $TRIN_BENCH_RESULTS (no-op without it). reference is
 * text ("< 20 ms", "bare PUB/SUB", "" for none); ratio is NaN for none. */
void bench_result(const char *section, const char *figure, double value, const char *unit,
                  const char *reference, double ratio);

/* Prints the table of the rows in `results` to stdout, with the machine
 * line, and writes them as JSON to json_path (NULL: no file). Returns 0, or
 * -1 when the rows could not be read or the JSON not written. */
int bench_report(const char *results, const char *json_path, const char *title);

#endif
