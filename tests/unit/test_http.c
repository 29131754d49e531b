/* common.http — the HTTP server on a real socket: keep-alive with pipelined
 * requests answered in order, query decoding, bodies and their limit,
 * malformed requests, gzip, HEAD, answers given later, and a stream whose
 * client goes away. */
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
#include <unistd.h>
#include <cmocka.h>
#include <uv.h>
#include <zlib.h>

#include "trin_http.h"

static uv_loop_t loop;
static trin_http_server_t *server;
static int port;
static trin_http_response_t *deferred;
static int streams_closed;
static trin_http_stream_t *stream;

static void on_stream_closed(void *data, trin_http_stream_t *s) {
  streams_closed++;
  if (s == stream) stream = NULL;
}

static void handler(void *data, const trin_http_request_t *req, trin_http_response_t *res) {
  char v[128];
  if (strcmp(req->path, "/echo") == 0) {
    trin_http_set_header(res, "Content-Type", "text/plain");
    trin_http_printf(res, "%s %s q=%s", req->method, req->path,
                     trin_http_query(req, "name", v, sizeof v) ? v : "-");
    if (req->body_len) trin_http_printf(res, " body=%.*s", (int)req->body_len, req->body);
    trin_http_send(res);
  } else if (strcmp(req->path, "/big") == 0) {
    trin_http_set_header(res, "Content-Type", "text/plain");
    for (int i = 0; i < 2000; i++) trin_http_printf(res, "row %d of the portfolio\n", i);
    trin_http_send(res);
  } else if (strcmp(req->path, "/later") == 0) {
    deferred = res; /* answered from the test's timer */
  } else if (strcmp(req->path, "/events") == 0) {
    stream = trin_http_stream_start(res, "text/event-stream", on_stream_closed, NULL);
    trin_http_stream_write(stream, "id: 1\ndata: hello\n\n", 20);
  } else {
    trin_http_respond(res, 404, "text/plain", "no such thing\n", 14);
  }
}

/* ---- a blocking client on a thread ------------------------------------------------ */

typedef struct {
  const char *send;
  size_t send_len;
  char reply[65536];
  size_t reply_len;
  int close_after_ms; /* read until closed, or this long */
} exchange_t;

static int dial(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) return -1;
  struct timeval tv = {0, 300 * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  return fd;
}

static void run_exchange(void *arg) {
  exchange_t *x = arg;
  int fd = dial();
  if (fd < 0) return;
  if (send(fd, x->send, x->send_len, 0) < 0) {
    close(fd);
    return;
  }
  int idle = 0;
  while (x->reply_len < sizeof x->reply - 1 && idle < 5) {
    ssize_t n = recv(fd, x->reply + x->reply_len, sizeof x->reply - 1 - x->reply_len, 0);
    if (n == 0) break;
    if (n < 0) {
      idle++;
      continue;
    }
    x->reply_len += (size_t)n;
  }
  x->reply[x->reply_len] = '\0';
  close(fd);
}

static void on_tick(uv_timer_t *t) {
  if (deferred) {
    trin_http_respond(deferred, 202, "text/plain", "done later\n", 11);
    deferred = NULL;
  }
}

/* Runs the loop while the client thread talks to the server. */
static void exchange(exchange_t *x) {
  uv_thread_t th;
  uv_thread_create(&th, run_exchange, x);
  uv_timer_t tick;
  uv_timer_init(&loop, &tick);
  uv_timer_start(&tick, on_tick, 200, 50);
  /* The client gives up reading after ~1.5 s of silence at most. */
  for (int i = 0; i < 400; i++) {
    uv_run(&loop, UV_RUN_NOWAIT);
    usleep(5000);
  }
  uv_thread_join(&th);
  uv_close((uv_handle_t *)&tick, NULL);
  uv_run(&loop, UV_RUN_NOWAIT);
}

static int setup(void **state) {
  uv_loop_init(&loop);
  trin_err_t err;
  trin_http_options_t o = {.address = "127.0.0.1:0", .max_body = 1000};
  if (trin_http_server_new(&loop, &o, handler, NULL, &server, &err)) return -1;
  port = trin_http_server_port(server);
  return 0;
}

static int teardown(void **state) {
  trin_http_server_destroy(&server);
  uv_run(&loop, UV_RUN_DEFAULT);
  return uv_loop_close(&loop) == 0 ? 0 : -1;
}

static void pipelined_keep_alive(void **state) {
  static exchange_t x;
  memset(&x, 0, sizeof x);
  x.send = "GET /echo?name=B%C3%B8geparken+afd.3 HTTP/1.1\r\nHost: x\r\n\r\n"
           "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello"
           "GET /nope HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  x.send_len = strlen(x.send);
  exchange(&x);
  const char *a = strstr(x.reply, "GET /echo q=Bøgeparken afd.3");
  const char *b = strstr(x.reply, "POST /echo q=- body=hello");
  const char *c = strstr(x.reply, "HTTP/1.1 404");
  assert_non_null(a);
  assert_non_null(b);
  assert_non_null(c);
  assert_true(a < b && b < c); /* answered in order */
  assert_non_null(strstr(x.reply, "Connection: keep-alive"));
  assert_non_null(strstr(x.reply, "Connection: close"));
}

static void limits_and_malformed(void **state) {
  static exchange_t x;
  memset(&x, 0, sizeof x);
  x.send = "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 5000\r\n\r\n";
  x.send_len = strlen(x.send);
  static char big[6000];
  memcpy(big, x.send, x.send_len);
  memset(big + x.send_len, 'a', 5000);
  x.send = big;
  x.send_len += 5000;
  exchange(&x);
  assert_non_null(strstr(x.reply, "HTTP/1.1 413"));
  memset(&x, 0, sizeof x);
  x.send = "GARBAGE\r\n\r\n";
  x.send_len = strlen(x.send);
  exchange(&x);
  assert_non_null(strstr(x.reply, "HTTP/1.1 400"));
  memset(&x, 0, sizeof x);
  x.send = "GET /echo%zz HTTP/1.1\r\nHost: x\r\n\r\n";
  x.send_len = strlen(x.send);
  exchange(&x);
  assert_non_null(strstr(x.reply, "HTTP/1.1 400"));
}

static void gzip_head_and_later(void **state) {
  static exchange_t x;
  memset(&x, 0, sizeof x);
  x.send = "GET /big HTTP/1.1\r\nHost: x\r\nAccept-Encoding: gzip, deflate\r\n"
           "Connection: close\r\n\r\n";
  x.send_len = strlen(x.send);
  exchange(&x);
  assert_non_null(strstr(x.reply, "Content-Encoding: gzip"));
  const char *body = strstr(x.reply, "\r\n\r\n");
  assert_non_null(body);
  body += 4;
  size_t zlen = x.reply_len - (size_t)(body - x.reply);
  static unsigned char plain[200000];
  z_stream z = {0};
  assert_int_equal(inflateInit2(&z, 15 + 16), Z_OK);
  z.next_in = (Bytef *)body;
  z.avail_in = (uInt)zlen;
  z.next_out = plain;
  z.avail_out = sizeof plain;
  assert_int_equal(inflate(&z, Z_FINISH), Z_STREAM_END);
  inflateEnd(&z);
  assert_true(z.total_out > 40000);
  assert_memory_equal(plain, "row 0 of the portfolio\n", 23);

  memset(&x, 0, sizeof x);
  x.send = "HEAD /echo HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  x.send_len = strlen(x.send);
  exchange(&x);
  assert_non_null(strstr(x.reply, "HTTP/1.1 200"));
  assert_null(strstr(x.reply, "HEAD /echo q=")); /* no body */

  memset(&x, 0, sizeof x);
  x.send = "GET /later HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
  x.send_len = strlen(x.send);
  exchange(&x);
  assert_non_null(strstr(x.reply, "HTTP/1.1 202"));
  assert_non_null(strstr(x.reply, "done later"));
}

static void stream_and_disconnect(void **state) {
  static exchange_t x;
  memset(&x, 0, sizeof x);
  x.send = "GET /events HTTP/1.1\r\nHost: x\r\n\r\n";
  x.send_len = strlen(x.send);
  streams_closed = 0;
  exchange(&x); /* the client reads a while, then hangs up */
  assert_non_null(strstr(x.reply, "Content-Type: text/event-stream"));
  /* The head ends with a blank line, exactly: strict clients wait for it. */
  assert_non_null(strstr(x.reply, "Connection: close\r\n\r\nid: 1\n"));
  assert_non_null(strstr(x.reply, "data: hello"));
  for (int i = 0; i < 50 && streams_closed == 0; i++) {
    uv_run(&loop, UV_RUN_NOWAIT);
    usleep(2000);
  }
  assert_int_equal(streams_closed, 1);
  assert_null(stream);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pipelined_keep_alive),
      cmocka_unit_test(limits_and_malformed),
      cmocka_unit_test(gzip_head_and_later),
      cmocka_unit_test(stream_and_disconnect),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
