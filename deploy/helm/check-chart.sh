#!/usr/bin/env bash
# make chart-check: the Helm chart linted, rendered with the default and the production-like values,
# every rendered resource validated offline (Kubernetes API schemas of KUBERNETES_VERSION; the KEDA and
# prometheus-operator resources against their CRDs), every .env.example variable found in the rendering,
# and the alert rules checked and unit-tested with promtool.
# Tools are built or installed once into the native stack's cache (as deploy/native/install.sh does), so
# every clone on the machine reuses them: helm and promtool with go install, the Python validators in a
# virtualenv of their own, the CRDs with go mod download.
set -euo pipefail
HELM_DIR="$(cd "$(dirname "$0")" && pwd)"
ROOT_DIR="$(cd "$HELM_DIR/../.." && pwd)"
CHART="$HELM_DIR/whatsapp-events"
# shellcheck source=tool-versions.env
. "$HELM_DIR/tool-versions.env"
CACHE_DIR="${WHATSAPP_EVENTS_CACHE:-$HOME/.cache/whatsapp-events}"
HELM="$CACHE_DIR/bin/helm-$HELM_VERSION"
PROMTOOL="$CACHE_DIR/bin/promtool-$PROMTOOL_VERSION"
REQUIREMENTS="$HELM_DIR/chart-check/requirements.txt"
VENV="$CACHE_DIR/chart-check-venv-$(sha256sum "$REQUIREMENTS" | cut -c1-12)"
mkdir -p "$CACHE_DIR/bin"

log() { printf '[chart-check] %s\n' "$*" >&2; }

# go_install PACKAGE VERSION OUTPUT [TAGS]: builds a pinned Go program once.
go_install() {
  local package="$1" version="$2" output="$3" tags="${4:-}" gobin
  [ -x "$output" ] && return 0
  log "building $package@$version with go (minutes the first time; cached in $CACHE_DIR/bin)"
  gobin="$(mktemp -d)"
  GOBIN="$gobin" go install -trimpath -tags "$tags" "$package@$version"
  mv "$gobin/$(basename "$package")" "$output"
  rm -rf "$gobin"
}

install_validators() {
  [ -f "$VENV/.complete" ] && return 0
  log "installing the Python validators into $VENV"
  rm -rf "$VENV"
  python3 -m venv "$VENV"
  "$VENV/bin/pip" install --quiet --disable-pip-version-check -r "$REQUIREMENTS"
  touch "$VENV/.complete"
}

# module_dir MODULE@VERSION: the module's folder in the Go module cache, downloaded when missing.
module_dir() {
  (cd "$HELM_DIR" && go mod download -json "$1") | sed -n 's/.*"Dir": "\(.*\)".*/\1/p'
}

started=$SECONDS
command -v go >/dev/null || { log "go is required to build helm and promtool"; exit 1; }
install_validators &
validators_job=$!
go_install helm.sh/helm/v3/cmd/helm "$HELM_VERSION" "$HELM"
# remove_all_sd leaves out the service-discovery plugins (cloud SDKs), which checking rules does not need.
go_install github.com/prometheus/prometheus/cmd/promtool "$PROMTOOL_VERSION" "$PROMTOOL" remove_all_sd
wait "$validators_job"
keda_dir="$(module_dir "github.com/kedacore/keda/v2@$KEDA_VERSION")"
operator_dir="$(module_dir "github.com/prometheus-operator/prometheus-operator@$PROMETHEUS_OPERATOR_VERSION")"
CRDS=(
  "$keda_dir/config/crd/bases/keda.sh_scaledobjects.yaml"
  "$operator_dir/example/prometheus-operator-crd/monitoring.coreos.com_servicemonitors.yaml"
  "$operator_dir/example/prometheus-operator-crd/monitoring.coreos.com_prometheusrules.yaml"
)
log "tools ready in $((SECONDS - started)) s: helm $HELM_VERSION, promtool $PROMTOOL_VERSION, kubernetes-validate (Kubernetes $KUBERNETES_VERSION), KEDA $KEDA_VERSION and prometheus-operator $PROMETHEUS_OPERATOR_VERSION CRDs"

WORK="$(mktemp -d)"
trap 'rm -rf "$WORK"' EXIT
checks() { "$VENV/bin/python" "$HELM_DIR/chart-check/chart_checks.py" "$@"; }
render() { "$HELM" template whatsapp-events "$CHART" --namespace whatsapp --kube-version "$KUBERNETES_VERSION" "$@"; }

log "helm lint"
"$HELM" lint --strict --quiet "$CHART" --kube-version "$KUBERNETES_VERSION"
"$HELM" lint --strict --quiet "$CHART" --kube-version "$KUBERNETES_VERSION" -f "$CHART/values-production.yaml"

render >"$WORK/default.yaml"
render -f "$CHART/values-production.yaml" >"$WORK/production.yaml"
# The default values with every command's Job on: the only rendering where each variable has its workload.
render --set jobs.rebuild.enabled=true --set jobs.rederive.enabled=true --set jobs.rederive.fromBeginning=true \
  --set 'jobs.templateSync.schedule=0 * * * *' >"$WORK/default-with-jobs.yaml"
for rendering in default production default-with-jobs; do
  log "validating the $rendering rendering"
  checks manifests "$WORK/$rendering.yaml" "$KUBERNETES_VERSION" "${CRDS[@]}"
done

log "every variable of .env.example, with its default, in the default rendering"
checks env "$WORK/default-with-jobs.yaml" "$ROOT_DIR/.env.example"

log "every whatsapp_* series of the alerts and the dashboard is exported"
checks metrics "$CHART/files/alerts.rules.yaml" "$CHART/files/dashboard.json" \
  "$ROOT_DIR/ingress/http/ingress-metrics.ts" "$ROOT_DIR/projector/framework/projector-metrics.ts"

log "the processes of both values files run every projection, and only known ones"
checks projections "$ROOT_DIR/projector/projections/index.ts" "$CHART/values.yaml" "$CHART/values-production.yaml"

log "values the chart must refuse"
refuses() {
  local expected="$1"; shift
  if output="$(render "$@" 2>&1)"; then
    log "FAILED: rendered with $* (expected: $expected)"; exit 1
  fi
  grep -qF "$expected" <<<"$output" || { log "FAILED: $* refused, but not with '$expected': $output"; exit 1; }
  printf '  refused  %s\n' "$*"
}
refuses "exceeds kafka.topicPartitions" --set projector.autoscaling.maxReplicaCount=4
refuses "names one projection's group" --set 'projector.processes[0].name=all' \
  --set 'projector.processes[0].projections={status,conversation}' --set 'projector.processes[0].consumerGroup=g'
refuses "set exactly one of since" --set jobs.rederive.enabled=true

log "promtool check rules, promtool test rules"
"$PROMTOOL" check rules "$CHART/files/alerts.rules.yaml"
(cd "$CHART/tests" && "$PROMTOOL" test rules alerts.test.yaml)

log "passed in $((SECONDS - started)) s"
