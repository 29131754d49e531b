/* aggregator.sustainability — the status row's sustainability columns
 * (issue 20, item 3) from the lifecycle's SustainabilityTotals: present
 * once the lifecycle is known, the energy and CO₂e columns empty until a
 * measure states them, change noticed, and the stored form round-trip. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "agg_columns.h"
#include "agg_events.h"
#include "agg_format.h"
#include "agg_rows.h"
#include "test_aggregator_util.h"

static agg_rows_t *rows;
static uint64_t lc_seq, seq;

static int setup(void **state) {
  (void)state;
  rows = agg_rows_new(NULL);
  lc_seq = seq = 0;
  return rows ? 0 : -1;
}
static int teardown(void **state) {
  (void)state;
  agg_rows_destroy(&rows);
  return 0;
}

static void project(Trin__Lifecycle__Project *p) {
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = p;
  Trin__Event *ev = tu_event("lifecycle", ++lc_seq, "lifecycle.sustainability_recorded",
                             &pe.base);
  trin_err_t err = {0};
  bool membership = true;
  assert_int_equal(agg_events_apply(rows, "lifecycle", ev, &membership, &err), TRIN_OK);
  tu_event_free(ev);
}

static size_t commit(void) {
  agg_row_t **d;
  size_t n = agg_rows_take_dirty(rows, &d);
  for (size_t i = 0; i < n; i++) d[i]->seq = ++seq;
  return n;
}

static char *cell(const agg_row_t *r, agg_col_t c) {
  static char out[256];
  agg_value_t v;
  agg_row_get(r, c, &v);
  if (v.null) return strcpy(out, "<null>");
  trin_buf_t b = {0};
  agg_value_text(&b, AGG_COLUMNS[c].type, &v);
  snprintf(out, sizeof out, "%s", b.data ? b.data : "");
  trin_buf_free(&b);
  return out;
}

static void columns_named_after_updated_at(void **state) {
  (void)state;
  static const char *const names[] = {
      "sustainability_measures", "reused_kg", "reused_between_projects_kg",
      "energy_saving_kwh_m2", "energy_saving_expected_kwh_m2", "energy_saved_kwh",
      "co2e_saving_kg_m2"};
  for (int i = 0; i < 7; i++) {
    int c = agg_column_find(names[i], strlen(names[i]));
    /* after updated_at (the old columns keep their places), side by side */
    assert_true(c > AGG_COL_UPDATED_AT);
    assert_int_equal(c, AGG_COL_SUSTAINABILITY_MEASURES + i);
    assert_string_equal(AGG_COLUMNS[c].source, "lifecycle");
  }
  assert_int_equal(AGG_COLUMNS[AGG_COL_ENERGY_SAVING_KWH_M2].type, AGG_T_DEC2);
  assert_int_equal(AGG_COLUMNS[AGG_COL_REUSED_KG].type, AGG_T_INT64);
}

/* The worked example of docs/lifecycle.md: 24.500 kg reused, 18.500 kg of
 * it between projects, 50,00 kWh/m² expected, 42,60 measured = 102.240 kWh
 * a year on 2.400 m², CO₂e 12,35 kg/m². */
static void totals_to_columns(void **state) {
  (void)state;
  Trin__Lifecycle__Project p;
  tu_project(&p, "P-1", "LIVA", "KAB");
  project(&p); /* no totals in the payload: an older lifecycle */
  assert_int_equal(commit(), 1);
  agg_row_t *r = agg_rows_find(rows, "P-1");
  assert_string_equal(cell(r, AGG_COL_SUSTAINABILITY_MEASURES), "0");
  assert_string_equal(cell(r, AGG_COL_REUSED_KG), "0");
  assert_string_equal(cell(r, AGG_COL_REUSED_BETWEEN_PROJECTS_KG), "0");
  assert_string_equal(cell(r, AGG_COL_ENERGY_SAVING_KWH_M2), "<null>");
  assert_string_equal(cell(r, AGG_COL_ENERGY_SAVING_EXPECTED_KWH_M2), "<null>");
  assert_string_equal(cell(r, AGG_COL_ENERGY_SAVED_KWH), "<null>");
  assert_string_equal(cell(r, AGG_COL_CO2E_SAVING_KG_M2), "<null>");

  Trin__Lifecycle__SustainabilityTotals t = TRIN__LIFECYCLE__SUSTAINABILITY_TOTALS__INIT;
  t.measures = 4;
  t.reuse_measures = 2;
  t.reused_kg = 24500;
  t.reused_between_projects_kg = 18500;
  t.has_energy_expected = true;
  t.energy_saving_expected_kwh_m2_x100 = 5000;
  t.has_energy_measured = true;
  t.energy_saving_measured_kwh_m2_x100 = 4260;
  t.has_energy_saved = true;
  t.energy_saved_kwh = 102240;
  t.has_co2e = true;
  t.co2e_saving_kg_m2_x100 = 1235;
  p.sustainability = &t;
  project(&p);
  assert_int_equal(commit(), 1);
  assert_string_equal(cell(r, AGG_COL_SUSTAINABILITY_MEASURES), "4");
  assert_string_equal(cell(r, AGG_COL_REUSED_KG), "24500");
  assert_string_equal(cell(r, AGG_COL_REUSED_BETWEEN_PROJECTS_KG), "18500");
  assert_string_equal(cell(r, AGG_COL_ENERGY_SAVING_KWH_M2), "42.60");
  assert_string_equal(cell(r, AGG_COL_ENERGY_SAVING_EXPECTED_KWH_M2), "50.00");
  assert_string_equal(cell(r, AGG_COL_ENERGY_SAVED_KWH), "102240");
  assert_string_equal(cell(r, AGG_COL_CO2E_SAVING_KG_M2), "12.35");
  /* The same totals again change nothing. */
  project(&p);
  assert_int_equal(commit(), 0);

  /* The stored form keeps every column, empty ones empty. */
  uint8_t *b;
  size_t len;
  assert_int_equal(agg_row_pack_state(r, &b, &len, NULL), TRIN_OK);
  agg_rows_t *other = agg_rows_new(NULL);
  assert_int_equal(agg_rows_load_state(other, b, len, NULL), TRIN_OK);
  agg_row_t *c = agg_rows_find(other, "P-1");
  assert_non_null(c);
  for (int col = AGG_COL_SUSTAINABILITY_MEASURES; col < AGG_NCOLS; col++) {
    char a[256];
    snprintf(a, sizeof a, "%s", cell(r, (agg_col_t)col));
    assert_string_equal(cell(c, (agg_col_t)col), a);
  }
  free(b);
  agg_rows_destroy(&other);

  /* A project without a gross area: no kWh a year; the saving per m² stays. */
  t.has_energy_saved = false;
  t.energy_saved_kwh = 0;
  project(&p);
  assert_int_equal(commit(), 1);
  assert_string_equal(cell(r, AGG_COL_ENERGY_SAVED_KWH), "<null>");
  assert_string_equal(cell(r, AGG_COL_ENERGY_SAVING_KWH_M2), "42.60");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(columns_named_after_updated_at),
      cmocka_unit_test_setup_teardown(totals_to_columns, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
