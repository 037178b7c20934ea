# shellcheck shell=bash
# The pinned Node.js: one LTS line (NODE_VERSION in infrastructure/versions.env) for local mode,
# the tests and the app images. A machine whose node is of that line and not older than the pin
# uses its own; otherwise the official binary, from the npm registry's package node-<os>-<arch>
# (npm checks the registry's integrity hash), and npm NPM_VERSION go into the tool cache and come
# first on PATH. Sourced after common.sh.

# shellcheck source=../../infrastructure/versions.env
source "$ZT_REPO_ROOT/infrastructure/versions.env"

ZT_NODE_DIR=${ZT_NODE_DIR:-${XDG_CACHE_HOME:-$HOME/.cache}/zt-demo/node/v$NODE_VERSION}

# node_version [NODE]: the version a node binary reports, without the v (e.g. 24.22.3).
node_version() { "${1:-node}" --version 2>/dev/null | sed -n 's/^v\([0-9][0-9.]*\)$/\1/p'; }

# node_usable VERSION: of the pinned line (same major) and not older than the pin.
node_usable() {
  [[ -n "$1" && "${1%%.*}" == "${NODE_VERSION%%.*}" ]] && ! version_lt "$1" "$NODE_VERSION"
}

# ensure_node: Node.js of the pinned line and its npm come first on PATH; exports ZT_NODE (the
# node binary) and ZT_NODE_BIN (its directory).
ensure_node() {
  local own
  own=$(node_version)
  if have npm && node_usable "$own"; then
    ZT_NODE=$(command -v node)
  else
    [[ "$(node_version "$ZT_NODE_DIR/bin/node")" == "$NODE_VERSION" ]] || fetch_node "${own:-none}"
    ZT_NODE="$ZT_NODE_DIR/bin/node"
  fi
  ZT_NODE_BIN=$(dirname "$ZT_NODE")
  PATH="$ZT_NODE_BIN:$PATH"
  export ZT_NODE ZT_NODE_BIN PATH
}

fetch_node() {
  local own=$1 os arch package tmp target="$ZT_NODE_DIR.partial"
  case "$(uname -s)" in
    Linux) os=linux ;;
    Darwin) os=darwin ;;
    *) die "no Node.js package for $(uname -s)" "install Node.js $NODE_VERSION yourself: https://nodejs.org" ;;
  esac
  case "$(uname -m)" in
    x86_64 | amd64) arch=x64 ;;
    aarch64 | arm64) arch=arm64 ;;
    *) die "no Node.js package for $(uname -m)" "install Node.js $NODE_VERSION yourself: https://nodejs.org" ;;
  esac
  package="node-$os-$arch"
  have npm || die "Node.js $NODE_VERSION is needed (this machine has: $own), and without npm it cannot be fetched" \
    "install Node.js $NODE_VERSION (https://nodejs.org), or any npm to let setup fetch it"
  info "Node.js here is $own; zt-demo runs on $NODE_VERSION: fetching it from the npm registry ($package) into $ZT_NODE_DIR"
  tmp=$(mktemp -d)
  if ! (cd "$tmp" && npm pack --silent "$package@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null 2>"$tmp/npm.log"); then
    show_log_tail "$tmp/npm.log"
    rm -rf "$tmp"
    die "could not fetch $package@$NODE_VERSION and npm@$NPM_VERSION from the npm registry" "check the network (npm ping), or install Node.js $NODE_VERSION yourself"
  fi
  rm -rf "$target" && mkdir -p "$target/bin" "$target/lib/node_modules/npm"
  tar -xzf "$tmp/$package-$NODE_VERSION.tgz" -C "$tmp" package/bin/node
  install -m 755 "$tmp/package/bin/node" "$target/bin/node"
  tar -xzf "$tmp/npm-$NPM_VERSION.tgz" -C "$target/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$target/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$target/bin/npx"
  rm -rf "$tmp"
  [[ "$(node_version "$target/bin/node")" == "$NODE_VERSION" ]] ||
    die "the fetched node reports $(node_version "$target/bin/node"), not $NODE_VERSION" "remove $target and try again"
  rm -rf "$ZT_NODE_DIR" && mv "$target" "$ZT_NODE_DIR"
  chmod -R a+rX "$ZT_NODE_DIR"
  ok "Node.js $NODE_VERSION and npm $NPM_VERSION in $ZT_NODE_DIR"
}
