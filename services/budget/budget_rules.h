/* budget_rules — the budget domain as plain data and pure functions: the
 * open-book price calculation, MOLIO verification, index look-up without
 * interpolation, the drift decomposition A -> B, the forecast at completion,
 * the rent consequence (annuity), the turnover split, and the figures one
 * project's budgets add up to. No sockets, no store: the handlers (and the
 * benchmark) load plain structs and ask these functions.
 *
 * Rounding, once for all: every amount derived from a percentage or a
 * ratio is rounded to whole øre half away from zero ("commercial"), once,
 * at the line where it is computed; sums of rounded lines are exact. */
#ifndef TRIN_BUDGET_RULES_H
#define TRIN_BUDGET_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trin_csv.h"
#include "trin_date.h"
#include "trin_err.h"
#include "trin_money.h"

/* ---- names <-> enums (lowercase text on the wire, in the store, in trinctl).
 * _parse returns -1 and fills err naming `field` for unknown text. */

typedef enum {
  BUDGET_SKEMA_A = 0,  /* early budget (support application), experience prices + MOLIO */
  BUDGET_SKEMA_B,      /* after tender / price closing */
  BUDGET_SKEMA_C,      /* audited final account (byggeregnskab) */
  BUDGET_FORECAST,     /* running forecast at completion */
  BUDGET_KIND_COUNT
} budget_kind_t;
int budget_kind_parse(const char *text, const char *field, trin_err_t *err);
const char *budget_kind_name(int k);

/* A budget version's status: draft -> submitted -> approved. */
typedef enum {
  BUDGET_DRAFT = 0, BUDGET_SUBMITTED, BUDGET_APPROVED, BUDGET_STATUS_COUNT
} budget_status_t;
int budget_status_parse(const char *text, const char *field, trin_err_t *err);

typedef enum {
  BUDGET_CAT_CRAFT = 0,      /* håndværkerudgifter */
  BUDGET_CAT_ADVISOR_FEES,   /* rådgiverhonorar */
  BUDGET_CAT_EARLY_ADVICE,   /* the contractor's early-phase advice, hourly */
  BUDGET_CAT_MANAGEMENT_FEE, /* styringsgage */
  BUDGET_CAT_RISK_POOL,      /* risikopulje */
  BUDGET_CAT_MARGIN,         /* dækningsgrad */
  BUDGET_CAT_FEES_OTHER,     /* gebyrer og øvrige omkostninger */
  BUDGET_CAT_FINANCING,      /* finansiering */
  BUDGET_CATEGORY_COUNT
} budget_category_t;
int budget_category_parse(const char *text, const char *field, trin_err_t *err);
const char *budget_category_name(int c);

typedef enum {
  BUDGET_OPTION_PROPOSED = 0, BUDGET_OPTION_ACCEPTED, BUDGET_OPTION_REJECTED,
  BUDGET_OPTION_STATUS_COUNT
} budget_option_status_t;
int budget_option_status_parse(const char *text, const char *field, trin_err_t *err);

/* Who earns a category's turnover: advisors (advisor fees), the contractor
 * (craft, early advice, management fee, risk pool, margin), or other
 * (fees and other costs, financing: neither party's turnover). */
typedef enum {
  BUDGET_PARTY_ADVISORS = 0, BUDGET_PARTY_CONTRACTOR, BUDGET_PARTY_OTHER, BUDGET_PARTY_COUNT
} budget_party_t;
budget_party_t budget_category_party(budget_category_t c);
const char *budget_party_name(int p);

/* ---- percentages -------------------------------------------------------- */

#define BUDGET_BP_MAX 10000
/* num / den as basis points, rounded half away from zero; 0 when den is 0.
 * Clamped to the int32 range. */
int32_t budget_ratio_bp(int64_t num, int64_t den);
/* round(a × num / den) half away from zero; false on overflow or den <= 0. */
bool budget_mul_div(int64_t a, int64_t num, int64_t den, int64_t *out);

/* ---- the economic model and the open-book price ------------------------- */

#define BUDGET_MAX_RATES 32
typedef struct {
  char role[65];
  trin_ore_t rate_ore;  /* per hour */
} budget_rate_t;

typedef struct {
  budget_rate_t rates[BUDGET_MAX_RATES];
  int nrates;
  int32_t management_fee_bp, risk_bp, advisor_fee_bp, margin_bp, molio_deduction_bp;
} budget_model_t;

/* Every percentage within 0..10000, rates >= 0, roles unique; fields named
 * "model.management_fee_bp", "model.rates[2].role", ... */
int budget_model_check(const budget_model_t *m, trin_err_t *err);

typedef struct {
  const char *role;
  int64_t hours_x100;   /* 7.5 hours = 750 */
} budget_hours_t;

#define BUDGET_PRICE_LINES 7
#define BUDGET_WORKING_MAX 160
typedef struct {
  budget_category_t category;
  trin_ore_t base_ore;  /* what the rate applies to */
  int32_t rate_bp;      /* 0 for sums and hours */
  trin_ore_t amount_ore;
  char working[BUDGET_WORKING_MAX];
} budget_price_line_t;

typedef struct {
  budget_price_line_t lines[BUDGET_PRICE_LINES];
  int nlines;
  trin_ore_t price_ore;
} budget_price_t;

/* The open-book price (see docs/budget.md), line by line:
 *   craft          = C                         (the craft costs as given)
 *   early_advice   = Σ round(hours × rate)     (per role, the tender's rates)
 *   advisor_fees   = round(C × advisor_fee_bp / 10000)
 *   management_fee = round(C × management_fee_bp / 10000)
 *   risk_pool      = round(C × risk_bp / 10000)
 *   margin         = round((C + management_fee + risk_pool) × margin_bp / 10000)
 *   price          = the sum of the six lines
 * Refuses a negative craft amount, negative hours, a role without a rate
 * ("hours[i].role") and any overflow. */
int budget_price_calculate(const budget_model_t *m, trin_ore_t craft_ore,
                           const budget_hours_t *hours, int nhours,
                           budget_price_t *out, trin_err_t *err);

/* ---- budget lines ----------------------------------------------------------- */

/* A line as the rules see it (the store and the benchmark fill these). */
typedef struct {
  trin_ore_t amount_ore;
  trin_ore_t molio_reference_ore;  /* 0 = none */
  uint8_t category;                /* budget_category_t */
} budget_line_t;

/* Amount >= 0; reference >= 0 and only on craft lines. Fields "amount_ore",
 * "molio_reference_ore" (the caller prefixes the line's path). */
int budget_line_check(const budget_line_t *l, trin_err_t *err);
/* Sum of amounts, false on overflow. */
bool budget_lines_total(const budget_line_t *lines, size_t n, trin_ore_t *out);

/* ---- MOLIO verification (eftervisning) --------------------------------------
 * A craft line with a reference price passes when
 *   amount <= limit, limit = round(reference × (10000 − deduction_bp) / 10000).
 * On the limit passes; one øre above fails. */
typedef struct {
  trin_ore_t limit_ore;
  bool passes;
  trin_ore_t excess_ore;  /* amount − limit when failing, else 0 */
} budget_molio_t;
void budget_molio_line(trin_ore_t amount_ore, trin_ore_t reference_ore,
                       int32_t deduction_bp, budget_molio_t *out);

typedef struct {
  int checked, failing;
  trin_ore_t excess_ore;
} budget_molio_summary_t;
void budget_molio_lines(const budget_line_t *lines, size_t n, int32_t deduction_bp,
                        budget_molio_summary_t *out);

/* ---- index series -------------------------------------------------------- */

typedef struct {
  trin_date_t date;
  int64_t value_x100;  /* > 0 */
} budget_index_point_t;

/* The point used for `date`: the latest at or before it (points sorted by
 * date, no duplicates). Nothing is interpolated; with no such point the
 * answer is TRIN_ECONFLICT naming `field` and the date in words. */
int budget_index_at(const budget_index_point_t *pts, size_t n, trin_date_t date,
                    const char *series, const char *field,
                    budget_index_point_t *out, trin_err_t *err);

/* "2024-01-01", "2024K1", "2024Q1" (a quarter is dated by its first day). */
int budget_index_date_parse(const char *text, trin_date_t *out, const char *field,
                            trin_err_t *err);

/* Parses index CSV (columns `date` and `value`, see budget.proto
 * ImportIndexCsv) into *out (malloc'd, caller frees), sorted by date.
 * Any bad row refuses all: EINVALID with field "csv" and a message
 * starting "line N:", e.g. "line 4: the date is missing". */
int budget_index_parse_csv(const char *csv, size_t len, budget_index_point_t **out,
                           size_t *n, trin_err_t *err);

/* ---- drift A -> B ----------------------------------------------------------- */

/* A decided change dated `date`: scope changes (+/−) and accepted savings
 * (given here as a negative amount). */
typedef struct {
  trin_date_t date;
  trin_ore_t amount_ore;
} budget_change_t;

typedef struct {
  trin_ore_t a_ore, b_ore;
  trin_ore_t total_ore, market_ore, scope_ore, unexplained_ore;
  trin_ore_t market_adjusted_ore;
  int32_t total_bp, market_bp, scope_bp, unexplained_bp, market_adjusted_bp;
  bool market_known;
} budget_drift_t;

/* The drift from A (dated a_date) to B (b_date):
 *   total       = B − A
 *   market      = round(A × I_b / I_a) − A   (only with both index points;
 *                                             else 0 and market_known false)
 *   scope       = Σ changes dated in (a_date, b_date]
 *   unexplained = total − market − scope
 * Percentages are basis points of A. Refuses overflow only. */
int budget_drift(trin_ore_t a_ore, trin_date_t a_date, trin_ore_t b_ore,
                 trin_date_t b_date, const budget_index_point_t *ia,
                 const budget_index_point_t *ib, const budget_change_t *changes,
                 size_t nchanges, budget_drift_t *out, trin_err_t *err);

/* ---- forecast at completion ------------------------------------------------- */

typedef struct {
  trin_ore_t base_ore;          /* latest forecast version, else B, else A */
  trin_date_t base_date;
  trin_ore_t scope_after_ore;   /* Σ scope changes dated after base_date */
  trin_ore_t savings_after_ore; /* Σ accepted savings dated after base_date */
  trin_ore_t costs_to_date_ore;
  trin_ore_t cost_to_complete_ore;
  trin_ore_t at_completion_ore;
} budget_forecast_t;

/* at_completion = max(base + scope_after − savings_after, costs_to_date);
 * cost_to_complete = at_completion − costs_to_date. changes as for drift
 * (savings negative), split by sign into scope and savings. */
int budget_forecast(trin_ore_t base_ore, trin_date_t base_date,
                    const budget_change_t *scope, size_t nscope,
                    const budget_change_t *savings, size_t nsavings,
                    trin_ore_t costs_to_date_ore, budget_forecast_t *out,
                    trin_err_t *err);

/* ---- rent consequence (huslejekonsekvens) ------------------------------------ */

typedef struct {
  int32_t loan_share_bp;       /* 0..10000 */
  int32_t interest_bp;         /* yearly, 0..3000 */
  int32_t term_years;          /* 1..60 */
  int32_t rentable_area_m2;    /* > 0 */
  trin_ore_t current_rent_ore_per_m2;  /* yearly, >= 0 */
  trin_ore_t max_rent_ore_per_m2;      /* yearly, >= 0 */
} budget_rent_params_t;

typedef struct {
  trin_ore_t financed_ore, yearly_payment_ore, increase_ore_per_m2, new_rent_ore_per_m2;
  int32_t increase_bp;
  bool within_max;
} budget_rent_t;

/* Fields "parameters.loan_share_bp", ... */
int budget_rent_check(const budget_rent_params_t *p, trin_err_t *err);
/* financed = round(price × loan_share_bp / 10000);
 * yearly payment = round(financed × r / (1 − (1 + r)^−n)), r = interest_bp /
 * 10000, n = term_years (a level annuity, yearly terms), computed in
 * integers with (1 + r)^n to 10^-15; with r = 0 it is round(financed / n);
 * increase per m² = round(payment / area); within_max: current + increase
 * <= max. */
int budget_rent(trin_ore_t price_ore, const budget_rent_params_t *p, budget_rent_t *out,
                trin_err_t *err);

/* ---- one project's figures ---------------------------------------------------
 * The recomputation every change (and the benchmark) runs: from a project's
 * budget totals, its price budget's lines, its changes and costs, to the
 * figures of trin.budget.ProjectFigures. */
typedef struct {
  bool has_a, has_b, has_forecast;
  trin_ore_t a_ore, b_ore, forecast_version_ore;
  trin_date_t a_date, b_date, forecast_version_date;
  const budget_line_t *price_lines;  /* lines of B (else A), for MOLIO */
  size_t nprice_lines;
  int32_t molio_deduction_bp;
  const budget_index_point_t *ia, *ib; /* NULL when not found */
  const budget_change_t *scope;        /* decided scope changes */
  size_t nscope;
  const budget_change_t *savings;      /* accepted savings, negative */
  size_t nsavings;
  trin_ore_t costs_to_date_ore;
} budget_project_input_t;

typedef struct {
  bool drift_known;
  budget_drift_t drift;
  budget_molio_summary_t molio;
  budget_forecast_t forecast;
} budget_project_figures_t;

int budget_project_figures(const budget_project_input_t *in, budget_project_figures_t *out,
                           trin_err_t *err);

/* Whether two computations of a project's figures say the same: every drift
 * part, the MOLIO summary and the forecast, field by field (never memcmp:
 * the structs have padding). New index points re-emit a project's figures
 * only when this is false for its figures before and after them. */
bool budget_project_figures_equal(const budget_project_figures_t *x,
                                  const budget_project_figures_t *y);

/* ---- corrections: a budget back to draft (issue 19) ----------------------------
 * WithdrawBudget takes a submitted budget back (submitted -> draft);
 * ReopenBudget an approved one (approved -> draft: it is reopened to be
 * changed, then submitted and approved again). The price closing is the
 * line neither crosses: approving the Skema B closed the price, so the
 * approved Skema B is never reopened, and the Skema A the drift is measured
 * from is not reopened once the price is closed. Skema C and forecasts
 * follow no such line. */

#define BUDGET_REASON_MAX_BYTES 2000

/* A correction's reason: required, not only spaces, at most
 * BUDGET_REASON_MAX_BYTES, typed text (trin_text_check). Field "reason". */
int budget_reason_check(const char *reason, trin_err_t *err);

/* The budget a correction names. */
typedef struct {
  const char *id;
  const char *project_id;
  int kind;            /* budget_kind_t */
  const char *status;  /* draft, submitted, approved */
} budget_state_t;

/* Whether the project's price is closed, and by what: its approved Skema B
 * (skema_b_id), or lifecycle's ClosePrice alone (skema_b_id ""). */
typedef struct {
  bool closed;
  const char *on;          /* the day, "" when not known */
  const char *skema_b_id;
} budget_price_closing_t;

/* Only a submitted budget; CONFLICT naming "status" otherwise. */
int budget_withdraw_check(const budget_state_t *b, trin_err_t *err);
/* Only an approved budget (CONFLICT naming "status"); not the approved
 * Skema B, and not a Skema A once the price is closed (CONFLICT naming
 * "price_closed", saying "prisen er lukket" and the day). */
int budget_reopen_check(const budget_state_t *b, const budget_price_closing_t *pc,
                        trin_err_t *err);

#endif
