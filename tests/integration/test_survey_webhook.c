/* survey.webhook — the JSON webhook of the real trin-survey process over
 * HTTP: no token, a wrong token (401, nothing stored), Bearer and
 * X-API-Key, bad JSON and a bad score (400 naming the field, nothing
 * stored), a body that is not UTF-8 or a string holding \u0000 (400 with
 * line and column, nothing stored), an unknown survey (404), GET (405),
 * another path (404), an import that is recorded and a re-send that is
 * not counted twice. */
#include <arpa/inet.h>
#include <netinet/in.h>
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
#include "test_survey_common.h"
#include "testcall.h"
#include "trin_codec.h"

static survey_env_t env;
static int port;

/* The service logs "webhook on http://127.0.0.1:PORT/...". */
static int find_port(const char *log) {
  for (int i = 0; i < 100; i++) {
    FILE *f = fopen(log, "r");
    char line[512];
    while (f && fgets(line, sizeof line, f)) {
      const char *p = strstr(line, "webhook on http://127.0.0.1:");
      if (p) {
        fclose(f);
        return atoi(p + strlen("webhook on http://127.0.0.1:"));
      }
    }
    if (f) fclose(f);
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return 0;
}

/* One request on a fresh connection; returns the status, body into out. */
static int http(const char *method, const char *path, const char *headers, const char *body,
                char *out, size_t out_size) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  char req[8192];
  int n = snprintf(req, sizeof req,
                   "%s %s HTTP/1.1\r\nHost: x\r\nConnection: close\r\n%sContent-Type: "
                   "application/json\r\nContent-Length: %zu\r\n\r\n%s",
                   method, path, headers, strlen(body), body);
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
  char *b = strstr(out, "\r\n\r\n");
  if (b) memmove(out, b + 4, strlen(b + 4) + 1);
  return status;
}

static int setup(void **state) {
  const char *extra[] = {"--http-address=127.0.0.1:0", "--webhook-token=s3cret-token", NULL};
  if (!survey_env_start(&env, "svhook", extra)) return -1;
  port = find_port(env.sv.log);
  if (port <= 0) return -1;
  OK(lc_org(env.lcc, "KAB", "client", &e_));
  OK(lc_project(env.lcc, "P1", NULL, "KAB", false, "2023-03-01", &e_));
  Trin__Survey__Statement a = TRIN__SURVEY__STATEMENT__INIT, b = TRIN__SURVEY__STATEMENT__INIT;
  a.key = "TRUST_ECONOMY";
  a.text = "Tillid til økonomien";
  b.key = "DIALOGUE";
  b.text = "Dialog";
  Trin__Survey__Statement *sts[] = {&a, &b};
  Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
  sv.id = "S1";
  sv.project_id = "P1";
  sv.title = "Tilfredshed";
  sv.scale_min = 1;
  sv.scale_max = 5;
  sv.statements = sts;
  sv.n_statements = 2;
  OK(sv_create_when_known(env.svc, &sv, &e_));
  OK(sv_add_round(env.svc, "S1", 1, "2024-01-01", "2024-01-31", &e_));
  return 0;
}

static int teardown(void **state) { return survey_env_stop(&env) ? 0 : -1; }

static int respondents(void) {
  Trin__Survey__RoundResults *r = NULL;
  trin_err_t err;
  if (sv_results(env.svc, "S1", 1, &r, &err)) return -1;
  const Trin__Survey__Figures *f = sv_figure(r, "TRUST_ECONOMY", "all");
  int n = f ? f->count : 0;
  trin_codec_free(r);
  return n;
}

static const char *GOOD =
    "{\"survey_id\":\"S1\",\"round\":1,\"responses\":["
    "{\"respondent\":\"a\",\"role\":\"residents\",\"scores\":{\"TRUST_ECONOMY\":4,\"DIALOGUE\":5}},"
    "{\"respondent\":\"b\",\"role\":\"beboer\",\"scores\":{\"TRUST_ECONOMY\":3,\"DIALOGUE\":null}},"
    "{\"respondent\":\"c\",\"role\":\"residents\",\"scores\":{\"TRUST_ECONOMY\":5},\"comment\":\"fint\"},"
    "{\"respondent\":4,\"role\":\"residents\",\"scores\":{\"TRUST_ECONOMY\":2}},"
    "{\"respondent\":\"e\",\"role\":\"følgegruppe\",\"scores\":{\"TRUST_ECONOMY\":4.0}}]}";

static void token_is_required(void **state) {
  char out[4096];
  uint64_t seq = sv_last_seq(env.svc);
  assert_int_equal(http("POST", "/v1/survey/responses", "", GOOD, out, sizeof out), 401);
  assert_non_null(strstr(out, "\"code\":\"unauthenticated\""));
  assert_int_equal(http("POST", "/v1/survey/responses", "Authorization: Bearer wrong\r\n", GOOD,
                        out, sizeof out),
                   401);
  assert_int_equal(http("POST", "/v1/survey/responses", "X-API-Key: s3cret-tokenX\r\n", GOOD,
                        out, sizeof out),
                   401);
  assert_int_equal(respondents(), 0);
  assert_int_equal(sv_last_seq(env.svc), seq);
}

static void bad_requests_store_nothing(void **state) {
  char out[4096];
  const char *auth = "Authorization: Bearer s3cret-token\r\n";
  assert_int_equal(http("POST", "/v1/survey/responses", auth, "{not json", out, sizeof out), 400);
  assert_non_null(strstr(out, "not valid JSON"));
  const char *bad_score =
      "{\"survey_id\":\"S1\",\"round\":1,\"responses\":["
      "{\"respondent\":\"a\",\"role\":\"residents\",\"scores\":{\"TRUST_ECONOMY\":4}},"
      "{\"respondent\":\"b\",\"role\":\"residents\",\"scores\":{\"TRUST_ECONOMY\":6}}]}";
  assert_int_equal(http("POST", "/v1/survey/responses", auth, bad_score, out, sizeof out), 400);
  assert_non_null(strstr(out, "\"field\":\"responses[1].scores.TRUST_ECONOMY\""));
  const char *half = "{\"survey_id\":\"S1\",\"round\":1,\"responses\":["
                     "{\"respondent\":\"a\",\"role\":\"residents\",\"scores\":{\"DIALOGUE\":3.5}}]}";
  assert_int_equal(http("POST", "/v1/survey/responses", auth, half, out, sizeof out), 400);
  assert_non_null(strstr(out, "responses[0].scores.DIALOGUE"));
  const char *no_round = "{\"survey_id\":\"S1\",\"responses\":[{}]}";
  assert_int_equal(http("POST", "/v1/survey/responses", auth, no_round, out, sizeof out), 400);
  assert_non_null(strstr(out, "\"field\":\"round\""));
  const char *unknown = "{\"survey_id\":\"S9\",\"round\":1,\"responses\":["
                        "{\"respondent\":\"a\",\"role\":\"residents\",\"scores\":{\"X\":3}}]}";
  assert_int_equal(http("POST", "/v1/survey/responses", auth, unknown, out, sizeof out), 404);
  assert_non_null(strstr(out, "\"field\":\"survey_id\""));
  assert_int_equal(http("GET", "/v1/survey/responses", auth, "", out, sizeof out), 405);
  assert_int_equal(http("POST", "/v1/other", auth, GOOD, out, sizeof out), 404);
  assert_int_equal(respondents(), 0);
}

/* "\u0000" would cut a respondent id short and bytes that are not UTF-8 are
 * not text: refused with the line and column, nothing stored, no event. */
static void nul_and_invalid_utf8_store_nothing(void **state) {
  char out[4096];
  const char *auth = "Authorization: Bearer s3cret-token\r\n";
  uint64_t seq = sv_last_seq(env.svc);
  const struct {
    const char *body, *want;
  } cases[] = {
      {"{\"survey_id\":\"S1\",\"round\":1,\"responses\":[\n"
       "{\"respondent\":\"r1\\u0000x\",\"role\":\"residents\",\"scores\":{\"TRUST_ECONOMY\":4}},\n"
       "{\"respondent\":\"r1\",\"role\":\"residents\",\"scores\":{\"TRUST_ECONOMY\":3}}]}",
       /* jansson places the column at the string's end */
       "\"message\":\"line 2, column 25: a string holds \\\\u0000 (a NUL character), which no "
       "field accepts\""},
      {"{\"survey_id\":\"S1\",\"round\":1,\"responses\":[\n"
       "{\"respondent\":\"a\",\"role\":\"residents\",\"scores\":{\"TRUST\\u0000X\":4}}]}",
       "a string holds \\\\u0000 (a NUL character)"},
      {"{\"survey_id\":\"S1\",\"round\":1,\"responses\":[\n"
       "{\"respondent\":\"r\xff\xfe\",\"role\":\"residents\",\"scores\":{\"TRUST_ECONOMY\":4}}]}",
       "\"message\":\"line 2, column 17: the body is not valid UTF-8 (byte 0xFF); send it as "
       "UTF-8\""},
  };
  for (size_t i = 0; i < sizeof cases / sizeof *cases; i++) {
    int status = http("POST", "/v1/survey/responses", auth, cases[i].body, out, sizeof out);
    if (status != 400 || !strstr(out, cases[i].want))
      print_error("case %zu: %d %s\n", i, status, out);
    assert_int_equal(status, 400);
    assert_non_null(strstr(out, "\"code\":\"invalid\""));
    assert_non_null(strstr(out, cases[i].want));
  }
  assert_int_equal(respondents(), 0);
  assert_int_equal(sv_last_seq(env.svc), seq);
}

static void import_and_resend(void **state) {
  char out[4096];
  assert_int_equal(http("POST", "/v1/survey/responses", "Authorization: Bearer s3cret-token\r\n",
                        GOOD, out, sizeof out),
                   200);
  assert_non_null(strstr(out, "\"added\":5"));
  assert_int_equal(respondents(), 5);
  Trin__Survey__RoundResults *r = NULL;
  OK(sv_results(env.svc, "S1", 1, &r, &e_));
  const Trin__Survey__Figures *f = sv_figure(r, "TRUST_ECONOMY", "all");
  assert_int_equal(f->sum, 18);
  assert_string_equal(f->mean, "3.60");
  trin_codec_free(r);
  uint64_t seq = sv_last_seq(env.svc);
  assert_int_equal(http("POST", "/v1/survey/responses", "X-API-Key: s3cret-token\r\n", GOOD, out,
                        sizeof out),
                   200);
  assert_non_null(strstr(out, "\"unchanged\":5"));
  assert_non_null(strstr(out, "\"added\":0"));
  assert_int_equal(respondents(), 5);
  assert_int_equal(sv_last_seq(env.svc), seq);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(token_is_required),
      cmocka_unit_test(bad_requests_store_nothing),
      cmocka_unit_test(nul_and_invalid_utf8_store_nothing),
      cmocka_unit_test(import_and_resend),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
