# shellcheck shell=bash
# shellcheck disable=SC2154 # the colour variables (_c_*) are set by common.sh
# Kind mode: a kind cluster with Cilium (mutual authentication, Hubble), the project's SPIRE,
# PostgreSQL, OpenBao and the two apps. Sourced after common.sh and identity.sh.
#
# Every step looks before it acts, so a second run changes nothing and is quick: the cluster is
# created only when missing, a Helm release is installed or upgraded only when its chart version
# or values changed (their fingerprint is kept in the cluster, ConfigMap kube-system/zt-demo-setup),
# OpenBao is initialised once and unsealed only when sealed, images are built only for a new
# revision, and `kubectl apply` leaves unchanged objects alone.

# shellcheck source=../../infrastructure/versions.env
source "$ZT_REPO_ROOT/infrastructure/versions.env"
# shellcheck source=openbao.sh
source "$ZT_REPO_ROOT/scripts/lib/openbao.sh"

ZT_KIND_CLUSTER=zt-demo
ZT_KIND_CONTEXT=kind-$ZT_KIND_CLUSTER
: "${ZT_KIND_SECRETS_DIR:=$ZT_REPO_ROOT/.secrets}"
# How messages name the secrets directory: .secrets/ in the clone, else its path.
ZT_KIND_SECRETS_NAME=${ZT_KIND_SECRETS_DIR#"$ZT_REPO_ROOT"/}/
: "${ZT_KIND_WORK_DIR:=$ZT_REPO_ROOT/.kind}"
: "${ZT_KIND_TIMEOUT:=600}"
: "${ZT_KIND_APP_PORT:=3000}"
: "${ZT_KIND_APP_URL:=http://localhost:$ZT_KIND_APP_PORT}"
ZT_KIND_STATE_CONFIGMAP=zt-demo-setup

# Overrides for machines that cannot take the default path: no access to the Helm repositories
# or to a registry, or a host that needs different kubelet or chart settings (docs/kind.md,
# "Overrides" table). Unset, setup runs exactly what kind-config.yaml and the values files say.
#   ZT_KIND_NODE_IMAGE    node image for every node instead of kind-config.yaml's kindest/node
#   ZT_KIND_CONFIG_PATCH  a file of kind config fields (kubeadmConfigPatches, containerdConfigPatches)
#                         added to kind-config.yaml
#   ZT_CHART_DIR          a directory of chart archives <chart>-<version>.tgz used instead of the
#                         Helm repositories (the same charts, e.g. fetched with `helm pull` elsewhere)
#   ZT_KIND_EXTRA_VALUES  a directory of <release>.yaml files applied after the project's values
#   ZT_CNPG_MANIFEST      a file with CloudNativePG's release manifest, used instead of fetching it
#                         from GitHub (the same file, e.g. downloaded elsewhere)
: "${ZT_KIND_NODE_IMAGE:=}" "${ZT_KIND_CONFIG_PATCH:=}" "${ZT_CHART_DIR:=}" "${ZT_KIND_EXTRA_VALUES:=}" "${ZT_CNPG_MANIFEST:=}"

CILIUM_REPO=https://helm.cilium.io/
SPIRE_REPO=https://spiffe.github.io/helm-charts-hardened/
OPENBAO_REPO=https://openbao.github.io/openbao-helm

# Cluster-internal addresses of kind mode (the connection facts OpenBao's configuration takes).
ZT_KIND_OIDC_SERVICE=zt-spire-spiffe-oidc-discovery-provider.spire-server.svc.cluster.local
ZT_KIND_PG_HOST=postgres.data.svc.cluster.local

kube() { kubectl --context "$ZT_KIND_CONTEXT" "$@"; }
kube_helm() { helm --kube-context "$ZT_KIND_CONTEXT" "$@"; }

# How many things this run changed; none means the run found everything in place.
ZT_KIND_CHANGES=0
changed() { ZT_KIND_CHANGES=$((ZT_KIND_CHANGES + 1)); }

# kube_apply ARGS...: kubectl apply when `kubectl diff` (a server-side dry run) finds a difference,
# counting it as a change. Asking the server first matters: client-side apply re-sends some
# objects that did not change (a StatefulSet's volumeClaimTemplates, which the server fills in)
# and would report them "configured" on every run.
kube_apply() {
  local status=0
  kube diff "$@" >/dev/null 2>&1 || status=$?
  ((status == 0)) && return 0
  kube apply "$@" >/dev/null || return 1
  changed
}

# ---------------------------------------------------------------------------------------------
# 1. Preflight

# version_of TOOL: the x.y.z version a command-line tool reports, or nothing.
version_of() {
  local out
  case "$1" in
    kind) out=$(kind version 2>/dev/null) ;;
    kubectl) out=$(kubectl version --client 2>/dev/null) ;;
    helm) out=$(helm version --short 2>/dev/null) ;;
    hubble) out=$(hubble version 2>/dev/null) ;;
  esac
  grep -oE '[0-9]+\.[0-9]+\.[0-9]+' <<<"$out" | head -n1 || true
}

# minor_of 1.36.1 -> 1.36, for comparisons where a patch release makes no difference.
minor_of() { cut -d. -f1,2 <<<"$1"; }


kind_preflight() {
  local -A pins=([kind]=$KIND_VERSION [kubectl]=$KUBECTL_VERSION [helm]=$HELM_VERSION
    [hubble]=$HUBBLE_CLI_VERSION)
  local -A hints=(
    [docker]="https://docs.docker.com/get-docker/"
    [kind]="https://kind.sigs.k8s.io/docs/user/quick-start/#installation (or: go install sigs.k8s.io/kind@v$KIND_VERSION)"
    [kubectl]="https://kubernetes.io/docs/tasks/tools/#kubectl (v$KUBECTL_VERSION)"
    [helm]="https://helm.sh/docs/intro/install/ (v$HELM_VERSION)"
    [hubble]="https://github.com/cilium/hubble/releases/tag/v$HUBBLE_CLI_VERSION"
    [jq]="apt-get install jq / brew install jq" [curl]="apt-get install curl / brew install curl"
    [openssl]="apt-get install openssl / brew install openssl" [git]="apt-get install git / brew install git"
  )
  local tool problems=() version
  for tool in docker kind kubectl helm hubble jq curl openssl git; do
    if ! have "$tool"; then
      problems+=("$tool is missing: ${hints[$tool]}")
      continue
    fi
    [[ -n "${pins[$tool]:-}" ]] || continue
    version=$(version_of "$tool")
    if [[ -z "$version" ]]; then
      warn "could not tell which version of $tool this is (zt-demo is tested with v${pins[$tool]})"
    elif version_lt "$(minor_of "$version")" "$(minor_of "${pins[$tool]}")"; then
      problems+=("$tool v$version is older than v${pins[$tool]}: ${hints[$tool]}")
    elif [[ "$version" != "${pins[$tool]}" ]]; then
      warn "$tool v$version (zt-demo is tested with v${pins[$tool]})"
    else
      ok "$tool v$version"
    fi
  done
  if ((${#problems[@]})); then
    printf '%serror:%s kind mode needs these tools first:\n' "$_c_red" "$_c_off" >&2
    printf '  - %s\n' "${problems[@]}" >&2
    printf '%shint:%s  install them and run scripts/setup.sh again, or use local mode: scripts/setup.sh --local\n' "$_c_yellow" "$_c_off" >&2
    exit 1
  fi
  docker info >/dev/null 2>&1 || die "Docker does not answer (docker info failed)" "start Docker, or use local mode: scripts/setup.sh --local"
  kind_resource_check
  kind_overrides_check
}

# The overrides in use, named so that a run with them never looks like the default path.
kind_overrides_check() {
  if [[ -n "$ZT_CHART_DIR" ]]; then
    [[ -d "$ZT_CHART_DIR" ]] || die "ZT_CHART_DIR=$ZT_CHART_DIR is not a directory" "point it at a directory of chart archives (<chart>-<version>.tgz)"
    info "override: charts from $ZT_CHART_DIR instead of the Helm repositories"
  fi
  if [[ -n "$ZT_KIND_EXTRA_VALUES" ]]; then
    [[ -d "$ZT_KIND_EXTRA_VALUES" ]] || die "ZT_KIND_EXTRA_VALUES=$ZT_KIND_EXTRA_VALUES is not a directory" "point it at a directory of <release>.yaml files"
    local file names=()
    for file in "$ZT_KIND_EXTRA_VALUES"/*.yaml; do [[ -f "$file" ]] && names+=("$(basename "$file")"); done
    info "override: extra Helm values from $ZT_KIND_EXTRA_VALUES (${names[*]:-none})"
  fi
  if [[ -n "$ZT_KIND_CONFIG_PATCH" ]]; then
    [[ -f "$ZT_KIND_CONFIG_PATCH" ]] || die "ZT_KIND_CONFIG_PATCH=$ZT_KIND_CONFIG_PATCH is not a file" "point it at a YAML file of kind config fields"
    info "override: kind config fields from $ZT_KIND_CONFIG_PATCH"
  fi
  [[ -z "$ZT_KIND_NODE_IMAGE" ]] || info "override: node image $ZT_KIND_NODE_IMAGE"
  if [[ -n "$ZT_CNPG_MANIFEST" ]]; then
    [[ -f "$ZT_CNPG_MANIFEST" ]] || die "ZT_CNPG_MANIFEST=$ZT_CNPG_MANIFEST is not a file" "point it at CloudNativePG's release manifest cnpg-$CNPG_VERSION.yaml"
    info "override: CloudNativePG's manifest from $ZT_CNPG_MANIFEST instead of GitHub"
  fi
  return 0
}

# Two SPIRE stacks, Cilium with Hubble, OpenBao, PostgreSQL and the apps want about 4 CPUs and
# 8 GiB for Docker; less works slowly or not at all.
kind_resource_check() {
  local cpus mem_bytes watches
  read -r cpus mem_bytes < <(docker info --format '{{.NCPU}} {{.MemTotal}}' 2>/dev/null || echo "0 0")
  if ((cpus > 0 && cpus < 4)) || ((mem_bytes > 0 && mem_bytes < 7 * 1024 * 1024 * 1024)); then
    warn "Docker has $cpus CPUs and $((mem_bytes / 1024 / 1024 / 1024)) GiB; zt-demo wants 4 CPUs and 8 GiB (Docker Desktop: Settings > Resources)"
  else
    ok "Docker: $cpus CPUs, $((mem_bytes / 1024 / 1024 / 1024)) GiB"
  fi
  # Many pods watch many files; kind's known issue "too many open files" comes from these limits.
  if [[ -r /proc/sys/fs/inotify/max_user_watches ]]; then
    watches=$(</proc/sys/fs/inotify/max_user_watches)
    ((watches >= 524288)) || warn "fs.inotify.max_user_watches is $watches; raise it: sudo sysctl fs.inotify.max_user_watches=524288 fs.inotify.max_user_instances=512"
  fi
}

# ---------------------------------------------------------------------------------------------
# Waiting, with a diagnosis when something does not come up

# diagnose NAMESPACE: what is wrong in a namespace (pod states, events and last log lines of the
# pods that are not ready), printed to stderr before giving up.
diagnose() {
  local ns=$1 pod
  printf '%s--- pods in %s ---%s\n' "$_c_dim" "$ns" "$_c_off" >&2
  kube -n "$ns" get pods -o wide >&2 2>&1 || true
  for pod in $(kube -n "$ns" get pods -o json 2>/dev/null |
    jq -r '.items[] | select(any(.status.conditions[]?; .type == "Ready" and .status != "True")) | .metadata.name'); do
    printf '%s--- %s/%s: events ---%s\n' "$_c_dim" "$ns" "$pod" "$_c_off" >&2
    kube -n "$ns" describe pod "$pod" 2>&1 | sed -n '/^Events:/,$p' | tail -n 12 >&2 || true
    printf '%s--- %s/%s: last log lines ---%s\n' "$_c_dim" "$ns" "$pod" "$_c_off" >&2
    kube -n "$ns" logs "$pod" --all-containers --tail=15 2>&1 | sed 's/^/  /' >&2 || true
  done
}

give_up() {
  local ns=$1 what=$2
  diagnose "$ns"
  die "$what is not ready (what is wrong is shown above)" \
    "fix it and run scripts/setup.sh again (it continues where it stopped); for a clean start: scripts/teardown.sh --kind"
}

# wait_rollouts NAMESPACE [KIND/NAME...]: every named workload (default: all in the namespace) rolled out.
wait_rollouts() {
  local ns=$1 workload
  shift
  local workloads=("$@")
  ((${#workloads[@]})) || mapfile -t workloads < <(kube -n "$ns" get deployments,daemonsets,statefulsets -o name)
  for workload in "${workloads[@]}"; do
    kube -n "$ns" rollout status "$workload" --timeout="${ZT_KIND_TIMEOUT}s" >/dev/null 2>&1 || give_up "$ns" "$workload in $ns"
  done
  ok "$ns: ${workloads[*]#*/} ready"
}

# ---------------------------------------------------------------------------------------------
# 2. The cluster

# .kind/kind-config.yaml: kind-config.yaml with the app's host port, and the overrides if any
# (ZT_KIND_NODE_IMAGE, ZT_KIND_CONFIG_PATCH). Without them it is kind-config.yaml as committed.
write_kind_config() {
  local config="$ZT_KIND_WORK_DIR/kind-config.yaml"
  sed -e "s|^\( *hostPort:\) 3000\b|\1 $ZT_KIND_APP_PORT|" \
    -e "s|^\( *image:\) kindest/node:.*|\1 ${ZT_KIND_NODE_IMAGE:-$KIND_NODE_IMAGE}|" \
    "$ZT_REPO_ROOT/kind-config.yaml" >"$config"
  if [[ -n "$ZT_KIND_CONFIG_PATCH" ]]; then
    printf '\n# Added from ZT_KIND_CONFIG_PATCH=%s\n' "$ZT_KIND_CONFIG_PATCH" >>"$config"
    cat "$ZT_KIND_CONFIG_PATCH" >>"$config"
  fi
}

kind_cluster() {
  if kind get clusters 2>/dev/null | grep -qx "$ZT_KIND_CLUSTER"; then
    # A kubeconfig other than the one the cluster was made with (another KUBECONFIG, a new
    # machine account) lacks the context: kind writes it again from the cluster itself.
    if ! kubectl config get-contexts "$ZT_KIND_CONTEXT" >/dev/null 2>&1; then
      kind export kubeconfig --name "$ZT_KIND_CLUSTER" >/dev/null 2>&1 &&
        ok "context $ZT_KIND_CONTEXT written again into ${KUBECONFIG:-~/.kube/config}"
    fi
    kube get nodes >/dev/null 2>&1 ||
      die "the kind cluster $ZT_KIND_CLUSTER exists but its API server does not answer" \
        "are its containers running (docker ps -a --filter name=$ZT_KIND_CLUSTER)? or start over: scripts/teardown.sh --kind"
    ok "cluster $ZT_KIND_CLUSTER exists (context $ZT_KIND_CONTEXT)"
    return
  fi
  if (exec 3<>"/dev/tcp/127.0.0.1/$ZT_KIND_APP_PORT") 2>/dev/null; then
    die "port $ZT_KIND_APP_PORT is taken on this machine; the cluster maps the app to $ZT_KIND_APP_URL" \
      "stop what listens there (local mode? scripts/teardown.sh --local), or choose another port: ZT_KIND_APP_PORT=3001 scripts/setup.sh --kind"
  fi
  write_kind_config
  info "creating kind cluster $ZT_KIND_CLUSTER (1 control plane, 2 workers; no CNI until Cilium)"
  kind create cluster --config "$ZT_KIND_WORK_DIR/kind-config.yaml" >"$ZT_KIND_WORK_DIR/kind-create.log" 2>&1 ||
    { show_log_tail "$ZT_KIND_WORK_DIR/kind-create.log"; die "kind could not create the cluster" "see the log above; Docker needs about 4 CPUs and 8 GiB"; }
  changed
  ok "cluster $ZT_KIND_CLUSTER created"
}

# ---------------------------------------------------------------------------------------------
# Helm releases that are installed only when something changed

recorded_fingerprint() {
  kube -n kube-system get configmap "$ZT_KIND_STATE_CONFIGMAP" -o json 2>/dev/null | jq -r --arg k "$1" '.data[$k] // empty' || true
}

record_fingerprint() {
  local patch
  patch=$(jq -nc --arg k "$1" --arg v "$2" '{data: {($k): $v}}')
  kube -n kube-system patch configmap "$ZT_KIND_STATE_CONFIGMAP" --type merge -p "$patch" >/dev/null 2>&1 ||
    kube -n kube-system create configmap "$ZT_KIND_STATE_CONFIGMAP" --from-literal="$1=$2" >/dev/null
}

# helm_release RELEASE NAMESPACE REPO CHART VERSION [VALUES_FILE...]: installs or upgrades the
# release unless it is deployed with this chart version and these values already. Sets
# HELM_RELEASE_ACTION to installed, upgraded or unchanged.
helm_release() {
  local release=$1 ns=$2 repo=$3 chart=$4 version=$5
  shift 5
  local args=() file fingerprint status source=()
  local files=("$@")
  if [[ -n "$ZT_KIND_EXTRA_VALUES" && -f "$ZT_KIND_EXTRA_VALUES/$release.yaml" ]]; then
    files+=("$ZT_KIND_EXTRA_VALUES/$release.yaml")
  fi
  if [[ -n "$ZT_CHART_DIR" ]]; then
    source=("$ZT_CHART_DIR/$chart-$version.tgz")
    [[ -f "${source[0]}" ]] || die "ZT_CHART_DIR has no ${source[0]##*/}" "put the chart archive there (helm pull $chart --repo $repo --version $version)"
  else
    source=("$chart" --repo "$repo" --version "$version")
  fi
  fingerprint="$chart $version"
  for file in "${files[@]}"; do
    args+=(--values "$file")
    fingerprint+=$'\n'$(<"$file")
  done
  fingerprint=$(sha256sum <<<"$fingerprint" | cut -c1-16)
  status=$(kube_helm status "$release" --namespace "$ns" -o json 2>/dev/null | jq -r '.info.status // empty' || true)
  if [[ "$status" == deployed && "$(recorded_fingerprint "$release")" == "$fingerprint" ]]; then
    HELM_RELEASE_ACTION=unchanged
    ok "$release: chart $chart $version, already installed with these values"
    return
  fi
  HELM_RELEASE_ACTION=$([[ -n "$status" ]] && echo upgraded || echo installed)
  info "helm: $release ($chart $version) in namespace $ns"
  kube_helm upgrade --install "$release" "${source[@]}" \
    --namespace "$ns" --create-namespace "${args[@]}" >"$ZT_KIND_WORK_DIR/helm-$release.log" 2>&1 ||
    { show_log_tail "$ZT_KIND_WORK_DIR/helm-$release.log"; die "helm could not install $release ($chart $version)" \
      "see the log above; is ${ZT_CHART_DIR:-$repo} reachable? then run scripts/setup.sh again"; }
  record_fingerprint "$release" "$fingerprint"
  changed
  ok "$release: $HELM_RELEASE_ACTION ($chart $version)"
}

# ---------------------------------------------------------------------------------------------
# 3. Cilium

kind_cilium() {
  local wireguard=$1 values=("$ZT_REPO_ROOT/infrastructure/cilium/values.yaml")
  ((wireguard)) && values+=("$ZT_REPO_ROOT/infrastructure/cilium/values-wireguard.yaml")
  helm_release cilium kube-system "$CILIUM_REPO" cilium "$CILIUM_CHART_VERSION" "${values[@]}"
  if [[ "$HELM_RELEASE_ACTION" == upgraded ]]; then
    # Cilium's docs: after changing mutual-auth (or encryption) settings, restart the operator and agents.
    info "restarting the Cilium operator and agents to pick up the changed values"
    kube -n kube-system rollout restart deployment/cilium-operator daemonset/cilium >/dev/null
    changed
  fi
  # The agents, the operator, Hubble Relay (and UI), CoreDNS: all of kube-system rolled out and ready.
  wait_rollouts kube-system
  ok "Cilium is ready$( ((wireguard)) && echo ", with WireGuard encryption")"
  [[ "$HELM_RELEASE_ACTION" != unchanged ]] || heal_expired_agents cilium-spire
  wait_rollouts cilium-spire
}

# After a long laptop sleep the SPIRE agents' credentials may have expired and they cannot
# re-attest on their own; restarting the DaemonSet gets them fresh ones. Only for a release that
# was already installed: fresh agents are not ready either while they wait for their server, and
# restarting them then only delays them.
heal_expired_agents() {
  local ns=$1 ds
  for ds in $(kube -n "$ns" get daemonsets -o json 2>/dev/null |
    jq -r '.items[] | select(.metadata.name | test("agent")) | select((.status.numberReady // 0) < (.status.desiredNumberScheduled // 0)) | .metadata.name'); do
    warn "$ns/$ds has agents that are not ready (after a long sleep their credentials expire): restarting them"
    kube -n "$ns" rollout restart "daemonset/$ds" >/dev/null
    changed
  done
}

# ---------------------------------------------------------------------------------------------
# 4. The project's SPIRE

kind_spire() {
  helm_release spire-crds spire-server "$SPIRE_REPO" spire-crds "$SPIRE_CRDS_CHART_VERSION"
  helm_release zt-spire spire-server "$SPIRE_REPO" spire "$SPIRE_CHART_VERSION" "$ZT_REPO_ROOT/infrastructure/spire/values.yaml"
  [[ "$HELM_RELEASE_ACTION" != unchanged ]] || heal_expired_agents spire-server
  wait_rollouts spire-server
  # The X.509-SVIDs' lifetime: the manifest's, or ZT_X509_SVID_TTL when it differs.
  sed "s/^  ttl: .*/  ttl: $ZT_X509_SVID_TTL/" "$ZT_REPO_ROOT/infrastructure/spire/clusterspiffeids.yaml" >"$ZT_KIND_WORK_DIR/clusterspiffeids.yaml"
  kube_apply -f "$ZT_KIND_WORK_DIR/clusterspiffeids.yaml" ||
    die "the ClusterSPIFFEIDs were refused" "kubectl --context $ZT_KIND_CONTEXT apply -f infrastructure/spire/clusterspiffeids.yaml shows why"
  ok "ClusterSPIFFEIDs: backend, frontend, OpenBao, PostgreSQL (no others); X.509-SVIDs of $ZT_X509_SVID_TTL"
  kind_trust_bundle
}

# The SPIRE trust bundle, in .secrets/spire-bundle.pem: what OpenBao's certificate (and the OIDC
# provider's) must chain to, for setup's and the demo's clients. The CA rotates, so every run
# fetches it again.
kind_trust_bundle() {
  ZT_KIND_TRUST_BUNDLE="$ZT_KIND_SECRETS_DIR/spire-bundle.pem"
  (umask 077 && kube -n spire-server exec zt-spire-server-0 -c spire-server -- \
    /opt/spire/bin/spire-server bundle show -format pem >"$ZT_KIND_TRUST_BUNDLE.new") ||
    give_up spire-server "the SPIRE server's trust bundle"
  mv "$ZT_KIND_TRUST_BUNDLE.new" "$ZT_KIND_TRUST_BUNDLE"
  export BAO_CACERT=$ZT_KIND_TRUST_BUNDLE
}

# ---------------------------------------------------------------------------------------------
# 5. PostgreSQL

# The openbao_admin password (the role OpenBao's database engine signs in as): made once, kept in
# the cluster's Secret and, for OpenBao's configuration, in .secrets/. The Secret wins when both
# exist. (No superuser password: the superuser signs in only over the unix socket.)
ensure_postgres_secret() {
  local keys=(openbao-admin-password) key file secret
  if secret=$(kube -n data get secret postgres-credentials -o json 2>/dev/null); then
    for key in "${keys[@]}"; do
      file="$ZT_KIND_SECRETS_DIR/postgres-$key"
      (umask 077 && jq -j --arg k "$key" '.data[$k] | @base64d' <<<"$secret" >"$file")
    done
    ok "Secret data/postgres-credentials exists (kept)"
    return
  fi
  local args=()
  for key in "${keys[@]}"; do
    file="$ZT_KIND_SECRETS_DIR/postgres-$key"
    # No trailing newline: the Secret holds the file's bytes, byte for byte the password.
    [[ -s "$file" ]] || (umask 077 && openssl rand -hex 24 | tr -d '\n' >"$file")
    args+=(--from-file="$key=$file")
  done
  kube -n data create secret generic postgres-credentials "${args[@]}" >/dev/null
  changed
  ok "Secret data/postgres-credentials created (random passwords, copies in $ZT_KIND_SECRETS_NAME)"
}

# CloudNativePG's release manifest (CRDs, RBAC, the operator and its webhooks), or the file
# ZT_CNPG_MANIFEST names instead: the same manifest on a machine that cannot fetch it.
CNPG_MANIFEST_URL=https://github.com/cloudnative-pg/cloudnative-pg/releases/download/v$CNPG_VERSION/cnpg-$CNPG_VERSION.yaml

kind_cnpg_operator() {
  local manifest=${ZT_CNPG_MANIFEST:-$CNPG_MANIFEST_URL}
  # Server-side: the CRDs are too large for client-side apply's last-applied annotation.
  kube_apply --server-side --force-conflicts -f "$manifest" ||
    die "CloudNativePG's manifest was refused ($manifest)" "kubectl --context $ZT_KIND_CONTEXT apply --server-side -f $manifest shows why"
  wait_rollouts cnpg-system deployment/cnpg-controller-manager
}

# The two Secrets postgres-certificates fills, created empty once: its Role may patch them but not
# create Secrets (creation cannot be limited to a name).
ensure_postgres_tls_secrets() {
  local name type keys
  for name in postgres-tls postgres-ca; do
    kube -n data get secret "$name" >/dev/null 2>&1 && continue
    if [[ "$name" == postgres-tls ]]; then type=kubernetes.io/tls keys='{"tls.crt": "", "tls.key": ""}'; else type=Opaque keys='{"ca.crt": ""}'; fi
    jq -n --arg name "$name" --arg type "$type" --argjson data "$keys" \
      '{apiVersion: "v1", kind: "Secret", type: $type, data: $data,
        metadata: {name: $name, namespace: "data", labels: {"cnpg.io/reload": "true", "app.kubernetes.io/part-of": "zt-demo"}}}' |
      kube create -f - >/dev/null 2>&1 || die "could not create Secret data/$name" "kubectl --context $ZT_KIND_CONTEXT -n data get secret $name shows whether it exists"
    changed
  done
}

# The current primary's pod name (the operator's status).
postgres_primary() { kube -n data get cluster postgres -o jsonpath='{.status.currentPrimary}'; }

# The app's roles, schema and demo users: the SQL files local mode runs, run once on the primary
# through the unix socket (the operator's initdb made the database). The openbao_admin password
# goes in on stdin, never on a command line. "app", the owner the operator's initdb requires,
# is left unable to sign in.
postgres_bootstrap() {
  local primary sql=$ZT_REPO_ROOT/infrastructure/postgres psql=(psql -X -q -v ON_ERROR_STOP=1 -d appdb)
  primary=$(postgres_primary)
  if [[ "$(kube -n data exec "$primary" -c postgres -- "${psql[@]}" -At -c "SELECT count(*) FROM pg_roles WHERE rolname = 'openbao_admin'" 2>/dev/null)" == 1 ]]; then
    ok "database appdb bootstrapped (kept)"
    return
  fi
  { printf '\\set openbao_pw %s\n' "$(cat "$ZT_KIND_SECRETS_DIR/postgres-openbao-admin-password")"
    cat "$sql/bootstrap.sql" "$sql/seed-demo-users.sql"
    echo 'ALTER ROLE app NOLOGIN;'
  } | kube -n data exec -i "$primary" -c postgres -- "${psql[@]}" --single-transaction -f - >/dev/null ||
    give_up data "the bootstrap of database appdb on $primary"
  changed
  ok "database appdb bootstrapped on $primary (roles, schema, the six demo users)"
}

kind_postgres() {
  kind_cnpg_operator
  kube_apply -f "$ZT_REPO_ROOT/infrastructure/postgres/namespace.yaml"
  ensure_postgres_secret
  ensure_postgres_tls_secrets
  kube_apply -k "$ZT_REPO_ROOT/infrastructure/postgres" ||
    die "the PostgreSQL manifests were refused" "kubectl --context $ZT_KIND_CONTEXT apply -k infrastructure/postgres shows why"
  wait_rollouts data deployment/postgres-certificates
  kube_apply -f "$ZT_REPO_ROOT/infrastructure/postgres/cluster.yaml" ||
    die "the PostgreSQL Cluster was refused" "kubectl --context $ZT_KIND_CONTEXT apply -f infrastructure/postgres/cluster.yaml shows why"
  kube -n data wait cluster/postgres --for=condition=Ready --timeout="${ZT_KIND_TIMEOUT}s" >/dev/null 2>&1 ||
    give_up data "PostgreSQL (Cluster data/postgres: a primary and a synchronous standby)"
  ok "data: PostgreSQL ready, primary $(postgres_primary), one synchronous standby"
  postgres_bootstrap
}

# ---------------------------------------------------------------------------------------------
# 6. OpenBao: install, initialise once, unseal whenever sealed
#
# All of it goes through OpenBao's HTTP API over a port-forward, with keys and tokens in request
# bodies read from stdin: never on a command line (where `ps` would show them), never printed.

# A port-forward to OpenBao, spoken to over TLS as https://localhost:PORT (localhost is among the
# DNS names of its X.509-SVID), verified against the SPIRE trust bundle.
openbao_port_forward() {
  [[ -n "${ZT_KIND_BAO_PF_PID:-}" ]] && return
  [[ -n "${ZT_KIND_TRUST_BUNDLE:-}" ]] || kind_trust_bundle
  local port
  port=$(free_local_port 28200 OpenBao)
  kube -n openbao port-forward pod/openbao-0 "$port:8200" >"$ZT_KIND_WORK_DIR/port-forward.log" 2>&1 &
  ZT_KIND_BAO_PF_PID=$!
  ZT_KIND_BAO_ADDR="https://localhost:$port"
  trap kind_cleanup EXIT
  wait_until 60 "a port-forward to OpenBao" curl --cacert "$ZT_KIND_TRUST_BUNDLE" -s -o /dev/null "$ZT_KIND_BAO_ADDR/v1/sys/seal-status" ||
    { show_log_tail "$ZT_KIND_WORK_DIR/port-forward.log"; give_up openbao "a port-forward to OpenBao (over TLS, verified against $ZT_KIND_TRUST_BUNDLE)"; }
}

# stop_background PID: stops a backgrounded subshell and its children, the children first: a
# function run in the background (kube, a loop of docker builds) runs its command as a child of
# the subshell, which would outlive setup (found by the stand-in tests' leak check), and a
# cancelled docker client cancels its build.
stop_background() {
  pkill -P "$1" 2>/dev/null || true
  kill "$1" 2>/dev/null || true
  wait "$1" 2>/dev/null || true
}

stop_openbao_port_forward() {
  [[ -n "${ZT_KIND_BAO_PF_PID:-}" ]] || return 0
  stop_background "$ZT_KIND_BAO_PF_PID"
  ZT_KIND_BAO_PF_PID=""
}

# What setup leaves running when it ends, early or not: the port-forward and any image build.
kind_cleanup() {
  stop_openbao_port_forward
  stop_kind_images
}

# The static seal's key: 32 random bytes, made once, only ever in the Secret openbao/openbao-seal
# (from openssl to kubectl through a pipe: never in a file, on a command line or printed). Every
# OpenBao server mounts it and unseals itself with it. Losing it loses OpenBao's data: a new
# cluster then starts over (scripts/teardown.sh --kind).
ensure_openbao_seal_key() {
  if kube -n openbao get secret openbao-seal >/dev/null 2>&1; then
    ok "Secret openbao/openbao-seal exists (kept: OpenBao's data is encrypted with it)"
    return
  fi
  openssl rand 32 | base64 -w0 |
    jq -R '{apiVersion: "v1", kind: "Secret", type: "Opaque",
            metadata: {name: "openbao-seal", namespace: "openbao", labels: {"app.kubernetes.io/part-of": "zt-demo"}},
            data: {key: .}}' |
    kube create -f - >/dev/null ||
    die "the Secret openbao/openbao-seal could not be created" "kubectl --context $ZT_KIND_CONTEXT -n openbao get secrets shows what is there"
  changed
  ok "Secret openbao/openbao-seal created (OpenBao's static seal key: 32 random bytes, never printed)"
}

# The servers that are Ready: unsealed and answering over verified TLS (the readiness container).
openbao_ready_servers() {
  kube -n openbao get pods -l app.kubernetes.io/name=openbao,component=server -o json |
    jq '[.items[] | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))] | length'
}
openbao_all_ready() { [[ "$(openbao_ready_servers)" == 3 ]]; }

kind_openbao() {
  # spiffe-helper's configuration and the seal key (and their namespace) must be there before
  # OpenBao's pods start.
  kube_apply -f "$ZT_REPO_ROOT/infrastructure/openbao/spiffe-helper.yaml" ||
    die "the ConfigMap openbao/openbao-spiffe-helper was refused" "kubectl --context $ZT_KIND_CONTEXT apply -f infrastructure/openbao/spiffe-helper.yaml shows why"
  ensure_openbao_seal_key
  helm_release openbao openbao "$OPENBAO_REPO" openbao "$OPENBAO_CHART_VERSION" "$ZT_REPO_ROOT/infrastructure/openbao/values.yaml"
  # Not Ready until initialised and unsealed: wait for Running, not Ready. setup initialises the
  # cluster through openbao-0; the other two join it by themselves (retry_join) and unseal.
  wait_until "$ZT_KIND_TIMEOUT" "the OpenBao pod" kube -n openbao get pod openbao-0 || give_up openbao "OpenBao"
  kube -n openbao wait --for=jsonpath='{.status.phase}'=Running pod/openbao-0 --timeout="${ZT_KIND_TIMEOUT}s" >/dev/null 2>&1 ||
    give_up openbao "OpenBao"
  openbao_port_forward
  openbao_unseal
  wait_until "$ZT_KIND_TIMEOUT" "three OpenBao servers unsealed in one Raft cluster" openbao_all_ready ||
    give_up openbao "OpenBao's Raft cluster (3 servers)"
  ok "OpenBao: 3 servers ready in one Raft cluster, $(openbao_active_server) active"
}

openbao_active_server() {
  kube -n openbao get pods -l app.kubernetes.io/name=openbao,openbao-active=true -o jsonpath='{.items[0].metadata.name}' 2>/dev/null || echo "none"
}

openbao_unseal() {
  OPENBAO_UNSEAL_WAIT=$ZT_KIND_TIMEOUT \
    OPENBAO_SEAL_HINT="its key is the Secret openbao/openbao-seal; if that was deleted or replaced, OpenBao's data cannot be decrypted: start over with scripts/teardown.sh --kind && scripts/setup.sh --kind (kubectl --context $ZT_KIND_CONTEXT -n openbao logs openbao-0 shows OpenBao's side)" \
    openbao_init_unseal "$ZT_KIND_BAO_ADDR" "$ZT_KIND_SECRETS_DIR/openbao-init.json" "${ZT_KIND_SECRETS_NAME}openbao-init.json" \
    "kubectl --context $ZT_KIND_CONTEXT -n openbao logs openbao-0" --kind
  [[ "$OPENBAO_ACTION" == none ]] || changed
}

# ---------------------------------------------------------------------------------------------
# 7. Network policies

kind_policies() {
  # The apps' namespace comes with the apps (step 10), but their policies must be in place first:
  # nothing in 99-apps ever runs without them.
  kube_apply -f "$ZT_REPO_ROOT/backend/k8s/namespace.yaml" ||
    die "the namespace 99-apps was refused" "kubectl --context $ZT_KIND_CONTEXT apply -f backend/k8s/namespace.yaml shows why"
  kube_apply -f "$ZT_REPO_ROOT/infrastructure/cilium/policies/" ||
    die "the CiliumNetworkPolicies were refused" "kubectl --context $ZT_KIND_CONTEXT apply -f infrastructure/cilium/policies/ shows why"
  ok "CiliumNetworkPolicies: frontend, backend, openbao, postgres, postgres-certificates (mutual auth on frontend->backend->OpenBao)"
}

# ---------------------------------------------------------------------------------------------
# 8. OpenBao's configuration: the step local mode runs, with kind's connection facts

kind_configure_openbao() {
  # The SPIRE bundle verifies the OIDC provider's serving certificate (JWKS), OpenBao's (this
  # client) and, in the file spiffe-helper keeps inside OpenBao's pod, PostgreSQL's.
  openbao_port_forward
  BAO_ADDR="$ZT_KIND_BAO_ADDR" BAO_CACERT="$ZT_KIND_TRUST_BUNDLE" BAO_TOKEN="$(jq -r .root_token "$ZT_KIND_SECRETS_DIR/openbao-init.json")" \
    "$ZT_REPO_ROOT/infrastructure/openbao/configure.sh" \
    --jwks-url "https://$ZT_KIND_OIDC_SERVICE/keys" --jwks-ca-file "$ZT_KIND_TRUST_BUNDLE" --issuer "$ZT_KIND_JWT_ISSUER" \
    --pg-host "$ZT_KIND_PG_HOST" --pg-sslrootcert /openbao/tls/bundle.pem \
    --pg-admin-password-file "$ZT_KIND_SECRETS_DIR/postgres-openbao-admin-password" \
    --rotation "$ZT_ROTATION_SETTING"
  stop_openbao_port_forward
}

# ---------------------------------------------------------------------------------------------
# 9. Images

# The git revision, plus a hash of uncommitted changes to what goes into the images: never "latest".
image_tag() {
  local rev changes
  rev=$(git -C "$ZT_REPO_ROOT" rev-parse --short=12 HEAD 2>/dev/null) ||
    die "the images are tagged with the git revision, but $ZT_REPO_ROOT is not a git clone" "clone the repository with git"
  local paths=(backend frontend infrastructure/identity.json package.json package-lock.json)
  changes=$(cd "$ZT_REPO_ROOT" && { git diff HEAD --binary -- "${paths[@]}"; git ls-files --others --exclude-standard -z -- "${paths[@]}" | xargs -0r cat; })
  if [[ -n "$changes" ]]; then
    rev="$rev-dirty-$(sha256sum <<<"$changes" | cut -c1-8)"
  fi
  echo "$rev"
}

# The two app images build in the background from the first step on (start_kind_images): most
# of the cluster's steps are waiting for pods, and the builds are minutes of CPU. kind_images waits
# for them, says what was built and loads the images into the nodes.
ZT_KIND_IMAGES_PID="" ZT_KIND_IMAGES_STARTED=0 ZT_KIND_IMAGES_BUILT=()

app_image() { echo "zt-demo/$1:$2"; }

# build_app_image APP TAG: docker build, its output in .kind/build-APP.log.
build_app_image() {
  local app=$1 tag=$2
  # --force-rm: a failed build leaves no stopped container behind.
  docker build --force-rm --build-arg NODE_IMAGE="$NODE_IMAGE" -f "$ZT_REPO_ROOT/$app/Dockerfile" -t "$(app_image "$app" "$tag")" "$ZT_REPO_ROOT" \
    >"$ZT_KIND_WORK_DIR/build-$app.log" 2>&1
}

start_kind_images() {
  local tag=$1 app
  ZT_KIND_IMAGES_BUILT=()
  for app in backend frontend; do
    docker image inspect "$(app_image "$app" "$tag")" >/dev/null 2>&1 || ZT_KIND_IMAGES_BUILT+=("$app")
  done
  ((${#ZT_KIND_IMAGES_BUILT[@]})) || return 0
  local built=${ZT_KIND_IMAGES_BUILT[*]}
  info "building the images of revision $tag in the background meanwhile: ${built// / and } (a few minutes the first time; .kind/build-*.log)"
  ZT_KIND_IMAGES_STARTED=$(date +%s)
  # One after the other: two builds at once would only share the same cores.
  (
    for app in "${ZT_KIND_IMAGES_BUILT[@]}"; do
      build_app_image "$app" "$tag" || exit 1
    done
  ) </dev/null &
  ZT_KIND_IMAGES_PID=$!
}

# Stops the builds when setup ends early.
stop_kind_images() {
  [[ -n "$ZT_KIND_IMAGES_PID" ]] || return 0
  stop_background "$ZT_KIND_IMAGES_PID"
  ZT_KIND_IMAGES_PID=""
}

kind_images() {
  local tag=$1 app
  if [[ -n "$ZT_KIND_IMAGES_PID" ]]; then
    info "waiting for the image builds started at step 1 ($(($(date +%s) - ZT_KIND_IMAGES_STARTED))s ago)"
    # Its status says only that a build failed; which one, the images present say below.
    wait "$ZT_KIND_IMAGES_PID" || true
    ZT_KIND_IMAGES_PID=""
  fi
  for app in backend frontend; do
    if ! docker image inspect "$(app_image "$app" "$tag")" >/dev/null 2>&1; then
      show_log_tail "$ZT_KIND_WORK_DIR/build-$app.log" 25
      die "the $app image did not build (log: .kind/build-$app.log)" "fix the error above and run scripts/setup.sh again"
    elif [[ " ${ZT_KIND_IMAGES_BUILT[*]} " == *" $app "* ]]; then
      changed
      ok "image $(app_image "$app" "$tag") built"
    else
      ok "image $(app_image "$app" "$tag") (built before)"
    fi
  done
  # kind skips nodes that have the image already.
  kind load docker-image --name "$ZT_KIND_CLUSTER" "$(app_image backend "$tag")" "$(app_image frontend "$tag")" \
    >"$ZT_KIND_WORK_DIR/kind-load.log" 2>&1 ||
    { show_log_tail "$ZT_KIND_WORK_DIR/kind-load.log"; die "kind could not load the images into the cluster" "run scripts/setup.sh again"; }
  ok "images loaded into the cluster's nodes"
}

# ---------------------------------------------------------------------------------------------
# 10. The apps

# The manifests of backend/k8s and frontend/k8s with this revision's image tags and the rotation
# setting, through a generated kustomize overlay (.kind/apps) so the committed files stay as they
# are. The settings ConfigMap's name carries a hash of its content, so a changed setting rolls the
# backend out again.
write_apps_overlay() {
  local tag=$1 root
  mkdir -p "$ZT_KIND_WORK_DIR/apps"
  # kustomize takes only relative paths to other kustomizations.
  root=$(relative_path "$ZT_KIND_WORK_DIR/apps" "$ZT_REPO_ROOT")
  cat >"$ZT_KIND_WORK_DIR/apps/kustomization.yaml" <<EOF
# Generated by scripts/setup.sh: backend/k8s and frontend/k8s with the images of revision $tag.
apiVersion: kustomize.config.k8s.io/v1beta1
kind: Kustomization
resources:
  - $root/backend/k8s
  - $root/frontend/k8s
images:
  - name: zt-demo/backend
    newTag: "$tag"
  - name: zt-demo/frontend
    newTag: "$tag"
configMapGenerator:
  - name: backend-settings
    namespace: "99-apps"
    literals:
      - DB_ROTATE_INTERVAL=$ZT_DB_ROTATION_INTERVAL
EOF
}

kind_apps() {
  local tag=$1
  write_apps_overlay "$tag"
  kube_apply -k "$ZT_KIND_WORK_DIR/apps" ||
    die "the app manifests were refused" "kubectl --context $ZT_KIND_CONTEXT apply -k .kind/apps shows why"
  wait_rollouts 99-apps deployment/backend deployment/frontend
}

# ---------------------------------------------------------------------------------------------
# 11. Smoke tests

kind_smoke() {
  local entries
  entries=$(kube -n spire-server exec zt-spire-server-0 -c spire-server -- \
    /opt/spire/bin/spire-server entry show -spiffeID "$ZT_BACKEND_SPIFFE_ID" 2>/dev/null | grep -c '^Entry ID' || true)
  ((entries >= 1)) || give_up spire-server "the backend's SPIRE registration entry"
  # The controller manager registers each pod: one entry per backend replica.
  ok "SPIRE: $entries registration $( ((entries == 1)) && echo entry || echo entries) for $ZT_BACKEND_SPIFFE_ID (one per backend replica)"
  ok "backend ready: logged in to OpenBao with its JWT-SVID and querying PostgreSQL (its readiness probe)"
  wait_until 60 "the app answering on $ZT_KIND_APP_URL" curl -fsS -o /dev/null "$ZT_KIND_APP_URL/login" ||
    give_up 99-apps "the app on $ZT_KIND_APP_URL"
  ok "the app answers on $ZT_KIND_APP_URL"
}

print_kind_summary() {
  cat <<EOF

${_c_bold}zt-demo is running on kind$([[ "$1" == 1 ]] && echo " (it already was: nothing changed)").${_c_off}

  The app                ${_c_bold}$ZT_KIND_APP_URL${_c_off}
  Demo users             jake/jake99 amy/amy99 rosa/rosa99 charles/charles99 (users)
                         terry/terry99 gina/gina99 (admins)

  Cluster                kind $ZT_KIND_CLUSTER (kubectl --context $ZT_KIND_CONTEXT)
  Workload identity      $ZT_BACKEND_SPIFFE_ID
  Database leases        $(rotation_summary)
  OpenBao secrets        ${ZT_KIND_SECRETS_NAME}openbao-init.json (recovery key and root token; keep it private; OpenBao unseals itself)
  Network flows          scripts/hubble.sh flows   (drops, verdicts, export; UI: scripts/hubble.sh ui)

  Next                   ${_c_bold}scripts/demo.sh${_c_off}   (a guided tour; --auto checks every step)
  Stop everything        scripts/teardown.sh --kind
EOF
}
