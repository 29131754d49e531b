/* agg_feed — the status rows over HTTP on the service's loop (trin_http):
 *   GET /odata/, /odata/$metadata, /odata/ProjectStatus[('id')]   OData v4
 *   GET /api/v1/status[?since=SEQ]      {"rows":[...]}
 *   GET /api/v1/status.csv              RFC 4180; ?delimiter=semicolon&decimal=comma
 *                                       for a Danish Excel (with a UTF-8 BOM)
 *   GET /api/v1/status.xlsx             an Excel workbook (agg_xlsx.h), built
 *                                       on libuv's thread pool
 *   GET /api/v1/stream                  Server-Sent Events, resumable
 *   GET /healthz                        no token needed
 *   GET /metrics                        Prometheus text
 *   GET /                               the dashboard (services/aggregator/web)
 * Every path but /healthz (and the dashboard's script and stylesheet) needs
 * a token, sent as "Authorization: Bearer T", "X-API-Key: T", Basic with T
 * as the password, or ?api_key=T:
 *   - an organisation's token of scope feed:read (trin_token.h, kept in the
 *     aggregator's store): every endpoint answers only the rows of projects
 *     that organisation may see (agg_access.h); /metrics is refused (403);
 *   - the operator's token (setting `token`): every row, and /metrics.
 * No token, an unknown or a revoked one: 401 with WWW-Authenticate. Tokens
 * are compared in constant time and never logged (request logs carry the
 * path only). */
#ifndef TRIN_AGG_FEED_H
#define TRIN_AGG_FEED_H

#include <stddef.h>
#include <stdint.h>
#include <uv.h>

#include "agg_format.h"
#include "agg_rows.h"
#include "trin_err.h"
#include "trin_store.h"

typedef struct agg_feed agg_feed_t;

typedef struct {
  const char *address;     /* "127.0.0.1:8080" */
  const char *token;       /* the operator's token (every row); NULL or "" = none */
  trin_store_t *store;     /* organisations' tokens and membership (borrowed);
                              NULL = the operator's token only. One of the two
                              is required. */
  int32_t page_size;       /* OData server-driven page size (default 1000) */
  const char *public_url;  /* "https://trin.example.dk" when behind a proxy; "" = from Host */
  int32_t heartbeat_ms;    /* SSE heartbeat comment interval (default 15000) */
} agg_feed_options_t;

/* The service fills /metrics and /healthz with what it knows. */
typedef struct {
  void (*metrics)(void *data, trin_buf_t *out);  /* Prometheus lines */
  void (*health)(void *data, trin_buf_t *out);   /* JSON members after "status" */
  void *data;
} agg_feed_hooks_t;

int agg_feed_new(uv_loop_t *loop, agg_rows_t *rows, const agg_feed_options_t *opt,
                 const agg_feed_hooks_t *hooks, agg_feed_t **out, trin_err_t *err);
/* Closes the listener, the streams and the connections. A workbook still
 * being built finishes on the thread pool; keep running the loop (the
 * feed's memory is freed when the last one is done). */
void agg_feed_destroy(agg_feed_t **feed);
int agg_feed_port(const agg_feed_t *feed);
/* Serves another table from now on (after the service reloaded its rows). */
void agg_feed_set_rows(agg_feed_t *feed, agg_rows_t *rows);

/* After a commit: sends each row (with its new seq) to every stream. */
void agg_feed_rows_changed(agg_feed_t *feed, agg_row_t *const *rows, size_t n);

/* Closes at once the SSE streams opened with this token (it was revoked). */
void agg_feed_token_revoked(agg_feed_t *feed, const char *token_id);

#endif
