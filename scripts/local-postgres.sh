#!/usr/bin/env bash
# Starts (or reuses) a private PostgreSQL cluster for the test suite on 127.0.0.1 and prints its
# admin URL. Idempotent: a cluster that is already running is reused. Needs Debian's postgresql
# package (scripts/setup.sh installs it).
set -euo pipefail

port="${STRONGROOM_PG_PORT:-54329}"
dir="${STRONGROOM_PG_DIR:-/tmp/strongroom-pg-$port}"
url="postgres://strongroom@127.0.0.1:$port/postgres"

bin=$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)
if [ -z "$bin" ]; then
  echo "local-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi

# PostgreSQL refuses to run as root: run it as the postgres user then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

if [ ! -f "$dir/PG_VERSION" ]; then
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres:postgres "$dir"
  as_owner "$bin/initdb" -D "$dir" -U strongroom --auth=trust -E UTF8 >/dev/null
fi

if ! as_owner "$bin/pg_ctl" -D "$dir" status >/dev/null 2>&1; then
  as_owner "$bin/pg_ctl" -D "$dir" -l "$dir/server.log" -w -t 60 \
    -o "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=200" start >/dev/null
fi

for _ in $(seq 1 60); do
  if "$bin/pg_isready" -h 127.0.0.1 -p "$port" -q; then
    echo "$url"
    exit 0
  fi
  sleep 0.5
done
echo "local-postgres: the server did not come up; see $dir/server.log" >&2
exit 1
