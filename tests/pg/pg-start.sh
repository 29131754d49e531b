#!/usr/bin/env bash
# Starts a throw-away PostgreSQL server for trin's tests and benchmarks:
# Debian's server binaries (/usr/lib/postgresql/*/bin), a fresh data folder
# /tmp/trin-pg-PORT, listening on 127.0.0.1:PORT only, trust authentication
# for the role `trin`, C collation (text sorts by bytes, as in SQLite).
# Prints the server's URI (postgresql://trin@127.0.0.1:PORT/trin) on stdout;
# everything else goes to stderr. Stop it with tests/pg/pg-stop.sh PORT.
#
#   tests/pg/pg-start.sh [--port N] [--fast]
#     --port N  default $TRIN_PG_PORT or 15432 (below Linux's ephemeral range,
#               32768-60999, so an outgoing connection never holds it)
#     --fast    fsync=off: for tests, where a power cut loses nothing of value
#
# Runs the server as the calling user, or as `postgres` when called as root
# (PostgreSQL refuses to run as root). Exits 77 (CTest's "skipped") with the
# reason on stderr when no server can be started here.
set -euo pipefail
# The server runs as another user, who may not enter the caller's folder.
cd /tmp

port="${TRIN_PG_PORT:-15432}"
fast=0
while [ $# -gt 0 ]; do
  case "$1" in
    --port) port="$2"; shift 2 ;;
    --fast) fast=1; shift ;;
    *) echo "pg-start: unknown argument '$1'" >&2; exit 2 ;;
  esac
done

skip() { echo "pg-start: cannot start PostgreSQL: $*" >&2; exit 77; }

bin=""
for d in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
  if [ -x "$d/initdb" ] && [ -x "$d/pg_ctl" ]; then bin="$d"; break; fi
done
if [ -z "$bin" ] && command -v initdb >/dev/null 2>&1; then bin="$(dirname "$(command -v initdb)")"; fi
[ -n "$bin" ] || skip "no initdb/pg_ctl found (install Debian's postgresql package: deploy/install-deps.sh)"

dir="/tmp/trin-pg-$port"
run=()
if [ "$(id -u)" -eq 0 ]; then
  id postgres >/dev/null 2>&1 || skip "running as root and there is no 'postgres' user to run the server as"
  command -v runuser >/dev/null 2>&1 || skip "running as root and runuser is missing"
  run=(runuser -u postgres --)
fi

# A server left from an earlier run on this port is stopped and its folder
# removed: the folder is throw-away by design.
if [ -f "$dir/data/postmaster.pid" ]; then
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
fi
rm -rf "$dir"
mkdir -p "$dir"
[ ${#run[@]} -gt 0 ] && chown postgres: "$dir"
chmod 700 "$dir"

if ! "${run[@]}" "$bin/initdb" -D "$dir/data" -U trin --auth=trust --locale=C \
    --encoding=UTF8 -N >"$dir/initdb.log" 2>&1; then
  cat "$dir/initdb.log" >&2
  skip "initdb failed (see above)"
fi

opts="-c listen_addresses=127.0.0.1 -p $port -c unix_socket_directories=$dir"
opts="$opts -c max_connections=200 -c shared_buffers=128MB -c TimeZone=UTC"
[ "$fast" = 1 ] && opts="$opts -c fsync=off -c full_page_writes=off"
if ! "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 60 \
    -o "$opts" start >/dev/null 2>&1; then
  tail -n 20 "$dir/server.log" >&2 || true
  skip "the server did not start on 127.0.0.1:$port (port taken? see above)"
fi
if ! "$bin/createdb" -h 127.0.0.1 -p "$port" -U trin trin 2>"$dir/createdb.log"; then
  cat "$dir/createdb.log" >&2
  "${run[@]}" "$bin/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  skip "could not create the database 'trin'"
fi
echo "pg-start: PostgreSQL $("$bin/postgres" --version | awk '{print $3}') on 127.0.0.1:$port, data in $dir$([ "$fast" = 1 ] && echo ' (fsync off)')" >&2
echo "postgresql://trin@127.0.0.1:$port/trin"
