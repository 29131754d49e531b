/* trin_client — the blocking request/reply client used by trinctl, tests and
 * integrations: one DEALER connected to a service's ROUTER, one request at a
 * time, replies matched by correlation id. */
#ifndef TRIN_CLIENT_H
#define TRIN_CLIENT_H

#include <protobuf-c/protobuf-c.h>
#include <stddef.h>
#include <stdint.h>

#include "trin/envelope.pb-c.h"
#include "trin_err.h"
#include "trin_keys.h"

typedef struct trin_client trin_client_t;

/* Connects (lazily, as ZeroMQ does) to endpoint. The client owns its own
 * ZeroMQ context. */
int trin_client_new(const char *endpoint, trin_client_t **out, trin_err_t *err);
/* The same over CURVE (curve NULL = plain); curve is copied. */
int trin_client_new_curve(const char *endpoint, const trin_curve_client_t *curve,
                          trin_client_t **out, trin_err_t *err);
void trin_client_destroy(trin_client_t **c);
/* Bounds each call's send and its wait for the reply, each (default 5000 ms;
 * 0 or less restores the default). */
void trin_client_set_timeout(trin_client_t *c, int timeout_ms);

/* Sends req (its type is req->descriptor->name) and waits for the reply.
 * On OK, *reply is the decoded reply of reply_desc, owned by the caller
 * (trin_codec_free). On failure the service's error (status, field,
 * message) is copied into err and returned; nothing is in *reply. */
int trin_client_call(trin_client_t *c, const ProtobufCMessage *req,
                     const ProtobufCMessageDescriptor *reply_desc,
                     ProtobufCMessage **reply, trin_err_t *err);

/* Sends raw bytes as the request frame (for robustness tests and tools that
 * speak envelopes themselves) and waits for any reply envelope, returned
 * decoded and owned by the caller (trin_codec_free). */
int trin_client_call_raw(trin_client_t *c, const void *bytes, size_t len,
                         Trin__Envelope **reply, trin_err_t *err);

#endif
