/* trin_zsock — a ZeroMQ socket driven by a libuv loop. ZMQ_FD only signals
 * edges, so after every poll wake-up, and after every send or receive made
 * elsewhere (call trin_zsock_kick), ZMQ_EVENTS is checked again until the
 * socket has nothing left to read. */
#ifndef TRIN_ZSOCK_H
#define TRIN_ZSOCK_H

#include <uv.h>

#include "trin_err.h"

typedef struct trin_zsock trin_zsock_t;

/* Called while the socket has a message to read. The callback reads what it
 * wants (a bounded batch is fair to other sockets); if more is left it is
 * called again on a later loop turn. */
typedef void (*trin_zsock_cb)(trin_zsock_t *zs, void *socket, void *data);

/* Takes ownership of `socket` (closed by trin_zsock_close). */
int trin_zsock_new(uv_loop_t *loop, void *socket, trin_zsock_cb on_readable,
                   void *data, trin_zsock_t **out, trin_err_t *err);
void *trin_zsock_socket(trin_zsock_t *zs);
/* Re-check the socket on the next loop turn; call after sending on it. */
void trin_zsock_kick(trin_zsock_t *zs);
/* Stops watching, closes the ZeroMQ socket (linger 0) and frees zs once libuv
 * has released its handles; *zs is set to NULL. */
void trin_zsock_close(trin_zsock_t **zs);

/* A socket of `type` bound or connected to `endpoint` ("bind:" may be forced
 * by bind=true), with sane defaults (linger 0, high-water marks), and setup
 * (may be NULL) run on it between its creation and its bind or connect
 * (options such as CURVE keys only apply to later connections); an error
 * from setup closes the socket and is returned. */
typedef int (*trin_zsock_setup_fn)(void *socket, void *data, trin_err_t *err);
int trin_zsock_open_socket_with(void *zctx, int type, const char *endpoint, int bind,
                                trin_zsock_setup_fn setup, void *data, void **out,
                                trin_err_t *err);

#endif
