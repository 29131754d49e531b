/* trin_zsock — see trin_zsock.h. */
#include "trin_zsock.h"

#include <errno.h>
#include <stdbool.h>
#include <stdlib.h>
#include <zmq.h>

struct trin_zsock {
  void *socket;
  uv_poll_t poll;
  uv_idle_t idle;  /* a "check again next turn" that does not block the loop */
  trin_zsock_cb cb;
  void *data;
  int open_handles;
  bool closing;
};

static void dispatch(trin_zsock_t *zs) {
  if (zs->closing) return;
  int events = 0;
  size_t sz = sizeof events;
  if (zmq_getsockopt(zs->socket, ZMQ_EVENTS, &events, &sz) != 0) return;
  if (events & ZMQ_POLLIN) {
    zs->cb(zs, zs->socket, zs->data);
    if (zs->closing) return;
    /* The callback may have stopped early (fairness) or sent something; in
     * both cases the fd edge may already be spent, so look again next turn. */
    trin_zsock_kick(zs);
  }
}

static void on_poll(uv_poll_t *h, int status, int events) {
  (void)status;
  (void)events;
  dispatch(h->data);
}

static void on_idle(uv_idle_t *h) {
  trin_zsock_t *zs = h->data;
  uv_idle_stop(h);
  dispatch(zs);
}

int trin_zsock_new(uv_loop_t *loop, void *socket, trin_zsock_cb on_readable,
                   void *data, trin_zsock_t **out, trin_err_t *err) {
  int fd;
  size_t sz = sizeof fd;
  if (zmq_getsockopt(socket, ZMQ_FD, &fd, &sz) != 0)
    return trin_err_set(err, TRIN_EIO, "", "cannot get the socket's fd: %s",
                        zmq_strerror(errno));
  trin_zsock_t *zs = calloc(1, sizeof *zs);
  if (!zs) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  zs->socket = socket;
  zs->cb = on_readable;
  zs->data = data;
  int rc = uv_poll_init(loop, &zs->poll, fd);
  if (rc) {
    free(zs);
    return trin_err_set(err, TRIN_EIO, "", "uv_poll_init: %s", uv_strerror(rc));
  }
  uv_idle_init(loop, &zs->idle);
  zs->poll.data = zs;
  zs->idle.data = zs;
  zs->open_handles = 2;
  uv_poll_start(&zs->poll, UV_READABLE, on_poll);
  /* Messages may already be queued before the first edge. */
  trin_zsock_kick(zs);
  *out = zs;
  return TRIN_OK;
}

void *trin_zsock_socket(trin_zsock_t *zs) { return zs->socket; }

void trin_zsock_kick(trin_zsock_t *zs) {
  if (!zs->closing) uv_idle_start(&zs->idle, on_idle);
}

static void on_closed(uv_handle_t *h) {
  trin_zsock_t *zs = h->data;
  if (--zs->open_handles == 0) free(zs);
}

void trin_zsock_close(trin_zsock_t **zsp) {
  if (!zsp || !*zsp) return;
  trin_zsock_t *zs = *zsp;
  *zsp = NULL;
  zs->closing = true;
  uv_close((uv_handle_t *)&zs->poll, on_closed);
  uv_close((uv_handle_t *)&zs->idle, on_closed);
  int linger = 0;
  zmq_setsockopt(zs->socket, ZMQ_LINGER, &linger, sizeof linger);
  zmq_close(zs->socket);
  zs->socket = NULL;
}

int trin_zsock_open_socket_with(void *zctx, int type, const char *endpoint, int bind,
                                trin_zsock_setup_fn setup, void *data, void **out,
                                trin_err_t *err) {
  if (!endpoint || !*endpoint)
    return trin_err_set(err, TRIN_EINVALID, "endpoint", "no endpoint is configured");
  void *s = zmq_socket(zctx, type);
  if (!s)
    return trin_err_set(err, TRIN_EIO, "endpoint", "cannot create a socket: %s",
                        zmq_strerror(errno));
  int linger = 0, hwm = 100000;
  zmq_setsockopt(s, ZMQ_LINGER, &linger, sizeof linger);
  zmq_setsockopt(s, ZMQ_SNDHWM, &hwm, sizeof hwm);
  zmq_setsockopt(s, ZMQ_RCVHWM, &hwm, sizeof hwm);
  if (type == ZMQ_PUB) {
    /* ZMTP heartbeats on the publisher: a subscriber behind a cut link is
     * dropped after a few seconds (and its queue freed) instead of after
     * TCP's many minutes. Not on receiving sockets: libzmq 4.3 asserts
     * (_input_stopped, libzmq#3937) when a heartbeat times out on a
     * connection whose input is stalled by a full pipe; subscribers notice
     * silence themselves (trin_subscriber). */
    int ivl = 1000, ttl = 3000;
    zmq_setsockopt(s, ZMQ_HEARTBEAT_IVL, &ivl, sizeof ivl);
    zmq_setsockopt(s, ZMQ_HEARTBEAT_TIMEOUT, &ttl, sizeof ttl);
  }
  if (setup) {
    int src = setup(s, data, err);
    if (src) {
      zmq_close(s);
      return src;
    }
  }
  int rc = bind ? zmq_bind(s, endpoint) : zmq_connect(s, endpoint);
  if (rc != 0) {
    int e = errno;
    zmq_close(s);
    return trin_err_set(err, TRIN_EIO, "endpoint", "cannot %s %s: %s",
                        bind ? "bind" : "connect to", endpoint, zmq_strerror(e));
  }
  *out = s;
  return TRIN_OK;
}
