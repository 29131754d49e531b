/* lifecycle_emit — see lifecycle_emit.h. */
#include "lifecycle_emit.h"

int lifecycle_emit_project(trin_request_t *req, trin_arena_t *a, const char *type,
                           const char *project_id, lifecycle_project_event_msg_t *ev,
                           lifecycle_project_msg_t **project, uint64_t *seq, trin_err_t *err) {
  lifecycle_project_msg_t *p = trin_arena_alloc(a, sizeof *p);
  if (!p) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  int rc = lifecycle_store_project_get(trin_request_store(req), project_id, "project_id",
                                       false, a, p, err);
  if (rc) return rc;
  ev->project = p;
  trin_event_id_t ids[2] = {{"project", p->id}, {"partnership", p->partnership_id}};
  /* The event's own seq is the version it makes; its payload carries none. */
  p->version = 0;
  rc = trin_request_emit(req, type, p->client_org, ids, p->partnership_id[0] ? 2 : 1,
                         &ev->base, seq, err);
  if (!rc) rc = lifecycle_store_set_version(trin_request_store(req), p->id, *seq, err);
  if (!rc) p->version = *seq;
  if (!rc && project) *project = p;
  return rc;
}
