#!/bin/sh
# Builds every benchmark (Release, no sanitizers) in build-bench and runs
# them one after another; build output goes to stderr, the figures to
# stdout. Arguments go to each benchmark (e.g. --quick for a short smoke
# run). `tests/bench/run.sh --only budget` runs one.
set -e
cd "$(dirname "$0")/../.."
only=""
if [ "$1" = "--only" ]; then only="$2"; shift 2; fi
cmake -S . -B build-bench -DCMAKE_BUILD_TYPE=Release -DTRIN_SANITIZE=OFF -DTRIN_TESTS=ON >&2
benches=""
for src in tests/bench/bench_*.c; do
  name=$(basename "$src" .c)
  case "$name" in
    bench_util | bench_suite) ;;  # a helper library; the suite has suite.sh
    bench_${only}*) benches="$benches $name" ;;
  esac
done
# The services the benchmarks start are built too (they are dependencies).
cmake --build build-bench -j2 --target $benches >&2
# bench_store_backends compares SQLite with PostgreSQL: a throw-away server
# (fsync on, as durable as SQLite's sync=full) for the length of the run.
pg_port="${TRIN_BENCH_PG_PORT:-15433}"
case " $benches " in
  *" bench_store_backends "*)
    if [ -z "${TRIN_TEST_PG:-}" ]; then
      if TRIN_TEST_PG="$(tests/pg/pg-start.sh --port "$pg_port")"; then
        export TRIN_TEST_PG
        trap 'tests/pg/pg-stop.sh "$pg_port"' EXIT
      else
        echo "bench: no PostgreSQL server could be started; its figures are skipped" >&2
        unset TRIN_TEST_PG
      fi
    fi ;;
esac
status=0
for b in $benches; do
  echo
  echo "== $b"
  build-bench/tests/bench/$b "$@" || status=1
done
exit $status
