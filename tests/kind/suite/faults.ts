/**
 * Faults with nothing lost. A client signs in as terry and loops on an authenticated,
 * database-backed route through the frontend's NodePort (GET /api/console: the session from the
 * cookie, the database users from PostgreSQL) while OpenBao's pod is deleted, PostgreSQL's pod is
 * deleted, the backend is restarted and a rotation is forced. Every failed request is counted and
 * printed with the time it happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, dynamicUsers, eventually, kubectl, kubectlJson, script } from '../../lib/kind-cluster.ts';
import { backendCall } from '../../lib/kind-tls.ts';

interface Outcome {
  at: number;
  status: number;
  error?: string;
}

/**
 * GET /api/console in a loop, as the browser's console page polls it (every 200 ms here), in a
 * process of its own: the test runs kubectl and setup.sh synchronously, and a loop in its own
 * event loop would simply stop while they run. One JSON line per request.
 */
const LOAD_SCRIPT = `
  let running = true;
  process.on('SIGTERM', () => { running = false; });
  (async () => {
    while (running) {
      const at = Date.now();
      try {
        // A new connection for every request: a keep-alive socket the server closed while idle
        // (which a browser retries silently) never counts as the app's failure.
        const response = await fetch(process.env.LOAD_URL, { headers: { cookie: process.env.LOAD_COOKIE, connection: 'close' }, signal: AbortSignal.timeout(10000) });
        const body = await response.text();
        console.log(JSON.stringify({ at, status: response.status, ...(response.ok ? {} : { error: body.slice(0, 120) }) }));
      } catch (error) {
        console.log(JSON.stringify({ at, status: 0, error: String(error.cause ?? error) }));
      }
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  })();`;

export class Load {
  private child?: ChildProcess;
  private output = '';

  constructor(readonly cookie: string) {}

  start(): void {
    this.output = '';
    this.child = spawn(process.execPath, ['-e', LOAD_SCRIPT], {
      env: { ...process.env, LOAD_URL: `${appUrl()}/api/console`, LOAD_COOKIE: this.cookie },
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    this.child.stdout!.on('data', (chunk: Buffer) => (this.output += chunk.toString()));
  }

  async stop(): Promise<{ total: number; failed: Outcome[] }> {
    const child = this.child;
    if (!child) return { total: 0, failed: [] };
    this.child = undefined;
    if (child.exitCode === null) {
      await new Promise<void>((resolve) => {
        child.on('exit', () => resolve());
        child.kill('SIGTERM');
      });
    }
    const outcomes: Outcome[] = this.output.split('\n').filter(Boolean).map((line) => JSON.parse(line));
    return { total: outcomes.length, failed: outcomes.filter((o) => o.status !== 200) };
  }
}

export function login(username: string, password: string): string {
  const answer = backendCall('POST', '/api/auth/login', { username, password });
  if (answer.status !== 200) throw new Error(`login of ${username}: ${JSON.stringify(answer)}`);
  return answer.body.access_token as string;
}

const report = (what: string, result: { total: number; failed: Outcome[] }) =>
  console.log(`${what}: ${result.failed.length} of ${result.total} requests failed${result.failed.length ? ` (${JSON.stringify(result.failed.slice(0, 5))})` : ''}`);

async function podRecreated(namespace: string, name: string, oldUid: string): Promise<void> {
  await eventually(`${namespace}/${name} to come back`, () => {
    const pod = kubectl(['-n', namespace, 'get', 'pod', name, '-o', 'json']);
    if (pod.status !== 0) return undefined;
    const live = JSON.parse(pod.stdout);
    return live.metadata.uid !== oldUid && live.status.phase === 'Running' ? true : undefined;
  }, 300_000, 2000);
}

export function faultsPart(): void {
  describe('faults under load, through the NodePort', () => {
    let load: Load;
    const marker = `probe${Date.now().toString(36)}`;

    beforeAll(async () => {
      const token = login('terry', 'terry99');
      load = new Load(`zt_session=${token}`);
      // A user that exists only because the test registered it: the data PostgreSQL must keep.
      const registered = backendCall('POST', '/api/auth/register', { username: marker, password: `${marker}-Passw0rd` });
      expect(registered.status, JSON.stringify(registered)).toBe(201);
      // The route answers before any fault.
      const response = await fetch(`${appUrl()}/api/console`, { headers: { cookie: `zt_session=${token}` } });
      expect(response.status).toBe(200);
    }, 120_000);

    afterAll(async () => {
      await load?.stop();
    });

    it("OpenBao's pod deleted: it comes back sealed, setup.sh unseals it without initialising it again, and no request fails", async () => {
      const oldUid = kubectlJson<any>(['-n', 'openbao', 'get', 'pod', 'openbao-0']).metadata.uid;
      load.start();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(kubectl(['-n', 'openbao', 'delete', 'pod', 'openbao-0']).status).toBe(0);
      await podRecreated('openbao', 'openbao-0', oldUid);
      await new Promise((resolve) => setTimeout(resolve, 5000)); // serving on its current lease, OpenBao sealed
      const setup = script('setup.sh', ['--kind'], 20 * 60_000);
      const result = await load.stop();
      report('OpenBao pod deleted', result);
      expect(setup.status, setup.output).toBe(0);
      expect(setup.stdout).toContain('OpenBao unsealed (with the key in');
      expect(setup.stdout).not.toContain('OpenBao initialised');
      expect(result.total).toBeGreaterThan(20);
      expect(result.failed).toEqual([]);
    }, 25 * 60_000);

    it("PostgreSQL's pod deleted: the data on its volume survives and the backend recovers by itself", async () => {
      const backendPod = kubectlJson<{ items: any[] }>(['-n', '99-apps', 'get', 'pods', '-l', 'app.kubernetes.io/name=backend']).items[0];
      const oldUid = kubectlJson<any>(['-n', 'data', 'get', 'pod', 'postgres-0']).metadata.uid;
      load.start();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(kubectl(['-n', 'data', 'delete', 'pod', 'postgres-0']).status).toBe(0);
      await podRecreated('data', 'postgres-0', oldUid);
      // Recovered: the last requests succeed again.
      await eventually('requests to succeed again', async () => {
        const response = await fetch(`${appUrl()}/api/console`, { headers: { cookie: load.cookie } });
        return response.status === 200 ? true : undefined;
      }, 180_000, 2000);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const result = await load.stop();
      report('PostgreSQL pod deleted', result);
      expect(result.total).toBeGreaterThan(20);
      // While PostgreSQL is away the backend says so (503, try again), never an internal error.
      expect(result.failed.filter((f) => f.status !== 503)).toEqual([]);
      // Nothing lost: the registered user can still sign in; the backend was not restarted.
      expect(() => login(marker, `${marker}-Passw0rd`)).not.toThrow();
      const after = kubectlJson<{ items: any[] }>(['-n', '99-apps', 'get', 'pods', '-l', 'app.kubernetes.io/name=backend']).items[0];
      expect(after.metadata.name).toBe(backendPod.metadata.name);
      expect(after.status.containerStatuses[0].restartCount).toBe(backendPod.status.containerStatuses[0].restartCount);
    }, 10 * 60_000);

    it('the backend restarted with kubectl rollout restart: no request fails', async () => {
      load.start();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(kubectl(['-n', '99-apps', 'rollout', 'restart', 'deployment/backend']).status).toBe(0);
      expect(kubectl(['-n', '99-apps', 'rollout', 'status', 'deployment/backend', '--timeout=300s'], { timeoutMs: 320_000 }).status).toBe(0);
      await new Promise((resolve) => setTimeout(resolve, 10_000));
      const result = await load.stop();
      report('backend rollout restart', result);
      expect(result.failed).toEqual([]);
    }, 10 * 60_000);

    it('a forced rotation under load fails no request, and the old database user is gone', async () => {
      const token = login('terry', 'terry99');
      load.start();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const before = dynamicUsers();
      const rotation = backendCall('POST', '/api/security/rotate', undefined, token);
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const result = await load.stop();
      report('forced rotation', result);
      expect(rotation.status, JSON.stringify(rotation)).toBe(200);
      expect(rotation.body.rotation.result).toBe('ok');
      expect(result.failed).toEqual([]);
      const { from_username: from, to_username: to } = rotation.body.rotation;
      expect(before).toContain(from);
      const after = await eventually('the old user to be revoked', () => {
        const users = dynamicUsers();
        return users.includes(from) ? undefined : users;
      }, 60_000);
      expect(after).toContain(to);
    }, 5 * 60_000);
  });
}
