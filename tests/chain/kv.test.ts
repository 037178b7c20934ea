/**
 * KV v2 with the backend's own token: GitHub tokens under secret/data/github/, the session signing
 * key setup created, and nothing outside backend-policy.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identity } from '../lib/identity.ts';
import { backendToken, bao, loadStackEnv, type StackEnv } from '../lib/stack.ts';

const { kvMount, kvPaths } = identity.openbao;
let env: StackEnv;
let token: string;

beforeAll(async () => {
  env = loadStackEnv();
  token = await backendToken(env);
});

afterAll(async () => {
  await bao(env, 'POST', 'auth/token/revoke-self', token);
});

describe('KV v2 with the backend token', () => {
  it('writes, reads and destroys a GitHub token under secret/data/github/users/', async () => {
    const userId = `chain-test-${randomBytes(4).toString('hex')}`;
    const secret = `ghp_${randomBytes(18).toString('hex')}`;
    const data = `${kvMount}/data/${kvPaths.githubUsers}/${userId}`;

    const written = await bao(env, 'POST', data, token, { data: { token: secret } });
    expect(written.status, JSON.stringify(written.body)).toBe(200);
    expect(written.body.data.version).toBe(1);

    const read = await bao(env, 'GET', data, token);
    expect(read.status).toBe(200);
    expect(read.body.data.data.token).toBe(secret);

    const deleted = await bao(env, 'DELETE', `${kvMount}/metadata/${kvPaths.githubUsers}/${userId}`, token);
    expect(deleted.status).toBe(204);
    expect((await bao(env, 'GET', data, token)).status).toBe(404);
  });

  it('reads the session signing key that setup created', async () => {
    const read = await bao(env, 'GET', `${kvMount}/data/${kvPaths.jwtSigningKey}`, token);
    expect(read.status).toBe(200);
    expect(read.body.data.data.algorithm).toBe('HS256');
    expect(Buffer.from(read.body.data.data.key as string, 'base64')).toHaveLength(48);
  });

  it.each([
    ['read a KV path outside the policy', 'GET', `${kvMount}/data/other/thing`],
    ['read a GitHub path that is not a user token', 'GET', `${kvMount}/data/github/other`],
    ["list every user's token", 'LIST', `${kvMount}/metadata/${kvPaths.githubUsers}`],
    ['overwrite the session signing key', 'POST', `${kvMount}/data/${kvPaths.jwtSigningKey}`],
    ['read another of the backend paths', 'GET', `${kvMount}/data/backend/other`],
    ['revoke a lease named in the body (which could be any lease)', 'PUT', 'sys/leases/revoke'],
    ["revoke a lease that is not one of its database role's", 'PUT', `sys/leases/revoke/auth/${identity.openbao.jwtAuthMount}/login/anything`],
    ['write a KV path outside the policy', 'POST', `${kvMount}/data/other/thing`],
    ['read the policies', 'GET', 'sys/policies/acl/backend-policy'],
    ['change the JWT role', 'POST', `auth/${identity.openbao.jwtAuthMount}/role/${identity.openbao.jwtRole}`],
    ['read the database connection', 'GET', `${identity.database.secretsMount}/config/${identity.database.connectionName}`],
    ['mount a secrets engine', 'POST', 'sys/mounts/sneaky'],
  ])('may not %s', async (_what, method, path) => {
    const response = await bao(env, method, path, token, method === 'GET' ? undefined : { data: { x: 1 }, type: 'kv' });
    expect(response.status).toBe(403);
  });
});
