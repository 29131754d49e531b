/* trinctl_lifecycle — see trinctl_lifecycle.h. Each command reads like its
 * use case: options -> request -> call -> print the reply (JSON or words). */
#include "trinctl_lifecycle.h"

#include "lifecycle_rehousing.h"
#include "lifecycle_rules.h"

#include <inttypes.h>
#include <stdint.h>
#include <string.h>

#include "trin/aggregator.pb-c.h"
#include "trin/envelope.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_codec.h"
#include "trin_money.h"
#include "trinctl_print.h"
#include "trinctl_token.h"
#include "trinctl_lessons.h"
#include "trinctl_sustain.h"

/* ------------------------------------------------------- enumeration words
 * The service's own word lists (lifecycle_rules.h): checking them here turns
 * a typo into a usage error that lists the right words. */


/* Request fields are char *; option texts point into argv and are never
 * freed through the request. */
static char *S(const trinctl_args_t *a, const char *name) {
  return (char *)trinctl_args_str(a, name);
}
static char *ARG(const trinctl_args_t *a) { return (char *)a->arg; }

/* ------------------------------------------------------------ reply output */

static void print_json(trinctl_ctx_t *ctx, const ProtobufCMessage *m) {
  trinctl_json_t j = {ctx->out, trinctl_lifecycle_resolve};
  trinctl_json_message(&j, m);
  fputc('\n', ctx->out);
}

static void print_json_list(trinctl_ctx_t *ctx, const ProtobufCMessage *m,
                            const char *field) {
  trinctl_json_t j = {ctx->out, trinctl_lifecycle_resolve};
  trinctl_json_repeated(&j, m, field);
  fputc('\n', ctx->out);
}

/* " (event 17)" after a change; reads answer with seq 0. */
static const char *event_note(uint64_t seq, char *buf, size_t size) {
  if (seq) snprintf(buf, size, " (event %" PRIu64 ")", seq);
  else buf[0] = '\0';
  return buf;
}

/* A reply without the entity it promises breaks the contract; say so
 * rather than print blanks. */
static int missing(trinctl_ctx_t *ctx, const char *what) {
  trin_err_set(&ctx->err, TRIN_EDECODE, what, "the reply carries no %s", what);
  return TRINCTL_EXIT_REFUSED;
}

/* ------------------------------------------------------------ organisations */

static int run_org_create(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__Organisation o = TRIN__LIFECYCLE__ORGANISATION__INIT;
  o.id = S(a, "id");
  o.name = S(a, "name");
  o.kind = S(a, "kind");
  Trin__Lifecycle__CreateOrganisation req = TRIN__LIFECYCLE__CREATE_ORGANISATION__INIT;
  req.organisation = &o;
  Trin__Lifecycle__OrganisationReply *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__lifecycle__organisation_reply__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    print_json(ctx, &r->base);
  } else if (!r->organisation) {
    rc = missing(ctx, "organisation");
  } else {
    char ev[32];
    fprintf(ctx->out, "created organisation %s (%s): %s%s\n", r->organisation->id,
            r->organisation->kind, r->organisation->name, event_note(r->seq, ev, sizeof ev));
  }
  trin_codec_free(r);
  return rc;
}

static int run_org_list(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__ListOrganisations req = TRIN__LIFECYCLE__LIST_ORGANISATIONS__INIT;
  Trin__Lifecycle__OrganisationList *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__lifecycle__organisation_list__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json_list(ctx, &r->base, "organisations");
  else trinctl_print_organisations(ctx->out, r);
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ------------------------------------------------------------- partnerships */

/* Calls a request answered by PartnershipReply. In JSON mode the reply is
 * printed here; in text mode *out is left for the command to describe. */
static int partnership_call(trinctl_ctx_t *ctx, const ProtobufCMessage *req,
                            Trin__Lifecycle__PartnershipReply **out) {
  int rc = trinctl_call(ctx, req, &trin__lifecycle__partnership_reply__descriptor,
                        (ProtobufCMessage **)out);
  if (rc) return rc;
  if (ctx->g.json) {
    print_json(ctx, &(*out)->base);
    return TRINCTL_EXIT_OK;
  }
  if (!(*out)->partnership) return missing(ctx, "partnership");
  return TRINCTL_EXIT_OK;
}

static int run_partnership_create(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__Partnership p = TRIN__LIFECYCLE__PARTNERSHIP__INIT;
  p.id = S(a, "id");
  p.name = S(a, "name");
  p.client_org = S(a, "client");
  p.framework_start = S(a, "framework-start");
  p.framework_years = (int32_t)trinctl_args_num(a, "framework-years");
  p.extension_years = (int32_t)trinctl_args_num(a, "extension-years");
  p.horizon_years = (int32_t)trinctl_args_num(a, "horizon-years");
  p.price_closing_point = S(a, "price-closing");
  p.abt_starts_at = S(a, "abt-start");
  p.economic_frame_ore = trinctl_args_num(a, "frame");
  p.trivial_threshold_ore = trinctl_args_num(a, "trivial-threshold");
  Trin__Lifecycle__CreatePartnership req = TRIN__LIFECYCLE__CREATE_PARTNERSHIP__INIT;
  req.partnership = &p;
  Trin__Lifecycle__PartnershipReply *r = NULL;
  int rc = partnership_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char ev[32];
    const Trin__Lifecycle__Partnership *q = r->partnership;
    fprintf(ctx->out,
            "created partnership %s: new projects may start %s – %s, "
            "collaboration until %s%s\n",
            q->id, q->framework_start, q->framework_end, q->horizon_end,
            event_note(r->seq, ev, sizeof ev));
  }
  trin_codec_free(r);
  return rc;
}

static int run_partnership_add_member(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__Member m = TRIN__LIFECYCLE__MEMBER__INIT;
  m.org_id = S(a, "org");
  m.role = S(a, "role");
  Trin__Lifecycle__AddMember req = TRIN__LIFECYCLE__ADD_MEMBER__INIT;
  req.partnership_id = S(a, "partnership");
  req.member = &m;
  Trin__Lifecycle__PartnershipReply *r = NULL;
  int rc = partnership_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char ev[32];
    fprintf(ctx->out, "%s: %s joined as %s; %zu members%s\n", r->partnership->id,
            m.org_id, m.role, r->partnership->n_members, event_note(r->seq, ev, sizeof ev));
  }
  trin_codec_free(r);
  return rc;
}

static int run_partnership_extend(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__ExtendFramework req = TRIN__LIFECYCLE__EXTEND_FRAMEWORK__INIT;
  req.partnership_id = S(a, "partnership");
  req.extension_years = (int32_t)trinctl_args_num(a, "years");
  Trin__Lifecycle__PartnershipReply *r = NULL;
  int rc = partnership_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char ev[32];
    const Trin__Lifecycle__Partnership *q = r->partnership;
    fprintf(ctx->out,
            "%s: framework extended by %d year%s in all; new projects may start "
            "until %s, collaboration until %s%s\n",
            q->id, q->extension_years, q->extension_years == 1 ? "" : "s",
            q->framework_end, q->horizon_end, event_note(r->seq, ev, sizeof ev));
  }
  trin_codec_free(r);
  return rc;
}

static int run_partnership_show(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__GetPartnership req = TRIN__LIFECYCLE__GET_PARTNERSHIP__INIT;
  req.partnership_id = ARG(a);
  Trin__Lifecycle__PartnershipReply *r = NULL;
  int rc = partnership_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) trinctl_print_partnership(ctx->out, r->partnership);
  trin_codec_free(r);
  return rc;
}

static int run_partnership_list(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__ListPartnerships req = TRIN__LIFECYCLE__LIST_PARTNERSHIPS__INIT;
  Trin__Lifecycle__PartnershipList *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__lifecycle__partnership_list__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json_list(ctx, &r->base, "partnerships");
  else trinctl_print_partnerships(ctx->out, r);
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ----------------------------------------------------------------- projects */

/* Calls a request answered by ProjectReply. In JSON mode the reply is
 * printed here; in text mode *out is left for the command to describe. */
static int project_call(trinctl_ctx_t *ctx, const ProtobufCMessage *req,
                        Trin__Lifecycle__ProjectReply **out) {
  int rc = trinctl_call(ctx, req, &trin__lifecycle__project_reply__descriptor,
                        (ProtobufCMessage **)out);
  if (rc) return rc;
  if (ctx->g.json) {
    print_json(ctx, &(*out)->base);
    return TRINCTL_EXIT_OK;
  }
  if (!(*out)->project) return missing(ctx, "project");
  return TRINCTL_EXIT_OK;
}

/* The text-mode tail every project change ends with. */
static void project_done(trinctl_ctx_t *ctx, const Trin__Lifecycle__ProjectReply *r,
                         const char *what) {
  char ev[32];
  fprintf(ctx->out, "%s: %s%s\n", r->project->id, what, event_note(r->seq, ev, sizeof ev));
}

static int run_project_create(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__Project p = TRIN__LIFECYCLE__PROJECT__INIT;
  p.id = S(a, "id");
  p.name = S(a, "name");
  p.partnership_id = S(a, "partnership");
  p.client_org = S(a, "client");
  p.kind = S(a, "kind");
  p.department = S(a, "department");
  p.municipality = S(a, "municipality");
  p.dwellings = (int32_t)trinctl_args_num(a, "dwellings");
  p.gross_area_m2 = (int32_t)trinctl_args_num(a, "area");
  p.fast_track = trinctl_args_has(a, "fast-track");
  p.start_date = S(a, "start");
  Trin__Lifecycle__CreateProject req = TRIN__LIFECYCLE__CREATE_PROJECT__INIT;
  req.project = &p;
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    const Trin__Lifecycle__Project *q = r->project;
    char what[256];
    snprintf(what, sizeof what, "created (%s%s) %s%s for %s, stage %s since %s", q->kind,
             q->fast_track ? ", fast track" : "",
             *q->partnership_id ? "in partnership " : "outside any partnership",
             q->partnership_id, q->client_org, q->stage, q->stage_since);
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

static int run_project_advance(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__AdvanceStage req = TRIN__LIFECYCLE__ADVANCE_STAGE__INIT;
  req.project_id = ARG(a);
  req.to_stage = S(a, "to");
  req.date = S(a, "date");
  req.note = S(a, "note");
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[128];
    snprintf(what, sizeof what, "now in %s since %s", r->project->stage,
             r->project->stage_since);
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

/* issue 20, item 6: the 1- or 5-year inspection held (AB18 deadlines) */
static int run_project_inspection(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__HoldInspection req = TRIN__LIFECYCLE__HOLD_INSPECTION__INIT;
  req.project_id = ARG(a);
  req.inspection = S(a, "inspection");
  req.date = S(a, "date");
  req.note = S(a, "note");
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[200], d1[TRINCTL_DA_DATE_BUF], d2[TRINCTL_DA_DATE_BUF];
    const Trin__Lifecycle__Project *p = r->project;
    bool one = strcmp(req.inspection, "1y") == 0;
    if (*p->next_deadline)
      snprintf(what, sizeof what, "%s inspection held on %s; next deadline %s (%s)",
               one ? "1-year" : "5-year", trinctl_da_date(req.date, d1),
               trinctl_da_date(p->next_deadline, d2), p->next_deadline_kind);
    else
      snprintf(what, sizeof what, "%s inspection held on %s; no deadline left",
               one ? "1-year" : "5-year", trinctl_da_date(req.date, d1));
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

static int run_project_close_price(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__ClosePrice req = TRIN__LIFECYCLE__CLOSE_PRICE__INIT;
  req.project_id = ARG(a);
  req.date = S(a, "date");
  req.reference = S(a, "reference");
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[160];
    snprintf(what, sizeof what, "price closed on %s%s%s", r->project->price_closed_on,
             *req.reference ? ", reference " : "", req.reference);
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

static int run_project_pause(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__PauseProject req = TRIN__LIFECYCLE__PAUSE_PROJECT__INIT;
  req.project_id = ARG(a);
  req.reason = S(a, "reason");
  req.date = S(a, "date");
  req.note = S(a, "note");
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[128];
    snprintf(what, sizeof what, "paused (%s) since %s, in %s", r->project->pause_reason,
             r->project->paused_since, r->project->stage);
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

static int run_project_resume(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__ResumeProject req = TRIN__LIFECYCLE__RESUME_PROJECT__INIT;
  req.project_id = ARG(a);
  req.date = S(a, "date");
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[128];
    snprintf(what, sizeof what, "resumed on %s, in %s", req.date, r->project->stage);
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

/* Earned value (issue 20 item 1) is the aggregator's: the project's row,
 * asked of it on a client of its own (the aggregator's endpoint and key). */
static int earned_value_row(trinctl_ctx_t *ctx, const char *project_id,
                            Trin__Aggregator__StatusRow **out) {
  char known[160];
  const char *endpoint = trinctl_service_endpoint(ctx, "aggregator", known, sizeof known);
  trinctl_ctx_t agg = *ctx;
  agg.client = NULL;
  agg.service = "aggregator";
  agg.g.endpoint = endpoint ? endpoint : TRINCTL_TOKEN_DEFAULT_ENDPOINT;
  Trin__Aggregator__GetProjectRow req = TRIN__AGGREGATOR__GET_PROJECT_ROW__INIT;
  req.project_id = (char *)project_id;
  int rc = trinctl_call(&agg, &req.base, &trin__aggregator__status_row__descriptor,
                        (ProtobufCMessage **)out);
  trin_client_destroy(&agg.client);
  if (rc) {
    ctx->err = agg.err;
    trin_err_prefix_field(&ctx->err, "aggregator");
  }
  return rc;
}

static int run_project_show(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__GetProject req = TRIN__LIFECYCLE__GET_PROJECT__INIT;
  req.project_id = ARG(a);
  bool ev = trinctl_args_has(a, "earned-value");
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__lifecycle__project_reply__descriptor,
                        (ProtobufCMessage **)&r);
  if (!rc && !r->project) rc = missing(ctx, "project");
  Trin__Aggregator__StatusRow *row = NULL;
  if (!rc && ev) rc = earned_value_row(ctx, req.project_id, &row);
  if (!rc && ctx->g.json && !ev) {
    print_json(ctx, &r->base);
  } else if (!rc && ctx->g.json) {
    /* one object: the project's reply and the status row beside it */
    trinctl_json_t j = {ctx->out, trinctl_lifecycle_resolve};
    fputs("{\"project\":", ctx->out);
    trinctl_json_message(&j, &r->base);
    fputs(",\"status_row\":", ctx->out);
    trinctl_json_message(&j, &row->base);
    fputs("}\n", ctx->out);
  } else if (!rc) {
    trinctl_print_project(ctx->out, r->project);
    trinctl_sustain_print(ctx->out, r->project); /* issue 20, item 3 */
    trinctl_lessons_print(ctx->out, r->project); /* item 5 */
    if (row) trinctl_print_earned_value(ctx->out, row);
  }
  trin_codec_free(row);
  trin_codec_free(r);
  return rc;
}

static int run_project_list(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__ListProjects req = TRIN__LIFECYCLE__LIST_PROJECTS__INIT;
  req.partnership_id = S(a, "partnership");
  req.client_org = S(a, "client");
  req.stage = S(a, "stage");
  req.outside_partnership = trinctl_args_has(a, "outside");
  Trin__Lifecycle__ProjectList *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__lifecycle__project_list__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json_list(ctx, &r->base, "projects");
  else trinctl_print_projects(ctx->out, r);
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ------------------------------------------- lists across partnerships */

static int run_dispute_list(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__ListDisputes req = TRIN__LIFECYCLE__LIST_DISPUTES__INIT;
  req.partnership_id = S(a, "partnership");
  req.client_org = S(a, "client");
  req.org = S(a, "org");
  req.project_id = S(a, "project");
  req.open_only = trinctl_args_has(a, "open");
  req.min_level = (int32_t)trinctl_args_num(a, "min-level");
  Trin__Lifecycle__DisputeList *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__lifecycle__dispute_list__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json_list(ctx, &r->base, "disputes");
  else trinctl_print_disputes(ctx->out, r);
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

static int run_defect_list(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__ListDefects req = TRIN__LIFECYCLE__LIST_DEFECTS__INIT;
  req.partnership_id = S(a, "partnership");
  req.client_org = S(a, "client");
  req.org = S(a, "org");
  req.project_id = S(a, "project");
  req.open_only = trinctl_args_has(a, "open");
  req.overdue_only = trinctl_args_has(a, "overdue");
  req.as_of = S(a, "as-of");
  req.severity = S(a, "severity");
  Trin__Lifecycle__DefectList *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__lifecycle__defect_list__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) print_json_list(ctx, &r->base, "defects");
  else trinctl_print_defects(ctx->out, r);
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* --------------------------------------------------------------- milestones */

static int run_milestone_set(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__Milestone m = TRIN__LIFECYCLE__MILESTONE__INIT;
  m.name = S(a, "name");
  m.baseline = S(a, "baseline");
  m.forecast = S(a, "forecast");
  m.actual = S(a, "actual");
  m.has_planned_cost_ore = trinctl_args_has(a, "planned-cost");
  m.planned_cost_ore = trinctl_args_num(a, "planned-cost");
  m.has_percent_complete_bp = trinctl_args_has(a, "percent-complete-bp");
  m.percent_complete_bp = (int32_t)trinctl_args_num(a, "percent-complete-bp");
  Trin__Lifecycle__SetMilestone req = TRIN__LIFECYCLE__SET_MILESTONE__INIT;
  req.project_id = ARG(a);
  req.milestone = &m;
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    /* The variance is the service's (the reply's milestone), never recomputed here. */
    char what[400], v[24], kr[TRIN_MONEY_BUF], pct[48];
    int n = snprintf(what, sizeof what, "milestone %s: baseline %s, forecast %s, actual %s (%s)",
                     m.name, m.baseline, *m.forecast ? m.forecast : "as baseline",
                     *m.actual ? m.actual : "not reached",
                     r->milestone ? trinctl_variance_text(r->milestone->variance_days, v)
                                  : "variance unknown");
    if (m.has_planned_cost_ore && n > 0 && (size_t)n < sizeof what)
      n += snprintf(what + n, sizeof what - (size_t)n, ", planned cost %s",
                    trinctl_kr(m.planned_cost_ore, kr));
    if (m.has_percent_complete_bp && n > 0 && (size_t)n < sizeof what)
      snprintf(what + n, sizeof what - (size_t)n, ", %s complete",
               trinctl_pct_bp(m.percent_complete_bp, pct));
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

/* ----------------------------------------------------------------- disputes */

/* "2 open disputes, highest level 3 (conflict forum)" */
static const char *dispute_summary(const Trin__Lifecycle__Project *p, char *buf,
                                   size_t size) {
  if (p->open_disputes == 0)
    snprintf(buf, size, "no open disputes");
  else
    snprintf(buf, size, "%d open dispute%s, highest level %d (%s)", p->open_disputes,
             p->open_disputes == 1 ? "" : "s", p->max_dispute_level,
             trinctl_dispute_level_name(p->max_dispute_level));
  return buf;
}

static int run_dispute_open(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__OpenDispute req = TRIN__LIFECYCLE__OPEN_DISPUTE__INIT;
  req.project_id = ARG(a);
  req.dispute_id = S(a, "id");
  req.title = S(a, "title");
  req.amount_ore = trinctl_args_num(a, "amount");
  req.date = S(a, "date");
  req.raised_by = S(a, "raised-by");
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[256], m[TRIN_MONEY_BUF], s[96];
    snprintf(what, sizeof what, "dispute %s opened at level 1 (%s) over %s; %s",
             req.dispute_id, trinctl_dispute_level_name(1),
             trinctl_kr(req.amount_ore, m), dispute_summary(r->project, s, sizeof s));
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

static int run_dispute_escalate(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__EscalateDispute req = TRIN__LIFECYCLE__ESCALATE_DISPUTE__INIT;
  req.dispute_id = ARG(a);
  req.to_level = (int32_t)trinctl_args_num(a, "level");
  req.date = S(a, "date");
  req.by_org = S(a, "by");
  req.note = S(a, "note");
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[256], s[96];
    snprintf(what, sizeof what, "dispute %s escalated to level %d (%s) by %s; %s",
             req.dispute_id, req.to_level, trinctl_dispute_level_name(req.to_level),
             req.by_org, dispute_summary(r->project, s, sizeof s));
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

static int run_dispute_resolve(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__ResolveDispute req = TRIN__LIFECYCLE__RESOLVE_DISPUTE__INIT;
  req.dispute_id = ARG(a);
  req.date = S(a, "date");
  req.resolution = S(a, "resolution");
  req.settled_ore = trinctl_args_num(a, "settled");
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[256], m[TRIN_MONEY_BUF], s[96];
    snprintf(what, sizeof what, "dispute %s resolved on %s, settled %s; %s",
             req.dispute_id, req.date, trinctl_kr(req.settled_ore, m),
             dispute_summary(r->project, s, sizeof s));
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

/* ------------------------------------------------------------------ defects */

static int run_defect_report(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__Defect d = TRIN__LIFECYCLE__DEFECT__INIT;
  d.id = S(a, "id");
  d.description = S(a, "description");
  d.severity = S(a, "severity");
  d.found_at = S(a, "found-at");
  d.reported_on = S(a, "reported");
  d.due_on = S(a, "due");
  d.cost_bearer = S(a, "cost-bearer");
  Trin__Lifecycle__ReportDefect req = TRIN__LIFECYCLE__REPORT_DEFECT__INIT;
  req.project_id = ARG(a);
  req.defect = &d;
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[200];
    snprintf(what, sizeof what, "defect %s reported (%s, found at %s); %d open defect%s",
             d.id, d.severity, d.found_at, r->project->open_defects,
             r->project->open_defects == 1 ? "" : "s");
    project_done(ctx, r, what);
    if (r->defect && r->defect->after_claim_limit) {
      char dd[TRINCTL_DA_DATE_BUF];
      fprintf(ctx->out,
              "note: reported after the last day defects can be claimed (%s: 5 years after "
              "the handover, AB18 § 49); kept and marked as such\n",
              trinctl_da_date(r->defect->claim_limit, dd));
    }
  }
  trin_codec_free(r);
  return rc;
}

static int run_defect_fix(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__FixDefect req = TRIN__LIFECYCLE__FIX_DEFECT__INIT;
  req.defect_id = ARG(a);
  req.fixed_on = S(a, "date");
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[300];
    int n = r->project->open_defects;
    if (r->defect && r->defect->awaiting_confirmation)
      snprintf(what, sizeof what,
               "defect %s reported fixed on %s, awaiting the client's confirmation (defect "
               "confirm); still open: %d open defect%s",
               req.defect_id, req.fixed_on, n, n == 1 ? "" : "s");
    else
      snprintf(what, sizeof what, "defect %s fixed on %s; %d open defect%s", req.defect_id,
               req.fixed_on, n, n == 1 ? "" : "s");
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

static int run_defect_confirm(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__ConfirmDefectFix req = TRIN__LIFECYCLE__CONFIRM_DEFECT_FIX__INIT;
  req.defect_id = ARG(a);
  req.date = S(a, "date");
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[200];
    int n = r->project->open_defects;
    snprintf(what, sizeof what, "defect %s: repair confirmed on %s, closed; %d open defect%s",
             req.defect_id, req.date, n, n == 1 ? "" : "s");
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

static int run_defect_reject(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__RejectDefectFix req = TRIN__LIFECYCLE__REJECT_DEFECT_FIX__INIT;
  req.defect_id = ARG(a);
  req.date = S(a, "date");
  req.note = S(a, "note");
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[200];
    int n = r->project->open_defects;
    snprintf(what, sizeof what, "defect %s: repair rejected on %s, open again; %d open defect%s",
             req.defect_id, req.date, n, n == 1 ? "" : "s");
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

/* ------------------------------------------------------------- rehousing
 * Genhusning and tilbageflytning (issue 20, item 4): the client's plan and
 * its households' movements; the words for people are Danish. */

/* "genhuset i alt 30 af 40, flyttet tilbage 20" — the service's sums. */
static const char *rehousing_summary(const Trin__Lifecycle__Project *p, char *buf, size_t n) {
  char a[32], b[32], c[32];
  if (p->without_rehousing) snprintf(buf, n, "renoveres uden genhusning");
  else
    snprintf(buf, n, "genhuset i alt %s af %s, flyttet tilbage %s",
             trinctl_num(p->households_rehoused_temporary + p->households_rehoused_permanent, 0,
                         a),
             trinctl_num(p->households_to_rehouse, 0, b),
             trinctl_num(p->households_moved_back, 0, c));
  return buf;
}

static int run_project_rehousing_plan(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__SetRehousingPlan req = TRIN__LIFECYCLE__SET_REHOUSING_PLAN__INIT;
  req.project_id = ARG(a);
  req.without_rehousing = trinctl_args_has(a, "without-rehousing");
  req.households_to_rehouse = (int32_t)trinctl_args_num(a, "households");
  /* Saying nothing would record a plan of 0 households: ask for one or the other. */
  if (req.without_rehousing == trinctl_args_has(a, "households")) {
    trin_err_set(&ctx->err, TRIN_EINVALID, "--households",
                 "give either --households N (husstande der skal genhuses) or "
                 "--without-rehousing, not %s",
                 req.without_rehousing ? "both" : "neither");
    return TRINCTL_EXIT_USAGE;
  }
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[200], s[120], h[32];
    if (r->project->without_rehousing)
      snprintf(what, sizeof what, "genhusningsplan: renoveres uden genhusning");
    else
      snprintf(what, sizeof what, "genhusningsplan: %s husstande skal genhuses; %s",
               trinctl_num(r->project->households_to_rehouse, 0, h),
               rehousing_summary(r->project, s, sizeof s));
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

static const char *move_words(const char *kind) {
  if (strcmp(kind, "temporary") == 0) return "genhuset midlertidigt";
  if (strcmp(kind, "permanent") == 0) return "genhuset permanent";
  return "flyttet tilbage";
}

static int run_project_rehousing_move(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__RehousingMove m = TRIN__LIFECYCLE__REHOUSING_MOVE__INIT;
  m.kind = S(a, "kind");
  m.households = (int32_t)trinctl_args_num(a, "households");
  m.date = S(a, "date");
  m.note = S(a, "note");
  m.beyond_plan = trinctl_args_has(a, "beyond-plan");
  Trin__Lifecycle__RecordRehousingMove req = TRIN__LIFECYCLE__RECORD_REHOUSING_MOVE__INIT;
  req.project_id = ARG(a);
  req.move = &m;
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[240], s[120], h[32];
    snprintf(what, sizeof what, "%s husstand%s %s %s; %s", trinctl_num(m.households, 0, h),
             m.households == 1 ? "" : "e", move_words(m.kind), m.date,
             rehousing_summary(r->project, s, sizeof s));
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

/* ------------------------------------------------------------- corrections
 * Each correction sends only the fields whose options were given (the
 * request's field mask) and the reason; the reply says what changed. */

#define MAX_EDIT_OPTS 8

/* Adds field to the mask when its option was given. */
static void mask(const trinctl_args_t *a, const char *opt, const char *field, char **fields,
                 size_t *n) {
  if (trinctl_args_has(a, opt) && *n < MAX_EDIT_OPTS) fields[(*n)++] = (char *)field;
}

/* "name, dwellings" from a correction, "nothing" when none changed. */
static const char *changed_list(const Trin__Lifecycle__Correction *c, char *buf, size_t size) {
  size_t used = 0;
  buf[0] = '\0';
  for (size_t i = 0; c && i < c->n_changed_fields && used < size; i++)
    used += (size_t)snprintf(buf + used, size - used, "%s%s", i ? ", " : "",
                             c->changed_fields[i]);
  return buf[0] ? buf : "nothing";
}

static int run_org_edit(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__EditOrganisation req = TRIN__LIFECYCLE__EDIT_ORGANISATION__INIT;
  req.organisation_id = ARG(a);
  req.name = S(a, "name");
  req.kind = S(a, "kind");
  req.reason = S(a, "reason");
  Trin__Lifecycle__OrganisationReply *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__lifecycle__organisation_reply__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json) {
    print_json(ctx, &r->base);
  } else if (!r->organisation) {
    rc = missing(ctx, "organisation");
  } else if (!r->seq) {
    fprintf(ctx->out, "%s: unchanged, its name is already %s\n", r->organisation->id,
            r->organisation->name);
  } else {
    char ev[32];
    fprintf(ctx->out, "%s: renamed to %s%s\n", r->organisation->id, r->organisation->name,
            event_note(r->seq, ev, sizeof ev));
  }
  trin_codec_free(r);
  return rc;
}

static int run_partnership_edit(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__EditPartnership req = TRIN__LIFECYCLE__EDIT_PARTNERSHIP__INIT;
  char *fields[MAX_EDIT_OPTS];
  size_t n = 0;
  req.partnership_id = ARG(a);
  req.reason = S(a, "reason");
  mask(a, "name", "name", fields, &n);
  mask(a, "frame", "economic_frame_ore", fields, &n);
  mask(a, "trivial-threshold", "trivial_threshold_ore", fields, &n);
  mask(a, "horizon-years", "horizon_years", fields, &n);
  mask(a, "framework-start", "framework_start", fields, &n);
  mask(a, "framework-years", "framework_years", fields, &n);
  mask(a, "price-closing", "price_closing_point", fields, &n);
  mask(a, "abt-start", "abt_starts_at", fields, &n);
  req.fields = fields;
  req.n_fields = n;
  req.name = S(a, "name");
  req.economic_frame_ore = trinctl_args_num(a, "frame");
  req.trivial_threshold_ore = trinctl_args_num(a, "trivial-threshold");
  req.horizon_years = (int32_t)trinctl_args_num(a, "horizon-years");
  req.framework_start = S(a, "framework-start");
  req.framework_years = (int32_t)trinctl_args_num(a, "framework-years");
  req.price_closing_point = S(a, "price-closing");
  req.abt_starts_at = S(a, "abt-start");
  Trin__Lifecycle__PartnershipReply *r = NULL;
  int rc = partnership_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char ev[32], list[200], frame[48], thr[48];
    const Trin__Lifecycle__Partnership *q = r->partnership;
    fprintf(ctx->out,
            "%s: corrected %s%s\n  %s; economic frame %s, bagatelgrænse %s; new projects "
            "may start %s – %s, collaboration until %s\n",
            q->id, changed_list(q->correction, list, sizeof list),
            event_note(r->seq, ev, sizeof ev), q->name, trinctl_kr(q->economic_frame_ore, frame),
            trinctl_kr(q->trivial_threshold_ore, thr), q->framework_start, q->framework_end,
            q->horizon_end);
  }
  trin_codec_free(r);
  return rc;
}

static int run_project_edit(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__EditProject req = TRIN__LIFECYCLE__EDIT_PROJECT__INIT;
  char *fields[MAX_EDIT_OPTS];
  size_t n = 0;
  req.project_id = ARG(a);
  req.reason = S(a, "reason");
  mask(a, "name", "name", fields, &n);
  mask(a, "department", "department", fields, &n);
  mask(a, "municipality", "municipality", fields, &n);
  mask(a, "dwellings", "dwellings", fields, &n);
  mask(a, "area", "gross_area_m2", fields, &n);
  mask(a, "kind", "kind", fields, &n);
  req.fields = fields;
  req.n_fields = n;
  req.name = S(a, "name");
  req.department = S(a, "department");
  req.municipality = S(a, "municipality");
  req.dwellings = (int32_t)trinctl_args_num(a, "dwellings");
  req.gross_area_m2 = (int32_t)trinctl_args_num(a, "area");
  req.kind = S(a, "kind");
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    const Trin__Lifecycle__Project *q = r->project;
    char what[400], dw[32], area[32];
    snprintf(what, sizeof what, "%s; %s, %s, %s, %s dwellings, %s m²",
             r->seq ? "corrected" : "unchanged (every value given is already so)", q->name,
             q->kind, *q->municipality ? q->municipality : "no municipality",
             trinctl_num(q->dwellings, 0, dw), trinctl_num(q->gross_area_m2, 0, area));
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

static int run_project_correct_stage(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Lifecycle__CorrectStage req = TRIN__LIFECYCLE__CORRECT_STAGE__INIT;
  req.project_id = ARG(a);
  req.reason = S(a, "reason");
  req.from_stage = S(a, "from");
  Trin__Lifecycle__ProjectReply *r = NULL;
  int rc = project_call(ctx, &req.base, &r);
  if (!rc && !ctx->g.json) {
    char what[160];
    snprintf(what, sizeof what, "stage corrected: back in %s since %s", r->project->stage,
             r->project->stage_since);
    project_done(ctx, r, what);
  }
  trin_codec_free(r);
  return rc;
}

/* ------------------------------------------- requests every service knows */

static int run_events(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__EventsSince req = TRIN__EVENTS_SINCE__INIT;
  req.after_seq = (uint64_t)trinctl_args_num(a, "after");
  req.limit = (uint32_t)trinctl_args_num(a, "limit");
  Trin__EventBatch *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__event_batch__descriptor,
                        (ProtobufCMessage **)&r);
  if (rc) return rc;
  /* JSON keeps the batch (not just the array): last_seq is what a script
   * pages with. */
  if (ctx->g.json) print_json(ctx, &r->base);
  else trinctl_print_events(ctx->out, r);
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

static int run_ping(trinctl_ctx_t *ctx, const trinctl_args_t *a) {
  Trin__Ping req = TRIN__PING__INIT;
  Trin__Pong *r = NULL;
  int rc = trinctl_call(ctx, &req.base, &trin__pong__descriptor, (ProtobufCMessage **)&r);
  if (rc) return rc;
  if (ctx->g.json)
    print_json(ctx, &r->base);
  else
    fprintf(ctx->out, "%s %s at %s is up; last event %" PRIu64 "\n",
            *r->service ? r->service : "service", *r->version ? r->version : "(no version)",
            ctx->g.endpoint, r->last_seq);
  trin_codec_free(r);
  return TRINCTL_EXIT_OK;
}

/* ------------------------------------------------------------ option tables */

static const trinctl_opt_t org_create_opts[] = {
    OPT_TEXT("id", true, "organisation.id", "ID", "the organisation's id, e.g. AAB"),
    OPT_TEXT("name", true, "organisation.name", "NAME", "its name"),
    OPT_CHOICE("kind", true, "organisation.kind", "KIND", lifecycle_org_kind_words, "what it is"),
    OPT_END};

static const trinctl_opt_t partnership_create_opts[] = {
    OPT_TEXT("id", true, "partnership.id", "ID", "the partnership's id, e.g. LIVA"),
    OPT_TEXT("name", true, "partnership.name", "NAME", "its name"),
    OPT_TEXT("client", true, "partnership.client_org", "ORG",
         "the client organisation (kind client)"),
    OPT_DATE("framework-start", true, "partnership.framework_start",
         "the framework agreement's start"),
    OPT_INT("framework-years", false, "partnership.framework_years", 1, 4,
        "framework term in years, 1–4 (default 4)"),
    OPT_INT("extension-years", false, "partnership.extension_years", 0, 2,
        "years of extension already granted when the partnership is recorded, 0–2 "
        "(default 0), not the extension the agreement allows; grant one later with "
        "`partnership extend`"),
    OPT_INT("horizon-years", false, "partnership.horizon_years", 0, 15,
        "collaboration horizon after the framework, 0–15"),
    OPT_CHOICE("price-closing", true, "partnership.price_closing_point", "POINT",
           lifecycle_price_point_words, "where in trin 2 the price is closed"),
    OPT_CHOICE("abt-start", false, "partnership.abt_starts_at", "trin1|trin3",
           lifecycle_abt_start_words, "when the total contract (ABT) starts (default trin3)"),
    OPT_MONEY("frame", false, "partnership.economic_frame_ore",
          "economic frame in kroner, e.g. 3.000.000.000"),
    OPT_MONEY("trivial-threshold", false, "partnership.trivial_threshold_ore",
          "bagatelgrænse in kroner: smaller disputes stay in the project"),
    OPT_END};

static const trinctl_opt_t partnership_add_member_opts[] = {
    OPT_TEXT("partnership", true, "partnership_id", "ID", "the partnership"),
    OPT_TEXT("org", true, "member.org_id", "ORG", "the organisation joining"),
    OPT_CHOICE("role", true, "member.role", "ROLE", lifecycle_org_kind_words,
           "the part it plays here"),
    OPT_END};

static const trinctl_opt_t partnership_extend_opts[] = {
    OPT_TEXT("partnership", true, "partnership_id", "ID", "the partnership"),
    OPT_INT("years", true, "extension_years", 0, 2,
        "the extension in all, 0–2 years (it can only grow)"),
    OPT_END};

static const trinctl_opt_t project_create_opts[] = {
    OPT_TEXT("id", true, "project.id", "ID", "the project's id, e.g. P-17"),
    OPT_TEXT("name", true, "project.name", "NAME", "its name"),
    OPT_TEXT("partnership", false, "project.partnership_id", "ID",
         "the partnership it belongs to (none: outside any partnership)"),
    OPT_TEXT("client", false, "project.client_org", "ORG",
         "the client (required outside a partnership)"),
    OPT_CHOICE("kind", true, "project.kind", "KIND", lifecycle_project_kind_words,
           "the kind of project"),
    OPT_TEXT("department", false, "project.department", "D", "housing department / property"),
    OPT_TEXT("municipality", false, "project.municipality", "M", "municipality"),
    OPT_INT("dwellings", false, "project.dwellings", 0, INT32_MAX, "number of dwellings"),
    {.name = "area", .kind = TRINCTL_OPT_INT, .field = "project.gross_area_m2", .metavar = "M2",
     .min = 0, .max = INT32_MAX, .help = "gross floor area in m²"},
    OPT_FLAG("fast-track", "project.fast_track", "small, simple case: trin 1 and 2 merged"),
    OPT_DATE("start", true, "project.start_date",
         "start date (inside the partnership's framework term)"),
    OPT_END};

static const trinctl_opt_t project_advance_opts[] = {
    OPT_CHOICE("to", true, "to_stage", "STAGE", lifecycle_stage_words, "the next stage"),
    OPT_DATE("date", true, "date", "when it entered the stage"),
    OPT_TEXT("note", false, "note", "TEXT", "a note for the stage history"),
    OPT_END};

static const char *const inspection_words[] = {"1y", "5y", NULL};
static const trinctl_opt_t project_inspection_opts[] = {
    OPT_CHOICE("inspection", true, "inspection", "WHICH", inspection_words,
               "1y (1-års eftersyn) or 5y (5-års eftersyn)"),
    OPT_DATE("date", true, "date", "when it was held (on or after the handover)"),
    OPT_TEXT("note", false, "note", "TEXT", "a note, e.g. who attended"),
    OPT_END};

static const trinctl_opt_t project_close_price_opts[] = {
    OPT_DATE("date", true, "date", "when the price was closed"),
    OPT_TEXT("reference", false, "reference", "REF", "e.g. the approved Skema B's id"),
    OPT_END};

static const trinctl_opt_t project_pause_opts[] = {
    OPT_CHOICE("reason", true, "reason", "REASON", lifecycle_pause_reason_words,
           "why the project waits"),
    OPT_DATE("date", true, "date", "first day of the pause"),
    OPT_TEXT("note", false, "note", "TEXT", "a note"),
    OPT_END};

static const trinctl_opt_t project_resume_opts[] = {
    OPT_DATE("date", true, "date", "the day work resumes"),
    OPT_END};

static const trinctl_opt_t project_list_opts[] = {
    OPT_TEXT("partnership", false, "partnership_id", "ID", "only this partnership's projects"),
    OPT_TEXT("client", false, "client_org", "ORG", "only this client's projects"),
    OPT_CHOICE("stage", false, "stage", "STAGE", lifecycle_stage_words,
           "only projects in this stage"),
    OPT_FLAG("outside", "outside_partnership", "only projects outside any partnership"),
    OPT_END};

static const trinctl_opt_t project_show_opts[] = {
    OPT_FLAG("earned-value", "earned_value",
             "also the project's SPI, CPI, EAC and VAC from the aggregator's status row "
             "(TRIN_AGGREGATOR_ENDPOINT)"),
    OPT_END};

static const trinctl_opt_t milestone_set_opts[] = {
    OPT_TEXT("name", true, "milestone.name", "NAME",
         "the milestone (\"handover\" feeds the status row)"),
    OPT_DATE("baseline", true, "milestone.baseline", "the agreed date"),
    OPT_DATE("forecast", false, "milestone.forecast", "the current forecast"),
    OPT_DATE("actual", false, "milestone.actual", "when it was reached"),
    OPT_MONEY("planned-cost", false, "milestone.planned_cost_ore",
              "earned value: what the work up to this milestone is planned to cost, in kroner"),
    OPT_INT("percent-complete-bp", false, "milestone.percent_complete_bp", 0, 10000,
            "earned value: how far its work has come, basis points (4550 = 45.50 %)"),
    OPT_END};

static const trinctl_opt_t dispute_open_opts[] = {
    OPT_TEXT("id", true, "dispute_id", "ID", "the dispute's id"),
    OPT_TEXT("title", true, "title", "T", "what it is about"),
    OPT_MONEY("amount", true, "amount_ore", "the amount in dispute, in kroner"),
    OPT_DATE("date", true, "date", "when it was opened"),
    OPT_TEXT("raised-by", true, "raised_by", "ORG", "the organisation raising it"),
    OPT_END};

static const trinctl_opt_t dispute_escalate_opts[] = {
    OPT_INT("level", true, "to_level", 1, 7,
        "the new level: 1 project managers, 2 operational management, 3 conflict "
        "forum, 4 steering group, 5 mediation, 6 umpire, 7 arbitration board"),
    OPT_DATE("date", true, "date", "when it was escalated"),
    OPT_TEXT("by", true, "by_org", "ORG", "the organisation escalating"),
    OPT_TEXT("note", false, "note", "T", "a note"),
    OPT_END};

static const trinctl_opt_t dispute_resolve_opts[] = {
    OPT_DATE("date", true, "date", "when it was resolved"),
    OPT_TEXT("resolution", true, "resolution", "TEXT", "what was agreed or decided"),
    OPT_MONEY("settled", false, "settled_ore", "the settled amount in kroner"),
    OPT_END};

static const trinctl_opt_t defect_report_opts[] = {
    OPT_TEXT("id", true, "defect.id", "ID", "the defect's id"),
    OPT_TEXT("description", true, "defect.description", "T", "what is wrong"),
    OPT_CHOICE("severity", true, "defect.severity", "S", lifecycle_severity_words, "how bad"),
    OPT_CHOICE("found-at", true, "defect.found_at", "F", lifecycle_found_at_words,
           "when it was found"),
    OPT_DATE("reported", true, "defect.reported_on", "when it was reported"),
    OPT_DATE("due", false, "defect.due_on", "when it must be fixed"),
    OPT_TEXT("cost-bearer", false, "defect.cost_bearer", "ORG", "who bears the cost"),
    OPT_END};

static const trinctl_opt_t defect_fix_opts[] = {
    OPT_DATE("date", true, "fixed_on", "when it was fixed"),
    OPT_END};

static const trinctl_opt_t dispute_list_opts[] = {
    OPT_TEXT("partnership", false, "partnership_id", "ID", "only this partnership's disputes"),
    OPT_TEXT("client", false, "client_org", "ORG", "only disputes in this client's projects"),
    OPT_TEXT("org", false, "org", "ORG",
         "only disputes this organisation is involved in: the project's client, who "
         "raised it or escalated it"),
    OPT_TEXT("project", false, "project_id", "ID", "only this project's disputes"),
    OPT_FLAG("open", "open_only", "only disputes not resolved"),
    OPT_INT("min-level", false, "min_level", 1, 7,
        "only disputes at this level of the ladder or higher (1–7)"),
    OPT_END};

static const trinctl_opt_t defect_list_opts[] = {
    OPT_TEXT("partnership", false, "partnership_id", "ID", "only this partnership's defects"),
    OPT_TEXT("client", false, "client_org", "ORG", "only defects in this client's projects"),
    OPT_TEXT("org", false, "org", "ORG",
         "only defects this organisation is involved in: the project's client or the "
         "cost bearer"),
    OPT_TEXT("project", false, "project_id", "ID", "only this project's defects"),
    OPT_FLAG("open", "open_only", "only defects not fixed"),
    OPT_FLAG("overdue", "overdue_only", "only open defects whose due date has passed"),
    OPT_DATE("as-of", false, "as_of", "the day overdue is judged on (default today, UTC)"),
    OPT_CHOICE("severity", false, "severity", "S", lifecycle_severity_words,
           "only defects this bad"),
    OPT_END};

static const trinctl_opt_t defect_confirm_opts[] = {
    OPT_DATE("date", true, "date", "when the client accepted the repair"),
    OPT_END};

static const trinctl_opt_t defect_reject_opts[] = {
    OPT_DATE("date", true, "date", "when the client rejected the repair"),
    OPT_TEXT("note", true, "note", "T", "why the repair is not accepted"),
    OPT_END};

static const trinctl_opt_t events_opts[] = {
    OPT_INT("after", false, "after_seq", 0, INT64_MAX, "list events after this number (default 0)"),
    OPT_INT("limit", false, "limit", 0, 1000, "at most this many (0 = the service's default)"),
    OPT_END};

static const trinctl_opt_t org_edit_opts[] = {
    OPT_TEXT("name", true, "name", "NAME", "the organisation's new name"),
    OPT_CHOICE("kind", false, "kind", "KIND", lifecycle_org_kind_words,
           "its kind, which cannot change (only the current kind is accepted)"),
    OPT_TEXT("reason", true, "reason", "TEXT", "why: kept in the event with who changed it"),
    OPT_END};

static const trinctl_opt_t partnership_edit_opts[] = {
    OPT_TEXT("reason", true, "reason", "TEXT", "why: kept in the event with who changed it"),
    OPT_TEXT("name", false, "name", "NAME", "its name"),
    OPT_MONEY("frame", false, "economic_frame_ore", "economic frame in kroner"),
    OPT_MONEY("trivial-threshold", false, "trivial_threshold_ore",
          "bagatelgrænse in kroner (applies to later escalations)"),
    OPT_INT("horizon-years", false, "horizon_years", 0, 15,
        "collaboration horizon after the framework, 0–15"),
    OPT_DATE("framework-start", false, "framework_start",
         "the framework's start (every project must still start inside the term)"),
    OPT_INT("framework-years", false, "framework_years", 1, 4,
        "framework term in years, 1–4 (every project must still start inside the term)"),
    OPT_CHOICE("price-closing", false, "price_closing_point", "POINT",
           lifecycle_price_point_words, "where in trin 2 the price is closed (only while no "
           "project has closed its price)"),
    OPT_CHOICE("abt-start", false, "abt_starts_at", "trin1|trin3", lifecycle_abt_start_words,
           "when the total contract (ABT) starts (only while every project is in pre_study)"),
    OPT_END};

static const trinctl_opt_t project_edit_opts[] = {
    OPT_TEXT("reason", true, "reason", "TEXT", "why: kept in the event with who changed it"),
    OPT_TEXT("name", false, "name", "NAME", "its name"),
    OPT_TEXT("department", false, "department", "D",
         "housing department / property (\"\" clears it)"),
    OPT_TEXT("municipality", false, "municipality", "M", "municipality (\"\" clears it)"),
    OPT_INT("dwellings", false, "dwellings", 0, INT32_MAX, "number of dwellings"),
    {.name = "area", .kind = TRINCTL_OPT_INT, .field = "gross_area_m2", .metavar = "M2",
     .min = 0, .max = INT32_MAX, .help = "gross floor area in m²"},
    OPT_CHOICE("kind", false, "kind", "KIND", lifecycle_project_kind_words,
           "the kind of project (only in pre_study)"),
    OPT_END};

static const trinctl_opt_t project_correct_stage_opts[] = {
    OPT_TEXT("reason", true, "reason", "TEXT",
         "why: the stage history's note, kept in the event with who corrected it"),
    OPT_CHOICE("from", false, "from_stage", "STAGE", lifecycle_stage_words,
           "the stage you are undoing; refused if the project is in another"),
    OPT_END};

static const trinctl_opt_t project_rehousing_plan_opts[] = {
    OPT_INT("households", false, "households_to_rehouse", 0, 100000,
        "households to rehouse (husstande der skal genhuses), at most the dwellings"),
    OPT_FLAG("without-rehousing", "without_rehousing",
         "renovated without rehousing: the residents stay at home"),
    OPT_END};

static const trinctl_opt_t project_rehousing_move_opts[] = {
    OPT_CHOICE("kind", true, "move.kind", "KIND", lifecycle_move_kind_words,
           "temporary (midlertidig genhusning), permanent, or moved_back (tilbageflytning)"),
    OPT_INT("households", true, "move.households", 1, 100000, "how many households moved"),
    OPT_DATE("date", true, "move.date", "when they moved (not before the project's start)"),
    OPT_TEXT("note", false, "move.note", "T", "a note; required with --beyond-plan"),
    OPT_FLAG("beyond-plan", "move.beyond_plan",
         "more households rehoused than the plan says, on purpose (say why in --note)"),
    OPT_END};

static const trinctl_opt_t no_opts[] = {OPT_END};

const trinctl_cmd_t trinctl_lifecycle_cmds[] = {
    {"org", "create", "Create an organisation.", NULL, NULL, NULL, org_create_opts,
     run_org_create},
    {"org", "list", "List the organisations.", NULL, NULL, NULL, no_opts, run_org_list},
    /* corrections (org edit, partnership edit, project edit and correct-stage):
     * each needs --reason and leaves an event with who and why */
    {"org", "edit", "Rename an organisation (its kind cannot change). Operator only.", "ID",
     "organisation_id", "the organisation's id", org_edit_opts, run_org_edit},
    {"partnership", "create", "Create a strategic partnership (framework agreement).",
     NULL, NULL, NULL, partnership_create_opts, run_partnership_create},
    {"partnership", "add-member", "Add a member organisation to a partnership.", NULL,
     NULL, NULL, partnership_add_member_opts, run_partnership_add_member},
    {"partnership", "extend", "Grant an extension of the framework term.", NULL, NULL,
     NULL, partnership_extend_opts, run_partnership_extend},
    {"partnership", "show", "Show a partnership and its members.", "ID",
     "partnership_id", "the partnership's id", no_opts, run_partnership_show},
    {"partnership", "list", "List the partnerships.", NULL, NULL, NULL, no_opts,
     run_partnership_list},
    {"partnership", "edit",
     "Correct a partnership's name, economic frame, bagatelgrænse, horizon, framework "
     "term, price-closing point or ABT start; only the options given change.",
     "ID", "partnership_id", "the partnership's id", partnership_edit_opts,
     run_partnership_edit},
    {"project", "create", "Create a project, in a partnership or outside any.", NULL,
     NULL, NULL, project_create_opts, run_project_create},
    {"project", "advance", "Move a project to its next stage.", "ID", "project_id",
     "the project's id", project_advance_opts, run_project_advance},
    {"project", "close-price",
     "Record that the price is closed (needed before trin3), when it is closed "
     "outside trin's budget service.",
     "ID", "project_id", "the project's id", project_close_price_opts,
     run_project_close_price},
    {"project", "pause", "Pause a project.", "ID", "project_id", "the project's id",
     project_pause_opts, run_project_pause},
    {"project", "resume", "Resume a paused project.", "ID", "project_id",
     "the project's id", project_resume_opts, run_project_resume},
    {"project", "show",
     "Show a project: its fields, stage history, pauses, milestones, disputes and "
     "defects; with --earned-value also its SPI, CPI, EAC and VAC.",
     "ID", "project_id", "the project's id", project_show_opts, run_project_show},
    {"project", "list", "List projects; the filters combine.", NULL, NULL, NULL,
     project_list_opts, run_project_list},
    {"project", "edit",
     "Correct a project's name, department, municipality, dwellings, area or kind; only "
     "the options given change.",
     "ID", "project_id", "the project's id", project_edit_opts, run_project_edit},
    {"project", "correct-stage",
     "Undo a stage advanced by mistake: back to the stage before, with its own date. "
     "Refused in pre_study, while paused, before the price-closing stage once the price "
     "is closed, and before handover once defects are reported.",
     "ID", "project_id", "the project's id", project_correct_stage_opts,
     run_project_correct_stage},
    /* rehousing (issue 20, item 4) */
    {"project", "rehousing-plan",
     "Record a project's rehousing plan (genhusning): how many households must move out "
     "while it is renovated, or that it is renovated without rehousing. The client's "
     "writer.",
     "ID", "project_id", "the project's id", project_rehousing_plan_opts,
     run_project_rehousing_plan},
    {"project", "rehousing-move",
     "Record households rehoused temporarily or permanently, or moved back "
     "(tilbageflytning), on a date. Never more moved back than rehoused temporarily; not "
     "more rehoused than planned unless --beyond-plan. The client's writer.",
     "ID", "project_id", "the project's id", project_rehousing_move_opts,
     run_project_rehousing_move},
    {"milestone", "set", "Create or replace a project's milestone.", "PROJECT",
     "project_id", "the project's id", milestone_set_opts, run_milestone_set},
    {"dispute", "open", "Open a dispute in a project (at level 1).", "PROJECT",
     "project_id", "the project's id", dispute_open_opts, run_dispute_open},
    {"dispute", "escalate", "Escalate a dispute up the ladder.", "ID", "dispute_id",
     "the dispute's id", dispute_escalate_opts, run_dispute_escalate},
    {"dispute", "resolve", "Record a dispute's resolution.", "ID", "dispute_id",
     "the dispute's id", dispute_resolve_opts, run_dispute_resolve},
    {"defect", "report",
     "Report a defect (fejl og mangler) found at handover or later. Only a project "
     "that has reached handover (or an inspection after it) takes defects; before "
     "that the service refuses the report.",
     "PROJECT", "project_id", "the project's id", defect_report_opts, run_defect_report},
    {"defect", "fix",
     "Record that a defect is fixed. By the client's writer it closes the defect; by the "
     "contractor's calculator or an advisor it reports the defect remedied (afhjulpet), and "
     "the defect stays open until the client confirms the repair (defect confirm).",
     "ID", "defect_id", "the defect's id", defect_fix_opts, run_defect_fix},
    {"defect", "confirm",
     "Confirm a repair the contractor reported (the client's writer): the defect is closed.",
     "ID", "defect_id", "the defect's id", defect_confirm_opts, run_defect_confirm},
    {"defect", "reject",
     "Reject a repair the contractor reported (the client's writer), saying why: the defect "
     "stays open.",
     "ID", "defect_id", "the defect's id", defect_reject_opts, run_defect_reject},
    {"dispute", "list",
     "List disputes across the partnerships you may read, open first and highest "
     "level first; the filters combine.",
     NULL, NULL, NULL, dispute_list_opts, run_dispute_list},
    {"defect", "list",
     "List defects across the partnerships you may read, open first and earliest "
     "due first; the filters combine.",
     NULL, NULL, NULL, defect_list_opts, run_defect_list},
    /* issue 20, item 6: AB18 deadlines */
    {"project", "inspection",
     "Record that the 1- or 5-year inspection (1-/5-års eftersyn) was held (the client's "
     "writer). Both are due 1 and 5 years after the actual handover; once held, the "
     "inspection no longer counts as the project's next deadline nor as overdue on the "
     "status feed. Refused before handover, before the handover date and a second time.",
     "ID", "project_id", "the project's id", project_inspection_opts, run_project_inspection},
    /* sustainability and reuse (issue 20, item 3) */
    {"project", "sustainability",
     "Record a project's sustainability measure (the client's writer): reused material "
     "(kg, m², from which project of the partnership), a take-back agreement, an energy "
     "renovation (kWh/m² a year before, expected and measured after), CO₂e saved and its "
     "method. The same --id again replaces the measure (e.g. to add the measured energy).",
     "PROJECT", "project_id", "the project's id", trinctl_sustain_record_opts,
     trinctl_sustain_run_record},
    /* lessons learned (issue 20, item 5) */
    {"lesson", "record",
     "Record what a project learned (any member taking part: client, advisor, contractor): "
     "the lesson in words, its category and date. The same --id again corrects it.",
     "PROJECT", "project_id", "the project it was learned in", trinctl_lesson_record_opts,
     trinctl_lesson_run_record},
    {"lesson", "adopt",
     "Record that PROJECT adopted a lesson of another project of its partnership, with the "
     "effect in words and, where it was measured, the change in a repetition measure.",
     "PROJECT", "project_id", "the adopting project", trinctl_lesson_adopt_opts,
     trinctl_lesson_run_adopt},
    {"lesson", "list",
     "List the lessons learned you may read, oldest first, each with the projects that "
     "adopted it; the filters combine.",
     NULL, NULL, NULL, trinctl_lesson_list_opts, trinctl_lesson_run_list},
    {"events", NULL, "List the service's events (its outbox), oldest first.", NULL, NULL,
     NULL, events_opts, run_events},
    {"ping", NULL, "Ask whether the service is up and how far its event log is.", NULL,
     NULL, NULL, no_opts, run_ping},
    {NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL},
};

/* ---------------------------------------------------------- type registry */

static const ProtobufCMessageDescriptor *const known_types[] = {
    &trin__error__descriptor,
    &trin__envelope__descriptor,
    &trin__event__descriptor,
    &trin__events_since__descriptor,
    &trin__event_batch__descriptor,
    &trin__ping__descriptor,
    &trin__pong__descriptor,
    &trin__lifecycle__organisation__descriptor,
    &trin__lifecycle__member__descriptor,
    &trin__lifecycle__partnership__descriptor,
    &trin__lifecycle__stage_entry__descriptor,
    &trin__lifecycle__pause__descriptor,
    &trin__lifecycle__milestone__descriptor,
    &trin__lifecycle__dispute_step__descriptor,
    &trin__lifecycle__dispute__descriptor,
    &trin__lifecycle__defect__descriptor,
    &trin__lifecycle__project__descriptor,
    &trin__lifecycle__create_organisation__descriptor,
    &trin__lifecycle__list_organisations__descriptor,
    &trin__lifecycle__create_partnership__descriptor,
    &trin__lifecycle__add_member__descriptor,
    &trin__lifecycle__extend_framework__descriptor,
    &trin__lifecycle__get_partnership__descriptor,
    &trin__lifecycle__list_partnerships__descriptor,
    &trin__lifecycle__create_project__descriptor,
    &trin__lifecycle__advance_stage__descriptor,
    &trin__lifecycle__close_price__descriptor,
    &trin__lifecycle__pause_project__descriptor,
    &trin__lifecycle__resume_project__descriptor,
    &trin__lifecycle__set_milestone__descriptor,
    &trin__lifecycle__open_dispute__descriptor,
    &trin__lifecycle__escalate_dispute__descriptor,
    &trin__lifecycle__resolve_dispute__descriptor,
    &trin__lifecycle__report_defect__descriptor,
    &trin__lifecycle__fix_defect__descriptor,
    &trin__lifecycle__get_project__descriptor,
    &trin__lifecycle__list_projects__descriptor,
    &trin__lifecycle__confirm_defect_fix__descriptor,
    &trin__lifecycle__reject_defect_fix__descriptor,
    &trin__lifecycle__organisation_reply__descriptor,
    &trin__lifecycle__organisation_list__descriptor,
    &trin__lifecycle__partnership_reply__descriptor,
    &trin__lifecycle__partnership_list__descriptor,
    &trin__lifecycle__project_reply__descriptor,
    &trin__lifecycle__project_list__descriptor,
    &trin__lifecycle__project_event__descriptor,
    &trin__lifecycle__correction__descriptor,
    &trin__lifecycle__edit_organisation__descriptor,
    &trin__lifecycle__edit_partnership__descriptor,
    &trin__lifecycle__edit_project__descriptor,
    &trin__lifecycle__correct_stage__descriptor,
    &trin__lifecycle__list_disputes__descriptor,
    &trin__lifecycle__list_defects__descriptor,
    &trin__lifecycle__project_ref__descriptor,
    &trin__lifecycle__dispute_row__descriptor,
    &trin__lifecycle__dispute_list__descriptor,
    &trin__lifecycle__defect_row__descriptor,
    &trin__lifecycle__defect_list__descriptor,
    &trin__lifecycle__rehousing_move__descriptor,
    &trin__lifecycle__set_rehousing_plan__descriptor,
    &trin__lifecycle__record_rehousing_move__descriptor,
    &trin__lifecycle__hold_inspection__descriptor,
    /* sustainability and reuse (issue 20, item 3) */
    &trin__lifecycle__sustainability_measure__descriptor,
    &trin__lifecycle__sustainability_totals__descriptor,
    &trin__lifecycle__record_sustainability__descriptor,
    &trin__lifecycle__sustainability_reply__descriptor,
    /* lessons learned (issue 20, item 5) */
    &trin__lifecycle__lesson__descriptor,
    &trin__lifecycle__lesson_adoption__descriptor,
    &trin__lifecycle__record_lesson__descriptor,
    &trin__lifecycle__adopt_lesson__descriptor,
    &trin__lifecycle__lesson_reply__descriptor,
    &trin__lifecycle__list_lessons__descriptor,
    &trin__lifecycle__lesson_list__descriptor,
};

const ProtobufCMessageDescriptor *trinctl_lifecycle_resolve(const char *full_name) {
  for (size_t i = 0; i < sizeof known_types / sizeof *known_types; i++)
    if (strcmp(known_types[i]->name, full_name) == 0) return known_types[i];
  return NULL;
}
