/* common.access — roles by name, the gate's deny-by-default, the scope check
 * (own / member / any) against membership tables in a store, the
 * membership learnt from lifecycle's packed events, and the one-time replay
 * of lifecycle's events for a store that followed lifecycle before it kept
 * membership. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "lifecycle_membership.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_access.h"
#include "trin_codec.h"
#include "trin_cursor.h"

#define R(role) TRIN_ROLE_BIT(TRIN_ROLE_##role)

static const trin_access_rule_t RULES[] = {
    {"trin.t.Create", R(WRITER), TRIN_SCOPE_OWN},
    {"trin.t.Read", R(READER) | R(WRITER) | R(CALCULATOR), TRIN_SCOPE_MEMBER},
    {"trin.t.Figures", R(READER) | R(RESIDENT), TRIN_SCOPE_ANY},
    {"trin.t.Index", R(SERVICE), TRIN_SCOPE_ANY},
    {"trin.t.AdminOnly", 0, TRIN_SCOPE_ANY},
};
/* Words for some requests only: the others are named by their full name. */
static const trin_access_words_t WORDS[] = {
    {"trin.t.Create", "create a thing"},
    {"trin.t.Read", "read a thing"},
};
static const trin_access_table_t TABLE = {"test", RULES, sizeof RULES / sizeof *RULES, WORDS,
                                          sizeof WORDS / sizeof *WORDS};

static trin_caller_t caller(const char *org, const char *role) {
  trin_caller_t c;
  memset(&c, 0, sizeof c);
  c.authenticated = true;
  snprintf(c.org, sizeof c.org, "%s", org);
  snprintf(c.role, sizeof c.role, "%s", role);
  return c;
}

static trin_store_t *memory_store(void) {
  trin_store_t *s = NULL;
  trin_err_t err;
  trin_store_options_t o = {.location = ":memory:"};
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_OK);
  assert_int_equal(trin_access_migrate(s, &err), TRIN_OK);
  assert_int_equal(trin_access_migrate(s, &err), TRIN_OK); /* again: nothing to do */
  return s;
}

static void roles_by_name(void **state) {
  (void)state;
  for (int r = TRIN_ROLE_NONE + 1; r < TRIN_ROLE_COUNT_; r++)
    assert_int_equal(trin_role_parse(trin_role_name((trin_role_t)r)), r);
  assert_int_equal(trin_role_parse("writer"), TRIN_ROLE_WRITER);
  assert_int_equal(trin_role_parse("resident"), TRIN_ROLE_RESIDENT);
  assert_int_equal(trin_role_parse("Writer"), TRIN_ROLE_NONE);
  assert_int_equal(trin_role_parse("root"), TRIN_ROLE_NONE);
  assert_int_equal(trin_role_parse(""), TRIN_ROLE_NONE);
  assert_int_equal(trin_role_parse(NULL), TRIN_ROLE_NONE);
  assert_string_equal(trin_role_name(TRIN_ROLE_COUNT_), "none");
}

static void who_is_unrestricted(void **state) {
  (void)state;
  trin_caller_t local;
  memset(&local, 0, sizeof local);
  assert_true(trin_access_unrestricted(&local)); /* ipc/inproc/insecure tcp */
  assert_true(trin_access_unrestricted(NULL));
  trin_caller_t admin = caller("ops", "admin");
  assert_true(trin_access_unrestricted(&admin));
  trin_caller_t w = caller("alfa", "writer"), svc = caller("trin", "service");
  assert_false(trin_access_unrestricted(&w));
  assert_false(trin_access_unrestricted(&svc));
}

static void gate_denies_by_default(void **state) {
  (void)state;
  trin_err_t err;
  trin_caller_t w = caller("alfa", "writer"), rd = caller("alfa", "reader");
  trin_caller_t svc = caller("trin", "service"), admin = caller("ops", "admin");
  trin_caller_t odd = caller("alfa", "superuser");
  void *t = (void *)&TABLE;
  /* no row: refused for everyone restricted */
  assert_int_equal(trin_access_gate(&w, "trin.t.Unlisted", t, &err), TRIN_EFORBIDDEN);
  assert_non_null(strstr(err.message, "organisation \"alfa\" (role writer)"));
  assert_non_null(strstr(err.message, "trin.t.Unlisted"));
  assert_int_equal(trin_access_gate(&svc, "trin.t.Unlisted", t, &err), TRIN_EFORBIDDEN);
  /* a row that does not name the role */
  assert_int_equal(trin_access_gate(&rd, "trin.t.Create", t, &err), TRIN_EFORBIDDEN);
  assert_string_equal(err.message,
                      "organisation \"alfa\" (role reader) may not create a thing "
                      "(trin.t.Create): only writer (bygherre) may");
  assert_int_equal(trin_access_gate(&rd, "trin.t.Index", t, &err), TRIN_EFORBIDDEN);
  assert_string_equal(err.message, "organisation \"alfa\" (role reader) may not trin.t.Index: "
                                   "only service (trin selv) may");
  trin_caller_t res = caller("beboer", "resident");
  assert_int_equal(trin_access_gate(&res, "trin.t.Read", t, &err), TRIN_EFORBIDDEN);
  assert_string_equal(err.message,
                      "organisation \"beboer\" (role resident) may not read a thing "
                      "(trin.t.Read): only writer (bygherre), reader (læser) or calculator "
                      "(kalkulator) may");
  assert_int_equal(trin_access_gate(&w, "trin.t.Create", t, &err), TRIN_OK);
  assert_int_equal(trin_access_gate(&odd, "trin.t.Read", t, &err), TRIN_EFORBIDDEN);
  /* service only where named; admin and local callers everywhere */
  assert_int_equal(trin_access_gate(&svc, "trin.t.Index", t, &err), TRIN_OK);
  assert_int_equal(trin_access_gate(&svc, "trin.t.Create", t, &err), TRIN_EFORBIDDEN);
  assert_int_equal(trin_access_gate(&w, "trin.t.AdminOnly", t, &err), TRIN_EFORBIDDEN);
  assert_non_null(strstr(err.message, "only admin (driftsansvarlig) may"));
  assert_int_equal(trin_access_gate(&admin, "trin.t.AdminOnly", t, &err), TRIN_OK);
  assert_int_equal(trin_access_gate(&admin, "trin.t.Unlisted", t, &err), TRIN_OK);
  trin_caller_t local;
  memset(&local, 0, sizeof local);
  assert_int_equal(trin_access_gate(&local, "trin.t.Unlisted", t, &err), TRIN_OK);
}

static int check(trin_store_t *s, const trin_caller_t *c, const char *req, const char *client,
                 const char *pid, trin_err_t *err) {
  return trin_access_check(s, c, &TABLE, req, client, pid, "project", "P-1", "project_id", err);
}

static void scopes_against_membership(void **state) {
  (void)state;
  trin_store_t *s = memory_store();
  trin_err_t err;
  trin_access_member_t m[] = {{"alfa", "client"}, {"byg", "contractor"}, {"raad", "advisor"}};
  assert_int_equal(trin_access_put_partnership(s, "LP", "alfa", m, 3, &err), TRIN_OK);
  assert_int_equal(trin_access_put_partnership(s, "OTHER", "beta", NULL, 0, &err), TRIN_OK);

  trin_caller_t aw = caller("alfa", "writer"), bw = caller("beta", "writer");
  trin_caller_t calc = caller("byg", "calculator"), bystander = caller("zeta", "reader");
  /* OWN: only the client's writer; a member's writer is refused, saying why */
  trin_caller_t rw = caller("raad", "writer");
  assert_int_equal(check(s, &aw, "trin.t.Create", "alfa", "LP", &err), TRIN_OK);
  assert_int_equal(check(s, &rw, "trin.t.Create", "alfa", "LP", &err), TRIN_EFORBIDDEN);
  assert_string_equal(err.field, "project_id");
  assert_string_equal(err.message,
                      "organisation \"raad\" (role writer) may not create a thing "
                      "(trin.t.Create) on project \"P-1\" of organisation \"alfa\": only the "
                      "owner's keys may");
  /* An outsider is told there is no such project, in the words a missing one
   * gets: it learns neither that it exists nor whose it is. */
  assert_int_equal(check(s, &bw, "trin.t.Create", "alfa", "LP", &err), TRIN_ENOTFOUND);
  assert_string_equal(err.field, "project_id");
  assert_string_equal(err.message, "there is no project 'P-1'");
  trin_err_t missing;
  assert_int_equal(trin_access_not_found(&missing, "project_id", "project", "P-1"),
                   TRIN_ENOTFOUND);
  assert_string_equal(err.message, missing.message);
  /* MEMBER: the client and the partnership's members */
  assert_int_equal(check(s, &aw, "trin.t.Read", "alfa", "LP", &err), TRIN_OK);
  assert_int_equal(check(s, &calc, "trin.t.Read", "alfa", "LP", &err), TRIN_OK);
  assert_int_equal(check(s, &calc, "trin.t.Read", "beta", "OTHER", &err), TRIN_ENOTFOUND);
  assert_int_equal(check(s, &bw, "trin.t.Read", "alfa", "LP", &err), TRIN_ENOTFOUND);
  /* not naming a resource, the refusal says why */
  assert_int_equal(trin_access_check(s, &bw, &TABLE, "trin.t.Read", "alfa", "LP", NULL, NULL,
                                     "", &err),
                   TRIN_EFORBIDDEN);
  assert_non_null(strstr(err.message, "partnership members"));
  /* outside any partnership only the client */
  assert_int_equal(check(s, &calc, "trin.t.Read", "alfa", "", &err), TRIN_ENOTFOUND);
  assert_int_equal(check(s, &aw, "trin.t.Read", "alfa", "", &err), TRIN_OK);
  /* ANY: the role is enough */
  assert_int_equal(check(s, &bystander, "trin.t.Figures", "alfa", "LP", &err), TRIN_OK);
  /* the role still counts under a scope */
  assert_int_equal(check(s, &calc, "trin.t.Create", "byg", "", &err), TRIN_EFORBIDDEN);
  assert_non_null(strstr(err.message, ": only writer (bygherre) may"));
  /* a resource without an owner is nobody's own */
  assert_int_equal(check(s, &aw, "trin.t.Create", "", "", &err), TRIN_ENOTFOUND);
  /* replacing the member list drops who left */
  assert_int_equal(trin_access_put_partnership(s, "LP", "alfa", m, 1, &err), TRIN_OK);
  assert_int_equal(check(s, &calc, "trin.t.Read", "alfa", "LP", &err), TRIN_ENOTFOUND);
  assert_true(trin_access_may_see(s, "alfa", "alfa", "LP"));
  assert_false(trin_access_may_see(s, "byg", "alfa", "LP"));
  assert_false(trin_access_may_see(s, "", "", ""));
  trin_store_destroy(&s);
}

/* Packs payload into an Event as lifecycle would publish it. */
static void event_of(Trin__Event *ev, const char *type, const char *org,
                     const ProtobufCMessage *payload, uint8_t **buf) {
  trin__event__init(ev);
  size_t len = 0;
  trin_err_t err;
  assert_int_equal(trin_codec_pack(payload, buf, &len, &err), TRIN_OK);
  ev->service = "lifecycle";
  ev->seq = 1;
  ev->type = (char *)type;
  ev->org = (char *)org;
  ev->payload_type = (char *)payload->descriptor->name;
  ev->payload.data = *buf;
  ev->payload.len = len;
}

static void membership_from_lifecycle_events(void **state) {
  (void)state;
  trin_store_t *s = memory_store();
  trin_err_t err;
  Trin__Lifecycle__Member client = TRIN__LIFECYCLE__MEMBER__INIT, adv = TRIN__LIFECYCLE__MEMBER__INIT;
  client.org_id = "alfa";
  client.role = "client";
  adv.org_id = "raad";
  adv.role = "advisor";
  Trin__Lifecycle__Member *members[] = {&client, &adv};
  Trin__Lifecycle__Partnership p = TRIN__LIFECYCLE__PARTNERSHIP__INIT;
  p.id = "LP";
  p.client_org = "alfa";
  p.members = members;
  p.n_members = 2;
  Trin__Event ev;
  uint8_t *buf = NULL;
  event_of(&ev, "lifecycle.member_added", "alfa", &p.base, &buf);
  assert_int_equal(lifecycle_membership_apply(s, &ev, &err), TRIN_OK);
  free(buf);

  Trin__Lifecycle__Project pr = TRIN__LIFECYCLE__PROJECT__INIT;
  pr.id = "P-1";
  pr.partnership_id = "LP";
  pr.client_org = "alfa";
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = &pr;
  event_of(&ev, "lifecycle.project_created", "alfa", &pe.base, &buf);
  assert_int_equal(lifecycle_membership_apply(s, &ev, &err), TRIN_OK);
  free(buf);

  char client_org[65], pid[65];
  assert_int_equal(trin_access_project(s, "P-1", client_org, sizeof client_org, pid, sizeof pid,
                                       &err),
                   TRIN_OK);
  assert_string_equal(client_org, "alfa");
  assert_string_equal(pid, "LP");
  assert_int_equal(trin_access_project(s, "P-404", client_org, sizeof client_org, pid,
                                       sizeof pid, &err),
                   TRIN_ENOTFOUND);
  assert_string_equal(err.field, "project_id");
  trin_caller_t advisor = caller("raad", "reader");
  assert_int_equal(check(s, &advisor, "trin.t.Read", client_org, pid, &err), TRIN_OK);

  /* Another service's event, or an undecodable payload, changes nothing. */
  Trin__Lifecycle__Partnership evil = TRIN__LIFECYCLE__PARTNERSHIP__INIT;
  evil.id = "LP";
  evil.client_org = "zeta";
  event_of(&ev, "budget.model_set", "zeta", &evil.base, &buf);
  ev.service = "budget";
  assert_int_equal(lifecycle_membership_apply(s, &ev, &err), TRIN_OK);
  free(buf);
  uint8_t junk[] = {0xff, 0xff, 0xff};
  ev.service = "lifecycle";
  ev.payload.data = junk;
  ev.payload.len = sizeof junk;
  assert_int_equal(lifecycle_membership_apply(s, &ev, &err), TRIN_OK);
  assert_true(trin_access_may_see(s, "raad", "alfa", "LP"));
  trin_caller_t zeta = caller("zeta", "writer");
  assert_int_equal(check(s, &zeta, "trin.t.Read", "alfa", "LP", &err), TRIN_ENOTFOUND);
  trin_store_destroy(&s);
}

static void cursor_is(trin_store_t *s, const char *service, uint64_t seq, uint64_t until) {
  uint64_t got = 99, got_until = 99;
  trin_err_t err;
  assert_int_equal(trin_cursor_get_replay(s, service, &got, &got_until, &err), TRIN_OK);
  assert_int_equal(got, seq);
  assert_int_equal(got_until, until);
}

/* A store that followed lifecycle (cursor at 40) before it kept membership:
 * its lifecycle cursor goes back to 0 with a replay mark at 40, once; other
 * cursors stay; reaching the mark clears it. A new store has nothing to
 * replay. */
static void replay_for_membership(void **state) {
  (void)state;
  trin_store_t *s = NULL;
  trin_err_t err;
  trin_store_options_t o = {.location = ":memory:"};
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_OK);
  assert_int_equal(trin_cursor_migrate(s, &err), TRIN_OK);
  assert_int_equal(trin_cursor_set(s, "lifecycle", 40, &err), TRIN_OK);
  assert_int_equal(trin_cursor_set(s, "budget", 7, &err), TRIN_OK);

  assert_int_equal(trin_access_migrate_follower(s, &err), TRIN_OK);
  cursor_is(s, "lifecycle", 0, 40);
  cursor_is(s, "budget", 7, 0);
  int v = 0;
  assert_int_equal(trin_store_schema_version(s, "access_replay", &v, &err), TRIN_OK);
  assert_int_equal(v, 1);

  assert_int_equal(trin_cursor_set(s, "lifecycle", 25, &err), TRIN_OK); /* halfway */
  assert_int_equal(trin_access_migrate_follower(s, &err), TRIN_OK);       /* a restart */
  cursor_is(s, "lifecycle", 25, 40);
  assert_int_equal(trin_cursor_rewind(s, "lifecycle", &err), TRIN_OK); /* replaying: no-op */
  cursor_is(s, "lifecycle", 25, 40);
  assert_int_equal(trin_cursor_set(s, "lifecycle", 39, &err), TRIN_OK);
  cursor_is(s, "lifecycle", 39, 40);
  assert_int_equal(trin_cursor_set(s, "lifecycle", 41, &err), TRIN_OK); /* past the mark */
  cursor_is(s, "lifecycle", 41, 0);
  assert_int_equal(trin_access_migrate_follower(s, &err), TRIN_OK); /* done once: stays */
  cursor_is(s, "lifecycle", 41, 0);

  /* A store a newer trin left (its replay step at a version this one does
   * not know) is refused as such, and nothing is rewound. */
  assert_int_equal(trin_store_exec(s, "UPDATE trin_schema SET version = 2"
                                      " WHERE scope = 'access_replay'", &err), TRIN_OK);
  assert_int_equal(trin_access_migrate_follower(s, &err), TRIN_ECONFLICT);
  assert_string_equal(err.message, "the access_replay schema in this store is version 2, newer "
                                   "than this program knows (1); use a newer trin");
  cursor_is(s, "lifecycle", 41, 0);
  trin_store_destroy(&s);

  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_OK); /* a new store */
  assert_int_equal(trin_access_migrate_follower(s, &err), TRIN_OK);
  cursor_is(s, "lifecycle", 0, 0);
  trin_store_destroy(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(roles_by_name),
      cmocka_unit_test(who_is_unrestricted),
      cmocka_unit_test(gate_denies_by_default),
      cmocka_unit_test(scopes_against_membership),
      cmocka_unit_test(membership_from_lifecycle_events),
      cmocka_unit_test(replay_for_membership),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
