#!/bin/sh
# Builds the lifecycle benchmark (Release, no sanitizers) in build-bench and
# runs it; build output goes to stderr, the figures to stdout. Arguments go
# to the benchmark (e.g. --quick).
set -e
cd "$(dirname "$0")/../.."
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTRIN_SANITIZE=OFF >&2
cmake --build build-bench -j2 --target bench_lifecycle trin-lifecycle >&2
exec build-bench/tests/bench/bench_lifecycle "$@"
