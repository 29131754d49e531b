/* agg_events — see agg_events.h. */
#include "agg_events.h"

#include <string.h>

#include "agg_budget_events.h"
#include "agg_lifecycle_events.h"
#include "agg_survey_events.h"

int agg_events_apply(agg_rows_t *r, const char *service, const Trin__Event *ev, bool *membership,
                     trin_err_t *err) {
  bool ignored;
  if (!membership) membership = &ignored;
  *membership = false;
  trin_time_t when = 0;
  if (!ev->time || trin_time_parse(ev->time, &when, "time", NULL) != TRIN_OK)
    when = trin_time_now();
  int rc = TRIN_OK;
  if (strcmp(service, "lifecycle") == 0)
    rc = agg_lifecycle_events_apply(r, ev, when, membership, err);
  else if (strcmp(service, "budget") == 0)
    rc = agg_budget_events_apply(r, ev, when, err);
  else if (strcmp(service, "survey") == 0)
    rc = agg_survey_events_apply(r, ev, when, err);
  if (rc == TRIN_EINTERNAL) return trin_err_set(err, rc, "", "out of memory applying %s", ev->type);
  return rc;
}
