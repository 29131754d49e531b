#!/usr/bin/env bash
# Runs every trin test: installs the Debian dependencies (with the test-only
# ones: deploy/install-deps.sh --tests) if any are missing,
# builds with AddressSanitizer + UndefinedBehaviorSanitizer and -Werror, and
# runs the CTest suite on SQLite, then the store and service tests again on
# a throw-away PostgreSQL server (tests/pg/pg-start.sh). Extra arguments go
# to ctest (both runs), e.g.
#   ./tests/run.sh -R '^lifecycle\.'     (one area)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

./deploy/install-deps.sh --tests

build="${TRIN_TEST_BUILD:-build-test}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DTRIN_SANITIZE=ON -DTRIN_WERROR=ON
cmake --build "$build" -j"$(nproc)"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
cd "$build"
ctest --output-on-failure --timeout 600 -LE pg "$@"

# The store's and the services' tests again with every store on PostgreSQL
# (their `.pg` twins, label pg): a throw-away server on 127.0.0.1, stopped
# afterwards. Where none can be started, the twins run anyway and report
# themselves skipped, saying why.
# The port is below Linux's ephemeral range (32768-60999), so no outgoing
# connection holds it; a port taken anyway (another run) moves it on by 10.
pg_uri=""
for pg_port in "${TRIN_PG_PORT:-15432}" $((${TRIN_PG_PORT:-15432} + 10)) $((${TRIN_PG_PORT:-15432} + 20)); do
  pg_uri="$("$root/tests/pg/pg-start.sh" --fast --port "$pg_port")" && break
  pg_uri=""
done
if [ -n "$pg_uri" ]; then
  trap '"$root/tests/pg/pg-stop.sh" "$pg_port"' EXIT
  TRIN_TEST_PG="$pg_uri" ctest --output-on-failure --timeout 600 -L pg "$@"
else
  echo "run.sh: no PostgreSQL server could be started; its tests will say they are skipped" >&2
  env -u TRIN_TEST_PG ctest --output-on-failure --timeout 600 -L pg "$@"
fi
