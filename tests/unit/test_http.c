/* common.http — the HTTP server on a real socket: keep-alive with pipelined
 * requests answered in order, query decoding, bodies and their limit,
 * malformed requests, gzip, HEAD, answers given later, and a stream whose
 * client goes away. Slow and many clients: the head and body deadlines
 * (a trickling client gets 408), the per-address cap, shedding the
 * slowest or idlest connection when full, refusing when nothing can be
 * shed, and refusals logged as one line per interval. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
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
/* Requests to /hold wait here for an answer: connections busy being
 * answered, which a server never sheds. */
static trin_http_response_t *held[32];
static int nheld;

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
  } else if (strcmp(req->path, "/hold") == 0 && nheld < 32) {
    held[nheld++] = res;
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

/* ---- slow and many clients: non-blocking sockets on this thread ---------------------- */

/* One turn of the server's loop and a short sleep: the tests below wait by
 * turning it until what they expect has happened, within a generous bound. */
static void pump(void) {
  uv_run(&loop, UV_RUN_NOWAIT);
  usleep(2000);
}

/* Turns the loop for at least ms of loop time (a wait, never a check). */
static void pump_for(int ms) {
  uv_update_time(&loop);
  uint64_t end = uv_now(&loop) + (uint64_t)ms;
  while (uv_now(&loop) < end) {
    pump();
    uv_update_time(&loop);
  }
}

/* A client socket to srv, from the address src when not NULL (another
 * loopback address); -1 when that address cannot be used here. */
static int dial_to(trin_http_server_t *srv, const char *src) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) return -1;
  if (src) {
    struct sockaddr_in b = {.sin_family = AF_INET};
    inet_pton(AF_INET, src, &b.sin_addr);
    if (bind(fd, (struct sockaddr *)&b, sizeof b) != 0) {
      close(fd);
      return -1;
    }
  }
  struct sockaddr_in a = {.sin_family = AF_INET,
                          .sin_port = htons((uint16_t)trin_http_server_port(srv))};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  /* Loopback completes the handshake from the listen backlog, before the
   * server's loop accepts: a blocking connect returns at once. */
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    if (!src) fail_msg("cannot connect to 127.0.0.1:%d", trin_http_server_port(srv));
    close(fd);
    return -1;
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

static void put(int fd, const char *text) {
  assert_int_equal(send(fd, text, strlen(text), MSG_NOSIGNAL), (ssize_t)strlen(text));
}

typedef struct {
  char text[8192];
  size_t len;
  bool closed;  /* the server closed (or reset) the connection */
} reply_t;

/* Reads what has arrived without waiting. */
static void drain(int fd, reply_t *r) {
  for (;;) {
    char buf[4096];
    ssize_t n = recv(fd, buf, sizeof buf, MSG_DONTWAIT);
    if (n == 0 || (n < 0 && errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) {
      r->closed = true;
      return;
    }
    if (n < 0) return;
    size_t room = sizeof r->text - 1 - r->len;
    if ((size_t)n > room) n = (ssize_t)room;
    memcpy(r->text + r->len, buf, (size_t)n);
    r->len += (size_t)n;
    r->text[r->len] = '\0';
  }
}

/* Turns the loop until the server closed fd (≤ ~20 s). */
static bool wait_closed(int fd, reply_t *r) {
  for (int i = 0; i < 10000 && !r->closed; i++) {
    pump();
    drain(fd, r);
  }
  return r->closed;
}

/* Turns the loop until needle arrived on fd or it closed (≤ ~20 s). */
static bool wait_text(int fd, reply_t *r, const char *needle) {
  for (int i = 0; i < 10000 && !strstr(r->text, needle) && !r->closed; i++) {
    pump();
    drain(fd, r);
  }
  return strstr(r->text, needle) != NULL;
}

/* Turns the loop until the server holds n connections (≤ ~20 s). */
static void wait_connections(trin_http_server_t *srv, int n) {
  trin_http_stats_t st;
  for (int i = 0; i < 10000; i++) {
    trin_http_server_stats(srv, &st);
    if (st.connections == n) return;
    pump();
  }
  fail_msg("the server holds %d connections, not %d", st.connections, n);
}

static bool still_open(int fd) {
  reply_t r = {0};
  drain(fd, &r);
  return !r.closed;
}

static trin_http_server_t *new_server(trin_http_options_t o) {
  trin_http_server_t *srv = NULL;
  trin_err_t err;
  o.address = "127.0.0.1:0";
  assert_int_equal(trin_http_server_new(&loop, &o, handler, NULL, &srv, &err), TRIN_OK);
  return srv;
}

static void release_held(void) {
  for (int i = 0; i < nheld; i++) trin_http_respond(held[i], 200, "text/plain", "held\n", 5);
  nheld = 0;
}

static void end_server(trin_http_server_t **srv) {
  release_held();
  trin_http_server_destroy(srv);
  for (int i = 0; i < 50; i++) pump();
}

static void deadlines(void **state) {
  trin_http_server_t *srv =
      new_server((trin_http_options_t){.head_timeout_ms = 200, .body_timeout_ms = 200});
  trin_http_stats_t st;

  /* A partial head: 408 once the deadline passed, then closed. */
  int a = dial_to(srv, NULL);
  put(a, "GET /echo HTTP/1.1\r\nHo");
  reply_t ra = {0};
  assert_true(wait_closed(a, &ra));
  assert_non_null(strstr(ra.text, "HTTP/1.1 408"));
  assert_non_null(strstr(ra.text, "head did not arrive in time"));
  assert_non_null(strstr(ra.text, "Connection: close"));
  close(a);

  /* The finding: one byte now and then does not push the deadline back. */
  static const char slow_head[] = "GET /echo HTTP/1.1\r\nX-Pad: "
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa"
      "\r\n\r\n";
  int t = dial_to(srv, NULL);
  reply_t rt = {0};
  size_t sent = 0;
  for (int i = 0; i < 20000 && !rt.closed && sent < sizeof slow_head - 1; i++) {
    if (i % 10 == 0) { /* a byte every ~20 ms, the deadline is 200 ms */
      if (send(t, slow_head + sent, 1, MSG_NOSIGNAL) != 1) break; /* closed meanwhile */
      sent++;
    }
    pump();
    drain(t, &rt);
  }
  assert_true(wait_closed(t, &rt));
  assert_true(sent < sizeof slow_head - 1); /* closed before the head was whole */
  assert_non_null(strstr(rt.text, "HTTP/1.1 408"));
  close(t);

  /* A body that stops coming: 408 naming the body. */
  int b = dial_to(srv, NULL);
  put(b, "POST /echo HTTP/1.1\r\nHost: x\r\nContent-Length: 10\r\n\r\nabc");
  reply_t rb = {0};
  assert_true(wait_closed(b, &rb));
  assert_non_null(strstr(rb.text, "HTTP/1.1 408"));
  assert_non_null(strstr(rb.text, "body did not arrive in time"));
  close(b);

  /* A client that says nothing is closed without an answer. */
  int q = dial_to(srv, NULL);
  reply_t rq = {0};
  assert_true(wait_closed(q, &rq));
  assert_int_equal(rq.len, 0);
  close(q);
  trin_http_server_stats(srv, &st);
  assert_int_equal(st.timeouts, 4);

  /* A normal keep-alive client idles between requests longer than the
   * head deadline: the idle timeout (60 s) applies then, not the head's. */
  int k = dial_to(srv, NULL);
  put(k, "GET /echo?name=one HTTP/1.1\r\nHost: x\r\n\r\n");
  reply_t rk = {0};
  assert_true(wait_text(k, &rk, "q=one"));
  pump_for(400);
  put(k, "GET /echo?name=two HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  assert_true(wait_text(k, &rk, "q=two"));
  assert_null(strstr(rk.text, "408"));
  close(k);
  trin_http_server_stats(srv, &st);
  assert_int_equal(st.timeouts, 4);
  end_server(&srv);
}

static void per_address_cap(void **state) {
  trin_http_server_t *srv = new_server((trin_http_options_t){.max_per_address = 3});
  int busy[3];
  for (int i = 0; i < 3; i++) {
    busy[i] = dial_to(srv, NULL);
    put(busy[i], "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
  }
  for (int i = 0; i < 10000 && nheld < 3; i++) pump();
  assert_int_equal(nheld, 3);
  /* A fourth from the same address: nothing of its own to shed (all three
   * are being answered), so it is refused with 429. */
  int extra = dial_to(srv, NULL);
  reply_t re = {0};
  assert_true(wait_closed(extra, &re));
  assert_non_null(strstr(re.text, "HTTP/1.1 429"));
  assert_non_null(strstr(re.text, "too many connections from your address"));
  close(extra);
  trin_http_stats_t st;
  trin_http_server_stats(srv, &st);
  assert_int_equal(st.refused, 1);
  assert_int_equal(st.refused_per_address, 1);
  assert_int_equal(st.connections, 3);

  /* Another address is not affected (127.0.0.2 is loopback too; skipped
   * where it cannot be bound). */
  int other = dial_to(srv, "127.0.0.2");
  if (other >= 0) {
    put(other, "GET /echo?name=other HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
    reply_t ro = {0};
    assert_true(wait_text(other, &ro, "q=other"));
    close(other);
  }
  for (int i = 0; i < 3; i++) close(busy[i]);
  end_server(&srv);

  /* Under its own cap, an address's newcomer sheds its own oldest slow
   * connection (after the grace of head_timeout/10, at most 1 s). */
  srv = new_server((trin_http_options_t){.max_per_address = 2, .head_timeout_ms = 60000});
  int slow1 = dial_to(srv, NULL), slow2 = dial_to(srv, NULL);
  put(slow1, "GET / HT");
  put(slow2, "GET / HT");
  wait_connections(srv, 2);
  pump_for(1100);
  int fresh = dial_to(srv, NULL);
  put(fresh, "GET /echo?name=fresh HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  reply_t rf = {0}, r1 = {0};
  assert_true(wait_text(fresh, &rf, "q=fresh"));
  assert_true(wait_closed(slow1, &r1));
  assert_int_equal(r1.len, 0);
  assert_true(still_open(slow2));
  trin_http_server_stats(srv, &st);
  assert_int_equal(st.shed, 1);
  assert_int_equal(st.refused, 0);
  close(fresh);
  close(slow1);
  close(slow2);
  end_server(&srv);
}

static void shedding_when_full(void **state) {
  trin_http_server_t *srv = new_server(
      (trin_http_options_t){.max_connections = 3, .max_per_address = 100, .head_timeout_ms = 60000});
  /* c1 is idle on keep-alive after one request; c2 and c3 are slow. */
  int c1 = dial_to(srv, NULL);
  put(c1, "GET /echo?name=c1 HTTP/1.1\r\nHost: x\r\n\r\n");
  reply_t r1 = {0};
  assert_true(wait_text(c1, &r1, "q=c1"));
  int c2 = dial_to(srv, NULL);
  put(c2, "GET / HT");
  int c3 = dial_to(srv, NULL);
  put(c3, "GET / HT");
  wait_connections(srv, 3);
  pump_for(1100); /* past the grace: c2 and c3 now count as slow */

  /* c4 sheds the oldest slow one (c2), not the older but idle c1. */
  int c4 = dial_to(srv, NULL);
  put(c4, "GET /echo?name=c4 HTTP/1.1\r\nHost: x\r\n\r\n");
  reply_t r2 = {0}, r4 = {0};
  assert_true(wait_text(c4, &r4, "q=c4"));
  assert_true(wait_closed(c2, &r2));
  assert_int_equal(r2.len, 0);
  assert_true(still_open(c1));
  assert_true(still_open(c3));

  /* c5 sheds c3, the last slow one. */
  int c5 = dial_to(srv, NULL);
  put(c5, "GET /echo?name=c5 HTTP/1.1\r\nHost: x\r\n\r\n");
  reply_t r3 = {0}, r5 = {0};
  assert_true(wait_text(c5, &r5, "q=c5"));
  assert_true(wait_closed(c3, &r3));

  /* Nobody is slow now: c6 sheds the longest idle, c1. */
  int c6 = dial_to(srv, NULL);
  put(c6, "GET /echo?name=c6 HTTP/1.1\r\nHost: x\r\n\r\n");
  reply_t r6 = {0};
  assert_true(wait_text(c6, &r6, "q=c6"));
  assert_true(wait_closed(c1, &r1));
  assert_true(still_open(c4));
  assert_true(still_open(c5));
  trin_http_stats_t st;
  trin_http_server_stats(srv, &st);
  assert_int_equal(st.shed, 3);
  assert_int_equal(st.refused, 0);
  assert_int_equal(st.connections, 3);
  int fds[] = {c1, c2, c3, c4, c5, c6};
  for (int i = 0; i < 6; i++) close(fds[i]);
  end_server(&srv);

  /* Full of requests being answered: nothing to shed, 503. */
  srv = new_server((trin_http_options_t){.max_connections = 2});
  int h1 = dial_to(srv, NULL), h2 = dial_to(srv, NULL);
  put(h1, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
  put(h2, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 10000 && nheld < 2; i++) pump();
  assert_int_equal(nheld, 2);
  int h3 = dial_to(srv, NULL);
  reply_t rh = {0};
  assert_true(wait_closed(h3, &rh));
  assert_non_null(strstr(rh.text, "HTTP/1.1 503"));
  trin_http_server_stats(srv, &st);
  assert_int_equal(st.refused, 1);
  assert_int_equal(st.refused_per_address, 0);
  /* The held requests are still answered. */
  release_held();
  reply_t rh1 = {0};
  assert_true(wait_text(h1, &rh1, "held"));
  close(h1);
  close(h2);
  close(h3);
  end_server(&srv);
}

/* trin_log writes to stderr: the test points stderr at a file, then reads
 * the lines about refusals — their number and the sum of their counts. */
static char log_path[] = "/tmp/trin-test-http-log-XXXXXX";
static int saved_stderr = -1;

static void capture_start(void) {
  int fd = mkstemp(log_path);
  assert_true(fd >= 0);
  fflush(stderr);
  saved_stderr = dup(2);
  dup2(fd, 2);
  close(fd);
}

static void capture_stop(void) {
  fflush(stderr);
  dup2(saved_stderr, 2);
  close(saved_stderr);
}

static void count_log(int *lines, unsigned long long *sum, unsigned long long *first) {
  fflush(stderr);
  FILE *f = fopen(log_path, "r");
  assert_non_null(f);
  char line[2048];
  *lines = 0;
  *sum = 0;
  while (fgets(line, sizeof line, f)) {
    const char *p = strstr(line, "; refused ");
    unsigned long long n;
    if (!p || sscanf(p, "; refused %llu connections", &n) != 1) continue;
    if (*lines == 0 && first) *first = n;
    (*lines)++;
    *sum += n;
  }
  fclose(f);
}

static void refusals_logged_as_a_rate(void **state) {
  capture_start();
  /* An interval no test run reaches: the first refusal is logged at once,
   * the other 19 wait for the next line. */
  trin_http_server_t *srv =
      new_server((trin_http_options_t){.max_per_address = 1, .log_interval_ms = 3600000});
  int h = dial_to(srv, NULL);
  put(h, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 10000 && nheld < 1; i++) pump();
  for (int i = 0; i < 20; i++) {
    int fd = dial_to(srv, NULL);
    reply_t r = {0};
    assert_true(wait_closed(fd, &r));
    close(fd);
  }
  trin_http_stats_t st;
  trin_http_server_stats(srv, &st);
  int lines;
  unsigned long long sum, first = 0;
  count_log(&lines, &sum, &first);
  assert_int_equal(st.refused, 20);
  assert_int_equal(lines, 1);
  assert_int_equal(first, 1);
  /* Closing the server writes what is left. */
  close(h);
  end_server(&srv);
  count_log(&lines, &sum, NULL);
  assert_int_equal(lines, 2);
  assert_int_equal(sum, 20);

  /* A short interval: the counts come out in a few lines that add up. */
  assert_int_equal(ftruncate(2, 0), 0);
  assert_int_equal(lseek(2, 0, SEEK_SET), 0);
  srv = new_server((trin_http_options_t){.max_per_address = 1, .log_interval_ms = 100});
  h = dial_to(srv, NULL);
  put(h, "GET /hold HTTP/1.1\r\nHost: x\r\n\r\n");
  for (int i = 0; i < 10000 && nheld < 1; i++) pump();
  for (int i = 0; i < 5; i++) {
    int fd = dial_to(srv, NULL);
    reply_t r = {0};
    assert_true(wait_closed(fd, &r));
    close(fd);
  }
  for (int i = 0; i < 10000; i++) {
    count_log(&lines, &sum, NULL);
    if (sum == 5) break;
    pump();
  }
  assert_int_equal(sum, 5);
  assert_true(lines >= 1 && lines <= 5);
  close(h);
  end_server(&srv);
  capture_stop();
  unlink(log_path);
}

static void wrong_options(void **state) {
  trin_http_server_t *srv = NULL;
  trin_err_t err;
  trin_http_options_t o = {.address = "127.0.0.1:0", .head_timeout_ms = -5};
  assert_int_equal(trin_http_server_new(&loop, &o, handler, NULL, &srv, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "head_timeout_ms");
  assert_non_null(strstr(err.message, "must be 0 (for the default, 10000) or a positive number"));
  o = (trin_http_options_t){.address = "127.0.0.1:0", .body_timeout_ms = -1};
  assert_int_equal(trin_http_server_new(&loop, &o, handler, NULL, &srv, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "body_timeout_ms");
  o = (trin_http_options_t){.address = "127.0.0.1:0", .max_per_address = -1};
  assert_int_equal(trin_http_server_new(&loop, &o, handler, NULL, &srv, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "max_per_address");
  o = (trin_http_options_t){.address = "127.0.0.1:0", .log_interval_ms = -1};
  assert_int_equal(trin_http_server_new(&loop, &o, handler, NULL, &srv, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "log_interval_ms");
  assert_null(srv);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(pipelined_keep_alive),
      cmocka_unit_test(limits_and_malformed),
      cmocka_unit_test(gzip_head_and_later),
      cmocka_unit_test(stream_and_disconnect),
      cmocka_unit_test(deadlines),
      cmocka_unit_test(per_address_cap),
      cmocka_unit_test(shedding_when_full),
      cmocka_unit_test(refusals_logged_as_a_rate),
      cmocka_unit_test(wrong_options),
  };
  return cmocka_run_group_tests(tests, setup, teardown);
}
