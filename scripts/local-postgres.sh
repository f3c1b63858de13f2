#!/usr/bin/env bash
# Starts (or reuses) a private PostgreSQL cluster for the test suite on 127.0.0.1 and prints its
# admin URL. Idempotent: a cluster that is already running is reused. Needs Debian's postgresql
# package (scripts/setup.sh installs it).
set -euo pipefail

port="${STRONGROOM_PG_PORT:-54329}"
dir="${STRONGROOM_PG_DIR:-/tmp/strongroom-pg-$port}"
url="postgres://strongroom@127.0.0.1:$port/postgres"

bin=$(compgen -G "/usr/lib/postgresql/*/bin" | sort -V | tail -n 1 || true)
if [ -z "$bin" ]; then
  echo "local-postgres: PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi

# PostgreSQL refuses to run as root: run it as the postgres user then.
as_owner() {
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

# A cluster made by another PostgreSQL major version cannot be started by this one: remake it.
if [ -f "$dir/PG_VERSION" ] && [ "$(cat "$dir/PG_VERSION")" != "$("$bin/postgres" --version | sed -E 's/.* ([0-9]+)\..*/\1/')" ]; then
  as_owner "$bin/pg_ctl" -D "$dir" stop -m fast >/dev/null 2>&1 || true
  rm -rf "$dir"
fi

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
    # Each backend test makes its own database; drop those left by earlier runs.
    "$bin/psql" -X -q -At -h 127.0.0.1 -p "$port" -U strongroom -d postgres \
      -c "SELECT 'DROP DATABASE ' || quote_ident(datname) || ';' FROM pg_database WHERE datname LIKE 'strongroom_test_%'" |
      "$bin/psql" -X -q -h 127.0.0.1 -p "$port" -U strongroom -d postgres >/dev/null
    echo "$url"
    exit 0
  fi
  sleep 0.5
done
echo "local-postgres: the server did not come up; see $dir/server.log" >&2
exit 1
