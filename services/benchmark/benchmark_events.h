/* benchmark_events — the portfolio KPIs come from the other services'
 * events: benchmark follows lifecycle, budget and survey (each with a
 * trin_follower: exactly once, in order, gaps repaired from the outbox, a
 * run of events per store transaction with the cursor) and applies each
 * event — the project's row and a benchmark.figures_changed event; once
 * the run has committed, the in-memory index.
 *
 * What is taken from where:
 *   lifecycle.organisation_created  the organisation's name
 *   lifecycle.* (ProjectEvent)      client, partnership (or none), dwellings,
 *                                   handover variance, open disputes/defects
 *   budget.* (BudgetEvent.figures)  Skema A, drift and market-adjusted drift
 *   survey.results_changed          latest satisfaction: the mean of the
 *                                   visible all-roles statement means of the
 *                                   latest round (by closing date); client and
 *                                   partnership when lifecycle has not spoken
 * Each change also counts in a year — the year of the date the payload
 * gives for it, else of the commit time (table in benchmark_events.c,
 * rule in benchmark_rules.h) — and is written into the project's timeline
 * (bm_project_years) in the same transaction.
 * Other events only advance the cursor. An event whose payload does not
 * decode is logged and skipped (the cursor advances): it cannot become
 * decodable by waiting. */
#ifndef TRIN_BENCHMARK_EVENTS_H
#define TRIN_BENCHMARK_EVENTS_H

#include <uv.h>

#include "benchmark_handlers.h"
#include "trin_keys.h"

typedef struct benchmark_follower benchmark_follower_t;

/* service: "lifecycle", "budget" or "survey". Resumes after the cursor kept
 * in the service's store. curve: NULL = plain, else copied (its key pair
 * must outlive the follower; trin_service_peer gives both). */
int benchmark_follow(uv_loop_t *loop, void *zctx, benchmark_service_t *svc, const char *service,
                     const char *endpoint, const char *pub_endpoint,
                     const trin_curve_client_t *curve, benchmark_follower_t **out,
                     trin_err_t *err);
void benchmark_unfollow(benchmark_follower_t **f);

#endif
