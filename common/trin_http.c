/* trin_http — see trin_http.h.
 *
 * One connection answers one request at a time: when a request is complete
 * the parser is paused and the unparsed rest of the input is kept; once the
 * response is sent, parsing resumes. Pipelined requests are so answered in
 * order without a response queue.
 *
 * Lifetime: a connection is reference-counted — one reference for its
 * libuv handle, one for a request waiting for its response — so a handler
 * that answers later never writes to freed memory, and a response to a
 * client that left is simply dropped. */
#include "trin_http.h"

#include <ctype.h>
#include <http_parser.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "trin_buf.h"
#include "trin_log.h"

#define MAX_HEADERS 64
#define STREAM_BACKLOG_MAX (8u << 20)

typedef struct conn conn_t;

struct trin_http_response {
  conn_t *conn;
  int status;
  trin_buf_t headers;  /* "Name: value\r\n"... */
  trin_buf_t body;
  bool head_only;
  bool gzip_ok;
  bool keep_alive;
};

struct trin_http_stream {
  conn_t *conn;
  trin_http_stream_closed_fn on_closed;
  void *data;
};

struct trin_http_server {
  uv_loop_t *loop;
  uv_tcp_t listener;
  trin_http_handler_fn handler;
  void *data;
  trin_http_options_t opt;
  int port;
  int nconns;
  conn_t *conns;  /* all open connections, for shutdown */
  bool closing;
};

struct conn {
  trin_http_server_t *server;
  uv_tcp_t tcp;
  uv_timer_t idle;
  int refs;
  bool closed;        /* uv_close called */
  conn_t *prev, *next;
  http_parser parser;
  /* the request being read */
  trin_buf_t url, body, pending;
  trin_buf_t hnames[MAX_HEADERS], hvalues[MAX_HEADERS];
  int nheaders;
  bool last_was_value;
  size_t header_bytes;
  bool too_big, header_too_big, too_many_headers;
  /* the request handed to the handler */
  trin_http_request_t req;
  char method[16], peer[64];
  char *path, *query;
  trin_http_response_t *res;  /* outstanding response, or NULL */
  trin_http_stream_t *stream;
  bool in_parse;  /* inside http_parser_execute: no re-entry */
};

static http_parser_settings settings;

static void conn_unref(conn_t *c);
static void conn_close(conn_t *c);
static void parse_more(conn_t *c);

/* ---- request parsing -------------------------------------------------------- */

static void reset_request(conn_t *c) {
  c->url.len = c->body.len = 0;
  for (int i = 0; i < c->nheaders; i++) c->hnames[i].len = c->hvalues[i].len = 0;
  c->nheaders = 0;
  c->last_was_value = false;
  c->header_bytes = 0;
  c->too_big = c->header_too_big = c->too_many_headers = false;
  free(c->path);
  c->path = NULL;
  free(c->query);
  c->query = NULL;
}

static int on_message_begin(http_parser *p) {
  reset_request(p->data);
  return 0;
}

static int count_header(conn_t *c, size_t n) {
  c->header_bytes += n;
  if (c->header_bytes > c->server->opt.max_header) c->header_too_big = true;
  return 0;
}

static int on_url(http_parser *p, const char *at, size_t n) {
  conn_t *c = p->data;
  count_header(c, n);
  if (!c->header_too_big) trin_buf_add(&c->url, at, n);
  return 0;
}

static int on_header_field(http_parser *p, const char *at, size_t n) {
  conn_t *c = p->data;
  count_header(c, n);
  if (c->header_too_big || c->too_many_headers) return 0;
  if (c->last_was_value || c->nheaders == 0) {
    if (c->nheaders == MAX_HEADERS) {
      c->too_many_headers = true;
      return 0;
    }
    c->nheaders++;
    c->hnames[c->nheaders - 1].len = c->hvalues[c->nheaders - 1].len = 0;
  }
  c->last_was_value = false;
  trin_buf_add(&c->hnames[c->nheaders - 1], at, n);
  return 0;
}

static int on_header_value(http_parser *p, const char *at, size_t n) {
  conn_t *c = p->data;
  count_header(c, n);
  if (c->header_too_big || c->too_many_headers || c->nheaders == 0) return 0;
  c->last_was_value = true;
  trin_buf_add(&c->hvalues[c->nheaders - 1], at, n);
  return 0;
}

static int on_body(http_parser *p, const char *at, size_t n) {
  conn_t *c = p->data;
  if (c->body.len + n > c->server->opt.max_body) {
    c->too_big = true;
    return 0;
  }
  trin_buf_add(&c->body, at, n);
  return 0;
}

static int hexval(char ch) {
  if (ch >= '0' && ch <= '9') return ch - '0';
  if (ch >= 'a' && ch <= 'f') return ch - 'a' + 10;
  if (ch >= 'A' && ch <= 'F') return ch - 'A' + 10;
  return -1;
}

/* Percent-decodes n bytes (and '+' when plus_is_space); NULL for a bad
 * escape or a decoded NUL. */
static char *decode(const char *s, size_t n, bool plus_is_space) {
  char *out = malloc(n + 1);
  if (!out) return NULL;
  size_t o = 0;
  for (size_t i = 0; i < n; i++) {
    if (s[i] == '%') {
      int h, l;
      if (i + 2 >= n || (h = hexval(s[i + 1])) < 0 || (l = hexval(s[i + 2])) < 0 ||
          (h == 0 && l == 0)) {
        free(out);
        return NULL;
      }
      out[o++] = (char)(h * 16 + l);
      i += 2;
    } else if (s[i] == '+' && plus_is_space) {
      out[o++] = ' ';
    } else {
      out[o++] = s[i];
    }
  }
  out[o] = '\0';
  return out;
}

static trin_http_response_t *new_response(conn_t *c) {
  trin_http_response_t *r = calloc(1, sizeof *r);
  if (!r) return NULL;
  r->conn = c;
  r->status = 200;
  c->refs++;
  return r;
}

static void simple_error(conn_t *c, int status, const char *text) {
  trin_http_response_t *r = new_response(c);
  if (!r) {
    conn_close(c);
    return;
  }
  c->res = r;
  r->keep_alive = false;
  trin_http_respond(r, status, "text/plain; charset=utf-8", text, strlen(text));
}

static int on_message_complete(http_parser *p) {
  conn_t *c = p->data;
  /* Stop after this message: the next one is parsed once this is answered. */
  http_parser_pause(p, 1);
  if (c->header_too_big) {
    simple_error(c, 431, "request headers too large\n");
    return 0;
  }
  if (c->too_many_headers) {
    simple_error(c, 431, "too many request headers\n");
    return 0;
  }
  if (c->too_big) {
    simple_error(c, 413, "request body too large\n");
    return 0;
  }
  struct http_parser_url u;
  http_parser_url_init(&u);
  if (http_parser_parse_url(c->url.data ? c->url.data : "", c->url.len, 0, &u) != 0 ||
      !(u.field_set & (1 << UF_PATH))) {
    simple_error(c, 400, "bad request target\n");
    return 0;
  }
  c->path = decode(c->url.data + u.field_data[UF_PATH].off, u.field_data[UF_PATH].len, false);
  c->query = (u.field_set & (1 << UF_QUERY))
                 ? strndup(c->url.data + u.field_data[UF_QUERY].off, u.field_data[UF_QUERY].len)
                 : strdup("");
  if (!c->path || !c->query) {
    simple_error(c, 400, "bad percent-encoding in the path\n");
    return 0;
  }
  snprintf(c->method, sizeof c->method, "%s", http_method_str(p->method));
  c->req = (trin_http_request_t){
      .method = c->method,
      .path = c->path,
      .query = c->query,
      .body = c->body.data ? c->body.data : "",
      .body_len = c->body.len,
      .peer = c->peer,
      .conn_ = c,
  };
  trin_http_response_t *r = new_response(c);
  if (!r) {
    conn_close(c);
    return 0;
  }
  c->res = r;
  r->keep_alive = http_should_keep_alive(p) != 0;
  r->head_only = p->method == HTTP_HEAD;
  const char *ae = trin_http_header(&c->req, "Accept-Encoding");
  r->gzip_ok = ae && strstr(ae, "gzip") != NULL;
  c->server->handler(c->server->data, &c->req, r);
  return 0;
}

const char *trin_http_header(const trin_http_request_t *r, const char *name) {
  const conn_t *c = r->conn_;
  for (int i = 0; i < c->nheaders; i++)
    if (c->hnames[i].data && strcasecmp(c->hnames[i].data, name) == 0)
      return c->hvalues[i].data ? c->hvalues[i].data : "";
  return NULL;
}

bool trin_http_query(const trin_http_request_t *r, const char *name, char *out, size_t n) {
  size_t nl = strlen(name);
  const char *q = r->query;
  while (q && *q) {
    const char *amp = strchr(q, '&');
    size_t len = amp ? (size_t)(amp - q) : strlen(q);
    const char *eq = memchr(q, '=', len);
    size_t klen = eq ? (size_t)(eq - q) : len;
    char *key = decode(q, klen, true);
    bool match = key && strlen(key) == nl && memcmp(key, name, nl) == 0;
    free(key);
    if (match) {
      char *v = eq ? decode(eq + 1, len - klen - 1, true) : strdup("");
      if (!v) return false;
      snprintf(out, n, "%s", v);
      free(v);
      return true;
    }
    q = amp ? amp + 1 : NULL;
  }
  return false;
}

/* ---- responses ---------------------------------------------------------------- */

void trin_http_set_status(trin_http_response_t *r, int status) { r->status = status; }

void trin_http_set_header(trin_http_response_t *r, const char *name, const char *value) {
  trin_buf_add(&r->headers, name, strlen(name));
  trin_buf_add(&r->headers, ": ", 2);
  /* A value may not smuggle another header in. */
  for (const char *v = value; *v; v++) {
    char ch = (*v == '\r' || *v == '\n') ? ' ' : *v;
    trin_buf_add(&r->headers, &ch, 1);
  }
  trin_buf_add(&r->headers, "\r\n", 2);
}

void trin_http_write(trin_http_response_t *r, const void *d, size_t n) {
  trin_buf_add(&r->body, d, n);
}

void trin_http_printf(trin_http_response_t *r, const char *fmt, ...) {
  va_list ap;
  va_start(ap, fmt);
  trin_buf_vprintf(&r->body, fmt, ap);
  va_end(ap);
}

static const char *reason(int status) {
  switch (status) {
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 304: return "Not Modified";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 409: return "Conflict";
    case 413: return "Payload Too Large";
    case 415: return "Unsupported Media Type";
    case 422: return "Unprocessable Entity";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 503: return "Service Unavailable";
    default: return "Unknown";
  }
}

static bool gzip(const trin_buf_t *in, trin_buf_t *out) {
  z_stream z = {0};
  if (deflateInit2(&z, 6, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY) != Z_OK) return false;
  size_t bound = deflateBound(&z, in->len) + 32;
  out->data = malloc(bound);
  if (!out->data) {
    deflateEnd(&z);
    return false;
  }
  z.next_in = (Bytef *)in->data;
  z.avail_in = (uInt)in->len;
  z.next_out = (Bytef *)out->data;
  z.avail_out = (uInt)bound;
  int rc = deflate(&z, Z_FINISH);
  out->len = z.total_out;
  out->cap = bound;
  deflateEnd(&z);
  return rc == Z_STREAM_END;
}

typedef struct {
  uv_write_t req;
  conn_t *conn;
  char *head;
  char *body;
  bool close_after;
} write_t;

static void on_written(uv_write_t *w, int status) {
  write_t *wr = (write_t *)w;
  conn_t *c = wr->conn;
  free(wr->head);
  free(wr->body);
  if (status < 0 || wr->close_after) conn_close(c);
  free(wr);
  conn_unref(c);
}

/* Writes head + body and takes ownership of both buffers. */
static void write_out(conn_t *c, char *head, size_t hlen, char *body, size_t blen,
                      bool close_after) {
  write_t *w = calloc(1, sizeof *w);
  if (!w || c->closed) {
    free(head);
    free(body);
    free(w);
    return;
  }
  w->conn = c;
  w->head = head;
  w->body = body;
  w->close_after = close_after;
  uv_buf_t bufs[2] = {uv_buf_init(head, (unsigned)hlen), uv_buf_init(body, (unsigned)blen)};
  c->refs++;
  if (uv_write(&w->req, (uv_stream_t *)&c->tcp, bufs, blen ? 2 : 1, on_written) != 0) {
    free(head);
    free(body);
    free(w);
    c->refs--;
    conn_close(c);
  }
}

static void free_response(trin_http_response_t *r) {
  trin_buf_free(&r->headers);
  trin_buf_free(&r->body);
  free(r);
}

void trin_http_send(trin_http_response_t *r) {
  conn_t *c = r->conn;
  if (c->res == r) c->res = NULL;
  if (c->closed) {
    free_response(r);
    conn_unref(c);
    return;
  }
  trin_buf_t body = r->body;
  trin_buf_t zipped = {0};
  bool zip = r->gzip_ok && body.len > 1024 && gzip(&body, &zipped);
  if (zip) body = zipped;
  trin_buf_t head = {0};
  char line[160];
  int n = snprintf(line, sizeof line, "HTTP/1.1 %d %s\r\n", r->status, reason(r->status));
  trin_buf_add(&head, line, (size_t)n);
  if (r->headers.len) trin_buf_add(&head, r->headers.data, r->headers.len);
  n = snprintf(line, sizeof line, "Content-Length: %zu\r\n%s%s\r\n", body.len,
               zip ? "Content-Encoding: gzip\r\nVary: Accept-Encoding\r\n" : "",
               r->keep_alive ? "Connection: keep-alive\r\n" : "Connection: close\r\n");
  trin_buf_add(&head, line, (size_t)n);
  char *bdata = NULL;
  size_t blen = 0;
  if (!r->head_only && body.len) {
    bdata = zip ? zipped.data : r->body.data;
    blen = body.len;
    if (zip) zipped.data = NULL;
    else r->body.data = NULL;
  }
  bool keep = r->keep_alive;
  trin_buf_free(&zipped);
  write_out(c, head.data, head.len, bdata, blen, !keep);
  free_response(r);
  if (keep) {
    uv_timer_again(&c->idle);
    parse_more(c);
  }
  conn_unref(c);
}

void trin_http_respond(trin_http_response_t *r, int status, const char *content_type,
                       const void *body, size_t len) {
  r->status = status;
  if (content_type) trin_http_set_header(r, "Content-Type", content_type);
  trin_http_write(r, body, len);
  trin_http_send(r);
}

/* ---- streams ------------------------------------------------------------------- */

trin_http_stream_t *trin_http_stream_start(trin_http_response_t *r, const char *content_type,
                                           trin_http_stream_closed_fn on_closed, void *data) {
  conn_t *c = r->conn;
  if (c->res == r) c->res = NULL;
  trin_http_stream_t *s = c->closed ? NULL : calloc(1, sizeof *s);
  if (!s) {
    free_response(r);
    conn_unref(c);
    return NULL;
  }
  s->conn = c;
  s->on_closed = on_closed;
  s->data = data;
  c->stream = s;
  uv_timer_stop(&c->idle);
  trin_buf_t head = {0};
  char line[160];
  int n = snprintf(line, sizeof line, "HTTP/1.1 200 OK\r\nContent-Type: %s\r\n", content_type);
  trin_buf_add(&head, line, (size_t)n);
  if (r->headers.len) trin_buf_add(&head, r->headers.data, r->headers.len);
  static const char tail[] = "Cache-Control: no-cache\r\nConnection: close\r\n\r\n";
  trin_buf_add(&head, tail, sizeof tail - 1);
  write_out(c, head.data, head.len, NULL, 0, false);
  free_response(r);
  conn_unref(c);  /* the stream lives as long as the connection */
  return s;
}

bool trin_http_stream_write(trin_http_stream_t *s, const void *data, size_t len) {
  conn_t *c = s->conn;
  if (c->closed) return false;
  if (uv_stream_get_write_queue_size((uv_stream_t *)&c->tcp) > STREAM_BACKLOG_MAX) {
    trin_log_warn("http: closing a stream to %s that is more than 8 MiB behind", c->peer);
    conn_close(c);
    return false;
  }
  char *copy = malloc(len ? len : 1);
  if (!copy) return false;
  memcpy(copy, data, len);
  write_out(c, copy, len, NULL, 0, false);
  return !c->closed;
}

void trin_http_stream_close(trin_http_stream_t *s) { conn_close(s->conn); }

/* ---- connections ---------------------------------------------------------------- */

static void conn_free(conn_t *c) {
  trin_buf_free(&c->url);
  trin_buf_free(&c->body);
  trin_buf_free(&c->pending);
  for (int i = 0; i < MAX_HEADERS; i++) {
    trin_buf_free(&c->hnames[i]);
    trin_buf_free(&c->hvalues[i]);
  }
  free(c->path);
  free(c->query);
  free(c);
}

static void conn_unref(conn_t *c) {
  if (--c->refs == 0) conn_free(c);
}

static void on_handle_closed(uv_handle_t *h) { conn_unref(h->data); }
static void on_listener_closed(uv_handle_t *h) { free(h->data); }

static void conn_close(conn_t *c) {
  if (c->closed) return;
  c->closed = true;
  trin_http_server_t *s = c->server;
  s->nconns--;
  if (c->prev) c->prev->next = c->next;
  else s->conns = c->next;
  if (c->next) c->next->prev = c->prev;
  if (c->stream) {
    trin_http_stream_t *st = c->stream;
    c->stream = NULL;
    if (st->on_closed) st->on_closed(st->data, st);
    free(st);
  }
  uv_timer_stop(&c->idle);
  c->refs++; /* the timer handle */
  uv_close((uv_handle_t *)&c->idle, on_handle_closed);
  uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
}

/* Feeds buffered input to the parser until a request is waiting for its
 * answer or the input runs out. */
static void parse_more(conn_t *c) {
  /* A handler that answers at once does so from inside the parser's
   * callback; the loop below then simply goes on. */
  if (c->in_parse) return;
  while (!c->closed && !c->res && !c->stream && c->pending.len > 0) {
    if (HTTP_PARSER_ERRNO(&c->parser) == HPE_PAUSED) http_parser_pause(&c->parser, 0);
    c->in_parse = true;
    size_t n = http_parser_execute(&c->parser, &settings, c->pending.data, c->pending.len);
    c->in_parse = false;
    enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
    if (e != HPE_OK && e != HPE_PAUSED) {
      if (!c->res) simple_error(c, 400, "malformed HTTP request\n");
      c->pending.len = 0;
      return;
    }
    memmove(c->pending.data, c->pending.data + n, c->pending.len - n);
    c->pending.len -= n;
    if (n == 0 && e != HPE_PAUSED) break;
  }
}

static void on_alloc(uv_handle_t *h, size_t suggested, uv_buf_t *b) {
  (void)h;
  b->base = malloc(suggested);
  b->len = b->base ? suggested : 0;
}

static void on_read(uv_stream_t *stream, ssize_t nread, const uv_buf_t *b) {
  conn_t *c = stream->data;
  if (nread < 0) {
    free(b->base);
    conn_close(c);
    return;
  }
  if (nread > 0 && !c->stream) {
    uv_timer_again(&c->idle);
    /* A client that keeps sending while its request waits is bounded too. */
    if (c->pending.len + (size_t)nread >
        c->server->opt.max_body + c->server->opt.max_header + 65536) {
      free(b->base);
      conn_close(c);
      return;
    }
    trin_buf_add(&c->pending, b->base, (size_t)nread);
    parse_more(c);
  }
  free(b->base);
}

static void on_idle_timeout(uv_timer_t *t) {
  conn_t *c = t->data;
  if (!c->res && !c->stream) conn_close(c);
}

static void on_connection(uv_stream_t *listener, int status) {
  trin_http_server_t *s = listener->data;
  if (status < 0) return;
  conn_t *c = calloc(1, sizeof *c);
  if (!c) return;
  c->server = s;
  c->refs = 1;
  uv_tcp_init(s->loop, &c->tcp);
  c->tcp.data = c;
  if (uv_accept(listener, (uv_stream_t *)&c->tcp) != 0 || s->closing) {
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    return;
  }
  uv_timer_init(s->loop, &c->idle);
  c->idle.data = c;
  c->next = s->conns;
  if (s->conns) s->conns->prev = c;
  s->conns = c;
  s->nconns++;
  if (s->nconns > s->opt.max_connections) {
    trin_log_warn("http: more than %d connections; refusing one", s->opt.max_connections);
    conn_close(c);
    return;
  }
  struct sockaddr_storage ss;
  int len = sizeof ss;
  char host[48] = "?";
  int port = 0;
  if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) == 0) {
    if (ss.ss_family == AF_INET) {
      uv_ip4_name((struct sockaddr_in *)&ss, host, sizeof host);
      port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
    } else if (ss.ss_family == AF_INET6) {
      uv_ip6_name((struct sockaddr_in6 *)&ss, host, sizeof host);
      port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
    }
  }
  snprintf(c->peer, sizeof c->peer, "%s:%d", host, port);
  http_parser_init(&c->parser, HTTP_REQUEST);
  c->parser.data = c;
  uv_tcp_nodelay(&c->tcp, 1);
  uv_timer_start(&c->idle, on_idle_timeout, (uint64_t)s->opt.idle_timeout_ms,
                 (uint64_t)s->opt.idle_timeout_ms);
  uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

int trin_http_server_new(uv_loop_t *loop, const trin_http_options_t *opt,
                         trin_http_handler_fn handler, void *data, trin_http_server_t **out,
                         trin_err_t *err) {
  settings = (http_parser_settings){
      .on_message_begin = on_message_begin,
      .on_url = on_url,
      .on_header_field = on_header_field,
      .on_header_value = on_header_value,
      .on_body = on_body,
      .on_message_complete = on_message_complete,
  };
  if (!opt->address || !*opt->address)
    return trin_err_set(err, TRIN_EINVALID, "http-address", "no address is configured");
  char host[128];
  int port;
  const char *colon = strrchr(opt->address, ':');
  if (!colon || colon == opt->address || (port = atoi(colon + 1)) < 0 || port > 65535)
    return trin_err_set(err, TRIN_EINVALID, "http-address",
                        "'%s' is not HOST:PORT (e.g. 127.0.0.1:8080)", opt->address);
  const char *h = opt->address;
  size_t hl = (size_t)(colon - h);
  if (h[0] == '[' && hl >= 2 && h[hl - 1] == ']') {
    h++;
    hl -= 2;
  }
  snprintf(host, sizeof host, "%.*s", (int)hl, h);
  struct sockaddr_storage addr;
  if (uv_ip4_addr(host, port, (struct sockaddr_in *)&addr) != 0 &&
      uv_ip6_addr(host, port, (struct sockaddr_in6 *)&addr) != 0)
    return trin_err_set(err, TRIN_EINVALID, "http-address", "'%s' is not an IP address", host);

  trin_http_server_t *s = calloc(1, sizeof *s);
  if (!s) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  s->loop = loop;
  s->handler = handler;
  s->data = data;
  s->opt = *opt;
  if (!s->opt.max_body) s->opt.max_body = 8u << 20;
  if (!s->opt.max_header) s->opt.max_header = 64u << 10;
  if (s->opt.max_connections <= 0) s->opt.max_connections = 1024;
  if (s->opt.idle_timeout_ms <= 0) s->opt.idle_timeout_ms = 60000;
  uv_tcp_init(loop, &s->listener);
  s->listener.data = s;
  int rc = uv_tcp_bind(&s->listener, (struct sockaddr *)&addr, 0);
  if (!rc) rc = uv_listen((uv_stream_t *)&s->listener, 256, on_connection);
  if (rc) {
    trin_err_set(err, TRIN_EIO, "http-address", "cannot listen on %s: %s", opt->address,
                 uv_strerror(rc));
    uv_close((uv_handle_t *)&s->listener, on_listener_closed);
    return TRIN_EIO;
  }
  struct sockaddr_storage bound;
  int blen = sizeof bound;
  uv_tcp_getsockname(&s->listener, (struct sockaddr *)&bound, &blen);
  s->port = bound.ss_family == AF_INET6 ? ntohs(((struct sockaddr_in6 *)&bound)->sin6_port)
                                        : ntohs(((struct sockaddr_in *)&bound)->sin_port);
  trin_log_info("http: listening on %s (port %d)", opt->address, s->port);
  *out = s;
  return TRIN_OK;
}

int trin_http_server_port(const trin_http_server_t *s) { return s->port; }

void trin_http_server_destroy(trin_http_server_t **sp) {
  if (!sp || !*sp) return;
  trin_http_server_t *s = *sp;
  *sp = NULL;
  s->closing = true;
  while (s->conns) conn_close(s->conns);
  uv_close((uv_handle_t *)&s->listener, on_listener_closed);
}
