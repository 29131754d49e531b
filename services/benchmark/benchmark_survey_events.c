/* benchmark_survey_events — see benchmark_survey_events.h. */
#include "benchmark_survey_events.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "trin/survey.pb-c.h"

static const char *nz(const char *s) { return s ? s : ""; }

static void set_org_text(char *dst, size_t n, const char *src) { snprintf(dst, n, "%s", nz(src)); }

static bool update(benchmark_project_row_t *r, const ProtobufCMessage *msg) {
  const Trin__Survey__RoundResults *rr = (const void *)msg;
  benchmark_project_row_t before = *r;
  if (!r->partnership_known) {
    set_org_text(r->partnership_id, sizeof r->partnership_id, rr->partnership_id);
    r->partnership_known = true;
  }
  if (!r->client_org[0]) set_org_text(r->client_org, sizeof r->client_org, rr->client_org);
  /* Only the latest round counts: an older round re-imported changes
   * nothing — unless a correction emptied the latest round (the project
   * has no satisfaction now) and this one is the survey's newest with
   * answers. */
  bool back = rr->round == rr->latest_answered_round &&
              !(r->p.has & BENCHMARK_PHAS_SATISFACTION);
  if (strcmp(nz(rr->closes), r->satisfaction_closes) < 0 && !back)
    return memcmp(&before, r, sizeof before) != 0;
  /* The visible all-roles statements' sums and counts, rounded once in
   * benchmark_satisfaction_x100 (as the aggregator's status row). */
  int64_t *sums = calloc(rr->n_figures + 1, sizeof *sums);
  int32_t *counts = calloc(rr->n_figures + 1, sizeof *counts);
  size_t n = 0;
  for (size_t i = 0; sums && counts && i < rr->n_figures; i++) {
    const Trin__Survey__Figures *f = rr->figures[i];
    if (f->suppressed || strcmp(nz(f->role), "all") != 0) continue;
    sums[n] = f->sum;
    counts[n++] = f->count;
  }
  int32_t satisfaction = 0;
  bool known = sums && counts && benchmark_satisfaction_x100(sums, counts, n, &satisfaction);
  free(sums);
  free(counts);
  set_org_text(r->satisfaction_closes, sizeof r->satisfaction_closes, rr->closes);
  if (known) {
    r->p.has |= BENCHMARK_PHAS_SATISFACTION;
    r->p.satisfaction_x100 = satisfaction;
  } else {
    r->p.has &= ~(uint32_t)BENCHMARK_PHAS_SATISFACTION;
    r->p.satisfaction_x100 = 0;
  }
  return memcmp(&before, r, sizeof before) != 0;
}

static const ProtobufCMessageDescriptor *payload(const Trin__Event *ev) {
  if (strcmp(nz(ev->type), "survey.results_changed") == 0)
    return &trin__survey__round_results__descriptor;
  return NULL;
}

static const char *project(const ProtobufCMessage *msg, const char *type, const char **date) {
  (void)type;
  const Trin__Survey__RoundResults *rr = (const void *)msg;
  *date = rr->closes;
  return rr->project_id;
}

const benchmark_upstream_t benchmark_survey_events = {
    .service = "survey",
    .source = BENCHMARK_SOURCE_SURVEY,
    .payload = payload,
    .project = project,
    .update = update,
};
