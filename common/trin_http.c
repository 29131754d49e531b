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
 * client that left is simply dropped.
 *
 * Deadlines: a connection is always in one phase (see conn_phase_t) and its
 * one timer runs to that phase's deadline, set when the phase begins —
 * never pushed back by bytes arriving, so a client that trickles one byte
 * now and then still meets the head deadline.
 *
 * Shedding: the connections still sending their head and the idle
 * keep-alive (or finished, draining) ones are also kept on two queues in the
 * order they entered that phase. Phases begin at uv_now(), which never goes
 * back, so each queue's first element is its oldest: the victim when a cap
 * is full is found without sorting. */
#include "trin_http.h"

#include <ctype.h>
#include <http_parser.h>
#include <stdarg.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <zlib.h>

#include "trin_buf.h"
#include "trin_log.h"

#define MAX_HEADERS 64
#define STREAM_BACKLOG_MAX (8u << 20)
#define SHED_GRACE_MAX_MS 1000

typedef struct conn conn_t;

typedef enum {
  PH_HEAD,    /* waiting for a request's head: head deadline */
  PH_BODY,    /* head read, body coming: body deadline */
  PH_ANSWER,  /* the handler has the request: no deadline */
  PH_IDLE,    /* keep-alive between requests: idle timeout */
  PH_DRAIN,   /* the last response is being written, then close: idle timeout */
  PH_STREAM,  /* a Server-Sent Events stream: no deadline */
} conn_phase_t;

/* A queue of connections in the order they entered a phase. */
typedef struct {
  conn_t *first, *last;
} conn_queue_t;

/* Connections per client address; an entry exists while count > 0. */
typedef struct addr_entry {
  unsigned char key[16];  /* IPv6, or IPv4 as ::ffff:a.b.c.d */
  int count;
  struct addr_entry *next;
} addr_entry_t;

/* What happened to a connection, for the counters and the log line. */
typedef enum { EV_REFUSED_ADDRESS, EV_REFUSED_FULL, EV_SHED, EV_TIMEOUT } server_event_t;

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
  int handles;    /* listener and log timer not yet closed: free at 0 */
  conn_queue_t heading;  /* in PH_HEAD, oldest first */
  conn_queue_t idle;     /* in PH_IDLE or PH_DRAIN, oldest first */
  addr_entry_t **addrs;  /* hash table of nbuckets chains */
  size_t nbuckets;       /* a power of two */
  uint32_t seed;
  trin_http_stats_t stats;
  /* Counts not yet logged, and when the last line went out. */
  unsigned long long log_refused_address, log_refused_full, log_shed, log_timeouts;
  uint64_t last_log_ms;
  bool logged;
  uv_timer_t log_timer;
};

struct conn {
  trin_http_server_t *server;
  uv_tcp_t tcp;
  uv_timer_t timer;   /* the phase's deadline */
  int refs;
  bool closed;        /* uv_close called */
  conn_t *prev, *next;
  conn_phase_t phase;
  uint64_t since;     /* uv_now() when the phase began */
  bool started;       /* a byte of the current request was parsed */
  conn_queue_t *queue;  /* &server->heading or &server->idle or NULL */
  conn_t *qprev, *qnext;
  addr_entry_t *addr;
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
static void set_phase(conn_t *c, conn_phase_t phase);

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
  conn_t *c = p->data;
  reset_request(c);
  /* The first request's head deadline runs from the accept already. */
  if (c->phase != PH_HEAD) set_phase(c, PH_HEAD);
  c->started = true;
  return 0;
}

static int on_headers_complete(http_parser *p) {
  set_phase(p->data, PH_BODY);
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
  set_phase(c, PH_ANSWER);
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
  if (!c->closed) set_phase(c, keep ? PH_IDLE : PH_DRAIN);
  if (keep) parse_more(c);
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
  set_phase(c, PH_STREAM);
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

static void on_server_handle_closed(uv_handle_t *h) {
  trin_http_server_t *s = h->data;
  if (--s->handles > 0) return;
  free(s->addrs);
  free(s);
}

static void queue_remove(conn_t *c) {
  conn_queue_t *q = c->queue;
  if (!q) return;
  if (c->qprev) c->qprev->qnext = c->qnext;
  else q->first = c->qnext;
  if (c->qnext) c->qnext->qprev = c->qprev;
  else q->last = c->qprev;
  c->qprev = c->qnext = NULL;
  c->queue = NULL;
}

static void queue_append(conn_queue_t *q, conn_t *c) {
  c->queue = q;
  c->qnext = NULL;
  c->qprev = q->last;
  if (q->last) q->last->qnext = c;
  else q->first = c;
  q->last = c;
}

/* ---- per-address counts ------------------------------------------------------------ */

static void addr_key(const struct sockaddr_storage *ss, unsigned char key[16]) {
  memset(key, 0, 16);
  if (ss->ss_family == AF_INET) {
    /* As ::ffff:a.b.c.d, so a client reaching a dual-stack listener over
     * IPv4 counts the same either way. */
    key[10] = key[11] = 0xff;
    memcpy(key + 12, &((const struct sockaddr_in *)ss)->sin_addr, 4);
  } else if (ss->ss_family == AF_INET6) {
    memcpy(key, &((const struct sockaddr_in6 *)ss)->sin6_addr, 16);
  }
}

static size_t addr_bucket(const trin_http_server_t *s, const unsigned char key[16]) {
  uint32_t h = 2166136261u ^ s->seed; /* FNV-1a */
  for (int i = 0; i < 16; i++) h = (h ^ key[i]) * 16777619u;
  return h & (s->nbuckets - 1);
}

static addr_entry_t *addr_find(trin_http_server_t *s, const unsigned char key[16]) {
  for (addr_entry_t *e = s->addrs[addr_bucket(s, key)]; e; e = e->next)
    if (memcmp(e->key, key, 16) == 0) return e;
  return NULL;
}

/* Counts one more connection from key; NULL when out of memory. */
static addr_entry_t *addr_hold(trin_http_server_t *s, const unsigned char key[16]) {
  addr_entry_t *e = addr_find(s, key);
  if (!e) {
    e = calloc(1, sizeof *e);
    if (!e) return NULL;
    memcpy(e->key, key, 16);
    size_t b = addr_bucket(s, key);
    e->next = s->addrs[b];
    s->addrs[b] = e;
  }
  e->count++;
  return e;
}

static void addr_release(trin_http_server_t *s, addr_entry_t *e) {
  if (--e->count > 0) return;
  addr_entry_t **pp = &s->addrs[addr_bucket(s, e->key)];
  while (*pp != e) pp = &(*pp)->next;
  *pp = e->next;
  free(e);
}

/* ---- counting and the rate-limited log line ------------------------------------------ */

/* One line with everything counted since the previous one, so a flood of
 * refusals costs one line per interval, not one per connection. */
static void flush_log(trin_http_server_t *s) {
  unsigned long long refused = s->log_refused_address + s->log_refused_full;
  if (!refused && !s->log_shed && !s->log_timeouts) return;
  char line[512];
  size_t n = 0;
  if (refused)
    n += (size_t)snprintf(line + n, sizeof line - n,
                          "; refused %llu connections (%llu over the per-address cap of %d, "
                          "%llu with all %d in use)",
                          refused, s->log_refused_address, s->opt.max_per_address,
                          s->log_refused_full, s->opt.max_connections);
  if (s->log_shed && n < sizeof line)
    n += (size_t)snprintf(line + n, sizeof line - n,
                          "; shed %llu slow or idle connections to make room", s->log_shed);
  if (s->log_timeouts && n < sizeof line)
    snprintf(line + n, sizeof line - n, "; closed %llu connections past the head or body deadline",
             s->log_timeouts);
  trin_log(refused || s->log_shed ? TRIN_LOG_WARN : TRIN_LOG_INFO,
           "http port %d%s (counts since the last such line)", s->port, line);
  s->log_refused_address = s->log_refused_full = s->log_shed = s->log_timeouts = 0;
  s->last_log_ms = uv_now(s->loop);
  s->logged = true;
}

static void on_log_timer(uv_timer_t *t) { flush_log(t->data); }

static void note_event(trin_http_server_t *s, server_event_t ev) {
  switch (ev) {
    case EV_REFUSED_ADDRESS:
      s->stats.refused++;
      s->stats.refused_per_address++;
      s->log_refused_address++;
      break;
    case EV_REFUSED_FULL:
      s->stats.refused++;
      s->log_refused_full++;
      break;
    case EV_SHED:
      s->stats.shed++;
      s->log_shed++;
      break;
    case EV_TIMEOUT:
      s->stats.timeouts++;
      s->log_timeouts++;
      break;
  }
  uint64_t now = uv_now(s->loop);
  uint64_t interval = (uint64_t)s->opt.log_interval_ms;
  if (!s->logged || now - s->last_log_ms >= interval) flush_log(s);
  else if (!uv_is_active((uv_handle_t *)&s->log_timer))
    uv_timer_start(&s->log_timer, on_log_timer, s->last_log_ms + interval - now, 0);
}

/* ---- phases and deadlines ---------------------------------------------------------- */

static void on_deadline(uv_timer_t *t);

/* Enters a phase: its queue, and its deadline counted from now. */
static void set_phase(conn_t *c, conn_phase_t phase) {
  if (c->closed) return;
  trin_http_server_t *s = c->server;
  queue_remove(c);
  c->phase = phase;
  c->since = uv_now(s->loop);
  int ms = 0;
  switch (phase) {
    case PH_HEAD:
      ms = s->opt.head_timeout_ms;
      queue_append(&s->heading, c);
      break;
    case PH_BODY:
      ms = s->opt.body_timeout_ms;
      break;
    case PH_IDLE:
    case PH_DRAIN:
      c->started = false;
      ms = s->opt.idle_timeout_ms;
      queue_append(&s->idle, c);
      break;
    case PH_ANSWER:
    case PH_STREAM:
      break;
  }
  if (ms > 0) uv_timer_start(&c->timer, on_deadline, (uint64_t)ms, 0);
  else uv_timer_stop(&c->timer);
}

static void on_deadline(uv_timer_t *t) {
  conn_t *c = t->data;
  switch (c->phase) {
    case PH_HEAD:
    case PH_BODY:
      note_event(c->server, EV_TIMEOUT);
      /* A client that said nothing gets no answer: it may be a browser's
       * spare connection, which treats a 408 as an error. */
      if (!c->started || c->res) {
        conn_close(c);
        return;
      }
      simple_error(c, 408,
                   c->phase == PH_HEAD ? "the request's head did not arrive in time\n"
                                       : "the request's body did not arrive in time\n");
      return;
    case PH_IDLE:
    case PH_DRAIN:
      conn_close(c);
      return;
    case PH_ANSWER:
    case PH_STREAM:
      return;
  }
}

/* The connection a newcomer may close to make room under a cap (only those
 * from addr when not NULL): the one that has been sending its head the
 * longest, once it had the grace to send it; else the longest idle. The
 * grace keeps a burst of newcomers, accepted together before any of them
 * could be read, from shedding each other. */
static conn_t *find_victim(trin_http_server_t *s, const addr_entry_t *addr) {
  uint64_t now = uv_now(s->loop);
  uint64_t grace = (uint64_t)s->opt.head_timeout_ms / 10;
  if (grace > SHED_GRACE_MAX_MS) grace = SHED_GRACE_MAX_MS;
  for (conn_t *c = s->heading.first; c && now - c->since >= grace; c = c->qnext)
    if (!addr || c->addr == addr) return c;
  for (conn_t *c = s->idle.first; c; c = c->qnext)
    if (!addr || c->addr == addr) return c;
  return NULL;
}

static void conn_close(conn_t *c) {
  if (c->closed) return;
  trin_http_server_t *s = c->server;
  queue_remove(c);
  c->closed = true;
  s->nconns--;
  if (c->addr) addr_release(s, c->addr);
  c->addr = NULL;
  if (c->prev) c->prev->next = c->next;
  else s->conns = c->next;
  if (c->next) c->next->prev = c->prev;
  if (c->stream) {
    trin_http_stream_t *st = c->stream;
    c->stream = NULL;
    if (st->on_closed) st->on_closed(st->data, st);
    free(st);
  }
  uv_timer_stop(&c->timer);
  c->refs++; /* the timer handle */
  uv_close((uv_handle_t *)&c->timer, on_handle_closed);
  uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
}

/* Feeds buffered input to the parser until a request is waiting for its
 * answer or the input runs out. */
static void parse_more(conn_t *c) {
  /* A handler that answers at once does so from inside the parser's
   * callback; the loop below then simply goes on. */
  if (c->in_parse) return;
  while (!c->closed && !c->res && !c->stream && c->phase != PH_DRAIN && c->pending.len > 0) {
    if (HTTP_PARSER_ERRNO(&c->parser) == HPE_PAUSED) http_parser_pause(&c->parser, 0);
    c->in_parse = true;
    size_t n = http_parser_execute(&c->parser, &settings, c->pending.data, c->pending.len);
    c->in_parse = false;
    enum http_errno e = HTTP_PARSER_ERRNO(&c->parser);
    if (e != HPE_OK && e != HPE_PAUSED) {
      if (!c->res && c->phase != PH_DRAIN) simple_error(c, 400, "malformed HTTP request\n");
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
  /* After the last response (408 included) input is read and dropped, so
   * closing does not reset the connection before the client has read it. */
  if (nread > 0 && !c->stream && c->phase != PH_DRAIN) {
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

/* Answers a newcomer no cap has room for and closes it. The answer is
 * written without waiting: a fresh socket's buffer takes it whole, and a
 * client that cannot take it loses only the explanation. */
static void refuse(trin_http_server_t *s, conn_t *c, server_event_t why) {
  bool address = why == EV_REFUSED_ADDRESS;
  const char *text = address ? "too many connections from your address\n"
                             : "the server is busy: too many connections\n";
  int status = address ? 429 : 503;
  char msg[320];
  int n = snprintf(msg, sizeof msg,
                   "HTTP/1.1 %d %s\r\nContent-Type: text/plain; charset=utf-8\r\n"
                   "Content-Length: %zu\r\nRetry-After: 1\r\nConnection: close\r\n\r\n%s",
                   status, reason(status), strlen(text), text);
  uv_buf_t b = uv_buf_init(msg, (unsigned)n);
  (void)uv_try_write((uv_stream_t *)&c->tcp, &b, 1);
  uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
  note_event(s, why);
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
  struct sockaddr_storage ss;
  memset(&ss, 0, sizeof ss);
  int len = sizeof ss;
  if (uv_tcp_getpeername(&c->tcp, (struct sockaddr *)&ss, &len) != 0) ss.ss_family = AF_UNSPEC;
  unsigned char key[16];
  addr_key(&ss, key);

  /* Room under the address's cap, then under the server's. */
  addr_entry_t *mine = addr_find(s, key);
  if (mine && mine->count >= s->opt.max_per_address) {
    conn_t *victim = find_victim(s, mine);
    if (!victim) {
      refuse(s, c, EV_REFUSED_ADDRESS);
      return;
    }
    note_event(s, EV_SHED);
    conn_close(victim); /* may free mine */
  }
  if (s->nconns >= s->opt.max_connections) {
    conn_t *victim = find_victim(s, NULL);
    if (!victim) {
      refuse(s, c, EV_REFUSED_FULL);
      return;
    }
    note_event(s, EV_SHED);
    conn_close(victim);
  }
  c->addr = addr_hold(s, key);
  if (!c->addr) {
    uv_close((uv_handle_t *)&c->tcp, on_handle_closed);
    return;
  }
  uv_timer_init(s->loop, &c->timer);
  c->timer.data = c;
  c->next = s->conns;
  if (s->conns) s->conns->prev = c;
  s->conns = c;
  s->nconns++;
  s->stats.accepted++;

  char host[48] = "?";
  int port = 0;
  if (ss.ss_family == AF_INET) {
    uv_ip4_name((struct sockaddr_in *)&ss, host, sizeof host);
    port = ntohs(((struct sockaddr_in *)&ss)->sin_port);
  } else if (ss.ss_family == AF_INET6) {
    uv_ip6_name((struct sockaddr_in6 *)&ss, host, sizeof host);
    port = ntohs(((struct sockaddr_in6 *)&ss)->sin6_port);
  }
  snprintf(c->peer, sizeof c->peer, "%s:%d", host, port);
  http_parser_init(&c->parser, HTTP_REQUEST);
  c->parser.data = c;
  uv_tcp_nodelay(&c->tcp, 1);
  set_phase(c, PH_HEAD); /* the first request's head deadline runs from now */
  uv_read_start((uv_stream_t *)&c->tcp, on_alloc, on_read);
}

/* A negative limit is a caller's mistake; 0 asks for the default. */
static int check_option(const char *field, int value, int dflt, int *out, trin_err_t *err) {
  if (value < 0)
    return trin_err_set(err, TRIN_EINVALID, field,
                        "must be 0 (for the default, %d) or a positive number, not %d", dflt,
                        value);
  *out = value ? value : dflt;
  return TRIN_OK;
}

int trin_http_server_new(uv_loop_t *loop, const trin_http_options_t *opt,
                         trin_http_handler_fn handler, void *data, trin_http_server_t **out,
                         trin_err_t *err) {
  settings = (http_parser_settings){
      .on_message_begin = on_message_begin,
      .on_headers_complete = on_headers_complete,
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

  trin_http_options_t o = *opt;
  if (!o.max_body) o.max_body = 8u << 20;
  if (!o.max_header) o.max_header = 64u << 10;
  if (o.max_connections <= 0) o.max_connections = 1024;
  if (o.idle_timeout_ms <= 0) o.idle_timeout_ms = 60000;
  int rc = check_option("head_timeout_ms", o.head_timeout_ms, 10000, &o.head_timeout_ms, err);
  if (!rc) rc = check_option("body_timeout_ms", o.body_timeout_ms, 30000, &o.body_timeout_ms, err);
  if (!rc) rc = check_option("max_per_address", o.max_per_address, 64, &o.max_per_address, err);
  if (!rc) rc = check_option("log_interval_ms", o.log_interval_ms, 10000, &o.log_interval_ms, err);
  if (rc) return rc;

  trin_http_server_t *s = calloc(1, sizeof *s);
  size_t nb = 16;
  while (nb < (size_t)o.max_connections && nb < (1u << 20)) nb <<= 1;
  if (s) s->addrs = calloc(nb, sizeof *s->addrs);
  if (!s || !s->addrs) {
    free(s);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  s->nbuckets = nb;
  s->seed = (uint32_t)uv_hrtime() ^ (uint32_t)(uintptr_t)s;
  s->loop = loop;
  s->handler = handler;
  s->data = data;
  s->opt = o;
  s->handles = 2;
  uv_timer_init(loop, &s->log_timer);
  s->log_timer.data = s;
  uv_tcp_init(loop, &s->listener);
  s->listener.data = s;
  rc = uv_tcp_bind(&s->listener, (struct sockaddr *)&addr, 0);
  if (!rc) rc = uv_listen((uv_stream_t *)&s->listener, 256, on_connection);
  if (rc) {
    trin_err_set(err, TRIN_EIO, "http-address", "cannot listen on %s: %s", opt->address,
                 uv_strerror(rc));
    uv_close((uv_handle_t *)&s->log_timer, on_server_handle_closed);
    uv_close((uv_handle_t *)&s->listener, on_server_handle_closed);
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

void trin_http_server_stats(const trin_http_server_t *s, trin_http_stats_t *out) {
  *out = s->stats;
  out->connections = s->nconns;
}

void trin_http_server_destroy(trin_http_server_t **sp) {
  if (!sp || !*sp) return;
  trin_http_server_t *s = *sp;
  *sp = NULL;
  s->closing = true;
  while (s->conns) conn_close(s->conns);
  flush_log(s); /* what was counted since the last line */
  uv_timer_stop(&s->log_timer);
  uv_close((uv_handle_t *)&s->log_timer, on_server_handle_closed);
  uv_close((uv_handle_t *)&s->listener, on_server_handle_closed);
}
