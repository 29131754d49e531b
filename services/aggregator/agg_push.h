/* agg_push — changed status rows POSTed to Power BI push datasets, from a
 * durable queue, inside Power BI's published push limits.
 *
 * The queue (agg_push_queue in agg_store) holds one entry per (target,
 * project) with the seq of the row when it was queued; the service writes
 * the entries in the SAME transaction as the changed rows (agg_push_enqueue
 * from its flush), so a row change that is stored is also queued, and
 * nothing acknowledged is lost across kill -9. A project changed again
 * before it was sent keeps one entry with the newer seq: the push carries
 * each row's latest state (a report keeps, per project_id, the row with
 * the highest seq).
 *
 * Sending is libcurl's multi-socket interface on the service's libuv loop
 * (curl_multi_socket_action driven by uv_poll per socket and one uv_timer;
 * no threads). Per target:
 *   - at most max_rows rows per POST (Power BI: 10,000);
 *   - at most window_posts POSTs started in any window_ms (Power BI: 120
 *     per 60 s), counted with a ring of the last start times;
 *   - at most max_pending requests in flight (Power BI: 5);
 *   - string values cut to max_string bytes at a UTF-8 boundary (4,000);
 *   - 2xx: the batch's entries leave the queue (unless queued again with a
 *     newer seq meanwhile);
 *   - 429: nothing new starts until Retry-After (seconds or an HTTP date;
 *     back-off when absent) has passed; the batch is sent again;
 *   - 5xx, a transport error (refused, timeout, TLS), and any other 4xx: the
 *     batch stays queued and nothing new starts for the back-off, which
 *     doubles per consecutive failure from backoff_min_ms up to
 *     backoff_max_ms and resets on success. A 4xx other than 429 (bad
 *     schema, revoked key, deleted dataset) is logged at error level with
 *     the first bytes of Power BI's answer and retried like a 5xx: it needs
 *     an operator's fix, after which delivery resumes with nothing lost.
 *     There is no dead-letter: dropping rows would make the dataset
 *     silently wrong, and the queue holds at most one entry per project.
 * Delivery is at-least-once: a batch whose answer was lost is sent again,
 * and every row carries its seq.
 *
 * Target URLs are secrets (a push URL carries its key): logs and metrics
 * name a target by scheme, host and path only. */
#ifndef TRIN_AGG_PUSH_H
#define TRIN_AGG_PUSH_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "agg_format.h"
#include "agg_rows.h"
#include "trin_err.h"
#include "trin_store.h"

#define AGG_PUSH_MAX_TARGETS 8

typedef struct {
  const char *urls;       /* comma-separated push URLs; "" or NULL = push off */
  const char *table;      /* appended as /tables/TABLE/rows to a URL without "/rows" */
  int32_t max_rows;       /* rows per POST [10000] */
  int32_t window_posts;   /* POSTs per window [120] */
  int32_t window_ms;      /* the window [60000] */
  int32_t max_pending;    /* requests in flight [5] */
  int32_t max_string;     /* bytes per string value [4000] */
  int32_t backoff_min_ms; /* first retry delay [1000] */
  int32_t backoff_max_ms; /* cap [60000] */
  int32_t timeout_ms;     /* per request [30000] */
} agg_push_options_t;

/* Fills the defaults (Power BI's limits) for fields that are 0. */
void agg_push_options_defaults(agg_push_options_t *o);

typedef struct agg_push agg_push_t;

/* rows and store are borrowed (the service's). With no URLs, *out is NULL
 * and TRIN_OK is returned: push is off. A target never seen before is
 * back-filled: every row is queued for it once. */
int agg_push_new(uv_loop_t *loop, trin_store_t *store, agg_rows_t *rows,
                 const agg_push_options_t *opt, agg_push_t **out, trin_err_t *err);
/* Stops sending (requests in flight are abandoned; their rows stay queued)
 * and frees everything once libuv released the handles. */
void agg_push_destroy(agg_push_t **p);
/* After the service reloaded its rows. */
void agg_push_set_rows(agg_push_t *p, agg_rows_t *rows);

/* Inside the service's flush transaction: queues the row for every target. */
int agg_push_enqueue(agg_push_t *p, trin_store_t *st, const agg_row_t *r, trin_err_t *err);
/* After a commit (rows in memory match the store): starts what the limits
 * allow. Cheap when there is nothing to do. */
void agg_push_pump(agg_push_t *p);

/* Prometheus lines: queue depth, POSTs by outcome, rows sent, in flight. */
void agg_push_metrics(agg_push_t *p, trin_buf_t *out);

typedef struct {
  int64_t depth;          /* entries queued */
  uint64_t posts;         /* POSTs started */
  uint64_t posts_ok;      /* answered 2xx */
  uint64_t rows_sent;     /* rows in 2xx batches */
  uint64_t throttled;     /* answered 429 */
  uint64_t server_errors; /* 5xx */
  uint64_t client_errors; /* 4xx other than 429 */
  uint64_t transport_errors;
  uint64_t window_waits;  /* times a POST waited for the rate window */
  int pending;            /* in flight now */
  int max_pending_seen;
  int max_in_window;      /* most POSTs started within one window_ms, as started */
} agg_push_target_stats_t;
agg_push_target_stats_t agg_push_target_stats(agg_push_t *p, int i);

/* ---- the rules, as plain functions (unit-tested without sockets) ---- */

/* Back-off before retry number `failures` (1 = after the first failure):
 * min * 2^(failures-1), capped at max. */
uint64_t agg_push_backoff_ms(int failures, int min_ms, int max_ms);
/* Retry-After: delta-seconds or an HTTP date (RFC 9110), relative to now
 * (Unix seconds). Returns milliseconds, or -1 when absent or unreadable. */
int64_t agg_push_retry_after_ms(const char *value, int64_t now);

/* POST starts in a sliding window: at most `limit` in any `window_ms`. */
typedef struct {
  uint64_t *starts;  /* ring of the last `limit` start times */
  int limit, n, head;
  uint64_t window_ms;
} agg_push_window_t;
int agg_push_window_init(agg_push_window_t *w, int limit, uint64_t window_ms);
void agg_push_window_free(agg_push_window_t *w);
/* 0 when a POST may start at `now`, else the milliseconds to wait. */
uint64_t agg_push_window_wait(const agg_push_window_t *w, uint64_t now);
void agg_push_window_note(agg_push_window_t *w, uint64_t now);
/* How many of the starts noted lie within the window ending at now. */
int agg_push_window_count(const agg_push_window_t *w, uint64_t now);

/* The URL to POST to (table appended when the URL has no "/rows"), and the
 * name logs use (without query or user info). */
void agg_push_target_url(const char *url, const char *table, char *out, size_t n);
void agg_push_target_name(const char *url, char *out, size_t n);

#endif
