/* agg_row — one status row: its columns' values with their presence bits,
 * and its two encodings, the StatusRow the feeds and the PUB send and the
 * RowState the store keeps. The table of rows is agg_rows.h. */
#ifndef TRIN_AGG_ROW_H
#define TRIN_AGG_ROW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "agg_ev.h"
#include "trin/aggregator.pb-c.h"
#include "trin_arena.h"
#include "trin_date.h"
#include "trin_err.h"

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
  AGG_HAS_REHOUSING = 1u << 16,  /* a rehousing plan is recorded (issue 20, item 4) */
  /* earned value (issue 20 item 1; agg_ev.h) */
  AGG_HAS_SPI = 1u << 11,
  AGG_HAS_CPI = 1u << 12,
  AGG_HAS_EAC = 1u << 13,        /* eac and vac */
};

/* Presence of the sustainability columns that can be empty (issue 20,
 * item 3), apart from `has` so items merge without renumbering. */
enum {
  AGG_SUSTAIN_HAS_ENERGY = 1u << 0,   /* energy_saving_kwh_m2 (measured) */
  AGG_SUSTAIN_HAS_EXPECTED = 1u << 1, /* energy_saving_expected_kwh_m2 */
  AGG_SUSTAIN_HAS_SAVED = 1u << 2,    /* energy_saved_kwh */
  AGG_SUSTAIN_HAS_CO2E = 1u << 3,     /* co2e_saving_kg_m2 */
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
  /* AB18 deadlines (item 6): dates from lifecycle, TRIN_DATE_NONE = none;
   * the flags are the aggregator's, against today (agg_deadlines_compute). */
  trin_date_t next_deadline, arbitration_deadline, inspection_due;
  char *next_deadline_kind;
  bool arbitration_deadline_near, inspection_overdue;
  /* Survey inputs: the survey the satisfaction comes from. */
  char *survey_id, *survey_closes;
  int32_t survey_round, scale_min, scale_max;
  char **alerts;   /* standing alert keys */
  uint32_t nalerts;
  /* Rehousing (issue 20, item 4); valid with AGG_HAS_REHOUSING. */
  bool without_rehousing;
  int32_t households_to_rehouse, households_rehoused, households_rehoused_permanent,
      households_moved_back;
  trin_date_t last_moved_back_on;
  /* Earned value (issue 20 item 1): its inputs — the project's start, the
   * actual costs to date and every milestone as lifecycle last set it
   * (ev_ms[i] is named ev_ms_names[i]; both owned) — and its figures, as of
   * the table's day (agg_rows_set_today). */
  trin_date_t start_date;
  int64_t actual_cost_ore;
  char **ev_ms_names;
  agg_ev_milestone_t *ev_ms;
  uint32_t nev_ms;
  int32_t spi_x100, cpi_x100;
  int64_t eac_ore, vac_ore;
  /* Sustainability and reuse (issue 20, item 3): the lifecycle's totals.
   * Counts and kg show once the lifecycle is known; the rest by sustain_has. */
  uint8_t sustain_has; /* AGG_SUSTAIN_HAS_* */
  int32_t sustain_measures, energy_saving_x100, energy_expected_x100, co2e_x100;
  int64_t reused_kg, reused_between_kg, energy_saved_kwh;
  /* Lessons learned (issue 20, item 5): the lifecycle's counts. */
  int32_t lessons, lessons_adopted;
  /* Bookkeeping: on the table's dirty list (agg_rows.h). */
  bool dirty;
} agg_row_t;

/* Fills a StatusRow. Its text columns point into r; its dates and its
 * updated_at are written in ar, which the caller owns and resets after it
 * is done with out. When ar runs out of memory ar->failed is set and those
 * fields are "". */
void agg_row_to_proto(const agg_row_t *r, trin_arena_t *ar, Trin__Aggregator__StatusRow *out);
/* Stored form: a packed RowState (malloc'd, caller frees). */
int agg_row_pack_state(const agg_row_t *r, uint8_t **out, size_t *len, trin_err_t *err);

/* Setters that notice change: each writes a column only when the value
 * differs and then sets *changed, so an event that repeats what a row says
 * changes nothing. Text is copied (NULL or "" = empty; on OOM the column
 * keeps its old value); a date that does not parse is empty. */
void agg_row_set_str(char **field, const char *v, bool *changed);
void agg_row_set_i32(int32_t *field, int32_t v, bool *changed);
void agg_row_set_i64(int64_t *field, int64_t v, bool *changed);
void agg_row_set_bool(bool *field, bool v, bool *changed);
void agg_row_set_has(agg_row_t *r, uint32_t bit, bool on, bool *changed);
void agg_row_set_date(trin_date_t *field, const char *text, bool *changed);
/* Earned value's milestone `name` set as lifecycle sent it (replacing one
 * of that name); *changed when it differs. TRIN_EINTERNAL on OOM, and a
 * row keeps at most AGG_ROW_MAX_MILESTONES (more are left out of earned
 * value, which a project of that many milestones does not need). */
#define AGG_ROW_MAX_MILESTONES 1000
int agg_row_set_ev_milestone(agg_row_t *r, const char *name, const agg_ev_milestone_t *m,
                             bool *changed);
/* Computes the row's earned value figures as of `day`; *changed when any
 * differs from what the row showed. */
void agg_row_compute_ev(agg_row_t *r, trin_date_t day, bool *changed);

#endif
