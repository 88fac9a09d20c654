#!/usr/bin/env bash
# A private PostgreSQL cluster for Ferry's tests and benches: its own data directory and port, run as a
# non-root user (the `postgres` account Debian's package creates when this runs as root), trust on loopback.
#   bash scripts/pg-cluster.sh start   → prints the DATABASE_URL to use (postgresql://ferry@127.0.0.1:PORT/ferry)
#   bash scripts/pg-cluster.sh stop
# FERRY_PG_DIR (default /tmp/ferry-pg) and FERRY_PG_PORT (default 15432) choose where and which port. The port lies below
# the kernel's ephemeral range (32768–60999) and below the simulated hosts' (20000–31999, sim/host-server.ts): a port
# in the ephemeral range can be held by an outgoing connection's TIME_WAIT after the unit tests, and PostgreSQL then
# refuses to start ("could not bind IPv4 address": CI's run of stop 45 on 55432).
set -euo pipefail
DIR="${FERRY_PG_DIR:-/tmp/ferry-pg}"
PORT="${FERRY_PG_PORT:-15432}"
BIN="$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)"
if [ -z "$BIN" ] || [ ! -x "$BIN/initdb" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql)." >&2
  exit 3
fi
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}
case "${1:-start}" in
  start)
    if [ ! -f "$DIR/PG_VERSION" ]; then
      mkdir -p "$DIR"
      [ "$(id -u)" -eq 0 ] && chown postgres:postgres "$DIR"
      chmod 700 "$DIR"
      as_owner "$BIN/initdb" -D "$DIR" -U ferry --auth=trust -E UTF8 --locale=C >/dev/null
    fi
    # a cluster this script started earlier on another port (an older default) is stopped first: the URL names $PORT
    if as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1 && [ "$(sed -n 4p "$DIR/postmaster.pid")" != "$PORT" ]; then
      as_owner "$BIN/pg_ctl" -D "$DIR" -m fast -w stop >/dev/null
    fi
    if ! as_owner "$BIN/pg_ctl" -D "$DIR" status >/dev/null 2>&1; then
      if ! as_owner "$BIN/pg_ctl" -D "$DIR" -l "$DIR/server.log" -w -o \
        "-p $PORT -k $DIR -c listen_addresses=127.0.0.1 -c max_connections=300 -c fsync=off -c synchronous_commit=off" start >/dev/null; then
        echo "PostgreSQL did not start on 127.0.0.1:$PORT; the end of its log ($DIR/server.log):" >&2
        tail -n 5 "$DIR/server.log" >&2
        exit 1
      fi
    fi
    as_owner "$BIN/psql" -h 127.0.0.1 -p "$PORT" -U ferry -d postgres -tAc \
      "SELECT 1 FROM pg_database WHERE datname='ferry'" | grep -q 1 ||
      as_owner "$BIN/createdb" -h 127.0.0.1 -p "$PORT" -U ferry ferry
    echo "postgresql://ferry@127.0.0.1:$PORT/ferry"
    ;;
  stop)
    as_owner "$BIN/pg_ctl" -D "$DIR" -m fast stop >/dev/null 2>&1 || true
    ;;
  *)
    echo "usage: $0 start|stop" >&2
    exit 2
    ;;
esac
