/* benchmark_access — who may send which benchmark request: the service's
 * rule table, one row per request (see trin_access.h for roles and scopes). */
#ifndef TRIN_BENCHMARK_ACCESS_H
#define TRIN_BENCHMARK_ACCESS_H

#include "trin_access.h"

extern const trin_access_table_t benchmark_access;

#endif
