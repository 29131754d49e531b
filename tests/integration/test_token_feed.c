/* feed.tokens — organisations' HTTP tokens with the real processes
 * (trin-lifecycle, trin-survey, trin-aggregator; tokens made and revoked
 * with the trinctl binary). Two clients, A and B, each with a partnership
 * and projects, plus a project of A outside any partnership; C is a member
 * of A's partnership.
 *   - A's feed token sees exactly A's rows on OData (list, $count,
 *     @odata.count, by key), JSON, CSV and SSE — live changes of B's
 *     projects never reach A's stream; C's token sees the rows of A's
 *     partnership, not A's project outside it; the operator's token sees all;
 *   - no token, a made-up one, a survey token on the feed: 401/403;
 *     Bearer, X-API-Key, Basic and ?api_key all work; /metrics is the
 *     operator's;
 *   - a revoked token is refused on the very next request, and its open
 *     SSE stream is closed;
 *   - the survey webhook: A's survey:write token writes to A's survey, not
 *     to B's (403, nothing stored); C's writes to A's partnership's survey;
 *   - no token's secret appears in any log line (debug level). */
#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <cmocka.h>

#include "lcclient.h"
#include "test_aggregator_util.h"
#include "test_survey_common.h"
#include "testcall.h"
#include "trin_codec.h"

static survey_env_t env;
static testproc_t agg;
static int feed_port, hook_port;

static void pause_ms(int ms) {
  struct timespec ts = {ms / 1000, (long)(ms % 1000) * 1000000L};
  nanosleep(&ts, NULL);
}

/* A port a process logged, found by a sed expression on its log. */
static int port_in_log(const char *log, const char *sed_expr) {
  char cmd[800], out[64];
  for (int i = 0; i < 250; i++) {
    snprintf(cmd, sizeof cmd, "sed -n '%s' %s | tail -1", sed_expr, log);
    if (testproc_run(cmd, out, sizeof out) == 0 && atoi(out) > 0) return atoi(out);
    pause_ms(20);
  }
  return 0;
}

/* ---- trinctl --------------------------------------------------------------------- */

/* Runs trinctl against ep; returns its exit status, stdout into out. */
static int trinctl(const char *ep, const char *args, char *out, size_t n) {
  char cmd[1200];
  snprintf(cmd, sizeof cmd, "%s --endpoint '%s' %s 2>/dev/null", TRINCTL_BIN, ep, args);
  return testproc_run(cmd, out, n);
}

typedef struct {
  char id[16];
  char text[80];
} token_t;

/* `trinctl token create` at ep; the text is the line starting "trin_". */
static token_t make_token(const char *ep, const char *org, const char *scope,
                          const char *service) {
  char args[300], out[2048];
  token_t t = {0};
  snprintf(args, sizeof args, "token create --org %s --scope %s --name 'test %s' --service %s",
           org, scope, org, service);
  assert_int_equal(trinctl(ep, args, out, sizeof out), 0);
  char *line = strstr(out, "\ntrin_");
  assert_non_null(line);
  sscanf(line + 1, "%79s", t.text);
  assert_int_equal(strlen(t.text), 61);
  memcpy(t.id, t.text + 5, 12);
  /* The first line names the id and the organisation. */
  char want[80];
  snprintf(want, sizeof want, "token %s made for %s (%s)", t.id, org, scope);
  assert_non_null(strstr(out, want));
  return t;
}

/* ---- HTTP -------------------------------------------------------------------------- */

static int get(const char *path, const char *header, tu_http_t *r) {
  assert_true(tu_get(feed_port, path, header, r));
  return r->status;
}

static int get_with(const token_t *t, const char *path, tu_http_t *r) {
  char h[200];
  snprintf(h, sizeof h, "Authorization: Bearer %s\r\n", t->text);
  return get(path, h, r);
}

/* The sorted project ids of {"rows":[...]}, comma-joined. */
static void ids_of_rows(json_t *rows, char *out, size_t n) {
  size_t k = json_array_size(rows);
  const char *ids[64];
  for (size_t i = 0; i < k && i < 64; i++)
    ids[i] = json_string_value(json_object_get(json_array_get(rows, i), "project_id"));
  for (size_t i = 0; i < k; i++)
    for (size_t j = i + 1; j < k; j++)
      if (strcmp(ids[j], ids[i]) < 0) {
        const char *x = ids[i];
        ids[i] = ids[j];
        ids[j] = x;
      }
  out[0] = '\0';
  for (size_t i = 0; i < k; i++)
    snprintf(out + strlen(out), n - strlen(out), "%s%s", i ? "," : "", ids[i]);
}

static void json_rows(const token_t *t, const char *path, const char *member, char *ids,
                      size_t n) {
  tu_http_t r;
  assert_int_equal(get_with(t, path, &r), 200);
  json_t *doc = json_loads(r.body, 0, NULL);
  assert_non_null(doc);
  ids_of_rows(json_object_get(doc, member), ids, n);
  json_decref(doc);
  tu_http_free(&r);
}

/* Project ids of a CSV body (first column after the header), sorted. */
static void csv_ids(const token_t *t, char *ids, size_t n) {
  tu_http_t r;
  assert_int_equal(get_with(t, "/api/v1/status.csv", &r), 200);
  json_t *arr = json_array();
  char *save = NULL;
  char *line = strtok_r(r.body, "\r\n", &save);
  assert_non_null(line);
  assert_non_null(strstr(line, "project_id"));
  while ((line = strtok_r(NULL, "\r\n", &save))) {
    char id[64];
    sscanf(line, "%63[^,]", id);
    json_array_append_new(arr, json_pack("{s:s}", "project_id", id));
  }
  ids_of_rows(arr, ids, n);
  json_decref(arr);
  tu_http_free(&r);
}

/* ---- SSE with a token ----------------------------------------------------------------- */

typedef struct {
  int fd;
  char buf[1 << 16];
  size_t len;
} stream_t;

static void stream_open(stream_t *s, const token_t *t) {
  memset(s, 0, sizeof *s);
  s->fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)feed_port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  assert_int_equal(connect(s->fd, (struct sockaddr *)&a, sizeof a), 0);
  char req[400];
  int n = snprintf(req, sizeof req,
                   "GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nX-API-Key: %s\r\n\r\n", t->text);
  assert_int_equal(write(s->fd, req, (size_t)n), n);
}

/* Reads until the body holds `needle` (true) or the server closes (false).
 * Gives up after 20 s so a bug fails instead of hanging. */
static bool stream_wait(stream_t *s, const char *needle) {
  for (int i = 0; i < 2000; i++) {
    s->buf[s->len] = '\0';
    if (strstr(s->buf, needle)) return true;
    struct pollfd p = {.fd = s->fd, .events = POLLIN};
    if (poll(&p, 1, 10) <= 0) continue;
    ssize_t r = read(s->fd, s->buf + s->len, sizeof s->buf - 1 - s->len);
    if (r <= 0) return false;
    s->len += (size_t)r;
  }
  fail_msg("stream: no '%s' within 20 s", needle);
  return false;
}

/* ---- scenario ---------------------------------------------------------------------------- */

static token_t ta, tb, tc, ta_survey, tc_survey, tb_survey;

static uint64_t lifecycle_seq(void) {
  Trin__Ping ping = TRIN__PING__INIT;
  Trin__Pong *pong = NULL;
  trin_err_t err;
  assert_int_equal(trin_client_call(env.lcc, &ping.base, &trin__pong__descriptor,
                                    (ProtobufCMessage **)&pong, &err),
                   TRIN_OK);
  uint64_t s = pong->last_seq;
  trin_codec_free(pong);
  return s;
}

static void catch_up(void) {
  if (!tu_wait_caught_up(feed_port, "lifecycle", lifecycle_seq()))
    fail_msg("the aggregator did not catch up");
}

static void survey_for(const char *id, const char *project) {
  Trin__Survey__Statement a = TRIN__SURVEY__STATEMENT__INIT;
  a.key = "TRUST";
  a.text = "Tillid";
  Trin__Survey__Statement *sts[] = {&a};
  Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
  sv.id = (char *)id;
  sv.project_id = (char *)project;
  sv.title = "Tilfredshed";
  sv.scale_min = 1;
  sv.scale_max = 5;
  sv.statements = sts;
  sv.n_statements = 1;
  OK(sv_create_when_known(env.svc, &sv, &e_));
  OK(sv_add_round(env.svc, id, 1, "2024-01-01", "2024-01-31", &e_));
}

static int setup(void **state) {
  const char *sv_extra[] = {"--http-address=127.0.0.1:0", "--log-level=debug", NULL};
  if (!survey_env_start(&env, "tokens", sv_extra)) return -1;
  hook_port = port_in_log(env.sv.log, "s/.*webhook on http:\\/\\/127.0.0.1:\\([0-9]*\\).*/\\1/p");
  if (hook_port <= 0) return -1;

  trin_client_t *lc = env.lcc;
  OK(lc_org(lc, "A", "client", &e_));
  OK(lc_org(lc, "B", "client", &e_));
  OK(lc_org(lc, "C", "contractor", &e_));
  OK(lc_partnership(lc, "PA", "A", "2024-01-01", "projektforslag", 0, &e_));
  OK(lc_partnership(lc, "PB", "B", "2024-01-01", "projektforslag", 0, &e_));
  char out[1024];
  if (trinctl(env.lc.endpoint, "partnership add-member --partnership PA --org C --role contractor",
              out, sizeof out) != 0)
    return -1;
  OK(lc_project(lc, "A1", "PA", "A", false, "2024-03-01", &e_));
  OK(lc_project(lc, "A2", "PA", "A", false, "2024-03-01", &e_));
  OK(lc_project(lc, "A-OUT", NULL, "A", false, "2024-03-01", &e_));
  OK(lc_project(lc, "B1", "PB", "B", false, "2024-03-01", &e_));
  OK(lc_project(lc, "B-OUT", NULL, "B", false, "2024-03-01", &e_));

  testproc_init(&agg, "tokens-agg");
  char a1[400], a2[400];
  snprintf(a1, sizeof a1, "--lifecycle-endpoint=%s", env.lc.endpoint);
  snprintf(a2, sizeof a2, "--lifecycle-pub-endpoint=%s", env.lc.pub);
  const char *extra[] = {a1, a2, "--budget-endpoint=", "--survey-endpoint=",
                         "--benchmark-endpoint=", "--http-address=127.0.0.1:0",
                         "--token=" TU_TOKEN, "--retry-ms=200", "--log-level=debug", NULL};
  if (!testproc_start(&agg, TRIN_AGGREGATOR_BIN, extra)) return -1;
  feed_port = port_in_log(agg.log, "s/.*http: listening on .*(port \\([0-9]*\\)).*/\\1/p");
  if (feed_port <= 0) return -1;
  catch_up();

  ta = make_token(agg.endpoint, "A", "feed:read", "aggregator");
  tb = make_token(agg.endpoint, "B", "feed:read", "aggregator");
  tc = make_token(agg.endpoint, "C", "feed:read", "aggregator");
  ta_survey = make_token(env.sv.endpoint, "A", "survey:write", "survey");
  tb_survey = make_token(env.sv.endpoint, "B", "survey:write", "survey");
  tc_survey = make_token(env.sv.endpoint, "C", "survey:write", "survey");
  survey_for("S-A1", "A1");
  survey_for("S-B1", "B1");
  return 0;
}

static int teardown(void **state) {
  int st = testproc_stop(&agg);
  testproc_cleanup(&agg);
  bool ok = survey_env_stop(&env);
  return st == 0 && ok ? 0 : -1;
}

/* ---- the feed ------------------------------------------------------------------------------ */

static void each_organisation_sees_its_rows(void **state) {
  char ids[512];
  json_rows(&ta, "/api/v1/status", "rows", ids, sizeof ids);
  assert_string_equal(ids, "A-OUT,A1,A2");
  json_rows(&tb, "/api/v1/status", "rows", ids, sizeof ids);
  assert_string_equal(ids, "B-OUT,B1");
  /* C is a member of A's partnership: its projects, not A's outside it */
  json_rows(&tc, "/api/v1/status", "rows", ids, sizeof ids);
  assert_string_equal(ids, "A1,A2");
  json_rows(&ta, "/api/v1/status?since=1", "rows", ids, sizeof ids);
  assert_non_null(strstr(ids, "A"));
  assert_null(strstr(ids, "B"));
  token_t op = {.text = TU_TOKEN};
  json_rows(&op, "/api/v1/status", "rows", ids, sizeof ids);
  assert_string_equal(ids, "A-OUT,A1,A2,B-OUT,B1");

  /* OData: the page, its count, $count, a page of one with the rest linked */
  json_rows(&ta, "/odata/ProjectStatus?$count=true", "value", ids, sizeof ids);
  assert_string_equal(ids, "A-OUT,A1,A2");
  tu_http_t r;
  assert_int_equal(get_with(&ta, "/odata/ProjectStatus?$count=true", &r), 200);
  assert_non_null(strstr(r.body, "\"@odata.count\":3"));
  tu_http_free(&r);
  assert_int_equal(get_with(&tb, "/odata/ProjectStatus/$count", &r), 200);
  assert_string_equal(r.body, "2");
  tu_http_free(&r);
  assert_int_equal(get_with(&tc, "/odata/ProjectStatus/$count?$filter=stage%20eq%20'pre_study'", &r),
                   200);
  assert_string_equal(r.body, "2");
  tu_http_free(&r);
  assert_int_equal(get_with(&ta, "/odata/ProjectStatus('B1')", &r), 404);
  tu_http_free(&r);
  assert_int_equal(get_with(&tb, "/odata/ProjectStatus('B1')", &r), 200);
  tu_http_free(&r);
  assert_int_equal(get_with(&ta, "/odata/ProjectStatus?$top=2&$orderby=project_id&$count=true", &r),
                   200);
  assert_non_null(strstr(r.body, "\"@odata.count\":3"));
  assert_null(strstr(r.body, "\"B1\""));
  tu_http_free(&r);

  csv_ids(&ta, ids, sizeof ids);
  assert_string_equal(ids, "A-OUT,A1,A2");
  csv_ids(&tc, ids, sizeof ids);
  assert_string_equal(ids, "A1,A2");
}

static void refusals_and_ways_to_send(void **state) {
  tu_http_t r;
  char h[300], v[200];
  /* no token: 401 with the challenges, on every data endpoint */
  const char *paths[] = {"/odata/ProjectStatus", "/api/v1/status", "/api/v1/status.csv",
                         "/api/v1/stream", "/metrics", "/"};
  for (size_t i = 0; i < sizeof paths / sizeof *paths; i++) {
    assert_int_equal(get(paths[i], NULL, &r), 401);
    assert_int_equal(tu_header(&r, "WWW-Authenticate", v, sizeof v), 2);
    tu_http_free(&r);
  }
  assert_int_equal(get("/healthz", NULL, &r), 200);
  tu_http_free(&r);
  /* made up, and the right shape with a wrong secret */
  assert_int_equal(get("/api/v1/status", "Authorization: Bearer nope\r\n", &r), 401);
  tu_http_free(&r);
  token_t wrong = ta;
  wrong.text[30] = wrong.text[30] == 'x' ? 'y' : 'x';
  assert_int_equal(get_with(&wrong, "/api/v1/status", &r), 401);
  tu_http_free(&r);
  /* a survey token is not a feed token (it lives in the survey service) */
  assert_int_equal(get_with(&ta_survey, "/api/v1/status", &r), 401);
  tu_http_free(&r);
  /* /metrics is the operator's */
  assert_int_equal(get_with(&ta, "/metrics", &r), 403);
  tu_http_free(&r);
  assert_int_equal(get("/metrics", "Authorization: Bearer " TU_TOKEN "\r\n", &r), 200);
  tu_http_free(&r);

  /* X-API-Key (Power BI / Excel custom header), Basic, ?api_key */
  snprintf(h, sizeof h, "X-API-Key: %s\r\n", tb.text);
  assert_int_equal(get("/odata/ProjectStatus/$count", h, &r), 200);
  assert_string_equal(r.body, "2");
  tu_http_free(&r);
  char up[120], b64[200];
  snprintf(up, sizeof up, "powerbi:%s", tb.text);
  char cmd[400];
  snprintf(cmd, sizeof cmd, "printf '%%s' '%s' | base64 -w0", up);
  assert_int_equal(testproc_run(cmd, b64, sizeof b64), 0);
  snprintf(h, sizeof h, "Authorization: Basic %s\r\n", b64);
  assert_int_equal(get("/odata/ProjectStatus/$count", h, &r), 200);
  assert_string_equal(r.body, "2");
  tu_http_free(&r);
  char path[200];
  snprintf(path, sizeof path, "/api/v1/status.csv?api_key=%s", tb.text);
  assert_int_equal(get(path, NULL, &r), 200);
  assert_null(strstr(r.body, "A1"));
  tu_http_free(&r);
}

/* B1 changes first, then A1: A's stream gets A1's change and never B1's. */
static void streams_carry_only_own_rows(void **state) {
  stream_t s;
  stream_open(&s, &ta);
  assert_true(stream_wait(&s, "\"project_id\":\"A2\""));
  assert_true(stream_wait(&s, "\"project_id\":\"A-OUT\""));
  assert_true(stream_wait(&s, "\"project_id\":\"A1\""));
  assert_null(strstr(s.buf, "\"B1\""));
  assert_null(strstr(s.buf, "\"B-OUT\""));
  s.len = 0;
  s.buf[0] = '\0';
  OK(lc_pause(env.lcc, "B1", "authority", "2024-04-01", &e_));
  OK(lc_pause(env.lcc, "A1", "authority", "2024-04-01", &e_));
  assert_true(stream_wait(&s, "\"paused\":true"));
  assert_non_null(strstr(s.buf, "\"project_id\":\"A1\""));
  assert_null(strstr(s.buf, "\"B1\""));
  close(s.fd);
}

static void revoked_at_once(void **state) {
  token_t t = make_token(agg.endpoint, "A", "feed:read", "aggregator");
  tu_http_t r;
  assert_int_equal(get_with(&t, "/api/v1/status", &r), 200);
  tu_http_free(&r);
  stream_t s;
  stream_open(&s, &t);
  assert_true(stream_wait(&s, "\"project_id\":\"A1\""));

  char out[1024], args[100];
  assert_int_equal(trinctl(agg.endpoint, "token list --org A", out, sizeof out), 0);
  assert_non_null(strstr(out, t.id));
  assert_null(strstr(out, "trin_")); /* never the text */
  snprintf(args, sizeof args, "token revoke %s", t.id);
  assert_int_equal(trinctl(agg.endpoint, args, out, sizeof out), 0);
  assert_non_null(strstr(out, "revoked"));
  /* the very next request */
  assert_int_equal(get_with(&t, "/api/v1/status", &r), 401);
  tu_http_free(&r);
  snprintf(args, sizeof args, "X-API-Key: %s\r\n", t.text);
  assert_int_equal(get("/odata/ProjectStatus", args, &r), 401);
  tu_http_free(&r);
  /* its stream was closed */
  assert_false(stream_wait(&s, "will never come"));
  close(s.fd);
  /* the other tokens of A still work */
  assert_int_equal(get_with(&ta, "/api/v1/status", &r), 200);
  tu_http_free(&r);
  /* listing as JSON shows it revoked */
  assert_int_equal(trinctl(agg.endpoint, "--json token list --org A", out, sizeof out), 0);
  json_t *arr = json_loads(out, 0, NULL);
  assert_true(json_is_array(arr));
  bool seen = false;
  for (size_t i = 0; i < json_array_size(arr); i++) {
    json_t *o = json_array_get(arr, i);
    if (strcmp(json_string_value(json_object_get(o, "id")), t.id) == 0) {
      seen = true;
      assert_string_not_equal(json_string_value(json_object_get(o, "revoked_at")), "");
    }
  }
  assert_true(seen);
  json_decref(arr);
}

/* ---- the survey webhook --------------------------------------------------------------------- */

static int post(const token_t *t, const char *body, char *out, size_t out_size) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)hook_port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  char req[4096];
  int n = snprintf(req, sizeof req,
                   "POST /v1/survey/responses HTTP/1.1\r\nHost: x\r\nConnection: close\r\n"
                   "Authorization: Bearer %s\r\nContent-Type: application/json\r\n"
                   "Content-Length: %zu\r\n\r\n%s",
                   t->text, strlen(body), body);
  if (write(fd, req, (size_t)n) != n) {
    close(fd);
    return -1;
  }
  size_t got = 0;
  ssize_t r;
  while (got + 1 < out_size && (r = read(fd, out + got, out_size - 1 - got)) > 0) got += (size_t)r;
  out[got] = '\0';
  close(fd);
  int status = 0;
  sscanf(out, "HTTP/1.1 %d", &status);
  return status;
}

static void webhook_writes_only_own_surveys(void **state) {
  char out[4096];
  const char *to_b =
      "{\"survey_id\":\"S-B1\",\"round\":1,\"responses\":["
      "{\"respondent\":\"x\",\"role\":\"residents\",\"scores\":{\"TRUST\":1}}]}";
  const char *to_a =
      "{\"survey_id\":\"S-A1\",\"round\":1,\"responses\":["
      "{\"respondent\":\"x\",\"role\":\"residents\",\"scores\":{\"TRUST\":4}}]}";
  const char *to_a2 =
      "{\"survey_id\":\"S-A1\",\"round\":1,\"responses\":["
      "{\"respondent\":\"y\",\"role\":\"residents\",\"scores\":{\"TRUST\":5}}]}";
  uint64_t before = sv_last_seq(env.svc);
  assert_int_equal(post(&ta_survey, to_b, out, sizeof out), 403);
  assert_non_null(strstr(out, "\"code\":\"forbidden\""));
  assert_int_equal(post(&tc_survey, to_b, out, sizeof out), 403);
  assert_int_equal(sv_last_seq(env.svc), before); /* nothing stored */
  /* a feed token is not a webhook token; a feed token's own service is not this */
  assert_int_equal(post(&ta, to_a, out, sizeof out), 401);
  assert_int_equal(post(&ta_survey, to_a, out, sizeof out), 200);
  assert_non_null(strstr(out, "\"added\":1"));
  /* C, a member of A's partnership, may write to its project's survey */
  assert_int_equal(post(&tc_survey, to_a2, out, sizeof out), 200);
  assert_non_null(strstr(out, "\"added\":1"));
  assert_int_equal(post(&tb_survey, to_b, out, sizeof out), 200);
  assert_non_null(strstr(out, "\"added\":1"));
  /* revoked: refused at once */
  char args[120];
  snprintf(args, sizeof args, "token revoke %s --service survey", tb_survey.id);
  assert_int_equal(trinctl(env.sv.endpoint, args, out, sizeof out), 0);
  assert_int_equal(post(&tb_survey, to_b, out, sizeof out), 401);
}

/* Runs last: nothing above wrote a token's secret into a log. */
static void no_secret_in_logs(void **state) {
  const token_t *all[] = {&ta, &tb, &tc, &ta_survey, &tb_survey, &tc_survey};
  const char *logs[] = {agg.log, env.sv.log, env.lc.log};
  for (size_t l = 0; l < 3; l++) {
    FILE *f = fopen(logs[l], "r");
    assert_non_null(f);
    static char buf[1 << 22];
    size_t n = fread(buf, 1, sizeof buf - 1, f);
    fclose(f);
    buf[n] = '\0';
    for (size_t i = 0; i < sizeof all / sizeof *all; i++)
      assert_null(strstr(buf, all[i]->text + 18)); /* the secret part */
    assert_null(strstr(buf, TU_TOKEN));
  }
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(each_organisation_sees_its_rows),
      cmocka_unit_test(refusals_and_ways_to_send),
      cmocka_unit_test(streams_carry_only_own_rows),
      cmocka_unit_test(revoked_at_once),
      cmocka_unit_test(webhook_writes_only_own_surveys),
      cmocka_unit_test(no_secret_in_logs),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
