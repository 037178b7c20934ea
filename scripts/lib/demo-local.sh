# shellcheck shell=bash
# shellcheck disable=SC2034 # DEMO_* variables are read by scripts/demo.sh and demo-ui.sh
# The demo's shorthands in local mode: they talk to the processes scripts/setup.sh --local started,
# found through the stack.env it writes. kind mode defines the same names (demo-kind.sh), so the
# six parts are written once. Sourced after common.sh, identity.sh, local-env.sh, local-stack.sh
# and apps.sh.

demo_connect() {
  # Look before load_local_env, which would make a state directory for a stack that is not there.
  local link="$ZT_REPO_ROOT/${ZT_STATE_NAME:-.local}"
  [[ -n "${ZT_STATE_DIR:-}" || -s "$link/stack.env" ]] || die "no local stack to show (no $link/stack.env)" "start it first: scripts/setup.sh --local"
  load_local_env
  local env_file="$ZT_STATE_DIR/stack.env"
  [[ -s "$env_file" ]] || die "no local stack to show (no $env_file)" "start it first: scripts/setup.sh --local"
  # shellcheck disable=SC1090 # written by setup.sh
  source "$env_file"
  bao_healthy || die "OpenBao does not answer at $ZT_BAO_ADDR, or is sealed (after a restart it starts sealed)" \
    "scripts/setup.sh --local starts what is down and unseals OpenBao"
  backend_ready || die "the backend at $ZT_BACKEND_URL is not ready" "scripts/setup.sh --local starts what is down"
  DEMO_ROOT_TOKEN=$(openbao_root_token "$ZT_SECRETS_DIR/openbao-init.json")
  DEMO_REDACT+=("$DEMO_ROOT_TOKEN")
  DEMO_ISSUER=$ZT_JWT_ISSUER
  DEMO_APP_URL=$ZT_FRONTEND_URL
  BAO_ADDR=$ZT_BAO_ADDR
  unset BAO_TOKEN
}

demo_legend() {
  say "Local mode: every component is a plain process on this machine. The commands below use these shorthands:"
  note "backend_api M PATH [JSON] [TOKEN]  curl -s -X M $ZT_BACKEND_URL\$PATH (JSON body, Bearer TOKEN)"
  note "spire-server ...                   $ZT_SPIRE_SERVER ... -socketPath $ZT_SPIRE_SERVER_SOCKET"
  note "fetch_svid backend|frontend        spire-agent api fetch jwt -audience $ZT_JWT_AUDIENCE, run as that workload's unix user ($ZT_BACKEND_USER, $ZT_FRONTEND_USER)"
  note "bao ...                            $ZT_BAO ... with BAO_ADDR=$BAO_ADDR and, unless BAO_TOKEN is given, the root token from $ZT_SECRETS_DIR/openbao-init.json"
  note "psql ...                           psql as the postgres superuser on $ZT_DB_NAME, over its unix socket in $ZT_PG_DIR"
}

# backend_api METHOD PATH [JSON] [TOKEN]: the backend's answer (body only). The token goes in a
# header read from a file descriptor, never on a command line.
backend_api() {
  local args=(-sS -X "$1" "$ZT_BACKEND_URL$2")
  [[ -n "${3:-}" ]] && args+=(-H 'content-type: application/json' --data-binary "$3")
  if [[ -n "${4:-}" ]]; then
    curl "${args[@]}" -H @<(printf 'authorization: Bearer %s\n' "$4")
  else
    curl "${args[@]}"
  fi
}

spire-server() {
  local command=$1 subcommand=$2
  shift 2
  "$ZT_SPIRE_SERVER" "$command" "$subcommand" -socketPath "$ZT_SPIRE_SERVER_SOCKET" "$@"
}

# fetch_svid backend|frontend: a JWT-SVID for audience openbao, asked for as that workload's unix
# user: the agent attests the caller's uid and issues only what that uid is registered for.
fetch_svid() {
  case "$1" in
    backend) fetch_jwt_svid "$ZT_BACKEND_USER" "$ZT_JWT_AUDIENCE" "$ZT_BACKEND_SPIFFE_ID" ;;
    frontend) fetch_jwt_svid "$ZT_FRONTEND_USER" "$ZT_JWT_AUDIENCE" "$ZT_FRONTEND_SPIFFE_ID" ;;
  esac
}

bao() { BAO_ADDR=$BAO_ADDR BAO_TOKEN=${BAO_TOKEN:-$DEMO_ROOT_TOKEN} "$ZT_BAO" "$@"; }

psql() { pg_psql -d "$ZT_DB_NAME" -P pager=off "$@"; }

# Part 5 needs a Kubernetes datapath; local mode says so instead.
demo_network_part() {
  say "Part 5 needs kind mode. Cilium enforces its network policies and mutual authentication in the Linux kernel (eBPF) on the pods' network path, and Hubble reports on that path; local mode runs plain processes on 127.0.0.1, where there is no pod network for Cilium to guard."
  say "To see it: on a machine with Docker, run scripts/setup.sh --kind, then scripts/demo.sh (it picks kind mode). There the frontend's attempt to reach OpenBao is DROPPED, and the backend's traffic to OpenBao is FORWARDED with \"Auth: SPIRE\"."
  say "What local mode does have: the same identity plane. Part 2 showed that OpenBao accepts only the backend's SPIFFE ID; the frontend's identity was refused there."
}
