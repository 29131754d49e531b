#!/usr/bin/env bash
# trin quick start: installs the Debian dependencies, builds, makes CurveZMQ
# keys under ./data/keys (once), starts every trin service with CURVE on
# tcp://127.0.0.1 and an embedded SQLite store under ./data, loads a demo
# portfolio, and keeps running until Ctrl-C (which stops everything
# cleanly; everything acknowledged is on disk).
#   TRIN_DEMO_TOKEN  the token for the webhook and the feed (default: demo-token)
#   TRIN_HTTP_ADDR   where the feed and dashboard listen (default: 127.0.0.1:8080)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

./deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRIN_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"

TOKEN="${TRIN_DEMO_TOKEN:-demo-token}"
HTTP_ADDR="${TRIN_HTTP_ADDR:-127.0.0.1:8080}"
TRINCTL=build/tools/trinctl/trinctl
KEYS=data/keys
mkdir -p data
pids=()
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop_all; exit 0' INT TERM

# Keys, made once: one key pair per service (KEYS/<service>, secret, and
# KEYS/<service>.pub, which the others find through peer-keys), an admin key
# for you, and the registry letting in the services (role service) and you
# (role admin).
SERVICES="lifecycle budget survey benchmark aggregator"
install -d -m 0700 "$KEYS"
for n in $SERVICES admin; do
  [ -f "$KEYS/$n" ] || "$TRINCTL" key new "$KEYS/$n" >/dev/null
done
if [ ! -f "$KEYS/registry" ]; then
  for n in $SERVICES; do
    "$TRINCTL" key register --registry "$KEYS/registry" --org trin --role service \
      --name "trin-$n" "$KEYS/$n.pub" >/dev/null
  done
  "$TRINCTL" key register --registry "$KEYS/registry" --org trin --role admin \
    --name "quick start admin" "$KEYS/admin.pub" >/dev/null
fi
# trinctl (here and in demo-portfolio.sh) speaks CURVE with the admin key.
export TRIN_KEY="$root/$KEYS/admin" TRIN_PEER_KEYS="$root/$KEYS"

start() { # name, then the service's flags
  local name=$1
  shift
  "build/services/$name/trin-$name" --store="sqlite:data/$name.db" \
    --key="$KEYS/$name" --key-registry="$KEYS/registry" --peer-keys="$KEYS" "$@" \
    2> >(sed -u "s/^/[$name] /" >&2) &
  pids+=($!)
}

# Each service's endpoints are its defaults (lifecycle 5701/5702, budget
# 5711/5712, survey 5721/5722); the services find each other through them.
start lifecycle --budget-endpoint=tcp://127.0.0.1:5711 \
  --budget-pub-endpoint=tcp://127.0.0.1:5712
start budget
start survey --webhook-token="$TOKEN"
start benchmark
# The aggregator follows every service.
start aggregator --token="$TOKEN" --http-address="$HTTP_ADDR"

for svc in lifecycle:5701 budget:5711 survey:5721 benchmark:5731 aggregator:5741; do
  ok=""
  for _ in $(seq 1 50); do
    if "$TRINCTL" --endpoint "tcp://127.0.0.1:${svc#*:}" --server-key "$KEYS/${svc%%:*}.pub" \
      --timeout 200 ping >/dev/null 2>&1; then
      ok=1
      break
    fi
  done
  [ -n "$ok" ] || { echo "quickstart: ${svc%%:*} did not start" >&2; stop_all; exit 1; }
done
TRINCTL="$TRINCTL" ./deploy/demo-portfolio.sh

cat <<MSG

trin is running (stores in data/):
  dashboard  http://$HTTP_ADDR/?api_key=$TOKEN
  feed       http://$HTTP_ADDR/odata/ProjectStatus   (Power BI / Excel "OData feed";
             token as Bearer, Basic password or ?api_key=$TOKEN)
             http://$HTTP_ADDR/api/v1/status, /api/v1/status.csv, /api/v1/stream
  lifecycle  tcp://127.0.0.1:5701   budget  tcp://127.0.0.1:5711
  survey     tcp://127.0.0.1:5721   survey webhook http://127.0.0.1:8081 (token: $TOKEN)
  benchmark  tcp://127.0.0.1:5731   aggregator tcp://127.0.0.1:5741 (status rows on PUB :5742)
  keys       every service speaks CURVE; keys and registry in $KEYS/
             (trinctl key list --registry $KEYS/registry)
Try, in another shell (trinctl needs your admin key and the services' public keys):
  export TRIN_KEY=$TRIN_KEY
  export TRIN_PEER_KEYS=$TRIN_PEER_KEYS
  $TRINCTL project list
  $TRINCTL project show FSB-101
  $TRINCTL budget drift FSB-101
  $TRINCTL survey results S-OS-12
  $TRINCTL benchmark compare --viewer demo-kab
  curl -s -H "Authorization: Bearer $TOKEN" http://$HTTP_ADDR/api/v1/status.csv
Ctrl-C stops everything.
MSG
wait
