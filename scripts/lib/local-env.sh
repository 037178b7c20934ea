# shellcheck shell=bash
# Connection facts of local mode: ports (each overridable by environment), the state directory,
# and the unix users the services and workloads run as. Sourced after common.sh and identity.sh.

local_env_defaults() {
  : "${ZT_PG_PORT:=5432}"
  : "${ZT_SPIRE_SERVER_PORT:=8081}"
  : "${ZT_SPIRE_SERVER_HEALTH_PORT:=8180}"
  : "${ZT_SPIRE_AGENT_HEALTH_PORT:=8181}"
  : "${ZT_OIDC_PORT:=8443}"
  : "${ZT_BAO_PORT:=8200}"
  : "${ZT_READY_TIMEOUT:=60}"
  # The JWT-SVID "iss" claim, the discovery document's issuer and OpenBao's bound_issuer: one
  # literal, byte for byte (local-stack.md §3.4).
  ZT_JWT_ISSUER="http://localhost:$ZT_OIDC_PORT"
  # TLS only, with OpenBao's X.509-SVID: `localhost` is among its DNS names (identity.json).
  ZT_BAO_ADDR="https://localhost:$ZT_BAO_PORT"
  ZT_NODE_SPIFFE_ID="spiffe://$ZT_TRUST_DOMAIN/node/local"
  export ZT_PG_PORT ZT_SPIRE_SERVER_PORT ZT_SPIRE_SERVER_HEALTH_PORT ZT_SPIRE_AGENT_HEALTH_PORT \
    ZT_OIDC_PORT ZT_BAO_PORT ZT_READY_TIMEOUT ZT_JWT_ISSUER ZT_BAO_ADDR ZT_NODE_SPIFFE_ID
  local port
  for port in ZT_PG_PORT ZT_SPIRE_SERVER_PORT ZT_SPIRE_SERVER_HEALTH_PORT ZT_SPIRE_AGENT_HEALTH_PORT ZT_OIDC_PORT ZT_BAO_PORT; do
    if [[ ! "${!port}" =~ ^[0-9]+$ ]] || ((${!port} < 1 || ${!port} > 65535)); then
      die "$port=${!port} is not a port number" "unset it or give a number from 1 to 65535"
    fi
  done
}

# Unix users. As root, PostgreSQL runs as "postgres" (it refuses root) and OpenBao and each
# workload get their own system user, so the SPIRE selector unix:uid:<uid> matches that one and
# nothing else (PostgreSQL's is the package's "postgres": whatever else runs as it on this machine
# could ask for PostgreSQL's certificate too). As a regular user, everything runs as that user.
local_users() {
  if is_root; then
    ZT_PG_USER=postgres ZT_OPENBAO_USER=zt-openbao ZT_BACKEND_USER=zt-backend ZT_FRONTEND_USER=zt-frontend
  else
    ZT_PG_USER=$(id -un) ZT_OPENBAO_USER=$(id -un) ZT_BACKEND_USER=$(id -un) ZT_FRONTEND_USER=$(id -un)
  fi
  export ZT_PG_USER ZT_OPENBAO_USER ZT_BACKEND_USER ZT_FRONTEND_USER
}

ensure_local_users() {
  is_root || return 0
  id -u "$ZT_PG_USER" >/dev/null 2>&1 ||
    die "the system user '$ZT_PG_USER' does not exist" "it comes with the postgresql package: apt-get install -y postgresql"
  local user
  for user in "$ZT_OPENBAO_USER" "$ZT_BACKEND_USER" "$ZT_FRONTEND_USER"; do
    if ! id -u "$user" >/dev/null 2>&1; then
      useradd --system --no-create-home --home-dir /nonexistent --shell /usr/sbin/nologin "$user" ||
        die "could not create the system user '$user'" "create it by hand: useradd --system $user"
      info "created system user $user (uid $(id -u "$user")) for the workload's SPIFFE identity"
    fi
  done
}

# as_user USER COMMAND...: runs COMMAND as USER (directly when that is us already).
as_user() {
  local user=$1
  shift
  if [[ "$(id -un)" == "$user" ]]; then "$@"; else runuser -u "$user" -- "$@"; fi
}

# The state directory must be reachable by the service users and short enough for unix sockets
# (108 bytes with the NUL). A clone under a mode-700 home or a deep path gets its state in a
# short directory elsewhere, with .local a symlink to it.
resolve_state_dir() {
  if [[ -n "${ZT_STATE_DIR:-}" ]]; then
    [[ "$ZT_STATE_DIR" == /* ]] || die "ZT_STATE_DIR must be an absolute path" "for example ZT_STATE_DIR=\$PWD/.local"
  else
    local link="$ZT_REPO_ROOT/${ZT_STATE_NAME:-.local}"
    if [[ -L "$link" ]]; then
      ZT_STATE_DIR=$(readlink "$link")
    elif [[ -d "$link" ]] || state_dir_usable "$link"; then
      ZT_STATE_DIR=$link
    else
      ZT_STATE_DIR=$(short_state_dir)
      mkdir -p "$ZT_STATE_DIR" && chmod 755 "$ZT_STATE_DIR"
      ln -sfn "$ZT_STATE_DIR" "$link"
      info "state in $ZT_STATE_DIR ($link links to it: the clone's path is not reachable by the service users, or too long for sockets)"
    fi
  fi
  export ZT_STATE_DIR
}

state_dir_usable() {
  local dir=$1 longest="$1/spire/agent/public/api.sock"
  ((${#longest} <= 100)) || return 1
  is_root || return 0
  local user parent
  parent=$(dirname "$dir")
  for user in "$ZT_PG_USER" "$ZT_BACKEND_USER"; do
    id -u "$user" >/dev/null 2>&1 || continue
    runuser -u "$user" -- test -x "$parent" || return 1
  done
}

short_state_dir() {
  local hash
  hash=$(printf '%s' "$ZT_REPO_ROOT/${ZT_STATE_NAME:-.local}" | sha256sum | cut -c1-10)
  if is_root; then echo "/var/tmp/zt-demo-$hash"; else echo "${TMPDIR:-/tmp}/zt-demo-$(id -u)-$hash"; fi
}

# Paths inside the state directory, used by setup, teardown and the tests (via stack.env).
local_paths() {
  ZT_RUN_DIR="$ZT_STATE_DIR/run"
  ZT_LOG_DIR="$ZT_STATE_DIR/log"
  ZT_SECRETS_DIR="$ZT_STATE_DIR/secrets"
  ZT_PG_DIR="$ZT_STATE_DIR/pg"
  ZT_SPIRE_SERVER_SOCKET="$ZT_STATE_DIR/spire/server/api.sock"
  ZT_SPIRE_AGENT_SOCKET="$ZT_STATE_DIR/spire/agent/public/api.sock"
  # The SPIRE trust bundle as spiffe-helper keeps it for OpenBao: what scripts verify OpenBao with.
  ZT_BAO_CACERT="$ZT_STATE_DIR/openbao/tls/bundle.pem"
  export ZT_BAO_CACERT ZT_RUN_DIR ZT_LOG_DIR ZT_SECRETS_DIR ZT_PG_DIR ZT_SPIRE_SERVER_SOCKET ZT_SPIRE_AGENT_SOCKET
}

load_local_env() {
  local_env_defaults
  local_users
  resolve_state_dir
  local_paths
}
