#!/usr/bin/env bash
# Starts the native stack (Kafka, Apicurio Registry, FerretDB, Jaeger) as local processes on 127.0.0.1,
# each only if its port does not answer yet. Waits for readiness and names any service that fails.
set -euo pipefail
. "$(dirname "$0")/common.sh"

"$NATIVE_DIR/install.sh"

KAFKA_PORT=9092
REGISTRY_PORT="${REGISTRY_PORT:-8081}"
MONGO_PORT=27017
POSTGRES_PORT="${POSTGRES_PORT:-5433}"
# PostgreSQL connections of FerretDB's pool (its default: 50; PostgreSQL here allows 200). FerretDB 1.24
# holds one connection per update of a command until the whole command ends, and needs one more for each
# update's transaction: updates in flight beyond the pool deadlock FerretDB for every client. The
# projectors keep their updates in flight well below this (the ferretdb-1.24 profile in projector/mongo/store-profile.ts).
FERRETDB_POOL_CONNECTIONS=150
# Go's garbage collector target for FerretDB (Go's default: 100): a larger target spends less of
# FerretDB's CPU on collection for a little more memory (figures in docs/benchmarks.md).
FERRETDB_GOGC="${FERRETDB_GOGC:-200}"
JAEGER_UI_PORT=16686

start_kafka() {
  if port_open "$KAFKA_PORT"; then log "kafka already answers on $KAFKA_PORT"; return 0; fi
  local conf="$STATE_DIR/kafka/server.properties"
  mkdir -p "$STATE_DIR/kafka/data"
  sed "s|@STATE@|$STATE_DIR|g" "$NATIVE_DIR/kafka/server.properties.template" >"$conf"
  local java_cmd=(java -Xms256m -Xmx1g -XX:+UseG1GC -Djava.awt.headless=true
    "-Dlog4j.configuration=file:$NATIVE_DIR/kafka/log4j.properties" -cp "$KAFKA_LIBS/*")
  if [ ! -f "$STATE_DIR/kafka/data/meta.properties" ]; then
    local cluster_id
    cluster_id="$("${java_cmd[@]}" kafka.tools.StorageTool random-uuid 2>/dev/null | tail -n 1)"
    "${java_cmd[@]}" kafka.tools.StorageTool format -t "$cluster_id" -c "$conf" >>"$LOG_DIR/kafka.log" 2>&1
  fi
  start_process kafka "${java_cmd[@]}" kafka.Kafka "$conf"
}

# Quarkus fast-jar archives run quarkus-run.jar; legacy-jar ones a *-runner.jar beside lib/.
apicurio_jar() {
  local jar
  for jar in "$APICURIO_HOME/quarkus-app/quarkus-run.jar" "$APICURIO_HOME"/quarkus-app/*-runner.jar; do
    [ -f "$jar" ] && { echo "$jar"; return 0; }
  done
  log "no runnable jar under $APICURIO_HOME/quarkus-app"; return 1
}

start_registry() {
  if http_ok "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects"; then log "registry already answers on $REGISTRY_PORT"; return 0; fi
  mkdir -p "$STATE_DIR/apicurio"
  # File-backed H2, so schema ids survive a restart while Kafka still holds records that name them.
  start_process apicurio java -Xms128m -Xmx512m -Djava.awt.headless=true \
    -Dquarkus.http.host=127.0.0.1 -Dquarkus.http.port="$REGISTRY_PORT" \
    -Dquarkus.management.enabled=false \
    "-Dapicurio.datasource.url=jdbc:h2:file:$STATE_DIR/apicurio/registry;DB_CLOSE_ON_EXIT=FALSE" \
    -Dapicurio.rest.deletion.artifact.enabled=true -Dapicurio.rest.deletion.artifact-version.enabled=true \
    -Dapicurio.rest.deletion.group.enabled=true \
    -jar "$(apicurio_jar)"
}

# PostgreSQL's files live in the checkout's state directory, unless (as root) Debian's postgres user
# cannot reach it (a checkout under a private home or `mktemp -d`): then under /var/lib/postgresql.
postgres_dir() {
  if [ "$(id -u)" = 0 ] && ! runuser -u postgres -- test -x "$STATE_DIR" 2>/dev/null; then
    echo "/var/lib/postgresql/whatsapp-events/$(printf '%s' "$STATE_DIR" | sha1sum | cut -c1-12)"
  else
    echo "$STATE_DIR/postgres"
  fi
}

start_postgres() {
  if port_open "$POSTGRES_PORT"; then log "PostgreSQL already answers on $POSTGRES_PORT"; return 0; fi
  local bin dir data
  bin="$(postgres_bin)"
  dir="$(postgres_dir)"
  data="$dir/data"
  mkdir -p "$dir"
  [ "$(id -u)" = 0 ] && chown postgres "$dir"
  if [ ! -f "$data/PG_VERSION" ]; then
    # Trust on loopback only: nothing else can reach it, and no password lands in a file.
    as_postgres "$bin/initdb" -D "$data" -U postgres -A trust --no-instructions >>"$LOG_DIR/postgres.log" 2>&1
  fi
  local run_as=()
  [ "$(id -u)" = 0 ] && run_as=(runuser -u postgres --)
  # default_statistics_target=10: autovacuum's ANALYZE samples 300 rows per unit of target, and
  # FerretDB's rows hold whole documents, so at the default 100 it stalls the projectors for most of a
  # second on a large read model; lookups by _id and by indexed fields still plan on the GIN twins.
  # force_custom_plan: FerretDB's prepared statements must be planned for their values to use them
  # (figures for both in docs/native-stack.md).
  # lz4 for FerretDB's documents, which PostgreSQL compresses above 2 KB (a status document with its
  # type schema is about 4 KB): cheaper than the default pglz on every write and read.
  (cd / && start_process postgres "${run_as[@]}" "$bin/postgres" -D "$data" -p "$POSTGRES_PORT" \
    -c listen_addresses=127.0.0.1 -c unix_socket_directories="$dir" -c max_connections=200 \
    -c plan_cache_mode=force_custom_plan -c default_statistics_target=10 -c default_toast_compression=lz4)
}

postgres_ready() { "$(postgres_bin)/pg_isready" -q -h 127.0.0.1 -p "$POSTGRES_PORT"; }

start_ferretdb() {
  if port_open "$MONGO_PORT"; then log "MongoDB-wire server already answers on $MONGO_PORT"; return 0; fi
  # The port opens before crash recovery ends; pg_isready says when connections are accepted.
  wait_for postgres 120 "$LOG_DIR/postgres.log" postgres_ready
  local psql
  psql="$(postgres_bin)/psql"
  if ! as_postgres "$psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -tAc "select 1 from pg_database where datname = 'ferretdb'" | grep -q 1; then
    as_postgres "$psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -qc "create database ferretdb" >>"$LOG_DIR/postgres.log" 2>&1
  fi
  # GIN twins of FerretDB's btree indexes, so lookups by _id and by indexed fields use an index.
  as_postgres "$psql" -h 127.0.0.1 -p "$POSTGRES_PORT" -U postgres -d ferretdb -q -v ON_ERROR_STOP=1 \
    <"$NATIVE_DIR/ferretdb/postgres-gin-twins.sql" >>"$LOG_DIR/postgres.log" 2>&1 \
    || { log "could not install the GIN twins of FerretDB's indexes; see $LOG_DIR/postgres.log"; exit 1; }
  mkdir -p "$STATE_DIR/ferretdb"
  GOGC="$FERRETDB_GOGC" start_process ferretdb "$FERRETDB_BIN" --handler=pg \
    --postgresql-url="postgres://postgres@127.0.0.1:$POSTGRES_PORT/ferretdb?pool_max_conns=$FERRETDB_POOL_CONNECTIONS" \
    --listen-addr="127.0.0.1:$MONGO_PORT" --state-dir="$STATE_DIR/ferretdb" \
    --debug-addr=127.0.0.1:8089 --telemetry=disable --log-level=warn
}

# JAEGER_LISTEN_HOST places every listener of the embedded all-in-one configuration but the query
# extension's (UI and API on 16686, gRPC on 16685), which it leaves on every interface: those are set here.
start_jaeger() {
  if http_ok "http://127.0.0.1:$JAEGER_UI_PORT/"; then log "jaeger already answers on $JAEGER_UI_PORT"; return 0; fi
  JAEGER_LISTEN_HOST=127.0.0.1 start_process jaeger "$JAEGER_BIN" \
    --set=extensions.jaeger_query.http.endpoint="127.0.0.1:$JAEGER_UI_PORT" \
    --set=extensions.jaeger_query.grpc.endpoint=127.0.0.1:16685 \
    --set=extensions.healthcheckv2.grpc.endpoint=127.0.0.1:13132
}

start_kafka
start_postgres
start_ferretdb
start_jaeger
start_registry

wait_for kafka 120 "$LOG_DIR/kafka.log" port_open "$KAFKA_PORT"
wait_for ferretdb 60 "$LOG_DIR/ferretdb.log" port_open "$MONGO_PORT"
wait_for jaeger 60 "$LOG_DIR/jaeger.log" http_ok "http://127.0.0.1:$JAEGER_UI_PORT/"
wait_for jaeger-otlp 60 "$LOG_DIR/jaeger.log" port_open 4318
wait_for apicurio 180 "$LOG_DIR/apicurio.log" http_ok "http://127.0.0.1:$REGISTRY_PORT/apis/ccompat/v7/subjects"
log "native stack is up"
