/* benchmark_handlers — see benchmark_handlers.h. Validation order in every
 * handler: required fields and formats (INVALID naming the field), then
 * references (NOT_FOUND), then rules (FORBIDDEN / CONFLICT). */
#include "benchmark_handlers.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchmark_access.h"
#include "benchmark_iku_handlers.h"
#include "benchmark_import.h"
#include "benchmark_repetition_handlers.h"
#include "benchmark_network_handlers.h"
#include "benchmark_store.h"
#include "benchmark_view.h"
#include "trin_arena.h"
#include "trin_id.h"
#include "trin_log.h"


#define TRY(expr)                \
  do {                           \
    if ((rc = (expr))) goto out; \
  } while (0)

static const char *nz(const char *s) { return s ? s : ""; }

static int oom(trin_err_t *err) { return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory"); }

/* ---- who may: properties belong to their owner; the viewer is the caller -------------- */

/* The property's owner must be the caller's organisation: both the owner a
 * request names and, when the property exists, the owner it has. */
static int authorise_property(trin_request_t *req, const char *property_id, const char *owner,
                              const char *field, trin_err_t *err) {
  if (trin_access_unrestricted(trin_request_caller(req))) return TRIN_OK;
  int rc = owner ? trin_access_require_org(req, owner, "property.owner_org", err) : TRIN_OK;
  if (!rc && owner)
    rc = trin_access_require_on(req, &benchmark_access, owner, "", "property", property_id,
                                "property.owner_org", err);
  if (rc) return rc;
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Benchmark__Property now;
  trin_err_t missing = {0};
  rc = benchmark_store_property_get(trin_request_store(req), property_id, field, &a, &now,
                                    &missing);
  if (rc == TRIN_OK) {
    rc = trin_access_require_on(req, &benchmark_access, now.owner_org, "", "property",
                                property_id, field, err);
    /* Setting a property whose id another organisation holds: the id is
     * taken (ids are one namespace), whose it is stays unsaid. */
    if (rc == TRIN_ENOTFOUND && owner)
      rc = trin_err_set(err, TRIN_ECONFLICT, field, "property '%s' already exists", property_id);
  } else if (rc == TRIN_ENOTFOUND && owner)
    rc = TRIN_OK; /* a new property of the caller's own */
  else
    *err = missing;
  trin_arena_reset(&a);
  return rc;
}

/* May the viewer see organisation o by name? Refused in words saying why. */
static int named_to(const benchmark_viewer_t *v, const benchmark_org_t *o, const char *field,
                    trin_err_t *err) {
  if (benchmark_name_visible(v->id, v->open, o->id, o->open)) return TRIN_OK;
  if (!v->id)
    return trin_err_set(err, TRIN_EFORBIDDEN, field,
                        "'%s' is shown only anonymously to a caller without an organisation "
                        "of its own (an operator key or a local endpoint): ask with the "
                        "organisation's own key",
                        o->id);
  return trin_err_set(err, TRIN_EFORBIDDEN, field,
                      "'%s' is shown to '%s' only anonymously (open benchmarking is agreed "
                      "by neither or only one of them)",
                      o->id, v->id);
}

/* ---- organisations ------------------------------------------------------------------- */

static int set_organisation(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                            trin_err_t *err) {
  benchmark_service_t *svc = data;
  const Trin__Benchmark__SetOrganisation *m = (const void *)msg;
  const Trin__Benchmark__Organisation *o = m->organisation;
  if (!o) return trin_err_set(err, TRIN_EINVALID, "organisation", "is required");
  int rc = trin_id_check(o->id, "organisation.id", err);
  if (!rc)
    rc = trin_access_require_on(req, &benchmark_access, o->id, "", "organisation", o->id,
                                "organisation.id", err);
  if (!rc) rc = trin_text_check(o->name, BENCHMARK_NAME_MAX_BYTES, "organisation.name", err);
  if (!rc) rc = benchmark_store_org_put(trin_request_store(req), o->id, o->name,
                                        o->open_benchmarking, err);
  uint64_t seq = 0;
  trin_event_id_t ids[1] = {{"organisation", o->id}};
  if (!rc)
    rc = trin_request_emit(req, "benchmark.organisation_set", o->id, ids, 1, &o->base, &seq, err);
  if (rc) return rc;
  Trin__Benchmark__OrganisationReply reply = TRIN__BENCHMARK__ORGANISATION_REPLY__INIT;
  reply.organisation = (Trin__Benchmark__Organisation *)o;
  reply.seq = seq;
  if ((rc = trin_request_reply(req, &reply.base, err))) return rc;
  if (benchmark_index_org_set(svc->ix, o->id, o->name, o->open_benchmarking) < 0)
    svc->applied_upto = UINT64_MAX;
  else benchmark_apply_note(svc, seq);
  return TRIN_OK;
}

static int list_organisations(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                              trin_err_t *err) {
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Benchmark__OrganisationList list = TRIN__BENCHMARK__ORGANISATION_LIST__INIT;
  int rc = benchmark_store_org_list(trin_request_store(req), &a, &list.organisations,
                                    &list.n_organisations, err);
  if (!rc) rc = trin_request_reply(req, &list.base, err);
  trin_arena_reset(&a);
  return rc;
}

/* ---- properties ---------------------------------------------------------------------- */

static int set_property(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  benchmark_service_t *svc = data;
  const Trin__Benchmark__SetProperty *m = (const void *)msg;
  Trin__Benchmark__Property *p = m->property;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  bool created = false;
  uint64_t seq = 0;
  int rc;
  if (!p) return trin_err_set(err, TRIN_EINVALID, "property", "is required");
  TRY(benchmark_apply_property_check(p, err));
  TRY(authorise_property(req, p->id, p->owner_org, "property.id", err));
  TRY(benchmark_store_org_ensure(s, p->owner_org, &created, err));
  TRY(benchmark_store_property_put(s, p, err));
  Trin__Benchmark__Property now;
  TRY(benchmark_store_property_get(s, p->id, "property.id", &a, &now, err));
  trin_event_id_t ids[1] = {{"property", p->id}};
  TRY(trin_request_emit(req, "benchmark.property_set", p->owner_org, ids, 1, &now.base, &seq, err));
  Trin__Benchmark__PropertyReply reply = TRIN__BENCHMARK__PROPERTY_REPLY__INIT;
  reply.property = &now;
  reply.seq = seq;
  TRY(trin_request_reply(req, &reply.base, err));
  int32_t org = created ? benchmark_index_org_set(svc->ix, p->owner_org, p->owner_org, false)
                        : benchmark_index_org_find(svc->ix, p->owner_org);
  if (org < 0 || benchmark_index_property_set(svc->ix, p->id, org,
                                              benchmark_property_type_parse(p->type, "", NULL),
                                              p->gross_area_m2, nz(p->region)) < 0)
    svc->applied_upto = UINT64_MAX; /* rebuild from the store */
  else
    benchmark_apply_note(svc, seq);
out:
  trin_arena_reset(&a);
  return rc;
}

static int get_property(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  const Trin__Benchmark__GetProperty *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Benchmark__Property p;
  int rc = trin_id_check(nz(m->property_id), "property_id", err);
  if (!rc) rc = benchmark_store_property_get(trin_request_store(req), m->property_id,
                                             "property_id", &a, &p, err);
  if (!rc)
    rc = trin_access_require_on(req, &benchmark_access, p.owner_org, "", "property", p.id,
                                "property_id", err);
  if (!rc) {
    Trin__Benchmark__PropertyReply reply = TRIN__BENCHMARK__PROPERTY_REPLY__INIT;
    reply.property = &p;
    rc = trin_request_reply(req, &reply.base, err);
  }
  trin_arena_reset(&a);
  return rc;
}

static int list_properties(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                           trin_err_t *err) {
  const Trin__Benchmark__ListProperties *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc = trin_id_check_optional(m->owner_org, "owner_org", err);
  if (!rc && m->type && *m->type && benchmark_property_type_parse(m->type, "type", err) < 0)
    rc = TRIN_EINVALID;
  benchmark_property_filter_t f = {m->owner_org, m->type, m->region, m->municipality};
  Trin__Benchmark__PropertyList list = TRIN__BENCHMARK__PROPERTY_LIST__INIT;
  if (!rc)
    rc = benchmark_store_property_list(trin_request_store(req), &f, &a, &list.properties,
                                       &list.n_properties, err);
  size_t n = 0; /* a property is its owner's: only the caller's own */
  for (size_t i = 0; !rc && i < list.n_properties; i++)
    if (trin_access_request_may_see(req, list.properties[i]->owner_org, ""))
      list.properties[n++] = list.properties[i];
  if (!rc) list.n_properties = n;
  if (!rc) rc = trin_request_reply(req, &list.base, err);
  trin_arena_reset(&a);
  return rc;
}

/* ---- measures ----------------------------------------------------------------------- */

static int set_measure(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                       trin_err_t *err) {
  benchmark_service_t *svc = data;
  const Trin__Benchmark__SetMeasure *m = (const void *)msg;
  Trin__Benchmark__Measure *me = m->measure;
  benchmark_measure_t bm;
  if (!me) return trin_err_set(err, TRIN_EINVALID, "measure", "is required");
  int rc = benchmark_apply_measure_check(svc, me, &bm, err);
  if (rc) return rc;
  int32_t prop = benchmark_index_property_find(svc->ix, me->property_id);
  if (prop < 0)
    return trin_access_not_found(err, "measure.property_id", "property", me->property_id);
  if ((rc = authorise_property(req, me->property_id, NULL, "measure.property_id", err)))
    return rc;
  trin_store_t *s = trin_request_store(req);
  if ((rc = benchmark_store_measure_put(s, me->property_id, me->year, &bm,
                                        (const Trin__Benchmark__AccountCost *const *)me->costs,
                                        me->n_costs,
                                        (const Trin__Benchmark__PartGrade *const *)me->maintenance,
                                        me->n_maintenance, err)))
    return rc;
  int32_t year = me->year;
  const char *pid = me->property_id;
  uint64_t seq = 0;
  if ((rc = benchmark_apply_emit_figures_changed(req, "measure", "", &year, 1, &pid, 1, 1, NULL, 0,
                                                 NULL, 0, &seq, err)))
    return rc;
  me->total_cost_ore = bm.cost_ore;
  me->has_weighted_grade_x100 = (bm.has & BENCHMARK_HAS_GRADE) != 0;
  me->weighted_grade_x100 = bm.grade_x100;
  Trin__Benchmark__MeasureReply reply = TRIN__BENCHMARK__MEASURE_REPLY__INIT;
  reply.measure = me;
  reply.seq = seq;
  if ((rc = trin_request_reply(req, &reply.base, err))) return rc;
  if (benchmark_index_measure_set(svc->ix, prop, me->year, &bm)) svc->applied_upto = UINT64_MAX;
  else benchmark_apply_note(svc, seq);
  return TRIN_OK;
}

/* ---- the maintenance model ------------------------------------------------------------- */

static int reply_model(trin_request_t *req, const benchmark_model_part_t *parts, size_t n,
                       trin_err_t *err) {
  Trin__Benchmark__ModelPart mp[BENCHMARK_MODEL_MAX_PARTS], *pp[BENCHMARK_MODEL_MAX_PARTS];
  for (size_t i = 0; i < n; i++) {
    trin__benchmark__model_part__init(&mp[i]);
    mp[i].part = (char *)parts[i].part;
    mp[i].weight = parts[i].weight;
    pp[i] = &mp[i];
  }
  Trin__Benchmark__MaintenanceModel model = TRIN__BENCHMARK__MAINTENANCE_MODEL__INIT;
  model.parts = pp;
  model.n_parts = n;
  return trin_request_reply(req, &model.base, err);
}

static int set_model(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                     trin_err_t *err) {
  benchmark_service_t *svc = data;
  const Trin__Benchmark__SetMaintenanceModel *m = (const void *)msg;
  if (!m->model) return trin_err_set(err, TRIN_EINVALID, "model", "is required");
  if (m->model->n_parts > BENCHMARK_MODEL_MAX_PARTS)
    return trin_err_set(err, TRIN_EINVALID, "model.parts", "must list 1–%d parts",
                        BENCHMARK_MODEL_MAX_PARTS);
  benchmark_model_part_t parts[BENCHMARK_MODEL_MAX_PARTS];
  size_t n = m->model->n_parts;
  for (size_t i = 0; i < n; i++) {
    snprintf(parts[i].part, sizeof parts[i].part, "%s", nz(m->model->parts[i]->part));
    if (strlen(nz(m->model->parts[i]->part)) >= sizeof parts[i].part) parts[i].part[0] = '\0';
    parts[i].weight = m->model->parts[i]->weight;
  }
  int rc = benchmark_model_check(parts, n, err);
  if (!rc) rc = benchmark_store_model_set(trin_request_store(req), parts, n, err);
  uint64_t seq = 0;
  if (!rc)
    rc = trin_request_emit(req, "benchmark.model_set", "", NULL, 0, &m->model->base, &seq, err);
  if (!rc) rc = reply_model(req, parts, n, err);
  if (rc) return rc;
  memcpy(svc->model, parts, n * sizeof *parts);
  svc->nmodel = n;
  benchmark_apply_note(svc, seq);
  return TRIN_OK;
}

static int get_model(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                     trin_err_t *err) {
  benchmark_service_t *svc = data;
  return reply_model(req, svc->model, svc->nmodel, err);
}

static int import_csv(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                      trin_err_t *err) {
  return benchmark_import_csv(data, req, (const void *)msg, err);
}

/* ---- queries ------------------------------------------------------------------------------ */

static int list_figures(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  Trin__Benchmark__FigureDef defs[BENCHMARK_FIG_COUNT], *pd[BENCHMARK_FIG_COUNT];
  for (int i = 0; i < BENCHMARK_FIG_COUNT; i++) {
    benchmark_view_figure_def(i, &defs[i]);
    pd[i] = &defs[i];
  }
  Trin__Benchmark__FigureList list = TRIN__BENCHMARK__FIGURE_LIST__INIT;
  list.figures = pd;
  list.n_figures = BENCHMARK_FIG_COUNT;
  return trin_request_reply(req, &list.base, err);
}

static int peer_of(benchmark_service_t *svc, int f, const Trin__Benchmark__PeerGroup *pg,
                   const char *field, benchmark_peer_t *peer, trin_err_t *err) {
  *peer = BENCHMARK_PEER_ANY;
  if (!pg) return TRIN_OK;
  char fl[48];
  bool any = !*nz(pg->type) && !*nz(pg->size_band) && !*nz(pg->region);
  if (!any && benchmark_figures[f].kind == BENCHMARK_KIND_PORTFOLIO)
    return trin_err_set(err, TRIN_EINVALID, field,
                        "peer groups apply to property figures, not to '%s'",
                        benchmark_figures[f].name);
  if (*nz(pg->type)) {
    snprintf(fl, sizeof fl, "%s.type", field);
    if ((peer->type = benchmark_property_type_parse(pg->type, fl, err)) < 0) return TRIN_EINVALID;
  }
  if (*nz(pg->size_band)) {
    snprintf(fl, sizeof fl, "%s.size_band", field);
    if ((peer->band = benchmark_size_band_parse(pg->size_band, fl, err)) < 0) return TRIN_EINVALID;
  }
  if (*nz(pg->region)) peer->region = benchmark_index_region_find(svc->ix, pg->region);
  return TRIN_OK;
}

/* Property figures need a year; portfolio figures take a year or 0 (the
 * current values). */
static int check_year(int f, int year, const char *field, trin_err_t *err) {
  if (benchmark_figures[f].kind == BENCHMARK_KIND_PORTFOLIO && year == 0) return TRIN_OK;
  if (benchmark_figures[f].kind == BENCHMARK_KIND_PORTFOLIO &&
      (year < BENCHMARK_YEAR_MIN || year > BENCHMARK_YEAR_MAX))
    return trin_err_set(err, TRIN_EINVALID, field,
                        "must be %d–%d, or 0 for the current values, not %d", BENCHMARK_YEAR_MIN,
                        BENCHMARK_YEAR_MAX, year);
  return benchmark_range_check(year, BENCHMARK_YEAR_MIN, BENCHMARK_YEAR_MAX, field, err);
}

static int query_figure(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  benchmark_service_t *svc = data;
  const Trin__Benchmark__QueryFigure *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  benchmark_viewer_t viewer;
  benchmark_peer_t peer;
  int rc;
  int f = benchmark_figure_find(m->figure, "figure", err);
  if (f < 0) return TRIN_EINVALID;
  TRY(check_year(f, m->year, "year", err));
  TRY(peer_of(svc, f, m->peer, "peer", &peer, err));
  if (m->min_group != 0 && m->min_group < svc->min_group) {
    rc = trin_err_set(err, TRIN_EINVALID, "min_group",
                      "may not be below the service's minimum of %d", svc->min_group);
    goto out;
  }
  TRY(benchmark_view_viewer(svc, req, msg, m->viewer_org, &viewer, err));
  int min_group = m->min_group ? m->min_group : svc->min_group;
  const benchmark_ranking_t *r = NULL;
  if (benchmark_index_rank(svc->ix, f, m->year, &peer, &r)) {
    rc = oom(err);
    goto out;
  }
  Trin__Benchmark__FigureDef def;
  benchmark_view_figure_def(f, &def);
  Trin__Benchmark__FigureReport rep = TRIN__BENCHMARK__FIGURE_REPORT__INIT;
  Trin__Benchmark__Distribution dist = TRIN__BENCHMARK__DISTRIBUTION__INIT;
  Trin__Benchmark__Entry ve;
  rep.figure = &def;
  rep.year = m->year;
  rep.peer = m->peer;
  rep.min_group = min_group;
  rep.suppressed = !benchmark_group_visible(r->n, min_group);
  const benchmark_ranked_t *mine = NULL;
  for (size_t i = 0; i < r->n && !mine && viewer.idx >= 0; i++)
    if (r->items[i].org == viewer.idx) mine = &r->items[i];
  if (!rep.suppressed) {
    dist.n = r->dist.n;
    dist.mean = r->dist.mean;
    dist.median = r->dist.median;
    dist.q1 = r->dist.q1;
    dist.q3 = r->dist.q3;
    dist.min = r->dist.min;
    dist.max = r->dist.max;
    rep.distribution = &dist;
    rep.entries = trin_arena_alloc(&a, (r->n ? r->n : 1) * sizeof *rep.entries);
    Trin__Benchmark__Entry *es = trin_arena_alloc(&a, (r->n ? r->n : 1) * sizeof *es);
    if (!rep.entries || !es) {
      rc = oom(err);
      goto out;
    }
    int anon = 0;
    for (size_t i = 0; i < r->n; i++) {
      const benchmark_org_t *o = benchmark_index_org(svc->ix, r->items[i].org);
      bool named = benchmark_name_visible(viewer.id, viewer.open, o->id, o->open);
      const char *label = named ? "" : trin_arena_printf(&a, "anonymous #%d", ++anon);
      benchmark_view_fill_entry(&es[i], &r->items[i], o, named, mine && r->items[i].org == viewer.idx, true,
                 label);
      rep.entries[i] = &es[i];
    }
    rep.n_entries = r->n;
  }
  if (mine) {
    benchmark_view_fill_entry(&ve, mine, benchmark_index_org(svc->ix, viewer.idx), true, true, !rep.suppressed,
               "");
    rep.viewer = &ve;
  }
  if (a.failed) {
    rc = oom(err);
    goto out;
  }
  rc = trin_request_reply(req, &rep.base, err);
out:
  trin_arena_reset(&a);
  return rc;
}

static int query_history(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  benchmark_service_t *svc = data;
  const Trin__Benchmark__QueryHistory *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  benchmark_viewer_t viewer;
  benchmark_peer_t peer;
  int rc;
  int f = benchmark_figure_find(m->figure, "figure", err);
  if (f < 0) return TRIN_EINVALID;
  TRY(trin_id_check(nz(m->org_id), "org_id", err));
  TRY(benchmark_view_history_years(m->from_year, m->to_year, err));
  TRY(peer_of(svc, f, m->peer, "peer", &peer, err));
  TRY(benchmark_view_viewer(svc, req, msg, m->viewer_org, &viewer, err));
  int32_t org = benchmark_index_org_find(svc->ix, m->org_id);
  if (org < 0) {
    rc = trin_err_set(err, TRIN_ENOTFOUND, "org_id", "no organisation '%s'", m->org_id);
    goto out;
  }
  const benchmark_org_t *o = benchmark_index_org(svc->ix, org);
  TRY(named_to(&viewer, o, "org_id", err));
  size_t ny = (size_t)(m->to_year - m->from_year + 1);
  Trin__Benchmark__HistoryPoint *pts = trin_arena_alloc(&a, ny * sizeof *pts);
  Trin__Benchmark__HistoryPoint **pp = trin_arena_alloc(&a, ny * sizeof *pp);
  if (!pts || !pp) {
    rc = oom(err);
    goto out;
  }
  for (size_t k = 0; k < ny; k++) {
    Trin__Benchmark__HistoryPoint *pt = &pts[k];
    trin__benchmark__history_point__init(pt);
    pt->year = m->from_year + (int)k;
    pp[k] = pt;
    const benchmark_ranking_t *r = NULL;
    if (benchmark_index_rank(svc->ix, f, pt->year, &peer, &r)) {
      rc = oom(err);
      goto out;
    }
    pt->suppressed = !benchmark_group_visible(r->n, svc->min_group);
    for (size_t i = 0; i < r->n; i++)
      if (r->items[i].org == org) {
        pt->has_value = true;
        pt->value = r->items[i].value;
        if (!pt->suppressed) {
          pt->rank = r->items[i].rank;
          pt->percentile_x100 = r->items[i].percentile_x100;
        }
        break;
      }
    if (!pt->suppressed) {
      pt->of = (int32_t)r->n;
      pt->median = r->dist.median;
    }
  }
  Trin__Benchmark__FigureDef def;
  benchmark_view_figure_def(f, &def);
  Trin__Benchmark__History h = TRIN__BENCHMARK__HISTORY__INIT;
  h.figure = &def;
  h.org_id = o->id;
  h.label = o->name;
  h.peer = m->peer;
  h.points = pp;
  h.n_points = ny;
  rc = trin_request_reply(req, &h.base, err);
out:
  trin_arena_reset(&a);
  return rc;
}

static int compare_partnerships(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                                trin_err_t *err) {
  benchmark_service_t *svc = data;
  const Trin__Benchmark__ComparePartnerships *m = (const void *)msg;
  benchmark_viewer_t viewer;
  int32_t org = -1;
  int rc = check_year(BENCHMARK_PROPERTY_FIGURES, m->year, "year", err);
  if (!rc) rc = benchmark_view_viewer(svc, req, msg, m->viewer_org, &viewer, err);
  if (rc) return rc;
  if (*nz(m->org_id)) {
    if ((rc = trin_id_check(m->org_id, "org_id", err))) return rc;
    if ((org = benchmark_index_org_find(svc->ix, m->org_id)) < 0)
      return trin_err_set(err, TRIN_ENOTFOUND, "org_id", "no organisation '%s'", m->org_id);
    if ((rc = named_to(&viewer, benchmark_index_org(svc->ix, org), "org_id", err))) return rc;
  }
  enum { NP = BENCHMARK_FIG_COUNT - BENCHMARK_PROPERTY_FIGURES };
  Trin__Benchmark__ComparisonRow rows[NP], *pr[NP];
  Trin__Benchmark__ComparisonSide in[NP], outs[NP];
  Trin__Benchmark__FigureDef defs[NP];
  char why_in[NP][128], why_out[NP][128];
  for (int k = 0; k < NP; k++) {
    int f = BENCHMARK_PROPERTY_FIGURES + k;
    benchmark_side_t si, so;
    benchmark_index_compare(svc->ix, f, org, m->year, &si, &so);
    /* A side of fewer projects than the minimum is shown as a count only,
     * narrowed to one organisation too: one project's figure is not
     * anonymous, least of all to an organisation named to another. */
    bool show_in = benchmark_side_visible(si.count, svc->min_group, "inside partnerships",
                                          why_in[k], sizeof why_in[k]);
    bool show_out = benchmark_side_visible(so.count, svc->min_group, "outside partnerships",
                                           why_out[k], sizeof why_out[k]);
    if (!show_in) si.has_value = false;
    if (!show_out) so.has_value = false;
    trin__benchmark__comparison_row__init(&rows[k]);
    trin__benchmark__comparison_side__init(&in[k]);
    trin__benchmark__comparison_side__init(&outs[k]);
    benchmark_view_figure_def(f, &defs[k]);
    in[k].projects = si.count;
    in[k].has_value = si.has_value;
    in[k].value = si.has_value ? si.value : 0;
    outs[k].projects = so.count;
    outs[k].has_value = so.has_value;
    outs[k].value = so.has_value ? so.value : 0;
    in[k].suppressed = !show_in;
    in[k].reason = why_in[k];
    outs[k].suppressed = !show_out;
    outs[k].reason = why_out[k];
    rows[k].figure = &defs[k];
    rows[k].inside = &in[k];
    rows[k].outside = &outs[k];
    rows[k].has_difference = si.has_value && so.has_value;
    rows[k].difference = rows[k].has_difference ? si.value - so.value : 0;
    pr[k] = &rows[k];
  }
  Trin__Benchmark__PartnershipComparison c = TRIN__BENCHMARK__PARTNERSHIP_COMPARISON__INIT;
  c.org_id = (char *)nz(m->org_id);
  c.year = m->year;
  c.rows = pr;
  c.n_rows = NP;
  return trin_request_reply(req, &c.base, err);
}

/* ---- the service ----------------------------------------------------------------------- */

static void on_check(uv_check_t *h) {
  benchmark_service_t *svc = h->data;
  uint64_t last = trin_outbox_last_seq(trin_server_outbox(svc->server));
  if (svc->applied_upto <= last) return;
  trin_err_t err = {0};
  trin_log_warn("index ahead of the store (event %llu, committed %llu): rebuilding",
                (unsigned long long)svc->applied_upto, (unsigned long long)last);
  if (benchmark_store_model_get(svc->store, svc->model, &svc->nmodel, &err) ||
      benchmark_store_load(svc->store, svc->ix, &err)) {
    trin_log_error("rebuilding the index failed, will retry: %s", err.message);
    return;
  }
  svc->applied_upto = last;
}

int benchmark_service_new(uv_loop_t *loop, trin_server_t *server, trin_store_t *store,
                          int min_group, benchmark_service_t **out, trin_err_t *err) {
  benchmark_service_t *svc = calloc(1, sizeof *svc);
  if (!svc) return oom(err);
  svc->server = server;
  svc->store = store;
  svc->min_group = min_group > 0 ? min_group : BENCHMARK_MIN_GROUP_DEFAULT;
  svc->ix = benchmark_index_new();
  int rc = svc->ix ? TRIN_OK : oom(err);
  if (!rc) rc = benchmark_store_model_get(store, svc->model, &svc->nmodel, err);
  if (!rc) rc = benchmark_store_load(store, svc->ix, err);
  if (rc) {
    benchmark_index_destroy(&svc->ix);
    free(svc);
    return rc;
  }
  svc->applied_upto = trin_outbox_last_seq(trin_server_outbox(server));
  static const struct {
    const ProtobufCMessageDescriptor *d;
    trin_handler_fn fn;
  } H[] = {
      {&trin__benchmark__set_organisation__descriptor, set_organisation},
      {&trin__benchmark__list_organisations__descriptor, list_organisations},
      {&trin__benchmark__set_property__descriptor, set_property},
      {&trin__benchmark__get_property__descriptor, get_property},
      {&trin__benchmark__set_measure__descriptor, set_measure},
      {&trin__benchmark__set_maintenance_model__descriptor, set_model},
      {&trin__benchmark__get_maintenance_model__descriptor, get_model},
      {&trin__benchmark__import_csv__descriptor, import_csv},
      {&trin__benchmark__list_figures__descriptor, list_figures},
      {&trin__benchmark__query_figure__descriptor, query_figure},
      {&trin__benchmark__query_history__descriptor, query_history},
      {&trin__benchmark__compare_partnerships__descriptor, compare_partnerships},
      /* lists (issue 19) */
      {&trin__benchmark__list_properties__descriptor, list_properties},
  };
  trin_access_install(server, &benchmark_access);
  for (size_t i = 0; i < sizeof H / sizeof *H; i++)
    if ((rc = trin_server_handle(server, H[i].d, H[i].fn, svc))) {
      benchmark_index_destroy(&svc->ix);
      free(svc);
      return trin_err_set(err, rc, "", "registering %s failed", H[i].d->name);
    }
  /* competitive exposure (IKU): requests of their own, no index */
  if (!(rc = benchmark_iku_handlers_register(server, err)))
    rc = benchmark_repetition_handlers_register(server, &svc->min_group, err); /* issue 20 */
  if (rc) {
    benchmark_index_destroy(&svc->ix);
    free(svc);
    return rc;
  }
  /* networks (issue 20, item 8): figures from the index, membership from the store */
  if ((rc = benchmark_network_handlers_register(server, svc, err))) {
    benchmark_index_destroy(&svc->ix);
    free(svc);
    return rc;
  }
  uv_check_init(loop, &svc->check);
  svc->check.data = svc;
  uv_check_start(&svc->check, on_check);
  *out = svc;
  return TRIN_OK;
}

static void on_closed(uv_handle_t *h) { free(h->data); }

void benchmark_service_destroy(benchmark_service_t **psvc) {
  if (!psvc || !*psvc) return;
  benchmark_service_t *svc = *psvc;
  benchmark_index_destroy(&svc->ix);
  uv_check_stop(&svc->check);
  uv_close((uv_handle_t *)&svc->check, on_closed);
  *psvc = NULL;
}
