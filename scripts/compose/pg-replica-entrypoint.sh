#!/bin/bash
# A real streaming replica: on an empty volume, clone the primary with pg_basebackup -R (which
# writes primary_conninfo and standby.signal) through a replication slot; then run hot standby.
set -euo pipefail
: "${PRIMARY_HOST:?}" "${REPLICATION_SLOT:?}"
if [ ! -s "$PGDATA/PG_VERSION" ]; then
  until pg_isready -h "$PRIMARY_HOST" -U "$POSTGRES_USER" -q; do sleep 1; done
  mkdir -p "$PGDATA" && chown postgres:postgres "$PGDATA" && chmod 700 "$PGDATA"
  PGPASSWORD="$POSTGRES_PASSWORD" gosu postgres pg_basebackup -h "$PRIMARY_HOST" -U "$POSTGRES_USER" \
    -D "$PGDATA" -R -X stream -C -S "$REPLICATION_SLOT"
fi
exec gosu postgres postgres -c hot_standby=on
