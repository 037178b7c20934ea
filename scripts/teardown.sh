#!/usr/bin/env bash
# Stops what scripts/setup.sh started and removes its state.
#
# Usage: scripts/teardown.sh --local [--keep-state] [-h|--help]
#
#   --local        stop the local-mode processes (by the pids setup recorded) and delete .local/
#                  (PostgreSQL data, SPIRE state, logs, generated passwords)
#   --keep-state   stop the processes but keep .local/ (PostgreSQL data survives a restart)
#
# The built SPIRE and OpenBao binaries stay in the tool cache (ZT_TOOLS_DIR) for the next setup.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/identity.sh
source "$ZT_REPO_ROOT/scripts/lib/identity.sh"
# shellcheck source=lib/tools.sh
source "$ZT_REPO_ROOT/scripts/lib/tools.sh"
# shellcheck source=lib/local-env.sh
source "$ZT_REPO_ROOT/scripts/lib/local-env.sh"
# shellcheck source=lib/local-stack.sh
source "$ZT_REPO_ROOT/scripts/lib/local-stack.sh"
# shellcheck source=lib/apps.sh
source "$ZT_REPO_ROOT/scripts/lib/apps.sh"

teardown_local() {
  local keep_state=$1
  load_identity
  local_env_defaults
  local_users
  local link="$ZT_REPO_ROOT/${ZT_STATE_NAME:-.local}"
  if [[ -z "${ZT_STATE_DIR:-}" ]]; then
    if [[ -L "$link" ]]; then ZT_STATE_DIR=$(readlink "$link"); else ZT_STATE_DIR=$link; fi
  fi
  if [[ ! -d "$ZT_STATE_DIR" ]]; then
    ok "nothing to stop: no local state at $ZT_STATE_DIR"
    [[ -L "$link" ]] && rm -f "$link"
    return 0
  fi
  [[ -e "$ZT_STATE_DIR/.zt-demo-state" ]] ||
    die "$ZT_STATE_DIR does not look like zt-demo state (no .zt-demo-state marker); not touching it" \
      "check ZT_STATE_DIR"
  export ZT_STATE_DIR
  local_paths
  # PostgreSQL may have been removed since setup; then there is nothing of it to stop.
  if (ensure_postgres) >/dev/null 2>&1; then ensure_postgres; else export ZT_PG_BIN=/nonexistent; fi

  step 1/2 "Stopping the local stack"
  stop_local_stack
  step 2/2 "Removing state"
  if [[ "$keep_state" == 1 ]]; then
    ok "kept $ZT_STATE_DIR"
  else
    rm -rf "$ZT_STATE_DIR"
    [[ -L "$link" ]] && rm -f "$link"
    ok "removed $ZT_STATE_DIR"
  fi
}

main() {
  local mode="" keep_state=0
  while (($#)); do
    case "$1" in
      --local) mode=local ;;
      --keep-state) keep_state=1 ;;
      -h | --help) usage_from_header "$0"; exit 0 ;;
      *) die "unknown option: $1" "see scripts/teardown.sh --help" ;;
    esac
    shift
  done
  [[ "$mode" == local ]] || die "say which stack to tear down" "scripts/teardown.sh --local"
  teardown_local "$keep_state"
}

main "$@"
