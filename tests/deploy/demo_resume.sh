#!/usr/bin/env bash
# deploy.demo_resume — deploy/demo-portfolio.sh stopped midway finishes on
# the next run. Starts lifecycle, budget, survey and benchmark on ipc://
# endpoints in a temporary directory (no ports, no keys: a local endpoint),
# runs the loader, kills it (SIGKILL, its trinctl call in flight included)
# once some projects are there, and checks that the second run says how
# many of the portfolio's projects it found, loads the rest and ends with
# all of them, and that a third run leaves it as it is.
#
#   tests/deploy/demo_resume.sh SOURCE_ROOT TRINCTL LIFECYCLE BUDGET SURVEY BENCHMARK
# Every wait ends as soon as its condition holds; the bounds only catch a hang.
set -u
root=$1 TRINCTL=$2
bin_lifecycle=$3 bin_budget=$4 bin_survey=$5 bin_benchmark=$6
dir=$(mktemp -d)
pids=()
cleanup() {
  [ -n "${loader:-}" ] && kill -KILL -- "-$loader" 2>/dev/null
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  wait 2>/dev/null
  rm -rf "$dir"
}
trap cleanup EXIT
fail() { echo "FAIL: $*" >&2; for f in "$dir"/*.log; do echo "--- $f" >&2; tail -20 "$f" >&2; done; exit 1; }

ep() { echo "ipc://$dir/$1.sock"; }
start() { # name, binary, then flags
  local name=$1 bin=$2
  shift 2
  TRIN_INSECURE=true "$bin" --store="sqlite:$dir/$name.db" --endpoint="$(ep "$name")" \
    --pub-endpoint="$(ep "$name-pub")" "$@" 2>"$dir/$name.log" &
  pids+=($!)
}
start lifecycle "$bin_lifecycle" --budget-endpoint="$(ep budget)" \
  --budget-pub-endpoint="$(ep budget-pub)"
start budget "$bin_budget" --lifecycle-endpoint="$(ep lifecycle)" \
  --lifecycle-pub-endpoint="$(ep lifecycle-pub)"
start survey "$bin_survey" --lifecycle-endpoint="$(ep lifecycle)" \
  --lifecycle-pub-endpoint="$(ep lifecycle-pub)"
start benchmark "$bin_benchmark" --lifecycle-endpoint="$(ep lifecycle)" \
  --lifecycle-pub-endpoint="$(ep lifecycle-pub)" --budget-endpoint="$(ep budget)" \
  --budget-pub-endpoint="$(ep budget-pub)" --survey-endpoint="$(ep survey)" \
  --survey-pub-endpoint="$(ep survey-pub)"
export TRIN_LIFECYCLE_ENDPOINT=$(ep lifecycle) TRIN_BUDGET_ENDPOINT=$(ep budget)
export TRIN_SURVEY_ENDPOINT=$(ep survey) TRIN_BENCHMARK_ENDPOINT=$(ep benchmark)
export TRINCTL TRIN_DEMO_STATE="$dir/demo.state"
for s in lifecycle budget survey benchmark; do
  up=""
  for _ in $(seq 1 600); do
    if "$TRINCTL" --endpoint "$(ep $s)" --timeout 500 ping >/dev/null 2>&1; then up=1; break; fi
    sleep 0.1
  done
  [ -n "$up" ] || fail "$s did not answer"
done

projects() { "$TRINCTL" project list 2>/dev/null | grep -cE '^(FSB|OS|LIVA|KAB)-'; }

# First run: killed once 20 projects are there, in its own process group
# so its trinctl call in flight dies with it.
setsid bash "$root/deploy/demo-portfolio.sh" >"$dir/run1.out" 2>&1 &
loader=$!
for _ in $(seq 1 6000); do
  [ "$(projects)" -ge 20 ] && break
  kill -0 "$loader" 2>/dev/null || fail "the first run ended before 20 projects: $(cat "$dir/run1.out")"
  sleep 0.1
done
kill -KILL -- "-$loader" 2>/dev/null
wait "$loader" 2>/dev/null
loader=""

# Second run: says what it found (the request in flight may have landed
# after the kill, so the number is read from its words), loads the rest.
bash "$root/deploy/demo-portfolio.sh" >"$dir/run2.out" 2>&1 || fail "second run: $(cat "$dir/run2.out")"
said='demo portfolio: \([0-9]*\) of 60 projects were there (a load stopped after [0-9]* steps); loading the rest'
n=$(sed -n "s/^$said\$/\1/p" "$dir/run2.out")
[ -n "$n" ] || fail "second run did not say what it found: $(cat "$dir/run2.out")"
[ "$n" -ge 20 ] && [ "$n" -lt 60 ] || fail "the second run found $n projects (wanted 20-59)"
grep -q "demo portfolio loaded: 3 partnerships, 60 projects" "$dir/run2.out" ||
  fail "second run did not finish: $(cat "$dir/run2.out")"
n=$(projects)
[ "$n" -eq 60 ] || fail "after the second run $n projects, not 60"
# Nothing made twice: OS-12's one pause, FSB-101's two defects.
"$TRINCTL" --json project show OS-12 | grep -o '"reason"' | wc -l | grep -qx 1 ||
  fail "OS-12 does not have exactly one pause: $("$TRINCTL" --json project show OS-12)"
# The IKU ranking of seed 003 is in the demo: Aalborg's total is nr. 30 af 98.
"$TRINCTL" benchmark iku --municipality Aalborg | grep -q "nr. 30 af 98" ||
  fail "no IKU in the demo: $("$TRINCTL" benchmark iku --municipality Aalborg 2>&1)"

# Third run: nothing to do.
bash "$root/deploy/demo-portfolio.sh" >"$dir/run3.out" 2>&1 || fail "third run: $(cat "$dir/run3.out")"
grep -q "demo portfolio already loaded (60 projects)" "$dir/run3.out" ||
  fail "third run: $(cat "$dir/run3.out")"
echo "demo portfolio: killed with $n projects there, resumed to 60"
