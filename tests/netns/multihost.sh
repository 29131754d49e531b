#!/usr/bin/env bash
# Several hosts for real: PostgreSQL, lifecycle, budget, the aggregator and a
# person's trinctl each in their own network namespace ("host"), joined by
# veth pairs to a bridge in a switch namespace, talking tcp with CURVE and
# nothing else. A scenario runs, then budget's link is cut while lifecycle
# keeps acknowledging commands, the link comes back, and every acknowledged
# change must reach budget and the aggregator: the subscribers notice the
# gap and repair it from lifecycle's outbox.
#
#   tests/netns/multihost.sh BUILD_DIR
# Exit 0 passed, 1 failed, 77 skipped (not root, no ip netns, no PostgreSQL).
set -euo pipefail

BUILD=${1:?usage: multihost.sh BUILD_DIR}
BUILD=$(cd "$BUILD" && pwd)
skip() { echo "SKIP: $*" >&2; exit 77; }
fail() { echo "FAIL: $*" >&2; keep_logs=1; exit 1; }  # the logs say why

[ "$(id -u)" = 0 ] || skip "network namespaces need root"
command -v ip >/dev/null || skip "iproute2 (ip) is not installed"
PGBIN=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1 || true)
[ -n "$PGBIN" ] && [ -x "$PGBIN/initdb" ] || skip "PostgreSQL server is not installed (deploy/install-deps.sh installs it)"
id postgres >/dev/null 2>&1 || skip "no postgres user to run the server as"

TRINCTL="$BUILD/tools/trinctl/trinctl"
LC="$BUILD/services/lifecycle/trin-lifecycle"
BUD="$BUILD/services/budget/trin-budget"
AGG="$BUILD/services/aggregator/trin-aggregator"
for b in "$TRINCTL" "$LC" "$BUD" "$AGG"; do [ -x "$b" ] || fail "missing binary $b"; done

tag="t$$"                     # namespace and link names unique to this run
SW="$tag-sw"
HOSTS=(pg lc bud agg cli)
declare -A ADDR=([pg]=10.77.0.1 [lc]=10.77.0.2 [bud]=10.77.0.3 [agg]=10.77.0.4 [cli]=10.77.0.5)
work=$(mktemp -d /tmp/trin-multihost.XXXXXX)
chmod 755 "$work"
pids=()

cleanup() {
  set +e
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null; done
  for _ in $(seq 1 50); do
    alive=""
    for p in "${pids[@]}"; do kill -0 "$p" 2>/dev/null && alive=1; done
    [ -z "$alive" ] && break
    sleep 0.1
  done
  for p in "${pids[@]}"; do kill -KILL "$p" 2>/dev/null; wait "$p" 2>/dev/null; done
  if [ -f "$work/pg/postmaster.pid" ]; then
    ip netns exec "$tag-pg" runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/pg" -m immediate stop >/dev/null 2>&1
  fi
  for h in "${HOSTS[@]}"; do ip netns del "$tag-$h" 2>/dev/null; done
  ip netns del "$SW" 2>/dev/null
  if [ "${keep_logs:-}" = 1 ]; then echo "logs kept in $work" >&2; else rm -rf "$work"; fi
}
trap cleanup EXIT
trap 'exit 1' INT TERM   # so a CTest timeout still cleans up

# ---- the network: one switch, five hosts ------------------------------------
ip netns add "$SW"
ip -n "$SW" link add br0 type bridge
ip -n "$SW" link set br0 up
ip -n "$SW" link set lo up
for h in "${HOSTS[@]}"; do
  ns="$tag-$h"
  ip netns add "$ns"
  ip link add "v$tag$h" type veth peer name "s$tag$h"
  ip link set "v$tag$h" netns "$ns"
  ip link set "s$tag$h" netns "$SW"
  ip -n "$ns" link set "v$tag$h" name eth0
  ip -n "$ns" addr add "${ADDR[$h]}/24" dev eth0
  ip -n "$ns" link set eth0 up
  ip -n "$ns" link set lo up
  ip -n "$SW" link set "s$tag$h" master br0
  ip -n "$SW" link set "s$tag$h" up
done
on() { local h=$1; shift; ip netns exec "$tag-$h" "$@"; }
# The root namespace has no address on this network: nothing leaves it.

# ---- PostgreSQL on its own host ---------------------------------------------
mkdir -p "$work/pg" "$work/pgsock" "$work/pglog"
chown postgres "$work/pg" "$work/pgsock" "$work/pglog"
echo "trin-multihost-pw" > "$work/pgpw"
chown postgres "$work/pgpw"
runuser -u postgres -- "$PGBIN/initdb" -D "$work/pg" -U trin --pwfile="$work/pgpw" \
  --auth-local=trust --auth-host=scram-sha-256 >"$work/initdb.log" 2>&1 ||
  { cat "$work/initdb.log" >&2; fail "initdb failed"; }
echo "host all trin 10.77.0.0/24 scram-sha-256" >> "$work/pg/pg_hba.conf"
on pg runuser -u postgres -- "$PGBIN/pg_ctl" -D "$work/pg" -l "$work/pglog/pg.log" -w \
  -o "-c listen_addresses=${ADDR[pg]} -c port=5432 -c unix_socket_directories=$work/pgsock" \
  start >/dev/null || { cat "$work/pglog/pg.log" >&2; fail "PostgreSQL did not start"; }
PSQL=$(command -v psql || echo "$PGBIN/psql")
# Every step that talks to a process is bounded (timeout), so a hang fails
# the test with its logs kept instead of running into CTest's timeout.
sql() { on pg timeout 30 runuser -u postgres -- "$PSQL" -h "$work/pgsock" -U trin -d "$1" -Atqc "$2"; }
for db in lifecycle budget aggregator; do
  sql postgres "CREATE DATABASE $db" >/dev/null || fail "cannot create database $db"
done
pguri() { echo "postgresql://trin:trin-multihost-pw@${ADDR[pg]}:5432/$1"; }

# ---- keys: one per service, one for the person ------------------------------
K="$work/keys"
mkdir -p "$K/peers"
for k in lifecycle budget aggregator admin; do
  "$TRINCTL" key new "$K/$k.key" >/dev/null || fail "trinctl key new $k"
done
for k in lifecycle budget aggregator; do
  cp "$K/$k.key.pub" "$K/peers/$k.pub"
  "$TRINCTL" key register --registry "$K/registry" --org trin --role service \
    --name "$k" "$K/$k.key.pub" >/dev/null || fail "trinctl key register $k"
done
"$TRINCTL" key register --registry "$K/registry" --org trin --role admin --name operator \
  "$K/admin.key.pub" >/dev/null || fail "trinctl key register admin"
curve() { echo "--key=$K/$1.key" "--key-registry=$K/registry" "--peer-keys=$K/peers"; }

# ---- the services, each on its own host -------------------------------------
start() { # host, log name, command...
  local h=$1 name=$2
  shift 2
  # ip netns exec execs the command: $! is the service itself.
  ip netns exec "$tag-$h" "$@" >"$work/$name.out" 2>"$work/$name.log" &
  pids+=($!)
}
LCE="tcp://${ADDR[lc]}:5701"; LCP="tcp://${ADDR[lc]}:5702"
BUE="tcp://${ADDR[bud]}:5711"; BUP="tcp://${ADDR[bud]}:5712"
AGE="tcp://${ADDR[agg]}:5741"; AGP="tcp://${ADDR[agg]}:5742"
start lc lifecycle "$LC" --endpoint="$LCE" --pub-endpoint="$LCP" --store="$(pguri lifecycle)" \
  $(curve lifecycle) --budget-endpoint="$BUE" --budget-pub-endpoint="$BUP"
start bud budget "$BUD" --endpoint="$BUE" --pub-endpoint="$BUP" --store="$(pguri budget)" \
  $(curve budget) --lifecycle-endpoint="$LCE" --lifecycle-pub-endpoint="$LCP"
start agg aggregator "$AGG" --endpoint="$AGE" --pub-endpoint="$AGP" --store="$(pguri aggregator)" \
  $(curve aggregator) --lifecycle-endpoint="$LCE" --lifecycle-pub-endpoint="$LCP" \
  --budget-endpoint="$BUE" --budget-pub-endpoint="$BUP" \
  --survey-endpoint= --benchmark-endpoint= \
  --token=multihost-operator-token --http-address="${ADDR[agg]}:8080"

# trinctl as the person on the client host, with the admin key.
ctl() {
  on cli env TRIN_KEY="$K/admin.key" TRIN_PEER_KEYS="$K/peers" \
    TRIN_LIFECYCLE_ENDPOINT="$LCE" TRIN_BUDGET_ENDPOINT="$BUE" \
    timeout 20 "$TRINCTL" --timeout 3000 "$@"
}
acked=0
must() { ctl "$@" >/dev/null || fail "trinctl $* was refused"; acked=$((acked + 1)); }
wait_for() { # up to 30 s
  local end=$((SECONDS + 30))
  while [ $SECONDS -lt $end ]; do
    if "$@" >/dev/null 2>&1; then return 0; fi
    sleep 0.2
  done
  return 1
}
wait_for ctl ping || { keep_logs=1; fail "lifecycle did not answer over CURVE"; }
wait_for ctl --endpoint "$BUE" --server-key "$K/peers/budget.pub" ping || { keep_logs=1; fail "budget did not answer over CURVE"; }

# A plain (non-CURVE) client on another host is refused; the service serves on.
if on cli timeout 20 "$TRINCTL" --endpoint "$LCE" --timeout 1000 ping >/dev/null 2>&1; then
  fail "lifecycle answered a client without CURVE"
fi

# ---- the scenario -----------------------------------------------------------
must org create --id mh-client --name "Boligselskabet (multihost)" --kind client
must org create --id mh-te --name "Entreprenøren (multihost)" --kind contractor
must partnership create --id MH --name "Multihost" --client mh-client \
  --framework-start 2025-01-01 --framework-years 4 --price-closing projektforslag
must partnership add-member --partnership MH --org mh-te --role contractor
for i in $(seq 1 10); do
  must project create --id "MH-$i" --name "Projekt $i" --partnership MH --kind renovation \
    --dwellings 40 --area 3000 --start 2025-03-01
done
# Budget learns of projects from lifecycle's events; a budget for the last
# one shows it has caught up.
wait_for ctl budget create "MHB-10" --project MH-10 --kind skema_a --date 2025-03-02 ||
  { keep_logs=1; fail "budget never learned of MH-10"; }

# ---- cut budget's and the aggregator's links while lifecycle goes on -------
ip -n "$SW" link set "s${tag}bud" down
ip -n "$SW" link set "s${tag}agg" down
for i in $(seq 11 40); do
  must project create --id "MH-$i" --name "Projekt $i" --partnership MH --kind renovation \
    --dwellings 40 --area 3000 --start 2025-03-01
  must project advance "MH-$i" --to trin1 --date 2025-04-01
done
# Long enough for ZeroMQ's heartbeats to drop the dead connections.
sleep 6
ip -n "$SW" link set "s${tag}bud" up
ip -n "$SW" link set "s${tag}agg" up

# Every project created while budget was cut off must reach it...
for i in $(seq 11 40); do
  wait_for ctl --timeout 1000 budget create "MHB-$i" --project "MH-$i" --kind skema_a --date 2025-04-02 ||
    { keep_logs=1; fail "budget never learned of MH-$i after the link came back"; }
done
# ...and the aggregator must show all 40 projects, the cut-off ones in trin1.
rows_ok() {
  on cli timeout 20 python3 - "${ADDR[agg]}" <<'PY'
import json, sys, urllib.request
req = urllib.request.Request(f"http://{sys.argv[1]}:8080/api/v1/status",
                             headers={"Authorization": "Bearer multihost-operator-token"})
rows = json.load(urllib.request.urlopen(req, timeout=3))["rows"]
mh = {r["project_id"]: r for r in rows if r["project_id"].startswith("MH-")}
ok = len(mh) == 40 and all(mh[f"MH-{i}"]["stage"] == "trin1" for i in range(11, 41))
sys.exit(0 if ok else 1)
PY
}
wait_for rows_ok || { keep_logs=1; fail "the aggregator does not show all 40 projects"; }

# Nothing lost, counted in the stores themselves.
n_lc=$(sql lifecycle "SELECT count(*) FROM projects WHERE id LIKE 'MH-%'" 2>/dev/null || echo "?")
echo "multihost: $acked commands acknowledged over CURVE across 5 hosts; lifecycle holds $n_lc MH projects;"
echo "multihost: budget and the aggregator caught up with the 60 commands acknowledged while their links were cut"
# The database password is in every store setting, and in no log line.
if grep -l "trin-multihost-pw" "$work"/*.log "$work"/*.out 2>/dev/null; then
  keep_logs=1; fail "a log shows the database password"
fi
# The followers did notice what they missed and fetched it from the outbox.
repairs=$(cat "$work/budget.log" "$work/aggregator.log" |
  grep -cE "lifecycle: (gap|behind|nothing heard).*repairing" || true)
[ "${repairs:-0}" -gt 0 ] || { keep_logs=1; fail "no subscriber reported a gap it repaired"; }
grep -hE "lifecycle: (gap|behind|nothing heard).*repairing" "$work/budget.log" "$work/aggregator.log" | head -4
