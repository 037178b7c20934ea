#!/usr/bin/env bash
# Shows what Cilium saw on the kind cluster's network, through Hubble (kind mode only).
#
# Usage: scripts/hubble.sh COMMAND [--last N] [--follow] [hubble observe filters...]
#
# Commands:
#   flows     the app's allowed flows (namespace 99-apps, verdict FORWARDED)
#   verdicts  policy-verdict events: which rule allowed or denied a new connection; "Auth: SPIRE"
#             marks the ones that needed mutual authentication
#   drops     dropped flows, each with its reason (POLICY_DENIED: no rule allows it; POLICY_DENY:
#             an explicit deny rule; AUTH_REQUIRED: mutual authentication not done yet)
#   export    flows as one JSON object per line (time, verdict, drop reason, auth type, source,
#             destination, port, and where Cilium saw it: TO_ENDPOINT means delivered into the
#             destination pod, TO_OVERLAY sent to another node): for scripts, a SIEM or jq
#   json      Hubble's raw JSON (jsonpb), for your own jq filters
#   ui        the Hubble UI on a local port, through a port-forward (opened in the browser when
#             the machine has one); Ctrl-C ends it
#
# Options:
#   --last N      the last N matching flows (default 20)
#   -f, --follow  keep printing new flows until Ctrl-C
#   Anything else is passed to `hubble observe` as a filter, e.g. --from-pod 99-apps/frontend,
#   --to-namespace openbao, --verdict DROPPED, --drop-reason-desc POLICY_DENY.
#
# Examples:
#   scripts/hubble.sh drops --from-pod 99-apps/frontend
#   scripts/hubble.sh verdicts --to-namespace openbao --follow
#   scripts/hubble.sh export --last 1000 | jq 'select(.auth == "SPIRE")'
#
# It reaches Hubble Relay through its own port-forward (context kind-zt-demo), so nothing else needs
# to run first. Needs kubectl and the hubble CLI; scripts/setup.sh --kind lists the versions.
set -euo pipefail

# shellcheck source=lib/common.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib/common.sh"

ZT_KIND_CONTEXT=kind-zt-demo
RELAY_PF_PID="" RELAY_PF_LOG=""

stop_port_forward() {
  [[ -z "$RELAY_PF_LOG" ]] || rm -f "$RELAY_PF_LOG"
  [[ -n "$RELAY_PF_PID" ]] || return 0
  kill "$RELAY_PF_PID" 2>/dev/null || true
  wait "$RELAY_PF_PID" 2>/dev/null || true
}

# relay_port_forward: a port-forward to hubble-relay on a free loopback port; sets RELAY_SERVER.
relay_port_forward() {
  local port
  port=$(free_local_port 24245 "Hubble Relay")
  RELAY_PF_LOG=$(mktemp)
  kubectl --context "$ZT_KIND_CONTEXT" -n kube-system port-forward service/hubble-relay "$port:80" >"$RELAY_PF_LOG" 2>&1 &
  RELAY_PF_PID=$!
  trap stop_port_forward EXIT
  wait_until 30 "a port-forward to hubble-relay" bash -c "exec 3<>/dev/tcp/127.0.0.1/$port" ||
    { show_log_tail "$RELAY_PF_LOG"; die "Hubble Relay is not reachable" "is the cluster up? scripts/setup.sh --kind; kubectl --context $ZT_KIND_CONTEXT -n kube-system get pods"; }
  RELAY_SERVER="127.0.0.1:$port"
}

# One line per flow, with the facts a reader of a security log wants.
EXPORT_FILTER='.flow | {
  time, verdict,
  drop_reason: (.drop_reason_desc // null),
  auth: (.auth_type // null),
  src: "\(.source.namespace // "")/\(.source.pod_name // (.source.labels // [] | join(",")))",
  dst: "\(.destination.namespace // "")/\(.destination.pod_name // (.destination.labels // [] | join(",")))",
  port: (.l4.TCP.destination_port // .l4.UDP.destination_port // null),
  type: (if .Type == "L3_L4" and .event_type.type == 5 then "policy-verdict" else .Type end),
  point: (.trace_observation_point // null)
}'

# The Hubble UI through a port-forward to its Service, in the foreground until Ctrl-C.
hubble_ui() {
  kubectl --context "$ZT_KIND_CONTEXT" -n kube-system get service hubble-ui >/dev/null 2>&1 ||
    die "the Hubble UI is not installed in the cluster" "is the cluster up (scripts/setup.sh --kind)? infrastructure/cilium/values.yaml enables it"
  local port url opener
  port=$(free_local_port 12000 "the Hubble UI")
  url="http://localhost:$port"
  printf 'Hubble UI: %s (Ctrl-C stops the port-forward)\n' "$url"
  for opener in xdg-open open; do
    if have "$opener"; then
      (sleep 2 && "$opener" "$url" >/dev/null 2>&1) &
      break
    fi
  done
  exec kubectl --context "$ZT_KIND_CONTEXT" -n kube-system port-forward service/hubble-ui "$port:80"
}

main() {
  local command=${1:-}
  case "$command" in
    -h | --help) usage_from_header "$0"; exit 0 ;;
    flows | verdicts | drops | export | json | ui) shift ;;
    "") die "say what to show" "scripts/hubble.sh flows|verdicts|drops|export|json|ui (see --help)" ;;
    -*) die "unknown option: $command" "see scripts/hubble.sh --help" ;;
    *) die "unknown command: $command" "see scripts/hubble.sh --help" ;;
  esac
  local last=20 follow=0 filters=()
  while (($#)); do
    case "$1" in
      --last) [[ "${2:-}" =~ ^[0-9]+$ ]] || die "--last wants a number" "e.g. --last 50"; last=$2; shift ;;
      -f | --follow) follow=1 ;;
      -h | --help) usage_from_header "$0"; exit 0 ;;
      *) filters+=("$1") ;;
    esac
    shift
  done
  have kubectl || die "kubectl is needed" "see docs/kind.md"
  [[ "$command" != ui ]] || hubble_ui
  have hubble || die "the hubble CLI is needed" "https://github.com/cilium/hubble/releases (see docs/kind.md)"
  case "$command" in
    flows) filters=(--namespace 99-apps --verdict FORWARDED "${filters[@]}") ;;
    verdicts) filters=(--type policy-verdict "${filters[@]}") ;;
    drops) filters=(--verdict DROPPED "${filters[@]}") ;;
  esac
  relay_port_forward
  local args=(observe --server "$RELAY_SERVER" "${filters[@]}")
  if ((follow)); then args+=(--follow); else args+=(--last "$last"); fi
  case "$command" in
    export) hubble "${args[@]}" -o jsonpb | jq -c "$EXPORT_FILTER" ;;
    json) hubble "${args[@]}" -o jsonpb ;;
    # compact output: one line per flow; policy verdicts end in "; Auth: SPIRE" when the rule required
    # it. Hubble's default field masks leave the auth type and the verdict's direction out of
    # compact output ("policy-verdict:none TRAFFIC_DIRECTION_UNKNOWN"), so ask for every field.
    *) hubble "${args[@]}" -o compact --use-default-field-masks=false ;;
  esac
}

main "$@"
