import { createHmac, randomBytes } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { SessionTokens } from '../../src/auth/session-tokens.service.js';
import { AppError } from '../../src/common/errors.js';
import { loadConfig } from '../../src/config/config.js';
import type { KvService } from '../../src/secrets/kv.service.js';
import { silentLogger } from './fakes.js';

const config = loadConfig({ SPIFFE_ENDPOINT_SOCKET: 'unix:///x', OPENBAO_ADDR: 'https://127.0.0.1:1', DB_HOST: 'x' });
const key = randomBytes(48);
const jake = { id: 1, username: 'jake', email: null, role: 'user' as const, createdAt: new Date() };

async function loaded(): Promise<SessionTokens> {
  const kv = { get: async () => ({ key: key.toString('base64') }) } as unknown as KvService;
  const tokens = new SessionTokens(kv, config, silentLogger);
  tokens.onApplicationBootstrap();
  await new Promise((resolve) => setTimeout(resolve, 10));
  return tokens;
}

const forge = (header: object, claims: object, signWith: Buffer | null) => {
  const part = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
  const input = `${part(header)}.${part(claims)}`;
  return `${input}.${signWith ? createHmac('sha256', signWith).update(input).digest('base64url') : ''}`;
};

const code = (fn: () => unknown): string | undefined => {
  try {
    fn();
  } catch (error) {
    return (error as AppError).code;
  }
  return undefined;
};

describe('SessionTokens', () => {
  it('answers 503 until the signing key has been read from OpenBao', () => {
    const kv = { get: () => new Promise(() => undefined) } as unknown as KvService;
    const tokens = new SessionTokens(kv, config, silentLogger);
    expect(code(() => tokens.issue(jake))).toBe('service_unavailable');
  });

  it('issues one-hour HS256 tokens that verify', async () => {
    const tokens = await loaded();
    const { token, expiresIn } = tokens.issue(jake);
    expect(expiresIn).toBe(3600);
    expect(tokens.verify(token)).toMatchObject({ user_id: 1, username: 'jake', role: 'user', jti: expect.stringMatching(/^[0-9a-f-]{36}$/) });
    expect(tokens.verify(tokens.issue(jake).token).jti).not.toBe(tokens.verify(token).jti); // one id per session
  });

  it('refuses a correctly signed token that lacks a claim it relies on (the session id, the expiry)', async () => {
    const tokens = await loaded();
    const now = Math.floor(Date.now() / 1000);
    const claims = { user_id: 1, username: 'jake', role: 'user', jti: '0b7c8f3e-2d4a-4c1b-9e6f-5a3d2c1b0a99', iat: now, exp: now + 3600 };
    expect(tokens.verify(forge({ alg: 'HS256', typ: 'JWT' }, claims, key))).toMatchObject({ jti: claims.jti });
    const { jti: _jti, ...withoutId } = claims;
    const { exp: _exp, ...withoutExpiry } = claims;
    for (const bad of [withoutId, { ...claims, jti: 'guessable' }, withoutExpiry]) {
      expect(code(() => tokens.verify(forge({ alg: 'HS256', typ: 'JWT' }, bad, key)))).toBe('unauthorized');
    }
  });

  it('refuses expired, alg none, foreign-key and tampered tokens', async () => {
    const tokens = await loaded();
    const now = Math.floor(Date.now() / 1000);
    const claims = { user_id: 1, username: 'jake', role: 'user', jti: '0b7c8f3e-2d4a-4c1b-9e6f-5a3d2c1b0a99', iat: now, exp: now + 3600 };
    const good = tokens.issue(jake).token;
    const [h, , s] = good.split('.');
    const promoted = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    for (const bad of [
      forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, exp: now - 10 }, key),
      forge({ alg: 'none', typ: 'JWT' }, claims, null),
      forge({ alg: 'HS256', typ: 'JWT' }, claims, randomBytes(48)),
      `${h}.${promoted}.${s}`,
      forge({ alg: 'HS256', typ: 'JWT' }, { ...claims, role: 'superuser' }, key),
      'not-a-token',
    ]) {
      expect(code(() => tokens.verify(bad))).toBe('unauthorized');
    }
  });
});
