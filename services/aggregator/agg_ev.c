/* agg_ev — see agg_ev.h.
 *
 * Every figure is a ratio of exact integers. With W = Σ wᵢ and
 * P = Σ wᵢ·pctᵢ (pct in basis points):
 *   EV/BAC = P / (10000·W)
 *   PV/BAC = Pn / (Ps·W)   (Pn, Ps below: the planned share's numerator and
 *                           the span of days it is counted in)
 * so SPI = EV/PV = P·Ps / (10000·Pn): BAC and W cancel, and the x100 figure
 * is P·Ps / (100·Pn) rounded once. CPI·100 = BAC·P / (100·W·AC), and
 * EAC = BAC/CPI = AC·BAC/EV = AC·10000·W / P, rounded once to øre.
 * Products stay in 128 bits: amounts are bounded by int64 øre, weights by
 * their sum, and day spans by the calendar. */
#include "agg_ev.h"

__extension__ typedef __int128 ev_i128;

/* n / d rounded half away from zero; n >= 0, d > 0. Saturates at max. */
static int64_t div_round(ev_i128 n, ev_i128 d, int64_t max) {
  ev_i128 q = (2 * n + d) / (2 * d);
  return q > max ? max : (int64_t)q;
}

/* The planned share as Pn / (Ps·W) on day t. With planned costs: the
 * milestones' intervals (prev, baseline] follow one another, so on any day
 * at most one interval is under way, and every milestone in it (they share
 * a baseline) has the same span Ps. False when there is no plan. */
static bool planned_share(const agg_ev_input_t *in, bool costs, ev_i128 w, ev_i128 *pn,
                          ev_i128 *ps) {
  trin_date_t t = in->as_of;
  if (!costs) {
    /* a straight line from the start to the handover */
    if (in->start == TRIN_DATE_NONE || in->handover == TRIN_DATE_NONE ||
        in->handover <= in->start)
      return false;
    ev_i128 span = (ev_i128)in->handover - in->start;
    ev_i128 el = t <= in->start ? 0 : t >= in->handover ? span : (ev_i128)t - in->start;
    *pn = el * w;
    *ps = span;
    return true;
  }
  ev_i128 full = 0, part = 0, span = 1, el = 0;
  for (size_t i = 0; i < in->nms; i++) {
    const agg_ev_milestone_t *m = &in->ms[i];
    if (!m->has_planned_cost || m->planned_cost_ore <= 0) continue;
    if (t >= m->baseline) {
      full += m->planned_cost_ore;
      continue;
    }
    /* not yet due: the interval it is spread over begins at the latest
     * earlier baseline with a planned cost, else at the start */
    trin_date_t prev = in->start != TRIN_DATE_NONE && in->start < m->baseline ? in->start
                                                                               : TRIN_DATE_NONE;
    for (size_t j = 0; j < in->nms; j++) {
      const agg_ev_milestone_t *o = &in->ms[j];
      if (!o->has_planned_cost || o->planned_cost_ore <= 0 || o->baseline >= m->baseline) continue;
      if (prev == TRIN_DATE_NONE || o->baseline > prev) prev = o->baseline;
    }
    if (prev == TRIN_DATE_NONE || t <= prev) continue; /* its spending has not begun */
    part += m->planned_cost_ore;
    span = (ev_i128)m->baseline - prev;
    el = (ev_i128)t - prev;
  }
  *pn = full * span + part * el;
  *ps = span;
  return true;
}

/* Bounds that keep every product below in 128 bits (with spans of days up
 * to the calendar's): far beyond any building project. */
#define EV_MAX_ORE ((int64_t)1000000000000000)     /* 10^15 øre */
#define EV_MAX_WEIGHT ((int64_t)10000000000000000) /* 10^16 */

void agg_ev_compute(const agg_ev_input_t *in, agg_ev_t *out) {
  *out = (agg_ev_t){0};
  if (in->bac_ore <= 0 || in->bac_ore > EV_MAX_ORE || in->ac_ore > EV_MAX_ORE) return;
  bool costs = false;
  for (size_t i = 0; i < in->nms; i++)
    costs |= in->ms[i].has_planned_cost && in->ms[i].planned_cost_ore > 0;
  bool reported = false;
  ev_i128 w = 0, p = 0;
  for (size_t i = 0; i < in->nms; i++) {
    const agg_ev_milestone_t *m = &in->ms[i];
    ev_i128 wi = !costs ? 1 : m->has_planned_cost && m->planned_cost_ore > 0 ? m->planned_cost_ore
                                                                              : 0;
    if (!wi) continue;
    int32_t pct = m->has_percent ? m->percent_bp : 0;
    if (pct < 0) pct = 0;
    if (pct > 10000) pct = 10000;
    reported |= m->has_percent;
    w += wi;
    p += wi * pct;
  }
  if (w <= 0 || w > EV_MAX_WEIGHT) return;
  ev_i128 bac = in->bac_ore;
  out->has_ev = reported;
  if (out->has_ev) out->ev_ore = div_round(bac * p, 10000 * w, INT64_MAX);
  ev_i128 pn = 0, ps = 1;
  out->has_pv = planned_share(in, costs, w, &pn, &ps);
  if (out->has_pv) out->pv_ore = div_round(bac * pn, ps * w, INT64_MAX);
  if (out->has_ev && out->has_pv && pn > 0) {
    out->has_spi = true;
    out->spi_x100 = (int32_t)div_round(p * ps, 100 * pn, INT32_MAX);
  }
  if (out->has_ev && in->ac_ore > 0) {
    ev_i128 ac = in->ac_ore;
    out->has_cpi = true;
    out->cpi_x100 = (int32_t)div_round(bac * p, 100 * w * ac, INT32_MAX);
    if (p > 0) {
      out->has_eac = true;
      out->eac_ore = div_round(ac * 10000 * w, p, INT64_MAX);
      out->vac_ore = in->bac_ore - out->eac_ore;  /* exact: BAC is whole øre */
    }
  }
}
