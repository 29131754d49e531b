/* Unit tests for services/lifecycle/lifecycle_rehousing: what a project's
 * rehousing movements add up to (a worked example by hand), and every
 * refusal of a plan or a movement with the words a user reads. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lifecycle_rehousing.h"

static trin_err_t err;

#define REFUSE(code_, field_, words, call)                             \
  do {                                                                 \
    trin_err_clear(&err);                                              \
    int rc_ = (call);                                                  \
    if (strstr(err.message, (words)) == NULL)                          \
      print_message("message: %s\nwanted: %s\n", err.message, (words)); \
    assert_int_equal(rc_, (code_));                                    \
    assert_string_equal(err.field, (field_));                          \
    assert_non_null(strstr(err.message, (words)));                     \
  } while (0)

#define ACCEPT(call)                                                   \
  do {                                                                 \
    trin_err_clear(&err);                                              \
    int rc_ = (call);                                                  \
    if (rc_ != TRIN_OK) print_message("%s: %s\n", err.field, err.message); \
    assert_int_equal(rc_, TRIN_OK);                                    \
  } while (0)

static trin_date_t D(const char *text) {
  trin_date_t d = TRIN_DATE_NONE;
  assert_int_equal(trin_date_parse(text, &d, "test", NULL), TRIN_OK);
  return d;
}

#define T LIFECYCLE_MOVE_TEMPORARY
#define P LIFECYCLE_MOVE_PERMANENT
#define B LIFECYCLE_MOVE_MOVED_BACK

/* The worked example: a department of 120 dwellings plans to rehouse 40
 * households. 2027-03-01 25 move out temporarily, 2027-04-15 5 leave for
 * good, 2027-05-01 10 more move out temporarily; 2028-02-01 20 move back,
 * 2028-03-01 another 12. By hand: temporary 25 + 10 = 35, permanent 5,
 * rehoused 35 + 5 = 40 (the plan's 40), moved back 20 + 12 = 32 <= 35;
 * first rehoused 2027-03-01, last moved back 2028-03-01. */
static const lifecycle_move_t EXAMPLE[] = {
    {T, 25, 0}, {P, 5, 0}, {T, 10, 0}, {B, 20, 0}, {B, 12, 0},
};
static const char *const EXAMPLE_DATES[] = {"2027-03-01", "2027-04-15", "2027-05-01",
                                            "2028-02-01", "2028-03-01"};

static void example(lifecycle_move_t out[5]) {
  for (int i = 0; i < 5; i++) {
    out[i] = EXAMPLE[i];
    out[i].date = D(EXAMPLE_DATES[i]);
  }
}

static const lifecycle_rehousing_plan_t PLAN40 = {true, false, 40};

static void test_sum_worked_example(void **state) {
  (void)state;
  lifecycle_move_t m[5];
  example(m);
  lifecycle_rehousing_sums_t s;
  lifecycle_rehousing_sum(m, 5, &s);
  assert_int_equal(s.temporary, 35);
  assert_int_equal(s.permanent, 5);
  assert_int_equal(s.moved_back, 32);
  assert_int_equal(s.first_rehoused_on, D("2027-03-01"));
  assert_int_equal(s.last_moved_back_on, D("2028-03-01"));
  /* Order does not matter: the dates decide first and last. */
  lifecycle_move_t r[5];
  for (int i = 0; i < 5; i++) r[i] = m[4 - i];
  lifecycle_rehousing_sums_t s2;
  lifecycle_rehousing_sum(r, 5, &s2);
  assert_memory_equal(&s, &s2, sizeof s);
  /* No movements: zeros and no dates. */
  lifecycle_rehousing_sum(NULL, 0, &s);
  assert_int_equal(s.temporary + s.permanent + s.moved_back, 0);
  assert_int_equal(s.first_rehoused_on, TRIN_DATE_NONE);
  assert_int_equal(s.last_moved_back_on, TRIN_DATE_NONE);
}

static void test_plan(void **state) {
  (void)state;
  lifecycle_rehousing_sums_t none = {0, 0, 0, TRIN_DATE_NONE, TRIN_DATE_NONE};
  lifecycle_rehousing_sums_t some = {30, 5, 0, TRIN_DATE_NONE, TRIN_DATE_NONE};
  lifecycle_rehousing_plan_t p = {true, false, 40};
  ACCEPT(lifecycle_rehousing_check_plan(&p, 120, &none, &err));
  ACCEPT(lifecycle_rehousing_check_plan(&p, 0, &none, &err)); /* dwellings not told */
  ACCEPT(lifecycle_rehousing_check_plan(&p, 40, &some, &err)); /* edge: every dwelling */
  p.households_to_rehouse = 35; /* edge: exactly those rehoused */
  ACCEPT(lifecycle_rehousing_check_plan(&p, 120, &some, &err));
  p.households_to_rehouse = 34;
  REFUSE(TRIN_ECONFLICT, "households_to_rehouse",
         "35 households were already rehoused; the plan cannot say fewer (34)",
         lifecycle_rehousing_check_plan(&p, 120, &some, &err));
  p.households_to_rehouse = -1;
  REFUSE(TRIN_EINVALID, "households_to_rehouse", "must be 0 to 100000 households, not -1",
         lifecycle_rehousing_check_plan(&p, 120, &none, &err));
  p.households_to_rehouse = 121;
  REFUSE(TRIN_EINVALID, "households_to_rehouse",
         "the project has 120 dwellings; 121 households to rehouse is more than that",
         lifecycle_rehousing_check_plan(&p, 120, &none, &err));
  /* Without rehousing: 0 households, and only while nobody was rehoused. */
  lifecycle_rehousing_plan_t w = {true, true, 0};
  ACCEPT(lifecycle_rehousing_check_plan(&w, 120, &none, &err));
  w.households_to_rehouse = 3;
  REFUSE(TRIN_EINVALID, "households_to_rehouse",
         "a renovation without rehousing has no households to rehouse; say 0, not 3",
         lifecycle_rehousing_check_plan(&w, 120, &none, &err));
  w.households_to_rehouse = 0;
  REFUSE(TRIN_ECONFLICT, "without_rehousing",
         "35 households were already rehoused, so the project is not a renovation without "
         "rehousing",
         lifecycle_rehousing_check_plan(&w, 120, &some, &err));
}

static void test_move_accepts_the_example_step_by_step(void **state) {
  (void)state;
  lifecycle_move_t m[5];
  example(m);
  for (size_t i = 0; i < 5; i++)
    ACCEPT(lifecycle_rehousing_check_move(&PLAN40, D("2026-01-01"), m, i, &m[i], false, false,
                                          &err));
}

static void test_move_refusals(void **state) {
  (void)state;
  lifecycle_move_t m[5];
  example(m);
  trin_date_t start = D("2026-01-01");
  lifecycle_move_t x = {T, 0, D("2027-01-01")};
  REFUSE(TRIN_EINVALID, "move.households", "must be 1 to 100000 households, not 0",
         lifecycle_rehousing_check_move(&PLAN40, start, m, 0, &x, false, false, &err));
  x.households = 1;
  x.date = TRIN_DATE_NONE;
  REFUSE(TRIN_EINVALID, "move.date", "move.date is required",
         lifecycle_rehousing_check_move(&PLAN40, start, m, 0, &x, false, false, &err));
  x.date = D("2025-12-31");
  REFUSE(TRIN_EINVALID, "move.date",
         "move.date (2025-12-31) is before the project's start date (2026-01-01)",
         lifecycle_rehousing_check_move(&PLAN40, start, m, 0, &x, false, false, &err));
  x.date = start; /* edge: the start day itself */
  ACCEPT(lifecycle_rehousing_check_move(&PLAN40, start, m, 0, &x, false, false, &err));
  lifecycle_rehousing_plan_t none = {false, false, 0};
  REFUSE(TRIN_ECONFLICT, "project_id", "the project has no rehousing plan yet",
         lifecycle_rehousing_check_move(&none, start, m, 0, &x, false, false, &err));
  lifecycle_rehousing_plan_t without = {true, true, 0};
  REFUSE(TRIN_ECONFLICT, "move.kind", "the project is renovated without rehousing",
         lifecycle_rehousing_check_move(&without, start, m, 0, &x, false, false, &err));
  /* Beyond the plan: 40 rehoused already, one more only on purpose, with a note. */
  x.date = D("2027-06-01");
  REFUSE(TRIN_ECONFLICT, "move.households",
         "41 households would be rehoused, more than the 40 the plan says",
         lifecycle_rehousing_check_move(&PLAN40, start, m, 5, &x, false, false, &err));
  REFUSE(TRIN_EINVALID, "move.note", "is required with beyond_plan",
         lifecycle_rehousing_check_move(&PLAN40, start, m, 5, &x, true, false, &err));
  ACCEPT(lifecycle_rehousing_check_move(&PLAN40, start, m, 5, &x, true, true, &err));
  x.kind = P;
  REFUSE(TRIN_ECONFLICT, "move.households", "41 households would be rehoused",
         lifecycle_rehousing_check_move(&PLAN40, start, m, 5, &x, false, false, &err));
  /* Moving back: 35 rehoused temporarily, 32 back: 3 more may, 4 may not. */
  lifecycle_move_t b = {B, 3, D("2028-04-01")};
  ACCEPT(lifecycle_rehousing_check_move(&PLAN40, start, m, 5, &b, false, false, &err));
  b.households = 4;
  REFUSE(TRIN_ECONFLICT, "move.households",
         "by 2028-04-01 35 households were rehoused temporarily and 32 had moved back; 4 more "
         "cannot move back",
         lifecycle_rehousing_check_move(&PLAN40, start, m, 5, &b, false, false, &err));
  REFUSE(TRIN_EINVALID, "move.beyond_plan", "not to households moving back",
         lifecycle_rehousing_check_move(&PLAN40, start, m, 5, &b, true, true, &err));
  /* Dated early: on 2027-04-01 only 25 were out, and none back yet, so 26
   * cannot move back then; 3 dated then would break the later balance
   * (2028-03-01: 35 out, 32 + 3 = 35 back is fine, but the 20 on
   * 2028-02-01 already count) — checked on every later movement's day. */
  lifecycle_move_t e = {B, 26, D("2027-04-01")};
  REFUSE(TRIN_ECONFLICT, "move.households",
         "by 2027-04-01 25 households were rehoused temporarily and 0 had moved back",
         lifecycle_rehousing_check_move(&PLAN40, start, m, 3, &e, false, false, &err));
  e.households = 4; /* fine on its own day, but on 2028-03-01 36 back of 35 */
  REFUSE(TRIN_ECONFLICT, "move.households",
         "by 2028-03-01 35 households were rehoused temporarily and 32 had moved back",
         lifecycle_rehousing_check_move(&PLAN40, start, m, 5, &e, false, false, &err));
}

static void test_kind_words(void **state) {
  (void)state;
  assert_int_equal(lifecycle_move_kind_parse("moved_back", "move.kind", &err), B);
  assert_string_equal(lifecycle_move_kind_name(P), "permanent");
  assert_string_equal(lifecycle_move_kind_name(9), "");
  trin_err_clear(&err);
  assert_int_equal(lifecycle_move_kind_parse("away", "move.kind", &err), -1);
  assert_string_equal(err.field, "move.kind");
  assert_non_null(strstr(err.message, "'away' is not a kind of movement; use one of "
                                      "temporary, permanent, moved_back"));
  trin_err_clear(&err);
  assert_int_equal(lifecycle_move_kind_parse("", "move.kind", &err), -1);
  assert_non_null(strstr(err.message, "move.kind is required"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_sum_worked_example),
      cmocka_unit_test(test_plan),
      cmocka_unit_test(test_move_accepts_the_example_step_by_step),
      cmocka_unit_test(test_move_refusals),
      cmocka_unit_test(test_kind_words),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
