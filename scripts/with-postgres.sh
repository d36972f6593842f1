#!/usr/bin/env bash
# Runs a command against a throwaway PostgreSQL 15 cluster on a free loopback port, and stops and
# removes the cluster afterwards — also when the command fails or is interrupted.
# The command sees ONECARD_TEST_POSTGRES, a connection string to the cluster's "postgres" database;
# tests create a database of their own on it.
# For a diagnosis: WITH_POSTGRES_OPTIONS adds server options (e.g. "-c session_preload_libraries=auto_explain
# -c auto_explain.log_min_duration=2s -c auto_explain.log_analyze=on"), and WITH_POSTGRES_LOG names a file the server's
# log is copied to before the cluster is removed.
set -euo pipefail

PGBIN=${PGBIN:-/usr/lib/postgresql/15/bin}
[ -x "$PGBIN/initdb" ] || { echo "with-postgres: PostgreSQL 15 is not installed ($PGBIN/initdb missing); apt-get install -y postgresql-15" >&2; exit 2; }

dir=$(mktemp -d /tmp/onecard-pg.XXXXXX)
as_pg() {
  # initdb refuses to run as root: run the server as the postgres user.
  if [ "$(id -u)" = 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
[ "$(id -u)" = 0 ] && chown postgres "$dir"

free_port() {
  local port
  for _ in $(seq 1 50); do
    port=$(( 20000 + RANDOM % 40000 ))
    if ! (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null; then echo "$port"; return 0; fi
  done
  echo "with-postgres: no free port found" >&2; return 1
}
cleanup() {
  as_pg "$PGBIN/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
  if [ -n "${WITH_POSTGRES_LOG:-}" ] && [ -f "$dir/server.log" ]; then cp "$dir/server.log" "$WITH_POSTGRES_LOG" || true; fi
  rm -rf "$dir"
}
trap cleanup EXIT INT TERM

as_pg "$PGBIN/initdb" -D "$dir/data" -A trust -U postgres -E UTF8 --locale=C.UTF-8 --no-sync >/dev/null
# Durability is switched off: this cluster lives for one test run and is thrown away.
# The port is free when chosen but may be taken before the server binds it (tests start hosts on ports of their own):
# then the server says so in its log and another port is tried. Any other failure is reported with the server's log.
for attempt in 1 2 3; do
  port=$(free_port)
  if as_pg "$PGBIN/pg_ctl" -D "$dir/data" -l "$dir/server.log" -w -t 300 -o \
    "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c synchronous_commit=off -c full_page_writes=off -c max_connections=300 ${WITH_POSTGRES_OPTIONS:-}" \
    start >/dev/null; then
    break
  fi
  if [ "$attempt" -lt 3 ] && grep -q "could not bind\|Address already in use" "$dir/server.log"; then
    echo "with-postgres: port $port was taken before the server bound it; trying another" >&2
    continue
  fi
  echo "with-postgres: PostgreSQL did not start on port $port; its log:" >&2
  tail -n 20 "$dir/server.log" >&2
  exit 2
done
echo "with-postgres: PostgreSQL 15 on 127.0.0.1:$port (data in $dir)" >&2

export ONECARD_TEST_POSTGRES="Host=127.0.0.1;Port=$port;Username=postgres;Database=postgres;Include Error Detail=true"
set +e
"$@"
status=$?
set -e
exit $status
