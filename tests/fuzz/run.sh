#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (AddressSanitizer +
# UndefinedBehaviorSanitizer, coverage on all of trin's code) in their own
# build folder and fuzzes each for a bounded time from its seed corpus:
#   tests/fuzz/run.sh            20 s per target
#   tests/fuzz/run.sh 300        5 minutes per target
#   tests/fuzz/run.sh 60 http    one target
# (-Wno-unknown-warning-option: clang 14 does not know GCC's -Wno-format-truncation.)
# Needs clang and Debian's libclang-rt-14-dev (libFuzzer's runtime). A crash
# fails the run; its input is left as build-fuzz/tests/fuzz/crash-<target>-*
# (reproduce: build-fuzz/tests/fuzz/fuzz_<target> FILE) and belongs in a
# fuzz_regress.* unit test.
set -euo pipefail
root="$(cd "$(dirname "$0")/../.." && pwd)"
cd "$root"
seconds="${1:-20}"
only="${2:-}"
build="${TRIN_FUZZ_BUILD:-build-fuzz}"
cc="${CC_FUZZ:-clang}"
command -v "$cc" >/dev/null || { echo "fuzz: $cc not found (apt-get install clang)"; exit 1; }

cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Debug -DCMAKE_C_COMPILER="$cc" \
  -DTRIN_FUZZ=ON -DTRIN_SANITIZE=ON -DTRIN_WERROR=ON \
  -DCMAKE_C_FLAGS="-fsanitize=fuzzer-no-link -Wno-unknown-warning-option" -DTRIN_FUZZ_SECONDS="$seconds" >/dev/null
targets=$(cd "$build" && ctest -N -R '^fuzz\.' | sed -n 's/^ *Test *#[0-9]*: fuzz\.//p')
[ -n "$targets" ] || { echo "fuzz: no targets (is the compiler clang?)"; exit 1; }
cmake --build "$build" -j"$(nproc)" --target $(for t in $targets; do echo "fuzz_$t"; done)

export UBSAN_OPTIONS="print_stacktrace=1:halt_on_error=1"
cd "$build"
if [ -n "$only" ]; then
  ctest --output-on-failure -R "^fuzz\\.${only}\$"
else
  ctest --output-on-failure -R '^fuzz\.'
fi
