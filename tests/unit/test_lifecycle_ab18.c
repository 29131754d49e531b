/* Unit tests for services/lifecycle/lifecycle_ab18: the AB18 deadlines
 * worked by hand (issue 20, item 6) and every refusal of HoldInspection's
 * rule, with its words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lifecycle_ab18.h"

static trin_err_t err;

static trin_date_t D(const char *text) {
  trin_date_t d = TRIN_DATE_NONE;
  assert_int_equal(trin_date_parse(text, &d, "test", NULL), TRIN_OK);
  return d;
}

static void assert_date(trin_date_t got, const char *want) {
  char buf[TRIN_DATE_BUF];
  assert_string_equal(trin_date_format(got, buf), want);
}

#define SAYS(words) assert_non_null(strstr(err.message, (words)))

/* § 68: reached the umpire on 2026-03-02; 29 days to 31 March, 27 more:
 * 2026-04-27 = 2026-03-02 + 56. */
static void test_arbitration_deadline(void **state) {
  (void)state;
  assert_date(lifecycle_ab18_arbitration_deadline(6, false, D("2026-03-02")), "2026-04-27");
  /* across a year end: 2026-12-01 + 56 = 30 (to 31 Dec) + 26 = 2027-01-26 */
  assert_date(lifecycle_ab18_arbitration_deadline(6, false, D("2026-12-01")), "2027-01-26");
  /* only an open dispute at the umpire level has one */
  assert_int_equal(lifecycle_ab18_arbitration_deadline(5, false, D("2026-03-02")),
                   TRIN_DATE_NONE);
  assert_int_equal(lifecycle_ab18_arbitration_deadline(7, false, D("2026-03-02")),
                   TRIN_DATE_NONE);
  assert_int_equal(lifecycle_ab18_arbitration_deadline(6, true, D("2026-03-02")),
                   TRIN_DATE_NONE);
  assert_int_equal(lifecycle_ab18_arbitration_deadline(6, false, TRIN_DATE_NONE),
                   TRIN_DATE_NONE);
}

/* § 48 at handover, § 49 later; the claim limit is handover + 5 years. */
static void test_defect_section_and_limit(void **state) {
  (void)state;
  assert_int_equal(lifecycle_ab18_defect_section("handover"), 48);
  assert_int_equal(lifecycle_ab18_defect_section("inspection_1y"), 49);
  assert_int_equal(lifecycle_ab18_defect_section("inspection_5y"), 49);
  assert_int_equal(lifecycle_ab18_defect_section("other"), 49);
  assert_date(lifecycle_ab18_claim_limit(D("2025-06-15")), "2030-06-15");
  /* handed over on a leap day: 5 years on there is no 29 February */
  assert_date(lifecycle_ab18_claim_limit(D("2024-02-29")), "2029-02-28");
  assert_int_equal(lifecycle_ab18_claim_limit(TRIN_DATE_NONE), TRIN_DATE_NONE);
  /* handed over 2025-06-15: a § 49 defect reported 2030-06-15 is in time,
   * 2030-06-16 late; a § 48 one never */
  trin_date_t h = D("2025-06-15");
  assert_false(lifecycle_ab18_after_claim_limit("other", h, D("2030-06-15")));
  assert_true(lifecycle_ab18_after_claim_limit("other", h, D("2030-06-16")));
  assert_true(lifecycle_ab18_after_claim_limit("inspection_5y", h, D("2030-08-02")));
  assert_false(lifecycle_ab18_after_claim_limit("handover", h, D("2030-06-16")));
  assert_false(lifecycle_ab18_after_claim_limit("other", TRIN_DATE_NONE, D("2040-01-01")));
  assert_false(lifecycle_ab18_after_claim_limit("other", h, TRIN_DATE_NONE));
}

static void test_inspection_due(void **state) {
  (void)state;
  assert_date(lifecycle_inspection_due(LIFECYCLE_INSPECTION_1Y, D("2025-06-15")), "2026-06-15");
  assert_date(lifecycle_inspection_due(LIFECYCLE_INSPECTION_5Y, D("2025-06-15")), "2030-06-15");
  assert_date(lifecycle_inspection_due(LIFECYCLE_INSPECTION_1Y, D("2024-02-29")), "2025-02-28");
  assert_int_equal(lifecycle_inspection_due(LIFECYCLE_INSPECTION_1Y, TRIN_DATE_NONE),
                   TRIN_DATE_NONE);
  assert_int_equal(lifecycle_inspection_parse("1y", "inspection", &err), 0);
  assert_int_equal(lifecycle_inspection_parse("5y", "inspection", &err), 1);
  trin_err_clear(&err);
  assert_int_equal(lifecycle_inspection_parse("2y", "inspection", &err), -1);
  assert_int_equal(err.code, TRIN_EINVALID);
  assert_string_equal(err.field, "inspection");
  SAYS("must be 1y (the 1-year inspection) or 5y (the 5-year inspection), not \"2y\"");
}

static void test_inspection_check_hold(void **state) {
  (void)state;
  trin_date_t h = D("2025-06-15");
  assert_int_equal(lifecycle_inspection_check_hold(LIFECYCLE_INSPECTION_1Y, h, TRIN_DATE_NONE,
                                                   D("2026-06-20"), &err),
                   TRIN_OK);
  /* held early is fine: the day itself is the client's to choose */
  assert_int_equal(lifecycle_inspection_check_hold(LIFECYCLE_INSPECTION_1Y, h, TRIN_DATE_NONE,
                                                   h, &err),
                   TRIN_OK);
  trin_err_clear(&err);
  assert_int_equal(lifecycle_inspection_check_hold(LIFECYCLE_INSPECTION_1Y, TRIN_DATE_NONE,
                                                   TRIN_DATE_NONE, D("2026-06-20"), &err),
                   TRIN_ECONFLICT);
  assert_string_equal(err.field, "project_id");
  SAYS("the project has not been handed over yet");
  SAYS("the 1-year inspection is counted from the handover");
  trin_err_clear(&err);
  assert_int_equal(lifecycle_inspection_check_hold(LIFECYCLE_INSPECTION_5Y, h, D("2030-06-01"),
                                                   D("2030-06-20"), &err),
                   TRIN_ECONFLICT);
  assert_string_equal(err.field, "inspection");
  SAYS("the 5-year inspection was already recorded as held on 2030-06-01");
  trin_err_clear(&err);
  assert_int_equal(lifecycle_inspection_check_hold(LIFECYCLE_INSPECTION_1Y, h, TRIN_DATE_NONE,
                                                   D("2025-06-14"), &err),
                   TRIN_EINVALID);
  assert_string_equal(err.field, "date");
  SAYS("the 1-year inspection (2025-06-14) cannot be held before the handover (2025-06-15)");
}

static lifecycle_ab18_facts_t facts(const char *handover) {
  return (lifecycle_ab18_facts_t){
      .handover = handover ? D(handover) : TRIN_DATE_NONE,
      .inspection_1y_held = TRIN_DATE_NONE,
      .inspection_5y_held = TRIN_DATE_NONE,
      .umpire_since = TRIN_DATE_NONE,
      .defect_due = TRIN_DATE_NONE,
  };
}

static void test_next_deadline(void **state) {
  (void)state;
  lifecycle_ab18_deadlines_t o;
  /* before handover and without disputes or defects: nothing owed */
  lifecycle_ab18_facts_t f = facts(NULL);
  lifecycle_ab18_deadlines(&f, &o);
  assert_int_equal(o.next_kind, LIFECYCLE_DEADLINE_NONE);
  assert_int_equal(o.next_deadline, TRIN_DATE_NONE);
  assert_string_equal(lifecycle_deadline_kind_name(o.next_kind), "");
  /* handed over 2025-06-15: the 1-year inspection 2026-06-15 comes first */
  f = facts("2025-06-15");
  lifecycle_ab18_deadlines(&f, &o);
  assert_date(o.inspection_1y_due, "2026-06-15");
  assert_date(o.inspection_5y_due, "2030-06-15");
  assert_date(o.next_deadline, "2026-06-15");
  assert_string_equal(lifecycle_deadline_kind_name(o.next_kind), "inspection_1y");
  /* an umpire since 2026-03-02: arbitration by 2026-04-27, before it */
  f.umpire_since = D("2026-03-02");
  lifecycle_ab18_deadlines(&f, &o);
  assert_date(o.arbitration_deadline, "2026-04-27");
  assert_date(o.next_deadline, "2026-04-27");
  assert_string_equal(lifecycle_deadline_kind_name(o.next_kind), "arbitration");
  /* an open defect due 2026-01-31 comes before both */
  f.defect_due = D("2026-01-31");
  lifecycle_ab18_deadlines(&f, &o);
  assert_date(o.next_deadline, "2026-01-31");
  assert_string_equal(lifecycle_deadline_kind_name(o.next_kind), "defect");
  /* a tie goes to the inspection */
  f.umpire_since = TRIN_DATE_NONE;
  f.defect_due = D("2026-06-15");
  lifecycle_ab18_deadlines(&f, &o);
  assert_string_equal(lifecycle_deadline_kind_name(o.next_kind), "inspection_1y");
  /* the 1-year inspection held: the defect, then the 5-year one */
  f.inspection_1y_held = D("2026-06-10");
  lifecycle_ab18_deadlines(&f, &o);
  assert_date(o.next_deadline, "2026-06-15");
  assert_string_equal(lifecycle_deadline_kind_name(o.next_kind), "defect");
  f.defect_due = TRIN_DATE_NONE;
  lifecycle_ab18_deadlines(&f, &o);
  assert_date(o.next_deadline, "2030-06-15");
  assert_string_equal(lifecycle_deadline_kind_name(o.next_kind), "inspection_5y");
  /* both held: the due dates stay, nothing is owed */
  f.inspection_5y_held = D("2030-06-01");
  lifecycle_ab18_deadlines(&f, &o);
  assert_date(o.inspection_5y_due, "2030-06-15");
  assert_int_equal(o.next_kind, LIFECYCLE_DEADLINE_NONE);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_arbitration_deadline),
      cmocka_unit_test(test_defect_section_and_limit),
      cmocka_unit_test(test_inspection_due),
      cmocka_unit_test(test_inspection_check_hold),
      cmocka_unit_test(test_next_deadline),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
