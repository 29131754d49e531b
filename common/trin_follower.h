/* trin_follower — applies another service's events to this service's store
 * exactly once and in order: a run of consecutive events (up to
 * TRIN_SUBSCRIBER_RUN_MAX) is applied in one transaction (through
 * trin_server_apply, so whatever it emits is published) together with the
 * cursor that records them as applied. A restart resumes after the last
 * event applied; a run in which an event fails is retried later, whole,
 * never skipped. */
#ifndef TRIN_FOLLOWER_H
#define TRIN_FOLLOWER_H

#include <stdbool.h>
#include <stdint.h>
#include <uv.h>

#include "trin/envelope.pb-c.h"
#include "trin_err.h"
#include "trin_server.h"

typedef struct trin_follower trin_follower_t;

/* Applies ev inside the open transaction: write with
 * trin_request_store(req), emit with trin_request_emit. Return TRIN_OK when
 * the event is done with — also when it was of no interest, or refused by
 * this service's rules and logged: the cursor then moves past it. Return an
 * error only when it should be tried again (the store failed). */
typedef int (*trin_follower_fn)(trin_request_t *req, const Trin__Event *ev, void *data,
                                trin_err_t *err);

/* Optional, after each run's transaction: committed is true when the run's
 * effects (every fn call since the last after_fn) are stored, false when
 * they were rolled back and will be delivered again. For state kept beside
 * the store (an in-memory index) that may follow only what committed. */
typedef void (*trin_follower_after_fn)(void *data, bool committed);

typedef struct {
  const char *service;       /* whose events: "lifecycle" */
  const char *endpoint;      /* its ROUTER (for replay) */
  const char *pub_endpoint;  /* its PUB */
  int retry_ms;              /* 0 = the subscriber's default */
  const trin_curve_client_t *curve;  /* NULL = plain; copied */
  trin_follower_after_fn after;      /* NULL = none */
  /* Events up to the cursor's replay mark (trin_cursor_rewind) were applied
   * before: they go to replay instead of fn, for only what fn's earlier
   * versions did not do. NULL = they are passed over. */
  trin_follower_fn replay;
} trin_follower_options_t;

/* server (and its store, which holds the cursor) must outlive the
 * follower; the cursor table must be migrated (trin_cursor_migrate). */
int trin_follower_new(uv_loop_t *loop, void *zctx, trin_server_t *server,
                      const trin_follower_options_t *opt, trin_follower_fn fn, void *data,
                      trin_follower_t **out, trin_err_t *err);
/* The memory is freed once libuv releases the handles (keep running the
 * loop); *f is set to NULL. */
void trin_follower_destroy(trin_follower_t **f);

#endif
