/* feed.http — the non-OData endpoints: the token (Bearer, Basic, api_key;
 * refused otherwise, never needed for /healthz), /api/v1/status with and
 * without ?since, the CSV read back by python3's csv module equal to the
 * JSON (texts with commas, quotes, line breaks and non-ASCII), /metrics in
 * Prometheus text format, gzip when asked, the dashboard page, read-only
 * methods. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "test_aggregator_util.h"

static tu_svc_t *svc;
static uint64_t seq;

static void awkward(agg_service_t *a, void *arg) {
  Trin__Lifecycle__Project p;
  tu_project(&p, "Q-1", "", "KAB");
  p.name = "Bøgeparken, afd. 3 \"Syd\"\nanden linje";
  p.municipality = "Høje-Taastrup";
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = &p;
  Trin__Event *ev = tu_event("lifecycle", ++seq, "lifecycle.project_created", &pe.base);
  agg_service_consume(a, 0, ev);
  tu_event_free(ev);
  trin_err_t err = {0};
  agg_service_flush(a, &err);
}

static int setup(void **state) {
  svc = tu_svc_start("", 0, 0);
  seq = 0;
  tu_svc_projects(svc, 50, &seq);
  tu_svc_run(svc, awkward, NULL);
  return 0;
}
static int teardown(void **state) {
  tu_svc_stop(svc);
  return 0;
}

static int status_of(const char *path, const char *headers) {
  tu_http_t r;
  assert_true(tu_get(tu_svc_port(svc), path, headers, &r));
  int s = r.status;
  /* the token never shows up in an answer */
  assert_null(strstr(r.body, TU_TOKEN));
  tu_http_free(&r);
  return s;
}

static void tokens(void **state) {
  assert_int_equal(status_of("/healthz", NULL), 200);
  const char *paths[] = {"/odata/", "/odata/$metadata", "/odata/ProjectStatus", "/api/v1/status",
                         "/api/v1/status.csv", "/metrics", "/"};
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    assert_int_equal(status_of(paths[i], NULL), 401);
    assert_int_equal(status_of(paths[i], "Authorization: Bearer wrong\r\n"), 401);
  }
  assert_int_equal(status_of("/index.html", NULL), 401);
  /* the page's script and stylesheet hold no data: the browser fetches them
   * without the page's ?api_key= */
  assert_int_equal(status_of("/app.js", NULL), 200);
  assert_int_equal(status_of("/style.css", NULL), 200);
  assert_int_equal(status_of("/nope.js", NULL), 401);
  assert_int_equal(status_of("/api/v1/status", "Authorization: Bearer " TU_TOKEN "\r\n"), 200);
  assert_int_equal(status_of("/api/v1/status?api_key=" TU_TOKEN, NULL), 200);
  assert_int_equal(status_of("/api/v1/status?api_key=" TU_TOKEN "x", NULL), 401);
  /* Basic: any user, the token as password ("powerbi:t0ken-for-tests") */
  assert_int_equal(status_of("/odata/", "Authorization: Basic cG93ZXJiaTp0MGtlbi1mb3ItdGVzdHM=\r\n"),
                   200);
  assert_int_equal(status_of("/odata/", "Authorization: Basic cG93ZXJiaTp3cm9uZw==\r\n"), 401);
  /* 401 names both schemes so Power BI and browsers can ask for it */
  tu_http_t r;
  assert_true(tu_get(tu_svc_port(svc), "/odata/ProjectStatus", NULL, &r));
  assert_int_equal(tu_header(&r, "WWW-Authenticate", NULL, 0), 2);
  assert_non_null(strstr(r.body, "\"error\""));
  tu_http_free(&r);
}

static void status_json_and_since(void **state) {
  tu_http_t r;
  assert_true(tu_get_auth(tu_svc_port(svc), "/api/v1/status", &r));
  assert_int_equal(r.status, 200);
  json_t *doc = json_loads(r.body, 0, NULL);
  assert_non_null(doc);
  assert_int_equal(json_array_size(json_object_get(doc, "rows")), 51);
  json_t *q = NULL;
  size_t i;
  json_t *row;
  json_array_foreach(json_object_get(doc, "rows"), i, row) {
    assert_int_equal(json_object_size(row), 34 + 7); /* every column; + 7: issue 20, item 3 */
    if (strcmp(json_string_value(json_object_get(row, "project_id")), "Q-1") == 0) q = row;
  }
  assert_non_null(q);
  assert_string_equal(json_string_value(json_object_get(q, "project_name")),
                      "Bøgeparken, afd. 3 \"Syd\"\nanden linje");
  json_int_t qseq = json_integer_value(json_object_get(q, "seq"));
  json_decref(doc);
  tu_http_free(&r);
  char path[64];
  snprintf(path, sizeof path, "/api/v1/status?since=%lld", (long long)qseq - 1);
  assert_true(tu_get_auth(tu_svc_port(svc), path, &r));
  doc = json_loads(r.body, 0, NULL);
  assert_int_equal(json_array_size(json_object_get(doc, "rows")), 1);
  json_decref(doc);
  tu_http_free(&r);
  assert_true(tu_get_auth(tu_svc_port(svc), "/api/v1/status?since=-3", &r));
  assert_int_equal(r.status, 400);
  tu_http_free(&r);
  /* gzip when asked */
  assert_true(tu_get(tu_svc_port(svc), "/api/v1/status",
                     "Authorization: Bearer " TU_TOKEN "\r\nAccept-Encoding: gzip\r\n", &r));
  char v[64];
  assert_int_equal(tu_header(&r, "Content-Encoding", v, sizeof v), 1);
  assert_string_equal(v, "gzip");
  tu_http_free(&r);
}

static void csv_equals_json(void **state) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "python3 %s csv %d %s", AGG_FEED_CHECK, tu_svc_port(svc), TU_TOKEN);
  assert_int_equal(system(cmd), 0);
}

static void metrics_and_dashboard(void **state) {
  tu_http_t r;
  assert_true(tu_get_auth(tu_svc_port(svc), "/metrics", &r));
  char *body = r.body;
  assert_int_equal(r.status, 200);
  char v[128];
  tu_header(&r, "Content-Type", v, sizeof v);
  assert_non_null(strstr(v, "text/plain; version=0.0.4"));
  assert_non_null(strstr(r.body, "\ntrin_aggregator_rows 51\n"));
  assert_non_null(strstr(r.body, "# TYPE trin_aggregator_http_requests_total counter"));
  assert_non_null(strstr(r.body, "trin_aggregator_commits_total "));
  /* every sample line is NAME{labels} VALUE */
  for (char *line = strtok(body, "\n"); line; line = strtok(NULL, "\n")) {
    if (line[0] == '#') continue;
    char *sp = strrchr(line, ' ');
    assert_non_null(sp);
    char *end;
    strtod(sp + 1, &end);
    assert_true(*end == '\0');
    assert_true(strncmp(line, "trin_aggregator_", 16) == 0);
  }
  tu_http_free(&r);
  assert_true(tu_get_auth(tu_svc_port(svc), "/", &r));
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "<html"));
  tu_http_free(&r);
  assert_true(tu_get_auth(tu_svc_port(svc), "/nope.html", &r));
  assert_int_equal(r.status, 404);
  tu_http_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(tokens),
      cmocka_unit_test(status_json_and_since),
      cmocka_unit_test(csv_equals_json),
      cmocka_unit_test(metrics_and_dashboard),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
