/* gateway_stream — see gateway_stream.h.
 *
 * One subscriber follows the aggregator's events (aggregator.status_changed,
 * each carrying a whole StatusRow); every open stream keeps a small table of
 * the projects it has asked about. A row of a project not yet asked about
 * is held (only the newest per project: a row is a whole snapshot) while
 * lifecycle's GetProject runs as the stream's person; the answer decides
 * whether the held row and the next minute's rows are sent. Asking the
 * service, not a copy of its rules, keeps the stream exactly as strict as
 * the project pages. */
#include "gateway_stream.h"

#include <stdlib.h>
#include <string.h>

#include "gateway_json.h"
#include "trin/aggregator.pb-c.h"
#include "trin/envelope.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_buf.h"
#include "trin_codec.h"
#include "trin_log.h"
#include "trin_subscriber.h"

#define TICK_MS 1000         /* retries of the start, keep-alive checks */
#define REMEMBER_MS 60000    /* an answer about a project holds this long */
#define SEEN_MAX 4096        /* projects remembered per stream */

enum { SEEN_ASKING = 1, SEEN_YES, SEEN_NO };

typedef struct {
  char project[65];
  int state;
  uint64_t until_ms;
  char *held;                /* the newest row (an SSE event) while asking */
} seen_t;

typedef struct stream {
  gateway_stream_t *gs;
  trin_http_stream_t *http;  /* NULL once the client is gone */
  gateway_who_t who;
  seen_t *seen;
  size_t nseen, cap;
  int asks;                  /* GetProject in flight: they keep the memory */
  struct stream *prev, *next;
} stream_t;

struct gateway_stream {
  uv_loop_t *loop;
  void *zctx;
  gateway_forward_t *forward;
  char *pub_endpoint, *endpoint;
  trin_keypair_t own;
  trin_curve_client_t curve;
  bool has_curve;
  int keepalive_ms;
  uint64_t last_keepalive;
  trin_subscriber_t *sub;
  bool pinging;
  uv_timer_t *timer;
  stream_t *streams;
  size_t nstreams;
};

typedef struct {
  stream_t *s;
  char project[65];
} ask_t;

/* ---- streams ------------------------------------------------------------- */

static void stream_free_if_done(stream_t *s) {
  if (s->http || s->asks) return;
  for (size_t i = 0; i < s->nseen; i++) free(s->seen[i].held);
  free(s->seen);
  free(s);
}

static void unlink_stream(stream_t *s) {
  gateway_stream_t *gs = s->gs;
  if (s->prev) s->prev->next = s->next;
  else if (gs && gs->streams == s) gs->streams = s->next;
  if (s->next) s->next->prev = s->prev;
  s->prev = s->next = NULL;
  if (gs && gs->nstreams) gs->nstreams--;
  s->gs = NULL;
}

static void on_stream_closed(void *data, trin_http_stream_t *h) {
  (void)h;
  stream_t *s = data;
  s->http = NULL;
  unlink_stream(s);
  stream_free_if_done(s);
}

/* Writes text; false when the stream went away (it is then closed and
 * unlinked by on_stream_closed). */
static bool put(stream_t *s, const char *text) {
  return s->http && trin_http_stream_write(s->http, text, strlen(text));
}

static seen_t *seen_find(stream_t *s, const char *project) {
  for (size_t i = 0; i < s->nseen; i++)
    if (strcmp(s->seen[i].project, project) == 0) return &s->seen[i];
  return NULL;
}

static seen_t *seen_add(stream_t *s, const char *project) {
  if (s->nseen == SEEN_MAX) {
    /* The oldest answer not being asked goes; it is asked again if needed. */
    size_t i = 0;
    while (i < s->nseen && s->seen[i].state == SEEN_ASKING) i++;
    if (i == s->nseen) return NULL;
    free(s->seen[i].held);
    memmove(&s->seen[i], &s->seen[i + 1], (s->nseen - i - 1) * sizeof *s->seen);
    s->nseen--;
  }
  if (s->nseen == s->cap) {
    size_t cap = s->cap ? s->cap * 2 : 16;
    seen_t *p = realloc(s->seen, cap * sizeof *p);
    if (!p) return NULL;
    s->seen = p;
    s->cap = cap;
  }
  seen_t *e = &s->seen[s->nseen++];
  memset(e, 0, sizeof *e);
  snprintf(e->project, sizeof e->project, "%s", project);
  return e;
}

/* ---- who may see a project --------------------------------------------------- */

static void on_asked(void *data, const Trin__Envelope *reply, const trin_err_t *err) {
  (void)err;
  ask_t *a = data;
  stream_t *s = a->s;
  seen_t *e = seen_find(s, a->project);
  char *held = NULL;
  bool yes = reply && reply->status == TRIN__STATUS__OK;
  if (e && e->state == SEEN_ASKING) {
    e->state = yes ? SEEN_YES : SEEN_NO;
    /* No answer at all (a timeout, a service down) is not a "no" to keep. */
    e->until_ms = reply && s->gs ? uv_now(s->gs->loop) + REMEMBER_MS : 0;
    held = e->held;
    e->held = NULL;
  }
  free(a);
  /* s->asks still counts this ask, so a write that ends the stream cannot
   * free s under us. */
  if (yes && held) put(s, held);
  free(held);
  s->asks--;
  stream_free_if_done(s);
}

static void ask(stream_t *s, seen_t *e) {
  gateway_stream_t *gs = s->gs;
  Trin__Lifecycle__GetProject q = TRIN__LIFECYCLE__GET_PROJECT__INIT;
  q.project_id = e->project;
  size_t n = protobuf_c_message_get_packed_size(&q.base);
  uint8_t *buf = malloc(n ? n : 1);
  ask_t *a = calloc(1, sizeof *a);
  if (!buf || !a) {
    free(buf);
    free(a);
    e->state = 0;
    return;
  }
  protobuf_c_message_pack(&q.base, buf);
  a->s = s;
  snprintf(a->project, sizeof a->project, "%s", e->project);
  Trin__Actor actor = TRIN__ACTOR__INIT;
  actor.org = s->who.org;
  actor.role = s->who.role;
  actor.person = s->who.person;
  trin_err_t err = {0};
  e->state = SEEN_ASKING;
  s->asks++;
  if (gateway_forward_send(gs->forward, "lifecycle", q.base.descriptor->name, buf, n, &actor,
                           on_asked, a, &err) != TRIN_OK) {
    /* No lifecycle to ask: nobody is shown the row. */
    s->asks--;
    e->state = SEEN_NO;
    e->until_ms = uv_now(gs->loop) + REMEMBER_MS;
    free(e->held);
    e->held = NULL;
    free(a);
  }
  free(buf);
}

/* ---- the aggregator's rows --------------------------------------------------- */

static void deliver(gateway_stream_t *gs, const char *project, const char *event) {
  uint64_t now = uv_now(gs->loop);
  for (stream_t *s = gs->streams, *next; s; s = next) {
    next = s->next;
    seen_t *e = seen_find(s, project);
    if (e && e->state != SEEN_ASKING && now >= e->until_ms) e->state = 0;
    if (!e && !(e = seen_add(s, project))) continue;
    if (e->state == SEEN_YES) {
      put(s, event);
    } else if (e->state == SEEN_ASKING) {
      char *copy = strdup(event);
      if (copy) {
        free(e->held);
        e->held = copy;
      }
    } else if (e->state == 0) {
      e->held = strdup(event);
      ask(s, e);
    }
  }
}

static int on_event(void *data, const Trin__Event *ev) {
  gateway_stream_t *gs = data;
  if (!gs->streams || !ev->type || strcmp(ev->type, "aggregator.status_changed") != 0)
    return TRIN_OK;
  Trin__Aggregator__StatusRow *row = NULL;
  trin_err_t err = {0};
  if (trin_codec_unpack(&trin__aggregator__status_row__descriptor, ev->payload.data,
                        ev->payload.len, "payload", (ProtobufCMessage **)&row, &err) != TRIN_OK)
    return TRIN_OK; /* not a row we can read: nobody is sent it */
  json_t *j = gateway_json_from_message(&row->base);
  char *text = j ? json_dumps(j, JSON_COMPACT) : NULL;
  json_decref(j);
  if (text && row->project_id && *row->project_id) {
    trin_buf_t b = {0};
    trin_buf_printf(&b, "id: %llu\nevent: row\ndata: %s\n\n", (unsigned long long)ev->seq, text);
    if (b.data) deliver(gs, row->project_id, b.data);
    trin_buf_free(&b);
  }
  free(text);
  trin_codec_free(&row->base);
  return TRIN_OK;
}

/* ---- starting at "now" ------------------------------------------------------- */

static void on_pong(void *data, const Trin__Envelope *reply, const trin_err_t *err) {
  gateway_stream_t *gs = data;
  gs->pinging = false;
  if (!reply && err->code == TRIN_EIO) return; /* the gateway is stopping */
  if (!reply || reply->status != TRIN__STATUS__OK) {
    trin_log_warn("stream: the aggregator did not answer (%s); asking again",
                  reply ? "refused" : err->message);
    return;
  }
  Trin__Pong *pong = NULL;
  trin_err_t e = {0};
  if (trin_codec_unpack(&trin__pong__descriptor, reply->payload.data, reply->payload.len,
                        "payload", (ProtobufCMessage **)&pong, &e) != TRIN_OK)
    return;
  trin_subscriber_options_t o = {.service = "aggregator",
                                 .pub_endpoint = gs->pub_endpoint,
                                 .endpoint = gs->endpoint,
                                 .after_seq = pong->last_seq,
                                 .curve = gs->has_curve ? &gs->curve : NULL};
  if (trin_subscriber_new(gs->loop, gs->zctx, &o, on_event, gs, &gs->sub, &e) != TRIN_OK)
    trin_log_warn("stream: cannot follow the aggregator at %s: %s", gs->pub_endpoint,
                  e.message);
  else
    trin_log_info("stream: following the aggregator's rows from event %llu",
                  (unsigned long long)pong->last_seq);
  trin_codec_free(&pong->base);
}

static void on_tick(uv_timer_t *t) {
  gateway_stream_t *gs = t->data;
  if (!gs->sub && !gs->pinging) {
    Trin__Ping p = TRIN__PING__INIT;
    uint8_t buf[8];
    size_t n = protobuf_c_message_pack(&p.base, buf);
    trin_err_t err = {0};
    if (gateway_forward_send(gs->forward, "aggregator", p.base.descriptor->name, buf, n, NULL,
                             on_pong, gs, &err) == TRIN_OK)
      gs->pinging = true;
  }
  uint64_t now = uv_now(gs->loop);
  if (now - gs->last_keepalive >= (uint64_t)gs->keepalive_ms) {
    gs->last_keepalive = now;
    for (stream_t *s = gs->streams, *next; s; s = next) {
      next = s->next;
      put(s, ": keep-alive\n\n");
    }
  }
}

/* ---- the module -------------------------------------------------------------- */

int gateway_stream_new(uv_loop_t *loop, void *zctx, gateway_forward_t *forward,
                       const gateway_stream_options_t *opt, gateway_stream_t **out,
                       trin_err_t *err) {
  if (!opt->pub_endpoint || !*opt->pub_endpoint || !opt->endpoint || !*opt->endpoint)
    return trin_err_set(err, TRIN_EINVALID, "aggregator-pub-endpoint",
                        "the stream needs the aggregator's endpoint and PUB endpoint");
  gateway_stream_t *gs = calloc(1, sizeof *gs);
  uv_timer_t *timer = calloc(1, sizeof *timer);
  if (!gs || !timer) {
    free(gs);
    free(timer);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  gs->loop = loop;
  gs->zctx = zctx;
  gs->forward = forward;
  gs->pub_endpoint = strdup(opt->pub_endpoint);
  gs->endpoint = strdup(opt->endpoint);
  gs->keepalive_ms = opt->keepalive_ms > 0 ? opt->keepalive_ms : 15000;
  if (opt->curve) {
    gs->own = *opt->curve->own;
    gs->curve = *opt->curve;
    gs->curve.own = &gs->own;
    gs->has_curve = true;
  }
  if (!gs->pub_endpoint || !gs->endpoint) {
    free(gs->pub_endpoint);
    free(gs->endpoint);
    free(gs);
    free(timer);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  gs->timer = timer;
  uv_timer_init(loop, timer);
  timer->data = gs;
  gs->last_keepalive = uv_now(loop);
  uv_timer_start(timer, on_tick, 0, TICK_MS);
  *out = gs;
  return TRIN_OK;
}

static void on_timer_closed(uv_handle_t *h) { free(h); }

void gateway_stream_destroy(gateway_stream_t **gsp) {
  if (!gsp || !*gsp) return;
  gateway_stream_t *gs = *gsp;
  *gsp = NULL;
  while (gs->streams) {
    stream_t *s = gs->streams;
    unlink_stream(s);
    if (s->http) trin_http_stream_close(s->http); /* on_stream_closed frees it */
    else stream_free_if_done(s);
  }
  trin_subscriber_destroy(&gs->sub);
  uv_timer_stop(gs->timer);
  uv_close((uv_handle_t *)gs->timer, on_timer_closed);
  memset(&gs->own, 0, sizeof gs->own);
  free(gs->pub_endpoint);
  free(gs->endpoint);
  free(gs);
}

void gateway_stream_open(gateway_stream_t *gs, trin_http_response_t *res,
                         const gateway_who_t *who) {
  stream_t *s = calloc(1, sizeof *s);
  if (!s) {
    trin_http_respond(res, 503, "text/plain; charset=utf-8", "out of memory\n", 14);
    return;
  }
  s->gs = gs;
  s->who = *who;
  /* nginx and friends pass events on at once */
  trin_http_set_header(res, "X-Accel-Buffering", "no");
  s->http = trin_http_stream_start(res, "text/event-stream; charset=utf-8", on_stream_closed, s);
  if (!s->http) {
    free(s);
    return;
  }
  s->next = gs->streams;
  if (gs->streams) gs->streams->prev = s;
  gs->streams = s;
  gs->nstreams++;
  put(s, gs->sub ? "retry: 2000\n: following the status rows\n\n"
                 : "retry: 2000\n: waiting for the aggregator\n\n");
}

void gateway_stream_revoked(void *data, const char *id) {
  gateway_stream_t *gs = data;
  char principal[sizeof ((gateway_who_t *)0)->principal];
  snprintf(principal, sizeof principal, "token:%s", id);
  for (stream_t *s = gs->streams, *next; s; s = next) {
    next = s->next;
    if (strcmp(s->who.principal, principal) == 0 && s->http) trin_http_stream_close(s->http);
  }
}

size_t gateway_stream_count(const gateway_stream_t *gs) { return gs ? gs->nstreams : 0; }
