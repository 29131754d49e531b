/* benchmark_survey_events — what survey's events say to benchmark: the latest round's
 * satisfaction, and the client and partnership when lifecycle has not spoken.
 * Followed by benchmark_follow. */
#ifndef TRIN_BENCHMARK_SURVEY_EVENTS_H
#define TRIN_BENCHMARK_SURVEY_EVENTS_H

#include "benchmark_follow.h"

extern const benchmark_upstream_t benchmark_survey_events;

#endif
