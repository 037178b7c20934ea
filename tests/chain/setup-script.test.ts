/**
 * scripts/setup.sh --local as a user meets it: a second run while the stack is up changes nothing
 * and says so, a run after a crash repairs the stack, and a taken port stops it with one clear
 * line and a hint.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identity } from '../lib/identity.ts';
import { backendToken, bao, dynamicRoles, loadStackEnv, type StackEnv } from '../lib/stack.ts';
import { api, backendDbUser } from '../lib/backend.ts';
import { runScript } from '../lib/test-stack.ts';

let env: StackEnv;
beforeAll(() => {
  env = loadStackEnv();
});

const pids = (): Record<string, string> =>
  Object.fromEntries(
    readdirSync(env.ZT_RUN_DIR!)
      .filter((name) => name.endsWith('.pid'))
      .map((name) => [name, readFileSync(join(env.ZT_RUN_DIR!, name), 'utf8').trim()]),
  );

describe('scripts/setup.sh --local', () => {
  it('succeeds a second time while the stack is up, restarting nothing and saying so', async () => {
    const before = pids();
    expect(Object.keys(before).sort()).toEqual(['backend.pid', 'frontend.pid', 'oidc-discovery-provider.pid', 'openbao.pid', 'spire-agent.pid', 'spire-server.pid']);

    const rerun = runScript('setup.sh', ['--local']);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('nothing changed');
    expect(rerun.stdout).toContain('PostgreSQL already running');
    expect(rerun.stdout).toContain('OpenBao configuration unchanged');
    expect(pids()).toEqual(before);

    // and the chain still works end to end
    const token = await backendToken(env);
    const creds = await bao(env, 'GET', `${identity.database.secretsMount}/creds/${identity.database.role}`, token);
    expect(creds.status).toBe(200);
    expect((await bao(env, 'POST', 'auth/token/revoke-self', token)).status).toBe(204);
  });

  it('brings a killed OpenBao back, configured, drops the users whose leases died with it, and the backend recovers by itself', async () => {
    const token = await backendToken(env);
    const creds = await bao(env, 'GET', `${identity.database.secretsMount}/creds/${identity.database.role}`, token);
    expect(creds.status).toBe(200);
    const orphan = creds.body.data.username as string;
    expect(await dynamicRoles(env)).toContain(orphan);

    const baoPid = Number(readFileSync(join(env.ZT_RUN_DIR!, 'openbao.pid'), 'utf8'));
    process.kill(baoPid, 'SIGKILL'); // its in-memory leases are gone; the role in PostgreSQL is not
    await expect.poll(() => existsSync(`/proc/${baoPid}`), { timeout: 5_000 }).toBe(false);

    const rerun = runScript('setup.sh', ['--local']);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stdout).toMatch(/OpenBao [\d.]+ started/);
    expect(rerun.stdout).toContain('auth/jwt/role/backend');
    expect(rerun.stdout).not.toContain('nothing changed');
    expect(await dynamicRoles(env)).not.toContain(orphan);

    const fresh = await backendToken(env);
    expect((await bao(env, 'GET', `${identity.database.secretsMount}/creds/${identity.database.role}`, fresh)).status).toBe(200);
    expect((await bao(env, 'POST', 'auth/token/revoke-self', fresh)).status).toBe(204);

    // The backend's token and lease died with the old OpenBao, and setup ended its sessions: its
    // next query finds its credentials rejected, so it logs in again and rotates on its own.
    await expect.poll(async () => (await api(env, 'POST', '/api/auth/login', { body: { username: 'amy', password: 'amy99' } })).status, { timeout: 30_000, interval: 500 }).toBe(200);
    await expect.poll(async () => (await api(env, 'GET', '/api/health/ready')).status, { timeout: 30_000 }).toBe(200);
    expect(await dynamicRoles(env)).toEqual([await backendDbUser(env)]);
  });

  describe('when a port it needs is taken', () => {
    let blocker: Server;
    let port: number;
    beforeAll(async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      port = (blocker.address() as { port: number }).port;
    });
    afterAll(async () => {
      await new Promise((resolve) => blocker.close(resolve));
      runScript('teardown.sh', ['--local'], { ZT_STATE_NAME: '.local-test-port' });
    });

    it('stops with one error line naming the port and a hint, and no trace', () => {
      const run = runScript('setup.sh', ['--local'], { ZT_STATE_NAME: '.local-test-port', ZT_PG_PORT: String(port) });
      expect(run.status).toBe(1);
      const stderr = run.stderr.trim().split('\n');
      expect(stderr[0]).toMatch(new RegExp(`^error: port ${port}, needed by PostgreSQL, is already in use`));
      expect(stderr[1]).toMatch(/^hint: +.*ZT_PG_PORT=/);
      expect(stderr).toHaveLength(2);
    });
  });
});
