#!/usr/bin/env bash
# Configures OpenBao for zt-demo: the one configuration step that local mode and kind mode both
# run. Only connection facts are parameters; everything else comes from infrastructure/identity.json
# and the policy, password-policy and SQL files next to this script. Every step is idempotent
# (guarded enables, upserts, a create-only write for the signing key), so it is safe to run again.
#
# Usage: infrastructure/openbao/configure.sh [options]
#
# Environment:
#   BAO_ADDR    OpenBao address, e.g. https://localhost:8200 (required; OpenBao serves TLS only)
#   BAO_CACERT  the SPIRE trust bundle (PEM) that OpenBao's certificate must chain to (required)
#   BAO_TOKEN   a token allowed to configure OpenBao, e.g. the root token (required; never printed)
#
# Options (JWT key source: exactly one of --jwt-discovery-url and --jwks-url):
#   --jwt-discovery-url URL      OIDC discovery URL of the SPIRE OIDC provider (local mode);
#                                must equal the discovery document's issuer
#   --jwks-url URL               JWKS URL of the SPIRE OIDC provider (kind mode)
#   --jwks-ca-file FILE          PEM CA bundle for --jwks-url over https (kind mode)
#   --issuer ISS                 bound_issuer: the SPIRE server's jwt_issuer (required)
#   --pg-host HOST               PostgreSQL host as OpenBao reaches it (required)
#   --pg-port PORT               PostgreSQL port (default 5432)
#   --pg-admin-password-file F   file holding the password of the database admin role (required)
#   --pg-sslrootcert FILE        the SPIRE trust bundle as OpenBao's process reads it (required):
#                                OpenBao verifies PostgreSQL's certificate against it
#                                (sslmode=verify-full: chain and host name)
#   --rotation default|fast      database lease TTLs: identity.json's default (1h), or the short
#                                ones of its fastRotation setting (setup.sh --fast-rotation)
#   -h, --help                   show this help
set -euo pipefail

# shellcheck source=../../scripts/lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/../../scripts/lib/common.sh"
# shellcheck source=../../scripts/lib/identity.sh
source "$ZT_REPO_ROOT/scripts/lib/identity.sh"

HERE="$ZT_REPO_ROOT/infrastructure/openbao"

# bao_api METHOD PATH [BODY]: calls the OpenBao HTTP API and prints the response body. The token
# travels in a header read from a file descriptor, so it never shows in the process list.
bao_api() {
  local method=$1 path=$2 body=${3:-} response status
  local args=(-sS -X "$method" -w '\n%{http_code}')
  [[ -n "$body" ]] && args+=(-H 'Content-Type: application/json' --data-binary @-)
  # (the <(...) must sit on curl's own command line: it is closed once that command ends)
  response=$(printf '%s' "$body" | curl --cacert "$BAO_CACERT" "${args[@]}" -H @<(printf 'X-Vault-Token: %s\n' "$BAO_TOKEN") "$BAO_ADDR/v1/$path") ||
    die "OpenBao is not reachable at $BAO_ADDR, or its certificate does not chain to $BAO_CACERT" "is it running? check BAO_ADDR and BAO_CACERT"
  status=${response##*$'\n'}
  response=${response%$'\n'*}
  if [[ "$status" != 2* ]]; then
    local errors
    errors=$(jq -r '(.errors // []) | join("; ")' <<<"$response" 2>/dev/null || true)
    [[ "$status" == 404 && "$method" == GET ]] && return 4
    die "OpenBao refused $method /v1/$path (HTTP $status): ${errors:-$response}" \
      "check that BAO_TOKEN may configure OpenBao and that the inputs above are right"
  fi
  printf '%s' "$response"
}

parse_args() {
  DISCOVERY_URL="" JWKS_URL="" JWKS_CA_FILE="" ISSUER="" PG_HOST="" PG_PORT=5432 PG_PW_FILE="" PG_SSLROOTCERT="" ROTATION=default
  while (($#)); do
    case "$1" in
      --jwt-discovery-url) DISCOVERY_URL=${2:?}; shift ;;
      --jwks-url) JWKS_URL=${2:?}; shift ;;
      --jwks-ca-file) JWKS_CA_FILE=${2:?}; shift ;;
      --issuer) ISSUER=${2:?}; shift ;;
      --pg-host) PG_HOST=${2:?}; shift ;;
      --pg-port) PG_PORT=${2:?}; shift ;;
      --pg-admin-password-file) PG_PW_FILE=${2:?}; shift ;;
      --pg-sslrootcert) PG_SSLROOTCERT=${2:?}; shift ;;
      --rotation) ROTATION=${2:?}; shift ;;
      -h | --help) usage_from_header "$0"; exit 0 ;;
      *) die "unknown option: $1" "see $0 --help" ;;
    esac
    shift
  done
  [[ -n "${BAO_ADDR:-}" && -n "${BAO_TOKEN:-}" && -n "${BAO_CACERT:-}" ]] || die "BAO_ADDR, BAO_CACERT and BAO_TOKEN must be set" "see $0 --help"
  [[ "$BAO_ADDR" == https://* ]] || die "BAO_ADDR must be an https:// address: OpenBao serves TLS only" "see $0 --help"
  [[ -r "$BAO_CACERT" ]] || die "cannot read BAO_CACERT=$BAO_CACERT" "give the SPIRE trust bundle as a PEM file"
  if [[ -n "$DISCOVERY_URL" && -n "$JWKS_URL" ]] || [[ -z "$DISCOVERY_URL" && -z "$JWKS_URL" ]]; then
    die "give exactly one of --jwt-discovery-url and --jwks-url" "see $0 --help"
  fi
  [[ -n "$ISSUER" ]] || die "--issuer is required (the SPIRE server's jwt_issuer)" "see $0 --help"
  [[ -n "$PG_HOST" ]] || die "--pg-host is required" "see $0 --help"
  [[ "$PG_SSLROOTCERT" == /* ]] || die "--pg-sslrootcert must name the trust bundle's path as OpenBao reads it" "see $0 --help"
  [[ -r "$PG_PW_FILE" ]] || die "--pg-admin-password-file must name a readable file" "see $0 --help"
  [[ -z "$JWKS_CA_FILE" || -r "$JWKS_CA_FILE" ]] || die "cannot read --jwks-ca-file $JWKS_CA_FILE"
  [[ "$ROTATION" == default || "$ROTATION" == fast ]] || die "--rotation must be default or fast, not '$ROTATION'" "see $0 --help"
}

# enable_once KIND PATH TYPE [OPTIONS_JSON]: mounts a secrets engine (KIND=mounts) or an auth
# method (KIND=auth) unless something is mounted at PATH already.
enable_once() {
  local kind=$1 path=$2 type=$3 options=${4:-'{}'} mounted
  mounted=$(bao_api GET "sys/$kind" | jq -r --arg p "$path/" '(.data // .)[$p].type // empty')
  if [[ -z "$mounted" ]]; then
    bao_api POST "sys/$kind/$path" "$(jq -n --arg t "$type" --argjson o "$options" '{type: $t, options: $o}')" >/dev/null
    ok "$kind: enabled $type at $path/"
  elif [[ "$mounted" != "$type" ]]; then
    die "$path/ is already mounted as '$mounted', not '$type'" "unmount it or use a fresh OpenBao"
  else
    ok "$kind: $type at $path/ (already enabled)"
  fi
}

configure_kv() {
  enable_once mounts "$ZT_KV_MOUNT" kv '{"version":"2"}'
  local version
  version=$(bao_api GET "sys/mounts" | jq -r --arg p "$ZT_KV_MOUNT/" '(.data // .)[$p].options.version // "1"')
  [[ "$version" == 2 ]] || die "$ZT_KV_MOUNT/ is KV version $version; zt-demo needs KV v2" "remount it with version 2"
}

configure_policy() {
  bao_api PUT "sys/policies/acl/$ZT_BAO_POLICY" "$(jq -n --rawfile p "$HERE/backend-policy.hcl" '{policy: $p}')" >/dev/null
  ok "policy: $ZT_BAO_POLICY written"
}

configure_jwt_auth() {
  enable_once auth "$ZT_BAO_JWT_MOUNT" jwt
  local config
  if [[ -n "$DISCOVERY_URL" ]]; then
    config=$(jq -n --arg u "$DISCOVERY_URL" --arg i "$ISSUER" '{oidc_discovery_url: $u, bound_issuer: $i}')
  else
    config=$(jq -n --arg u "$JWKS_URL" --arg i "$ISSUER" --rawfile ca "${JWKS_CA_FILE:-/dev/null}" \
      '{jwks_url: $u, bound_issuer: $i} + (if $ca == "" then {} else {jwks_ca_pem: $ca} end)')
  fi
  bao_api POST "auth/$ZT_BAO_JWT_MOUNT/config" "$config" >/dev/null
  ok "auth/$ZT_BAO_JWT_MOUNT/config: keys from ${DISCOVERY_URL:-$JWKS_URL}, issuer $ISSUER"
  # role_type must be jwt (the default, oidc, is refused at login); JWT-SVIDs always carry aud.
  bao_api POST "auth/$ZT_BAO_JWT_MOUNT/role/$ZT_BAO_JWT_ROLE" "$(jq -n \
    --arg sub "$ZT_BACKEND_SPIFFE_ID" --arg aud "$ZT_JWT_AUDIENCE" --arg pol "$ZT_BAO_POLICY" \
    --arg ttl "$ZT_BAO_TOKEN_TTL" --arg max "$ZT_BAO_TOKEN_MAX_TTL" '{
      role_type: "jwt", user_claim: "sub", bound_subject: $sub, bound_audiences: [$aud],
      token_policies: [$pol], token_ttl: $ttl, token_max_ttl: $max
    }')" >/dev/null
  ok "auth/$ZT_BAO_JWT_MOUNT/role/$ZT_BAO_JWT_ROLE: subject $ZT_BACKEND_SPIFFE_ID, audience $ZT_JWT_AUDIENCE -> $ZT_BAO_POLICY"
}

configure_database() {
  enable_once mounts "$ZT_DB_MOUNT" database
  bao_api PUT "sys/policies/password/$ZT_DB_PASSWORD_POLICY" \
    "$(jq -n --rawfile p "$HERE/pg-password-policy.hcl" '{policy: $p}')" >/dev/null
  # The connection URL keeps {{username}} and {{password}} as OpenBao templates. TLS with the
  # server verified: its certificate must chain to the SPIRE bundle and name PG_HOST.
  bao_api POST "$ZT_DB_MOUNT/config/$ZT_DB_CONNECTION" "$(jq -n \
    --arg url "postgresql://{{username}}:{{password}}@$PG_HOST:$PG_PORT/$ZT_DB_NAME?sslmode=verify-full&sslrootcert=$PG_SSLROOTCERT" \
    --arg user "$ZT_DB_ADMIN_USER" --rawfile pw "$PG_PW_FILE" --arg role "$ZT_DB_ROLE" --arg pp "$ZT_DB_PASSWORD_POLICY" '{
      plugin_name: "postgresql-database-plugin", connection_url: $url,
      username: $user, password: ($pw | rtrimstr("\n")), allowed_roles: [$role],
      password_authentication: "scram-sha-256", password_policy: $pp
    }')" >/dev/null
  ok "$ZT_DB_MOUNT/config/$ZT_DB_CONNECTION: $ZT_DB_ADMIN_USER@$PG_HOST:$PG_PORT/$ZT_DB_NAME (TLS, verify-full)"
  bao_api POST "$ZT_DB_MOUNT/roles/$ZT_DB_ROLE" "$(jq -n \
    --arg db "$ZT_DB_CONNECTION" --rawfile c "$HERE/sql/creation.sql" --rawfile r "$HERE/sql/revocation.sql" \
    --arg ttl "$ZT_DB_DEFAULT_TTL" --arg max "$ZT_DB_MAX_TTL" '{
      db_name: $db, creation_statements: [$c], revocation_statements: [$r], default_ttl: $ttl, max_ttl: $max
    }')" >/dev/null
  ok "$ZT_DB_MOUNT/roles/$ZT_DB_ROLE: default TTL $ZT_DB_DEFAULT_TTL, max $ZT_DB_MAX_TTL ($ROTATION rotation setting)"
}

# The audit device: OpenBao 2.6 refuses to enable one through its API ("use declarative,
# config-based audit device management"), so each mode declares it in OpenBao's configuration
# (local: setup's config.hcl, kind: infrastructure/openbao/values.yaml). This step checks it is
# there, so that no configured OpenBao ever runs without an audit trail.
check_audit_device() {
  local devices
  devices=$(bao_api GET sys/audit | jq -r '(.data // .) | to_entries[] | select(.value.type == "file") | "\(.key) \(.value.options.file_path)"')
  [[ -n "$devices" ]] || die "OpenBao has no file audit device" \
    "declare one in OpenBao's configuration (audit \"file\" ... { options { file_path = ... } }), as scripts/setup.sh does in both modes"
  ok "audit: $(head -n1 <<<"$devices" | sed 's/ / -> /')"
}

# The backend's session signing key lives only in OpenBao. Created once (cas=0 refuses to
# overwrite), so a re-run never logs every user out.
configure_signing_key() {
  local path="$ZT_KV_MOUNT/data/$ZT_KV_JWT_SIGNING_KEY" status=0
  bao_api GET "$path" >/dev/null || status=$?
  if ((status == 4)); then
    local key
    key=$(openssl rand -base64 48 | tr -d '\n')
    bao_api POST "$path" "$(jq -n --arg k "$key" '{options: {cas: 0}, data: {key: $k, algorithm: "HS256"}}')" >/dev/null
    ok "kv: created $path (a random 384-bit HS256 key)"
  else
    ok "kv: $path (already present, kept)"
  fi
}

main() {
  parse_args "$@"
  load_identity
  use_rotation_setting "$ROTATION"
  have curl || die "curl is needed" "apt-get install -y curl"
  have openssl || die "openssl is needed" "apt-get install -y openssl"
  check_audit_device
  configure_policy
  configure_kv
  configure_jwt_auth
  configure_database
  configure_signing_key
}

main "$@"
