/**
 * scripts/setup.sh --local as a user meets it: a second run while the stack is up changes nothing
 * and says so, a run after a crash repairs the stack, and a taken port stops it with one clear
 * line and a hint.
 */
import { existsSync, readdirSync, readFileSync, utimesSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { identity } from '../lib/identity.ts';
import { backendToken, bao, dynamicRoles, loadStackEnv, rootToken, tokenAccessorsOf, type StackEnv } from '../lib/stack.ts';
import { api, backendDbUser, login } from '../lib/backend.ts';
import { REPO_ROOT } from '../lib/repo.ts';
import { runScript } from '../lib/test-stack.ts';

const PORT_VARS = ['ZT_PG_PORT', 'ZT_SPIRE_SERVER_PORT', 'ZT_SPIRE_SERVER_HEALTH_PORT', 'ZT_SPIRE_AGENT_HEALTH_PORT', 'ZT_OIDC_PORT', 'ZT_BAO_PORT', 'ZT_BACKEND_PORT', 'ZT_BACKEND_HEALTH_PORT', 'ZT_FRONTEND_PORT'];

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
    expect(Object.keys(before).sort()).toEqual([
      'backend.pid', 'frontend.pid', 'oidc-discovery-provider.pid', 'openbao.pid', 'spire-agent.pid', 'spire-server.pid',
      'svid-helper-openbao.pid', 'svid-helper-postgres.pid',
    ]);

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

  it('restarts an app started from an earlier build (a pull, an edit), says so, and leaves the rest alone', async () => {
    const before = pids();
    // a new build of the backend, as `git pull` and the next setup's compile would leave it
    const build = join(REPO_ROOT, 'backend', 'dist', 'main.js');
    const later = new Date(Date.now() + 2000);
    utimesSync(build, later, later);
    const rerun = runScript('setup.sh', ['--local']);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('restarting the backend: it was started from an earlier build');
    expect(rerun.stdout).not.toContain('restarting the frontend');
    const after = pids();
    expect(after['backend.pid']).not.toBe(before['backend.pid']);
    expect({ ...after, 'backend.pid': '' }).toEqual({ ...before, 'backend.pid': '' });
    expect(await login(env, 'jake')).toMatch(/^ey/);
  });

  it('brings a killed OpenBao back from its file storage, unsealed, not initialised again: sessions, leases and the backend carry on', async () => {
    const session = await login(env, 'amy'); // signed with the key kept in OpenBao's KV
    const token = await backendToken(env);
    const creds = await bao(env, 'GET', `${identity.database.secretsMount}/creds/${identity.database.role}`, token);
    expect(creds.status).toBe(200);
    const issued = creds.body.data.username as string;
    expect(await dynamicRoles(env)).toContain(issued);

    const baoPid = Number(readFileSync(join(env.ZT_RUN_DIR!, 'openbao.pid'), 'utf8'));
    process.kill(baoPid, 'SIGKILL');
    await expect.poll(() => existsSync(`/proc/${baoPid}`), { timeout: 5_000 }).toBe(false);

    const rerun = runScript('setup.sh', ['--local']);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain(`OpenBao (pid ${baoPid}) is no longer running: starting it again`);
    expect(rerun.stdout).toMatch(/OpenBao [\d.]+ started/);
    expect(rerun.stdout).toContain('OpenBao unsealed');
    expect(rerun.stdout).not.toContain('OpenBao initialised');
    expect(rerun.stdout).not.toContain('nothing changed');

    // Nothing was lost: the lease is still OpenBao's to end, a session signed before still
    // verifies (the signing key is in KV), and the backend's own token still works.
    expect(await dynamicRoles(env)).toContain(issued);
    expect((await bao(env, 'PUT', 'sys/leases/revoke', rootToken(env), { lease_id: creds.body.lease_id })).status).toBe(204);
    expect(await dynamicRoles(env)).not.toContain(issued);
    expect((await api(env, 'GET', '/api/auth/me', { token: session })).status).toBe(200);
    expect((await bao(env, 'POST', 'auth/token/revoke-self', token)).status).toBe(204);
    await expect.poll(async () => (await api(env, 'POST', '/api/auth/login', { body: { username: 'amy', password: 'amy99' } })).status, { timeout: 30_000, interval: 500 }).toBe(200);
    await expect.poll(async () => (await api(env, 'GET', '/api/health/ready')).status, { timeout: 30_000 }).toBe(200);
    expect(await dynamicRoles(env)).toEqual([await backendDbUser(env)]);
  });

  it('a stopped backend ends its OpenBao token (which reads every GitHub token), and setup brings it back', async () => {
    const before = await tokenAccessorsOf(env, identity.spiffeIds.backend);
    expect(before.length).toBeGreaterThan(0);
    const backend = Number(pids()['backend.pid']);
    process.kill(backend, 'SIGTERM');
    await expect.poll(() => existsSync(`/proc/${backend}`), { timeout: 20_000 }).toBe(false);
    const after = await tokenAccessorsOf(env, identity.spiffeIds.backend);
    expect(after).toHaveLength(before.length - 1);
    expect(before).toEqual(expect.arrayContaining(after));
    expect(readFileSync(join(env.ZT_LOG_DIR!, 'backend.log'), 'utf8')).toMatch(/"event":"openbao_token_revoked"/);

    const rerun = runScript('setup.sh', ['--local']);
    expect(rerun.status, rerun.stderr).toBe(0);
    await expect.poll(async () => (await api(env, 'GET', '/api/health/ready')).status, { timeout: 30_000 }).toBe(200);
  });

  it("starts the apps with an empty environment and an allow-list, so nothing of the operator's shell reaches them", () => {
    const allowed = ['PATH', 'LANG', 'LC_ALL', 'TZ', 'NODE_EXTRA_CA_CERTS'];
    const named = {
      backend: ['PORT', 'HEALTH_PORT', 'HOST', 'SPIFFE_ENDPOINT_SOCKET', 'API_CLIENT_SPIFFE_IDS', 'OPENBAO_ADDR', 'DB_HOST', 'DB_PORT', 'ZT_IDENTITY_FILE', 'DB_ROTATE_INTERVAL', 'DB_ROTATE_FRACTION', 'GITHUB_API_URL', 'LOG_LEVEL'],
      frontend: ['PORT', 'HOSTNAME', 'BACKEND_URL', 'SPIFFE_ENDPOINT_SOCKET', 'NODE_ENV', 'NEXT_TELEMETRY_DISABLED'],
    };
    for (const [app, names] of Object.entries(named)) {
      const environ = readFileSync(`/proc/${pids()[`${app}.pid`]}/environ`, 'utf8').split('\0').filter(Boolean);
      const keys = environ.map((entry) => entry.slice(0, entry.indexOf('=')));
      expect(keys.filter((key) => ![...allowed, ...names].includes(key)), app).toEqual([]);
    }
    expect(process.env.HOME).toBeDefined(); // the runner's environment, which setup ran in, has more
  });

  it('started no component with a secret on its command line (ps shows those to every user)', () => {
    for (const [name, pid] of Object.entries(pids())) {
      const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').join(' ');
      expect(args, name).not.toMatch(/-joinToken|token=|password=/i);
    }
    // the SPIRE agent attested with the join token it found in its environment
    expect(readFileSync(`/proc/${pids()['spire-agent.pid']}/environ`, 'utf8')).toContain('ZT_SPIRE_JOIN_TOKEN=');
  });

  it('finds the running stack on the ports it started with when a rerun names none', () => {
    const before = pids();
    const unset = Object.fromEntries(PORT_VARS.map((name) => [name, '']));
    const rerun = runScript('setup.sh', ['--local'], unset);
    expect(rerun.status, rerun.stderr).toBe(0);
    expect(rerun.stdout).toContain('nothing changed');
    expect(rerun.stdout).toContain(env.ZT_BAO_ADDR!);
    expect(pids()).toEqual(before);
  });

  it('refuses to move a port of the running stack, and says how to', () => {
    const before = pids();
    const moved = String(Number(env.ZT_BAO_PORT) + 99);
    const rerun = runScript('setup.sh', ['--local'], { ZT_BAO_PORT: moved });
    expect(rerun.status).toBe(1);
    const stderr = rerun.stderr.trim().split('\n');
    expect(stderr[0]).toBe(`error: the running local stack uses ZT_BAO_PORT=${env.ZT_BAO_PORT}; it cannot move while it runs`);
    expect(stderr[1]).toMatch(new RegExp(`^hint: +to move it: scripts/teardown.sh --local --keep-state && ZT_BAO_PORT=${moved} scripts/setup.sh --local$`));
    expect(pids()).toEqual(before);
  });

  describe('when ports it needs are taken', () => {
    const state = '.local-test-port';
    const blockers: Server[] = [];
    let ports: Record<string, string>;
    const listen = async (): Promise<Server> => {
      const server = createServer();
      await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
      return server;
    };
    beforeAll(async () => {
      // Ports of its own for every component, so a stack of the developer's on the defaults (or
      // the chain stack) changes nothing here: taken by the test's blockers only.
      const spare = await Promise.all(PORT_VARS.map(() => listen()));
      ports = Object.fromEntries(PORT_VARS.map((name, i) => [name, String((spare[i]!.address() as { port: number }).port)]));
      await Promise.all(spare.map((server) => new Promise((resolve) => server.close(resolve))));
      for (const name of ['ZT_PG_PORT', 'ZT_BAO_PORT']) {
        const blocker = createServer();
        await new Promise<void>((resolve) => blocker.listen(Number(ports[name]), '127.0.0.1', resolve));
        blockers.push(blocker);
      }
    });
    afterAll(async () => {
      await Promise.all(blockers.map((blocker) => new Promise((resolve) => blocker.close(resolve))));
      runScript('teardown.sh', ['--local'], { ZT_STATE_NAME: state });
    });

    it('stops with one error line naming the port and a hint with a free one, and no trace', async () => {
      await new Promise((resolve) => blockers[1]!.close(resolve)); // only PostgreSQL's port taken
      const run = runScript('setup.sh', ['--local'], { ZT_STATE_NAME: state, ...ports });
      const stderr = run.stderr.trim().split('\n');
      expect(run.status).toBe(1);
      expect(stderr[0]).toMatch(new RegExp(`^error: port ${ports.ZT_PG_PORT}, needed by PostgreSQL, is already in use`));
      expect(stderr[1]).toMatch(/^hint: +.*ZT_PG_PORT=\d+ scripts\/setup.sh --local$/);
      expect(stderr).toHaveLength(2);
      blockers[1] = createServer();
      await new Promise<void>((resolve) => blockers[1]!.listen(Number(ports.ZT_BAO_PORT), '127.0.0.1', resolve));
    });

    it('names every taken port at once, before anything starts, each with a free port that collides with no other', async () => {
      const run = runScript('setup.sh', ['--local'], { ZT_STATE_NAME: state, ...ports });
      expect(run.status).toBe(1);
      const stderr = run.stderr.trim().split('\n');
      expect(stderr[0]).toBe(`error: ports already in use: ${ports.ZT_PG_PORT} (PostgreSQL), ${ports.ZT_BAO_PORT} (OpenBao)`);
      const suggested = Object.fromEntries([...stderr[1]!.matchAll(/(ZT_\w+_PORT)=(\d+)/g)].map((m) => [m[1]!, m[2]!]));
      expect(Object.keys(suggested).sort()).toEqual(['ZT_BAO_PORT', 'ZT_PG_PORT']);
      const chosen = { ...ports, ...suggested };
      expect(new Set(Object.values(chosen)).size).toBe(PORT_VARS.length);
      expect(existsSync(join(REPO_ROOT, state, 'pg', 'data', 'postmaster.pid'))).toBe(false); // nothing started
    });
  });
});
