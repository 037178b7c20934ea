import { describe, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/auth.service.js';
import type { RevokedSessionsRepository } from '../../src/auth/revoked-sessions.repository.js';
import type { PasswordHasher } from '../../src/auth/password-hasher.js';
import type { SessionTokens } from '../../src/auth/session-tokens.service.js';
import type { User, UsersRepository } from '../../src/auth/users.repository.js';
import { loadConfig } from '../../src/config/config.js';
import type { AuditRepository } from '../../src/database/audit.repository.js';
import { MemoryFailureLog, RecordedEvents } from './fakes.js';

const config = loadConfig({ SPIFFE_ENDPOINT_SOCKET: 'unix:///x', OPENBAO_ADDR: 'https://127.0.0.1:1', DB_HOST: 'x' });
const jake: User = { id: 1, username: 'jake', email: 'jake.peralta@99.precinct', role: 'user', createdAt: new Date() };

function setup() {
  const verified: Array<[string, string]> = [];
  const audit: Array<[string, string | null, Record<string, unknown>]> = [];
  const hasher: PasswordHasher = {
    hash: async (password) => `hashed:${password}`,
    verify: async (password, hash) => {
      verified.push([password, hash]);
      return hash === `hashed:${password}`;
    },
  };
  const users = {
    findForLogin: async (username: string) => (username === 'jake' ? { user: jake, passwordHash: 'hashed:jake99' } : undefined),
  } as unknown as UsersRepository;
  const tokens = { issue: () => ({ token: 'session-token', expiresIn: 3600 }) } as unknown as SessionTokens;
  const auditRepo = { record: async (action: string, userId: string | null, _r: unknown, details: Record<string, unknown>) => void audit.push([action, userId, details]) } as unknown as AuditRepository;
  const events = new RecordedEvents();
  const revokedIds = new Map<string, Date>();
  const revoked = { revoke: async (jti: string, until: Date) => void revokedIds.set(jti, until), isRevoked: async (jti: string) => revokedIds.has(jti) } as unknown as RevokedSessionsRepository;
  return { service: new AuthService(users, tokens, auditRepo, hasher, config, events, revoked, new MemoryFailureLog()), verified, audit, events: events.recorded, revokedIds };
}

describe('AuthService.login', () => {
  it('returns a bearer token and the user, and audits the success', async () => {
    const { service, audit, events } = setup();
    const result = await service.login('jake', 'jake99', '127.0.0.1');
    expect(result).toEqual({ access_token: 'session-token', token_type: 'bearer', expires_in: 3600, user: { id: 1, username: 'jake', email: 'jake.peralta@99.precinct', role: 'user' } });
    expect(audit).toEqual([['login_success', '1', { username: 'jake' }]]);
    expect(events).toEqual([['sign_in_succeeded', { userId: 1, username: 'jake' }]]);
  });

  it('pays one password comparison for an unknown user too, and answers exactly as for a wrong password', async () => {
    const { service, verified } = setup();
    const wrong = await service.login('jake', 'nope', '127.0.0.1').catch((error) => error);
    const unknown = await service.login('hitchcock', 'nope', '127.0.0.1').catch((error) => error);
    expect(verified).toHaveLength(2);
    expect(verified[1]![1]).toMatch(/^hashed:decoy/);
    expect(unknown.body()).toEqual(wrong.body());
    expect(wrong.status).toBe(401);
  });

  it('audits failures without the password, and logs the reason as a security event', async () => {
    const { service, audit, events } = setup();
    await service.login('jake', 'hunter2', '127.0.0.1').catch(() => undefined);
    await service.login('hitchcock', 'hunter2', '127.0.0.1').catch(() => undefined);
    expect(audit).toEqual([['login_failure', '1', { username: 'jake' }], ['login_failure', null, { username: 'hitchcock' }]]);
    expect(events).toEqual([
      ['sign_in_failed', { username: 'jake', reason: 'wrong_password' }],
      ['sign_in_failed', { username: 'hitchcock', reason: 'unknown_user' }],
    ]);
    expect(JSON.stringify([audit, events])).not.toContain('hunter2');
  });

  it('answers 429 after 10 failures for the username from one address, even with the right password, without checking it', async () => {
    const { service, verified, events } = setup();
    for (let i = 0; i < 10; i++) await service.login('jake', `wrong${i}`, '10.0.0.66').catch(() => undefined);
    const compares = verified.length;
    const blocked = await service.login('jake', 'jake99', '10.0.0.66').catch((error) => error);
    expect(blocked.status).toBe(429);
    expect(blocked.code).toBe('rate_limited');
    expect(blocked.retryAfterS).toBeGreaterThanOrEqual(59);
    expect(verified).toHaveLength(compares);
    expect(events.at(-1)).toEqual(['sign_in_throttled', { username: 'jake', scope: 'account', retryAfterS: blocked.retryAfterS }]);
    // the owner, from another address, still signs in
    expect((await service.login('jake', 'jake99', '10.0.0.7')).user.username).toBe('jake');
  });
});

describe('AuthService.logout', () => {
  it('revokes the session until it would have expired, audits it and logs signed_out', async () => {
    const { service, audit, events, revokedIds } = setup();
    const exp = Math.floor(Date.now() / 1000) + 1800;
    await service.logout({ user_id: 1, username: 'jake', role: 'user', jti: '0b7c8f3e-2d4a-4c1b-9e6f-5a3d2c1b0a99', iat: exp - 3600, exp });
    expect([...revokedIds]).toEqual([['0b7c8f3e-2d4a-4c1b-9e6f-5a3d2c1b0a99', new Date(exp * 1000)]]);
    expect(audit).toEqual([['logout', '1', { username: 'jake' }]]);
    expect(events).toEqual([['signed_out', { userId: 1, username: 'jake' }]]);
  });
});
