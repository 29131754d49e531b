/* test_aggregator_util — shared by the aggregator and feed tests: upstream
 * events built in memory, an aggregator service running on its loop in a
 * thread, and a small blocking HTTP/1.1 client. */
#ifndef TEST_AGGREGATOR_UTIL_H
#define TEST_AGGREGATOR_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agg_service.h"
#include "trin/budget.pb-c.h"
#include "trin/envelope.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin/survey.pb-c.h"

/* ---- events ---- */
/* A packed-payload Event; free with tu_event_free. */
Trin__Event *tu_event(const char *service, uint64_t seq, const char *type,
                      const ProtobufCMessage *payload);
void tu_event_free(Trin__Event *ev);
/* A lifecycle project with sensible defaults (stage pre_study since
 * 2024-03-01, helhedsplan, 100 dwellings, municipality "Aarhus"). */
void tu_project(Trin__Lifecycle__Project *p, const char *id, const char *partnership,
                const char *client);

/* ---- a service on a loop thread ---- */
typedef struct tu_svc tu_svc_t;
/* store: "" = in memory. page_size 0 = default. */
tu_svc_t *tu_svc_start(const char *store, int page_size, int sse_heartbeat_ms);
typedef struct {
  const char *store;          /* "" or NULL = in memory */
  int page_size, sse_heartbeat_ms;
  const char *endpoint;       /* ROUTER; NULL = an inproc endpoint */
  const char *pub_endpoint;   /* PUB; NULL = an inproc endpoint */
  int heartbeat_ms;           /* PUB heartbeats (0 = off) */
  agg_push_options_t push;    /* push.urls NULL = off */
} tu_svc_options_t;
tu_svc_t *tu_svc_start_with(const tu_svc_options_t *o);
void tu_svc_stop(tu_svc_t *s);
int tu_svc_port(tu_svc_t *s);
/* Runs fn(svc, arg) on the loop thread and waits for it. */
void tu_svc_run(tu_svc_t *s, void (*fn)(agg_service_t *a, void *arg), void *arg);
/* Applies ev as coming from upstream `up` and commits, on the loop thread. */
void tu_svc_consume(tu_svc_t *s, int up, Trin__Event *ev);
/* Creates n projects P00000..; events seq from *seq+1 (advanced). */
void tu_svc_projects(tu_svc_t *s, int n, uint64_t *seq);

#define TU_TOKEN "t0ken-for-tests"

/* ---- HTTP ---- */
typedef struct {
  int status;
  char *headers;  /* raw, lower-cased names not guaranteed */
  char *body;
  size_t body_len;
} tu_http_t;
/* GET path (with query) with extra header lines ("Name: v\r\n..."); false on
 * a transport failure. */
bool tu_get(int port, const char *path, const char *extra_headers, tu_http_t *out);
void tu_http_free(tu_http_t *r);
/* Counts header lines named name (case-insensitive) and copies the first value. */
int tu_header(const tu_http_t *r, const char *name, char *value, size_t n);
/* A GET with the token as Bearer. */
bool tu_get_auth(int port, const char *path, tu_http_t *out);
/* Waits until the aggregator on port has stored the effect of `upstream`'s
 * event `want` (its /healthz cursor reached it): a bound generous enough
 * for a machine under load (120 s), ending as soon as it holds. False when
 * it never did. */
bool tu_wait_caught_up(int port, const char *upstream, uint64_t want);

/* An open SSE connection. */
typedef struct {
  int fd;
  char buf[1 << 20];
  size_t len;
} tu_sse_t;
bool tu_sse_open(tu_sse_t *s, int port, const char *last_event_id);
/* Reads until `want` complete events arrived or timeout_ms passed; returns
 * the events' ids in ids (max n) and how many there were. Heartbeat
 * comments are counted in *comments when not NULL. */
size_t tu_sse_read(tu_sse_t *s, size_t want, int timeout_ms, uint64_t *ids, size_t n,
                   int *comments);
void tu_sse_close(tu_sse_t *s);

#endif
