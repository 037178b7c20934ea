# shellcheck shell=bash
# The applications of local mode: building them and running them as their workload users, whose
# uid is what SPIRE attests. Sourced after local-stack.sh.

: "${ZT_BACKEND_PORT:=8000}"
: "${ZT_BACKEND_HEALTH_PORT:=8001}"
: "${ZT_FRONTEND_PORT:=3000}"

# The apps' addresses, made from their ports (again once setup knows the ports a stack runs on).
# The backend's API is mutual TLS (its certificate names localhost); its health checks and metrics
# are plain HTTP on a port of their own.
app_urls() {
  ZT_BACKEND_URL="https://localhost:$ZT_BACKEND_PORT"
  ZT_BACKEND_HEALTH_URL="http://127.0.0.1:$ZT_BACKEND_HEALTH_PORT"
  ZT_FRONTEND_URL="http://localhost:$ZT_FRONTEND_PORT"
  export ZT_BACKEND_PORT ZT_BACKEND_HEALTH_PORT ZT_FRONTEND_PORT ZT_BACKEND_URL ZT_BACKEND_HEALTH_URL ZT_FRONTEND_URL
}
app_urls

ensure_node_packages() {
  ensure_node
  if [[ ! -d "$ZT_REPO_ROOT/node_modules" || "$ZT_REPO_ROOT/package-lock.json" -nt "$ZT_REPO_ROOT/node_modules/.package-lock.json" ]]; then
    info "installing npm packages (npm ci)"
    (cd "$ZT_REPO_ROOT" && npm ci --no-audit --no-fund --loglevel=error) >"$ZT_LOG_DIR/npm-ci.log" 2>&1 ||
      { show_log_tail "$ZT_LOG_DIR/npm-ci.log"; die "npm ci failed (log: $ZT_LOG_DIR/npm-ci.log)" "run npm ci in $ZT_REPO_ROOT to see why"; }
  fi
}

# The apps' builds: what they run, and what a rerun compares with what they were started from.
backend_build() { echo "$ZT_REPO_ROOT/backend/dist/main.js"; }
frontend_build() { echo "$ZT_REPO_ROOT/frontend/.next/standalone/frontend/server.js"; }

# build_backend: compiles the backend when its sources are newer than the build.
build_backend() {
  local main
  main=$(backend_build)
  if [[ -f "$main" && -z "$(find "$ZT_REPO_ROOT/backend/src" -newer "$main" -print -quit)" ]]; then
    return 0
  fi
  info "building the backend"
  (cd "$ZT_REPO_ROOT" && npm run build --workspace @zt-demo/backend) >"$ZT_LOG_DIR/backend-build.log" 2>&1 ||
    { show_log_tail "$ZT_LOG_DIR/backend-build.log"; die "the backend did not compile (log: $ZT_LOG_DIR/backend-build.log)" "fix the TypeScript errors shown above"; }
}

# The directory the backend runs from. The workload user must be able to read it; when it cannot
# read the clone (a mode-700 parent directory), it gets a hard-linked copy in the state directory.
backend_root() {
  if ! is_root || runuser -u "$ZT_BACKEND_USER" -- test -r "$(backend_build)"; then
    echo "$ZT_REPO_ROOT"
    return
  fi
  local stage="$ZT_STATE_DIR/app"
  rm -rf "$stage" && mkdir -p "$stage/backend" "$stage/infrastructure" && chmod -R 755 "$stage"
  local part
  # backend/contract: node_modules/@zt-demo/api-contract links to it (a workspace package)
  # backend/spiffe: likewise (@zt-demo/spiffe, the Workload API client)
  for part in node_modules backend/dist backend/contract backend/spiffe backend/package.json package.json infrastructure/identity.json; do
    cp -al "$ZT_REPO_ROOT/$part" "$stage/$part" 2>/dev/null || cp -a "$ZT_REPO_ROOT/$part" "$stage/$part"
  done
  chmod -R a+rX "$stage"
  echo "$stage"
}

backend_ready() { curl -fsS "$ZT_BACKEND_HEALTH_URL/api/health/ready" >/dev/null 2>&1; }

# build_stamp FILE: when an app's build was written.
build_stamp() { stat -c %Y "$1" 2>/dev/null || echo none; }

# What an app was started with (its build, the backend's settings) is recorded in run/NAME.ASPECT.
# restart_if_changed NAME ASPECT NOW REASON: a running NAME started with another ASPECT than NOW
# is stopped, and setup says why, so a rerun never leaves an app on an old build or setting.
restart_if_changed() {
  local name=$1 aspect=$2 now=$3 reason=$4
  pid_alive "$ZT_RUN_DIR/$name.pid" "$(process_signature "$name")" || return 0
  [[ "$(cat "$ZT_RUN_DIR/$name.$aspect" 2>/dev/null)" != "$now" ]] || return 0
  info "restarting the $name: $reason"
  stop_processes "$name"
}

# record_started_with NAME ASPECT VALUE: what restart_if_changed compares with on the next run.
record_started_with() { printf '%s\n' "$3" >"$ZT_RUN_DIR/$1.$2"; }

# app_running NAME URL READY_CHECK PORT_VAR: true, and says so, when NAME runs and answers;
# otherwise stops what is left of it and makes sure its port is free for a new start.
app_running() {
  local name=$1 url=$2 ready=$3 port_var=$4
  if pid_alive "$ZT_RUN_DIR/$name.pid" "$(process_signature "$name")" && "$ready"; then
    ok "$name already running (pid $(<"$ZT_RUN_DIR/$name.pid"), $url)"
    return 0
  fi
  start_reason "the $name" "$ZT_RUN_DIR/$name.pid" "$(process_signature "$name")"
  stop_processes "$name"
  require_free_port "${!port_var}" "the $name" "$port_var"
  return 1
}

# What the backend's behaviour depends on besides its code; a running backend started with other
# settings (say, before --fast-rotation) is restarted.
backend_settings() {
  echo "rotate-interval=$ZT_DB_ROTATION_INTERVAL rotate-fraction=${ZT_DB_ROTATE_FRACTION:-} api-clients=${ZT_API_CLIENT_SPIFFE_IDS:-}"
}

start_backend() {
  local root
  restart_if_changed backend settings "$(backend_settings)" "its rotation setting changed ($(backend_settings))"
  ensure_node_packages
  build_backend
  restart_if_changed backend build "$(build_stamp "$(backend_build)")" "it was started from an earlier build"
  app_running backend "$ZT_BACKEND_URL" backend_ready ZT_BACKEND_PORT && return 0
  require_free_port "$ZT_BACKEND_HEALTH_PORT" "the backend's health checks" ZT_BACKEND_HEALTH_PORT
  root=$(backend_root)
  # Only connection facts: the backend holds no secret and gets everything else from OpenBao (and
  # its certificate from the SPIRE agent). ZT_API_CLIENT_SPIFFE_IDS, when set, replaces the
  # identities admitted to its API (the chain tests add their own client's).
  local cmd=(env PORT="$ZT_BACKEND_PORT" HEALTH_PORT="$ZT_BACKEND_HEALTH_PORT" HOST=127.0.0.1 SPIFFE_ENDPOINT_SOCKET="unix://$ZT_SPIRE_AGENT_SOCKET"
    ${ZT_API_CLIENT_SPIFFE_IDS:+API_CLIENT_SPIFFE_IDS="$ZT_API_CLIENT_SPIFFE_IDS"}
    OPENBAO_ADDR="$ZT_BAO_ADDR" DB_HOST=127.0.0.1 DB_PORT="$ZT_PG_PORT" ZT_IDENTITY_FILE="$root/infrastructure/identity.json"
    DB_ROTATE_INTERVAL="$ZT_DB_ROTATION_INTERVAL"
    ${ZT_DB_ROTATE_FRACTION:+DB_ROTATE_FRACTION="$ZT_DB_ROTATE_FRACTION"} ${GITHUB_API_URL:+GITHUB_API_URL="$GITHUB_API_URL"}
    ${ZT_BACKEND_LOG_LEVEL:+LOG_LEVEL="$ZT_BACKEND_LOG_LEVEL"}
    "$(workload_node "$ZT_BACKEND_USER")" dist/main.js)
  launch_as "$ZT_BACKEND_USER" backend "$root/backend" "${cmd[@]}"
  record_started_with backend settings "$(backend_settings)"
  record_started_with backend build "$(build_stamp "$(backend_build)")"
  wait_until "$ZT_READY_TIMEOUT" "the backend reporting ready" backend_ready || not_ready backend "$ZT_LOG_DIR/backend.log"
  ok "backend started (pid $(<"$ZT_RUN_DIR/backend.pid"), $ZT_BACKEND_URL, as $ZT_BACKEND_USER, from $root)"
}

# workload_node USER: a path to the pinned node binary that USER can run. The tool cache may sit
# in a home directory USER cannot enter (root's, mode 700); then the binary is copied into the
# state directory, once per version.
workload_node() {
  if ! is_root || runuser -u "$1" -- test -x "$ZT_NODE"; then
    echo "$ZT_NODE"
    return
  fi
  local copy="$ZT_STATE_DIR/node/v$NODE_VERSION/node"
  if [[ "$(node_version "$copy")" != "$NODE_VERSION" ]]; then
    mkdir -p "$(dirname "$copy")" && install -m 755 "$ZT_NODE" "$copy"
    chmod 755 "$ZT_STATE_DIR/node" "$(dirname "$copy")"
  fi
  echo "$copy"
}

# What an app inherits from the shell that runs setup: nothing but these. A BAO_TOKEN or a
# LOG_LEVEL in the operator's shell must not reach the backend and take effect there; whatever
# else an app needs is named where it is started.
APP_ENV_ALLOW_LIST=(PATH LANG LC_ALL TZ NODE_EXTRA_CA_CERTS)

app_environment() {
  local name
  for name in "${APP_ENV_ALLOW_LIST[@]}"; do
    if [[ -n "${!name:-}" ]]; then printf '%s=%s\n' "$name" "${!name}"; fi
  done
}

# launch_as USER NAME DIR COMMAND...: starts COMMAND in DIR as USER, pid in run/NAME.pid, output in
# log/NAME.log. setpriv switches user and execs in place, so the recorded pid is the app's own.
# The environment is empty but for APP_ENV_ALLOW_LIST and what COMMAND names.
launch_as() {
  local user=$1 name=$2 dir=$3 inherited=()
  shift 3
  mapfile -t inherited < <(app_environment)
  local cmd=(env -i "${inherited[@]}" "$@")
  : >"$ZT_LOG_DIR/$name.log"
  is_root && cmd=(setpriv --reuid="$(id -u "$user")" --regid="$(id -g "$user")" --init-groups "${cmd[@]}")
  (cd "$dir" && start_process "$name" "$ZT_LOG_DIR/$name.log" "${cmd[@]}")
}

# build_frontend: next build (standalone output) when the sources are newer than the build.
build_frontend() {
  local server
  server=$(frontend_build)
  if [[ -f "$server" && -z "$(find "$ZT_REPO_ROOT/frontend" -path "$ZT_REPO_ROOT/frontend/.next" -prune -o \
    -path "$ZT_REPO_ROOT/frontend/node_modules" -prune -o -type f -newer "$server" -print -quit)" ]]; then
    return 0
  fi
  info "building the frontend (next build)"
  (cd "$ZT_REPO_ROOT" && NEXT_TELEMETRY_DISABLED=1 npm run build --workspace @zt-demo/frontend) >"$ZT_LOG_DIR/frontend-build.log" 2>&1 ||
    { show_log_tail "$ZT_LOG_DIR/frontend-build.log"; die "the frontend did not build (log: $ZT_LOG_DIR/frontend-build.log)" "fix the errors shown above"; }
  # the standalone server does not carry the static assets; they go next to it
  rm -rf "$ZT_REPO_ROOT/frontend/.next/standalone/frontend/.next/static"
  cp -r "$ZT_REPO_ROOT/frontend/.next/static" "$ZT_REPO_ROOT/frontend/.next/standalone/frontend/.next/static"
}

# The standalone server's directory, or a copy in the state dir when the workload user cannot read it.
frontend_root() {
  local standalone="$ZT_REPO_ROOT/frontend/.next/standalone"
  if ! is_root || runuser -u "$ZT_FRONTEND_USER" -- test -r "$standalone/frontend/server.js"; then
    echo "$standalone"
    return
  fi
  rm -rf "$ZT_STATE_DIR/web" && cp -a "$standalone" "$ZT_STATE_DIR/web" && chmod -R a+rX "$ZT_STATE_DIR/web" && chmod 755 "$ZT_STATE_DIR/web"
  echo "$ZT_STATE_DIR/web"
}

frontend_ready() { curl -fsS -o /dev/null "$ZT_FRONTEND_URL/login"; }

start_frontend() {
  local root
  ensure_node_packages
  build_frontend
  restart_if_changed frontend build "$(build_stamp "$(frontend_build)")" "it was started from an earlier build"
  app_running frontend "$ZT_FRONTEND_URL" frontend_ready ZT_FRONTEND_PORT && return 0
  root=$(frontend_root)
  # The frontend reaches the backend from its server side only (BFF): BACKEND_URL is not public.
  # It calls it over mutual TLS with its own X.509-SVID, from the agent's Workload API.
  launch_as "$ZT_FRONTEND_USER" frontend "$root/frontend" env PORT="$ZT_FRONTEND_PORT" HOSTNAME=127.0.0.1 \
    BACKEND_URL="$ZT_BACKEND_URL" SPIFFE_ENDPOINT_SOCKET="unix://$ZT_SPIRE_AGENT_SOCKET" \
    NODE_ENV=production NEXT_TELEMETRY_DISABLED=1 "$(workload_node "$ZT_FRONTEND_USER")" server.js
  record_started_with frontend build "$(build_stamp "$(frontend_build)")"
  wait_until "$ZT_READY_TIMEOUT" "the frontend answering" frontend_ready || not_ready frontend "$ZT_LOG_DIR/frontend.log"
  ok "frontend started (pid $(<"$ZT_RUN_DIR/frontend.pid"), $ZT_FRONTEND_URL, as $ZT_FRONTEND_USER)"
}
