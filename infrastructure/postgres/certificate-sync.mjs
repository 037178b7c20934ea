// Keeps the Secrets CloudNativePG's PostgreSQL instances load their TLS from in step with the
// X.509-SVID spiffe-helper writes into CERT_DIR (postgres-certificates, kind mode):
//   postgres-tls  kubernetes.io/tls: tls.crt (the SVID and its chain), tls.key
//   postgres-ca   ca.crt: the SPIRE trust bundle
// Both are labelled cnpg.io/reload, so the instances load a new certificate without a restart.
// Written with server-side apply (field manager certificate-sync), through the API server with the
// pod's service account token, which a Role allows to write these two Secrets and nothing else.
// No dependency: Node.js's own https, checked against the cluster's CA.
import { createHash } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { join } from 'node:path';

const ACCOUNT = '/var/run/secrets/kubernetes.io/serviceaccount';
const CERT_DIR = process.env.CERT_DIR ?? '/tls';
const TLS_SECRET = process.env.TLS_SECRET ?? 'postgres-tls';
const CA_SECRET = process.env.CA_SECRET ?? 'postgres-ca';
// Written after each sync: the container's readiness probe (ready once the Secrets exist).
const SYNCED_FILE = process.env.SYNCED_FILE ?? '/state/synced';
const POLL_MS = 1000;
const namespace = readFileSync(join(ACCOUNT, 'namespace'), 'utf8').trim();
const apiCa = readFileSync(join(ACCOUNT, 'ca.crt'));
const base64 = (text) => Buffer.from(text).toString('base64');
const log = (event, fields = {}) => console.log(JSON.stringify({ time: new Date().toISOString(), event, ...fields }));

function apply(name, type, data) {
  const body = JSON.stringify({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name, namespace, labels: { 'cnpg.io/reload': 'true', 'app.kubernetes.io/part-of': 'zt-demo' } },
    type,
    data,
  });
  return new Promise((resolve, reject) => {
    const req = request(
      {
        host: process.env.KUBERNETES_SERVICE_HOST,
        port: process.env.KUBERNETES_SERVICE_PORT,
        path: `/api/v1/namespaces/${namespace}/secrets/${name}?fieldManager=certificate-sync&force=true`,
        method: 'PATCH',
        ca: apiCa,
        headers: {
          // Read on every call: the kubelet rotates the projected token.
          authorization: `Bearer ${readFileSync(join(ACCOUNT, 'token'), 'utf8').trim()}`,
          'content-type': 'application/apply-patch+yaml',
          'content-length': Buffer.byteLength(body),
        },
        timeout: 10_000,
      },
      (res) => {
        let text = '';
        res.on('data', (chunk) => (text += chunk));
        res.on('end', () => (res.statusCode < 300 ? resolve() : reject(new Error(`${name}: HTTP ${res.statusCode} ${text.slice(0, 300)}`))));
      },
    );
    req.on('timeout', () => req.destroy(new Error(`${name}: no answer from the API server in 10 s`)));
    req.on('error', reject);
    req.end(body);
  });
}

let synced = '';
async function sync() {
  let cert, key, bundle;
  try {
    [cert, key, bundle] = ['svid.pem', 'svid_key.pem', 'bundle.pem'].map((file) => readFileSync(join(CERT_DIR, file), 'utf8'));
  } catch {
    return; // spiffe-helper has not written them yet
  }
  const digest = createHash('sha256').update(cert).update(key).update(bundle).digest('hex');
  if (digest === synced) return;
  // The bundle first: a new certificate must never be loaded before the CA that verifies it.
  await apply(CA_SECRET, 'Opaque', { 'ca.crt': base64(bundle) });
  await apply(TLS_SECRET, 'kubernetes.io/tls', { 'tls.crt': base64(cert), 'tls.key': base64(key) });
  synced = digest;
  writeFileSync(SYNCED_FILE, `${digest}\n`);
  log('certificate_synced', { secrets: [CA_SECRET, TLS_SECRET], certificate: createHash('sha256').update(cert).digest('hex').slice(0, 16) });
}

let stopping = false;
for (const signal of ['SIGTERM', 'SIGINT']) process.on(signal, () => (stopping = true));
while (!stopping) {
  await sync().catch((error) => log('certificate_sync_failed', { error: String(error.message ?? error) }));
  await new Promise((resolve) => setTimeout(resolve, POLL_MS));
}
