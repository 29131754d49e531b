/* benchmark_budget_events — see benchmark_budget_events.h. */
#include "benchmark_budget_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin/budget.pb-c.h"

static const char *nz(const char *s) { return s ? s : ""; }

static void set_org_text(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", nz(src)); }

static bool update(benchmark_project_row_t *r, const ProtobufCMessage *msg) {
  const Trin__Budget__ProjectFigures *f = ((const Trin__Budget__BudgetEvent *)msg)->figures;
  benchmark_project_row_t before = *r;
  if (!r->partnership_known) {
    set_org_text(r->partnership_id, sizeof r->partnership_id, f->partnership_id);
    r->partnership_known = true;
  }
  r->p.has &= ~(uint32_t)(BENCHMARK_PHAS_DRIFT | BENCHMARK_PHAS_MARKET);
  r->p.budget_a_ore = f->budget_a_ore;
  r->p.drift_ore = r->p.market_adjusted_drift_ore = 0;
  if (f->drift_known && f->budget_a_ore > 0) {
    r->p.has |= BENCHMARK_PHAS_DRIFT;
    r->p.drift_ore = f->drift_ore;
    if (f->market_known) {
      r->p.has |= BENCHMARK_PHAS_MARKET;
      r->p.market_adjusted_drift_ore = f->market_adjusted_drift_ore;
    }
  }
  return memcmp(&before, r, sizeof before) != 0;
}

static const char *after(const char *type, const char *prefix) {
  size_t n = strlen(prefix);
  return strncmp(type, prefix, n) == 0 ? type + n : "";
}

/* The date of a budget change: the table in benchmark_follow.h. */
static const char *budget_date(const char *type, const Trin__Budget__BudgetEvent *be) {
  const char *t = after(type, "budget.");
  if (strcmp(t, "budget_created") == 0 || strcmp(t, "line_set") == 0 ||
      strcmp(t, "line_removed") == 0)
    return be->budget ? be->budget->date : NULL;
  if (strcmp(t, "budget_submitted") == 0) return be->budget ? be->budget->submitted_on : NULL;
  if (strcmp(t, "budget_approved") == 0) return be->budget ? be->budget->approved_on : NULL;
  if (strcmp(t, "price_closed") == 0) return be->date;
  if (strcmp(t, "scope_change_recorded") == 0)
    return be->scope_change ? be->scope_change->decided_on : NULL;
  return NULL;
}

static const ProtobufCMessageDescriptor *payload(const Trin__Event *ev) {
  if (strcmp(nz(ev->payload_type), trin__budget__budget_event__descriptor.name) == 0)
    return &trin__budget__budget_event__descriptor;
  return NULL;
}

static const char *project(const ProtobufCMessage *msg, const char *type, const char **date) {
  const Trin__Budget__BudgetEvent *be = (const void *)msg;
  if (!be->figures) return NULL;
  *date = budget_date(type, be);
  return be->figures->project_id;
}

const benchmark_upstream_t benchmark_budget_events = {
    .service = "budget",
    .source = BENCHMARK_SOURCE_BUDGET,
    .payload = payload,
    .project = project,
    .update = update,
};
