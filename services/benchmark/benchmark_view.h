/* benchmark_view — what every benchmark query shares when it shows figures:
 * whose eyes it looks through (the viewer, from the caller's key) and the
 * reply's figure definition and ranked entries. Used by the figure queries
 * (benchmark_handlers) and the network queries (benchmark_network_handlers). */
#ifndef TRIN_BENCHMARK_VIEW_H
#define TRIN_BENCHMARK_VIEW_H

#include <stdbool.h>
#include <stdint.h>

#include "benchmark_apply.h"
#include "benchmark_index.h"
#include "trin/benchmark.pb-c.h"
#include "trin_server.h"

/* Whose eyes figures are shown through (open and anonymous benchmarking):
 * the caller's own organisation, from its key — never from the body.
 * id NULL = no viewer (an operator key, a service key, a local endpoint):
 * the anonymous view. idx -1 = the service does not know the organisation
 * (no figures of its own yet): anonymous too, apart from itself. id is
 * borrowed from the request or the index (valid while the request runs). */
typedef struct {
  const char *id;
  bool open;
  int32_t idx;
} benchmark_viewer_t;

/* given (the request's viewer_org, may be "") must be the caller's own
 * organisation. A restricted caller naming another is refused in the access
 * words (who, which role); an operator may name any, and that is written to
 * the audit trail as a benchmark.viewed_as event (msg, the request, as its
 * payload, the operator as its actor); the rest is benchmark_viewer_resolve. */
int benchmark_view_viewer(benchmark_service_t *svc, trin_request_t *req,
                          const ProtobufCMessage *msg, const char *given,
                          benchmark_viewer_t *out, trin_err_t *err);

/* Figure f's definition; d's strings point at the static figure table. */
void benchmark_view_figure_def(int f, Trin__Benchmark__FigureDef *d);

/* A ranked entry: named shows the organisation o (borrowed), otherwise
 * anon_label (borrowed); with_rank false leaves rank and percentile 0. */
void benchmark_view_fill_entry(Trin__Benchmark__Entry *e, const benchmark_ranked_t *it,
                               const benchmark_org_t *o, bool named, bool you, bool with_rank,
                               const char *anon_label);

/* A rank history's years: from_year and to_year within the benchmark's
 * years, to_year not before from_year and at most
 * BENCHMARK_VIEW_HISTORY_MAX_YEARS of them. INVALID naming the field. */
#define BENCHMARK_VIEW_HISTORY_MAX_YEARS 50
int benchmark_view_history_years(int32_t from_year, int32_t to_year, trin_err_t *err);

#endif
