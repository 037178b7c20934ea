# shellcheck shell=bash
# Node.js $NODE_VERSION and npm $NPM_VERSION laid out as the official image has them in /usr/local:
# the very files local mode runs (scripts/lib/node.sh fetches them from the npm registry into the
# tool cache, whose layout is that of /usr/local).
prepare_context() {
  local ctx=$1
  # shellcheck source=../../../../scripts/lib/node.sh
  source "$ZT_REPO_ROOT/scripts/lib/node.sh"
  [[ "$(node_version "$ZT_NODE_DIR/bin/node")" == "$NODE_VERSION" ]] || fetch_node "(for the image)"
  mkdir -p "$ctx/usr-local"
  cp -a "$ZT_NODE_DIR/." "$ctx/usr-local/"
  # The CA bundle this machine's Node.js and npm trust (see the Dockerfile).
  cp "${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" "$ctx/build-machine-ca.crt"
}
