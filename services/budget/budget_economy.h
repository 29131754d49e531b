/* budget_economy — one project's economy, from what the store loaded
 * (budget_economy_t) through the rules to the messages the service replies
 * with and publishes (ProjectFigures, Drift, Forecast, RentConsequence). */
#ifndef TRIN_BUDGET_ECONOMY_H
#define TRIN_BUDGET_ECONOMY_H

#include "budget_rules.h"
#include "budget_store.h"
#include "trin/budget.pb-c.h"
#include "trin_arena.h"

typedef struct {
  budget_project_figures_t f;
  bool has_ia, has_ib;
  budget_index_point_t ia, ib;
  trin_err_t index_err;  /* why the market part is unknown (when A and B exist) */
  bool has_rent;
  budget_rent_t rent;
} budget_economy_result_t;

/* Runs the rules on e. Fails only on overflow. */
int budget_economy_compute(const budget_economy_t *e, budget_economy_result_t *r,
                           trin_err_t *err);

/* Messages in the arena (NULL on out of memory). */
Trin__Budget__ProjectFigures *budget_figures_message(const budget_economy_t *e,
                                                     const budget_economy_result_t *r,
                                                     trin_arena_t *a);
/* NULL when A or B is missing. */
Trin__Budget__Drift *budget_drift_message(const budget_economy_t *e,
                                          const budget_economy_result_t *r, trin_arena_t *a);
Trin__Budget__Forecast *budget_forecast_message(const budget_economy_t *e,
                                                const budget_economy_result_t *r,
                                                trin_arena_t *a);
/* NULL without rent parameters. */
Trin__Budget__RentConsequence *budget_rent_message(const budget_economy_result_t *r,
                                                   trin_arena_t *a);

#endif
