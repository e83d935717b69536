#!/usr/bin/env bash
# Prints the PG* exports for a PostgreSQL 15 server at 127.0.0.1:5432: the one
# already running there, or one this script installs (Debian package) and starts.
set -euo pipefail
export DEBIAN_FRONTEND=noninteractive
if ! pg_isready -q -h 127.0.0.1 -p 5432 2>/dev/null; then
  if [ ! -x /usr/lib/postgresql/15/bin/initdb ]; then
    apt-get update -qq >&2
    apt-get install -y -q --no-install-recommends postgresql-15 postgresql-client-15 >&2
  fi
  PGBIN=/usr/lib/postgresql/15/bin
  PGDIR=$(mktemp -d /tmp/pgci.XXXXXX)
  chown postgres:postgres "$PGDIR"
  runuser -u postgres -- "$PGBIN/initdb" -D "$PGDIR/data" -U postgres -A trust -E UTF8 \
    --locale=C.UTF-8 --no-sync >&2
  runuser -u postgres -- "$PGBIN/pg_ctl" -D "$PGDIR/data" -l "$PGDIR/log" -w -t 60 start \
    -o "-c listen_addresses=127.0.0.1 -p 5432 -k $PGDIR -c fsync=off -c synchronous_commit=off -c full_page_writes=off" >&2
fi
echo "export PGHOST=127.0.0.1 PGPORT=5432 PGUSER=postgres"
