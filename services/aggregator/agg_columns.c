/* agg_columns — see agg_columns.h. */
#include "agg_columns.h"

#include <string.h>

#include "agg_rules.h"

const agg_column_t AGG_COLUMNS[AGG_NCOLS] = {
    {"project_id", AGG_T_STRING, "lifecycle"},
    {"project_name", AGG_T_STRING, "lifecycle"},
    {"partnership_id", AGG_T_STRING, "lifecycle"},
    {"partnership_name", AGG_T_STRING, "lifecycle"},
    {"client_org", AGG_T_STRING, "lifecycle"},
    {"municipality", AGG_T_STRING, "lifecycle"},
    {"kind", AGG_T_STRING, "lifecycle"},
    {"fast_track", AGG_T_BOOL, "lifecycle"},
    {"dwellings", AGG_T_INT32, "lifecycle"},
    {"stage", AGG_T_STRING, "lifecycle"},
    {"stage_since", AGG_T_DATE, "lifecycle"},
    {"paused", AGG_T_BOOL, "lifecycle"},
    {"pause_reason", AGG_T_STRING, "lifecycle"},
    {"baseline_handover", AGG_T_DATE, "lifecycle"},
    {"forecast_handover", AGG_T_DATE, "lifecycle"},
    {"schedule_variance_days", AGG_T_INT32, "lifecycle"},
    {"budget_a_dkk", AGG_T_DEC2, "budget"},
    {"budget_b_dkk", AGG_T_DEC2, "budget"},
    {"forecast_dkk", AGG_T_DEC2, "budget"},
    {"drift_pct", AGG_T_DEC2, "budget"},
    {"market_adjusted_drift_pct", AGG_T_DEC2, "budget"},
    {"molio_compliant", AGG_T_BOOL, "budget"},
    {"satisfaction", AGG_T_DEC2, "survey"},
    {"satisfaction_trend", AGG_T_STRING, "survey"},
    {"satisfaction_alert", AGG_T_BOOL, "survey"},
    {"open_disputes", AGG_T_INT32, "lifecycle"},
    {"max_dispute_level", AGG_T_INT32, "lifecycle"},
    {"open_defects", AGG_T_INT32, "lifecycle"},
    {"rag_time", AGG_T_STRING, "aggregator"},
    {"rag_economy", AGG_T_STRING, "aggregator"},
    {"rag_satisfaction", AGG_T_STRING, "aggregator"},
    {"rag_overall", AGG_T_STRING, "aggregator"},
    {"seq", AGG_T_INT64, "aggregator"},
    {"updated_at", AGG_T_TIME, "aggregator"},
    /* rehousing (issue 20, item 4) */
    {"without_rehousing", AGG_T_BOOL, "lifecycle"},
    {"households_to_rehouse", AGG_T_INT32, "lifecycle"},
    {"households_rehoused", AGG_T_INT32, "lifecycle"},
    {"households_rehoused_permanent", AGG_T_INT32, "lifecycle"},
    {"households_moved_back", AGG_T_INT32, "lifecycle"},
    {"last_moved_back_on", AGG_T_DATE, "lifecycle"},
    /* item 6 (issue 20): AB18 deadlines */
    {"next_deadline", AGG_T_DATE, "lifecycle"},
    {"next_deadline_kind", AGG_T_STRING, "lifecycle"},
    {"arbitration_deadline", AGG_T_DATE, "lifecycle"},
    {"arbitration_deadline_near", AGG_T_BOOL, "aggregator"},
    {"inspection_due", AGG_T_DATE, "lifecycle"},
    {"inspection_overdue", AGG_T_BOOL, "aggregator"},
    /* earned value (issue 20 item 1) */
    {"spi", AGG_T_DEC2, "aggregator"},
    {"cpi", AGG_T_DEC2, "aggregator"},
    {"eac_dkk", AGG_T_DEC2, "aggregator"},
    {"vac_dkk", AGG_T_DEC2, "aggregator"},
    /* sustainability and reuse (issue 20, item 3) */
    {"sustainability_measures", AGG_T_INT32, "lifecycle"},
    {"reused_kg", AGG_T_INT64, "lifecycle"},
    {"reused_between_projects_kg", AGG_T_INT64, "lifecycle"},
    {"energy_saving_kwh_m2", AGG_T_DEC2, "lifecycle"},
    {"energy_saving_expected_kwh_m2", AGG_T_DEC2, "lifecycle"},
    {"energy_saved_kwh", AGG_T_INT64, "lifecycle"},
    {"co2e_saving_kg_m2", AGG_T_DEC2, "lifecycle"},
    /* lessons learned (issue 20, item 5) */
    {"lessons", AGG_T_INT32, "lifecycle"},
    {"lessons_adopted", AGG_T_INT32, "lifecycle"},
};

int agg_column_find(const char *name, size_t len) {
  for (int i = 0; i < AGG_NCOLS; i++)
    if (strlen(AGG_COLUMNS[i].name) == len && memcmp(AGG_COLUMNS[i].name, name, len) == 0)
      return i;
  return -1;
}

static void v_str(agg_value_t *v, const char *s) {
  v->null = !s || !*s;
  v->s = s ? s : "";
}
static void v_num(agg_value_t *v, bool present, int64_t i) {
  v->null = !present;
  v->i = i;
}

void agg_row_get(const agg_row_t *r, agg_col_t col, agg_value_t *v) {
  *v = (agg_value_t){.null = true, .s = ""};
  bool lc = r->has & AGG_HAS_LIFECYCLE;
  bool rh = r->has & AGG_HAS_REHOUSING;
  switch (col) {
    case AGG_COL_PROJECT_ID: v_str(v, r->project_id); break;
    case AGG_COL_PROJECT_NAME: v_str(v, r->project_name); break;
    case AGG_COL_PARTNERSHIP_ID: v_str(v, r->partnership_id); break;
    case AGG_COL_PARTNERSHIP_NAME: v_str(v, r->partnership_name); break;
    case AGG_COL_CLIENT_ORG: v_str(v, r->client_org); break;
    case AGG_COL_MUNICIPALITY: v_str(v, r->municipality); break;
    case AGG_COL_KIND: v_str(v, r->kind); break;
    case AGG_COL_FAST_TRACK: v_num(v, lc, r->fast_track); break;
    case AGG_COL_DWELLINGS: v_num(v, lc, r->dwellings); break;
    case AGG_COL_STAGE: v_str(v, r->stage); break;
    case AGG_COL_STAGE_SINCE: v_num(v, r->stage_since != TRIN_DATE_NONE, r->stage_since); break;
    case AGG_COL_PAUSED: v_num(v, lc, r->paused); break;
    case AGG_COL_PAUSE_REASON: v_str(v, r->pause_reason); break;
    case AGG_COL_BASELINE_HANDOVER:
      v_num(v, r->baseline_handover != TRIN_DATE_NONE, r->baseline_handover);
      break;
    case AGG_COL_FORECAST_HANDOVER:
      v_num(v, r->forecast_handover != TRIN_DATE_NONE, r->forecast_handover);
      break;
    case AGG_COL_SCHEDULE_VARIANCE_DAYS:
      v_num(v, r->has & AGG_HAS_VARIANCE, r->schedule_variance_days);
      break;
    case AGG_COL_BUDGET_A_DKK: v_num(v, r->has & AGG_HAS_BUDGET_A, r->budget_a_ore); break;
    case AGG_COL_BUDGET_B_DKK: v_num(v, r->has & AGG_HAS_BUDGET_B, r->budget_b_ore); break;
    case AGG_COL_FORECAST_DKK: v_num(v, r->has & AGG_HAS_FORECAST, r->forecast_ore); break;
    case AGG_COL_DRIFT_PCT: v_num(v, r->has & AGG_HAS_DRIFT, r->drift_bp); break;
    case AGG_COL_MARKET_ADJUSTED_DRIFT_PCT:
      v_num(v, r->has & AGG_HAS_MARKET_DRIFT, r->market_drift_bp);
      break;
    case AGG_COL_MOLIO_COMPLIANT: v_num(v, r->has & AGG_HAS_MOLIO, r->molio_compliant); break;
    case AGG_COL_SATISFACTION:
      v_num(v, r->has & AGG_HAS_SATISFACTION, r->satisfaction_x100);
      break;
    case AGG_COL_SATISFACTION_TREND: v_str(v, r->satisfaction_trend); break;
    case AGG_COL_SATISFACTION_ALERT:
      v_num(v, r->has & AGG_HAS_SURVEY, r->satisfaction_alert);
      break;
    case AGG_COL_OPEN_DISPUTES: v_num(v, lc, r->open_disputes); break;
    case AGG_COL_MAX_DISPUTE_LEVEL: v_num(v, lc, r->max_dispute_level); break;
    case AGG_COL_OPEN_DEFECTS: v_num(v, lc, r->open_defects); break;
    case AGG_COL_RAG_TIME: v_str(v, agg_rag_name(r->rag_time)); break;
    case AGG_COL_RAG_ECONOMY: v_str(v, agg_rag_name(r->rag_economy)); break;
    case AGG_COL_RAG_SATISFACTION: v_str(v, agg_rag_name(r->rag_satisfaction)); break;
    case AGG_COL_RAG_OVERALL: v_str(v, agg_rag_name(r->rag_overall)); break;
    case AGG_COL_SEQ: v_num(v, true, (int64_t)r->seq); break;
    case AGG_COL_UPDATED_AT: v_num(v, r->updated_at != 0, r->updated_at); break;
    case AGG_COL_WITHOUT_REHOUSING: v_num(v, rh, r->without_rehousing); break;
    case AGG_COL_HOUSEHOLDS_TO_REHOUSE: v_num(v, rh, r->households_to_rehouse); break;
    case AGG_COL_HOUSEHOLDS_REHOUSED: v_num(v, rh, r->households_rehoused); break;
    case AGG_COL_HOUSEHOLDS_REHOUSED_PERMANENT:
      v_num(v, rh, r->households_rehoused_permanent);
      break;
    case AGG_COL_HOUSEHOLDS_MOVED_BACK: v_num(v, rh, r->households_moved_back); break;
    case AGG_COL_LAST_MOVED_BACK_ON:
      v_num(v, r->last_moved_back_on != TRIN_DATE_NONE, r->last_moved_back_on);
      break;
    case AGG_COL_NEXT_DEADLINE:
      v_num(v, r->next_deadline != TRIN_DATE_NONE, r->next_deadline);
      break;
    case AGG_COL_NEXT_DEADLINE_KIND: v_str(v, r->next_deadline_kind); break;
    case AGG_COL_ARBITRATION_DEADLINE:
      v_num(v, r->arbitration_deadline != TRIN_DATE_NONE, r->arbitration_deadline);
      break;
    case AGG_COL_ARBITRATION_DEADLINE_NEAR: v_num(v, lc, r->arbitration_deadline_near); break;
    case AGG_COL_INSPECTION_DUE:
      v_num(v, r->inspection_due != TRIN_DATE_NONE, r->inspection_due);
      break;
    case AGG_COL_INSPECTION_OVERDUE: v_num(v, lc, r->inspection_overdue); break;
    case AGG_COL_SPI: v_num(v, r->has & AGG_HAS_SPI, r->spi_x100); break;
    case AGG_COL_CPI: v_num(v, r->has & AGG_HAS_CPI, r->cpi_x100); break;
    case AGG_COL_EAC_DKK: v_num(v, r->has & AGG_HAS_EAC, r->eac_ore); break;
    case AGG_COL_VAC_DKK: v_num(v, r->has & AGG_HAS_EAC, r->vac_ore); break;
    /* sustainability and reuse (issue 20, item 3) */
    case AGG_COL_SUSTAINABILITY_MEASURES: v_num(v, lc, r->sustain_measures); break;
    case AGG_COL_REUSED_KG: v_num(v, lc, r->reused_kg); break;
    case AGG_COL_REUSED_BETWEEN_PROJECTS_KG: v_num(v, lc, r->reused_between_kg); break;
    case AGG_COL_ENERGY_SAVING_KWH_M2:
      v_num(v, r->sustain_has & AGG_SUSTAIN_HAS_ENERGY, r->energy_saving_x100);
      break;
    case AGG_COL_ENERGY_SAVING_EXPECTED_KWH_M2:
      v_num(v, r->sustain_has & AGG_SUSTAIN_HAS_EXPECTED, r->energy_expected_x100);
      break;
    case AGG_COL_ENERGY_SAVED_KWH:
      v_num(v, r->sustain_has & AGG_SUSTAIN_HAS_SAVED, r->energy_saved_kwh);
      break;
    case AGG_COL_CO2E_SAVING_KG_M2:
      v_num(v, r->sustain_has & AGG_SUSTAIN_HAS_CO2E, r->co2e_x100);
      break;
    /* lessons learned (issue 20, item 5) */
    case AGG_COL_LESSONS: v_num(v, lc, r->lessons); break;
    case AGG_COL_LESSONS_ADOPTED: v_num(v, lc, r->lessons_adopted); break;
    default: break;
  }
}
