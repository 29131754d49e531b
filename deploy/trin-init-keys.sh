#!/usr/bin/env bash
# Makes the CurveZMQ key pair of each trin service once and lets it in:
# STATE/<service>/curve.key (secret, 0600) is made with `trinctl key new` when
# missing, its public half is copied to KEYS/<service>.pub (the folder every
# service's `peer-keys` names) and registered in KEYS/registry (every
# service's `key-registry`) with role `service`, or the role given after a
# colon: the gateway's key is `gateway:gateway` (it acts on behalf of people,
# which only a key of role gateway may). Safe to run again: present keys and
# registrations are left alone, so it runs at every `docker compose up` (the
# `keys` container) and after installing a new service with systemd.
#
#   trin-init-keys [--owner USER] [--org ORG] KEYS STATE SERVICE[:ROLE]...
#     --owner USER  chown what it makes to USER (when run as root)
#     --org ORG     the organisation the service keys are registered for (trin)
#     ROLE          service (the default) or gateway
#   TRINCTL         the trinctl binary (default: trinctl on PATH)
#   e.g. trin-init-keys /etc/trin/keys /var/lib/trin lifecycle budget gateway:gateway
#
# Rotation: revoke the old key (trinctl key revoke FINGERPRINT --registry
# KEYS/registry), move STATE/<service>/curve.key* away, run this again, and
# restart that service and then the services that follow it.
set -euo pipefail

owner=""
org="trin"
while [ $# -gt 0 ]; do
  case "$1" in
    --owner) owner="$2"; shift 2 ;;
    --org) org="$2"; shift 2 ;;
    -h|--help) sed -n '2,21p' "$0" | sed 's/^# \{0,1\}//'; exit 0 ;;
    --*) echo "trin-init-keys: unknown option '$1'" >&2; exit 2 ;;
    *) break ;;
  esac
done
if [ $# -lt 3 ]; then
  echo "usage: trin-init-keys [--owner USER] [--org ORG] KEYS STATE SERVICE[:ROLE]..." >&2
  exit 2
fi
keys="$1"
state="$2"
shift 2
trinctl="${TRINCTL:-trinctl}"
registry="$keys/registry"

install -d -m 0755 "$keys"
[ -n "$owner" ] && chown "$owner:" "$keys"
for arg in "$@"; do
  svc="${arg%%:*}"
  role=service
  [ "$arg" = "$svc" ] || role="${arg#*:}"
  case "$role" in
    service|gateway) ;;
    *) echo "trin-init-keys: '$arg': the role after ':' must be service or gateway" >&2; exit 2 ;;
  esac
  if [[ ! "$svc" =~ ^[a-z][a-z0-9-]*$ ]]; then
    echo "trin-init-keys: '$arg' is not a service name (lower-case letters, digits, -)" >&2
    exit 2
  fi
  dir="$state/$svc"
  key="$dir/curve.key"
  install -d -m 0700 "$dir"
  [ -n "$owner" ] && chown "$owner:" "$dir"
  if [ ! -f "$key" ]; then
    "$trinctl" key new "$key" >/dev/null
    echo "trin-init-keys: made $key"
  fi
  [ -n "$owner" ] && chown "$owner:" "$key" "$key.pub"
  # The public half is a copy; it follows the key if the key was replaced.
  if ! cmp -s "$key.pub" "$keys/$svc.pub"; then
    install -m 0644 "$key.pub" "$keys/$svc.pub"
  fi
  public="$(sed -n 's/^public *= *//p' "$key.pub")"
  registered="$("$trinctl" --json key list --registry "$registry")"
  if [[ "$registered" != *"\"public_key\":\"$public\""* ]]; then
    # The .pub file, not the key text: a key may start with '-'.
    "$trinctl" key register "$key.pub" --registry "$registry" --org "$org" --role "$role" \
      --name "trin-$svc" >/dev/null
    echo "trin-init-keys: registered trin-$svc's key (role $role)"
  fi
done
chmod 0644 "$registry"
[ -n "$owner" ] && chown "$owner:" "$registry" "$keys"/*.pub
exit 0
