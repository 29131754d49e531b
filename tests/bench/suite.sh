#!/bin/sh
# The performance suite (issue 10): builds Release without sanitizers in
# build-bench (like run.sh), runs bench_suite (all five services: messaging
# against bare libzmq, freshness, portfolio scale, survey results against
# SQL) and bench_benchmark (ranks against SQL), then prints ONE table with
# the machine line and writes it as JSON to tests/bench/results/suite-<UTC>.json.
# Progress and build output go to stderr, the table to stdout.
#   tests/bench/suite.sh           about 2 minutes on 2 cores, 100,000 projects
#   tests/bench/suite.sh --quick   under 30 seconds, 5,000 projects (smoke run)
# Figures are printed, never judged: exit 1 only when the suite could not run.
set -e
cd "$(dirname "$0")/../.."
quick=""
case "$1" in
  --quick) quick="--quick" ;;
  "") ;;
  *) echo "usage: tests/bench/suite.sh [--quick]" >&2; exit 2 ;;
esac
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTRIN_SANITIZE=OFF -DTRIN_TESTS=ON >&2
cmake --build build-bench -j2 --target bench_suite bench_benchmark >&2

mkdir -p tests/bench/results
stamp=$(date -u +%Y%m%dT%H%M%SZ)
rows="tests/bench/results/suite-$stamp.rows"
json="tests/bench/results/suite-$stamp.json"
: > "$rows"
export TRIN_BENCH_RESULTS="$PWD/$rows"
status=0
echo "== bench_suite $quick" >&2
build-bench/tests/bench/bench_suite $quick >&2 || status=1
echo "== bench_benchmark $quick" >&2
build-bench/tests/bench/bench_benchmark $quick >&2 || status=1
unset TRIN_BENCH_RESULTS
echo
build-bench/tests/bench/bench_suite --report "$rows" --json "$json" || status=1
rm -f "$rows"
exit $status
