#!/usr/bin/env bash
# Sets up and runs zt-demo.
#
# Usage: scripts/setup.sh [--kind [--wireguard] | --local] [--fast-rotation] [-h|--help]
#
#   (no option)  kind mode when Docker answers, otherwise local mode
#   --kind       kind mode: a kind cluster (1 control plane, 2 workers) with Cilium (mutual
#                authentication, Hubble), SPIRE, OpenBao, PostgreSQL and the apps; the app ends
#                up on http://localhost:3000. Needs docker, kind, kubectl, helm, cilium, hubble.
#                Secrets (OpenBao's unseal key and root token, database passwords) go to .secrets/
#   --wireguard  kind mode with WireGuard encryption between the nodes (mutual authentication
#                alone does not encrypt)
#   --local      local mode: PostgreSQL, SPIRE server and agent, the SPIRE OIDC discovery provider
#                and OpenBao run as plain processes on 127.0.0.1, with state and logs in .local/
#   --fast-rotation  short database leases (5 minutes, rotated every minute) so a live demo shows a real
#                rotation (scripts/demo.sh part 4); a run without it sets the default again:
#                1-hour leases, rotated every 50 minutes
#
# Safe to run again: what already runs is left alone, and the run says so.
# Stop everything with: scripts/teardown.sh --kind (or --local)
#
# Environment (both modes):
#   ZT_X509_SVID_TTL   lifetime of the workloads' X.509-SVIDs, the TLS certificates of every hop
#                      (default: identity.json's, 1h; the tests use minutes, to see renewals)
#
# Environment (kind mode):
#   ZT_KIND_TIMEOUT    seconds to wait for each component (default 600)
#
# Environment (local mode):
#   ZT_PG_PORT=5432 ZT_SPIRE_SERVER_PORT=8081 ZT_SPIRE_SERVER_HEALTH_PORT=8180
#   ZT_SPIRE_AGENT_HEALTH_PORT=8181 ZT_OIDC_PORT=8443 ZT_BAO_PORT=8200
#   ZT_BACKEND_PORT=8000 ZT_BACKEND_HEALTH_PORT=8001 ZT_FRONTEND_PORT=3000  listening ports
#                      (a rerun uses those the stack started with, kept in .local/stack.env;
#                      all are checked before anything starts)
#   ZT_DB_ROTATE_FRACTION  rotate database credentials at this fraction of their lease (e.g. 0.1)
#   ZT_API_CLIENT_SPIFFE_IDS  the SPIFFE IDs the backend's API admits, comma-separated (default:
#                      the frontend's; the chain tests add their own client's)
#   GITHUB_API_URL     GitHub's API for the backend (default https://api.github.com)
#   ZT_BACKEND_LOG_LEVEL  the backend's log level (default info; debug logs every request)
#   ZT_STATE_DIR       state directory (default: .local/ in the clone)
#   ZT_TOOLS_DIR       where built binaries are cached (default: ~/.cache/zt-demo/tools/<versions>)
#   ZT_READY_TIMEOUT   seconds to wait for each component (default 60)
#   ZT_ALLOW_DOWNLOAD  1 to download official release archives when Go is missing
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/ports.sh
source "$ZT_REPO_ROOT/scripts/lib/ports.sh"
# shellcheck source=lib/identity.sh
source "$ZT_REPO_ROOT/scripts/lib/identity.sh"
# shellcheck source=lib/packages.sh
source "$ZT_REPO_ROOT/scripts/lib/packages.sh"
# shellcheck source=lib/tools.sh
source "$ZT_REPO_ROOT/scripts/lib/tools.sh"
# shellcheck source=lib/node.sh
source "$ZT_REPO_ROOT/scripts/lib/node.sh"
# shellcheck source=lib/local-env.sh
source "$ZT_REPO_ROOT/scripts/lib/local-env.sh"
# shellcheck source=lib/local-stack.sh
source "$ZT_REPO_ROOT/scripts/lib/local-stack.sh"
# shellcheck source=lib/apps.sh
source "$ZT_REPO_ROOT/scripts/lib/apps.sh"
# shellcheck source=lib/kind.sh
source "$ZT_REPO_ROOT/scripts/lib/kind.sh"

# Kind runs its nodes as Docker containers.
docker_answers() { have docker && timeout 10 docker info >/dev/null 2>&1; }

# A fingerprint of what runs, to tell "started something" from "all was already up".
stack_snapshot() {
  cat "$ZT_RUN_DIR"/*.pid "$ZT_RUN_DIR/openbao.configured" 2>/dev/null || true
  head -n1 "$ZT_PG_DIR/data/postmaster.pid" 2>/dev/null || true
}

print_summary() {
  local unchanged=$1
  cat <<EOF

${_c_bold}zt-demo local stack is up$([[ "$unchanged" == 1 ]] && echo " (it already was: nothing changed)").${_c_off}

  PostgreSQL             127.0.0.1:$ZT_PG_PORT  database $ZT_DB_NAME  (TLS only)
  SPIRE server           127.0.0.1:$ZT_SPIRE_SERVER_PORT  trust domain $ZT_TRUST_DOMAIN
  SPIRE agent            $ZT_SPIRE_AGENT_SOCKET
  OIDC discovery         $ZT_JWT_ISSUER
  OpenBao                $ZT_BAO_ADDR  (TLS only; file storage; unseal key and root token in $ZT_SECRETS_DIR/openbao-init.json)
  OpenBao audit log      $ZT_LOG_DIR/openbao-audit.log  (scripts/audit.sh)
  Backend API            $ZT_BACKEND_URL/api  (mutual TLS: the frontend's X.509-SVID only)
  Backend health         $ZT_BACKEND_HEALTH_URL/api/health/ready  (plain HTTP: health and metrics only)
  The app                ${_c_bold}$ZT_FRONTEND_URL${_c_off}

  Workload identity      $ZT_BACKEND_SPIFFE_ID  (unix user $ZT_BACKEND_USER)
  TLS certificates       X.509-SVIDs from SPIRE on every hop, valid $ZT_X509_SVID_TTL, renewed at half-life
  SPIRE trust bundle     $ZT_BAO_CACERT  (curl --cacert, BAO_CACERT)
  Database leases        $(rotation_summary)
  Demo users             jake/jake99 amy/amy99 rosa/rosa99 charles/charles99 (users)
                         terry/terry99 gina/gina99 (admins)

  Logs                   $ZT_LOG_DIR/
  Next                   ${_c_bold}scripts/demo.sh${_c_off}   (a guided tour; --auto checks every step)
  Stop everything        scripts/teardown.sh --local
EOF
}

setup_local() {
  local rotation=$1
  step 1/9 "Checking prerequisites"
  ensure_commands jq curl openssl ss setsid sha256sum python3
  is_root && ensure_commands runuser setpriv
  ensure_postgres_installed
  load_identity
  use_rotation_setting "$rotation"
  load_local_env
  # The ports: those the stack runs on unless told otherwise, all free (or ours) before anything starts.
  adopt_recorded_ports
  local_env_defaults
  app_urls
  check_ports_free
  ensure_local_users
  prepare_state_dirs
  touch "$ZT_STATE_DIR/.zt-demo-state"
  ok "state in $ZT_STATE_DIR; PostgreSQL from $ZT_PG_BIN"

  step 2/9 "Obtaining Node.js $NODE_VERSION, SPIRE $SPIRE_VERSION and OpenBao $OPENBAO_VERSION"
  ensure_node
  ok "node $NODE_VERSION: $ZT_NODE"
  ensure_pip || true
  ensure_tools
  ok "spire-server, spire-agent, oidc-discovery-provider: $(dirname "$ZT_SPIRE_SERVER")"
  ok "spiffe-helper: $ZT_SPIFFE_HELPER"
  ok "bao: $ZT_BAO"

  local before
  before=$(stack_snapshot)

  # SPIRE first: PostgreSQL and OpenBao serve TLS with X.509-SVIDs from it.
  step 3/9 "SPIRE server and workload registrations"
  start_spire_server
  register_workloads

  step 4/9 "SPIRE agent and OIDC discovery provider"
  start_spire_agent
  start_oidc_provider
  prepare_workload_cli

  step 5/9 "PostgreSQL"
  start_postgres

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

setup_kind() {
  local wireguard=$1 rotation=$2 tag
  mkdir -p "$ZT_KIND_WORK_DIR" && (umask 077 && mkdir -p "$ZT_KIND_SECRETS_DIR")
  load_identity
  use_rotation_setting "$rotation"
  ZT_KIND_JWT_ISSUER="https://oidc-discovery.$ZT_TRUST_DOMAIN"

  step 1/11 "Checking prerequisites"
  kind_preflight
  tag=$(image_tag)
  trap kind_cleanup EXIT
  start_kind_images "$tag"
  step 2/11 "kind cluster"
  kind_cluster
  step 3/11 "Cilium $CILIUM_CHART_VERSION: CNI, kube-proxy replacement, Hubble, mutual authentication"
  kind_cilium "$wireguard"
  step 4/11 "SPIRE (trust domain $ZT_TRUST_DOMAIN) and the workload identities"
  kind_spire
  step 5/11 "PostgreSQL"
  kind_postgres
  step 6/11 "OpenBao"
  kind_openbao
  step 7/11 "Network policies"
  kind_policies
  step 8/11 "Configuring OpenBao (the same step as local mode)"
  kind_configure_openbao
  step 9/11 "Images for revision $tag"
  kind_images "$tag"
  step 10/11 "Backend and frontend"
  kind_apps "$tag"
  step 11/11 "Checking the chain"
  kind_smoke
  print_kind_summary "$((ZT_KIND_CHANGES == 0))"
}

main() {
  local mode=auto wireguard=0 rotation=default
  while (($#)); do
    case "$1" in
      --local) mode=local ;;
      --kind) mode=kind ;;
      --wireguard) wireguard=1 ;;
      --fast-rotation) rotation=fast ;;
      -h | --help) usage_from_header "$0"; exit 0 ;;
      *) die "unknown option: $1" "see scripts/setup.sh --help" ;;
    esac
    shift
  done
  if [[ "$mode" == auto ]]; then
    if docker_answers; then
      mode=kind
      info "Docker answers: kind mode (for local mode instead: scripts/setup.sh --local)"
    else
      mode=local
      info "Docker does not answer: local mode (kind mode needs Docker)"
    fi
  fi
  if [[ "$mode" == local ]]; then
    ((wireguard == 0)) || die "--wireguard is a kind-mode option" "scripts/setup.sh --kind --wireguard"
    setup_local "$rotation"
  else
    setup_kind "$wireguard" "$rotation"
  fi
}

main "$@"
