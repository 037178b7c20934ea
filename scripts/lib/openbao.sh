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

# openbao_init_unseal ADDR INIT_FILE NAME HINT MODE: initialises OpenBao at ADDR once (one Shamir
# key share; the unseal key and root token go to INIT_FILE, mode 600) and unseals it when it is
# sealed. NAME is how messages call INIT_FILE, HINT where to look when OpenBao misbehaves, MODE
# (--kind or --local) how to start over. Sets OPENBAO_ACTION to initialised, unsealed or none.
openbao_init_unseal() {
  local addr=$1 init=$2 name=$3 hint=$4 mode=$5 status
  OPENBAO_ACTION=none
  status=$(openbao_sys "$addr" GET seal-status </dev/null) || die "OpenBao does not answer at $addr" "$hint"
  if [[ "$(jq -r .initialized <<<"$status")" != true ]]; then
    (umask 077 && echo '{"secret_shares": 1, "secret_threshold": 1}' | openbao_sys "$addr" PUT init |
      jq '{unseal_keys_b64: .keys_base64, root_token: .root_token}' >"$init.new") ||
      die "OpenBao could not be initialised" "$hint"
    mv "$init.new" "$init"
    OPENBAO_ACTION=initialised
    ok "OpenBao initialised (one Shamir key share); unseal key and root token in $name (mode 600)"
    status=$(openbao_sys "$addr" GET seal-status </dev/null)
  fi
  if [[ "$(jq -r .sealed <<<"$status")" == true ]]; then
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

# openbao_root_token INIT_FILE: the root token recorded at initialisation.
openbao_root_token() { jq -r .root_token "$1"; }
