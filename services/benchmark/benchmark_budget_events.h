/* benchmark_budget_events — what budget's events say to benchmark: a project's Skema A, drift
 * and market-adjusted drift, each in the year of the date its event names.
 * Followed by benchmark_follow. */
#ifndef TRIN_BENCHMARK_BUDGET_EVENTS_H
#define TRIN_BENCHMARK_BUDGET_EVENTS_H

#include "benchmark_follow.h"

extern const benchmark_upstream_t benchmark_budget_events;

#endif
