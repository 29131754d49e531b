/* trin_subscriber — follows one service's events exactly once and in order:
 * live from its PUB socket, and from its outbox (EventsSince on its ROUTER)
 * whenever it starts, falls behind, misses a number or hears a heartbeat
 * ahead of what it has. The consumer persists the last sequence it applied
 * and passes it in at start; everything after it is delivered. */
#ifndef TRIN_SUBSCRIBER_H
#define TRIN_SUBSCRIBER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "trin/envelope.pb-c.h"
#include "trin_err.h"
#include "trin_keys.h"

typedef struct trin_subscriber trin_subscriber_t;

/* Called once per event, in sequence order, seq == last + 1. ev is owned by
 * the subscriber and valid during the call. Return TRIN_OK when applied; any
 * other value leaves the event unapplied, and it is delivered again later
 * (after retry_ms) from the outbox. */
typedef int (*trin_subscriber_fn)(void *data, const Trin__Event *ev);

/* The longest run handed to a run_fn at once. */
#define TRIN_SUBSCRIBER_RUN_MAX 256

/* Instead of one event at a time: a run of n (1..TRIN_SUBSCRIBER_RUN_MAX)
 * consecutive events, in sequence order, so the consumer can apply them in
 * one transaction. evs and the events are owned by the subscriber and valid
 * during the call. Return TRIN_OK when all of them are applied; any other
 * value means none is, and the run is delivered again later (after
 * retry_ms) from the outbox. */
typedef int (*trin_subscriber_run_fn)(void *data, const Trin__Event *const *evs, size_t n);

typedef struct {
  const char *service;        /* topic and expected Event.service */
  const char *pub_endpoint;   /* the service's PUB */
  const char *endpoint;       /* the service's ROUTER, for repairs */
  uint64_t after_seq;         /* last event the consumer already applied */
  int retry_ms;               /* repair timeout / retry interval (default 2000) */
  const trin_curve_client_t *curve;  /* NULL = plain; copied */
  const char *org;            /* NULL or "" = every event; else only events whose
                                 Event.org is this organisation */
  trin_subscriber_run_fn run_fn; /* when set, events go here in runs and the
                                    fn of trin_subscriber_new may be NULL */
} trin_subscriber_options_t;

/* loop and zctx are borrowed. */
int trin_subscriber_new(uv_loop_t *loop, void *zctx,
                        const trin_subscriber_options_t *opt, trin_subscriber_fn fn,
                        void *data, trin_subscriber_t **out, trin_err_t *err);
/* Closes the sockets; the memory is freed once libuv releases the handles
 * (keep running the loop until it returns). */
void trin_subscriber_destroy(trin_subscriber_t **sub);

uint64_t trin_subscriber_last_seq(const trin_subscriber_t *sub);
/* The newest sequence the service is known to have committed (from its
 * events, heartbeats and replay answers); never below last_seq. Minus
 * last_seq: how far behind the subscriber is. */
uint64_t trin_subscriber_known_seq(const trin_subscriber_t *sub);

typedef struct {
  uint64_t delivered;   /* events passed to fn and accepted */
  uint64_t live;        /* of those, arrived on PUB */
  uint64_t repaired;    /* of those, fetched from the outbox */
  uint64_t gaps;        /* times a gap or lag was noticed */
  uint64_t duplicates;  /* events seen again and dropped */
} trin_subscriber_stats_t;
trin_subscriber_stats_t trin_subscriber_stats(const trin_subscriber_t *sub);

/* True while it is fetching missed events from the service's outbox (it is
 * behind), false once it follows live events. */
bool trin_subscriber_repairing(const trin_subscriber_t *sub);

#endif
