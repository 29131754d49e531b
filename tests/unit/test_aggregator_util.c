/* test_aggregator_util — see test_aggregator_util.h. */
#include "test_aggregator_util.h"

#include <arpa/inet.h>
#include <jansson.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include <uv.h>
#include <zmq.h>

#include "trin_codec.h"

/* ---- events ---------------------------------------------------------------------- */

Trin__Event *tu_event(const char *service, uint64_t seq, const char *type,
                      const ProtobufCMessage *payload) {
  Trin__Event *ev = calloc(1, sizeof *ev);
  trin__event__init(ev);
  ev->service = strdup(service);
  ev->seq = seq;
  ev->time = strdup("2026-11-25T08:00:00.000Z");
  ev->type = strdup(type);
  ev->org = strdup("");
  ev->payload_type = strdup(payload->descriptor->name);
  trin_codec_pack(payload, &ev->payload.data, &ev->payload.len, NULL);
  return ev;
}

void tu_event_free(Trin__Event *ev) {
  if (!ev) return;
  free(ev->service);
  free(ev->time);
  free(ev->type);
  free(ev->org);
  free(ev->payload_type);
  free(ev->payload.data);
  free(ev);
}

void tu_project(Trin__Lifecycle__Project *p, const char *id, const char *partnership,
                const char *client) {
  trin__lifecycle__project__init(p);
  p->id = (char *)id;
  p->name = (char *)id;
  p->partnership_id = (char *)(partnership ? partnership : "");
  p->client_org = (char *)(client ? client : "");
  p->kind = "helhedsplan";
  p->municipality = "Aarhus";
  p->dwellings = 100;
  p->stage = "pre_study";
  p->stage_since = "2024-03-01";
}

/* ---- service thread ------------------------------------------------------------------- */

struct tu_svc {
  uv_loop_t loop;
  uv_async_t async;
  uv_thread_t thread;
  void *zctx;
  agg_service_t *svc;
  int port;
  pthread_mutex_t mu;
  pthread_cond_t cv;
  void (*fn)(agg_service_t *, void *);
  void *arg;
  bool done, stop;
};

static void on_async(uv_async_t *h) {
  tu_svc_t *s = h->data;
  pthread_mutex_lock(&s->mu);
  if (s->fn) {
    s->fn(s->svc, s->arg);
    s->fn = NULL;
    s->done = true;
    pthread_cond_broadcast(&s->cv);
  }
  bool stop = s->stop;
  pthread_mutex_unlock(&s->mu);
  if (stop) {
    agg_service_destroy(&s->svc);
    uv_close((uv_handle_t *)&s->async, NULL);
  }
}

static void loop_thread(void *arg) {
  tu_svc_t *s = arg;
  uv_run(&s->loop, UV_RUN_DEFAULT);
}

tu_svc_t *tu_svc_start(const char *store, int page_size, int sse_heartbeat_ms) {
  tu_svc_options_t o = {.store = store, .page_size = page_size,
                        .sse_heartbeat_ms = sse_heartbeat_ms};
  return tu_svc_start_with(&o);
}

tu_svc_t *tu_svc_start_with(const tu_svc_options_t *o) {
  tu_svc_t *s = calloc(1, sizeof *s);
  static int instance;
  char ep[64], pub[64];
  snprintf(ep, sizeof ep, "inproc://agg-req-%d", instance);
  snprintf(pub, sizeof pub, "inproc://agg-pub-%d", instance++);
  uv_loop_init(&s->loop);
  s->zctx = zmq_ctx_new();
  pthread_mutex_init(&s->mu, NULL);
  pthread_cond_init(&s->cv, NULL);
  agg_config_t cfg = {
      .endpoint = o->endpoint ? o->endpoint : ep,
      .pub_endpoint = o->pub_endpoint ? o->pub_endpoint : pub,
      .store = o->store && *o->store ? o->store : ":memory:",
      .sync = TRIN_STORE_SYNC_NORMAL,
      .heartbeat_ms = o->heartbeat_ms,
      .feed = {.address = "127.0.0.1:0", .token = TU_TOKEN, .page_size = o->page_size,
               .heartbeat_ms = o->sse_heartbeat_ms},
      .push = o->push,
  };
  agg_thresholds_default(&cfg.thresholds);
  trin_err_t err = {0};
  if (agg_service_new(&s->loop, s->zctx, &cfg, &s->svc, &err)) {
    fprintf(stderr, "tu_svc_start: %s: %s\n", err.field, err.message);
    abort();
  }
  s->port = agg_service_http_port(s->svc);
  uv_async_init(&s->loop, &s->async, on_async);
  s->async.data = s;
  uv_thread_create(&s->thread, loop_thread, s);
  return s;
}

void tu_svc_run(tu_svc_t *s, void (*fn)(agg_service_t *, void *), void *arg) {
  pthread_mutex_lock(&s->mu);
  s->fn = fn;
  s->arg = arg;
  s->done = false;
  uv_async_send(&s->async);
  while (!s->done) pthread_cond_wait(&s->cv, &s->mu);
  pthread_mutex_unlock(&s->mu);
}

void tu_svc_stop(tu_svc_t *s) {
  pthread_mutex_lock(&s->mu);
  s->stop = true;
  uv_async_send(&s->async);
  pthread_mutex_unlock(&s->mu);
  uv_thread_join(&s->thread);
  uv_run(&s->loop, UV_RUN_DEFAULT);
  uv_loop_close(&s->loop);
  zmq_ctx_term(s->zctx);
  pthread_mutex_destroy(&s->mu);
  pthread_cond_destroy(&s->cv);
  free(s);
}

int tu_svc_port(tu_svc_t *s) { return s->port; }

typedef struct {
  int up;
  Trin__Event *ev;
} consume_arg_t;

static void do_consume(agg_service_t *a, void *arg) {
  consume_arg_t *c = arg;
  agg_service_consume(a, c->up, c->ev);
  trin_err_t err = {0};
  agg_service_flush(a, &err);
}

void tu_svc_consume(tu_svc_t *s, int up, Trin__Event *ev) {
  consume_arg_t c = {up, ev};
  tu_svc_run(s, do_consume, &c);
}

typedef struct {
  int n;
  uint64_t *seq;
} projects_arg_t;

static void do_projects(agg_service_t *a, void *arg) {
  projects_arg_t *pa = arg;
  for (int i = 0; i < pa->n; i++) {
    char id[32], muni[32];
    snprintf(id, sizeof id, "P%05d", i);
    snprintf(muni, sizeof muni, "M%d", i % 7);
    Trin__Lifecycle__Project p;
    tu_project(&p, id, i % 3 ? "LIVA" : "", "KAB");
    p.dwellings = i;
    p.municipality = muni;
    p.fast_track = i % 2 == 0;
    p.stage = i % 4 == 0 ? "trin3" : "trin1";
    Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
    pe.project = &p;
    Trin__Event *ev = tu_event("lifecycle", ++*pa->seq, "lifecycle.project_created", &pe.base);
    agg_service_consume(a, 0, ev);
    tu_event_free(ev);
  }
  trin_err_t err = {0};
  agg_service_flush(a, &err);
}

void tu_svc_projects(tu_svc_t *s, int n, uint64_t *seq) {
  projects_arg_t pa = {n, seq};
  tu_svc_run(s, do_projects, &pa);
}

/* ---- HTTP ---------------------------------------------------------------------------- */

static int dial(int port) {
  int fd = socket(AF_INET, SOCK_STREAM, 0);
  struct sockaddr_in a = {.sin_family = AF_INET, .sin_port = htons((uint16_t)port)};
  inet_pton(AF_INET, "127.0.0.1", &a.sin_addr);
  if (connect(fd, (struct sockaddr *)&a, sizeof a) != 0) {
    close(fd);
    return -1;
  }
  return fd;
}

bool tu_get(int port, const char *path, const char *extra, tu_http_t *out) {
  memset(out, 0, sizeof *out);
  int fd = dial(port);
  if (fd < 0) return false;
  char *req = NULL;
  if (asprintf(&req, "GET %s HTTP/1.1\r\nHost: 127.0.0.1:%d\r\n%sConnection: close\r\n\r\n",
               path, port, extra ? extra : "") < 0) {
    close(fd);
    return false;
  }
  size_t rl = strlen(req), sent = 0;
  while (sent < rl) {
    ssize_t n = send(fd, req + sent, rl - sent, 0);
    if (n <= 0) break;
    sent += (size_t)n;
  }
  free(req);
  size_t cap = 1 << 16, len = 0;
  char *buf = malloc(cap);
  for (;;) {
    if (len + 4096 > cap) buf = realloc(buf, cap *= 2);
    struct pollfd p = {.fd = fd, .events = POLLIN};
    if (poll(&p, 1, 10000) <= 0) break;
    ssize_t n = recv(fd, buf + len, cap - len - 1, 0);
    if (n <= 0) break;
    len += (size_t)n;
  }
  close(fd);
  buf[len] = '\0';
  char *sep = strstr(buf, "\r\n\r\n");
  if (!sep || sscanf(buf, "HTTP/1.1 %d", &out->status) != 1) {
    free(buf);
    return false;
  }
  out->headers = strndup(buf, (size_t)(sep - buf) + 2);
  out->body_len = len - (size_t)(sep + 4 - buf);
  out->body = malloc(out->body_len + 1);
  memcpy(out->body, sep + 4, out->body_len);
  out->body[out->body_len] = '\0';
  free(buf);
  return true;
}

bool tu_get_auth(int port, const char *path, tu_http_t *out) {
  return tu_get(port, path, "Authorization: Bearer " TU_TOKEN "\r\n", out);
}

bool tu_wait_caught_up(int port, const char *upstream, uint64_t want) {
  for (int i = 0; i < 6000; i++) {
    tu_http_t r;
    uint64_t have = 0;
    if (tu_get(port, "/healthz", NULL, &r) && r.status == 200) {
      json_t *doc = json_loads(r.body, 0, NULL);
      json_t *u = json_object_get(json_object_get(doc, "upstreams"), upstream);
      have = (uint64_t)json_integer_value(json_object_get(u, "cursor"));
      json_decref(doc);
    }
    tu_http_free(&r);
    if (have >= want) return true;
    struct timespec ts = {0, 20 * 1000 * 1000};
    nanosleep(&ts, NULL);
  }
  return false;
}

void tu_http_free(tu_http_t *r) {
  free(r->headers);
  free(r->body);
  memset(r, 0, sizeof *r);
}

int tu_header(const tu_http_t *r, const char *name, char *value, size_t n) {
  int count = 0;
  size_t nl = strlen(name);
  for (const char *line = strstr(r->headers, "\r\n"); line && line[2];) {
    line += 2;
    if (strncasecmp(line, name, nl) == 0 && line[nl] == ':') {
      if (count == 0 && value) {
        const char *v = line + nl + 1;
        while (*v == ' ') v++;
        const char *e = strstr(v, "\r\n");
        snprintf(value, n, "%.*s", (int)(e ? e - v : (long)strlen(v)), v);
      }
      count++;
    }
    line = strstr(line, "\r\n");
  }
  return count;
}

bool tu_sse_open(tu_sse_t *s, int port, const char *last_event_id) {
  s->len = 0;
  s->fd = dial(port);
  if (s->fd < 0) {
    fprintf(stderr, "tu_sse_open: cannot connect to port %d\n", port);
    return false;
  }
  char req[512];
  int n = snprintf(req, sizeof req,
                   "GET /api/v1/stream HTTP/1.1\r\nHost: x\r\nAccept: text/event-stream\r\n"
                   "Authorization: Bearer " TU_TOKEN "\r\n%s%s%s\r\n",
                   last_event_id ? "Last-Event-ID: " : "", last_event_id ? last_event_id : "",
                   last_event_id ? "\r\n" : "");
  if (send(s->fd, req, (size_t)n, 0) != n) {
    fprintf(stderr, "tu_sse_open: cannot send\n");
    return false;
  }
  /* the response head */
  for (int i = 0; i < 100; i++) {
    struct pollfd p = {.fd = s->fd, .events = POLLIN};
    if (poll(&p, 1, 100) > 0) {
      ssize_t r = recv(s->fd, s->buf + s->len, sizeof s->buf - 1 - s->len, 0);
      if (r <= 0) {
        fprintf(stderr, "tu_sse_open: connection closed after %zu bytes: %.200s\n", s->len,
                s->buf);
        return false;
      }
      s->len += (size_t)r;
      s->buf[s->len] = '\0';
      char *sep = strstr(s->buf, "\r\n\r\n");
      if (sep) {
        if (strncmp(s->buf, "HTTP/1.1 200", 12) != 0) {
          fprintf(stderr, "tu_sse_open: %.200s\n", s->buf);
          return false;
        }
        size_t head = (size_t)(sep + 4 - s->buf);
        memmove(s->buf, s->buf + head, s->len - head);
        s->len -= head;
        s->buf[s->len] = '\0';
        return true;
      }
    }
  }
  fprintf(stderr, "tu_sse_open: no answer (%zu bytes: %.100s)\n", s->len, s->buf);
  return false;
}

static int64_t now_ms(void) {
  struct timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

size_t tu_sse_read(tu_sse_t *s, size_t want, int timeout_ms, uint64_t *ids, size_t n,
                   int *comments) {
  size_t got = 0;
  int64_t end = now_ms() + timeout_ms;
  for (;;) {
    /* consume complete blocks */
    char *sep;
    while ((sep = strstr(s->buf, "\n\n"))) {
      *sep = '\0';
      const char *id = strstr(s->buf, "id: ");
      if (strncmp(s->buf, "event: status", 13) == 0 && id) {
        if (got < n) ids[got] = strtoull(id + 4, NULL, 10);
        got++;
      } else if (s->buf[0] == ':' && comments) {
        (*comments)++;
      }
      size_t used = (size_t)(sep + 2 - s->buf);
      memmove(s->buf, s->buf + used, s->len - used);
      s->len -= used;
      s->buf[s->len] = '\0';
    }
    if (got >= want) break;
    int left = (int)(end - now_ms());
    if (left <= 0) break;
    struct pollfd p = {.fd = s->fd, .events = POLLIN};
    if (poll(&p, 1, left) <= 0) break;
    ssize_t r = recv(s->fd, s->buf + s->len, sizeof s->buf - 1 - s->len, 0);
    if (r <= 0) break;
    s->len += (size_t)r;
    s->buf[s->len] = '\0';
  }
  return got;
}

void tu_sse_close(tu_sse_t *s) {
  if (s->fd >= 0) close(s->fd);
  s->fd = -1;
}
