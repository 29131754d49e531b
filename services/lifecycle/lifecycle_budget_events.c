/* lifecycle_budget_events — see lifecycle_budget_events.h. The budget's
 * payload is read through the generated trin.budget descriptors; only the
 * fields a price closing needs are used (project, date, budget id). */
#include "lifecycle_budget_events.h"

#include <string.h>

#include "lifecycle_emit.h"
#include "lifecycle_handlers.h"
#include "trin/budget.pb-c.h"
#include "trin_codec.h"
#include "trin_log.h"

/* Applies one price closing; returns TRIN_OK also when the rules refuse it
 * (logged), an error only when the store fails (the event is retried). */
static int close_price(trin_request_t *req, const Trin__Event *ev,
                       const Trin__Budget__BudgetEvent *be, trin_err_t *err) {
  trin_store_t *s = trin_request_store(req);
  trin_arena_t a = TRIN_ARENA_INIT;
  const char *project_id = be->figures ? be->figures->project_id : "";
  const char *reference = be->budget ? be->budget->id : "";
  trin_err_t why = {0};
  lifecycle_project_msg_t p;
  lifecycle_project_state_t st;
  trin_date_t date = TRIN_DATE_NONE;
  int rc = lifecycle_store_project_get(s, project_id, "project_id", false, &a, &p, &why);
  if (!rc) rc = trin_date_parse(be->date, &date, "date", &why);
  if (!rc) rc = lifecycle_project_state(&p, &st, &why);
  if (!rc) rc = lifecycle_project_check_price_close(&st, date, &why);
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
  lifecycle_project_event_msg_t pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.reference = (char *)reference;
  uint64_t seq = 0;
  rc = lifecycle_emit_project(req, &a, "lifecycle.price_closed", p.id, &pe, NULL, &seq, err);
  if (!rc)
    trin_log_info("price of project '%s' closed by budget '%s' on %s (event %llu)", p.id,
                  reference, be->date, (unsigned long long)seq);
out:
  trin_arena_reset(&a);
  return rc;
}

int lifecycle_budget_apply(trin_request_t *req, const Trin__Event *ev, void *data,
                           trin_err_t *err) {
  if (!ev->type || strcmp(ev->type, "budget.price_closed") != 0) return TRIN_OK;
  Trin__Budget__BudgetEvent *be = NULL;
  trin_err_t e = {0};
  if (trin_codec_unpack(&trin__budget__budget_event__descriptor, ev->payload.data,
                        ev->payload.len, "payload", (ProtobufCMessage **)&be, &e)) {
    trin_log_warn("budget event %llu: payload does not decode, skipped: %s",
                  (unsigned long long)ev->seq, e.message);
    return TRIN_OK;
  }
  int rc = close_price(req, ev, be, err);
  trin_codec_free(be);
  return rc;
}
