/* bench_aggregator — the aggregator's figures for issue 6, printed, never
 * judged: with 100,000 projects, the time of one OData page of 1,000 rows
 * (plain and filtered), of the full JSON feed and the CSV, the latency from
 * an upstream event to the SSE client at 5,000 events/s (p50/p99/max; the
 * event is applied, committed with its cursor and row in SQLite, and
 * written to the stream; the upstream's own ZeroMQ hop is not included),
 * and the resident memory per row. The service runs in this process on its
 * own loop thread, as in the feed tests. --quick: 10,000 projects. */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "test_aggregator_util.h"

static double now_s(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long rss_kib(void) {
  FILE *f = fopen("/proc/self/status", "r");
  char line[256];
  long v = 0;
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "VmRSS:", 6) == 0) v = atol(line + 6);
  if (f) fclose(f);
  return v;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void timed_get(int port, const char *label, const char *path, int reps) {
  double *t = calloc((size_t)reps, sizeof *t);
  size_t bytes = 0;
  for (int i = 0; i < reps; i++) {
    tu_http_t r;
    double t0 = now_s();
    if (!tu_get_auth(port, path, &r) || r.status != 200) {
      fprintf(stderr, "%s failed\n", path);
      exit(1);
    }
    t[i] = (now_s() - t0) * 1000;
    bytes = r.body_len;
    tu_http_free(&r);
  }
  qsort(t, (size_t)reps, sizeof *t, cmp_d);
  printf("%-34s median %8.2f ms  max %8.2f ms  (%zu bytes, %d runs)\n", label, t[reps / 2],
         t[reps - 1], bytes, reps);
  free(t);
}

/* ---- event -> SSE latency ---- */

#define RATE 5000
static tu_svc_t *svc;
static uint64_t lc_seq, base_row_seq;
static double *sent_at, *got_at;
static int nevents;
static volatile int reader_done;

typedef struct {
  int k;
} one_t;

static void change_one(agg_service_t *a, void *arg) {
  one_t *o = arg;
  char id[16];
  snprintf(id, sizeof id, "P%05d", o->k % 1000);
  Trin__Lifecycle__Project p;
  tu_project(&p, id, "", "KAB");
  p.dwellings = 100000 + o->k; /* a new value each time: one row change per event */
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = &p;
  Trin__Event *ev = tu_event("lifecycle", ++lc_seq, "lifecycle.stage_changed", &pe.base);
  sent_at[o->k] = now_s();
  agg_service_consume(a, 0, ev);
  tu_event_free(ev);
  trin_err_t err = {0};
  agg_service_flush(a, &err);
}

static void *reader(void *arg) {
  tu_sse_t *s = arg;
  uint64_t ids[256];
  int seen = 0;
  double end = now_s() + nevents / (double)RATE + 10;
  while (seen < nevents && now_s() < end) {
    size_t n = tu_sse_read(s, 1, 200, ids, 256, NULL);
    double t = now_s();
    for (size_t i = 0; i < n && i < 256; i++) {
      int k = (int)(ids[i] - base_row_seq - 1);
      if (k >= 0 && k < nevents && got_at[k] == 0) {
        got_at[k] = t;
        seen++;
      }
    }
  }
  reader_done = 1;
  return NULL;
}

int main(int argc, char **argv) {
  int nrows = argc > 1 && strcmp(argv[1], "--quick") == 0 ? 10000 : 100000;
  nevents = nrows == 100000 ? 10000 : 2000;
  long rss0 = rss_kib();
  svc = tu_svc_start("", 1000, 0);
  long rss1 = rss_kib();
  double t0 = now_s();
  tu_svc_projects(svc, nrows, &lc_seq);
  double load = now_s() - t0;
  long rss2 = rss_kib();
  int port = tu_svc_port(svc);
  printf("aggregator, %d projects (in-memory SQLite store, this process)\n", nrows);
  printf("%-34s %8.0f ms  (%.0f events/s, one transaction)\n", "apply + store all projects",
         load * 1000, nrows / load);
  printf("%-34s %8.0f bytes/row  (RSS %ld -> %ld KiB; before the service: %ld KiB)\n",
         "resident memory per row", (double)(rss2 - rss1) * 1024.0 / nrows, rss1, rss2, rss0);
  timed_get(port, "OData page of 1000 rows", "/odata/ProjectStatus", 21);
  timed_get(port, "OData page, $filter + $count",
            "/odata/ProjectStatus?$filter=stage%20eq%20'trin3'%20and%20dwellings%20gt%20500&$count=true",
            21);
  timed_get(port, "OData page, $orderby dwellings desc",
            "/odata/ProjectStatus?$orderby=dwellings%20desc", 11);
  timed_get(port, "full JSON feed /api/v1/status", "/api/v1/status", 5);
  timed_get(port, "full CSV /api/v1/status.csv", "/api/v1/status.csv", 5);

  /* SSE latency at RATE events/s */
  tu_http_t r;
  tu_get_auth(port, "/healthz", &r);
  tu_http_free(&r);
  tu_get_auth(port, "/api/v1/status?since=999999999999", &r);
  char *ls = strstr(r.body, "\"last_seq\":");
  base_row_seq = ls ? strtoull(ls + 11, NULL, 10) : 0;
  tu_http_free(&r);
  char last[32];
  snprintf(last, sizeof last, "%llu", (unsigned long long)base_row_seq);
  tu_sse_t *s = calloc(1, sizeof *s);
  if (!tu_sse_open(s, port, last)) {
    fprintf(stderr, "cannot open the stream\n");
    return 1;
  }
  sent_at = calloc((size_t)nevents, sizeof *sent_at);
  got_at = calloc((size_t)nevents, sizeof *got_at);
  pthread_t th;
  pthread_create(&th, NULL, reader, s);
  double start = now_s();
  for (int k = 0; k < nevents; k++) {
    double due = start + (double)k / RATE;
    while (now_s() < due) {
      struct timespec ts = {0, 20000};
      nanosleep(&ts, NULL);
    }
    one_t o = {k};
    tu_svc_run(svc, change_one, &o);
  }
  double took = now_s() - start;
  pthread_join(th, NULL);
  double *lat = calloc((size_t)nevents, sizeof *lat);
  int m = 0;
  for (int k = 0; k < nevents; k++)
    if (got_at[k] > 0) lat[m++] = (got_at[k] - sent_at[k]) * 1000;
  qsort(lat, (size_t)m, sizeof *lat, cmp_d);
  printf("%-34s p50 %6.2f ms  p99 %6.2f ms  max %6.2f ms  (%d of %d events, %.0f events/s offered)\n",
         "event -> SSE client", m ? lat[m / 2] : 0, m ? lat[(int)(m * 0.99)] : 0,
         m ? lat[m - 1] : 0, m, nevents, nevents / took);
  tu_sse_close(s);
  free(s);
  free(lat);
  free(sent_at);
  free(got_at);
  tu_svc_stop(svc);
  return 0;
}
