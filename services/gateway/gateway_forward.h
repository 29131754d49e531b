/* gateway_forward — the gateway's way to the services: one DEALER per
 * service (CURVE with the gateway's key where configured) on the gateway's
 * libuv loop, many requests in flight on each, replies matched by
 * correlation id, and a deadline for every request so a service that is
 * down gives the HTTP client an answer instead of a hanging connection. */
#ifndef GATEWAY_FORWARD_H
#define GATEWAY_FORWARD_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "trin/envelope.pb-c.h"
#include "trin_err.h"
#include "trin_keys.h"

typedef struct gateway_forward gateway_forward_t;

/* Called exactly once per send: with the reply envelope (borrowed for the
 * call; status OK or the service's error inside it) or, when no reply came,
 * reply NULL and err saying why (TRIN_ETIMEOUT: no answer in time; TRIN_EIO:
 * the gateway is shutting down). */
typedef void (*gateway_forward_cb)(void *data, const Trin__Envelope *reply,
                                   const trin_err_t *err);

/* loop and zctx are borrowed and must outlive the forwarder. timeout_ms
 * bounds every request (default 10000 when <= 0). */
int gateway_forward_new(uv_loop_t *loop, void *zctx, int timeout_ms, gateway_forward_t **out,
                        trin_err_t *err);
/* Pending requests are answered with TRIN_EIO first; *f is set to NULL. */
void gateway_forward_destroy(gateway_forward_t **f);

/* Connects to service (a name, e.g. "lifecycle") at endpoint; curve (NULL =
 * plain) is copied. Up to 16 services. */
int gateway_forward_add(gateway_forward_t *f, const char *service, const char *endpoint,
                        const trin_curve_client_t *curve, trin_err_t *err);
/* True when service was added. */
bool gateway_forward_has(const gateway_forward_t *f, const char *service);

/* Sends a request of full name type with the packed payload (copied) on
 * behalf of actor (NULL = the gateway itself). TRIN_ENOTFOUND when service
 * is unknown; cb is then not called. */
int gateway_forward_send(gateway_forward_t *f, const char *service, const char *type,
                         const uint8_t *payload, size_t len, const Trin__Actor *actor,
                         gateway_forward_cb cb, void *data, trin_err_t *err);

/* Requests waiting for a reply now (for /metrics). */
size_t gateway_forward_pending(const gateway_forward_t *f);

#endif
