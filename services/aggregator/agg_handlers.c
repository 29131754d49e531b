/* agg_handlers — see agg_handlers.h. */
#include "agg_handlers.h"

#include <stdlib.h>

#include "agg_access.h"
#include "trin/aggregator.pb-c.h"
#include "trin_access.h"
#include "trin_arena.h"

static int handle_get_rows(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                           trin_err_t *err) {
  agg_rows_t *rows = *(agg_rows_t **)data;
  const Trin__Aggregator__GetRows *q = (const Trin__Aggregator__GetRows *)msg;
  uint32_t limit = q->limit == 0 ? 1000 : q->limit;
  if (limit > 10000)
    return trin_err_set(err, TRIN_EINVALID, "limit", "at most 10000 rows per request, not %u",
                        limit);
  size_t n = agg_rows_count(rows), m = 0;
  agg_row_t **list = malloc((n ? n : 1) * sizeof *list);
  if (!list) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  /* An organisation's key gets the rows of its projects and partnerships;
   * trin's own callers (admin, service, local endpoint) get every row. */
  agg_viewer_t v;
  agg_viewer_init(&v, trin_request_store(req), trin_access_caller_org(req));
  for (size_t i = 0; i < n; i++) {
    agg_row_t *r = agg_rows_at(rows, i);
    if (r->seq > q->since_seq && agg_viewer_sees(&v, r)) list[m++] = r;
  }
  agg_viewer_free(&v);
  /* in seq order; only the first `limit` are needed */
  for (size_t i = 0; i < m && i < limit; i++) {
    size_t best = i;
    for (size_t k = i + 1; k < m; k++)
      if (list[k]->seq < list[best]->seq) best = k;
    agg_row_t *t = list[i];
    list[i] = list[best];
    list[best] = t;
  }
  if (m > limit) m = limit;
  trin_arena_t ar = TRIN_ARENA_INIT;
  Trin__Aggregator__RowList reply = TRIN__AGGREGATOR__ROW_LIST__INIT;
  reply.rows = trin_arena_alloc(&ar, (m ? m : 1) * sizeof *reply.rows);
  for (size_t i = 0; reply.rows && i < m; i++) {
    reply.rows[i] = trin_arena_alloc(&ar, sizeof *reply.rows[i]);
    if (reply.rows[i]) agg_row_to_proto(list[i], &ar, reply.rows[i]);
  }
  reply.n_rows = m;
  reply.last_seq = agg_rows_max_seq(rows);
  int rc = ar.failed ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory")
                     : trin_request_reply(req, &reply.base, err);
  trin_arena_reset(&ar);
  free(list);
  return rc;
}

/* Earned value (issue 20 item 1): one project's row, as GetRows would show
 * it to the caller. */
static int handle_get_project_row(trin_request_t *req, const ProtobufCMessage *msg, void *data,
                                  trin_err_t *err) {
  agg_rows_t *rows = *(agg_rows_t **)data;
  const Trin__Aggregator__GetProjectRow *q = (const Trin__Aggregator__GetProjectRow *)msg;
  if (!q->project_id || !*q->project_id)
    return trin_err_set(err, TRIN_EINVALID, "project_id", "is required");
  agg_row_t *r = agg_rows_find(rows, q->project_id);
  agg_viewer_t v;
  agg_viewer_init(&v, trin_request_store(req), trin_access_caller_org(req));
  bool sees = r && agg_viewer_sees(&v, r);
  agg_viewer_free(&v);
  /* Not seen and not there read the same: a row's existence is not told. */
  if (!sees)
    return trin_err_set(err, TRIN_ENOTFOUND, "project_id",
                        "the status feed has no project '%.80s' that you may see",
                        q->project_id);
  trin_arena_t ar = TRIN_ARENA_INIT;
  Trin__Aggregator__StatusRow row;
  agg_row_to_proto(r, &ar, &row);
  int rc = ar.failed ? trin_err_set(err, TRIN_EINTERNAL, "", "out of memory")
                     : trin_request_reply(req, &row.base, err);
  trin_arena_reset(&ar);
  return rc;
}

void agg_handlers_register(trin_server_t *server, agg_rows_t **rows) {
  trin_server_handle(server, &trin__aggregator__get_rows__descriptor, handle_get_rows, rows);
  trin_server_handle(server, &trin__aggregator__get_project_row__descriptor,
                     handle_get_project_row, rows);
}
