#!/usr/bin/env bash
# Stops what scripts/setup.sh started and removes its state.
#
# Usage: scripts/teardown.sh --kind [--yes] [--images] | --local [--keep-state] [-h|--help]
#
#   --kind         delete the kind cluster zt-demo (the whole cluster: recreating single namespaces
#                  can leave stale mutual-auth state behind), then, after asking, .secrets/
#                  (OpenBao's unseal key and root token, the database passwords)
#   --yes          with --kind: delete .secrets/ without asking
#   --images       with --kind: also remove the zt-demo/backend and zt-demo/frontend images
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
# shellcheck source=lib/kind.sh
source "$ZT_REPO_ROOT/scripts/lib/kind.sh"

teardown_kind() {
  local yes=$1 images=$2
  step 1/3 "Deleting the kind cluster"
  if have kind && kind get clusters 2>/dev/null | grep -qx "$ZT_KIND_CLUSTER"; then
    kind delete cluster --name "$ZT_KIND_CLUSTER" >/dev/null 2>&1 || die "kind could not delete the cluster $ZT_KIND_CLUSTER" "try: kind delete cluster --name $ZT_KIND_CLUSTER"
    ok "cluster $ZT_KIND_CLUSTER deleted"
  else
    ok "no kind cluster $ZT_KIND_CLUSTER"
  fi
  rm -rf "$ZT_KIND_WORK_DIR"

  step 2/3 "Local secrets"
  if [[ ! -d "$ZT_KIND_SECRETS_DIR" ]]; then
    ok "no $ZT_KIND_SECRETS_NAME"
  else
    local answer=n
    if [[ "$yes" == 1 ]]; then
      answer=y
    elif [[ -t 0 ]]; then
      read -rp "       Delete $ZT_KIND_SECRETS_NAME (OpenBao's unseal key and root token, database passwords)? [y/N] " answer
    fi
    if [[ "$answer" == [yY]* ]]; then
      rm -rf "$ZT_KIND_SECRETS_DIR"
      ok "deleted $ZT_KIND_SECRETS_NAME"
    else
      ok "kept $ZT_KIND_SECRETS_NAME (delete it with: scripts/teardown.sh --kind --yes)"
    fi
  fi

  step 3/3 "Images"
  if [[ "$images" == 1 ]] && have docker; then
    local refs
    refs=$(docker image ls --format '{{.Repository}}:{{.Tag}}' | grep -E '^zt-demo/(backend|frontend):' || true)
    if [[ -n "$refs" ]]; then
      xargs docker image rm >/dev/null <<<"$refs"
      ok "removed $(wc -l <<<"$refs") zt-demo images"
    else
      ok "no zt-demo images"
    fi
  else
    ok "kept the zt-demo images (remove them with --images)"
  fi
}

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
  local mode="" keep_state=0 yes=0 images=0
  while (($#)); do
    case "$1" in
      --local) mode=local ;;
      --kind) mode=kind ;;
      --keep-state) keep_state=1 ;;
      --yes) yes=1 ;;
      --images) images=1 ;;
      -h | --help) usage_from_header "$0"; exit 0 ;;
      *) die "unknown option: $1" "see scripts/teardown.sh --help" ;;
    esac
    shift
  done
  case "$mode" in
    local) teardown_local "$keep_state" ;;
    kind) teardown_kind "$yes" "$images" ;;
    *) die "say which stack to tear down" "scripts/teardown.sh --kind (the cluster) or scripts/teardown.sh --local (the processes)" ;;
  esac
}

main "$@"
