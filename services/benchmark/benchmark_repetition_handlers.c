/* benchmark_repetition_handlers — see benchmark_repetition_handlers.h.
 * Validation order as in benchmark_handlers: fields (INVALID naming them),
 * then who may (FORBIDDEN, or NOT_FOUND to outsiders), then references. */
#include "benchmark_repetition_handlers.h"

#include <stdlib.h>
#include <string.h>

#include "benchmark_access.h"
#include "benchmark_repetition.h"
#include "benchmark_repetition_store.h"
#include "trin/benchmark.pb-c.h"
#include "trin_access.h"
#include "trin_id.h"

static const char *nz(const char *s) { return s ? s : ""; }

/* One kind's group: rows[0..n) share the kind and come by start date, id. */
typedef struct {
  Trin__Benchmark__RepetitionGroup g;
  Trin__Benchmark__RepetitionProject *order;
  Trin__Benchmark__RepetitionProject **porder;
  Trin__Benchmark__RepetitionTrend trend[BENCHMARK_REP_COUNT];
  Trin__Benchmark__RepetitionTrend *ptrend[BENCHMARK_REP_COUNT];
  benchmark_rep_project_t *ps;
  benchmark_rep_result_t r;
  char rank_why[BENCHMARK_REP_COUNT][128];
} group_t;

static int group_fill(group_t *gr, const benchmark_repetition_row_t *rows, size_t n) {
  gr->ps = calloc(n, sizeof *gr->ps);
  gr->order = calloc(n, sizeof *gr->order);
  gr->porder = calloc(n, sizeof *gr->porder);
  if (!gr->ps || !gr->order || !gr->porder) return -1;
  for (size_t i = 0; i < n; i++) {
    gr->ps[i].id = rows[i].id;
    gr->ps[i].start_date = rows[i].start_date;
    gr->ps[i].p = rows[i].p;
  }
  benchmark_repetition(gr->ps, n, &gr->r);
  trin__benchmark__repetition_group__init(&gr->g);
  gr->g.kind = (char *)rows[0].kind;
  gr->g.projects = gr->r.projects;
  gr->g.steps = gr->r.steps;
  int32_t step = 0;
  for (size_t i = 0; i < n; i++) {
    Trin__Benchmark__RepetitionProject *o = &gr->order[i];
    trin__benchmark__repetition_project__init(o);
    o->project_id = (char *)gr->ps[i].id;
    o->start_date = (char *)gr->ps[i].start_date;
    if (i == 0 || strcmp(gr->ps[i].start_date, gr->ps[i - 1].start_date) != 0) step++;
    o->step = step;
    gr->porder[i] = o;
  }
  gr->g.order = gr->porder;
  gr->g.n_order = n;
  for (int m = 0; m < BENCHMARK_REP_COUNT; m++) {
    const benchmark_rep_trend_t *t = &gr->r.trend[m];
    Trin__Benchmark__RepetitionTrend *o = &gr->trend[m];
    trin__benchmark__repetition_trend__init(o);
    o->measure = (char *)benchmark_rep_measure_name(m);
    o->direction = (char *)benchmark_direction_name(benchmark_rep_measure_direction(m));
    o->projects = t->projects;
    o->shown = t->shown;
    o->reason = (char *)t->why;
    o->slope_per_step = t->slope;
    o->first = t->first;
    o->latest = t->latest;
    o->change = t->change;
    o->first_project_id = (char *)t->first_id;
    o->latest_project_id = (char *)t->latest_id;
    o->improving = t->improving;
    gr->ptrend[m] = o;
  }
  gr->g.trends = gr->ptrend;
  gr->g.n_trends = BENCHMARK_REP_COUNT;
  return 0;
}

/* Repetition as a benchmark figure: ranks each trend group gr shows among
 * every partnership's group of the same kind that shows it, when there are
 * at least min_group of them (the others stay unnamed either way). */
static int group_rank(trin_store_t *s, const char *pid, int min_group, group_t *gr,
                      trin_err_t *err) {
  benchmark_repetition_row_t *rows = NULL;
  size_t n = 0;
  int rc = benchmark_repetition_store_list_kind(s, gr->g.kind, &rows, &n, err);
  if (rc) return rc;
  benchmark_rep_project_t *ps = calloc(n ? n : 1, sizeof *ps);
  int64_t *slopes = calloc((n ? n : 1) * BENCHMARK_REP_COUNT, sizeof *slopes);
  const char **ids = calloc((n ? n : 1) * BENCHMARK_REP_COUNT, sizeof *ids);
  size_t cnt[BENCHMARK_REP_COUNT] = {0};
  if (!ps || !slopes || !ids) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  for (size_t i = 0; !rc && i < n;) {
    size_t j = i;
    for (; j < n && strcmp(rows[j].partnership_id, rows[i].partnership_id) == 0; j++) {
      ps[j].id = rows[j].id;
      ps[j].start_date = rows[j].start_date;
      ps[j].p = rows[j].p;
    }
    benchmark_rep_result_t r;
    benchmark_repetition(ps + i, j - i, &r);
    for (int m = 0; m < BENCHMARK_REP_COUNT; m++)
      if (r.trend[m].shown) {
        slopes[(size_t)m * n + cnt[m]] = r.trend[m].slope;
        ids[(size_t)m * n + cnt[m]++] = rows[i].partnership_id;
      }
    i = j;
  }
  for (int m = 0; !rc && m < BENCHMARK_REP_COUNT; m++) {
    Trin__Benchmark__RepetitionTrend *t = &gr->trend[m];
    t->rank_reason = gr->rank_why[m];
    t->of = (int32_t)cnt[m];
    if (!t->shown) continue;
    if (!benchmark_group_visible(cnt[m], min_group)) {
      snprintf(gr->rank_why[m], sizeof gr->rank_why[m],
               "%zu partnership%s with a %s trend for %s: fewer than the minimum of %d", cnt[m],
               cnt[m] == 1 ? "" : "s", t->measure, gr->g.kind, min_group);
      continue;
    }
    benchmark_rep_rank(slopes + (size_t)m * n, ids + (size_t)m * n, cnt[m], m, pid, &t->rank,
                       &t->of);
  }
  free(ids);
  free(slopes);
  free(ps);
  free(rows);
  return rc;
}

static void groups_free(group_t *gs, size_t n) {
  for (size_t i = 0; i < n; i++) {
    free(gs[i].ps);
    free(gs[i].order);
    free(gs[i].porder);
  }
  free(gs);
}

static int query_repetition(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                            trin_err_t *err) {
  int min_group = *(const int *)data;
  const Trin__Benchmark__QueryRepetition *m = (const void *)msg;
  const char *pid = nz(m->partnership_id), *kind = nz(m->kind);
  int rc = trin_id_check(pid, "partnership_id", err);
  if (!rc) rc = trin_id_check_optional(kind, "kind", err);
  if (rc) return rc;
  benchmark_repetition_row_t *rows = NULL;
  size_t n = 0;
  if ((rc = benchmark_repetition_store_list(trin_request_store(req), pid, kind, &rows, &n, err)))
    return rc;
  /* Inside a partnership every project's client is the partnership's. */
  rc = trin_access_require_on(req, &benchmark_access, n ? rows[0].client_org : NULL, pid,
                              "partnership", pid, "partnership_id", err);
  if (!rc && n == 0) {
    if (*kind)
      rc = trin_err_set(err, TRIN_ENOTFOUND, "kind",
                        "partnership '%s' has no project of kind '%s' with a start date", pid,
                        kind);
    else
      rc = trin_err_set(err, TRIN_ENOTFOUND, "partnership_id",
                        "partnership '%s' has no project with a start date", pid);
  }
  if (rc) {
    free(rows);
    return rc;
  }
  size_t ngroups = 0;
  for (size_t i = 0; i < n; i++)
    if (i == 0 || strcmp(rows[i].kind, rows[i - 1].kind) != 0) ngroups++;
  group_t *gs = calloc(ngroups, sizeof *gs);
  Trin__Benchmark__RepetitionGroup **pg = calloc(ngroups, sizeof *pg);
  if (!gs || !pg) rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  size_t g = 0;
  for (size_t i = 0; !rc && i < n; g++) {
    size_t j = i + 1;
    while (j < n && strcmp(rows[j].kind, rows[i].kind) == 0) j++;
    if (group_fill(&gs[g], rows + i, j - i))
      rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    else
      rc = group_rank(trin_request_store(req), pid, min_group, &gs[g], err);
    pg[g] = &gs[g].g;
    i = j;
  }
  if (!rc) {
    Trin__Benchmark__RepetitionReport rep = TRIN__BENCHMARK__REPETITION_REPORT__INIT;
    rep.partnership_id = (char *)pid;
    rep.min_projects = BENCHMARK_REPETITION_MIN_PROJECTS;
    rep.groups = pg;
    rep.n_groups = ngroups;
    rc = trin_request_reply(req, &rep.base, err);
  }
  if (gs) groups_free(gs, g);
  free(pg);
  free(rows);
  return rc;
}

int benchmark_repetition_handlers_register(trin_server_t *server, const int *min_group,
                                           trin_err_t *err) {
  int rc = trin_server_handle(server, &trin__benchmark__query_repetition__descriptor,
                              query_repetition, (void *)min_group);
  if (rc)
    return trin_err_set(err, rc, "", "registering %s failed",
                        trin__benchmark__query_repetition__descriptor.name);
  return TRIN_OK;
}
