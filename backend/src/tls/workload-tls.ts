import { Agent } from 'node:https';
import type { PeerCertificate, SecureContextOptions, Server as TlsServer, TLSSocket } from 'node:tls';
import { clientTlsOptions, expectSpiffeId, MIN_TLS_VERSION, peerSpiffeId, serverTlsOptions, type X509Svid, type X509SvidProvider } from '@zt-demo/spiffe';
import type { Logger } from '../common/logger.js';
import { PeerCertificates } from './peer-certificates.js';

/** Whom the backend talks to, by SPIFFE ID (identity.json). */
export interface TlsPeers {
  openbao: string;
  postgres: string;
  /** The SPIFFE IDs admitted to the API (the frontend; the tests' client in the test stack). */
  apiClients: readonly string[];
}

/** What the console shows of the backend's own certificate. */
export interface OwnSvidView {
  spiffeId: string;
  serial: string;
  expiresAt: Date;
  renewals: number;
}

/** How long an OpenBao agent replaced by a renewal keeps its idle sockets before it is destroyed. */
const OLD_AGENT_GRACE_MS = 30_000;

/**
 * The TLS of every hop the backend is an end of, all from its X.509-SVID (the SPIRE agent's
 * Workload API stream) and verified by SPIFFE ID against the trust bundle that came with it:
 *   - the API listener: mutual TLS, and only the SPIFFE IDs in `apiClients` get past the handshake;
 *   - OpenBao: an https.Agent that accepts only OpenBao's SPIFFE ID;
 *   - PostgreSQL: node-postgres's ssl options, accepting only PostgreSQL's SPIFFE ID.
 * A renewed SVID (or trust bundle) is taken at once: the listener's secure context is replaced,
 * a new OpenBao agent is made, and new database connections read the current bundle. Existing
 * connections carry on; nothing restarts.
 */
export class WorkloadTls {
  readonly peers = new PeerCertificates();
  private readonly source: X509SvidProvider;
  private readonly expected: TlsPeers;
  private readonly logger: Logger;
  private agent?: Agent;
  private renewals = 0;
  private readonly servers = new Set<TlsServer>();

  constructor(source: X509SvidProvider, expected: TlsPeers, logger: Logger) {
    this.source = source;
    this.expected = expected;
    this.logger = logger;
    source.onUpdate((svid) => this.renewed(svid));
  }

  /** The SVID in use; the backend starts only once it has one (main.ts waits for it). */
  svid(): X509Svid {
    const svid = this.source.current();
    if (!svid) throw new Error('no X.509-SVID yet');
    return svid;
  }

  ownSvid(): OwnSvidView {
    const svid = this.svid();
    return { spiffeId: svid.spiffeId, serial: svid.serial, expiresAt: svid.expiresAt, renewals: this.renewals };
  }

  // ------------------------------------------------------------------ the API listener

  /** The https options for the API listener (Fastify's `https`). */
  apiServerOptions(): SecureContextOptions & { requestCert: true; rejectUnauthorized: true } {
    return serverTlsOptions(this.svid());
  }

  /**
   * Authorises every connection to the API listener by the SPIFFE ID its client certificate
   * proved. A peer that is not an admitted client is cut off before any HTTP is read: it gets no
   * answer at all, and `onRefused` hears who it was. Renewals replace the listener's context.
   */
  guardApiServer(server: TlsServer, onRefused: (peer: string | undefined, address: string | undefined) => void): void {
    this.servers.add(server);
    // prepend: runs before the HTTP server's own listener, so the socket is gone before it parses anything
    server.prependListener('secureConnection', (socket: TLSSocket) => {
      const peer = peerSpiffeId(socket.getPeerCertificate());
      if (peer !== undefined && this.expected.apiClients.includes(peer)) return;
      onRefused(peer, socket.remoteAddress);
      socket.destroy();
    });
  }

  /** The SPIFFE ID the caller of this connection proved (verified during the handshake). */
  static callerOf(socket: unknown): { spiffeId?: string; cert?: PeerCertificate } {
    const tls = socket as Partial<TLSSocket>;
    if (typeof tls.getPeerCertificate !== 'function') return {};
    const cert = tls.getPeerCertificate();
    return { spiffeId: peerSpiffeId(cert), cert };
  }

  // ------------------------------------------------------------------ OpenBao

  /** The agent for OpenBao calls: our SVID as client certificate, OpenBao's SPIFFE ID required. */
  openbaoAgent(): Agent {
    this.agent ??= this.newOpenbaoAgent(this.svid());
    return this.agent;
  }

  private newOpenbaoAgent(svid: X509Svid): Agent {
    const options = clientTlsOptions(svid, this.expected.openbao);
    const check = options.checkServerIdentity;
    return new Agent({
      ...options,
      keepAlive: true,
      // Short-lived idle sockets, so a renewed OpenBao certificate is met (and shown) soon.
      timeout: 10_000,
      checkServerIdentity: (host, cert) => {
        const refused = check(host, cert);
        if (!refused) this.peers.record('openbao', cert);
        return refused;
      },
    });
  }

  // ------------------------------------------------------------------ PostgreSQL

  /**
   * node-postgres's `ssl` option. pg copies it into tls.connect's options for each new connection,
   * so the getters hand every connection the bundle current at that moment.
   */
  postgresSsl(): object {
    const check = expectSpiffeId(this.expected.postgres);
    const svid = (): X509Svid => this.svid();
    return {
      rejectUnauthorized: true,
      minVersion: MIN_TLS_VERSION,
      get ca() {
        return svid().bundlePem;
      },
      checkServerIdentity: (host: string, cert: PeerCertificate) => {
        const refused = check(host, cert);
        if (!refused) this.peers.record('postgres', cert);
        return refused;
      },
    };
  }

  // ------------------------------------------------------------------ renewal

  private renewed(svid: X509Svid): void {
    this.renewals++;
    for (const server of this.servers) server.setSecureContext(serverTlsOptions(svid));
    const old = this.agent;
    this.agent = this.newOpenbaoAgent(svid);
    if (old) setTimeout(() => old.destroy(), OLD_AGENT_GRACE_MS).unref();
    this.logger.info({ spiffeId: svid.spiffeId, serial: svid.serial, expiresAt: svid.expiresAt.toISOString() }, 'TLS contexts now use the renewed X.509-SVID');
  }
}
