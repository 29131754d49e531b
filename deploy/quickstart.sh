#!/usr/bin/env bash
# trin quick start: installs the Debian dependencies, builds, starts the
# lifecycle service with an embedded SQLite store in ./data, loads a small
# demo portfolio, and keeps running until Ctrl-C.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
cd "$root"

./deploy/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=RelWithDebInfo -DTRIN_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target trin-lifecycle trinctl

mkdir -p data
export TRIN_LIFECYCLE_ENDPOINT="${TRIN_LIFECYCLE_ENDPOINT:-tcp://127.0.0.1:5701}"
build/services/lifecycle/trin-lifecycle \
  --endpoint="$TRIN_LIFECYCLE_ENDPOINT" \
  --pub-endpoint="${TRIN_LIFECYCLE_PUB:-tcp://127.0.0.1:5702}" \
  --store="sqlite:data/lifecycle.db" &
pid=$!
trap 'kill -TERM $pid 2>/dev/null; wait $pid' INT TERM

for _ in $(seq 1 50); do
  if build/tools/trinctl/trinctl --timeout 200 ping >/dev/null 2>&1; then break; fi
  if ! kill -0 $pid 2>/dev/null; then echo "quickstart: trin-lifecycle did not start" >&2; exit 1; fi
done
TRINCTL=build/tools/trinctl/trinctl ./deploy/demo-portfolio.sh

cat <<MSG

trin is running: lifecycle service on $TRIN_LIFECYCLE_ENDPOINT, store in data/lifecycle.db.
Try, in another shell:
  build/tools/trinctl/trinctl project list
  build/tools/trinctl/trinctl project show OS-12
  build/tools/trinctl/trinctl --json partnership show LIVA
Ctrl-C stops it (everything acknowledged is on disk).
MSG
wait $pid
