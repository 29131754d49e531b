/* survey.stats — the survey rules against hand-computed examples: exact
 * means and changes, rounding, trend, baseline and alert thresholds at
 * their boundaries, anonymity suppression (including complementary
 * suppression), role words and score parsing; and the results view over a
 * small cube; Danish column names, statement keys with Æ Ø Å, reading
 * Windows-1252, and the round results show by default. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <cmocka.h>

#include "survey_encoding.h"
#include "survey_results.h"
#include "survey_rules.h"

static const survey_scale_t S15 = {1, 5};

static survey_agg_t agg_of(const int *scores, size_t n) {
  survey_agg_t a = {0};
  for (size_t i = 0; i < n; i++) survey_agg_add(&a, scores[i], S15);
  return a;
}

static void means_are_exact(void **state) {
  /* 4,4,3 -> 11/3 = 3.666.. -> 3.67 */
  int s1[] = {4, 4, 3};
  survey_agg_t a = agg_of(s1, 3);
  assert_int_equal(a.count, 3);
  assert_int_equal(a.sum, 11);
  assert_int_equal(a.dist[2], 1); /* score 3 */
  assert_int_equal(a.dist[3], 2); /* score 4 */
  assert_int_equal(survey_mean_x100(&a), 367);
  char b[16];
  assert_string_equal(survey_format_x100(367, b), "3.67");
  assert_string_equal(survey_format_x100(-42, b), "-0.42");
  assert_string_equal(survey_format_x100(-5, b), "-0.05");
  assert_string_equal(survey_format_x100(0, b), "0.00");
  /* 1,2 -> 1.5 exactly; 1,1,1,2,2,2,2,2 = 13/8 = 1.625 -> 1.63 (half away) */
  int s2[] = {1, 1, 1, 2, 2, 2, 2, 2};
  survey_agg_t c = agg_of(s2, 8);
  assert_int_equal(survey_mean_x100(&c), 163);
  /* removing gives back the earlier aggregate exactly */
  survey_agg_remove(&c, 2, S15);
  assert_int_equal(c.count, 7);
  assert_int_equal(c.sum, 11);
  assert_int_equal(c.dist[1], 4);
  survey_agg_t empty = {0};
  assert_int_equal(survey_mean_x100(&empty), 0);
  assert_int_equal(survey_div_round(-5, 2), -3);
  assert_int_equal(survey_div_round(5, 2), 3);
  assert_int_equal(survey_div_round(-4, 3), -1);
}

static void change_is_one_rounding(void **state) {
  /* then: 4,4,4 = 4.00; now: 3,4,4 = 3.666.. -> change -0.333.. -> -33 */
  int t[] = {4, 4, 4}, n[] = {3, 4, 4};
  survey_agg_t then = agg_of(t, 3), now = agg_of(n, 3);
  assert_int_equal(survey_change_x100(&now, &then), -33);
  /* Rounded means would say 3.67 - 4.00 = -0.33 too; a case where they
   * differ: then 1,2 (1.5), now 1,1,2 (1.333..): exact -0.1666.. -> -17;
   * rounded means 1.33 - 1.50 = -0.17 as well; and then 2,2,3 (2.333..),
   * now 2,3 (2.5): exact +0.1666.. -> 17, rounded 2.50 - 2.33 = 0.17. */
  int t2[] = {2, 2, 3}, n2[] = {2, 3};
  survey_agg_t then2 = agg_of(t2, 3), now2 = agg_of(n2, 2);
  assert_int_equal(survey_change_x100(&now2, &then2), 17);
  /* then 3.10 (nine 3s and a 4), now 3.02 (ninety-nine 3s and a 5): -0.08 */
  survey_agg_t then3 = {0}, now3 = {0};
  for (int i = 0; i < 10; i++) survey_agg_add(&then3, i < 9 ? 3 : 4, S15);
  for (int i = 0; i < 100; i++) survey_agg_add(&now3, i < 99 ? 3 : 5, S15);
  assert_int_equal(survey_mean_x100(&now3), 302);
  assert_int_equal(survey_change_x100(&now3, &then3), -8);
}

static void trend_least_squares(void **state) {
  bool has;
  survey_point_t one[] = {{1, 4, 1}};
  survey_trend_x100(one, 1, &has);
  assert_false(has);
  assert_string_equal(survey_trend_name(0, false), "");
  /* 4.00, 3.80, 3.60 -> slope -0.20 per round */
  survey_point_t down[] = {{1, 4, 1}, {2, 19, 5}, {3, 18, 5}};
  int32_t s = survey_trend_x100(down, 3, &has);
  assert_true(has);
  assert_int_equal(s, -20);
  assert_string_equal(survey_trend_name(s, has), "down");
  /* rounds 1 and 3 only (2 suppressed): 3.00 -> 3.30: +0.15 per round */
  survey_point_t gap[] = {{1, 3, 1}, {3, 33, 10}};
  assert_int_equal(survey_trend_x100(gap, 2, &has), 15);
  assert_string_equal(survey_trend_name(15, true), "up");
  /* boundary of "flat": +0.09 flat, +0.10 up, -0.10 down */
  assert_string_equal(survey_trend_name(9, true), "flat");
  assert_string_equal(survey_trend_name(10, true), "up");
  assert_string_equal(survey_trend_name(-10, true), "down");
  assert_string_equal(survey_trend_name(-9, true), "flat");
  /* An empty group is no point: one point left, no trend. */
  survey_point_t empty[] = {{1, 0, 0}, {2, 40, 10}};
  survey_trend_x100(empty, 2, &has);
  assert_false(has);
}

/* Issue 18, S-OS-12 INFORMED, all roles: round 1 sums 69 over 16, round 2
 * 58 over 16. The rounded means are 4.31 (4.3125) and 3.63 (3.625, half
 * away from zero), whose slope was -0.68; the exact slope is
 * (58 - 69) / 16 = -0.6875, and -68.75 rounds (half away from zero, as
 * every figure of the service) to -69 — the same as change_x100. */
static void trend_is_rounded_once(void **state) {
  bool has;
  survey_point_t informed[] = {{1, 69, 16}, {2, 58, 16}};
  assert_int_equal(survey_trend_x100(informed, 2, &has), -69);
  assert_true(has);
  survey_agg_t r1 = {.count = 16, .sum = 69}, r2 = {.count = 16, .sum = 58};
  assert_int_equal(survey_change_x100(&r2, &r1), -69);
  /* Three rounds, counts differing: 10/3, 7/2, 18/5 (3.333.., 3.5, 3.6).
   * Σ(x - 2)·y = -10/3 + 18/5 = 4/15; Σ(x - 2)² = 2; slope = 2/15 =
   * 0.1333.. -> 13. From rounded means (333, 350, 360) it is (360-333)/2
   * = 13.5 -> 14. */
  survey_point_t three[] = {{1, 10, 3}, {2, 7, 2}, {3, 18, 5}};
  assert_int_equal(survey_trend_x100(three, 3, &has), 13);
  /* An exact tie rounds away from zero both ways: 1/8 and 2/8 per round is
   * 0.125 -> 13; downwards -13. */
  survey_point_t tie_up[] = {{1, 1, 8}, {2, 2, 8}};
  assert_int_equal(survey_trend_x100(tie_up, 2, &has), 13);
  survey_point_t tie_down[] = {{1, 2, 8}, {2, 1, 8}};
  assert_int_equal(survey_trend_x100(tie_down, 2, &has), -13);
  /* Two hundred rounds with pairwise different counts, whose common
   * denominator overflows 128 bits: the long double fallback. Means rise
   * 0.01 per round (less under 1/count of flooring each sum): slope 1. */
  static survey_point_t many[200];
  for (int i = 0; i < 200; i++) {
    int64_t c = 1009 + 2 * i; /* odd, many of them prime */
    many[i] = (survey_point_t){i + 1, (300 + i) * c / 100, c};
  }
  int32_t slope = survey_trend_x100(many, 200, &has);
  assert_true(has);
  assert_int_equal(slope, 1);
}

/* A group of n respondents with a given sum (the distribution does not
 * matter to the alert rules). */
static survey_agg_t group(int64_t n, int64_t sum) {
  survey_agg_t a = {0};
  a.count = n;
  a.sum = sum;
  return a;
}

static void alert_thresholds_at_their_boundaries(void **state) {
  survey_thresholds_t t = {.drop_from_previous_x100 = 50};
  survey_alert_t out[SURVEY_NALERT_KINDS];
  /* previous 4.00 (20/5), now 3.50 (35/10): a drop of exactly 0.50 is not
   * MORE than 0.50 */
  survey_agg_t prev = group(5, 20), now = group(10, 35);
  assert_int_equal(survey_alerts_check(&now, &prev, NULL, &t, out), 0);
  /* now 34/10 = 3.40: drop 0.60 > 0.50 */
  now = group(10, 34);
  assert_int_equal(survey_alerts_check(&now, &prev, NULL, &t, out), 1);
  assert_int_equal(out[0].kind, SURVEY_ALERT_DROP_FROM_PREVIOUS);
  assert_int_equal(out[0].mean_x100, 340);
  assert_int_equal(out[0].reference_x100, 400);
  assert_int_equal(out[0].threshold_x100, 50);
  /* A drop of 0.5033.. (now 3.4966 = 1049/300) rounds to 0.50 but is more
   * than 0.50: decided on exact sums, so it alerts. */
  now = group(300, 1049);
  assert_int_equal(survey_mean_x100(&now), 350);
  assert_int_equal(survey_alerts_check(&now, &prev, NULL, &t, out), 1);
  /* Threshold 0 = off. */
  survey_thresholds_t off = {0};
  now = group(10, 10);
  assert_int_equal(survey_alerts_check(&now, &prev, NULL, &off, out), 0);

  /* Baseline: 4.20 (21/5); now 3.70 (37/10): 0.50 below -> no; 3.69 -> yes */
  survey_thresholds_t tb = {.drop_from_baseline_x100 = 50};
  survey_agg_t base = group(5, 21);
  now = group(10, 37);
  assert_int_equal(survey_alerts_check(&now, NULL, &base, &tb, out), 0);
  now = group(100, 369);
  assert_int_equal(survey_alerts_check(&now, NULL, &base, &tb, out), 1);
  assert_int_equal(out[0].kind, SURVEY_ALERT_DROP_FROM_BASELINE);
  assert_int_equal(out[0].reference_x100, 420);

  /* Floor 3.00: exactly 3.00 is not below; 2.99 is */
  survey_thresholds_t tf = {.floor_x100 = 300};
  now = group(5, 15);
  assert_int_equal(survey_alerts_check(&now, NULL, NULL, &tf, out), 0);
  now = group(100, 299);
  assert_int_equal(survey_alerts_check(&now, NULL, NULL, &tf, out), 1);
  assert_int_equal(out[0].kind, SURVEY_ALERT_BELOW_FLOOR);
  /* 2.995 rounds to 3.00 for display, but is below 3.00: alert */
  now = group(200, 599);
  assert_int_equal(survey_mean_x100(&now), 300);
  assert_int_equal(survey_alerts_check(&now, NULL, NULL, &tf, out), 1);

  /* All three at once, in kind order. */
  survey_thresholds_t all = {50, 50, 300};
  now = group(5, 10);
  assert_int_equal(survey_alerts_check(&now, &prev, &base, &all, out), 3);
  assert_int_equal(out[0].kind, SURVEY_ALERT_DROP_FROM_PREVIOUS);
  assert_int_equal(out[1].kind, SURVEY_ALERT_DROP_FROM_BASELINE);
  assert_int_equal(out[2].kind, SURVEY_ALERT_BELOW_FLOOR);
}

static void suppression_at_the_boundary(void **state) {
  bool sup[SURVEY_NGROUPS];
  /* min 5: a role with 5 is shown, with 4 hidden */
  int64_t c1[SURVEY_NGROUPS] = {5, 0, 0, 0, 0, 5};
  survey_suppress(c1, 5, sup);
  assert_false(sup[0]);
  assert_false(sup[SURVEY_ROLE_ALL]);
  int64_t c2[SURVEY_NGROUPS] = {4, 0, 0, 0, 0, 4};
  survey_suppress(c2, 5, sup);
  assert_true(sup[0]);
  assert_true(sup[SURVEY_ROLE_ALL]);
  /* empty groups are absent, not suppressed */
  assert_false(sup[1]);
  /* Complementary: committee 3 hidden, residents 20 shown would give the
   * committee away as all(23) - 20; so the smallest visible role (client 6)
   * is hidden too: hidden total 9 >= 5. Residents and all stay. */
  int64_t c3[SURVEY_NGROUPS] = {3, 20, 6, 0, 0, 29};
  survey_suppress(c3, 5, sup);
  assert_true(sup[0]);
  assert_true(sup[2]);
  assert_false(sup[1]);
  assert_false(sup[SURVEY_ROLE_ALL]);
  /* Two small roles that together reach min need no third. */
  int64_t c4[SURVEY_NGROUPS] = {3, 20, 2, 0, 0, 25};
  survey_suppress(c4, 5, sup);
  assert_true(sup[0]);
  assert_true(sup[2]);
  assert_false(sup[1]);
  /* Only one other role: it is hidden too, and "all" (= their sum 9) stays. */
  int64_t c5[SURVEY_NGROUPS] = {3, 6, 0, 0, 0, 9};
  survey_suppress(c5, 5, sup);
  assert_true(sup[0]);
  assert_true(sup[1]);
  assert_false(sup[SURVEY_ROLE_ALL]);
  /* A higher minimum (configurable upwards): 7 */
  int64_t c6[SURVEY_NGROUPS] = {6, 7, 0, 0, 0, 13};
  survey_suppress(c6, 7, sup);
  assert_true(sup[0]);
  assert_true(sup[1]); /* complementary */
  assert_false(sup[SURVEY_ROLE_ALL]);

  int32_t min;
  trin_err_t err;
  assert_int_equal(survey_min_respondents_check(0, 0, &min, &err), TRIN_OK);
  assert_int_equal(min, 5);
  assert_int_equal(survey_min_respondents_check(4, 0, &min, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "min_respondents");
  assert_int_equal(survey_min_respondents_check(8, 5, &min, &err), TRIN_OK);
  assert_int_equal(min, 8);
  assert_int_equal(survey_min_respondents_check(6, 8, &min, &err), TRIN_ECONFLICT);
  assert_int_equal(survey_min_respondents_check(0, 8, &min, &err), TRIN_OK);
  assert_int_equal(min, 8);
}

static void words_and_scores(void **state) {
  trin_err_t err;
  assert_int_equal(survey_role_parse("residents", "role", &err), SURVEY_ROLE_RESIDENTS);
  assert_int_equal(survey_role_parse(" Følgegruppe ", "role", &err),
                   SURVEY_ROLE_RESIDENT_COMMITTEE);
  assert_int_equal(survey_role_parse("FØLGEGRUPPE", "role", &err),
                   SURVEY_ROLE_RESIDENT_COMMITTEE);
  assert_int_equal(survey_role_parse("Resident committee", "role", &err),
                   SURVEY_ROLE_RESIDENT_COMMITTEE);
  assert_int_equal(survey_role_parse("entreprenør", "role", &err), SURVEY_ROLE_CONTRACTOR);
  assert_int_equal(survey_role_parse("Bygherre", "role", &err), SURVEY_ROLE_CLIENT);
  assert_int_equal(survey_role_parse("mayor", "role", &err), -1);
  assert_string_equal(err.field, "role");
  assert_string_equal(survey_role_name(SURVEY_ROLE_ALL), "all");

  int v;
  assert_int_equal(survey_score_parse("4", S15, "S1", &v, &err), TRIN_OK);
  assert_int_equal(v, 4);
  assert_int_equal(survey_score_parse("4,0", S15, "S1", &v, &err), TRIN_OK);
  assert_int_equal(v, 4);
  assert_int_equal(survey_score_parse(" 5.00 ", S15, "S1", &v, &err), TRIN_OK);
  assert_int_equal(v, 5);
  assert_int_equal(survey_score_parse("4,5", S15, "S1", &v, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "S1");
  assert_int_equal(survey_score_parse("6", S15, "S1", &v, &err), TRIN_EINVALID);
  assert_int_equal(survey_score_parse("0", S15, "S1", &v, &err), TRIN_EINVALID);
  assert_int_equal(survey_score_parse("x", S15, "S1", &v, &err), TRIN_EINVALID);

  assert_int_equal(survey_scale_check((survey_scale_t){1, 5}, &err), TRIN_OK);
  assert_int_equal(survey_scale_check((survey_scale_t){0, 10}, &err), TRIN_OK);
  assert_int_equal(survey_scale_check((survey_scale_t){1, 11}, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "scale_max");
  assert_int_equal(survey_scale_check((survey_scale_t){2, 5}, &err), TRIN_EINVALID);
  survey_thresholds_t bad_floor = {.floor_x100 = 100};
  assert_int_equal(survey_thresholds_check(&bad_floor, S15, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "thresholds.floor_x100");
}

/* A two-statement survey, three rounds, through the results view. */
static void results_view_over_a_cube(void **state) {
  Trin__Survey__Statement st1 = TRIN__SURVEY__STATEMENT__INIT, st2 = TRIN__SURVEY__STATEMENT__INIT;
  st1.key = "TRUST_ECONOMY";
  st2.key = "DIALOGUE";
  Trin__Survey__Statement *sts[] = {&st1, &st2};
  Trin__Survey__Thresholds th = TRIN__SURVEY__THRESHOLDS__INIT;
  th.drop_from_previous_x100 = 50;
  Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
  sv.id = "S";
  sv.project_id = "P";
  sv.partnership_id = "";
  sv.client_org = "C";
  sv.scale_min = 1;
  sv.scale_max = 5;
  sv.min_respondents = 5;
  sv.thresholds = &th;
  sv.statements = sts;
  sv.n_statements = 2;
  enum { R = 3, K = 2 };
  survey_agg_t cube[R * SURVEY_NROLES * K];
  memset(cube, 0, sizeof cube);
#define CELL(r, role, k) cube[((r - 1) * SURVEY_NROLES + (role)) * K + (k)]
  /* TRUST_ECONOMY, residents: r1 five 4s (4.00), r2 five 4s, r3 3,3,3,4,4 (3.40) */
  for (int i = 0; i < 5; i++) {
    survey_agg_add(&CELL(1, SURVEY_ROLE_RESIDENTS, 0), 4, S15);
    survey_agg_add(&CELL(2, SURVEY_ROLE_RESIDENTS, 0), 4, S15);
    survey_agg_add(&CELL(3, SURVEY_ROLE_RESIDENTS, 0), i < 3 ? 3 : 4, S15);
  }
  /* committee: 2 respondents in round 3 only -> hidden, and residents
   * alone would give them away -> residents hidden in round 3 too */
  survey_agg_add(&CELL(3, SURVEY_ROLE_RESIDENT_COMMITTEE, 0), 1, S15);
  survey_agg_add(&CELL(3, SURVEY_ROLE_RESIDENT_COMMITTEE, 0), 2, S15);
  survey_view_t v;
  survey_view_init(&v, &sv, R, cube);
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Survey__RoundResults res;
  trin_err_t err;
  assert_int_equal(survey_view_results(&v, 2, &a, &res, &err), TRIN_OK);
  assert_int_equal(res.n_figures, 2); /* residents + all, TRUST_ECONOMY */
  assert_string_equal(res.figures[0]->role, "residents");
  assert_string_equal(res.figures[0]->mean, "4.00");
  assert_true(res.figures[0]->has_previous);
  assert_int_equal(res.figures[0]->change_x100, 0);
  assert_true(res.figures[0]->has_baseline); /* baseline = round 1 */
  assert_int_equal(res.figures[0]->baseline_x100, 400);
  assert_int_equal(res.figures[0]->n_distribution, 5);
  assert_int_equal(res.figures[0]->distribution[3], 5);
  assert_string_equal(res.figures[0]->trend, "flat");
  assert_false(res.baseline);

  assert_int_equal(survey_view_results(&v, 3, &a, &res, &err), TRIN_OK);
  assert_int_equal(res.n_figures, 3); /* committee, residents, all */
  assert_string_equal(res.figures[0]->role, "resident_committee");
  assert_true(res.figures[0]->suppressed);
  assert_int_equal(res.figures[0]->count, 0);
  assert_string_equal(res.figures[0]->mean, "");
  assert_int_equal(res.figures[0]->n_distribution, 0);
  assert_true(res.figures[1]->suppressed); /* complementary */
  assert_string_equal(res.figures[2]->role, "all");
  assert_false(res.figures[2]->suppressed);
  assert_int_equal(res.figures[2]->count, 7);
  assert_int_equal(res.figures[2]->sum, 20);
  assert_string_equal(res.figures[2]->mean, "2.86"); /* 20/7 = 2.857 */
  assert_int_equal(res.figures[2]->change_x100, -114); /* 2.857 - 4.000 */

  survey_alert_row_t al[16];
  size_t n = survey_view_alerts(&v, 3, al, 16);
  assert_int_equal(n, 1); /* "all" dropped > 0.50; hidden groups raise nothing */
  assert_int_equal(al[0].group, SURVEY_ROLE_ALL);
  assert_int_equal(al[0].kind, SURVEY_ALERT_DROP_FROM_PREVIOUS);
  assert_int_equal(survey_view_alerts(&v, 2, al, 16), 0);
  Trin__Survey__Alert *m = survey_alert_message(&v, &al[0], &a);
  assert_non_null(strstr(m->message, "TRUST_ECONOMY"));
  assert_string_equal(m->kind, "drop_from_previous");
  trin_arena_reset(&a);
#undef CELL
}

/* Issue 18 end to end through the results view: INFORMED, 16 residents,
 * round 1 five 5s and eleven 4s (69), round 2 ten 4s and six 3s (58). The
 * round-2 trend is the exact slope -0.6875 -> -69, equal to the change, and
 * not -68 from the rounded means 4.31 and 3.63. */
static void results_trend_from_exact_means(void **state) {
  Trin__Survey__Statement st = TRIN__SURVEY__STATEMENT__INIT;
  st.key = "INFORMED";
  Trin__Survey__Statement *sts[] = {&st};
  Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
  sv.id = "S-OS-12";
  sv.project_id = "OS-12";
  sv.scale_min = 1;
  sv.scale_max = 5;
  sv.min_respondents = 5;
  sv.statements = sts;
  sv.n_statements = 1;
  survey_agg_t cube[2 * SURVEY_NROLES];
  memset(cube, 0, sizeof cube);
  for (int i = 0; i < 16; i++) {
    survey_agg_add(&cube[SURVEY_ROLE_RESIDENTS], i < 5 ? 5 : 4, S15);
    survey_agg_add(&cube[SURVEY_NROLES + SURVEY_ROLE_RESIDENTS], i < 10 ? 4 : 3, S15);
  }
  survey_view_t v;
  survey_view_init(&v, &sv, 2, cube);
  trin_arena_t a = TRIN_ARENA_INIT;
  Trin__Survey__RoundResults res;
  trin_err_t err;
  assert_int_equal(survey_view_results(&v, 2, &a, &res, &err), TRIN_OK);
  assert_int_equal(res.n_figures, 2); /* residents, all */
  for (size_t i = 0; i < res.n_figures; i++) {
    assert_int_equal(res.figures[i]->sum, 58);
    assert_int_equal(res.figures[i]->mean_x100, 363);
    assert_int_equal(res.figures[i]->change_x100, -69);
    assert_int_equal(res.figures[i]->trend_x100, -69);
    assert_string_equal(res.figures[i]->trend, "down");
  }
  trin_arena_reset(&a);
}

/* Issue 19: Danish column names, statement keys with Æ Ø Å, Windows-1252,
 * and the round results show by default. */
static void danish_columns_keys_and_windows_1252(void **state) {
  assert_int_equal(survey_column_parse("Rolle"), SURVEY_COLUMN_ROLE);
  assert_int_equal(survey_column_parse(" ROLE "), SURVEY_COLUMN_ROLE);
  assert_int_equal(survey_column_parse("Kommentar"), SURVEY_COLUMN_COMMENT);
  assert_int_equal(survey_column_parse("kommentarer"), SURVEY_COLUMN_COMMENT);
  assert_int_equal(survey_column_parse("Respondent-id"), SURVEY_COLUMN_RESPONDENT);
  assert_int_equal(survey_column_parse("RespondentID"), SURVEY_COLUMN_RESPONDENT);
  assert_int_equal(survey_column_parse("respondent id"), SURVEY_COLUMN_RESPONDENT);
  assert_int_equal(survey_column_parse("Rolle2"), -1);
  assert_int_equal(survey_column_parse(""), -1);

  trin_err_t err;
  const char *good[] = {"RENGØRING", "ÆBLE_ÅR", "kø-1", "Ø", "a.b:c", "TRUST_ECONOMY"};
  for (size_t i = 0; i < sizeof good / sizeof *good; i++)
    assert_int_equal(survey_statement_key_check(good[i], "key", &err), TRIN_OK);
  const char *bad[] = {"", "_A", "RENG ØRING", "É", "O\xcc\xb8", "A\xff", "a/b", "ÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅÅA"};
  for (size_t i = 0; i < sizeof bad / sizeof *bad; i++) {
    if (survey_statement_key_check(bad[i], "key", &err) != TRIN_EINVALID)
      print_error("case %zu accepted\n", i);
    assert_int_equal(survey_statement_key_check(bad[i], "key", &err), TRIN_EINVALID);
    assert_string_equal(err.field, "key");
  }
  assert_string_equal(err.message, "is 65 bytes long; at most 64 are allowed (Æ, Ø, Å take two)");

  survey_encoding_t enc;
  assert_int_equal(survey_encoding_parse("", &enc, "encoding", &err), TRIN_OK);
  assert_int_equal(enc, SURVEY_ENCODING_UTF8);
  assert_int_equal(survey_encoding_parse("Windows-1252", &enc, "encoding", &err), TRIN_OK);
  assert_int_equal(enc, SURVEY_ENCODING_WINDOWS_1252);
  assert_int_equal(survey_encoding_parse("latin1", &enc, "encoding", &err), TRIN_EINVALID);
  assert_string_equal(err.message, "'latin1' is not an encoding trin reads; use utf-8 (the "
                                   "default) or windows-1252");
  /* æøåÆØÅ and € in Windows-1252; UTF-8 text (even with one broken
   * character) and NUL bytes do not look like it. */
  static const char w[] = "\xE6\xF8\xE5\xC6\xD8\xC5 \x80";
  assert_true(survey_encoding_looks_windows_1252(w, sizeof w - 1));
  assert_false(survey_encoding_looks_windows_1252("plain", 5));
  assert_false(survey_encoding_looks_windows_1252("bl\xc3\xa5 \xe6", 6));
  assert_false(survey_encoding_looks_windows_1252("a\0\xe6", 3));
  assert_false(survey_encoding_looks_windows_1252("\x81", 1));
  /* A file that ends inside what could start a UTF-8 sequence: nothing past
   * its end is read (the fuzzer found a read past "e\xf3" in a buffer of
   * exactly those bytes); 0xF3 alone is Windows-1252's 'ó'. */
  char *cut = malloc(2);
  assert_non_null(cut);
  memcpy(cut, "e\xf3", 2);
  assert_true(survey_encoding_looks_windows_1252(cut, 2));
  char *conv = NULL;
  size_t conv_len = 0;
  assert_int_equal(survey_encoding_from_windows_1252(cut, 2, &conv, &conv_len, "csv", &err),
                   TRIN_OK);
  assert_int_equal(conv_len, 3);
  assert_memory_equal(conv, "e\xc3\xb3", 3);
  free(conv);
  free(cut);
  char *out;
  size_t n;
  assert_int_equal(survey_encoding_from_windows_1252(w, sizeof w - 1, &out, &n, "csv", &err),
                   TRIN_OK);
  assert_string_equal(out, "æøåÆØÅ €");
  assert_int_equal(n, strlen("æøåÆØÅ €"));
  free(out);
  assert_int_equal(survey_encoding_from_windows_1252("a\nb\x81", 4, &out, &n, "csv", &err),
                   TRIN_EINVALID);
  assert_string_equal(err.message, "line 2: byte 0x81 is not a Windows-1252 character; is the "
                                   "file really Windows-1252?");
  assert_null(out);
  assert_int_equal(survey_encoding_from_windows_1252("x\ny\nr\xc3\xb8" "d", 7, &out, &n, "csv",
                                                     &err),
                   TRIN_EINVALID);
  assert_string_equal(err.message, "line 3: the file holds UTF-8 characters ('ø'), so it is "
                                   "UTF-8, not Windows-1252; import it without encoding "
                                   "windows-1252");
  assert_int_equal(survey_encoding_from_windows_1252("\xEF\xBB\xBFx", 4, &out, &n, "csv", &err),
                   TRIN_EINVALID);
  assert_non_null(strstr(err.message, "byte-order mark"));
}

static void default_round_is_the_newest_with_answers(void **state) {
  Trin__Survey__Round r1 = TRIN__SURVEY__ROUND__INIT, r2 = TRIN__SURVEY__ROUND__INIT,
                     r3 = TRIN__SURVEY__ROUND__INIT;
  r1.number = 1;
  r2.number = 2;
  r3.number = 3;
  Trin__Survey__Round *rs[] = {&r1, &r2, &r3};
  Trin__Survey__Survey sv = TRIN__SURVEY__SURVEY__INIT;
  assert_int_equal(survey_results_default_round(&sv), 0); /* no round */
  sv.rounds = rs;
  sv.n_rounds = 3;
  assert_int_equal(survey_results_default_round(&sv), 3); /* none answered: the newest */
  r1.respondents = 12;
  assert_int_equal(survey_results_default_round(&sv), 1);
  r2.respondents = 9;
  assert_int_equal(survey_results_default_round(&sv), 2);
  r3.respondents = 1;
  assert_int_equal(survey_results_default_round(&sv), 3);
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(means_are_exact),
      cmocka_unit_test(change_is_one_rounding),
      cmocka_unit_test(trend_least_squares),
      cmocka_unit_test(trend_is_rounded_once),
      cmocka_unit_test(results_trend_from_exact_means),
      cmocka_unit_test(alert_thresholds_at_their_boundaries),
      cmocka_unit_test(suppression_at_the_boundary),
      cmocka_unit_test(words_and_scores),
      cmocka_unit_test(results_view_over_a_cube),
      cmocka_unit_test(danish_columns_keys_and_windows_1252),
      cmocka_unit_test(default_round_is_the_newest_with_answers),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
