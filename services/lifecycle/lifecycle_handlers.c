/* lifecycle_handlers — see lifecycle_handlers.h. Validation order in every
 * handler: required fields and formats first (INVALID naming the field),
 * then references (NOT_FOUND), then the domain rules (CONFLICT), so the
 * first thing a user has to fix is the first thing they are told. */
#include "lifecycle_handlers.h"

#include <string.h>

#include "lifecycle_ab18.h"
#include "lifecycle_access.h"
#include "lifecycle_emit.h"
#include "lifecycle_rehousing.h"
#include "lifecycle_rehousing_store.h"
#include "lifecycle_rules.h"
#include "lifecycle_store.h"
#include "lifecycle_lessons_handlers.h"
#include "lifecycle_sustain_handlers.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_arena.h"
#include "trin_id.h"

#define NAME_MAX_BYTES 200
#define TEXT_MAX_BYTES 2000


/* Every handler returns through here so the arena is always released. */
#define TRY(expr)              \
  do {                         \
    if ((rc = (expr))) goto out; \
  } while (0)

static const char *nz(const char *s) { return s ? s : ""; }

static int require_message(const void *m, const char *field, trin_err_t *err) {
  return m ? TRIN_OK : trin_err_set(err, TRIN_EINVALID, field, "is required");
}

/* The rules work on plain dates and enums; the store speaks text. */
int lifecycle_project_state(const lifecycle_project_msg_t *p, lifecycle_project_state_t *s,
                            trin_err_t *err) {
  memset(s, 0, sizeof *s);
  int st = lifecycle_stage_parse(p->stage, "stage", err);
  if (st < 0) return TRIN_EINTERNAL;
  s->stage = (lifecycle_stage_t)st;
  s->fast_track = p->fast_track;
  s->price_closed = p->price_closed;
  s->paused = p->paused;
  int rc = trin_date_parse(p->stage_since, &s->stage_since, "stage_since", err);
  if (!rc) rc = trin_date_parse_optional(p->price_closed_on, &s->price_closed_on,
                                         "price_closed_on", err);
  if (!rc) rc = trin_date_parse_optional(p->paused_since, &s->paused_since,
                                         "paused_since", err);
  return rc ? TRIN_EINTERNAL : TRIN_OK;
}

/* Emits a project event and replies with the project as it now is. */
static int emit_and_reply(trin_request_t *req, trin_arena_t *a, const char *type,
                          const char *project_id, lifecycle_project_event_msg_t *ev,
                          trin_err_t *err) {
  lifecycle_project_msg_t *p = NULL;
  uint64_t seq = 0;
  int rc = lifecycle_emit_project(req, a, type, project_id, ev, &p, &seq, err);
  if (rc) return rc;
  Trin__Lifecycle__ProjectReply reply = TRIN__LIFECYCLE__PROJECT_REPLY__INIT;
  reply.project = p;
  reply.seq = seq;
  /* SetMilestone: the variance is the service's to compute; clients print it. */
  reply.milestone = ev ? ev->milestone : NULL;
  reply.defect = ev ? ev->defect : NULL;
  return trin_request_reply(req, &reply.base, err);
}

/* ---- organisations ------------------------------------------------------------ */

static int create_organisation(trin_request_t *req, const ProtobufCMessage *msg,
                               void *data, trin_err_t *err) {
  const Trin__Lifecycle__CreateOrganisation *m = (const void *)msg;
  const lifecycle_organisation_msg_t *o = m->organisation;
  int rc = require_message(o, "organisation", err);
  if (!rc) rc = trin_id_check(o->id, "organisation.id", err);
  if (!rc) rc = trin_text_check(o->name, NAME_MAX_BYTES, "organisation.name", err);
  if (!rc && lifecycle_org_kind_parse(o->kind, "organisation.kind", err) < 0) rc = TRIN_EINVALID;
  if (!rc) rc = lifecycle_store_org_insert(trin_request_store(req), o, err);
  uint64_t seq = 0;
  trin_event_id_t ids[1] = {{"organisation", o ? o->id : ""}};
  if (!rc)
    rc = trin_request_emit(req, "lifecycle.organisation_created", o->id, ids, 1, &o->base,
                           &seq, err);
  if (rc) return rc;
  Trin__Lifecycle__OrganisationReply reply = TRIN__LIFECYCLE__ORGANISATION_REPLY__INIT;
  reply.organisation = (lifecycle_organisation_msg_t *)o;
  reply.seq = seq;
  return trin_request_reply(req, &reply.base, err);
}

static int list_organisations(trin_request_t *req, const ProtobufCMessage *msg,
                              void *data, trin_err_t *err) {
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Lifecycle__OrganisationList list = TRIN__LIFECYCLE__ORGANISATION_LIST__INIT;
  int rc = lifecycle_store_org_list(trin_request_store(req), &a, &list.organisations,
                                    &list.n_organisations, err);
  if (!rc) rc = trin_request_reply(req, &list.base, err);
  trin_arena_reset(&a);
  return rc;
}

/* ---- partnerships ----------------------------------------------------------------- */

static int terms_of(const lifecycle_partnership_msg_t *p, lifecycle_partnership_terms_t *t,
                    trin_err_t *err) {
  memset(t, 0, sizeof *t);
  t->framework_years = p->framework_years;
  t->extension_years = p->extension_years;
  t->horizon_years = p->horizon_years;
  t->economic_frame_ore = p->economic_frame_ore;
  t->trivial_threshold_ore = p->trivial_threshold_ore;
  return trin_date_parse(p->framework_start, &t->framework_start,
                         "partnership.framework_start", err);
}

/* Replies with the partnership as stored; with event_type, emits that event
 * first (its payload carrying corr when the change was a correction). */
static int reply_partnership_corrected(trin_request_t *req, trin_arena_t *a, const char *id,
                                       const char *event_type,
                                       Trin__Lifecycle__Correction *corr, trin_err_t *err) {
  lifecycle_partnership_msg_t p;
  int rc = lifecycle_store_partnership_get(trin_request_store(req), id, "partnership_id",
                                           a, &p, err);
  if (rc) return rc;
  p.correction = corr;
  if (!event_type)
    rc = trin_access_require_on(req, &lifecycle_access, p.client_org, p.id, "partnership",
                                p.id, "partnership_id", err);
  else
    rc = lifecycle_access_put_partnership(trin_request_store(req), &p, err);
  if (rc) return rc;
  uint64_t seq = 0;
  if (event_type) {
    trin_event_id_t ids[1] = {{"partnership", p.id}};
    rc = trin_request_emit(req, event_type, p.client_org, ids, 1, &p.base, &seq, err);
    if (rc) return rc;
  }
  Trin__Lifecycle__PartnershipReply reply = TRIN__LIFECYCLE__PARTNERSHIP_REPLY__INIT;
  reply.partnership = &p;
  reply.seq = seq;
  return trin_request_reply(req, &reply.base, err);
}

static int reply_partnership(trin_request_t *req, trin_arena_t *a, const char *id,
                             const char *event_type, trin_err_t *err) {
  return reply_partnership_corrected(req, a, id, event_type, NULL, err);
}

static int require_client_org(trin_store_t *s, trin_arena_t *a, const char *id,
                              const char *field, trin_err_t *err) {
  lifecycle_organisation_msg_t o;
  int rc = lifecycle_store_org_get(s, id, field, a, &o, err);
  if (rc) return rc;
  if (strcmp(o.kind, "client") != 0)
    return trin_err_set(err, TRIN_EINVALID, field,
                        "'%s' is a %s organisation; a client (housing company or "
                        "municipality) is required",
                        id, o.kind);
  return TRIN_OK;
}

static int create_partnership(trin_request_t *req, const ProtobufCMessage *msg,
                              void *data, trin_err_t *err) {
  const Trin__Lifecycle__CreatePartnership *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(require_message(m->partnership, "partnership", err));
  lifecycle_partnership_msg_t p = *m->partnership;  /* shallow: defaults filled below */
  TRY(trin_id_check(p.id, "partnership.id", err));
  TRY(trin_text_check(p.name, NAME_MAX_BYTES, "partnership.name", err));
  TRY(trin_id_check(p.client_org, "partnership.client_org", err));
  TRY(trin_access_require_org(req, p.client_org, "partnership.client_org", err));
  TRY(trin_access_require_on(req, &lifecycle_access, p.client_org, "", "partnership", p.id,
                             "partnership.client_org", err));
  if (p.framework_years == 0) p.framework_years = 4;
  if (!p.abt_starts_at || !*p.abt_starts_at) p.abt_starts_at = "trin3";
  if (lifecycle_price_point_parse(p.price_closing_point, "partnership.price_closing_point",
                                  err) < 0)
    TRY(TRIN_EINVALID);
  if (lifecycle_abt_start_parse(p.abt_starts_at, "partnership.abt_starts_at", err) < 0)
    TRY(TRIN_EINVALID);
  lifecycle_partnership_terms_t t;
  TRY(terms_of(&p, &t, err));
  rc = lifecycle_partnership_terms_check(&t, err);
  if (rc) {
    trin_err_prefix_field(err, "partnership");
    goto out;
  }
  TRY(require_client_org(s, &a, p.client_org, "partnership.client_org", err));
  TRY(lifecycle_store_partnership_insert(s, &p, err));
  TRY(reply_partnership(req, &a, p.id, "lifecycle.partnership_created", err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int add_member(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                      trin_err_t *err) {
  const Trin__Lifecycle__AddMember *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(m->partnership_id, "partnership_id", err));
  TRY(require_message(m->member, "member", err));
  TRY(trin_id_check(m->member->org_id, "member.org_id", err));
  if (lifecycle_org_kind_parse(m->member->role, "member.role", err) < 0) TRY(TRIN_EINVALID);
  lifecycle_partnership_msg_t p;
  TRY(lifecycle_store_partnership_get(s, m->partnership_id, "partnership_id", &a, &p, err));
  TRY(trin_access_require_on(req, &lifecycle_access, p.client_org, p.id, "partnership", p.id,
                             "partnership_id", err));
  lifecycle_organisation_msg_t o;
  TRY(lifecycle_store_org_get(s, m->member->org_id, "member.org_id", &a, &o, err));
  TRY(lifecycle_store_member_insert(s, p.id, o.id, m->member->role, err));
  TRY(reply_partnership(req, &a, p.id, "lifecycle.member_added", err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int extend_framework(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                            trin_err_t *err) {
  const Trin__Lifecycle__ExtendFramework *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(m->partnership_id, "partnership_id", err));
  lifecycle_partnership_msg_t p;
  TRY(lifecycle_store_partnership_get(s, m->partnership_id, "partnership_id", &a, &p, err));
  TRY(trin_access_require_on(req, &lifecycle_access, p.client_org, p.id, "partnership", p.id,
                             "partnership_id", err));
  lifecycle_partnership_terms_t t;
  TRY(terms_of(&p, &t, err));
  TRY(lifecycle_partnership_check_extension(&t, m->extension_years, err));
  TRY(lifecycle_store_partnership_set_extension(s, p.id, m->extension_years, err));
  TRY(reply_partnership(req, &a, p.id, "lifecycle.framework_extended", err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int get_partnership(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                           trin_err_t *err) {
  const Trin__Lifecycle__GetPartnership *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc = trin_id_check(m->partnership_id, "partnership_id", err);
  if (!rc) rc = reply_partnership(req, &a, m->partnership_id, NULL, err);
  trin_arena_reset(&a);
  return rc;
}

static int list_partnerships(trin_request_t *req, const ProtobufCMessage *msg,
                             void *data, trin_err_t *err) {
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Lifecycle__PartnershipList list = TRIN__LIFECYCLE__PARTNERSHIP_LIST__INIT;
  int rc = lifecycle_store_partnership_list(trin_request_store(req), &a,
                                            &list.partnerships, &list.n_partnerships, err);
  size_t n = 0; /* only those the caller may see */
  for (size_t i = 0; !rc && i < list.n_partnerships; i++)
    if (trin_access_request_may_see(req, list.partnerships[i]->client_org,
                                    list.partnerships[i]->id))
      list.partnerships[n++] = list.partnerships[i];
  list.n_partnerships = n;
  if (!rc) rc = trin_request_reply(req, &list.base, err);
  trin_arena_reset(&a);
  return rc;
}

/* ---- projects ------------------------------------------------------------------------ */

static int create_project(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                          trin_err_t *err) {
  const Trin__Lifecycle__CreateProject *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(require_message(m->project, "project", err));
  lifecycle_project_msg_t p = *m->project;
  TRY(trin_id_check(p.id, "project.id", err));
  TRY(trin_text_check(p.name, NAME_MAX_BYTES, "project.name", err));
  if (lifecycle_project_kind_parse(p.kind, "project.kind", err) < 0) TRY(TRIN_EINVALID);
  TRY(trin_text_check_optional(p.department, NAME_MAX_BYTES, "project.department", err));
  TRY(trin_text_check_optional(p.municipality, NAME_MAX_BYTES, "project.municipality", err));
  if (p.dwellings < 0)
    TRY(trin_err_set(err, TRIN_EINVALID, "project.dwellings",
                     "must be 0 or more (got %d)", p.dwellings));
  if (p.gross_area_m2 < 0)
    TRY(trin_err_set(err, TRIN_EINVALID, "project.gross_area_m2",
                     "must be 0 or more (got %d)", p.gross_area_m2));
  trin_date_t start;
  TRY(trin_date_parse(p.start_date, &start, "project.start_date", err));
  TRY(trin_id_check_optional(p.partnership_id, "project.partnership_id", err));
  TRY(trin_id_check_optional(p.client_org, "project.client_org", err));
  TRY(trin_access_require_org(req, p.client_org, "project.client_org", err));
  if (p.partnership_id && *p.partnership_id) {
    lifecycle_partnership_msg_t ps;
    TRY(lifecycle_store_partnership_get(s, p.partnership_id, "project.partnership_id", &a,
                                        &ps, err));
    if (p.client_org && *p.client_org && strcmp(p.client_org, ps.client_org) != 0)
      TRY(trin_err_set(err, TRIN_EINVALID, "project.client_org",
                       "a project in partnership '%s' belongs to its client '%s', "
                       "not '%s'",
                       ps.id, ps.client_org, p.client_org));
    p.client_org = ps.client_org;
    TRY(trin_access_require_on(req, &lifecycle_access, ps.client_org, ps.id, "partnership",
                               ps.id, "project.partnership_id", err));
    lifecycle_partnership_terms_t t;
    TRY(terms_of(&ps, &t, err));
    rc = lifecycle_partnership_check_project_start(&t, start, err);
    if (rc) {
      trin_err_prefix_field(err, "project");
      goto out;
    }
  } else {
    if (!p.client_org || !*p.client_org)
      TRY(trin_err_set(err, TRIN_EINVALID, "project.client_org",
                       "is required for a project outside any partnership"));
    TRY(require_client_org(s, &a, p.client_org, "project.client_org", err));
    TRY(trin_access_require_on(req, &lifecycle_access, p.client_org, "", "project", p.id,
                               "project.client_org", err));
  }
  TRY(lifecycle_store_project_insert(s, &p, err));
  TRY(trin_access_put_project(s, p.id, p.client_org, nz(p.partnership_id), err));
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  Trin__Lifecycle__StageEntry stage = TRIN__LIFECYCLE__STAGE_ENTRY__INIT;
  stage.stage = "pre_study";
  stage.since = p.start_date;
  ev.stage = &stage;
  TRY(emit_and_reply(req, &a, "lifecycle.project_created", p.id, &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

/* Loads the project a command names, with its rule state, and checks that
 * the caller may send this request about it. */
/* Loads project id, which holds the resource the request names (what, rid
 * on field: the project itself, or one of its disputes or defects); an
 * outsider is told that resource does not exist, never which project. */
static int load_project_of(trin_request_t *req, trin_arena_t *a, const char *id,
                           const char *what, const char *rid, const char *field,
                           lifecycle_project_msg_t *p, lifecycle_project_state_t *st,
                           trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  int rc = trin_id_check(id, "project_id", err);
  if (!rc) rc = lifecycle_store_project_get(s, id, "project_id", false, a, p, err);
  if (!rc)
    rc = trin_access_require_on(req, &lifecycle_access, p->client_org, p->partnership_id, what,
                                rid, field, err);
  if (!rc && st) rc = lifecycle_project_state(p, st, err);
  return rc;
}

static int load_project(trin_request_t *req, trin_arena_t *a, const char *id,
                        lifecycle_project_msg_t *p, lifecycle_project_state_t *st,
                        trin_err_t *err) {
  return load_project_of(req, a, id, "project", id, "project_id", p, st, err);
}

static int advance_stage(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Lifecycle__AdvanceStage *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p;
  lifecycle_project_state_t st;
  TRY(load_project(req, &a, m->project_id, &p, &st, err));
  int to = lifecycle_stage_parse(m->to_stage, "to_stage", err);
  if (to < 0) TRY(TRIN_EINVALID);
  trin_date_t date;
  TRY(trin_date_parse(m->date, &date, "date", err));
  TRY(trin_text_check_optional(m->note, TEXT_MAX_BYTES, "note", err));
  TRY(lifecycle_stage_check_transition(&st, (lifecycle_stage_t)to, date, err));
  TRY(lifecycle_store_set_stage(s, p.id, m->to_stage, m->date, m->note, NULL, err));
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  Trin__Lifecycle__StageEntry stage = TRIN__LIFECYCLE__STAGE_ENTRY__INIT;
  stage.stage = m->to_stage;
  stage.since = m->date;
  stage.note = m->note;
  ev.stage = &stage;
  TRY(emit_and_reply(req, &a, "lifecycle.stage_changed", p.id, &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int close_price(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                       trin_err_t *err) {
  const Trin__Lifecycle__ClosePrice *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p;
  lifecycle_project_state_t st;
  TRY(load_project(req, &a, m->project_id, &p, &st, err));
  trin_date_t date;
  TRY(trin_date_parse(m->date, &date, "date", err));
  TRY(trin_text_check_optional(m->reference, NAME_MAX_BYTES, "reference", err));
  TRY(lifecycle_project_check_price_close(&st, date, err));
  TRY(lifecycle_store_close_price(s, p.id, m->date, m->reference, err));
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  ev.reference = (char *)nz(m->reference);
  TRY(emit_and_reply(req, &a, "lifecycle.price_closed", p.id, &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int pause_project(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Lifecycle__PauseProject *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p;
  lifecycle_project_state_t st;
  TRY(load_project(req, &a, m->project_id, &p, &st, err));
  if (lifecycle_pause_reason_parse(m->reason, "reason", err) < 0) TRY(TRIN_EINVALID);
  trin_date_t date;
  TRY(trin_date_parse(m->date, &date, "date", err));
  TRY(trin_text_check_optional(m->note, TEXT_MAX_BYTES, "note", err));
  TRY(lifecycle_project_check_pause(&st, date, err));
  TRY(lifecycle_store_pause(s, p.id, m->reason, m->date, m->note, err));
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  Trin__Lifecycle__Pause pause = TRIN__LIFECYCLE__PAUSE__INIT;
  pause.reason = m->reason;
  pause.from = m->date;
  pause.note = m->note;
  ev.pause = &pause;
  TRY(emit_and_reply(req, &a, "lifecycle.project_paused", p.id, &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int resume_project(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                          trin_err_t *err) {
  const Trin__Lifecycle__ResumeProject *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p;
  lifecycle_project_state_t st;
  TRY(load_project(req, &a, m->project_id, &p, &st, err));
  trin_date_t date;
  TRY(trin_date_parse(m->date, &date, "date", err));
  TRY(lifecycle_project_check_resume(&st, date, err));
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  Trin__Lifecycle__Pause pause = TRIN__LIFECYCLE__PAUSE__INIT;
  pause.reason = p.pause_reason;
  pause.from = p.paused_since;
  pause.to = m->date;
  ev.pause = &pause;
  TRY(lifecycle_store_resume(s, p.id, m->date, err));
  TRY(emit_and_reply(req, &a, "lifecycle.project_resumed", p.id, &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int set_milestone(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Lifecycle__SetMilestone *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p;
  TRY(load_project(req, &a, m->project_id, &p, NULL, err));
  TRY(require_message(m->milestone, "milestone", err));
  lifecycle_milestone_msg_t ms = *m->milestone;
  TRY(trin_id_check(ms.name, "milestone.name", err));
  lifecycle_milestone_t rule;
  TRY(trin_date_parse(ms.baseline, &rule.baseline, "milestone.baseline", err));
  TRY(trin_date_parse_optional(ms.forecast, &rule.forecast, "milestone.forecast", err));
  TRY(trin_date_parse_optional(ms.actual, &rule.actual, "milestone.actual", err));
  trin_date_t start;
  TRY(trin_date_parse(p.start_date, &start, "start_date", err));
  rc = lifecycle_milestone_check(&rule, start, err);
  if (!rc)
    rc = lifecycle_milestone_check_earned_value(ms.has_planned_cost_ore, ms.planned_cost_ore,
                                                ms.has_percent_complete_bp,
                                                ms.percent_complete_bp, err);
  if (rc) {
    trin_err_prefix_field(err, "milestone");
    goto out;
  }
  ms.variance_days = lifecycle_milestone_variance_days(&rule);
  /* A value without its flag is no value: the event says what is stored. */
  if (!ms.has_planned_cost_ore) ms.planned_cost_ore = 0;
  if (!ms.has_percent_complete_bp) ms.percent_complete_bp = 0;
  TRY(lifecycle_store_milestone_upsert(s, p.id, &ms, err));
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  ev.milestone = &ms;
  TRY(emit_and_reply(req, &a, "lifecycle.milestone_set", p.id, &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

/* ---- disputes ------------------------------------------------------------------------ */

static int dispute_rule(const lifecycle_dispute_msg_t *d, lifecycle_dispute_t *r, trin_err_t *err) {
  memset(r, 0, sizeof *r);
  r->level = d->level;
  r->amount_ore = d->amount_ore;
  r->resolved = d->resolved;
  int rc = trin_date_parse(d->opened_on, &r->opened_on, "opened_on", err);
  /* The latest step's date is when the current level began. */
  r->level_since = r->opened_on;
  if (!rc && d->n_steps)
    rc = trin_date_parse(d->steps[d->n_steps - 1]->date, &r->level_since, "", err);
  if (!rc) rc = trin_date_parse_optional(d->resolved_on, &r->resolved_on, "", err);
  return rc ? TRIN_EINTERNAL : TRIN_OK;
}

/* A dispute or defect changed: the project's open counters follow, then the
 * event (with the item in ev) and the reply. */
static int counters_changed(trin_request_t *req, trin_arena_t *a, const char *type,
                            const char *project_id, lifecycle_project_event_msg_t *ev,
                            trin_err_t *err) {
  int rc = lifecycle_store_refresh_counters(trin_request_store(req), project_id, err);
  return rc ? rc : emit_and_reply(req, a, type, project_id, ev, err);
}

static int dispute_changed(trin_request_t *req, trin_arena_t *a, const char *type,
                           const char *dispute_id, trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  lifecycle_dispute_msg_t *d = trin_arena_alloc(a, sizeof *d);
  if (!d) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  int rc = lifecycle_store_dispute_get(s, dispute_id, "dispute_id", a, d, err);
  if (rc) return rc;
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  ev.dispute = d;
  return counters_changed(req, a, type, d->project_id, &ev, err);
}

static int open_dispute(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  const Trin__Lifecycle__OpenDispute *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p;
  lifecycle_project_state_t st;
  TRY(load_project(req, &a, m->project_id, &p, &st, err));
  TRY(trin_id_check(m->dispute_id, "dispute_id", err));
  TRY(trin_text_check(m->title, NAME_MAX_BYTES, "title", err));
  TRY(lifecycle_dispute_check_open(m->amount_ore, err));
  trin_date_t date, start;
  TRY(trin_date_parse(m->date, &date, "date", err));
  TRY(trin_date_parse(p.start_date, &start, "start_date", err));
  TRY(trin_date_check_order(start, "the project's start date", date, "date", err));
  TRY(trin_id_check_optional(m->raised_by, "raised_by", err));
  TRY(trin_access_require_org(req, m->raised_by, "raised_by", err));
  if (m->raised_by && *m->raised_by) {
    lifecycle_organisation_msg_t o;
    TRY(lifecycle_store_org_get(s, m->raised_by, "raised_by", &a, &o, err));
  }
  lifecycle_dispute_msg_t d = TRIN__LIFECYCLE__DISPUTE__INIT;
  d.id = m->dispute_id;
  d.project_id = p.id;
  d.title = m->title;
  d.amount_ore = m->amount_ore;
  d.opened_on = m->date;
  d.raised_by = m->raised_by;
  TRY(lifecycle_store_dispute_insert(s, &d, err));
  TRY(dispute_changed(req, &a, "lifecycle.dispute_opened", d.id, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int escalate_dispute(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                            trin_err_t *err) {
  const Trin__Lifecycle__EscalateDispute *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(m->dispute_id, "dispute_id", err));
  trin_date_t date;
  TRY(trin_date_parse(m->date, &date, "date", err));
  TRY(trin_id_check_optional(m->by_org, "by_org", err));
  TRY(trin_access_require_org(req, m->by_org, "by_org", err));
  TRY(trin_text_check_optional(m->note, TEXT_MAX_BYTES, "note", err));
  lifecycle_dispute_msg_t d;
  TRY(lifecycle_store_dispute_get(s, m->dispute_id, "dispute_id", &a, &d, err));
  lifecycle_project_msg_t p;
  TRY(load_project_of(req, &a, d.project_id, "dispute", m->dispute_id, "dispute_id", &p, NULL,
                      err));
  if (m->by_org && *m->by_org) {
    lifecycle_organisation_msg_t o;
    TRY(lifecycle_store_org_get(s, m->by_org, "by_org", &a, &o, err));
  }
  trin_ore_t threshold = 0;
  if (p.partnership_id[0]) {
    lifecycle_partnership_msg_t ps;
    TRY(lifecycle_store_partnership_get(s, p.partnership_id, "partnership_id", &a, &ps,
                                        err));
    threshold = ps.trivial_threshold_ore;
  }
  lifecycle_dispute_t r;
  TRY(dispute_rule(&d, &r, err));
  TRY(lifecycle_dispute_check_escalate(&r, m->to_level, date, threshold, err));
  TRY(lifecycle_store_dispute_escalate(s, d.id, m->to_level, m->date, m->by_org, m->note,
                                       err));
  TRY(dispute_changed(req, &a, "lifecycle.dispute_escalated", d.id, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int resolve_dispute(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                           trin_err_t *err) {
  const Trin__Lifecycle__ResolveDispute *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(m->dispute_id, "dispute_id", err));
  trin_date_t date;
  TRY(trin_date_parse(m->date, &date, "date", err));
  TRY(trin_text_check(m->resolution, TEXT_MAX_BYTES, "resolution", err));
  lifecycle_dispute_msg_t d;
  TRY(lifecycle_store_dispute_get(s, m->dispute_id, "dispute_id", &a, &d, err));
  lifecycle_project_msg_t p;
  TRY(load_project_of(req, &a, d.project_id, "dispute", m->dispute_id, "dispute_id", &p, NULL,
                      err));
  lifecycle_dispute_t r;
  TRY(dispute_rule(&d, &r, err));
  TRY(lifecycle_dispute_check_resolve(&r, date, m->settled_ore, err));
  TRY(lifecycle_store_dispute_resolve(s, d.id, m->date, m->resolution, m->settled_ore,
                                      err));
  TRY(dispute_changed(req, &a, "lifecycle.dispute_resolved", d.id, err));
out:
  trin_arena_reset(&a);
  return rc;
}

/* ---- defects ------------------------------------------------------------------------- */

static int defect_changed(trin_request_t *req, trin_arena_t *a, const char *type,
                          const char *defect_id, trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  lifecycle_defect_msg_t *d = trin_arena_alloc(a, sizeof *d);
  if (!d) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  int rc = lifecycle_store_defect_get(s, defect_id, "defect_id", a, d, err);
  if (rc) return rc;
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  ev.defect = d;
  return counters_changed(req, a, type, d->project_id, &ev, err);
}

static int report_defect(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Lifecycle__ReportDefect *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p;
  lifecycle_project_state_t st;
  TRY(load_project(req, &a, m->project_id, &p, &st, err));
  TRY(require_message(m->defect, "defect", err));
  const lifecycle_defect_msg_t *d = m->defect;
  TRY(trin_id_check(d->id, "defect.id", err));
  TRY(trin_text_check(d->description, TEXT_MAX_BYTES, "defect.description", err));
  if (lifecycle_severity_parse(d->severity, "defect.severity", err) < 0) TRY(TRIN_EINVALID);
  if (lifecycle_found_at_parse(d->found_at, "defect.found_at", err) < 0) TRY(TRIN_EINVALID);
  lifecycle_defect_t r = {.fixed_on = TRIN_DATE_NONE, .fix_reported_on = TRIN_DATE_NONE};
  TRY(trin_date_parse(d->reported_on, &r.reported_on, "defect.reported_on", err));
  TRY(trin_date_parse_optional(d->due_on, &r.due_on, "defect.due_on", err));
  TRY(trin_id_check_optional(d->cost_bearer, "defect.cost_bearer", err));
  if (d->cost_bearer && *d->cost_bearer) {
    lifecycle_organisation_msg_t o;
    TRY(lifecycle_store_org_get(s, d->cost_bearer, "defect.cost_bearer", &a, &o, err));
  }
  rc = lifecycle_defect_check_report(st.stage, &r, err);
  if (rc) {
    if (strcmp(err->field, "stage") != 0) trin_err_prefix_field(err, "defect");
    goto out;
  }
  TRY(trin_date_check_order(st.stage_since, "the date the project reached its stage",
                            r.reported_on, "defect.reported_on", err));
  TRY(lifecycle_store_defect_insert(s, p.id, d, err));
  TRY(defect_changed(req, &a, "lifecycle.defect_reported", d->id, err));
out:
  trin_arena_reset(&a);
  return rc;
}

/* The rule's view of a stored defect. */
static int defect_rule(const lifecycle_defect_msg_t *d, lifecycle_defect_t *r, trin_err_t *err) {
  int rc = trin_date_parse(d->reported_on, &r->reported_on, "reported_on", err);
  if (!rc) rc = trin_date_parse_optional(d->due_on, &r->due_on, "due_on", err);
  if (!rc) rc = trin_date_parse_optional(d->fixed_on, &r->fixed_on, "fixed_on", err);
  if (!rc)
    rc = trin_date_parse_optional(d->fix_reported_on, &r->fix_reported_on, "fix_reported_on",
                                  err);
  return rc;
}

/* The defect and its project, the caller's scope checked on the project. */
static int load_defect(trin_request_t *req, trin_arena_t *a, const char *defect_id,
                       lifecycle_defect_msg_t *d, lifecycle_defect_t *r,
                       lifecycle_project_msg_t *p, trin_err_t *err) {
  int rc = trin_id_check(defect_id, "defect_id", err);
  if (!rc)
    rc = lifecycle_store_defect_get(trin_request_store(req), defect_id, "defect_id", a, d, err);
  if (!rc)
    rc = load_project_of(req, a, d->project_id, "defect", defect_id, "defect_id", p, NULL, err);
  if (!rc) rc = defect_rule(d, r, err);
  return rc;
}

/* Who closes a defect by fixing it: the project's client (its writer, or
 * the operator and trin's own keys, who act for anyone). Anyone else's fix
 * is a report that waits for the client (lifecycle_defect_fix). */
static bool fixed_by_client(trin_request_t *req, const lifecycle_project_msg_t *p) {
  const char *org = trin_access_caller_org(req);
  if (org == NULL) return true;
  return trin_role_parse(trin_request_caller(req)->role) == TRIN_ROLE_WRITER &&
         strcmp(org, p->client_org) == 0;
}

static int fix_defect(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                      trin_err_t *err) {
  const Trin__Lifecycle__FixDefect *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(m->defect_id, "defect_id", err));
  trin_date_t fixed;
  TRY(trin_date_parse(m->fixed_on, &fixed, "fixed_on", err));
  lifecycle_defect_msg_t d;
  lifecycle_defect_t r, after;
  lifecycle_project_msg_t p;
  TRY(load_defect(req, &a, m->defect_id, &d, &r, &p, err));
  bool by_client = fixed_by_client(req, &p);
  TRY(lifecycle_defect_fix(&r, fixed, by_client, &after, err));
  if (by_client) {
    TRY(lifecycle_store_defect_fix(s, d.id, m->fixed_on, err));
    TRY(defect_changed(req, &a, "lifecycle.defect_fixed", d.id, err));
  } else {
    TRY(lifecycle_store_defect_report_fix(s, d.id, m->fixed_on, trin_access_caller_org(req),
                                          err));
    TRY(defect_changed(req, &a, "lifecycle.defect_fix_reported", d.id, err));
  }
out:
  trin_arena_reset(&a);
  return rc;
}

static int confirm_defect_fix(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                              trin_err_t *err) {
  const Trin__Lifecycle__ConfirmDefectFix *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  trin_date_t date;
  lifecycle_defect_msg_t d;
  lifecycle_defect_t r, after;
  lifecycle_project_msg_t p;
  TRY(load_defect(req, &a, m->defect_id, &d, &r, &p, err));
  TRY(trin_date_parse(m->date, &date, "date", err));
  TRY(lifecycle_defect_confirm_fix(&r, date, &after, err));
  TRY(lifecycle_store_defect_fix(trin_request_store(req), d.id, m->date, err));
  TRY(defect_changed(req, &a, "lifecycle.defect_fix_confirmed", d.id, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int reject_defect_fix(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                             trin_err_t *err) {
  const Trin__Lifecycle__RejectDefectFix *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  trin_date_t date;
  lifecycle_defect_msg_t d;
  lifecycle_defect_t r, after;
  lifecycle_project_msg_t p;
  TRY(load_defect(req, &a, m->defect_id, &d, &r, &p, err));
  TRY(trin_date_parse(m->date, &date, "date", err));
  TRY(trin_text_check(m->note, TEXT_MAX_BYTES, "note", err));
  TRY(lifecycle_defect_reject_fix(&r, date, &after, err));
  TRY(lifecycle_store_defect_reject_fix(trin_request_store(req), d.id, m->date, m->note, err));
  TRY(defect_changed(req, &a, "lifecycle.defect_fix_rejected", d.id, err));
out:
  trin_arena_reset(&a);
  return rc;
}

/* ---- corrections --------------------------------------------------------------------
 * Each correction names the fields it changes (a field mask: `fields`),
 * says why (`reason`), and records who: the event's payload carries a
 * Correction. A correction that changes nothing is answered as it stands,
 * with seq 0 and no event, so a retried request does no harm. */

#define MAX_EDIT_FIELDS 8

typedef struct {
  Trin__Lifecycle__Correction c;
  char *changed[MAX_EDIT_FIELDS];
} correction_t;

static int correction_start(trin_request_t *req, trin_arena_t *a, const char *reason,
                            correction_t *k, trin_err_t *err) {
  int rc = trin_text_check(reason, TEXT_MAX_BYTES, "reason", err);
  if (rc) return rc;
  trin__lifecycle__correction__init(&k->c);
  k->c.reason = (char *)reason;
  k->c.changed_fields = k->changed;
  const trin_caller_t *who = trin_request_caller(req);
  const char *org = who && *who->org ? who->org : "local";
  k->c.by = who && *who->person ? trin_arena_printf(a, "%s/%s", org, who->person)
                                : trin_arena_strdup(a, org);
  k->c.by_key = trin_arena_strdup(a, who ? who->key : "");
  if (!k->c.by || !k->c.by_key) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  return TRIN_OK;
}

static void correction_add(correction_t *k, const char *field) {
  if (k->c.n_changed_fields < MAX_EDIT_FIELDS) k->changed[k->c.n_changed_fields++] = (char *)field;
}

/* Every name in fields must be one of allowed (NULL-terminated); at least one. */
static int check_fields(char *const *fields, size_t n, const char *const *allowed,
                        trin_err_t *err) {
  char list[200] = "";
  size_t used = 0;
  for (const char *const *w = allowed; *w && used < sizeof list; w++)
    used += (size_t)snprintf(list + used, sizeof list - used, "%s%s", w == allowed ? "" : ", ",
                             *w);
  if (n == 0)
    return trin_err_set(err, TRIN_EINVALID, "fields",
                        "name at least one field to change: %s", list);
  for (size_t i = 0; i < n; i++) {
    bool known = false;
    for (const char *const *w = allowed; *w && !known; w++) known = strcmp(fields[i], *w) == 0;
    if (!known)
      return trin_err_set(err, TRIN_EINVALID, "fields",
                          "'%s' cannot be changed here; the fields that can: %s", fields[i],
                          list);
  }
  return TRIN_OK;
}

static bool named(char *const *fields, size_t n, const char *field) {
  for (size_t i = 0; i < n; i++)
    if (strcmp(fields[i], field) == 0) return true;
  return false;
}

static int edit_organisation(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                             trin_err_t *err) {
  const Trin__Lifecycle__EditOrganisation *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(m->organisation_id, "organisation_id", err));
  TRY(trin_text_check(m->name, NAME_MAX_BYTES, "name", err));
  correction_t k;
  TRY(correction_start(req, &a, m->reason, &k, err));
  if (m->kind && *m->kind && lifecycle_org_kind_parse(m->kind, "kind", err) < 0)
    TRY(TRIN_EINVALID);
  lifecycle_organisation_msg_t o;
  TRY(lifecycle_store_org_get(s, m->organisation_id, "organisation_id", &a, &o, err));
  if (m->kind && *m->kind && strcmp(m->kind, o.kind) != 0)
    TRY(trin_err_set(err, TRIN_ECONFLICT, "kind",
                     "'%s' is a %s organisation and stays one: partnerships' rules (who may "
                     "be a partnership's client, the members' roles) were checked against "
                     "its kind; create a new organisation of kind %s instead",
                     o.id, o.kind, m->kind));
  uint64_t seq = 0;
  if (strcmp(o.name, m->name) != 0) {
    correction_add(&k, "name");
    TRY(lifecycle_store_org_rename(s, o.id, m->name, err));
    o.name = m->name;
    o.correction = &k.c;
    trin_event_id_t ids[1] = {{"organisation", o.id}};
    TRY(trin_request_emit(req, "lifecycle.organisation_edited", o.id, ids, 1, &o.base, &seq,
                          err));
  }
  Trin__Lifecycle__OrganisationReply reply = TRIN__LIFECYCLE__ORGANISATION_REPLY__INIT;
  reply.organisation = &o;
  reply.seq = seq;
  TRY(trin_request_reply(req, &reply.base, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static const char *const PARTNERSHIP_FIELDS[] = {
    "name", "economic_frame_ore", "trivial_threshold_ore", "horizon_years", "framework_start",
    "framework_years", "price_closing_point", "abt_starts_at", NULL};

static int edit_partnership(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                            trin_err_t *err) {
  const Trin__Lifecycle__EditPartnership *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  TRY(trin_id_check(m->partnership_id, "partnership_id", err));
  TRY(check_fields(m->fields, m->n_fields, PARTNERSHIP_FIELDS, err));
  correction_t k;
  TRY(correction_start(req, &a, m->reason, &k, err));
  lifecycle_partnership_msg_t p;
  TRY(lifecycle_store_partnership_get(s, m->partnership_id, "partnership_id", &a, &p, err));
  TRY(trin_access_require_on(req, &lifecycle_access, p.client_org, p.id, "partnership", p.id,
                             "partnership_id", err));
  lifecycle_partnership_msg_t n = p;  /* shallow: the corrected terms */
  unsigned changes = 0;
  if (named(m->fields, m->n_fields, "name")) {
    TRY(trin_text_check(m->name, NAME_MAX_BYTES, "name", err));
    if (strcmp(n.name, m->name) != 0) correction_add(&k, "name");
    n.name = m->name;
  }
  if (named(m->fields, m->n_fields, "economic_frame_ore")) {
    if (n.economic_frame_ore != m->economic_frame_ore) correction_add(&k, "economic_frame_ore");
    n.economic_frame_ore = m->economic_frame_ore;
  }
  if (named(m->fields, m->n_fields, "trivial_threshold_ore")) {
    if (n.trivial_threshold_ore != m->trivial_threshold_ore)
      correction_add(&k, "trivial_threshold_ore");
    n.trivial_threshold_ore = m->trivial_threshold_ore;
  }
  if (named(m->fields, m->n_fields, "horizon_years")) {
    if (n.horizon_years != m->horizon_years) correction_add(&k, "horizon_years");
    n.horizon_years = m->horizon_years;
  }
  if (named(m->fields, m->n_fields, "framework_start")) {
    trin_date_t d;
    TRY(trin_date_parse(m->framework_start, &d, "framework_start", err));
    if (strcmp(n.framework_start, m->framework_start) != 0) {
      correction_add(&k, "framework_start");
      changes |= LIFECYCLE_EDIT_TERM;
    }
    n.framework_start = m->framework_start;
  }
  if (named(m->fields, m->n_fields, "framework_years")) {
    if (n.framework_years != m->framework_years) {
      correction_add(&k, "framework_years");
      changes |= LIFECYCLE_EDIT_TERM;
    }
    n.framework_years = m->framework_years;
  }
  if (named(m->fields, m->n_fields, "price_closing_point")) {
    if (lifecycle_price_point_parse(m->price_closing_point, "price_closing_point", err) < 0)
      TRY(TRIN_EINVALID);
    if (strcmp(n.price_closing_point, m->price_closing_point) != 0) {
      correction_add(&k, "price_closing_point");
      changes |= LIFECYCLE_EDIT_PRICE_POINT;
    }
    n.price_closing_point = m->price_closing_point;
  }
  if (named(m->fields, m->n_fields, "abt_starts_at")) {
    if (lifecycle_abt_start_parse(m->abt_starts_at, "abt_starts_at", err) < 0)
      TRY(TRIN_EINVALID);
    if (strcmp(n.abt_starts_at, m->abt_starts_at) != 0) {
      correction_add(&k, "abt_starts_at");
      changes |= LIFECYCLE_EDIT_ABT;
    }
    n.abt_starts_at = m->abt_starts_at;
  }
  lifecycle_partnership_terms_t t;
  TRY(terms_of(&n, &t, err));
  lifecycle_partnership_projects_t pp;
  TRY(lifecycle_store_partnership_projects(s, p.id, &pp, err));
  TRY(lifecycle_partnership_check_edit(&t, changes, &pp, err));
  if (k.c.n_changed_fields == 0) {
    TRY(reply_partnership_corrected(req, &a, p.id, NULL, NULL, err));
    goto out;
  }
  TRY(lifecycle_store_partnership_update(s, &n, err));
  TRY(reply_partnership_corrected(req, &a, p.id, "lifecycle.partnership_edited", &k.c, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static const char *const PROJECT_FIELDS[] = {"name",          "department", "municipality",
                                             "dwellings",     "gross_area_m2", "kind", NULL};

static int edit_project(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  const Trin__Lifecycle__EditProject *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p;
  lifecycle_project_state_t st;
  TRY(load_project(req, &a, m->project_id, &p, &st, err));
  TRY(check_fields(m->fields, m->n_fields, PROJECT_FIELDS, err));
  correction_t k;
  TRY(correction_start(req, &a, m->reason, &k, err));
  lifecycle_project_msg_t n = p;  /* shallow: the corrected facts */
  if (named(m->fields, m->n_fields, "name")) {
    TRY(trin_text_check(m->name, NAME_MAX_BYTES, "name", err));
    if (strcmp(nz(n.name), m->name) != 0) correction_add(&k, "name");
    n.name = m->name;
  }
  if (named(m->fields, m->n_fields, "department")) {
    TRY(trin_text_check_optional(m->department, NAME_MAX_BYTES, "department", err));
    if (strcmp(nz(n.department), nz(m->department)) != 0) correction_add(&k, "department");
    n.department = m->department;
  }
  if (named(m->fields, m->n_fields, "municipality")) {
    TRY(trin_text_check_optional(m->municipality, NAME_MAX_BYTES, "municipality", err));
    if (strcmp(nz(n.municipality), nz(m->municipality)) != 0)
      correction_add(&k, "municipality");
    n.municipality = m->municipality;
  }
  if (named(m->fields, m->n_fields, "dwellings")) {
    if (m->dwellings < 0)
      TRY(trin_err_set(err, TRIN_EINVALID, "dwellings", "must be 0 or more (got %d)",
                       m->dwellings));
    if (n.dwellings != m->dwellings) correction_add(&k, "dwellings");
    n.dwellings = m->dwellings;
  }
  if (named(m->fields, m->n_fields, "gross_area_m2")) {
    if (m->gross_area_m2 < 0)
      TRY(trin_err_set(err, TRIN_EINVALID, "gross_area_m2", "must be 0 or more (got %d)",
                       m->gross_area_m2));
    if (n.gross_area_m2 != m->gross_area_m2) correction_add(&k, "gross_area_m2");
    n.gross_area_m2 = m->gross_area_m2;
  }
  if (named(m->fields, m->n_fields, "kind")) {
    if (lifecycle_project_kind_parse(m->kind, "kind", err) < 0) TRY(TRIN_EINVALID);
    if (strcmp(nz(n.kind), m->kind) != 0) {
      TRY(lifecycle_project_check_kind_edit(&st, err));
      correction_add(&k, "kind");
    }
    n.kind = m->kind;
  }
  if (k.c.n_changed_fields == 0) {
    Trin__Lifecycle__ProjectReply reply = TRIN__LIFECYCLE__PROJECT_REPLY__INIT;
    reply.project = &p;
    TRY(trin_request_reply(req, &reply.base, err));
    goto out;
  }
  TRY(lifecycle_store_project_update(s, &n, err));
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  ev.correction = &k.c;
  TRY(emit_and_reply(req, &a, "lifecycle.project_edited", p.id, &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int correct_stage(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Lifecycle__CorrectStage *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p;
  lifecycle_project_state_t st;
  TRY(load_project(req, &a, m->project_id, &p, &st, err));
  correction_t k;
  TRY(correction_start(req, &a, m->reason, &k, err));
  if (m->from_stage && *m->from_stage) {
    int from = lifecycle_stage_parse(m->from_stage, "from_stage", err);
    if (from < 0) TRY(TRIN_EINVALID);
    if (from != (int)st.stage)
      TRY(trin_err_set(err, TRIN_ECONFLICT, "from_stage",
                       "the project is in %s, not %s; nothing was corrected", p.stage,
                       m->from_stage));
  }
  int defects = 0;
  TRY(lifecycle_store_defect_count(s, p.id, &defects, err));
  lifecycle_stage_t back;
  TRY(lifecycle_stage_check_correction(&st, defects, &back, err));
  const char *back_name = lifecycle_stage_name(back);
  char *since = NULL;
  TRY(lifecycle_store_stage_since(s, p.id, back_name, &a, &since, err));
  TRY(lifecycle_store_set_stage(s, p.id, back_name, since, m->reason, k.c.by, err));
  correction_add(&k, "stage");
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  Trin__Lifecycle__StageEntry stage = TRIN__LIFECYCLE__STAGE_ENTRY__INIT;
  stage.stage = (char *)back_name;
  stage.since = since;
  stage.note = m->reason;
  stage.corrected_by = k.c.by;
  ev.stage = &stage;
  ev.correction = &k.c;
  TRY(emit_and_reply(req, &a, "lifecycle.stage_corrected", p.id, &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

/* ---- AB18 inspections (issue 20, item 6) ---------------------------------------------- */

static int hold_inspection(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                           trin_err_t *err) {
  const Trin__Lifecycle__HoldInspection *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p;
  TRY(load_project(req, &a, m->project_id, &p, NULL, err));
  int which = lifecycle_inspection_parse(m->inspection, "inspection", err);
  if (which < 0) TRY(TRIN_EINVALID);
  trin_date_t date, handover, held;
  TRY(trin_date_parse(m->date, &date, "date", err));
  TRY(trin_text_check_optional(m->note, TEXT_MAX_BYTES, "note", err));
  const char *held_text = which == LIFECYCLE_INSPECTION_1Y ? p.inspection_1y_held
                                                           : p.inspection_5y_held;
  if (trin_date_parse_optional(p.handover_on, &handover, "handover_on", err) ||
      trin_date_parse_optional(held_text, &held, "held", err))
    TRY(TRIN_EINTERNAL);
  TRY(lifecycle_inspection_check_hold((lifecycle_inspection_t)which, handover, held, date, err));
  TRY(lifecycle_store_inspection_hold(s, p.id, m->inspection, m->date, m->note, err));
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  TRY(emit_and_reply(req, &a, "lifecycle.inspection_held", p.id, &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

/* ---- queries --------------------------------------------------------------------------- */

static int get_project(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                       trin_err_t *err) {
  const Trin__Lifecycle__GetProject *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  lifecycle_project_msg_t p;
  int rc = trin_id_check(m->project_id, "project_id", err);
  if (!rc)
    rc = lifecycle_store_project_get(trin_request_store(req), m->project_id, "project_id",
                                     true, &a, &p, err);
  if (!rc)
    rc = trin_access_require_on(req, &lifecycle_access, p.client_org, p.partnership_id,
                                "project", p.id, "project_id", err);
  if (!rc) {
    Trin__Lifecycle__ProjectReply reply = TRIN__LIFECYCLE__PROJECT_REPLY__INIT;
    reply.project = &p;
    rc = trin_request_reply(req, &reply.base, err);
  }
  trin_arena_reset(&a);
  return rc;
}

static int list_projects(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Lifecycle__ListProjects *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc = TRIN_OK;
  if (m->stage && *m->stage && lifecycle_stage_parse(m->stage, "stage", err) < 0)
    rc = TRIN_EINVALID;
  lifecycle_project_filter_t f = {m->partnership_id, m->client_org, m->stage,
                                  m->outside_partnership};
  Trin__Lifecycle__ProjectList list = TRIN__LIFECYCLE__PROJECT_LIST__INIT;
  if (!rc)
    rc = lifecycle_store_project_list(trin_request_store(req), &f, &a, &list.projects,
                                      &list.n_projects, err);
  size_t n = 0; /* only those the caller may see */
  for (size_t i = 0; !rc && i < list.n_projects; i++)
    if (trin_access_request_may_see(req, list.projects[i]->client_org,
                                    list.projects[i]->partnership_id))
      list.projects[n++] = list.projects[i];
  if (!rc) list.n_projects = n;
  if (!rc) rc = trin_request_reply(req, &list.base, err);
  trin_arena_reset(&a);
  return rc;
}

/* ---- lists across projects (issue 19) ------------------------------------------------- */

static int check_list_filters(const char *partnership_id, const char *client_org,
                              const char *org, const char *project_id, trin_err_t *err) {
  int rc = trin_id_check_optional(partnership_id, "partnership_id", err);
  if (!rc) rc = trin_id_check_optional(client_org, "client_org", err);
  if (!rc) rc = trin_id_check_optional(org, "org", err);
  if (!rc) rc = trin_id_check_optional(project_id, "project_id", err);
  return rc;
}

static int list_disputes(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                         trin_err_t *err) {
  const Trin__Lifecycle__ListDisputes *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc = check_list_filters(m->partnership_id, m->client_org, m->org, m->project_id, err);
  if (!rc && (m->min_level < 0 || m->min_level > LIFECYCLE_DISPUTE_LEVEL_MAX))
    rc = trin_err_set(err, TRIN_EINVALID, "min_level",
                      "must be 0 (any level) or a level of the dispute ladder, 1–7; got %d",
                      (int)m->min_level);
  lifecycle_dispute_filter_t f = {m->partnership_id, m->client_org, m->project_id, m->org,
                                  m->open_only, m->min_level};
  Trin__Lifecycle__DisputeList list = TRIN__LIFECYCLE__DISPUTE_LIST__INIT;
  if (!rc)
    rc = lifecycle_store_dispute_list(trin_request_store(req), &f, &a, &list.disputes,
                                      &list.n_disputes, err);
  size_t n = 0; /* only those the caller may see */
  for (size_t i = 0; !rc && i < list.n_disputes; i++)
    if (trin_access_request_may_see(req, list.disputes[i]->project->client_org,
                                    list.disputes[i]->project->partnership_id))
      list.disputes[n++] = list.disputes[i];
  if (!rc) list.n_disputes = n;
  if (!rc) rc = trin_request_reply(req, &list.base, err);
  trin_arena_reset(&a);
  return rc;
}

static int list_defects(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                        trin_err_t *err) {
  const Trin__Lifecycle__ListDefects *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc = check_list_filters(m->partnership_id, m->client_org, m->org, m->project_id, err);
  if (!rc && m->severity && *m->severity &&
      lifecycle_severity_parse(m->severity, "severity", err) < 0)
    rc = TRIN_EINVALID;
  trin_date_t as_of = TRIN_DATE_NONE;
  if (!rc) rc = trin_date_parse_optional(m->as_of, &as_of, "as_of", err);
  if (as_of == TRIN_DATE_NONE) as_of = trin_date_today();
  char as_of_text[TRIN_DATE_BUF];
  trin_date_format(as_of, as_of_text);
  lifecycle_defect_filter_t f = {m->partnership_id, m->client_org, m->project_id, m->org,
                                 m->severity, m->open_only || m->overdue_only};
  Trin__Lifecycle__DefectList list = TRIN__LIFECYCLE__DEFECT_LIST__INIT;
  list.as_of = as_of_text;
  if (!rc)
    rc = lifecycle_store_defect_list(trin_request_store(req), &f, &a, &list.defects,
                                     &list.n_defects, err);
  size_t n = 0; /* only those the caller may see, and overdue ones when asked */
  for (size_t i = 0; !rc && i < list.n_defects; i++) {
    lifecycle_defect_row_msg_t *r = list.defects[i];
    lifecycle_defect_t d;
    /* Stored dates were checked on the way in. */
    if (defect_rule(r->defect, &d, err)) {
      rc = TRIN_EINTERNAL;
      break;
    }
    r->overdue = lifecycle_defect_overdue(&d, as_of);
    if (m->overdue_only && !r->overdue) continue;
    if (trin_access_request_may_see(req, r->project->client_org, r->project->partnership_id))
      list.defects[n++] = r;
  }
  if (!rc) list.n_defects = n;
  if (!rc) rc = trin_request_reply(req, &list.base, err);
  trin_arena_reset(&a);
  return rc;
}

/* ---- rehousing and moving back (issue 20, item 4) ------------------------------------ */

static int set_rehousing_plan(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                              trin_err_t *err) {
  const Trin__Lifecycle__SetRehousingPlan *m = (const void *)msg;
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p;
  TRY(load_project(req, &a, m->project_id, &p, NULL, err));
  lifecycle_rehousing_plan_t plan = {true, m->without_rehousing, m->households_to_rehouse};
  lifecycle_rehousing_sums_t sums = {p.households_rehoused_temporary,
                                     p.households_rehoused_permanent, p.households_moved_back,
                                     TRIN_DATE_NONE, TRIN_DATE_NONE};
  TRY(lifecycle_rehousing_check_plan(&plan, p.dwellings, &sums, err));
  TRY(lifecycle_rehousing_store_set_plan(trin_request_store(req), p.id, m->without_rehousing,
                                         m->households_to_rehouse, err));
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  TRY(emit_and_reply(req, &a, "lifecycle.rehousing_planned", p.id, &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

static int record_rehousing_move(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                                 trin_err_t *err) {
  const Trin__Lifecycle__RecordRehousingMove *m = (const void *)msg;
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  int rc;
  lifecycle_project_msg_t p;
  TRY(load_project(req, &a, m->project_id, &p, NULL, err));
  TRY(require_message(m->move, "move", err));
  lifecycle_rehousing_move_msg_t mv = *m->move;
  int kind = lifecycle_move_kind_parse(mv.kind, "move.kind", err);
  if (kind < 0) TRY(TRIN_EINVALID);
  lifecycle_move_t x = {(lifecycle_move_kind_t)kind, mv.households, TRIN_DATE_NONE};
  TRY(trin_date_parse(mv.date, &x.date, "move.date", err));
  TRY(trin_text_check_optional(mv.note, TEXT_MAX_BYTES, "move.note", err));
  trin_date_t start;
  TRY(trin_date_parse(p.start_date, &start, "start_date", err));
  /* The rules weigh the new movement against every earlier one. */
  TRY(lifecycle_rehousing_store_fill(s, &a, &p, true, err));
  lifecycle_move_t *moves = trin_arena_alloc(&a, (p.n_rehousing_moves + 1) * sizeof *moves);
  if (!moves) TRY(trin_err_set(err, TRIN_EINTERNAL, "", "out of memory"));
  for (size_t i = 0; i < p.n_rehousing_moves; i++) {
    const lifecycle_rehousing_move_msg_t *o = p.rehousing_moves[i];
    int k = lifecycle_move_kind_parse(o->kind, "kind", err);
    moves[i].kind = k < 0 ? LIFECYCLE_MOVE_TEMPORARY : (lifecycle_move_kind_t)k;
    moves[i].households = o->households;
    if (k < 0 || trin_date_parse(o->date, &moves[i].date, "date", err))
      TRY(trin_err_set(err, TRIN_EINTERNAL, "", "a stored rehousing movement does not read"));
  }
  lifecycle_rehousing_plan_t plan = {p.rehousing_planned, p.without_rehousing,
                                     p.households_to_rehouse};
  TRY(lifecycle_rehousing_check_move(&plan, start, moves, p.n_rehousing_moves, &x,
                                     mv.beyond_plan, mv.note && *mv.note, err));
  mv.recorded_by = (char *)nz(trin_access_caller_org(req));
  TRY(lifecycle_rehousing_store_add_move(s, p.id, &mv, mv.recorded_by, err));
  lifecycle_project_event_msg_t ev = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  ev.rehousing_move = &mv;
  TRY(emit_and_reply(req, &a, "lifecycle.rehousing_moved", p.id, &ev, err));
out:
  trin_arena_reset(&a);
  return rc;
}

int lifecycle_handlers_register(trin_server_t *s) {
  trin_access_install(s, &lifecycle_access);
#define ROUTE(desc, fn) trin_server_handle(s, &trin__lifecycle__##desc##__descriptor, fn, NULL)
  ROUTE(create_organisation, create_organisation);
  ROUTE(list_organisations, list_organisations);
  ROUTE(create_partnership, create_partnership);
  ROUTE(add_member, add_member);
  ROUTE(extend_framework, extend_framework);
  ROUTE(get_partnership, get_partnership);
  ROUTE(list_partnerships, list_partnerships);
  ROUTE(create_project, create_project);
  ROUTE(advance_stage, advance_stage);
  ROUTE(close_price, close_price);
  ROUTE(pause_project, pause_project);
  ROUTE(resume_project, resume_project);
  ROUTE(set_milestone, set_milestone);
  ROUTE(open_dispute, open_dispute);
  ROUTE(escalate_dispute, escalate_dispute);
  ROUTE(resolve_dispute, resolve_dispute);
  ROUTE(report_defect, report_defect);
  ROUTE(fix_defect, fix_defect);
  ROUTE(get_project, get_project);
  ROUTE(list_projects, list_projects);
  /* corrections */
  ROUTE(edit_organisation, edit_organisation);
  ROUTE(edit_partnership, edit_partnership);
  ROUTE(edit_project, edit_project);
  ROUTE(correct_stage, correct_stage);
  /* lists (issue 19) */
  ROUTE(list_disputes, list_disputes);
  ROUTE(list_defects, list_defects);
  ROUTE(confirm_defect_fix, confirm_defect_fix);
  ROUTE(reject_defect_fix, reject_defect_fix);
  /* rehousing (issue 20, item 4) */
  ROUTE(set_rehousing_plan, set_rehousing_plan);
  ROUTE(record_rehousing_move, record_rehousing_move);
  /* item 6: AB18 deadlines */
  ROUTE(hold_inspection, hold_inspection);
#undef ROUTE
  /* sustainability and reuse (issue 20, item 3) */
  int rc = lifecycle_sustain_handlers_register(s);
  /* lessons learned (issue 20, item 5) */
  return rc ? rc : lifecycle_lessons_handlers_register(s);
}
