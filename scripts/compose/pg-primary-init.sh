#!/bin/bash
# Runs once in a fresh primary (docker-entrypoint-initdb.d): lets the replica stream WAL.
set -euo pipefail
echo "host replication ${POSTGRES_USER} all scram-sha-256" >> "$PGDATA/pg_hba.conf"
