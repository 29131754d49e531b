/* gateway_handlers — the gateway's HTTP API: routes (generic and
 * resource-shaped), JSON in and out, who is asking, retries with
 * Idempotency-Key, If-Match on projects, rate limits, RFC 9457 problems,
 * and the requests forwarded to the services on the person's behalf. */
#ifndef GATEWAY_HANDLERS_H
#define GATEWAY_HANDLERS_H

#include <stdint.h>
#include <uv.h>

#include "gateway_access.h"
#include "gateway_catalog.h"
#include "gateway_forward.h"
#include "gateway_oidc.h"
#include "gateway_stream.h"
#include "trin_err.h"
#include "trin_http.h"
#include "trin_store.h"

typedef struct {
  int64_t idempotency_hours;  /* answers kept at least this long (default 24) */
  double rate_per_principal;  /* requests per second per token or person (0 = no limit) */
  double rate_burst;          /* bucket size */
  double rate_per_address;    /* requests per second per client address (0 = no limit) */
  const char *version;        /* the OpenAPI document's info.version */
} gateway_handlers_options_t;

typedef struct gateway_handlers gateway_handlers_t;

/* Every pointer is borrowed and must outlive the handlers. */
int gateway_handlers_new(uv_loop_t *loop, trin_store_t *store, gateway_catalog_t *catalog,
                         gateway_forward_t *forward, gateway_access_t *access,
                         const gateway_handlers_options_t *opt, gateway_handlers_t **out,
                         trin_err_t *err);
void gateway_handlers_destroy(gateway_handlers_t **h);

/* The trin_http_handler_fn: data is the gateway_handlers_t. */
void gateway_handlers_http(void *data, const trin_http_request_t *req, trin_http_response_t *res);

/* The issuers of oidc (borrowed during the call; NULL = none) with an "app"
 * block: listed by GET /api/v1/signin (public) for the web app's sign-in
 * page, and allowed in the app's connect-src. */
int gateway_handlers_set_oidc(gateway_handlers_t *h, const gateway_oidc_t *oidc, trin_err_t *err);
/* Serves GET /api/v1/stream from stream (borrowed; NULL = answered 503). */
void gateway_handlers_set_stream(gateway_handlers_t *h, gateway_stream_t *stream);
/* Gives the HTTP server's counters to /metrics (borrowed; NULL = none). */
void gateway_handlers_set_http(gateway_handlers_t *h, trin_http_server_t *server);

/* Maps a trin status to its HTTP status (OK 200, INVALID 422, NOT_FOUND
 * 404, CONFLICT 409, FORBIDDEN 403, DECODE 400, UNKNOWN_TYPE 404, TOO_BIG
 * 413, STORE/IO/TIMEOUT 503, UNAUTHENTICATED 401, INTERNAL 500). */
int gateway_http_status(int trin_status);

#endif
