/* benchmark_network_handlers — see benchmark_network_handlers.h. Validation
 * order as in benchmark_handlers: fields (INVALID naming them), then the
 * network (NOT_FOUND, also for an outsider), then rules (FORBIDDEN /
 * CONFLICT). */
#include "benchmark_network_handlers.h"

#include <stdlib.h>
#include <string.h>

#include "benchmark_access.h"
#include "benchmark_network.h"
#include "benchmark_network_store.h"
#include "benchmark_view.h"
#include "trin/benchmark.pb-c.h"
#include "trin_access.h"
#include "trin_arena.h"
#include "trin_date.h"
#include "trin_id.h"


#define TRY(expr)                \
  do {                           \
    if ((rc = (expr))) goto out; \
  } while (0)

static const char *nz(const char *s) { return s ? s : ""; }

static int oom(trin_err_t *err) { return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory"); }

/* ---- who may ------------------------------------------------------------------------ */

/* The caller's organisation, or NULL for an operator or a service key. */
static const char *caller_org(trin_request_t *req) {
  const char *o = trin_access_caller_org(req);
  return o && *o ? o : NULL;
}

static bool operator_of(trin_request_t *req) {
  return trin_access_unrestricted(trin_request_caller(req));
}

/* Is org a member of the network on date? */
static bool member_on(const Trin__Benchmark__Network *n, const char *org, trin_date_t date) {
  if (!org) return false;
  for (size_t i = 0; i < n->n_members; i++) {
    const Trin__Benchmark__NetworkMember *m = n->members[i];
    if (strcmp(m->org_id, org) != 0) continue;
    benchmark_network_span_t span = {TRIN_DATE_NONE, TRIN_DATE_NONE};
    trin_err_t ignore = {0};
    trin_date_parse_optional(m->joined, &span.joined, "joined", &ignore);
    trin_date_parse_optional(m->left, &span.left, "left", &ignore);
    return benchmark_network_member_on(&span, date);
  }
  return false;
}

/* May the caller read the network? Its administrator, its members today,
 * an operator or a service key. Anyone else is told there is no such
 * network, in the words a missing id gets. */
static int may_read(trin_request_t *req, const Trin__Benchmark__Network *n, const char *field,
                    trin_err_t *err) {
  const char *org = caller_org(req);
  if (!org || strcmp(org, n->admin_org) == 0 || member_on(n, org, trin_date_today()))
    return TRIN_OK;
  return trin_access_not_found(err, field, "network", n->id);
}

/* May the caller administer it? The administrator's writers (the access
 * table lets only writers through) and an operator; a member is told who
 * administers it, an outsider that there is no such network. */
static int may_administer(trin_request_t *req, const Trin__Benchmark__Network *n,
                          const char *field, trin_err_t *err) {
  const char *org = caller_org(req);
  if (operator_of(req) || (org && strcmp(org, n->admin_org) == 0)) return TRIN_OK;
  int rc = may_read(req, n, field, err);
  if (rc) return rc;
  return trin_err_set(err, TRIN_EFORBIDDEN, field,
                      "network '%s' is administered by '%s': only its writers may change it",
                      n->id, n->admin_org);
}

/* Reads the network the request names and checks the caller may read it. */
static int network_of(trin_request_t *req, const char *id, trin_arena_t *a,
                      Trin__Benchmark__Network *out, trin_err_t *err) {
  int rc = trin_id_check(nz(id), "network_id", err);
  if (!rc) rc = benchmark_network_store_get(trin_request_store(req), id, "network_id", a, out, err);
  if (!rc) rc = may_read(req, out, "network_id", err);
  return rc;
}

static int reply_network(trin_request_t *req, const char *id, uint64_t seq, trin_err_t *err) {
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Benchmark__Network n;
  int rc = benchmark_network_store_get(trin_request_store(req), id, "network_id", &a, &n, err);
  if (!rc) {
    Trin__Benchmark__NetworkReply r = TRIN__BENCHMARK__NETWORK_REPLY__INIT;
    r.network = &n;
    r.seq = seq;
    rc = a.failed ? oom(err) : trin_request_reply(req, &r.base, err);
  }
  trin_arena_reset(&a);
  return rc;
}

static int emit(trin_request_t *req, const char *type, const Trin__Benchmark__Network *n,
                const ProtobufCMessage *msg, uint64_t *seq, trin_err_t *err) {
  trin_event_id_t ids[1] = {{"network", n->id}};
  return trin_request_emit(req, type, n->admin_org, ids, 1, msg, seq, err);
}

/* ---- administration ------------------------------------------------------------------ */

static int set_network(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                       trin_err_t *err) {
  (void)data;
  const Trin__Benchmark__SetNetwork *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Benchmark__Network n;
  uint64_t seq = 0;
  int rc;
  TRY(trin_id_check(nz(m->network_id), "network_id", err));
  TRY(trin_text_check(nz(m->name), BENCHMARK_NAME_MAX_BYTES, "name", err));
  TRY(trin_access_require_org(req, m->admin_org, "admin_org", err));
  trin_err_t missing = {0};
  rc = benchmark_network_store_get(trin_request_store(req), m->network_id, "network_id", &a, &n,
                                   &missing);
  if (rc == TRIN_ENOTFOUND) {
    const char *admin = caller_org(req);
    if (!admin) admin = m->admin_org && *m->admin_org ? m->admin_org : NULL;
    if (!admin) {
      rc = trin_err_set(err, TRIN_EINVALID, "admin_org",
                        "is required when a caller without an organisation of its own creates "
                        "a network: name the organisation that administers it");
      goto out;
    }
    TRY(trin_id_check(admin, "admin_org", err));
    n.id = m->network_id;
    n.admin_org = (char *)admin;
  } else if (rc) {
    *err = missing;
    goto out;
  } else {
    rc = may_administer(req, &n, "network_id", err);
    /* an id another organisation's network holds: taken, whose stays unsaid */
    if (rc == TRIN_ENOTFOUND)
      rc = trin_err_set(err, TRIN_ECONFLICT, "network_id", "network '%s' already exists",
                        m->network_id);
    if (rc) goto out;
    if (m->admin_org && *m->admin_org && strcmp(m->admin_org, n.admin_org) != 0) {
      rc = trin_err_set(err, TRIN_EINVALID, "admin_org",
                        "network '%s' is administered by '%s'; the administrator is set when "
                        "the network is created and does not change",
                        n.id, n.admin_org);
      goto out;
    }
  }
  TRY(benchmark_network_store_put(trin_request_store(req), n.id, m->name, m->open_inside,
                                  n.admin_org, err));
  TRY(emit(req, "benchmark.network_set", &n, msg, &seq, err));
  rc = reply_network(req, m->network_id, seq, err);
out:
  trin_arena_reset(&a);
  return rc;
}

static int set_member(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                      trin_err_t *err) {
  (void)data;
  const Trin__Benchmark__SetNetworkMember *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Benchmark__Network n;
  uint64_t seq = 0;
  int rc;
  if (!m->member) return trin_err_set(err, TRIN_EINVALID, "member", "is required");
  TRY(trin_id_check(nz(m->member->org_id), "member.org_id", err));
  benchmark_network_span_t span;
  TRY(trin_date_parse_optional(m->member->joined, &span.joined, "member.joined", err));
  TRY(trin_date_parse_optional(m->member->left, &span.left, "member.left", err));
  if ((rc = benchmark_network_span_check(&span, err))) {
    trin_err_prefix_field(err, "member");
    goto out;
  }
  TRY(network_of(req, m->network_id, &a, &n, err));
  TRY(may_administer(req, &n, "network_id", err));
  TRY(benchmark_network_store_member_put(trin_request_store(req), n.id, m->member, err));
  TRY(emit(req, "benchmark.network_member_set", &n, msg, &seq, err));
  rc = reply_network(req, n.id, seq, err);
out:
  trin_arena_reset(&a);
  return rc;
}

static int set_requirement(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                           trin_err_t *err) {
  (void)data;
  const Trin__Benchmark__SetNetworkRequirement *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Benchmark__Network n;
  uint64_t seq = 0;
  trin_date_t date;
  int rc;
  const Trin__Benchmark__NetworkRequirement *r = m->requirement;
  if (!r) return trin_err_set(err, TRIN_EINVALID, "requirement", "is required");
  TRY(trin_id_check(nz(r->id), "requirement.id", err));
  TRY(trin_text_check(nz(r->title), BENCHMARK_NAME_MAX_BYTES, "requirement.title", err));
  TRY(trin_text_check(nz(r->reference), 2000, "requirement.reference", err));
  TRY(trin_date_parse(r->date, &date, "requirement.date", err));
  TRY(network_of(req, m->network_id, &a, &n, err));
  TRY(may_administer(req, &n, "network_id", err));
  TRY(benchmark_network_store_requirement_put(trin_request_store(req), n.id, r, err));
  TRY(emit(req, "benchmark.network_requirement_set", &n, msg, &seq, err));
  rc = reply_network(req, n.id, seq, err);
out:
  trin_arena_reset(&a);
  return rc;
}

static int add_adoption(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  (void)data;
  const Trin__Benchmark__AddNetworkAdoption *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Benchmark__Network n;
  uint64_t seq = 0;
  trin_date_t date;
  int rc;
  const Trin__Benchmark__NetworkAdoption *ad = m->adoption;
  if (!ad) return trin_err_set(err, TRIN_EINVALID, "adoption", "is required");
  TRY(trin_id_check(nz(ad->requirement_id), "adoption.requirement_id", err));
  TRY(trin_id_check(nz(ad->org_id), "adoption.org_id", err));
  TRY(trin_id_check(nz(ad->project_id), "adoption.project_id", err));
  TRY(trin_date_parse(ad->date, &date, "adoption.date", err));
  TRY(network_of(req, m->network_id, &a, &n, err));
  /* a member records its own adoptions; the administrator anyone's */
  const char *org = caller_org(req);
  if (org && strcmp(org, n.admin_org) != 0)
    TRY(trin_access_require_org(req, ad->org_id, "adoption.org_id", err));
  bool known = false;
  for (size_t i = 0; i < n.n_requirements && !known; i++)
    known = strcmp(n.requirements[i]->id, ad->requirement_id) == 0;
  if (!known) {
    rc = trin_err_set(err, TRIN_ENOTFOUND, "adoption.requirement_id",
                      "network '%s' has no requirement '%s'", n.id, ad->requirement_id);
    goto out;
  }
  if (!member_on(&n, ad->org_id, date)) {
    rc = trin_err_set(err, TRIN_EINVALID, "adoption.org_id",
                      "'%s' was not a member of network '%s' on %s", ad->org_id, n.id, ad->date);
    goto out;
  }
  TRY(benchmark_network_store_adoption_add(trin_request_store(req), n.id, ad, err));
  TRY(emit(req, "benchmark.network_adoption_added", &n, msg, &seq, err));
  rc = reply_network(req, n.id, seq, err);
out:
  trin_arena_reset(&a);
  return rc;
}

static int get_network(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                       trin_err_t *err) {
  (void)data;
  const Trin__Benchmark__GetNetwork *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Benchmark__Network n;
  int rc = network_of(req, m->network_id, &a, &n, err);
  trin_arena_reset(&a);
  return rc ? rc : reply_network(req, m->network_id, 0, err);
}

/* ---- figures ------------------------------------------------------------------------- */

static int check_year(int f, int year, trin_err_t *err) {
  if (benchmark_figures[f].kind == BENCHMARK_KIND_PORTFOLIO && year == 0) return TRIN_OK;
  return benchmark_range_check(year, BENCHMARK_YEAR_MIN, BENCHMARK_YEAR_MAX, "year", err);
}

/* The ranking of figure f in year split into the network's members on
 * date (in, re-ranked) and the rest (out); in and out are malloc'd. */
typedef struct {
  benchmark_ranked_t *in, *out;
  size_t nin, nout;
} split_t;

static int split_of(benchmark_service_t *svc, const Trin__Benchmark__Network *n, int f, int year,
                    trin_date_t date, split_t *s, trin_err_t *err) {
  memset(s, 0, sizeof *s);
  const benchmark_ranking_t *r = NULL;
  benchmark_peer_t any = BENCHMARK_PEER_ANY;
  if (benchmark_index_rank(svc->ix, f, year, &any, &r)) return oom(err);
  size_t cap = r->n ? r->n : 1;
  bool *member = malloc(cap * sizeof *member);
  s->in = malloc(cap * sizeof *s->in);
  s->out = malloc(cap * sizeof *s->out);
  if (!member || !s->in || !s->out) {
    free(member);
    free(s->in);
    free(s->out);
    memset(s, 0, sizeof *s);
    return oom(err);
  }
  for (size_t i = 0; i < r->n; i++)
    member[i] = member_on(n, benchmark_index_org(svc->ix, r->items[i].org)->id, date);
  benchmark_network_split(r->items, member, r->n, benchmark_figures[f].direction, s->in, &s->nin,
                          s->out, &s->nout);
  free(member);
  return TRIN_OK;
}

static void split_free(split_t *s) {
  free(s->in);
  free(s->out);
}

static void fill_side(Trin__Benchmark__NetworkSide *p, const benchmark_network_side_t *s) {
  trin__benchmark__network_side__init(p);
  p->organisations = s->organisations;
  p->shown = s->shown;
  p->median = s->median;
  p->reason = (char *)s->reason;
}

/* Names inside an open network go to its members on the date and its
 * administrator; everyone else sees names as open benchmarking allows. */
static bool named(const Trin__Benchmark__Network *n, const benchmark_viewer_t *v, trin_date_t date,
                  const benchmark_org_t *o) {
  bool inside = v->id && (strcmp(v->id, n->admin_org) == 0 || member_on(n, v->id, date));
  return benchmark_network_name_visible(n->open_inside && inside, v->id, v->open, o->id,
                                        o->open);
}

static int query_figure(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  benchmark_service_t *svc = data;
  const Trin__Benchmark__QueryNetworkFigure *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Benchmark__Network n;
  split_t s = {0};
  benchmark_viewer_t viewer;
  trin_date_t date;
  int rc;
  int f = benchmark_figure_find(m->figure, "figure", err);
  if (f < 0) return TRIN_EINVALID;
  TRY(check_year(f, m->year, err));
  TRY(trin_date_parse_optional(m->date, &date, "date", err));
  if (date == TRIN_DATE_NONE)
    date = m->year ? benchmark_network_year_date(m->year) : trin_date_today();
  TRY(network_of(req, m->network_id, &a, &n, err));
  TRY(benchmark_view_viewer(svc, req, msg, m->viewer_org, &viewer, err));
  TRY(split_of(svc, &n, f, m->year, date, &s, err));
  benchmark_network_side_t net, rest;
  benchmark_network_side(s.in, s.nin, svc->min_group, "in the network", &net);
  benchmark_network_side(s.out, s.nout, svc->min_group, "outside the network", &rest);
  Trin__Benchmark__FigureDef def;
  benchmark_view_figure_def(f, &def);
  Trin__Benchmark__NetworkSide pn, pr;
  fill_side(&pn, &net);
  fill_side(&pr, &rest);
  char datebuf[TRIN_DATE_BUF];
  Trin__Benchmark__NetworkFigureReport rep = TRIN__BENCHMARK__NETWORK_FIGURE_REPORT__INIT;
  rep.network_id = n.id;
  rep.figure = &def;
  rep.year = m->year;
  rep.date = trin_date_format(date, datebuf);
  rep.min_group = svc->min_group;
  rep.suppressed = !net.shown;
  rep.network = &pn;
  rep.rest = &pr;
  const benchmark_ranked_t *mine = NULL;
  for (size_t i = 0; i < s.nin && !mine && viewer.idx >= 0; i++)
    if (s.in[i].org == viewer.idx) mine = &s.in[i];
  Trin__Benchmark__Entry ve;
  if (!rep.suppressed) {
    rep.entries = trin_arena_alloc(&a, (s.nin ? s.nin : 1) * sizeof *rep.entries);
    Trin__Benchmark__Entry *es = trin_arena_alloc(&a, (s.nin ? s.nin : 1) * sizeof *es);
    if (!rep.entries || !es) {
      rc = oom(err);
      goto out;
    }
    int anon = 0;
    for (size_t i = 0; i < s.nin; i++) {
      const benchmark_org_t *o = benchmark_index_org(svc->ix, s.in[i].org);
      bool nm = named(&n, &viewer, date, o);
      const char *label = nm ? "" : trin_arena_printf(&a, "anonymous #%d", ++anon);
      benchmark_view_fill_entry(&es[i], &s.in[i], o, nm, mine && s.in[i].org == viewer.idx, true, label);
      rep.entries[i] = &es[i];
    }
    rep.n_entries = s.nin;
  }
  if (mine) {
    benchmark_view_fill_entry(&ve, mine, benchmark_index_org(svc->ix, viewer.idx), true, true, !rep.suppressed,
               "");
    rep.viewer = &ve;
    rep.has_member_difference = net.shown;
    rep.member_difference = net.shown ? mine->value - net.median : 0;
  }
  rep.has_network_difference = net.shown && rest.shown;
  rep.network_difference = rep.has_network_difference ? net.median - rest.median : 0;
  rc = a.failed ? oom(err) : trin_request_reply(req, &rep.base, err);
out:
  split_free(&s);
  trin_arena_reset(&a);
  return rc;
}

static int query_history(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  benchmark_service_t *svc = data;
  const Trin__Benchmark__QueryNetworkHistory *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Benchmark__Network n;
  benchmark_viewer_t viewer;
  int rc;
  int f = benchmark_figure_find(m->figure, "figure", err);
  if (f < 0) return TRIN_EINVALID;
  TRY(trin_id_check(nz(m->org_id), "org_id", err));
  TRY(benchmark_view_history_years(m->from_year, m->to_year, err));
  TRY(network_of(req, m->network_id, &a, &n, err));
  TRY(benchmark_view_viewer(svc, req, msg, m->viewer_org, &viewer, err));
  int32_t org = benchmark_index_org_find(svc->ix, m->org_id);
  if (org < 0) {
    rc = trin_err_set(err, TRIN_ENOTFOUND, "org_id", "no organisation '%s'", m->org_id);
    goto out;
  }
  const benchmark_org_t *o = benchmark_index_org(svc->ix, org);
  if (!named(&n, &viewer, trin_date_today(), o)) {
    rc = trin_err_set(err, TRIN_EFORBIDDEN, "org_id",
                      "'%s' is shown only anonymously in network '%s' (the network is not open "
                      "to its members, and open benchmarking is not agreed by both)",
                      o->id, n.id);
    goto out;
  }
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
    split_t s;
    TRY(split_of(svc, &n, f, pt->year, benchmark_network_year_date(pt->year), &s, err));
    benchmark_network_side_t net;
    benchmark_network_side(s.in, s.nin, svc->min_group, "in the network", &net);
    pt->suppressed = !net.shown;
    for (size_t i = 0; i < s.nin; i++)
      if (s.in[i].org == org) {
        pt->has_value = true;
        pt->value = s.in[i].value;
        if (!pt->suppressed) {
          pt->rank = s.in[i].rank;
          pt->percentile_x100 = s.in[i].percentile_x100;
        }
        break;
      }
    if (!pt->suppressed) {
      pt->of = (int32_t)s.nin;
      pt->median = net.median;
    }
    split_free(&s);
  }
  Trin__Benchmark__FigureDef def;
  benchmark_view_figure_def(f, &def);
  Trin__Benchmark__History h = TRIN__BENCHMARK__HISTORY__INIT;
  h.figure = &def;
  h.org_id = o->id;
  h.label = o->name;
  h.points = pp;
  h.n_points = ny;
  rc = trin_request_reply(req, &h.base, err);
out:
  trin_arena_reset(&a);
  return rc;
}

int benchmark_network_handlers_register(trin_server_t *server, benchmark_service_t *svc,
                                        trin_err_t *err) {
  static const struct {
    const ProtobufCMessageDescriptor *d;
    trin_handler_fn fn;
  } H[] = {
      {&trin__benchmark__set_network__descriptor, set_network},
      {&trin__benchmark__set_network_member__descriptor, set_member},
      {&trin__benchmark__set_network_requirement__descriptor, set_requirement},
      {&trin__benchmark__add_network_adoption__descriptor, add_adoption},
      {&trin__benchmark__get_network__descriptor, get_network},
      {&trin__benchmark__query_network_figure__descriptor, query_figure},
      {&trin__benchmark__query_network_history__descriptor, query_history},
  };
  for (size_t i = 0; i < sizeof H / sizeof *H; i++) {
    int rc = trin_server_handle(server, H[i].d, H[i].fn, svc);
    if (rc) return trin_err_set(err, rc, "", "registering %s failed", H[i].d->name);
  }
  return TRIN_OK;
}
