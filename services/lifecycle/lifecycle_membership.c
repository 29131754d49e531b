/* lifecycle_membership — see lifecycle_membership.h. */
#include "lifecycle_membership.h"

#include <stdlib.h>
#include <string.h>

#include "trin/lifecycle.pb-c.h"
#include "trin_access.h"
#include "trin_codec.h"
#include "trin_log.h"

static int apply_partnership(trin_store_t *s, const Trin__Event *ev, trin_err_t *err) {
  Trin__Lifecycle__Partnership *p = NULL;
  trin_err_t e = {0};
  if (trin_codec_unpack(&trin__lifecycle__partnership__descriptor, ev->payload.data,
                        ev->payload.len, "payload", (ProtobufCMessage **)&p, &e)) {
    trin_log_warn("access: lifecycle event %llu (%s) does not decode, skipped: %s",
                  (unsigned long long)ev->seq, ev->type ? ev->type : "", e.message);
    return TRIN_OK;
  }
  int rc = TRIN_OK;
  if (p->id && p->id[0]) {
    trin_access_member_t *m = NULL;
    if (p->n_members > 0) {
      m = calloc(p->n_members, sizeof *m);
      if (m == NULL) {
        trin_codec_free(p);
        return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
      }
    }
    for (size_t i = 0; i < p->n_members; i++) {
      m[i].org = p->members[i]->org_id;
      m[i].kind = p->members[i]->role;
    }
    rc = trin_access_put_partnership(s, p->id, p->client_org, m, p->n_members, err);
    free(m);
  }
  trin_codec_free(p);
  return rc;
}

static int apply_project(trin_store_t *s, const Trin__Event *ev, trin_err_t *err) {
  Trin__Lifecycle__ProjectEvent *pe = NULL;
  trin_err_t e = {0};
  if (trin_codec_unpack(&trin__lifecycle__project_event__descriptor, ev->payload.data,
                        ev->payload.len, "payload", (ProtobufCMessage **)&pe, &e)) {
    trin_log_warn("access: lifecycle event %llu (%s) does not decode, skipped: %s",
                  (unsigned long long)ev->seq, ev->type ? ev->type : "", e.message);
    return TRIN_OK;
  }
  int rc = TRIN_OK;
  const Trin__Lifecycle__Project *p = pe->project;
  if (p && p->id && p->id[0]) {
    /* The event's org is the project's client as lifecycle recorded it; the
     * payload's client_org is the same (filled by lifecycle). */
    const char *client = p->client_org && p->client_org[0] ? p->client_org
                                                           : (ev->org ? ev->org : "");
    rc = trin_access_put_project(s, p->id, client, p->partnership_id, err);
  }
  trin_codec_free(pe);
  return rc;
}

int lifecycle_membership_apply(trin_store_t *store, const Trin__Event *ev, trin_err_t *err) {
  if (ev == NULL) return TRIN_OK;
  if (ev->service && ev->service[0] && strcmp(ev->service, "lifecycle") != 0) return TRIN_OK;
  const char *pt = ev->payload_type ? ev->payload_type : "";
  if (strcmp(pt, trin__lifecycle__partnership__descriptor.name) == 0)
    return apply_partnership(store, ev, err);
  if (strcmp(pt, trin__lifecycle__project_event__descriptor.name) == 0)
    return apply_project(store, ev, err);
  return TRIN_OK;
}

int lifecycle_membership_replay(trin_request_t *req, const Trin__Event *ev, void *data,
                                trin_err_t *err) {
  (void)data;
  return lifecycle_membership_apply(trin_request_store(req), ev, err);
}
