/* lifecycle_sustain — sustainability and reuse (issue 20, item 3) as plain
 * rules: a measure's checks and a project's totals over its measures.
 *
 * Sources: seed 000, Bilag 4 (Bæredygtighedstiltag i partnerskaberne) and
 * "Cirkulære partnerskaber" — the portfolio as a material bank, take-back
 * schemes, reused roof tiles and building parts; seed 001 on documenting
 * energy and CO₂ savings. Units are integers: kg, m², kWh per m² a year in
 * hundredths (x100), CO₂e kg per m² in hundredths (x100). */
#ifndef TRIN_LIFECYCLE_SUSTAIN_H
#define TRIN_LIFECYCLE_SUSTAIN_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "trin_err.h"

typedef enum {
  LIFECYCLE_SUSTAIN_REUSE = 0,         /* genbrug of materials */
  LIFECYCLE_SUSTAIN_TAKE_BACK,         /* takeback-ordning */
  LIFECYCLE_SUSTAIN_ENERGY_RENOVATION, /* energirenovering */
  LIFECYCLE_SUSTAIN_OTHER,
  LIFECYCLE_SUSTAIN_KIND_COUNT
} lifecycle_sustain_kind_t;

/* -1 with err (INVALID naming field) when text is not a kind word. */
int lifecycle_sustain_kind_parse(const char *text, const char *field, trin_err_t *err);
const char *lifecycle_sustain_kind_name(lifecycle_sustain_kind_t k);

/* The largest energy (kWh/m² a year) and CO₂e (kg/m²) figure, x100: far
 * beyond any building, small enough that sums over many measures and
 * × gross area stay exact in int64. */
#define LIFECYCLE_SUSTAIN_FIGURE_MAX_X100 10000000

/* One measure as the rules see it. Text is borrowed; NULL = "". Energy
 * figures of 0 are not stated. */
typedef struct {
  lifecycle_sustain_kind_t kind;
  const char *material, *source_project_id, *co2e_method;
  int64_t reused_kg;
  int32_t reused_m2;
  int32_t energy_before_x100, energy_expected_after_x100, energy_measured_after_x100;
  int32_t co2e_saving_x100;
  bool between_projects; /* the source project is in the same partnership */
} lifecycle_sustain_measure_t;

/* The measure's own checks (not its references: the handler checks that the
 * source project exists and shares the partnership). INVALID naming the
 * field ("reused_kg", "material", "energy_before_kwh_m2_x100", ...) with a
 * sentence saying what to fix. */
int lifecycle_sustain_check(const lifecycle_sustain_measure_t *m, trin_err_t *err);

/* A project's totals over its measures (docs/lifecycle.md, "Sustainability
 * and reuse"):
 *   reused_kg = Σ reused_kg; between projects: over measures whose source
 *     is another project of the partnership;
 *   energy saving (kWh/m²) = Σ (before − after) over the measures stating
 *     both, expected and measured apart (negative = more consumption);
 *   energy_saved_kwh = round(measured saving_x100 × gross_area_m2 / 100),
 *     half away from zero; none without a gross area or a measured saving;
 *   co2e = Σ co2e_saving over measures naming a method.
 * Sums saturate at the int32 / int64 bounds rather than wrap. */
typedef struct {
  int32_t measures, reuse_measures;
  int64_t reused_kg, reused_between_projects_kg;
  int32_t reused_m2, reused_between_projects_m2;
  bool has_energy_expected, has_energy_measured, has_energy_saved, has_co2e;
  int32_t energy_saving_expected_x100, energy_saving_measured_x100, co2e_saving_x100;
  int64_t energy_saved_kwh;
} lifecycle_sustain_totals_t;

void lifecycle_sustain_totals(const lifecycle_sustain_measure_t *m, size_t n,
                              int32_t gross_area_m2, lifecycle_sustain_totals_t *out);

#endif
