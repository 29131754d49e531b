/* budget_lifecycle_events — see budget_lifecycle_events.h. */
#include "budget_lifecycle_events.h"

#include <stdlib.h>
#include <stdio.h>
#include <string.h>

#include "budget_store.h"
#include "lifecycle_membership.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_codec.h"
#include "trin_cursor.h"
#include "trin_log.h"
#include "trin_subscriber.h"

#define SERVICE "lifecycle"

static int apply_partnership(trin_store_t *s, const Trin__Event *ev, trin_err_t *err) {
  Trin__Lifecycle__Partnership *p = NULL;
  trin_err_t e = {0};
  if (trin_codec_unpack(&trin__lifecycle__partnership__descriptor, ev->payload.data,
                        ev->payload.len, "payload", (ProtobufCMessage **)&p, &e)) {
    trin_log_warn("lifecycle event %llu (%s): payload does not decode, skipped: %s",
                  (unsigned long long)ev->seq, ev->type, e.message);
    return TRIN_OK;
  }
  budget_partnership_t bp = {0};
  snprintf(bp.id, sizeof bp.id, "%s", p->id);
  snprintf(bp.client_org, sizeof bp.client_org, "%s", p->client_org);
  snprintf(bp.price_closing_point, sizeof bp.price_closing_point, "%s",
           p->price_closing_point);
  bp.framework_end = TRIN_DATE_NONE;
  trin_date_parse_optional(p->framework_end, &bp.framework_end, "framework_end", NULL);
  int rc = bp.id[0] ? budget_store_partnership_upsert(s, &bp, err) : TRIN_OK;
  trin_codec_free(p);
  return rc;
}

/* replay_only: the event was applied before migration 3 kept the price
 * closing, so only that is taken from it now. */
static int apply_project(trin_store_t *s, const Trin__Event *ev, bool replay_only,
                         trin_err_t *err) {
  Trin__Lifecycle__ProjectEvent *pe = NULL;
  trin_err_t e = {0};
  if (trin_codec_unpack(&trin__lifecycle__project_event__descriptor, ev->payload.data,
                        ev->payload.len, "payload", (ProtobufCMessage **)&pe, &e)) {
    trin_log_warn("lifecycle event %llu (%s): payload does not decode, skipped: %s",
                  (unsigned long long)ev->seq, ev->type, e.message);
    return TRIN_OK;
  }
  int rc = TRIN_OK;
  if (pe->project && pe->project->id && pe->project->id[0]) {
    budget_project_t p = {0};
    snprintf(p.id, sizeof p.id, "%s", pe->project->id);
    snprintf(p.partnership_id, sizeof p.partnership_id, "%s", pe->project->partnership_id);
    snprintf(p.client_org, sizeof p.client_org, "%s", pe->project->client_org);
    snprintf(p.stage, sizeof p.stage, "%s", pe->project->stage);
    if (pe->project->price_closed)
      snprintf(p.price_closed_on, sizeof p.price_closed_on, "%s",
               pe->project->price_closed_on ? pe->project->price_closed_on : "");
    if (!replay_only)
      rc = budget_store_project_upsert(s, &p, err);
    else if (p.price_closed_on[0])
      rc = budget_store_project_price_closed(s, p.id, p.price_closed_on, err);
  }
  trin_codec_free(pe);
  return rc;
}

int budget_lifecycle_apply(trin_request_t *req, const Trin__Event *ev, void *data,
                           trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  /* Membership first: who may see the project or partnership. */
  int rc = lifecycle_membership_apply(s, ev, err);
  if (rc) return rc;
  const char *pt = ev->payload_type ? ev->payload_type : "";
  if (strcmp(pt, trin__lifecycle__partnership__descriptor.name) == 0)
    return apply_partnership(s, ev, err);
  if (strcmp(pt, trin__lifecycle__project_event__descriptor.name) == 0)
    return apply_project(s, ev, false, err);
  return TRIN_OK;
}

int budget_lifecycle_replay(trin_request_t *req, const Trin__Event *ev, void *data,
                            trin_err_t *err) {
  int rc = lifecycle_membership_replay(req, ev, data, err);
  if (rc) return rc;
  const char *pt = ev->payload_type ? ev->payload_type : "";
  if (strcmp(pt, trin__lifecycle__project_event__descriptor.name) == 0)
    return apply_project(trin_request_store(req), ev, true, err);
  return TRIN_OK;
}
