/* fuzz.http — bytes a client sends to trin_http (the survey webhook's and
 * the feed's server): a real server on 127.0.0.1 in this process, one TCP
 * connection per input carrying the input as-is, then the client's
 * half-close. The handler uses every part of the request (headers, query
 * decoding, body) and answers as the services do: a small body, a large
 * one (gzip when asked), 404, or a Server-Sent Events stream.
 *
 * Checked besides memory safety: the server always ends the exchange —
 * it answers and closes after the client's half-close — within a few
 * seconds; a connection left hanging is a crash here. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "trin_http.h"
#include "trin_log.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static uv_loop_t loop;
static trin_http_server_t *server;
static int port;

static void on_stream_closed(void *data, trin_http_stream_t *s) { (void)data, (void)s; }

static void handler(void *data, const trin_http_request_t *req, trin_http_response_t *res) {
  char v[64];
  const char *ct = trin_http_header(req, "content-type");
  const char *auth = trin_http_header(req, "Authorization");
  if (strcmp(req->path, "/events") == 0) {
    trin_http_stream_t *s = trin_http_stream_start(res, "text/event-stream", on_stream_closed,
                                                   NULL);
    const char *last = trin_http_header(req, "Last-Event-ID");
    char line[160];
    int n = snprintf(line, sizeof line, "id: %.40s\ndata: hello\n\n", last ? last : "1");
    if (s && trin_http_stream_write(s, line, (size_t)n)) trin_http_stream_close(s);
  } else if (strcmp(req->path, "/big") == 0) {
    trin_http_set_header(res, "Content-Type", "text/plain");
    for (int i = 0; i < 200; i++) trin_http_printf(res, "row %d of the portfolio\n", i);
    trin_http_send(res);
  } else if (strncmp(req->path, "/echo", 5) == 0) {
    trin_http_set_header(res, "Content-Type", ct ? ct : "text/plain");
    trin_http_printf(res, "%s %s q=%s auth=%s len=%zu", req->method, req->path,
                     trin_http_query(req, "name", v, sizeof v) ? v : "-", auth ? "yes" : "no",
                     req->body_len);
    trin_http_write(res, req->body, req->body_len);
    trin_http_send(res);
  } else {
    trin_http_respond(res, 404, "text/plain", "no such thing\n", 14);
  }
}

static void start(void) {
  trin_log_set_level(TRIN_LOG_ERROR);
  uv_loop_init(&loop);
  trin_http_options_t o = {.address = "127.0.0.1:0", .max_body = 4096, .max_header = 2048,
                           .max_connections = 64, .idle_timeout_ms = 5000};
  trin_err_t err = {0};
  if (trin_http_server_new(&loop, &o, handler, NULL, &server, &err)) {
    fprintf(stderr, "fuzz.http: %s\n", err.message);
    abort();
  }
  port = trin_http_server_port(server);
}

static int dial(void) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  int rc = fd < 0 ? -1 : connect(fd, (struct sockaddr *)&a, sizeof a);
  if (rc != 0 && fd >= 0 && errno == EINTR) {
    /* A signal (libFuzzer's own timers) cut the wait short; the connection
     * goes on being made: wait for it and ask how it went. */
    struct pollfd pf = {.fd = fd, .events = POLLOUT};
    int e = 0;
    socklen_t el = sizeof e;
    while ((rc = poll(&pf, 1, 5000)) < 0 && errno == EINTR) {
    }
    rc = rc == 1 && getsockopt(fd, SOL_SOCKET, SO_ERROR, &e, &el) == 0 && e == 0 ? 0 : -1;
    if (e) errno = e;
  }
  if (rc != 0) {
    perror("fuzz.http: connect");
    abort();
  }
  fcntl(fd, F_SETFL, fcntl(fd, F_GETFL) | O_NONBLOCK);
  return fd;
}

/* One loop turn for the server, then up to 1 ms for the client. */
static void turn(int fd) {
  uv_run(&loop, UV_RUN_NOWAIT);
  struct pollfd pf = {.fd = fd, .events = POLLIN};
  poll(&pf, 1, 1);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size) {
  if (!server) start();
  int fd = dial();
  size_t sent = 0;
  bool closed = false;
  char buf[65536];
  for (int spins = 0; !closed; spins++) {
    if (spins > 5000) {
      fprintf(stderr, "fuzz.http: the server neither answered nor closed in 5 s\n");
      abort();
    }
    if (sent < size) {
      ssize_t n = send(fd, data + sent, size - sent, MSG_NOSIGNAL);
      if (n > 0) sent += (size_t)n;
      else if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)
        sent = size; /* closed on us */
      if (sent == size) shutdown(fd, SHUT_WR);
    } else if (spins == 0) {
      shutdown(fd, SHUT_WR);
    }
    turn(fd);
    for (;;) {
      ssize_t n = recv(fd, buf, sizeof buf, 0);
      if (n > 0) continue;
      if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) closed = true;
      break;
    }
  }
  close(fd);
  /* Let the server finish closing its side. */
  for (int i = 0; i < 3; i++) uv_run(&loop, UV_RUN_NOWAIT);
  return 0;
}
