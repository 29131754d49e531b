/* agg_ev — earned value (issue 20 item 1; DESIGN.md "Facts gathered":
 * SPI = EV/PV, CPI = EV/AC, EAC = BAC/CPI): the pure formulas, no I/O.
 *
 * BAC, budget at completion: the price budget (Skema B, else A), in øre.
 * PV, planned value as of a day: BAC × the planned share of the work done
 *   by then. With planned costs on the milestones, each milestone's cost is
 *   spread evenly from the baseline of the milestone before it (the project
 *   start for the first) to its own baseline, and the share is the costs so
 *   spread up to the day over all planned costs. Without any planned cost:
 *   a straight line from the start to the handover milestone's baseline.
 * EV, earned value: BAC × Σ wᵢ·pctᵢ / Σ wᵢ, pctᵢ the percent complete
 *   reported for milestone i (0 when none), wᵢ its planned cost when the
 *   project planned costs, else 1 (every milestone an equal share).
 * AC, actual cost: the actual costs the budget service recorded to date.
 * VAC = BAC − EAC (< 0: an overrun expected).
 *
 * Everything is computed from the exact fractions and rounded once at the
 * end, half away from zero: SPI and CPI to hundredths, EAC and VAC to øre.
 * A BAC or AC above 10^15 øre, or planned costs summing above 10^16 øre,
 * give no figures (the exact products would not fit). */
#ifndef TRIN_AGG_EV_H
#define TRIN_AGG_EV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trin_date.h"

typedef struct {
  trin_date_t baseline;
  bool has_planned_cost;
  int64_t planned_cost_ore;  /* >= 0 */
  bool has_percent;
  int32_t percent_bp;        /* 0–10000 */
} agg_ev_milestone_t;

typedef struct {
  int64_t bac_ore;           /* <= 0: no price budget, nothing to earn */
  int64_t ac_ore;            /* <= 0: no actual cost yet */
  trin_date_t start;         /* TRIN_DATE_NONE = unknown */
  trin_date_t handover;      /* the handover milestone's baseline, or NONE */
  const agg_ev_milestone_t *ms;  /* borrowed */
  size_t nms;
  trin_date_t as_of;         /* the day PV is for */
} agg_ev_input_t;

/* Each figure is empty (has_ false) when its inputs are missing:
 * - EV: no BAC, or no milestone with a percent complete reported;
 * - PV: no BAC, or no plan (neither planned costs nor a start and a handover
 *   after it);
 * - SPI: EV or PV empty, or PV = 0 (the day is before the plan starts);
 * - CPI: EV empty or AC = 0;
 * - EAC and VAC: CPI empty or EV = 0 (nothing earned: no estimate). */
typedef struct {
  bool has_ev, has_pv, has_spi, has_cpi, has_eac;
  int64_t ev_ore, pv_ore;
  int32_t spi_x100, cpi_x100;  /* 0.95 = 95 */
  int64_t eac_ore, vac_ore;
} agg_ev_t;

void agg_ev_compute(const agg_ev_input_t *in, agg_ev_t *out);

#endif
