import { describe, expect, it } from 'vitest';
import { AuthService } from '../../src/auth/auth.service.js';
import type { PasswordHasher } from '../../src/auth/password-hasher.js';
import type { SessionTokens } from '../../src/auth/session-tokens.service.js';
import type { User, UsersRepository } from '../../src/auth/users.repository.js';
import { loadConfig } from '../../src/config/config.js';
import type { AuditRepository } from '../../src/database/audit.repository.js';

const config = loadConfig({ SPIFFE_ENDPOINT_SOCKET: 'unix:///x', OPENBAO_ADDR: 'http://127.0.0.1:1', DB_HOST: 'x' });
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
  return { service: new AuthService(users, tokens, auditRepo, hasher, config), verified, audit };
}

describe('AuthService.login', () => {
  it('returns a bearer token and the user, and audits the success', async () => {
    const { service, audit } = setup();
    const result = await service.login('jake', 'jake99');
    expect(result).toEqual({ access_token: 'session-token', token_type: 'bearer', expires_in: 3600, user: { id: 1, username: 'jake', email: 'jake.peralta@99.precinct', role: 'user' } });
    expect(audit).toEqual([['login_success', '1', { username: 'jake' }]]);
  });

  it('pays one password comparison for an unknown user too, and answers exactly as for a wrong password', async () => {
    const { service, verified } = setup();
    const wrong = await service.login('jake', 'nope').catch((error) => error);
    const unknown = await service.login('hitchcock', 'nope').catch((error) => error);
    expect(verified).toHaveLength(2);
    expect(verified[1]![1]).toMatch(/^hashed:decoy/);
    expect(unknown.body()).toEqual(wrong.body());
    expect(wrong.status).toBe(401);
  });

  it('audits failures without the password', async () => {
    const { service, audit } = setup();
    await service.login('jake', 'hunter2').catch(() => undefined);
    expect(audit).toEqual([['login_failure', '1', { username: 'jake' }]]);
    expect(JSON.stringify(audit)).not.toContain('hunter2');
  });

  it('answers 429 after 10 failures for the username, even with the right password, without checking it', async () => {
    const { service, verified } = setup();
    for (let i = 0; i < 10; i++) await service.login('jake', `wrong${i}`).catch(() => undefined);
    const compares = verified.length;
    const blocked = await service.login('jake', 'jake99').catch((error) => error);
    expect(blocked.status).toBe(429);
    expect(blocked.code).toBe('rate_limited');
    expect(verified).toHaveLength(compares);
  });
});
