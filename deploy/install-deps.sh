#!/usr/bin/env bash
# Installs trin's dependencies from Debian 12 packages.
#   deploy/install-deps.sh          what building and running trin needs (the
#                                   quick start): compilers, the -dev packages,
#                                   python3 and curl
#   deploy/install-deps.sh --tests  that, and what only the tests need
#                                   (tests/run.sh, .ci/run): cmocka, a PostgreSQL
#                                   server, Chromium, Node.js, clang, ...
# Idempotent: packages already present are left alone and apt is not asked
# at all when nothing is missing. Run as root (or with sudo available).
set -euo pipefail

tests=""
case "${1:-}" in
  "") ;;
  --tests) tests=1 ;;
  *) echo "usage: $0 [--tests]" >&2; exit 2 ;;
esac

# Build and run. (tests/deploy/check_deploy.py checks deploy/Dockerfile's build
# stage against the -dev packages of this list.)
PACKAGES=(
  build-essential cmake pkg-config
  libzmq3-dev
  libprotobuf-c-dev protobuf-c-compiler
  libuv1-dev
  libsqlite3-dev
  libpq-dev           # the PostgreSQL store backend (the client library)
  libcsv-dev          # CSV imports (RFC 4180 quoting, embedded newlines)
  libhttp-parser-dev  # HTTP request parsing for the webhook and the feed
  libjansson-dev      # JSON for the webhook and the feed
  zlib1g-dev          # gzip for HTTP responses
  libsodium-dev       # keyed hashing of respondent ids, constant-time token checks
  libcurl4-openssl-dev # HTTPS client for the aggregator's Power BI push (curl multi on libuv)
  libcjose-dev        # JOSE for the gateway's OpenID Connect tokens (JWS, JWK: RS256, ES256)
  libxlsxwriter-dev   # the feed as an Excel workbook (/api/v1/status.xlsx), typed cells
  python3             # the quick start makes the demo people's tokens with it
  curl                # the quick start's printed lines and the deployment rehearsal use it
)

# Only the tests.
TEST_PACKAGES=(
  libcmocka-dev       # the unit tests (the quick start builds with TRIN_TESTS=OFF)
  postgresql          # tests run the store against a throw-away server
  wrk                 # the gateway's HTTP benchmark (tests/bench)
  prometheus          # promtool: every /metrics is checked with Prometheus's own linter
  python3-yaml        # tests/deploy reads docker-compose.yml (Docker cannot run here)
  docker-compose      # deploy.compose_config: Debian's compose 1.29 validates docker-compose.yml (no engine needed)
  python3-openpyxl    # feed.xlsx reads the workbook back with a real xlsx reader too
  iproute2            # tests/netns: several hosts in network namespaces
  chromium            # the dashboard's browser test (headless)
  clang libclang-rt-14-dev  # libFuzzer targets (tests/fuzz), with ASan/UBSan
)

if [ -n "$tests" ]; then
  PACKAGES+=("${TEST_PACKAGES[@]}")
  # Node.js and npm drive the dashboard's browser test (playwright-core,
  # pinned in tests/browser). A machine may already have them from another
  # source (NodeSource's nodejs ships npm itself, and Debian's npm would clash
  # with it), so they are asked for only when the commands are missing.
  command -v node >/dev/null 2>&1 || PACKAGES+=(nodejs)
  command -v npm >/dev/null 2>&1 || PACKAGES+=(npm)
fi

missing=()
for p in "${PACKAGES[@]}"; do
  if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
    missing+=("$p")
  fi
done

if [ ${#missing[@]} -eq 0 ]; then
  echo "install-deps: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then SUDO="sudo"; else
    echo "install-deps: missing packages (${missing[*]}) and not root; run as root" >&2
    exit 1
  fi
fi

echo "install-deps: installing ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
$SUDO apt-get update -q
$SUDO apt-get install -y -q --no-install-recommends "${missing[@]}"
