/* benchmark_lifecycle_events — see benchmark_lifecycle_events.h. */
#include "benchmark_lifecycle_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin/lifecycle.pb-c.h"

static const char *nz(const char *s) { return s ? s : ""; }

static void set_org_text(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", nz(src)); }

/* Updates the row from the event; false when the event says nothing new. */
static bool update(benchmark_project_row_t *r, const ProtobufCMessage *msg) {
  const Trin__Lifecycle__Project *p = ((const Trin__Lifecycle__ProjectEvent *)msg)->project;
  benchmark_project_row_t before = *r;
  set_org_text(r->client_org, sizeof r->client_org, p->client_org);
  set_org_text(r->partnership_id, sizeof r->partnership_id, p->partnership_id);
  r->partnership_known = true;
  r->p.has |= BENCHMARK_PHAS_LIFECYCLE;
  r->p.dwellings = p->dwellings;
  r->p.open_disputes = p->open_disputes;
  r->p.open_defects = p->open_defects;
  set_org_text(r->kind, sizeof r->kind, p->kind);
  set_org_text(r->start_date, sizeof r->start_date, p->start_date);
  /* Rehousing: only with a plan (else the figures leave the project out). */
  if (p->rehousing_planned) r->p.has |= BENCHMARK_PHAS_REHOUSING;
  else r->p.has &= ~(uint32_t)BENCHMARK_PHAS_REHOUSING;
  r->p.without_rehousing = p->rehousing_planned && p->without_rehousing;
  r->p.households_rehoused_temporary = p->rehousing_planned ? p->households_rehoused_temporary : 0;
  r->p.households_moved_back = p->rehousing_planned ? p->households_moved_back : 0;
  /* sustainability and reuse (issue 20, item 3); none = an older lifecycle */
  const Trin__Lifecycle__SustainabilityTotals *t = p->sustainability;
  r->p.sustain.in_partnership = *nz(p->partnership_id) != '\0';
  r->p.sustain.energy_measured = t && t->has_energy_measured;
  r->p.sustain.reuse_measures = t ? t->reuse_measures : 0;
  r->p.sustain.reused_between_kg = t ? t->reused_between_projects_kg : 0;
  r->p.sustain.energy_saving_x100 = t ? t->energy_saving_measured_kwh_m2_x100 : 0;
  r->p.sustain.gross_area_m2 = p->gross_area_m2;
  if (*nz(p->baseline_handover)) {
    r->p.has |= BENCHMARK_PHAS_SCHEDULE;
    r->p.schedule_variance_days = p->schedule_variance_days;
  } else {
    r->p.has &= ~(uint32_t)BENCHMARK_PHAS_SCHEDULE;
    r->p.schedule_variance_days = 0;
  }
  return memcmp(&before, r, sizeof before) != 0;
}

/* The date a lifecycle change counts in: the table in benchmark_follow.h. */
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
  /* a repair reported, confirmed (closed) or rejected */
  if (strcmp(t, "defect_fix_reported") == 0) return pe->defect ? pe->defect->fix_reported_on : NULL;
  if (strcmp(t, "defect_fix_confirmed") == 0) return pe->defect ? pe->defect->fixed_on : NULL;
  if (strcmp(t, "defect_fix_rejected") == 0) return pe->defect ? pe->defect->fix_rejected_on : NULL;
  /* rehousing (issue 20, item 4): a movement counts on its date; a plan on
   * the day it was recorded (no date in the payload) */
  if (strcmp(t, "rehousing_moved") == 0)
    return pe->rehousing_move ? pe->rehousing_move->date : NULL;
  /* the measure recorded rides in the event's project (issue 20, item 3) */
  if (strcmp(t, "sustainability_recorded") == 0)
    return p && p->n_sustainability_measures ? p->sustainability_measures[0]->recorded_on : NULL;
  return NULL;
}

/* Rehousing events change the rehousing part only (benchmark_rules.h). */
static benchmark_source_t source_of(const char *type) {
  return strncmp(type, "lifecycle.rehousing_", 20) == 0 ? BENCHMARK_SOURCE_REHOUSING
                                                         : BENCHMARK_SOURCE_LIFECYCLE;
}

static const ProtobufCMessageDescriptor *payload(const Trin__Event *ev) {
  /* A rename (organisation_edited) carries the organisation as created does. */
  if (strcmp(nz(ev->type), "lifecycle.organisation_created") == 0 ||
      strcmp(nz(ev->type), "lifecycle.organisation_edited") == 0)
    return &trin__lifecycle__organisation__descriptor;
  if (strcmp(nz(ev->payload_type), trin__lifecycle__project_event__descriptor.name) == 0)
    return &trin__lifecycle__project_event__descriptor;
  return NULL;
}

static const char *project(const ProtobufCMessage *msg, const char *type, const char **date) {
  const Trin__Lifecycle__ProjectEvent *pe = (const void *)msg;
  if (!pe->project) return NULL;
  *date = lifecycle_date(type, pe);
  return pe->project->id;
}

static bool organisation(const ProtobufCMessage *msg, const char **id, const char **name) {
  if (msg->descriptor != &trin__lifecycle__organisation__descriptor) return false;
  const Trin__Lifecycle__Organisation *o = (const void *)msg;
  *id = o->id;
  *name = o->name;
  return true;
}

const benchmark_upstream_t benchmark_lifecycle_events = {
    .service = "lifecycle",
    .source = BENCHMARK_SOURCE_LIFECYCLE,
    .source_of = source_of,
    .payload = payload,
    .project = project,
    .update = update,
    .organisation = organisation,
};
