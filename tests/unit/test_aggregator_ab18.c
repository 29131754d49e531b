/* aggregator.ab18 — the AB18 deadline columns (issue 20, item 6): what the
 * lifecycle says lands in next_deadline, next_deadline_kind,
 * arbitration_deadline and inspection_due; the flags judged on today at
 * their boundaries (worked by hand); an overdue inspection turning
 * rag_time amber; a new day judging the rows again; the stored form. */
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
static uint64_t lc_seq;

static int setup(void **state) {
  rows = agg_rows_new(NULL);
  lc_seq = 0;
  return rows ? 0 : -1;
}
static int teardown(void **state) {
  agg_rows_destroy(&rows);
  return 0;
}

static trin_date_t D(const char *text) {
  trin_date_t d = TRIN_DATE_NONE;
  assert_int_equal(trin_date_parse(text, &d, "test", NULL), TRIN_OK);
  return d;
}

static void project(Trin__Lifecycle__Project *p) {
  Trin__Lifecycle__ProjectEvent pe = TRIN__LIFECYCLE__PROJECT_EVENT__INIT;
  pe.project = p;
  Trin__Event *ev = tu_event("lifecycle", ++lc_seq, "lifecycle.inspection_held", &pe.base);
  trin_err_t err = {0};
  bool membership = false;
  assert_int_equal(agg_events_apply(rows, "lifecycle", ev, &membership, &err), TRIN_OK);
  tu_event_free(ev);
}

static size_t commit(uint64_t *seq) {
  agg_row_t **d;
  size_t n = agg_rows_take_dirty(rows, &d);
  for (size_t i = 0; i < n; i++) d[i]->seq = ++*seq;
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

/* Handed over 2025-06-15: 1-year inspection due 2026-06-15, 5-year
 * 2030-06-15; a dispute at the umpire since 2026-05-01: arbitration by
 * 2026-06-26 (+ 56 days). */
static void handed_over(Trin__Lifecycle__Project *p) {
  tu_project(p, "P-AB", "LIVA", "KAB");
  p->stage = "handover";
  p->handover_on = "2025-06-15";
  p->inspection_1y_due = "2026-06-15";
  p->inspection_5y_due = "2030-06-15";
  p->arbitration_deadline = "2026-06-26";
  p->next_deadline = "2026-06-15";
  p->next_deadline_kind = "inspection_1y";
}

static void columns_and_flags(void **state) {
  uint64_t seq = 0;
  Trin__Lifecycle__Project p;
  handed_over(&p);
  /* 2026-06-12: the arbitration deadline is 14 days away (near), the
   * inspection due in 3 days (not overdue) */
  agg_rows_set_today(rows, D("2026-06-12"), 1);
  project(&p);
  assert_int_equal(commit(&seq), 1);
  agg_row_t *r = agg_rows_find(rows, "P-AB");
  assert_string_equal(cell(r, AGG_COL_NEXT_DEADLINE), "2026-06-15");
  assert_string_equal(cell(r, AGG_COL_NEXT_DEADLINE_KIND), "inspection_1y");
  assert_string_equal(cell(r, AGG_COL_ARBITRATION_DEADLINE), "2026-06-26");
  assert_string_equal(cell(r, AGG_COL_ARBITRATION_DEADLINE_NEAR), "true");
  assert_string_equal(cell(r, AGG_COL_INSPECTION_DUE), "2026-06-15");
  assert_string_equal(cell(r, AGG_COL_INSPECTION_OVERDUE), "false");
  assert_string_equal(cell(r, AGG_COL_RAG_TIME), "<null>"); /* no handover milestone */

  /* the due day itself is not overdue: nothing changes */
  agg_rows_set_today(rows, D("2026-06-15"), 2);
  assert_int_equal(commit(&seq), 0);
  /* the day after: overdue, time amber without a schedule variance */
  agg_rows_set_today(rows, D("2026-06-16"), 3);
  assert_int_equal(commit(&seq), 1);
  assert_string_equal(cell(r, AGG_COL_INSPECTION_OVERDUE), "true");
  assert_string_equal(cell(r, AGG_COL_RAG_TIME), "amber");
  assert_string_equal(cell(r, AGG_COL_RAG_OVERALL), "amber");
  assert_int_equal(r->updated_at, 3);

  /* held: the 5-year inspection is owed next, nothing overdue, time empty again */
  p.inspection_1y_held = "2026-06-20";
  p.next_deadline = "2026-06-26";
  p.next_deadline_kind = "arbitration";
  project(&p);
  assert_int_equal(commit(&seq), 1);
  assert_string_equal(cell(r, AGG_COL_INSPECTION_DUE), "2030-06-15");
  assert_string_equal(cell(r, AGG_COL_INSPECTION_OVERDUE), "false");
  assert_string_equal(cell(r, AGG_COL_NEXT_DEADLINE_KIND), "arbitration");
  assert_string_equal(cell(r, AGG_COL_RAG_TIME), "<null>");

  /* a schedule 61 days late stays red with an overdue inspection */
  p.inspection_1y_held = "";
  p.baseline_handover = "2025-04-15";
  p.forecast_handover = "2025-06-15";
  p.schedule_variance_days = 61;
  project(&p);
  assert_int_equal(commit(&seq), 1);
  assert_string_equal(cell(r, AGG_COL_INSPECTION_OVERDUE), "true");
  assert_string_equal(cell(r, AGG_COL_RAG_TIME), "red");

  /* the stored form keeps every column */
  uint8_t *b;
  size_t len;
  assert_int_equal(agg_row_pack_state(r, &b, &len, NULL), TRIN_OK);
  agg_rows_t *other = agg_rows_new(NULL);
  assert_int_equal(agg_rows_load_state(other, b, len, NULL), TRIN_OK);
  agg_row_t *c = agg_rows_find(other, "P-AB");
  for (int col = AGG_COL_NEXT_DEADLINE; col < AGG_NCOLS; col++) {
    char a[256];
    snprintf(a, sizeof a, "%s", cell(r, (agg_col_t)col));
    assert_string_equal(cell(c, (agg_col_t)col), a);
  }
  free(b);
  agg_rows_destroy(&other);
}

/* The flag boundaries, by hand: deadline 2026-06-26, near 14 days. */
static void near_and_overdue_boundaries(void **state) {
  agg_thresholds_t t;
  agg_thresholds_default(&t);
  assert_int_equal(t.deadline_near_days, 14);
  agg_row_t r;
  memset(&r, 0, sizeof r);
  r.arbitration_deadline = D("2026-06-26");
  r.inspection_due = TRIN_DATE_NONE;
  assert_false(agg_deadlines_compute(&r, D("2026-06-11"), &t)); /* 15 days: not yet */
  assert_false(r.arbitration_deadline_near);
  assert_true(agg_deadlines_compute(&r, D("2026-06-12"), &t)); /* 14 days: near */
  assert_true(r.arbitration_deadline_near);
  assert_false(agg_deadlines_compute(&r, D("2026-07-01"), &t)); /* passed, still open: near */
  assert_true(r.arbitration_deadline_near);
  t.deadline_near_days = 0;
  assert_true(agg_deadlines_compute(&r, D("2026-06-25"), &t));
  assert_false(r.arbitration_deadline_near);
  r.arbitration_deadline = TRIN_DATE_NONE;
  assert_false(agg_deadlines_compute(&r, D("2026-06-25"), &t));
  assert_false(r.arbitration_deadline_near);
  /* the setting is checked */
  t.deadline_near_days = -1;
  trin_err_t err = {0};
  assert_int_equal(agg_thresholds_check(&t, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "deadline-near-days");
  assert_string_equal(err.message, "must be >= 0, not -1");
}

/* Before handover the lifecycle sends empty dates: empty columns, false flags. */
static void before_handover(void **state) {
  uint64_t seq = 0;
  Trin__Lifecycle__Project p;
  tu_project(&p, "P-0", "LIVA", "KAB");
  project(&p);
  assert_int_equal(commit(&seq), 1);
  agg_row_t *r = agg_rows_find(rows, "P-0");
  assert_string_equal(cell(r, AGG_COL_NEXT_DEADLINE), "<null>");
  assert_string_equal(cell(r, AGG_COL_NEXT_DEADLINE_KIND), "<null>");
  assert_string_equal(cell(r, AGG_COL_ARBITRATION_DEADLINE), "<null>");
  assert_string_equal(cell(r, AGG_COL_ARBITRATION_DEADLINE_NEAR), "false");
  assert_string_equal(cell(r, AGG_COL_INSPECTION_DUE), "<null>");
  assert_string_equal(cell(r, AGG_COL_INSPECTION_OVERDUE), "false");
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test_setup_teardown(columns_and_flags, setup, teardown),
      cmocka_unit_test(near_and_overdue_boundaries),
      cmocka_unit_test_setup_teardown(before_handover, setup, teardown),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
