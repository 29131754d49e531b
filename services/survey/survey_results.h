/* survey_results — a survey's figures computed from its running aggregates
 * (a "cube": round × role × statement), with anonymity applied: per-group
 * figures, change since the previous round, baseline, trend and the alerts
 * they raise. Pure functions over memory; the store only fills the cube. */
#ifndef TRIN_SURVEY_RESULTS_H
#define TRIN_SURVEY_RESULTS_H

#include <stdbool.h>
#include <stddef.h>

#include "survey_rules.h"
#include "survey_store.h"
#include "trin/survey.pb-c.h"
#include "trin_arena.h"
#include "trin_err.h"

#define SURVEY_MAX_ROUNDS 200

typedef struct {
  const survey_survey_msg_t *sv;
  survey_scale_t scale;
  survey_thresholds_t t;
  int64_t min;               /* min_respondents */
  int nrounds;               /* rounds 1..nrounds are in the cube */
  size_t nstmt;
  const survey_agg_t *cube;  /* [(round-1)][role][stmt] */
  bool is_base[SURVEY_MAX_ROUNDS + 1];
  int last_base;             /* highest baseline round; 0 = none */
} survey_view_t;

/* cube must hold nrounds × SURVEY_NROLES × sv->n_statements aggregates. */
void survey_view_init(survey_view_t *v, const survey_survey_msg_t *sv, int nrounds,
                      const survey_agg_t *cube);

/* The group's aggregate (a role, or SURVEY_ROLE_ALL summed over roles). */
void survey_view_group(const survey_view_t *v, int round, int group, size_t stmt,
                       survey_agg_t *out);
/* The pooled baseline of the group; false when there is none to compare
 * round with (no data, suppressed, or round is not after the baseline). */
bool survey_view_baseline(const survey_view_t *v, int round, int group, size_t stmt,
                          survey_agg_t *out);

/* The alerts standing for round (visible groups only), in (stmt, group,
 * kind) order. Returns the number written (at most cap). */
size_t survey_view_alerts(const survey_view_t *v, int round, survey_alert_row_t *out,
                          size_t cap);

/* An alert stands until a later round's visible figure for the same
 * statement and group no longer meets its condition (docs/survey.md,
 * "Alerts"). Returns the first such round, 0 while it stands. Rounds
 * where the group has no visible figure neither clear nor confirm it. */
int survey_view_alert_cleared_by(const survey_view_t *v, const survey_alert_row_t *r);

/* Fills out (arena-owned) with the round's figures; suppressed groups carry
 * only statement_key, role and suppressed = true. Alerts are not filled. */
int survey_view_results(const survey_view_t *v, int round, trin_arena_t *a,
                        Trin__Survey__RoundResults *out, trin_err_t *err);

/* The round GetResults shows when none is asked for: the newest with
 * answers, or the newest when none has any (0 when there is no round). */
int survey_results_default_round(const survey_survey_msg_t *sv);

/* The newest round with answers, 0 when none has any. */
int survey_results_latest_answered(const survey_survey_msg_t *sv);

/* An Alert message for people, arena-owned. */
Trin__Survey__Alert *survey_alert_message(const survey_view_t *v,
                                          const survey_alert_row_t *r, trin_arena_t *a);

#endif
