/* agg_service — the aggregator put together on its store and ROUTER/PUB
 * (trin_server: GetRows from agg_handlers.h, EventsSince, Ping; every row
 * change published as an aggregator.status_changed event): one
 * trin_subscriber per upstream service, the rows, and the HTTP feed.
 *
 * Consuming: each upstream event is applied to the rows in memory at once;
 * at the end of the loop turn (uv_check) everything that changed is written
 * in ONE transaction — the changed rows with their new seq (one outbox event
 * each, so seq = the aggregator's event number), the names, and the cursor
 * of every upstream service advanced. So the rows and the cursors always
 * agree in the store: after kill -9 the aggregator resumes after the last
 * event whose effect it stored. If a commit fails, the service reloads the
 * rows from the store and restarts its subscribers from the stored cursors.
 * After the commit, the changed rows go to the SSE streams. The same
 * transaction queues each changed row for every Power BI push target
 * (agg_push.h); after the commit the push sender starts what its limits
 * allow. */
#ifndef TRIN_AGG_SERVICE_H
#define TRIN_AGG_SERVICE_H

#include <stdint.h>
#include <uv.h>

#include "agg_feed.h"
#include "agg_push.h"
#include "agg_rows.h"
#include "trin/envelope.pb-c.h"
#include "trin_err.h"
#include "trin_keys.h"
#include "trin_server.h"
#include "trin_store.h"

/* The services the aggregator follows, in this order. */
#define AGG_NUPSTREAMS 4
extern const char *const AGG_UPSTREAMS[AGG_NUPSTREAMS]; /* lifecycle budget survey benchmark */

typedef struct {
  /* The store and the server, for agg_service_new only (agg_service_new_on
   * is given them). */
  const char *endpoint;       /* ROUTER bind */
  const char *pub_endpoint;   /* PUB bind */
  const char *store;          /* "sqlite:PATH" or ":memory:" */
  trin_store_sync_t sync;
  int heartbeat_ms;           /* on the PUB (0 = off, < 0 = default) */
  const trin_keypair_t *curve; /* own ROUTER and PUB; NULL = plain */
  int32_t retry_ms;           /* subscribers' repair retry (0 = default) */
  /* Per upstream: "" = not deployed (its columns stay empty). */
  const char *up_endpoint[AGG_NUPSTREAMS];
  const char *up_pub_endpoint[AGG_NUPSTREAMS];
  /* CURVE to each upstream (trin_secure.h); NULL = plain. Borrowed: they
   * must outlive the service, as its subscribers are remade from them after
   * a failed commit. */
  const trin_curve_client_t *up_curve[AGG_NUPSTREAMS];
  agg_thresholds_t thresholds;
  agg_feed_options_t feed;    /* feed.address "" = no HTTP */
  agg_push_options_t push;    /* push.urls "" = no Power BI push */
} agg_config_t;

typedef struct agg_service agg_service_t;

/* The aggregator's schema, its access tables and tokens (a trin_service
 * spec's migrate). A store that predates membership is made to rebuild its
 * rows from the services' logs once. */
int agg_service_migrate(trin_store_t *store, trin_err_t *err);

/* The aggregator on a store migrated with agg_service_migrate and a server
 * made on it (trin-aggregator: trin_service's). Both borrowed: they must
 * outlive the service, and are destroyed after it. */
int agg_service_new_on(uv_loop_t *loop, void *zctx, trin_store_t *store, trin_server_t *server,
                       const agg_config_t *cfg, agg_service_t **out, trin_err_t *err);
/* The same with a store and server of its own made from cfg's endpoint,
 * pub_endpoint, store, sync, heartbeat_ms and curve (tests run it so). */
int agg_service_new(uv_loop_t *loop, void *zctx, const agg_config_t *cfg,
                    agg_service_t **out, trin_err_t *err);
/* Closes everything it owns; keep running the loop until it returns to free it. */
void agg_service_destroy(agg_service_t **a);

/* NULL when push is off. */
agg_push_t *agg_service_push(agg_service_t *a);
int agg_service_http_port(const agg_service_t *a);

/* What a subscriber calls per event (public for tests that feed events
 * without sockets): applies ev from `service`; TRIN_OK when applied or
 * skipped as undecodable (logged and counted). */
int agg_service_consume(agg_service_t *a, int upstream, const Trin__Event *ev);
/* Commits what changed (normally done at the end of every loop turn). */
int agg_service_flush(agg_service_t *a, trin_err_t *err);

typedef struct {
  uint64_t consumed[AGG_NUPSTREAMS];   /* events applied */
  uint64_t bad[AGG_NUPSTREAMS];        /* skipped: payload not decodable */
  uint64_t cursor[AGG_NUPSTREAMS];     /* last event stored */
  uint64_t commits, commit_failures, rows_changed;
} agg_service_stats_t;
agg_service_stats_t agg_service_stats(const agg_service_t *a);

#endif
