#!/usr/bin/env bash
# The kind suite's first steps: tests/kind/prepare.sh, then scripts/setup.sh --kind exactly as a
# user runs it, with the environment prepare.sh wrote. tests/kind/run.sh runs this before the
# suite's tests, whose first ones read setup.sh's result from OUT_DIR.
#
# Usage: tests/kind/first-setup.sh ENV_FILE OUT_DIR [-h|--help]
#
# OUT_DIR gets prepare.log (prepare.sh's output), setup.stdout, setup.stderr, setup.status and
# setup.seconds. The exit status is prepare.sh's: setup.sh's own is the tests' to judge.
set -euo pipefail

# shellcheck source=../../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"

# The first run's limit, as when the suite ran setup.sh itself.
SETUP_TIMEOUT_SECONDS=2700

run_setup() {
  local env_file=$1 out=$2 started status=0
  started=$(date +%s)
  (
    set -a
    # shellcheck source=/dev/null
    source "$env_file"
    set +a
    export NO_COLOR=1
    timeout "$SETUP_TIMEOUT_SECONDS" bash "$ZT_REPO_ROOT/scripts/setup.sh" --kind </dev/null >"$out/setup.stdout" 2>"$out/setup.stderr"
  ) || status=$?
  echo "$status" >"$out/setup.status"
  echo $(($(date +%s) - started)) >"$out/setup.seconds"
}

main() {
  case "${1:-}" in
    -h | --help) usage_from_header "$0"; exit 0 ;;
    -*) die "unknown option: $1" "see tests/kind/first-setup.sh --help" ;;
  esac
  (($# == 2)) || die "usage: tests/kind/first-setup.sh ENV_FILE OUT_DIR" "see tests/kind/first-setup.sh --help"
  local env_file=$1 out=$2
  mkdir -p "$out"
  rm -f "$out"/setup.* "$out/prepare.log"
  # The engine first, at normal priority (the cluster's containers inherit it), then prepare.sh at a
  # lower one: on a new machine its half hour of Go builds yields to the local suites' tests.
  {
    "$ZT_REPO_ROOT/tests/kind/engine/engine.sh" start &&
      nice -n 10 "$ZT_REPO_ROOT/tests/kind/prepare.sh" "$env_file"
  } >"$out/prepare.log" 2>&1 || return
  run_setup "$env_file" "$out"
}

main "$@"
