/* benchmark_follow — see benchmark_follow.h. */
#include "benchmark_follow.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchmark_store.h"
#include "lifecycle_membership.h"
#include "trin_codec.h"
#include "trin_follower.h"
#include "trin_log.h"
#include "trin_subscriber.h"

/* What one applied event changed, for the index after commit. */
typedef struct {
  const Trin__Event *ev;
  benchmark_service_t *svc;
  const benchmark_upstream_t *up;
  bool project_changed;
  benchmark_project_row_t row;
  bool org_changed;
  char org_id[65], org_name[201];
  bool org_open;
} apply_t;

struct benchmark_follow {
  benchmark_service_t *svc;
  const benchmark_upstream_t *up;
  trin_follower_t *follower;
  apply_t *aps; /* [TRIN_SUBSCRIBER_RUN_MAX]: what each event of the run changed */
  size_t naps;
};

static const char *nz(const char *s) { return s ? s : ""; }

static void set_org_text(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", nz(src)); }

static int project_event(apply_t *ap, trin_request_t *req, const ProtobufCMessage *msg,
                         const char *project_id, const char *date, trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  if (!*nz(project_id)) return TRIN_OK;
  bool found;
  int rc = benchmark_store_project_get(s, project_id, &ap->row, &found, err);
  if (rc) return rc;
  bool changed = ap->up->update(&ap->row, msg);
  if (!changed && found) return TRIN_OK;
  /* The year it counts in; without any date, from the project's latest year
   * (or only as its current state when it has none). */
  int32_t year = benchmark_event_year(date, ap->ev->time);
  if (year < 0) year = ap->row.nyears ? ap->row.years[ap->row.nyears - 1].year : BENCHMARK_YEAR_MAX;
  benchmark_source_t src = ap->up->source_of ? ap->up->source_of(nz(ap->ev->type)) : ap->up->source;
  if (benchmark_timeline_apply(ap->row.years, &ap->row.nyears, year, src, &ap->row.p))
    return trin_err_set(err, TRIN_EINTERNAL, "", "year %d out of range", year);
  if (ap->row.client_org[0]) {
    bool created;
    if ((rc = benchmark_store_org_ensure(s, ap->row.client_org, &created, err))) return rc;
  }
  if ((rc = benchmark_store_project_put(s, &ap->row, err))) return rc;
  const char *projects[1] = {ap->row.id};
  const char *orgs[1] = {ap->row.client_org};
  uint64_t seq;
  rc = benchmark_apply_emit_figures_changed(req, ap->up->service, ap->row.client_org, &year, 1,
                                            NULL, 0, 0, projects, 1, orgs,
                                            ap->row.client_org[0] ? 1 : 0, &seq, err);
  if (!rc) ap->project_changed = true;
  return rc;
}

static int organisation_event(apply_t *ap, trin_request_t *req, const char *id, const char *name,
                              trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  benchmark_organisation_msg_t cur;
  trin_arena_t a = TRIN_ARENA_INIT;
  trin_err_t e2 = {0};
  bool open = false;
  if (!benchmark_store_org_get(s, id, "", &a, &cur, &e2)) open = cur.open_benchmarking;
  trin_arena_reset(&a);
  int rc = benchmark_store_org_put(s, id, name, open, err);
  Trin__Benchmark__Organisation bo = TRIN__BENCHMARK__ORGANISATION__INIT;
  bo.id = (char *)id;
  bo.name = (char *)name;
  bo.open_benchmarking = open;
  trin_event_id_t ids[1] = {{"organisation", id}};
  uint64_t seq;
  if (!rc)
    rc = trin_request_emit(req, "benchmark.organisation_set", id, ids, 1, &bo.base, &seq, err);
  if (!rc) {
    ap->org_changed = true;
    set_org_text(ap->org_id, sizeof ap->org_id, id);
    set_org_text(ap->org_name, sizeof ap->org_name, name);
    ap->org_open = open;
  }
  return rc;
}

static int apply_in_tx(trin_request_t *req, apply_t *ap, trin_err_t *err) {
  const Trin__Event *ev = ap->ev;
  const char *type = nz(ev->type);
  /* Partnership membership, for whoever asks this service about a project. */
  int rc = lifecycle_membership_apply(trin_request_store(req), ev, err);
  const ProtobufCMessageDescriptor *d = ap->up->payload(ev);
  if (rc || !d) return rc;
  ProtobufCMessage *msg = NULL;
  trin_err_t e = {0};
  if (trin_codec_unpack(d, ev->payload.data, ev->payload.len, "payload", &msg, &e)) {
    trin_log_warn("%s event %llu (%s): payload does not decode, skipped: %s", nz(ev->service),
                  (unsigned long long)ev->seq, type, e.message);
    return TRIN_OK;
  }
  const char *id, *name, *date = NULL;
  if (ap->up->organisation && ap->up->organisation(msg, &id, &name)) {
    if (*nz(id) && *nz(name)) rc = organisation_event(ap, req, id, name, err);
  } else {
    const char *project = ap->up->project(msg, type, &date);
    if (*nz(project)) rc = project_event(ap, req, msg, project, date, err);
  }
  trin_codec_free(msg);
  return rc;
}

/* After the commit: the index follows. */
static void apply_to_index(apply_t *ap) {
  benchmark_index_t *ix = ap->svc->ix;
  bool ok = true;
  if (ap->org_changed)
    ok = benchmark_index_org_set(ix, ap->org_id, ap->org_name, ap->org_open) >= 0;
  if (ap->project_changed) {
    int32_t org = -1;
    if (ap->row.client_org[0]) {
      org = benchmark_index_org_find(ix, ap->row.client_org);
      if (org < 0) org = benchmark_index_org_set(ix, ap->row.client_org, ap->row.client_org, false);
      ok = ok && org >= 0;
    }
    ok = ok && benchmark_index_project_set(ix, ap->row.id, org, ap->row.partnership_known,
                                           ap->row.partnership_id[0] != 0, ap->row.years,
                                           ap->row.nyears) >= 0;
  }
  if (!ok) ap->svc->applied_upto = UINT64_MAX; /* rebuild from the store */
}

/* One event of a run, in the run's transaction (trin_follower stores the
 * cursor with the run); what it changed is kept for the index. */
static int on_event(trin_request_t *req, const Trin__Event *ev, void *data, trin_err_t *err) {
  benchmark_follow_t *f = data;
  if (f->naps == TRIN_SUBSCRIBER_RUN_MAX)
    return trin_err_set(err, TRIN_EINTERNAL, "", "a run longer than %d events",
                        TRIN_SUBSCRIBER_RUN_MAX);
  apply_t *ap = &f->aps[f->naps++];
  memset(ap, 0, sizeof *ap);
  ap->ev = ev;
  ap->svc = f->svc;
  ap->up = f->up;
  return apply_in_tx(req, ap, err);
}

/* After the run's commit the index follows each event in order; a run
 * rolled back leaves it as it was. */
static void after_run(void *data, bool committed) {
  benchmark_follow_t *f = data;
  if (committed)
    for (size_t i = 0; i < f->naps; i++) apply_to_index(&f->aps[i]);
  f->naps = 0;
}

int benchmark_follow(uv_loop_t *loop, void *zctx, benchmark_service_t *svc,
                     const benchmark_upstream_t *upstream, const char *endpoint,
                     const char *pub_endpoint, const trin_curve_client_t *curve,
                     benchmark_follow_t **out, trin_err_t *err) {
  benchmark_follow_t *f = calloc(1, sizeof *f);
  if (f) f->aps = calloc(TRIN_SUBSCRIBER_RUN_MAX, sizeof *f->aps);
  if (!f || !f->aps) {
    free(f);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  f->svc = svc;
  f->up = upstream;
  trin_follower_options_t fo = {.service = upstream->service,
                                .endpoint = endpoint,
                                .pub_endpoint = pub_endpoint,
                                .curve = curve,
                                .after = after_run,
                                /* membership of events applied before it was kept */
                                .replay = lifecycle_membership_replay};
  int rc = trin_follower_new(loop, zctx, svc->server, &fo, on_event, f, &f->follower, err);
  if (rc) {
    free(f->aps);
    free(f);
    return rc;
  }
  *out = f;
  return TRIN_OK;
}

void benchmark_unfollow(benchmark_follow_t **pf) {
  if (!pf || !*pf) return;
  trin_follower_destroy(&(*pf)->follower);
  free((*pf)->aps);
  free(*pf);
  *pf = NULL;
}
