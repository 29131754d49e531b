/* benchmark_iku_import — see benchmark_iku_import.h. The CSV conventions
 * are benchmark_import's: ',' or ';', a header row, numbers read by
 * trin_number (amounts as kroner by trin_money: "1.234.567,89"), errors
 * naming the line and the column. A header may name a column in Danish or
 * English, because the figures come from Danish statistics exports. A
 * (year, municipality, main account) given twice in one file is refused
 * with both lines: which of them was meant is not ours to guess. */
#include "benchmark_iku_import.h"

#include <stdlib.h>
#include <string.h>

#include "benchmark_iku.h"
#include "benchmark_iku_store.h"
#include "benchmark_rules.h"
#include "trin_csv.h"
#include "trin_id.h"
#include "trin_money.h"
#include "trin_number.h"

enum { C_YEAR, C_MUNI, C_ACCOUNT, C_PURCHASES, C_OWN_WON, C_TASKS, NCOLS };

/* Each column's field name (the English header) first, then the other
 * headers that mean it. */
static const char *const HEADERS[NCOLS][6] = {
    {"year", "år", "År", "aar", NULL},
    {"municipality", "kommune", NULL},
    {"main_account", "main account", "account", "hovedkonto", NULL},
    {"purchases", "private_purchases", "køb", "køb fra private", "koeb", NULL},
    {"own_won", "own tenders won", "own_tenders_won", "egne vundne udbud", "vundne udbud", NULL},
    {"tasks", "udbudsegnede opgaver", "udbudsegnede_opgaver", "opgaver", NULL},
};

typedef struct {
  int year, account;
  char *municipality;
  size_t line;
} file_key_t;

typedef struct {
  trin_store_t *store;
  bool header_done;
  int col[NCOLS];
  file_key_t *keys;
  size_t n, cap;
} imp_t;

static const char *cell(const trin_csv_row_t *r, int c) {
  return c >= 0 && (size_t)c < r->n ? r->fields[c] : "";
}

static int header(imp_t *im, const trin_csv_row_t *r, trin_err_t *err) {
  for (int c = 0; c < NCOLS; c++) {
    im->col[c] = -1;
    for (int k = 0; HEADERS[c][k] && im->col[c] < 0; k++)
      im->col[c] = trin_csv_column(r, HEADERS[c][k]);
    if (im->col[c] < 0)
      return trin_err_set(err, TRIN_EINVALID, "csv",
                          "line %zu: the header has no column '%s' (or '%s'); the columns are "
                          "year;municipality;main_account;purchases;own_won;tasks "
                          "(år;kommune;hovedkonto;køb;egne vundne udbud;udbudsegnede opgaver)",
                          r->line, HEADERS[c][0], HEADERS[c][1]);
  }
  return TRIN_OK;
}

/* A row's fault at column c: "line N, column C (field): ...". */
static int cell_err(trin_err_t *err, const trin_csv_row_t *r, int c, const trin_err_t *why) {
  return trin_err_set(err, why->code, "csv", "line %zu, column %d (%s): %s", r->line, c + 1,
                      why->field, why->message);
}

static int amount(const trin_csv_row_t *r, int c, const char *field, int64_t *v,
                  trin_err_t *why) {
  return trin_money_parse(cell(r, c), v, field, why);
}

static int data_row(imp_t *im, const trin_csv_row_t *r, trin_err_t *err) {
  trin_err_t why = {0};
  benchmark_iku_row_t row = {0};
  int64_t v;
  int c = im->col[C_YEAR];
  if (trin_number_parse(cell(r, c), 0, &v, "year", &why) ||
      benchmark_range_check(v, BENCHMARK_YEAR_MIN, BENCHMARK_YEAR_MAX, "year", &why))
    return cell_err(err, r, c, &why);
  row.year = (int)v;
  c = im->col[C_MUNI];
  row.municipality = cell(r, c);
  if (trin_text_check(row.municipality, BENCHMARK_IKU_NAME_MAX_BYTES, "municipality", &why))
    return cell_err(err, r, c, &why);
  c = im->col[C_ACCOUNT];
  if ((row.account = benchmark_iku_account_parse(cell(r, c), "main_account", &why)) < 0)
    return cell_err(err, r, c, &why);
  if (amount(r, (c = im->col[C_PURCHASES]), "purchases", &row.a.purchases, &why) ||
      amount(r, (c = im->col[C_OWN_WON]), "own_won", &row.a.own_won, &why) ||
      amount(r, (c = im->col[C_TASKS]), "tasks", &row.a.tasks, &why))
    return cell_err(err, r, c, &why);
  if (benchmark_iku_amounts_check(&row.a, &why)) {
    c = strcmp(why.field, "purchases") == 0 ? im->col[C_PURCHASES]
        : strcmp(why.field, "own_won") == 0 ? im->col[C_OWN_WON]
                                            : im->col[C_TASKS];
    return cell_err(err, r, c, &why);
  }
  int rc = benchmark_iku_store_put(im->store, &row, err);
  if (rc) return rc;
  if (im->n == im->cap) {
    size_t nc = im->cap ? im->cap * 2 : 1024;
    file_key_t *k = realloc(im->keys, nc * sizeof *k);
    if (!k) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    im->keys = k;
    im->cap = nc;
  }
  file_key_t *k = &im->keys[im->n];
  if (!(k->municipality = strdup(row.municipality)))
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  k->year = row.year;
  k->account = row.account;
  k->line = r->line;
  im->n++;
  return TRIN_OK;
}

static int on_row(void *data, const trin_csv_row_t *r, trin_err_t *err) {
  imp_t *im = data;
  if (!im->header_done) {
    im->header_done = true;
    return header(im, r, err);
  }
  return data_row(im, r, err);
}

static int cmp_name(const void *a, const void *b) {
  return strcmp(*(const char *const *)a, *(const char *const *)b);
}

static int cmp_key(const void *pa, const void *pb) {
  const file_key_t *a = pa, *b = pb;
  if (a->year != b->year) return a->year < b->year ? -1 : 1;
  int c = strcmp(a->municipality, b->municipality);
  if (c) return c;
  if (a->account != b->account) return a->account < b->account ? -1 : 1;
  return a->line < b->line ? -1 : a->line > b->line;
}

int benchmark_iku_import_csv(trin_request_t *req, const Trin__Benchmark__ImportIkuCsv *m,
                             trin_err_t *err) {
  if (m->csv.len == 0) return trin_err_set(err, TRIN_EINVALID, "csv", "is empty");
  imp_t im = {.store = trin_request_store(req)};
  trin_csv_options_t opt = {.field = "csv"};
  int32_t *years = NULL;
  int rc = trin_csv_parse((const char *)m->csv.data, m->csv.len, &opt, on_row, &im, err);
  if (!rc && im.n == 0) rc = trin_err_set(err, TRIN_EINVALID, "csv", "has no data rows");
  if (rc) goto out;
  qsort(im.keys, im.n, sizeof *im.keys, cmp_key);
  size_t nyears = 0, nmunis = 0;
  years = malloc(im.n * sizeof *years);
  if (!years) {
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    goto out;
  }
  for (size_t i = 0; i < im.n; i++) {
    const file_key_t *k = &im.keys[i], *p = i ? &im.keys[i - 1] : NULL;
    if (p && p->year == k->year && p->account == k->account &&
        strcmp(p->municipality, k->municipality) == 0) {
      rc = trin_err_set(err, TRIN_EINVALID, "csv",
                        "line %zu: %d, %s, %s is given on line %zu already; give each year, "
                        "municipality and main account once",
                        k->line, k->year, k->municipality,
                        benchmark_iku_accounts[k->account].name, p->line);
      goto out;
    }
    if (!nyears || years[nyears - 1] != k->year) years[nyears++] = k->year;
  }
  /* distinct municipalities over the whole file: sort the names alone */
  const char **names = malloc(im.n * sizeof *names);
  if (!names) {
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    goto out;
  }
  for (size_t i = 0; i < im.n; i++) names[i] = im.keys[i].municipality;
  qsort(names, im.n, sizeof *names, cmp_name);
  for (size_t i = 0; i < im.n; i++)
    if (!i || strcmp(names[i - 1], names[i]) != 0) nmunis++;
  free(names);
  Trin__Benchmark__IkuImported ev = TRIN__BENCHMARK__IKU_IMPORTED__INIT;
  ev.rows = (int32_t)im.n;
  ev.municipalities = (int32_t)nmunis;
  ev.years = years;
  ev.n_years = nyears;
  uint64_t seq = 0;
  if ((rc = trin_request_emit(req, "benchmark.iku_imported", "", NULL, 0, &ev.base, &seq, err)))
    goto out;
  Trin__Benchmark__IkuImportReply reply = TRIN__BENCHMARK__IKU_IMPORT_REPLY__INIT;
  reply.rows = ev.rows;
  reply.municipalities = ev.municipalities;
  reply.years = years;
  reply.n_years = nyears;
  reply.seq = seq;
  rc = trin_request_reply(req, &reply.base, err);
out:
  for (size_t i = 0; i < im.n; i++) free(im.keys[i].municipality);
  free(im.keys);
  free(years);
  return rc;
}
