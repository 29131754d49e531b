/* benchmark_lifecycle_events — what lifecycle's events say to benchmark: an organisation's name;
 * a project's client, partnership, dwellings, handover variance and open
 * disputes and defects, each in the year of the date its event names.
 * Followed by benchmark_follow. */
#ifndef TRIN_BENCHMARK_LIFECYCLE_EVENTS_H
#define TRIN_BENCHMARK_LIFECYCLE_EVENTS_H

#include "benchmark_follow.h"

extern const benchmark_upstream_t benchmark_lifecycle_events;

#endif
