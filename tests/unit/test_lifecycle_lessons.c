/* Unit tests for services/lifecycle/lifecycle_lessons: a lesson's and an
 * adoption's checks (issue 20, item 5) — every refusal a user can reach,
 * with its field, status and words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lifecycle_lessons.h"

static trin_err_t err;

#define REFUSE(code_, field_, words_, call)           \
  do {                                                \
    trin_err_clear(&err);                             \
    assert_int_equal((call), (code_));                \
    assert_string_equal(err.field, (field_));         \
    if (!strstr(err.message, (words_)))               \
      print_error("message: %s\n", err.message);      \
    assert_non_null(strstr(err.message, (words_)));   \
  } while (0)

static trin_date_t d(int y, int m, int dd) { return trin_date_from_ymd(y, m, dd); }

static void test_categories(void **state) {
  (void)state;
  assert_int_equal(lifecycle_lesson_category_parse("process", "c", &err),
                   LIFECYCLE_LESSON_PROCESS);
  assert_int_equal(lifecycle_lesson_category_parse("rehousing", "c", &err),
                   LIFECYCLE_LESSON_REHOUSING);
  assert_int_equal(lifecycle_lesson_category_parse("sustainability", "c", &err),
                   LIFECYCLE_LESSON_SUSTAINABILITY);
  int n = 0;
  while (lifecycle_lesson_category_words[n]) n++;
  assert_int_equal(n, LIFECYCLE_LESSON_CATEGORY_COUNT);
  trin_err_clear(&err);
  assert_int_equal(lifecycle_lesson_category_parse("Proces", "lesson.category", &err), -1);
  assert_string_equal(err.field, "lesson.category");
  assert_non_null(strstr(err.message, "must be one of process, collaboration"));
  assert_non_null(strstr(err.message, "not \"Proces\""));
  assert_int_equal(lifecycle_lesson_category_parse(NULL, "lesson.category", &err), -1);
}

static void test_lesson_date(void **state) {
  (void)state;
  trin_err_clear(&err);
  assert_int_equal(lifecycle_lesson_check(d(2024, 2, 1), d(2024, 2, 1), &err), TRIN_OK);
  assert_int_equal(lifecycle_lesson_check(d(2024, 2, 1), d(2025, 6, 30), &err), TRIN_OK);
  trin_err_clear(&err);
  assert_int_not_equal(lifecycle_lesson_check(d(2024, 2, 1), d(2024, 1, 31), &err), TRIN_OK);
  assert_string_equal(err.field, "lesson.learned_on");
  assert_non_null(strstr(err.message, "the project's start date"));
}

static lifecycle_adoption_t adoption(void) {
  lifecycle_adoption_t x = {.lesson_project = "K1",
                            .lesson_partnership = "LIVA",
                            .adopting_project = "K2",
                            .adopting_partnership = "LIVA",
                            .learned_on = d(2024, 5, 1),
                            .adopted_on = d(2024, 9, 1),
                            .measure = "",
                            .effect_value = 0};
  return x;
}

static void test_adoption_accepted(void **state) {
  (void)state;
  lifecycle_adoption_t x = adoption();
  trin_err_clear(&err);
  assert_int_equal(lifecycle_adoption_check(&x, &err), TRIN_OK);
  x.adopted_on = x.learned_on; /* the same day counts */
  assert_int_equal(lifecycle_adoption_check(&x, &err), TRIN_OK);
  x.measure = "schedule_variance_days";
  x.effect_value = -14;
  assert_int_equal(lifecycle_adoption_check(&x, &err), TRIN_OK);
  x.measure = "satisfaction_x100";
  x.effect_value = 0; /* measured: no change */
  assert_int_equal(lifecycle_adoption_check(&x, &err), TRIN_OK);
  x.measure = NULL;
  assert_int_equal(lifecycle_adoption_check(&x, &err), TRIN_OK);
}

static void test_adoption_refused(void **state) {
  (void)state;
  lifecycle_adoption_t x = adoption();
  x.measure = "days";
  REFUSE(TRIN_EINVALID, "adoption.measure", "must be drift_bp, schedule_variance_days",
         lifecycle_adoption_check(&x, &err));
  x = adoption();
  x.effect_value = 250;
  REFUSE(TRIN_EINVALID, "adoption.effect_value", "needs adoption.measure",
         lifecycle_adoption_check(&x, &err));
  x = adoption();
  x.adopting_project = "K1";
  REFUSE(TRIN_ECONFLICT, "project_id", "is the project the lesson was learned in",
         lifecycle_adoption_check(&x, &err));
  x = adoption();
  x.lesson_partnership = "";
  REFUSE(TRIN_ECONFLICT, "lesson_project_id", "project \"K1\" is outside any partnership",
         lifecycle_adoption_check(&x, &err));
  x = adoption();
  x.adopting_partnership = "FSBP";
  REFUSE(TRIN_ECONFLICT, "project_id",
         "project \"K2\" is not in partnership \"LIVA\", where the lesson was learned",
         lifecycle_adoption_check(&x, &err));
  x = adoption();
  x.adopting_partnership = "";
  REFUSE(TRIN_ECONFLICT, "project_id", "is not in partnership \"LIVA\"",
         lifecycle_adoption_check(&x, &err));
  x = adoption();
  x.adopted_on = d(2024, 4, 30);
  trin_err_clear(&err);
  assert_int_not_equal(lifecycle_adoption_check(&x, &err), TRIN_OK);
  assert_string_equal(err.field, "adoption.adopted_on");
  assert_non_null(strstr(err.message, "the lesson's learned_on"));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_categories),
      cmocka_unit_test(test_lesson_date),
      cmocka_unit_test(test_adoption_accepted),
      cmocka_unit_test(test_adoption_refused),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
