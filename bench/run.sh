#!/usr/bin/env bash
# Benchmarks the running backend and prints a Markdown table (for the README).
#
# Usage: bench/run.sh [-h|--help]
#
# Start the stack first with scripts/setup.sh; this script starts nothing itself.
# Environment: BENCH_SECONDS (default 10) per run, BENCH_CONNECTIONS (default 20),
#              BACKEND_URL (default: the one scripts/setup.sh recorded, else http://127.0.0.1:8000)
set -euo pipefail

# shellcheck source=../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../scripts/lib/common.sh"
# shellcheck source=../scripts/lib/node.sh
source "$ZT_REPO_ROOT/scripts/lib/node.sh"

main() {
  case "${1:-}" in
    -h | --help) usage_from_header "$0"; exit 0 ;;
    "") ;;
    *) die "unknown option: $1" "see bench/run.sh --help" ;;
  esac
  local stack_env="$ZT_REPO_ROOT/.local/stack.env"
  if [[ -z "${BACKEND_URL:-}" && -r "$stack_env" ]]; then
    BACKEND_URL=$(sed -n 's/^ZT_BACKEND_URL=//p' "$stack_env")
  fi
  export BACKEND_URL=${BACKEND_URL:-http://127.0.0.1:8000}
  curl -fsS "$BACKEND_URL/api/health/ready" >/dev/null 2>&1 ||
    die "no ready backend at $BACKEND_URL" "start it first: scripts/setup.sh"
  ensure_node
  [[ -d "$ZT_REPO_ROOT/node_modules/autocannon" ]] || (cd "$ZT_REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  cd "$ZT_REPO_ROOT/bench" && node bench.mjs
}

main "$@"
