/**
 * Passwords and tokens never reach the backend's logs. The test sends every kind of secret the
 * backend handles through it (passwords at login and registration, session tokens, a GitHub
 * token), then reads the whole log of the running backend (debug level: every request) and looks
 * for them, and for any secret-named field that is not redacted.
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, DEMO_USERS, login } from '../lib/backend.ts';
import { STANDIN_TOKENS } from '../lib/github-standin.ts';
import { loadStackEnv, rootToken, type StackEnv } from '../lib/stack.ts';

let env: StackEnv;
const secrets: string[] = [];

beforeAll(async () => {
  env = loadStackEnv();
  const newPassword = `pw-${randomBytes(8).toString('hex')}`;
  const username = `logcheck_${randomBytes(3).toString('hex')}`;
  expect((await api(env, 'POST', '/api/auth/register', { body: { username, password: newPassword } })).status).toBe(201);
  const session = await login(env, username, newPassword);
  await api(env, 'POST', '/api/auth/login', { body: { username: 'jake', password: 'wrong-password-for-the-log-test' } });
  const githubToken = Object.keys(STANDIN_TOKENS)[0]!;
  expect((await api(env, 'POST', '/api/github/configure', { token: session, body: { token: githubToken } })).status).toBe(200);
  expect((await api(env, 'GET', '/api/github/repos', { token: session })).status).toBe(200);
  await api(env, 'DELETE', '/api/github/token', { token: session });
  secrets.push(newPassword, 'wrong-password-for-the-log-test', session, githubToken, rootToken(env), ...DEMO_USERS.map((user) => `${user}99`));
});

const SECRET_KEYS = /^(password|password_hash|token|access_token|client_token|jwt|svid|key|authorization|secret)$/i;

function unredacted(value: unknown, path = ''): string[] {
  if (!value || typeof value !== 'object') return [];
  return Object.entries(value as Record<string, unknown>).flatMap(([key, inner]) =>
    SECRET_KEYS.test(key) && inner !== '[redacted]' ? [`${path}${key}`] : unredacted(inner, `${path}${key}.`),
  );
}

describe("the backend's log", () => {
  it('holds JSON lines, request lines among them', () => {
    const lines = readFileSync(join(env.ZT_LOG_DIR!, 'backend.log'), 'utf8').split('\n').filter(Boolean);
    expect(lines.length).toBeGreaterThan(20);
    const parsed = lines.map((line) => JSON.parse(line) as { msg?: string; route?: string });
    expect(parsed.some((entry) => entry.msg === 'request' && entry.route === '/api/github/configure')).toBe(true);
  });

  it('contains none of the passwords or tokens that went through the backend', () => {
    const log = readFileSync(join(env.ZT_LOG_DIR!, 'backend.log'), 'utf8');
    expect(secrets.length).toBeGreaterThan(8);
    for (const secret of secrets) expect(log.includes(secret), `a secret of ${secret.length} characters is in the log`).toBe(false);
    // nor a JWT of any kind (session tokens, JWT-SVIDs) or an OpenBao token
    expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}/);
    expect(log).not.toMatch(/\bhvs\.[A-Za-z0-9]{20,}|\bs\.[A-Za-z0-9]{24}\b/);
  });

  it('has no secret-named field with a value', () => {
    const lines = readFileSync(join(env.ZT_LOG_DIR!, 'backend.log'), 'utf8').split('\n').filter(Boolean);
    expect(lines.flatMap((line) => unredacted(JSON.parse(line)))).toEqual([]);
  });
});
