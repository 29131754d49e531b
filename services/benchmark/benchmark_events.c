/* benchmark_events — see benchmark_events.h. */
#include "benchmark_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "benchmark_store.h"
#include "trin/budget.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin/survey.pb-c.h"
#include "trin_access.h"
#include "trin_codec.h"
#include "trin_log.h"
#include "trin_follower.h"
#include "trin_subscriber.h"

/* What one applied event changed, for the index after commit. */
typedef struct {
  const Trin__Event *ev;
  benchmark_service_t *svc;
  bool project_changed;
  bm_project_row_t row;
  bool org_changed;
  char org_id[65], org_name[201];
  bool org_open;
} apply_t;

struct benchmark_follower {
  benchmark_service_t *svc;
  trin_follower_t *follower;
  apply_t *aps; /* [TRIN_SUBSCRIBER_RUN_MAX]: what each event of the run changed */
  size_t naps;
};

static const char *nz(const char *s) { return s ? s : ""; }

static void set_org_text(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", nz(src)); }

/* Updates the row from the event; false when the event says nothing new. */
static bool from_lifecycle(bm_project_row_t *r, const Trin__Lifecycle__Project *p) {
  bm_project_row_t before = *r;
  set_org_text(r->client_org, sizeof r->client_org, p->client_org);
  set_org_text(r->partnership_id, sizeof r->partnership_id, p->partnership_id);
  r->partnership_known = true;
  r->p.has |= BM_PHAS_LIFECYCLE;
  r->p.dwellings = p->dwellings;
  r->p.open_disputes = p->open_disputes;
  r->p.open_defects = p->open_defects;
  if (*nz(p->baseline_handover)) {
    r->p.has |= BM_PHAS_SCHEDULE;
    r->p.schedule_variance_days = p->schedule_variance_days;
  } else {
    r->p.has &= ~(uint32_t)BM_PHAS_SCHEDULE;
    r->p.schedule_variance_days = 0;
  }
  return memcmp(&before, r, sizeof before) != 0;
}

static bool from_budget(bm_project_row_t *r, const Trin__Budget__ProjectFigures *f) {
  bm_project_row_t before = *r;
  if (!r->partnership_known) {
    set_org_text(r->partnership_id, sizeof r->partnership_id, f->partnership_id);
    r->partnership_known = true;
  }
  r->p.has &= ~(uint32_t)(BM_PHAS_DRIFT | BM_PHAS_MARKET);
  r->p.budget_a_ore = f->budget_a_ore;
  r->p.drift_ore = r->p.market_adjusted_drift_ore = 0;
  if (f->drift_known && f->budget_a_ore > 0) {
    r->p.has |= BM_PHAS_DRIFT;
    r->p.drift_ore = f->drift_ore;
    if (f->market_known) {
      r->p.has |= BM_PHAS_MARKET;
      r->p.market_adjusted_drift_ore = f->market_adjusted_drift_ore;
    }
  }
  return memcmp(&before, r, sizeof before) != 0;
}

static bool from_survey(bm_project_row_t *r, const Trin__Survey__RoundResults *rr) {
  bm_project_row_t before = *r;
  if (!r->partnership_known) {
    set_org_text(r->partnership_id, sizeof r->partnership_id, rr->partnership_id);
    r->partnership_known = true;
  }
  if (!r->client_org[0]) set_org_text(r->client_org, sizeof r->client_org, rr->client_org);
  /* Only the latest round counts: an older round re-imported changes nothing. */
  if (strcmp(nz(rr->closes), r->satisfaction_closes) < 0) return memcmp(&before, r, sizeof before) != 0;
  /* The visible all-roles statements' sums and counts, rounded once in
   * bm_satisfaction_x100 (as the aggregator's status row). */
  int64_t *sums = calloc(rr->n_figures + 1, sizeof *sums);
  int32_t *counts = calloc(rr->n_figures + 1, sizeof *counts);
  size_t n = 0;
  for (size_t i = 0; sums && counts && i < rr->n_figures; i++) {
    const Trin__Survey__Figures *f = rr->figures[i];
    if (f->suppressed || strcmp(nz(f->role), "all") != 0) continue;
    sums[n] = f->sum;
    counts[n++] = f->count;
  }
  int32_t satisfaction = 0;
  bool known = sums && counts && bm_satisfaction_x100(sums, counts, n, &satisfaction);
  free(sums);
  free(counts);
  set_org_text(r->satisfaction_closes, sizeof r->satisfaction_closes, rr->closes);
  if (known) {
    r->p.has |= BM_PHAS_SATISFACTION;
    r->p.satisfaction_x100 = satisfaction;
  } else {
    r->p.has &= ~(uint32_t)BM_PHAS_SATISFACTION;
    r->p.satisfaction_x100 = 0;
  }
  return memcmp(&before, r, sizeof before) != 0;
}

/* ---- the date of a change ------------------------------------------------------------
 *
 * The year a change counts in (bm_event_year) is that of the date the
 * payload gives for it:
 *   lifecycle.project_created     project.start_date
 *   lifecycle.stage_changed       stage.since
 *   lifecycle.project_paused      pause.from;  project_resumed: pause.to
 *   lifecycle.dispute_opened      dispute.opened_on
 *   lifecycle.dispute_escalated   the date of the dispute's last step
 *   lifecycle.dispute_resolved    dispute.resolved_on
 *   lifecycle.defect_reported     defect.reported_on;  defect_fixed: defect.fixed_on
 *   lifecycle.price_closed        project.price_closed_on
 *   budget.budget_created         budget.date (the budget's own date);
 *     line_set, line_removed      the same
 *   budget.budget_submitted       budget.submitted_on
 *   budget.budget_approved        budget.approved_on
 *   budget.price_closed           date
 *   budget.scope_change_recorded  scope_change.decided_on
 *   survey.results_changed        the round's closing date
 * and of the event's commit time (Event.time, UTC) for every other event
 * (milestone_set, index_points_added, …) and when the named date is empty.
 * An event that leaves the project's figures as they were changes no year
 * (an approval of an unchanged Skema B does not move its drift). */
static const char *after(const char *type, const char *prefix) {
  size_t n = strlen(prefix);
  return strncmp(type, prefix, n) == 0 ? type + n : "";
}

static const char *lifecycle_date(const char *type, const Trin__Lifecycle__ProjectEvent *pe) {
  const char *t = after(type, "lifecycle.");
  const Trin__Lifecycle__Project *p = pe->project;
  const Trin__Lifecycle__Dispute *d = pe->dispute;
  if (strcmp(t, "project_created") == 0) return p ? p->start_date : NULL;
  if (strcmp(t, "stage_changed") == 0) return pe->stage ? pe->stage->since : NULL;
  if (strcmp(t, "project_paused") == 0) return pe->pause ? pe->pause->from : NULL;
  if (strcmp(t, "project_resumed") == 0) return pe->pause ? pe->pause->to : NULL;
  if (strcmp(t, "dispute_opened") == 0) return d ? d->opened_on : NULL;
  if (strcmp(t, "dispute_escalated") == 0)
    return d && d->n_steps ? d->steps[d->n_steps - 1]->date : NULL;
  if (strcmp(t, "dispute_resolved") == 0) return d ? d->resolved_on : NULL;
  if (strcmp(t, "defect_reported") == 0) return pe->defect ? pe->defect->reported_on : NULL;
  if (strcmp(t, "defect_fixed") == 0) return pe->defect ? pe->defect->fixed_on : NULL;
  if (strcmp(t, "price_closed") == 0) return p ? p->price_closed_on : NULL;
  return NULL;
}

static const char *budget_date(const char *type, const Trin__Budget__BudgetEvent *be) {
  const char *t = after(type, "budget.");
  if (strcmp(t, "budget_created") == 0 || strcmp(t, "line_set") == 0 ||
      strcmp(t, "line_removed") == 0)
    return be->budget ? be->budget->date : NULL;
  if (strcmp(t, "budget_submitted") == 0) return be->budget ? be->budget->submitted_on : NULL;
  if (strcmp(t, "budget_approved") == 0) return be->budget ? be->budget->approved_on : NULL;
  if (strcmp(t, "price_closed") == 0) return be->date;
  if (strcmp(t, "scope_change_recorded") == 0)
    return be->scope_change ? be->scope_change->decided_on : NULL;
  return NULL;
}

static int project_event(apply_t *ap, trin_request_t *req, const char *project_id,
                         const char *reason, int kind, const void *payload, const char *date,
                         trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  if (!*nz(project_id)) return TRIN_OK;
  bool found;
  int rc = benchmark_store_project_get(s, project_id, &ap->row, &found, err);
  if (rc) return rc;
  bool changed = kind == 0   ? from_lifecycle(&ap->row, payload)
                 : kind == 1 ? from_budget(&ap->row, payload)
                             : from_survey(&ap->row, payload);
  if (!changed && found) return TRIN_OK;
  /* The year it counts in; without any date, from the project's latest year
   * (or only as its current state when it has none). */
  int32_t year = bm_event_year(date, ap->ev->time);
  if (year < 0) year = ap->row.nyears ? ap->row.years[ap->row.nyears - 1].year : BM_YEAR_MAX;
  bm_source_t source = kind == 0 ? BM_SOURCE_LIFECYCLE : kind == 1 ? BM_SOURCE_BUDGET
                                                                   : BM_SOURCE_SURVEY;
  if (bm_timeline_apply(ap->row.years, &ap->row.nyears, year, source, &ap->row.p))
    return trin_err_set(err, TRIN_EINTERNAL, "", "year %d out of range", year);
  if (ap->row.client_org[0]) {
    bool created;
    if ((rc = benchmark_store_org_ensure(s, ap->row.client_org, &created, err))) return rc;
  }
  if ((rc = benchmark_store_project_put(s, &ap->row, err))) return rc;
  const char *projects[1] = {ap->row.id};
  const char *orgs[1] = {ap->row.client_org};
  uint64_t seq;
  rc = benchmark_emit_figures_changed(req, reason, ap->row.client_org, &year, 1, NULL, 0, 0,
                                      projects, 1, orgs, ap->row.client_org[0] ? 1 : 0, &seq, err);
  if (!rc) ap->project_changed = true;
  return rc;
}

static int apply_in_tx(trin_request_t *req, void *data, trin_err_t *err) {
  apply_t *ap = data;
  const Trin__Event *ev = ap->ev;
  const char *type = nz(ev->type), *pt = nz(ev->payload_type);
  trin_store_t *s = trin_request_store(req);
  ProtobufCMessage *msg = NULL;
  const ProtobufCMessageDescriptor *d = NULL;
  int kind = -1;
  if (strcmp(type, "lifecycle.organisation_created") == 0)
    d = &trin__lifecycle__organisation__descriptor, kind = 3;
  else if (strcmp(pt, "trin.lifecycle.ProjectEvent") == 0)
    d = &trin__lifecycle__project_event__descriptor, kind = 0;
  else if (strcmp(pt, "trin.budget.BudgetEvent") == 0)
    d = &trin__budget__budget_event__descriptor, kind = 1;
  else if (strcmp(type, "survey.results_changed") == 0)
    d = &trin__survey__round_results__descriptor, kind = 2;
  /* Partnership membership, for whoever asks this service about a project. */
  int rc = trin_access_apply_event(s, ev, err);
  if (rc) return rc;
  if (d) {
    trin_err_t e = {0};
    if (trin_codec_unpack(d, ev->payload.data, ev->payload.len, "payload", &msg, &e)) {
      trin_log_warn("%s event %llu (%s): payload does not decode, skipped: %s", nz(ev->service),
                    (unsigned long long)ev->seq, type, e.message);
      msg = NULL;
    }
  }
  if (msg) {
    switch (kind) {
      case 0: {
        const Trin__Lifecycle__ProjectEvent *pe = (const void *)msg;
        if (pe->project)
          rc = project_event(ap, req, pe->project->id, "lifecycle", 0, pe->project,
                             lifecycle_date(type, pe), err);
        break;
      }
      case 1: {
        const Trin__Budget__BudgetEvent *be = (const void *)msg;
        if (be->figures)
          rc = project_event(ap, req, be->figures->project_id, "budget", 1, be->figures,
                             budget_date(type, be), err);
        break;
      }
      case 2: {
        const Trin__Survey__RoundResults *rr = (const void *)msg;
        rc = project_event(ap, req, rr->project_id, "survey", 2, rr, rr->closes, err);
        break;
      }
      case 3: {
        const Trin__Lifecycle__Organisation *o = (const void *)msg;
        if (*nz(o->id) && *nz(o->name)) {
          bm_organisation_msg_t cur;
          trin_arena_t a = TRIN_ARENA_INIT;
          trin_err_t e2 = {0};
          bool open = false;
          if (!benchmark_store_org_get(s, o->id, "", &a, &cur, &e2)) open = cur.open_benchmarking;
          trin_arena_reset(&a);
          rc = benchmark_store_org_put(s, o->id, o->name, open, err);
          Trin__Benchmark__Organisation bo = TRIN__BENCHMARK__ORGANISATION__INIT;
          bo.id = o->id;
          bo.name = o->name;
          bo.open_benchmarking = open;
          trin_event_id_t ids[1] = {{"organisation", o->id}};
          uint64_t seq;
          if (!rc)
            rc = trin_request_emit(req, "benchmark.organisation_set", o->id, ids, 1, &bo.base,
                                   &seq, err);
          if (!rc) {
            ap->org_changed = true;
            set_org_text(ap->org_id, sizeof ap->org_id, o->id);
            set_org_text(ap->org_name, sizeof ap->org_name, o->name);
            ap->org_open = open;
          }
        }
        break;
      }
    }
    trin_codec_free(msg);
  }
  return rc;
}

/* After the commit: the index follows. */
static void apply_to_index(apply_t *ap) {
  bm_index_t *ix = ap->svc->ix;
  bool ok = true;
  if (ap->org_changed) ok = bm_index_org_set(ix, ap->org_id, ap->org_name, ap->org_open) >= 0;
  if (ap->project_changed) {
    int32_t org = -1;
    if (ap->row.client_org[0]) {
      org = bm_index_org_find(ix, ap->row.client_org);
      if (org < 0) org = bm_index_org_set(ix, ap->row.client_org, ap->row.client_org, false);
      ok = ok && org >= 0;
    }
    ok = ok && bm_index_project_set(ix, ap->row.id, org, ap->row.partnership_known,
                                    ap->row.partnership_id[0] != 0, ap->row.years,
                                    ap->row.nyears) >= 0;
  }
  if (!ok) ap->svc->applied_upto = UINT64_MAX; /* rebuild from the store */
}

/* One event of a run, in the run's transaction (trin_follower stores the
 * cursor with the run); what it changed is kept for the index. */
static int on_event(trin_request_t *req, const Trin__Event *ev, void *data, trin_err_t *err) {
  benchmark_follower_t *f = data;
  if (f->naps == TRIN_SUBSCRIBER_RUN_MAX)
    return trin_err_set(err, TRIN_EINTERNAL, "", "a run longer than %d events",
                        TRIN_SUBSCRIBER_RUN_MAX);
  apply_t *ap = &f->aps[f->naps++];
  memset(ap, 0, sizeof *ap);
  ap->ev = ev;
  ap->svc = f->svc;
  return apply_in_tx(req, ap, err);
}

/* After the run's commit the index follows each event in order; a run
 * rolled back leaves it as it was. */
static void after_run(void *data, bool committed) {
  benchmark_follower_t *f = data;
  if (committed)
    for (size_t i = 0; i < f->naps; i++) apply_to_index(&f->aps[i]);
  f->naps = 0;
}

int benchmark_follow(uv_loop_t *loop, void *zctx, benchmark_service_t *svc, const char *service,
                     const char *endpoint, const char *pub_endpoint,
                     const trin_curve_client_t *curve, benchmark_follower_t **out,
                     trin_err_t *err) {
  benchmark_follower_t *f = calloc(1, sizeof *f);
  if (f) f->aps = calloc(TRIN_SUBSCRIBER_RUN_MAX, sizeof *f->aps);
  if (!f || !f->aps) {
    free(f);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  f->svc = svc;
  trin_follower_options_t fo = {.service = service, .endpoint = endpoint,
                                .pub_endpoint = pub_endpoint, .curve = curve,
                                .after = after_run,
                                /* membership of events applied before it was kept */
                                .replay = trin_access_replay};
  int rc = trin_follower_new(loop, zctx, svc->server, &fo, on_event, f, &f->follower, err);
  if (rc) {
    free(f->aps);
    free(f);
    return rc;
  }
  *out = f;
  return TRIN_OK;
}

void benchmark_unfollow(benchmark_follower_t **pf) {
  if (!pf || !*pf) return;
  trin_follower_destroy(&(*pf)->follower);
  free((*pf)->aps);
  free(*pf);
  *pf = NULL;
}
