/* metrics.services — every service's metrics as the gateway gathers them:
 * the real trin-lifecycle and trin-budget (which follows lifecycle) answer
 * trin.metrics.GetMetrics; requests answered and refused are counted by
 * type and status exactly as the clients saw them; budget tells how far
 * behind lifecycle it is and how many of its events it applied; both
 * snapshots render into one exposition that `promtool check metrics`
 * accepts. A caller that is not the deployment's own (a person acting as a
 * writer) is refused GetMetrics with a sentence; Describe lists it. The
 * aggregator's own HTTP /metrics passes promtool too. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "lcclient.h"
#include "test_aggregator_util.h"
#include "testcall.h"
#include "testproc.h"
#include "trin/metrics.pb-c.h"
#include "trin_codec.h"
#include "trin_metrics.h"

static testproc_t lc, bg;
static trin_client_t *lcc, *bgc;
static char a_lc_ep[400], a_lc_pub[400], a_bg_ep[400], a_bg_pub[400];
static const char *lc_extra[] = {a_bg_ep, a_bg_pub, "--heartbeat-ms=200", NULL};
static const char *bg_extra[] = {a_lc_ep, a_lc_pub, "--heartbeat-ms=200", NULL};

#define REFUSED(expr, code) REFUSED_WITH(expr, code)

static void sleep_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* promtool check metrics on text: nothing said, exit 0. Skips the test when
 * promtool is not installed. */
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
  char cmd[256], out[4096];
  snprintf(cmd, sizeof cmd, "promtool check metrics < %s 2>&1", path);
  int rc = testproc_run(cmd, out, sizeof out);
  unlink(path);
  if (rc != 0 || out[0]) print_error("promtool said:\n%s\non:\n%s\n", out, text);
  assert_int_equal(rc, 0);
  assert_string_equal(out, "");
}

static Trin__Metrics__MetricsReply *get_metrics(trin_client_t *c) {
  Trin__Metrics__GetMetrics q = TRIN__METRICS__GET_METRICS__INIT;
  Trin__Metrics__MetricsReply *r = NULL;
  OK(trin_client_call(c, &q.base, &trin__metrics__metrics_reply__descriptor,
                      (ProtobufCMessage **)&r, &e_));
  return r;
}

static const Trin__Metrics__Family *family(const Trin__Metrics__MetricsReply *r,
                                           const char *name) {
  for (size_t i = 0; i < r->n_families; i++)
    if (strcmp(r->families[i]->name, name) == 0) return r->families[i];
  return NULL;
}

/* The sample of `name` whose label values are v0 (and v1), or NULL. */
static const Trin__Metrics__Sample *sample(const Trin__Metrics__MetricsReply *r,
                                           const char *name, const char *v0, const char *v1) {
  const Trin__Metrics__Family *f = family(r, name);
  for (size_t i = 0; f && i < f->n_samples; i++) {
    const Trin__Metrics__Sample *s = f->samples[i];
    if (s->n_label_values >= 1 && strcmp(s->label_values[0], v0) == 0 &&
        (!v1 || (s->n_label_values >= 2 && strcmp(s->label_values[1], v1) == 0)))
      return s;
  }
  return NULL;
}

static double count_of(const Trin__Metrics__MetricsReply *r, const char *type,
                       const char *status) {
  const Trin__Metrics__Sample *s = sample(r, "trin_requests_total", type, status);
  return s ? s->value : 0;
}

static uint64_t lc_last_seq(void) {
  Trin__Ping ping = TRIN__PING__INIT;
  Trin__Pong *pong = NULL;
  OK(trin_client_call(lcc, &ping.base, &trin__pong__descriptor, (ProtobufCMessage **)&pong,
                      &e_));
  uint64_t s = pong->last_seq;
  trin_codec_free(pong);
  return s;
}

/* Sends an envelope of the given type and payload bytes (and an actor when
 * role is not NULL) and returns the reply's status, its message in err. */
static int call_raw(trin_client_t *c, const char *type, const void *payload, size_t len,
                    const char *role, trin_err_t *err) {
  Trin__Envelope env = TRIN__ENVELOPE__INIT;
  Trin__Actor actor = TRIN__ACTOR__INIT;
  env.correlation_id = "m-1";
  env.type = (char *)type;
  env.payload.data = (uint8_t *)payload;
  env.payload.len = len;
  if (role) {
    actor.org = "LIVA";
    actor.role = (char *)role;
    actor.person = "token:t1 Jane Jensen";
    env.actor = &actor;
  }
  uint8_t *b = NULL;
  size_t n = 0;
  assert_int_equal(trin_codec_pack(&env.base, &b, &n, NULL), TRIN_OK);
  Trin__Envelope *reply = NULL;
  int rc = trin_client_call_raw(c, b, n, &reply, err);
  free(b);
  if (rc == TRIN_OK && reply->status != TRIN__STATUS__OK)
    rc = trin_codec_error_from_reply(reply, err);
  trin_codec_free(reply);
  return rc;
}

static int setup(void **state) {
  (void)state;
  testproc_init(&lc, "metrics-lc");
  testproc_init(&bg, "metrics-bg");
  snprintf(a_lc_ep, sizeof a_lc_ep, "--lifecycle-endpoint=%s", lc.endpoint);
  snprintf(a_lc_pub, sizeof a_lc_pub, "--lifecycle-pub-endpoint=%s", lc.pub);
  snprintf(a_bg_ep, sizeof a_bg_ep, "--budget-endpoint=%s", bg.endpoint);
  snprintf(a_bg_pub, sizeof a_bg_pub, "--budget-pub-endpoint=%s", bg.pub);
  if (!testproc_start(&lc, TRIN_LIFECYCLE_BIN, lc_extra)) return -1;
  if (!testproc_start(&bg, TRIN_BUDGET_BIN, bg_extra)) return -1;
  trin_err_t err;
  if (trin_client_new(lc.endpoint, &lcc, &err) || trin_client_new(bg.endpoint, &bgc, &err))
    return -1;
  return 0;
}

static int teardown(void **state) {
  (void)state;
  trin_client_destroy(&lcc);
  trin_client_destroy(&bgc);
  int rb = testproc_stop(&bg);
  int rl = testproc_stop(&lc);
  testproc_cleanup(&bg);
  testproc_cleanup(&lc);
  return rb == 0 && rl == 0 ? 0 : -1;
}

static void counts_by_type_and_status(void **state) {
  (void)state;
  OK(lc_org(lcc, "LIVA", "client", &e_));
  OK(lc_org(lcc, "NCC", "contractor", &e_));
  OK(lc_org(lcc, "KAB", "client", &e_));
  REFUSED(lc_org(lcc, "X", "spaceship", &e_), TRIN_EINVALID);
  OK(lc_partnership(lcc, "LIVA-P", "LIVA", "2022-01-01", "myndighedsprojekt", 5000000, &e_));
  OK(lc_project(lcc, "P1", "LIVA-P", NULL, false, "2023-03-01", &e_));
  OK(lc_advance(lcc, "P1", "trin1", "2023-04-01", &e_));
  REFUSED(lc_advance(lcc, "P1", "trin3", "2023-05-01", &e_), TRIN_ECONFLICT);
  REFUSED(lc_advance(lcc, "P1", "handover", "2023-05-01", &e_), TRIN_ECONFLICT);
  REFUSED(lc_advance(lcc, "NOPE", "trin2", "2023-05-01", &e_), TRIN_ENOTFOUND);
  /* no such request, and bytes that are no envelope: counted as "unknown" */
  REFUSED(call_raw(lcc, "trin.lifecycle.Nothing", "", 0, NULL, &e_), TRIN_EUNKNOWN_TYPE);
  {
    Trin__Envelope *reply = NULL;
    trin_err_t e_ = {0};
    assert_int_equal(trin_client_call_raw(lcc, "\xff\xff\xff", 3, &reply, &e_), TRIN_OK);
    assert_int_equal(trin_codec_error_from_reply(reply, &e_), TRIN_EDECODE);
    trin_codec_free(reply);
  }
  /* a person (through the gateway) is not the deployment's own */
  {
    trin_err_t e_ = {0};
    assert_int_equal(call_raw(lcc, "trin.metrics.GetMetrics", "", 0, "writer", &e_),
                     TRIN_EFORBIDDEN);
    assert_non_null(strstr(e_.message, "GetMetrics is for admin, service and gateway keys"));
    assert_non_null(strstr(e_.message, "has role 'writer'"));
    /* a person with role admin is */
    assert_int_equal(call_raw(lcc, "trin.metrics.GetMetrics", "", 0, "admin", &e_), TRIN_OK);
  }

  Trin__Metrics__MetricsReply *m = get_metrics(lcc);
  assert_string_equal(m->service, "lifecycle");
  assert_true(count_of(m, "trin.lifecycle.CreateOrganisation", "ok") == 3);
  assert_true(count_of(m, "trin.lifecycle.CreateOrganisation", "invalid") == 1);
  assert_true(count_of(m, "trin.lifecycle.CreatePartnership", "ok") == 1);
  assert_true(count_of(m, "trin.lifecycle.AdvanceStage", "ok") == 1);
  assert_true(count_of(m, "trin.lifecycle.AdvanceStage", "conflict") == 2);
  assert_true(count_of(m, "trin.lifecycle.AdvanceStage", "not_found") == 1);
  assert_true(count_of(m, "unknown", "unknown_type") == 1);
  assert_true(count_of(m, "unknown", "decode") == 1);
  assert_true(count_of(m, "trin.metrics.GetMetrics", "forbidden") == 1);
  assert_true(count_of(m, "trin.metrics.GetMetrics", "ok") == 1); /* this one is not yet */
  assert_true(count_of(m, "trin.lifecycle.GetProject", "ok") == 0);
  assert_null(sample(m, "trin_requests_total", "trin.lifecycle.GetProject", "ok"));
  /* every request handled is timed under its type */
  const Trin__Metrics__Sample *d =
      sample(m, "trin_request_duration_seconds", "trin.lifecycle.AdvanceStage", NULL);
  assert_non_null(d);
  assert_int_equal(d->count, 4);
  d = sample(m, "trin_request_duration_seconds", "trin.lifecycle.GetProject", NULL);
  assert_non_null(d); /* made when the route was registered */
  assert_int_equal(d->count, 0);
  /* the log */
  const Trin__Metrics__Family *f = family(m, "trin_outbox_last_seq");
  assert_non_null(f);
  assert_true(f->samples[0]->value == (double)lc_last_seq());
  f = family(m, "trin_events_published_total");
  assert_true(f->samples[0]->value >= 6);
  f = family(m, "trin_batch_requests");
  assert_int_equal(f->kind, TRIN__METRICS__KIND__HISTOGRAM);
  assert_true(f->samples[0]->count >= 1);
  assert_true(f->samples[0]->sum >= 14);
  assert_non_null(family(m, "trin_commit_duration_seconds"));
  assert_true(family(m, "trin_commits_failed_total")->samples[0]->value == 0);

  /* budget follows lifecycle: once it has caught up, nothing is behind */
  uint64_t seq = lc_last_seq();
  Trin__Metrics__MetricsReply *b = NULL;
  for (int i = 0; i < 300; i++) {
    b = get_metrics(bgc);
    const Trin__Metrics__Sample *applied =
        sample(b, "trin_follower_events_applied_total", "lifecycle", NULL);
    const Trin__Metrics__Sample *lag = sample(b, "trin_follower_lag_events", "lifecycle", NULL);
    assert_non_null(applied);
    assert_non_null(lag);
    if (applied->value == (double)seq && lag->value == 0) break;
    trin_codec_free(b);
    b = NULL;
    sleep_ms(100);
  }
  assert_non_null(b);
  assert_string_equal(b->service, "budget");
  assert_true(sample(b, "trin_follower_apply_failures_total", "lifecycle", NULL)->value == 0);

  /* one exposition for both, as the gateway serves it */
  const Trin__Metrics__MetricsReply *both[] = {m, b};
  trin_buf_t out = {0};
  trin_err_t err = {0};
  assert_int_equal(trin_metrics_render(both, 2, &out, &err), TRIN_OK);
  assert_non_null(strstr(out.data, "trin_requests_total{service=\"lifecycle\",type=\"trin."
                                   "lifecycle.AdvanceStage\",status=\"conflict\"} 2\n"));
  assert_non_null(strstr(out.data, "trin_follower_lag_events{service=\"budget\",followed=\""
                                   "lifecycle\"} 0\n"));
  char want[128];
  snprintf(want, sizeof want,
           "trin_follower_events_applied_total{service=\"budget\",followed=\"lifecycle\"} "
           "%llu\n",
           (unsigned long long)seq);
  assert_non_null(strstr(out.data, want));
  promtool_ok(out.data);
  trin_buf_free(&out);
  trin_codec_free(m);
  trin_codec_free(b);
}

static void describe_lists_get_metrics(void **state) {
  (void)state;
  Trin__Describe q = TRIN__DESCRIBE__INIT;
  Trin__Description *d = NULL;
  OK(trin_client_call(bgc, &q.base, &trin__description__descriptor, (ProtobufCMessage **)&d,
                      &e_));
  const Trin__OperationRule *op = NULL;
  for (size_t i = 0; i < d->n_operations; i++)
    if (strcmp(d->operations[i]->request, "trin.metrics.GetMetrics") == 0) op = d->operations[i];
  assert_non_null(op);
  assert_int_equal(op->n_roles, 2);
  assert_string_equal(op->roles[0], "service");
  assert_string_equal(op->roles[1], "gateway");
  assert_string_equal(op->scope, "");
  trin_codec_free(d);
}

/* The aggregator serves its own /metrics over HTTP (with its token); it must
 * pass promtool as well, push targets included. */
static void aggregator_http_metrics(void **state) {
  (void)state;
  tu_svc_options_t o = {.store = ""};
  /* a target's name is a label value: a quote in it is escaped */
  o.push.urls = "http://127.0.0.1:9/push-a,http://127.0.0.1:9/push-\"b\"";
  tu_svc_t *svc = tu_svc_start_with(&o);
  uint64_t seq = 0;
  tu_svc_projects(svc, 3, &seq);
  tu_http_t r;
  assert_true(tu_get_auth(tu_svc_port(svc), "/healthz", &r));
  tu_http_free(&r);
  assert_true(tu_get_auth(tu_svc_port(svc), "/metrics", &r));
  assert_int_equal(r.status, 200);
  assert_non_null(strstr(r.body, "\ntrin_aggregator_rows 3\n"));
  assert_non_null(strstr(r.body, "trin_aggregator_push_posts_total{target="));
  assert_non_null(strstr(r.body, "push-\\\"b\\\""));
  promtool_ok(r.body);
  tu_http_free(&r);
  tu_svc_stop(svc);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(counts_by_type_and_status),
      cmocka_unit_test(describe_lists_get_metrics),
      cmocka_unit_test(aggregator_http_metrics),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
