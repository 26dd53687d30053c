#!/usr/bin/env bash
# Stops exactly the processes the native stack started (by their pid files), services first.
set -euo pipefail
. "$(dirname "$0")/common.sh"
for name in "$@"; do stop_process "$name"; done
[ "$#" -gt 0 ] && exit 0
for f in "$RUN_DIR"/*.pid; do
  [ -e "$f" ] || continue
  name="$(basename "$f" .pid)"
  case "$name" in kafka | apicurio | ferretdb | postgres | jaeger) ;; *) stop_process "$name" ;; esac
done
for name in apicurio ferretdb postgres jaeger kafka; do stop_process "$name"; done
