/* trin_server — see trin_server.h. */
#include "trin_server.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <zmq.h>

#include "trin/envelope.pb-c.h"
#include "trin/metrics.pb-c.h"
#include "trin_caller.h"
#include "trin_codec.h"
#include "trin_date.h"
#include "trin_log.h"
#include "trin_metrics.h"
#include "trin_zap.h"
#include "trin_zsock.h"

#define SERVER_VERSION "0.1.0"

/* trin statuses are 0..STATUS_N-1; anything else is counted as "unknown". */
#define STATUS_N (TRIN_EUNAUTHENTICATED + 1)

/* A request type's series: made when the route is registered (duration) or
 * on a status's first use (counts), so counting a request allocates
 * nothing. */
typedef struct {
  const char *type;
  trin_metric_t *by_status[STATUS_N + 1];
  trin_metric_t *duration;
} route_metrics_t;

typedef struct {
  const ProtobufCMessageDescriptor *desc;
  trin_handler_fn fn;
  void *data;
  route_metrics_t *mx;  /* owned by the route */
} route_t;

/* One request of a batch, from arrival to reply. */
struct trin_request {
  trin_server_t *server;
  uint8_t identity[256];
  size_t identity_len;
  bool delimiter;        /* the client sent an empty frame first (REQ) */
  zmq_msg_t body;
  bool malformed;        /* frames were not [empty,] body */
  bool no_identity;      /* on a CURVE socket, but the ZAP handler named no caller */
  bool applying;         /* inside trin_server_apply: the actor is this service */
  trin_caller_t caller;
  const char *type;      /* the route's request name while it runs */
  route_metrics_t *mx;   /* its route's series; the server's "unknown" when none */
  char correlation_id[65];
  /* The reply, packed payload and type, or the error. */
  uint8_t *reply_payload;
  size_t reply_len;
  const char *reply_type;
  trin_err_t err;
};

struct trin_server {
  uv_loop_t *loop;
  trin_store_t *store;
  trin_outbox_t *outbox;
  char service[32];
  void *router, *pub;
  trin_zsock_t *zrouter;
  uv_timer_t heartbeat;
  bool heartbeat_on;
  route_t *routes;
  size_t nroutes, cap_routes;
  int batch_max;
  size_t max_message;
  trin_request_t *batch;
  trin_server_stats_t stats;
  /* Prometheus metrics (trin_server_metrics), the same counts as stats and
   * more, by request type and status. */
  trin_metrics_t *metrics;
  trin_metric_family_t *m_requests, *m_duration;
  trin_metric_t *m_batch, *m_commit, *m_commits_failed, *m_published, *m_last_seq;
  route_metrics_t unknown;  /* requests that named no route */
  trin_gate_fn gate;
  void *gate_data;
  trin_gate_describe_fn gate_describe;
  bool curve;            /* ROUTER and PUB speak CURVE behind trin_zap */
  void *zctx;            /* whose ZAP handler rechecks each request's key */
  /* A store that cannot begin refuses every batch: said at most once a
   * second, with how many batches were refused in between. */
  uint64_t begin_logged_at;
  unsigned begin_unlogged;
};

typedef struct {
  const trin_keypair_t *kp;
  const char *domain;
} curve_setup_t;

static int setup_curve(void *socket, void *data, trin_err_t *err) {
  const curve_setup_t *c = data;
  return trin_keys_set_server(socket, c->kp, c->domain, err);
}

/* Without a ZAP handler libzmq lets every CURVE client in, unnamed: refuse to
 * start like that. The handler holds the context's ZAP endpoint, so binding
 * it here must fail. */
static int require_zap(void *zctx, trin_err_t *err) {
  void *probe = zmq_socket(zctx, ZMQ_PAIR);
  if (!probe) return trin_err_set(err, TRIN_EIO, "", "cannot create a socket");
  int rc = zmq_bind(probe, "inproc://zeromq.zap.01");
  int e = errno;
  if (rc == 0) zmq_unbind(probe, "inproc://zeromq.zap.01");
  zmq_close(probe);
  if (rc == 0 || e != EADDRINUSE)
    return trin_err_set(err, TRIN_EINTERNAL, "",
                        "CURVE sockets need the ZAP handler (trin_zap_start) running in "
                        "the same ZeroMQ context first");
  return TRIN_OK;
}

static int handle_events_since(trin_request_t *req, const ProtobufCMessage *msg,
                               void *data, trin_err_t *err);
static int handle_audit_since(trin_request_t *req, const ProtobufCMessage *msg,
                              void *data, trin_err_t *err);
static int handle_ping(trin_request_t *req, const ProtobufCMessage *msg,
                       void *data, trin_err_t *err);
static int handle_describe(trin_request_t *req, const ProtobufCMessage *msg,
                           void *data, trin_err_t *err);
static int handle_get_metrics(trin_request_t *req, const ProtobufCMessage *msg,
                              void *data, trin_err_t *err);
static int metrics_new(trin_server_t *s, trin_err_t *err);
static void on_router(trin_zsock_t *zs, void *socket, void *data);
static void on_heartbeat(uv_timer_t *t);

int trin_server_new(uv_loop_t *loop, void *zctx, trin_store_t *store,
                    const trin_server_options_t *opt, trin_server_t **out,
                    trin_err_t *err) {
  trin_server_t *s = calloc(1, sizeof *s);
  if (!s) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  s->loop = loop;
  s->store = store;
  snprintf(s->service, sizeof s->service, "%s", opt->service);
  s->batch_max = opt->batch_max > 0 ? opt->batch_max : 512;
  s->max_message = opt->max_message > 0 ? opt->max_message : TRIN_CODEC_MAX_MESSAGE;
  s->batch = calloc((size_t)s->batch_max, sizeof *s->batch);
  s->curve = opt->curve != NULL;
  s->zctx = zctx;
  curve_setup_t req_curve = {opt->curve, TRIN_ZAP_REQUESTS};
  curve_setup_t ev_curve = {opt->curve, TRIN_ZAP_EVENTS};
  trin_zsock_setup_fn setup = s->curve ? setup_curve : NULL;
  int rc = s->batch ? TRIN_OK : trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  if (!rc && s->curve) rc = require_zap(zctx, err);
  if (!rc) rc = metrics_new(s, err);
  if (!rc) rc = trin_outbox_open(store, opt->service, &s->outbox, err);
  if (!rc)
    rc = trin_zsock_open_socket_with(zctx, ZMQ_ROUTER, opt->endpoint, 1, setup, &req_curve,
                                     &s->router, err);
  if (!rc) {
    /* Far-too-large messages cost the sender its connection; those merely
     * over max_message are read and answered with TOO_BIG. */
    int64_t hard = (int64_t)s->max_message * 16;
    zmq_setsockopt(s->router, ZMQ_MAXMSGSIZE, &hard, sizeof hard);
    rc = trin_zsock_open_socket_with(zctx, ZMQ_PUB, opt->pub_endpoint, 1, setup, &ev_curve,
                                     &s->pub, err);
  }
  if (rc) {
    if (s->router) zmq_close(s->router);
    trin_outbox_destroy(&s->outbox);
    trin_metrics_destroy(&s->metrics);
    free(s->batch);
    free(s);
    return rc;
  }
  trin_server_handle(s, &trin__events_since__descriptor, handle_events_since, s);
  trin_server_handle(s, &trin__audit_since__descriptor, handle_audit_since, s);
  trin_server_handle(s, &trin__ping__descriptor, handle_ping, s);
  trin_server_handle(s, &trin__describe__descriptor, handle_describe, s);
  trin_server_handle(s, &trin__metrics__get_metrics__descriptor, handle_get_metrics, s);
  if ((rc = trin_zsock_new(loop, s->router, on_router, s, &s->zrouter, err))) {
    zmq_close(s->router);
    zmq_close(s->pub);
    trin_outbox_destroy(&s->outbox);
    for (size_t i = 0; i < s->nroutes; i++) free(s->routes[i].mx);
    free(s->routes);
    trin_metrics_destroy(&s->metrics);
    free(s->batch);
    free(s);
    return rc;
  }
  uv_timer_init(loop, &s->heartbeat);
  s->heartbeat.data = s;
  if (opt->heartbeat_ms != 0) {
    int ms = opt->heartbeat_ms > 0 ? opt->heartbeat_ms : 1000;
    uv_timer_start(&s->heartbeat, on_heartbeat, (uint64_t)ms, (uint64_t)ms);
    s->heartbeat_on = true;
  }
  trin_log_info("%s: requests on %s, events on %s%s, last event %llu", s->service,
                opt->endpoint, opt->pub_endpoint, s->curve ? " (CURVE)" : "",
                (unsigned long long)trin_outbox_last_seq(s->outbox));
  *out = s;
  return TRIN_OK;
}

static void on_timer_closed(uv_handle_t *h) { free(h->data); }

void trin_server_destroy(trin_server_t **sp) {
  if (!sp || !*sp) return;
  trin_server_t *s = *sp;
  *sp = NULL;
  trin_zsock_close(&s->zrouter);
  int linger = 0;
  zmq_setsockopt(s->pub, ZMQ_LINGER, &linger, sizeof linger);
  zmq_close(s->pub);
  trin_outbox_destroy(&s->outbox);
  for (size_t i = 0; i < s->nroutes; i++) free(s->routes[i].mx);
  free(s->routes);
  trin_metrics_destroy(&s->metrics);
  free(s->batch);
  /* The timer handle lives inside s: free s when libuv lets go of it. */
  uv_timer_stop(&s->heartbeat);
  uv_close((uv_handle_t *)&s->heartbeat, on_timer_closed);
}

int trin_server_handle(trin_server_t *s, const ProtobufCMessageDescriptor *desc,
                       trin_handler_fn fn, void *data) {
  for (size_t i = 0; i < s->nroutes; i++) {
    if (s->routes[i].desc == desc) {
      s->routes[i].fn = fn;
      s->routes[i].data = data;
      return TRIN_OK;
    }
  }
  if (s->nroutes == s->cap_routes) {
    size_t nc = s->cap_routes ? s->cap_routes * 2 : 16;
    route_t *r = realloc(s->routes, nc * sizeof *r);
    if (!r) return TRIN_EINTERNAL;
    s->routes = r;
    s->cap_routes = nc;
  }
  route_metrics_t *mx = calloc(1, sizeof *mx);
  if (!mx) return TRIN_EINTERNAL;
  mx->type = desc->name;
  /* Without its histogram the route still works, only unmeasured. */
  trin_metrics_series(s->m_duration, (const char *[]){desc->name}, &mx->duration, NULL);
  s->routes[s->nroutes++] = (route_t){desc, fn, data, mx};
  return TRIN_OK;
}

/* ---- metrics --------------------------------------------------------------------- */

/* Upper bounds in seconds: a request is handled in microseconds when all is
 * well (many per commit), a commit is an fsync (a millisecond or more). */
static const double DURATION_BOUNDS[] = {0.00001, 0.000025, 0.0001, 0.00025, 0.001,
                                         0.0025,  0.01,     0.025,  0.1,     0.25,
                                         1,       2.5,      10};
static const double BATCH_BOUNDS[] = {1, 2, 5, 10, 20, 50, 100, 200, 500, 1000};
#define NBOUNDS(a) (sizeof(a) / sizeof *(a))

static void metrics_hook(trin_metrics_t *m, void *data) {
  trin_server_t *s = data;
  (void)m;
  trin_metric_set(s->m_last_seq, (double)trin_outbox_last_seq(s->outbox));
}

static int metrics_new(trin_server_t *s, trin_err_t *err) {
  trin_metric_family_t *f;
  int rc = trin_metrics_new(&s->metrics, err);
  trin_metrics_t *m = s->metrics;
  if (!rc)
    rc = trin_metrics_counter(m, "trin_requests_total",
                              "Requests answered, by request type and trin status (ok, invalid, "
                              "not_found, forbidden, ...).",
                              "type,status", &s->m_requests, err);
  if (!rc)
    rc = trin_metrics_histogram(m, "trin_request_duration_seconds",
                                "Time to handle one request (decode, access check, handler), "
                                "without the commit it waits for.",
                                "type", DURATION_BOUNDS, NBOUNDS(DURATION_BOUNDS), &s->m_duration,
                                err);
  if (!rc)
    rc = trin_metrics_histogram(m, "trin_batch_requests",
                                "Requests handled together in one transaction (one commit).", "",
                                BATCH_BOUNDS, NBOUNDS(BATCH_BOUNDS), &f, err);
  if (!rc) rc = trin_metrics_series(f, NULL, &s->m_batch, err);
  if (!rc)
    rc = trin_metrics_histogram(m, "trin_commit_duration_seconds",
                                "Time to commit one batch's transaction.", "", DURATION_BOUNDS,
                                NBOUNDS(DURATION_BOUNDS), &f, err);
  if (!rc) rc = trin_metrics_series(f, NULL, &s->m_commit, err);
  if (!rc)
    rc = trin_metrics_counter(m, "trin_commits_failed_total",
                              "Batches whose commit failed: every request in them was refused.",
                              "", &f, err);
  if (!rc) rc = trin_metrics_series(f, NULL, &s->m_commits_failed, err);
  if (!rc)
    rc = trin_metrics_counter(m, "trin_events_published_total",
                              "Events published on the PUB socket after their commit.", "", &f,
                              err);
  if (!rc) rc = trin_metrics_series(f, NULL, &s->m_published, err);
  if (!rc)
    rc = trin_metrics_gauge(m, "trin_outbox_last_seq",
                            "Sequence number of the newest committed event in the outbox.", "",
                            &f, err);
  if (!rc) rc = trin_metrics_series(f, NULL, &s->m_last_seq, err);
  if (!rc) rc = trin_metrics_add_hook(m, metrics_hook, s, err);
  s->unknown.type = "unknown";
  if (!rc) rc = trin_metrics_series(s->m_duration, (const char *[]){"unknown"},
                                    &s->unknown.duration, err);
  if (rc) trin_metrics_destroy(&s->metrics);
  return rc;
}

/* Counts r under its type and status, made on the status's first use. */
static void count_request(trin_server_t *s, const trin_request_t *r) {
  route_metrics_t *mx = r->mx ? r->mx : &s->unknown;
  int code = r->err.code >= 0 && r->err.code < STATUS_N ? r->err.code : STATUS_N;
  if (!mx->by_status[code])
    trin_metrics_series(s->m_requests, (const char *[]){mx->type, trin_status_name(code)},
                        &mx->by_status[code], NULL);
  trin_metric_inc(mx->by_status[code]);
}

trin_metrics_t *trin_server_metrics(trin_server_t *s) { return s->metrics; }

trin_outbox_t *trin_server_outbox(trin_server_t *s) { return s->outbox; }
trin_store_t *trin_server_store(trin_server_t *s) { return s->store; }
trin_server_stats_t trin_server_stats(const trin_server_t *s) { return s->stats; }

const trin_caller_t *trin_request_caller(const trin_request_t *r) { return &r->caller; }

const char *trin_request_type(const trin_request_t *r) { return r->type ? r->type : ""; }

void trin_server_set_gate(trin_server_t *s, trin_gate_fn fn, void *data) {
  s->gate = fn;
  s->gate_data = data;
}

void trin_server_set_gate_describe(trin_server_t *s, trin_gate_describe_fn fn) {
  s->gate_describe = fn;
}
trin_store_t *trin_request_store(const trin_request_t *r) { return r->server->store; }

int trin_request_reply(trin_request_t *r, const ProtobufCMessage *reply,
                       trin_err_t *err) {
  free(r->reply_payload);
  r->reply_payload = NULL;
  int rc = trin_codec_pack(reply, &r->reply_payload, &r->reply_len, err);
  if (rc == TRIN_OK) r->reply_type = reply->descriptor->name;
  return rc;
}

int trin_request_emit(trin_request_t *r, const char *type, const char *org,
                      const trin_event_id_t *ids, size_t nids,
                      const ProtobufCMessage *payload, uint64_t *seq,
                      trin_err_t *err) {
  /* The audit trail: who caused the event. Applying another service's event
   * is this service acting on its own. */
  trin_outbox_actor_t actor = {r->caller.org, r->caller.role, r->caller.key,
                               r->caller.person};
  if (r->applying) actor = (trin_outbox_actor_t){"", "service", "", ""};
  return trin_outbox_append_as(r->server->outbox, &actor, type, org, ids, nids, payload,
                               seq, err);
}

/* ---- receiving ----------------------------------------------------------- */

/* Reads one whole multipart message into r: [identity, body] from DEALER,
 * [identity, empty, body] from REQ; any other shape is kept as malformed so
 * the sender still gets an answer. Returns false when nothing is waiting. */
static bool recv_request(trin_server_t *s, trin_request_t *r) {
  zmq_msg_t part;
  zmq_msg_init(&part);
  if (zmq_msg_recv(&part, s->router, ZMQ_DONTWAIT) < 0) {
    zmq_msg_close(&part);
    return false;
  }
  memset(r, 0, sizeof *r);
  r->server = s;
  size_t idl = zmq_msg_size(&part);
  if (idl > sizeof r->identity) idl = sizeof r->identity;
  memcpy(r->identity, zmq_msg_data(&part), idl);
  r->identity_len = idl;
  /* Who sent it, as the ZAP handler named it at the handshake (plain
   * sockets: nobody, and the caller stays unauthenticated). */
  trin_zap_caller(zmq_msg_gets(&part, "User-Id"), &r->caller);
  bool more = zmq_msg_more(&part);
  zmq_msg_close(&part);

  zmq_msg_t f[2];
  int n = 0;
  while (more) {
    zmq_msg_t m;
    zmq_msg_init(&m);
    if (zmq_msg_recv(&m, s->router, 0) < 0) {
      zmq_msg_close(&m);
      break;
    }
    more = zmq_msg_more(&m);
    if (n < 2) {
      zmq_msg_init(&f[n]);
      zmq_msg_move(&f[n], &m);
    }
    n++;
    zmq_msg_close(&m);
  }
  zmq_msg_init(&r->body);
  if (n == 1) {
    zmq_msg_move(&r->body, &f[0]);
  } else if (n == 2 && zmq_msg_size(&f[0]) == 0) {
    r->delimiter = true;
    zmq_msg_move(&r->body, &f[1]);
  } else {
    r->malformed = true;
    r->delimiter = n >= 2 && zmq_msg_size(&f[0]) == 0;
  }
  for (int i = 0; i < n && i < 2; i++) {
    if (!r->caller.authenticated) trin_zap_caller(zmq_msg_gets(&f[i], "User-Id"), &r->caller);
    zmq_msg_close(&f[i]);
  }
  if (!r->caller.authenticated && zmq_msg_size(&r->body))
    trin_zap_caller(zmq_msg_gets(&r->body, "User-Id"), &r->caller);
  r->no_identity = s->curve && !r->caller.authenticated;
  return true;
}

/* ---- handling -------------------------------------------------------------- */

static const route_t *find_route(trin_server_t *s, const char *type) {
  for (size_t i = 0; i < s->nroutes; i++)
    if (strcmp(s->routes[i].desc->name, type) == 0) return &s->routes[i];
  return NULL;
}

/* The gateway asks on a person's behalf: from then on the request is that
 * person's, under exactly the rules a direct key of the same organisation
 * and role meets. Only a key registered as gateway may say so; a keyless
 * local caller may too, since it is unrestricted and can only narrow. A
 * person is never a service or a gateway. */
static int assert_actor(trin_server_t *s, trin_request_t *r, const Trin__Actor *a,
                        trin_err_t *err) {
  trin_caller_t *c = &r->caller;
  if (c->authenticated && trin_role_parse(c->role) != TRIN_ROLE_GATEWAY)
    return trin_err_set(err, TRIN_EFORBIDDEN, "actor",
                        "only the gateway's key (role gateway) may act on someone's behalf; "
                        "this key (%s) of organisation \"%s\" has role '%s'",
                        c->key, c->org, c->role[0] ? c->role : "none");
  trin_role_t role = trin_role_parse(a->role);
  if (role == TRIN_ROLE_NONE || role == TRIN_ROLE_SERVICE || role == TRIN_ROLE_GATEWAY)
    return trin_err_set(err, TRIN_EINVALID, "actor.role",
                        "a person acts as admin, writer, reader, calculator, advisor or "
                        "resident, not '%.32s'",
                        a->role);
  if (!a->org[0] || strlen(a->org) >= sizeof c->org)
    return trin_err_set(err, TRIN_EINVALID, "actor.org",
                        "the organisation the person acts for is required (at most %zu bytes)",
                        sizeof c->org - 1);
  if (!a->person[0] || strlen(a->person) >= sizeof c->person)
    return trin_err_set(err, TRIN_EINVALID, "actor.person",
                        "who the person is is required (at most %zu bytes)",
                        sizeof c->person - 1);
  (void)s;
  c->authenticated = true;
  snprintf(c->org, sizeof c->org, "%s", a->org);
  snprintf(c->role, sizeof c->role, "%s", a->role);
  snprintf(c->person, sizeof c->person, "%s", a->person);
  return TRIN_OK;
}

/* Runs one request inside the open batch transaction. Leaves r->reply_* or
 * r->err set. txn_err: why the batch has no transaction (NULL: it has one). */
static void run_request(trin_server_t *s, trin_request_t *r, const trin_err_t *txn_err) {
  trin_err_t *err = &r->err;
  size_t len = zmq_msg_size(&r->body);
  if (r->malformed) {
    trin_err_set(err, TRIN_EDECODE, "",
                 "expected one frame holding a trin.Envelope (optionally after "
                 "an empty delimiter frame)");
    return;
  }
  if (r->no_identity) {
    trin_err_set(err, TRIN_EUNAUTHENTICATED, "",
                 "this connection has no registered key (the service's ZAP handler did "
                 "not name the caller)");
    return;
  }
  if (len > s->max_message) {
    trin_err_set(err, TRIN_ETOOBIG, "",
                 "the message is %zu bytes; this service accepts at most %zu",
                 len, s->max_message);
    return;
  }
  Trin__Envelope *env = NULL;
  if (trin_codec_unpack(&trin__envelope__descriptor, zmq_msg_data(&r->body), len,
                        "envelope", (ProtobufCMessage **)&env, err))
    return;
  snprintf(r->correlation_id, sizeof r->correlation_id, "%s", env->correlation_id);
  /* The handshake asked the registry once, when the connection opened: a
   * key revoked since must not keep the connections it holds. Before the
   * actor, so the gateway's own key is what is checked. */
  if (s->curve && trin_zap_recheck(s->zctx, &r->caller, err) != TRIN_OK) {
    trin_codec_free(env);
    return;
  }
  const route_t *route = find_route(s, env->type);
  if (!route) {
    trin_err_set(err, TRIN_EUNKNOWN_TYPE, "type",
                 "the %s service has no request called '%.80s'", s->service,
                 env->type);
    trin_codec_free(env);
    return;
  }
  r->type = route->desc->name;
  r->mx = route->mx;
  if (env->actor && assert_actor(s, r, env->actor, err) != TRIN_OK) {
    trin_codec_free(env);
    return;
  }
  if (s->gate && route->fn != handle_events_since && route->fn != handle_audit_since &&
      route->fn != handle_ping && route->fn != handle_describe &&
      route->fn != handle_get_metrics &&
      s->gate(&r->caller, r->type, s->gate_data, err) != TRIN_OK) {
    if (err->code == TRIN_OK) trin_err_set(err, TRIN_EFORBIDDEN, "", "refused");
    trin_codec_free(env);
    return;
  }
  ProtobufCMessage *msg = NULL;
  if (trin_codec_unpack(route->desc, env->payload.data, env->payload.len,
                        "payload", &msg, err)) {
    trin_codec_free(env);
    return;
  }
  trin_codec_free(env);

  if (txn_err) {
    trin_err_set(err, TRIN_ESTORE, "", "the store could not start a transaction: %s",
                 txn_err->message);
    trin_codec_free(msg);
    return;
  }
  size_t mark = trin_outbox_mark(s->outbox);
  int rc = trin_store_savepoint(s->store, err);
  if (rc == TRIN_OK) {
    rc = route->fn(r, msg, route->data, err);
    if (rc == TRIN_OK && !r->reply_type)
      rc = trin_err_set(err, TRIN_EINTERNAL, "", "the handler gave no reply");
    if (rc == TRIN_OK) {
      rc = trin_store_release(s->store, err);
    } else {
      trin_err_t ignored;
      trin_store_rollback_to(s->store, &ignored);
      trin_outbox_rewind(s->outbox, mark);
    }
  }
  if (rc != TRIN_OK) {
    if (err->code == TRIN_OK) trin_err_set(err, rc, "", "request failed");
    free(r->reply_payload);
    r->reply_payload = NULL;
    r->reply_type = NULL;
  }
  trin_codec_free(msg);
}

static void send_reply(trin_server_t *s, trin_request_t *r) {
  uint8_t *out = NULL;
  size_t out_len = 0;
  if (r->reply_type && r->err.code == TRIN_OK) {
    Trin__Envelope env = TRIN__ENVELOPE__INIT;
    env.correlation_id = r->correlation_id;
    env.type = (char *)r->reply_type;
    env.payload.data = r->reply_payload;
    env.payload.len = r->reply_len;
    trin_codec_pack(&env.base, &out, &out_len, NULL);
  } else {
    s->stats.errors++;
    trin_codec_pack_error_reply(r->correlation_id, &r->err, &out, &out_len);
  }
  if (!out) return;
  /* ROUTER drops replies to peers that went away; nothing else to do. */
  zmq_send(s->router, r->identity, r->identity_len, ZMQ_SNDMORE | ZMQ_DONTWAIT);
  if (r->delimiter) zmq_send(s->router, "", 0, ZMQ_SNDMORE | ZMQ_DONTWAIT);
  zmq_send(s->router, out, out_len, ZMQ_DONTWAIT);
  free(out);
}

static void publish_ready(trin_server_t *s) {
  const trin_outbox_event_t *evs;
  size_t n = trin_outbox_ready(s->outbox, &evs);
  for (size_t i = 0; i < n; i++) {
    zmq_send(s->pub, s->service, strlen(s->service), ZMQ_SNDMORE | ZMQ_DONTWAIT);
    zmq_send(s->pub, evs[i].bytes, evs[i].len, ZMQ_DONTWAIT);
  }
  s->stats.events_published += n;
  trin_metric_add(s->m_published, (double)n);
  trin_outbox_clear_ready(s->outbox);
}

static void on_router(trin_zsock_t *zs, void *socket, void *data) {
  trin_server_t *s = data;
  int n = 0;
  while (n < s->batch_max && recv_request(s, &s->batch[n])) n++;
  if (n == 0) return;
  s->stats.batches++;
  s->stats.requests += (uint64_t)n;

  trin_err_t txn_err;
  trin_err_clear(&txn_err);
  bool in_txn = trin_store_begin(s->store, &txn_err) == TRIN_OK;
  if (!in_txn) {
    uint64_t now = uv_now(s->loop);
    if (s->begin_logged_at == 0 || now - s->begin_logged_at >= 1000) {
      if (s->begin_unlogged)
        trin_log_error("cannot begin a transaction: %s (and %u more batches refused since "
                       "the last such line)",
                       txn_err.message, s->begin_unlogged);
      else
        trin_log_error("cannot begin a transaction: %s", txn_err.message);
      s->begin_logged_at = now ? now : 1;
      s->begin_unlogged = 0;
    } else {
      s->begin_unlogged++;
    }
  }
  for (int i = 0; i < n; i++) {
    trin_request_t *r = &s->batch[i];
    uint64_t t0 = uv_hrtime();
    run_request(s, r, in_txn ? NULL : &txn_err);
    trin_metric_observe(r->mx ? r->mx->duration : s->unknown.duration,
                        (double)(uv_hrtime() - t0) / 1e9);
  }
  trin_metric_observe(s->m_batch, n);
  if (in_txn) {
    uint64_t t0 = uv_hrtime();
    int crc = trin_store_commit(s->store, &txn_err);
    trin_metric_observe(s->m_commit, (double)(uv_hrtime() - t0) / 1e9);
    if (crc == TRIN_OK) {
      trin_outbox_committed(s->outbox);
    } else {
      /* Nothing of the batch is stored: no request may be acknowledged. */
      s->stats.commits_failed++;
      trin_metric_inc(s->m_commits_failed);
      trin_log_error("commit failed, %d requests refused: %s", n, txn_err.message);
      trin_outbox_aborted(s->outbox);
      for (int i = 0; i < n; i++) {
        if (s->batch[i].err.code == TRIN_OK) {
          trin_err_set(&s->batch[i].err, TRIN_ESTORE, "", "the commit failed: %s",
                       txn_err.message);
          s->batch[i].reply_type = NULL;
        }
      }
    }
  }
  for (int i = 0; i < n; i++) {
    count_request(s, &s->batch[i]);
    send_reply(s, &s->batch[i]);
    free(s->batch[i].reply_payload);
    zmq_msg_close(&s->batch[i].body);
  }
  publish_ready(s);
  (void)zs;
  (void)socket;
}

/* ---- built-in requests ------------------------------------------------------ */

static int handle_events_since(trin_request_t *req, const ProtobufCMessage *msg,
                               void *data, trin_err_t *err) {
  trin_server_t *s = data;
  const Trin__EventsSince *q = (const Trin__EventsSince *)msg;
  /* The log holds every organisation's events: only trin's own services,
   * the gateway (which may act for any person, admins included) and admins
   * replay it; organisations read through queries. */
  const trin_caller_t *c = &req->caller;
  if (c->authenticated && strcmp(c->role, "service") != 0 && strcmp(c->role, "admin") != 0 &&
      strcmp(c->role, "gateway") != 0)
    return trin_err_set(err, TRIN_EFORBIDDEN, "",
                        "EventsSince is for service, gateway and admin keys; this key (%s) has "
                        "role '%s'",
                        c->key, c->role);
  /* Packed straight from the log's bytes: replay is what a subscriber
   * catching up waits on. */
  uint8_t *b = NULL;
  size_t n = 0;
  int rc = trin_outbox_since_packed(s->outbox, q->after_seq, q->limit, &b, &n, err);
  if (rc) return rc;
  free(req->reply_payload);
  req->reply_payload = b;
  req->reply_len = n;
  req->reply_type = trin__event_batch__descriptor.name;
  return TRIN_OK;
}

/* The audit trail: who caused each committed event. The actor columns come
 * from trin_outbox_audit, the ids from the events themselves (the same rows:
 * both read after_seq..last committed in this transaction, in order). */
static int handle_audit_since(trin_request_t *req, const ProtobufCMessage *msg,
                              void *data, trin_err_t *err) {
  trin_server_t *s = data;
  const Trin__AuditSince *q = (const Trin__AuditSince *)msg;
  /* Who did what across every organisation is for the people accountable
   * for the deployment, not for organisations nor for other services; and
   * for the gateway, which may act for any person, admins included (it
   * tells a person whose edit came too late which change came first). */
  const trin_caller_t *c = &req->caller;
  if (!trin_access_unrestricted(c) && trin_role_parse(c->role) != TRIN_ROLE_GATEWAY)
    return trin_err_set(err, TRIN_EFORBIDDEN, "",
                        "AuditSince is for the deployment's operators (an admin key); this "
                        "key (%s) of organisation \"%s\" has role '%s'",
                        c->key, c->org, c->role[0] ? c->role : "none");
  uint32_t limit = q->limit == 0 || q->limit > 1000 ? 1000 : q->limit;
  Trin__EventBatch events;
  int rc = trin_outbox_since(s->outbox, q->after_seq, limit, &events, err);
  size_t n = 0, nids = 0;
  for (size_t i = 0; rc == TRIN_OK && i < events.n_events; i++) nids += events.events[i]->n_ids;
  trin_outbox_audit_t *rows = calloc(limit, sizeof *rows);
  Trin__AuditEntry *entries = calloc(limit, sizeof *entries);
  Trin__AuditEntry **eptrs = calloc(limit, sizeof *eptrs);
  Trin__AuditEntry__IdsEntry *ids = calloc(nids ? nids : 1, sizeof *ids);
  Trin__AuditEntry__IdsEntry **iptrs = calloc(nids ? nids : 1, sizeof *iptrs);
  if (rc == TRIN_OK && !(rows && entries && eptrs && ids && iptrs))
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  if (rc == TRIN_OK) rc = trin_outbox_audit(s->outbox, q->after_seq, rows, limit, &n, err);
  if (rc == TRIN_OK) {
    Trin__AuditBatch batch = TRIN__AUDIT_BATCH__INIT;
    batch.service = s->service;
    batch.last_seq = trin_outbox_last_seq(s->outbox);
    batch.entries = eptrs;
    batch.n_entries = n;
    size_t ev = 0, used = 0;
    for (size_t i = 0; i < n; i++) {
      Trin__AuditEntry *e = &entries[i];
      trin__audit_entry__init(e);
      e->seq = rows[i].seq;
      e->time = rows[i].time;
      e->type = rows[i].type;
      e->actor_org = rows[i].actor_org;
      e->actor_role = rows[i].actor_role;
      e->actor_key = rows[i].actor_key;
      e->actor_person = rows[i].actor_person;
      while (ev < events.n_events && events.events[ev]->seq < e->seq) ev++;
      if (ev < events.n_events && events.events[ev]->seq == e->seq) {
        const Trin__Event *src = events.events[ev];
        e->ids = &iptrs[used];
        for (size_t k = 0; k < src->n_ids && used < nids; k++, used++) {
          trin__audit_entry__ids_entry__init(&ids[used]);
          ids[used].key = src->ids[k]->key;
          ids[used].value = src->ids[k]->value;
          iptrs[used] = &ids[used];
          e->n_ids++;
        }
      }
      eptrs[i] = e;
    }
    rc = trin_request_reply(req, &batch.base, err);
  }
  trin_outbox_free_batch(&events);
  free(rows);
  free(entries);
  free(eptrs);
  free(ids);
  free(iptrs);
  return rc;
}

static int handle_ping(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                       trin_err_t *err) {
  trin_server_t *s = data;
  Trin__Pong pong = TRIN__PONG__INIT;
  pong.service = s->service;
  pong.last_seq = trin_outbox_last_seq(s->outbox);
  pong.version = SERVER_VERSION;
  return trin_request_reply(req, &pong.base, err);
}

/* Which requests this service answers and who may send each, from its
 * routes and its gate. Every caller the socket admits may ask: the rules
 * are documentation, not a secret. */
static int handle_describe(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                           trin_err_t *err) {
  trin_server_t *s = data;
  (void)msg;
  Trin__Description d = TRIN__DESCRIPTION__INIT;
  d.service = s->service;
  Trin__OperationRule *ops = calloc(s->nroutes ? s->nroutes : 1, sizeof *ops);
  Trin__OperationRule **ptrs = calloc(s->nroutes ? s->nroutes : 1, sizeof *ptrs);
  const char **roles = calloc((s->nroutes ? s->nroutes : 1) * TRIN_ROLE_COUNT_, sizeof *roles);
  if (!ops || !ptrs || !roles) {
    free(ops);
    free(ptrs);
    free(roles);
    return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  }
  for (size_t i = 0; i < s->nroutes; i++) {
    const route_t *rt = &s->routes[i];
    Trin__OperationRule *o = &ops[d.n_operations];
    trin__operation_rule__init(o);
    o->request = (char *)rt->desc->name;
    const char *scope = "";
    size_t nroles = 0;
    const char **rr = roles + i * TRIN_ROLE_COUNT_;
    if (rt->fn == handle_events_since) {
      rr[nroles++] = "service";
    } else if (rt->fn == handle_get_metrics) {
      rr[nroles++] = "service";
      rr[nroles++] = "gateway";
    } else if (rt->fn == handle_ping || rt->fn == handle_describe) {
      scope = "any";
      for (int k = TRIN_ROLE_SERVICE; k < TRIN_ROLE_COUNT_; k++) rr[nroles++] = trin_role_name(k);
    } else if (rt->fn != handle_audit_since && s->gate_describe) {
      s->gate_describe(s->gate_data, rt->desc->name, rr, &nroles, TRIN_ROLE_COUNT_, &scope);
    } else if (rt->fn != handle_audit_since && !s->gate) {
      scope = "any";
      for (int k = TRIN_ROLE_SERVICE; k < TRIN_ROLE_COUNT_; k++) rr[nroles++] = trin_role_name(k);
    }
    o->roles = (char **)rr;
    o->n_roles = nroles;
    o->scope = (char *)scope;
    ptrs[d.n_operations++] = o;
  }
  d.operations = ptrs;
  int rc = trin_request_reply(req, &d.base, err);
  free(ops);
  free(ptrs);
  free(roles);
  return rc;
}

/* The service's metrics, for the gateway's /metrics. Request counts by type
 * tell how an organisation's work goes, so only the deployment's own keys
 * (admin, service, gateway) and unauthenticated local callers may read
 * them. */
static int handle_get_metrics(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                              trin_err_t *err) {
  trin_server_t *s = data;
  (void)msg;
  const trin_caller_t *c = &req->caller;
  trin_role_t role = trin_role_parse(c->role);
  if (c->authenticated && role != TRIN_ROLE_ADMIN && role != TRIN_ROLE_SERVICE &&
      role != TRIN_ROLE_GATEWAY)
    return trin_err_set(err, TRIN_EFORBIDDEN, "",
                        "GetMetrics is for admin, service and gateway keys (the gateway serves "
                        "them as /metrics); this key (%s) of organisation \"%s\" has role '%s'",
                        c->key, c->org, c->role[0] ? c->role : "none");
  Trin__Metrics__MetricsReply *snap = NULL;
  int rc = trin_metrics_snapshot(s->metrics, s->service, &snap, err);
  if (rc == TRIN_OK) rc = trin_request_reply(req, &snap->base, err);
  trin_codec_free(snap);
  return rc;
}

static void on_heartbeat(uv_timer_t *t) {
  trin_server_t *s = t->data;
  Trin__Event ev = TRIN__EVENT__INIT;
  char now[32];
  trin_time_format(trin_time_now(), now);
  ev.service = s->service;
  ev.seq = trin_outbox_last_seq(s->outbox);
  ev.time = now;
  ev.type = "trin.heartbeat";
  uint8_t *b;
  size_t n;
  if (trin_codec_pack(&ev.base, &b, &n, NULL)) return;
  zmq_send(s->pub, s->service, strlen(s->service), ZMQ_SNDMORE | ZMQ_DONTWAIT);
  zmq_send(s->pub, b, n, ZMQ_DONTWAIT);
  free(b);
}

int trin_server_apply(trin_server_t *s, trin_apply_fn fn, void *data, trin_err_t *err) {
  trin_request_t req;
  memset(&req, 0, sizeof req);
  req.server = s;
  req.applying = true;
  int rc = trin_store_begin(s->store, err);
  if (rc) return rc;
  rc = fn(&req, data, err);
  free(req.reply_payload);
  if (rc == TRIN_OK) rc = trin_store_commit(s->store, err);
  else trin_store_rollback(s->store, NULL);
  if (rc == TRIN_OK) {
    trin_outbox_committed(s->outbox);
    publish_ready(s);
  } else {
    trin_outbox_aborted(s->outbox);
  }
  return rc;
}
