# shellcheck shell=bash
# shellcheck disable=SC2034 # DEMO_* variables are read by scripts/demo.sh and demo-ui.sh
# The demo's shorthands in kind mode, with the same names as in local mode (demo-local.sh): here
# they reach into the cluster. The backend is reached from inside the frontend pod (the one path
# the network policies allow, with mutual authentication), over mutual TLS with an X.509-SVID for
# the frontend's SPIFFE ID; bao, psql and spire-server run inside their pods. Sourced after
# common.sh, identity.sh and kind.sh.

demo_connect() {
  have kubectl || die "kubectl is needed for kind mode" "see docs/kind.md"
  kubectl get nodes >/dev/null 2>&1 ||
    die "the kind cluster $ZT_KIND_CLUSTER does not answer (context $ZT_KIND_CONTEXT)" "start it with scripts/setup.sh --kind"
  mkdir -p "$ZT_KIND_WORK_DIR"
  # OpenBao unseals itself (static seal); this waits for it when a server has just restarted.
  openbao_port_forward
  openbao_unseal
  DEMO_ROOT_TOKEN=$(jq -r .root_token "$ZT_KIND_SECRETS_DIR/openbao-init.json")
  DEMO_REDACT+=("$DEMO_ROOT_TOKEN")
  DEMO_ISSUER="https://oidc-discovery.$ZT_TRUST_DOMAIN"
  # The host port the cluster was created with (setup.sh wrote it into its kind config).
  local port
  port=$(awk '/hostPort:/ {print $2; exit}' "$ZT_KIND_WORK_DIR/kind-config.yaml" 2>/dev/null || true)
  DEMO_APP_URL="http://localhost:${port:-$ZT_KIND_APP_PORT}"
  DEMO_CACERT=$ZT_KIND_TRUST_BUNDLE
  BAO_ADDR=$ZT_KIND_BAO_ADDR
  unset BAO_TOKEN
  kubectl -n 99-apps rollout status deployment/backend --timeout=120s >/dev/null 2>&1 ||
    die "the backend is not ready" "scripts/setup.sh --kind shows what is wrong"
  demo_pick_backend_replica
}

# Two backend replicas run, each with its own OpenBao token, database lease and rotations. The
# demo's calls all go to one of them (at its pod address, still verified by its SPIFFE ID), so
# each step sees what the one before it did; the app's own calls go through the Service to either.
# A jq filter: the pods of a list that are Ready and not being deleted.
DEMO_READY_PODS='[.items[] | select(.metadata.deletionTimestamp == null) | select(any(.status.conditions[]?; .type == "Ready" and .status == "True"))]'

demo_pick_backend_replica() {
  local pod
  pod=$(kubectl -n 99-apps get pods -l app.kubernetes.io/name=backend -o json |
    jq -r "$DEMO_READY_PODS"' | sort_by(.metadata.name) | first | "\(.metadata.name) \(.status.podIP)"')
  [[ "$pod" != null && -n "$pod" ]] || die "no backend replica is ready" "scripts/setup.sh --kind shows what is wrong"
  DEMO_BACKEND_REPLICA=${pod%% *}
  DEMO_BACKEND_BASE="https://${pod#* }:8000"
}

demo_legend() {
  say "Kind mode: the commands below use these shorthands:"
  note "kubectl ...                        kubectl --context $ZT_KIND_CONTEXT ..."
  note "backend_api M PATH [JSON] [TOKEN]  an HTTPS call to backend replica $DEMO_BACKEND_REPLICA ($DEMO_BACKEND_BASE) from inside the frontend pod (node), the path the policies allow, with the frontend's X.509-SVID (minted by mint_svid)"
  note "mint_svid SPIFFE_ID DIR             spire-server x509 mint -spiffeID SPIFFE_ID (an admin's power: an X.509-SVID for any ID), as PEM files in DIR"
  note "spire-server ...                   /opt/spire/bin/spire-server ... inside zt-spire-server-0"
  note "fetch_svid backend|frontend        spire-server jwt mint -audience $ZT_JWT_AUDIENCE for that SPIFFE ID (the app images carry no SPIRE CLI)"
  note "bao ...                            bao ... inside openbao-0 (over TLS, verified against the SPIRE bundle; a standby forwards to the leader), with the token (BAO_TOKEN, or the root token from .secrets/openbao-init.json) on stdin"
  note "psql ...                           psql as postgres on $ZT_DB_NAME inside the primary's pod"
  note "BAO_ADDR                           $BAO_ADDR, a port-forward to openbao-0"
}

kubectl() { command kubectl --context "$ZT_KIND_CONTEXT" "$@"; }

# The node script reads a JSON object from stdin: the session token and the client certificate,
# key and bundle (empty for a call without a certificate), so none of them is on a command line.
# It accepts only a server whose certificate names the backend's SPIFFE ID, and calls the replica
# the demo picked (demo_pick_backend_replica), or the backend's Service without one. Like the curl of local
# mode, it sends a JSON content type only with a body (the backend refuses an empty JSON body),
# and says "refused: why" when no answer came.
DEMO_FETCH_JS='let i="";process.stdin.on("data",d=>i+=d).on("end",()=>{const{token:t,cert,key,ca}=JSON.parse(i);const[m,p,b,id,base]=process.argv.slice(1);const h={};if(b)h["content-type"]="application/json";if(t)h.authorization="Bearer "+t;const r=require("https").request((base||process.env.BACKEND_URL)+p,{method:m,headers:h,cert:cert||undefined,key:key||undefined,ca,checkServerIdentity:(n,c)=>(c.subjectaltname||"").split(", ").includes("URI:"+id)?undefined:new Error("not "+id)},s=>{let o="";s.on("data",d=>o+=d).on("end",()=>process.stdout.write(o))});r.on("error",e=>{console.log("refused:",e.code||"",e.message);process.exitCode=1});r.end(b||undefined)})'

# backend_call IDENTITY METHOD PATH [JSON] [TOKEN]: the backend's answer to a call from inside the
# frontend pod presenting IDENTITY's minted X.509-SVID (frontend, impostor), or none (none).
backend_call() {
  local certs="$DEMO_TLS_DIR/$1"
  [[ "$1" == none ]] && certs="$DEMO_TLS_DIR/frontend"
  jq -n --arg token "${5:-}" --rawfile ca "$certs/bundle.pem" \
    --arg cert "$([[ "$1" == none ]] || cat "$certs/svid.pem")" --arg key "$([[ "$1" == none ]] || cat "$certs/key.pem")" \
    '{token: $token, cert: $cert, key: $key, ca: $ca}' |
    kubectl -n 99-apps exec -i deploy/frontend -c frontend -- node -e "$DEMO_FETCH_JS" "$2" "$3" "${4:-}" "$ZT_BACKEND_SPIFFE_ID" "${DEMO_BACKEND_BASE:-}"
}

backend_api() {
  demo_client_certificates
  backend_call frontend "$@"
}

# mint_svid SPIFFE_ID DIR: an X.509-SVID for any SPIFFE ID, from the SPIRE server's admin API (the
# demo's way to act as the frontend, or as an impostor): svid.pem, key.pem, bundle.pem in DIR.
mint_svid() {
  local minted
  minted=$(spire-server x509 mint -spiffeID "$1" -ttl 1h -output json 2>/dev/null) || return 1
  (umask 077 && der_to_pem "$minted" '.x509_svid[]' CERTIFICATE >"$2/svid.pem" &&
    der_to_pem "$minted" '.private_key' 'PRIVATE KEY' >"$2/key.pem" &&
    der_to_pem "$minted" '.root_cas[]' CERTIFICATE >"$2/bundle.pem")
}

# der_to_pem JSON FILTER LABEL: the base64 DER values FILTER picks from JSON, as PEM blocks.
der_to_pem() {
  local der
  jq -r "$2" <<<"$1" | while read -r der; do
    printf -- '-----BEGIN %s-----\n%s\n-----END %s-----\n' "$3" "$(fold -w 64 <<<"$der")" "$3"
  done
}

# tls_attempt WHAT: a client without the right credentials tries a hop (part 5), from where the
# policies let it: OpenBao through setup's port-forward, PostgreSQL from inside its pod, the backend
# from inside the frontend's.
tls_attempt() {
  case "$1" in
    openbao-certificate) openssl_peer "localhost:${BAO_ADDR##*:}" "$DEMO_CACERT" ;;
    openbao-plain) curl -sS -m 5 "http://localhost:${BAO_ADDR##*:}/v1/sys/health"; echo ;;
    postgres-plain)
      kubectl -n data exec "$(postgres_primary)" -c postgres -- psql "host=127.0.0.1 dbname=$ZT_DB_NAME user=$ZT_DB_ADMIN_USER sslmode=disable connect_timeout=5" -c 'SELECT 1' 2>&1 || true
      ;;
    backend-no-cert) backend_call none GET /api/health/live || true ;;
    backend-impostor) backend_call impostor GET /api/health/live || true ;;
  esac
}

spire-server() { kubectl -n spire-server exec zt-spire-server-0 -c spire-server -- /opt/spire/bin/spire-server "$@"; }

fetch_svid() {
  local id=$ZT_BACKEND_SPIFFE_ID
  [[ "$1" == frontend ]] && id=$ZT_FRONTEND_SPIFFE_ID
  spire-server jwt mint -spiffeID "$id" -audience "$ZT_JWT_AUDIENCE" | tr -d '[:space:]'
}

# bao in the OpenBao pod. Its token travels on stdin (first line), never on a command line; so
# does a value given as key=- (the rest of stdin), as bao itself reads it.
bao() {
  local arg value_on_stdin=0
  for arg; do [[ "$arg" == *=- ]] && value_on_stdin=1; done
  { printf '%s\n' "${BAO_TOKEN:-$DEMO_ROOT_TOKEN}"; if ((value_on_stdin)); then cat; fi; } |
    kubectl -n openbao exec -i openbao-0 -c openbao -- sh -c 'read -r BAO_TOKEN; export BAO_TOKEN; exec bao "$@"' bao "$@"
}

# The current primary (CloudNativePG's Cluster status): where writes go, and what psql talks to.
postgres_primary() { kubectl -n data get cluster postgres -o jsonpath='{.status.currentPrimary}'; }
psql() { kubectl -n data exec -i "$(postgres_primary)" -c postgres -- psql -U postgres -d "$ZT_DB_NAME" -X -q -P pager=off "$@"; }

# Part 4's last step: what keeps the app up when a pod or a node goes (tests/kind/suite/faults.ts
# deletes them under load).
demo_replicas_step() {
  say "Nothing here runs once. Two replicas of the backend and of the frontend, one on each worker (each with its own OpenBao token and database lease, and a PodDisruptionBudget that keeps one up through a drain):"
  show_run 'kubectl -n 99-apps get pods -o wide' 'backend|frontend'
  check "two backend replicas are ready, on two nodes" replicas_on_nodes 99-apps backend 2
  check "two frontend replicas are ready, on two nodes" replicas_on_nodes 99-apps frontend 2
  say "OpenBao: three servers in one Raft cluster, one per node. Any one can go and two still make a quorum; a standby takes over within seconds."
  show_run 'bao operator raft list-peers' 'leader|follower'
  check "OpenBao's Raft cluster has three voters and one leader" raft_healthy
  say "And nobody unseals them: each server unseals itself with a static key from the Secret openbao/openbao-seal. setup.sh kept only a recovery key and the root token (docs/security.md says what a key in a Secret protects, and what a KMS would add)."
  show_run 'bao status' 'Seal Type|Sealed|HA Mode'
  check "OpenBao seals with the static key and is unsealed" out_has 'Seal Type +static'
  say "PostgreSQL: a primary and a synchronous standby on the other worker, run by the CloudNativePG operator. Every commit is on both before it returns; if the primary goes, the operator promotes the standby (a few seconds of 503, no lost row) and clients follow the Service postgres to it. They replicate over TLS with PostgreSQL's own X.509-SVID."
  show_run 'kubectl -n data get cluster postgres' 'postgres'
  check "PostgreSQL has two ready instances" postgres_healthy
  show_run "psql -At -c \"SELECT application_name, sync_state, (SELECT ssl FROM pg_stat_ssl s WHERE s.pid = r.pid) AS tls FROM pg_stat_replication r\"" 'quorum|sync'
  check "the standby streams synchronously, over TLS" out_has '\|quorum\|t'
  pause
}

postgres_healthy() {
  local summary
  summary=$(kubectl -n data get cluster postgres -o json | jq -r '"\(.status.instances) \(.status.readyInstances)"')
  [[ "$summary" == "2 2" ]] || { DEMO_DETAIL="instances, ready: $summary"; return 1; }
}

# replicas_on_nodes NAMESPACE APP N: N Ready pods of APP, on N different nodes.
replicas_on_nodes() {
  local summary
  summary=$(kubectl -n "$1" get pods -l "app.kubernetes.io/name=$2" -o json |
    jq -r "$DEMO_READY_PODS"' | map(.spec.nodeName) | "\(length) \(unique | length)"')
  [[ "$summary" == "$3 $3" ]] || { DEMO_DETAIL="ready pods, distinct nodes: $summary"; return 1; }
}

raft_healthy() {
  local summary
  summary=$(bao operator raft list-peers -format=json | jq -r '.data.config.servers | "\(map(select(.voter)) | length) \(map(select(.leader)) | length)"')
  [[ "$summary" == "3 1" ]] || { DEMO_DETAIL="voters, leaders: $summary"; return 1; }
}

demo_network_part() {
  say "Cilium enforces one policy per workload in the kernel. The frontend may talk to the backend only (with mutual authentication) and is explicitly denied OpenBao and PostgreSQL; the backend may reach OpenBao only after the two nodes' Cilium agents have proved both identities with SPIRE."
  show_run 'kubectl get ciliumnetworkpolicies --all-namespaces' 'frontend|backend|openbao|postgres'
  pause

  say "The frontend tries to reach OpenBao directly. Its policy denies it, so the packets never arrive."
  show_run "kubectl -n 99-apps exec deploy/frontend -c frontend -- node -e \"fetch('https://openbao.openbao.svc:8200/v1/sys/health',{signal:AbortSignal.timeout(5000)}).then(r=>console.log('reached OpenBao, HTTP',r.status),e=>console.log('blocked:',e.cause?.code||e.name))\"" 'blocked|reached'
  check "the frontend cannot reach OpenBao" out_has '^blocked: (TimeoutError|UND_ERR_CONNECT_TIMEOUT|ETIMEDOUT)'
  say "Hubble saw it: the drop, with its reason."
  show_run 'scripts/hubble.sh drops --from-pod 99-apps/frontend --to-namespace openbao' 'DROPPED|POLICY_DEN'
  check "Hubble shows frontend -> OpenBao DROPPED" hubble_has_flow --verdict DROPPED --from-pod 99-apps/frontend --to-namespace openbao
  pause

  say "The backend's traffic to OpenBao is allowed, and only after mutual authentication: its policy-verdict events carry \"Auth: SPIRE\". Part 4's rotation made the backend call OpenBao just now."
  show_run 'scripts/hubble.sh verdicts --from-pod 99-apps/backend --to-namespace openbao' 'Auth: SPIRE|FORWARDED'
  check "Hubble shows backend -> OpenBao FORWARDED with SPIRE auth" hubble_has_flow --type policy-verdict --verdict FORWARDED --from-pod 99-apps/backend --to-namespace openbao --auth SPIRE
  show_run 'kubectl -n kube-system exec ds/cilium -c cilium-agent -- cilium-dbg bpf auth list' 'spire'
  pause

  say "All allowed flows of the app, and the JSON export a script or a SIEM would read:"
  show_run 'scripts/hubble.sh flows --last 15' 'FORWARDED'
  show_run 'scripts/hubble.sh export --last 500 | head -n 5' 'SPIRE'
}

# hubble_has_flow [hubble.sh filters] [--auth TYPE]: at least one matching flow in the recent past.
hubble_has_flow() {
  local auth="" args=()
  while (($#)); do
    if [[ "$1" == --auth ]]; then auth=$2; shift; else args+=("$1"); fi
    shift
  done
  local count
  count=$("$ZT_REPO_ROOT/scripts/hubble.sh" json --last 2000 "${args[@]}" |
    jq -s --arg auth "$auth" '[.[] | select($auth == "" or .flow.auth_type == $auth)] | length') || count=0
  ((count > 0)) || { DEMO_DETAIL="no such flow among Hubble's last 2000"; return 1; }
}
