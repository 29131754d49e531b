/* gateway.lessons — lessons learned (issue 20, item 5) over HTTP through
 * trin-gateway, all real processes over CURVE (gateway_testenv.h): the
 * contractor's calculator records a lesson learned on site (every member
 * taking part may), the client's writer records that a later project of
 * the partnership adopted it, a reader may list but not record, an
 * outsider hears "there is no project" and lists nothing; the OpenAPI
 * document lists the routes. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>
#include <jansson.h>

#include "gateway_testenv.h"

static gt_env_t env;
static const char *const BINS[GT_NPROCS] = {TRIN_LIFECYCLE_BIN, TRIN_BUDGET_BIN,
                                            TRIN_SURVEY_BIN,    TRIN_BENCHMARK_BIN,
                                            TRIN_AGGREGATOR_BIN, TRIN_GATEWAY_BIN};

static int setup(void **state) {
  (void)state;
  if (!gt_start(&env, BINS, NULL)) return -1;
  return gt_demo(&env) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  return gt_stop(&env) ? 0 : -1;
}

static json_t *parse(const gt_http_t *r) {
  json_error_t je;
  json_t *j = json_loadb(r->body, r->body_len, 0, &je);
  if (!j) fail_msg("not JSON (%s): %s", je.text, r->body);
  return j;
}

/* A request that must succeed; its reply parsed. */
static json_t *ok(const char *method, const char *path, int who, const char *body) {
  gt_http_t r;
  assert_true(gt_http(&env, method, path, env.token[who], body, NULL, NULL, &r));
  if (r.status != 200) fail_msg("%s %s: %d %s", method, path, r.status, r.body);
  json_t *j = parse(&r);
  gt_http_free(&r);
  return j;
}

static void expect_problem(const char *method, const char *path, int who, const char *body,
                           int status, const char *detail_part) {
  gt_http_t r;
  assert_true(gt_http(&env, method, path, env.token[who], body, NULL, NULL, &r));
  if (r.status != status) fail_msg("%s %s: status %d, wanted %d: %s", method, path, r.status,
                                   status, r.body);
  json_t *p = parse(&r);
  const char *d = json_string_value(json_object_get(p, "detail"));
  if (!d || !strstr(d, detail_part)) fail_msg("detail '%s' lacks '%s'", d, detail_part);
  json_decref(p);
  gt_http_free(&r);
}

#define LESSON                                                                          \
  "{\"lesson\":{\"id\":\"L1\",\"text\":\"Stilladset skal bestilles ved trin 2\","      \
  "\"category\":\"schedule\",\"learned_on\":\"2025-04-01\"}}"

static void lessons_move_within_the_partnership(void **state) {
  (void)state;
  /* Learned on site: the contractor records it. */
  json_t *j = ok("POST", "/api/v1/projects/PA/lessons", GT_CALCULATOR, LESSON);
  json_t *l = json_object_get(j, "lesson");
  assert_string_equal(json_string_value(json_object_get(l, "category")), "schedule");
  assert_string_equal(json_string_value(json_object_get(l, "project_id")), "PA");
  assert_int_equal(json_integer_value(json_object_get(json_object_get(j, "project"), "lessons")),
                   1);
  json_decref(j);
  expect_problem("POST", "/api/v1/projects/PA/lessons", GT_READER, LESSON, 403,
                 "may not record a lesson learned in a project");
  expect_problem("POST", "/api/v1/projects/PA/lessons", GT_OUTSIDER, LESSON, 404,
                 "there is no project 'PA'");

  /* A later project of the partnership takes it up. */
  json_decref(ok("POST", "/api/v1/projects", GT_WRITER,
                 "{\"project\":{\"id\":\"PB\",\"name\":\"Blok B\",\"partnership_id\":\"LA\","
                 "\"kind\":\"renovation\",\"start_date\":\"2025-09-01\"}}"));
  j = ok("POST", "/api/v1/projects/PB/lesson-adoptions", GT_WRITER,
         "{\"lesson_project_id\":\"PA\",\"lesson_id\":\"L1\",\"adoption\":{"
         "\"adopted_on\":\"2025-09-15\",\"effect\":\"Ingen ventetid på stillads\","
         "\"measure\":\"schedule_variance_days\",\"effect_value\":\"-9\"}}");
  assert_int_equal(
      json_integer_value(json_object_get(json_object_get(j, "project"), "lessons_adopted")), 1);
  json_decref(j);
  /* The outsider's own project cannot take up the partnership's lesson. */
  expect_problem("POST", "/api/v1/projects/PO/lesson-adoptions", GT_OUTSIDER,
                 "{\"lesson_project_id\":\"PA\",\"lesson_id\":\"L1\",\"adoption\":{"
                 "\"adopted_on\":\"2025-09-15\"}}",
                 404, "there is no project 'PA'");

  /* Members list the lesson with its adoption; the outsider sees none. */
  j = ok("GET", "/api/v1/lessons?partnership_id=LA", GT_READER, NULL);
  json_t *ls = json_object_get(j, "lessons");
  assert_int_equal(json_array_size(ls), 1);
  json_t *x = json_array_get(json_object_get(json_array_get(ls, 0), "adoptions"), 0);
  assert_string_equal(json_string_value(json_object_get(x, "project_id")), "PB");
  assert_string_equal(json_string_value(json_object_get(x, "recorded_by")), "alfa");
  json_decref(j);
  j = ok("GET", "/api/v1/lessons", GT_OUTSIDER, NULL);
  assert_int_equal(json_array_size(json_object_get(j, "lessons")), 0);
  json_decref(j);

  gt_http_t r;
  assert_true(gt_http(&env, "GET", "/api/v1/openapi.json", NULL, NULL, NULL, NULL, &r));
  assert_int_equal(r.status, 200);
  json_t *doc = parse(&r);
  json_t *paths = json_object_get(doc, "paths");
  assert_non_null(json_object_get(json_object_get(paths, "/api/v1/projects/{project_id}/lessons"),
                                  "post"));
  assert_non_null(json_object_get(
      json_object_get(paths, "/api/v1/projects/{project_id}/lesson-adoptions"), "post"));
  assert_non_null(json_object_get(json_object_get(paths, "/api/v1/lessons"), "get"));
  json_decref(doc);
  gt_http_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(lessons_move_within_the_partnership),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
