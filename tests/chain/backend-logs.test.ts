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
import { api, DEMO_USERS, uniqueName } from '../lib/backend.ts';
import { STANDIN_TOKENS } from '../lib/github-standin.ts';
import { identity } from '../lib/identity.ts';
import { loadStackEnv, rootToken, type StackEnv } from '../lib/stack.ts';

let env: StackEnv;
const secrets: string[] = [];
/** The security events the test caused, each with the X-Request-Id of the answer. */
const expected: Array<{ event: string; requestId: string; fields: Record<string, unknown> }> = [];

beforeAll(async () => {
  env = loadStackEnv();
  const newPassword = `pw-${randomBytes(8).toString('hex')}`;
  const username = uniqueName('logcheck');
  const call = async (event: string | null, fields: Record<string, unknown>, ...args: Parameters<typeof api>) => {
    const response = await api(...args);
    const requestId = response.headers.get('x-request-id');
    expect(requestId).toMatch(/^[0-9a-f-]{36}$/);
    if (event) expected.push({ event, requestId: requestId!, fields });
    return response;
  };
  const registered = await call('registered', { username }, env, 'POST', '/api/auth/register', { body: { username, password: newPassword } });
  expect(registered.status).toBe(201);
  const signedIn = await call('sign_in_succeeded', { username }, env, 'POST', '/api/auth/login', { body: { username, password: newPassword } });
  const session = signedIn.body.access_token as string;
  await call('sign_in_failed', { username: 'jake', reason: 'wrong_password' }, env, 'POST', '/api/auth/login', { body: { username: 'jake', password: 'wrong-password-for-the-log-test' } });
  const githubToken = Object.keys(STANDIN_TOKENS)[0]!;
  const userId = registered.body.user.id;
  expect((await call('github_token_stored', { userId }, env, 'POST', '/api/github/configure', { token: session, body: { token: githubToken } })).status).toBe(200);
  expect((await call('github_token_replaced', { userId }, env, 'POST', '/api/github/configure', { token: session, body: { token: githubToken } })).status).toBe(200);
  expect((await call(null, {}, env, 'GET', '/api/github/repos', { token: session })).status).toBe(200);
  await call('github_token_deleted', { userId }, env, 'DELETE', '/api/github/token', { token: session });
  expect((await call('signed_out', { userId, username }, env, 'POST', '/api/auth/logout', { token: session })).status).toBe(204);
  // An unknown name is throttled like a real one: ten failures, then 429.
  const sprayed = uniqueName('nobody');
  for (let i = 0; i < 10; i++) await call(null, {}, env, 'POST', '/api/auth/login', { body: { username: sprayed, password: `wrong-${i}` } });
  const throttled = await call('sign_in_throttled', { username: sprayed, scope: 'account', retryAfterS: expect.any(Number) }, env, 'POST', '/api/auth/login', { body: { username: sprayed, password: 'wrong-again' } });
  expect(throttled.status).toBe(429);
  secrets.push(newPassword, 'wrong-password-for-the-log-test', session, githubToken, rootToken(env), ...DEMO_USERS.map((user) => `${user}99`));
});

const logLines = () =>
  readFileSync(join(env.ZT_LOG_DIR!, 'backend.log'), 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((line) => JSON.parse(line) as Record<string, unknown>);

describe("the backend's security events", () => {
  it('are logged at info, each exactly once, with the request id the answer carried and the client address', () => {
    const lines = logLines();
    expect(expected.map((e) => e.event)).toEqual(['registered', 'sign_in_succeeded', 'sign_in_failed', 'github_token_stored', 'github_token_replaced', 'github_token_deleted', 'signed_out', 'sign_in_throttled']);
    for (const { event, requestId, fields } of expected) {
      const found = lines.filter((line) => line.requestId === requestId && line.event === event);
      expect(found, `${event} of request ${requestId}`).toHaveLength(1);
      expect(found[0]).toMatchObject({ level: 30, client: '127.0.0.1', ...fields });
    }
  });

  it("include the backend's own OpenBao login, as its SPIFFE ID, with its policies and TTL", () => {
    const logins = logLines().filter((line) => line.event === 'openbao_login');
    expect(logins.length).toBeGreaterThan(0);
    expect(logins.at(-1)).toMatchObject({ level: 30, spiffeId: identity.spiffeIds.backend, role: identity.openbao.jwtRole, policies: expect.arrayContaining([identity.openbao.policy]) });
    expect(logins.at(-1)!.ttlS).toBeGreaterThan(0);
  });
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
