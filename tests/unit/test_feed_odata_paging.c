/* feed.odata_paging — server-driven paging over HTTP: following
 * @odata.nextLink walks every row exactly once (default order, with
 * $filter, with $orderby desc), $top and $skip across pages, $count, a
 * token given as ?api_key= carried into every next link, and rows added
 * between pages are neither repeated nor lost. */
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

#define NROWS 2500
#define PAGE 1000

static tu_svc_t *svc;
static uint64_t seq;

static int setup(void **state) {
  svc = tu_svc_start("", PAGE, 0);
  seq = 0;
  tu_svc_projects(svc, NROWS, &seq);
  return 0;
}
static int teardown(void **state) {
  tu_svc_stop(svc);
  return 0;
}

/* Follows nextLinks from path; counts each project id seen in seen[];
 * returns the number of pages. After the first page, before_next (if set)
 * runs once. */
static int walk(const char *path, int *seen, int *rows, long long *count,
                const char *order_col, bool desc, void (*before_next)(void)) {
  char url[4096];
  snprintf(url, sizeof url, "%s", path);
  int pages = 0;
  *rows = 0;
  json_t *prev = NULL;
  for (;;) {
    tu_http_t r;
    assert_true(tu_get_auth(tu_svc_port(svc), url, &r));
    if (r.status != 200) print_error("%s -> %d %s\n", url, r.status, r.body);
    assert_int_equal(r.status, 200);
    json_error_t je;
    json_t *doc = json_loads(r.body, 0, &je);
    assert_non_null(doc);
    assert_non_null(json_object_get(doc, "@odata.context"));
    if (count) {
      json_t *c = json_object_get(doc, "@odata.count");
      assert_non_null(c);
      *count = json_integer_value(c);
    }
    json_t *value = json_object_get(doc, "value");
    assert_true(json_is_array(value));
    size_t i;
    json_t *row;
    json_array_foreach(value, i, row) {
      const char *id = json_string_value(json_object_get(row, "project_id"));
      assert_non_null(id);
      int k = atoi(id + 1);
      seen[k]++;
      (*rows)++;
      if (order_col && prev) { /* order holds across rows and pages */
        json_int_t a = json_integer_value(json_object_get(prev, order_col));
        json_int_t b = json_integer_value(json_object_get(row, order_col));
        assert_true(desc ? a >= b : a <= b);
      }
      json_decref(prev);
      prev = json_incref(row);
    }
    pages++;
    json_t *next = json_object_get(doc, "@odata.nextLink");
    if (!next) {
      json_decref(doc);
      tu_http_free(&r);
      break;
    }
    assert_true(json_array_size(value) == PAGE);
    const char *n = json_string_value(next);
    const char *p = strstr(n, "/odata/");
    assert_non_null(p);
    assert_true(strncmp(n, "http://127.0.0.1:", 17) == 0); /* absolute, from Host */
    snprintf(url, sizeof url, "%s", p);
    json_decref(doc);
    tu_http_free(&r);
    if (before_next && pages == 1) before_next();
  }
  json_decref(prev);
  return pages;
}

static void all_rows_once(void **state) {
  static int seen[NROWS + 100];
  memset(seen, 0, sizeof seen);
  int rows;
  long long count = -1;
  int pages = walk("/odata/ProjectStatus?$count=true", seen, &rows, &count, NULL, false, NULL);
  assert_int_equal(pages, 3);
  assert_int_equal(rows, NROWS);
  assert_int_equal(count, NROWS);
  for (int i = 0; i < NROWS; i++) assert_int_equal(seen[i], 1);
}

static void filtered_and_ordered(void **state) {
  static int seen[NROWS + 100];
  memset(seen, 0, sizeof seen);
  int rows;
  long long count;
  /* dwellings = i; partnership "" for i % 3 == 0 */
  walk("/odata/ProjectStatus?$filter=dwellings%20ge%20100%20and%20partnership_id%20eq%20'LIVA'"
       "&$orderby=dwellings%20desc&$count=true&$select=project_id,dwellings",
       seen, &rows, &count, "dwellings", true, NULL);
  int expect = 0;
  for (int i = 0; i < NROWS; i++) {
    bool want = i >= 100 && i % 3 != 0;
    expect += want;
    assert_int_equal(seen[i], want ? 1 : 0);
  }
  assert_int_equal(rows, expect);
  assert_int_equal(count, expect);
}

static void top_and_skip(void **state) {
  static int seen[NROWS + 100];
  memset(seen, 0, sizeof seen);
  int rows;
  /* 1,200 rows from the 101st: two pages, 1000 + 200 */
  int pages = walk("/odata/ProjectStatus?$skip=100&$top=1200&$orderby=dwellings", seen, &rows,
                   NULL, "dwellings", false, NULL);
  assert_int_equal(pages, 2);
  assert_int_equal(rows, 1200);
  for (int i = 0; i < NROWS; i++) assert_int_equal(seen[i], i >= 100 && i < 1300 ? 1 : 0);
  /* without $orderby (keyset paging) */
  memset(seen, 0, sizeof seen);
  pages = walk("/odata/ProjectStatus?$skip=100&$top=1200", seen, &rows, NULL, NULL, false, NULL);
  assert_int_equal(pages, 2);
  assert_int_equal(rows, 1200);
  for (int i = 0; i < NROWS; i++) assert_int_equal(seen[i], i >= 100 && i < 1300 ? 1 : 0);
}

/* New rows sorted before and after the cursor while paging. */
static void add_rows(agg_service_t *a, void *arg) {
  const char *ids[] = {"A-early", "P01500x", "Z-late"};
  for (int i = 0; i < 3; i++) {
    Trin__Lifecycle__Project p;
    tu_project(&p, ids[i], "", "KAB");
    Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
    pe.project = &p;
    Trin__Event *ev = tu_event("lifecycle", ++seq, "lifecycle.project_created", &pe.base);
    agg_service_consume(a, 0, ev);
    tu_event_free(ev);
  }
  trin_err_t err = {0};
  agg_service_flush(a, &err);
}
static void before_next(void) { tu_svc_run(svc, add_rows, NULL); }

static void stable_under_inserts(void **state) {
  static int seen[NROWS + 100];
  memset(seen, 0, sizeof seen);
  int rows;
  walk("/odata/ProjectStatus", seen, &rows, NULL, NULL, false, before_next);
  /* every original row once; of the new ones, those after the cursor once
   * ("P01500x" and "Z-late" map to 1500 (again) and 0 via atoi) */
  assert_int_equal(seen[0], 2); /* P00000 and Z-late */
  for (int i = 1; i < NROWS; i++) assert_int_equal(seen[i], i == 1500 ? 2 : 1);
  assert_int_equal(rows, NROWS + 2);
}

/* The token in the URL (?api_key=, how Power BI sends it with the Web API
 * credential, or pasted into the URL): every nextLink carries it, so a
 * client that only follows links gets page 2 and 3, not a 401. */
static void key_in_query_follows(void **state) {
  char url[4096] = "/odata/ProjectStatus?$count=true&api_key=" TU_TOKEN;
  int pages = 0, rows = 0;
  for (;;) {
    tu_http_t r;
    assert_true(tu_get(tu_svc_port(svc), url, NULL, &r)); /* no Authorization header */
    if (r.status != 200) print_error("%s -> %d %s\n", url, r.status, r.body);
    assert_int_equal(r.status, 200);
    json_t *doc = json_loads(r.body, 0, NULL);
    assert_non_null(doc);
    rows += (int)json_array_size(json_object_get(doc, "value"));
    pages++;
    json_t *next = json_object_get(doc, "@odata.nextLink");
    if (!next) {
      json_decref(doc);
      tu_http_free(&r);
      break;
    }
    const char *n = json_string_value(next);
    assert_non_null(strstr(n, "api_key=" TU_TOKEN "&"));
    snprintf(url, sizeof url, "%s", strstr(n, "/odata/"));
    json_decref(doc);
    tu_http_free(&r);
  }
  assert_int_equal(pages, 3);
  assert_int_equal(rows, NROWS);
}

/* A client that adds its own api_key to every request (Power BI's Web API
 * credential with ApiKeyName="api_key") sends it twice on page 2: still 200. */
static void key_twice_on_page_two(void **state) {
  tu_http_t r;
  assert_true(tu_get(tu_svc_port(svc), "/odata/ProjectStatus?api_key=" TU_TOKEN, NULL, &r));
  assert_int_equal(r.status, 200);
  json_t *doc = json_loads(r.body, 0, NULL);
  assert_non_null(doc);
  const char *n = json_string_value(json_object_get(doc, "@odata.nextLink"));
  assert_non_null(n);
  char url[4096];
  snprintf(url, sizeof url, "%s&api_key=" TU_TOKEN, strstr(n, "/odata/"));
  json_decref(doc);
  tu_http_free(&r);
  assert_true(tu_get(tu_svc_port(svc), url, NULL, &r));
  assert_int_equal(r.status, 200);
  tu_http_free(&r);
}

/* A token sent in a header stays out of the link; a wrong token in the
 * URL is refused on page 1 and says how to send one. */
static void key_stays_where_it_was(void **state) {
  tu_http_t r;
  assert_true(tu_get_auth(tu_svc_port(svc), "/odata/ProjectStatus", &r));
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "@odata.nextLink"));
  assert_null(strstr(r.body, "api_key"));
  assert_null(strstr(r.body, TU_TOKEN));
  tu_http_free(&r);
  assert_true(tu_get(tu_svc_port(svc), "/odata/ProjectStatus?api_key=not-the-token", NULL, &r));
  assert_int_equal(r.status, 401);
  assert_non_null(strstr(r.body, "not valid"));
  assert_null(strstr(r.body, "nextLink"));
  tu_http_free(&r);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(all_rows_once),
      cmocka_unit_test(filtered_and_ordered),
      cmocka_unit_test(top_and_skip),
      cmocka_unit_test(key_in_query_follows),
      cmocka_unit_test(key_twice_on_page_two),
      cmocka_unit_test(key_stays_where_it_was),
      cmocka_unit_test(stable_under_inserts),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
