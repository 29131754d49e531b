/* bench_benchmark — the benchmark service at the scale: 100,000
 * properties (1,000 organisations × 100) × 11 years × 10 property figures,
 * loaded through the real trin-benchmark process by CSV (all-or-nothing
 * imports, one per data file); then, through the ROUTER:
 *   - a distribution + ranks query for one figure, year and peer group,
 *     first on a fresh index (cold: the year's measures are scanned) and
 *     again (warm: from the ranking cache);
 *   - an organisation's 11-year rank history, cold and warm;
 * and in the same run the same queries as SQL window functions (RANK() OVER,
 * PERCENT_RANK() OVER, ROW_NUMBER() for the quartiles) in SQLite over the
 * same rows — the service's own store file — with the ratio, and in
 * PostgreSQL over a copy of those rows when TRIN_TEST_PG names a server
 * (pgtwin.h; the two SQL answers are checked to agree). Prints the
 * machine (nproc, memory) and medians. Figures only; nothing is judged.
 *
 * Usage: bench_benchmark [--quick] (10,000 properties). */
#include <math.h>
#include <sqlite3.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "pgtwin.h"
#include "bench_util.h"
#include "test_benchmark_calls.h"
#include "testproc.h"
#include "trin_codec.h"

static double now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return ts.tv_sec * 1e3 + ts.tv_nsec / 1e6;
}

static int cmp_d(const void *a, const void *b) {
  double x = *(const double *)a, y = *(const double *)b;
  return x < y ? -1 : x > y;
}
static double median(double *v, int n) {
  qsort(v, (size_t)n, sizeof *v, cmp_d);
  return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static void meminfo(char *out, size_t n) {
  FILE *f = fopen("/proc/meminfo", "r");
  char line[256];
  snprintf(out, n, "?");
  while (f && fgets(line, sizeof line, f))
    if (strncmp(line, "MemTotal:", 9) == 0) {
      long kb = atol(line + 9);
      snprintf(out, n, "%.1f GiB", kb / 1048576.0);
    }
  if (f) fclose(f);
}

#define DIE(...)                    \
  do {                              \
    fprintf(stderr, __VA_ARGS__);   \
    fputc('\n', stderr);            \
    exit(1);                        \
  } while (0)

/* The SQL twin of QueryFigure(cost_per_m2, year, peer type): organisation
 * values, RANK() and PERCENT_RANK() windows, and the quartiles from
 * ROW_NUMBER() (type 7 interpolation done by the query). */
static const char *SQL_RANKS =
    "WITH o AS (SELECT p.owner_org AS org, SUM(m.total_cost_ore) * 1.0 / SUM(p.gross_area_m2) AS v"
    "  FROM bm_measures m JOIN bm_properties p ON p.id = m.property_id"
    "  WHERE m.year = ?1 AND (?2 = '' OR p.type = ?2) AND m.total_cost_ore IS NOT NULL"
    "  GROUP BY p.owner_org),"
    " r AS (SELECT org, v, RANK() OVER (ORDER BY v) AS rnk,"
    "  1 - PERCENT_RANK() OVER (ORDER BY v) AS pct,"
    "  ROW_NUMBER() OVER (ORDER BY v) - 1 AS i, COUNT(*) OVER () AS n FROM o)"
    " SELECT org, v, rnk, pct, r.n,"
    "  (SELECT AVG(v) FROM o),"
    "  (SELECT a.v + ((a.n - 1) * 0.25 - a.i) * (b.v - a.v) FROM r a JOIN r b ON b.i = a.i + 1"
    "     WHERE a.i = CAST((a.n - 1) * 0.25 AS INT)),"
    "  (SELECT a.v + ((a.n - 1) * 0.5 - a.i) * (b.v - a.v) FROM r a JOIN r b ON b.i = a.i + 1"
    "     WHERE a.i = CAST((a.n - 1) * 0.5 AS INT)),"
    "  (SELECT a.v + ((a.n - 1) * 0.75 - a.i) * (b.v - a.v) FROM r a JOIN r b ON b.i = a.i + 1"
    "     WHERE a.i = CAST((a.n - 1) * 0.75 AS INT))"
    " FROM r ORDER BY rnk";

static const char *SQL_HISTORY =
    "WITH o AS (SELECT m.year AS year, p.owner_org AS org,"
    "  SUM(m.total_cost_ore) * 1.0 / SUM(p.gross_area_m2) AS v"
    "  FROM bm_measures m JOIN bm_properties p ON p.id = m.property_id"
    "  WHERE m.year BETWEEN ?1 AND ?2 AND m.total_cost_ore IS NOT NULL GROUP BY m.year, p.owner_org),"
    " r AS (SELECT year, org, v, RANK() OVER (PARTITION BY year ORDER BY v) AS rnk,"
    "  COUNT(*) OVER (PARTITION BY year) AS n FROM o)"
    " SELECT year, v, rnk, n FROM r WHERE org = ?3 ORDER BY year";

/* The same two queries in PostgreSQL's dialect, kept the same computation:
 * the sums divided as float8 (SQLite's SUM(..) * 1.0 / SUM(..) is a double
 * division of the two integer sums) and trunc() where SQLite's CAST(real AS
 * INT) truncates (PostgreSQL's cast would round). */
static const char *PG_RANKS =
    "WITH o AS (SELECT p.owner_org AS org,"
    "  SUM(m.total_cost_ore)::float8 / SUM(p.gross_area_m2)::float8 AS v"
    "  FROM bm_measures m JOIN bm_properties p ON p.id = m.property_id"
    "  WHERE m.year = $1::int AND ($2::text = '' OR p.type = $2::text)"
    "  AND m.total_cost_ore IS NOT NULL"
    "  GROUP BY p.owner_org),"
    " r AS (SELECT org, v, RANK() OVER (ORDER BY v) AS rnk,"
    "  1 - PERCENT_RANK() OVER (ORDER BY v) AS pct,"
    "  ROW_NUMBER() OVER (ORDER BY v) - 1 AS i, COUNT(*) OVER () AS n FROM o)"
    " SELECT org, v, rnk, pct, r.n,"
    "  (SELECT AVG(v) FROM o),"
    "  (SELECT a.v + ((a.n - 1) * 0.25::float8 - a.i) * (b.v - a.v) FROM r a"
    "     JOIN r b ON b.i = a.i + 1 WHERE a.i = trunc((a.n - 1) * 0.25::float8)),"
    "  (SELECT a.v + ((a.n - 1) * 0.5::float8 - a.i) * (b.v - a.v) FROM r a"
    "     JOIN r b ON b.i = a.i + 1 WHERE a.i = trunc((a.n - 1) * 0.5::float8)),"
    "  (SELECT a.v + ((a.n - 1) * 0.75::float8 - a.i) * (b.v - a.v) FROM r a"
    "     JOIN r b ON b.i = a.i + 1 WHERE a.i = trunc((a.n - 1) * 0.75::float8))"
    " FROM r ORDER BY rnk";

static const char *PG_HISTORY =
    "WITH o AS (SELECT m.year AS year, p.owner_org AS org,"
    "  SUM(m.total_cost_ore)::float8 / SUM(p.gross_area_m2)::float8 AS v"
    "  FROM bm_measures m JOIN bm_properties p ON p.id = m.property_id"
    "  WHERE m.year BETWEEN $1::int AND $2::int AND m.total_cost_ore IS NOT NULL"
    "  GROUP BY m.year, p.owner_org),"
    " r AS (SELECT year, org, v, RANK() OVER (PARTITION BY year ORDER BY v) AS rnk,"
    "  COUNT(*) OVER (PARTITION BY year) AS n FROM o)"
    " SELECT year, v, rnk, n FROM r WHERE org = $3 ORDER BY year";

/* What the SQLite and PostgreSQL answers are compared by: the rows, the sum
 * of the ranks (column 2 of both queries) and the sum of every other number
 * after column 0 (values, percent ranks, counts, mean and quartiles). */
typedef struct {
  int rows;
  int64_t ranks;
  double numbers;
} answer_t;

static answer_t sql_answer(sqlite3_stmt *st) {
  answer_t a = {0, 0, 0};
  int ncol = sqlite3_column_count(st);
  while (sqlite3_step(st) == SQLITE_ROW) {
    a.rows++;
    a.ranks += sqlite3_column_int64(st, 2);
    for (int c = 1; c < ncol; c++)
      if (c != 2) a.numbers += sqlite3_column_double(st, c);
  }
  sqlite3_reset(st);
  return a;
}

static void pg_answer(const PGresult *r, void *arg) {
  answer_t *a = arg;
  *a = (answer_t){PQntuples(r), 0, 0};
  for (int i = 0; i < PQntuples(r); i++) {
    a->ranks += strtoll(PQgetvalue(r, i, 2), NULL, 10);
    for (int c = 1; c < PQnfields(r); c++)
      if (c != 2 && !PQgetisnull(r, i, c)) a->numbers += strtod(PQgetvalue(r, i, c), NULL);
  }
}

/* Sums of doubles in another order differ in the last bits. */
static bool answers_agree(const answer_t *x, const answer_t *y) {
  double scale = fabs(x->numbers) > 1 ? fabs(x->numbers) : 1;
  return x->rows == y->rows && x->ranks == y->ranks &&
         fabs(x->numbers - y->numbers) <= 1e-9 * scale;
}

/* The rows both queries read, as the service's store has them (the columns
 * they use, and its keys and index), filled by COPY from the store file and
 * analysed; NULL with the reason in why when PostgreSQL is not available or
 * misbehaves. *seconds the load, *rows the measures. */
static pgtwin_t *pg_load(sqlite3 *db, double *seconds, long *rows, char *why, size_t why_size) {
  static const pgtwin_copy_t copies[] = {
      {"SELECT id, owner_org, type, gross_area_m2 FROM bm_properties", "bm_properties"},
      {"SELECT owner_org, property_id, year, total_cost_ore FROM bm_measures", "bm_measures"},
  };
  const pgtwin_query_t queries[] = {{"ranks", PG_RANKS}, {"history", PG_HISTORY}};
  const pgtwin_load_t load = {
      .schema = "bench_benchmark",
      .create = "CREATE TABLE bm_properties (id text NOT NULL, owner_org text NOT NULL,"
                " type text NOT NULL, gross_area_m2 bigint NOT NULL);"
                "CREATE TABLE bm_measures (owner_org text NOT NULL,"
                " property_id text NOT NULL, year integer NOT NULL, total_cost_ore bigint)",
      .copies = copies,
      .ncopies = sizeof copies / sizeof *copies,
      .keys = "ALTER TABLE bm_properties ADD PRIMARY KEY (owner_org, id);"
              "CREATE INDEX bm_properties_id ON bm_properties(id);"
              "ALTER TABLE bm_measures ADD PRIMARY KEY (owner_org, property_id, year);"
              "ANALYZE bm_properties; ANALYZE bm_measures",
      .queries = queries,
      .nqueries = sizeof queries / sizeof *queries,
  };
  return pgtwin_load(&load, db, rows, seconds, why, why_size);
}

/* The table row of a PostgreSQL twin: its median and ratio, or why not. */
static void pg_row(const char *section, double ms, bool agree, int reps,
                   const char *why, double trin_ms) {
  char fig[160];
  if (isnan(ms)) {
    snprintf(fig, sizeof fig, "  the same in PostgreSQL: not available (%.60s)", why);
    bench_result(section, fig, NAN, "", "", NAN);
    return;
  }
  snprintf(fig, sizeof fig, "  the same as PostgreSQL window functions (%d)%s", reps,
           agree ? "" : " (ANSWERS DIFFER)");
  bench_result(section, fig, ms, "ms", "ratio PostgreSQL / trin cold", ms / trin_ms);
}

int main(int argc, char **argv) {
  bool quick = argc > 1 && strcmp(argv[1], "--quick") == 0;
  int norgs = quick ? 100 : 1000, per = 100, from = 2012, to = 2022, ny = to - from + 1;
  int reps = quick ? 5 : 21;
  char mem[64];
  meminfo(mem, sizeof mem);
  printf("machine: %ld cores, %s memory\n", sysconf(_SC_NPROCESSORS_ONLN), mem);
  printf("data: %d organisations x %d properties = %d properties x %d years (%d-%d), "
         "10 property figures; synthetic\n",
         norgs, per, norgs * per, ny, from, to);

  double t0 = now_ms();
  bmc_dataset_t ds;
  bmc_dataset_make(&ds, norgs, per, from, to);
  printf("generated CSV: properties %.1f MB, measures %.1f MB in %.1f s\n",
         ds.properties_len / 1e6, ds.measures_len / 1e6, (now_ms() - t0) / 1e3);

  /* With keys: the viewer of a ranking is the asking organisation's key
   * (K030 below), the load is the operator's. */
  testproc_t bm;
  testproc_init(&bm, "bench-benchmark");
  trin_err_t err = {0};
  bmc_keys_t keys;
  trin_keypair_t svc_pair, admin_pair, viewer_pair;
  char key_args[3][260];
  if (bmc_keys_init(&keys, &err) ||
      bmc_keys_service(&keys, "benchmark", &svc_pair, key_args, &err) ||
      bmc_keys_person(&keys, "ops", "admin", &admin_pair, &err) ||
      bmc_keys_person(&keys, "K030", "reader", &viewer_pair, &err))
    DIE("keys: %s", err.message);
  const char *extra[] = {"--lifecycle-endpoint=", "--budget-endpoint=", "--survey-endpoint=",
                         "--max-message=1073741824", "--log-level=warn",
                         key_args[0], key_args[1], key_args[2], NULL};
  trin_curve_client_t curve = {.own = &admin_pair};
  snprintf(curve.server_public_z85, sizeof curve.server_public_z85, "%s", svc_pair.public_z85);
  if (!testproc_start_curve(&bm, TRIN_BENCHMARK_BIN, extra, &curve))
    DIE("trin-benchmark did not start");
  trin_client_t *c = NULL, *as_viewer = NULL;
  if (bmc_client_as(bm.endpoint, &admin_pair, &svc_pair, &c, &err) ||
      bmc_client_as(bm.endpoint, &viewer_pair, &svc_pair, &as_viewer, &err))
    DIE("client: %s", err.message);
  trin_client_set_timeout(c, 600000);
  trin_client_set_timeout(as_viewer, 600000);

  /* ---- load ---------------------------------------------------------------- */
  t0 = now_ms();
  if (bmc_import(c, "properties", ds.properties_csv, ds.properties_len, NULL, &err))
    DIE("import properties: %s", err.message);
  double t_props = now_ms() - t0;
  /* measures in 11 files of one year each, as municipalities deliver them */
  double t1 = now_ms();
  {
    /* split the one CSV by year: header + the rows of that year */
    const char *hdr_end = strchr(ds.measures_csv, '\n') + 1;
    size_t hlen = (size_t)(hdr_end - ds.measures_csv);
    char **file = calloc((size_t)ny, sizeof *file);
    size_t *len = calloc((size_t)ny, sizeof *len);
    for (int y = 0; y < ny; y++) {
      file[y] = malloc(ds.measures_len / (size_t)ny * 2 + hlen);
      memcpy(file[y], ds.measures_csv, hlen);
      len[y] = hlen;
    }
    for (const char *p = hdr_end; *p;) {
      const char *eol = strchr(p, '\n');
      const char *semi = strchr(p, ';');
      int y = atoi(semi + 1) - from;
      memcpy(file[y] + len[y], p, (size_t)(eol - p + 1));
      len[y] += (size_t)(eol - p + 1);
      p = eol + 1;
    }
    for (int y = 0; y < ny; y++) {
      if (bmc_import(c, "measures", file[y], len[y], NULL, &err))
        DIE("import measures %d: %s", from + y, err.message);
      free(file[y]);
    }
    free(file);
    free(len);
  }
  double t_meas = now_ms() - t1;
  long rss_kib = bench_rss_kib(bm.pid);
  printf("load: properties %.1f s, measures (%d rows, 11 imports) %.1f s, total %.1f s "
         "(issue: < 30 s)\n",
         t_props / 1e3, norgs * per * ny, t_meas / 1e3, (t_props + t_meas) / 1e3);

  /* ---- queries through the service ---------------------------------------------- */
  double *cold = calloc((size_t)reps, sizeof(double)), *warm = calloc((size_t)reps, sizeof(double));
  double *hcold = calloc((size_t)reps, sizeof(double)), *hwarm = calloc((size_t)reps, sizeof(double));
  char viewer[16];
  snprintf(viewer, sizeof viewer, "K%03d", 30);
  for (int i = 0; i < reps; i++) {
    /* a one-organisation change invalidates the cache: the next query is cold */
    if (bmc_org(c, "K001", "Syntetisk Kommune 1", i % 2 == 0, &err)) DIE("org: %s", err.message);
    Trin__Benchmark__FigureReport *r = NULL;
    int year = from + i % ny;
    double a = now_ms();
    if (bmc_query(as_viewer, "cost_per_m2", year, "school", NULL, NULL, 0, &r, &err))
      DIE("query: %s", err.message);
    cold[i] = now_ms() - a;
    trin_codec_free(r);
    a = now_ms();
    if (bmc_query(as_viewer, "cost_per_m2", year, "school", NULL, NULL, 0, &r, &err))
      DIE("query: %s", err.message);
    warm[i] = now_ms() - a;
    if (i == 0)
      printf("query answer: %zu organisations ranked, median %lld, viewer rank %d\n",
             r->n_entries, (long long)r->distribution->median, r->viewer ? r->viewer->rank : 0);
    trin_codec_free(r);
    if (bmc_org(c, "K001", "Syntetisk Kommune 1", i % 2 != 0, &err)) DIE("org: %s", err.message);
    Trin__Benchmark__History *h = NULL;
    a = now_ms();
    if (bmc_history(as_viewer, "energy_per_m2", viewer, from, to, NULL, &h, &err))
      DIE("history: %s", err.message);
    hcold[i] = now_ms() - a;
    trin_codec_free(h);
    a = now_ms();
    if (bmc_history(as_viewer, "energy_per_m2", viewer, from, to, NULL, &h, &err))
      DIE("history: %s", err.message);
    hwarm[i] = now_ms() - a;
    trin_codec_free(h);
  }
  double m_cold = median(cold, reps), m_warm = median(warm, reps);
  double m_hcold = median(hcold, reps), m_hwarm = median(hwarm, reps);

  /* ---- the same in SQL over the service's store --------------------------------- */
  sqlite3 *db = NULL;
  const char *path = bm.store + strlen("sqlite:");
  if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
    DIE("sqlite open %s", path);
  sqlite3_stmt *qr = NULL, *qh = NULL;
  if (sqlite3_prepare_v2(db, SQL_RANKS, -1, &qr, NULL) != SQLITE_OK ||
      sqlite3_prepare_v2(db, SQL_HISTORY, -1, &qh, NULL) != SQLITE_OK)
    DIE("sqlite prepare: %s", sqlite3_errmsg(db));
  int sreps = quick ? 3 : 5;
  double *sq = calloc((size_t)sreps, sizeof(double)), *sh = calloc((size_t)sreps, sizeof(double));
  answer_t *sa = calloc((size_t)sreps, sizeof *sa), *sha = calloc((size_t)sreps, sizeof *sha);
  for (int i = 0; i < sreps; i++) {
    sqlite3_bind_int(qr, 1, from + i % ny);
    sqlite3_bind_text(qr, 2, "school", -1, SQLITE_STATIC);
    double a = now_ms();
    sa[i] = sql_answer(qr);
    sq[i] = now_ms() - a;
    sqlite3_bind_int(qh, 1, from);
    sqlite3_bind_int(qh, 2, to);
    sqlite3_bind_text(qh, 3, viewer, -1, SQLITE_STATIC);
    a = now_ms();
    sha[i] = sql_answer(qh);
    sh[i] = now_ms() - a;
  }
  int rows = sa[sreps - 1].rows, hrows = sha[sreps - 1].rows;
  double m_sq = median(sq, sreps), m_sh = median(sh, sreps);
  sqlite3_finalize(qr);
  sqlite3_finalize(qh);

  /* ---- the same in PostgreSQL over a copy of the rows ------------------------------ */
  /* Optional: without a server, or when it fails, its rows say why. Each
   * repeat asks what the SQLite repeat asked, and the answers must agree. */
  char why[512] = "";
  double pg_secs = 0, m_pq = NAN, m_ph = NAN;
  long pg_rows = 0;
  bool pq_agree = true, ph_agree = true;
  pgtwin_t *pg = pg_load(db, &pg_secs, &pg_rows, why, sizeof why);
  sqlite3_close(db);
  char pg_version[32] = "";
  if (pg) {
    snprintf(pg_version, sizeof pg_version, "%s", pgtwin_version(pg));
    double *pq = calloc((size_t)sreps, sizeof(double)), *ph = calloc((size_t)sreps, sizeof(double));
    char y0[16], y1[16], year[16];
    snprintf(y0, sizeof y0, "%d", from);
    snprintf(y1, sizeof y1, "%d", to);
    int i = 0;
    for (; i < sreps; i++) {
      snprintf(year, sizeof year, "%d", from + i % ny);
      const char *rp[2] = {year, "school"}, *hp[3] = {y0, y1, viewer};
      answer_t a, h;
      pq[i] = pgtwin_time(pg, "ranks", 2, rp, 1, pg_answer, &a);
      if (isnan(pq[i])) break;
      ph[i] = pgtwin_time(pg, "history", 3, hp, 1, pg_answer, &h);
      if (isnan(ph[i])) break;
      pq_agree = pq_agree && answers_agree(&a, &sa[i]);
      ph_agree = ph_agree && answers_agree(&h, &sha[i]);
      if (!answers_agree(&a, &sa[i]) || !answers_agree(&h, &sha[i]))
        fprintf(stderr,
                "bench_benchmark: PostgreSQL and SQLite disagree (year %s): ranks %d/%d rows, "
                "%lld/%lld, %.17g/%.17g; history %d/%d rows, %lld/%lld, %.17g/%.17g\n",
                year, a.rows, sa[i].rows, (long long)a.ranks, (long long)sa[i].ranks, a.numbers,
                sa[i].numbers, h.rows, sha[i].rows, (long long)h.ranks, (long long)sha[i].ranks,
                h.numbers, sha[i].numbers);
    }
    if (i == sreps) {
      m_pq = median(pq, sreps);
      m_ph = median(ph, sreps);
    } else {
      snprintf(why, sizeof why, "%s", pgtwin_why(pg));
      fprintf(stderr, "bench_benchmark: PostgreSQL query failed: %s\n", why);
    }
    free(pq), free(ph);
    pgtwin_destroy(&pg);
  } else {
    fprintf(stderr, "bench_benchmark: PostgreSQL twin not measured: %s\n", why);
  }

  printf("\nround trips through the ROUTER (median of %d):\n", reps);
  printf("  distribution + ranks, cost_per_m2, one year, schools: cold %.2f ms, warm %.2f ms "
         "(issue: < 20 ms)\n", m_cold, m_warm);
  printf("  11-year rank history, energy_per_m2:                 cold %.2f ms, warm %.2f ms "
         "(issue: < 5 ms)\n", m_hcold, m_hwarm);
  printf("SQLite window functions over the same rows (median of %d, %d and %d rows):\n", sreps,
         rows, hrows);
  printf("  distribution + ranks: %.1f ms   (SQL / service cold: %.0fx)\n", m_sq, m_sq / m_cold);
  printf("  11-year rank history: %.1f ms   (SQL / service cold: %.0fx)\n", m_sh, m_sh / m_hcold);
  if (!isnan(m_pq)) {
    printf("PostgreSQL %s window functions over a copy of the rows (%ld measures copied in "
           "%.1f s; answers %s SQLite's):\n",
           pg_version, pg_rows, pg_secs, pq_agree && ph_agree ? "agree with" : "DIFFER from");
    printf("  distribution + ranks: %.1f ms   (SQL / service cold: %.0fx)\n", m_pq,
           m_pq / m_cold);
    printf("  11-year rank history: %.1f ms   (SQL / service cold: %.0fx)\n", m_ph,
           m_ph / m_hcold);
  } else {
    printf("PostgreSQL: not measured (%s)\n", why);
  }

  /* The suite's table (tests/bench/suite.sh); nothing without TRIN_BENCH_RESULTS. */
  const char *S = "4. against SQL: benchmark ranks";
  char fig[160];
  snprintf(fig, sizeof fig, "load %d properties x %d years by CSV", norgs * per, ny);
  bench_result(S, fig, (t_props + t_meas) / 1e3, "s", "< 30 s", (t_props + t_meas) / 30e3);
  bench_result(S, "  resident memory (VmRSS) of trin-benchmark after the load", rss_kib / 1024.0,
               "MiB", "", NAN);
  snprintf(fig, sizeof fig, "distribution + ranks, one figure/year/peer group, cold (%d)", reps);
  bench_result(S, fig, m_cold, "ms", "< 20 ms", m_cold / 20);
  bench_result(S, "  the same, warm (ranking cache)", m_warm, "ms", "", NAN);
  snprintf(fig, sizeof fig, "  the same as SQLite window functions (%d)", sreps);
  bench_result(S, fig, m_sq, "ms", "ratio SQLite / trin cold", m_sq / m_cold);
  pg_row(S, m_pq, pq_agree, sreps, why, m_cold);
  snprintf(fig, sizeof fig, "11-year rank history, cold (%d)", reps);
  bench_result(S, fig, m_hcold, "ms", "< 5 ms", m_hcold / 5);
  bench_result(S, "  the same, warm", m_hwarm, "ms", "", NAN);
  snprintf(fig, sizeof fig, "  the same as SQLite window functions (%d)", sreps);
  bench_result(S, fig, m_sh, "ms", "ratio SQLite / trin cold", m_sh / m_hcold);
  pg_row(S, m_ph, ph_agree, sreps, why, m_hcold);
  if (!isnan(m_pq)) {
    snprintf(fig, sizeof fig, "  PostgreSQL %s: %ld measures copied in (COPY, keys, ANALYZE)",
             pg_version, pg_rows);
    bench_result(S, fig, pg_secs, "s", "", NAN);
  }

  trin_client_destroy(&c);
  trin_client_destroy(&as_viewer);
  int st = testproc_stop(&bm);
  testproc_cleanup(&bm);
  bmc_keys_cleanup(&keys);
  bmc_dataset_free(&ds);
  free(cold), free(warm), free(hcold), free(hwarm), free(sq), free(sh), free(sa), free(sha);
  printf("trin-benchmark exit status %d\n", st);
  return st == 0 ? 0 : 1;
}
