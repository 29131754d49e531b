/* trin_zap — the ZeroMQ authentication (ZAP) handler of a trin process:
 * accepts CURVE connections only from keys in the registry file and tells
 * the socket who the caller is, as User-Id "<org>/<role>/<fingerprint>".
 *
 * Domains: sockets set ZMQ_ZAP_DOMAIN to TRIN_ZAP_REQUESTS (any registered
 * key) or TRIN_ZAP_EVENTS (only keys of role service or admin: events and
 * replay are for trin's own services; organisations read through queries
 * and the feed). The registry is read again whenever the file changes, so
 * a key registered applies to its next connection; a key revoked is
 * refused at its next connection and, through trin_zap_recheck, on the
 * connections it already holds within a second.
 *
 * What revocation cannot reach: ZeroMQ's PUB socket cannot drop one peer,
 * so an event subscription (service and admin keys only) that was open
 * when its key was revoked keeps receiving until that connection ends
 * (restart the service to end it at once); its next connection, and its
 * EventsSince replay, are refused. */
#ifndef TRIN_ZAP_H
#define TRIN_ZAP_H

#include <uv.h>

#include "trin_err.h"
#include "trin_caller.h"

#define TRIN_ZAP_REQUESTS "trin.requests"
#define TRIN_ZAP_EVENTS "trin.events"

typedef struct trin_zap trin_zap_t;

/* Binds inproc://zeromq.zap.01 in zctx (one handler per context) and serves
 * it on loop. registry_path is copied. */
int trin_zap_start(uv_loop_t *loop, void *zctx, const char *registry_path, trin_zap_t **out,
                   trin_err_t *err);
/* The memory is freed once libuv releases the handles; *zap is set to NULL. */
void trin_zap_destroy(trin_zap_t **zap);

/* For a request on a connection admitted earlier (the handshake asks
 * only once): whether caller->key, a fingerprint, is still in the registry
 * of the handler running in zctx. TRIN_OK sets caller's org and role to the
 * key's registration as it is now (a key registered again under another
 * role acts under it at once); otherwise TRIN_EUNAUTHENTICATED, "key <fp>
 * was revoked ...", or no handler runs in zctx any more. Answered from
 * memory: the file is looked at (stat, and read when it changed) at most
 * once a second. Safe from any thread; caller is borrowed, updated in place. */
int trin_zap_recheck(void *zctx, trin_caller_t *caller, trin_err_t *err);

/* Parses a User-Id written by this handler into caller (authenticated =
 * true); false when user_id is NULL or not of that shape. */
bool trin_zap_caller(const char *user_id, trin_caller_t *caller);

#endif
