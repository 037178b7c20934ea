import type { JwtSvid } from '@zt-demo/spiffe';

export type { JwtSvid };

/** Port: where JWT-SVIDs come from (the SPIRE agent in production, a fake in unit tests). */
export interface JwtSvidSource {
  fetchJwtSvid(audience: string, spiffeId: string): Promise<JwtSvid>;
  close(): void;
}

export const JWT_SVID_SOURCE = Symbol('JWT_SVID_SOURCE');
