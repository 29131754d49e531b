/* benchmark.network — networks (benchlearning circles, buyer groups; seeds
 * 001, 002, 004) worked by hand: membership on a date (joined counts, the
 * day left does not), ranks among the members on 31 December, a member who
 * left before the date and one who joined after it not counted, the
 * network's and the rest's medians, and a group below the minimum
 * suppressed with the reason in words. */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>
#include <cmocka.h>

#include "benchmark_network.h"

static trin_date_t d(int y, int m, int dd) { return trin_date_from_ymd(y, m, dd); }

static void membership_on_a_date(void **state) {
  (void)state;
  benchmark_network_span_t c = {d(2022, 1, 1), d(2024, 6, 30)};
  assert_false(benchmark_network_member_on(&c, d(2021, 12, 31)));
  assert_true(benchmark_network_member_on(&c, d(2022, 1, 1)));  /* the day joined counts */
  assert_true(benchmark_network_member_on(&c, d(2024, 6, 29)));
  assert_false(benchmark_network_member_on(&c, d(2024, 6, 30))); /* the day left does not */
  benchmark_network_span_t open = {d(2025, 1, 1), TRIN_DATE_NONE};
  assert_false(benchmark_network_member_on(&open, benchmark_network_year_date(2024)));
  assert_true(benchmark_network_member_on(&open, benchmark_network_year_date(2025)));
  assert_true(benchmark_network_member_on(&open, d(2199, 12, 31)));
  benchmark_network_span_t none = {TRIN_DATE_NONE, TRIN_DATE_NONE};
  assert_false(benchmark_network_member_on(&none, d(2024, 1, 1)));
}

static void membership_dates_checked_in_words(void **state) {
  (void)state;
  trin_err_t err = {0};
  benchmark_network_span_t s = {TRIN_DATE_NONE, TRIN_DATE_NONE};
  assert_int_equal(benchmark_network_span_check(&s, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "joined");
  assert_string_equal(err.message, "is required (the day the member joined)");
  s = (benchmark_network_span_t){d(2024, 3, 1), d(2024, 3, 1)};
  assert_int_equal(benchmark_network_span_check(&s, &err), TRIN_EINVALID);
  assert_string_equal(err.field, "left");
  assert_string_equal(err.message,
                      "must be after joined: a member counts from the day it joined up to, not "
                      "including, the day it left");
  s.left = d(2024, 3, 2);
  assert_int_equal(benchmark_network_span_check(&s, &err), TRIN_OK);
  s.left = TRIN_DATE_NONE;
  assert_int_equal(benchmark_network_span_check(&s, &err), TRIN_OK);
}

/* Cost per m² 2024 in øre (lower is better), seven organisations:
 *   A 12.000 (joined 2023-01-01)      member on 2024-12-31
 *   B  9.500 (joined 2023-03-01)      member
 *   C 11.500 (2022-01-01 – 2024-06-30) left before the date: not counted
 *   D  9.500 (joined 2024-01-01)      member
 *   E  8.000 (joined 2025-01-01)      joins after the date: not counted
 *   F 15.000, G 6.000                 never members
 * Members ranked: B 9.500 and D 9.500 share rank 1 (equal values by id),
 * A 12.000 rank 3; percentiles 10000 × (3 − rank) / 2 = 10000, 10000, 0.
 * Network median of {9.500, 9.500, 12.000} = 9.500. The rest {6.000,
 * 8.000, 11.500, 15.000}: h = 3 × 2 / 4 = 1,5, 8.000 + 0,5 × 3.500 = 9.750.
 * Network vs rest: 9.500 − 9.750 = −250 øre/m²; member A vs network:
 * 12.000 − 9.500 = +2.500. */
static const char *const IDS[] = {"a", "b", "c", "d", "e", "f", "g"};
static const int64_t VALUES[] = {12000, 9500, 11500, 9500, 8000, 15000, 6000};

static void members_on_the_date(bool member[7]) {
  const benchmark_network_span_t spans[] = {
      {d(2023, 1, 1), TRIN_DATE_NONE}, {d(2023, 3, 1), TRIN_DATE_NONE},
      {d(2022, 1, 1), d(2024, 6, 30)}, {d(2024, 1, 1), TRIN_DATE_NONE},
      {d(2025, 1, 1), TRIN_DATE_NONE}, {TRIN_DATE_NONE, TRIN_DATE_NONE},
      {TRIN_DATE_NONE, TRIN_DATE_NONE}};
  for (int i = 0; i < 7; i++)
    member[i] = benchmark_network_member_on(&spans[i], benchmark_network_year_date(2024));
}

static void ranks_among_members_worked_by_hand(void **state) {
  (void)state;
  benchmark_ranked_t all[7], in[7], out[7];
  for (int i = 0; i < 7; i++) all[i] = (benchmark_ranked_t){i, IDS[i], VALUES[i], 1, 0, 0};
  bool member[7];
  members_on_the_date(member);
  size_t nin, nout;
  benchmark_network_split(all, member, 7, BENCHMARK_LOWER_IS_BETTER, in, &nin, out, &nout);
  assert_int_equal(nin, 3);
  assert_int_equal(nout, 4);
  assert_string_equal(in[0].id, "b");
  assert_int_equal(in[0].rank, 1);
  assert_int_equal(in[0].percentile_x100, 10000);
  assert_string_equal(in[1].id, "d");
  assert_int_equal(in[1].rank, 1);
  assert_string_equal(in[2].id, "a");
  assert_int_equal(in[2].rank, 3);
  assert_int_equal(in[2].percentile_x100, 0);
  /* the rest keeps its order: c, e, f, g */
  assert_string_equal(out[0].id, "c");
  assert_string_equal(out[3].id, "g");

  benchmark_network_side_t net, rest;
  benchmark_network_side(in, nin, 3, "in the network", &net);
  benchmark_network_side(out, nout, 3, "outside the network", &rest);
  assert_true(net.shown);
  assert_int_equal(net.median, 9500);
  assert_string_equal(net.reason, "");
  assert_true(rest.shown);
  assert_int_equal(rest.median, 9750);
  assert_int_equal(net.median - rest.median, -250);
  assert_int_equal(in[2].value - net.median, 2500);
}

static void group_below_minimum_suppressed_with_reason(void **state) {
  (void)state;
  benchmark_ranked_t all[7], in[7], out[7];
  for (int i = 0; i < 7; i++) all[i] = (benchmark_ranked_t){i, IDS[i], VALUES[i], 1, 0, 0};
  bool member[7];
  members_on_the_date(member);
  size_t nin, nout;
  benchmark_network_split(all, member, 7, BENCHMARK_LOWER_IS_BETTER, in, &nin, out, &nout);
  benchmark_network_side_t s;
  benchmark_network_side(in, nin, 5, "in the network", &s);
  assert_false(s.shown);
  assert_int_equal(s.organisations, 3);
  assert_int_equal(s.median, 0);
  assert_string_equal(s.reason,
                      "3 organisations in the network have a value: fewer than the minimum of 5");
  benchmark_network_side(out, 1, 5, "outside the network", &s);
  assert_string_equal(s.reason,
                      "1 organisation outside the network has a value: fewer than the minimum "
                      "of 5");
  benchmark_network_side(out, 0, 5, "outside the network", &s);
  assert_false(s.shown);
  assert_string_equal(s.reason, "no organisation outside the network has a value");
  /* exactly the minimum is shown */
  benchmark_network_side(out, 4, 4, "outside the network", &s);
  assert_true(s.shown);
}

static void names_inside_an_open_network(void **state) {
  (void)state;
  /* open network: a member sees every member's name, also of one that keeps
   * its name hidden from open benchmarking */
  assert_true(benchmark_network_name_visible(true, "a", false, "b", false));
  /* anonymous network: only as open benchmarking allows */
  assert_false(benchmark_network_name_visible(false, "a", false, "b", false));
  assert_false(benchmark_network_name_visible(false, "a", true, "b", false));
  assert_true(benchmark_network_name_visible(false, "a", true, "b", true));
  assert_true(benchmark_network_name_visible(false, "a", false, "a", false));
  /* no viewer: nobody named */
  assert_false(benchmark_network_name_visible(true, NULL, false, "b", true));
}

int main(void) {
  const struct CMUnitTest tests[] = {
      cmocka_unit_test(membership_on_a_date),
      cmocka_unit_test(membership_dates_checked_in_words),
      cmocka_unit_test(ranks_among_members_worked_by_hand),
      cmocka_unit_test(group_below_minimum_suppressed_with_reason),
      cmocka_unit_test(names_inside_an_open_network),
  };
  return cmocka_run_group_tests(tests, NULL, NULL);
}
