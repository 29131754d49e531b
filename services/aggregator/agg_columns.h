/* agg_columns — the feed's columns: their names, types and sources in the
 * order every feed shows them, and a row's cell in each. */
#ifndef TRIN_AGG_COLUMNS_H
#define TRIN_AGG_COLUMNS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agg_row.h"

typedef enum {
  AGG_T_STRING,
  AGG_T_BOOL,
  AGG_T_INT32,
  AGG_T_INT64,
  AGG_T_DEC2,  /* fixed point, two decimals: i = hundredths */
  AGG_T_DATE,  /* i = days since 1970-01-01 */
  AGG_T_TIME,  /* i = ms since the epoch, UTC */
} agg_type_t;

typedef enum {
  AGG_COL_PROJECT_ID, AGG_COL_PROJECT_NAME, AGG_COL_PARTNERSHIP_ID,
  AGG_COL_PARTNERSHIP_NAME, AGG_COL_CLIENT_ORG, AGG_COL_MUNICIPALITY, AGG_COL_KIND,
  AGG_COL_FAST_TRACK, AGG_COL_DWELLINGS, AGG_COL_STAGE, AGG_COL_STAGE_SINCE,
  AGG_COL_PAUSED, AGG_COL_PAUSE_REASON, AGG_COL_BASELINE_HANDOVER,
  AGG_COL_FORECAST_HANDOVER, AGG_COL_SCHEDULE_VARIANCE_DAYS, AGG_COL_BUDGET_A_DKK,
  AGG_COL_BUDGET_B_DKK, AGG_COL_FORECAST_DKK, AGG_COL_DRIFT_PCT,
  AGG_COL_MARKET_ADJUSTED_DRIFT_PCT, AGG_COL_MOLIO_COMPLIANT, AGG_COL_SATISFACTION,
  AGG_COL_SATISFACTION_TREND, AGG_COL_SATISFACTION_ALERT, AGG_COL_OPEN_DISPUTES,
  AGG_COL_MAX_DISPUTE_LEVEL, AGG_COL_OPEN_DEFECTS, AGG_COL_RAG_TIME,
  AGG_COL_RAG_ECONOMY, AGG_COL_RAG_SATISFACTION, AGG_COL_RAG_OVERALL, AGG_COL_SEQ,
  AGG_COL_UPDATED_AT,
  /* rehousing (issue 20, item 4) */
  AGG_COL_WITHOUT_REHOUSING, AGG_COL_HOUSEHOLDS_TO_REHOUSE, AGG_COL_HOUSEHOLDS_REHOUSED,
  AGG_COL_HOUSEHOLDS_REHOUSED_PERMANENT, AGG_COL_HOUSEHOLDS_MOVED_BACK,
  AGG_COL_LAST_MOVED_BACK_ON,
  /* item 6 (issue 20): AB18 deadlines */
  AGG_COL_NEXT_DEADLINE, AGG_COL_NEXT_DEADLINE_KIND, AGG_COL_ARBITRATION_DEADLINE,
  AGG_COL_ARBITRATION_DEADLINE_NEAR, AGG_COL_INSPECTION_DUE, AGG_COL_INSPECTION_OVERDUE,
  /* earned value (issue 20 item 1) */
  AGG_COL_SPI, AGG_COL_CPI, AGG_COL_EAC_DKK, AGG_COL_VAC_DKK,
  /* sustainability and reuse (issue 20, item 3) */
  AGG_COL_SUSTAINABILITY_MEASURES, AGG_COL_REUSED_KG, AGG_COL_REUSED_BETWEEN_PROJECTS_KG,
  AGG_COL_ENERGY_SAVING_KWH_M2, AGG_COL_ENERGY_SAVING_EXPECTED_KWH_M2,
  AGG_COL_ENERGY_SAVED_KWH, AGG_COL_CO2E_SAVING_KG_M2,
  /* lessons learned (issue 20, item 5) */
  AGG_COL_LESSONS, AGG_COL_LESSONS_ADOPTED,
  AGG_NCOLS
} agg_col_t;

typedef struct {
  const char *name;    /* the column's name in every feed */
  agg_type_t type;
  const char *source;  /* lifecycle, budget, survey, aggregator */
} agg_column_t;

extern const agg_column_t AGG_COLUMNS[AGG_NCOLS];
/* Column index by exact name, or -1. */
int agg_column_find(const char *name, size_t len);

/* A cell: null, or text (s, borrowed from the row), or a number in i. */
typedef struct {
  bool null;
  const char *s;
  int64_t i;
} agg_value_t;

void agg_row_get(const agg_row_t *r, agg_col_t col, agg_value_t *out);

#endif
