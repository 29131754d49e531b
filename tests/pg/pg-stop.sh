#!/usr/bin/env bash
# Stops the throw-away server tests/pg/pg-start.sh started on PORT (default
# $TRIN_PG_PORT or 15432) and removes its data folder /tmp/trin-pg-PORT.
set -uo pipefail
# The server runs as another user, who may not enter the caller's folder.
cd /tmp
port="${1:-${TRIN_PG_PORT:-15432}}"
dir="/tmp/trin-pg-$port"
[ -d "$dir" ] || exit 0
bin=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$d/pg_ctl" ]; then bin="$d"; break; fi
done
[ -z "$bin" ] && command -v pg_ctl >/dev/null 2>&1 && bin="$(dirname "$(command -v pg_ctl)")"
run=()
[ "$(id -u)" -eq 0 ] && run=(runuser -u postgres --)
if [ -n "$bin" ] && [ -f "$dir/data/postmaster.pid" ]; then
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m fast -w stop >/dev/null 2>&1 ||
    "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1
fi
rm -rf "$dir"
echo "pg-stop: stopped the server on port $port and removed $dir" >&2
