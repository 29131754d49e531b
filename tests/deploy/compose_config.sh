#!/bin/sh
# deploy.compose_config — docker-compose.yml as the Compose implementations
# operators have read it: Debian 12's own docker-compose (1.29, package
# docker-compose, which refuses a top-level `name:`), and compose v2 or
# podman-compose where they are installed. `config -q` only parses,
# validates and interpolates: no container engine is needed. Variables come
# from deploy/docker/env.example, with sample passwords for the ones an
# operator must fill in (the file refuses to start without them).
#
#   sh tests/deploy/compose_config.sh SOURCE_ROOT
# Exit 0: every implementation found accepts the file; 77: none is
# installed (skipped, says which package to install); 1 otherwise.
root=${1:-.}
file="$root/docker-compose.yml"
envfile="$root/deploy/docker/env.example"
export TRIN_PG_SUPERUSER_PASSWORD=sample-superuser-password
export TRIN_DB_PASSWORD=sample-db-password
ran=0
failed=0

check() {
  what=$1
  shift
  echo "== $what: $*"
  if "$@"; then
    echo "   accepted"
  else
    echo "   REFUSED by $what: see its message above" >&2
    failed=1
  fi
  ran=1
}

if command -v docker-compose >/dev/null 2>&1; then
  check "docker-compose $(docker-compose version --short 2>/dev/null)" \
    docker-compose --env-file "$envfile" -f "$file" config -q
fi
if command -v docker >/dev/null 2>&1 && docker compose version >/dev/null 2>&1; then
  check "docker compose (v2)" docker compose --env-file "$envfile" -f "$file" config -q
  # The project name comes from COMPOSE_PROJECT_NAME in the env file, not
  # from the directory the checkout happens to be in.
  name=$(docker compose --env-file "$envfile" -f "$file" config 2>/dev/null | sed -n 's/^name: *//p')
  if [ "$name" != trin ]; then
    echo "   the project name is '$name', not 'trin': COMPOSE_PROJECT_NAME in $envfile?" >&2
    failed=1
  fi
fi
if command -v podman-compose >/dev/null 2>&1; then
  # podman-compose has no -q; it prints the file it understood.
  check "podman-compose" sh -c 'podman-compose --env-file "$1" -f "$2" config >/dev/null' \
    podman-compose "$envfile" "$file"
fi

if [ "$ran" = 0 ]; then
  echo "skipped: no docker-compose, docker compose or podman-compose here;" \
    "install Debian's docker-compose package (no container engine needed)"
  exit 77
fi
exit $failed
