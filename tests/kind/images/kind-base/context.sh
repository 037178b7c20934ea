# shellcheck shell=bash
# kind's node files from the kind module cache (never committed), and the Go builds.
prepare_context() {
  local ctx=$1 module
  module=$(go_module_dir "sigs.k8s.io/kind@v$KIND_VERSION") || return 1
  cp -r "$module/images/base/files" "$ctx/files"
  chmod -R u+w "$ctx/files"
  mkdir -p "$ctx/bin/cni"
  cp "$ctx"/go/containerd/{containerd,ctr,containerd-shim-runc-v2} "$ctx/go/crictl/crictl" "$ctx/go/runc/runc" "$ctx/bin/"
  cp "$ctx"/go/cni-plugins/{host-local,loopback,ptp,portmap} "$ctx/bin/cni/"
  rm -rf "$ctx/go"
}
