/**
 * TLS on the kind cluster, from the suite's side: the project's SPIRE trust bundle, X.509-SVIDs
 * minted by its server for any SPIFFE ID (the frontend's, an impostor's), and calls to the backend
 * from inside the frontend pod (the one path the network policies allow) presenting one of them.
 * Key material travels on stdin, never on a command line.
 */
import { identity } from './identity.ts';
import { kubectl } from './kind-cluster.ts';
import { spireServer } from './kind-probes.ts';

export interface PemSvid {
  certPem: string;
  keyPem: string;
  bundlePem: string;
}

const pem = (label: string, der: string): string => `-----BEGIN ${label}-----\n${der.match(/.{1,64}/g)!.join('\n')}\n-----END ${label}-----\n`;

/** The project's SPIRE trust bundle (PEM). */
export const clusterTrustBundle = (): string => `${spireServer(['bundle', 'show', '-format', 'pem'])}\n`;

/**
 * An X.509-SVID for SPIFFE_ID from the project's SPIRE server (its admin API: spire-server x509
 * mint), with DNS_NAMES as DNS SANs (the first is the subject's CN, as for the workloads' SVIDs).
 */
export function mintInCluster(spiffeId: string, dnsNames: string[] = []): PemSvid {
  const dns = dnsNames.flatMap((name) => ['-dns', name]);
  const out = JSON.parse(spireServer(['x509', 'mint', '-spiffeID', spiffeId, ...dns, '-ttl', '30m', '-output', 'json'])) as {
    x509_svid: string[];
    private_key: string;
    root_cas: string[];
  };
  return {
    certPem: out.x509_svid.map((der) => pem('CERTIFICATE', der)).join(''),
    keyPem: pem('PRIVATE KEY', out.private_key),
    bundlePem: out.root_cas.map((der) => pem('CERTIFICATE', der)).join(''),
  };
}

// Node in the frontend pod: reads {token, cert, key, ca, body} on stdin, calls BACKEND_URL (or the
// base URL given) + path over TLS (accepting only the backend's SPIFFE ID), prints {status, body}
// or {error}.
const CALL_JS = `let i="";process.stdin.on("data",d=>i+=d).on("end",()=>{const{token,cert,key,ca,body}=JSON.parse(i);const[m,p,id,base]=process.argv.slice(1);const h={};if(body)h["content-type"]="application/json";if(token)h.authorization="Bearer "+token;const r=require("https").request((base||process.env.BACKEND_URL)+p,{method:m,headers:h,cert:cert||undefined,key:key||undefined,ca,timeout:15000,checkServerIdentity:(n,c)=>(c.subjectaltname||"").split(", ").includes("URI:"+id)?undefined:new Error("the server is not "+id)},s=>{let o="";s.on("data",d=>o+=d).on("end",()=>{let b=null;try{b=JSON.parse(o)}catch{};console.log(JSON.stringify({status:s.statusCode,body:b}))})});r.on("timeout",()=>r.destroy(new Error("timeout")));r.on("error",e=>console.log(JSON.stringify({error:(e.code||"")+" "+e.message})));r.end(body||undefined)})`;

let frontendSvid: { svid: PemSvid; until: number } | undefined;

/** The frontend's X.509-SVID for the suite's calls, minted again before it runs out. */
function frontend(): PemSvid {
  if (!frontendSvid || frontendSvid.until < Date.now()) frontendSvid = { svid: mintInCluster(identity.spiffeIds.frontend), until: Date.now() + 20 * 60_000 };
  return frontendSvid.svid;
}

export interface BackendAnswer {
  status?: number;
  body?: any;
  error?: string;
}

/**
 * A call to the backend's API from inside the frontend pod, presenting `as` (default: the
 * frontend's minted X.509-SVID; null: no client certificate).
 */
export function backendCall(method: string, path: string, body?: unknown, token?: string, as: PemSvid | null = frontend()): BackendAnswer {
  return call('', method, path, body, token, as);
}

/**
 * The same call to one backend replica, at its pod's address (https://IP:8000) rather than the
 * Service: the replica is still verified by its SPIFFE ID, which does not depend on the address.
 */
export function backendCallAt(pod: { status: { podIP: string } }, method: string, path: string, body?: unknown, token?: string): BackendAnswer {
  return call(`https://${pod.status.podIP.includes(':') ? `[${pod.status.podIP}]` : pod.status.podIP}:8000`, method, path, body, token, frontend());
}

function call(base: string, method: string, path: string, body: unknown, token: string | undefined, as: PemSvid | null): BackendAnswer {
  const input = JSON.stringify({ token: token ?? '', cert: as?.certPem ?? '', key: as?.keyPem ?? '', ca: as?.bundlePem ?? frontend().bundlePem, body: body === undefined ? '' : JSON.stringify(body) });
  const result = kubectl(['-n', '99-apps', 'exec', '-i', 'deployment/frontend', '-c', 'frontend', '--', 'node', '-e', CALL_JS, method, path, identity.spiffeIds.backend, base], { input });
  if (result.status !== 0) throw new Error(`backend call ${method} ${path} failed: ${result.stderr}`);
  return JSON.parse(result.stdout.trim().split('\n').at(-1)!) as BackendAnswer;
}
