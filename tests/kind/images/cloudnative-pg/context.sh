# shellcheck shell=bash
# The one binary of the Go component cloudnative-pg, as root/operator/manager_<arch>, and the
# link root/manager to it (docker's COPY keeps the link).
prepare_context() {
  local arch
  # shellcheck source=../one-binary.sh
  source "$ZT_KIND_DIR/images/one-binary.sh"
  keep_one_binary "$1" manager || return 1
  arch=$(go env GOARCH)
  mkdir -p "$1/root/operator"
  mv "$1/go/manager" "$1/root/operator/manager_$arch"
  ln -s "operator/manager_$arch" "$1/root/manager"
  rm -rf "$1/go"
}
