#!/usr/bin/env bash
# The command-line tools scripts/setup.sh --kind expects (kind, kubectl, helm, hubble) at the
# versions infrastructure/versions.env pins. A tool already on PATH at its pinned version is used
# as it is; a missing or different one is built from its Go module into the kind cache, so the
# preflight passes exactly as on a user's laptop. Prints the directory to put first on PATH.
#
# Usage: tests/kind/tools.sh [-h|--help]
set -euo pipefail

# shellcheck source=lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"
# shellcheck source=go/builds.sh
source "$ZT_KIND_DIR/go/builds.sh"
# shellcheck source=../../scripts/lib/kind.sh
source "$ZT_REPO_ROOT/scripts/lib/kind.sh"

# tool -> "Go component:binary" that provides it
declare -A SOURCE_OF=([kind]=kind:kind [kubectl]=kubernetes:kubectl [helm]=helm:helm [hubble]=hubble-cli:hubble)
declare -A PIN_OF=([kind]=$KIND_VERSION [kubectl]=$KUBECTL_VERSION [helm]=$HELM_VERSION [hubble]=$HUBBLE_CLI_VERSION)

main() {
  case "${1:-}" in
    -h | --help) usage_from_header "$0"; exit 0 ;;
    "") ;;
    *) die "unknown option: $1" "see tests/kind/tools.sh --help" ;;
  esac
  local bin="$ZT_KIND_CACHE/tools/bin" tool component binary dir
  mkdir -p "$bin"
  for tool in kind kubectl helm hubble; do
    # version_of (scripts/lib/kind.sh) reads the version the way setup's preflight does.
    if [[ "$(PATH="$bin:$PATH" version_of "$tool")" == "${PIN_OF[$tool]}" ]]; then
      printf '       ✓ %s %s\n' "$tool" "${PIN_OF[$tool]}" >&2
      continue
    fi
    IFS=: read -r component binary <<<"${SOURCE_OF[$tool]}"
    dir=$(go_component "$component")
    ln -sfn "$dir/$binary" "$bin/$tool"
    [[ "$(PATH="$bin:$PATH" version_of "$tool")" == "${PIN_OF[$tool]}" ]] ||
      die "the $tool built from Go modules reports version '$(PATH="$bin:$PATH" version_of "$tool")', not ${PIN_OF[$tool]}" \
        "look at tests/kind/go/builds.sh (gobuild_${component//-/_})"
    printf '       ✓ %s %s (built from Go modules)\n' "$tool" "${PIN_OF[$tool]}" >&2
  done
  echo "$bin"
}

main "$@"
