#!/usr/bin/env bash
# Starts the project's own services (compiled to dist/ by `npm run build`) as local processes,
# each with a pid file and a log beside the stack's, and waits until each answers /readyz on its
# operations port (the ingress's OPS_PORT; the projectors serve /readyz on their own port).
set -euo pipefail
. "$(dirname "$0")/common.sh"

# name:entry:port:projections:operations port for every service that exists in dist/. One projector
# process runs every projection (PROJECTIONS empty); docs/operations.md says when and how to split them.
services=(
  "ingress:dist/ingress/main.js:3000::9464"
  "projector:dist/projector/main.js:3001::3001"
)

for service in "${services[@]}"; do
  IFS=: read -r name entry port projections operations_port <<<"$service"
  [ -f "$ROOT_DIR/$entry" ] || continue
  if http_ok "http://127.0.0.1:$port/healthz"; then log "$name already answers on $port"; continue; fi
  (cd "$ROOT_DIR" && PORT="$port" OPS_PORT="$operations_port" PROJECTIONS="$projections" start_process "$name" node --enable-source-maps --max-semi-space-size=16 "$entry")
done
for service in "${services[@]}"; do
  IFS=: read -r name entry _ _ operations_port <<<"$service"
  [ -f "$ROOT_DIR/$entry" ] || continue
  wait_for "$name" 90 "$LOG_DIR/$name.log" http_ok "http://127.0.0.1:$operations_port/readyz"
done
