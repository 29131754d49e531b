/* gateway.sustainability — RecordSustainability (issue 20, item 3) over
 * HTTP through trin-gateway, all real processes over CURVE
 * (gateway_testenv.h): POST /api/v1/projects/{project_id}/sustainability
 * with the client writer's token records a measure and answers the totals;
 * the contractor's calculator is refused saying who may; an outsider hears
 * "there is no project" like a missing id; a bad measure gets the service's
 * words; the OpenAPI document lists the route. */
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

static void expect_problem(const gt_http_t *r, int status, const char *field,
                           const char *detail_part) {
  if (r->status != status) fail_msg("status %d, wanted %d: %s", r->status, status, r->body);
  json_t *p = parse(r);
  if (field) assert_string_equal(json_string_value(json_object_get(p, "field")), field);
  const char *d = json_string_value(json_object_get(p, "detail"));
  if (!d || !strstr(d, detail_part)) fail_msg("detail '%s' lacks '%s'", d, detail_part);
  json_decref(p);
}

#define PATH "/api/v1/projects/PA/sustainability"
#define ENERGY                                                                             \
  "{\"measure\":{\"id\":\"E1\",\"kind\":\"energy_renovation\",\"description\":\"Vinduer\"," \
  "\"recorded_on\":\"2025-06-01\",\"energy_before_kwh_m2_x100\":14500,"                     \
  "\"energy_measured_after_kwh_m2_x100\":10240,\"co2e_saving_kg_m2_x100\":1235,"            \
  "\"co2e_method\":\"LCAbyg\"}}"

static void a_writer_records_others_are_told_why_not(void **state) {
  (void)state;
  gt_http_t r;
  assert_true(gt_http(&env, "POST", PATH, env.token[GT_WRITER], ENERGY, NULL, NULL, &r));
  if (r.status != 200) fail_msg("POST %s: %d %s", PATH, r.status, r.body);
  json_t *j = parse(&r);
  json_t *t = json_object_get(json_object_get(j, "project"), "sustainability");
  assert_int_equal(json_integer_value(json_object_get(t, "measures")), 1);
  assert_int_equal(json_integer_value(json_object_get(t, "energy_saving_measured_kwh_m2_x100")),
                   4260);
  assert_int_equal(json_integer_value(json_object_get(t, "co2e_saving_kg_m2_x100")), 1235);
  assert_string_equal(json_string_value(json_object_get(json_object_get(j, "measure"), "id")),
                      "E1");
  json_decref(j);
  gt_http_free(&r);

  assert_true(gt_http(&env, "POST", PATH, env.token[GT_CALCULATOR], ENERGY, NULL, NULL, &r));
  expect_problem(&r, 403, NULL,
                 "may not record a project's sustainability measure "
                 "(trin.lifecycle.RecordSustainability): only writer (bygherre) may");
  gt_http_free(&r);
  assert_true(gt_http(&env, "POST", PATH, env.token[GT_OUTSIDER], ENERGY, NULL, NULL, &r));
  expect_problem(&r, 404, "project_id", "there is no project 'PA'");
  gt_http_free(&r);
  assert_true(gt_http(&env, "POST", PATH, env.token[GT_WRITER],
                      "{\"measure\":{\"id\":\"R1\",\"kind\":\"reuse\",\"description\":\"Tegl\","
                      "\"recorded_on\":\"2025-06-01\",\"reused_kg\":500}}",
                      NULL, NULL, &r));
  expect_problem(&r, 422, "measure.material", "is required for reused material");
  gt_http_free(&r);

  assert_true(gt_http(&env, "GET", "/api/v1/openapi.json", NULL, NULL, NULL, NULL, &r));
  assert_int_equal(r.status, 200);
  json_t *doc = parse(&r);
  json_t *op = json_object_get(json_object_get(json_object_get(doc, "paths"),
                                               "/api/v1/projects/{project_id}/sustainability"),
                               "post");
  assert_non_null(op);
  json_decref(doc);
  gt_http_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(a_writer_records_others_are_told_why_not),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
