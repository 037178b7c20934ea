# shellcheck shell=bash
# shellcheck disable=SC2154 # the colour variables (_c_*) are set by common.sh
# How scripts/demo.sh presents itself: part headings, a sentence or two of explanation, the exact
# command before it runs, its output with the line that matters highlighted, a pause for Enter,
# and checks of the expected outcome (which stop the demo at the first mismatch). Sourced after
# common.sh.

DEMO_AUTO=0       # 1: no pauses (scripts/demo.sh --auto)
DEMO_CHECKS=0     # outcomes checked so far
DEMO_OUT=""       # the output of the last shown command
DEMO_STATUS=0     # and its exit status
DEMO_REDACT=()    # exact strings that must never be shown (the root token)

if [[ -n "$_c_bold" ]]; then _c_cyan=$'\e[36m' _c_hl=$'\e[1;33m'; else _c_cyan='' _c_hl=''; fi

# part N TITLE: the heading of one of the six parts.
part() {
  printf '\n%s━━ Part %s of 6 · %s %s%s\n' "$_c_bold" "$1" "$2" "$(printf '━%.0s' $(seq 1 $((60 - ${#2}))))" "$_c_off"
}

# The width prose is wrapped to: the terminal's (less the indent), at most 100 columns so lines
# stay readable; DEMO_WIDTH overrides it, and 80 is assumed when there is no terminal.
demo_width() {
  local columns=${DEMO_WIDTH:-}
  [[ -n "$columns" ]] || columns=$( { stty size </dev/tty | awk '{print $2}'; } 2>/dev/null || true)
  [[ "$columns" =~ ^[0-9]+$ ]] && ((columns >= 20)) || columns=${COLUMNS:-80}
  ((columns > 100)) && columns=100
  echo $((columns - 2))
}

# say TEXT...: explanation, wrapped at word boundaries to the terminal.
say() { printf '%s\n' "$*" | fold -s -w "$(demo_width)" | sed -e 's/ *$//' -e 's/^/  /'; }

# note TEXT: a side remark (dim).
note() { printf '  %s%s%s\n' "$_c_dim" "$*" "$_c_off"; }

# redact: hides anything that looks like a token, whatever printed it. The commands are written
# not to print tokens at all; this is the second line of defence.
redact() {
  local text secret
  text=$(cat)
  for secret in "${DEMO_REDACT[@]}"; do
    [[ -n "$secret" ]] && text=${text//"$secret"/[root token hidden]}
  done
  sed -E -e 's/eyJ[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}\.[A-Za-z0-9_-]{6,}/[JWT hidden]/g' \
    -e 's/\b(s|hvs|hvb|b)\.[A-Za-z0-9]{20,}/[OpenBao token hidden]/g' <<<"$text"
}

# show_run CODE [PATTERN]: prints CODE as the command it is, runs it in this shell (so it may set
# variables for later steps), and prints its output with the lines matching the extended regular
# expression PATTERN highlighted. DEMO_OUT holds the output and DEMO_STATUS its exit status: a
# refusal is often the point of a step, so it does not stop the demo; the checks decide.
show_run() {
  local code=$1 pattern=${2:-} out line
  printf '\n  %s$%s %s%s%s\n' "$_c_dim" "$_c_off" "$_c_cyan" "$code" "$_c_off"
  out=$(mktemp)
  DEMO_STATUS=0
  # shellcheck disable=SC2034 # for the steps that look at it
  eval "$code" >"$out" 2>&1 || DEMO_STATUS=$?
  DEMO_OUT=$(redact <"$out")
  rm -f "$out"
  [[ -n "$DEMO_OUT" ]] || return 0
  while IFS= read -r line; do
    if [[ -n "$pattern" ]] && grep -Eq -- "$pattern" <<<"$line"; then
      printf '  %s▶ %s%s\n' "$_c_hl" "$line" "$_c_off"
    else
      printf '    %s\n' "$line"
    fi
  done <<<"$DEMO_OUT"
}

# hidden CODE: a step the audience does not need to see (fetching a session for later steps).
hidden() { eval "$1" >/dev/null 2>&1; }

# check DESCRIPTION COMMAND...: the expected outcome. In every mode a mismatch stops the demo with
# a clear message; --auto exists to catch exactly that.
check() {
  local what=$1
  shift
  if "$@"; then
    DEMO_CHECKS=$((DEMO_CHECKS + 1))
    printf '  %s✓%s %s\n' "$_c_green" "$_c_off" "$what"
  else
    printf '  %s✗%s %s\n' "$_c_red" "$_c_off" "$what" >&2
    die "demo check failed: $what${DEMO_DETAIL:+ ($DEMO_DETAIL)}" \
      "the part above shows what happened; scripts/setup.sh $([[ "$DEMO_MODE" == kind ]] && echo --kind || echo --local) repairs most states"
  fi
  DEMO_DETAIL=""
}

# out_has PATTERN: the last output contains PATTERN (an extended regular expression).
out_has() {
  grep -Eq -- "$1" <<<"$DEMO_OUT" || { DEMO_DETAIL="no line matching /$1/ in the output"; return 1; }
}

# equals ACTUAL EXPECTED: for check, with a detail that shows both.
equals() { [[ "$1" == "$2" ]] || { DEMO_DETAIL="expected '$2', got '$1'"; return 1; }; }

pause() {
  ((DEMO_AUTO)) && return 0
  printf '\n  %s[Enter] to continue, Ctrl-C to stop%s ' "$_c_dim" "$_c_off"
  read -r _ || true
  [[ -t 0 ]] || printf '\n'
}

# jwt_claims TOKEN: the claims of a JWT (its middle part, decoded), never the token itself; the
# times (exp, iat, nbf) as a time of day, exp with how long is left.
jwt_claims() {
  jq -R 'split(".")[1] | gsub("-"; "+") | gsub("_"; "/") | @base64d | fromjson
    | (now | floor) as $now
    | with_entries(if (.key == "exp" or .key == "iat" or .key == "nbf") and (.value | type) == "number"
        then .value = "\(.value | todate)" + (if .key == "exp" then " (in \(((.value - $now) / 60) | floor) min)" else "" end)
        else . end)' <<<"$1"
}

# short_lease_id: shortens lease ids on stdin as the API does ("AbCdEf…wXyZ"): enough to
# recognise one, not to use it.
short_lease_id() { sed -E 's#(^|/)([A-Za-z0-9]{6})[A-Za-z0-9]{5,}([A-Za-z0-9]{4})$#\1\2…\3#'; }
