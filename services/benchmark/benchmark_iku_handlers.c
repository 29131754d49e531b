/* benchmark_iku_handlers — see benchmark_iku_handlers.h. Validation order
 * as in benchmark_handlers: fields (INVALID naming them), then references
 * (NOT_FOUND). */
#include "benchmark_iku_handlers.h"

#include <stdlib.h>

#include "benchmark_iku.h"
#include "benchmark_iku_import.h"
#include "benchmark_iku_store.h"
#include "benchmark_rules.h"
#include "trin/benchmark.pb-c.h"
#include "trin_arena.h"
#include "trin_id.h"

static int import_iku_csv(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                          trin_err_t *err) {
  (void)data;
  return benchmark_iku_import_csv(req, (const void *)msg, err);
}

static void fill_figure(Trin__Benchmark__IkuFigure *f, const char *key, const char *name,
                        const benchmark_iku_figure_t *v) {
  trin__benchmark__iku_figure__init(f);
  f->account = (char *)key;
  f->name = (char *)name;
  f->state = (char *)benchmark_iku_state_name(v->state);
  f->has_value = v->has_value;
  f->iku_bp = v->has_value ? v->bp : 0;
  f->rank = v->rank;
  f->of = v->of;
  f->has_average = v->has_average;
  f->average_bp = v->has_average ? v->average_bp : 0;
  f->purchases_ore = v->sum.purchases;
  f->own_won_ore = v->sum.own_won;
  f->tasks_ore = v->sum.tasks;
}

static int query_iku(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                     trin_err_t *err) {
  (void)data;
  const Trin__Benchmark__QueryIku *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  const char *muni = m->municipality ? m->municipality : "";
  int rc = trin_text_check(muni, BENCHMARK_IKU_NAME_MAX_BYTES, "municipality", err);
  if (rc) return rc;
  int year = m->year;
  if (year == 0) {
    bool any;
    if ((rc = benchmark_iku_store_newest_year(s, &year, &any, err))) return rc;
    if (!any)
      return trin_err_set(err, TRIN_ENOTFOUND, "municipality",
                          "no IKU figures have been imported (trinctl benchmark iku-import)");
  } else if ((rc = benchmark_range_check(year, BENCHMARK_YEAR_MIN, BENCHMARK_YEAR_MAX, "year",
                                         err))) {
    return rc;
  }
  int first = year - (BENCHMARK_IKU_HISTORY_YEARS - 1);
  trin_arena_t a = TRIN_ARENA_INIT;
  benchmark_iku_row_t *rows = NULL;
  size_t n = 0;
  benchmark_iku_report_t *r = malloc(sizeof *r);
  if (!r) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  if ((rc = benchmark_iku_store_load(s, first, year, &a, &rows, &n, err))) goto out;
  benchmark_iku_report(rows, n, muni, year, r);
  if (!r->found) {
    rc = trin_err_set(err, TRIN_ENOTFOUND, "municipality",
                      "no IKU figures of municipality '%s' in %d–%d (names are matched exactly, "
                      "as imported)",
                      muni, first, year);
    goto out;
  }
  Trin__Benchmark__IkuFigure acc[BENCHMARK_IKU_ACCOUNTS], *pacc[BENCHMARK_IKU_ACCOUNTS], total;
  for (int k = 0; k < BENCHMARK_IKU_ACCOUNTS; k++) {
    fill_figure(&acc[k], benchmark_iku_accounts[k].key, benchmark_iku_accounts[k].name,
                &r->accounts[k]);
    pacc[k] = &acc[k];
  }
  fill_figure(&total, "total", "I alt", &r->total);
  Trin__Benchmark__IkuRankPoint pts[BENCHMARK_IKU_HISTORY_YEARS],
      *ppts[BENCHMARK_IKU_HISTORY_YEARS];
  for (int k = 0; k < BENCHMARK_IKU_HISTORY_YEARS; k++) {
    const benchmark_iku_point_t *p = &r->history[k];
    trin__benchmark__iku_rank_point__init(&pts[k]);
    pts[k].year = p->year;
    pts[k].state = (char *)benchmark_iku_state_name(p->state);
    pts[k].has_value = p->has_value;
    pts[k].iku_bp = p->has_value ? p->bp : 0;
    pts[k].rank = p->rank;
    pts[k].of = p->of;
    ppts[k] = &pts[k];
  }
  Trin__Benchmark__IkuReport rep = TRIN__BENCHMARK__IKU_REPORT__INIT;
  rep.municipality = (char *)muni;
  rep.year = year;
  rep.accounts = pacc;
  rep.n_accounts = BENCHMARK_IKU_ACCOUNTS;
  rep.total = &total;
  rep.municipalities = r->municipalities;
  rep.history = ppts;
  rep.n_history = BENCHMARK_IKU_HISTORY_YEARS;
  rc = trin_request_reply(req, &rep.base, err);
out:
  free(rows);
  free(r);
  trin_arena_reset(&a);
  return rc;
}

int benchmark_iku_handlers_register(trin_server_t *server, trin_err_t *err) {
  static const struct {
    const ProtobufCMessageDescriptor *d;
    trin_handler_fn fn;
  } H[] = {
      {&trin__benchmark__import_iku_csv__descriptor, import_iku_csv},
      {&trin__benchmark__query_iku__descriptor, query_iku},
  };
  for (size_t i = 0; i < sizeof H / sizeof *H; i++) {
    int rc = trin_server_handle(server, H[i].d, H[i].fn, NULL);
    if (rc) return trin_err_set(err, rc, "", "registering %s failed", H[i].d->name);
  }
  return TRIN_OK;
}
