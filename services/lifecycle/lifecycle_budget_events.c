/* lifecycle_budget_events — see lifecycle_budget_events.h. The budget's
 * payload is read through the generated trin.budget descriptors; only the
 * fields a price closing needs are used (project, date, budget id). */
#include "lifecycle_budget_events.h"

#include <stdlib.h>
#include <string.h>

#include "lifecycle_rules.h"
#include "lifecycle_store.h"
#include "trin/budget.pb-c.h"
#include "trin/lifecycle.pb-c.h"
#include "trin_arena.h"
#include "trin_codec.h"
#include "trin_cursor.h"
#include "trin_log.h"
#include "trin_subscriber.h"

#define SERVICE "budget"

struct lifecycle_budget_follower {
  trin_server_t *server;
  trin_subscriber_t *sub;
};

/* Applies one price closing; returns TRIN_OK also when the rules refuse it
 * (logged), an error only when the store fails (the event is retried). */
static int close_price(trin_request_t *req, const Trin__Event *ev,
                       const Trin__Budget__BudgetEvent *be, trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  const char *project_id = be->figures ? be->figures->project_id : "";
  const char *reference = be->budget ? be->budget->id : "";
  trin_err_t why = {0};
  lc_project_t p;
  trin_project_state_t st;
  trin_date_t date = TRIN_DATE_NONE;
  int rc = lifecycle_store_project_get(s, project_id, "project_id", false, &a, &p, &why);
  if (!rc) rc = trin_date_parse(be->date, &date, "date", &why);
  if (!rc) {
    memset(&st, 0, sizeof st);
    int stage = trin_stage_parse(p.stage, "stage", &why);
    rc = stage < 0 ? TRIN_EINTERNAL : TRIN_OK;
    st.stage = (trin_stage_t)(stage < 0 ? 0 : stage);
    st.fast_track = p.fast_track;
    st.price_closed = p.price_closed;
    st.paused = p.paused;
    if (!rc) rc = trin_date_parse(p.stage_since, &st.stage_since, "stage_since", &why);
    if (!rc) rc = trin_date_parse_optional(p.price_closed_on, &st.price_closed_on,
                                           "price_closed_on", &why);
    if (!rc) rc = trin_date_parse_optional(p.paused_since, &st.paused_since, "paused_since",
                                           &why);
  }
  if (!rc) rc = trin_project_check_price_close(&st, date, &why);
  if (rc) {
    if (rc == TRIN_ESTORE) {
      *err = why;
      goto out;
    }
    trin_log_warn("budget event %llu: price closing of project '%s' (budget '%s') not "
                  "recorded: %s%s%s",
                  (unsigned long long)ev->seq, project_id, reference, why.message,
                  why.field[0] ? " — field " : "", why.field);
    rc = TRIN_OK;
    goto out;
  }
  if ((rc = lifecycle_store_close_price(s, p.id, be->date, reference, err))) goto out;
  lc_project_t *now = trin_arena_alloc(&a, sizeof *now);
  if (!now) {
    rc = trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
    goto out;
  }
  if ((rc = lifecycle_store_project_get(s, p.id, "project_id", false, &a, now, err))) goto out;
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = now;
  pe.reference = (char *)reference;
  trin_event_id_t ids[2] = {{"project", now->id}, {"partnership", now->partnership_id}};
  uint64_t seq;
  rc = trin_request_emit(req, "lifecycle.price_closed", now->client_org, ids,
                         now->partnership_id[0] ? 2 : 1, &pe.base, &seq, err);
  if (!rc)
    trin_log_info("price of project '%s' closed by budget '%s' on %s (event %llu)", now->id,
                  reference, be->date, (unsigned long long)seq);
out:
  trin_arena_reset(&a);
  return rc;
}

static int apply_in_tx(trin_request_t *req, void *data, trin_err_t *err) {
  const Trin__Event *ev = data;
  int rc = TRIN_OK;
  if (ev->type && strcmp(ev->type, "budget.price_closed") == 0) {
    Trin__Budget__BudgetEvent *be = NULL;
    trin_err_t e = {0};
    if (trin_codec_unpack(&trin__budget__budget_event__descriptor, ev->payload.data,
                          ev->payload.len, "payload", (ProtobufCMessage **)&be, &e)) {
      trin_log_warn("budget event %llu: payload does not decode, skipped: %s",
                    (unsigned long long)ev->seq, e.message);
    } else {
      rc = close_price(req, ev, be, err);
      trin_codec_free(be);
    }
  }
  if (!rc) rc = trin_cursor_set(trin_request_store(req), SERVICE, ev->seq, err);
  return rc;
}

static int on_event(void *data, const Trin__Event *ev) {
  lifecycle_budget_follower_t *f = data;
  trin_err_t err = {0};
  int rc = trin_server_apply(f->server, apply_in_tx, (void *)ev, &err);
  if (rc)
    trin_log_warn("budget event %llu (%s) not applied, will retry: %s",
                  (unsigned long long)ev->seq, ev->type, err.message);
  return rc;
}

int lifecycle_budget_follow(uv_loop_t *loop, void *zctx, trin_server_t *server,
                            trin_store_t *store, const char *endpoint,
                            const char *pub_endpoint, lifecycle_budget_follower_t **out,
                            trin_err_t *err) {
  uint64_t after = 0;
  int rc = trin_cursor_get(store, SERVICE, &after, err);
  if (rc) return rc;
  lifecycle_budget_follower_t *f = calloc(1, sizeof *f);
  if (!f) return trin_err_set(err, TRIN_EINTERNAL, "", "out of memory");
  f->server = server;
  trin_subscriber_options_t so = {.service = SERVICE, .pub_endpoint = pub_endpoint,
                                  .endpoint = endpoint, .after_seq = after};
  if ((rc = trin_subscriber_new(loop, zctx, &so, on_event, f, &f->sub, err))) {
    free(f);
    return rc;
  }
  trin_log_info("following budget at %s from event %llu", endpoint, (unsigned long long)after);
  *out = f;
  return TRIN_OK;
}

void lifecycle_budget_unfollow(lifecycle_budget_follower_t **pf) {
  if (!pf || !*pf) return;
  trin_subscriber_destroy(&(*pf)->sub);
  free(*pf);
  *pf = NULL;
}
