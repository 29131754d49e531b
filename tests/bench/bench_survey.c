/* bench_survey — the survey service's two speed targets, measured on the
 * real processes (lifecycle + survey, ipc sockets, sync=full: every commit
 * is durable):
 *   1. import 1,000,000 responses × 10 statements from one CSV file in one
 *      request (target < 10 s), then the same file again (all unchanged);
 *   2. results of one project's round from the resulting store of
 *      10,000,000 answers (target < 5 ms), median and 99th percentile of
 *      repeated GetResults calls, for the big round and for a small survey
 *      in the same store.
 * Prints figures; judges nothing. `--quick` uses 100,000 responses;
 * `--responses N` any size. Build it Release (no sanitizers) for figures
 * worth quoting: see docs/survey.md. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "lcclient.h"
#include "test_survey_common.h"
#include "trin_codec.h"

#define STATEMENTS 10

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_double(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}

static void die(const char *what, const trin_err_t *e) {
  fprintf(stderr, "bench_survey: %s: %s (%s)\n", what, e ? e->message : "", e ? e->field : "");
  exit(1);
}

static void make_survey(survey_env_t *env, const char *id, const char *project) {
  static char keys[STATEMENTS][16];
  Trin__Survey__Statement st[STATEMENTS], *sts[STATEMENTS];
  for (int k = 0; k < STATEMENTS; k++) {
    trin__survey__statement__init(&st[k]);
    snprintf(keys[k], sizeof keys[k], "V%02d", k + 1);
    st[k].key = keys[k];
    st[k].text = "Værdi";
    st[k].common = k < 4;
    sts[k] = &st[k];
  }
  Trin__Survey__Thresholds t = TRIN__SURVEY__THRESHOLDS__INIT;
  t.drop_from_previous_x100 = 50;
  t.floor_x100 = 250;
  Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
  sv.id = (char *)id;
  sv.project_id = (char *)project;
  sv.title = "Benchmark";
  sv.scale_min = 1;
  sv.scale_max = 5;
  sv.thresholds = &t;
  sv.statements = sts;
  sv.n_statements = STATEMENTS;
  trin_err_t e = {0};
  if (sv_create_when_known(env->svc, &sv, &e)) die("create survey", &e);
  if (sv_add_round(env->svc, id, 1, "2024-01-01", "2024-01-31", &e)) die("add round", &e);
}

static void results_timing(survey_env_t *env, const char *survey, int reps) {
  double *t = malloc((size_t)reps * sizeof *t);
  for (int i = 0; i < reps; i++) {
    Trin__Survey__RoundResults *r = NULL;
    trin_err_t e = {0};
    double t0 = now_ms();
    if (sv_results(env->svc, survey, 1, &r, &e)) die("results", &e);
    t[i] = now_ms() - t0;
    trin_codec_free(r);
  }
  qsort(t, (size_t)reps, sizeof *t, cmp_double);
  printf("  results %-8s %d calls: median %.3f ms, p99 %.3f ms, max %.3f ms (round trip)\n",
         survey, reps, t[reps / 2], t[reps * 99 / 100], t[reps - 1]);
  free(t);
}

int main(int argc, char **argv) {
  long n = 1000000;
  for (int i = 1; i < argc; i++) {
    if (strcmp(argv[i], "--quick") == 0) n = 100000;
    else if (strcmp(argv[i], "--responses") == 0 && i + 1 < argc) n = atol(argv[++i]);
    else {
      fprintf(stderr, "usage: bench_survey [--quick | --responses N]\n");
      return 2;
    }
  }
  long pages = sysconf(_SC_PHYS_PAGES), psize = sysconf(_SC_PAGESIZE);
  printf("bench_survey: %ld cpus, %.1f GiB memory; %ld responses × %d statements = %ld "
         "answers; sync=full\n",
         sysconf(_SC_NPROCESSORS_ONLN), (double)pages * psize / (1 << 30), n, STATEMENTS,
         n * STATEMENTS);

  survey_env_t env;
  const char *extra[] = {"--max-message=134217728", NULL};
  if (!survey_env_start(&env, "svbench", extra)) die("start services", NULL);
  trin_client_set_timeout(env.svc, 600000);
  trin_err_t e = {0};
  if (lc_org(env.lcc, "KAB", "client", &e)) die("org", &e);
  if (lc_project(env.lcc, "P-BIG", NULL, "KAB", false, "2023-03-01", &e)) die("project", &e);
  if (lc_project(env.lcc, "P-SMALL", NULL, "KAB", false, "2023-03-01", &e)) die("project", &e);
  make_survey(&env, "S-BIG", "P-BIG");
  make_survey(&env, "S-SMALL", "P-SMALL");

  double t0 = now_ms();
  sbuf_t csv = {0};
  sbuf_printf(&csv, "respondent;role;V01;V02;V03;V04;V05;V06;V07;V08;V09;V10;comment\n");
  static const char *const roles[] = {"residents", "residents", "residents", "følgegruppe",
                                      "client", "advisor", "contractor"};
  unsigned x = 12345;
  for (long i = 0; i < n; i++) {
    int s[STATEMENTS];
    for (int k = 0; k < STATEMENTS; k++) {
      x = x * 1103515245u + 12345u;
      s[k] = 1 + (int)((x >> 16) % 5);
    }
    sbuf_printf(&csv, "tv-%08ld;%s;%d;%d;%d;%d;%d;%d;%d;%d;%d;%d;%s\n", i, roles[i % 7], s[0],
                s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9],
                i % 50 == 0 ? "\"god dialog, tak\"" : "");
  }
  printf("  CSV generated: %.1f MiB in %.0f ms\n", csv.len / 1048576.0, now_ms() - t0);

  Trin__Survey__ImportReply *ir = NULL;
  t0 = now_ms();
  if (sv_import_csv(env.svc, "S-BIG", 1, csv.data, csv.len, &ir, &e)) die("import", &e);
  double t_import = now_ms() - t0;
  printf("  import   %ld responses: %.2f s (%.0f responses/s), %d added  [target < 10 s]\n", n,
         t_import / 1e3, n / (t_import / 1e3), ir->added);
  trin_codec_free(ir);
  t0 = now_ms();
  if (sv_import_csv(env.svc, "S-BIG", 1, csv.data, csv.len, &ir, &e)) die("re-import", &e);
  double t_again = now_ms() - t0;
  printf("  re-send  same file: %.2f s, %d unchanged, %d added\n", t_again / 1e3, ir->unchanged,
         ir->added);
  trin_codec_free(ir);
  sbuf_free(&csv);

  sbuf_t small = {0};
  sbuf_printf(&small, "respondent,role,V01,V02,V03\n");
  for (int i = 0; i < 40; i++) sbuf_printf(&small, "s%d,residents,%d,4,3\n", i, 1 + i % 5);
  if (sv_import_csv(env.svc, "S-SMALL", 1, small.data, small.len, NULL, &e)) die("small", &e);
  sbuf_free(&small);

  results_timing(&env, "S-BIG", 1000);
  results_timing(&env, "S-SMALL", 1000);
  char st[400];
  snprintf(st, sizeof st, "du -sh %s/store.db* 2>/dev/null | tr '\\n' ' '", env.sv.dir);
  printf("  store: ");
  fflush(stdout);
  if (system(st) != 0) printf("?");
  printf("\n");
  if (!survey_env_stop(&env)) fprintf(stderr, "bench_survey: a service did not stop cleanly\n");
  return 0;
}
