/**
 * The backend under faults of the parts it depends on, all real processes:
 * - OpenBao unreachable while a rotation is due: the current pool keeps serving, readiness stays
 *   ok while the lease is valid, and the rotation succeeds once OpenBao is back;
 * - the SPIRE agent restarted: the backend's next JWT-SVID and its next OpenBao login work;
 * - PostgreSQL restarted: 503 from readiness and database routes while it is down, full
 *   recovery afterwards, no data lost.
 * Each test leaves the stack healthy for the next.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { api, backendDbUser, login, startLoad } from '../lib/backend.ts';
import { identity } from '../lib/identity.ts';
import { bao, dynamicRoles, loadStackEnv, pgSuperuser, rootToken, runAs, tokenAccessorsOf, type StackEnv } from '../lib/stack.ts';
import { runScript } from '../lib/test-stack.ts';

let env: StackEnv;
let admin: string;

beforeAll(async () => {
  env = loadStackEnv();
  admin = await login(env, 'gina');
});

const pidOf = (name: string): number => Number(readFileSync(join(env.ZT_RUN_DIR!, `${name}.pid`), 'utf8'));
const status = async () => (await api(env, 'GET', '/api/security/status', { token: admin })).body;
const ready = async () => (await api(env, 'GET', '/api/health/ready')).status;

/**
 * Revokes every backend-role lease but the backend's current one. A credentials request the
 * backend gave up on (timeout) is still answered by OpenBao once it resumes, leaving a lease (and
 * a v- role) nobody uses; OpenBao would drop it at its TTL. Other tests expect a clean slate.
 */
async function revokeAbandonedLeases(): Promise<void> {
  const current = (await status()).database.lease_id as string; // "database/creds/backend-role/AbCdEf…wxyz"
  const [head, tail] = current.slice(current.lastIndexOf('/') + 1).split('…') as [string, string];
  const prefix = `${identity.database.secretsMount}/creds/${identity.database.role}/`;
  const listed = await bao(env, 'LIST', `sys/leases/lookup/${prefix}`, rootToken(env));
  for (const id of (listed.body.data?.keys ?? []) as string[]) {
    if (id.startsWith(head) && id.endsWith(tail)) continue;
    await bao(env, 'PUT', 'sys/leases/revoke', rootToken(env), { lease_id: `${prefix}${id}` });
  }
}

afterEach(async () => {
  await expect.poll(ready, { timeout: 60_000 }).toBe(200);
});

describe('OpenBao unreachable while a rotation is due', () => {
  it('keeps serving on the current pool, stays ready while the lease is valid, and rotates once OpenBao is back', async () => {
    const before = (await status()).database;
    const load = startLoad(env, [admin], 5);
    const openbao = pidOf('openbao');
    process.kill(openbao, 'SIGSTOP'); // OpenBao stops answering: connections hang, calls time out
    try {
      const rotation = await api(env, 'POST', '/api/security/rotate', { token: admin });
      expect(rotation.status).toBe(503);
      expect(rotation.body.error.code).toBe('rotation_failed');
      expect(await ready()).toBe(200);
      const during = (await status()).database;
      expect(during.username).toBe(before.username);
      expect(during.generation).toBe(before.generation);
    } finally {
      process.kill(openbao, 'SIGCONT');
    }
    // the backend retries on its own, with backoff, and gets through once OpenBao answers again
    await expect.poll(async () => (await status()).database.generation, { timeout: 60_000, interval: 500 }).toBe(before.generation + 1);
    const result = await load.stop();
    expect(result.failures).toEqual([]);
    expect(result.requests).toBeGreaterThan(50);

    const after = await status();
    expect(after.rotations.slice(0, 3).map((r: { result: string }) => r.result)).toContain('failed');
    // the rotation that got through (an attempt that hung on the stopped OpenBao may be recorded
    // as failed after it, on a busy machine)
    expect(after.rotations.find((r: { result: string }) => r.result === 'ok')).toMatchObject({ from_username: before.username, to_username: after.database.username });
    await revokeAbandonedLeases();
    expect(await dynamicRoles(env)).toEqual([after.database.username]);
  });
});

/** Revokes every OpenBao token that a JWT login as SPIFFE_ID made; returns how many. */
async function revokeTokensOf(spiffeId: string): Promise<number> {
  const accessors = await tokenAccessorsOf(env, spiffeId);
  for (const accessor of accessors) expect((await bao(env, 'POST', 'auth/token/revoke-accessor', rootToken(env), { accessor })).status).toBe(204);
  return accessors.length;
}

describe('SPIRE agent restarted', () => {
  it("the backend gets its next JWT-SVID from the new agent, and its next OpenBao login works", async () => {
    const agent = pidOf('spire-agent');
    process.kill(agent, 'SIGTERM');
    await expect.poll(() => existsSync(`/proc/${agent}`), { timeout: 15_000 }).toBe(false);
    // what the backend holds is still valid: it stays ready and keeps serving
    expect(await ready()).toBe(200);
    expect((await api(env, 'GET', '/api/auth/me', { token: admin })).status).toBe(200);

    const rerun = runScript('setup.sh', ['--local']); // the documented way back: restarts what is down
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(`SPIRE agent (pid ${agent}) is no longer running: starting it again`);
    expect(rerun.stdout).toMatch(/SPIRE agent started/);
    expect(pidOf('spire-agent')).not.toBe(agent);

    // Force a login: revoke the backend's OpenBao token (its lease, and so its database user, go
    // with it), so the backend must fetch a JWT-SVID from the new agent and log in again.
    const user = (await status()).database.username;
    const revokedAt = new Date().toISOString();
    expect(await revokeTokensOf(identity.spiffeIds.backend)).toBeGreaterThan(0);
    // OpenBao ends the token's leases in the background: the database user goes a moment later
    await expect.poll(async () => (await dynamicRoles(env)).includes(user), { timeout: 30_000, interval: 500 }).toBe(false);
    await expect.poll(async () => (await api(env, 'GET', '/api/auth/me', { token: admin })).status, { timeout: 30_000, interval: 500 }).toBe(200);
    await expect.poll(async () => (await status()).database.username, { timeout: 30_000, interval: 500 }).not.toBe(user);
    const after = await status();
    expect(after.openbao.token_expires_at).toMatch(/Z$/);
    expect(new Date(after.workload.svid_expires_at).getTime()).toBeGreaterThan(Date.now());
    // new credentials since (credentials-rejected, unless the scheduled rotation got there first),
    // read with a token from a new login
    const since = after.rotations.filter((r: { at: string; result: string }) => r.at >= revokedAt && r.result === 'ok');
    expect(since.map((r: { reason: string }) => r.reason)).toEqual(expect.arrayContaining([expect.stringMatching(/^(credentials-rejected|scheduled)$/)]));
    const relogins = readFileSync(join(env.ZT_LOG_DIR!, 'backend.log'), 'utf8')
      .split('\n')
      .filter(Boolean)
      .map((line) => JSON.parse(line) as { event?: string; time: string })
      .filter((line) => line.event === 'openbao_relogin' && line.time >= revokedAt);
    expect(relogins.length).toBeGreaterThan(0);
  });
});

describe('PostgreSQL restarted', () => {
  const pgCtl = (...args: string[]) => runAs(env.ZT_PG_USER!, [`${env.ZT_PG_BIN}/pg_ctl`, '-D', `${env.ZT_PG_DIR}/data`, ...args]);

  it('answers 503 while it is down, recovers fully afterwards, and loses no data', async () => {
    const db = await pgSuperuser(env);
    const count = async (client = db) => Number((await client.query('SELECT count(*) FROM app.users')).rows[0].count);
    const usersBefore = await count();
    await db.end();
    const userBefore = await backendDbUser(env);

    expect(pgCtl('-m', 'fast', '-w', 'stop').status).toBe(0);
    try {
      await expect.poll(ready, { timeout: 10_000 }).toBe(503);
      const health = await api(env, 'GET', '/api/health/ready');
      expect(health.body.checks).toMatchObject({ database: 'unavailable', identity: 'ok', openbao: 'ok' });
      const me = await api(env, 'GET', '/api/auth/me', { token: admin });
      expect(me.status).toBe(503);
      expect(me.body.error.code).toBe('service_unavailable');
      const loginDuringOutage = await api(env, 'POST', '/api/auth/login', { body: { username: 'jake', password: 'jake99' } });
      expect(loginDuringOutage.status).toBe(503);
    } finally {
      // as a user would: setup starts what is down (PostgreSQL, with its TLS settings) and nothing else
      const started = runScript('setup.sh', ['--local']);
      expect(started.status, started.stderr).toBe(0);
    }
    await expect.poll(ready, { timeout: 30_000 }).toBe(200);
    expect((await api(env, 'GET', '/api/auth/me', { token: admin })).status).toBe(200);
    expect((await api(env, 'POST', '/api/auth/login', { body: { username: 'jake', password: 'jake99' } })).status).toBe(200);
    const after = await pgSuperuser(env);
    expect(await count(after)).toBe(usersBefore);
    await after.end();
    // same credentials as before: the role survived the restart, so no rotation was needed
    expect(await backendDbUser(env)).toBe(userBefore);
  });
});
