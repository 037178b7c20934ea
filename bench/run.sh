#!/usr/bin/env bash
# Benchmarks the running backend and prints a Markdown table (for the README).
#
# Usage: bench/run.sh [-h|--help]
#
# Start the stack first with scripts/setup.sh --local; this script starts nothing itself. The
# backend's API admits the frontend's SPIFFE ID only, so the benchmark presents an X.509-SVID for
# it, minted by the local SPIRE server's admin API into a private directory removed afterwards.
# Environment: BENCH_SECONDS (default 10) per run, BENCH_CONNECTIONS (default 20),
#              BENCH_TLS_DIR (svid.pem, key.pem, bundle.pem of an admitted identity, instead of minting)
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
  [[ -r "$stack_env" ]] || die "no local stack (no $stack_env)" "start it first: scripts/setup.sh --local"
  # shellcheck disable=SC1090 # written by setup.sh
  source "$stack_env"
  export BACKEND_URL=$ZT_BACKEND_URL BACKEND_HEALTH_URL=$ZT_BACKEND_HEALTH_URL
  curl -fsS "$BACKEND_HEALTH_URL/api/health/ready" >/dev/null 2>&1 ||
    die "no ready backend at $BACKEND_URL" "start it first: scripts/setup.sh --local"
  if [[ -z "${BENCH_TLS_DIR:-}" ]]; then
    BENCH_TLS_DIR=$(mktemp -d)
    # shellcheck disable=SC2064 # the directory is known now
    trap "rm -rf '$BENCH_TLS_DIR'" EXIT
    local frontend
    frontend=$(jq -r .spiffeIds.frontend "$ZT_REPO_ROOT/infrastructure/identity.json")
    "$ZT_SPIRE_SERVER" x509 mint -socketPath "$ZT_SPIRE_SERVER_SOCKET" -spiffeID "$frontend" -ttl 1h -write "$BENCH_TLS_DIR" >/dev/null 2>&1 ||
      die "the SPIRE server minted no X.509-SVID for $frontend" "is the local stack up? scripts/setup.sh --local"
  fi
  export BENCH_TLS_DIR
  ensure_node
  [[ -d "$ZT_REPO_ROOT/node_modules/autocannon" ]] || (cd "$ZT_REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error)
  cd "$ZT_REPO_ROOT/bench" && node bench.mjs
}

main "$@"
