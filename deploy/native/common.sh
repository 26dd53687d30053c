# Shared paths and helpers of the native stack scripts (sourced, not run).
NATIVE_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
ROOT_DIR="$(cd "$NATIVE_DIR/../.." && pwd)"
# shellcheck source=versions.env
. "$NATIVE_DIR/versions.env"
# Downloads and builds: kept in the home directory so fresh clones and CI runs reuse them.
CACHE_DIR="${WHATSAPP_EVENTS_CACHE:-$HOME/.cache/whatsapp-events}"
# Data, logs and pid files of the running stack: per checkout, ignored by git.
STATE_DIR="${STACK_STATE_DIR:-$ROOT_DIR/.stack}"
LOG_DIR="$STATE_DIR/logs"
RUN_DIR="$STATE_DIR/run"
KAFKA_LIBS="$CACHE_DIR/kafka-$KAFKA_VERSION/libs"
APICURIO_HOME="$CACHE_DIR/apicurio-$APICURIO_VERSION"
FERRETDB_BIN="$CACHE_DIR/bin/ferretdb-$FERRETDB_VERSION"
JAEGER_BIN="$CACHE_DIR/bin/jaeger-$JAEGER_VERSION"
mkdir -p "$CACHE_DIR/bin" "$LOG_DIR" "$RUN_DIR"

# PostgreSQL (FerretDB's storage) from Debian's packages: the newest installed major version.
postgres_bin() {
  local dir
  for dir in $(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V -r); do
    [ -x "$dir/postgres" ] && { echo "$dir"; return 0; }
  done
  return 1
}

# as_postgres COMMAND...: PostgreSQL refuses to run as root; as root, run it as Debian's postgres user.
# From /, since the postgres user may not be able to enter the current directory.
as_postgres() {
  if [ "$(id -u)" = 0 ]; then (cd / && runuser -u postgres -- "$@"); else "$@"; fi
}

log() { printf '[native-stack] %s\n' "$*" >&2; }

port_open() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

http_ok() { curl -fsS -o /dev/null --max-time 3 "$1" 2>/dev/null; }

# wait_for NAME TIMEOUT_SECONDS LOG_FILE COMMAND...: polls COMMAND until it succeeds; fails at once
# when the process NAME started has died, or after TIMEOUT_SECONDS.
wait_for() {
  local name="$1" timeout="$2" logfile="$3"; shift 3
  local deadline=$((SECONDS + timeout))
  until "$@"; do
    if [ -f "$RUN_DIR/$name.pid" ] && ! pid_alive "$name"; then
      log "$name exited during start-up; see its log: $logfile"
      tail -n 30 "$logfile" >&2 || true
      return 1
    fi
    if [ "$SECONDS" -ge "$deadline" ]; then
      log "$name did not become ready within ${timeout}s; see its log: $logfile"
      tail -n 30 "$logfile" >&2 || true
      return 1
    fi
    sleep 1
  done
}

pid_alive() { local f="$RUN_DIR/$1.pid"; [ -f "$f" ] && kill -0 "$(cat "$f")" 2>/dev/null; }

# start_process NAME COMMAND...: runs COMMAND detached with its own log and pid file.
start_process() {
  local name="$1"; shift
  log "starting $name (log: $LOG_DIR/$name.log)"
  printf '\n===== %s starting %s\n' "$(date -u +%FT%TZ)" "$name" >>"$LOG_DIR/$name.log"
  nohup setsid "$@" >>"$LOG_DIR/$name.log" 2>&1 </dev/null &
  echo $! >"$RUN_DIR/$name.pid"
}

stop_process() {
  local name="$1" f="$RUN_DIR/$1.pid" pid
  [ -f "$f" ] || return 0
  pid="$(cat "$f")"
  if kill -0 "$pid" 2>/dev/null; then
    log "stopping $name (pid $pid)"
    kill -TERM -- "-$pid" 2>/dev/null || kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 1 30); do kill -0 "$pid" 2>/dev/null || break; sleep 0.5; done
    kill -KILL -- "-$pid" 2>/dev/null || true
  fi
  rm -f "$f"
}
