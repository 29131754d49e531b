/* aggregator.access — who sees which status rows, and the aggregator's
 * request rules: a client sees its projects, a partnership member the
 * partnership's, nobody else's; the operator every row; GetRows passes the
 * gate for organisations' keys, token requests only for writers; and a
 * store made before membership was kept is rebuilt once from the
 * services' logs (its cursors go back to 0). */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "agg_access.h"
#include "agg_store.h"
#include "test_aggregator_util.h"
#include "trin_cursor.h"

static agg_row_t row(const char *id, const char *client, const char *partnership) {
  agg_row_t r;
  memset(&r, 0, sizeof r);
  r.project_id = (char *)id;
  r.client_org_id = (char *)client;
  r.partnership_id = (char *)partnership;
  return r;
}

static void rows_by_membership(void **state) {
  trin_store_options_t o = {.location = ":memory:"};
  trin_store_t *s = NULL;
  trin_err_t err = {0};
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_OK);
  assert_int_equal(trin_access_migrate(s, &err), TRIN_OK);
  trin_access_member_t members[] = {{"C", "contractor"}, {"D", "advisor"}};
  assert_int_equal(trin_access_put_partnership(s, "PA", "A", members, 2, &err), TRIN_OK);
  assert_int_equal(trin_access_put_partnership(s, "PB", "B", NULL, 0, &err), TRIN_OK);
  agg_row_t a1 = row("A1", "A", "PA"), aout = row("A-OUT", "A", NULL),
            b1 = row("B1", "B", "PB"), bare = row("X", NULL, NULL);

  agg_viewer_t v;
  agg_viewer_init(&v, s, "A");
  assert_true(agg_viewer_sees(&v, &a1));
  assert_true(agg_viewer_sees(&v, &aout));
  assert_false(agg_viewer_sees(&v, &b1));
  assert_false(agg_viewer_sees(&v, &bare));
  agg_viewer_free(&v);

  agg_viewer_init(&v, s, "C");
  for (int i = 0; i < 3; i++) assert_true(agg_viewer_sees(&v, &a1)); /* remembered */
  assert_false(agg_viewer_sees(&v, &aout));
  assert_false(agg_viewer_sees(&v, &b1));
  agg_viewer_free(&v);

  agg_viewer_init(&v, s, "B");
  assert_false(agg_viewer_sees(&v, &a1));
  assert_true(agg_viewer_sees(&v, &b1));
  agg_viewer_free(&v);

  /* membership changes: a new viewer sees the new state */
  assert_int_equal(trin_access_put_partnership(s, "PA", "A", members, 1, &err), TRIN_OK);
  agg_viewer_init(&v, s, "D");
  assert_false(agg_viewer_sees(&v, &a1));
  agg_viewer_free(&v);

  agg_viewer_init(&v, s, NULL); /* the operator */
  assert_true(agg_viewer_sees(&v, &b1));
  assert_true(agg_viewer_sees(&v, &bare));
  agg_viewer_free(&v);
  agg_viewer_init(&v, s, ""); /* an organisation with no name sees nothing */
  assert_false(agg_viewer_sees(&v, &a1));
  agg_viewer_free(&v);

  /* many partnerships: the memo grows */
  agg_viewer_init(&v, s, "C");
  char id[32];
  for (int i = 0; i < 500; i++) {
    snprintf(id, sizeof id, "P%d", i);
    agg_row_t r = row(id, "Z", id);
    assert_false(agg_viewer_sees(&v, &r));
  }
  assert_true(agg_viewer_sees(&v, &a1));
  agg_viewer_free(&v);
  trin_store_destroy(&s);
}

static void request_rules(void **state) {
  trin_err_t err = {0};
  trin_caller_t reader = {.authenticated = true, .org = "A", .role = "reader"};
  trin_caller_t writer = {.authenticated = true, .org = "A", .role = "writer"};
  trin_caller_t resident = {.authenticated = true, .org = "R", .role = "resident"};
  trin_caller_t local = {0};
  void *t = (void *)&AGG_ACCESS;
  assert_int_equal(trin_access_gate(&reader, "trin.aggregator.GetRows", t, &err), TRIN_OK);
  assert_int_equal(trin_access_gate(&resident, "trin.aggregator.GetRows", t, &err),
                   TRIN_EFORBIDDEN);
  assert_int_equal(trin_access_gate(&reader, "trin.token.CreateToken", t, &err), TRIN_EFORBIDDEN);
  assert_int_equal(trin_access_gate(&writer, "trin.token.CreateToken", t, &err), TRIN_OK);
  assert_int_equal(trin_access_gate(&writer, "trin.token.RevokeToken", t, &err), TRIN_OK);
  assert_int_equal(trin_access_gate(&writer, "trin.token.ListTokens", t, &err), TRIN_OK);
  assert_int_equal(trin_access_gate(&writer, "trin.aggregator.Unknown", t, &err),
                   TRIN_EFORBIDDEN);
  assert_int_equal(trin_access_gate(&local, "trin.token.CreateToken", t, &err), TRIN_OK);
  /* earned value (issue 20 item 1): one project's row, as GetRows */
  assert_int_equal(trin_access_gate(&reader, "trin.aggregator.GetProjectRow", t, &err), TRIN_OK);
  assert_int_equal(trin_access_gate(&resident, "trin.aggregator.GetProjectRow", t, &err),
                   TRIN_EFORBIDDEN);
}

static void get_cursor(agg_service_t *a, void *arg) {
  *(uint64_t *)arg = agg_service_stats(a).cursor[0];
}

static void old_store_is_rebuilt_once(void **state) {
  char path[] = "/tmp/trin-agg-access-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  close(fd);
  unlink(path);
  char loc[80];
  snprintf(loc, sizeof loc, "sqlite:%s", path);
  /* a store as an aggregator without membership left it: rows and cursors */
  trin_store_options_t o = {.location = loc, .sync = TRIN_STORE_SYNC_NORMAL};
  trin_store_t *s = NULL;
  trin_err_t err = {0};
  assert_int_equal(trin_store_open(&o, &s, &err), TRIN_OK);
  assert_int_equal(agg_store_migrate(s, &err), TRIN_OK);
  assert_int_equal(trin_cursor_set(s, "lifecycle", 42, &err), TRIN_OK);
  assert_int_equal(trin_cursor_set(s, "budget", 7, &err), TRIN_OK);
  trin_store_destroy(&s);

  tu_svc_options_t so = {.store = loc};
  tu_svc_t *svc = tu_svc_start_with(&so);
  uint64_t cursor = 99;
  tu_svc_run(svc, get_cursor, &cursor);
  assert_int_equal(cursor, 0); /* lifecycle is followed again from the start */
  /* once: a cursor stored after that stays */
  Trin__Lifecycle__Project p;
  tu_project(&p, "P1", "", "A");
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = &p;
  Trin__Event *ev = tu_event("lifecycle", 1, "lifecycle.project_created", &pe.base);
  tu_svc_consume(svc, 0, ev);
  tu_event_free(ev);
  tu_svc_stop(svc);
  svc = tu_svc_start_with(&so);
  tu_svc_run(svc, get_cursor, &cursor);
  assert_int_equal(cursor, 1);
  tu_svc_stop(svc);
  unlink(path);
  char aux[100];
  snprintf(aux, sizeof aux, "%s-wal", path);
  unlink(aux);
  snprintf(aux, sizeof aux, "%s-shm", path);
  unlink(aux);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(rows_by_membership),
      cmocka_unit_test(request_rules),
      cmocka_unit_test(old_store_is_rebuilt_once),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
