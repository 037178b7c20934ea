import { isIP } from 'node:net';

/**
 * The client's address, for the sign-in throttle and the security events. The frontend calls the
 * backend for browsers and names each browser's address in X-Forwarded-For (it replaces whatever a
 * browser sent, frontend/instrumentation.ts). That header is believed only on a connection whose
 * client certificate proved the frontend's SPIFFE ID (`forwarder`): anyone else's header is
 * ignored, and their own address counts.
 */
export function clientAddress(peerAddress: string | undefined, callerSpiffeId: string | undefined, forwarder: string, forwardedFor: string | string[] | undefined): string {
  const direct = peerAddress ?? 'unknown';
  if (callerSpiffeId !== forwarder || forwardedFor === undefined) return direct;
  const header = Array.isArray(forwardedFor) ? forwardedFor.join(',') : forwardedFor;
  const last = header.split(',').at(-1)?.trim() ?? '';
  return isIP(last) ? last : direct;
}
