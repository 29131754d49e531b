#!/usr/bin/env bash
# Restarts (fast shutdown, then start) the throw-away server tests/pg/pg-start.sh
# started on PORT, keeping its data: every session is cut, as in a database
# failover. Exits 77 when no such server is here (a TRIN_TEST_PG of another kind).
set -uo pipefail
cd /tmp
port="${1:-${TRIN_PG_PORT:-15432}}"
dir="/tmp/trin-pg-$port"
[ -f "$dir/data/postmaster.pid" ] || { echo "pg-restart: no server of pg-start.sh on port $port" >&2; exit 77; }
bin=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$d/pg_ctl" ]; then bin="$d"; break; fi
done
[ -z "$bin" ] && command -v pg_ctl >/dev/null 2>&1 && bin="$(dirname "$(command -v pg_ctl)")"
[ -n "$bin" ] || { echo "pg-restart: no pg_ctl" >&2; exit 77; }
run=()
[ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
"${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w -t 60 restart >/dev/null 2>&1
