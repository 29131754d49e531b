/* trin_client — see trin_client.h. */
#include "trin_client.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "trin_codec.h"
#include "trin_date.h"
#include "trin_id.h"

/* How the last handshake went, from the socket's monitor: a refusal is
 * reported at once instead of after the timeout. */
typedef enum { HS_UNKNOWN = 0, HS_OK, HS_REFUSED, HS_MISMATCH } handshake_t;

struct trin_client {
  void *ctx, *sock;
  void *mon;             /* PAIR reading the socket's monitor; NULL if none */
  handshake_t handshake;
  int timeout_ms;
  bool curve;
  char fingerprint[33];  /* of our public key, for messages */
  char endpoint[256];
};

/* Watches the handshakes of c->sock (best effort: without a monitor, a
 * refusal is only a timeout). */
static void watch_handshakes(trin_client_t *c) {
  char ep[64];
  snprintf(ep, sizeof ep, "inproc://trin-client-monitor-%p", (void *)c);
  if (zmq_socket_monitor(c->sock, ep,
                         ZMQ_EVENT_HANDSHAKE_SUCCEEDED | ZMQ_EVENT_HANDSHAKE_FAILED_AUTH |
                             ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL) != 0)
    return;
  c->mon = zmq_socket(c->ctx, ZMQ_PAIR);
  int linger = 0;
  if (c->mon) zmq_setsockopt(c->mon, ZMQ_LINGER, &linger, sizeof linger);
  if (c->mon && zmq_connect(c->mon, ep) != 0) {
    zmq_close(c->mon);
    c->mon = NULL;
  }
  if (!c->mon) zmq_socket_monitor(c->sock, NULL, 0);
}

/* Reads the monitor's waiting events into c->handshake. */
static void read_handshakes(trin_client_t *c) {
  for (;;) {
    zmq_msg_t a, b;
    zmq_msg_init(&a);
    if (zmq_msg_recv(&a, c->mon, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close(&a);
      return;
    }
    zmq_msg_init(&b);
    if (zmq_msg_more(&a)) zmq_msg_recv(&b, c->mon, 0);
    if (zmq_msg_size(&a) >= 6) {
      uint16_t ev;
      uint32_t value;
      memcpy(&ev, zmq_msg_data(&a), 2);
      memcpy(&value, (uint8_t *)zmq_msg_data(&a) + 2, 4);
      if (ev == ZMQ_EVENT_HANDSHAKE_SUCCEEDED) c->handshake = HS_OK;
      else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_AUTH) c->handshake = HS_REFUSED;
      else if (ev == ZMQ_EVENT_HANDSHAKE_FAILED_PROTOCOL &&
               value == ZMQ_PROTOCOL_ERROR_ZMTP_MECHANISM_MISMATCH)
        c->handshake = HS_MISMATCH;
    }
    zmq_msg_close(&a);
    zmq_msg_close(&b);
  }
}

static int refused(const trin_client_t *c, trin_err_t *err) {
  if (c->handshake == HS_REFUSED)
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "",
                        "%s refused our key %s: it is not in that service's key registry "
                        "(trinctl key register), or may not use this endpoint",
                        c->endpoint, c->fingerprint[0] ? c->fingerprint : "(none)");
  if (c->curve)
    return trin_err_set(err, TRIN_EUNAUTHENTICATED, "",
                        "%s does not speak CURVE, but this client was given a key", c->endpoint);
  return trin_err_set(err, TRIN_EUNAUTHENTICATED, "",
                      "%s only accepts CURVE connections: give this client a key pair and "
                      "the service's public key",
                      c->endpoint);
}

int trin_client_new(const char *endpoint, trin_client_t **out, trin_err_t *err) {
  return trin_client_new_curve(endpoint, NULL, out, err);
}

int trin_client_new_curve(const char *endpoint, const trin_curve_client_t *curve,
                          trin_client_t **out, trin_err_t *err) {
  if (!endpoint || !*endpoint)
    return trin_err_set(err, TRIN_EINVALID, "endpoint", "no endpoint given");
  trin_client_t *c = calloc(1, sizeof *c);
  if (!c) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  c->ctx = zmq_ctx_new();
  c->sock = c->ctx ? zmq_socket(c->ctx, ZMQ_DEALER) : NULL;
  if (!c->sock) {
    if (c->ctx) zmq_ctx_term(c->ctx);
    free(c);
    return trin_err_set(err, TRIN_EIO, "endpoint", "cannot create a socket");
  }
  int linger = 0;
  zmq_setsockopt(c->sock, ZMQ_LINGER, &linger, sizeof linger);
  /* The keys are copied into the socket here, so curve need not outlive the
   * call. */
  int rc = curve ? trin_keys_set_client(c->sock, curve, err) : TRIN_OK;
  if (rc) {
    zmq_close(c->sock);
    zmq_ctx_term(c->ctx);
    free(c);
    return rc;
  }
  c->curve = curve != NULL;
  if (curve) trin_keys_fingerprint(curve->own->public_z85, c->fingerprint);
  watch_handshakes(c);
  if (zmq_connect(c->sock, endpoint) != 0) {
    int e = errno;
    if (c->mon) {
      zmq_socket_monitor(c->sock, NULL, 0);
      zmq_close(c->mon);
    }
    zmq_close(c->sock);
    zmq_ctx_term(c->ctx);
    free(c);
    return trin_err_set(err, TRIN_EINVALID, "endpoint", "cannot connect to '%s': %s",
                        endpoint, zmq_strerror(e));
  }
  c->timeout_ms = 5000;
  snprintf(c->endpoint, sizeof c->endpoint, "%s", endpoint);
  *out = c;
  return TRIN_OK;
}

void trin_client_destroy(trin_client_t **cp) {
  if (!cp || !*cp) return;
  if ((*cp)->mon) {
    zmq_socket_monitor((*cp)->sock, NULL, 0);
    zmq_close((*cp)->mon);
  }
  zmq_close((*cp)->sock);
  zmq_ctx_term((*cp)->ctx);
  free(*cp);
  *cp = NULL;
}

void trin_client_set_timeout(trin_client_t *c, int ms) {
  c->timeout_ms = ms > 0 ? ms : 5000;
}

/* No reply within the timeout: a refused CURVE handshake looks like silence
 * from here. */
static int no_answer(const trin_client_t *c, trin_err_t *err) {
  return trin_err_set(err, TRIN_ETIMEOUT, "",
                      "no answer from %s within %d ms (is the service running%s?)",
                      c->endpoint, c->timeout_ms,
                      c->curve ? ", our key registered, and its public key the right one"
                               : ", and does it take connections without CURVE");
}

/* Waits for the reply whose correlation id is cid; replies to earlier calls
 * that timed out are read and dropped. */
static int await_reply(trin_client_t *c, const char *cid, Trin__Envelope **out,
                       trin_err_t *err) {
  trin_time_t deadline = trin_time_now() + c->timeout_ms;
  for (;;) {
    trin_time_t left = deadline - trin_time_now();
    if (left <= 0) break;
    zmq_pollitem_t it[2] = {{c->sock, 0, ZMQ_POLLIN, 0}, {c->mon, 0, ZMQ_POLLIN, 0}};
    int rc = zmq_poll(it, c->mon ? 2 : 1, (long)left);
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) break;
    if (c->mon && (it[1].revents & ZMQ_POLLIN)) {
      read_handshakes(c);
      /* A refusal is final for this key: the retries will fail alike. */
      if (c->handshake == HS_REFUSED || c->handshake == HS_MISMATCH) return refused(c, err);
    }
    if (!(it[0].revents & ZMQ_POLLIN)) continue;
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, c->sock, ZMQ_DONTWAIT) < 0) {
      zmq_msg_close(&m);
      continue;
    }
    /* Skip an empty delimiter if the service sent one. */
    if (zmq_msg_size(&m) == 0 && zmq_msg_more(&m)) {
      zmq_msg_close(&m);
      zmq_msg_init(&m);
      if (zmq_msg_recv(&m, c->sock, 0) < 0) {
        zmq_msg_close(&m);
        continue;
      }
    }
    Trin__Envelope *env = NULL;
    trin_err_t ignored;
    rc = trin_codec_unpack(&trin__envelope__descriptor, zmq_msg_data(&m),
                           zmq_msg_size(&m), "reply", (ProtobufCMessage **)&env, &ignored);
    zmq_msg_close(&m);
    /* Not an envelope: not the reply we wait for either; keep waiting. */
    if (rc) continue;
    if (cid && strcmp(env->correlation_id, cid) != 0 && env->correlation_id[0]) {
      trin_codec_free(env);
      continue;
    }
    *out = env;
    return TRIN_OK;
  }
  return no_answer(c, err);
}

/* Sends one frame, waiting at most the call's timeout: a DEALER with no
 * connection at that moment (between a refused handshake and the next
 * attempt, say) would otherwise block in zmq_send for ever. */
static int send_bounded(trin_client_t *c, const void *bytes, size_t len, trin_err_t *err) {
  int ms = c->timeout_ms;
  zmq_setsockopt(c->sock, ZMQ_SNDTIMEO, &ms, sizeof ms);
  if (zmq_send(c->sock, bytes, len, 0) >= 0) return TRIN_OK;
  if (errno != EAGAIN)
    return trin_err_set(err, TRIN_EIO, "", "cannot send: %s", zmq_strerror(errno));
  if (c->mon) read_handshakes(c);
  if (c->handshake == HS_REFUSED || c->handshake == HS_MISMATCH) return refused(c, err);
  return no_answer(c, err);
}

int trin_client_call_raw(trin_client_t *c, const void *bytes, size_t len,
                         Trin__Envelope **reply, trin_err_t *err) {
  int rc = send_bounded(c, bytes, len, err);
  return rc ? rc : await_reply(c, NULL, reply, err);
}

int trin_client_call(trin_client_t *c, const ProtobufCMessage *req,
                     const ProtobufCMessageDescriptor *reply_desc,
                     ProtobufCMessage **reply, trin_err_t *err) {
  char cid[TRIN_ID_RANDOM_BUF];
  trin_id_random(cid);
  uint8_t *payload = NULL, *bytes = NULL;
  size_t plen = 0, blen = 0;
  int rc = trin_codec_pack(req, &payload, &plen, err);
  if (rc) return rc;
  Trin__Envelope env = TRIN__ENVELOPE__INIT;
  env.correlation_id = cid;
  env.type = (char *)req->descriptor->name;
  env.payload.data = payload;
  env.payload.len = plen;
  rc = trin_codec_pack(&env.base, &bytes, &blen, err);
  free(payload);
  if (rc) return rc;
  rc = send_bounded(c, bytes, blen, err);
  free(bytes);
  if (rc) return rc;
  Trin__Envelope *renv = NULL;
  if ((rc = await_reply(c, cid, &renv, err))) return rc;
  if (renv->status != TRIN__STATUS__OK) {
    rc = trin_codec_error_from_reply(renv, err);
    trin_codec_free(renv);
    return rc;
  }
  if (reply_desc && strcmp(renv->type, reply_desc->name) != 0) {
    rc = trin_err_set(err, TRIN_EDECODE, "type", "expected a %s reply, got '%s'",
                      reply_desc->name, renv->type);
    trin_codec_free(renv);
    return rc;
  }
  rc = TRIN_OK;
  if (reply_desc)
    rc = trin_codec_unpack(reply_desc, renv->payload.data, renv->payload.len,
                           "reply", reply, err);
  trin_codec_free(renv);
  return rc;
}
