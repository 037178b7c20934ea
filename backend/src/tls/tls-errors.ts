import { UnexpectedSpiffeIdError } from '@zt-demo/spiffe';

/** OpenSSL's verification failures as Node reports them (error.code), and Node's own TLS errors. */
const TLS_REFUSAL = /^(ERR_TLS_|ERR_SSL_)|CERT|SELF_SIGNED|UNABLE_TO_(GET|VERIFY)|^ERR_TLS_CERT_ALTNAME_INVALID$/;

/**
 * A TLS handshake the backend ended because the server's certificate did not hold: not chained to
 * the SPIRE bundle, expired, or for another SPIFFE ID. The server is then not the one it should be,
 * and nothing was sent to it (no token, no password).
 */
export function isTlsRefusal(error: unknown): boolean {
  if (error instanceof UnexpectedSpiffeIdError) return true;
  const { code, reason } = error as { code?: string; reason?: string };
  return TLS_REFUSAL.test(code ?? '') || (typeof reason === 'string' && /SPIFFE ID|certificate/i.test(reason));
}

/** "self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT)": what TLS said, for the log. */
export function tlsRefusalReason(error: unknown): string {
  const { code, message } = error as { code?: string; message?: string };
  return [message, code && `(${code})`].filter(Boolean).join(' ');
}
