#!/usr/bin/env bash
# Runs every trin test: installs the Debian dependencies if any are missing,
# builds with AddressSanitizer + UndefinedBehaviorSanitizer and -Werror, and
# runs the CTest suite. Extra arguments go to ctest, e.g.
#   ./tests/run.sh -R '^lifecycle\.'     (one area)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

./deploy/install-deps.sh

build="${TRIN_TEST_BUILD:-build-test}"
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DTRIN_SANITIZE=ON -DTRIN_WERROR=ON
cmake --build "$build" -j"$(nproc)"

export ASAN_OPTIONS="${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}"
export UBSAN_OPTIONS="${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}"
cd "$build"
ctest --output-on-failure --timeout 600 "$@"
