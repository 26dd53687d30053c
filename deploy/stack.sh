#!/usr/bin/env bash
# One entry point for both ways of running the stack:
#   docker: docker compose (docker-compose.yml), when an engine answers;
#   native: deploy/native/*.sh, local processes from the package registries.
# STACK=docker|native|auto chooses (auto by default). Usage: stack.sh up|services-up|down|logs|urls
set -euo pipefail
ROOT_DIR="$(cd "$(dirname "$0")/.." && pwd)"
cd "$ROOT_DIR"

choose_stack() {
  case "${STACK:-auto}" in
    docker | native) echo "$STACK" ;;
    auto) if docker info >/dev/null 2>&1; then echo docker; else echo native; fi ;;
    *) echo "STACK must be docker, native or auto, not '$STACK'" >&2; exit 2 ;;
  esac
}

# WHATSAPP_DEV_MODE on as runtime/whatsapp-settings.ts reads it: 1 or true in any case, spaces or quotes around.
DEV_MODE_ON='^[[:space:]]*(export[[:space:]]+)?WHATSAPP_DEV_MODE[[:space:]]*=[[:space:]]*["'"'"']?[[:space:]]*(1|[Tt][Rr][Uu][Ee])[[:space:]]*["'"'"']?[[:space:]]*$'

# The local quick start: .env.example in development mode, with its public secrets and a key of its own.
ensure_env_file() {
  if [ ! -f .env ]; then
    local key
    key="$(openssl rand -base64 32 2>/dev/null || node -e 'process.stdout.write(require("crypto").randomBytes(32).toString("base64"))')"
    sed -e 's/^WHATSAPP_DEV_MODE=.*/WHATSAPP_DEV_MODE=1/' \
      -e 's/^WHATSAPP_WEBHOOK_VERIFY_TOKEN=.*/WHATSAPP_WEBHOOK_VERIFY_TOKEN=dev-verify-token/' \
      -e 's/^WHATSAPP_APP_SECRET=.*/WHATSAPP_APP_SECRET=dev-app-secret/' \
      -e "s|^CONFIG_ENCRYPTION_KEY=.*|CONFIG_ENCRYPTION_KEY=$key|" .env.example >.env
    chmod 600 .env
    echo "[stack] created .env from .env.example in development mode (WHATSAPP_DEV_MODE=1: dev-app-secret, dev-verify-token) with a new CONFIG_ENCRYPTION_KEY; for real traffic, empty WHATSAPP_DEV_MODE and set real secrets" >&2
  elif grep -Eq '^WHATSAPP_(APP_SECRET|WEBHOOK_VERIFY_TOKEN)=dev-' .env && ! grep -Eq "$DEV_MODE_ON" .env; then
    # A .env written before development mode existed: say why the ingress will refuse to start.
    echo "[stack] .env holds the development secrets (dev-app-secret, dev-verify-token) without WHATSAPP_DEV_MODE=1: the ingress refuses them. Add WHATSAPP_DEV_MODE=1 to .env for development, or set real secrets (docs/operations.md#settings)" >&2
  fi
}

print_urls() {
  cat <<URLS

whatsapp-events is up ($1):
  Webhook (point Meta here)   http://127.0.0.1:3000/api/integrations/webhooks/whatsapp/
  Ingress health              http://127.0.0.1:3000/healthz
  Ingress readiness / metrics http://127.0.0.1:9464/readyz  /metrics
  Projectors (every one)      http://127.0.0.1:3001/healthz  /readyz  /metrics
  Kafka bootstrap             127.0.0.1:9092
  Schema registry (ccompat)   http://127.0.0.1:8081/apis/ccompat/v7
  MongoDB-wire server         mongodb://127.0.0.1:27017
  Jaeger UI                   http://127.0.0.1:16686
  OTLP                        http://127.0.0.1:4318 (HTTP), 127.0.0.1:4317 (gRPC)
Logs: make logs    Stop: make down
URLS
}

mode="$(choose_stack)"
command="${1:-up}"
case "$mode:$command" in
  docker:up) docker compose up -d --wait kafka schema-registry mongodb jaeger ;;
  docker:services-up) ensure_env_file; docker compose up -d --build --wait ;;
  docker:down) docker compose down ;;
  docker:logs) docker compose logs -f ;;
  native:up) ./deploy/native/up.sh ;;
  native:services-up) ensure_env_file; ./deploy/native/services.sh up ;;
  native:down) ./deploy/native/down.sh ;;
  native:logs) tail -n 20 -F .stack/logs/*.log ;;
  *:urls) print_urls "$mode" ;;
  *) echo "usage: stack.sh up|services-up|down|logs|urls" >&2; exit 2 ;;
esac
