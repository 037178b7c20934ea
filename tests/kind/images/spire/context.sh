# shellcheck shell=bash
# The SPIRE binaries go to bin/: the static 1.9.6 build (go=spire-cilium), or local mode's build
# of SPIRE $SPIRE_VERSION (local=spire), which scripts/lib/tools.sh obtains and caches.
prepare_context() {
  local ctx=$1 name
  mkdir -p "$ctx/bin"
  if [[ "${LOCAL:-}" == spire ]]; then
    cp "$ZT_SPIRE_SERVER" "$ZT_SPIRE_AGENT" "$ZT_OIDC_PROVIDER" "$ctx/bin/"
  else
    cp "$ctx"/go/spire-cilium/* "$ctx/bin/"
    # The chart's cilium-init container never runs the provider; an empty file keeps COPY simple.
    [[ -f "$ctx/bin/oidc-discovery-provider" ]] || : >"$ctx/bin/oidc-discovery-provider"
  fi
  for name in spire-server spire-agent oidc-discovery-provider; do chmod 755 "$ctx/bin/$name"; done
  rm -rf "$ctx/go"
}
