# shellcheck shell=bash
# OpenBao's initialisation and unsealing, the same in both modes, through its HTTP API: keys and
# tokens travel in request bodies read from stdin, never on a command line (where `ps` would show
# them) and are never printed. Sourced after common.sh.

# openbao_sys ADDR METHOD PATH: an unauthenticated sys/ call (seal-status, init, unseal); body on
# stdin. Over TLS, OpenBao's certificate verified against BAO_CACERT (the SPIRE trust bundle).
openbao_sys() {
  curl --cacert "${BAO_CACERT:?the SPIRE trust bundle (PEM) to verify OpenBao with}" -fsS -X "$2" \
    -H 'Content-Type: application/json' --data-binary @- "$1/v1/sys/$3"
}

# openbao_init_unseal ADDR INIT_FILE NAME HINT MODE: initialises OpenBao at ADDR once and makes
# sure it is unsealed. With Shamir (local mode): one key share; the unseal key and root token go to
# INIT_FILE (mode 600), and a sealed OpenBao is unsealed with that key. With an auto-unseal seal
# (kind mode's static seal): one recovery key share instead, and OpenBao unseals itself, so this
# only waits for it. NAME is how messages call INIT_FILE, HINT where to look when OpenBao
# misbehaves, MODE (--kind or --local) how to start over; OPENBAO_UNSEAL_WAIT (seconds, default 120)
# how long to wait for an auto-unseal and OPENBAO_SEAL_HINT what to say when it does not come.
# Sets OPENBAO_ACTION to initialised, unsealed or none.
openbao_init_unseal() {
  local addr=$1 init=$2 name=$3 hint=$4 mode=$5 status seal
  OPENBAO_ACTION=none
  status=$(openbao_sys "$addr" GET seal-status </dev/null) || die "OpenBao does not answer at $addr" "$hint"
  seal=$(jq -r .type <<<"$status")
  if [[ "$(jq -r .initialized <<<"$status")" != true ]]; then
    openbao_init "$addr" "$init" "$seal" || die "OpenBao could not be initialised" "$hint"
    OPENBAO_ACTION=initialised
    if [[ "$seal" == shamir ]]; then
      ok "OpenBao initialised (one Shamir key share); unseal key and root token in $name (mode 600)"
    else
      ok "OpenBao initialised (auto-unseal: $seal seal); recovery key and root token in $name (mode 600)"
    fi
    status=$(openbao_sys "$addr" GET seal-status </dev/null)
  fi
  if [[ "$(jq -r .sealed <<<"$status")" == true && "$seal" != shamir ]]; then
    wait_until "${OPENBAO_UNSEAL_WAIT:-120}" "OpenBao to unseal itself ($seal seal)" openbao_unsealed "$addr" ||
      die "OpenBao stays sealed: it could not unseal itself with its $seal seal" "${OPENBAO_SEAL_HINT:-$hint}"
    ok "OpenBao unsealed itself ($seal seal)"
  elif [[ "$(jq -r .sealed <<<"$status")" == true ]]; then
    [[ -s "$init" ]] || die "OpenBao is initialised but $name is missing, so it cannot be unsealed" \
      "restore that file, or start over: scripts/teardown.sh $mode && scripts/setup.sh $mode"
    status=$(jq '{key: .unseal_keys_b64[0]}' "$init" | openbao_sys "$addr" PUT unseal) ||
      die "OpenBao refused the unseal key in $name" "was the file replaced? start over: scripts/teardown.sh $mode && scripts/setup.sh $mode"
    [[ "$(jq -r .sealed <<<"$status")" == false ]] || die "OpenBao is still sealed after the unseal key was given" "$hint"
    [[ "$OPENBAO_ACTION" == initialised ]] || OPENBAO_ACTION=unsealed
    ok "OpenBao unsealed (with the key in $name)"
  elif [[ "$OPENBAO_ACTION" == none ]]; then
    ok "OpenBao is initialised and unsealed"
  fi
}

# openbao_init ADDR INIT_FILE SEAL: PUT sys/init with one key share, Shamir unseal key or (with an
# auto-unseal SEAL) recovery key; writes {unseal_keys_b64 | recovery_keys_b64, root_token}.
openbao_init() {
  local addr=$1 init=$2 seal=$3 request filter
  if [[ "$seal" == shamir ]]; then
    request='{"secret_shares": 1, "secret_threshold": 1}'
    filter='{unseal_keys_b64: .keys_base64, root_token: .root_token}'
  else
    request='{"recovery_shares": 1, "recovery_threshold": 1}'
    filter='{recovery_keys_b64: .recovery_keys_base64, root_token: .root_token}'
  fi
  (umask 077 && echo "$request" | openbao_sys "$addr" PUT init | jq -e "$filter" >"$init.new") || { rm -f "$init.new"; return 1; }
  mv "$init.new" "$init"
}

openbao_unsealed() { [[ "$(openbao_sys "$1" GET seal-status </dev/null | jq -r .sealed)" == false ]]; }

# openbao_root_token INIT_FILE: the root token recorded at initialisation.
openbao_root_token() { jq -r .root_token "$1"; }
