/* benchmark_apply — see benchmark_apply.h. */
#include "benchmark_apply.h"

#include <stdio.h>
#include <string.h>

#include "trin_id.h"
#include "trin_money.h"

static const char *nz(const char *s) { return s ? s : ""; }

/* ---- checks ------------------------------------------------------------------------------ */

int benchmark_apply_property_check(const Trin__Benchmark__Property *p, trin_err_t *err) {
  int rc = trin_id_check(p->id, "property.id", err);
  if (!rc) rc = trin_text_check(p->name, BENCHMARK_NAME_MAX_BYTES, "property.name", err);
  if (!rc) rc = trin_id_check(p->owner_org, "property.owner_org", err);
  if (!rc && benchmark_property_type_parse(p->type, "property.type", err) < 0) rc = TRIN_EINVALID;
  if (!rc && (p->gross_area_m2 < 1 || p->gross_area_m2 > 10000000))
    rc = trin_err_set(err, TRIN_EINVALID, "property.gross_area_m2",
                      "must be 1–10,000,000 m², not %lld", (long long)p->gross_area_m2);
  if (!rc && p->year_built != 0 && (p->year_built < 1000 || p->year_built > 2100))
    rc = trin_err_set(err, TRIN_EINVALID, "property.year_built",
                      "must be 1000–2100 (or 0 = unknown), not %d", p->year_built);
  if (!rc) rc = trin_text_check_optional(nz(p->municipality), BENCHMARK_NAME_MAX_BYTES,
                                         "property.municipality", err);
  if (!rc) rc = trin_text_check_optional(nz(p->region), BENCHMARK_NAME_MAX_BYTES,
                                         "property.region", err);
  return rc;
}

static int check_nonneg(bool has, int64_t v, const char *field, trin_err_t *err) {
  if (has && v < 0)
    return trin_err_set(err, TRIN_EINVALID, field, "must be >= 0, not %lld", (long long)v);
  return TRIN_OK;
}

static int check_range(bool has, int64_t v, int64_t lo, int64_t hi, const char *field,
                       trin_err_t *err) {
  return has ? benchmark_range_check(v, lo, hi, field, err) : TRIN_OK;
}

int benchmark_apply_measure_check(const benchmark_service_t *svc, const Trin__Benchmark__Measure *m,
                                  benchmark_measure_t *out, trin_err_t *err) {
  memset(out, 0, sizeof *out);
  int rc = trin_id_check(m->property_id, "measure.property_id", err);
  if (!rc)
    rc =
        benchmark_range_check(m->year, BENCHMARK_YEAR_MIN, BENCHMARK_YEAR_MAX, "measure.year", err);
  if (rc) return rc;
  if (m->n_costs > 100)
    return trin_err_set(err, TRIN_ETOOBIG, "measure.costs", "at most 100 accounts");
  for (size_t i = 0; i < m->n_costs; i++) {
    char f[48];
    snprintf(f, sizeof f, "measure.costs[%zu].account", i);
    if ((rc = trin_id_check(m->costs[i]->account, f, err))) return rc;
    for (size_t j = 0; j < i; j++)
      if (strcmp(m->costs[i]->account, m->costs[j]->account) == 0)
        return trin_err_set(err, TRIN_EINVALID, f, "account '%s' is listed twice",
                            m->costs[i]->account);
    snprintf(f, sizeof f, "measure.costs[%zu].amount_ore", i);
    if ((rc = trin_money_check_nonnegative(m->costs[i]->amount_ore, f, err))) return rc;
    if (!trin_money_add(out->cost_ore, m->costs[i]->amount_ore, &out->cost_ore))
      return trin_err_set(err, TRIN_EINVALID, f, "the accounts' sum overflows");
  }
  if (m->n_costs) out->has |= BENCHMARK_HAS_COST;
  if ((rc = check_nonneg(m->has_electricity_kwh, m->electricity_kwh, "measure.electricity_kwh",
                         err)) ||
      (rc = check_nonneg(m->has_heat_kwh, m->heat_kwh, "measure.heat_kwh", err)) ||
      (rc = check_nonneg(m->has_water_litres, m->water_litres, "measure.water_litres", err)) ||
      (rc = check_range(m->has_indoor_climate_class, m->indoor_climate_class, 1, 5,
                        "measure.indoor_climate_class", err)) ||
      (rc = check_range(m->has_anvendelsesgrad_bp, m->anvendelsesgrad_bp, 0, 10000,
                        "measure.anvendelsesgrad_bp", err)) ||
      (rc = check_range(m->has_udnyttelsesgrad_bp, m->udnyttelsesgrad_bp, 0, 10000,
                        "measure.udnyttelsesgrad_bp", err)) ||
      (rc = check_range(m->has_understoettelsesgrad_bp, m->understoettelsesgrad_bp, 0, 10000,
                        "measure.understoettelsesgrad_bp", err)))
    return rc;
  if (m->has_electricity_kwh)
    out->has |= BENCHMARK_HAS_ELECTRICITY, out->electricity_kwh = m->electricity_kwh;
  if (m->has_heat_kwh) out->has |= BENCHMARK_HAS_HEAT, out->heat_kwh = m->heat_kwh;
  if (m->has_water_litres) out->has |= BENCHMARK_HAS_WATER, out->water_litres = m->water_litres;
  if (m->has_indoor_climate_class)
    out->has |= BENCHMARK_HAS_CLIMATE, out->climate_class = m->indoor_climate_class;
  if (m->has_anvendelsesgrad_bp)
    out->has |= BENCHMARK_HAS_ANVENDELSE, out->anvendelsesgrad_bp = m->anvendelsesgrad_bp;
  if (m->has_udnyttelsesgrad_bp)
    out->has |= BENCHMARK_HAS_UDNYTTELSE, out->udnyttelsesgrad_bp = m->udnyttelsesgrad_bp;
  if (m->has_understoettelsesgrad_bp) {
    out->has |= BENCHMARK_HAS_UNDERSTOETTELSE;
    out->understoettelsesgrad_bp = m->understoettelsesgrad_bp;
  }
  if (m->n_maintenance > BENCHMARK_MODEL_MAX_PARTS)
    return trin_err_set(err, TRIN_ETOOBIG, "measure.maintenance", "at most %d parts",
                        BENCHMARK_MODEL_MAX_PARTS);
  benchmark_part_grade_t g[BENCHMARK_MODEL_MAX_PARTS];
  for (size_t i = 0; i < m->n_maintenance; i++)
    g[i] = (benchmark_part_grade_t){m->maintenance[i]->part, m->maintenance[i]->grade};
  bool has = false;
  int32_t grade = 0;
  rc = benchmark_weighted_grade_x100(g, m->n_maintenance, svc->model, svc->nmodel, &has, &grade,
                                     err);
  if (rc) {
    trin_err_prefix_field(err, "measure");
    return rc;
  }
  if (has) out->has |= BENCHMARK_HAS_GRADE, out->grade_x100 = grade;
  return TRIN_OK;
}

/* ---- the event ---------------------------------------------------------------------------- */

int benchmark_apply_emit_figures_changed(trin_request_t *req, const char *reason, const char *org,
                                         const int32_t *years, size_t nyears,
                                         const char *const *properties, size_t nproperties,
                                         size_t property_count, const char *const *projects,
                                         size_t nprojects, const char *const *orgs, size_t norgs,
                                         uint64_t *seq, trin_err_t *err) {
  Trin__Benchmark__FiguresChanged ev = TRIN__BENCHMARK__FIGURES_CHANGED__INIT;
  ev.reason = (char *)reason;
  ev.years = (int32_t *)years;
  ev.n_years = nyears;
  ev.properties = (char **)properties;
  ev.n_properties = nproperties > 100 ? 100 : nproperties;
  ev.property_count = (int32_t)property_count;
  ev.projects = (char **)projects;
  ev.n_projects = nprojects;
  ev.organisations = (char **)orgs;
  ev.n_organisations = norgs > 100 ? 100 : norgs;
  trin_event_id_t ids[1];
  size_t nids = 0;
  if (nprojects == 1) ids[nids++] = (trin_event_id_t){"project", projects[0]};
  else if (nproperties == 1) ids[nids++] = (trin_event_id_t){"property", properties[0]};
  return trin_request_emit(req, "benchmark.figures_changed", nz(org), ids, nids, &ev.base, seq,
                           err);
}

/* ---- the index ------------------------------------------------------------------------------ */

void benchmark_apply_note(benchmark_service_t *svc, uint64_t seq) {
  if (seq > svc->applied_upto) svc->applied_upto = seq;
}
