/* benchmark_follow — the portfolio KPIs come from the other services'
 * events: benchmark follows lifecycle, budget and survey (each with a
 * trin_follower: exactly once, in order, gaps repaired from the outbox, a
 * run of events per store transaction with the cursor) and applies each
 * event — the project's row and a benchmark.figures_changed event; once
 * the run has committed, the in-memory index.
 *
 * What is taken from where (each peer's part in benchmark_<peer>_events):
 *   lifecycle.organisation_created  the organisation's name (and _edited: a rename)
 *   lifecycle.* (ProjectEvent)      client, partnership (or none), dwellings,
 *                                   handover variance, open disputes/defects
 *   budget.* (BudgetEvent.figures)  Skema A, drift and market-adjusted drift
 *   survey.results_changed          latest satisfaction: the mean of the
 *                                   visible all-roles statement means of the
 *                                   latest round (by closing date); client and
 *                                   partnership when lifecycle has not spoken
 * Each change also counts in a year (the rule in benchmark_rules.h) and is
 * written into the project's timeline (bm_project_years) in the same
 * transaction.
 * The year a change counts in (benchmark_event_year) is that of the date the
 * payload gives for it:
 *   lifecycle.project_created     project.start_date
 *   lifecycle.stage_changed       stage.since
 *   lifecycle.project_paused      pause.from;  project_resumed: pause.to
 *   lifecycle.dispute_opened      dispute.opened_on
 *   lifecycle.dispute_escalated   the date of the dispute's last step
 *   lifecycle.dispute_resolved    dispute.resolved_on
 *   lifecycle.defect_reported     defect.reported_on;  defect_fixed: defect.fixed_on
 *   lifecycle.price_closed        project.price_closed_on
 *   budget.budget_created         budget.date (the budget's own date);
 *     line_set, line_removed      the same
 *   budget.budget_submitted       budget.submitted_on
 *   budget.budget_approved        budget.approved_on
 *   budget.price_closed           date
 *   budget.budget_withdrawn,      the commit time: a correction counts in the
 *     budget_reopened             year it is made (their payload names no date)
 *   budget.scope_change_recorded  scope_change.decided_on
 *   survey.results_changed        the round's closing date
 *   lifecycle.sustainability_recorded  the measure's recorded_on (issue 20, item 3)
 * and of the event's commit time (Event.time, UTC) for every other event
 * (milestone_set, index_points_added, …) and when the named date is empty.
 * An event that leaves the project's figures as they were changes no year
 * (an approval of an unchanged Skema B does not move its drift).
 * Other events only advance the cursor. An event whose payload does not
 * decode is logged and skipped (the cursor advances): it cannot become
 * decodable by waiting. */
#ifndef TRIN_BENCHMARK_FOLLOW_H
#define TRIN_BENCHMARK_FOLLOW_H

#include <uv.h>

#include "benchmark_apply.h"
#include "benchmark_store.h"
#include "trin/envelope.pb-c.h"
#include "trin_keys.h"

/* What one followed service's events say to benchmark; each module
 * (benchmark_lifecycle_events, _budget_events, _survey_events) defines one. */
typedef struct {
  const char *service; /* "lifecycle", "budget", "survey" */
  benchmark_source_t source;
  /* NULL, or the part of the project an event of this type changes when it
   * is not `source` (lifecycle's rehousing events). */
  benchmark_source_t (*source_of)(const char *type);
  /* The message ev's payload carries when benchmark reads this event, else
   * NULL (the event only advances the cursor). */
  const ProtobufCMessageDescriptor *(*payload)(const Trin__Event *ev);
  /* The project msg (of event type `type`) is about, NULL or "" for none,
   * and in *date the day its change counts in (NULL: the commit time). */
  const char *(*project)(const ProtobufCMessage *msg, const char *type, const char **date);
  /* Updates the row from msg; false when msg says nothing new. */
  bool (*update)(benchmark_project_row_t *row, const ProtobufCMessage *msg);
  /* NULL, or: true with an organisation's id and name when msg names one
   * (pointers into msg). */
  bool (*organisation)(const ProtobufCMessage *msg, const char **id, const char **name);
} benchmark_upstream_t;

typedef struct benchmark_follow benchmark_follow_t;

/* Follows upstream's events at endpoint/pub_endpoint. Resumes after the cursor
 * kept in the service's store. svc and upstream are borrowed and must outlive
 * the follower. curve: NULL = plain, else copied (its key pair must outlive
 * the follower; trin_service_peer gives both). unfollow destroys *f and
 * sets it to NULL. */
int benchmark_follow(uv_loop_t *loop, void *zctx, benchmark_service_t *svc,
                     const benchmark_upstream_t *upstream, const char *endpoint,
                     const char *pub_endpoint, const trin_curve_client_t *curve,
                     benchmark_follow_t **out, trin_err_t *err);
void benchmark_unfollow(benchmark_follow_t **f);

#endif
