/* gateway_forward — see gateway_forward.h.
 *
 * Requests in flight live in a slot table; a request's correlation id is
 * "<slot>.<generation>", so a reply finds its slot without a search and a
 * late reply to a slot since reused (its request timed out) is recognised
 * by the generation and dropped. */
#include "gateway_forward.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "trin_codec.h"
#include "trin_log.h"
#include "trin_zsock.h"

#define MAX_SERVICES 16
#define SWEEP_MS 200

typedef struct {
  bool used;
  uint32_t gen;
  uint64_t deadline;
  gateway_forward_cb cb;
  void *data;
  uint32_t next_free;
} slot_t;

typedef struct {
  char name[32];
  trin_zsock_t *zs;
  gateway_forward_t *f;
} peer_t;

struct gateway_forward {
  uv_loop_t *loop;
  void *zctx;
  int timeout_ms;
  peer_t peers[MAX_SERVICES];
  int npeers;
  slot_t *slots;
  uint32_t nslots, cap, free_head; /* free_head: UINT32_MAX = none */
  size_t pending;
  uv_timer_t sweep;
};

#define NONE UINT32_MAX

int gateway_forward_new(uv_loop_t *loop, void *zctx, int timeout_ms, gateway_forward_t **out,
                        trin_err_t *err) {
  *out = NULL;
  gateway_forward_t *f = calloc(1, sizeof *f);
  if (!f) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  f->loop = loop;
  f->zctx = zctx;
  f->timeout_ms = timeout_ms > 0 ? timeout_ms : 10000;
  f->free_head = NONE;
  uv_timer_init(loop, &f->sweep);
  f->sweep.data = f;
  *out = f;
  return TRIN_OK;
}

static void finish(gateway_forward_t *f, uint32_t i, const Trin__Envelope *reply,
                   const trin_err_t *err) {
  slot_t *s = &f->slots[i];
  gateway_forward_cb cb = s->cb;
  void *data = s->data;
  s->used = false;
  s->gen++;
  s->cb = NULL;
  s->next_free = f->free_head;
  f->free_head = i;
  f->pending--;
  if (f->pending == 0) uv_timer_stop(&f->sweep);
  cb(data, reply, err);
}

static void on_sweep(uv_timer_t *t) {
  gateway_forward_t *f = t->data;
  uint64_t now = uv_now(f->loop);
  for (uint32_t i = 0; i < f->nslots; i++) {
    if (!f->slots[i].used || f->slots[i].deadline > now) continue;
    trin_err_t e;
    trin_err_set(&e, TRIN_ETIMEOUT, "",
                 "the service did not answer within %d ms; it may be down or overloaded "
                 "(the request may still be carried out: retry with the same "
                 "Idempotency-Key)",
                 f->timeout_ms);
    finish(f, i, NULL, &e);
  }
}

static void on_reply(trin_zsock_t *zs, void *socket, void *data) {
  peer_t *p = data;
  gateway_forward_t *f = p->f;
  (void)zs;
  for (int n = 0; n < 256; n++) {
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, socket, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close(&m);
      return;
    }
    /* A DEALER reply is one frame (the server echoes no delimiter we did
     * not send); anything else is not ours to read. */
    Trin__Envelope *env = NULL;
    trin_err_t e;
    if (trin_codec_unpack(&trin__envelope__descriptor, zmq_msg_data(&m), zmq_msg_size(&m),
                          "envelope", (ProtobufCMessage **)&env, &e) == TRIN_OK) {
      unsigned long slot = 0, gen = 0;
      char *end = NULL;
      slot = strtoul(env->correlation_id, &end, 10);
      if (end && *end == '.') gen = strtoul(end + 1, NULL, 10);
      if (end && *end == '.' && slot < f->nslots && f->slots[slot].used &&
          f->slots[slot].gen == (uint32_t)gen)
        finish(f, (uint32_t)slot, env, NULL);
      trin_codec_free(env);
    } else {
      trin_log_warn("%s: a reply that is no envelope (%s)", p->name, e.message);
    }
    zmq_msg_close(&m);
  }
}

typedef struct {
  const trin_curve_client_t *curve;
} setup_t;

static int setup_client(void *socket, void *data, trin_err_t *err) {
  const setup_t *s = data;
  return s->curve ? trin_keys_set_client(socket, s->curve, err) : TRIN_OK;
}

int gateway_forward_add(gateway_forward_t *f, const char *service, const char *endpoint,
                        const trin_curve_client_t *curve, trin_err_t *err) {
  if (f->npeers == MAX_SERVICES)
    return trin_err_set(err, TRIN_EINTERNAL, "", "more than %d services", MAX_SERVICES);
  peer_t *p = &f->peers[f->npeers];
  memset(p, 0, sizeof *p);
  snprintf(p->name, sizeof p->name, "%s", service);
  p->f = f;
  void *sock = NULL;
  setup_t st = {curve};
  int rc = trin_zsock_open_socket_with(f->zctx, ZMQ_DEALER, endpoint, 0, setup_client, &st,
                                       &sock, err);
  if (rc) return rc;
  /* Requests wait for a service that is starting instead of being dropped;
   * the deadline answers the HTTP client meanwhile. */
  int hwm = 100000;
  zmq_setsockopt(sock, ZMQ_SNDHWM, &hwm, sizeof hwm);
  zmq_setsockopt(sock, ZMQ_RCVHWM, &hwm, sizeof hwm);
  if ((rc = trin_zsock_new(f->loop, sock, on_reply, p, &p->zs, err))) {
    zmq_close(sock);
    return rc;
  }
  f->npeers++;
  return TRIN_OK;
}

static peer_t *find_peer(const gateway_forward_t *f, const char *service) {
  for (int i = 0; i < f->npeers; i++)
    if (strcmp(f->peers[i].name, service) == 0) return (peer_t *)&f->peers[i];
  return NULL;
}

bool gateway_forward_has(const gateway_forward_t *f, const char *service) {
  return find_peer(f, service) != NULL;
}

static int take_slot(gateway_forward_t *f, uint32_t *out, trin_err_t *err) {
  if (f->free_head == NONE) {
    if (f->nslots == f->cap) {
      uint32_t cap = f->cap ? f->cap * 2 : 256;
      slot_t *s = realloc(f->slots, cap * sizeof *s);
      if (!s) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
      f->slots = s;
      f->cap = cap;
    }
    memset(&f->slots[f->nslots], 0, sizeof *f->slots);
    *out = f->nslots++;
    return TRIN_OK;
  }
  *out = f->free_head;
  f->free_head = f->slots[*out].next_free;
  return TRIN_OK;
}

int gateway_forward_send(gateway_forward_t *f, const char *service, const char *type,
                         const uint8_t *payload, size_t len, const Trin__Actor *actor,
                         gateway_forward_cb cb, void *data, trin_err_t *err) {
  peer_t *p = find_peer(f, service);
  if (!p)
    return trin_err_set(err, TRIN_ENOTFOUND, "service", "the gateway does not reach a service "
                        "called '%.40s'", service);
  uint32_t i = 0;
  int rc = take_slot(f, &i, err);
  if (rc) return rc;
  slot_t *s = &f->slots[i];
  char cid[32];
  snprintf(cid, sizeof cid, "%u.%u", i, s->gen);
  Trin__Envelope env = TRIN__ENVELOPE__INIT;
  env.correlation_id = cid;
  env.type = (char *)type;
  env.payload.data = (uint8_t *)payload;
  env.payload.len = len;
  env.actor = (Trin__Actor *)actor;
  size_t n = protobuf_c_message_get_packed_size(&env.base);
  zmq_msg_t m;
  if (zmq_msg_init_size(&m, n) != 0) {
    s->next_free = f->free_head;
    f->free_head = i;
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  protobuf_c_message_pack(&env.base, zmq_msg_data(&m));
  if (zmq_msg_send(&m, trin_zsock_socket(p->zs), ZMQ_DONTWAIT) < 0) {
    zmq_msg_close(&m);
    s->next_free = f->free_head;
    f->free_head = i;
    return trin_err_set(err, TRIN_ESTORE, "",
                        "the %s service cannot take more requests now (%s)", service,
                        zmq_strerror(zmq_errno()));
  }
  trin_zsock_kick(p->zs);
  s->used = true;
  s->cb = cb;
  s->data = data;
  s->deadline = uv_now(f->loop) + (uint64_t)f->timeout_ms;
  if (f->pending++ == 0) uv_timer_start(&f->sweep, on_sweep, SWEEP_MS, SWEEP_MS);
  return TRIN_OK;
}

size_t gateway_forward_pending(const gateway_forward_t *f) { return f->pending; }

static void on_timer_closed(uv_handle_t *h) { free(h->data); }

void gateway_forward_destroy(gateway_forward_t **fp) {
  if (!fp || !*fp) return;
  gateway_forward_t *f = *fp;
  *fp = NULL;
  trin_err_t e;
  trin_err_set(&e, TRIN_EIO, "", "the gateway is shutting down");
  for (uint32_t i = 0; i < f->nslots; i++)
    if (f->slots[i].used) finish(f, i, NULL, &e);
  for (int i = 0; i < f->npeers; i++) trin_zsock_close(&f->peers[i].zs);
  free(f->slots);
  uv_timer_stop(&f->sweep);
  f->sweep.data = f;
  uv_close((uv_handle_t *)&f->sweep, on_timer_closed);
}
