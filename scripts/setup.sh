#!/usr/bin/env bash
# Sets up and runs zt-demo.
#
# Usage: scripts/setup.sh [--local] [-h|--help]
#
#   (no option)  kind mode when a container engine (Docker or Podman) answers, otherwise local mode
#   --local      local mode: PostgreSQL, SPIRE server and agent, the SPIRE OIDC discovery provider
#                and OpenBao run as plain processes on 127.0.0.1, with state and logs in .local/
#
# Safe to run again: what already runs is left alone, and the run says so.
# Stop everything with: scripts/teardown.sh --local
#
# Environment (local mode):
#   ZT_PG_PORT=5432 ZT_SPIRE_SERVER_PORT=8081 ZT_SPIRE_SERVER_HEALTH_PORT=8180
#   ZT_SPIRE_AGENT_HEALTH_PORT=8181 ZT_OIDC_PORT=8443 ZT_BAO_PORT=8200
#   ZT_BACKEND_PORT=8000 ZT_FRONTEND_PORT=3000                            listening ports
#   ZT_DB_ROTATE_FRACTION  rotate database credentials at this fraction of their lease (e.g. 0.1)
#   GITHUB_API_URL     GitHub's API for the backend (default https://api.github.com)
#   ZT_BACKEND_LOG_LEVEL  the backend's log level (default info; debug logs every request)
#   ZT_STATE_DIR       state directory (default: .local/ in the clone)
#   ZT_TOOLS_DIR       where built binaries are cached (default: ~/.cache/zt-demo/tools/<versions>)
#   ZT_READY_TIMEOUT   seconds to wait for each component (default 60)
#   ZT_ALLOW_DOWNLOAD  1 to download official release archives when Go is missing
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/identity.sh
source "$ZT_REPO_ROOT/scripts/lib/identity.sh"
# shellcheck source=lib/packages.sh
source "$ZT_REPO_ROOT/scripts/lib/packages.sh"
# shellcheck source=lib/tools.sh
source "$ZT_REPO_ROOT/scripts/lib/tools.sh"
# shellcheck source=lib/local-env.sh
source "$ZT_REPO_ROOT/scripts/lib/local-env.sh"
# shellcheck source=lib/local-stack.sh
source "$ZT_REPO_ROOT/scripts/lib/local-stack.sh"
# shellcheck source=lib/apps.sh
source "$ZT_REPO_ROOT/scripts/lib/apps.sh"

container_engine() {
  local engine
  for engine in docker podman; do
    if have "$engine" && timeout 10 "$engine" info >/dev/null 2>&1; then
      echo "$engine"
      return 0
    fi
  done
  return 1
}

# A fingerprint of what runs, to tell "started something" from "all was already up".
stack_snapshot() {
  cat "$ZT_RUN_DIR"/*.pid "$ZT_RUN_DIR/openbao.configured" 2>/dev/null || true
  head -n1 "$ZT_PG_DIR/data/postmaster.pid" 2>/dev/null || true
}

print_summary() {
  local unchanged=$1
  cat <<EOF

${_c_bold}zt-demo local stack is up$([[ "$unchanged" == 1 ]] && echo " (it already was: nothing changed)").${_c_off}

  PostgreSQL             127.0.0.1:$ZT_PG_PORT  database $ZT_DB_NAME
  SPIRE server           127.0.0.1:$ZT_SPIRE_SERVER_PORT  trust domain $ZT_TRUST_DOMAIN
  SPIRE agent            $ZT_SPIRE_AGENT_SOCKET
  OIDC discovery         $ZT_JWT_ISSUER
  OpenBao                $ZT_BAO_ADDR  (dev mode; root token in $ZT_SECRETS_DIR/openbao-root-token)
  Backend API            $ZT_BACKEND_URL/api  (health: $ZT_BACKEND_URL/api/health/ready)
  The app                ${_c_bold}$ZT_FRONTEND_URL${_c_off}

  Workload identity      $ZT_BACKEND_SPIFFE_ID  (unix user $ZT_BACKEND_USER)
  Demo users             jake/jake99 amy/amy99 rosa/rosa99 charles/charles99 (users)
                         terry/terry99 gina/gina99 (admins)

  Logs                   $ZT_LOG_DIR/
  Stop everything        scripts/teardown.sh --local
EOF
}

setup_local() {
  step 1/9 "Checking prerequisites"
  ensure_commands jq curl openssl ss setsid sha256sum python3
  is_root && ensure_commands runuser setpriv
  ensure_postgres_installed
  load_identity
  load_local_env
  ensure_local_users
  prepare_state_dirs
  touch "$ZT_STATE_DIR/.zt-demo-state"
  ok "state in $ZT_STATE_DIR; PostgreSQL from $ZT_PG_BIN"

  step 2/9 "Obtaining SPIRE $SPIRE_VERSION and OpenBao $OPENBAO_VERSION"
  ensure_pip || true
  ensure_tools
  ok "spire-server, spire-agent, oidc-discovery-provider: $(dirname "$ZT_SPIRE_SERVER")"
  ok "bao: $ZT_BAO"

  local before
  before=$(stack_snapshot)

  step 3/9 "PostgreSQL"
  start_postgres

  step 4/9 "SPIRE server and workload registrations"
  start_spire_server
  register_workload "$ZT_BACKEND_SPIFFE_ID" "$ZT_BACKEND_USER"
  register_workload "$ZT_FRONTEND_SPIFFE_ID" "$ZT_FRONTEND_USER"

  step 5/9 "SPIRE agent and OIDC discovery provider"
  start_spire_agent
  start_oidc_provider
  prepare_workload_cli

  step 6/9 "OpenBao"
  start_openbao
  configure_openbao_local
  write_stack_env

  step 7/9 "Verifying the chain"
  verify_backend_login

  step 8/9 "Backend"
  start_backend

  step 9/9 "Frontend"
  start_frontend
  write_stack_env

  print_summary "$([[ "$(stack_snapshot)" == "$before" ]] && echo 1 || echo 0)"
}

main() {
  local mode=auto
  while (($#)); do
    case "$1" in
      --local) mode=local ;;
      -h | --help) usage_from_header "$0"; exit 0 ;;
      *) die "unknown option: $1" "see scripts/setup.sh --help" ;;
    esac
    shift
  done
  if [[ "$mode" == auto ]]; then
    local engine
    if engine=$(container_engine); then
      die "kind mode (found $engine) is not part of this version yet" "run scripts/setup.sh --local"
    fi
    info "no container engine answers (docker/podman): falling back to local mode"
  fi
  setup_local
}

main "$@"
