# shellcheck shell=bash
# Local mode: PostgreSQL, SPIRE server and agent, the OIDC discovery provider and OpenBao as plain
# processes on loopback. Each start_* function starts its component unless it already runs, and
# leaves it ready; stop_local_stack stops what the pid files name. Sourced after common.sh,
# identity.sh, local-env.sh and tools.sh; expects load_identity, load_local_env and ensure_tools.

# shellcheck source=openbao.sh
source "$ZT_REPO_ROOT/scripts/lib/openbao.sh"

SPIRE_CONF_DIR="$ZT_REPO_ROOT/infrastructure/spire/local"

prepare_state_dirs() {
  mkdir -p "$ZT_STATE_DIR"/{run,log,spire/server/data,spire/agent/data}
  (umask 077 && mkdir -p "$ZT_SECRETS_DIR")
  # Workloads connect to the agent socket as other users: every directory on the way is 0755.
  chmod 755 "$ZT_STATE_DIR" "$ZT_STATE_DIR/spire" "$ZT_STATE_DIR/spire/agent" "$ZT_STATE_DIR/log"
  chmod 700 "$ZT_STATE_DIR/run" "$ZT_STATE_DIR/spire/server" "$ZT_STATE_DIR/spire/server/data" "$ZT_STATE_DIR/spire/agent/data"
}

# random_secret FILE: creates FILE (mode 600) with a random alphanumeric secret unless it exists.
random_secret() {
  [[ -s "$1" ]] || (umask 077 && openssl rand -hex 24 >"$1")
}

# require_free_port PORT WHAT: fails with the name of whoever holds the port.
require_free_port() {
  if port_in_use "$1"; then
    local owner
    owner=$(port_owner "$1")
    die "port $1, needed by $2, is already in use${owner:+ (by $owner)}" \
      "stop that process, or choose another port, e.g. $3=$(($1 + 1)) scripts/setup.sh --local"
  fi
}

# start_process NAME LOGFILE COMMAND...: starts COMMAND in the background in its own session and
# records its pid in run/NAME.pid.
start_process() {
  local name=$1 log=$2
  shift 2
  setsid "$@" >>"$log" 2>&1 </dev/null &
  echo $! >"$ZT_RUN_DIR/$name.pid"
}

# start_process_as USER NAME LOGFILE COMMAND...: start_process, as USER (setpriv switches user and
# execs in place, so the recorded pid is the process's own).
start_process_as() {
  local user=$1
  shift
  if is_root && [[ "$user" != root ]]; then
    local name=$1 log=$2
    shift 2
    start_process "$name" "$log" setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --init-groups "$@"
  else
    start_process "$@"
  fi
}

# not_ready NAME LOG: the one-line failure when a component did not become ready.
not_ready() {
  show_log_tail "$2"
  die "$1 did not become ready within ${ZT_READY_TIMEOUT}s (log: $2)" \
    "fix what the log says, then run scripts/teardown.sh --local and scripts/setup.sh --local again"
}

# ---------------------------------------------------------------- PostgreSQL

pg_ctl_as() { as_user "$ZT_PG_USER" "$ZT_PG_BIN/pg_ctl" -D "$ZT_PG_DIR/data" "$@"; }

# Superuser psql over the unix socket. The socket's directory is mode 700, owned by the server's
# user, so only that user (and root) can reach it; that is why local "trust" auth is safe here.
pg_psql() {
  "$ZT_PG_BIN/psql" -h "$ZT_PG_DIR" -p "$ZT_PG_PORT" -U postgres -X -q -v ON_ERROR_STOP=1 "$@"
}

pg_running() { [[ -s "$ZT_PG_DIR/data/PG_VERSION" ]] && pg_ctl_as status >/dev/null 2>&1; }

# PostgreSQL serves TLS only, with its X.509-SVID: spiffe-helper keeps the files in pg/tls and
# sends the postmaster SIGHUP on every renewal (it re-reads them without dropping a session);
# pg_hba.conf (the one kind mode uses too) refuses every connection that is not TLS.
pg_tls_on() { [[ "$(pg_psql -d postgres -Atc 'SHOW ssl' 2>/dev/null)" == on ]]; }

pg_server_options() {
  printf '%s' "-c listen_addresses=127.0.0.1 -p $ZT_PG_PORT -k $ZT_PG_DIR -c unix_socket_permissions=0700" \
    " -c ssl=on -c ssl_cert_file=$ZT_PG_DIR/tls/svid.pem -c ssl_key_file=$ZT_PG_DIR/tls/svid_key.pem" \
    " -c ssl_min_protocol_version=TLSv1.3 -c external_pid_file=$ZT_PG_DIR/postgres.pid"
}

start_postgres() {
  local log="$ZT_LOG_DIR/postgres.log" fresh=0
  install -d -m 700 "$ZT_PG_DIR"
  is_root && chown "$ZT_PG_USER:" "$ZT_PG_DIR"
  start_svid_helper postgres "$ZT_PG_USER" "$ZT_PG_DIR/tls" "$ZT_PG_DIR/postgres.pid"
  if pg_running && pg_tls_on; then
    ok "PostgreSQL already running (pid $(head -n1 "$ZT_PG_DIR/data/postmaster.pid"), port $ZT_PG_PORT, TLS only)"
    return 0
  fi
  if pg_running; then
    info "PostgreSQL runs without TLS (started by an earlier version of setup): restarting it with its X.509-SVID"
    pg_ctl_as -m fast -w stop >/dev/null
  fi
  require_free_port "$ZT_PG_PORT" PostgreSQL ZT_PG_PORT
  touch "$log" && is_root && chown "$ZT_PG_USER:" "$log"
  if [[ ! -s "$ZT_PG_DIR/data/PG_VERSION" ]]; then
    fresh=1
    random_secret "$ZT_SECRETS_DIR/pg-superuser-password"
    random_secret "$ZT_SECRETS_DIR/pg-openbao-admin-password"
    # initdb reads the password from a file the server's user can read; it is removed right after.
    install -m 600 "$ZT_SECRETS_DIR/pg-superuser-password" "$ZT_PG_DIR/initdb-pw"
    is_root && chown "$ZT_PG_USER:" "$ZT_PG_DIR/initdb-pw"
    as_user "$ZT_PG_USER" "$ZT_PG_BIN/initdb" -D "$ZT_PG_DIR/data" -U postgres --pwfile="$ZT_PG_DIR/initdb-pw" \
      --auth-local=trust --auth-host=scram-sha-256 -E UTF8 --no-locale >>"$log" 2>&1 ||
      { rm -f "$ZT_PG_DIR/initdb-pw"; not_ready "PostgreSQL initdb" "$log"; }
    rm -f "$ZT_PG_DIR/initdb-pw"
  fi
  # The same rules as kind mode: TLS (hostssl) or nothing; local connections over the socket only.
  install -m 600 "$ZT_REPO_ROOT/infrastructure/postgres/pg_hba.conf" "$ZT_PG_DIR/data/pg_hba.conf"
  is_root && chown "$ZT_PG_USER:" "$ZT_PG_DIR/data/pg_hba.conf"
  pg_ctl_as -l "$log" -w -t "$ZT_READY_TIMEOUT" -o "$(pg_server_options)" start >/dev/null 2>&1 || not_ready PostgreSQL "$log"
  wait_until "$ZT_READY_TIMEOUT" "PostgreSQL accepting connections" \
    "$ZT_PG_BIN/pg_isready" -q -h 127.0.0.1 -p "$ZT_PG_PORT" || not_ready PostgreSQL "$log"
  ok "PostgreSQL $("$ZT_PG_BIN/postgres" --version | awk '{print $3}') started (port $ZT_PG_PORT, TLS only, data $ZT_PG_DIR/data)"
  if ((fresh)); then bootstrap_postgres; fi
}

# The same SQL files the Kubernetes bootstrap runs, read from stdin.
bootstrap_postgres() {
  local sql="$ZT_REPO_ROOT/infrastructure/postgres"
  pg_psql -d postgres -c "CREATE DATABASE $ZT_DB_NAME"
  # The password reaches psql on stdin (printf is a builtin), never on a command line, where ps
  # would show it; it is hex, so quoting it for \set is safe.
  { printf '%s\n' "\\set openbao_pw '$(<"$ZT_SECRETS_DIR/pg-openbao-admin-password")'"; cat "$sql/bootstrap.sql"; } |
    pg_psql -d "$ZT_DB_NAME"
  pg_psql -d "$ZT_DB_NAME" <"$sql/seed-demo-users.sql"
  ok "database $ZT_DB_NAME bootstrapped (roles app_owner, app_rw, $ZT_DB_ADMIN_USER; schema app; 6 demo users)"
}

# Dynamic users whose leases died with an earlier OpenBao storage (state deleted, OpenBao set up
# anew). Their sessions end too, as OpenBao's own revocation would end them: a dropped role's open sessions
# would otherwise linger without rights, and a running backend could not tell it must rotate.
drop_stale_dynamic_users() {
  local dropped
  dropped=$(pg_psql -d "$ZT_DB_NAME" -At <<'SQL'
SELECT pg_terminate_backend(pid) FROM pg_stat_activity WHERE usename LIKE 'v-%' \g /dev/null
SELECT format('DROP ROLE %I', rolname) FROM pg_roles WHERE rolname LIKE 'v-%' \gexec
SELECT count(*) FROM pg_roles WHERE rolname LIKE 'v-%';
SQL
  )
  [[ "$dropped" == 0 ]] || die "could not drop stale dynamic users" "connect with psql and look at: SELECT rolname FROM pg_roles WHERE rolname LIKE 'v-%'"
}

# ---------------------------------------------------------------- SPIRE

spire_server() { "$ZT_SPIRE_SERVER" "$@"; }
spire_server_healthy() { spire_server healthcheck -socketPath "$ZT_SPIRE_SERVER_SOCKET" >/dev/null 2>&1; }
spire_agent_healthy() { "$ZT_SPIRE_AGENT" healthcheck -socketPath "$ZT_SPIRE_AGENT_SOCKET" >/dev/null 2>&1; }

# SPIRE state is made anew whenever the server starts: the agent's join token is one-time, and a
# server with new keys would not trust an agent attested to the old one.
start_spire_server() {
  local log="$ZT_LOG_DIR/spire-server.log"
  if pid_alive "$ZT_RUN_DIR/spire-server.pid" spire-server && spire_server_healthy; then
    ok "SPIRE server already running (pid $(<"$ZT_RUN_DIR/spire-server.pid"), trust domain $ZT_TRUST_DOMAIN)"
    return 0
  fi
  start_reason "SPIRE server" "$ZT_RUN_DIR/spire-server.pid" spire-server
  stop_process oidc-discovery-provider
  stop_process spire-agent
  require_free_port "$ZT_SPIRE_SERVER_PORT" "the SPIRE server" ZT_SPIRE_SERVER_PORT
  require_free_port "$ZT_SPIRE_SERVER_HEALTH_PORT" "the SPIRE server health check" ZT_SPIRE_SERVER_HEALTH_PORT
  rm -rf "$ZT_STATE_DIR/spire/server/data" "$ZT_STATE_DIR/spire/agent/data" "$ZT_STATE_DIR/spire/agent/public"
  prepare_state_dirs
  : >"$log"
  start_process spire-server "$log" "$ZT_SPIRE_SERVER" run -config "$SPIRE_CONF_DIR/server.conf" -expandEnv
  wait_until "$ZT_READY_TIMEOUT" "the SPIRE server health check" spire_server_healthy || not_ready "SPIRE server" "$log"
  ok "SPIRE server started (pid $(<"$ZT_RUN_DIR/spire-server.pid"), trust domain $ZT_TRUST_DOMAIN, JWT issuer $ZT_JWT_ISSUER)"
}

# register_workload SPIFFE_ID USER HINT [DNS_NAME...]: a registration entry that gives SPIFFE_ID
# to processes of USER's uid on this node: its X.509-SVID (for TLS) with these DNS names and
# ZT_X509_SVID_TTL, its JWT-SVIDs, and HINT, by which a process that shares its uid with others
# (setup run as a regular user) picks its own. An entry with other settings is updated.
register_workload() {
  local id=$1 user=$2 hint=$3 uid entry x509_ttl jwt_ttl name
  shift 3
  local dns=("$@") args=()
  uid=$(id -u "$user")
  x509_ttl=$(duration_seconds "$ZT_X509_SVID_TTL") jwt_ttl=$(duration_seconds "$ZT_JWT_SVID_TTL")
  args=(-spiffeID "$id" -selector "unix:uid:$uid" -x509SVIDTTL "$x509_ttl" -jwtSVIDTTL "$jwt_ttl" -hint "$hint")
  for name in "${dns[@]}"; do args+=(-dns "$name"); done
  entry=$(spire_server entry show -socketPath "$ZT_SPIRE_SERVER_SOCKET" -spiffeID "$id" \
    -selector "unix:uid:$uid" -output json | jq -c '.entries[0] // empty')
  if [[ -z "$entry" ]]; then
    spire_server entry create -socketPath "$ZT_SPIRE_SERVER_SOCKET" -parentID "$ZT_NODE_SPIFFE_ID" "${args[@]}" >/dev/null ||
      die "could not register $id" "see $ZT_LOG_DIR/spire-server.log"
    ok "registered $id for unix:uid:$uid ($user; X.509-SVIDs of $ZT_X509_SVID_TTL${dns[*]:+, DNS ${dns[*]}})"
  elif jq -e --argjson x "$x509_ttl" --argjson j "$jwt_ttl" --arg h "$hint" \
    '.x509_svid_ttl == $x and .jwt_svid_ttl == $j and .hint == $h and ((.dns_names // []) == $ARGS.positional)' \
    --args "${dns[@]}" <<<"$entry" >/dev/null; then
    ok "$id is registered for unix:uid:$uid ($user; X.509-SVIDs of $ZT_X509_SVID_TTL)"
  else
    spire_server entry update -socketPath "$ZT_SPIRE_SERVER_SOCKET" -entryID "$(jq -r .id <<<"$entry")" \
      -parentID "$ZT_NODE_SPIFFE_ID" "${args[@]}" >/dev/null || die "could not update the entry of $id" "see $ZT_LOG_DIR/spire-server.log"
    ok "updated $id for unix:uid:$uid ($user; X.509-SVIDs of $ZT_X509_SVID_TTL from now on)"
  fi
}

# The four workloads of local mode, each selected by the uid of its own user.
register_workloads() {
  # shellcheck disable=SC2086 # the DNS names are a space-separated list
  register_workload "$ZT_POSTGRES_SPIFFE_ID" "$ZT_PG_USER" postgres $ZT_POSTGRES_DNS_NAMES
  # shellcheck disable=SC2086
  register_workload "$ZT_OPENBAO_SPIFFE_ID" "$ZT_OPENBAO_USER" openbao $ZT_OPENBAO_DNS_NAMES
  # shellcheck disable=SC2086
  register_workload "$ZT_BACKEND_SPIFFE_ID" "$ZT_BACKEND_USER" backend $ZT_BACKEND_DNS_NAMES
  register_workload "$ZT_FRONTEND_SPIFFE_ID" "$ZT_FRONTEND_USER" frontend
}

start_spire_agent() {
  local log="$ZT_LOG_DIR/spire-agent.log" token
  if pid_alive "$ZT_RUN_DIR/spire-agent.pid" spire-agent && spire_agent_healthy; then
    ok "SPIRE agent already running (pid $(<"$ZT_RUN_DIR/spire-agent.pid"))"
    return 0
  fi
  start_reason "SPIRE agent" "$ZT_RUN_DIR/spire-agent.pid" spire-agent
  require_free_port "$ZT_SPIRE_AGENT_HEALTH_PORT" "the SPIRE agent health check" ZT_SPIRE_AGENT_HEALTH_PORT
  rm -rf "$ZT_STATE_DIR/spire/agent/data" "$ZT_STATE_DIR/spire/agent/public"
  prepare_state_dirs
  spire_server bundle show -socketPath "$ZT_SPIRE_SERVER_SOCKET" -format pem >"$ZT_STATE_DIR/spire/agent/bootstrap.pem"
  token=$(spire_server token generate -socketPath "$ZT_SPIRE_SERVER_SOCKET" -spiffeID "$ZT_NODE_SPIFFE_ID" -ttl 600 |
    awk '/^Token:/ {print $2}')
  [[ -n "$token" ]] || die "the SPIRE server issued no join token" "see $ZT_LOG_DIR/spire-server.log"
  : >"$log"
  # The join token is one-time: once the agent has attested with it, it is worthless. Until then
  # it is a credential, so it goes through the environment into agent.conf (-expandEnv), not on
  # the command line where ps shows it.
  ZT_SPIRE_JOIN_TOKEN=$token start_process spire-agent "$log" "$ZT_SPIRE_AGENT" run -config "$SPIRE_CONF_DIR/agent.conf" -expandEnv
  wait_until "$ZT_READY_TIMEOUT" "the SPIRE agent health check" spire_agent_healthy || not_ready "SPIRE agent" "$log"
  ok "SPIRE agent started (pid $(<"$ZT_RUN_DIR/spire-agent.pid"), node $ZT_NODE_SPIFFE_ID, socket $ZT_SPIRE_AGENT_SOCKET)"
}

oidc_ready() {
  curl -fsS "http://127.0.0.1:$ZT_OIDC_PORT/keys" | jq -e '.keys | length > 0' >/dev/null &&
    [[ "$(curl -fsS "$ZT_JWT_ISSUER/.well-known/openid-configuration" | jq -r .issuer)" == "$ZT_JWT_ISSUER" ]]
}

start_oidc_provider() {
  local log="$ZT_LOG_DIR/oidc-discovery-provider.log"
  if pid_alive "$ZT_RUN_DIR/oidc-discovery-provider.pid" oidc-discovery-provider && oidc_ready; then
    ok "OIDC discovery provider already running (pid $(<"$ZT_RUN_DIR/oidc-discovery-provider.pid"), $ZT_JWT_ISSUER)"
    return 0
  fi
  start_reason "OIDC discovery provider" "$ZT_RUN_DIR/oidc-discovery-provider.pid" oidc-discovery-provider
  require_free_port "$ZT_OIDC_PORT" "the SPIRE OIDC discovery provider" ZT_OIDC_PORT
  : >"$log"
  start_process oidc-discovery-provider "$log" "$ZT_OIDC_PROVIDER" -config "$SPIRE_CONF_DIR/oidc-discovery-provider.conf" -expandEnv
  wait_until "$ZT_READY_TIMEOUT" "the OIDC discovery provider serving keys" oidc_ready || not_ready "OIDC discovery provider" "$log"
  ok "OIDC discovery provider started (pid $(<"$ZT_RUN_DIR/oidc-discovery-provider.pid"), issuer $ZT_JWT_ISSUER)"
}

# The spire-agent CLI as the workload users may run it, for asking the Workload API as them. The
# tool cache can sit where they cannot reach (root's home), so they get a copy in the state dir.
prepare_workload_cli() {
  ZT_WORKLOAD_SPIRE_AGENT=$ZT_SPIRE_AGENT
  if is_root && ! runuser -u "$ZT_BACKEND_USER" -- test -x "$ZT_SPIRE_AGENT"; then
    ZT_WORKLOAD_SPIRE_AGENT="$ZT_STATE_DIR/bin/spire-agent"
    mkdir -p "$ZT_STATE_DIR/bin" && chmod 755 "$ZT_STATE_DIR/bin"
    cmp -s "$ZT_SPIRE_AGENT" "$ZT_WORKLOAD_SPIRE_AGENT" || install -m 755 "$ZT_SPIRE_AGENT" "$ZT_WORKLOAD_SPIRE_AGENT"
  fi
  export ZT_WORKLOAD_SPIRE_AGENT
}

# fetch_jwt_svid USER AUDIENCE [SPIFFE_ID]: a JWT-SVID from the agent's Workload API, asked for as
# USER (the agent attests the caller's uid). Prints the token only.
fetch_jwt_svid() {
  local args=(api fetch jwt -socketPath "$ZT_SPIRE_AGENT_SOCKET" -audience "$2" -output json)
  [[ -n "${3:-}" ]] && args+=(-spiffeID "$3")
  as_user "$1" "$ZT_WORKLOAD_SPIRE_AGENT" "${args[@]}" 2>/dev/null | jq -er '.[0].svids[0].svid'
}

# ---------------------------------------------------------------- X.509-SVID files (spiffe-helper)

svid_files_ready() { [[ -s "$1/svid.pem" && -s "$1/svid_key.pem" && -s "$1/bundle.pem" ]]; }

# start_svid_helper NAME USER DIR PID_FILE: spiffe-helper as USER, keeping NAME's X.509-SVID (the
# one with hint NAME) in DIR (svid.pem, svid_key.pem with mode 600, bundle.pem) and sending the
# process in PID_FILE SIGHUP on every renewal: OpenBao and PostgreSQL then load the new
# certificate in place. Waits for the files: neither server starts without them.
start_svid_helper() {
  local name=$1 user=$2 dir=$3 pid_file=$4
  local process="svid-helper-$1" log="$ZT_LOG_DIR/svid-helper-$1.log"
  install -d -m 700 "$dir"
  is_root && chown "$user:" "$dir"
  cat >"$dir/helper.conf" <<HCL
# Written by scripts/setup.sh (local mode): spiffe-helper keeps $name's X.509-SVID here.
agent_address         = "$ZT_SPIRE_AGENT_SOCKET"
cert_dir              = "$dir"
svid_file_name        = "svid.pem"
svid_key_file_name    = "svid_key.pem"
svid_bundle_file_name = "bundle.pem"
hint                  = "$name"
pid_file_name         = "$pid_file"
renew_signal          = "SIGHUP"
daemon_mode           = true
HCL
  chmod 644 "$dir/helper.conf"
  if pid_alive "$ZT_RUN_DIR/$process.pid" "$dir/helper.conf" && svid_files_ready "$dir"; then
    ok "spiffe-helper for $name already running (pid $(<"$ZT_RUN_DIR/$process.pid"))"
    return 0
  fi
  stop_process "$process"
  : >"$log"
  start_process_as "$user" "$process" "$log" "$ZT_SPIFFE_HELPER" -config "$dir/helper.conf"
  wait_until "$ZT_READY_TIMEOUT" "$name's X.509-SVID in $dir" svid_files_ready "$dir" || not_ready "spiffe-helper for $name" "$log"
  ok "spiffe-helper for $name started (pid $(<"$ZT_RUN_DIR/$process.pid")): $(svid_summary "$dir/svid.pem")"
}

# svid_summary PEM: the SPIFFE ID and expiry of a certificate, for setup's output.
svid_summary() {
  openssl x509 -in "$1" -noout -ext subjectAltName -enddate 2>/dev/null |
    awk '/URI:/ {match($0, /URI:[^,]*/); id = substr($0, RSTART + 4, RLENGTH - 4)} /notAfter=/ {sub("notAfter=", ""); end = $0} END {printf "%s, valid until %s", id, end}'
}

# ---------------------------------------------------------------- OpenBao

# OpenBao over TLS, verified against the SPIRE bundle spiffe-helper keeps beside its certificate.
bao_curl() { curl --cacert "$ZT_BAO_CACERT" "$@"; }
bao_healthy() { bao_curl -fsS "$ZT_BAO_ADDR/v1/sys/health" >/dev/null 2>&1; }
bao_answers() { bao_curl -sS -o /dev/null "$ZT_BAO_ADDR/v1/sys/seal-status" 2>/dev/null; }

ZT_BAO_INIT_FILE_NAME=openbao-init.json

# OpenBao's server configuration: loopback only; TLS only, with its X.509-SVID (spiffe-helper keeps
# the files in openbao/tls and sends SIGHUP on renewal, on which OpenBao loads the new certificate
# without restarting or sealing); file storage in the state directory (a restart loses nothing);
# and the audit device, which OpenBao 2.6 takes only from its configuration file (it refuses to
# enable one through its API), a file beside the other logs. It runs as ZT_OPENBAO_USER, whose uid
# SPIRE attests.
write_openbao_config() {
  mkdir -p "$ZT_STATE_DIR/openbao/data"
  chmod 700 "$ZT_STATE_DIR/openbao" "$ZT_STATE_DIR/openbao/data"
  touch "$ZT_LOG_DIR/openbao-audit.log" && chmod 600 "$ZT_LOG_DIR/openbao-audit.log"
  if is_root; then chown -R "$ZT_OPENBAO_USER:" "$ZT_STATE_DIR/openbao" "$ZT_LOG_DIR/openbao-audit.log"; fi
  cat >"$ZT_STATE_DIR/openbao/config.hcl" <<HCL
# Written by scripts/setup.sh (local mode); the same server settings as kind mode's values.yaml.
ui       = false
pid_file = "$ZT_STATE_DIR/openbao/openbao.pid"
listener "tcp" {
  address         = "127.0.0.1:$ZT_BAO_PORT"
  tls_cert_file   = "$ZT_STATE_DIR/openbao/tls/svid.pem"
  tls_key_file    = "$ZT_STATE_DIR/openbao/tls/svid_key.pem"
  tls_min_version = "tls13"
}
storage "file" {
  path = "$ZT_STATE_DIR/openbao/data"
}
audit "file" "file" {
  description = "Every request and response, sensitive values HMAC'd"
  options {
    file_path = "$ZT_LOG_DIR/openbao-audit.log"
    mode      = "0600"
  }
}
HCL
}

# OpenBao as kind mode runs it: a real server with file storage, initialised once (one Shamir key
# share; the unseal key and root token in secrets/openbao-init.json, mode 600) and unsealed on
# every start, through its HTTP API (scripts/lib/openbao.sh, shared with kind mode).
start_openbao() {
  local log="$ZT_LOG_DIR/openbao.log" init="$ZT_SECRETS_DIR/$ZT_BAO_INIT_FILE_NAME"
  write_openbao_config
  start_svid_helper openbao "$ZT_OPENBAO_USER" "$ZT_STATE_DIR/openbao/tls" "$ZT_STATE_DIR/openbao/openbao.pid"
  # Without its init file this is no OpenBao setup initialised (the dev server of an earlier
  # version of this project, say): it is replaced.
  if pid_alive "$ZT_RUN_DIR/openbao.pid" "$(process_signature openbao)" && bao_answers && [[ -s "$init" ]]; then
    ok "OpenBao already running (pid $(<"$ZT_RUN_DIR/openbao.pid"), $ZT_BAO_ADDR)"
  else
    if [[ -s "$ZT_RUN_DIR/openbao.pid" && ! -s "$init" ]]; then
      info "OpenBao (pid $(<"$ZT_RUN_DIR/openbao.pid")) was not set up by this version of setup (no $ZT_BAO_INIT_FILE_NAME): replacing it"
    else
      start_reason OpenBao "$ZT_RUN_DIR/openbao.pid" "$(process_signature openbao)"
    fi
    stop_process openbao
    require_free_port "$ZT_BAO_PORT" OpenBao ZT_BAO_PORT
    : >"$log"
    start_process_as "$ZT_OPENBAO_USER" openbao "$log" "$ZT_BAO" server -config="$ZT_STATE_DIR/openbao/config.hcl"
    wait_until "$ZT_READY_TIMEOUT" "OpenBao answering /v1/sys/seal-status" bao_answers || not_ready OpenBao "$log"
    rm -f "$ZT_RUN_DIR/openbao.configured"
    ok "OpenBao $OPENBAO_VERSION started (pid $(<"$ZT_RUN_DIR/openbao.pid"), $ZT_BAO_ADDR, TLS only, as $ZT_OPENBAO_USER, file storage in $ZT_STATE_DIR/openbao/data)"
  fi
  BAO_CACERT=$ZT_BAO_CACERT openbao_init_unseal "$ZT_BAO_ADDR" "$init" "$init" "see $log" --local
  wait_until "$ZT_READY_TIMEOUT" "OpenBao reporting healthy" bao_healthy || not_ready OpenBao "$log"
  # A new storage means the dynamic users of an earlier one have no lease left to end them.
  [[ "$OPENBAO_ACTION" != initialised ]] || drop_stale_dynamic_users
}

# What the configuration depends on: the files it reads and the facts it is given. When OpenBao
# runs and was configured from the same inputs, nothing needs writing.
openbao_config_fingerprint() {
  {
    cat "$ZT_REPO_ROOT/infrastructure/identity.json" "$ZT_REPO_ROOT/infrastructure/openbao/configure.sh" \
      "$ZT_REPO_ROOT"/infrastructure/openbao/*.hcl "$ZT_REPO_ROOT"/infrastructure/openbao/sql/*.sql
    echo "$(<"$ZT_RUN_DIR/openbao.pid") $ZT_JWT_ISSUER $ZT_PG_PORT $ZT_ROTATION_SETTING $ZT_BAO_CACERT"
  } | sha256sum | cut -c1-16
}

configure_openbao_local() {
  local marker="$ZT_RUN_DIR/openbao.configured" fingerprint
  fingerprint=$(openbao_config_fingerprint)
  if [[ -s "$marker" && "$(<"$marker")" == "$fingerprint" ]]; then
    ok "OpenBao configuration unchanged (same inputs as when it was applied)"
    return 0
  fi
  # PostgreSQL by the name in its certificate (localhost), verified against the bundle file that
  # OpenBao's spiffe-helper keeps current.
  BAO_ADDR=$ZT_BAO_ADDR BAO_CACERT=$ZT_BAO_CACERT BAO_TOKEN=$(openbao_root_token "$ZT_SECRETS_DIR/$ZT_BAO_INIT_FILE_NAME") \
    "$ZT_REPO_ROOT/infrastructure/openbao/configure.sh" \
    --jwt-discovery-url "$ZT_JWT_ISSUER" --issuer "$ZT_JWT_ISSUER" \
    --pg-host localhost --pg-port "$ZT_PG_PORT" --pg-sslrootcert "$ZT_BAO_CACERT" \
    --pg-admin-password-file "$ZT_SECRETS_DIR/pg-openbao-admin-password" --rotation "$ZT_ROTATION_SETTING"
  echo "$fingerprint" >"$marker"
}

# The end-to-end check setup ends with: the backend's uid gets a JWT-SVID, and OpenBao accepts it.
# The SPIFFE ID is asked for by name: as a regular user, backend and frontend share one uid.
verify_backend_login() {
  local svid response token policies
  wait_until "$ZT_READY_TIMEOUT" "a JWT-SVID for $ZT_BACKEND_SPIFFE_ID (registration reaching the agent)" \
    fetch_jwt_svid "$ZT_BACKEND_USER" "$ZT_JWT_AUDIENCE" "$ZT_BACKEND_SPIFFE_ID" ||
    not_ready "the backend's identity" "$ZT_LOG_DIR/spire-agent.log"
  svid=$(fetch_jwt_svid "$ZT_BACKEND_USER" "$ZT_JWT_AUDIENCE" "$ZT_BACKEND_SPIFFE_ID")
  response=$(jq -n --arg r "$ZT_BAO_JWT_ROLE" --arg j "$svid" '{role: $r, jwt: $j}' |
    bao_curl -sS -X POST --data-binary @- "$ZT_BAO_ADDR/v1/auth/$ZT_BAO_JWT_MOUNT/login")
  token=$(jq -r '.auth.client_token // empty' <<<"$response")
  [[ -n "$token" ]] || die "OpenBao refused the backend's JWT-SVID: $(jq -r '(.errors // []) | join("; ")' <<<"$response")" \
    "the JWT-SVID's iss, aud and sub must match auth/jwt/role/$ZT_BAO_JWT_ROLE; see $ZT_LOG_DIR/openbao.log"
  policies=$(jq -r '.auth.policies | join(", ")' <<<"$response")
  bao_curl -sS -X POST -H @<(printf 'X-Vault-Token: %s\n' "$token") "$ZT_BAO_ADDR/v1/auth/token/revoke-self" >/dev/null
  ok "the backend's JWT-SVID logs in to OpenBao as role $ZT_BAO_JWT_ROLE (policies: $policies)"
}

# Connection facts for tests and tools; no secrets (those stay in secrets/, mode 600).
write_stack_env() {
  {
    echo "# written by scripts/setup.sh --local; connection facts of the running local stack"
    local var
    for var in ZT_STATE_DIR ZT_RUN_DIR ZT_LOG_DIR ZT_SECRETS_DIR ZT_PG_DIR ZT_PG_BIN ZT_PG_PORT ZT_PG_USER \
      ZT_SPIRE_SERVER ZT_SPIRE_AGENT ZT_WORKLOAD_SPIRE_AGENT ZT_OIDC_PROVIDER ZT_SPIFFE_HELPER ZT_BAO \
      ZT_SPIRE_SERVER_SOCKET ZT_SPIRE_AGENT_SOCKET ZT_SPIRE_SERVER_PORT ZT_SPIRE_SERVER_HEALTH_PORT ZT_SPIRE_AGENT_HEALTH_PORT \
      ZT_OIDC_PORT ZT_BAO_PORT ZT_BAO_ADDR ZT_BAO_CACERT ZT_JWT_ISSUER ZT_NODE_SPIFFE_ID ZT_X509_SVID_TTL \
      ZT_OPENBAO_USER ZT_BACKEND_USER ZT_FRONTEND_USER ZT_BACKEND_PORT ZT_BACKEND_URL ZT_BACKEND_HEALTH_PORT \
      ZT_BACKEND_HEALTH_URL ZT_FRONTEND_PORT ZT_FRONTEND_URL; do
      printf '%s=%q\n' "$var" "${!var}"
    done
  } >"$ZT_STATE_DIR/stack.env"
}

# ---------------------------------------------------------------- stopping

# process_signature NAME: what the command line of our NAME process contains; pid files are only
# trusted when it matches (Next.js renames its process to next-server).
process_signature() {
  case "$1" in
    openbao) echo "bao server" ;;
    svid-helper-*) echo "spiffe-helper" ;;
    backend) echo "dist/main.js" ;;
    frontend) echo "next-server" ;;
    *) echo "$1" ;;
  esac
}

# stop_processes NAME...: stops the processes named by run/NAME.pid: TERM to all of them at
# once (each takes about 2 s to shut down cleanly), KILL for any still there after 10 s.
stop_processes() {
  local name pid pids=() names=() i
  for name in "$@"; do
    if pid_alive "$ZT_RUN_DIR/$name.pid" "$(process_signature "$name")"; then
      pid=$(<"$ZT_RUN_DIR/$name.pid")
      kill -TERM "$pid" 2>/dev/null || true
      pids+=("$pid") names+=("$name")
    fi
    rm -f "$ZT_RUN_DIR/$name.pid"
  done
  for i in "${!pids[@]}"; do
    local waited
    for ((waited = 0; waited < 20; waited++)); do
      kill -0 "${pids[$i]}" 2>/dev/null || break
      sleep 0.5
    done
    kill -KILL "${pids[$i]}" 2>/dev/null || true
    ok "stopped ${names[$i]} (pid ${pids[$i]})"
  done
}
stop_process() { stop_processes "$1"; }

stop_local_stack() {
  stop_processes frontend
  stop_processes backend # before OpenBao: it revokes its database lease on the way out
  stop_processes openbao svid-helper-openbao oidc-discovery-provider spire-agent spire-server
  if [[ -s "$ZT_PG_DIR/data/postmaster.pid" ]] && pg_running; then
    pg_ctl_as -m fast -w stop >/dev/null && ok "stopped PostgreSQL"
  fi
  stop_processes svid-helper-postgres
}
