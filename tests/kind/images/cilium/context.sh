# shellcheck shell=bash
# Lays out the Go builds (go/cilium, go/cni-plugins) and, from the Cilium module cache, the BPF
# sources the agent compiles at start and the scripts the chart's init containers run.
prepare_context() {
  local ctx=$1 module name
  module=$(cd "$ZT_KIND_DIR/go/cilium" && go list -m -f '{{.Dir}}' github.com/cilium/cilium) || return 1
  mkdir -p "$ctx/bin/agent" "$ctx/scripts"
  for name in cilium-agent cilium-dbg cilium-health cilium-health-responder cilium-bugtool hubble cilium-mount cilium-sysctlfix; do
    cp "$ctx/go/cilium/$name" "$ctx/bin/agent/"
  done
  cp "$ctx/go/cilium/cilium-cni" "$ctx/go/cilium/cilium-operator-generic" "$ctx/go/cilium/hubble-relay" "$ctx/bin/"
  cp "$ctx/go/cni-plugins/loopback" "$ctx/bin/"
  cp -r "$module/bpf" "$ctx/bpf"
  cp "$module/images/runtime/iptables-wrapper-installer.sh" "$module/images/cilium/init-container.sh" \
    "$module/plugins/cilium-cni/install-plugin.sh" "$module/plugins/cilium-cni/cni-uninstall.sh" "$ctx/scripts/"
  chmod -R u+w "$ctx/bpf" "$ctx/scripts" && chmod 755 "$ctx"/scripts/*.sh
  rm -rf "$ctx/go"
}
