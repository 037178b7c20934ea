# shellcheck shell=bash
# The Go programs the kind suite's images and tools are made of, built on this machine from the
# Go module proxy at the pinned versions. Sourced after tests/kind/lib.sh.
#
# One function per component: gobuild_<name> OUT builds its binaries into the directory OUT.
# go_component NAME builds NAME once and prints its output directory, which is keyed by the
# function's own text, the component's wrapper module (tests/kind/go/<name>/, when it has one) and
# the Go version, so a changed recipe or pin builds again and an unchanged one never does.
#
# Two ways to build:
#   - go_install OUT CGO LDFLAGS PKG@VERSION...: modules that `go install` accepts as they are
#     (build tags in GO_TAGS);
#   - go_wrapper WRAPPER OUT CGO TAGS LDFLAGS NAME=PKG...: a wrapper module in tests/kind/go/ that
#     requires the upstream module, for modules that `go install` refuses (replace directives in
#     their go.mod, or a version list the proxy does not serve) or that need extra pins. Its go.sum
#     pins every dependency (-mod=readonly).
# Upstream files an image needs besides binaries (BPF sources, kind's node files, the pause
# source) are read from the Go module cache by the image builds, never committed.

ZT_GO_BUILDS_DIR="$ZT_KIND_DIR/go"

go_install() {
  local out=$1 cgo=$2 ldflags=$3
  shift 3
  GOTOOLCHAIN=local GOBIN="$out" CGO_ENABLED=$cgo go install -trimpath -tags "${GO_TAGS:-}" -ldflags "$ldflags" "$@"
}

go_wrapper() {
  local wrapper=$1 out=$2 cgo=$3 tags=$4 ldflags=$5 work
  shift 5
  # go build never writes into the repository: it runs in a copy of the wrapper module.
  work="$ZT_KIND_CACHE/go/work/$wrapper"
  rm -rf "$work" && mkdir -p "$work"
  cp -r "$ZT_GO_BUILDS_DIR/$wrapper/." "$work/"
  local spec name pkg
  for spec in "$@"; do
    name=${spec%%=*} pkg=${spec#*=}
    (cd "$work" && GOTOOLCHAIN=local CGO_ENABLED=$cgo go build -mod=readonly -trimpath -tags "$tags" \
      -ldflags "$ldflags" -o "$out/$name" "$pkg") || return 1
  done
}

# The module cache directory of MODULE@VERSION (downloaded if missing), for upstream files.
go_module_dir() {
  GOFLAGS=-mod=mod GONOSUMDB=${GONOSUMDB:-} go mod download -json "$1" | jq -r '.Dir // empty'
}

# ---------------------------------------------------------------------------------------------
# Kubernetes and the kind node

gobuild_kubernetes() {
  local pkg ldflags="-s -w"
  for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
    ldflags+=" -X $pkg.gitVersion=v$KUBECTL_VERSION -X $pkg.gitMajor=${KUBECTL_VERSION%%.*}"
    ldflags+=" -X $pkg.gitMinor=$(cut -d. -f2 <<<"$KUBECTL_VERSION") -X $pkg.gitTreeState=clean"
  done
  local specs=()
  for pkg in kubeadm kubelet kube-apiserver kube-controller-manager kube-scheduler kubectl; do
    specs+=("$pkg=k8s.io/kubernetes/cmd/$pkg")
  done
  go_wrapper kubernetes "$1" 0 "" "$ldflags" "${specs[@]}"
}

# etcd's go.mod replaces its sibling modules with local paths, so `go install` refuses it.
gobuild_etcd() { go_wrapper etcd "$1" 0 "" "-s -w" etcd=go.etcd.io/etcd/server/v3; }

gobuild_coredns() { go_install "$1" 0 "-s -w" github.com/coredns/coredns@v1.14.2; }

# The snapshotters kind never selects are left out, as kind's own base image does.
gobuild_containerd() {
  local pkg=github.com/containerd/containerd/v2
  GO_TAGS="no_aufs no_zfs no_btrfs no_devmapper" go_install "$1" 0 "-s -w -X $pkg/version.Version=v2.3.1" \
    "$pkg/cmd/containerd@v2.3.1" "$pkg/cmd/ctr@v2.3.1" "$pkg/cmd/containerd-shim-runc-v2@v2.3.1"
}

# runc needs cgo for seccomp (Debian's libseccomp-dev on the build machine).
gobuild_runc() {
  ensure_commands pkg-config
  dpkg -s libseccomp-dev >/dev/null 2>&1 || { can_apt_install && apt_install libseccomp-dev; }
  GO_TAGS=seccomp go_install "$1" 1 "-s -w -X main.version=1.4.2" github.com/opencontainers/runc@v1.4.2
}

gobuild_crictl() {
  go_install "$1" 0 "-s -w -X sigs.k8s.io/cri-tools/pkg/version.Version=v1.36.0" sigs.k8s.io/cri-tools/cmd/crictl@v1.36.0
}

gobuild_cni_plugins() {
  local ldflags="-s -w -X github.com/containernetworking/plugins/pkg/utils/buildversion.BuildVersion=v1.9.1" pkg
  for pkg in ipam/host-local main/loopback main/ptp meta/portmap; do
    go_install "$1" 0 "$ldflags" "github.com/containernetworking/plugins/plugins/$pkg@v1.9.1" || return 1
  done
}

# kind's default StorageClass. v0.0.33: the module proxy does not serve v0.0.34, which kind
# v0.32.0's image is built from; the checksum database has no entry for either.
gobuild_local_path_provisioner() {
  GONOSUMDB=github.com/rancher go_install "$1" 0 "-s -w -X main.VERSION=v0.0.33" \
    github.com/rancher/local-path-provisioner@v0.0.33
}

# ---------------------------------------------------------------------------------------------
# Cilium

gobuild_cilium() {
  local cilium=github.com/cilium/cilium
  local ldflags="-s -w -X '$cilium/pkg/version.ciliumVersion=$CILIUM_CHART_VERSION zt-demo-tests'"
  go_wrapper cilium "$1" 0 osusergo "$ldflags" \
    "cilium-agent=$cilium/daemon" "cilium-dbg=$cilium/cilium-dbg" "cilium-health=$cilium/cilium-health" \
    "cilium-health-responder=$cilium/cilium-health/responder" "cilium-bugtool=$cilium/bugtool" \
    "hubble=$cilium/hubble" "cilium-mount=$cilium/tools/mount" "cilium-sysctlfix=$cilium/tools/sysctlfix" \
    "cilium-cni=$cilium/plugins/cilium-cni" "hubble-relay=$cilium/hubble-relay" || return 1
  go_wrapper cilium "$1" 0 "osusergo ipam_provider_operator" "$ldflags" \
    "cilium-operator-generic=$cilium/operator"
}

gobuild_hubble_cli() {
  go_wrapper hubble-cli "$1" 0 "" "-s -w -X github.com/cilium/cilium/hubble/pkg.Version=v$HUBBLE_CLI_VERSION" \
    hubble=github.com/cilium/hubble
}

# Cilium's bundled SPIRE, static like the upstream images: the chart's init container runs the
# server binary through /proc/<pid>/root from another container, where no dynamic loader exists.
gobuild_spire_cilium() {
  ensure_commands musl-gcc
  CC=musl-gcc go_wrapper spire-cilium "$1" 1 "" \
    "-s -w -X github.com/spiffe/spire/pkg/common/version.gittag=1.9.6 -linkmode external -extldflags -static" \
    spire-server=github.com/spiffe/spire/cmd/spire-server spire-agent=github.com/spiffe/spire/cmd/spire-agent
}

# ---------------------------------------------------------------------------------------------
# The project's SPIRE chart: what runs beside the server and agent (which come from local mode's
# build of SPIRE $SPIRE_VERSION)

gobuild_spire_controller_manager() {
  go_wrapper spire-controller-manager "$1" 0 "" "-s -w" spire-controller-manager=github.com/spiffe/spire-controller-manager/cmd
}

gobuild_spiffe_helper() {
  go_wrapper spiffe-helper "$1" 0 "" "-s -w" spiffe-helper=github.com/spiffe/spiffe-helper/cmd/spiffe-helper
}

# The chart names 0.2.7, which the module proxy does not serve; v0.2.6 with 0.2.7's dependency
# versions (the wrapper's go.mod) is the same driver, the two differ only in dependency bumps.
gobuild_spiffe_csi() {
  go_wrapper spiffe-csi "$1" 0 "" "-s -w" spiffe-csi-driver=github.com/spiffe/spiffe-csi/cmd/spiffe-csi-driver
}

gobuild_csi_registrar() { go_wrapper csi-registrar "$1" 0 "" "-s -w" csi-node-driver-registrar=zt-demo.test/csi-registrar; }

# ---------------------------------------------------------------------------------------------
# CloudNativePG: one static binary is the operator and, copied into each PostgreSQL pod by the
# operator's bootstrap init container, the instance manager (upstream's image is this binary alone).

gobuild_cloudnative_pg() {
  go_wrapper cloudnative-pg "$1" 0 "" "-s -w" manager=github.com/cloudnative-pg/cloudnative-pg/cmd/manager
}

# ---------------------------------------------------------------------------------------------
# Command-line tools setup.sh expects

gobuild_kind() { go_install "$1" 0 "-s -w" "sigs.k8s.io/kind@v$KIND_VERSION"; }

gobuild_helm() {
  go_install "$1" 0 "-s -w -X helm.sh/helm/v4/internal/version.version=v$HELM_VERSION" \
    "helm.sh/helm/v4/cmd/helm@v$HELM_VERSION"
}

# ---------------------------------------------------------------------------------------------

# go_component NAME: builds component NAME (function gobuild_NAME) unless its cached output is
# current, and prints the output directory. Progress goes to stderr.
go_component() {
  local name=$1 fn="gobuild_${1//-/_}" key out log started
  declare -F "$fn" >/dev/null || die "no Go component $name" "see tests/kind/go/builds.sh"
  key=$( {
    declare -f "$fn"
    go version
    if [[ -d "$ZT_GO_BUILDS_DIR/$name" ]]; then (cd "$ZT_GO_BUILDS_DIR/$name" && find . -type f -print0 | sort -z | xargs -0 sha256sum); fi
  } | sha256sum | cut -c1-12)
  out="$ZT_KIND_CACHE/go/bin/$name-$key"
  if [[ -f "$out/.built" ]]; then
    echo "$out"
    return
  fi
  log="$ZT_KIND_CACHE/go/logs/$name.log"
  mkdir -p "$(dirname "$log")"
  rm -rf "$out" && mkdir -p "$out"
  started=$(date +%s)
  printf '       building %s from Go modules (log: %s)\n' "$name" "$log" >&2
  if ! "$fn" "$out" >"$log" 2>&1; then
    show_log_tail "$log" 20
    die "building $name from Go modules failed (log: $log)" "the Go module proxy must be reachable (go env GOPROXY)"
  fi
  touch "$out/.built"
  printf '       ✓ %s built in %ss\n' "$name" "$(($(date +%s) - started))" >&2
  echo "$out"
}
