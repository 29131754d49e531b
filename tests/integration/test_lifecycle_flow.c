/* lifecycle.flow — the real trin-lifecycle process driven through the
 * client library: a project from pre-study to closed, fast track, pause and
 * resume, a dispute up the ladder, and refusals that change nothing. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>
#include <cmocka.h>

#include "lcclient.h"
#include "testcall.h"
#include "testproc.h"
#include "trin_codec.h"

static testproc_t svc;
static trin_client_t *cl;

static uint64_t last_seq(void) {
  Trin__Ping ping = TRIN__PING__INIT;
  Trin__Pong *pong = NULL;
  trin_err_t err;
  assert_int_equal(trin_client_call(cl, &ping.base, &trin__pong__descriptor,
                                    (ProtobufCMessage **)&pong, &err),
                   TRIN_OK);
  uint64_t s = pong->last_seq;
  trin_codec_free(pong);
  return s;
}

/* The call must fail with code on field, and the event log must not move. */
#define REFUSED(expr, code, fld) REFUSED_UNCHANGED(expr, code, fld, last_seq())

static int setup(void **state) {
  testproc_init(&svc, "flow");
  if (!testproc_start(&svc, TRIN_LIFECYCLE_BIN, NULL)) return -1;
  trin_err_t err;
  if (trin_client_new(svc.endpoint, &cl, &err)) return -1;
  OK(lc_org(cl, "LIVA", "client", &e_));
  OK(lc_org(cl, "NCC", "contractor", &e_));
  OK(lc_org(cl, "KAB", "client", &e_));
  OK(lc_partnership(cl, "LIVA-P", "LIVA", "2022-01-01", "myndighedsprojekt",
                    5000000, &e_));
  return 0;
}

static int teardown(void **state) {
  trin_client_destroy(&cl);
  int rc = testproc_stop(&svc);
  testproc_cleanup(&svc);
  return rc == 0 ? 0 : -1;
}

static void full_lifecycle(void **state) {
  OK(lc_project(cl, "P1", "LIVA-P", NULL, false, "2023-03-01", &e_));
  OK(lc_advance(cl, "P1", "trin1", "2023-04-01", &e_));
  REFUSED(lc_advance(cl, "P1", "trin3", "2023-05-01", &e_), TRIN_ECONFLICT, "to_stage");
  OK(lc_advance(cl, "P1", "trin2", "2023-09-01", &e_));
  REFUSED(lc_advance(cl, "P1", "trin3", "2024-01-01", &e_), TRIN_ECONFLICT, "price_closed");
  OK(lc_close_price(cl, "P1", "2024-02-01", &e_));
  OK(lc_advance(cl, "P1", "trin3", "2024-03-01", &e_));
  OK(lc_advance(cl, "P1", "handover", "2025-06-01", &e_));
  OK(lc_advance(cl, "P1", "inspection_1y", "2026-06-01", &e_));
  OK(lc_advance(cl, "P1", "inspection_5y", "2030-06-01", &e_));
  OK(lc_advance(cl, "P1", "closed", "2030-09-01", &e_));
  REFUSED(lc_advance(cl, "P1", "handover", "2030-10-01", &e_), TRIN_ECONFLICT, "to_stage");

  Trin__Lifecycle__ProjectReply *r = NULL;
  OK(lc_get(cl, "P1", &r, &e_));
  assert_string_equal(r->project->stage, "closed");
  assert_string_equal(r->project->stage_since, "2030-09-01");
  assert_string_equal(r->project->client_org, "LIVA");
  assert_true(r->project->price_closed);
  assert_int_equal(r->project->n_stages, 8);
  const char *expect[] = {"pre_study", "trin1", "trin2", "trin3", "handover",
                          "inspection_1y", "inspection_5y", "closed"};
  for (int i = 0; i < 8; i++) assert_string_equal(r->project->stages[i]->stage, expect[i]);
  trin_codec_free(r);
}

static void fast_track(void **state) {
  OK(lc_project(cl, "F1", "LIVA-P", NULL, true, "2023-03-01", &e_));
  REFUSED(lc_advance(cl, "F1", "trin1", "2023-04-01", &e_), TRIN_ECONFLICT, "to_stage");
  OK(lc_advance(cl, "F1", "trin1_2", "2023-04-01", &e_));
  REFUSED(lc_advance(cl, "F1", "trin2", "2023-05-01", &e_), TRIN_ECONFLICT, "to_stage");
  OK(lc_close_price(cl, "F1", "2023-06-01", &e_));
  OK(lc_advance(cl, "F1", "trin3", "2023-06-15", &e_));
  Trin__Lifecycle__ProjectReply *r = NULL;
  OK(lc_get(cl, "F1", &r, &e_));
  assert_true(r->project->fast_track);
  assert_string_equal(r->project->stage, "trin3");
  assert_int_equal(r->project->n_stages, 3);
  trin_codec_free(r);
}

static void paused_and_resumed(void **state) {
  OK(lc_project(cl, "Q1", NULL, "KAB", false, "2024-01-10", &e_));
  OK(lc_advance(cl, "Q1", "trin1", "2024-02-01", &e_));
  OK(lc_pause(cl, "Q1", "resident_democracy", "2024-03-01", &e_));
  REFUSED(lc_pause(cl, "Q1", "financing", "2024-03-05", &e_), TRIN_ECONFLICT, "paused");
  REFUSED(lc_advance(cl, "Q1", "trin2", "2024-04-01", &e_), TRIN_ECONFLICT, "to_stage");
  REFUSED(lc_resume(cl, "Q1", "2024-02-15", &e_), TRIN_EINVALID, "date");
  OK(lc_resume(cl, "Q1", "2024-06-01", &e_));
  REFUSED(lc_resume(cl, "Q1", "2024-06-02", &e_), TRIN_ECONFLICT, "paused");
  OK(lc_advance(cl, "Q1", "trin2", "2024-07-01", &e_));
  Trin__Lifecycle__ProjectReply *r = NULL;
  OK(lc_get(cl, "Q1", &r, &e_));
  assert_false(r->project->paused);
  assert_string_equal(r->project->partnership_id, "");
  assert_int_equal(r->project->n_pauses, 1);
  assert_string_equal(r->project->pauses[0]->reason, "resident_democracy");
  assert_string_equal(r->project->pauses[0]->from, "2024-03-01");
  assert_string_equal(r->project->pauses[0]->to, "2024-06-01");
  trin_codec_free(r);
}

static void dispute_to_level_3_and_resolved(void **state) {
  OK(lc_project(cl, "D1", "LIVA-P", NULL, false, "2023-01-01", &e_));
  /* Below the partnership's trivial threshold (50,000 kr): stays in the
   * project. */
  OK(lc_dispute_open(cl, "D1", "T-small", 1000000, "2023-02-01", &e_));
  REFUSED(lc_dispute_escalate(cl, "T-small", 2, "2023-02-10", &e_), TRIN_ECONFLICT,
          "to_level");
  OK(lc_dispute_open(cl, "D1", "T-big", 75000000, "2023-02-01", &e_));
  OK(lc_dispute_escalate(cl, "T-big", 2, "2023-02-15", &e_));
  REFUSED(lc_dispute_escalate(cl, "T-big", 2, "2023-02-16", &e_), TRIN_ECONFLICT,
          "to_level");
  REFUSED(lc_dispute_escalate(cl, "T-big", 3, "2023-02-01", &e_), TRIN_EINVALID, "date");
  OK(lc_dispute_escalate(cl, "T-big", 3, "2023-03-01", &e_));

  Trin__Lifecycle__ProjectReply *r = NULL;
  OK(lc_get(cl, "D1", &r, &e_));
  assert_int_equal(r->project->open_disputes, 2);
  assert_int_equal(r->project->max_dispute_level, 3);
  trin_codec_free(r);

  OK(lc_dispute_resolve(cl, "T-big", "2023-04-01", "Delt 50/50 i konfliktforum", &e_));
  REFUSED(lc_dispute_resolve(cl, "T-big", "2023-04-02", "again", &e_), TRIN_ECONFLICT,
          "resolved");
  REFUSED(lc_dispute_escalate(cl, "T-big", 4, "2023-04-05", &e_), TRIN_ECONFLICT,
          "to_level");
  OK(lc_get(cl, "D1", &r, &e_));
  assert_int_equal(r->project->open_disputes, 1);
  assert_int_equal(r->project->max_dispute_level, 1);
  assert_int_equal(r->project->n_disputes, 2);
  const Trin__Lifecycle__Dispute *d = r->project->disputes[0];
  if (strcmp(d->id, "T-big") != 0) d = r->project->disputes[1];
  assert_true(d->resolved);
  assert_int_equal(d->level, 3);
  assert_string_equal(d->level_name, "conflict forum");
  assert_int_equal(d->n_steps, 3);
  assert_int_equal(d->steps[2]->level, 3);
  assert_string_equal(d->resolution, "Delt 50/50 i konfliktforum");
  trin_codec_free(r);
}

static void milestones_and_variance(void **state) {
  OK(lc_project(cl, "M1", "LIVA-P", NULL, false, "2023-01-01", &e_));
  OK(lc_milestone(cl, "M1", "handover", "2027-01-01", "2027-01-31", NULL, &e_));
  REFUSED(lc_milestone(cl, "M1", "handover", "2027-13-01", NULL, NULL, &e_), TRIN_EINVALID,
          "milestone.baseline");
  Trin__Lifecycle__ProjectReply *r = NULL;
  OK(lc_get(cl, "M1", &r, &e_));
  assert_int_equal(r->project->schedule_variance_days, 30);
  assert_string_equal(r->project->baseline_handover, "2027-01-01");
  assert_string_equal(r->project->forecast_handover, "2027-01-31");
  assert_int_equal(r->project->n_milestones, 1);
  assert_int_equal(r->project->milestones[0]->variance_days, 30);
  trin_codec_free(r);
  OK(lc_milestone(cl, "M1", "handover", "2027-01-01", "2027-01-31", "2026-12-20", &e_));
  OK(lc_get(cl, "M1", &r, &e_));
  assert_int_equal(r->project->schedule_variance_days, -12);
  trin_codec_free(r);
}

/* Issue 18: an actual date decades before the baseline (and before the
 * project started, 2023-01-01) was accepted. No milestone date may lie
 * before the project's start: refused naming the field, nothing changed. */
static void milestone_before_project_start_refused(void **state) {
  OK(lc_project(cl, "M2", "LIVA-P", NULL, false, "2023-01-01", &e_));
  OK(lc_milestone(cl, "M2", "handover", "2027-01-01", "2027-01-31", NULL, &e_));
  trin_err_t e = {0};
  uint64_t before = last_seq();
  assert_int_equal(lc_milestone(cl, "M2", "handover", "2023-01-01", NULL, "1999-01-01", &e),
                   TRIN_EINVALID);
  assert_string_equal(e.field, "milestone.actual");
  assert_non_null(
      strstr(e.message, "actual (1999-01-01) is before the project's start date (2023-01-01)"));
  assert_int_equal(last_seq(), before);
  REFUSED(lc_milestone(cl, "M2", "handover", "2022-12-31", NULL, NULL, &e_), TRIN_EINVALID,
          "milestone.baseline");
  REFUSED(lc_milestone(cl, "M2", "handover", "2027-01-01", "2022-06-01", NULL, &e_),
          TRIN_EINVALID, "milestone.forecast");
  Trin__Lifecycle__ProjectReply *r = NULL;
  OK(lc_get(cl, "M2", &r, &e_));
  assert_int_equal(r->project->n_milestones, 1);
  assert_string_equal(r->project->milestones[0]->baseline, "2027-01-01");
  assert_string_equal(r->project->milestones[0]->forecast, "2027-01-31");
  assert_string_equal(r->project->milestones[0]->actual, "");
  assert_int_equal(r->project->schedule_variance_days, 30);
  trin_codec_free(r);
  /* The start day itself is a valid date for a milestone. */
  OK(lc_milestone(cl, "M2", "kickoff", "2023-01-01", NULL, "2023-01-01", &e_));
}

static void refusals_change_nothing(void **state) {
  REFUSED(lc_advance(cl, "NOPE", "trin1", "2024-01-01", &e_), TRIN_ENOTFOUND, "project_id");
  REFUSED(lc_advance(cl, "P1", "trin9", "2024-01-01", &e_), TRIN_EINVALID, "to_stage");
  /* Outside the framework term (2022-01-01 + 4 years). */
  REFUSED(lc_project(cl, "LATE", "LIVA-P", NULL, false, "2026-01-01", &e_), TRIN_ECONFLICT,
          "project.start_date");
  REFUSED(lc_project(cl, "BAD", "NOPE", NULL, false, "2024-01-01", &e_), TRIN_ENOTFOUND,
          "project.partnership_id");
  REFUSED(lc_project(cl, "BAD2", NULL, NULL, false, "2024-01-01", &e_), TRIN_EINVALID,
          "project.client_org");
  REFUSED(lc_project(cl, "BAD3", NULL, "NCC", false, "2024-01-01", &e_), TRIN_EINVALID,
          "project.client_org");
  REFUSED(lc_project(cl, "P1", "LIVA-P", NULL, false, "2023-03-01", &e_), TRIN_ECONFLICT,
          "project.id");
  REFUSED(lc_project(cl, "bad id", "LIVA-P", NULL, false, "2023-03-01", &e_), TRIN_EINVALID,
          "project.id");
  REFUSED(lc_dispute_open(cl, "D1", "NEG", -1, "2023-02-01", &e_), TRIN_EINVALID,
          "amount_ore");
  REFUSED(lc_org(cl, "X", "plumber", &e_), TRIN_EINVALID, "organisation.kind");
  Trin__Lifecycle__ProjectReply *r = NULL;
  trin_err_t err;
  assert_int_equal(lc_get(cl, "LATE", &r, &err), TRIN_ENOTFOUND);
  assert_int_equal(lc_get(cl, "BAD3", &r, &err), TRIN_ENOTFOUND);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(full_lifecycle),
      cmocka_unit_test(fast_track),
      cmocka_unit_test(paused_and_resumed),
      cmocka_unit_test(dispute_to_level_3_and_resolved),
      cmocka_unit_test(milestones_and_variance),
      cmocka_unit_test(milestone_before_project_start_refused),
      cmocka_unit_test(refusals_change_nothing),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
