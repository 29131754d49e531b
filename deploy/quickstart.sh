#!/usr/bin/env bash
# trin quick start: installs the Debian dependencies, builds, makes CurveZMQ
# keys under ./data/keys (once), starts every trin service and the HTTP
# gateway with CURVE on tcp://127.0.0.1 and an embedded SQLite store under
# ./data, loads a demo portfolio, makes personal gateway tokens for six demo
# people (data/demo-people.json), and keeps running until Ctrl-C (which stops
# everything cleanly; everything acknowledged is on disk).
# The operator's token reaches the services in data/operator-token (mode 0600),
# never as an argument: every local user can read arguments with ps.
#   TRIN_DEMO_TOKEN         the token for the webhook and the feed (default: demo-token)
#   TRIN_HTTP_ADDR          where the feed and dashboard listen (default: 127.0.0.1:8080)
#   TRIN_GATEWAY_HTTP_ADDR  where the gateway's HTTP API listens (default: 127.0.0.1:8082)
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

# Only what building and running trin needs; the tests' packages (Chromium,
# clang, a PostgreSQL server, ...) come with tests/run.sh.
./deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRIN_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)"

TOKEN="${TRIN_DEMO_TOKEN:-demo-token}"
HTTP_ADDR="${TRIN_HTTP_ADDR:-127.0.0.1:8080}"
GATEWAY_ADDR="${TRIN_GATEWAY_HTTP_ADDR:-127.0.0.1:8082}"
PEOPLE=data/demo-people.json
TRINCTL=build/tools/trinctl/trinctl
KEYS=data/keys
mkdir -p data
# The token as a file only we may read (--token-file / --webhook-token-file).
TOKEN_FILE=data/operator-token
(umask 077 && printf '%s\n' "$TOKEN" >"$TOKEN_FILE.new")
chmod 600 "$TOKEN_FILE.new"
mv -f "$TOKEN_FILE.new" "$TOKEN_FILE"
pids=()
stop_all() {
  for p in "${pids[@]}"; do kill -TERM "$p" 2>/dev/null || true; done
  wait 2>/dev/null || true
}
trap 'stop_all; exit 0' INT TERM

# Keys, made once: one key pair per service (KEYS/<service>, secret, and
# KEYS/<service>.pub, which the others find through peer-keys), one for the
# gateway, an admin key for you, and the registry letting in the services
# (role service), the gateway (role gateway: it asks the services on behalf
# of the person whose token it was given) and you (role admin). A data/
# folder from an older quick start lacks some of them: what is missing is
# made and registered, what is there is left alone.
SERVICES="lifecycle budget survey benchmark aggregator"
install -d -m 0700 "$KEYS"
for n in $SERVICES gateway admin; do
  [ -f "$KEYS/$n" ] || "$TRINCTL" key new "$KEYS/$n" >/dev/null
done
registered="[]"
[ -f "$KEYS/registry" ] && registered="$("$TRINCTL" --json key list --registry "$KEYS/registry")"
register() { # key name, role, the name it is registered under
  local public
  public="$(sed -n 's/^public *= *//p' "$KEYS/$1.pub")"
  if [[ "$registered" != *"\"public_key\":\"$public\""* ]]; then
    "$TRINCTL" key register --registry "$KEYS/registry" --org trin --role "$2" \
      --name "$3" "$KEYS/$1.pub" >/dev/null
  fi
}
for n in $SERVICES; do register "$n" service "trin-$n"; done
register gateway gateway trin-gateway
register admin admin "quick start admin"
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
start survey --webhook-token-file="$TOKEN_FILE"
start benchmark
# The aggregator follows every service.
start aggregator --token-file="$TOKEN_FILE" --http-address="$HTTP_ADDR"
# The gateway reaches every service at its default endpoint, and its own
# ROUTER (5751) for `trinctl token ... --service gateway`.
start gateway --http-addr="$GATEWAY_ADDR"

for svc in lifecycle:5701 budget:5711 survey:5721 benchmark:5731 aggregator:5741 gateway:5751; do
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

# A personal token for a demo person of each role the demo's organisations
# play (the writer and reader of a client, an advisor, a contractor's
# calculator, the resident committee's resident, the operator's admin). A
# token is shown only once, when it is made: the tokens of the previous start
# are revoked and new ones written to PEOPLE (mode 0600). Prints the writer's.
WRITER="$(python3 - "$TRINCTL" "$PEOPLE" <<'PY'
import json, os, subprocess, sys

trinctl, path = sys.argv[1], sys.argv[2]
TAG = "quick start demo person"  # the tokens' name: which ones to revoke next time
PEOPLE = [  # name, organisation, role, scope
    ("Mette Jensen", "demo-fsb", "writer", "api:write"),       # fsbHJEM's client
    ("Lars Nielsen", "demo-kab", "reader", "api:read"),        # &os's client
    ("Sofie Hansen", "demo-ark", "advisor", "api:write"),      # advisor in all three
    ("Rasmus Pedersen", "demo-te1", "calculator", "api:write"),  # contractor, fsbHJEM and LIVA
    ("Anne Kristensen", "demo-fg", "resident", "api:write"),   # the resident committee
    ("Jens Andersen", "trin", "admin", "api:write"),           # the operator
]


def ctl(*args):
    r = subprocess.run([trinctl, "--json", *args], capture_output=True, text=True)
    if r.returncode != 0:
        sys.exit(f"quickstart: trinctl {' '.join(args[:2])}: {r.stderr.strip()}")
    return json.loads(r.stdout or "null")


for t in ctl("token", "list", "--service", "gateway") or []:
    if t.get("name") == TAG and not t.get("revoked_at"):
        ctl("token", "revoke", t["id"], "--service", "gateway")
people = []
for name, org, role, scope in PEOPLE:
    made = ctl("token", "create", "--service", "gateway", "--org", org, "--scope", scope,
               "--role", role, "--person", name, "--name", TAG)
    people.append({"name": name, "organisation": org, "role": role, "token": made["token"]})
tmp = path + ".new"
fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
with os.fdopen(fd, "w", encoding="utf-8") as f:
    json.dump(people, f, ensure_ascii=False, indent=2)
    f.write("\n")
os.chmod(tmp, 0o600)  # a file left by an older start may have had another mode
os.replace(tmp, path)
print(people[0]["token"])
PY
)" || { echo "quickstart: could not make the demo people's tokens" >&2; stop_all; exit 1; }
# A new dispute id at every start, so the curl line below works every time;
# the Idempotency-Key makes sending it twice give the first answer again.
TODAY="$(date -u +%F)"
DISPUTE="FSB-101-T$(date -u +%Y%m%d%H%M%S)"
command -v curl >/dev/null 2>&1 || echo "quickstart: the lines below use curl: apt-get install curl" >&2

cat <<MSG

trin is running (stores in data/):
  dashboard  http://$HTTP_ADDR/?api_key=$TOKEN
  feed       http://$HTTP_ADDR/odata/ProjectStatus   (Power BI / Excel "OData feed";
             token as Bearer, Basic password or ?api_key=$TOKEN)
             http://$HTTP_ADDR/api/v1/status, /api/v1/status.csv, /api/v1/stream
  lifecycle  tcp://127.0.0.1:5701   budget  tcp://127.0.0.1:5711
  survey     tcp://127.0.0.1:5721   survey webhook http://127.0.0.1:8081 (token: $TOKEN)
  benchmark  tcp://127.0.0.1:5731   aggregator tcp://127.0.0.1:5741 (status rows on PUB :5742)
  gateway    http://$GATEWAY_ADDR/api/v1/   (HTTP/JSON API for every request; description at
             /api/v1/openapi.json; personal tokens: trinctl token ... --service gateway, :5751)
  app        http://$GATEWAY_ADDR/app/   (the partners' web app, Danish or English: sign in
             with a token from $PEOPLE — one person of each role)
  people     $PEOPLE: personal tokens of six demo people (writer, reader,
             advisor, calculator, resident, admin), made anew at every start
  writer     Mette Jensen of demo-fsb (fsbHJEM's client): $WRITER
  keys       every service speaks CURVE; keys and registry in $KEYS/
             (trinctl key list --registry $KEYS/registry)
Try, in another shell (trinctl needs your admin key and the services' public keys):
  export TRIN_KEY=$TRIN_KEY
  export TRIN_PEER_KEYS=$TRIN_PEER_KEYS
  $TRINCTL project list
  $TRINCTL project show FSB-101
  $TRINCTL budget drift FSB-101
  $TRINCTL survey results S-OS-12
  $TRINCTL benchmark compare
  $TRINCTL benchmark iku --municipality Aalborg
  $TRINCTL benchmark repetition --partnership os
  curl -s -H "Authorization: Bearer $TOKEN" http://$HTTP_ADDR/api/v1/status.csv
Open a dispute on FSB-101 as Mette Jensen through the gateway, then see it in the feed:
  curl -s -X POST http://$GATEWAY_ADDR/api/v1/projects/FSB-101/disputes \\
    -H "Authorization: Bearer $WRITER" \\
    -H "Content-Type: application/json" -H "Idempotency-Key: $DISPUTE" \\
    -d '{"dispute_id":"$DISPUTE","title":"Skjulte rør i kælderen","amount_ore":"25000000","date":"$TODAY","raised_by":"demo-fsb"}'
  curl -s -G http://$HTTP_ADDR/odata/ProjectStatus -H "Authorization: Bearer $TOKEN" \\
    --data-urlencode "\\\$filter=project_id eq 'FSB-101'" \\
    --data-urlencode '\$select=project_id,open_disputes,max_dispute_level'
Ctrl-C stops everything.
MSG
wait
