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
  DEMO_CACERT=$ZT_BAO_CACERT
  BAO_ADDR=$ZT_BAO_ADDR
  export BAO_CACERT=$ZT_BAO_CACERT
  unset BAO_TOKEN
}

demo_legend() {
  say "Local mode: every component is a plain process on this machine. The commands below use these shorthands:"
  note "backend_api M PATH [JSON] [TOKEN]  curl -s -X M $ZT_BACKEND_URL\$PATH (JSON body, Bearer TOKEN), with the frontend's X.509-SVID (minted by mint_svid)"
  note "mint_svid SPIFFE_ID DIR             spire-server x509 mint -spiffeID SPIFFE_ID -write DIR (an admin's power: an X.509-SVID for any ID)"
  note "spire-server ...                   $ZT_SPIRE_SERVER ... -socketPath $ZT_SPIRE_SERVER_SOCKET"
  note "fetch_svid backend|frontend        spire-agent api fetch jwt -audience $ZT_JWT_AUDIENCE, run as that workload's unix user ($ZT_BACKEND_USER, $ZT_FRONTEND_USER)"
  note "bao ...                            $ZT_BAO ... with BAO_ADDR=$BAO_ADDR, BAO_CACERT=$BAO_CACERT and, unless BAO_TOKEN is given, the root token from $ZT_SECRETS_DIR/openbao-init.json"
  note "psql ...                           psql as the postgres superuser on $ZT_DB_NAME, over its unix socket in $ZT_PG_DIR"
}

# backend_api METHOD PATH [JSON] [TOKEN]: the backend's answer (body only), over mutual TLS with
# the frontend's X.509-SVID (the only identity its API admits). The token goes in a header read
# from a file descriptor, never on a command line.
backend_api() {
  demo_client_certificates
  local certs="$DEMO_TLS_DIR/frontend"
  local args=(-sS --cacert "$certs/bundle.pem" --cert "$certs/svid.pem" --key "$certs/key.pem" -X "$1" "$ZT_BACKEND_URL$2")
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

# mint_svid SPIFFE_ID DIR: an X.509-SVID for any SPIFFE ID, from the SPIRE server's admin API (the
# demo's way to act as the frontend, or as an impostor): svid.pem, key.pem, bundle.pem in DIR.
mint_svid() {
  # (its stderr only ever says that the lifetime was "capped" to the very hour asked for)
  "$ZT_SPIRE_SERVER" x509 mint -socketPath "$ZT_SPIRE_SERVER_SOCKET" -spiffeID "$1" -ttl 1h -write "$2" >/dev/null 2>&1
}

# tls_attempt WHAT: a client without the right credentials tries a hop (part 5), and says what happened.
#   openbao-certificate  what OpenBao's TLS listener presents, checked against the SPIRE bundle
#   openbao-plain        plain HTTP to OpenBao
#   postgres-plain       psql to PostgreSQL without TLS
#   backend-no-cert      TLS to the backend's API without a client certificate
#   backend-impostor     TLS to the backend's API with an X.509-SVID for another SPIFFE ID
tls_attempt() {
  case "$1" in
    openbao-certificate) openssl_peer "localhost:$ZT_BAO_PORT" "$DEMO_CACERT" ;;
    openbao-plain) curl -sS -m 5 "http://localhost:$ZT_BAO_PORT/v1/sys/health"; echo ;;
    postgres-plain) PGCONNECT_TIMEOUT=5 "$ZT_PG_BIN/psql" "host=127.0.0.1 port=$ZT_PG_PORT dbname=$ZT_DB_NAME user=$ZT_DB_ADMIN_USER sslmode=disable" -c 'SELECT 1' </dev/null 2>&1 || true ;;
    backend-no-cert) backend_probe --cacert "$DEMO_CACERT" ;;
    backend-impostor)
      local certs="$DEMO_TLS_DIR/impostor"
      backend_probe --cacert "$certs/bundle.pem" --cert "$certs/svid.pem" --key "$certs/key.pem"
      ;;
  esac
}

# backend_probe CURL_TLS_OPTIONS...: "answered: HTTP n", or "refused: why" when no answer came.
backend_probe() {
  local result status=0
  result=$(curl -sS -m 5 -o /dev/null -w '\nanswered: HTTP %{http_code}' "$@" "$ZT_BACKEND_URL/api/health/live" 2>&1) || status=$?
  if ((status)); then
    result=$(head -n1 <<<"$result")
    echo "refused: ${result#curl: }"
  else
    tail -n1 <<<"$result"
  fi
}

bao() { BAO_ADDR=$BAO_ADDR BAO_TOKEN=${BAO_TOKEN:-$DEMO_ROOT_TOKEN} "$ZT_BAO" "$@"; }

psql() { pg_psql -d "$ZT_DB_NAME" -P pager=off "$@"; }

# Part 4's last step in kind mode shows the replicas; local mode runs one process of each.
demo_replicas_step() {
  say "Local mode runs one process of each part. In kind mode (scripts/setup.sh --kind) this step shows two replicas of the backend and of the frontend on different nodes, and OpenBao's three Raft servers that unseal themselves after a restart."
}

# The Cilium half of part 5 needs a Kubernetes datapath; local mode says so instead.
demo_network_part() {
  say "The rest of part 5 needs kind mode. Cilium enforces its network policies and mutual authentication in the Linux kernel (eBPF) on the pods' network path, and Hubble reports on that path; local mode runs plain processes on 127.0.0.1, where there is no pod network for Cilium to guard."
  say "To see it: on a machine with Docker, run scripts/setup.sh --kind, then scripts/demo.sh (it picks kind mode). There the frontend's attempt to reach OpenBao is DROPPED, and the backend's traffic to OpenBao is FORWARDED with \"Auth: SPIRE\"."
}
