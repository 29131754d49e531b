/* lifecycle.corrections — mistakes corrected with a trace, through the real
 * trin-lifecycle and trin-aggregator processes: a project renamed (name,
 * municipality, dwellings), a stage advanced by mistake corrected, an
 * organisation and a partnership renamed; each change is an event whose
 * payload says who and why (EventsSince), the stage history keeps both
 * entries and the correction, and the aggregator's status row shows the new
 * names and stage. Then the refusals, each with its words and nothing
 * committed: correcting the stage of a price-closed project back before
 * trin 2, an organisation's kind, a project's kind after pre-study, no
 * fields, an unknown field, no reason. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <cmocka.h>

#include "lcclient.h"
#include "test_aggregator_util.h"
#include "testcall.h"
#include "testproc.h"
#include "trin/envelope.pb-c.h"
#include "trin_codec.h"

static testproc_t lc, agg;
static trin_client_t *cl;

/* Starts an aggregator following lc; returns its HTTP port (read from its log). */
static int start_aggregator(testproc_t *p) {
  char a1[400], a2[400];
  snprintf(a1, sizeof a1, "--lifecycle-endpoint=%s", lc.endpoint);
  snprintf(a2, sizeof a2, "--lifecycle-pub-endpoint=%s", lc.pub);
  const char *extra[] = {a1, a2, "--budget-endpoint=", "--survey-endpoint=",
                         "--benchmark-endpoint=", "--http-address=127.0.0.1:0",
                         "--token=" TU_TOKEN, "--retry-ms=200", NULL};
  assert_true(testproc_start(p, TRIN_AGGREGATOR_BIN, extra));
  int port = testproc_http_port(p);
  if (port <= 0) fail_msg("no HTTP port in %s", p->log);
  return port;
}

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

/* Waits (a generous bound, ending as soon as it holds) until the aggregator
 * has stored the effect of every lifecycle event. */
static void catch_up(int port) {
  uint64_t want = last_seq();
  if (!tu_wait_caught_up(port, "lifecycle", want))
    fail_msg("the aggregator did not catch up with lifecycle event %llu", (unsigned long long)want);
}

/* The status row of project id (a new reference, the caller's to decref). */
static json_t *row_of(int port, const char *id) {
  tu_http_t r;
  assert_true(tu_get_auth(port, "/api/v1/status", &r));
  assert_int_equal(r.status, 200);
  json_t *doc = json_loads(r.body, 0, NULL);
  assert_non_null(doc);
  tu_http_free(&r);
  json_t *rows = json_object_get(doc, "rows"), *row = NULL, *found = NULL;
  size_t i;
  json_array_foreach(rows, i, row) {
    if (strcmp(json_string_value(json_object_get(row, "project_id")), id) == 0)
      found = json_incref(row);
  }
  json_decref(doc);
  assert_non_null(found);
  return found;
}

static void assert_row_str(json_t *row, const char *key, const char *want) {
  const char *got = json_string_value(json_object_get(row, key));
  if (!got || strcmp(got, want) != 0) print_error("%s: want %s, got %s\n", key, want, got);
  assert_non_null(got);
  assert_string_equal(got, want);
}

/* ---- the corrections as calls ------------------------------------------------ */

static int edit_project(const char *id, char **fields, size_t n, const char *name,
                        const char *municipality, int dwellings, const char *kind,
                        const char *reason, Trin__Lifecycle__ProjectReply **out, trin_err_t *err) {
  Trin__Lifecycle__EditProject m = TRIN__LIFECYCLE__EDIT_PROJECT__INIT;
  m.project_id = (char *)id;
  m.fields = fields;
  m.n_fields = n;
  m.name = (char *)name;
  m.municipality = (char *)municipality;
  m.dwellings = dwellings;
  m.kind = (char *)kind;
  m.reason = (char *)reason;
  return testcall(cl, &m.base, &trin__lifecycle__project_reply__descriptor,
                  (ProtobufCMessage **)out, err);
}

static int correct_stage(const char *id, const char *reason, const char *from,
                         Trin__Lifecycle__ProjectReply **out, trin_err_t *err) {
  Trin__Lifecycle__CorrectStage m = TRIN__LIFECYCLE__CORRECT_STAGE__INIT;
  m.project_id = (char *)id;
  m.reason = (char *)reason;
  m.from_stage = (char *)from;
  return testcall(cl, &m.base, &trin__lifecycle__project_reply__descriptor,
                  (ProtobufCMessage **)out, err);
}

static int edit_org(const char *id, const char *name, const char *kind, const char *reason,
                    trin_err_t *err) {
  Trin__Lifecycle__EditOrganisation m = TRIN__LIFECYCLE__EDIT_ORGANISATION__INIT;
  m.organisation_id = (char *)id;
  m.name = (char *)name;
  m.kind = (char *)kind;
  m.reason = (char *)reason;
  return testcall(cl, &m.base, &trin__lifecycle__organisation_reply__descriptor, NULL, err);
}

static int edit_partnership_name(const char *id, const char *name, const char *reason,
                                 trin_err_t *err) {
  Trin__Lifecycle__EditPartnership m = TRIN__LIFECYCLE__EDIT_PARTNERSHIP__INIT;
  char *fields[] = {"name"};
  m.partnership_id = (char *)id;
  m.fields = fields;
  m.n_fields = 1;
  m.name = (char *)name;
  m.reason = (char *)reason;
  return testcall(cl, &m.base, &trin__lifecycle__partnership_reply__descriptor, NULL, err);
}

/* expr fills e_ (as in testcall.h); the message must hold words. */
#define SAYS(expr, code, fld, words)                                                  \
  do {                                                                                \
    trin_err_t e_ = {0};                                                              \
    uint64_t before_ = last_seq();                                                    \
    int rc_ = (expr);                                                                 \
    if (rc_ != (code) || !strstr(e_.message, (words)))                                \
      print_error("%s: got %d: %s (field %s)\n", #expr, rc_, e_.message, e_.field);   \
    assert_int_equal(rc_, (code));                                                    \
    assert_string_equal(e_.field, (fld));                                             \
    assert_non_null(strstr(e_.message, (words)));                                     \
    assert_int_equal(last_seq(), before_);                                            \
  } while (0)

/* The event numbered seq, decoded as a ProjectEvent (the caller frees it). */
static Trin__Event *event_at(uint64_t seq) {
  Trin__EventsSince q = TRIN__EVENTS_SINCE__INIT;
  q.after_seq = seq - 1;
  q.limit = 1;
  Trin__EventBatch *b = NULL;
  trin_err_t err;
  assert_int_equal(trin_client_call(cl, &q.base, &trin__event_batch__descriptor,
                                    (ProtobufCMessage **)&b, &err),
                   TRIN_OK);
  assert_int_equal(b->n_events, 1);
  assert_int_equal(b->events[0]->seq, seq);
  /* Detach the one event from the batch before freeing the batch. */
  Trin__Event *ev = b->events[0];
  uint8_t *buf = malloc(protobuf_c_message_get_packed_size(&ev->base));
  size_t n = protobuf_c_message_pack(&ev->base, buf);
  trin_codec_free(b);
  Trin__Event *copy = NULL;
  assert_int_equal(trin_codec_unpack(&trin__event__descriptor, buf, n, "event",
                                     (ProtobufCMessage **)&copy, &err),
                   TRIN_OK);
  free(buf);
  return copy;
}

static Trin__Lifecycle__ProjectEvent *project_payload(const Trin__Event *ev) {
  Trin__Lifecycle__ProjectEvent *pe = NULL;
  trin_err_t err;
  assert_string_equal(ev->payload_type, "trin.lifecycle.ProjectEvent");
  assert_int_equal(trin_codec_unpack(&trin__lifecycle__project_event__descriptor,
                                     ev->payload.data, ev->payload.len, "payload",
                                     (ProtobufCMessage **)&pe, &err),
                   TRIN_OK);
  return pe;
}

static void scenario(void **state) {
  (void)state;
  testproc_init(&lc, "corr-lc");
  testproc_init(&agg, "corr-agg");
  assert_true(testproc_start(&lc, TRIN_LIFECYCLE_BIN, NULL));
  trin_err_t err;
  assert_int_equal(trin_client_new(lc.endpoint, &cl, &err), TRIN_OK);
  int port = start_aggregator(&agg);

  OK(lc_org(cl, "KAB", "client", &e_));
  OK(lc_partnership(cl, "LIVA", "KAB", "2022-01-01", "myndighedsprojekt", 0, &e_));
  OK(lc_project(cl, "P1", "LIVA", "", false, "2022-03-01", &e_));
  OK(lc_advance(cl, "P1", "trin1", "2022-06-01", &e_));
  OK(lc_advance(cl, "P1", "trin2", "2022-08-01", &e_));
  catch_up(port);

  /* rename the project: only the fields named change */
  char *fields[] = {"name", "municipality", "dwellings"};
  Trin__Lifecycle__ProjectReply *r = NULL;
  OK(edit_project("P1", fields, 3, "Tingbjerg etape 1", "København", 240, "renovation",
                  "the name and figures were typed from an old draft", &r, &e_));
  assert_string_equal(r->project->name, "Tingbjerg etape 1");
  assert_string_equal(r->project->municipality, "København");
  assert_int_equal(r->project->dwellings, 240);
  assert_string_equal(r->project->kind, "helhedsplan");  /* not named: unchanged */
  uint64_t edited = r->seq;
  assert_true(edited > 0);
  assert_int_equal(r->project->version, edited);
  trin_codec_free(r);

  /* the same values again: answered, no event */
  OK(edit_project("P1", fields, 3, "Tingbjerg etape 1", "København", 240, NULL, "again", &r,
                  &e_));
  assert_int_equal(r->seq, 0);
  trin_codec_free(r);
  assert_int_equal(last_seq(), edited);

  /* trin2 was entered by mistake: back to trin1 with its own date */
  OK(correct_stage("P1", "advanced to trin 2 by mistake", "trin2", &r, &e_));
  assert_string_equal(r->project->stage, "trin1");
  assert_string_equal(r->project->stage_since, "2022-06-01");
  uint64_t corrected = r->seq;
  trin_codec_free(r);

  OK(edit_org("KAB", "KAB (Københavns Almindelige Boligselskab)", "client",
              "the full name for reports", &e_));
  OK(edit_partnership_name("LIVA", "LIVA rammeaftale 2022", "the agreement's own title", &e_));

  /* the events say what changed, who and why */
  Trin__Event *ev = event_at(edited);
  assert_string_equal(ev->type, "lifecycle.project_edited");
  Trin__Lifecycle__ProjectEvent *pe = project_payload(ev);
  assert_non_null(pe->correction);
  assert_string_equal(pe->correction->reason, "the name and figures were typed from an old draft");
  assert_string_equal(pe->correction->by, "local");  /* an unauthenticated local endpoint */
  assert_int_equal(pe->correction->n_changed_fields, 3);
  assert_string_equal(pe->correction->changed_fields[0], "name");
  assert_string_equal(pe->correction->changed_fields[1], "municipality");
  assert_string_equal(pe->correction->changed_fields[2], "dwellings");
  assert_string_equal(pe->project->name, "Tingbjerg etape 1");
  trin_codec_free(pe);
  trin_codec_free(ev);

  ev = event_at(corrected);
  assert_string_equal(ev->type, "lifecycle.stage_corrected");
  pe = project_payload(ev);
  assert_string_equal(pe->correction->reason, "advanced to trin 2 by mistake");
  assert_int_equal(pe->correction->n_changed_fields, 1);
  assert_string_equal(pe->correction->changed_fields[0], "stage");
  assert_string_equal(pe->stage->stage, "trin1");
  assert_string_equal(pe->stage->since, "2022-06-01");
  assert_string_equal(pe->stage->note, "advanced to trin 2 by mistake");
  assert_string_equal(pe->stage->corrected_by, "local");
  assert_string_equal(pe->project->stage, "trin1");
  trin_codec_free(pe);
  trin_codec_free(ev);

  ev = event_at(corrected + 1);
  assert_string_equal(ev->type, "lifecycle.organisation_edited");
  Trin__Lifecycle__Organisation *o = NULL;
  OK(trin_codec_unpack(&trin__lifecycle__organisation__descriptor, ev->payload.data,
                       ev->payload.len, "payload", (ProtobufCMessage **)&o, &e_));
  assert_string_equal(o->name, "KAB (Københavns Almindelige Boligselskab)");
  assert_string_equal(o->correction->reason, "the full name for reports");
  trin_codec_free(o);
  trin_codec_free(ev);

  ev = event_at(corrected + 2);
  assert_string_equal(ev->type, "lifecycle.partnership_edited");
  Trin__Lifecycle__Partnership *pa = NULL;
  OK(trin_codec_unpack(&trin__lifecycle__partnership__descriptor, ev->payload.data,
                       ev->payload.len, "payload", (ProtobufCMessage **)&pa, &e_));
  assert_string_equal(pa->name, "LIVA rammeaftale 2022");
  assert_string_equal(pa->correction->changed_fields[0], "name");
  assert_int_equal(pa->n_members, 1);  /* the whole partnership, members too */
  trin_codec_free(pa);
  trin_codec_free(ev);

  /* the stage history keeps both entries and the correction */
  OK(lc_get(cl, "P1", &r, &e_));
  assert_int_equal(r->project->n_stages, 4);
  assert_string_equal(r->project->stages[2]->stage, "trin2");
  assert_string_equal(r->project->stages[3]->stage, "trin1");
  assert_string_equal(r->project->stages[3]->since, "2022-06-01");
  assert_string_equal(r->project->stages[3]->note, "advanced to trin 2 by mistake");
  assert_string_equal(r->project->stages[3]->corrected_by, "local");
  assert_string_equal(r->project->stages[2]->corrected_by, "");  /* a step */
  trin_codec_free(r);

  /* the feed row shows the corrections */
  catch_up(port);
  json_t *row = row_of(port, "P1");
  assert_row_str(row, "project_name", "Tingbjerg etape 1");
  assert_row_str(row, "municipality", "København");
  assert_int_equal(json_integer_value(json_object_get(row, "dwellings")), 240);
  assert_row_str(row, "stage", "trin1");
  assert_row_str(row, "stage_since", "2022-06-01");
  assert_row_str(row, "partnership_name", "LIVA rammeaftale 2022");
  assert_row_str(row, "client_org", "KAB (Københavns Almindelige Boligselskab)");
  json_decref(row);

  /* ---- refusals: their words, nothing committed */
  OK(lc_advance(cl, "P1", "trin2", "2022-09-01", &e_));
  OK(lc_close_price(cl, "P1", "2022-10-01", &e_));
  SAYS(correct_stage("P1", "wrong stage", NULL, NULL, &e_), TRIN_ECONFLICT, "stage",
       "the price was closed on 2022-10-01; a project whose price is closed cannot go back "
       "from trin 2 to trin 1, before trin 2 where the price is closed");
  SAYS(correct_stage("P1", "wrong stage", "trin3", NULL, &e_), TRIN_ECONFLICT, "from_stage",
       "the project is in trin2, not trin3; nothing was corrected");
  SAYS(correct_stage("P1", "", NULL, NULL, &e_), TRIN_EINVALID, "reason", "is required");
  SAYS(edit_org("KAB", "KAB", "contractor", "wrong kind", &e_), TRIN_ECONFLICT, "kind",
       "'KAB' is a client organisation and stays one");
  SAYS(edit_org("KAB", "KAB", "bank", "wrong kind", &e_), TRIN_EINVALID, "kind",
       "'bank' is not");
  SAYS(edit_org("NOPE", "Nope", NULL, "typo", &e_), TRIN_ENOTFOUND, "organisation_id",
       "there is no organisation 'NOPE'");
  char *kind[] = {"kind"};
  SAYS(edit_project("P1", kind, 1, NULL, NULL, 0, "renovation", "wrong kind", NULL, &e_),
       TRIN_ECONFLICT, "kind",
       "the project is in trin 2; its kind can only be corrected in pre-study");
  SAYS(edit_project("P1", NULL, 0, "X", NULL, 0, NULL, "no fields", NULL, &e_), TRIN_EINVALID,
       "fields", "name at least one field to change: name, department, municipality");
  char *start[] = {"start_date"};
  SAYS(edit_project("P1", start, 1, NULL, NULL, 0, NULL, "move it", NULL, &e_), TRIN_EINVALID,
       "fields", "'start_date' cannot be changed here");
  SAYS(edit_project("P1", fields, 1, "", NULL, 0, NULL, "blank", NULL, &e_), TRIN_EINVALID,
       "name", "is required");

  trin_client_destroy(&cl);
  assert_int_equal(testproc_stop(&agg), 0);
  assert_int_equal(testproc_stop(&lc), 0);
  testproc_cleanup(&agg);
  testproc_cleanup(&lc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(scenario),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
