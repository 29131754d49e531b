/* agg_rows — the status rows: one per project, the columns of the feed, the
 * red/amber/green rules, and how each upstream event changes them. Plain
 * structs and functions, no sockets and no store: unit tests drive them
 * with events.
 *
 * Invariant: a row's `seq` and `updated_at` change only when one of its
 * other columns changes; a row changed by an event is put on the dirty list
 * exactly once until agg_rows_take_dirty hands it out. The caller (the
 * service) then gives it its new seq in the transaction that stores it. */
#ifndef TRIN_AGG_ROWS_H
#define TRIN_AGG_ROWS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trin/aggregator.pb-c.h"
#include "trin/envelope.pb-c.h"
#include "trin_date.h"
#include "trin_err.h"

/* ---- columns ---------------------------------------------------------------- */

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

/* ---- rows --------------------------------------------------------------------- */

typedef enum { AGG_RAG_NONE = 0, AGG_RAG_GREEN, AGG_RAG_AMBER, AGG_RAG_RED } agg_rag_t;
const char *agg_rag_name(agg_rag_t r); /* "" for NONE */

/* Presence of the columns that can be empty, one bit each. */
enum {
  AGG_HAS_LIFECYCLE = 1u << 0,   /* fast_track, dwellings, paused, disputes, defects */
  AGG_HAS_VARIANCE = 1u << 1,
  AGG_HAS_BUDGET_A = 1u << 2,
  AGG_HAS_BUDGET_B = 1u << 3,
  AGG_HAS_FORECAST = 1u << 4,
  AGG_HAS_DRIFT = 1u << 5,
  AGG_HAS_MARKET_DRIFT = 1u << 6,
  AGG_HAS_MOLIO = 1u << 7,
  AGG_HAS_SATISFACTION = 1u << 8,
  AGG_HAS_SURVEY = 1u << 9,      /* satisfaction_alert */
  AGG_HAS_BUDGET = 1u << 10,     /* a budget event was seen */
};

typedef struct agg_row {
  /* Text columns: NULL = empty. Owned by the row. */
  char *project_id, *project_name, *partnership_id, *partnership_name, *client_org,
      *client_org_id, *municipality, *kind, *stage, *pause_reason, *satisfaction_trend;
  trin_date_t stage_since, baseline_handover, forecast_handover;
  uint32_t has;
  bool fast_track, paused, molio_compliant, satisfaction_alert;
  int32_t dwellings, schedule_variance_days, drift_bp, market_drift_bp,
      satisfaction_x100, open_disputes, max_dispute_level, open_defects;
  int64_t budget_a_ore, budget_b_ore, forecast_ore;
  uint8_t rag_time, rag_economy, rag_satisfaction, rag_overall; /* agg_rag_t */
  uint64_t seq;
  trin_time_t updated_at;
  /* Survey inputs: the survey the satisfaction comes from. */
  char *survey_id, *survey_closes;
  int32_t survey_round, scale_min, scale_max;
  char **alerts;   /* standing alert keys */
  uint32_t nalerts;
  /* Bookkeeping. */
  bool dirty;
  uint32_t hash_next;  /* index chain in the table, private */
} agg_row_t;

void agg_row_get(const agg_row_t *r, agg_col_t col, agg_value_t *out);

/* ---- red/amber/green ---------------------------------------------------------- */

/* Thresholds (defaults in brackets; config keys in docs/aggregator.md).
 * time: handover schedule variance in days; amber above time_amber_days
 * [14], red above time_red_days [60].
 * economy: |drift| (market-adjusted when known, else total) and the forecast's
 * overrun of Skema B, in basis points; amber from economy_amber_bp [400],
 * red above economy_red_bp [700]; a MOLIO failure is at least amber.
 * satisfaction: the mean's place on the survey's scale, in basis points of
 * the scale's span; red below satisfaction_red_bp [4000] or with an alert
 * standing, amber below satisfaction_amber_bp [6000] or trending down. */
typedef struct {
  int32_t time_amber_days, time_red_days;
  int32_t economy_amber_bp, economy_red_bp;
  int32_t satisfaction_amber_bp, satisfaction_red_bp;
} agg_thresholds_t;

void agg_thresholds_default(agg_thresholds_t *t);
int agg_thresholds_check(const agg_thresholds_t *t, trin_err_t *err);
/* Recomputes the four rag_* fields of r. */
void agg_rag_compute(agg_row_t *r, const agg_thresholds_t *t);

/* ---- the table ---------------------------------------------------------------- */

typedef struct agg_rows agg_rows_t;

agg_rows_t *agg_rows_new(const agg_thresholds_t *t);
void agg_rows_destroy(agg_rows_t **rows);

size_t agg_rows_count(const agg_rows_t *rows);
agg_row_t *agg_rows_at(agg_rows_t *rows, size_t i);  /* insertion order */
agg_row_t *agg_rows_find(agg_rows_t *rows, const char *project_id);
/* Rows sorted by project_id (kept until the next new row). */
agg_row_t **agg_rows_sorted(agg_rows_t *rows);
/* The highest seq of any row (rows' seqs are given by the service, which
 * reports each with agg_rows_note_seq). */
uint64_t agg_rows_max_seq(const agg_rows_t *rows);
void agg_rows_note_seq(agg_rows_t *rows, uint64_t seq);

/* Applies one upstream event (service = "lifecycle", "budget", "survey", ...).
 * Events the rows do not depend on are accepted and change nothing.
 * Returns TRIN_EDECODE naming "payload" for an event whose payload cannot be
 * decoded — the caller logs it and goes on: one bad event must not stop the
 * feed. When membership is not NULL it is set true when the event may change
 * who may see rows (a partnership event; a project event that adds a project
 * or changes its client or partnership), false otherwise, so the caller
 * records membership only when it changes. */
int agg_rows_apply(agg_rows_t *rows, const char *service, const Trin__Event *ev,
                   bool *membership, trin_err_t *err);

/* The rows changed since the last call, in the order they first changed;
 * their dirty flags are cleared. The array is owned by the table and valid
 * until the next apply. */
size_t agg_rows_take_dirty(agg_rows_t *rows, agg_row_t ***out);
/* Rows or names wait to be stored. */
bool agg_rows_has_dirty(const agg_rows_t *rows);

/* ---- conversions ---------------------------------------------------------------- */

/* Fills a StatusRow whose strings point into r (do not free them). */
void agg_row_to_proto(const agg_row_t *r, Trin__Aggregator__StatusRow *out);
/* Stored form: a packed RowState (malloc'd, caller frees). */
int agg_row_pack_state(const agg_row_t *r, uint8_t **out, size_t *len, trin_err_t *err);
/* Adds a row from its stored form (at load). */
int agg_rows_load_state(agg_rows_t *rows, const uint8_t *data, size_t len, trin_err_t *err);
/* Names of partnerships (with their client) and organisations. The table
 * keeps them to fill partnership_name and client_org; changed names are
 * handed out for storing like dirty rows. */
typedef struct {
  char *id, *name, *client_org;  /* client_org: partnerships only */
  bool partnership;
  bool dirty;
} agg_name_t;
/* Sets a name at load (not dirty, rows untouched). */
int agg_rows_load_name(agg_rows_t *rows, bool partnership, const char *id,
                       const char *name, const char *client_org);
size_t agg_rows_take_dirty_names(agg_rows_t *rows, agg_name_t ***out);

#endif
