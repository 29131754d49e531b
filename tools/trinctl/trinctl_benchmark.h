/* trinctl_benchmark — the benchmark service's commands (organisations'
 * open benchmarking, CSV import, the key-figure table, distribution and
 * ranking, rank history, partnership comparison, maintenance model) as
 * trinctl's dispatch table. */
#ifndef TRINCTL_BENCHMARK_H
#define TRINCTL_BENCHMARK_H

#include <protobuf-c/protobuf-c.h>

#include "trinctl.h"

/* Ends with an entry whose group is NULL. */
extern const trinctl_cmd_t trinctl_benchmark_cmds[];

/* The descriptor of a benchmark.proto message by full name, or NULL. */
const ProtobufCMessageDescriptor *trinctl_benchmark_resolve(const char *full_name);

#endif
