/** A JWT-SVID as the Workload API hands it out. */
export interface JwtSvid {
  spiffeId: string;
  token: string;
  expiresAt: Date;
}

/** Port: where JWT-SVIDs come from (the SPIRE agent in production, a fake in unit tests). */
export interface JwtSvidSource {
  fetchJwtSvid(audience: string, spiffeId: string): Promise<JwtSvid>;
  close(): void;
}

export const JWT_SVID_SOURCE = Symbol('JWT_SVID_SOURCE');

/** The exp claim of a compact JWS (the Workload API has already verified it for us). */
export function expiryOf(token: string): Date {
  const payload = token.split('.')[1];
  const exp = payload ? (JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as { exp?: number }).exp : undefined;
  if (typeof exp !== 'number') throw new Error('JWT-SVID without an exp claim');
  return new Date(exp * 1000);
}
