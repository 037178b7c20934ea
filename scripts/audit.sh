#!/usr/bin/env bash
# Shows OpenBao's audit log, one line per entry: who did what, proved how, with what outcome.
#
# Usage: scripts/audit.sh [--local | --kind] [--path PREFIX] [--type request|response]
#                         [--last N] [--json] [-h|--help]
#
#   --path PREFIX  only entries whose request path starts with PREFIX, e.g. auth/jwt/login,
#                  database/creds/, sys/leases/revoke
#   --type T       only requests or only responses (a call writes both; default: responses,
#                  which also carry the outcome)
#   --last N       the last N matching entries (default 20)
#   --json         the entries as OpenBao wrote them (one JSON object per line), for jq
#
# Each line: time, operation and path, who (the token's display name: for the backend
# jwt-spiffe://demo.local/ns/99-apps/sa/backend), its policies and TTL for a login, the client's
# address and any error. Sensitive values (tokens, passwords, JWTs, secret data) are HMAC'd by
# OpenBao before they reach the log; nothing here reveals them.
#
# Where the log is: local mode writes .local/log/openbao-audit.log (mode 600); kind mode writes
# it to each OpenBao server's stdout (the active server audits what it serves, forwarded requests
# included), which this merges in time order; a pod's log goes with the pod, so a cluster keeps
# them with a log collector.
#   (no mode)  the running stack: local when .local/ has one, otherwise kind
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"
# shellcheck source=lib/mode.sh
source "$ZT_REPO_ROOT/scripts/lib/mode.sh"

# One line per entry, from OpenBao's audit format.
LINE_FILTER='
  def who: .auth.display_name // "-";
  # lease ids in a path shortened as the API and the demo write them: enough to recognise one
  def path: .request.path | sub("(?<head>/creds/[^/]+/)(?<a>[A-Za-z0-9]{6})[A-Za-z0-9]{5,}(?<b>[A-Za-z0-9]{4})$"; "\(.head)\(.a)…\(.b)");
  def role: if .auth.metadata.role then " role=\(.auth.metadata.role)" else "" end;
  def login: if .auth.policies then "\(role) policies=\(.auth.policies | join(",")) ttl=\(.auth.token_ttl // "-")s" else "" end;
  "\(.time[0:19])Z \(.type) \(.request.operation) \(path) by \(who)\(login) from \(.request.remote_address // "-")\(if .error then " ERROR: \(.error)" else "" end)"'

# The raw entries of the mode's audit log, one JSON object per line.
audit_entries() {
  case "$1" in
    local)
      # shellcheck source=lib/identity.sh
      source "$ZT_REPO_ROOT/scripts/lib/identity.sh"
      # shellcheck source=lib/local-env.sh
      source "$ZT_REPO_ROOT/scripts/lib/local-env.sh"
      load_identity
      load_local_env
      [[ -r "$ZT_LOG_DIR/openbao-audit.log" ]] ||
        die "no audit log at $ZT_LOG_DIR/openbao-audit.log" "is the local stack up? scripts/setup.sh --local"
      cat "$ZT_LOG_DIR/openbao-audit.log"
      ;;
    kind)
      have kubectl || die "kubectl is needed for kind mode" "see docs/kind.md"
      # OpenBao's own log lines share stdout; the audit entries are the JSON ones.
      local logs
      logs=$(kubectl --context kind-zt-demo -n openbao logs -l app.kubernetes.io/name=openbao,component=server \
        -c openbao --tail=-1 --max-log-requests=5 2>/dev/null) ||
        die "could not read OpenBao's log in the cluster" "is the cluster up? scripts/setup.sh --kind"
      { grep '^{' <<<"$logs" || true; } | jq -c -s 'sort_by(.time) | .[]'
      ;;
  esac
}

main() {
  local mode="" path="" type=response last=20 json=0
  while (($#)); do
    case "$1" in
      --local) mode=local ;;
      --kind) mode=kind ;;
      --path) [[ -n "${2:-}" ]] || die "--path wants a prefix" "e.g. --path auth/jwt/login"; path=$2; shift ;;
      --type)
        [[ "${2:-}" == request || "${2:-}" == response ]] || die "--type wants request or response" "e.g. --type request"
        type=$2
        shift
        ;;
      --last) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--last wants a number" "e.g. --last 50"; last=$2; shift ;;
      --json) json=1 ;;
      -h | --help) usage_from_header "$0"; exit 0 ;;
      *) die "unknown option: $1" "see scripts/audit.sh --help" ;;
    esac
    shift
  done
  have jq || die "jq is needed" "apt-get install -y jq (or brew install jq)"
  [[ -n "$mode" ]] || mode=$(detect_stack_mode)
  local selected
  selected=$(audit_entries "$mode" | jq -c --arg p "$path" --arg t "$type" 'select(.type == $t and (.request.path // "" | startswith($p)))' | tail -n "$last")
  [[ -n "$selected" ]] || { info "no $type entries${path:+ for $path}"; return 0; }
  if ((json)); then
    printf '%s\n' "$selected"
  else
    jq -r "$LINE_FILTER" <<<"$selected"
  fi
}

main "$@"
