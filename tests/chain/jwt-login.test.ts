/**
 * The first link of the chain: the real SPIRE agent issues JWT-SVIDs by unix uid, and OpenBao's
 * JWT auth accepts exactly the backend's identity for exactly the openbao audience.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { durationSeconds, identity } from '../lib/identity.ts';
import { backendSvid, bao, fetchJwtSvid, isRoot, jwtClaims, jwtLogin, loadStackEnv, type StackEnv } from '../lib/stack.ts';

let env: StackEnv;
beforeAll(() => {
  env = loadStackEnv();
});

const errorsOf = (body: { errors?: string[] }): string => (body.errors ?? []).join('; ');

describe('JWT-SVIDs from the SPIRE agent', () => {
  it('carry the backend SPIFFE ID, the openbao audience and the issuer OpenBao is bound to', () => {
    const claims = jwtClaims(backendSvid(env));
    expect(claims.sub).toBe(identity.spiffeIds.backend);
    expect(claims.aud).toEqual([identity.jwtSvid.audience]);
    expect(claims.iss).toBe(env.ZT_JWT_ISSUER);
    expect((claims.exp as number) - (claims.iat as number)).toBeLessThanOrEqual(durationSeconds(identity.jwtSvid.ttl));
  });

  // As a regular user every workload runs under the same uid, so there is no second uid to try.
  it.skipIf(!isRoot())('are not issued to a process whose uid has no registration entry', () => {
    expect(() => fetchJwtSvid(env, 'nobody', identity.jwtSvid.audience)).toThrow(/no identity issued/i);
  });
});

describe('OpenBao JWT auth', () => {
  it('logs the backend in as role backend with backend-policy', async () => {
    const login = await jwtLogin(env, backendSvid(env));
    expect(login.status, errorsOf(login.body)).toBe(200);
    expect(login.body.auth.policies).toContain(identity.openbao.policy);
    expect(login.body.auth.metadata.role).toBe(identity.openbao.jwtRole);
    expect(login.body.auth.lease_duration).toBe(durationSeconds(identity.openbao.tokenTtl));

    const token = login.body.auth.client_token as string;
    const self = await bao(env, 'GET', 'auth/token/lookup-self', token);
    expect(self.status).toBe(200);
    expect(self.body.data.policies).toEqual(expect.arrayContaining(['default', identity.openbao.policy]));
    // OpenBao names the token after the mount and the user claim (sub): the SPIFFE ID itself.
    expect(self.body.data.display_name).toBe(`${identity.openbao.jwtAuthMount}-${identity.spiffeIds.backend}`);
    expect((await bao(env, 'POST', 'auth/token/revoke-self', token)).status).toBe(204);
  });

  it('refuses a JWT-SVID of another SPIFFE ID (the frontend)', async () => {
    const svid = fetchJwtSvid(env, env.ZT_FRONTEND_USER!, identity.jwtSvid.audience, identity.spiffeIds.frontend);
    expect(jwtClaims(svid).sub).toBe(identity.spiffeIds.frontend);
    const login = await jwtLogin(env, svid);
    expect(login.status).toBeGreaterThanOrEqual(400);
    expect(login.body.auth).toBeFalsy();
    expect(errorsOf(login.body)).toMatch(/sub.*claim/i);
  });

  it('refuses a backend JWT-SVID minted for another audience', async () => {
    const svid = backendSvid(env, 'not-openbao');
    expect(jwtClaims(svid).aud).toEqual(['not-openbao']);
    const login = await jwtLogin(env, svid);
    expect(login.status).toBeGreaterThanOrEqual(400);
    expect(login.body.auth).toBeFalsy();
    expect(errorsOf(login.body)).toMatch(/aud.*claim/i);
  });

  it('refuses a backend JWT-SVID whose signature does not verify', async () => {
    const [header, payload, signature] = backendSvid(env).split('.');
    const flipped = signature!.startsWith('A') ? `B${signature!.slice(1)}` : `A${signature!.slice(1)}`;
    const login = await jwtLogin(env, `${header}.${payload}.${flipped}`);
    expect(login.status).toBeGreaterThanOrEqual(400);
    expect(login.body.auth).toBeFalsy();
  });

  it('refuses a valid backend JWT-SVID for a role it is not bound to', async () => {
    const login = await jwtLogin(env, backendSvid(env), 'no-such-role');
    expect(login.status).toBeGreaterThanOrEqual(400);
    expect(login.body.auth).toBeFalsy();
  });
});
