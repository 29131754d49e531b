/* trin_secure — a service process's CurveZMQ settings and the rule that keeps
 * plain tcp:// off the network: its own key pair, the registry its ZAP
 * handler checks, the public keys of the services it connects to, and the
 * `insecure` escape for a trusted network. trin_service and the aggregator
 * both wire their sockets through it.
 *
 * The rule: an endpoint on tcp:// (bound or connected to) needs `key` (then
 * every socket of the process speaks CURVE); without it the process refuses
 * to start unless `insecure` is true, which is logged as a warning per
 * endpoint. ipc:// and inproc:// may stay plain: file permissions guard them. */
#ifndef TRIN_SECURE_H
#define TRIN_SECURE_H

#include <stdbool.h>
#include <uv.h>

#include "trin_config.h"
#include "trin_err.h"
#include "trin_keys.h"

/* The four settings, for a process's config table (append them to it):
 * key, key-registry, peer-keys, insecure. */
#define TRIN_SECURE_NKEYS 4
extern const trin_config_key_t trin_secure_keys[TRIN_SECURE_NKEYS];

/* Peers one process connects to (the aggregator has four). */
#define TRIN_SECURE_MAX_PEERS 8

typedef struct trin_secure trin_secure_t;

/* Reads the settings from cfg (which must know trin_secure_keys), reads the
 * key pair and checks that the registry file exists. cfg is only read during
 * the call. */
int trin_secure_new(const trin_config_t *cfg, trin_secure_t **out, trin_err_t *err);
/* The same for a process whose key the registry holds under another role
 * than service (the gateway's: role gateway); a key registered under any
 * other role is refused. role is read during the call. */
int trin_secure_new_as(const trin_config_t *cfg, const char *role, trin_secure_t **out,
                       trin_err_t *err);
/* Stops the ZAP handler if still running; *s is set to NULL. */
void trin_secure_destroy(trin_secure_t **s);

/* The process's own key pair (for trin_server_options_t.curve), or NULL when
 * it runs plain. Owned by s. */
const trin_keypair_t *trin_secure_keypair(const trin_secure_t *s);

/* Applies the rule to one endpoint; field names the setting that holds it
 * ("endpoint", "lifecycle-pub-endpoint") in the error. */
int trin_secure_check(const trin_secure_t *s, const char *field, const char *endpoint,
                      trin_err_t *err);

/* Starts the ZAP handler on loop/zctx when a key is set (nothing otherwise).
 * Call it before any CURVE socket is bound: without a handler libzmq would
 * let every client in. loop and zctx are borrowed. */
int trin_secure_start_zap(trin_secure_t *s, uv_loop_t *loop, void *zctx, trin_err_t *err);
/* Stops the handler (before zmq_ctx_term; its handles close on the loop). */
void trin_secure_stop_zap(trin_secure_t *s);

/* For following service `peer` at endpoint and pub_endpoint (the settings
 * "<peer>-endpoint" and "<peer>-pub-endpoint"): checks both against the rule
 * and sets *out to the CURVE client options — the own key pair and
 * <peer-keys>/<peer>.pub — or to NULL when the process runs plain. *out is
 * owned by s and valid until trin_secure_destroy. */
int trin_secure_peer(trin_secure_t *s, const char *peer, const char *endpoint,
                     const char *pub_endpoint, const trin_curve_client_t **out,
                     trin_err_t *err);

#endif
