/* trin_server — a service's request/reply front: a ROUTER socket for
 * requests, a PUB socket for events, both on the service's libuv loop.
 *
 * Requests that arrive together are handled as one batch inside one store
 * transaction, each command under its own savepoint (a refused command
 * changes nothing, the others stand); the batch commits once, and only then
 * are the replies sent and the events published. So every acknowledgement
 * means "committed", and one commit (one fsync) serves many commands.
 *
 * Every service also answers trin.EventsSince (replay from the outbox),
 * trin.AuditSince (who caused each event), trin.Ping, trin.Describe (its
 * requests and who may send them) and trin.metrics.GetMetrics (its
 * Prometheus metrics, for admin, service and gateway keys and
 * unauthenticated local callers) without registering anything.
 *
 * Measured in trin_server_metrics (trin_metrics.h): trin_requests_total
 * {type,status}, trin_request_duration_seconds{type} (unknown types as
 * "unknown"), trin_batch_requests, trin_commit_duration_seconds,
 * trin_commits_failed_total, trin_events_published_total,
 * trin_outbox_last_seq.
 *
 * A request's Envelope.actor (a person the gateway acts for) replaces the
 * caller's organisation and role before the gate runs, but only when the
 * connection's key has role gateway (or on an unauthenticated local
 * endpoint); from any other key it is refused FORBIDDEN.
 *
 * Behind CURVE every request's key is checked against the registry again
 * (trin_zap_recheck): a key revoked after its handshake is refused
 * UNAUTHENTICATED on its open connections within a second or two. Behind CURVE (opt->curve) only keys of role service or admin may
 * replay, each event's outbox row records the caller that caused it
 * (trin_outbox_audit), and only unrestricted callers (trin_caller.h: an
 * admin key, or an unauthenticated local endpoint) may read that trail. */
#ifndef TRIN_SERVER_H
#define TRIN_SERVER_H

#include <protobuf-c/protobuf-c.h>
#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "trin_caller.h"
#include "trin_err.h"
#include "trin_keys.h"
#include "trin_outbox.h"
#include "trin_store.h"

typedef struct trin_server trin_server_t;
typedef struct trin_request trin_request_t;

/* A handler: msg is the decoded request (owned by the server, valid during
 * the call). Return TRIN_OK after trin_request_reply, or an error code with
 * err filled; on error every store change and event of this request is
 * undone. */
typedef int (*trin_handler_fn)(trin_request_t *req, const ProtobufCMessage *msg,
                               void *data, trin_err_t *err);

typedef struct {
  const char *service;        /* "lifecycle": topic, log name, outbox name */
  const char *endpoint;       /* ROUTER bind, e.g. "tcp://127.0.0.1:5701" */
  const char *pub_endpoint;   /* PUB bind */
  int batch_max;              /* requests per transaction (default 512) */
  size_t max_message;         /* largest request accepted (default 1 MiB) */
  int heartbeat_ms;           /* heartbeat on PUB (default 1000; 0 = off) */
  /* CURVE server key pair for both sockets (NULL = plain sockets); needs a
   * trin_zap handler running in zctx. Borrowed for the call. */
  const trin_keypair_t *curve;
} trin_server_options_t;

/* loop, zctx and store are borrowed and must outlive the server; the server
 * creates and owns the outbox (trin_server_outbox). */
int trin_server_new(uv_loop_t *loop, void *zctx, trin_store_t *store,
                    const trin_server_options_t *opt, trin_server_t **out,
                    trin_err_t *err);
void trin_server_destroy(trin_server_t **server);

/* Routes requests whose Envelope.type is desc->name to fn. */
int trin_server_handle(trin_server_t *s, const ProtobufCMessageDescriptor *desc,
                       trin_handler_fn fn, void *data);

/* A gate runs before every registered handler (not before the built-ins
 * EventsSince, AuditSince, Ping, Describe and GetMetrics, which check
 * their callers themselves): return TRIN_OK to let the request through, or an error (typically
 * TRIN_EFORBIDDEN) with err filled to refuse it before it touches anything.
 * request_type is the Envelope.type. One gate per server; NULL removes it. */
typedef int (*trin_gate_fn)(const trin_caller_t *caller, const char *request_type,
                            void *data, trin_err_t *err);
void trin_server_set_gate(trin_server_t *s, trin_gate_fn fn, void *data);

/* What the gate allows for request_type, for trin.Describe: up to cap role
 * names (static strings) into roles, and the scope's name ("" = only
 * unrestricted callers). data is the gate's data. */
typedef void (*trin_gate_describe_fn)(void *data, const char *request_type,
                                      const char **roles, size_t *nroles, size_t cap,
                                      const char **scope);
void trin_server_set_gate_describe(trin_server_t *s, trin_gate_describe_fn fn);

trin_outbox_t *trin_server_outbox(trin_server_t *s);
trin_store_t *trin_server_store(trin_server_t *s);

/* The server's metrics registry, which GetMetrics answers with: followers
 * and the service's own code may add their families to it. Owned by the
 * server (it dies with it); use it on the server's loop. */
typedef struct trin_metrics trin_metrics_t;
trin_metrics_t *trin_server_metrics(trin_server_t *s);

/* Counters for logs and benchmarks. */
typedef struct {
  uint64_t requests, errors, batches, commits_failed, events_published;
} trin_server_stats_t;
trin_server_stats_t trin_server_stats(const trin_server_t *s);

/* Runs fn in its own store transaction outside any request — for applying
 * another service's event — with the same guarantees as a request: fn may
 * write and trin_request_emit; on TRIN_OK everything commits and the events
 * are published, on failure nothing stays. trin_request_reply must not be
 * called; trin_request_caller is empty. */
typedef int (*trin_apply_fn)(trin_request_t *req, void *data, trin_err_t *err);
int trin_server_apply(trin_server_t *s, trin_apply_fn fn, void *data, trin_err_t *err);

/* ---- inside a handler ---------------------------------------------------- */

const trin_caller_t *trin_request_caller(const trin_request_t *req);
/* The request's Envelope.type ("trin.budget.SetLine"); "" inside
 * trin_server_apply. Owned by the server, valid during the call. */
const char *trin_request_type(const trin_request_t *req);
trin_store_t *trin_request_store(const trin_request_t *req);
/* Packs reply as the request's answer (replaces an earlier one). */
int trin_request_reply(trin_request_t *req, const ProtobufCMessage *reply,
                       trin_err_t *err);
/* Writes an event to the outbox in this request's transaction; see
 * trin_outbox_append. */
int trin_request_emit(trin_request_t *req, const char *type, const char *org,
                      const trin_event_id_t *ids, size_t nids,
                      const ProtobufCMessage *payload, uint64_t *seq,
                      trin_err_t *err);

#endif
