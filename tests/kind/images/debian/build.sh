# shellcheck shell=bash
# A Debian base image without a registry: debootstrap (minbase) from the machine's Debian mirror,
# imported with `docker import`. Every other image here starts from it. Sourced by ../build.sh,
# which passes SUITE (bookworm or trixie).

# The Debian mirror this machine's apt uses (deb822 or one-line sources), else deb.debian.org.
debian_mirror() {
  local mirror
  mirror=$(grep -hoE '^(URIs:|deb) +https?://[^ ]+' /etc/apt/sources.list /etc/apt/sources.list.d/*.list \
    /etc/apt/sources.list.d/*.sources 2>/dev/null | grep -v -e security -e nodesource -e google | head -n1 | awk '{print $2}')
  echo "${mirror:-http://deb.debian.org/debian}"
}

build_image() {
  local ref=$1 key=$3 root mirror
  ensure_commands debootstrap
  mirror=$(debian_mirror)
  root="$ZT_KIND_CACHE/debootstrap-$SUITE"
  rm -rf "$root"
  debootstrap --variant=minbase "$SUITE" "$root" "$mirror" || return 1
  # The suite, its updates and its security fixes, so images built from it get patched packages.
  cat >"$root/etc/apt/sources.list.d/debian.sources" <<SOURCES
Types: deb
URIs: $mirror
Suites: $SUITE $SUITE-updates
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg

Types: deb
URIs: ${mirror%/debian}/debian-security
Suites: $SUITE-security
Components: main
Signed-By: /usr/share/keyrings/debian-archive-keyring.gpg
SOURCES
  rm -f "$root/etc/apt/sources.list"
  rm -rf "$root"/var/lib/apt/lists/* "$root"/var/cache/apt/archives/*.deb
  tar -C "$root" -c . | docker import --change "LABEL zt-demo.test.key=$key" --change 'CMD ["bash"]' - "$ref" >/dev/null
  local status=$?
  rm -rf "$root"
  return "$status"
}
