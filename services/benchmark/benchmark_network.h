/* benchmark_network — networks (benchlearning circles and buyer groups) as
 * plain functions: who is a member on a date, the ranking among the members
 * of a figure, and the two comparisons a network offers — a member against
 * its network and the network against everyone else.
 *
 * Seeds: 001 (KL's benchlearning among a chosen group of municipalities),
 * 002 (the network of 11 municipalities on private-public town
 * partnerships), 004 (Swedish beställargrupper such as BeBo and BeLok:
 * permanent groups of buyers that share requirements and results).
 *
 * Membership runs from the day joined (counted) to the day left (not
 * counted): a member who left on 2024-06-30 does not count on that day. A
 * yearly figure counts the members on the year's last day (31 December),
 * as a portfolio figure's value is the state at the end of the year.
 *
 * The minimum group size holds inside a network as everywhere: a ranking,
 * a median or a comparison side behind fewer organisations than the
 * minimum is suppressed, with the reason in words. */
#ifndef TRIN_BENCHMARK_NETWORK_H
#define TRIN_BENCHMARK_NETWORK_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "benchmark_rules.h"
#include "trin_date.h"

typedef struct {
  trin_date_t joined;
  trin_date_t left; /* TRIN_DATE_NONE = still a member */
} benchmark_network_span_t;

/* Is a membership in force on date? joined <= date < left. */
bool benchmark_network_member_on(const benchmark_network_span_t *span, trin_date_t date);

/* The date a yearly figure counts members on: 31 December of year. */
trin_date_t benchmark_network_year_date(int year);

/* Checks a membership's dates: joined required, left (when given) after
 * joined. Errors name the fields "joined" and "left". */
int benchmark_network_span_check(const benchmark_network_span_t *span, trin_err_t *err);

/* Splits a ranking of every organisation (all, any order) into the members
 * (member[i] true; copied to in and re-ranked among themselves, best first,
 * competition ranks and percentiles as benchmark_rank) and the rest (out,
 * order kept). in and out have room for n; *nin and *nout are set. */
void benchmark_network_split(const benchmark_ranked_t *all, const bool *member, size_t n,
                             benchmark_direction_t dir, benchmark_ranked_t *in, size_t *nin,
                             benchmark_ranked_t *out, size_t *nout);

/* One side of a comparison: how many organisations have a value, and their
 * median (QUARTILE.INC k = 2) when at least min_group do. */
typedef struct {
  int32_t organisations;
  bool shown;
  int64_t median;
  char reason[160]; /* why not shown, for people; "" when shown */
} benchmark_network_side_t;

/* The side of values (any order; n may be 0), named for people ("in the
 * network", "outside the network"). */
void benchmark_network_side(const benchmark_ranked_t *items, size_t n, int min_group,
                            const char *name, benchmark_network_side_t *out);

/* May a member see another member's name? Inside an open network, yes;
 * otherwise as open benchmarking allows (benchmark_name_visible). */
bool benchmark_network_name_visible(bool network_open, const char *viewer, bool viewer_open,
                                    const char *subject, bool subject_open);

#endif
