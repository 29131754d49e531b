/* Unit tests for services/lifecycle/lifecycle_rules: the stage machine as a
 * full from × to table for both tracks, and every refusal a user can reach
 * in pauses, the framework term, milestones, disputes and defects. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "lifecycle_rules.h"

static trin_err_t err;

/* A refusal must carry the code, name the field and say something. */
#define REFUSE(code_, field_, call)                  \
  do {                                               \
    trin_err_clear(&err);                            \
    int rc_ = (call);                                \
    assert_int_equal(rc_, (code_));                  \
    assert_int_equal(err.code, (code_));             \
    assert_string_equal(err.field, (field_));        \
    assert_true(err.message[0] != '\0');             \
  } while (0)

/* Parsers return -1 for unknown text and fill err like any refusal. */
#define REFUSE_PARSE(field_, call)                   \
  do {                                               \
    trin_err_clear(&err);                            \
    assert_int_equal((call), -1);                    \
    assert_int_equal(err.code, TRIN_EINVALID);       \
    assert_string_equal(err.field, (field_));        \
    assert_true(err.message[0] != '\0');             \
  } while (0)

#define ACCEPT(call)                                               \
  do {                                                             \
    trin_err_clear(&err);                                          \
    int rc_ = (call);                                              \
    if (rc_ != TRIN_OK) print_message("%s: %s\n", err.field, err.message); \
    assert_int_equal(rc_, TRIN_OK);                                \
  } while (0)

#define SAYS(words)                                                  \
  do {                                                               \
    if (strstr(err.message, (words)) == NULL)                        \
      print_message("message: %s\nwanted: %s\n", err.message, (words)); \
    assert_non_null(strstr(err.message, (words)));                   \
  } while (0)

static trin_date_t D(const char *text) {
  trin_date_t d = TRIN_DATE_NONE;
  assert_int_equal(trin_date_parse(text, &d, "test", NULL), TRIN_OK);
  return d;
}

static lifecycle_project_state_t project(lifecycle_stage_t stage, bool fast_track) {
  lifecycle_project_state_t p = {
      .stage = stage,
      .stage_since = D("2026-03-01"),
      .fast_track = fast_track,
      .price_closed = false,
      .price_closed_on = TRIN_DATE_NONE,
      .paused = false,
      .paused_since = TRIN_DATE_NONE,
  };
  return p;
}

/* ---- the stage machine ------------------------------------------------------ */

enum { P = LIFECYCLE_STAGE_PRE_STUDY, T1 = LIFECYCLE_STAGE_TRIN1, T2 = LIFECYCLE_STAGE_TRIN2,
       T12 = LIFECYCLE_STAGE_TRIN1_2, T3 = LIFECYCLE_STAGE_TRIN3,
       HO = LIFECYCLE_STAGE_HANDOVER, I1 = LIFECYCLE_STAGE_INSPECTION_1Y,
       I5 = LIFECYCLE_STAGE_INSPECTION_5Y, CL = LIFECYCLE_STAGE_CLOSED, N = LIFECYCLE_STAGE_COUNT };

/* 1 = allowed, 0 = refused. Rows are from, columns to, in enum order:
 *            pre t1 t2 t12 t3 ho i1 i5 cl
 * The only difference between the tracks is where pre-study leads. A stage
 * off the project's track (a fast-track project in trin 1, say) still leads
 * on to trin 3 so that such a project is never stuck. */
static const int normal_table[N][N] = {
    /* pre */ {0, 1, 0, 0, 0, 0, 0, 0, 0},
    /* t1  */ {0, 0, 1, 0, 0, 0, 0, 0, 0},
    /* t2  */ {0, 0, 0, 0, 1, 0, 0, 0, 0},
    /* t12 */ {0, 0, 0, 0, 1, 0, 0, 0, 0},
    /* t3  */ {0, 0, 0, 0, 0, 1, 0, 0, 0},
    /* ho  */ {0, 0, 0, 0, 0, 0, 1, 0, 0},
    /* i1  */ {0, 0, 0, 0, 0, 0, 0, 1, 0},
    /* i5  */ {0, 0, 0, 0, 0, 0, 0, 0, 1},
    /* cl  */ {0, 0, 0, 0, 0, 0, 0, 0, 0},
};
static const int fast_table[N][N] = {
    /* pre */ {0, 0, 0, 1, 0, 0, 0, 0, 0},
    /* t1  */ {0, 0, 1, 0, 0, 0, 0, 0, 0},
    /* t2  */ {0, 0, 0, 0, 1, 0, 0, 0, 0},
    /* t12 */ {0, 0, 0, 0, 1, 0, 0, 0, 0},
    /* t3  */ {0, 0, 0, 0, 0, 1, 0, 0, 0},
    /* ho  */ {0, 0, 0, 0, 0, 0, 1, 0, 0},
    /* i1  */ {0, 0, 0, 0, 0, 0, 0, 1, 0},
    /* i5  */ {0, 0, 0, 0, 0, 0, 0, 0, 1},
    /* cl  */ {0, 0, 0, 0, 0, 0, 0, 0, 0},
};

/* The words a message uses for each stage. */
static const char *const words[N] = {
    "pre-study", "trin 1", "trin 2", "trin 1+2", "trin 3", "handover",
    "1-year inspection", "5-year inspection", "closed"};

static void check_matrix(bool fast_track, const int table[N][N]) {
  int allowed = 0;
  for (int from = 0; from < N; from++) {
    for (int to = 0; to < N; to++) {
      lifecycle_project_state_t p = project((lifecycle_stage_t)from, fast_track);
      p.price_closed = true; /* so trin 3 depends on the machine alone */
      p.price_closed_on = D("2026-03-01");
      trin_err_clear(&err);
      int rc = lifecycle_stage_check_transition(&p, (lifecycle_stage_t)to,
                                                D("2026-04-01"), &err);
      if (rc != (table[from][to] ? TRIN_OK : TRIN_ECONFLICT))
        print_message("fast_track=%d %s -> %s: rc %d (%s)\n", fast_track,
                      lifecycle_stage_name(from), lifecycle_stage_name(to), rc,
                      err.message);
      if (table[from][to]) {
        assert_int_equal(rc, TRIN_OK);
        allowed++;
        continue;
      }
      assert_int_equal(rc, TRIN_ECONFLICT);
      assert_int_equal(err.code, TRIN_ECONFLICT);
      assert_string_equal(err.field, "to_stage");
      /* Both stages in words. */
      assert_non_null(strstr(err.message, words[from]));
      assert_non_null(strstr(err.message, words[to]));
    }
  }
  assert_int_equal(allowed, 8);
}

static void test_matrix_normal(void **state) { check_matrix(false, normal_table); }
static void test_matrix_fast_track(void **state) { check_matrix(true, fast_table); }

static void test_stage_next(void **state) {
  for (int track = 0; track < 2; track++) {
    const int(*table)[N] = track ? fast_table : normal_table;
    for (int from = 0; from < N; from++) {
      lifecycle_stage_t next[2] = {(lifecycle_stage_t)N, (lifecycle_stage_t)N};
      int n = lifecycle_stage_next((lifecycle_stage_t)from, track, next);
      int want = 0;
      for (int to = 0; to < N; to++) want += table[from][to];
      assert_int_equal(n, want);
      for (int i = 0; i < n; i++) assert_int_equal(table[from][next[i]], 1);
    }
  }
  lifecycle_stage_t next[2];
  assert_int_equal(lifecycle_stage_next((lifecycle_stage_t)N, false, next), 0);
  assert_int_equal(lifecycle_stage_next((lifecycle_stage_t)-1, true, next), 0);
}

static void test_transition_messages(void **state) {
  lifecycle_project_state_t p = project(LIFECYCLE_STAGE_TRIN2, false);
  p.price_closed = true;
  REFUSE(TRIN_ECONFLICT, "to_stage",
         lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_HANDOVER, D("2026-05-01"), &err));
  SAYS("a project in trin 2 cannot move to handover; the next stage is trin 3 (trin3)");

  REFUSE(TRIN_ECONFLICT, "to_stage",
         lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN1, D("2026-05-01"), &err));
  SAYS("cannot move back to trin 1");

  REFUSE(TRIN_ECONFLICT, "to_stage",
         lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN2, D("2026-05-01"), &err));
  SAYS("already in trin 2");

  lifecycle_project_state_t f = project(LIFECYCLE_STAGE_PRE_STUDY, true);
  REFUSE(TRIN_ECONFLICT, "to_stage",
         lifecycle_stage_check_transition(&f, LIFECYCLE_STAGE_TRIN1, D("2026-05-01"), &err));
  SAYS("fast-track project in pre-study cannot move to trin 1; "
       "the next stage is trin 1+2 (trin1_2)");

  lifecycle_project_state_t n = project(LIFECYCLE_STAGE_PRE_STUDY, false);
  REFUSE(TRIN_ECONFLICT, "to_stage",
         lifecycle_stage_check_transition(&n, LIFECYCLE_STAGE_TRIN1_2, D("2026-05-01"), &err));
  SAYS("the next stage is trin 1 (trin1)");
}

static void test_transition_bad_values(void **state) {
  lifecycle_project_state_t p = project(LIFECYCLE_STAGE_TRIN1, false);
  REFUSE(TRIN_EINVALID, "to_stage",
         lifecycle_stage_check_transition(&p, (lifecycle_stage_t)N, D("2026-05-01"), &err));
  REFUSE(TRIN_EINVALID, "to_stage",
         lifecycle_stage_check_transition(&p, (lifecycle_stage_t)-1, D("2026-05-01"), &err));
  REFUSE(TRIN_EINVALID, "date",
         lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN2, TRIN_DATE_NONE, &err));
  REFUSE(TRIN_EINVALID, "date",
         lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN2, INT32_MAX, &err));
  REFUSE(TRIN_EINVALID, "date",
         lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN2,
                                          trin_date_from_ymd(1899, 12, 31), &err));
}

static void test_trin3_needs_closed_price(void **state) {
  for (int track = 0; track < 2; track++) {
    lifecycle_project_state_t p =
        project(track ? LIFECYCLE_STAGE_TRIN1_2 : LIFECYCLE_STAGE_TRIN2, track);
    REFUSE(TRIN_ECONFLICT, "price_closed",
           lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN3, D("2026-05-01"), &err));
    SAYS("price must be closed");
    SAYS(track ? "trin 1+2" : "trin 2");
    SAYS("trin 3");
    p.price_closed = true;
    p.price_closed_on = D("2026-04-15");
    ACCEPT(lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN3, D("2026-05-01"), &err));
    ACCEPT(lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN3, D("2026-04-15"), &err));
    /* Not before the day the price was closed. */
    REFUSE(TRIN_EINVALID, "date",
           lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN3, D("2026-04-14"), &err));
    SAYS("2026-04-15");
  }
  /* Only trin 3 asks for the price. */
  lifecycle_project_state_t p = project(LIFECYCLE_STAGE_TRIN1, false);
  ACCEPT(lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN2, D("2026-05-01"), &err));
}

static void test_transition_paused(void **state) {
  lifecycle_project_state_t p = project(LIFECYCLE_STAGE_TRIN1, false);
  p.paused = true;
  p.paused_since = D("2026-03-10");
  REFUSE(TRIN_ECONFLICT, "to_stage",
         lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN2, D("2026-05-01"), &err));
  SAYS("paused");
  SAYS("trin 1");
  SAYS("trin 2");
  /* A paused project refuses even a move the machine would not allow. */
  REFUSE(TRIN_ECONFLICT, "to_stage",
         lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_CLOSED, D("2026-05-01"), &err));
  p.paused = false;
  ACCEPT(lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN2, D("2026-05-01"), &err));
}

static void test_transition_date_order(void **state) {
  lifecycle_project_state_t p = project(LIFECYCLE_STAGE_TRIN1, false);
  REFUSE(TRIN_EINVALID, "date",
         lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN2, D("2026-02-28"), &err));
  SAYS("2026-02-28");
  SAYS("2026-03-01");
  SAYS("trin 1");
  SAYS("trin 2");
  /* The same day is fine: a project may pass through a stage in a day. */
  ACCEPT(lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN2, D("2026-03-01"), &err));
  /* With no recorded stage_since, any date goes. */
  p.stage_since = TRIN_DATE_NONE;
  ACCEPT(lifecycle_stage_check_transition(&p, LIFECYCLE_STAGE_TRIN2, D("1900-01-01"), &err));
}

static void test_transition_closed(void **state) {
  for (int track = 0; track < 2; track++) {
    lifecycle_project_state_t p = project(LIFECYCLE_STAGE_CLOSED, track);
    p.price_closed = true;
    for (int to = 0; to < N; to++) {
      REFUSE(TRIN_ECONFLICT, "to_stage",
             lifecycle_stage_check_transition(&p, (lifecycle_stage_t)to, D("2030-01-01"), &err));
      SAYS("closed");
    }
  }
}

/* A whole life, both tracks, through the public checks only. */
static void test_full_life(void **state) {
  for (int track = 0; track < 2; track++) {
    lifecycle_project_state_t p = project(LIFECYCLE_STAGE_PRE_STUDY, track);
    trin_date_t day = D("2026-03-01");
    int moves = 0;
    for (;;) {
      lifecycle_stage_t next[2];
      if (lifecycle_stage_next(p.stage, p.fast_track, next) == 0) break;
      day += 30;
      if (next[0] == LIFECYCLE_STAGE_TRIN3) {
        ACCEPT(lifecycle_project_check_price_close(&p, day, &err));
        p.price_closed = true;
        p.price_closed_on = day;
      }
      ACCEPT(lifecycle_stage_check_transition(&p, next[0], day, &err));
      p.stage = next[0];
      p.stage_since = day;
      moves++;
    }
    assert_int_equal(p.stage, LIFECYCLE_STAGE_CLOSED);
    assert_int_equal(moves, track ? 6 : 7);
  }
}

/* ---- price closing, pauses ----------------------------------------------------- */

static void test_price_close(void **state) {
  lifecycle_project_state_t p = project(LIFECYCLE_STAGE_TRIN2, false);
  ACCEPT(lifecycle_project_check_price_close(&p, D("2026-03-01"), &err));
  REFUSE(TRIN_EINVALID, "date",
         lifecycle_project_check_price_close(&p, D("2026-02-01"), &err));
  REFUSE(TRIN_EINVALID, "date",
         lifecycle_project_check_price_close(&p, TRIN_DATE_NONE, &err));

  lifecycle_project_state_t f = project(LIFECYCLE_STAGE_TRIN1_2, true);
  ACCEPT(lifecycle_project_check_price_close(&f, D("2026-04-01"), &err));

  /* Once. */
  p.price_closed = true;
  p.price_closed_on = D("2026-03-15");
  REFUSE(TRIN_ECONFLICT, "price_closed",
         lifecycle_project_check_price_close(&p, D("2026-04-01"), &err));
  SAYS("2026-03-15");

  /* Only in the stage that leads into trin 3. */
  for (int s = 0; s < N; s++) {
    if (s == T2 || s == T12) continue;
    for (int track = 0; track < 2; track++) {
      lifecycle_project_state_t q = project((lifecycle_stage_t)s, track);
      REFUSE(TRIN_ECONFLICT, "stage",
             lifecycle_project_check_price_close(&q, D("2026-04-01"), &err));
      SAYS(words[s]);
      SAYS(track ? "trin 1+2" : "trin 2");
    }
  }
}

static void test_pause_resume(void **state) {
  lifecycle_project_state_t p = project(LIFECYCLE_STAGE_TRIN1, false);
  ACCEPT(lifecycle_project_check_pause(&p, D("2026-03-01"), &err));
  REFUSE(TRIN_EINVALID, "date",
         lifecycle_project_check_pause(&p, D("2026-02-27"), &err));
  SAYS("2026-02-27");
  REFUSE(TRIN_EINVALID, "date", lifecycle_project_check_pause(&p, TRIN_DATE_NONE, &err));
  REFUSE(TRIN_ECONFLICT, "paused",
         lifecycle_project_check_resume(&p, D("2026-04-01"), &err));
  SAYS("not paused");

  p.paused = true;
  p.paused_since = D("2026-03-20");
  REFUSE(TRIN_ECONFLICT, "paused",
         lifecycle_project_check_pause(&p, D("2026-04-01"), &err));
  SAYS("already paused on 2026-03-20");
  ACCEPT(lifecycle_project_check_resume(&p, D("2026-03-20"), &err));
  ACCEPT(lifecycle_project_check_resume(&p, D("2027-01-01"), &err));
  REFUSE(TRIN_EINVALID, "date",
         lifecycle_project_check_resume(&p, D("2026-03-19"), &err));
  SAYS("2026-03-20");
  REFUSE(TRIN_EINVALID, "date", lifecycle_project_check_resume(&p, TRIN_DATE_NONE, &err));

  /* Every stage but closed may pause. */
  for (int s = 0; s < N; s++) {
    lifecycle_project_state_t q = project((lifecycle_stage_t)s, false);
    if (s == CL)
      REFUSE(TRIN_ECONFLICT, "stage",
             lifecycle_project_check_pause(&q, D("2026-04-01"), &err));
    else
      ACCEPT(lifecycle_project_check_pause(&q, D("2026-04-01"), &err));
  }
}

/* ---- partnerships -------------------------------------------------------------- */

static lifecycle_partnership_terms_t terms(void) {
  lifecycle_partnership_terms_t t = {
      .framework_start = D("2026-01-01"),
      .framework_years = 4,
      .extension_years = 0,
      .horizon_years = 10,
      .economic_frame_ore = 300000000000,  /* 3 bn kr. */
      .trivial_threshold_ore = 5000000,    /* 50.000 kr. */
  };
  return t;
}

static void test_terms_check(void **state) {
  lifecycle_partnership_terms_t t = terms();
  ACCEPT(lifecycle_partnership_terms_check(&t, &err));
  for (int y = -1; y <= 6; y++) {
    t = terms();
    t.framework_years = y;
    if (y >= 1 && y <= 4)
      ACCEPT(lifecycle_partnership_terms_check(&t, &err));
    else
      REFUSE(TRIN_EINVALID, "framework_years", lifecycle_partnership_terms_check(&t, &err));
  }
  for (int y = -1; y <= 3; y++) {
    t = terms();
    t.extension_years = y;
    if (y >= 0 && y <= 2)
      ACCEPT(lifecycle_partnership_terms_check(&t, &err));
    else
      REFUSE(TRIN_EINVALID, "extension_years", lifecycle_partnership_terms_check(&t, &err));
  }
  t = terms();
  t.horizon_years = 0;
  ACCEPT(lifecycle_partnership_terms_check(&t, &err));
  t.horizon_years = 15;
  ACCEPT(lifecycle_partnership_terms_check(&t, &err));
  t.horizon_years = 16;
  REFUSE(TRIN_EINVALID, "horizon_years", lifecycle_partnership_terms_check(&t, &err));
  t.horizon_years = -1;
  REFUSE(TRIN_EINVALID, "horizon_years", lifecycle_partnership_terms_check(&t, &err));
  t = terms();
  t.framework_start = TRIN_DATE_NONE;
  REFUSE(TRIN_EINVALID, "framework_start", lifecycle_partnership_terms_check(&t, &err));
  t.framework_start = INT32_MAX;
  REFUSE(TRIN_EINVALID, "framework_start", lifecycle_partnership_terms_check(&t, &err));
  t = terms();
  t.economic_frame_ore = 0;
  ACCEPT(lifecycle_partnership_terms_check(&t, &err));
  t.economic_frame_ore = -1;
  REFUSE(TRIN_EINVALID, "economic_frame_ore", lifecycle_partnership_terms_check(&t, &err));
  t = terms();
  t.trivial_threshold_ore = -100;
  REFUSE(TRIN_EINVALID, "trivial_threshold_ore", lifecycle_partnership_terms_check(&t, &err));
  SAYS("negative");
}

static void test_framework_dates(void **state) {
  char buf[TRIN_DATE_BUF];
  lifecycle_partnership_terms_t t = terms();
  assert_string_equal(trin_date_format(lifecycle_partnership_framework_end(&t), buf),
                      "2029-12-31");
  assert_string_equal(trin_date_format(lifecycle_partnership_horizon_end(&t), buf),
                      "2039-12-31");
  t.extension_years = 2;
  assert_string_equal(trin_date_format(lifecycle_partnership_framework_end(&t), buf),
                      "2031-12-31");
  assert_string_equal(trin_date_format(lifecycle_partnership_horizon_end(&t), buf),
                      "2041-12-31");
  t.horizon_years = 0;
  assert_int_equal(lifecycle_partnership_horizon_end(&t),
                   lifecycle_partnership_framework_end(&t));

  /* A framework starting mid-year; a leap day at the end. */
  t = terms();
  t.framework_start = D("2024-03-01");
  assert_string_equal(trin_date_format(lifecycle_partnership_framework_end(&t), buf),
                      "2028-02-29");
  t.framework_start = D("2023-03-01");
  assert_string_equal(trin_date_format(lifecycle_partnership_framework_end(&t), buf),
                      "2027-02-28");
  t.framework_years = 1;
  t.horizon_years = 3;
  assert_string_equal(trin_date_format(lifecycle_partnership_framework_end(&t), buf),
                      "2024-02-29");
  assert_string_equal(trin_date_format(lifecycle_partnership_horizon_end(&t), buf),
                      "2027-02-28");

  /* Invalid terms give no dates rather than nonsense. */
  t = terms();
  t.framework_years = 0;
  assert_int_equal(lifecycle_partnership_framework_end(&t), TRIN_DATE_NONE);
  assert_int_equal(lifecycle_partnership_horizon_end(&t), TRIN_DATE_NONE);
}

static void test_project_start(void **state) {
  lifecycle_partnership_terms_t t = terms();
  ACCEPT(lifecycle_partnership_check_project_start(&t, D("2026-01-01"), &err));
  ACCEPT(lifecycle_partnership_check_project_start(&t, D("2027-06-15"), &err));
  ACCEPT(lifecycle_partnership_check_project_start(&t, D("2029-12-31"), &err));
  REFUSE(TRIN_ECONFLICT, "start_date",
         lifecycle_partnership_check_project_start(&t, D("2025-12-31"), &err));
  SAYS("2026-01-01 to 2029-12-31");
  REFUSE(TRIN_ECONFLICT, "start_date",
         lifecycle_partnership_check_project_start(&t, D("2030-01-01"), &err));
  SAYS("2030-01-01");
  /* Inside the horizon is not enough: new projects start inside the term. */
  REFUSE(TRIN_ECONFLICT, "start_date",
         lifecycle_partnership_check_project_start(&t, D("2035-01-01"), &err));
  t.extension_years = 1;
  ACCEPT(lifecycle_partnership_check_project_start(&t, D("2030-12-31"), &err));
  REFUSE(TRIN_ECONFLICT, "start_date",
         lifecycle_partnership_check_project_start(&t, D("2031-01-01"), &err));
  REFUSE(TRIN_EINVALID, "start_date",
         lifecycle_partnership_check_project_start(&t, TRIN_DATE_NONE, &err));
  t.framework_years = 9;
  REFUSE(TRIN_EINVALID, "framework_years",
         lifecycle_partnership_check_project_start(&t, D("2027-01-01"), &err));
}

static void test_extension(void **state) {
  lifecycle_partnership_terms_t t = terms();
  /* From 0 the extension may grow to 1 or 2. */
  REFUSE(TRIN_ECONFLICT, "extension_years",
         lifecycle_partnership_check_extension(&t, 0, &err));
  ACCEPT(lifecycle_partnership_check_extension(&t, 1, &err));
  ACCEPT(lifecycle_partnership_check_extension(&t, 2, &err));
  REFUSE(TRIN_EINVALID, "extension_years",
         lifecycle_partnership_check_extension(&t, 3, &err));
  SAYS("0 to 2");
  REFUSE(TRIN_EINVALID, "extension_years",
         lifecycle_partnership_check_extension(&t, -1, &err));
  t.extension_years = 1;
  REFUSE(TRIN_ECONFLICT, "extension_years",
         lifecycle_partnership_check_extension(&t, 0, &err));
  REFUSE(TRIN_ECONFLICT, "extension_years",
         lifecycle_partnership_check_extension(&t, 1, &err));
  SAYS("already extended by 1");
  ACCEPT(lifecycle_partnership_check_extension(&t, 2, &err));
  t.extension_years = 2;
  for (int y = 0; y <= 2; y++)
    REFUSE(TRIN_ECONFLICT, "extension_years",
           lifecycle_partnership_check_extension(&t, y, &err));
}

/* ---- milestones ------------------------------------------------------------------ */

static void test_milestones(void **state) {
  lifecycle_milestone_t m = {D("2027-06-01"), TRIN_DATE_NONE, TRIN_DATE_NONE};
  ACCEPT(lifecycle_milestone_check(&m, TRIN_DATE_NONE, &err));
  assert_int_equal(lifecycle_milestone_variance_days(&m), 0);
  m.forecast = D("2027-06-15");
  assert_int_equal(lifecycle_milestone_variance_days(&m), 14);
  m.forecast = D("2027-05-22");
  assert_int_equal(lifecycle_milestone_variance_days(&m), -10); /* early */
  m.actual = D("2027-07-01");                              /* actual wins */
  assert_int_equal(lifecycle_milestone_variance_days(&m), 30);
  m.forecast = TRIN_DATE_NONE;
  assert_int_equal(lifecycle_milestone_variance_days(&m), 30);
  m.actual = D("2027-05-31");
  assert_int_equal(lifecycle_milestone_variance_days(&m), -1);
  ACCEPT(lifecycle_milestone_check(&m, TRIN_DATE_NONE, &err));
  /* Across a leap day and a year. */
  lifecycle_milestone_t y = {D("2027-12-31"), D("2028-12-31"), TRIN_DATE_NONE};
  assert_int_equal(lifecycle_milestone_variance_days(&y), 366);

  lifecycle_milestone_t bad = {TRIN_DATE_NONE, D("2027-06-01"), TRIN_DATE_NONE};
  REFUSE(TRIN_EINVALID, "baseline", lifecycle_milestone_check(&bad, TRIN_DATE_NONE, &err));
  assert_int_equal(lifecycle_milestone_variance_days(&bad), 0);
  bad.baseline = D("2027-06-01");
  bad.forecast = INT32_MAX;
  REFUSE(TRIN_EINVALID, "forecast", lifecycle_milestone_check(&bad, TRIN_DATE_NONE, &err));
  bad.forecast = TRIN_DATE_NONE;
  bad.actual = INT32_MIN + 1;
  REFUSE(TRIN_EINVALID, "actual", lifecycle_milestone_check(&bad, TRIN_DATE_NONE, &err));
  /* Even for dates that fail the check, the variance is defined. */
  assert_int_equal(lifecycle_milestone_variance_days(&bad), -INT32_MAX);
}

/* Earned value's inputs (issue 20 item 1): each optional, in range. */
static void test_milestone_earned_value(void **state) {
  ACCEPT(lifecycle_milestone_check_earned_value(false, -1, false, -1, &err));
  ACCEPT(lifecycle_milestone_check_earned_value(true, 0, true, 0, &err));
  ACCEPT(lifecycle_milestone_check_earned_value(true, LIFECYCLE_PLANNED_COST_MAX_ORE, true, 10000,
                                                &err));
  REFUSE(TRIN_EINVALID, "planned_cost_ore",
         lifecycle_milestone_check_earned_value(true, -150, false, 0, &err));
  SAYS("must not be negative (got -1,50 kr.)");
  REFUSE(TRIN_EINVALID, "planned_cost_ore",
         lifecycle_milestone_check_earned_value(true, LIFECYCLE_PLANNED_COST_MAX_ORE + 1, false, 0,
                                                &err));
  SAYS("must be at most 10.000.000.000.000,00 kr.");
  REFUSE(TRIN_EINVALID, "percent_complete_bp",
         lifecycle_milestone_check_earned_value(false, 0, true, 10001, &err));
  SAYS("must lie between 0 and 10000 basis points (0 % to 100 %), not 10001");
  REFUSE(TRIN_EINVALID, "percent_complete_bp",
         lifecycle_milestone_check_earned_value(false, 0, true, -1, &err));
}

/* Issue 18: baseline 2023-01-01 with actual 1999-01-01 was accepted. No date
 * of a milestone may lie before the project's start date; the start day
 * itself is allowed, and an actual date before the baseline (early) is
 * still fine. */
static void test_milestone_dates_not_before_project_start(void **state) {
  trin_date_t start = D("2022-04-01");
  lifecycle_milestone_t m = {D("2023-01-01"), TRIN_DATE_NONE, D("1999-01-01")};
  REFUSE(TRIN_EINVALID, "actual", lifecycle_milestone_check(&m, start, &err));
  SAYS("actual (1999-01-01) is before the project's start date (2022-04-01)");
  m.actual = D("2022-03-31");
  REFUSE(TRIN_EINVALID, "actual", lifecycle_milestone_check(&m, start, &err));
  m.actual = D("2022-04-01"); /* the start day itself, and early: accepted */
  ACCEPT(lifecycle_milestone_check(&m, start, &err));
  m.actual = TRIN_DATE_NONE;
  m.forecast = D("2021-12-31");
  REFUSE(TRIN_EINVALID, "forecast", lifecycle_milestone_check(&m, start, &err));
  SAYS("forecast (2021-12-31) is before the project's start date (2022-04-01)");
  m.forecast = D("2023-02-01");
  ACCEPT(lifecycle_milestone_check(&m, start, &err));
  m.baseline = D("2020-01-01");
  REFUSE(TRIN_EINVALID, "baseline", lifecycle_milestone_check(&m, start, &err));
  SAYS("baseline (2020-01-01) is before the project's start date (2022-04-01)");
  /* Without a known start the rule has nothing to compare with. */
  ACCEPT(lifecycle_milestone_check(&m, TRIN_DATE_NONE, &err));
}

/* ---- disputes --------------------------------------------------------------------- */

static lifecycle_dispute_t dispute(int level, trin_ore_t amount) {
  lifecycle_dispute_t d = {
      .level = level,
      .amount_ore = amount,
      .opened_on = D("2027-01-10"),
      .level_since = D("2027-02-01"),
      .resolved = false,
      .resolved_on = TRIN_DATE_NONE,
  };
  return d;
}

static void test_dispute_open(void **state) {
  ACCEPT(lifecycle_dispute_check_open(0, &err));
  ACCEPT(lifecycle_dispute_check_open(123456789, &err));
  REFUSE(TRIN_EINVALID, "amount_ore", lifecycle_dispute_check_open(-1, &err));
  REFUSE(TRIN_EINVALID, "amount_ore", lifecycle_dispute_check_open(INT64_MIN, &err));
}

static void test_dispute_escalate_matrix(void **state) {
  /* Up only, any number of steps at once (AB18: straight to the umpire). */
  for (int from = LIFECYCLE_DISPUTE_LEVEL_MIN; from <= LIFECYCLE_DISPUTE_LEVEL_MAX; from++) {
    for (int to = 0; to <= LIFECYCLE_DISPUTE_LEVEL_MAX + 1; to++) {
      lifecycle_dispute_t d = dispute(from, 10000000);
      if (to < LIFECYCLE_DISPUTE_LEVEL_MIN || to > LIFECYCLE_DISPUTE_LEVEL_MAX)
        REFUSE(TRIN_EINVALID, "to_level",
               lifecycle_dispute_check_escalate(&d, to, D("2027-03-01"), 0, &err));
      else if (to > from)
        ACCEPT(lifecycle_dispute_check_escalate(&d, to, D("2027-03-01"), 0, &err));
      else
        REFUSE(TRIN_ECONFLICT, "to_level",
               lifecycle_dispute_check_escalate(&d, to, D("2027-03-01"), 0, &err));
    }
  }
  lifecycle_dispute_t d = dispute(3, 10000000);
  REFUSE(TRIN_ECONFLICT, "to_level",
         lifecycle_dispute_check_escalate(&d, 2, D("2027-03-01"), 0, &err));
  SAYS("level 3 (conflict forum)");
  SAYS("level 4 (steering group)");
  d = dispute(7, 10000000);
  REFUSE(TRIN_ECONFLICT, "to_level",
         lifecycle_dispute_check_escalate(&d, 7, D("2027-03-01"), 0, &err));
  SAYS("arbitration board");
}

static void test_dispute_escalate_rules(void **state) {
  /* Below the trivial threshold the dispute stays with the project managers. */
  lifecycle_dispute_t d = dispute(1, 4999999);
  for (int to = 2; to <= LIFECYCLE_DISPUTE_LEVEL_MAX; to++)
    REFUSE(TRIN_ECONFLICT, "to_level",
           lifecycle_dispute_check_escalate(&d, to, D("2027-03-01"), 5000000, &err));
  SAYS("trivial threshold");
  SAYS("50.000,00 kr.");
  d.amount_ore = 5000000; /* at the threshold it may leave the project */
  ACCEPT(lifecycle_dispute_check_escalate(&d, 2, D("2027-03-01"), 5000000, &err));
  d.amount_ore = 0;       /* outside a partnership the threshold is 0 */
  ACCEPT(lifecycle_dispute_check_escalate(&d, 6, D("2027-03-01"), 0, &err));

  /* Dates: not before the current level was reached. */
  d = dispute(2, 10000000);
  ACCEPT(lifecycle_dispute_check_escalate(&d, 3, D("2027-02-01"), 0, &err));
  REFUSE(TRIN_EINVALID, "date",
         lifecycle_dispute_check_escalate(&d, 3, D("2027-01-31"), 0, &err));
  SAYS("2027-02-01");
  REFUSE(TRIN_EINVALID, "date",
         lifecycle_dispute_check_escalate(&d, 3, TRIN_DATE_NONE, 0, &err));

  /* Resolved disputes stay resolved. */
  d.resolved = true;
  d.resolved_on = D("2027-02-20");
  REFUSE(TRIN_ECONFLICT, "to_level",
         lifecycle_dispute_check_escalate(&d, 3, D("2027-03-01"), 0, &err));
  SAYS("resolved on 2027-02-20");
}

static void test_dispute_resolve(void **state) {
  lifecycle_dispute_t d = dispute(4, 10000000);
  ACCEPT(lifecycle_dispute_check_resolve(&d, D("2027-02-01"), 0, &err));
  ACCEPT(lifecycle_dispute_check_resolve(&d, D("2027-05-01"), 7500000, &err));
  REFUSE(TRIN_EINVALID, "date",
         lifecycle_dispute_check_resolve(&d, D("2027-01-31"), 0, &err));
  SAYS("level 4 (steering group)");
  REFUSE(TRIN_EINVALID, "date",
         lifecycle_dispute_check_resolve(&d, TRIN_DATE_NONE, 0, &err));
  REFUSE(TRIN_EINVALID, "settled_ore",
         lifecycle_dispute_check_resolve(&d, D("2027-05-01"), -1, &err));
  d.resolved = true;
  d.resolved_on = D("2027-04-01");
  REFUSE(TRIN_ECONFLICT, "resolved",
         lifecycle_dispute_check_resolve(&d, D("2027-05-01"), 0, &err));
  SAYS("already resolved on 2027-04-01");
}

static void test_dispute_level_names(void **state) {
  static const char *const want[] = {
      "project managers", "operational management", "conflict forum",
      "steering group", "mediation", "umpire", "arbitration board"};
  for (int l = 1; l <= 7; l++)
    assert_string_equal(lifecycle_dispute_level_name(l), want[l - 1]);
  assert_string_equal(lifecycle_dispute_level_name(0), "");
  assert_string_equal(lifecycle_dispute_level_name(8), "");
  assert_string_equal(lifecycle_dispute_level_name(-1), "");
}

/* ---- defects ---------------------------------------------------------------------- */

static void test_defect_report(void **state) {
  lifecycle_defect_t d = {D("2028-05-01"), D("2028-06-01"), TRIN_DATE_NONE, TRIN_DATE_NONE};
  for (int s = 0; s < N; s++) {
    if (s >= HO)
      ACCEPT(lifecycle_defect_check_report((lifecycle_stage_t)s, &d, &err));
    else {
      REFUSE(TRIN_ECONFLICT, "stage",
             lifecycle_defect_check_report((lifecycle_stage_t)s, &d, &err));
      SAYS(words[s]);
      SAYS("handover");
    }
  }
  REFUSE(TRIN_EINVALID, "stage",
         lifecycle_defect_check_report((lifecycle_stage_t)N, &d, &err));

  d.due_on = TRIN_DATE_NONE;
  ACCEPT(lifecycle_defect_check_report(LIFECYCLE_STAGE_HANDOVER, &d, &err));
  d.due_on = D("2028-05-01");
  ACCEPT(lifecycle_defect_check_report(LIFECYCLE_STAGE_HANDOVER, &d, &err));
  d.due_on = D("2028-04-30");
  REFUSE(TRIN_EINVALID, "due_on",
         lifecycle_defect_check_report(LIFECYCLE_STAGE_HANDOVER, &d, &err));
  SAYS("due_on (2028-04-30) is before reported_on (2028-05-01)");
  d.due_on = TRIN_DATE_NONE;
  d.reported_on = TRIN_DATE_NONE;
  REFUSE(TRIN_EINVALID, "reported_on",
         lifecycle_defect_check_report(LIFECYCLE_STAGE_INSPECTION_1Y, &d, &err));
  /* Reported already fixed: fine if not fixed before it was reported. */
  d.reported_on = D("2028-05-01");
  d.fixed_on = D("2028-05-01");
  ACCEPT(lifecycle_defect_check_report(LIFECYCLE_STAGE_INSPECTION_5Y, &d, &err));
  d.fixed_on = D("2028-04-01");
  REFUSE(TRIN_EINVALID, "fixed_on",
         lifecycle_defect_check_report(LIFECYCLE_STAGE_INSPECTION_5Y, &d, &err));
}

static void test_defect_overdue(void **state) {
  lifecycle_defect_t d = {D("2028-05-01"), D("2028-06-01"), TRIN_DATE_NONE, TRIN_DATE_NONE};
  assert_false(lifecycle_defect_overdue(&d, D("2028-05-31")));
  assert_false(lifecycle_defect_overdue(&d, D("2028-06-01"))); /* due today: not yet */
  assert_true(lifecycle_defect_overdue(&d, D("2028-06-02")));
  d.fixed_on = D("2028-06-10"); /* fixed late is no longer overdue */
  assert_false(lifecycle_defect_overdue(&d, D("2028-07-01")));
  d.fixed_on = TRIN_DATE_NONE;
  d.due_on = TRIN_DATE_NONE; /* no deadline, never overdue */
  assert_false(lifecycle_defect_overdue(&d, D("2099-01-01")));
}

static void test_defect_fix(void **state) {
  lifecycle_defect_t d = {D("2028-05-01"), D("2028-06-01"), TRIN_DATE_NONE, TRIN_DATE_NONE};
  ACCEPT(lifecycle_defect_check_fix(&d, D("2028-05-01"), &err));
  ACCEPT(lifecycle_defect_check_fix(&d, D("2028-09-01"), &err)); /* late is allowed */
  REFUSE(TRIN_EINVALID, "fixed_on", lifecycle_defect_check_fix(&d, D("2028-04-30"), &err));
  SAYS("fixed_on (2028-04-30) is before reported_on (2028-05-01)");
  REFUSE(TRIN_EINVALID, "fixed_on", lifecycle_defect_check_fix(&d, TRIN_DATE_NONE, &err));
  d.fixed_on = D("2028-05-20");
  REFUSE(TRIN_ECONFLICT, "fixed_on", lifecycle_defect_check_fix(&d, D("2028-06-01"), &err));
  SAYS("already fixed on 2028-05-20");
}

/* A defect's repair, as AB18 has it: the contractor reports it remedied,
 * the client confirms (closed) or rejects (open again); the client's own
 * fix closes it at once. */
static void test_defect_repair_confirmed_by_client(void **state) {
  lifecycle_defect_t d = {D("2028-05-01"), TRIN_DATE_NONE, TRIN_DATE_NONE, TRIN_DATE_NONE};
  lifecycle_defect_t a, b, c;
  assert_int_equal(lifecycle_defect_state(&d), LIFECYCLE_DEFECT_OPEN);
  /* the contractor's fix is a report: still open, awaiting the client */
  ACCEPT(lifecycle_defect_fix(&d, D("2028-05-10"), false, &a, &err));
  assert_int_equal(lifecycle_defect_state(&a), LIFECYCLE_DEFECT_FIX_REPORTED);
  assert_int_equal(a.fixed_on, TRIN_DATE_NONE);
  assert_int_equal(a.fix_reported_on, D("2028-05-10"));
  /* reported twice before the client answers: a conflict that says what waits */
  REFUSE(TRIN_ECONFLICT, "fixed_on", lifecycle_defect_fix(&a, D("2028-05-11"), false, &b, &err));
  SAYS("already reported on 2028-05-10 and awaits the client's confirmation");
  /* the client confirms: closed on the day it confirms, the report kept */
  REFUSE(TRIN_EINVALID, "date", lifecycle_defect_confirm_fix(&a, D("2028-05-09"), &b, &err));
  SAYS("date (2028-05-09) is before the day the repair was reported (2028-05-10)");
  ACCEPT(lifecycle_defect_confirm_fix(&a, D("2028-05-12"), &b, &err));
  assert_int_equal(lifecycle_defect_state(&b), LIFECYCLE_DEFECT_CLOSED);
  assert_int_equal(b.fixed_on, D("2028-05-12"));
  assert_int_equal(b.fix_reported_on, D("2028-05-10"));
  REFUSE(TRIN_ECONFLICT, "defect_id", lifecycle_defect_confirm_fix(&b, D("2028-05-13"), &c, &err));
  SAYS("already closed on 2028-05-12");
  REFUSE(TRIN_ECONFLICT, "fixed_on", lifecycle_defect_fix(&b, D("2028-05-13"), false, &c, &err));
  /* nothing reported: nothing to confirm or reject */
  REFUSE(TRIN_ECONFLICT, "defect_id", lifecycle_defect_confirm_fix(&d, D("2028-05-12"), &c, &err));
  SAYS("no repair of the defect awaits confirmation: the contractor reports it remedied first");
  REFUSE(TRIN_ECONFLICT, "defect_id", lifecycle_defect_reject_fix(&d, D("2028-05-12"), &c, &err));
  /* the client rejects: open again, and the contractor may report anew */
  ACCEPT(lifecycle_defect_reject_fix(&a, D("2028-05-12"), &b, &err));
  assert_int_equal(lifecycle_defect_state(&b), LIFECYCLE_DEFECT_OPEN);
  ACCEPT(lifecycle_defect_fix(&b, D("2028-05-20"), false, &c, &err));
  assert_int_equal(lifecycle_defect_state(&c), LIFECYCLE_DEFECT_FIX_REPORTED);
  /* the client's own fix closes at once, reported or not */
  ACCEPT(lifecycle_defect_fix(&d, D("2028-05-10"), true, &b, &err));
  assert_int_equal(lifecycle_defect_state(&b), LIFECYCLE_DEFECT_CLOSED);
  ACCEPT(lifecycle_defect_fix(&a, D("2028-05-11"), true, &b, &err));
  assert_int_equal(lifecycle_defect_state(&b), LIFECYCLE_DEFECT_CLOSED);
  /* dates as before: not before the defect was reported */
  REFUSE(TRIN_EINVALID, "fixed_on", lifecycle_defect_fix(&d, D("2028-04-30"), false, &b, &err));
}

/* ---- names <-> enums ---------------------------------------------------------------- */

typedef int (*parse_fn)(const char *, const char *, trin_err_t *);
typedef const char *(*name_fn)(int);

static void check_names(parse_fn parse, name_fn name, int count,
                        const char *const *want) {
  for (int i = 0; i < count; i++) {
    assert_string_equal(name(i), want[i]);
    trin_err_clear(&err);
    assert_int_equal(parse(want[i], "f", &err), i);
    assert_int_equal(err.code, TRIN_OK);
  }
  assert_string_equal(name(count), "");
  assert_string_equal(name(-1), "");
  /* Stable lowercase: other spellings are unknown. */
  const char *bad[] = {"", "nonsense", "CLIENT", " trin1", "trin1 ", "Trin1",
                       "pre-study", "\xff\xfe", NULL};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    REFUSE_PARSE("the_field", parse(bad[i], "the_field", &err));
  }
  /* The message lists the choices, to fix a typo. */
  REFUSE_PARSE("x", parse("typo", "x", &err));
  SAYS("typo");
  SAYS(want[count - 1]);
  /* A long or binary input is cut and cleaned, not echoed raw. */
  char longtext[600];
  memset(longtext, 'x', sizeof longtext - 1);
  longtext[sizeof longtext - 1] = '\0';
  longtext[3] = '\n';
  REFUSE_PARSE("x", parse(longtext, "x", &err));
  assert_null(strchr(err.message, '\n'));
  REFUSE_PARSE("x", parse("\xc3\xb8x", "x", &err));
  for (const char *p = err.message; *p; p++) assert_true((unsigned char)*p < 0x80);
}

static void test_names(void **state) {
  static const char *const org[] = {"client", "advisor", "contractor",
                                    "developer", "resident_committee"};
  check_names(lifecycle_org_kind_parse, lifecycle_org_kind_name, LIFECYCLE_ORG_KIND_COUNT, org);
  static const char *const price[] = {"projektforslag", "myndighedsprojekt",
                                      "udbudsprojekt"};
  check_names(lifecycle_price_point_parse, lifecycle_price_point_name,
              LIFECYCLE_PRICE_POINT_COUNT, price);
  static const char *const abt[] = {"trin1", "trin3"};
  check_names(lifecycle_abt_start_parse, lifecycle_abt_start_name, LIFECYCLE_ABT_COUNT, abt);
  static const char *const kind[] = {"helhedsplan", "renovation", "new_build",
                                     "maintenance"};
  check_names(lifecycle_project_kind_parse, lifecycle_project_kind_name,
              LIFECYCLE_PROJECT_KIND_COUNT, kind);
  static const char *const stage[] = {
      "pre_study", "trin1",         "trin2",         "trin1_2", "trin3",
      "handover",  "inspection_1y", "inspection_5y", "closed"};
  check_names(lifecycle_stage_parse, lifecycle_stage_name, LIFECYCLE_STAGE_COUNT, stage);
  static const char *const pause[] = {"resident_democracy", "authority",
                                      "landsbyggefonden", "financing", "other"};
  check_names(lifecycle_pause_reason_parse, lifecycle_pause_reason_name,
              LIFECYCLE_PAUSE_REASON_COUNT, pause);
  static const char *const sev[] = {"minor", "major", "critical"};
  check_names(lifecycle_severity_parse, lifecycle_severity_name, LIFECYCLE_SEVERITY_COUNT, sev);
  static const char *const found[] = {"handover", "inspection_1y",
                                      "inspection_5y", "other"};
  check_names(lifecycle_found_at_parse, lifecycle_found_at_name, LIFECYCLE_FOUND_AT_COUNT, found);

  /* The parse result for unknown text is -1 and err may be NULL. */
  assert_int_equal(lifecycle_stage_parse("nope", "stage", NULL), -1);
  assert_int_equal(lifecycle_stage_parse(NULL, "stage", NULL), -1);
  REFUSE_PARSE("stage", lifecycle_stage_parse(NULL, "stage", &err));
  SAYS("required");
}

/* ---- corrections ------------------------------------------------------------- */

static void test_stage_previous(void **state) {
  (void)state;
  /* Every stage but pre_study goes back to the one it is entered from. */
  for (int track = 0; track < 2; track++) {
    for (int s = 0; s < LIFECYCLE_STAGE_COUNT; s++) {
      int prev = lifecycle_stage_previous((lifecycle_stage_t)s, track);
      if (s == P) {
        assert_int_equal(prev, -1);
        continue;
      }
      if (track == 0 && s == T12) continue;  /* not on the normal track */
      if (track == 1 && (s == T1 || s == T2)) continue;
      lifecycle_stage_t next[2];
      assert_int_equal(lifecycle_stage_next((lifecycle_stage_t)prev, track, next), 1);
      assert_int_equal(next[0], s);
    }
  }
  assert_int_equal(lifecycle_stage_previous(LIFECYCLE_STAGE_TRIN3, false), T2);
  assert_int_equal(lifecycle_stage_previous(LIFECYCLE_STAGE_TRIN3, true), T12);
  assert_int_equal(lifecycle_stage_previous((lifecycle_stage_t)99, false), -1);
}

static void test_correction_allowed(void **state) {
  (void)state;
  lifecycle_stage_t back = LIFECYCLE_STAGE_PRE_STUDY;
  lifecycle_project_state_t p = project(LIFECYCLE_STAGE_TRIN1, false);
  ACCEPT(lifecycle_stage_check_correction(&p, 0, &back, &err));
  assert_int_equal(back, P);
  p = project(LIFECYCLE_STAGE_TRIN1_2, true);
  ACCEPT(lifecycle_stage_check_correction(&p, 0, &back, &err));
  assert_int_equal(back, P);
  /* A price-closed project may go back to the stage the price closes in. */
  p = project(LIFECYCLE_STAGE_TRIN3, false);
  p.price_closed = true;
  p.price_closed_on = D("2026-02-01");
  ACCEPT(lifecycle_stage_check_correction(&p, 0, &back, &err));
  assert_int_equal(back, T2);
  p = project(LIFECYCLE_STAGE_TRIN3, true);
  p.price_closed = true;
  ACCEPT(lifecycle_stage_check_correction(&p, 0, &back, &err));
  assert_int_equal(back, T12);
  /* Defects allow going back as far as handover. */
  p = project(LIFECYCLE_STAGE_INSPECTION_1Y, false);
  p.price_closed = true;
  ACCEPT(lifecycle_stage_check_correction(&p, 3, &back, &err));
  assert_int_equal(back, LIFECYCLE_STAGE_HANDOVER);
  p = project(LIFECYCLE_STAGE_CLOSED, false);
  p.price_closed = true;
  ACCEPT(lifecycle_stage_check_correction(&p, 0, &back, &err));
  assert_int_equal(back, LIFECYCLE_STAGE_INSPECTION_5Y);
}

static void test_correction_refused(void **state) {
  (void)state;
  lifecycle_stage_t back = LIFECYCLE_STAGE_TRIN3;
  lifecycle_project_state_t p = project(LIFECYCLE_STAGE_PRE_STUDY, false);
  REFUSE(TRIN_ECONFLICT, "stage", lifecycle_stage_check_correction(&p, 0, &back, &err));
  SAYS("the project is in pre-study, its first stage; there is no stage to go back to");
  assert_int_equal(back, T3);  /* untouched on refusal */

  p = project(LIFECYCLE_STAGE_TRIN2, false);
  p.paused = true;
  p.paused_since = D("2026-04-01");
  REFUSE(TRIN_ECONFLICT, "stage", lifecycle_stage_check_correction(&p, 0, &back, &err));
  SAYS("the project is paused on 2026-04-01; resume it before correcting its stage "
       "(the pause belongs to trin 2)");

  p = project(LIFECYCLE_STAGE_TRIN2, false);
  p.price_closed = true;
  p.price_closed_on = D("2026-05-01");
  REFUSE(TRIN_ECONFLICT, "stage", lifecycle_stage_check_correction(&p, 0, &back, &err));
  SAYS("the price was closed on 2026-05-01; a project whose price is closed cannot go back "
       "from trin 2 to trin 1, before trin 2 where the price is closed");
  p = project(LIFECYCLE_STAGE_TRIN1_2, true);
  p.price_closed = true;
  p.price_closed_on = D("2026-05-01");
  REFUSE(TRIN_ECONFLICT, "stage", lifecycle_stage_check_correction(&p, 0, &back, &err));
  SAYS("cannot go back from trin 1+2 to pre-study, before trin 1+2 where the price is closed");

  p = project(LIFECYCLE_STAGE_HANDOVER, false);
  p.price_closed = true;
  REFUSE(TRIN_ECONFLICT, "stage", lifecycle_stage_check_correction(&p, 1, &back, &err));
  SAYS("the project has 1 reported defect; it cannot go back from handover to trin 3, "
       "before handover where defects are found");
  assert_int_equal(back, T3);
}

static void test_kind_edit(void **state) {
  (void)state;
  lifecycle_project_state_t p = project(LIFECYCLE_STAGE_PRE_STUDY, false);
  ACCEPT(lifecycle_project_check_kind_edit(&p, &err));
  p = project(LIFECYCLE_STAGE_TRIN1, false);
  REFUSE(TRIN_ECONFLICT, "kind", lifecycle_project_check_kind_edit(&p, &err));
  SAYS("the project is in trin 1; its kind can only be corrected in pre-study");
}

static void test_partnership_edit(void **state) {
  (void)state;
  lifecycle_partnership_terms_t t = terms();
  lifecycle_partnership_projects_t none = {0, TRIN_DATE_NONE, TRIN_DATE_NONE, 0, 0};
  ACCEPT(lifecycle_partnership_check_edit(&t, LIFECYCLE_EDIT_TERM | LIFECYCLE_EDIT_PRICE_POINT |
                                                  LIFECYCLE_EDIT_ABT,
                                          &none, &err));
  lifecycle_partnership_projects_t pp = {2, D("2026-03-01"), D("2028-06-01"), 1, 2};
  /* Changes the projects do not constrain pass. */
  ACCEPT(lifecycle_partnership_check_edit(&t, 0, &pp, &err));
  /* A term that still holds every project's start passes. */
  t.framework_start = D("2026-02-01");
  ACCEPT(lifecycle_partnership_check_edit(&t, LIFECYCLE_EDIT_TERM, &pp, &err));
  t.framework_start = D("2026-04-01");
  REFUSE(TRIN_ECONFLICT, "framework_start",
         lifecycle_partnership_check_edit(&t, LIFECYCLE_EDIT_TERM, &pp, &err));
  SAYS("the corrected framework term, 2026-04-01 to 2030-03-31, would leave out projects of "
       "the partnership: they start between 2026-03-01 and 2028-06-01");
  t = terms();
  t.framework_years = 2;
  REFUSE(TRIN_ECONFLICT, "framework_start",
         lifecycle_partnership_check_edit(&t, LIFECYCLE_EDIT_TERM, &pp, &err));
  t = terms();
  REFUSE(TRIN_ECONFLICT, "price_closing_point",
         lifecycle_partnership_check_edit(&t, LIFECYCLE_EDIT_PRICE_POINT, &pp, &err));
  SAYS("1 project of the partnership closed its price at the current price-closing point; "
       "it can no longer change");
  REFUSE(TRIN_ECONFLICT, "abt_starts_at",
         lifecycle_partnership_check_edit(&t, LIFECYCLE_EDIT_ABT, &pp, &err));
  SAYS("2 projects of the partnership have left pre-study under the current ABT start");
  /* The corrected terms themselves are checked like new ones. */
  t.horizon_years = 16;
  REFUSE(TRIN_EINVALID, "horizon_years", lifecycle_partnership_check_edit(&t, 0, &pp, &err));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(test_matrix_normal),
      cmocka_unit_test(test_matrix_fast_track),
      cmocka_unit_test(test_stage_next),
      cmocka_unit_test(test_transition_messages),
      cmocka_unit_test(test_transition_bad_values),
      cmocka_unit_test(test_trin3_needs_closed_price),
      cmocka_unit_test(test_transition_paused),
      cmocka_unit_test(test_transition_date_order),
      cmocka_unit_test(test_transition_closed),
      cmocka_unit_test(test_full_life),
      cmocka_unit_test(test_price_close),
      cmocka_unit_test(test_pause_resume),
      cmocka_unit_test(test_terms_check),
      cmocka_unit_test(test_framework_dates),
      cmocka_unit_test(test_project_start),
      cmocka_unit_test(test_extension),
      cmocka_unit_test(test_milestones),
      cmocka_unit_test(test_milestone_earned_value),
      cmocka_unit_test(test_milestone_dates_not_before_project_start),
      cmocka_unit_test(test_dispute_open),
      cmocka_unit_test(test_dispute_escalate_matrix),
      cmocka_unit_test(test_dispute_escalate_rules),
      cmocka_unit_test(test_dispute_resolve),
      cmocka_unit_test(test_dispute_level_names),
      cmocka_unit_test(test_defect_report),
      cmocka_unit_test(test_defect_fix),
      cmocka_unit_test(test_defect_overdue),
      cmocka_unit_test(test_defect_repair_confirmed_by_client),
      cmocka_unit_test(test_names),
      cmocka_unit_test(test_stage_previous),
      cmocka_unit_test(test_correction_allowed),
      cmocka_unit_test(test_correction_refused),
      cmocka_unit_test(test_kind_edit),
      cmocka_unit_test(test_partnership_edit),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
