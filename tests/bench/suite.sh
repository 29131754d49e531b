#!/bin/sh
# The performance suite (issue 10): builds Release without sanitizers in
# build-bench (like run.sh), runs bench_suite (all five services: messaging
# against bare libzmq, freshness, portfolio scale, survey results against
# SQL) and bench_benchmark (ranks against SQL), then prints ONE table with
# the machine line and writes it as JSON to tests/bench/results/suite-<UTC>.json.
# The SQL comparisons run on SQLite and, when a throw-away PostgreSQL can be
# started here (tests/pg/pg-start.sh on port $TRIN_BENCH_PG_PORT, default
# 15433, fsync on), on PostgreSQL too; without one their rows say why.
# A server named by TRIN_TEST_PG is used instead of starting one.
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
# PostgreSQL for the length of the run; its reason goes to the table when
# it cannot be started (the benches read TRIN_BENCH_PG_SKIP).
pg_port="${TRIN_BENCH_PG_PORT:-15433}"
if [ -z "${TRIN_TEST_PG:-}" ]; then
  pg_log="$(mktemp)"
  pg_rc=0
  TRIN_TEST_PG="$(tests/pg/pg-start.sh --port "$pg_port" 2>"$pg_log")" || pg_rc=$?
  cat "$pg_log" >&2
  if [ "$pg_rc" -eq 0 ]; then
    export TRIN_TEST_PG
    trap 'tests/pg/pg-stop.sh "$pg_port"' EXIT
    trap 'exit 130' INT TERM
  else
    unset TRIN_TEST_PG
    TRIN_BENCH_PG_SKIP="$(grep 'cannot start PostgreSQL' "$pg_log" | tail -n 1 |
      sed 's/^pg-start: cannot start PostgreSQL: //')"
    export TRIN_BENCH_PG_SKIP="${TRIN_BENCH_PG_SKIP:-tests/pg/pg-start.sh failed ($pg_rc)}"
    echo "suite: no PostgreSQL server could be started; its figures are skipped" >&2
  fi
  rm -f "$pg_log"
fi
status=0
echo "== bench_suite $quick" >&2
build-bench/tests/bench/bench_suite $quick >&2 || status=1
echo "== bench_benchmark $quick" >&2
build-bench/tests/bench/bench_benchmark $quick >&2 || status=1
# ---- 5. the gateway ---------------------------------------------------------
# bench_gateway (tests/bench/gateway.cmake): acknowledged SetMilestone over
# HTTP through trin-gateway (wrk) against the same command over ZeroMQ,
# latency at 1,000/s and the gateway's memory, all six processes running.
# Built on its own so a gateway that does not build leaves the rest intact.
echo "== bench_gateway $quick" >&2
if cmake --build build-bench -j2 --target bench_gateway >&2; then
  build-bench/tests/bench/bench_gateway $quick >&2 || status=1
else
  echo "suite: bench_gateway did not build; the gateway's figures are skipped" >&2
  status=1
fi
# ---- end of the gateway -----------------------------------------------------
# ---- 6. the web app ---------------------------------------------------------
# bench_webapp (tests/bench/CMakeLists.txt): the partners' web app in headless
# Chromium (tests/browser/bench.mjs), all six processes running: the
# portfolio's first rows and interactivity with 1,000 projects (--quick: 200),
# a project page, the assets gzipped, beside issue 16's targets. Without node
# or Chromium it says it is skipped and exits 0.
echo "== bench_webapp $quick" >&2
if cmake --build build-bench -j2 --target bench_webapp >&2; then
  build-bench/tests/bench/bench_webapp $quick >&2 || status=1
else
  echo "suite: bench_webapp did not build; the web app's figures are skipped" >&2
  status=1
fi
# ---- end of the web app -----------------------------------------------------
# ---- 7. the store -----------------------------------------------------------
# bench_store_backends (tests/bench/store_backends.cmake): the lifecycle
# service's acknowledged SetMilestone on SQLite and on the PostgreSQL above
# in the same run, their ratio and the round trips to PostgreSQL per
# command (issue 21). Without a server its PostgreSQL rows say why.
echo "== bench_store_backends $quick" >&2
if cmake --build build-bench -j2 --target bench_store_backends >&2; then
  build-bench/tests/bench/bench_store_backends $quick >&2 || status=1
else
  echo "suite: bench_store_backends did not build; the store's figures are skipped" >&2
  status=1
fi
# ---- end of the store -------------------------------------------------------
unset TRIN_BENCH_RESULTS
echo
build-bench/tests/bench/bench_suite --report "$rows" --json "$json" || status=1
rm -f "$rows"
exit $status
