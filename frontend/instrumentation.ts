/**
 * Runs once when the server starts (Next.js instrumentation hook), in both modes.
 *
 * The backend throttles failed sign-ins per client address, so it must see the browser's address,
 * not this server's. Next.js fills X-Forwarded-For from the socket only when the request has none
 * (`??=`), so a browser could name any address it likes. Here every request's X-Forwarded-For is
 * replaced by the address of the peer that actually connected, before Next.js sees the request;
 * lib/backend.ts forwards it, and the backend believes it only on a connection whose client
 * certificate proved the frontend's SPIFFE ID (mutual TLS).
 */
export async function register(): Promise<void> {
  if (process.env.NEXT_RUNTIME !== 'nodejs') return;
  const { peerAddressAsForwardedFor } = await import('./lib/client-address');
  peerAddressAsForwardedFor();
  // The frontend's X.509-SVID, for mutual TLS to the backend: the stream starts now, so the first
  // request finds the certificate in memory.
  const { startWorkloadTls } = await import('./lib/workload-tls');
  startWorkloadTls();
}
