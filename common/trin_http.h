/* trin_http — a small HTTP/1.1 server on the service's libuv loop, with
 * requests parsed by http-parser (Debian's libhttp-parser, the parser
 * Node.js used for years): keep-alive, pipelined requests answered in
 * order, bodies up to a limit, gzip when the client accepts it, and
 * long-lived streams for Server-Sent Events. For the survey webhook and the
 * aggregator's feed. */
#ifndef TRIN_HTTP_H
#define TRIN_HTTP_H

#include <stdbool.h>
#include <stddef.h>
#include <uv.h>

#include "trin_err.h"

typedef struct trin_http_server trin_http_server_t;
typedef struct trin_http_response trin_http_response_t;
typedef struct trin_http_stream trin_http_stream_t;

/* A parsed request. Everything is owned by the server and valid until the
 * response is sent (for streams: until the handler returns). */
typedef struct {
  const char *method;   /* "GET", "POST", ... */
  const char *path;     /* percent-decoded path without the query: "/odata/X" */
  const char *query;    /* raw query string after '?', "" when none */
  const char *body;     /* NUL-terminated for convenience; may contain NULs */
  size_t body_len;
  const char *peer;     /* "127.0.0.1:53422" */
  void *conn_;          /* private */
} trin_http_request_t;

/* Header value by case-insensitive name, or NULL. */
const char *trin_http_header(const trin_http_request_t *r, const char *name);
/* A query parameter, percent- and '+'-decoded into out (truncated to n-1).
 * Returns false when absent. */
bool trin_http_query(const trin_http_request_t *r, const char *name, char *out, size_t n);

/* The handler answers every request exactly once: either by
 * trin_http_respond (or the _status/_header/_write/_send calls), or by
 * turning it into a stream. It may answer later (after the handler
 * returned) as long as the connection lives; the server keeps the request. */
typedef void (*trin_http_handler_fn)(void *data, const trin_http_request_t *req,
                                     trin_http_response_t *res);

/* Every field but address may be left 0 for its default; the defaults leave
 * a normal client unaffected. A negative head_timeout_ms, body_timeout_ms,
 * max_per_address or log_interval_ms is refused (TRIN_EINVALID naming it).
 *
 * Slow clients: a request's head must be complete head_timeout_ms after
 * the connection was accepted (first request) or after its first byte (a
 * later request on a keep-alive connection, which may idle up to
 * idle_timeout_ms before that byte); its body must be complete
 * body_timeout_ms after the head. Past a deadline the client gets 408 and
 * the connection closes (silently when it has sent nothing at all).
 *
 * Many clients: each address (without the port; an IPv4-mapped IPv6
 * address counts as the IPv4 one) may hold max_per_address connections,
 * the server max_connections. When a cap is reached, a newcomer makes room
 * by closing ("shedding") the oldest connection under that cap that is
 * still sending its head — once it has had head_timeout_ms / 10 (at most
 * 1 s) to do so — or else the one idle the longest (on keep-alive, or
 * with its last answer still being written to a client that does not
 * read); only when neither exists is the newcomer refused (429 for the
 * address's cap, 503 for the server's; then closed). Requests being
 * answered and streams are never shed. Refusals, sheds and timeouts are
 * logged as counts, at most one line per log_interval_ms.
 *
 * Behind a reverse proxy every client has the proxy's address: set
 * max_per_address to max_connections there. */
typedef struct {
  const char *address;    /* "127.0.0.1:8080" or "[::1]:8080" */
  size_t max_body;        /* larger bodies get 413 (default 8 MiB) */
  size_t max_header;      /* larger headers get 431 (default 64 KiB) */
  int max_connections;    /* open connections in all (default 1024) */
  int idle_timeout_ms;    /* keep-alive idle close (default 60000) */
  /* Appended fields: callers that name fields with designated initialisers
   * get the defaults without a change. */
  int head_timeout_ms;    /* a request's head, see above (default 10000) */
  int body_timeout_ms;    /* a request's body after its head (default 30000) */
  int max_per_address;    /* open connections per client address (default 64) */
  int log_interval_ms;    /* at most one line about refusals etc. per interval (default 10000) */
} trin_http_options_t;

/* Counters since the server started, for /metrics and tests. */
typedef struct {
  int connections;                 /* open now, streams included */
  unsigned long long accepted;     /* connections accepted and kept */
  unsigned long long refused;      /* closed at once because a cap was full ... */
  unsigned long long refused_per_address; /* ... of which the per-address cap */
  unsigned long long shed;         /* slow or idle ones closed to make room */
  unsigned long long timeouts;     /* closed past the head or body deadline */
} trin_http_stats_t;

int trin_http_server_new(uv_loop_t *loop, const trin_http_options_t *opt,
                         trin_http_handler_fn handler, void *data,
                         trin_http_server_t **out, trin_err_t *err);
/* Closes the listener and every connection; memory is freed as libuv
 * releases the handles (keep running the loop). */
void trin_http_server_destroy(trin_http_server_t **s);
/* The port actually bound (useful with port 0 in tests). */
int trin_http_server_port(const trin_http_server_t *s);
/* Fills *out with the server's counters. */
void trin_http_server_stats(const trin_http_server_t *s, trin_http_stats_t *out);

/* ---- answering -------------------------------------------------------------- */

void trin_http_set_status(trin_http_response_t *res, int status);
/* Adds a header (name and value are copied). Content-Length, Connection and
 * Content-Encoding are set by the server. */
void trin_http_set_header(trin_http_response_t *res, const char *name, const char *value);
void trin_http_write(trin_http_response_t *res, const void *data, size_t len);
void trin_http_printf(trin_http_response_t *res, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
/* Sends what was set and written; the body is gzip-compressed when the
 * request's Accept-Encoding allows it and the body is worth it (> 1 KiB). */
void trin_http_send(trin_http_response_t *res);
/* Shorthand: status, Content-Type and a whole body, sent. */
void trin_http_respond(trin_http_response_t *res, int status, const char *content_type,
                       const void *body, size_t len);

/* ---- streams (Server-Sent Events) --------------------------------------------- */

/* Called once when the client goes away or the server shuts down. */
typedef void (*trin_http_stream_closed_fn)(void *data, trin_http_stream_t *s);

/* Sends status 200 with the headers set so far and content_type, without a
 * length, and keeps the connection open for trin_http_stream_write. The
 * response is consumed. */
trin_http_stream_t *trin_http_stream_start(trin_http_response_t *res,
                                           const char *content_type,
                                           trin_http_stream_closed_fn on_closed,
                                           void *data);
/* Queues bytes; returns false when the client is gone or too far behind
 * (more than 8 MiB unsent), in which case the stream is closed. */
bool trin_http_stream_write(trin_http_stream_t *s, const void *data, size_t len);
/* Ends the stream (the connection closes; on_closed is called). */
void trin_http_stream_close(trin_http_stream_t *s);

#endif
