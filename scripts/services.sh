#!/usr/bin/env bash
# Starts (or stops) the throwaway servers the tests use, all on 127.0.0.1 only:
#   PostgreSQL on 55432 and Redis on 56379, with their data under tools/run/ (ignored by git; as
#   root in a private checkout, Postgres's data is under /var/tmp, see pg_data_dir).
# `start` prints the environment for the tests (eval it); `stop` stops both.
# Postgres runs with fsync=off for the tests' speed; PLENARY_TEST_PG_FSYNC=on starts (or restarts) it
# syncing each commit, as production does, which the benchmarks' --postgres requires.
set -euo pipefail
root="$(cd "$(dirname "$0")/.." && pwd)"
run="$root/tools/run"
PG_PORT="${PLENARY_TEST_PG_PORT:-55432}"
REDIS_PORT="${PLENARY_TEST_REDIS_PORT:-56379}"
PG_FSYNC="${PLENARY_TEST_PG_FSYNC:-off}"
case "$PG_FSYNC" in on | off) ;; *) echo "services: PLENARY_TEST_PG_FSYNC is on or off, not '$PG_FSYNC'" >&2; exit 2 ;; esac
pgbin="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -n 1)"

as_pg() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

# As root, Postgres runs as the postgres user, which cannot reach a checkout in a private directory
# (`mktemp -d` makes it 0700): its data then goes to /var/tmp, one folder per checkout.
pg_data_dir() {
  if [ "$(id -u)" = 0 ] && ! as_pg test -x "$root" 2>/dev/null; then
    echo "/var/tmp/plenary-pg-$(printf '%s' "$root" | sha256sum | cut -c1-12)"
  else
    echo "$run/pg"
  fi
}

start() {
  [ -n "$pgbin" ] || { echo "services: PostgreSQL is not installed (scripts/ensure-deps.sh)" >&2; exit 1; }
  command -v redis-server >/dev/null || { echo "services: redis-server is not installed (scripts/ensure-deps.sh)" >&2; exit 1; }
  mkdir -p "$run"
  if [ "$(id -u)" = 0 ] && ! id postgres >/dev/null 2>&1; then useradd -r -M postgres; fi
  local pgdata
  pgdata="$(pg_data_dir)"
  if [ ! -f "$pgdata/PG_VERSION" ]; then
    mkdir -p "$pgdata"
    [ "$(id -u)" = 0 ] && chown postgres "$pgdata"
    as_pg "$pgbin/initdb" -D "$pgdata" -A trust -U plenary >/dev/null
  fi
  # A server already running with the other fsync setting is restarted with the one asked for.
  if as_pg "$pgbin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1 &&
    [ "$(as_pg "$pgbin/psql" -h 127.0.0.1 -p "$PG_PORT" -U plenary -d postgres -Atc 'show fsync' 2>/dev/null)" != "$PG_FSYNC" ]; then
    as_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast -w stop >/dev/null
  fi
  if ! as_pg "$pgbin/pg_ctl" -D "$pgdata" status >/dev/null 2>&1; then
    as_pg "$pgbin/pg_ctl" -D "$pgdata" -w -t 30 -l "$pgdata/server.log" \
      -o "-p $PG_PORT -k $pgdata -c listen_addresses=127.0.0.1 -c fsync=$PG_FSYNC -c max_connections=200" start >/dev/null
  fi
  if ! redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1; then
    redis-server --port "$REDIS_PORT" --bind 127.0.0.1 --save '' --appendonly no --daemonize yes \
      --pidfile "$run/redis.pid" --logfile "$run/redis.log" >/dev/null
    for _ in $(seq 50); do redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null 2>&1 && break; sleep 0.1; done
  fi
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" ping >/dev/null || { echo "services: Redis did not start ($run/redis.log)" >&2; exit 1; }
  echo "export TEST_DATABASE_URL=postgres://plenary@127.0.0.1:$PG_PORT/postgres"
  echo "export TEST_REDIS_URL=redis://127.0.0.1:$REDIS_PORT"
}

stop() {
  local pgdata
  pgdata="$( { [ "$(id -u)" != 0 ] || id postgres >/dev/null 2>&1; } && pg_data_dir || echo "$run/pg")"
  [ -n "$pgbin" ] && [ -f "$pgdata/PG_VERSION" ] && as_pg "$pgbin/pg_ctl" -D "$pgdata" -m fast stop >/dev/null 2>&1 || true
  redis-cli -h 127.0.0.1 -p "$REDIS_PORT" shutdown nosave >/dev/null 2>&1 || true
}

case "${1:-}" in
  start) start ;;
  stop) stop ;;
  *) echo "usage: scripts/services.sh start|stop" >&2; exit 2 ;;
esac
