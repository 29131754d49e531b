/* benchmark_view — see benchmark_view.h. */
#include "benchmark_view.h"

#include "benchmark_rules.h"
#include "trin_access.h"

int benchmark_view_viewer(benchmark_service_t *svc, trin_request_t *req,
                          const ProtobufCMessage *msg, const char *given,
                          benchmark_viewer_t *out, trin_err_t *err) {
  *out = (benchmark_viewer_t){NULL, false, -1};
  const char *mine = trin_access_caller_org(req);
  bool operator = trin_access_unrestricted(trin_request_caller(req));
  int rc = trin_access_require_org(req, given, "viewer_org", err);
  if (!rc) rc = benchmark_viewer_resolve(mine, given, "viewer_org", operator, &out->id, err);
  if (rc || !out->id) return rc;
  if (operator && !(mine && *mine)) {
    trin_event_id_t ids[1] = {{"organisation", out->id}};
    uint64_t seq;
    rc = trin_request_emit(req, "benchmark.viewed_as", out->id, ids, 1, msg, &seq, err);
    if (rc) return rc;
  }
  out->idx = benchmark_index_org_find(svc->ix, out->id);
  if (out->idx >= 0) out->open = benchmark_index_org(svc->ix, out->idx)->open;
  return TRIN_OK;
}

void benchmark_view_figure_def(int f, Trin__Benchmark__FigureDef *d) {
  const benchmark_figure_t *fig = &benchmark_figures[f];
  trin__benchmark__figure_def__init(d);
  d->name = (char *)fig->name;
  d->unit = (char *)fig->unit;
  d->scale = fig->scale;
  d->direction = (char *)benchmark_direction_name(fig->direction);
  d->kind = (char *)benchmark_kind_name(fig->kind);
  d->formula = (char *)fig->formula;
}

void benchmark_view_fill_entry(Trin__Benchmark__Entry *e, const benchmark_ranked_t *it,
                               const benchmark_org_t *o, bool named, bool you, bool with_rank,
                               const char *anon_label) {
  trin__benchmark__entry__init(e);
  e->named = named;
  e->you = you;
  e->label = named ? o->name : (char *)anon_label;
  e->org_id = named ? o->id : (char *)"";
  e->value = it->value;
  e->rank = with_rank ? it->rank : 0;
  e->percentile_x100 = with_rank ? it->percentile_x100 : 0;
  e->properties = it->count;
}

int benchmark_view_history_years(int32_t from_year, int32_t to_year, trin_err_t *err) {
  int rc = benchmark_range_check(from_year, BENCHMARK_YEAR_MIN, BENCHMARK_YEAR_MAX, "from_year",
                                 err);
  if (!rc)
    rc = benchmark_range_check(to_year, from_year,
                               from_year + BENCHMARK_VIEW_HISTORY_MAX_YEARS - 1, "to_year", err);
  if (!rc)
    rc = benchmark_range_check(to_year, BENCHMARK_YEAR_MIN, BENCHMARK_YEAR_MAX, "to_year", err);
  return rc;
}
