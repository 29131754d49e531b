/* lcclient — see lcclient.h. */
#include "lcclient.h"

#include "testcall.h"
#include "trin_codec.h"

static int call(trin_client_t *c, const ProtobufCMessage *req,
                const ProtobufCMessageDescriptor *d, trin_err_t *err) {
  return testcall(c, req, d, NULL, err);
}

int lc_org(trin_client_t *c, const char *id, const char *kind, trin_err_t *err) {
  Trin__Lifecycle__Organisation o = TRIN__LIFECYCLE__ORGANISATION__INIT;
  o.id = (char *)id;
  o.name = (char *)id;
  o.kind = (char *)kind;
  Trin__Lifecycle__CreateOrganisation m = TRIN__LIFECYCLE__CREATE_ORGANISATION__INIT;
  m.organisation = &o;
  return call(c, &m.base, &trin__lifecycle__organisation_reply__descriptor, err);
}

int lc_partnership(trin_client_t *c, const char *id, const char *client,
                   const char *start, const char *price_point, int64_t trivial_ore,
                   trin_err_t *err) {
  Trin__Lifecycle__Partnership p = TRIN__LIFECYCLE__PARTNERSHIP__INIT;
  p.id = (char *)id;
  p.name = (char *)id;
  p.client_org = (char *)client;
  p.framework_start = (char *)start;
  p.framework_years = 4;
  p.horizon_years = 10;
  p.price_closing_point = (char *)price_point;
  p.trivial_threshold_ore = trivial_ore;
  Trin__Lifecycle__CreatePartnership m = TRIN__LIFECYCLE__CREATE_PARTNERSHIP__INIT;
  m.partnership = &p;
  return call(c, &m.base, &trin__lifecycle__partnership_reply__descriptor, err);
}

int lc_project(trin_client_t *c, const char *id, const char *partnership,
               const char *client, bool fast_track, const char *start, trin_err_t *err) {
  Trin__Lifecycle__Project p = TRIN__LIFECYCLE__PROJECT__INIT;
  p.id = (char *)id;
  p.name = (char *)id;
  p.partnership_id = (char *)(partnership ? partnership : "");
  p.client_org = (char *)(client ? client : "");
  p.kind = "helhedsplan";
  p.dwellings = 120;
  p.gross_area_m2 = 9000;
  p.fast_track = fast_track;
  p.start_date = (char *)start;
  Trin__Lifecycle__CreateProject m = TRIN__LIFECYCLE__CREATE_PROJECT__INIT;
  m.project = &p;
  return call(c, &m.base, &trin__lifecycle__project_reply__descriptor, err);
}

int lc_advance(trin_client_t *c, const char *id, const char *to, const char *date,
               trin_err_t *err) {
  Trin__Lifecycle__AdvanceStage m = TRIN__LIFECYCLE__ADVANCE_STAGE__INIT;
  m.project_id = (char *)id;
  m.to_stage = (char *)to;
  m.date = (char *)date;
  return call(c, &m.base, &trin__lifecycle__project_reply__descriptor, err);
}

int lc_close_price(trin_client_t *c, const char *id, const char *date, trin_err_t *err) {
  Trin__Lifecycle__ClosePrice m = TRIN__LIFECYCLE__CLOSE_PRICE__INIT;
  m.project_id = (char *)id;
  m.date = (char *)date;
  m.reference = "skema-b";
  return call(c, &m.base, &trin__lifecycle__project_reply__descriptor, err);
}

int lc_pause(trin_client_t *c, const char *id, const char *reason, const char *date,
             trin_err_t *err) {
  Trin__Lifecycle__PauseProject m = TRIN__LIFECYCLE__PAUSE_PROJECT__INIT;
  m.project_id = (char *)id;
  m.reason = (char *)reason;
  m.date = (char *)date;
  return call(c, &m.base, &trin__lifecycle__project_reply__descriptor, err);
}

int lc_resume(trin_client_t *c, const char *id, const char *date, trin_err_t *err) {
  Trin__Lifecycle__ResumeProject m = TRIN__LIFECYCLE__RESUME_PROJECT__INIT;
  m.project_id = (char *)id;
  m.date = (char *)date;
  return call(c, &m.base, &trin__lifecycle__project_reply__descriptor, err);
}

int lc_milestone(trin_client_t *c, const char *id, const char *name, const char *baseline,
                 const char *forecast, const char *actual, trin_err_t *err) {
  Trin__Lifecycle__Milestone ms = TRIN__LIFECYCLE__MILESTONE__INIT;
  ms.name = (char *)name;
  ms.baseline = (char *)baseline;
  ms.forecast = (char *)(forecast ? forecast : "");
  ms.actual = (char *)(actual ? actual : "");
  Trin__Lifecycle__SetMilestone m = TRIN__LIFECYCLE__SET_MILESTONE__INIT;
  m.project_id = (char *)id;
  m.milestone = &ms;
  return call(c, &m.base, &trin__lifecycle__project_reply__descriptor, err);
}

int lc_dispute_open(trin_client_t *c, const char *project, const char *id,
                    int64_t amount_ore, const char *date, trin_err_t *err) {
  Trin__Lifecycle__OpenDispute m = TRIN__LIFECYCLE__OPEN_DISPUTE__INIT;
  m.project_id = (char *)project;
  m.dispute_id = (char *)id;
  m.title = "Ansvar for skjulte fejl i facaden";
  m.amount_ore = amount_ore;
  m.date = (char *)date;
  return call(c, &m.base, &trin__lifecycle__project_reply__descriptor, err);
}

int lc_dispute_escalate(trin_client_t *c, const char *id, int level, const char *date,
                        trin_err_t *err) {
  Trin__Lifecycle__EscalateDispute m = TRIN__LIFECYCLE__ESCALATE_DISPUTE__INIT;
  m.dispute_id = (char *)id;
  m.to_level = level;
  m.date = (char *)date;
  return call(c, &m.base, &trin__lifecycle__project_reply__descriptor, err);
}

int lc_dispute_resolve(trin_client_t *c, const char *id, const char *date,
                       const char *resolution, trin_err_t *err) {
  Trin__Lifecycle__ResolveDispute m = TRIN__LIFECYCLE__RESOLVE_DISPUTE__INIT;
  m.dispute_id = (char *)id;
  m.date = (char *)date;
  m.resolution = (char *)resolution;
  return call(c, &m.base, &trin__lifecycle__project_reply__descriptor, err);
}

int lc_get(trin_client_t *c, const char *id, Trin__Lifecycle__ProjectReply **out,
           trin_err_t *err) {
  Trin__Lifecycle__GetProject m = TRIN__LIFECYCLE__GET_PROJECT__INIT;
  m.project_id = (char *)id;
  return trin_client_call(c, &m.base, &trin__lifecycle__project_reply__descriptor,
                          (ProtobufCMessage **)out, err);
}

/* ---- rehousing (issue 20, item 4) */

int lc_rehousing_plan(trin_client_t *c, const char *project, int households, bool without,
                      trin_err_t *err) {
  Trin__Lifecycle__SetRehousingPlan m = TRIN__LIFECYCLE__SET_REHOUSING_PLAN__INIT;
  m.project_id = (char *)project;
  m.households_to_rehouse = households;
  m.without_rehousing = without;
  return call(c, &m.base, &trin__lifecycle__project_reply__descriptor, err);
}

int lc_rehousing_move(trin_client_t *c, const char *project, const char *kind, int households,
                      const char *date, const char *note, bool beyond_plan, trin_err_t *err) {
  Trin__Lifecycle__RehousingMove mv = TRIN__LIFECYCLE__REHOUSING_MOVE__INIT;
  mv.kind = (char *)kind;
  mv.households = households;
  mv.date = (char *)date;
  mv.note = (char *)(note ? note : "");
  mv.beyond_plan = beyond_plan;
  Trin__Lifecycle__RecordRehousingMove m = TRIN__LIFECYCLE__RECORD_REHOUSING_MOVE__INIT;
  m.project_id = (char *)project;
  m.move = &mv;
  return call(c, &m.base, &trin__lifecycle__project_reply__descriptor, err);
}
