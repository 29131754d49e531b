/* gateway.stream — GET /api/v1/stream against every service as real
 * processes over CURVE (gateway_testenv): a person's stream carries the
 * status rows of the projects that person may see, as they change, and
 * nothing of the others' — the client's writer sees PA's row when a dispute
 * is opened on it and never PO's; omega's writer sees PO's and never PA's;
 * the advisor (a member of LA) sees PA's. No token: 401 problem. A revoked
 * token loses its open stream. */
#include <arpa/inet.h>
#include <errno.h>
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

#include "gateway_testenv.h"
#include "trin/token.pb-c.h"
#include "trin_codec.h"

static gt_env_t env;
static const char *const BINS[GT_NPROCS] = {TRIN_LIFECYCLE_BIN,  TRIN_BUDGET_BIN,
                                            TRIN_SURVEY_BIN,     TRIN_BENCHMARK_BIN,
                                            TRIN_AGGREGATOR_BIN, TRIN_GATEWAY_BIN};

/* An upper bound for each wait, not a speed requirement. */
#define WAIT_MS 30000

/* One open SSE connection and what it has received so far. */
typedef struct {
  int fd;
  char buf[1 << 16];
  size_t len;
  bool closed;
} sse_t;

static uint64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void sse_open(sse_t *s, const char *token) {
  memset(s, 0, sizeof *s);
  s->fd = socket(AF_INET, SOCK_STREAM, 0);
  assert_true(s->fd >= 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)env.http_port)};
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  assert_int_equal(connect(s->fd, (struct sockaddr *)&a, sizeof a), 0);
  char req[512];
  int n = snprintf(req, sizeof req,
                   "GET /api/v1/stream HTTP/1.1\r\nHost: 127.0.0.1\r\nAccept: text/event-stream\r\n"
                   "%s%s%s\r\n",
                   token ? "Authorization: Bearer " : "", token ? token : "", token ? "\r\n" : "");
  assert_int_equal(write(s->fd, req, (size_t)n), n);
}

/* Reads what arrives within ms (at most one read). False once the
 * peer has closed or the buffer is full. */
static bool sse_read(sse_t *s, int ms) {
  if (s->closed || s->len + 1 >= sizeof s->buf) return false;
  struct pollfd p = {.fd = s->fd, .events = POLLIN};
  if (poll(&p, 1, ms) <= 0) return true;
  ssize_t r = read(s->fd, s->buf + s->len, sizeof s->buf - 1 - s->len);
  if (r <= 0) s->closed = true;
  else s->len += (size_t)r;
  s->buf[s->len] = '\0';
  return !s->closed;
}

/* Reads what arrives until `want` is in the buffer, the peer closes, or
 * ms pass. True when want was seen (want NULL: until closed). */
static bool sse_wait(sse_t *s, const char *want, int ms) {
  uint64_t end = now_ms() + (uint64_t)ms;
  for (;;) {
    if (want && memmem(s->buf, s->len, want, strlen(want))) return true;
    if (s->closed) return !want;
    uint64_t now = now_ms();
    if (now >= end) return false;
    if (!sse_read(s, (int)(end - now)) && !s->closed) return false;
  }
}

/* True when one row of the stream is project's and carries fragment. */
static bool row_seen(const sse_t *s, const char *project, const char *fragment) {
  char id[80];
  snprintf(id, sizeof id, "\"project_id\":\"%s\"", project);
  for (const char *line = s->buf;;) {
    const char *eol = strchr(line, '\n');
    if (!eol) break; /* the rest is not complete yet */
    size_t n = (size_t)(eol - line);
    if (n > 6 && !strncmp(line, "data: ", 6) && memmem(line, n, id, strlen(id)) &&
        memmem(line, n, fragment, strlen(fragment)))
      return true;
    line = eol + 1;
  }
  return false;
}

/* Waits for a row of project carrying fragment. Rows of the same project
 * from before (the demo's own events, still being applied when the stream
 * opened) may come first; they are not what is waited for. */
static void expect_row(sse_t *s, const char *project, const char *fragment) {
  uint64_t end = now_ms() + WAIT_MS;
  while (!row_seen(s, project, fragment)) {
    uint64_t now = now_ms();
    if (now >= end || !sse_read(s, (int)(end - now)))
      fail_msg("no row of %s with %s; the stream had:\n%s", project, fragment, s->buf);
  }
}

/* sse_wait that must succeed; otherwise what did arrive is shown. */
static void expect(sse_t *s, const char *want) {
  if (!sse_wait(s, want, WAIT_MS)) fail_msg("%s never came; the stream had:\n%s", want, s->buf);
}

static void sse_close(sse_t *s) {
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
}

static int setup(void **state) {
  (void)state;
  if (!gt_start(&env, BINS, NULL)) return -1;
  return gt_demo(&env) ? 0 : -1;
}

static int teardown(void **state) {
  (void)state;
  return gt_stop(&env) ? 0 : -1;
}

static void dispute(const char *project, int persona, const char *id, const char *by) {
  char path[128], body[400];
  snprintf(path, sizeof path, "/api/v1/projects/%s/disputes", project);
  snprintf(body, sizeof body,
           "{\"dispute_id\":\"%s\",\"title\":\"Tagrender\",\"amount_ore\":\"150000\","
           "\"date\":\"2025-05-02\",\"raised_by\":\"%s\"}",
           id, by);
  gt_http_t r;
  assert_true(gt_http(&env, "POST", path, env.token[persona], body, NULL, NULL, &r));
  if (r.status != 200) fail_msg("%s: %d %s", path, r.status, r.body);
  gt_http_free(&r);
}

/* The stream is followed once the gateway has found the aggregator: it
 * says so in its first comment. A stream opened before may wait. */
static void open_following(sse_t *s, int persona) {
  uint64_t end = now_ms() + WAIT_MS;
  for (;;) {
    sse_open(s, env.token[persona]);
    assert_true(sse_wait(s, "\n\n", WAIT_MS));
    assert_non_null(strstr(s->buf, "HTTP/1.1 200"));
    assert_non_null(strstr(s->buf, "Content-Type: text/event-stream"));
    if (strstr(s->buf, ": following the status rows")) return;
    sse_close(s);
    if (now_ms() > end) fail_msg("the gateway never followed the aggregator: %s", s->buf);
    struct timespec ts = {0, 100 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
}

static void each_person_hears_only_their_projects(void **state) {
  (void)state;
  sse_t writer, advisor, outsider;
  open_following(&writer, GT_WRITER);
  open_following(&advisor, GT_ADVISOR);
  open_following(&outsider, GT_OUTSIDER);

  dispute("PA", GT_WRITER, "D-S1", "alfa");
  expect_row(&writer, "PA", "\"open_disputes\":1");
  expect_row(&advisor, "PA", "\"open_disputes\":1");
  assert_non_null(strstr(writer.buf, "event: row\n"));

  dispute("PO", GT_OUTSIDER, "D-S2", "omega");
  expect_row(&outsider, "PO", "\"open_disputes\":1");
  /* PO's row went out after PA's, so by now the writer and the advisor
   * would have it if they were sent it; a second PA change arriving shows
   * their streams are still being written. */
  dispute("PA", GT_WRITER, "D-S3", "alfa");
  expect_row(&writer, "PA", "\"open_disputes\":2");
  expect_row(&advisor, "PA", "\"open_disputes\":2");
  assert_null(strstr(writer.buf, "\"project_id\":\"PO\""));
  assert_null(strstr(advisor.buf, "\"project_id\":\"PO\""));
  assert_null(strstr(outsider.buf, "\"project_id\":\"PA\""));
  /* Each row names its aggregator sequence, for the browser's Last-Event-ID. */
  assert_non_null(strstr(writer.buf, "\nid: "));
  sse_close(&writer);
  sse_close(&advisor);
  sse_close(&outsider);
}

static void no_token_401_and_a_revoked_token_loses_its_stream(void **state) {
  (void)state;
  sse_t s;
  sse_open(&s, NULL);
  expect(&s, "\r\n\r\n");
  assert_non_null(strstr(s.buf, "HTTP/1.1 401"));
  assert_non_null(strstr(s.buf, "application/problem+json"));
  sse_close(&s);

  /* A token of its own, so revoking it touches no other test. */
  Trin__Token__CreateToken q = TRIN__TOKEN__CREATE_TOKEN__INIT;
  q.org = "alfa";
  q.scope = "api:read";
  q.role = "reader";
  q.person = "Stream Læser";
  Trin__Token__TokenCreated *made = NULL;
  trin_err_t err;
  assert_int_equal(trin_client_call(gt_client(&env, GT_GATEWAY, GT_WRITER), &q.base,
                                    &trin__token__token_created__descriptor,
                                    (ProtobufCMessage **)&made, &err),
                   TRIN_OK);
  uint64_t end = now_ms() + WAIT_MS;
  for (;;) {
    sse_open(&s, made->token);
    expect(&s, "\n\n");
    if (strstr(s.buf, ": following the status rows")) break;
    sse_close(&s);
    if (now_ms() > end) fail_msg("no stream: %s", s.buf);
  }
  Trin__Token__RevokeToken rv = TRIN__TOKEN__REVOKE_TOKEN__INIT;
  rv.id = made->id;
  ProtobufCMessage *rr = NULL;
  assert_int_equal(trin_client_call(gt_client(&env, GT_GATEWAY, GT_WRITER), &rv.base,
                                    &trin__token__token_reply__descriptor, &rr, &err),
                   TRIN_OK);
  trin_codec_free(rr);
  trin_codec_free(&made->base);
  /* closed by the gateway, not by a timeout of ours */
  assert_true(sse_wait(&s, NULL, WAIT_MS));
  assert_true(s.closed);
  sse_close(&s);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(each_person_hears_only_their_projects),
      cmocka_unit_test(no_token_401_and_a_revoked_token_loses_its_stream),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
