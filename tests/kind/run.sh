#!/usr/bin/env bash
# The kind suite from start to end: tests/kind/first-setup.sh (the private engine, prepare.sh and
# the user's scripts/setup.sh --kind), then the suite's tests (Vitest, project kind) with the
# environment prepare.sh wrote, then the private engine stopped. scripts/test.sh starts this in
# the background right after installing and runs the local suites meanwhile: most of the kind
# suite is waiting (for pods, renewals, failovers), and the local suites' waits are another's.
#
# Usage: tests/kind/run.sh [--keep] ENV_FILE OUT_DIR REPORT [-h|--help]
#
#   --keep   leave the cluster and the private engine up for inspection
#
# OUT_DIR gets first-setup.sh's files (prepare.log, setup.stdout, setup.stderr, setup.status,
# setup.seconds), tests.log (Vitest's output) and tests.status (its exit status); REPORT is
# Vitest's JSON report. The exit status is prepare.sh's: the tests' own is in tests.status.
set -euo pipefail

# shellcheck source=../../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"

run_tests() {
  local env_file=$1 out=$2 report=$3 keep=$4 status=0
  rm -f "$report"
  (
    set -a
    # shellcheck source=/dev/null
    source "$env_file"
    set +a
    cd "$ZT_REPO_ROOT/tests"
    ZT_KIND_KEEP=$keep ZT_KIND_FIRST_SETUP=$out \
      npx vitest run --project kind --reporter=default --reporter=json --outputFile.json="$report"
  ) </dev/null >"$out/tests.log" 2>&1 || status=$?
  echo "$status" >"$out/tests.status"
}

main() {
  local keep=0
  while (($#)); do
    case "$1" in
      --keep) keep=1 ;;
      -h | --help) usage_from_header "$0"; exit 0 ;;
      -*) die "unknown option: $1" "see tests/kind/run.sh --help" ;;
      *) break ;;
    esac
    shift
  done
  (($# == 3)) || die "usage: tests/kind/run.sh [--keep] ENV_FILE OUT_DIR REPORT" "see tests/kind/run.sh --help"
  local env_file=$1 out=$2 report=$3
  mkdir -p "$out"
  rm -f "$out/tests.log" "$out/tests.status"
  local status=0
  "$ZT_REPO_ROOT/tests/kind/first-setup.sh" "$env_file" "$out" || status=$?
  ((status != 0)) || run_tests "$env_file" "$out" "$report" "$keep"
  ((keep)) || "$ZT_REPO_ROOT/tests/kind/engine/engine.sh" stop >>"$out/tests.log" 2>&1 || true
  return "$status"
}

main "$@"
