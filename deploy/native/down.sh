#!/usr/bin/env bash
# Stops exactly the processes the native stack started (by their pid files), services first.
set -euo pipefail
. "$(dirname "$0")/common.sh"
# A part named on the command line must be running: a fault run that stops nothing must not pass.
for name in "$@"; do
  pid_alive "$name" || { echo "down.sh: $name is not running (no live process in $RUN_DIR/$name.pid)" >&2; exit 1; }
  stop_process "$name"
done
[ "$#" -gt 0 ] && exit 0
for f in "$RUN_DIR"/*.pid; do
  [ -e "$f" ] || continue
  name="$(basename "$f" .pid)"
  case "$name" in kafka | apicurio | ferretdb | postgres | jaeger) ;; *) stop_process "$name" ;; esac
done
for name in apicurio ferretdb postgres jaeger kafka; do stop_process "$name"; done
