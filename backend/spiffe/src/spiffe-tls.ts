import type { PeerCertificate, SecureContextOptions } from 'node:tls';
import { spiffeIdOfSan, type X509Svid } from './x509-svid.ts';

/** The SPIFFE ID a TLS peer proved (the URI SAN of its verified certificate), if any. */
export function peerSpiffeId(cert: Partial<PeerCertificate> | undefined | null): string | undefined {
  return spiffeIdOfSan(cert?.subjectaltname);
}

/** A TLS peer whose certificate chained to the trust bundle but names a SPIFFE ID we do not accept. */
export class UnexpectedSpiffeIdError extends Error {
  readonly peer: string | undefined;

  constructor(peer: string | undefined, allowed: readonly string[]) {
    super(`the peer's certificate is for ${peer ?? 'no SPIFFE ID'}, not ${allowed.join(' or ')}`);
    this.peer = peer;
  }
}

/**
 * A checkServerIdentity that authorises the server by SPIFFE ID instead of host name: Node calls it
 * only after the chain verified against the bundle, and the SPIFFE ID in the certificate is what
 * the server proved. Host names stay out of it, so a client may dial an address (127.0.0.1).
 */
export function expectSpiffeId(allowed: string | readonly string[]): (host: string, cert: PeerCertificate) => Error | undefined {
  const ids = typeof allowed === 'string' ? [allowed] : allowed;
  return (_host, cert) => {
    const peer = peerSpiffeId(cert);
    return peer !== undefined && ids.includes(peer) ? undefined : new UnexpectedSpiffeIdError(peer, ids);
  };
}

/** TLS 1.3 only: every peer in this project speaks it (Node, Go, OpenSSL 3 in PostgreSQL). */
export const MIN_TLS_VERSION = 'TLSv1.3';

/** A client's side of SPIFFE TLS: present our SVID, trust only the bundle, accept only `server`. */
export function clientTlsOptions(svid: X509Svid, server: string | readonly string[]) {
  return {
    cert: svid.certChainPem,
    key: svid.keyPem,
    ca: svid.bundlePem,
    checkServerIdentity: expectSpiffeId(server),
    rejectUnauthorized: true,
    minVersion: MIN_TLS_VERSION,
  } as const;
}

/**
 * A server's side of mutual SPIFFE TLS: our SVID, and a client certificate required and verified
 * against the bundle. Which SPIFFE IDs may talk is decided by the caller, on the verified peer.
 */
export function serverTlsOptions(svid: X509Svid): SecureContextOptions & { requestCert: true; rejectUnauthorized: true } {
  return {
    cert: svid.certChainPem,
    key: svid.keyPem,
    ca: svid.bundlePem,
    requestCert: true,
    rejectUnauthorized: true,
    minVersion: MIN_TLS_VERSION,
  };
}
