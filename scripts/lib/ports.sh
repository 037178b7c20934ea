# shellcheck shell=bash
# The local stack's listening ports: which the operator chose, which a running stack uses (kept in
# stack.env, so a rerun without the ZT_*_PORT variables finds its stack), and whether they are
# free, all checked before anything starts. Sourced after common.sh and before the libraries that
# give the ports their defaults (local-env.sh, apps.sh).

ZT_PORT_VARS=(ZT_PG_PORT ZT_SPIRE_SERVER_PORT ZT_SPIRE_SERVER_HEALTH_PORT ZT_SPIRE_AGENT_HEALTH_PORT
  ZT_OIDC_PORT ZT_BAO_PORT ZT_BACKEND_PORT ZT_BACKEND_HEALTH_PORT ZT_FRONTEND_PORT)
declare -A ZT_PORT_WHAT=(
  [ZT_PG_PORT]=PostgreSQL [ZT_SPIRE_SERVER_PORT]="the SPIRE server"
  [ZT_SPIRE_SERVER_HEALTH_PORT]="the SPIRE server health check" [ZT_SPIRE_AGENT_HEALTH_PORT]="the SPIRE agent health check"
  [ZT_OIDC_PORT]="the SPIRE OIDC discovery provider" [ZT_BAO_PORT]=OpenBao
  [ZT_BACKEND_PORT]="the backend" [ZT_BACKEND_HEALTH_PORT]="the backend's health checks" [ZT_FRONTEND_PORT]="the frontend"
)

# The ports the operator set, before any default is applied.
ZT_PORTS_GIVEN=" "
for _zt_var in "${ZT_PORT_VARS[@]}"; do
  [[ -z "${!_zt_var:-}" ]] || ZT_PORTS_GIVEN+="$_zt_var "
done
unset _zt_var
port_given() { [[ "$ZT_PORTS_GIVEN" == *" $1 "* ]]; }

# The pids of the stack's own processes (its pid files and PostgreSQL's postmaster).
stack_pids() {
  local file
  for file in "$ZT_STATE_DIR"/run/*.pid; do
    [[ -s "$file" ]] && head -n1 "$file"
  done
  [[ -s "$ZT_STATE_DIR/pg/data/postmaster.pid" ]] && head -n1 "$ZT_STATE_DIR/pg/data/postmaster.pid"
  return 0
}

stack_running() {
  local pid
  while read -r pid; do
    [[ "$pid" =~ ^[0-9]+$ ]] && kill -0 "$pid" 2>/dev/null && return 0
  done < <(stack_pids)
  return 1
}

# adopt_recorded_ports: a port the operator did not set is the one the stack was started with;
# one set to something else is refused while that stack runs, with the way to move it. Call
# after the state directory is known and before the defaults are applied.
adopt_recorded_ports() {
  local env_file="$ZT_STATE_DIR/stack.env" var recorded changed=()
  [[ -s "$env_file" ]] || return 0
  for var in "${ZT_PORT_VARS[@]}"; do
    recorded=$(sed -n "s/^$var=\([0-9]*\)$/\1/p" "$env_file")
    [[ -n "$recorded" ]] || continue
    if ! port_given "$var"; then
      printf -v "$var" '%s' "$recorded"
      export "${var?}"
    elif [[ "${!var}" != "$recorded" ]]; then
      changed+=("$var")
    fi
  done
  ((${#changed[@]})) || return 0
  local list="" moves="" var
  for var in "${changed[@]}"; do
    list+="${list:+, }$var=$(sed -n "s/^$var=//p" "$env_file")"
    moves+="$var=${!var} "
  done
  if stack_running; then
    die "the running local stack uses $list; it cannot move while it runs" \
      "to move it: scripts/teardown.sh --local --keep-state && ${moves}scripts/setup.sh --local"
  fi
  info "ports changed since the last run (was $list): the stack starts on the new ones"
}

# A free loopback port from FIRST up that is not in the list of ports already chosen.
free_port_from() {
  local port=$1 chosen=" $2 "
  while ((port < 65535)); do
    if [[ "$chosen" != *" $port "* ]] && ! port_in_use "$port"; then
      echo "$port"
      return 0
    fi
    port=$((port + 1))
  done
  return 1
}

# held_by PORT PIDS: one of the processes listening on PORT is among PIDS (" 1 2 3 ").
held_by() {
  local pid
  for pid in $(ss -Htlnp "sport = :$1" 2>/dev/null | grep -o 'pid=[0-9]*' | cut -d= -f2); do
    [[ "$2" == *" $pid "* ]] && return 0
  done
  return 1
}

# check_ports_free: every port the stack needs is free or held by the stack itself, checked at
# once before anything starts; all taken ones are named together, each with a free alternative
# that collides with none of the others.
check_ports_free() {
  local var port owner ours chosen="" taken=() suggestion suggestions=""
  ours=" $(stack_pids | tr '\n' ' ') "
  for var in "${ZT_PORT_VARS[@]}"; do chosen+="${!var} "; done
  for var in "${ZT_PORT_VARS[@]}"; do
    port=${!var}
    if [[ " $chosen " == *" $port "*" $port "* ]]; then
      die "port $port is given to two components (${ZT_PORT_WHAT[$var]} among them)" "give each ZT_*_PORT variable its own port"
    fi
    port_in_use "$port" || continue
    held_by "$port" "$ours" || taken+=("$var")
  done
  ((${#taken[@]})) || return 0
  for var in "${taken[@]}"; do
    suggestion=$(free_port_from $((${!var} + 1)) "$chosen") || suggestion=""
    chosen+="$suggestion "
    suggestions+="$var=$suggestion "
  done
  if ((${#taken[@]} == 1)); then
    var=${taken[0]} owner=$(port_owner "${!var}")
    die "port ${!var}, needed by ${ZT_PORT_WHAT[$var]}, is already in use${owner:+ (by $owner)}" \
      "stop that process, or choose another port, e.g. ${suggestions}scripts/setup.sh --local"
  fi
  local list=""
  for var in "${taken[@]}"; do list+="${list:+, }${!var} (${ZT_PORT_WHAT[$var]})"; done
  die "ports already in use: $list" "stop what holds them, or choose free ones, e.g. ${suggestions}scripts/setup.sh --local"
}
