/* survey_lifecycle_events — see survey_lifecycle_events.h. */
#include "survey_lifecycle_events.h"

#include <string.h>

#include "lifecycle_membership.h"
#include "survey_store.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_codec.h"
#include "trin_log.h"

int survey_lifecycle_apply(trin_request_t *req, const Trin__Event *ev, void *data,
                           trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  /* Membership first: who may see the project's surveys. */
  int rc = lifecycle_membership_apply(s, ev, err);
  if (rc) return rc;
  if (ev->payload_type && strcmp(ev->payload_type, "trin.lifecycle.ProjectEvent") == 0) {
    Trin__Lifecycle__ProjectEvent *pe = NULL;
    rc = trin_codec_unpack(&trin__lifecycle__project_event__descriptor, ev->payload.data,
                           ev->payload.len, "payload", (ProtobufCMessage **)&pe, err);
    if (!rc && pe->project && pe->project->id && *pe->project->id)
      rc = survey_store_project_upsert(s, pe->project->id, pe->project->partnership_id,
                                       pe->project->client_org, err);
    trin_codec_free(pe);
    /* A payload we cannot read will not become readable on retry: skip it
     * (and say so) rather than stall every later event. */
    if (rc == TRIN_EDECODE) {
      trin_log_warn("lifecycle event %llu (%s): unreadable payload skipped: %s",
                    (unsigned long long)ev->seq, ev->type, err->message);
      rc = TRIN_OK;
    }
  }
  return rc;
}
