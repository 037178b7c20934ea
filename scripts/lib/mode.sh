# shellcheck shell=bash
# Which running stack a tool talks to (scripts/demo.sh, scripts/audit.sh). Sourced after common.sh.

# detect_stack_mode: local when the clone's state directory holds a local stack, otherwise kind
# when its cluster answers; neither is an error with a hint.
detect_stack_mode() {
  if [[ -e "$ZT_REPO_ROOT/${ZT_STATE_NAME:-.local}/stack.env" ]]; then
    echo local
  elif have kubectl && kubectl --context kind-zt-demo get nodes >/dev/null 2>&1; then
    echo kind
  else
    die "no running zt-demo to show" "start one first: scripts/setup.sh (or scripts/setup.sh --local)"
  fi
}
