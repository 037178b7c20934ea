#!/usr/bin/env bash
# Prepares the kind suite on this machine and writes the environment its tests run with:
#
#   1. checks free disk space for the caches;
#   2. starts the private container engine (tests/kind/engine/engine.sh);
#   3. the CLI tools setup.sh expects, at their pins (tests/kind/tools.sh);
#   4. the four upstream charts at their pins, for machines that cannot reach Helm repositories,
#      and CloudNativePG's release manifest, for machines that cannot reach GitHub;
#   5. the registry-free image set (tests/kind/images/build.sh).
#
# Usage: tests/kind/prepare.sh ENV_FILE [-h|--help]
#
# ENV_FILE gets the variables the suite's tests (and a person reaching the cluster by hand, after
# scripts/test.sh --suite kind --keep) need: DOCKER_HOST, KUBECONFIG, PATH, and the documented
# overrides of scripts/setup.sh --kind that this machine needs.
#
# Environment:
#   ZT_KIND_CACHE        the suite's cache (default ~/.cache/zt-demo/kind)
#   ZT_TEST_CHART_DIR    a directory with the chart archives (default: ../shared/charts beside the
#                        clone or beside the local repository it was cloned from, then the copy in
#                        the cache, then `helm pull` from the repositories)
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=../../scripts/lib/kind.sh
source "$ZT_REPO_ROOT/scripts/lib/kind.sh"

check_disk() {
  local need
  mkdir -p "$ZT_KIND_CACHE"
  need=$(kind_disk_need_gb)
  require_disk "${need%% *}" "$ZT_KIND_CACHE" "${need#* }"
}

# The chart archives, copied into the cache once (checked against their SHA256SUMS), so fresh
# clones anywhere on this machine find them. Looked for before anything is built: a run that
# cannot find them fails in a second instead of after the tools' builds.
CHART_DIR=$ZT_KIND_CACHE/charts
CHARTS=()

find_charts() {
  local from=${ZT_TEST_CHART_DIR:-} origin file missing=()
  CHARTS=("cilium-$CILIUM_CHART_VERSION.tgz" "spire-crds-$SPIRE_CRDS_CHART_VERSION.tgz"
    "spire-$SPIRE_CHART_VERSION.tgz" "openbao-$OPENBAO_CHART_VERSION.tgz")
  if [[ -z "$from" ]]; then
    # A fresh clone in a temporary directory (as CI makes) finds them beside the clone it came from.
    from=$ZT_REPO_ROOT/../shared/charts
    origin=$(git -C "$ZT_REPO_ROOT" config --get remote.origin.url 2>/dev/null || true)
    if [[ ! -d "$from" && -d "$origin/../shared/charts" ]]; then from=$origin/../shared/charts; fi
  fi
  mkdir -p "$CHART_DIR"
  if [[ -d "$from" ]]; then
    if [[ -f "$from/SHA256SUMS" ]]; then
      (cd "$from" && grep -F -e "${CHARTS[0]}" -e "${CHARTS[1]}" -e "${CHARTS[2]}" -e "${CHARTS[3]}" SHA256SUMS | sha256sum -c --quiet) ||
        die "the charts in $from do not match their SHA256SUMS" "fetch them again"
    fi
    for file in "${CHARTS[@]}"; do [[ -f "$from/$file" ]] && cp "$from/$file" "$CHART_DIR/"; done
  fi
  for file in "${CHARTS[@]}"; do [[ -f "$CHART_DIR/$file" ]] || missing+=("$file"); done
  ((${#missing[@]} == 0)) && { ok "charts: ${CHARTS[*]} ($CHART_DIR)"; return; }
  # Without a copy, helm pull (after the tools are built) is the last chance; say so now, before
  # the builds, when the repositories cannot answer anyway.
  curl -fsS --max-time 10 -o /dev/null "${CILIUM_REPO%/}/index.yaml" 2>/dev/null ||
    die "the charts are neither beside the clone ($from) nor in the cache ($CHART_DIR), and the Helm repositories do not answer" \
      "put the archives (${missing[*]}) in a directory and set ZT_TEST_CHART_DIR to it"
  info "charts missing here (${missing[*]}): helm pull fetches them once the tools are built"
}

pull_missing_charts() {
  local file missing=()
  for file in "${CHARTS[@]}"; do [[ -f "$CHART_DIR/$file" ]] || missing+=("$file"); done
  ((${#missing[@]})) || return 0
  info "fetching the charts from their repositories: ${missing[*]}"
  if ! { helm pull cilium --repo "$CILIUM_REPO" --version "$CILIUM_CHART_VERSION" -d "$CHART_DIR" &&
    helm pull spire-crds --repo "$SPIRE_REPO" --version "$SPIRE_CRDS_CHART_VERSION" -d "$CHART_DIR" &&
    helm pull spire --repo "$SPIRE_REPO" --version "$SPIRE_CHART_VERSION" -d "$CHART_DIR" &&
    helm pull openbao --repo "$OPENBAO_REPO" --version "$OPENBAO_CHART_VERSION" -d "$CHART_DIR"; } >/dev/null 2>&1; then
    die "helm pull could not fetch the charts (${missing[*]})" \
      "put the archives in a directory and set ZT_TEST_CHART_DIR to it"
  fi
  ok "charts: ${CHARTS[*]} ($CHART_DIR)"
}

# What earlier runs left in the private engine: a cluster (a run that was killed, or --keep, maybe
# from another clone), stopped containers (of a build that failed), and app images of other
# revisions (each commit builds its own; they would fill the disk). The engine is the suite's own,
# so nothing of the user's is touched; the suite's first run needs a machine without the cluster.
clean_engine() {
  local current refs
  if kind get clusters 2>/dev/null | grep -qx "$ZT_KIND_CLUSTER"; then
    kind delete cluster --name "$ZT_KIND_CLUSTER" >/dev/null 2>&1 ||
      die "could not delete the cluster $ZT_KIND_CLUSTER an earlier run left in the suite's engine" \
        "DOCKER_HOST=$DOCKER_HOST docker ps -a; or start over: tests/kind/engine/engine.sh stop && rm -rf $ZT_KIND_CACHE/engine"
    ok "deleted the cluster $ZT_KIND_CLUSTER an earlier run left in the suite's engine"
  fi
  docker container prune --force >/dev/null
  current=$(image_tag)
  refs=$(docker image ls --format '{{.Repository}}:{{.Tag}}' | grep -E '^zt-demo/(backend|frontend):' | grep -vF ":$current" || true)
  if [[ -n "$refs" ]]; then
    xargs docker image rm >/dev/null <<<"$refs"
    docker image prune --force >/dev/null
    ok "removed $(wc -l <<<"$refs") app images of earlier revisions"
  fi
}

# Port-forwards (kubectl, found by the suite's kubeconfig in their environment) and packet
# captures (tcpdump, found by the suite's capture directories on their command line) that an
# interrupted earlier run left running.
stop_stale_processes() {
  local kubeconfig=$1 pid stale=()
  for pid in $(pgrep -x kubectl 2>/dev/null); do
    tr '\0' '\n' <"/proc/$pid/environ" 2>/dev/null | grep -qxF "KUBECONFIG=$kubeconfig" || continue
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q ' port-forward ' && stale+=("$pid")
  done
  for pid in $(pgrep -x tcpdump 2>/dev/null); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q '/zt-capture-' && stale+=("$pid")
  done
  ((${#stale[@]})) || return 0
  kill "${stale[@]}" 2>/dev/null || true
  ok "stopped ${#stale[@]} port-forwards and captures an earlier run left running (pids ${stale[*]})"
}

# CloudNativePG's release manifest (what setup.sh fetches from GitHub's release assets): the same
# file from the operator's Go module (releases/cnpg-VERSION.yaml), with the one change a
# registry-free cluster needs: the operator's image is pulled IfNotPresent, not Always (the tag is
# pinned, and the image is in every node's containerd).
CNPG_MANIFEST=$ZT_KIND_CACHE/manifests/cnpg-$CNPG_VERSION.yaml

cnpg_manifest() {
  local module
  [[ -s "$CNPG_MANIFEST" ]] && { ok "CloudNativePG manifest: $CNPG_MANIFEST"; return; }
  module=$(cd /tmp && GOFLAGS=-mod=mod go mod download -json "github.com/cloudnative-pg/cloudnative-pg@v$CNPG_VERSION" | jq -r '.Dir // empty') ||
    die "could not download CloudNativePG's Go module v$CNPG_VERSION" "the Go module proxy must be reachable (go env GOPROXY)"
  [[ -f "$module/releases/cnpg-$CNPG_VERSION.yaml" ]] || die "CloudNativePG's module has no releases/cnpg-$CNPG_VERSION.yaml"
  mkdir -p "$(dirname "$CNPG_MANIFEST")"
  sed 's/imagePullPolicy: Always/imagePullPolicy: IfNotPresent/' "$module/releases/cnpg-$CNPG_VERSION.yaml" >"$CNPG_MANIFEST.new"
  mv "$CNPG_MANIFEST.new" "$CNPG_MANIFEST"
  ok "CloudNativePG manifest: $CNPG_MANIFEST"
}

# A loopback port for the app: 3000 unless something (a local stack, say) holds it.
free_app_port() {
  local port
  for port in $(seq 3000 3099); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return; }
  done
  die "no free port in 3000-3099 for the app"
}

main() {
  case "${1:-}" in
    -h | --help) usage_from_header "$0"; exit 0 ;;
    "" | -*) die "say where to write the environment" "tests/kind/prepare.sh ENV_FILE" ;;
  esac
  local env_file=$1 state started
  mkdir -p "$(dirname "$env_file")"
  state=$(cd "$(dirname "$env_file")" && pwd -P)
  env_file="$state/$(basename "$env_file")"
  started=$(date +%s)
  is_root || die "the kind suite runs its own dockerd, which needs root" "run scripts/test.sh as root"
  ensure_commands dockerd docker iptables debootstrap musl-gcc pkg-config python3 jq tcpdump nsenter
  dpkg -s libseccomp-dev >/dev/null 2>&1 || { can_apt_install && apt_install libseccomp-dev; }
  have go || die "the kind suite builds Kubernetes, Cilium and SPIRE from Go modules, and go is missing" "install Go 1.26"

  info "disk"
  check_disk
  info "charts"
  find_charts
  info "private container engine"
  "$ZT_KIND_DIR/engine/engine.sh" start
  eval "$("$ZT_KIND_DIR/engine/engine.sh" env)"
  info "command-line tools"
  local tools_bin
  tools_bin=$("$ZT_KIND_DIR/tools.sh")
  export PATH="$tools_bin:$PATH"
  clean_engine
  stop_stale_processes "$state/kubeconfig"
  pull_missing_charts
  cnpg_manifest
  info "images (tests/kind/images/images.tsv)"
  "$ZT_KIND_DIR/images/build.sh"

  local app_port
  app_port=$(free_app_port)
  cat >"$env_file" <<EOF
# The kind suite's environment (tests/kind/prepare.sh). To reach the suite's cluster by hand:
#   set -a; source $env_file; set +a; kubectl get pods -A
DOCKER_HOST=$DOCKER_HOST
KUBECONFIG=$state/kubeconfig
PATH=$PATH
ZT_KIND_SECRETS_DIR=$state/secrets
ZT_KIND_WORK_DIR=$state/work
ZT_KIND_APP_PORT=$app_port
ZT_KIND_NODE_IMAGE=zt-demo.test/kind-node:v$KUBECTL_VERSION
ZT_CHART_DIR=$CHART_DIR
ZT_CNPG_MANIFEST=$CNPG_MANIFEST
ZT_KIND_EXTRA_VALUES=$ZT_KIND_DIR/overlay/values
ZT_KIND_CONFIG_PATCH=$ZT_KIND_DIR/overlay/kind-config-patch.yaml
# The suite's setting (not a machine's need): X.509-SVIDs of a minute, so every certificate of
# every hop renews (at half-life) several times during the run, under the suite's load.
ZT_X509_SVID_TTL=1m
EOF
  ok "ready in $(($(date +%s) - started))s; environment in $env_file"
}

main "$@"
