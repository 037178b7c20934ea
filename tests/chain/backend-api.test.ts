/**
 * The backend's HTTP API, route by route, against the real chain: the backend started by
 * setup.sh --local (its own SPIFFE identity, OpenBao token and rotating PostgreSQL pool) and the
 * local GitHub stand-in.
 */
import { hostname } from 'node:os';
import { createHmac, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendFetch } from '../lib/api-identity.ts';
import { api, DEMO_USERS, expectErrorShape, login, uniqueName } from '../lib/backend.ts';
import { contractViolation } from '../lib/contract.ts';
import { setGithubDown, STANDIN_TOKENS } from '../lib/github-standin.ts';
import { identity } from '../lib/identity.ts';
import { bao, loadStackEnv, pgSuperuser, rootToken, type StackEnv } from '../lib/stack.ts';

let env: StackEnv;
const [JAKE_GITHUB_TOKEN, AMY_GITHUB_TOKEN] = Object.keys(STANDIN_TOKENS) as [string, string];

beforeAll(() => {
  env = loadStackEnv();
});


/** An HS256 JWT built by hand, to try what the backend must refuse. */
function forgeJwt(header: object, claims: object, key: Buffer | null): string {
  const encode = (part: object) => Buffer.from(JSON.stringify(part)).toString('base64url');
  const signingInput = `${encode(header)}.${encode(claims)}`;
  const signature = key ? createHmac('sha256', key).update(signingInput).digest('base64url') : '';
  return `${signingInput}.${signature}`;
}

async function signingKey(): Promise<Buffer> {
  const { kvMount, kvPaths } = identity.openbao;
  const secret = await bao(env, 'GET', `${kvMount}/data/${kvPaths.jwtSigningKey}`, rootToken(env));
  return Buffer.from(secret.body.data.data.key as string, 'base64');
}

describe('health', () => {
  it('GET /api/health/live answers ok', async () => {
    const response = await api(env, 'GET', '/api/health/live');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('GET /api/health/ready reports identity, OpenBao and the database ok', async () => {
    const response = await api(env, 'GET', '/api/health/ready');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok', checks: { identity: 'ok', openbao: 'ok', database: 'ok' } });
  });
});

describe('POST /api/auth/login', () => {
  it.each(DEMO_USERS)('logs %s in with a one-hour HS256 session token', async (username) => {
    const response = await api(env, 'POST', '/api/auth/login', { body: { username, password: `${username}99` } });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ token_type: 'bearer', expires_in: 3600, user: { username, role: ['terry', 'gina'].includes(username) ? 'admin' : 'user' } });
    const [header, claims] = (response.body.access_token as string).split('.').slice(0, 2).map((part) => JSON.parse(Buffer.from(part, 'base64url').toString()));
    expect(header.alg).toBe('HS256');
    expect(Object.keys(claims).sort()).toEqual(['exp', 'iat', 'jti', 'role', 'user_id', 'username']);
    expect(claims.exp - claims.iat).toBe(3600);
    expect(claims.user_id).toBe(response.body.user.id);
  });

  it('gives the same answer, in similar time, for a wrong password and an unknown user', async () => {
    const timed = async (username: string) => {
      const started = performance.now();
      const response = await api(env, 'POST', '/api/auth/login', { body: { username, password: 'not-the-password' } });
      return { response, ms: performance.now() - started };
    };
    const wrong = [await timed('charles'), await timed('charles'), await timed('charles')];
    const unknown = [await timed(uniqueName('nobody')), await timed(uniqueName('nobody')), await timed(uniqueName('nobody'))];
    for (const attempt of [...wrong, ...unknown]) {
      expect(attempt.response.status).toBe(401);
      expect(attempt.response.body).toEqual(wrong[0]!.response.body);
    }
    expect(wrong[0]!.response.body.error.code).toBe('invalid_credentials');
    // Both pay one bcrypt cost-12 comparison; a skipped compare would be ~100x faster. The
    // fastest of three tries is compared, so a busy machine's pauses do not decide the outcome.
    const fastest = (tries: Array<{ ms: number }>) => Math.min(...tries.map((attempt) => attempt.ms));
    expect(fastest(unknown)).toBeGreaterThan(fastest(wrong) / 4);
  });

  it('refuses with 429 rate_limited after 10 failed attempts for one username from one address in a minute', async () => {
    const username = uniqueName('target');
    const from = '127.0.0.21';
    const registered = await api(env, 'POST', '/api/auth/register', { body: { username, password: 'right-password' } });
    expect(registered.status).toBe(201);
    for (let attempt = 0; attempt < 10; attempt++) {
      expect((await api(env, 'POST', '/api/auth/login', { from, body: { username, password: `wrong-${attempt}` } })).status).toBe(401);
    }
    const blocked = await api(env, 'POST', '/api/auth/login', { from, body: { username, password: 'right-password' } });
    expect(blocked.status).toBe(429);
    expect(blocked.body.error.code).toBe('rate_limited');
    // other users are not affected (tests/chain/attack.test.ts: nor is this user elsewhere)
    expect((await api(env, 'POST', '/api/auth/login', { from, body: { username: 'rosa', password: 'rosa99' } })).status).toBe(200);
  });
});

describe('POST /api/auth/register', () => {
  it('creates a user who can then log in', async () => {
    const username = uniqueName('hitchcock');
    const response = await api(env, 'POST', '/api/auth/register', { body: { username, email: `${username}@99.precinct`, password: 'scully99' } });
    expect(response.status).toBe(201);
    expect(response.body).toEqual({ user: { id: expect.any(Number), username, email: `${username}@99.precinct`, role: 'user' } });
    expect(await login(env, username, 'scully99')).toMatch(/^ey/);
  });

  it('answers 409 username_taken and 409 email_taken', async () => {
    const taken = await api(env, 'POST', '/api/auth/register', { body: { username: 'jake', password: 'another1' } });
    expect(taken.status).toBe(409);
    expect(taken.body.error.code).toBe('username_taken');
    const email = await api(env, 'POST', '/api/auth/register', { body: { username: uniqueName('copycat'), email: 'amy.santiago@99.precinct', password: 'another1' } });
    expect(email.status).toBe(409);
    expect(email.body.error.code).toBe('email_taken');
  });

  it.each([
    [{ username: 'ab', password: 'long enough' }, 'username'],
    [{ username: 'Has Caps', password: 'long enough' }, 'username'],
    [{ username: 'x'.repeat(51), password: 'long enough' }, 'username'],
    [{ username: 'valid_name', password: '12345' }, 'password'],
    [{ username: 'valid_name', password: 'é'.repeat(37) }, 'password'], // 74 bytes
    [{ username: 'valid_name', email: 'not-an-email', password: 'long enough' }, 'email'],
    [{ password: 'long enough' }, 'username'],
  ])('answers 400 validation_failed naming the field for %j', async (body, field) => {
    const response = await api(env, 'POST', '/api/auth/register', { body });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
    expect(Object.keys(response.body.error.fields)).toContain(field);
  });
});

describe('GET /api/auth/me', () => {
  it('returns the signed-in user', async () => {
    const response = await api(env, 'GET', '/api/auth/me', { token: await login(env, 'amy') });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ id: expect.any(Number), username: 'amy', email: 'amy.santiago@99.precinct', role: 'user', created_at: expect.stringMatching(/Z$/) });
  });

  it('answers 401 unauthorized to missing, malformed, expired, tampered, alg-none and foreign-key tokens', async () => {
    const key = await signingKey();
    const now = Math.floor(Date.now() / 1000);
    const jake = await login(env, 'jake');
    const [header, payload, signature] = jake.split('.') as [string, string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString());
    const promoted = Buffer.from(JSON.stringify({ ...claims, role: 'admin' })).toString('base64url');
    const cases: Array<[string, Record<string, string>]> = [
      ['missing', {}],
      ['not bearer', { authorization: `Basic ${Buffer.from('jake:jake99').toString('base64')}` }],
      ['garbage', { authorization: 'Bearer not.a.token' }],
      ['expired', { authorization: `Bearer ${forgeJwt({ alg: 'HS256', typ: 'JWT' }, { ...claims, iat: now - 7200, exp: now - 3600 }, key)}` }],
      ['tampered claims', { authorization: `Bearer ${header}.${promoted}.${signature}` }],
      ['alg none', { authorization: `Bearer ${forgeJwt({ alg: 'none', typ: 'JWT' }, { ...claims, role: 'admin' }, null)}` }],
      ['another key', { authorization: `Bearer ${forgeJwt({ alg: 'HS256', typ: 'JWT' }, claims, randomBytes(48))}` }],
    ];
    for (const [what, headers] of cases) {
      const response = await backendFetch(env, '/api/auth/me', { headers });
      expect(response.status, what).toBe(401);
      const body = (await response.json()) as { error: { code: string } };
      expect(body.error.code, what).toBe('unauthorized');
      expect(contractViolation('GET', '/api/auth/me', response.status, body), what).toBeUndefined();
    }
    // the untouched token still works, so the 401s above are about the tampering
    expect((await api(env, 'GET', '/api/auth/me', { token: jake })).status).toBe(200);
  });
});

describe('what the API accepts', () => {
  it('takes JSON only: a form post (which any web page can send) or plain text is 415, in the error envelope', async () => {
    for (const [contentType, raw] of [
      ['application/x-www-form-urlencoded', 'username=jake&password=jake99'],
      ['text/plain', '{"username":"jake","password":"jake99"}'],
      ['multipart/form-data; boundary=x', '--x\r\nContent-Disposition: form-data; name="username"\r\n\r\njake\r\n--x--'],
    ]) {
      const response = await api(env, 'POST', '/api/auth/login', { raw, contentType });
      expect(response.status, contentType).toBe(415);
      expect(response.body.error.code, contentType).toBe('unsupported_media_type');
    }
  });

  it('refuses a password longer than bcrypt reads (72 bytes) at sign-in, even when its first 72 bytes are right', async () => {
    const username = uniqueName('long');
    const password = 'a'.repeat(72);
    expect((await api(env, 'POST', '/api/auth/register', { body: { username, password } })).status).toBe(201);
    expect((await api(env, 'POST', '/api/auth/login', { body: { username, password } })).status).toBe(200);
    const longer = await api(env, 'POST', '/api/auth/login', { body: { username, password: `${password}anything` } });
    expect(longer.status).toBe(401);
    expect(longer.body.error.code).toBe('invalid_credentials');
  });
});

describe('POST /api/auth/logout', () => {
  it('ends the session on the server: the token is refused from then on, and other sessions of the user live on', async () => {
    const [first, second] = [await login(env, 'gina'), await login(env, 'gina')];
    expect((await api(env, 'POST', '/api/auth/logout', { token: first })).status).toBe(204);
    for (const path of ['/api/auth/me', '/api/security/status']) {
      const replayed = await api(env, 'GET', path, { token: first });
      expect(replayed.status, path).toBe(401);
      expect(replayed.body.error.code).toBe('unauthorized');
    }
    expect((await api(env, 'POST', '/api/auth/logout', { token: first })).status).toBe(401);
    expect((await api(env, 'GET', '/api/auth/me', { token: second })).status).toBe(200);
    expect((await api(env, 'POST', '/api/auth/logout')).status).toBe(401);
  });

  it('refuses a correctly signed session token without a session id, which could never be signed out', async () => {
    const key = await signingKey();
    const claims = JSON.parse(Buffer.from((await login(env, 'jake')).split('.')[1]!, 'base64url').toString());
    delete claims.jti;
    const response = await backendFetch(env, '/api/auth/me', { headers: { authorization: `Bearer ${forgeJwt({ alg: 'HS256', typ: 'JWT' }, claims, key)}` } });
    expect(response.status).toBe(401);
  });
});

describe('bad input never yields a 5xx or a stack trace', () => {
  const injections = ["' OR '1'='1", "jake'; DROP TABLE users; --", '"; SELECT pg_sleep(5); --', '\u0000', '${{7*7}}', '<script>alert(1)</script>'];

  it.each(injections)('login with %j as username and password is refused cleanly', async (attack) => {
    const response = await api(env, 'POST', '/api/auth/login', { body: { username: attack, password: attack } });
    expect([400, 401]).toContain(response.status);
    expectErrorShape(response.body);
    expect(response.text).not.toMatch(/at .+\.(js|ts):\d+/);
  });

  it.each(injections)('register and GitHub configure with %j are refused cleanly', async (attack) => {
    const register = await api(env, 'POST', '/api/auth/register', { body: { username: attack, email: attack, password: attack } });
    expect(register.status).toBe(400);
    const github = await api(env, 'POST', '/api/github/configure', { token: await login(env, 'rosa'), body: { token: attack } });
    expect(github.status).toBe(400);
    expectErrorShape(github.body);
  });

  it('the users table survived the injection attempts', async () => {
    const response = await api(env, 'POST', '/api/auth/login', { body: { username: 'jake', password: 'jake99' } });
    expect(response.status).toBe(200);
  });

  it.each([
    ['malformed JSON', '{"username": "jake", ', 'application/json', 400, 'invalid_json'],
    ['an empty JSON body', '', 'application/json', 400, 'invalid_json'],
    ['a JSON array', '[1,2,3]', 'application/json', 400, 'validation_failed'],
    ['a JSON string', '"jake"', 'application/json', 400, 'validation_failed'],
    ['fields of the wrong type', '{"username": 42, "password": {"a": 1}}', 'application/json', 400, 'validation_failed'],
    ['a body over 16 KiB', JSON.stringify({ username: 'jake', password: 'x'.repeat(17 * 1024) }), 'application/json', 413, 'payload_too_large'],
  ])('login with %s answers %i %s', async (_what, raw, contentType, status, code) => {
    const response = await api(env, 'POST', '/api/auth/login', { raw, contentType });
    expect(response.status).toBe(status);
    expect(response.body.error.code).toBe(code);
  });

  it('an unknown route answers 404 in the same error shape', async () => {
    const response = await api(env, 'GET', '/api/no-such-route');
    expect(response.status).toBe(404);
    expect(response.body.error.code).toBe('not_found');
  });

  it.each([['page=abc'], ['page=0'], ['per_page=1000'], ['page=1.5']])('GET /api/github/repos?%s answers 400', async (query) => {
    const response = await api(env, 'GET', `/api/github/repos?${query}`, { token: await login(env, 'rosa') });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('validation_failed');
  });
});

describe('GitHub integration', () => {
  let jake: string;
  let amy: string;
  let jakeId: number;
  const seen: string[] = []; // every response body, to prove the token never comes back

  const call = async (method: string, path: string, token: string, body?: unknown) => {
    const response = await api(env, method, path, { token, body });
    seen.push(response.text);
    return response;
  };

  beforeAll(async () => {
    jake = await login(env, 'jake');
    amy = await login(env, 'amy');
    jakeId = (await api(env, 'GET', '/api/auth/me', { token: jake })).body.id;
    await call('DELETE', '/api/github/token', jake);
    await call('DELETE', '/api/github/token', amy);
  });

  it('before configuring: status says so, repos and user answer 409 github_not_configured', async () => {
    expect((await call('GET', '/api/github/status', jake)).body).toEqual({ configured: false });
    for (const path of ['/api/github/repos', '/api/github/user']) {
      const response = await call('GET', path, jake);
      expect(response.status).toBe(409);
      expect(response.body.error.code).toBe('github_not_configured');
    }
  });

  it('a token GitHub rejects answers 400 invalid_github_token and is not kept', async () => {
    const response = await call('POST', '/api/github/configure', jake, { token: 'ghp_notAValidToken000000000000000000000' });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe('invalid_github_token');
    expect((await call('GET', '/api/github/status', jake)).body.configured).toBe(false);
  });

  it('a valid token is checked, kept only in OpenBao KV, and described in PostgreSQL by metadata alone', async () => {
    const response = await call('POST', '/api/github/configure', jake, { token: JAKE_GITHUB_TOKEN });
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ configured: true, login: 'jperalta' });

    const { kvMount, kvPaths } = identity.openbao;
    const kv = await bao(env, 'GET', `${kvMount}/data/${kvPaths.githubUsers}/${jakeId}`, rootToken(env));
    expect(kv.body.data.data.token).toBe(JAKE_GITHUB_TOKEN);

    const admin = await pgSuperuser(env);
    try {
      const everything = await admin.query(
        `SELECT (SELECT coalesce(json_agg(g), '[]') FROM app.github_integrations g)::text AS integrations,
                (SELECT coalesce(json_agg(a), '[]') FROM app.audit_log a)::text AS audit`,
      );
      expect(everything.rows[0].integrations).toContain('jperalta');
      expect(everything.rows[0].integrations).not.toContain(JAKE_GITHUB_TOKEN);
      expect(everything.rows[0].audit).toContain('github_token_saved');
      expect(everything.rows[0].audit).not.toContain(JAKE_GITHUB_TOKEN);
    } finally {
      await admin.end();
    }
  });

  it('status, profile and paginated repositories come from GitHub with the stored token', async () => {
    const status = await call('GET', '/api/github/status', jake);
    expect(status.body).toMatchObject({ configured: true, login: 'jperalta', configured_at: expect.stringMatching(/Z$/) });

    const profile = await call('GET', '/api/github/user', jake);
    expect(profile.body).toEqual({ login: 'jperalta', name: 'Jake Peralta', avatar_url: expect.any(String), html_url: 'https://github.com/jperalta', public_repos: 45, followers: 99 });

    const first = await call('GET', '/api/github/repos?page=1&per_page=20', jake);
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ page: 1, per_page: 20, has_next: true });
    expect(first.body.repos).toHaveLength(20);
    expect(Object.keys(first.body.repos[0]).sort()).toEqual(['description', 'full_name', 'html_url', 'language', 'name', 'private', 'stargazers_count', 'updated_at']);
    const last = await call('GET', '/api/github/repos?page=3&per_page=20', jake);
    expect(last.body.repos).toHaveLength(5);
    expect(last.body.has_next).toBe(false);
    expect(new Set([...first.body.repos, ...last.body.repos].map((repo: { name: string }) => repo.name)).size).toBe(25);

    expect((await call('GET', '/api/github/status', jake)).body.last_accessed).toMatch(/Z$/);
  });

  it("one user never reaches another's token: amy sees no integration and cannot use jake's", async () => {
    expect((await call('GET', '/api/github/status', amy)).body).toEqual({ configured: false });
    expect((await call('GET', '/api/github/repos', amy)).status).toBe(409);
    expect((await call('GET', '/api/github/user', amy)).status).toBe(409);
    // amy's own token gives amy's own account, and jake's stays his
    expect((await call('POST', '/api/github/configure', amy, { token: AMY_GITHUB_TOKEN })).body.login).toBe('asantiago');
    expect((await call('GET', '/api/github/user', amy)).body.login).toBe('asantiago');
    expect((await call('GET', '/api/github/user', jake)).body.login).toBe('jperalta');
  });

  it('GitHub being unreachable answers 502 github_unavailable', async () => {
    await setGithubDown(true);
    try {
      const repos = await call('GET', '/api/github/repos', jake);
      expect(repos.status).toBe(502);
      expect(repos.body.error.code).toBe('github_unavailable');
      const configure = await call('POST', '/api/github/configure', amy, { token: AMY_GITHUB_TOKEN });
      expect(configure.status).toBe(502);
    } finally {
      await setGithubDown(false);
    }
  });

  it('a token PostgreSQL calls configured but OpenBao no longer holds is reported not configured, and can be saved again', async () => {
    const { kvMount, kvPaths } = identity.openbao;
    const amyId = (await api(env, 'GET', '/api/auth/me', { token: amy })).body.id;
    expect((await call('GET', '/api/github/status', amy)).body.configured).toBe(true);
    // lost behind the backend's back (an OpenBao set up anew, a secret deleted by hand)
    expect((await bao(env, 'DELETE', `${kvMount}/metadata/${kvPaths.githubUsers}/${amyId}`, rootToken(env))).status).toBe(204);
    expect((await call('GET', '/api/github/status', amy)).body).toEqual({ configured: false });
    expect((await call('GET', '/api/github/user', amy)).status).toBe(409);
    expect((await call('POST', '/api/github/configure', amy, { token: AMY_GITHUB_TOKEN })).status).toBe(200);
    expect((await call('GET', '/api/github/user', amy)).body.login).toBe('asantiago');
  });

  it('DELETE /api/github/token destroys the KV secret and updates the metadata', async () => {
    const response = await call('DELETE', '/api/github/token', jake);
    expect(response.status).toBe(204);
    const { kvMount, kvPaths } = identity.openbao;
    expect((await bao(env, 'GET', `${kvMount}/data/${kvPaths.githubUsers}/${jakeId}`, rootToken(env))).status).toBe(404);
    expect((await call('GET', '/api/github/status', jake)).body).toEqual({ configured: false });
    expect((await call('GET', '/api/github/repos', jake)).status).toBe(409);
  });

  it('no response ever carried a GitHub token', () => {
    expect(seen.length).toBeGreaterThan(15);
    for (const text of seen) {
      expect(text).not.toContain(JAKE_GITHUB_TOKEN);
      expect(text).not.toContain(AMY_GITHUB_TOKEN);
    }
  });
});

describe('security console', () => {
  it('GET /api/security/status shows identity, OpenBao login and database credential, and no secret', async () => {
    const response = await api(env, 'GET', '/api/security/status', { token: await login(env, 'rosa') });
    expect(response.status).toBe(200);
    const status = response.body;
    expect(status.workload).toEqual({ spiffe_id: identity.spiffeIds.backend, svid_expires_at: expect.stringMatching(/Z$/), replica: hostname() });
    expect(status.openbao).toMatchObject({ auth_method: 'jwt', role: identity.openbao.jwtRole, token_expires_at: expect.stringMatching(/Z$/) });
    expect(status.openbao.policies).toContain(identity.openbao.policy);
    expect(status.database).toMatchObject({ username: expect.stringMatching(/^v-/), lease_expires_at: expect.stringMatching(/Z$/), next_rotation_at: expect.stringMatching(/Z$/) });
    expect(status.database.generation).toBeGreaterThanOrEqual(1);
    expect(status.database.pool).toEqual({ total: expect.any(Number), idle: expect.any(Number), waiting: expect.any(Number) });
    expect(status.rotations[status.rotations.length - 1]).toMatchObject({ reason: 'startup', result: 'ok', from_username: null });
    expect(response.text).not.toMatch(/password|client_token|hvs\.|zt-dev-/i);
  });

  it('needs a session', async () => {
    for (const [method, path] of [['GET', '/api/security/status'], ['POST', '/api/security/rotate'], ['GET', '/api/security/db-users']] as const) {
      expect((await api(env, method, path)).status).toBe(401);
    }
  });

  it('POST /api/security/rotate is for admins only: 403 forbidden for jake', async () => {
    const before = (await api(env, 'GET', '/api/security/status', { token: await login(env, 'jake') })).body.database.username;
    const response = await api(env, 'POST', '/api/security/rotate', { token: await login(env, 'jake') });
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe('forbidden');
    expect((await api(env, 'GET', '/api/security/status', { token: await login(env, 'jake') })).body.database.username).toBe(before);
  });

  it('an admin rotation swaps the database user: the new one appears in PostgreSQL, the old one is gone', async () => {
    const gina = await login(env, 'gina');
    const before = (await api(env, 'GET', '/api/security/status', { token: gina })).body.database;
    const response = await api(env, 'POST', '/api/security/rotate', { token: gina });
    expect(response.status).toBe(200);
    expect(response.body.rotation).toMatchObject({ from_username: before.username, to_username: expect.stringMatching(/^v-/), reason: 'forced', result: 'ok' });
    const users = (await api(env, 'GET', '/api/security/db-users', { token: gina })).body.users.map((user: { username: string }) => user.username);
    expect(users).toContain(response.body.rotation.to_username);
    expect(users).not.toContain(before.username);
    const after = (await api(env, 'GET', '/api/security/status', { token: gina })).body.database;
    expect(after.username).toBe(response.body.rotation.to_username);
    expect(after.generation).toBe(before.generation + 1);
  });
});

describe('GET /metrics', () => {
  it('exposes identity, token and lease expiry, pool generation, rotations and request durations', async () => {
    const response = await api(env, 'GET', '/metrics');
    expect(response.status).toBe(200);
    for (const metric of [
      'zt_svid_expiry_timestamp_seconds',
      'zt_openbao_token_expiry_timestamp_seconds',
      'zt_db_lease_expiry_timestamp_seconds',
      'zt_db_pool_generation',
      'zt_db_rotations_total{reason="startup",result="ok"}',
      'zt_http_request_duration_seconds_bucket',
    ]) {
      expect(response.text).toContain(metric);
    }
    expect(response.text).toMatch(/zt_http_request_duration_seconds_count\{method="POST",route="\/api\/auth\/login",status="200"\} \d+/);
  });
});
