#!/bin/sh
# First start of the PostgreSQL container (docker-entrypoint-initdb.d): the
# role `trin` and one database per trin service (and the gateway), owned by it. Each service's
# `store` names its own database (postgresql://trin@postgres:5432/trin_<service>);
# the services make their tables themselves (migrations run at every start).
# Runs once, on an empty data volume; later password changes: ALTER ROLE.
set -eu

TRIN_DATABASES="trin_lifecycle trin_budget trin_survey trin_benchmark trin_aggregator trin_gateway"

psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres \
  --set=pw="$TRIN_DB_PASSWORD" <<'SQL'
CREATE ROLE trin LOGIN PASSWORD :'pw';
SQL
for db in $TRIN_DATABASES; do
  # C collation: text sorts by bytes, as in the SQLite store.
  psql -v ON_ERROR_STOP=1 --username "$POSTGRES_USER" --dbname postgres <<SQL
CREATE DATABASE $db OWNER trin TEMPLATE template0 ENCODING 'UTF8' LC_COLLATE 'C' LC_CTYPE 'C';
REVOKE ALL ON DATABASE $db FROM PUBLIC;
SQL
done
