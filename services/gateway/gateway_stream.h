/* gateway_stream — GET /api/v1/stream: the aggregator's status rows as
 * Server-Sent Events, live, each row only to the people who may see its
 * project. Whether a person may is asked of the lifecycle service on their
 * behalf, exactly as GET /api/v1/projects/{id} asks it, and remembered for a
 * minute per stream and project. The stream starts at "now" (the web app
 * reads the pages first, then follows); a revoked token loses its streams. */
#ifndef GATEWAY_STREAM_H
#define GATEWAY_STREAM_H

#include <stddef.h>
#include <uv.h>

#include "gateway_access.h"
#include "gateway_forward.h"
#include "trin_err.h"
#include "trin_http.h"
#include "trin_keys.h"

typedef struct {
  const char *pub_endpoint;           /* the aggregator's PUB */
  const char *endpoint;               /* its ROUTER, for repairs after a gap */
  const trin_curve_client_t *curve;   /* NULL = plain; copied */
  int keepalive_ms;                   /* a comment line this often (default 15000) */
} gateway_stream_options_t;

typedef struct gateway_stream gateway_stream_t;

/* loop, zctx and forward are borrowed. Destroy the forwarder before this
 * module: the requests it still has are then answered while the module
 * exists. forward must reach "aggregator" (to learn where "now" is) and
 * "lifecycle" (to ask who may see a project). The strings in opt are
 * copied. */
int gateway_stream_new(uv_loop_t *loop, void *zctx, gateway_forward_t *forward,
                       const gateway_stream_options_t *opt, gateway_stream_t **out,
                       trin_err_t *err);
/* Ends every open stream; *gs is set to NULL. */
void gateway_stream_destroy(gateway_stream_t **gs);

/* Turns res into an event stream for who (copied): "event: row", the row's
 * aggregator sequence as "id:", the StatusRow as JSON (gateway_json) in
 * "data:". */
void gateway_stream_open(gateway_stream_t *gs, trin_http_response_t *res,
                         const gateway_who_t *who);
/* A trin_token_revoked_fn (data: the gateway_stream_t): ends the streams of
 * token id. */
void gateway_stream_revoked(void *data, const char *id);
/* Streams open now (for /metrics). */
size_t gateway_stream_count(const gateway_stream_t *gs);

#endif
