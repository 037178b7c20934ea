import 'server-only';
import type { PeerCertificate } from 'node:tls';
import { clientTlsOptions, peerSpiffeId, X509Source, type X509Svid } from '@zt-demo/spiffe';
import { Agent } from 'undici';
import identity from '../../infrastructure/identity.json';

/** The frontend's own SPIFFE ID and the backend's, from the project's one source of identity facts. */
export const FRONTEND_SPIFFE_ID = identity.spiffeIds.frontend;
export const BACKEND_SPIFFE_ID = identity.spiffeIds.backend;

/** The backend's certificate as this server last saw it (for the console). */
export interface SeenCertificate {
  spiffe_id: string | null;
  serial: string;
  expires_at: string;
  seen_at: string;
}

interface WorkloadTls {
  source: X509Source;
  agent?: Agent;
  renewals: number;
  backendSeen?: SeenCertificate;
}

const log = {
  info: (details: object, message: string) => console.log(JSON.stringify({ level: 'info', service: 'frontend', msg: message, ...details })),
  warn: (details: object, message: string) => console.warn(JSON.stringify({ level: 'warn', service: 'frontend', msg: message, ...details })),
};

/**
 * One per server process, on globalThis: Next.js may load this module in more than one of its
 * bundles, and there must be one X.509-SVID stream and one connection pool, not several.
 */
const KEY = Symbol.for('zt-demo.frontend.workload-tls');
type Global = typeof globalThis & { [KEY]?: WorkloadTls };

function state(): WorkloadTls {
  const global = globalThis as Global;
  if (!global[KEY]) {
    const socket = process.env.SPIFFE_ENDPOINT_SOCKET;
    if (!socket) throw new Error('SPIFFE_ENDPOINT_SOCKET is not set: the frontend needs the SPIRE agent for its X.509-SVID');
    const source = new X509Source(socket, FRONTEND_SPIFFE_ID, log).start();
    const tls: WorkloadTls = { source, renewals: 0 };
    // A renewal (or a new trust bundle) makes a new connection pool; the old one finishes what it
    // has in flight and closes. Nothing restarts.
    source.onUpdate((svid) => {
      const old = tls.agent;
      if (old) tls.renewals++;
      tls.agent = newAgent(tls, svid);
      void old?.close();
    });
    global[KEY] = tls;
  }
  return global[KEY];
}

function newAgent(tls: WorkloadTls, svid: X509Svid): Agent {
  const options = clientTlsOptions(svid, BACKEND_SPIFFE_ID);
  return new Agent({
    keepAliveTimeout: 4_000,
    connect: {
      ...options,
      checkServerIdentity: (host: string, cert: PeerCertificate) => {
        const refused = options.checkServerIdentity(host, cert);
        if (!refused) {
          tls.backendSeen = { spiffe_id: peerSpiffeId(cert) ?? null, serial: cert.serialNumber, expires_at: new Date(cert.valid_to).toISOString(), seen_at: new Date().toISOString() };
        }
        return refused;
      },
    },
  });
}

/** Starts the X.509-SVID stream at server start (instrumentation.ts), so no request waits for it. */
export function startWorkloadTls(): void {
  state();
}

/** The connection pool to the backend: our SVID as client certificate, only the backend's SPIFFE ID accepted. */
export async function backendDispatcher(): Promise<Agent> {
  const tls = state();
  if (!tls.agent) await tls.source.ready(30_000);
  return tls.agent!;
}

/** What the console shows from this side of the frontend -> backend hop. */
export function frontendTlsView(): { svid: { spiffe_id: string; serial: string; expires_at: string; renewals: number } | null; backend: SeenCertificate | null } {
  const tls = state();
  const svid = tls.source.current();
  return {
    svid: svid ? { spiffe_id: svid.spiffeId, serial: svid.serial, expires_at: svid.expiresAt.toISOString(), renewals: tls.renewals } : null,
    backend: tls.backendSeen ?? null,
  };
}
