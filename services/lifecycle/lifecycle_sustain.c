/* lifecycle_sustain — see lifecycle_sustain.h. */
#include "lifecycle_sustain.h"

#include <string.h>

static const char *const KINDS[LIFECYCLE_SUSTAIN_KIND_COUNT] = {"reuse", "take_back",
                                                                "energy_renovation", "other"};

int lifecycle_sustain_kind_parse(const char *text, const char *field, trin_err_t *err) {
  for (int i = 0; text && i < LIFECYCLE_SUSTAIN_KIND_COUNT; i++)
    if (strcmp(text, KINDS[i]) == 0) return i;
  trin_err_set(err, TRIN_EINVALID, field,
               "must be reuse, take_back, energy_renovation or other, not \"%s\"",
               text ? text : "");
  return -1;
}

const char *lifecycle_sustain_kind_name(lifecycle_sustain_kind_t k) {
  return (unsigned)k < LIFECYCLE_SUSTAIN_KIND_COUNT ? KINDS[k] : "";
}

static bool set(const char *s) { return s && *s; }

static int figure_check(int32_t v, const char *field, trin_err_t *err) {
  if (v < 0)
    return trin_err_set(err, TRIN_EINVALID, field, "must be 0 or more (0 = not stated), not %d",
                        (int)v);
  if (v > LIFECYCLE_SUSTAIN_FIGURE_MAX_X100)
    return trin_err_set(err, TRIN_EINVALID, field, "must be at most %d (hundredths), not %d",
                        LIFECYCLE_SUSTAIN_FIGURE_MAX_X100, (int)v);
  return TRIN_OK;
}

int lifecycle_sustain_check(const lifecycle_sustain_measure_t *m, trin_err_t *err) {
  if (m->reused_kg < 0)
    return trin_err_set(err, TRIN_EINVALID, "reused_kg", "must be 0 or more, not %lld",
                        (long long)m->reused_kg);
  if (m->reused_m2 < 0)
    return trin_err_set(err, TRIN_EINVALID, "reused_m2", "must be 0 or more, not %d",
                        (int)m->reused_m2);
  bool quantity = m->reused_kg > 0 || m->reused_m2 > 0;
  if (m->kind == LIFECYCLE_SUSTAIN_REUSE) {
    if (!quantity)
      return trin_err_set(err, TRIN_EINVALID, "reused_kg",
                          "a reuse measure needs the reused quantity: reused_kg or reused_m2");
    if (!set(m->material))
      return trin_err_set(err, TRIN_EINVALID, "material",
                          "is required for reused material (e.g. tagsten, mursten)");
  } else if (quantity || set(m->source_project_id)) {
    /* Reused quantities count in the partnership's reuse figures: only a
     * reuse measure may carry them, so a take-back is not counted twice. */
    return trin_err_set(err, TRIN_EINVALID, quantity ? "reused_kg" : "source_project_id",
                        "only a reuse measure carries reused material; this one is %s",
                        lifecycle_sustain_kind_name(m->kind));
  }
  int rc = figure_check(m->energy_before_x100, "energy_before_kwh_m2_x100", err);
  if (!rc)
    rc = figure_check(m->energy_expected_after_x100, "energy_expected_after_kwh_m2_x100", err);
  if (!rc)
    rc = figure_check(m->energy_measured_after_x100, "energy_measured_after_kwh_m2_x100", err);
  if (!rc) rc = figure_check(m->co2e_saving_x100, "co2e_saving_kg_m2_x100", err);
  if (rc) return rc;
  bool after = m->energy_expected_after_x100 > 0 || m->energy_measured_after_x100 > 0;
  if (after && m->energy_before_x100 == 0)
    return trin_err_set(err, TRIN_EINVALID, "energy_before_kwh_m2_x100",
                        "is required with a consumption after the measure: the saving is "
                        "before − after");
  if (m->kind == LIFECYCLE_SUSTAIN_ENERGY_RENOVATION && !after)
    return trin_err_set(err, TRIN_EINVALID, "energy_before_kwh_m2_x100",
                        "an energy renovation needs the consumption before and the expected "
                        "or measured consumption after (kWh/m² a year)");
  if (m->co2e_saving_x100 > 0 && !set(m->co2e_method))
    return trin_err_set(err, TRIN_EINVALID, "co2e_method",
                        "is required with a CO₂e saving: name the method or source "
                        "(e.g. LCAbyg)");
  return TRIN_OK;
}

static int32_t clamp32(int64_t v) {
  return v > INT32_MAX ? INT32_MAX : v < INT32_MIN ? INT32_MIN : (int32_t)v;
}

static int64_t add64(int64_t a, int64_t b) {
  return b > 0 && a > INT64_MAX - b ? INT64_MAX : a + b;
}

void lifecycle_sustain_totals(const lifecycle_sustain_measure_t *m, size_t n,
                              int32_t gross_area_m2, lifecycle_sustain_totals_t *out) {
  memset(out, 0, sizeof *out);
  /* Sums in int64: n measures of at most 10^7 each stay exact long before
   * the clamp to int32 at the end matters. */
  int64_t m2 = 0, m2_between = 0, expected = 0, measured = 0, co2e = 0;
  for (size_t i = 0; i < n; i++) {
    const lifecycle_sustain_measure_t *x = &m[i];
    out->measures = clamp32((int64_t)out->measures + 1);
    if (x->kind == LIFECYCLE_SUSTAIN_REUSE) out->reuse_measures++;
    out->reused_kg = add64(out->reused_kg, x->reused_kg);
    m2 += x->reused_m2;
    if (x->between_projects) {
      out->reused_between_projects_kg = add64(out->reused_between_projects_kg, x->reused_kg);
      m2_between += x->reused_m2;
    }
    if (x->energy_before_x100 > 0 && x->energy_expected_after_x100 > 0) {
      out->has_energy_expected = true;
      expected += (int64_t)x->energy_before_x100 - x->energy_expected_after_x100;
    }
    if (x->energy_before_x100 > 0 && x->energy_measured_after_x100 > 0) {
      out->has_energy_measured = true;
      measured += (int64_t)x->energy_before_x100 - x->energy_measured_after_x100;
    }
    if (x->co2e_method && *x->co2e_method) {
      out->has_co2e = true;
      co2e += x->co2e_saving_x100;
    }
  }
  out->reused_m2 = clamp32(m2);
  out->reused_between_projects_m2 = clamp32(m2_between);
  out->energy_saving_expected_x100 = clamp32(expected);
  out->energy_saving_measured_x100 = clamp32(measured);
  out->co2e_saving_x100 = clamp32(co2e);
  if (out->has_energy_measured && gross_area_m2 > 0) {
    out->has_energy_saved = true;
    /* kWh/m² x100 × m² / 100 = kWh, rounded half away from zero. */
    int64_t x = (int64_t)out->energy_saving_measured_x100 * gross_area_m2;
    out->energy_saved_kwh = (x >= 0 ? x + 50 : x - 50) / 100;
  }
}
