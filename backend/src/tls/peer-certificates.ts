import type { PeerCertificate } from 'node:tls';
import { peerSpiffeId } from '@zt-demo/spiffe';

/** The hops whose far end the backend sees: who called it, and the two servers it calls. */
export type Hop = 'caller' | 'openbao' | 'postgres';

/** What a peer proved in its last TLS handshake with the backend. */
export interface PeerView {
  spiffeId: string | null;
  serial: string;
  expiresAt: Date;
  seenAt: Date;
}

export function peerView(cert: Partial<PeerCertificate>): PeerView | undefined {
  if (!cert.serialNumber || !cert.valid_to) return undefined;
  return { spiffeId: peerSpiffeId(cert) ?? null, serial: cert.serialNumber, expiresAt: new Date(cert.valid_to), seenAt: new Date() };
}

/**
 * The latest certificate each server presented to the backend (set on every handshake), for the
 * console: a renewed OpenBao or PostgreSQL certificate shows up with the next new connection.
 */
export class PeerCertificates {
  private readonly latest = new Map<Exclude<Hop, 'caller'>, PeerView>();

  record(hop: Exclude<Hop, 'caller'>, cert: Partial<PeerCertificate>): void {
    const view = peerView(cert);
    if (view) this.latest.set(hop, view);
  }

  get(hop: Exclude<Hop, 'caller'>): PeerView | undefined {
    return this.latest.get(hop);
  }
}
