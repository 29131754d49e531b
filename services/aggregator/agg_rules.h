/* agg_rules — the aggregator's domain rule, red/amber/green: a row's time,
 * economy and satisfaction judged against the operator's thresholds, and
 * the overall colour as the worst of the three. */
#ifndef TRIN_AGG_RULES_H
#define TRIN_AGG_RULES_H

#include <stdint.h>

#include "agg_row.h"
#include "trin_date.h"
#include "trin_err.h"

typedef enum { AGG_RAG_NONE = 0, AGG_RAG_GREEN, AGG_RAG_AMBER, AGG_RAG_RED } agg_rag_t;
const char *agg_rag_name(agg_rag_t r); /* "" for NONE */
/* The colour a name gives ("green", "amber", "red"); NONE for any other. */
agg_rag_t agg_rag_parse(const char *name);

/* Thresholds (defaults in brackets; config keys in docs/aggregator.md).
 * time: handover schedule variance in days; amber above time_amber_days
 * [14], red above time_red_days [60].
 * economy: |drift| (market-adjusted when known, else total) and the forecast's
 * overrun of Skema B, in basis points; amber from economy_amber_bp [400],
 * red above economy_red_bp [700]; a MOLIO failure is at least amber.
 * satisfaction: the mean's place on the survey's scale, in basis points of
 * the scale's span; red below satisfaction_red_bp [4000] or with an alert
 * standing, amber below satisfaction_amber_bp [6000] or trending down.
 * economy_earned_value [0]: 1 = a row with earned value is judged on it
 * too: EAC's overrun of BAC (= 1/CPI − 1), in basis points of BAC, against
 * the same economy thresholds (issue 20 item 1). */
typedef struct {
  int32_t time_amber_days, time_red_days;
  int32_t economy_amber_bp, economy_red_bp;
  int32_t satisfaction_amber_bp, satisfaction_red_bp;
  /* AB18 deadlines (item 6): an arbitration deadline this many days away
   * or fewer is near [14]. */
  int32_t deadline_near_days;
  int32_t economy_earned_value;
} agg_thresholds_t;

void agg_thresholds_default(agg_thresholds_t *t);
int agg_thresholds_check(const agg_thresholds_t *t, trin_err_t *err);
/* Recomputes the four rag_* fields of r. An overdue inspection
 * (inspection_overdue, from agg_deadlines_compute) makes time at least
 * amber, with or without a schedule variance. */
void agg_rag_compute(agg_row_t *r, const agg_thresholds_t *t);
/* The price budget (BAC) economy and earned value measure against: Skema B,
 * else A; 0 = none. */
int64_t agg_bac_ore(const agg_row_t *r);

/* The AB18 flags of r on `today` (item 6): arbitration_deadline_near when
 * arbitration_deadline <= today + deadline_near_days (a passed deadline
 * still open stays near); inspection_overdue when inspection_due < today
 * (the due day itself is not overdue yet). Returns whether either changed.
 * Call before agg_rag_compute. */
bool agg_deadlines_compute(agg_row_t *r, trin_date_t today, const agg_thresholds_t *t);

#endif
