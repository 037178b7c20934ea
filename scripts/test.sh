#!/usr/bin/env bash
# Runs every test suite of zt-demo and ends with one summary line.
#
# Usage: scripts/test.sh [--suite NAME]... [--keep] [-h|--help]
#
# On a fresh machine it first installs what is missing: Debian packages (when run as root), the
# pinned Node.js (from the npm registry, when the machine's is older), the npm dependencies and
# the pinned SPIRE and OpenBao binaries (built once, then cached).
#
# Suites (all by default; --suite picks some):
#   - shellcheck: every shell script of the project, checked with shellcheck
#   - unit: identity facts, policy, seed users, version pins, scripts' command lines (Vitest)
#   - backend: the backend typechecks, and its modules' unit tests with fakes at the ports (Vitest)
#   - frontend: unit tests of the frontend's pure logic (Vitest; the pages are tested in "browser")
#   - chain: the identity-and-secrets chain against real SPIRE, OpenBao and PostgreSQL processes;
#     it starts its own local stack on separate ports and stops it afterwards (Vitest)
#   - browser: the app in Debian's Chromium (Playwright), against its own local stack
#   - kind: kind mode on a real cluster: builds (or reuses) the registry-free image set and the
#     CLI tools, starts a private dockerd, runs scripts/setup.sh --kind with the documented
#     overrides, demo.sh --auto --kind, the zero-trust checks, a second setup, fast rotation and
#     teardown.sh --kind (tests/kind/; needs root and about 25 GB for its cache the first time);
#     it runs in the background, beside the local suites, and its output follows theirs
#
#   --keep   kind suite: leave the cluster (and the private dockerd) up for inspection; reach it with
#            set -a; source test-results/kind/env; set +a; kubectl get pods -A
#
# The last line is "N passed, N failed" (", N skipped" when any were skipped); the exit status
# is non-zero when anything failed.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/packages.sh
source "$ZT_REPO_ROOT/scripts/lib/packages.sh"
# shellcheck source=lib/tools.sh
source "$ZT_REPO_ROOT/scripts/lib/tools.sh"
# shellcheck source=lib/node.sh
source "$ZT_REPO_ROOT/scripts/lib/node.sh"
# shellcheck source=lib/disk.sh
source "$ZT_REPO_ROOT/scripts/lib/disk.sh"

ALL_SUITES=(shellcheck unit backend frontend chain browser kind)
RESULTS_DIR="$ZT_REPO_ROOT/test-results"
declare -A PASSED=() FAILED=() SKIPPED=() SECONDS_TAKEN=()
KEEP_CLUSTER=0

install_prerequisites() {
  step "setup" "Installing what this machine lacks"
  ensure_commands jq curl openssl ss setsid sha256sum python3 shellcheck gcc git chromium
  is_root && ensure_commands runuser
  # Every suite runs on the pinned Node.js, fetched into the tool cache when this machine's is older.
  ensure_node
  ensure_postgres_installed
  ensure_pip || true
  if [[ ! -d "$ZT_REPO_ROOT/node_modules" || "$ZT_REPO_ROOT/package-lock.json" -nt "$ZT_REPO_ROOT/node_modules/.package-lock.json" ]]; then
    info "npm ci"
    (cd "$ZT_REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error) || die "npm ci failed" "run it by hand in $ZT_REPO_ROOT to see why"
  fi
  ensure_tools
  ok "Debian packages, Node.js $NODE_VERSION ($ZT_NODE), npm dependencies, SPIRE $SPIRE_VERSION and OpenBao $OPENBAO_VERSION are in place"
}

# Before anything is built: the disk the whole run will fill (the local tools and, when the kind
# suite runs, its image set), so a full disk fails now rather than an hour into the builds.
check_disk() {
  local need=0 what="" kind
  if [[ ! -x "$ZT_TOOLS_DIR/bin/spire-server" ]]; then
    need=$DISK_LOCAL_COLD_GB what="local tools, nothing built yet"
  fi
  if [[ " $* " == *" kind "* ]]; then
    kind=$(kind_disk_need_gb)
    if same_filesystem "$ZT_TOOLS_DIR" "$ZT_KIND_CACHE"; then
      need=$((need + ${kind%% *})) what="${what:+$what; }${kind#* }"
    else
      require_disk "${kind%% *}" "$ZT_KIND_CACHE" "${kind#* }"
    fi
  fi
  ((need == 0)) || require_disk "$need" "$ZT_TOOLS_DIR" "$what"
}

record() { PASSED[$1]=$2 FAILED[$1]=$3 SKIPPED[$1]=$4; }

suite_shellcheck() {
  local file passed=0 failed=0
  while IFS= read -r file; do
    if (cd "$ZT_REPO_ROOT" && shellcheck "$file"); then
      passed=$((passed + 1))
    else
      failed=$((failed + 1))
    fi
  done < <(cd "$ZT_REPO_ROOT" && git ls-files --cached --others --exclude-standard '*.sh' .ci/run | sort)
  record shellcheck "$passed" "$failed" 0
}

# run_vitest SUITE DIR [VITEST ARGS...]: Vitest in DIR; counts come from its JSON report.
run_vitest() {
  local suite=$1 dir=$2 report="$RESULTS_DIR/$1.json" status=0
  shift 2
  rm -f "$report"
  (cd "$ZT_REPO_ROOT/$dir" && npx vitest run "$@" --reporter=default --reporter=json --outputFile.json="$report") || status=$?
  count_vitest_report "$suite" "$report" "$status"
}

# count_vitest_report SUITE REPORT STATUS: records SUITE's counts from Vitest's JSON REPORT.
count_vitest_report() {
  local suite=$1 report=$2 status=$3 counts passed failed skipped
  if [[ ! -s "$report" ]]; then
    record "$suite" "${EXTRA_PASSED:-0}" $((1 + ${EXTRA_FAILED:-0})) 0 # Vitest died before it could report
    return
  fi
  counts=$(jq -r '"\(.numPassedTests) \(.numFailedTests) \(.numPendingTests + .numTodoTests)"' "$report")
  read -r passed failed skipped <<<"$counts"
  # A failed global setup (the stack did not come up) fails the run without failing a test.
  if ((status != 0 && failed == 0)); then failed=1; fi
  record "$suite" $((passed + ${EXTRA_PASSED:-0})) $((failed + ${EXTRA_FAILED:-0})) "$skipped"
}

suite_unit() { run_vitest unit tests --project unit; }
suite_chain() { run_vitest chain tests --project chain; }
suite_frontend() { run_vitest frontend frontend; }

# Playwright with Debian's Chromium; counts come from its JSON report (tests/playwright.config.ts).
suite_browser() {
  local report="$RESULTS_DIR/browser.json" status=0 counts
  rm -f "$report"
  (cd "$ZT_REPO_ROOT/tests" && npx playwright test) || status=$?
  if [[ ! -s "$report" ]]; then
    record browser 0 1 0
    return
  fi
  counts=$(jq -r '"\(.stats.expected + .stats.flaky) \(.stats.unexpected) \(.stats.skipped)"' "$report")
  read -r passed failed skipped <<<"$counts"
  if ((status != 0 && failed == 0)); then failed=1; fi
  record browser "$passed" "$failed" "$skipped"
}

# kind mode on a real cluster, from start to end in the background (tests/kind/run.sh: the
# private engine, prepare.sh, the user's setup.sh --kind, the suite's tests, the engine stopped),
# started right after installing: most of it is waiting for pods, renewals and failovers, which
# the local suites' tests pay for meanwhile. Its output is printed when it ends. A failed
# prepare.sh counts as one failed test; setup.sh's result is the suite's first tests to judge.
KIND_ENV_FILE=$RESULTS_DIR/kind/env
KIND_OUT_DIR=$RESULTS_DIR/kind/run
KIND_PID="" KIND_STARTED=0

start_kind_suite() {
  mkdir -p "$KIND_OUT_DIR"
  info "kind suite: tests/kind/run.sh starts now, in the background (follow it in ${KIND_OUT_DIR#"$ZT_REPO_ROOT/"}/: prepare.log, setup.stdout, tests.log)"
  local keep=()
  ((KEEP_CLUSTER)) && keep=(--keep)
  KIND_STARTED=$(date +%s)
  # A session of its own, so that an interrupted run stops it as a whole (stop_kind_suite).
  setsid "$ZT_REPO_ROOT/tests/kind/run.sh" "${keep[@]}" "$KIND_ENV_FILE" "$KIND_OUT_DIR" "$RESULTS_DIR/kind.json" </dev/null >/dev/null 2>&1 &
  KIND_PID=$!
}

stop_kind_suite() {
  if [[ -n "$KIND_PID" ]]; then kill -- "-$KIND_PID" 2>/dev/null || true; fi
}

suite_kind() {
  local status=0
  [[ -n "$KIND_PID" ]] || start_kind_suite
  info "waiting for the kind suite, $(($(date +%s) - KIND_STARTED))s in"
  wait "$KIND_PID" || status=$?
  KIND_PID=""
  cat "$KIND_OUT_DIR/prepare.log" "$KIND_OUT_DIR/tests.log" 2>/dev/null || true
  if ((status != 0)); then
    record kind 0 1 0
  else
    count_vitest_report kind "$RESULTS_DIR/kind.json" "$(cat "$KIND_OUT_DIR/tests.status" 2>/dev/null || echo 1)"
  fi
  # Its time is the whole run's in the background, not the wait.
  SECONDS_TAKEN[kind]=$(($(date +%s) - KIND_STARTED))
  if ((KEEP_CLUSTER)); then
    info "the cluster is kept; reach it with: set -a; source $KIND_ENV_FILE; set +a; kubectl get pods -A"
  fi
}

# The backend must typecheck (counted as one test) before its unit tests run.
suite_backend() {
  local EXTRA_PASSED=0 EXTRA_FAILED=0
  if (cd "$ZT_REPO_ROOT/backend" && npx tsc --noEmit -p tsconfig.json); then EXTRA_PASSED=1; else EXTRA_FAILED=1; fi
  run_vitest backend backend
}

print_summary() {
  local suite total_passed=0 total_failed=0 total_skipped=0
  printf '\n%sSummary%s\n' "$_c_bold" "$_c_off"
  for suite in "$@"; do
    printf '  %-12s %3d passed, %d failed%s  (%ss)\n' "$suite" "${PASSED[$suite]}" "${FAILED[$suite]}" \
      "$( ((SKIPPED[$suite] > 0)) && printf ', %d skipped' "${SKIPPED[$suite]}")" "${SECONDS_TAKEN[$suite]}"
    total_passed=$((total_passed + PASSED[$suite]))
    total_failed=$((total_failed + FAILED[$suite]))
    total_skipped=$((total_skipped + SKIPPED[$suite]))
  done
  if ((total_skipped > 0)); then
    printf '%d passed, %d failed, %d skipped\n' "$total_passed" "$total_failed" "$total_skipped"
  else
    printf '%d passed, %d failed\n' "$total_passed" "$total_failed"
  fi
  ((total_failed == 0))
}

main() {
  local suites=() suite
  while (($#)); do
    case "$1" in
      --suite)
        [[ " ${ALL_SUITES[*]} " == *" ${2:-} "* ]] || die "unknown suite: ${2:-}" "choose from: ${ALL_SUITES[*]}"
        suites+=("$2")
        shift
        ;;
      --keep) KEEP_CLUSTER=1 ;;
      -h | --help) usage_from_header "$0"; exit 0 ;;
      *) die "unknown option: $1" "see scripts/test.sh --help" ;;
    esac
    shift
  done
  ((${#suites[@]})) || suites=("${ALL_SUITES[@]}")

  step "disk" "Checking free disk"
  check_disk "${suites[@]}"
  install_prerequisites
  mkdir -p "$RESULTS_DIR"
  if [[ " ${suites[*]} " == *" kind "* ]]; then
    trap stop_kind_suite EXIT
    start_kind_suite
  fi
  local n=0
  for suite in "${suites[@]}"; do
    n=$((n + 1))
    step "$n/${#suites[@]}" "Suite: $suite"
    local started
    started=$(date +%s)
    "suite_$suite"
    [[ -n "${SECONDS_TAKEN[$suite]:-}" ]] || SECONDS_TAKEN[$suite]=$(($(date +%s) - started))
  done
  print_summary "${suites[@]}"
}

main "$@"
