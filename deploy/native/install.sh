#!/usr/bin/env bash
# Fetches and builds the native stack through the registries' ordinary clients, once
# (`install.sh kafka` or `install.sh ferretdb`: that part only, its path printed):
#   Apache Kafka jars (mvn, Maven Central), Apicurio Registry app archive (mvn, Maven Central),
#   FerretDB and Jaeger (go build of their modules, Go module proxy).
# Everything lands in $CACHE_DIR; a second run finds it there and returns at once.
set -euo pipefail
. "$(dirname "$0")/common.sh"

install_kafka() {
  [ -f "$KAFKA_LIBS/kafka_2.13-$KAFKA_VERSION.jar" ] && [ -f "$KAFKA_LIBS/.complete" ] && return 0
  log "fetching Apache Kafka $KAFKA_VERSION jars with mvn"
  mvn -q -B -f "$NATIVE_DIR/maven/pom.xml" dependency:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS"
  touch "$KAFKA_LIBS/.complete"
}

install_apicurio() {
  [ -f "$APICURIO_HOME/.complete" ] && return 0
  log "fetching Apicurio Registry $APICURIO_VERSION with mvn"
  local dl="$CACHE_DIR/dl"
  mvn -q -B dependency:copy -Dartifact="io.apicurio:apicurio-registry-app:$APICURIO_VERSION:tar.gz:all" \
    -DoutputDirectory="$dl"
  rm -rf "$APICURIO_HOME.tmp" && mkdir -p "$APICURIO_HOME.tmp/quarkus-app"
  tar -xzf "$dl/apicurio-registry-app-$APICURIO_VERSION-all.tar.gz" -C "$APICURIO_HOME.tmp/quarkus-app"
  # Some archives carry a quarkus-app/ folder of their own.
  if [ -d "$APICURIO_HOME.tmp/quarkus-app/quarkus-app" ]; then
    mv "$APICURIO_HOME.tmp/quarkus-app/quarkus-app" "$APICURIO_HOME.tmp/app" && rm -rf "$APICURIO_HOME.tmp/quarkus-app" \
      && mv "$APICURIO_HOME.tmp/app" "$APICURIO_HOME.tmp/quarkus-app"
  fi
  touch "$APICURIO_HOME.tmp/.complete"
  rm -rf "$APICURIO_HOME" && mv "$APICURIO_HOME.tmp" "$APICURIO_HOME"
}

# go_build MODULE_DIR PACKAGE OUTPUT: builds a pinned Go program from its wrapper module (go.sum committed).
go_build() {
  local module_dir="$1" package="$2" output="$3"
  [ -x "$output" ] && return 0
  log "building $package with go (first build takes minutes; cached afterwards)"
  (cd "$module_dir" && go build -trimpath -o "$output.tmp" "$package")
  mv "$output.tmp" "$output"
}

# FerretDB's build writes build/version/version.txt (its `task gen-version`); the module as published lacks it
# and the binary refuses to start without it, so build from a writable copy of the module with that file.
build_ferretdb() {
  [ -x "$FERRETDB_BIN" ] && return 0
  log "building FerretDB v$FERRETDB_VERSION with go"
  local module_src work
  module_src="$(cd "$NATIVE_DIR/ferretdb" && go mod download -json "github.com/FerretDB/FerretDB@v$FERRETDB_VERSION" | sed -n 's/.*"Dir": "\(.*\)".*/\1/p')"
  work="$(mktemp -d)"
  cp -r "$module_src/." "$work/" && chmod -R u+w "$work"
  echo "v$FERRETDB_VERSION" >"$work/build/version/version.txt"
  echo "native-stack" >"$work/build/version/package.txt"
  (cd "$work" && go build -trimpath -o "$FERRETDB_BIN.tmp" ./cmd/ferretdb)
  mv "$FERRETDB_BIN.tmp" "$FERRETDB_BIN"
  rm -rf "$work"
}

# FerretDB stores its data in PostgreSQL: on its SQLite backend an update scans the whole collection
# (figures in docs/benchmarks.md).
install_postgres() {
  postgres_bin >/dev/null && return 0
  if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null; then
    log "PostgreSQL is required (FerretDB's storage): install Debian's 'postgresql' package, then run this again"
    exit 1
  fi
  log "installing PostgreSQL from Debian's packages"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq postgresql >"$LOG_DIR/postgres-install.log" 2>&1 \
    || { log "apt-get install postgresql failed; see $LOG_DIR/postgres-install.log"; exit 1; }
}

command -v java >/dev/null || { log "java (17+) is required for Kafka and Apicurio"; exit 1; }
command -v mvn >/dev/null || { log "mvn is required to fetch Kafka and Apicurio from Maven Central"; exit 1; }

# install.sh kafka: the Kafka jars only (for a broker of a test's own), then their folder on stdout.
if [ "${1:-}" = kafka ]; then
  install_kafka >&2
  echo "$KAFKA_LIBS"
  exit 0
fi

command -v go >/dev/null || { log "go is required to build FerretDB and Jaeger"; exit 1; }

# install.sh ferretdb: FerretDB only (for a server of a test's own), then its path on stdout.
if [ "${1:-}" = ferretdb ]; then
  build_ferretdb >&2
  echo "$FERRETDB_BIN"
  exit 0
fi

install_postgres
# Independent fetches run side by side; the Go builds share one build cache, so they go in turn.
install_kafka & kafka_job=$!
install_apicurio & apicurio_job=$!
build_ferretdb
go_build "$NATIVE_DIR/jaeger" github.com/jaegertracing/jaeger/cmd/jaeger "$JAEGER_BIN"
wait "$kafka_job"
wait "$apicurio_job"
