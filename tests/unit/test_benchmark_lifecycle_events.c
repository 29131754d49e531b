/* benchmark.lifecycle_events — which lifecycle events benchmark reads, and
 * as what: an organisation's name from organisation_created and from a
 * rename (organisation_edited, a correction); project events by their
 * payload, a correction's date being the commit time; an event type it
 * does not know, with a payload it does not read, skipped. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "benchmark_lifecycle_events.h"
#include "trin/envelope.pb-c.h"
#include "trin/lifecycle.pb-c.h"

static Trin__Event event(const char *type, const ProtobufCMessageDescriptor *d) {
  Trin__Event ev = TRIN__EVENT__INIT;
  ev.service = "lifecycle";
  ev.type = (char *)type;
  ev.payload_type = (char *)d->name;
  return ev;
}

static void test_organisation_renames_are_read(void **state) {
  (void)state;
  const benchmark_upstream_t *u = &benchmark_lifecycle_events;
  Trin__Event created = event("lifecycle.organisation_created",
                              &trin__lifecycle__organisation__descriptor);
  Trin__Event edited = event("lifecycle.organisation_edited",
                             &trin__lifecycle__organisation__descriptor);
  assert_ptr_equal(u->payload(&created), &trin__lifecycle__organisation__descriptor);
  assert_ptr_equal(u->payload(&edited), &trin__lifecycle__organisation__descriptor);
  Trin__Lifecycle__Organisation o = TRIN__LIFECYCLE__ORGANISATION__INIT;
  o.id = "KAB";
  o.name = "KAB (Københavns Almindelige Boligselskab)";
  const char *id = NULL, *name = NULL;
  assert_true(u->organisation(&o.base, &id, &name));
  assert_string_equal(id, "KAB");
  assert_string_equal(name, "KAB (Københavns Almindelige Boligselskab)");
}

static void test_corrections_of_projects_count_at_commit_time(void **state) {
  (void)state;
  const benchmark_upstream_t *u = &benchmark_lifecycle_events;
  Trin__Lifecycle__Project p = TRIN__LIFECYCLE__PROJECT__INIT;
  p.id = "P1";
  p.start_date = "2022-03-01";
  Trin__Lifecycle__StageEntry st = TRIN__LIFECYCLE__STAGE_ENTRY__INIT;
  st.stage = "trin1";
  st.since = "2022-06-01";
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = &p;
  pe.stage = &st;
  const char *types[] = {"lifecycle.project_edited", "lifecycle.stage_corrected"};
  for (int i = 0; i < 2; i++) {
    Trin__Event ev = event(types[i], &trin__lifecycle__project_event__descriptor);
    assert_ptr_equal(u->payload(&ev), &trin__lifecycle__project_event__descriptor);
    const char *date = "unset";
    assert_string_equal(u->project(&pe.base, types[i], &date), "P1");
    assert_null(date);  /* NULL: the commit time */
  }
}

/* Rehousing (issue 20, item 4): a movement counts on its own date, a plan
 * at commit time; the project's rehousing figures only with a plan. */
static void test_rehousing_is_read(void **state) {
  (void)state;
  const benchmark_upstream_t *u = &benchmark_lifecycle_events;
  Trin__Lifecycle__Project p = TRIN__LIFECYCLE__PROJECT__INIT;
  p.id = "P1";
  p.households_rehoused_temporary = 35; /* without a plan: not read */
  Trin__Lifecycle__RehousingMove mv = TRIN__LIFECYCLE__REHOUSING_MOVE__INIT;
  mv.kind = "moved_back";
  mv.households = 32;
  mv.date = "2028-03-01";
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = &p;
  pe.rehousing_move = &mv;
  assert_int_equal(u->source_of("lifecycle.rehousing_moved"), BENCHMARK_SOURCE_REHOUSING);
  assert_int_equal(u->source_of("lifecycle.rehousing_planned"), BENCHMARK_SOURCE_REHOUSING);
  assert_int_equal(u->source_of("lifecycle.stage_changed"), BENCHMARK_SOURCE_LIFECYCLE);
  const char *date = NULL;
  assert_string_equal(u->project(&pe.base, "lifecycle.rehousing_moved", &date), "P1");
  assert_string_equal(date, "2028-03-01");
  date = "unset";
  u->project(&pe.base, "lifecycle.rehousing_planned", &date);
  assert_null(date);
  benchmark_project_row_t *r = calloc(1, sizeof *r);
  assert_non_null(r);
  assert_true(u->update(r, &pe.base));
  assert_false(r->p.has & BENCHMARK_PHAS_REHOUSING);
  assert_int_equal(r->p.households_rehoused_temporary, 0);
  p.rehousing_planned = true;
  p.households_moved_back = 32;
  assert_true(u->update(r, &pe.base));
  assert_true(r->p.has & BENCHMARK_PHAS_REHOUSING);
  assert_int_equal(r->p.households_rehoused_temporary, 35);
  assert_int_equal(r->p.households_moved_back, 32);
  assert_false(u->update(r, &pe.base)); /* nothing new */
  free(r);
}

static void test_unknown_types_are_skipped(void **state) {
  (void)state;
  Trin__Event ev = event("lifecycle.something_new", &trin__lifecycle__partnership__descriptor);
  assert_null(benchmark_lifecycle_events.payload(&ev));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_organisation_renames_are_read),
      cmocka_unit_test(test_corrections_of_projects_count_at_commit_time),
      cmocka_unit_test(test_rehousing_is_read),
      cmocka_unit_test(test_unknown_types_are_skipped),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
