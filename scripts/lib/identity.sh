# shellcheck shell=bash
# Exports the identity facts of infrastructure/identity.json as ZT_* variables, so that no script
# repeats a trust domain, SPIFFE ID, role name, path or TTL. Sourced after common.sh.

ZT_IDENTITY_FILE="$ZT_REPO_ROOT/infrastructure/identity.json"

load_identity() {
  have jq || die "jq is needed to read $ZT_IDENTITY_FILE" "install it: apt-get install -y jq (or brew install jq)"
  local exports
  exports=$(jq -r '
    {
      ZT_TRUST_DOMAIN: .trustDomain,
      ZT_BACKEND_SPIFFE_ID: .spiffeIds.backend,
      ZT_FRONTEND_SPIFFE_ID: .spiffeIds.frontend,
      ZT_OPENBAO_SPIFFE_ID: .spiffeIds.openbao,
      ZT_POSTGRES_SPIFFE_ID: .spiffeIds.postgres,
      ZT_JWT_AUDIENCE: .jwtSvid.audience,
      ZT_JWT_SVID_TTL: .jwtSvid.ttl,
      ZT_X509_SVID_DEFAULT_TTL: .x509Svid.ttl,
      ZT_BACKEND_DNS_NAMES: (.x509Svid.dnsNames.backend | join(" ")),
      ZT_OPENBAO_DNS_NAMES: (.x509Svid.dnsNames.openbao | join(" ")),
      ZT_POSTGRES_DNS_NAMES: (.x509Svid.dnsNames.postgres | join(" ")),
      ZT_API_CLIENT_DEFAULT_IDS: ([.x509Svid.apiClients[] as $name | .spiffeIds[$name]] | join(",")),
      ZT_TEST_API_CLIENT_SPIFFE_ID: .testIdentities.apiClient,
      ZT_IMPOSTOR_SPIFFE_ID: .testIdentities.impostor,
      ZT_BAO_JWT_MOUNT: .openbao.jwtAuthMount,
      ZT_BAO_JWT_ROLE: .openbao.jwtRole,
      ZT_BAO_POLICY: .openbao.policy,
      ZT_BAO_TOKEN_TTL: .openbao.tokenTtl,
      ZT_BAO_TOKEN_MAX_TTL: .openbao.tokenMaxTtl,
      ZT_KV_MOUNT: .openbao.kvMount,
      ZT_KV_JWT_SIGNING_KEY: .openbao.kvPaths.jwtSigningKey,
      ZT_KV_GITHUB_USERS: .openbao.kvPaths.githubUsers,
      ZT_DB_NAME: .database.name,
      ZT_DB_SCHEMA: .database.schema,
      ZT_DB_MOUNT: .database.secretsMount,
      ZT_DB_CONNECTION: .database.connectionName,
      ZT_DB_ROLE: .database.role,
      ZT_DB_ADMIN_USER: .database.adminUser,
      ZT_DB_PASSWORD_POLICY: .database.passwordPolicy,
      ZT_DB_DEFAULT_TTL: .database.defaultTtl,
      ZT_DB_MAX_TTL: .database.maxTtl,
      ZT_DB_ROTATION_INTERVAL: .database.rotationInterval,
      ZT_DB_FAST_DEFAULT_TTL: .database.fastRotation.defaultTtl,
      ZT_DB_FAST_MAX_TTL: .database.fastRotation.maxTtl,
      ZT_DB_FAST_ROTATION_INTERVAL: .database.fastRotation.rotationInterval
    }
    | to_entries[]
    | if .value == null then error("missing identity fact for \(.key)") else . end
    | "export \(.key)=\(.value | @sh)"
  ' "$ZT_IDENTITY_FILE") || die "could not read the identity facts from $ZT_IDENTITY_FILE" "check that it is valid JSON: jq . $ZT_IDENTITY_FILE"
  eval "$exports"
  use_x509_svid_ttl
}

# The X.509-SVIDs' lifetime: identity.json's, unless ZT_X509_SVID_TTL says otherwise (the test
# suites use a minute or two, so every certificate renews several times during a run).
use_x509_svid_ttl() {
  : "${ZT_X509_SVID_TTL:=$ZT_X509_SVID_DEFAULT_TTL}"
  [[ "$ZT_X509_SVID_TTL" =~ ^[1-9][0-9]*[smh]$ ]] ||
    die "ZT_X509_SVID_TTL=$ZT_X509_SVID_TTL is not a duration" "give seconds, minutes or hours, e.g. ZT_X509_SVID_TTL=2m (the default is $ZT_X509_SVID_DEFAULT_TTL)"
  (($(duration_seconds "$ZT_X509_SVID_TTL") >= 30)) ||
    die "ZT_X509_SVID_TTL=$ZT_X509_SVID_TTL is too short" "give at least 30s: the SPIRE agent renews at half the lifetime, and every hop needs time to take the new certificate"
  export ZT_X509_SVID_TTL
}

# duration_seconds 5m -> 300 (s, m, h).
duration_seconds() {
  local value=${1%[smh]}
  case "$1" in
    *h) echo $((value * 3600)) ;;
    *m) echo $((value * 60)) ;;
    *) echo "$value" ;;
  esac
}

# use_rotation_setting default|fast: makes ZT_DB_DEFAULT_TTL, ZT_DB_MAX_TTL and
# ZT_DB_ROTATION_INTERVAL those of the chosen setting. "fast" (setup.sh --fast-rotation) gives
# leases of minutes, so a live demo shows a real rotation; "default" is the 1 h / 50 min of
# identity.json. Call after load_identity.
use_rotation_setting() {
  case "$1" in
    default) ;;
    fast)
      ZT_DB_DEFAULT_TTL=$ZT_DB_FAST_DEFAULT_TTL ZT_DB_MAX_TTL=$ZT_DB_FAST_MAX_TTL
      ZT_DB_ROTATION_INTERVAL=$ZT_DB_FAST_ROTATION_INTERVAL
      ;;
    *) die "unknown rotation setting: $1" "use default or fast" ;;
  esac
  ZT_ROTATION_SETTING=$1
  export ZT_DB_DEFAULT_TTL ZT_DB_MAX_TTL ZT_DB_ROTATION_INTERVAL ZT_ROTATION_SETTING
}

# One line for the setup summaries: how long database leases live and when they are rotated.
rotation_summary() {
  local other="scripts/setup.sh --fast-rotation: $ZT_DB_FAST_DEFAULT_TTL leases, rotated every $ZT_DB_FAST_ROTATION_INTERVAL"
  [[ "$ZT_ROTATION_SETTING" == fast ]] && other="back to the default: scripts/setup.sh without --fast-rotation"
  echo "$ZT_DB_DEFAULT_TTL, rotated every $ZT_DB_ROTATION_INTERVAL ($ZT_ROTATION_SETTING setting; $other)"
}
