# shellcheck shell=bash
# Opt-in path (ZT_ALLOW_DOWNLOAD=1) for machines with internet access but neither Go nor PyPI:
# downloads the official release archives and checks them against the release's checksum file.
# Kept small and apart from tools.sh because it cannot be exercised on the project's build
# machines, which have no access to GitHub releases. Linux and macOS, amd64 and arm64.

_release_arch() {
  case "$(uname -m)" in
    x86_64 | amd64) echo amd64 ;;
    aarch64 | arm64) echo arm64 ;;
    *) die "no official release archive for $(uname -m)" "install Go and let setup.sh build the binaries" ;;
  esac
}

# _fetch_verified URL CHECKSUMS_URL DEST: downloads URL and checks it against CHECKSUMS_URL.
_fetch_verified() {
  local url=$1 sums_url=$2 dest=$3 name
  name=$(basename "$url")
  info "downloading $url"
  curl -fsSL --retry 3 -o "$dest/$name" "$url" || die "could not download $url" "check the network, or install Go instead"
  curl -fsSL --retry 3 -o "$dest/sums.txt" "$sums_url" || die "could not download $sums_url"
  (cd "$dest" && grep " $name\$" sums.txt | sha256sum -c --status) ||
    die "checksum mismatch for $name" "remove $dest and retry; do not use the file"
}

download_spire() {
  local os arch tmp base
  os=$(uname -s | tr '[:upper:]' '[:lower:]') arch=$(_release_arch) tmp=$(mktemp -d)
  [[ "$os" == linux ]] || die "SPIRE publishes Linux release archives only" "install Go 1.26.6+ and rerun"
  base="https://github.com/spiffe/spire/releases/download/v$SPIRE_VERSION"
  _fetch_verified "$base/spire-$SPIRE_VERSION-linux-$arch-musl.tar.gz" \
    "$base/spire-$SPIRE_VERSION-linux-$arch-musl_sha256sum.txt" "$tmp"
  _fetch_verified "$base/spire-extras-$SPIRE_VERSION-linux-$arch-musl.tar.gz" \
    "$base/spire-extras-$SPIRE_VERSION-linux-$arch-musl_sha256sum.txt" "$tmp"
  mkdir -p "$ZT_TOOLS_DIR/bin"
  tar -xzf "$tmp/spire-$SPIRE_VERSION-linux-$arch-musl.tar.gz" -C "$tmp"
  tar -xzf "$tmp/spire-extras-$SPIRE_VERSION-linux-$arch-musl.tar.gz" -C "$tmp"
  find "$tmp" -type f \( -name spire-server -o -name spire-agent -o -name oidc-discovery-provider \) \
    -exec install -m 755 {} "$ZT_TOOLS_DIR/bin/" \;
  rm -rf "$tmp"
}

download_openbao() {
  local os arch tmp base name
  os=$(uname -s | tr '[:upper:]' '[:lower:]') arch=$(_release_arch) tmp=$(mktemp -d)
  base="https://github.com/openbao/openbao/releases/download/v$OPENBAO_VERSION"
  name="openbao_${OPENBAO_VERSION}_${os}_${arch}.tar.gz"
  _fetch_verified "$base/$name" "$base/checksums.txt" "$tmp"
  mkdir -p "$ZT_TOOLS_DIR/bin"
  tar -xzf "$tmp/$name" -C "$tmp" bao
  install -m 755 "$tmp/bao" "$ZT_TOOLS_DIR/bin/bao"
  rm -rf "$tmp"
}

# spiffe-helper is not covered by this path (its release archives were never tried, and an
# untried download is no place to take a binary from): it is built from Go modules only.
download_spiffe_helper() {
  die "spiffe-helper $SPIFFE_HELPER_VERSION is built from Go modules only" \
    "install Go 1.26.6 or newer and rerun, or put a spiffe-helper $SPIFFE_HELPER_VERSION binary on PATH"
}
