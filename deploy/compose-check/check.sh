#!/usr/bin/env bash
# Loads docker-compose.yml as `docker compose` would (compose-go, every profile, .env.example as the env
# file) and fails on any error or warning: main.go. The checker is built once into .tools/compose-check
# and again only when its sources change; Go's module and build caches serve the builds.
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "$0")/../.." && pwd)"
SOURCE_DIR="$ROOT_DIR/deploy/compose-check"
TOOLS_DIR="$ROOT_DIR/.tools/compose-check"

sources_hash="$(cat "$SOURCE_DIR/go.mod" "$SOURCE_DIR/go.sum" "$SOURCE_DIR"/*.go | sha256sum | cut -c1-16)"
checker="$TOOLS_DIR/compose-check-$sources_hash"
if [ ! -x "$checker" ]; then
  command -v go >/dev/null || { echo "[compose-check] go is required to build the compose checker" >&2; exit 1; }
  echo "[compose-check] building the checker (compose-go) into .tools/compose-check" >&2
  mkdir -p "$TOOLS_DIR"
  (cd "$SOURCE_DIR" && go test -buildvcs=false ./... >&2 && go build -buildvcs=false -trimpath -o "$checker.tmp" .)
  mv "$checker.tmp" "$checker"
  for built in "$TOOLS_DIR"/compose-check-*; do [ "$built" = "$checker" ] || rm -f "$built"; done
fi
"$checker" -file "$ROOT_DIR/docker-compose.yml" -env-file "$ROOT_DIR/.env.example"
