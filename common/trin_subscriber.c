/* trin_subscriber — see trin_subscriber.h.
 *
 * State: last = the newest sequence applied. A live event with seq == last+1
 * is applied at once; one with seq <= last is a duplicate; anything further
 * ahead means events were missed, so the subscriber asks the ROUTER for
 * EventsSince(last) and applies the batch, asking again while the batch
 * says there is more. While a repair is in flight, live events are dropped:
 * the repair will bring them, and the log is the truth.
 *
 * Catching up is pipelined: when a batch arrives that is not the last, the
 * next one is asked for before this one is applied, so the service reads
 * its log while the consumer applies. A batch is decoded into an arena
 * (one allocation per batch, not several per event). */
#include "trin_subscriber.h"

#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "trin_codec.h"
#include "trin_id.h"
#include "trin_log.h"
#include "trin_zsock.h"

struct trin_subscriber {
  char service[32];
  char org[65];            /* "" = every organisation's events */
  trin_subscriber_fn fn;
  trin_subscriber_run_fn run_fn;
  void *data;
  uint64_t last;
  uint64_t known;  /* the newest sequence the service was heard to have */
  bool repairing;
  char repair_cid[TRIN_ID_RANDOM_BUF];
  int retry_ms;
  trin_zsock_t *zsub, *zdealer;
  uv_timer_t timer;
  trin_subscriber_stats_t stats;
  /* Reconnecting the SUB after silence: what it was opened with. */
  uv_loop_t *loop;
  void *zctx;
  char pub_endpoint[512];
  bool has_curve;
  trin_keypair_t own;
  trin_curve_client_t curve;
  uv_timer_t watch;
  uint64_t last_rx;  /* loop time of the last message on SUB */
  /* A replayed batch being applied a slice per loop turn, so one batch of
   * slow applies (a transaction each) never holds the loop for long. It
   * lives in arena. */
  Trin__EventBatch *pending;
  size_t pending_next;
  trin_arena_t arena;
  trin_arena_t live;  /* the live events being applied */
  Trin__Event *live_evs[TRIN_SUBSCRIBER_RUN_MAX];
  size_t nlive;
  bool prefetched;  /* the batch after pending is already asked for */
  uv_timer_t resume;
  int silence_ms;
  int open_handles;  /* timers still to close before the memory goes */
};

/* Services publish a heartbeat every second by default; this long without
 * any message means the connection is gone (a cut link, a publisher that
 * dropped us) even if TCP has not noticed. */
#define SILENCE_MS 5000
/* Replayed events are applied for at most this long per loop turn. */
#define SLICE_NS (2 * 1000 * 1000)

static void request_repair(trin_subscriber_t *s);
static void on_timer(uv_timer_t *t);

/* The subscriber has applied (or passed over) every event up to upto. */
static void advance(trin_subscriber_t *s, uint64_t upto, bool live) {
  uint64_t n = upto - s->last;
  s->last = upto;
  s->stats.delivered += n;
  if (live) s->stats.live += n;
  else s->stats.repaired += n;
}

/* Hands the consumer the events of evs[0..n) it has not had yet: duplicates
 * are dropped, consecutive events go to run_fn a run at a time (one call
 * per run, so a consumer can apply a run in one transaction) or to fn one
 * at a time. Stops at a gap or a refusal (*ok = false). Returns how many of
 * evs it went through: the rest are to be delivered again. */
static size_t take(trin_subscriber_t *s, Trin__Event *const *evs, size_t n, bool live,
                   bool *ok) {
  const Trin__Event *run[TRIN_SUBSCRIBER_RUN_MAX];
  size_t at[TRIN_SUBSCRIBER_RUN_MAX]; /* where each run event is in evs */
  size_t i = 0;
  *ok = true;
  while (i < n) {
    size_t nrun = 0;
    uint64_t next = s->last + 1;
    while (i < n && nrun < TRIN_SUBSCRIBER_RUN_MAX) {
      const Trin__Event *ev = evs[i];
      if (ev->seq < next) {
        s->stats.duplicates++;
      } else if (ev->seq == next) {
        /* Another organisation's event is passed over but counted, so the
         * sequence stays gap-free for this subscriber. */
        if (!s->org[0] || strcmp(ev->org, s->org) == 0) {
          run[nrun] = ev;
          at[nrun++] = i;
        }
        next++;
      } else {
        break; /* a gap */
      }
      i++;
    }
    uint64_t upto = next - 1;
    if (s->run_fn) {
      if (nrun && s->run_fn(s->data, run, nrun) != TRIN_OK) {
        *ok = false;
        return at[0];
      }
    } else {
      for (size_t k = 0; k < nrun; k++) {
        if (s->fn(s->data, run[k]) != TRIN_OK) {
          advance(s, run[k]->seq - 1, live); /* the ones before it are applied */
          *ok = false;
          return at[k];
        }
      }
    }
    advance(s, upto, live);
    if (i < n && evs[i]->seq > s->last + 1) {
      *ok = false; /* a gap */
      return i;
    }
  }
  return i;
}

/* Live events decoded but not yet handed over: applied as one run when the
 * socket has nothing more, or before anything that is not the next event. */
static void take_live(trin_subscriber_t *s) {
  bool ok = true;
  size_t done = s->nlive ? take(s, s->live_evs, s->nlive, true, &ok) : 0;
  if (!ok) {
    s->stats.gaps++;
    trin_log_info("%s: gap (have event %llu, got %llu): repairing from its outbox", s->service,
                  (unsigned long long)s->last, (unsigned long long)s->live_evs[done]->seq);
    request_repair(s);
  }
  s->nlive = 0;
  trin_arena_rewind(&s->live); /* also what was dropped: heartbeats, events while repairing */
}

static void on_sub(trin_zsock_t *zs, void *sock, void *data) {
  trin_subscriber_t *s = data;
  for (int i = 0; i < 256; i++) {
    zmq_msg_t topic, body;
    zmq_msg_init(&topic);
    if (zmq_msg_recv(&topic, sock, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close(&topic);
      break;
    }
    s->last_rx = uv_now(s->loop);
    bool more = zmq_msg_more(&topic);
    zmq_msg_close(&topic);
    if (!more) continue;
    zmq_msg_init(&body);
    zmq_msg_recv(&body, sock, 0);
    while (zmq_msg_more(&body)) { /* drop unexpected extra frames */
      zmq_msg_t x;
      zmq_msg_init(&x);
      zmq_msg_recv(&x, sock, 0);
      bool m = zmq_msg_more(&x);
      zmq_msg_close(&x);
      if (!m) break;
    }
    Trin__Event *ev = NULL;
    trin_err_t err;
    if (trin_codec_unpack_in(&s->live, &trin__event__descriptor, zmq_msg_data(&body),
                             zmq_msg_size(&body), "event", (ProtobufCMessage **)&ev,
                             &err) == TRIN_OK &&
        strcmp(ev->service, s->service) == 0) {
      if (strcmp(ev->type, "trin.heartbeat") == 0) {
        uint64_t newest = ev->seq;
        if (newest > s->known) s->known = newest;
        take_live(s); /* the events before it first (ev is gone after this) */
        if (newest > s->last && !s->repairing) {
          s->stats.gaps++;
          trin_log_info("%s: behind (have event %llu, it has %llu): repairing from its outbox",
                        s->service, (unsigned long long)s->last, (unsigned long long)newest);
          request_repair(s);
        }
      } else if (!s->repairing) {
        if (ev->seq > s->known) s->known = ev->seq;
        s->live_evs[s->nlive++] = ev;
        if (s->nlive == TRIN_SUBSCRIBER_RUN_MAX) take_live(s);
      }
    }
    zmq_msg_close(&body);
  }
  take_live(s);
  (void)zs;
}

/* Asks the service's ROUTER for the events after after_seq; the answer is
 * the one carrying repair_cid. */
static void ask_since(trin_subscriber_t *s, uint64_t after_seq) {
  Trin__EventsSince q = TRIN__EVENTS_SINCE__INIT;
  q.after_seq = after_seq;
  q.limit = 1000;
  uint8_t *pl = NULL, *b = NULL;
  size_t pn = 0, bn = 0;
  if (trin_codec_pack(&q.base, &pl, &pn, NULL)) return;
  trin_id_random(s->repair_cid);
  Trin__Envelope env = TRIN__ENVELOPE__INIT;
  env.correlation_id = s->repair_cid;
  env.type = (char *)trin__events_since__descriptor.name;
  env.payload.data = pl;
  env.payload.len = pn;
  if (trin_codec_pack(&env.base, &b, &bn, NULL) == TRIN_OK) {
    zmq_send(trin_zsock_socket(s->zdealer), b, bn, ZMQ_DONTWAIT);
    trin_zsock_kick(s->zdealer);
  }
  free(pl);
  free(b);
  /* If no answer comes (service down or restarting), ask again. */
  uv_timer_start(&s->timer, on_timer, (uint64_t)s->retry_ms, 0);
}

static void request_repair(trin_subscriber_t *s) {
  s->prefetched = false;
  ask_since(s, s->last);
  s->repairing = true;
}

static void on_timer(uv_timer_t *t) {
  trin_subscriber_t *s = t->data;
  /* Still applying a batch: an answer may be waiting behind it. */
  if (s->pending) uv_timer_start(&s->timer, on_timer, (uint64_t)s->retry_ms, 0);
  else request_repair(s);
}

static void on_resume(uv_timer_t *t);

/* Applies the next slice of the pending batch; when it is done, asks for
 * more or goes back to live events. */
static void apply_pending(trin_subscriber_t *s) {
  Trin__EventBatch *b = s->pending;
  bool ok = true;
  uint64_t until = uv_hrtime() + SLICE_NS;
  while (ok && s->pending_next < b->n_events) {
    size_t n = b->n_events - s->pending_next;
    if (n > TRIN_SUBSCRIBER_RUN_MAX) n = TRIN_SUBSCRIBER_RUN_MAX;
    s->pending_next += take(s, b->events + s->pending_next, n, false, &ok);
    if (ok && s->pending_next < b->n_events && uv_hrtime() > until) {
      uv_timer_start(&s->resume, on_resume, 0, 0); /* after the loop has polled */
      return;
    }
  }
  uint64_t newest = b->last_seq;
  s->pending = NULL;
  trin_arena_rewind(&s->arena);
  if (!ok) {
    /* The consumer could not apply an event: try again later rather than
     * spinning on it (an answer already asked for is dropped). */
    s->repairing = true;
    s->prefetched = false;
    s->repair_cid[0] = '\0';
    uv_timer_start(&s->timer, on_timer, (uint64_t)s->retry_ms, 0);
  } else if (s->prefetched) {
    s->prefetched = false; /* its answer is on the way */
  } else if (newest > s->last) {
    request_repair(s);
  } else {
    s->repairing = false;
  }
}

static void on_resume(uv_timer_t *t) {
  trin_subscriber_t *s = t->data;
  if (s->pending) apply_pending(s);
  if (!s->pending) trin_zsock_kick(s->zdealer); /* a reply may be waiting */
}

static void on_dealer(trin_zsock_t *zs, void *sock, void *data) {
  trin_subscriber_t *s = data;
  for (int i = 0; i < 64 && !s->pending; i++) {
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, sock, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close(&m);
      return;
    }
    Trin__Envelope *env = NULL;
    trin_err_t err;
    int rc = trin_codec_unpack(&trin__envelope__descriptor, zmq_msg_data(&m),
                               zmq_msg_size(&m), "reply", (ProtobufCMessage **)&env,
                               &err);
    zmq_msg_close(&m);
    if (rc) continue;
    if (!s->repairing || strcmp(env->correlation_id, s->repair_cid) != 0) {
      trin_codec_free(env); /* an answer to a request we already gave up on */
      continue;
    }
    Trin__EventBatch *batch = NULL;
    if (env->status != TRIN__STATUS__OK ||
        trin_codec_unpack_in(&s->arena, &trin__event_batch__descriptor, env->payload.data,
                             env->payload.len, "payload", (ProtobufCMessage **)&batch,
                             &err) != TRIN_OK) {
      trin_log_warn("%s: replay request refused (%s); retrying", s->service,
                    env->error ? env->error->message : err.message);
      trin_codec_free(env);
      trin_arena_rewind(&s->arena);
      continue; /* the timer asks again */
    }
    trin_codec_free(env);
    uv_timer_stop(&s->timer);
    if (batch->last_seq > s->known) s->known = batch->last_seq;
    s->pending = batch;
    s->pending_next = 0;
    /* More than this batch is committed: ask for the next one now, so the
     * service reads it while this one is applied. */
    if (batch->n_events > 0 && batch->events[batch->n_events - 1]->seq > s->last &&
        batch->last_seq > batch->events[batch->n_events - 1]->seq) {
      ask_since(s, batch->events[batch->n_events - 1]->seq);
      s->prefetched = true;
    }
    apply_pending(s);
    if (s->pending) return; /* the rest on later loop turns */
  }
  (void)zs;
}

static int setup_curve(void *socket, void *data, trin_err_t *err) {
  return trin_keys_set_client(socket, data, err);
}

static int open_sub(trin_subscriber_t *s, trin_err_t *err) {
  void *sub = NULL;
  int rc = trin_zsock_open_socket_with(s->zctx, ZMQ_SUB, s->pub_endpoint, 0,
                                       s->has_curve ? setup_curve : NULL,
                                       s->has_curve ? &s->curve : NULL, &sub, err);
  if (rc) return rc;
  zmq_setsockopt(sub, ZMQ_SUBSCRIBE, s->service, strlen(s->service));
  if ((rc = trin_zsock_new(s->loop, sub, on_sub, s, &s->zsub, err))) zmq_close(sub);
  s->last_rx = uv_now(s->loop);
  return rc;
}

/* No message, not even a heartbeat, for SILENCE_MS: the connection is
 * dead. A new SUB connects afresh; what was missed comes from the outbox. */
static void on_watch(uv_timer_t *t) {
  trin_subscriber_t *s = t->data;
  if (uv_now(s->loop) - s->last_rx < (uint64_t)s->silence_ms) return;
  int events = 0;
  size_t len = sizeof events;
  if (s->zsub && zmq_getsockopt(trin_zsock_socket(s->zsub), ZMQ_EVENTS, &events, &len) == 0 &&
      (events & ZMQ_POLLIN)) {
    /* Messages are waiting: we were busy, it was not silent. Reading
     * ZMQ_EVENTS spent the edge of the socket's fd, and ZeroMQ signals a
     * pipe that still holds messages only once, so unless the SUB is read
     * now it is never woken again: a subscriber whose loop was held past
     * the silence (a busy machine, a slow consumer) would hear nothing,
     * heartbeats included, for ever. */
    s->last_rx = uv_now(s->loop);
    trin_zsock_kick(s->zsub);
    return;
  }
  trin_log_info("%s: nothing heard for %d ms: reconnecting to %s and repairing from its outbox",
                s->service, s->silence_ms, s->pub_endpoint);
  trin_zsock_close(&s->zsub);
  trin_err_t err = {0};
  if (open_sub(s, &err) != TRIN_OK) {
    trin_log_warn("%s: cannot reconnect (%s); trying again", s->service, err.message);
    s->last_rx = uv_now(s->loop);
    return;
  }
  s->stats.gaps++;
  if (!s->repairing) request_repair(s);
}

int trin_subscriber_new(uv_loop_t *loop, void *zctx,
                        const trin_subscriber_options_t *opt, trin_subscriber_fn fn,
                        void *data, trin_subscriber_t **out, trin_err_t *err) {
  if (!fn && !opt->run_fn)
    return trin_err_set(err, TRIN_EINVALID, "", "a subscriber needs a function for its events");
  trin_subscriber_t *s = calloc(1, sizeof *s);
  if (!s) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  snprintf(s->service, sizeof s->service, "%s", opt->service);
  snprintf(s->org, sizeof s->org, "%s", opt->org ? opt->org : "");
  s->fn = fn;
  s->run_fn = opt->run_fn;
  s->data = data;
  s->last = opt->after_seq;
  s->retry_ms = opt->retry_ms > 0 ? opt->retry_ms : 2000;
  s->loop = loop;
  s->zctx = zctx;
  s->silence_ms = SILENCE_MS;
  snprintf(s->pub_endpoint, sizeof s->pub_endpoint, "%s", opt->pub_endpoint ? opt->pub_endpoint : "");
  if (opt->curve) { /* copied: the SUB may be opened again later */
    s->has_curve = true;
    if (opt->curve->own) s->own = *opt->curve->own;
    s->curve = *opt->curve;
    s->curve.own = opt->curve->own ? &s->own : NULL;
  }
  void *dealer = NULL;
  /* The keys go into each socket before it connects (ZeroMQ copies them). */
  int rc = open_sub(s, err);
  if (!rc)
    rc = trin_zsock_open_socket_with(zctx, ZMQ_DEALER, opt->endpoint, 0,
                                     s->has_curve ? setup_curve : NULL,
                                     s->has_curve ? &s->curve : NULL, &dealer, err);
  if (!rc) rc = trin_zsock_new(loop, dealer, on_dealer, s, &s->zdealer, err);
  if (rc) {
    if (dealer) zmq_close(dealer);
    trin_zsock_close(&s->zsub);
    memset(&s->own, 0, sizeof s->own); /* a secret key */
    free(s);
    return rc;
  }
  uv_timer_init(loop, &s->timer);
  s->timer.data = s;
  uv_timer_init(loop, &s->watch);
  s->watch.data = s;
  uv_timer_init(loop, &s->resume);
  s->resume.data = s;
  uv_timer_start(&s->watch, on_watch, (uint64_t)s->silence_ms / 2, (uint64_t)s->silence_ms / 2);
  s->open_handles = 3;
  request_repair(s); /* catch up on whatever happened while we were away */
  *out = s;
  return TRIN_OK;
}

static void on_timer_closed(uv_handle_t *h) {
  trin_subscriber_t *s = h->data;
  if (--s->open_handles > 0) return;
  memset(&s->own, 0, sizeof s->own); /* a secret key */
  free(s);
}

void trin_subscriber_destroy(trin_subscriber_t **sp) {
  if (!sp || !*sp) return;
  trin_subscriber_t *s = *sp;
  *sp = NULL;
  trin_zsock_close(&s->zsub);
  trin_zsock_close(&s->zdealer);
  uv_timer_stop(&s->timer);
  uv_timer_stop(&s->watch);
  uv_timer_stop(&s->resume);
  s->pending = NULL;
  trin_arena_reset(&s->arena);
  trin_arena_reset(&s->live);
  uv_close((uv_handle_t *)&s->timer, on_timer_closed);
  uv_close((uv_handle_t *)&s->watch, on_timer_closed);
  uv_close((uv_handle_t *)&s->resume, on_timer_closed);
}

uint64_t trin_subscriber_last_seq(const trin_subscriber_t *s) { return s->last; }

uint64_t trin_subscriber_known_seq(const trin_subscriber_t *s) {
  return s->known > s->last ? s->known : s->last;
}
bool trin_subscriber_repairing(const trin_subscriber_t *sub) { return sub && sub->repairing; }

trin_subscriber_stats_t trin_subscriber_stats(const trin_subscriber_t *s) {
  return s->stats;
}
