#!/usr/bin/env bash
# A guided walkthrough of zt-demo in six parts, against the stack scripts/setup.sh started.
#
# Usage: scripts/demo.sh [--local | --kind] [--auto] [--part N] [-h|--help]
#
#   1. Application login: the six demo users sign in; what their session token holds
#   2. Workload identity: the backend's SPIFFE ID, its JWT-SVID's claims, the OpenBao login
#      it buys, and the refusal of any other identity
#   3. Static secrets: a KV v2 round trip with the backend's OpenBao token, and what its policy denies
#   4. Dynamic secrets: the temporary PostgreSQL user, its lease and its sessions; a rotation
#      that creates the next user and drops the old one; in kind mode, the replicas that keep it
#      all up (two of each app, OpenBao's three Raft servers that unseal themselves, PostgreSQL's
#      primary and synchronous standby)
#   5. Network security: mutual TLS with X.509-SVIDs on every hop (OpenBao's certificate, plain
#      text refused, the backend's API closed to every identity but the frontend's); in kind mode
#      also Hubble flows with Cilium's mutual authentication, and the frontend's denied attempt
#      to reach OpenBao
#   6. Questions: where each part lives in the code
#
# Each step explains itself, shows the exact command, runs it, highlights the line that matters
# and waits for Enter. No token is ever printed, only its claims.
#
#   (no mode)  the running stack: local mode when .local/ has one, otherwise kind mode
#   --local    the local stack (scripts/setup.sh --local)
#   --kind     the kind cluster (scripts/setup.sh --kind); waits for OpenBao to unseal itself if a
#              server has just restarted
#   --auto     no pauses; checks every expected outcome and exits non-zero at the first mismatch
#              (the test command runs it in local mode)
#   --part N   only part N (1-6)
#
# Part 4 shows a scheduled rotation live when the stack runs with short leases
# (scripts/setup.sh --fast-rotation: 5-minute leases rotated every minute); otherwise, and
# always with --auto, an admin forces one through the API.

# The steps' commands are shown as written and run with eval, which is when their $ expands:
# shellcheck disable=SC2016
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/identity.sh
source "$ZT_REPO_ROOT/scripts/lib/identity.sh"
# shellcheck source=lib/demo-ui.sh
source "$ZT_REPO_ROOT/scripts/lib/demo-ui.sh"
# shellcheck source=lib/mode.sh
source "$ZT_REPO_ROOT/scripts/lib/mode.sh"

DEMO_MODE=""
# Set by the shown commands and used by later steps (never printed: tokens are shown as claims).
# shellcheck disable=SC2034 # read inside the eval'd commands
session="" admin_session="" svid="" login="" backend_token="" kv_path=""
SEED_USERS="$ZT_REPO_ROOT/infrastructure/postgres/seed-demo-users.sql"

# The demo users and their roles, from the SQL that creates them ("jake user" per line).
demo_users() {
  sed -nE "s/^ *\('([a-z]+)', '[^']*', '[^']*', '([a-z]+)'\).*/\1 \2/p" "$SEED_USERS"
}

# login USER: a session token for a demo user (password <user>99, as seed-demo-users.sql says).
login() {
  backend_api POST /api/auth/login "{\"username\":\"$1\",\"password\":\"${1}99\"}" | jq -r '.access_token // empty'
}

# openbao_login SVID: OpenBao's answer to a JWT login with SVID, over its HTTPS API as the backend
# logs in (printf is a builtin, so the token is on no command line).
openbao_login() {
  printf '{"role":"%s","jwt":"%s"}' "$ZT_BAO_JWT_ROLE" "$1" |
    curl -s --cacert "$DEMO_CACERT" -X POST --data @- "$BAO_ADDR/v1/auth/$ZT_BAO_JWT_MOUNT/login"
}

# The X.509-SVIDs the demo presents to the backend's API: the frontend's (the only identity it
# admits, so the demo acts as the frontend) and an impostor's, minted by the SPIRE server's admin
# API into a private directory that goes when the demo ends; again when less than a minute is left.
demo_client_certificates() {
  local name id
  [[ -n "${DEMO_TLS_DIR:-}" ]] || DEMO_TLS_DIR=$(mktemp -d)
  for name in frontend impostor; do
    id=$ZT_FRONTEND_SPIFFE_ID
    [[ "$name" == impostor ]] && id=$ZT_IMPOSTOR_SPIFFE_ID
    openssl x509 -checkend 60 -noout -in "$DEMO_TLS_DIR/$name/svid.pem" >/dev/null 2>&1 && continue
    (umask 077 && mkdir -p "$DEMO_TLS_DIR/$name")
    mint_svid "$id" "$DEMO_TLS_DIR/$name" ||
      die "the SPIRE server minted no X.509-SVID for $id" "is it running? scripts/setup.sh starts what is down"
  done
}

# openssl_peer HOST:PORT CA_FILE: the certificate a TLS server presents (its SANs, issuer and
# expiry) and whether its chain verifies against CA_FILE.
openssl_peer() {
  local out
  out=$(openssl s_client -connect "$1" -CAfile "$2" -verify_return_error </dev/null 2>&1 || true)
  openssl x509 -noout -ext subjectAltName -issuer -enddate <<<"$out" 2>/dev/null | sed 's/^ *//'
  grep -m1 -E '^ *Verify return code' <<<"$out" | sed 's/^ *//'
}

# ---------------------------------------------------------------------------------------------

part_login() {
  part 1 "Application login"
  say "People sign in with a password. The backend compares it with a bcrypt hash (cost 12) in PostgreSQL and answers with a session token: an HS256 JWT signed with a key that exists only in OpenBao's KV store. The web app at $DEMO_APP_URL does exactly this on its server side."
  show_run 'session=$(backend_api POST /api/auth/login '\''{"username":"jake","password":"jake99"}'\'' | jq -r .access_token)'
  show_run 'jwt_claims "$session"' '"username"|"role"|"exp"'
  check "jake's session token names jake" equals "$(jq -r .username <<<"$DEMO_OUT")" jake
  show_run 'backend_api GET /api/auth/me "" "$session" | jq .' '"username"|"role"'
  check "the backend accepts jake's session" out_has '"username": "jake"'
  pause

  say "All six members of the squad, each with their role (terry and gina are admins), and a wrong password:"
  show_run 'for u in jake amy rosa terry charles gina; do backend_api POST /api/auth/login "{\"username\":\"$u\",\"password\":\"${u}99\"}" | jq -r --arg u "$u" '\''"\($u): " + (if .access_token then "signed in as \(.user.username), role \(.user.role)" else "REFUSED \(.error.code)" end)'\''; done' 'signed in|REFUSED'
  local user role
  while read -r user role; do
    check "$user signs in with role $role" out_has "^$user: signed in as $user, role $role\$"
  done < <(demo_users)
  show_run 'backend_api POST /api/auth/login '\''{"username":"jake","password":"wrong"}'\'' | jq .' '"code"'
  check "a wrong password is refused" out_has '"code": "invalid_credentials"'
  pause
}

part_workload_identity() {
  part 2 "Workload identity: SPIRE and OpenBao"
  say "The backend has no password for OpenBao. SPIRE gives it an identity instead: a registration entry says which workload gets the SPIFFE ID $ZT_BACKEND_SPIFFE_ID, and the SPIRE agent checks that (attests it) every time the backend asks."
  show_run "spire-server entry show -spiffeID $ZT_BACKEND_SPIFFE_ID" 'SPIFFE ID|Selector|JWT-SVID TTL'
  check "SPIRE has a registration entry for the backend" out_has "SPIFFE ID +: $ZT_BACKEND_SPIFFE_ID"
  pause

  say "The backend asks the agent for a JWT-SVID: a short-lived token signed by SPIRE that says who it is (sub), for whom (aud) and who signed it (iss). Here are its claims; the token itself stays hidden."
  show_run 'svid=$(fetch_svid backend)'
  show_run 'jwt_claims "$svid"' '"sub"|"aud"|"iss"'
  local claims=$DEMO_OUT
  check "sub is the backend's SPIFFE ID" equals "$(jq -r .sub <<<"$claims")" "$ZT_BACKEND_SPIFFE_ID"
  check "aud is $ZT_JWT_AUDIENCE" equals "$(jq -r '[.aud] | flatten | join(",")' <<<"$claims")" "$ZT_JWT_AUDIENCE"
  check "iss is SPIRE's issuer $DEMO_ISSUER" equals "$(jq -r .iss <<<"$claims")" "$DEMO_ISSUER"
  pause

  say "OpenBao's JWT role binds exactly that: this subject, this audience, and tokens signed with the keys SPIRE publishes at its issuer."
  show_run "bao read -format=json auth/$ZT_BAO_JWT_MOUNT/role/$ZT_BAO_JWT_ROLE | jq '.data | {role_type, bound_subject, bound_audiences, user_claim, token_policies, token_ttl}'" 'bound_subject|bound_audiences|token_policies'
  say "The backend logs in with its JWT-SVID, over OpenBao's HTTP API as the backend does it, and gets a token with its policy:"
  show_run 'login=$(openbao_login "$svid")'
  show_run 'jq '\''if .errors then . else .auth | {policies, metadata, lease_duration, renewable} end'\'' <<<"$login"' 'policies|"role"|error'
  backend_token=$(jq -r '.auth.client_token // empty' <<<"$login")
  check "OpenBao accepts the backend's JWT-SVID" test -n "$backend_token"
  show_run 'BAO_TOKEN=$backend_token bao token lookup -format=json | jq '\''.data | {display_name, path, policies, ttl}'\''' 'display_name|policies'
  check "OpenBao's token carries the backend's SPIFFE ID" out_has "\"display_name\": \"$ZT_BAO_JWT_MOUNT-$ZT_BACKEND_SPIFFE_ID\""
  check "the token has $ZT_BAO_POLICY" out_has "\"$ZT_BAO_POLICY\""
  say "OpenBao's audit log recorded that login: the path and role, the SPIFFE ID it proved, the policies it granted and the token's TTL. The JWT and the token in it are HMAC'd, never in clear."
  show_run "scripts/audit.sh --$DEMO_MODE --path auth/$ZT_BAO_JWT_MOUNT/login --last 1" "auth/$ZT_BAO_JWT_MOUNT/login|policies="
  check "the audit log has the backend's login with its SPIFFE ID and $ZT_BAO_POLICY" out_has "auth/$ZT_BAO_JWT_MOUNT/login by $ZT_BAO_JWT_MOUNT-$ZT_BACKEND_SPIFFE_ID role=$ZT_BAO_JWT_ROLE policies=.*$ZT_BAO_POLICY"
  pause

  say "Any other identity is refused, even one from the same SPIRE: here is the frontend's JWT-SVID."
  show_run 'openbao_login "$(fetch_svid frontend)" | jq .' 'error|sub|claim'
  check "OpenBao refuses the frontend's identity" out_has '"errors"'
  say "And the running backend reports the same identity about itself:"
  show_run 'backend_api GET /api/security/status "" "$session" | jq '\''{workload, openbao}'\''' 'spiffe_id|"role"|backend-policy'
  check "the running backend is $ZT_BACKEND_SPIFFE_ID" out_has "\"spiffe_id\": \"$ZT_BACKEND_SPIFFE_ID\""
  pause
}

part_static_secrets() {
  part 3 "Static secrets: KV v2"
  say "Each user's GitHub token lives in OpenBao's KV v2 store at $ZT_KV_MOUNT/$ZT_KV_GITHUB_USERS/<user id>, never in PostgreSQL. The backend writes and reads it with its own OpenBao token; here we do a round trip with the token from part 2 and a made-up value."
  kv_path="$ZT_KV_GITHUB_USERS/demo-$$"
  say "The value goes in on stdin (token=-), never on the command line, where ps would show it to every user of the machine."
  show_run "printf %s ghp_demo_not_a_real_token | BAO_TOKEN=\$backend_token bao kv put -mount=$ZT_KV_MOUNT $kv_path token=-" 'version|created_time'
  show_run "BAO_TOKEN=\$backend_token bao kv get -mount=$ZT_KV_MOUNT -field=token $kv_path" 'ghp_'
  check "KV v2 gives back what was written" equals "$DEMO_OUT" ghp_demo_not_a_real_token
  pause

  say "The policy allows only its own paths. Outside them, even reading is refused:"
  show_run "BAO_TOKEN=\$backend_token bao read $ZT_DB_MOUNT/config/$ZT_DB_CONNECTION" 'permission denied|403'
  check "reading the database engine's configuration is denied" out_has 'permission denied'
  show_run "BAO_TOKEN=\$backend_token bao kv metadata delete -mount=$ZT_KV_MOUNT $kv_path && BAO_TOKEN=\$backend_token bao kv get -mount=$ZT_KV_MOUNT $kv_path" 'No value found|Success'
  check "the secret is gone after the delete" out_has 'No value found'
  say "(The demo's OpenBao token is revoked now; the backend keeps its own.)"
  hidden 'BAO_TOKEN=$backend_token bao token revoke -self'
  pause
}

part_dynamic_secrets() {
  part 4 "Dynamic secrets: temporary PostgreSQL users"
  say "The backend has no database password either. It reads $ZT_DB_MOUNT/creds/$ZT_DB_ROLE, and OpenBao creates a PostgreSQL role for it, with a lease: when the lease ends or is revoked, OpenBao ends its sessions and drops it."
  show_run "bao read -format=json $ZT_DB_MOUNT/roles/$ZT_DB_ROLE | jq '.data | {default_ttl, max_ttl}'" 'ttl'
  local ttl
  ttl=$(jq -r .default_ttl <<<"$DEMO_OUT")
  hidden 'admin_session=$(login terry)'
  show_run 'backend_api GET /api/security/status "" "$admin_session" | jq .database' '"username"|lease_expires_at|next_rotation_at'
  local before
  before=$(jq -r .username <<<"$DEMO_OUT")
  check "the backend uses a v- user" out_has '"username": "v-'
  show_run "psql -c \"SELECT rolname AS role, rolvaliduntil AS \\\"valid until\\\" FROM pg_roles WHERE rolname LIKE 'v-%'\"" 'v-'
  check "that user exists in PostgreSQL, with an end date" out_has "$before +\\| [0-9]{4}-"
  show_run "psql -c \"SELECT usename AS role, count(*) AS sessions FROM pg_stat_activity WHERE usename LIKE 'v-%' GROUP BY 1\"" 'v-'
  local lease
  lease=$(jq -r '.database.lease_id | split("/") | last' <<<"$(backend_api GET /api/security/status "" "$admin_session")")
  show_run "bao list sys/leases/lookup/$ZT_DB_MOUNT/creds/$ZT_DB_ROLE | short_lease_id" "^${lease:-none}\$"
  check "OpenBao holds the lease the backend names ($lease)" out_has "^${lease:-none}\$"
  pause

  say "Rotation: a new user, a new pool proved with a query, new requests on it, the old pool drained, and only then the old lease revoked, which drops the old user. No request fails on the way."
  if ((!DEMO_AUTO)) && ((ttl <= 600)); then
    say "Short leases are on (scripts/setup.sh --fast-rotation), so we wait for the scheduled rotation:"
    wait_for_rotation "$before"
    show_run 'backend_api GET /api/security/status "" "$admin_session" | jq ".rotations[0]"' 'from_username|to_username|reason'
    check "the scheduled rotation succeeded" out_has '"result": "ok"'
  else
    ((DEMO_AUTO)) || note "(With scripts/setup.sh --fast-rotation, leases last $ZT_DB_FAST_DEFAULT_TTL and you can watch a scheduled rotation here.)"
    say "An admin (terry) forces one now:"
    show_run 'backend_api POST /api/security/rotate "" "$admin_session" | jq .rotation' 'from_username|to_username|result'
    check "the rotation succeeded" out_has '"result": "ok"'
  fi
  local after
  after=$(jq -r .database.username <<<"$(backend_api GET /api/security/status "" "$admin_session")")
  check "the backend now uses a new v- user" test "$after" != "$before" -a "${after#v-}" != "$after"
  wait_until 15 "the old user to be dropped" old_user_gone "$before" || true
  show_run "psql -c \"SELECT rolname AS role, rolvaliduntil AS \\\"valid until\\\" FROM pg_roles WHERE rolname LIKE 'v-%'\"" 'v-'
  check "the new user exists" out_has "$after"
  check "the old user $before is gone" old_user_gone "$before"
  say "The audit log has both ends of it: the backend reading new credentials, and revoking the old lease."
  show_run "scripts/audit.sh --$DEMO_MODE --path $ZT_DB_MOUNT/creds/$ZT_DB_ROLE --last 1" "$ZT_DB_MOUNT/creds"
  check "the audit log has the issuance of the new credentials, by the backend" out_has "$ZT_DB_MOUNT/creds/$ZT_DB_ROLE by $ZT_BAO_JWT_MOUNT-$ZT_BACKEND_SPIFFE_ID"
  show_run "scripts/audit.sh --$DEMO_MODE --path sys/leases/revoke --last 1" 'sys/leases/revoke'
  check "the audit log has the revocation of the old lease, by the backend" out_has "sys/leases/revoke/$ZT_DB_MOUNT/creds/$ZT_DB_ROLE/[^ ]+ by $ZT_BAO_JWT_MOUNT-$ZT_BACKEND_SPIFFE_ID"
  pause
  demo_replicas_step
}

old_user_gone() {
  [[ -z "$(psql -Atc "SELECT 1 FROM pg_roles WHERE rolname = '$1'")" ]] || { DEMO_DETAIL="$1 still exists"; return 1; }
}

# wait_for_rotation USERNAME: a countdown until the backend's database user is no longer USERNAME.
wait_for_rotation() {
  local next now deadline current
  next=$(backend_api GET /api/security/status "" "$admin_session" | jq -r '.database.next_rotation_at | sub("\\.[0-9]+Z$"; "Z") | fromdate')
  deadline=$((next + 60))
  while :; do
    current=$(backend_api GET /api/security/status "" "$admin_session" | jq -r .database.username)
    [[ "$current" != "$1" ]] && break
    now=$(date +%s)
    ((now < deadline)) || { printf '\n'; die "no rotation happened by its scheduled time" "the backend's log says why (scripts/setup.sh prints where it is)"; }
    printf '\r  next rotation in %4ss ' "$((next > now ? next - now : 0))"
    sleep 2
  done
  printf '\r  %s✓%s rotated: %s -> %s\n' "$_c_green" "$_c_off" "$1" "$current"
}

part_network() {
  part 5 "Network security: mutual TLS on every hop, and Cilium"
  say "Every connection between the workloads is TLS 1.3 with X.509-SVIDs from SPIRE: frontend to backend (both ends show a certificate), backend to OpenBao, backend and OpenBao to PostgreSQL. Each end checks the other's certificate against SPIRE's trust bundle and accepts only the SPIFFE ID it expects. The certificates live $ZT_X509_SVID_TTL and renew at half-life, without a restart."
  say "What OpenBao presents: its SPIFFE ID in the certificate's subjectAltName, issued by SPIRE's CA, and a chain that verifies against the SPIRE trust bundle:"
  show_run 'tls_attempt openbao-certificate' 'URI:spiffe|Verify return code'
  check "OpenBao's certificate is an X.509-SVID for $ZT_OPENBAO_SPIFFE_ID" out_has "URI:$ZT_OPENBAO_SPIFFE_ID"
  check "it chains to the SPIRE trust bundle" out_has 'Verify return code: 0 \(ok\)'
  say "Plain text is refused everywhere. A plain HTTP request to OpenBao, and psql to PostgreSQL without TLS:"
  show_run 'tls_attempt openbao-plain' 'HTTPS'
  check "OpenBao refuses plain HTTP" out_has 'Client sent an HTTP request to an HTTPS server'
  show_run 'tls_attempt postgres-plain' 'no encryption'
  check "PostgreSQL refuses a connection without TLS" out_has 'no encryption'
  pause

  say "The backend's API admits one identity, the frontend's. A client without a certificate, or with a valid X.509-SVID from the same SPIRE for another SPIFFE ID ($ZT_IMPOSTOR_SPIFFE_ID), is cut off in the TLS handshake, before any HTTP:"
  show_run 'tls_attempt backend-no-cert' 'refused|certificate required'
  check "the backend refuses a client without a certificate" out_has '^refused'
  show_run 'tls_attempt backend-impostor' 'refused|answered'
  check "the backend refuses $ZT_IMPOSTOR_SPIFFE_ID" out_has '^refused'
  say "And what each peer proved in its last handshake with the backend, as the console shows it:"
  show_run 'backend_api GET /api/security/status "" "$session" | jq .tls' 'spiffe_id|expires_at|renewals'
  check "the backend's caller proved the frontend's SPIFFE ID" out_has "\"spiffe_id\": \"$ZT_FRONTEND_SPIFFE_ID\""
  check "OpenBao proved $ZT_OPENBAO_SPIFFE_ID to the backend" out_has "\"spiffe_id\": \"$ZT_OPENBAO_SPIFFE_ID\""
  check "PostgreSQL proved $ZT_POSTGRES_SPIFFE_ID to the backend" out_has "\"spiffe_id\": \"$ZT_POSTGRES_SPIFFE_ID\""
  pause

  demo_network_part
  pause
}

part_questions() {
  part 6 "Questions: where to look in the code"
  say "Each part above, and where it lives:"
  local what where
  while IFS='|' read -r what where; do
    [[ -e "$ZT_REPO_ROOT/${where%% *}" ]] || die "the demo points to ${where%% *}, which does not exist" "update scripts/demo.sh"
    printf '    %-40s %s\n' "$what" "$where"
  done <<'EOF'
identity facts (one source)|infrastructure/identity.json
1 login, session tokens|backend/src/auth/
2 JWT-SVID from the Workload API|backend/src/identity/
2 OpenBao login and renewal|backend/src/secrets/
2 OpenBao's configuration (both modes)|infrastructure/openbao/configure.sh
2 what the backend may do in OpenBao|infrastructure/openbao/backend-policy.hcl
3 GitHub tokens in KV v2|backend/src/github/
4 rotating pool, drain, revoke|backend/src/database/
4 what a v- user may do|infrastructure/openbao/sql/creation.sql
4 tables and grants|infrastructure/postgres/bootstrap.sql
5 TLS of every hop, by SPIFFE ID|backend/spiffe/src/
5 the backend's end of each TLS hop|backend/src/tls/
5 who may connect to PostgreSQL|infrastructure/postgres/pg_hba.conf
5 network policies|infrastructure/cilium/policies/
5 Hubble commands|scripts/hubble.sh
the live console|frontend/app/(app)/security/
tests of every claim above|tests/chain/
EOF
  say "docs/troubleshooting.md covers the known traps (issuer mismatch, audience binding, refused certificates, sealed OpenBao, leases dying with their token, laptop sleep)."
}

# ---------------------------------------------------------------------------------------------

load_mode() {
  if [[ "$DEMO_MODE" == local ]]; then
    # shellcheck source=lib/local-env.sh
    source "$ZT_REPO_ROOT/scripts/lib/local-env.sh"
    # shellcheck source=lib/local-stack.sh
    source "$ZT_REPO_ROOT/scripts/lib/local-stack.sh"
    # shellcheck source=lib/apps.sh
    source "$ZT_REPO_ROOT/scripts/lib/apps.sh"
    # shellcheck source=lib/demo-local.sh
    source "$ZT_REPO_ROOT/scripts/lib/demo-local.sh"
  else
    # shellcheck source=lib/kind.sh
    source "$ZT_REPO_ROOT/scripts/lib/kind.sh"
    # shellcheck source=lib/demo-kind.sh
    source "$ZT_REPO_ROOT/scripts/lib/demo-kind.sh"
  fi
}

main() {
  local only=""
  while (($#)); do
    case "$1" in
      --local) DEMO_MODE=local ;;
      --kind) DEMO_MODE=kind ;;
      --auto) DEMO_AUTO=1 ;;
      --part)
        [[ "${2:-}" =~ ^[1-6]$ ]] || die "--part wants a number from 1 to 6" "e.g. scripts/demo.sh --part 4"
        only=$2
        shift
        ;;
      -h | --help) usage_from_header "$0"; exit 0 ;;
      *) die "unknown option: $1" "see scripts/demo.sh --help" ;;
    esac
    shift
  done
  if ! have jq || ! have curl; then die "the demo needs jq and curl" "apt-get install -y jq curl (or brew install jq curl)"; fi
  load_identity
  [[ -n "$DEMO_MODE" ]] || DEMO_MODE=$(detect_stack_mode)
  load_mode
  demo_connect
  demo_client_certificates
  # shellcheck disable=SC2064 # the directory is known now
  trap "rm -rf '$DEMO_TLS_DIR'; declare -F stop_openbao_port_forward >/dev/null && stop_openbao_port_forward; true" EXIT

  printf '%szt-demo: a zero-trust walkthrough (%s mode%s)%s\n' "$_c_bold" "$DEMO_MODE" "$( ((DEMO_AUTO)) && echo ", checking every step")" "$_c_off"
  demo_legend
  note "openbao_login SVID                 printf '{\"role\":\"$ZT_BAO_JWT_ROLE\",\"jwt\":\"%s\"}' SVID | curl -s --cacert \$DEMO_CACERT -X POST --data @- \$BAO_ADDR/v1/auth/$ZT_BAO_JWT_MOUNT/login"
  note "tls_attempt WHAT                   a TLS (or plain) connection attempt of part 5, and what came of it"
  note "DEMO_CACERT                        $DEMO_CACERT, the SPIRE trust bundle"
  # Parts 2 to 4 need a session and the backend's OpenBao token from the parts before them.
  if [[ -n "$only" && "$only" != 1 && "$only" != 6 ]]; then
    hidden 'session=$(login jake)'
    [[ "$only" == 3 ]] && hidden 'backend_token=$(openbao_login "$(fetch_svid backend)" | jq -r .auth.client_token)'
  fi
  local n
  for n in 1 2 3 4 5 6; do
    [[ -z "$only" || "$only" == "$n" ]] || continue
    case "$n" in
      1) part_login ;;
      2) part_workload_identity ;;
      3) part_static_secrets ;;
      4) part_dynamic_secrets ;;
      5) part_network ;;
      6) part_questions ;;
    esac
  done
  printf '\n%sDone%s: %s checks passed%s.\n' "$_c_bold" "$_c_off" "$DEMO_CHECKS" \
    "$([[ "$DEMO_MODE" == local && ( -z "$only" || "$only" == 5 ) ]] && echo "; part 5's Cilium half needs kind mode")"
}

main "$@"
