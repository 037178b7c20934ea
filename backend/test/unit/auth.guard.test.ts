import type { ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { describe, expect, it } from 'vitest';
import { ADMIN_ONLY, AuthGuard, type AuthenticatedRequest } from '../../src/auth/auth.guard.js';
import type { RevokedSessionsRepository } from '../../src/auth/revoked-sessions.repository.js';
import type { SessionClaims, SessionTokens } from '../../src/auth/session-tokens.service.js';
import type { User, UsersRepository } from '../../src/auth/users.repository.js';

/** A token that says terry is an admin; what the database says about terry is up to each test. */
const claims: SessionClaims = { user_id: 4, username: 'terry', role: 'admin', jti: '5d0b3f0e-6a57-4c1e-9d1e-1f1f1f1f1f1f', iat: 0, exp: 9e9 };

function guard(userNow: User | undefined, adminOnly: boolean) {
  const tokens = { verify: () => claims } as unknown as SessionTokens;
  const revoked = { isRevoked: async () => false } as unknown as RevokedSessionsRepository;
  const users = { findById: async () => userNow } as unknown as UsersRepository;
  const reflector = { getAllAndOverride: (key: string) => key === ADMIN_ONLY && adminOnly } as unknown as Reflector;
  const request: AuthenticatedRequest = { headers: { authorization: 'Bearer a.b.c' } };
  const context = { switchToHttp: () => ({ getRequest: () => request }), getHandler: () => undefined, getClass: () => undefined } as unknown as ExecutionContext;
  return { run: () => new AuthGuard(tokens, reflector, revoked, users).canActivate(context), request };
}

const terry = (role: 'user' | 'admin'): User => ({ id: 4, username: 'terry', email: null, role, createdAt: new Date() });

describe('AuthGuard', () => {
  it('decides on the role the user has now, not the one the token was issued with', async () => {
    await expect(guard(terry('user'), true).run()).rejects.toMatchObject({ status: 403, code: 'forbidden' });
    const { run, request } = guard(terry('user'), false);
    expect(await run()).toBe(true);
    expect(request.session?.role).toBe('user');
    // the user it read is handed on, so a route needs no second query
    expect(request.user).toMatchObject({ id: 4, role: 'user' });
    expect(await guard(terry('admin'), true).run()).toBe(true);
  });

  it("refuses the session of an account that no longer exists", async () => {
    await expect(guard(undefined, false).run()).rejects.toMatchObject({ status: 401, code: 'unauthorized' });
  });
});
