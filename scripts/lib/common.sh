# shellcheck shell=bash
# Shared helpers for the zt-demo scripts: output, errors with a hint, waiting, small checks.
# Sourced, never run. Every script that sources it runs with `set -euo pipefail`.

ZT_REPO_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd -P)"
export ZT_REPO_ROOT
ZT_STARTED_AT=${ZT_STARTED_AT:-$(date +%s)}

if [[ -t 1 && -z "${NO_COLOR:-}" ]]; then
  _c_bold=$'\e[1m' _c_dim=$'\e[2m' _c_red=$'\e[31m' _c_green=$'\e[32m' _c_yellow=$'\e[33m' _c_off=$'\e[0m'
else
  _c_bold='' _c_dim='' _c_red='' _c_green='' _c_yellow='' _c_off=''
fi

elapsed() { printf '%ss' "$(($(date +%s) - ZT_STARTED_AT))"; }

# step "3/9" "Starting the SPIRE server"
step() { printf '%s[%s %6s]%s %s\n' "$_c_bold" "$1" "$(elapsed)" "$_c_off" "$2"; }
info() { printf '       %s\n' "$*"; }
ok() { printf '       %s✓%s %s\n' "$_c_green" "$_c_off" "$*"; }
warn() { printf '       %s!%s %s\n' "$_c_yellow" "$_c_off" "$*" >&2; }

# die "what went wrong" ["what to do about it"]: one clear line (and a hint), never a stack trace.
die() {
  printf '%serror:%s %s\n' "$_c_red" "$_c_off" "$1" >&2
  [[ -n "${2:-}" ]] && printf '%shint:%s  %s\n' "$_c_yellow" "$_c_off" "$2" >&2
  exit 1
}

have() { command -v "$1" >/dev/null 2>&1; }
is_root() { [[ "$(id -u)" -eq 0 ]]; }

# Prints the last lines of a log file, indented, to stderr (for "did not become ready" errors).
show_log_tail() {
  local file=$1 lines=${2:-15}
  [[ -s "$file" ]] || return 0
  printf '%s--- last %s lines of %s ---%s\n' "$_c_dim" "$lines" "$file" "$_c_off" >&2
  tail -n "$lines" "$file" | sed 's/^/  /' >&2
}

# wait_until SECONDS DESCRIPTION COMMAND...: polls COMMAND every half second until it succeeds.
wait_until() {
  local timeout=$1 what=$2
  shift 2
  local deadline=$(($(date +%s) + timeout))
  until "$@" >/dev/null 2>&1; do
    if (($(date +%s) >= deadline)); then
      printf '%serror:%s %s did not happen within %ss\n' "$_c_red" "$_c_off" "$what" "$timeout" >&2
      return 1
    fi
    sleep 0.5
  done
}

# port_in_use PORT: true when something listens on 127.0.0.1:PORT (or on all interfaces).
port_in_use() {
  ss -Htln "sport = :$1" 2>/dev/null | grep -q .
}

# free_local_port FIRST WHAT: the first loopback port from FIRST to FIRST+99 that nothing listens
# on, for a port-forward to WHAT.
free_local_port() {
  local port
  for port in $(seq "$1" $(($1 + 99))); do
    (exec 3<>"/dev/tcp/127.0.0.1/$port") 2>/dev/null || { echo "$port"; return 0; }
  done
  die "no free local port in $1-$(($1 + 99)) for a port-forward to $2" "stop port-forwards left over from earlier runs"
}

# The process listening on PORT, for error messages ("users:(("postgres",pid=123,fd=5))").
port_owner() {
  ss -Htlnp "sport = :$1" 2>/dev/null | grep -o 'users:(([^)]*' | head -n1 | sed 's/users:((//' || true
}

# start_reason NAME PIDFILE SIGNATURE: says why NAME is started again when it ran before (its
# process is gone, or it runs but does not answer), so a rerun of setup never restarts anything
# silently. Nothing for a first start.
start_reason() {
  local name=$1 pidfile=$2 signature=$3 pid
  [[ -s "$pidfile" ]] || return 0
  pid=$(<"$pidfile")
  if pid_alive "$pidfile" "$signature"; then
    info "$name (pid $pid) runs but does not answer: restarting it"
  else
    info "$name (pid $pid) is no longer running: starting it again"
  fi
}

# pid_alive PIDFILE EXPECTED: the pid in PIDFILE runs and its command line contains EXPECTED, so a
# recycled pid never gets mistaken for (or killed as) one of ours.
pid_alive() {
  local pidfile=$1 expected=$2 pid
  [[ -s "$pidfile" ]] || return 1
  pid=$(<"$pidfile")
  [[ "$pid" =~ ^[0-9]+$ ]] || return 1
  [[ -r "/proc/$pid/cmdline" ]] || return 1
  tr '\0' ' ' <"/proc/$pid/cmdline" | grep -qF -- "$expected"
}

# version_lt A B: A sorts before B as a version.
version_lt() { [[ "$1" != "$2" && "$(printf '%s\n%s\n' "$1" "$2" | sort -V | head -n1)" == "$1" ]]; }

# relative_path FROM TO: the path of the existing directory TO relative to the existing directory
# FROM (e.g. ../../repo), without depending on GNU realpath.
relative_path() {
  local from to up=""
  from=$(cd "$1" && pwd -P) && to=$(cd "$2" && pwd -P) || return 1
  while [[ "$from" != / && "$to" != "$from" && "$to" != "$from"/* ]]; do
    from=$(dirname "$from")
    up+="../"
  done
  if [[ "$to" == "$from" ]]; then
    up=${up%/}
    printf '%s\n' "${up:-.}"
  elif [[ "$from" == / ]]; then
    printf '%s%s\n' "$up" "${to#/}"
  else
    printf '%s%s\n' "$up" "${to#"$from"/}"
  fi
}

# usage_from_header FILE: prints the comment block at the top of FILE (after the shebang) as --help.
usage_from_header() {
  sed -n '2,/^[^#]/{/^#/!q;s/^# \{0,1\}//;p}' "$1"
}
