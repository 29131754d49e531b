/* feed.odata_query — $filter with every operator (eq ne gt ge lt le and or
 * not, parentheses, null, dates, booleans, decimals, text functions) over
 * HTTP, $select, $orderby, the service document, an entity by key, the
 * headers Power BI and Excel need, $metadata as well-formed CSDL naming
 * every column with its type (checked by python3's xml.etree), and bad
 * queries refused with 400 in OData's error format. */
#include <jansson.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "agg_odata.h"
#include "test_aggregator_util.h"

static tu_svc_t *svc;

static void budget_for(agg_service_t *a, void *arg) {
  /* P00001..P00010 get Skema A = i mio. kr. and drift i*100 bp */
  uint64_t bseq = 0;
  for (int i = 1; i <= 10; i++) {
    char id[16];
    snprintf(id, sizeof id, "P%05d", i);
    Trin__Budget__ProjectFigures f = TRIN__BUDGET__PROJECT_FIGURES__INIT;
    f.project_id = id;
    f.budget_a_ore = (int64_t)i * 100000000;
    f.drift_known = true;
    f.drift_bp = i * 100 + 25;
    Trin__Budget__BudgetEvent be = TRIN__BUDGET__BUDGET_EVENT__INIT;
    be.figures = &f;
    Trin__Event *ev = tu_event("budget", ++bseq, "budget.budget_approved", &be.base);
    agg_service_consume(a, 1, ev);
    tu_event_free(ev);
  }
  trin_err_t err = {0};
  agg_service_flush(a, &err);
}

static int setup(void **state) {
  svc = tu_svc_start("", 0, 0);
  uint64_t seq = 0;
  tu_svc_projects(svc, 40, &seq);
  tu_svc_run(svc, budget_for, NULL);
  return 0;
}
static int teardown(void **state) {
  tu_svc_stop(svc);
  return 0;
}

/* The ids a filter selects, as "P00001,P00004" (in key order). */
static char *ids_for(const char *filter_encoded) {
  static char out[4096];
  char path[2048];
  snprintf(path, sizeof path, "/odata/ProjectStatus?$select=project_id&$filter=%s",
           filter_encoded);
  tu_http_t r;
  assert_true(tu_get_auth(tu_svc_port(svc), path, &r));
  if (r.status != 200) print_error("%s -> %d %s\n", path, r.status, r.body);
  assert_int_equal(r.status, 200);
  json_t *doc = json_loads(r.body, 0, NULL);
  assert_non_null(doc);
  out[0] = '\0';
  size_t i;
  json_t *row;
  json_array_foreach(json_object_get(doc, "value"), i, row) {
    assert_int_equal(json_object_size(row), 1); /* $select */
    if (out[0]) strcat(out, ",");
    strcat(out, json_string_value(json_object_get(row, "project_id")));
  }
  json_decref(doc);
  tu_http_free(&r);
  return out;
}

static void each_operator(void **state) {
  /* dwellings = i, stage trin3 for i % 4 == 0, partnership LIVA unless i % 3 == 0 */
  assert_string_equal(ids_for("dwellings%20eq%205"), "P00005");
  assert_string_equal(ids_for("dwellings%20lt%203"), "P00000,P00001,P00002");
  assert_string_equal(ids_for("dwellings%20le%202"), "P00000,P00001,P00002");
  assert_string_equal(ids_for("dwellings%20gt%2037"), "P00038,P00039");
  assert_string_equal(ids_for("dwellings%20ge%2038"), "P00038,P00039");
  assert_string_equal(ids_for("dwellings%20ne%200%20and%20dwellings%20lt%203"), "P00001,P00002");
  assert_string_equal(ids_for("dwellings%20eq%201%20or%20dwellings%20eq%2039"), "P00001,P00039");
  /* and binds tighter than or; parentheses change it */
  assert_string_equal(
      ids_for("dwellings%20eq%201%20or%20dwellings%20lt%2010%20and%20stage%20eq%20'trin3'"),
      "P00000,P00001,P00004,P00008");
  assert_string_equal(
      ids_for("(dwellings%20eq%201%20or%20dwellings%20lt%2010)%20and%20stage%20eq%20'trin3'"),
      "P00000,P00004,P00008");
  assert_string_equal(ids_for("not%20(dwellings%20gt%202)"), "P00000,P00001,P00002");
  /* text, booleans, null */
  assert_string_equal(ids_for("partnership_id%20eq%20null%20and%20dwellings%20lt%207"),
                      "P00000,P00003,P00006");
  assert_string_equal(ids_for("fast_track%20eq%20false%20and%20dwellings%20lt%204"),
                      "P00001,P00003");
  assert_string_equal(ids_for("municipality%20eq%20'M3'%20and%20dwellings%20lt%2020"),
                      "P00003,P00010,P00017");
  assert_string_equal(ids_for("startswith(project_id,'P0003')"),
                      "P00030,P00031,P00032,P00033,P00034,P00035,P00036,P00037,P00038,P00039");
  /* decimals: budget_a_dkk in kroner, drift_pct in percent */
  assert_string_equal(ids_for("budget_a_dkk%20ge%209000000"), "P00009,P00010");
  assert_string_equal(ids_for("drift_pct%20gt%208.25"), "P00009,P00010");
  assert_string_equal(ids_for("drift_pct%20eq%208.25"), "P00008");
  /* empty columns: only ne matches */
  assert_string_equal(ids_for("budget_a_dkk%20ne%20null%20and%20drift_pct%20lt%202"), "P00001");
  /* dates and instants */
  assert_string_equal(ids_for("stage_since%20eq%202024-03-01%20and%20dwellings%20eq%201"),
                      "P00001");
  assert_string_equal(ids_for("stage_since%20lt%202024-03-01"), "");
  assert_string_equal(
      ids_for("updated_at%20gt%202026-11-25T07:00:00Z%20and%20dwellings%20eq%202"), "P00002");
  /* a quote inside a text literal */
  assert_string_equal(ids_for("project_name%20eq%20'it''s'"), "");
}

static void bad(const char *query, const char *target) {
  char path[1024];
  snprintf(path, sizeof path, "/odata/ProjectStatus?%s", query);
  tu_http_t r;
  assert_true(tu_get_auth(tu_svc_port(svc), path, &r));
  if (r.status != 400) print_error("%s -> %d %s\n", query, r.status, r.body);
  assert_int_equal(r.status, 400);
  json_t *doc = json_loads(r.body, 0, NULL);
  assert_non_null(doc);
  json_t *e = json_object_get(doc, "error");
  assert_non_null(e);
  assert_string_equal(json_string_value(json_object_get(e, "code")), "BadRequest");
  assert_true(strlen(json_string_value(json_object_get(e, "message"))) > 5);
  assert_string_equal(json_string_value(json_object_get(e, "target")), target);
  assert_int_equal(tu_header(&r, "OData-Version", NULL, 0), 1);
  json_decref(doc);
  tu_http_free(&r);
}

static void bad_queries(void **state) {
  bad("$filter=nosuch%20eq%201", "$filter");
  bad("$filter=dwellings%20eq%20'x'", "$filter");        /* wrong literal type */
  bad("$filter=dwellings%20equals%201", "$filter");
  bad("$filter=(dwellings%20eq%201", "$filter");
  bad("$filter=dwellings%20eq%201%20and", "$filter");
  bad("$filter=project_name%20eq%20'open", "$filter");
  bad("$filter=dwellings%20gt%20null", "$filter");
  bad("$filter=substringof('a',project_name)", "$filter");
  bad("$filter=stage_since%20eq%202024-13-01", "$filter");
  bad("$select=project_id,nosuch", "$select");
  bad("$orderby=dwellings%20sideways", "$orderby");
  bad("$top=-1", "$top");
  bad("$skip=x", "$skip");
  bad("$count=maybe", "$count");
  bad("$expand=rows", "$expand");
  bad("$skiptoken=bogus", "$skiptoken");
  /* unknown resources are 404 in the same format */
  tu_http_t r;
  assert_true(tu_get_auth(tu_svc_port(svc), "/odata/Projects", &r));
  assert_int_equal(r.status, 404);
  assert_non_null(strstr(r.body, "\"error\""));
  tu_http_free(&r);
}

static void documents_and_headers(void **state) {
  int port = tu_svc_port(svc);
  tu_http_t r;
  char v[256];
  /* service document */
  assert_true(tu_get_auth(port, "/odata/", &r));
  assert_int_equal(r.status, 200);
  assert_int_equal(tu_header(&r, "OData-Version", v, sizeof v), 1);
  assert_string_equal(v, "4.0");
  json_t *doc = json_loads(r.body, 0, NULL);
  assert_non_null(doc);
  json_t *set = json_array_get(json_object_get(doc, "value"), 0);
  assert_string_equal(json_string_value(json_object_get(set, "name")), "ProjectStatus");
  assert_string_equal(json_string_value(json_object_get(set, "kind")), "EntitySet");
  json_decref(doc);
  tu_http_free(&r);
  /* $metadata: XML, one OData-Version */
  assert_true(tu_get_auth(port, "/odata/$metadata", &r));
  assert_int_equal(r.status, 200);
  assert_int_equal(tu_header(&r, "Content-Type", v, sizeof v), 1);
  assert_string_equal(v, "application/xml");
  assert_int_equal(tu_header(&r, "OData-Version", NULL, 0), 1);
  tu_http_free(&r);
  /* Power Query's Accept asks nothing unusual; IEEE754Compatible turns
   * Int64 and Decimal into strings */
  assert_true(tu_get(port, "/odata/ProjectStatus('P00003')",
                     "Authorization: Bearer " TU_TOKEN "\r\n"
                     "Accept: application/json;odata.metadata=minimal;IEEE754Compatible=true\r\n",
                     &r));
  assert_int_equal(r.status, 200);
  doc = json_loads(r.body, 0, NULL);
  assert_non_null(doc);
  assert_non_null(strstr(json_string_value(json_object_get(doc, "@odata.context")),
                         "$metadata#ProjectStatus/$entity"));
  assert_string_equal(json_string_value(json_object_get(doc, "project_id")), "P00003");
  assert_true(json_is_string(json_object_get(doc, "budget_a_dkk")));
  assert_string_equal(json_string_value(json_object_get(doc, "budget_a_dkk")), "3000000.00");
  assert_true(json_is_string(json_object_get(doc, "seq")));
  assert_true(json_is_integer(json_object_get(doc, "dwellings")));
  json_decref(doc);
  tu_http_free(&r);
  assert_true(tu_get_auth(port, "/odata/ProjectStatus('nope')", &r));
  assert_int_equal(r.status, 404);
  tu_http_free(&r);
  assert_true(tu_get_auth(port, "/odata/ProjectStatus/$count?$filter=dwellings%20lt%2010", &r));
  assert_int_equal(r.status, 200);
  assert_string_equal(r.body, "10");
  tu_http_free(&r);
  /* decimals are JSON numbers by default */
  assert_true(tu_get_auth(port, "/odata/ProjectStatus?$filter=dwellings%20eq%202", &r));
  assert_non_null(strstr(r.body, "\"budget_a_dkk\":2000000.00"));
  assert_non_null(strstr(r.body, "\"drift_pct\":2.25"));
  assert_non_null(strstr(r.body, "\"stage_since\":\"2024-03-01\""));
  tu_http_free(&r);
}

static void metadata_is_csdl(void **state) {
  char cmd[1024];
  snprintf(cmd, sizeof cmd, "python3 %s metadata %d %s", AGG_FEED_CHECK, tu_svc_port(svc),
           TU_TOKEN);
  int rc = system(cmd);
  assert_int_equal(rc, 0);
}

/* The parser on its own: every error names its option. */
static void parser(void **state) {
  agg_odata_query_t q;
  trin_err_t err = {0};
  assert_int_equal(agg_odata_parse("$top=3&$skip=2&$count=true&api_key=x&$orderby=seq%20desc,"
                                   "project_id&$select=seq",
                                   &q, &err),
                   TRIN_OK);
  assert_int_equal(q.top, 3);
  assert_int_equal(q.skip, 2);
  assert_true(q.count);
  assert_int_equal(q.norder, 2);
  assert_true(q.order[0].desc);
  assert_int_equal(q.nselect, 1);
  agg_odata_query_free(&q);
  assert_int_equal(agg_odata_parse("$filter=%zz", &q, &err), TRIN_EINVALID);
  const char *deep = "$filter=((((((((((((((((((((((((((((((((((((((((((((((((((((dwellings%20eq%201"
                     "))))))))))))))))))))))))))))))))))))))))))))))))))";
  assert_int_equal(agg_odata_parse(deep, &q, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "$filter");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(each_operator),
      cmocka_unit_test(bad_queries),
      cmocka_unit_test(documents_and_headers),
      cmocka_unit_test(metadata_is_csdl),
      cmocka_unit_test(parser),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
