#!/usr/bin/env bash
# The kind suite's private container engine: Debian's dockerd on a socket of its own, with its
# data in the kind cache, so that nothing else on the machine (setup.sh's auto-detection, the
# other suites, a user's own Docker and clusters) sees or touches it.
#
# Usage: tests/kind/engine/engine.sh start|stop|status|env [-h|--help]
#
#   start   start dockerd (or reuse the one already running) and wait until it answers
#   stop    stop it by the pid it recorded (its containers stop with it)
#   status  say whether it runs
#   env     print `export DOCKER_HOST=...` for the private socket
#
# The machine's own engine is never used: the socket is $ZT_KIND_CACHE/engine/docker.sock and
# every docker and kind command of the suite gets DOCKER_HOST pointing at it.
#
# On machines whose kernel grants no CAP_SYS_RESOURCE (the project's build VMs), `docker run
# --privileged` fails; the engine then runs containers through runc-without-sys-resource, which
# drops only that capability. Elsewhere the plain runc is used.
#
# Environment:
#   ZT_KIND_CACHE   the kind suite's cache (default ~/.cache/zt-demo/kind)
set -euo pipefail

# shellcheck source=../lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/../lib.sh"

ENGINE_DIR="$ZT_KIND_CACHE/engine"
ENGINE_SOCKET="$ENGINE_DIR/docker.sock"
ENGINE_PIDFILE="$ENGINE_DIR/dockerd.pid"
ENGINE_LOG="$ENGINE_DIR/dockerd.log"
# containerd's sockets live under the exec root: keep that path short (unix socket paths are
# limited to 107 bytes).
ENGINE_EXEC_ROOT="/run/zt-demo-engine-$(id -u)"
# The engine's default bridge, under a name of its own: a system Docker's docker0 is left alone,
# and image builds (setup.sh's docker build of the apps) still reach the package registries.
ENGINE_BRIDGE=zt-docker0
ENGINE_BRIDGE_CIDR=${ZT_ENGINE_BRIDGE_CIDR:-10.213.0.1/24}

engine_answers() { DOCKER_HOST="unix://$ENGINE_SOCKET" timeout 10 docker info >/dev/null 2>&1; }

# The kernel grants CAP_SYS_RESOURCE when bit 24 of the bounding set is set.
lacks_sys_resource() {
  local bounding
  bounding=$(awk '/^CapBnd:/ {print $2}' /proc/self/status)
  (((16#$bounding >> 24 & 1) == 0))
}

bridge_up() {
  ip link show "$ENGINE_BRIDGE" >/dev/null 2>&1 && return 0
  if ip -4 route | grep -q "^${ENGINE_BRIDGE_CIDR%.*}\."; then
    die "the engine's bridge network $ENGINE_BRIDGE_CIDR overlaps a route of this machine" "choose another: ZT_ENGINE_BRIDGE_CIDR=10.214.0.1/24"
  fi
  ip link add "$ENGINE_BRIDGE" type bridge
  ip addr add "$ENGINE_BRIDGE_CIDR" dev "$ENGINE_BRIDGE"
  ip link set "$ENGINE_BRIDGE" up
}

bridge_down() {
  ip link show "$ENGINE_BRIDGE" >/dev/null 2>&1 || return 0
  ip link delete "$ENGINE_BRIDGE"
}

# The pids of dockerd processes on this engine's data directory, whatever the pid file says: an
# earlier run that was killed can leave one behind that no longer answers, or one whose pid file
# is gone. Two daemons on one data directory corrupt it.
engine_pids() {
  local pid
  for pid in $(pgrep -x dockerd 2>/dev/null); do
    tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -qF -- "--data-root $ENGINE_DIR/data" && echo "$pid"
  done
  return 0
}

# stop_pids WHAT PID...: TERM, then KILL what is left after 60 s.
stop_pids() {
  local what=$1 pid waited
  shift
  (($#)) || return 0
  kill "$@" 2>/dev/null || true
  for pid in "$@"; do
    for ((waited = 0; waited < 120; waited++)); do
      kill -0 "$pid" 2>/dev/null || break
      sleep 0.5
    done
    if kill -0 "$pid" 2>/dev/null; then
      warn "$what (pid $pid) did not stop within 60s: killing it"
      kill -9 "$pid" 2>/dev/null || true
    fi
  done
}

engine_start() {
  if pid_alive "$ENGINE_PIDFILE" dockerd && engine_answers; then
    ok "private dockerd already runs (pid $(<"$ENGINE_PIDFILE"), $ENGINE_SOCKET)"
    return
  fi
  is_root || die "the kind suite starts its own dockerd, which needs root" "run scripts/test.sh as root, or skip this suite"
  local stale
  stale=$(engine_pids)
  if [[ -n "$stale" ]]; then
    warn "a dockerd an earlier run left on $ENGINE_DIR/data does not answer (pid $(echo "$stale" | tr '\n' ' ')): stopping it"
    # shellcheck disable=SC2086 # a list of pids
    stop_pids "the stale dockerd" $stale
  fi
  ensure_commands dockerd iptables ip
  mkdir -p "$ENGINE_DIR/data" "$ENGINE_EXEC_ROOT"
  bridge_up
  rm -f "$ENGINE_SOCKET" "$ENGINE_PIDFILE"
  local runtime_args=()
  if lacks_sys_resource; then
    runtime_args=(--add-runtime "zt-runc=$ZT_KIND_DIR/engine/runc-without-sys-resource" --default-runtime zt-runc)
    info "this kernel grants no CAP_SYS_RESOURCE: containers run through runc-without-sys-resource"
  fi
  setsid dockerd -H "unix://$ENGINE_SOCKET" --data-root "$ENGINE_DIR/data" --exec-root "$ENGINE_EXEC_ROOT" \
    --pidfile "$ENGINE_PIDFILE" --bridge "$ENGINE_BRIDGE" "${runtime_args[@]}" </dev/null >"$ENGINE_LOG" 2>&1 &
  local deadline=$(($(date +%s) + 60))
  until engine_answers; do
    if (($(date +%s) >= deadline)); then
      show_log_tail "$ENGINE_LOG" 20
      die "the private dockerd did not answer within 60s (log: $ENGINE_LOG)" "is another dockerd using $ENGINE_DIR/data? stop it first"
    fi
    sleep 0.5
  done
  ok "private dockerd runs (pid $(<"$ENGINE_PIDFILE"), socket $ENGINE_SOCKET)"
}

engine_stop() {
  local pids
  pids=$(engine_pids)
  if [[ -z "$pids" ]]; then
    rm -f "$ENGINE_SOCKET" "$ENGINE_PIDFILE"
    bridge_down
    ok "private dockerd is not running"
    return
  fi
  # shellcheck disable=SC2086 # a list of pids
  stop_pids dockerd $pids
  rm -f "$ENGINE_SOCKET" "$ENGINE_PIDFILE"
  bridge_down
  ok "private dockerd stopped (pid $(echo "$pids" | tr '\n' ' ' | sed 's/ $//'))"
}

main() {
  case "${1:-}" in
    start) engine_start ;;
    stop) engine_stop ;;
    status)
      if pid_alive "$ENGINE_PIDFILE" dockerd && engine_answers; then
        echo "running: pid $(<"$ENGINE_PIDFILE"), DOCKER_HOST=unix://$ENGINE_SOCKET"
      else
        echo "not running"
        return 1
      fi
      ;;
    env) echo "export DOCKER_HOST=unix://$ENGINE_SOCKET" ;;
    -h | --help) usage_from_header "$0" ;;
    *) die "unknown command: ${1:-(none)}" "tests/kind/engine/engine.sh start|stop|status|env" ;;
  esac
}

main "$@"
