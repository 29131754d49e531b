/* common.metrics — the metrics registry: families and series, refused
 * names (each with its sentence), histogram buckets (a value on a bound
 * counts in that bound's bucket), snapshots, and the Prometheus text of one
 * and of two services' snapshots (one HELP/TYPE per family, escaped label
 * values), checked by `promtool check metrics` when it is installed. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <cmocka.h>

#include "trin_codec.h"
#include "trin_metrics.h"

/* Runs promtool check metrics on text; false (and its output printed) when
 * it finds anything. Skips the test when promtool is not installed. */
static void promtool_ok(const char *text) {
  if (system("command -v promtool >/dev/null 2>&1") != 0) {
    print_message("promtool is not installed (Debian package prometheus, "
                  "deploy/install-deps.sh): the exposition is not linted\n");
    skip();
  }
  char path[] = "/tmp/trin-metrics-XXXXXX";
  int fd = mkstemp(path);
  assert_true(fd >= 0);
  FILE *f = fdopen(fd, "w");
  fputs(text, f);
  fclose(f);
  char cmd[256];
  snprintf(cmd, sizeof cmd, "promtool check metrics < %s 2>&1", path);
  FILE *p = popen(cmd, "r");
  char out[4096] = "";
  size_t n = fread(out, 1, sizeof out - 1, p);
  out[n] = '\0';
  int rc = pclose(p);
  unlink(path);
  if (rc != 0 || n > 0) print_error("promtool said:\n%s\non:\n%s\n", out, text);
  assert_int_equal(rc, 0);
  assert_int_equal(n, 0);
}

static size_t count_of(const char *hay, const char *needle) {
  size_t n = 0;
  for (const char *p = strstr(hay, needle); p; p = strstr(p + 1, needle)) n++;
  return n;
}

#define REFUSED(expr, fld, words)                                       \
  do {                                                                  \
    trin_err_t e_ = {0};                                                \
    int rc_ = (expr);                                                   \
    if (rc_ != TRIN_EINVALID) print_error("%s: %d %s\n", #expr, rc_, e_.message); \
    assert_int_equal(rc_, TRIN_EINVALID);                               \
    assert_string_equal(e_.field, (fld));                               \
    if (!strstr(e_.message, (words))) print_error("message: %s\n", e_.message); \
    assert_non_null(strstr(e_.message, (words)));                       \
  } while (0)

static void registry(void **state) {
  (void)state;
  trin_metrics_t *m = NULL;
  trin_err_t err = {0};
  assert_int_equal(trin_metrics_new(&m, &err), TRIN_OK);
  trin_metric_family_t *req, *again, *g, *f;
  assert_int_equal(trin_metrics_counter(m, "trin_requests_total", "Requests.", "type,status",
                                        &req, &err),
                   TRIN_OK);
  /* the same family again is the same family */
  assert_int_equal(trin_metrics_counter(m, "trin_requests_total", "Requests.", "type,status",
                                        &again, &err),
                   TRIN_OK);
  assert_ptr_equal(req, again);
  assert_int_equal(trin_metrics_gauge(m, "trin_queue_depth", "Rows queued.", NULL, &g, &err),
                   TRIN_OK);

  trin_metric_t *ok, *ok2, *bad, *depth;
  assert_int_equal(trin_metrics_series(req, (const char *[]){"trin.X", "ok"}, &ok, &err),
                   TRIN_OK);
  assert_int_equal(trin_metrics_series(req, (const char *[]){"trin.X", "ok"}, &ok2, &err),
                   TRIN_OK);
  assert_ptr_equal(ok, ok2);
  assert_int_equal(trin_metrics_series(req, (const char *[]){"trin.X", "invalid"}, &bad, &err),
                   TRIN_OK);
  assert_ptr_not_equal(ok, bad);
  assert_int_equal(trin_metrics_series(g, NULL, &depth, &err), TRIN_OK);
  trin_metric_inc(ok);
  trin_metric_inc(ok);
  trin_metric_add(ok, 3);
  trin_metric_add(ok, -10); /* counters only go up */
  trin_metric_set(ok, 0);   /* and are not set */
  trin_metric_inc(bad);
  trin_metric_set(depth, 7);
  trin_metric_add(depth, -2);
  trin_metric_inc(NULL); /* a series that could not be made costs nothing */
  assert_true(trin_metric_value(ok) == 5);
  assert_true(trin_metric_value(bad) == 1);
  assert_true(trin_metric_value(depth) == 5);

  /* refusals, each saying what is wrong */
  REFUSED(trin_metrics_counter(m, "trin_requests", "x", NULL, &f, &e_), "name", "_total");
  REFUSED(trin_metrics_gauge(m, "trin_rows_total", "x", NULL, &f, &e_), "name",
          "only a counter's");
  REFUSED(trin_metrics_gauge(m, "trin_rows_count", "x", NULL, &f, &e_), "name",
          "only a histogram's");
  REFUSED(trin_metrics_gauge(m, "trin-rows", "x", NULL, &f, &e_), "name",
          "not a Prometheus metric name");
  REFUSED(trin_metrics_gauge(m, "9rows", "x", NULL, &f, &e_), "name",
          "not a Prometheus metric name");
  REFUSED(trin_metrics_gauge(m, "trin_rows", "x", "service", &f, &e_), "name",
          "renderer adds itself");
  REFUSED(trin_metrics_gauge(m, "trin_rows", "x", "a,a", &f, &e_), "name", "twice");
  REFUSED(trin_metrics_gauge(m, "trin_rows", "x", "__a", &f, &e_), "name", "starts with __");
  REFUSED(trin_metrics_gauge(m, "trin_rows", "x", "a-b", &f, &e_), "name", "label name");
  REFUSED(trin_metrics_gauge(m, "trin_rows", "x", "a,b,c,d,e,f,g,h,i", &f, &e_), "labels",
          "at most 8 labels");
  REFUSED(trin_metrics_gauge(m, "trin_rows", "", NULL, &f, &e_), "help", "help sentence");
  REFUSED(trin_metrics_histogram(m, "trin_queue_depth", "x", NULL, (const double[]){1}, 1, &f,
                                 &e_),
          "name", "already registered as a gauge");
  REFUSED(trin_metrics_counter(m, "trin_requests_total", "x", "type", &f, &e_), "name",
          "already registered");
  REFUSED(trin_metrics_series(req, (const char *[]){"trin.X", NULL}, &bad, &e_), "values",
          "needs a value for its label 'status'");
  REFUSED(trin_metrics_series(req, NULL, &bad, &e_), "values", "label 'type'");
  trin_metrics_destroy(&m);
  assert_null(m);
  trin_metrics_destroy(&m); /* twice is fine */
}

static const double BOUNDS[] = {0.01, 0.1, 1};

static void histogram_buckets(void **state) {
  (void)state;
  trin_metrics_t *m = NULL;
  trin_err_t err = {0};
  assert_int_equal(trin_metrics_new(&m, &err), TRIN_OK);
  trin_metric_family_t *h, *f;
  assert_int_equal(trin_metrics_histogram(m, "trin_request_duration_seconds", "Latency.", "type",
                                          BOUNDS, 3, &h, &err),
                   TRIN_OK);
  REFUSED(trin_metrics_histogram(m, "trin_x_seconds", "x", NULL, BOUNDS, 0, &f, &e_), "bounds",
          "1 to 32 bucket bounds");
  REFUSED(trin_metrics_histogram(m, "trin_x_seconds", "x", NULL, (const double[]){1, 1}, 2, &f,
                                 &e_),
          "bounds", "strictly ascending");
  REFUSED(trin_metrics_histogram(m, "trin_x_seconds", "x", "le", BOUNDS, 3, &f, &e_), "name",
          "label called le");
  REFUSED(trin_metrics_histogram(m, "trin_request_duration_seconds", "x", "type",
                                 (const double[]){0.5, 1, 2}, 3, &f, &e_),
          "name", "other labels or buckets");
  trin_metric_t *s;
  assert_int_equal(trin_metrics_series(h, (const char *[]){"trin.Ping"}, &s, &err), TRIN_OK);
  /* on a bound counts in that bound's bucket (le = less or equal) */
  const double obs[] = {0.001, 0.01, 0.05, 0.1, 0.5, 1, 2, 100};
  for (size_t i = 0; i < sizeof obs / sizeof *obs; i++) trin_metric_observe(s, obs[i]);
  trin_metric_observe(s, 0.0 / 0.0); /* NaN is not an observation */
  assert_int_equal(trin_metric_count(s), 8);
  assert_true(trin_metric_sum(s) > 103.66 && trin_metric_sum(s) < 103.67);

  Trin__Metrics__MetricsReply *snap = NULL;
  assert_int_equal(trin_metrics_snapshot(m, "lifecycle", &snap, &err), TRIN_OK);
  assert_string_equal(snap->service, "lifecycle");
  assert_int_equal(snap->n_families, 1);
  const Trin__Metrics__Family *fam = snap->families[0];
  assert_string_equal(fam->name, "trin_request_duration_seconds");
  assert_int_equal(fam->kind, TRIN__METRICS__KIND__HISTOGRAM);
  assert_int_equal(fam->n_bounds, 3);
  assert_int_equal(fam->n_samples, 1);
  const Trin__Metrics__Sample *smp = fam->samples[0];
  assert_int_equal(smp->n_bucket_counts, 3);
  assert_int_equal(smp->bucket_counts[0], 2); /* 0.001, 0.01 */
  assert_int_equal(smp->bucket_counts[1], 4); /* + 0.05, 0.1 */
  assert_int_equal(smp->bucket_counts[2], 6); /* + 0.5, 1 */
  assert_int_equal(smp->count, 8);            /* + 2, 100 */

  trin_buf_t out = {0};
  const Trin__Metrics__MetricsReply *one[] = {snap};
  assert_int_equal(trin_metrics_render(one, 1, &out, &err), TRIN_OK);
  assert_non_null(strstr(out.data,
                         "# HELP trin_request_duration_seconds Latency.\n"
                         "# TYPE trin_request_duration_seconds histogram\n"
                         "trin_request_duration_seconds_bucket{service=\"lifecycle\",type=\"trin."
                         "Ping\",le=\"0.01\"} 2\n"
                         "trin_request_duration_seconds_bucket{service=\"lifecycle\",type=\"trin."
                         "Ping\",le=\"0.1\"} 4\n"
                         "trin_request_duration_seconds_bucket{service=\"lifecycle\",type=\"trin."
                         "Ping\",le=\"1\"} 6\n"
                         "trin_request_duration_seconds_bucket{service=\"lifecycle\",type=\"trin."
                         "Ping\",le=\"+Inf\"} 8\n"
                         "trin_request_duration_seconds_sum{service=\"lifecycle\",type=\"trin."
                         "Ping\"} 103.661\n"
                         "trin_request_duration_seconds_count{service=\"lifecycle\",type=\"trin."
                         "Ping\"} 8\n"));
  promtool_ok(out.data);
  trin_buf_free(&out);
  trin_codec_free(snap);
  trin_metrics_destroy(&m);
}

static void escaping(void **state) {
  (void)state;
  trin_metrics_t *m = NULL;
  trin_err_t err = {0};
  assert_int_equal(trin_metrics_new(&m, &err), TRIN_OK);
  trin_metric_family_t *f;
  assert_int_equal(trin_metrics_gauge(m, "trin_awkward", "Back\\slash and\nline feed \"as is\".",
                                      "v", &f, &err),
                   TRIN_OK);
  trin_metric_t *s;
  assert_int_equal(trin_metrics_series(f, (const char *[]){"a\\b \"q\"\nBøgeparken \xff!"}, &s,
                                       &err),
                   TRIN_OK);
  trin_metric_set(s, 0.1);
  Trin__Metrics__MetricsReply *snap = NULL;
  assert_int_equal(trin_metrics_snapshot(m, "odd\"svc", &snap, &err), TRIN_OK);
  trin_buf_t out = {0};
  const Trin__Metrics__MetricsReply *one[] = {snap};
  assert_int_equal(trin_metrics_render(one, 1, &out, &err), TRIN_OK);
  assert_string_equal(out.data,
                      "# HELP trin_awkward Back\\\\slash and\\nline feed \"as is\".\n"
                      "# TYPE trin_awkward gauge\n"
                      "trin_awkward{service=\"odd\\\"svc\",v=\"a\\\\b \\\"q\\\"\\nBøgeparken "
                      "\xEF\xBF\xBD!\"} 0.1\n");
  promtool_ok(out.data);
  trin_buf_free(&out);
  trin_codec_free(snap);
  trin_metrics_destroy(&m);
}

/* One service's registry as the server makes it, with its own counts. */
static Trin__Metrics__MetricsReply *service_snapshot(const char *service, double oks,
                                                     double refused, bool follower) {
  trin_metrics_t *m = NULL;
  trin_err_t err = {0};
  assert_int_equal(trin_metrics_new(&m, &err), TRIN_OK);
  trin_metric_family_t *req, *dur, *lag;
  trin_metric_t *s;
  assert_int_equal(trin_metrics_counter(m, "trin_requests_total", "Requests answered.",
                                        "type,status", &req, &err),
                   TRIN_OK);
  assert_int_equal(trin_metrics_histogram(m, "trin_request_duration_seconds", "Latency.",
                                          "type", BOUNDS, 3, &dur, &err),
                   TRIN_OK);
  assert_int_equal(trin_metrics_series(req, (const char *[]){"trin.Ping", "ok"}, &s, &err),
                   TRIN_OK);
  trin_metric_add(s, oks);
  assert_int_equal(trin_metrics_series(req, (const char *[]){"trin.Ping", "forbidden"}, &s,
                                       &err),
                   TRIN_OK);
  trin_metric_add(s, refused);
  assert_int_equal(trin_metrics_series(dur, (const char *[]){"trin.Ping"}, &s, &err), TRIN_OK);
  trin_metric_observe(s, 0.002);
  if (follower) {
    assert_int_equal(trin_metrics_gauge(m, "trin_follower_lag_events", "Lag.", "followed", &lag,
                                        &err),
                     TRIN_OK);
    assert_int_equal(trin_metrics_series(lag, (const char *[]){"lifecycle"}, &s, &err),
                     TRIN_OK);
    trin_metric_set(s, 3);
  }
  Trin__Metrics__MetricsReply *snap = NULL;
  assert_int_equal(trin_metrics_snapshot(m, service, &snap, &err), TRIN_OK);
  trin_metrics_destroy(&m);
  return snap;
}

static void two_services(void **state) {
  (void)state;
  Trin__Metrics__MetricsReply *a = service_snapshot("lifecycle", 10, 2, false);
  Trin__Metrics__MetricsReply *b = service_snapshot("budget", 4, 0, true);
  const Trin__Metrics__MetricsReply *both[] = {a, b};
  trin_buf_t out = {0};
  trin_err_t err = {0};
  assert_int_equal(trin_metrics_render(both, 2, &out, &err), TRIN_OK);
  const char *t = out.data;
  assert_int_equal(count_of(t, "# HELP trin_requests_total "), 1);
  assert_int_equal(count_of(t, "# TYPE trin_requests_total counter\n"), 1);
  assert_int_equal(count_of(t, "# TYPE trin_request_duration_seconds histogram\n"), 1);
  assert_int_equal(count_of(t, "# TYPE trin_follower_lag_events gauge\n"), 1);
  assert_non_null(strstr(t, "trin_requests_total{service=\"lifecycle\",type=\"trin.Ping\","
                            "status=\"ok\"} 10\n"));
  assert_non_null(strstr(t, "trin_requests_total{service=\"lifecycle\",type=\"trin.Ping\","
                            "status=\"forbidden\"} 2\n"));
  assert_non_null(strstr(t, "trin_requests_total{service=\"budget\",type=\"trin.Ping\","
                            "status=\"ok\"} 4\n"));
  assert_non_null(strstr(t, "trin_follower_lag_events{service=\"budget\",followed=\"lifecycle\"} 3\n"));
  /* both services' samples of a family follow its one TYPE line */
  const char *type = strstr(t, "# TYPE trin_requests_total");
  const char *next = strstr(type + 1, "# HELP");
  assert_true(strstr(t, "service=\"budget\",type=\"trin.Ping\",status=\"ok\"") < next);
  promtool_ok(t);
  trin_buf_free(&out);
  trin_codec_free(a);
  trin_codec_free(b);
}

/* Snapshots from the wire that do not fit are left out, with a sentence,
 * and the rest still renders. */
static void bad_snapshots(void **state) {
  (void)state;
  Trin__Metrics__MetricsReply *a = service_snapshot("lifecycle", 1, 0, false);
  Trin__Metrics__MetricsReply *b = service_snapshot("budget", 1, 0, false);
  trin_buf_t out = {0};
  trin_err_t err = {0};
  const Trin__Metrics__MetricsReply *both[] = {a, b};

  /* other buckets under the same name */
  b->families[1]->bounds[0] = 0.005;
  assert_int_equal(trin_metrics_render(both, 2, &out, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "families");
  assert_string_equal(err.message,
                      "service 'budget': metric 'trin_request_duration_seconds' is declared "
                      "with another type or other buckets than another service's; it is left "
                      "out");
  assert_non_null(strstr(out.data, "service=\"budget\",type=\"trin.Ping\",status"));
  assert_null(strstr(out.data, "service=\"budget\",type=\"trin.Ping\",le="));
  assert_non_null(strstr(out.data, "service=\"lifecycle\",type=\"trin.Ping\",le="));
  promtool_ok(out.data);
  b->families[1]->bounds[0] = 0.01;

  /* another kind under the same name */
  b->families[1]->kind = TRIN__METRICS__KIND__GAUGE;
  trin_buf_free(&out);
  assert_int_equal(trin_metrics_render(both, 2, &out, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "is declared with another type"));
  promtool_ok(out.data);
  b->families[1]->kind = TRIN__METRICS__KIND__HISTOGRAM;

  /* a name that is not one */
  char *name = b->families[1]->name;
  b->families[1]->name = "trin request seconds";
  trin_buf_free(&out);
  assert_int_equal(trin_metrics_render(both, 2, &out, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "'trin request seconds' is not a Prometheus metric name"));
  promtool_ok(out.data);
  b->families[1]->name = name;

  /* a sample with too few label values */
  b->families[0]->samples[0]->n_label_values = 1;
  trin_buf_free(&out);
  assert_int_equal(trin_metrics_render(both, 2, &out, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "wrong number of label values"));
  promtool_ok(out.data);
  b->families[0]->samples[0]->n_label_values = 2;

  /* buckets that are not cumulative */
  b->families[1]->samples[0]->bucket_counts[0] = 5;
  trin_buf_free(&out);
  assert_int_equal(trin_metrics_render(both, 2, &out, &err), TRIN_EINVALID);
  assert_non_null(strstr(err.message, "not cumulative"));
  promtool_ok(out.data);
  trin_buf_free(&out);
  trin_codec_free(a);
  trin_codec_free(b);
}

/* Hooks set gauges when a snapshot is taken, until they are removed. */
static void set_depth(trin_metrics_t *m, void *data) {
  (void)m;
  trin_metric_t *s = data;
  trin_metric_set(s, trin_metric_value(s) + 10);
}

static void hooks(void **state) {
  (void)state;
  trin_metrics_t *m = NULL;
  trin_err_t err = {0};
  assert_int_equal(trin_metrics_new(&m, &err), TRIN_OK);
  trin_metric_family_t *f;
  trin_metric_t *s;
  assert_int_equal(trin_metrics_gauge(m, "trin_queue_depth", "Rows queued.", NULL, &f, &err),
                   TRIN_OK);
  assert_int_equal(trin_metrics_series(f, NULL, &s, &err), TRIN_OK);
  assert_int_equal(trin_metrics_add_hook(m, set_depth, s, &err), TRIN_OK);
  assert_int_equal(trin_metrics_add_hook(m, set_depth, s, &err), TRIN_OK); /* once */
  Trin__Metrics__MetricsReply *snap = NULL;
  assert_int_equal(trin_metrics_snapshot(m, "budget", &snap, &err), TRIN_OK);
  assert_true(snap->families[0]->samples[0]->value == 10);
  trin_codec_free(snap);
  trin_metrics_remove_hook(m, set_depth, s);
  assert_int_equal(trin_metrics_snapshot(m, "budget", &snap, &err), TRIN_OK);
  assert_true(snap->families[0]->samples[0]->value == 10);
  trin_codec_free(snap);
  /* nothing to render is an empty exposition */
  trin_buf_t out = {0};
  assert_int_equal(trin_metrics_render(NULL, 0, &out, &err), TRIN_OK);
  assert_int_equal(out.len, 0);
  trin_buf_free(&out);
  trin_metrics_destroy(&m);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(registry),
      cmocka_unit_test(histogram_buckets),
      cmocka_unit_test(escaping),
      cmocka_unit_test(two_services),
      cmocka_unit_test(bad_snapshots),
      cmocka_unit_test(hooks),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
