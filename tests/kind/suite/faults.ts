/**
 * Faults with nothing lost and nobody called. A client signs in as terry and loops on an
 * authenticated, database-backed route through the frontend's NodePort (GET /api/console: the
 * session from the cookie, the database users from PostgreSQL) while OpenBao's active server is
 * deleted, then all three at once, a backend replica is deleted, a worker is drained, PostgreSQL's
 * primary is deleted (the standby takes over), the backend is restarted and a rotation is forced.
 * No step runs setup.sh. Every failed request is counted and printed with the time it happened.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { appUrl, dynamicUsers, eventually, isReady, kubectl, kubectlJson, podsOf, postgresInstances, postgresStatus, raftServers, workerNames } from '../../lib/kind-cluster.ts';
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

/** The OpenBao server that leads (the pod labelled openbao-active by service registration). */
function activeOpenbao(): string {
  const active = kubectlJson<{ items: any[] }>(['-n', 'openbao', 'get', 'pods', '-l', 'app.kubernetes.io/name=openbao,openbao-active=true']).items;
  if (active.length !== 1) throw new Error(`expected one active OpenBao server, found ${active.length}`);
  return active[0].metadata.name;
}

/** The leader's name once all three servers are Ready (unsealed) and Raft has a leader of three voters. */
function openbaoHealthy(): string | undefined {
  const pods = podsOf('openbao', 'openbao');
  if (pods.length !== 3 || !pods.every(isReady)) return undefined;
  const servers = raftServers(pods.find(isReady)!.metadata.name);
  const leaders = servers.filter((s) => s.leader);
  return servers.length === 3 && leaders.length === 1 ? leaders[0]!.node_id : undefined;
}

/** Both PostgreSQL instances Ready (a primary and its standby, streaming), as the operator sees them. */
const postgresHealthy = (): string | undefined => {
  const status = postgresStatus();
  const instances = postgresInstances();
  return status.readyInstances === 2 && instances.length === 2 && instances.every(isReady) ? status.currentPrimary : undefined;
};

/** Whether a forced rotation succeeds within two minutes (it needs OpenBao: a new database lease). */
async function rotates(): Promise<boolean> {
  const token = login('gina', 'gina99');
  return eventually('a forced rotation', () => (backendCall('POST', '/api/security/rotate', undefined, token).status === 200 ? true : undefined), 120_000, 5000);
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

    it("OpenBao's active server deleted: a standby takes over, the pod comes back unsealed by itself, no request fails", async () => {
      const active = activeOpenbao();
      const oldUid = kubectlJson<any>(['-n', 'openbao', 'get', 'pod', active]).metadata.uid;
      load.start();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const deletedAt = Date.now();
      expect(kubectl(['-n', 'openbao', 'delete', 'pod', active]).status).toBe(0);
      await podRecreated('openbao', active, oldUid);
      const leader = await eventually('three OpenBao servers unsealed again, one of them leader', openbaoHealthy, 300_000, 2000);
      console.log(`OpenBao ${active} deleted: ${leader} leads; all three unsealed again after ${Math.round((Date.now() - deletedAt) / 1000)}s, without setup.sh`);
      const result = await load.stop();
      report('OpenBao active server deleted', result);
      expect(result.total).toBeGreaterThan(20);
      expect(result.failed).toEqual([]);
      // OpenBao serves the backend again: a forced rotation needs a new lease from it.
      expect(await rotates()).toBe(true);
    }, 10 * 60_000);

    it('all three OpenBao servers deleted at once: they unseal themselves and elect a leader, the app serves throughout', async () => {
      const uids: Record<string, string> = Object.fromEntries(podsOf('openbao', 'openbao').map((pod) => [pod.metadata.name, pod.metadata.uid]));
      expect(Object.keys(uids).sort()).toEqual(['openbao-0', 'openbao-1', 'openbao-2']);
      load.start();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const deletedAt = Date.now();
      expect(kubectl(['-n', 'openbao', 'delete', 'pod', 'openbao-0', 'openbao-1', 'openbao-2', '--wait=false']).status).toBe(0);
      for (const [name, uid] of Object.entries(uids)) await podRecreated('openbao', name, uid);
      const leader = await eventually('three OpenBao servers unsealed again, one of them leader', openbaoHealthy, 300_000, 2000);
      console.log(`all three OpenBao servers deleted: ${leader} leads; all unsealed again after ${Math.round((Date.now() - deletedAt) / 1000)}s, without setup.sh`);
      const result = await load.stop();
      report('all OpenBao servers deleted', result);
      expect(result.total).toBeGreaterThan(20);
      // The backend serves on its current token and lease while OpenBao is away.
      expect(result.failed).toEqual([]);
      expect(await rotates()).toBe(true);
    }, 10 * 60_000);

    it('a backend replica deleted: the other one answers, no request fails, and a new replica takes its place', async () => {
      const [victim] = podsOf('99-apps', 'backend');
      load.start();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      expect(kubectl(['-n', '99-apps', 'delete', 'pod', victim.metadata.name], { timeoutMs: 120_000 }).status).toBe(0);
      await eventually('two Ready backend replicas again', () => {
        const pods = podsOf('99-apps', 'backend');
        return pods.length === 2 && pods.every(isReady) && !pods.some((pod) => pod.metadata.name === victim.metadata.name) ? true : undefined;
      }, 300_000, 2000);
      await new Promise((resolve) => setTimeout(resolve, 5000));
      const result = await load.stop();
      report('backend replica deleted', result);
      expect(result.total).toBeGreaterThan(20);
      expect(result.failed).toEqual([]);
    }, 10 * 60_000);

    it("a worker drained and uncordoned (the standby's): its replicas move, OpenBao keeps a quorum, PostgreSQL's primary keeps serving, no request fails", async () => {
      // The worker of PostgreSQL's standby: the primary stays, so no database request waits for a
      // failover (that is the next test's), and the standby, bound to its node's volume, waits
      // Pending for the node to come back.
      const primary = postgresStatus().currentPrimary;
      const primaryNode = kubectlJson<any>(['-n', 'data', 'get', 'pod', primary]).spec.nodeName as string;
      const worker = workerNames().find((name) => name !== primaryNode)!;
      expect(worker).toBeDefined();
      const evicted = ['backend', 'frontend'].flatMap((app) => podsOf('99-apps', app)).filter((pod) => pod.spec.nodeName === worker).map((pod) => pod.metadata.name);
      expect(evicted.length).toBeGreaterThan(0);
      load.start();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const drainedAt = Date.now();
      const drain = kubectl(['drain', worker, '--ignore-daemonsets', '--delete-emptydir-data', '--timeout=300s'], { timeoutMs: 320_000 });
      let drainSeconds = 0;
      try {
        expect(drain.status, drain.stderr).toBe(0);
        drainSeconds = Math.round((Date.now() - drainedAt) / 1000);
        // Served meanwhile by the replicas on the other worker, OpenBao by two of three servers and
        // PostgreSQL by its primary alone.
        await new Promise((resolve) => setTimeout(resolve, 10_000));
      } finally {
        expect(kubectl(['uncordon', worker]).status).toBe(0);
      }
      await eventually('two Ready replicas of each app again', () =>
        ['backend', 'frontend'].every((app) => podsOf('99-apps', app).filter(isReady).length === 2) ? true : undefined, 300_000, 2000);
      const leader = await eventually('three OpenBao servers unsealed again, one of them leader', openbaoHealthy, 300_000, 2000);
      const stillPrimary = await eventually('PostgreSQL streaming to its standby again', postgresHealthy, 300_000, 2000);
      const result = await load.stop();
      console.log(`drain of ${worker}: ${drainSeconds}s to drain (evicted ${evicted.join(', ')}); back to full strength ${Math.round((Date.now() - drainedAt) / 1000)}s after it began, ${leader} leading OpenBao`);
      report('worker drained', result);
      expect(stillPrimary).toBe(primary);
      expect(result.total).toBeGreaterThan(20);
      expect(result.failed).toEqual([]);
    }, 15 * 60_000);

    it("PostgreSQL's primary deleted under load: the standby takes over, no committed row is lost, the app recovers by itself", async () => {
      const restarts = (): Record<string, number> => Object.fromEntries(podsOf('99-apps', 'backend').map((pod) => [pod.metadata.name, pod.status.containerStatuses[0].restartCount]));
      const backendBefore = restarts();
      const primary = (await eventually('PostgreSQL healthy before the fault', postgresHealthy, 300_000, 2000))!;
      // Committed just before the primary goes: a synchronous standby already has it.
      const lastUser = `${marker}x`;
      load.start();
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const registered = backendCall('POST', '/api/auth/register', { username: lastUser, password: `${lastUser}-Passw0rd` });
      expect(registered.status, JSON.stringify(registered)).toBe(201);
      const deletedAt = Date.now();
      expect(kubectl(['-n', 'data', 'delete', 'pod', primary, '--wait=false']).status).toBe(0);
      const promoted = await eventually('the standby to be promoted', () => {
        const current = postgresStatus().currentPrimary;
        return current && current !== primary ? current : undefined;
      }, 300_000, 1000);
      const promotedAfter = Math.round((Date.now() - deletedAt) / 1000);
      // Recovered: requests succeed again, through the same Service name, on the new primary.
      await eventually('requests to succeed again', async () => {
        const response = await fetch(`${appUrl()}/api/console`, { headers: { cookie: load.cookie } });
        return response.status === 200 ? true : undefined;
      }, 180_000, 1000);
      await new Promise((resolve) => setTimeout(resolve, 3000));
      const result = await load.stop();
      const failedAt = result.failed.map((f) => f.at);
      const window = failedAt.length ? `${((Math.max(...failedAt) - Math.min(...failedAt)) / 1000).toFixed(1)}s from the first failed request to the last` : 'no request failed';
      console.log(`PostgreSQL primary ${primary} deleted: ${promoted} promoted after ${promotedAfter}s; ${window}`);
      report('PostgreSQL primary deleted', result);
      expect(result.total).toBeGreaterThan(20);
      // While no primary answers the backend says so (503, try again), never an internal error.
      expect(result.failed.filter((f) => f.status !== 503)).toEqual([]);
      // Nothing lost: both users registered before the fault sign in; the backend was not restarted.
      expect(() => login(lastUser, `${lastUser}-Passw0rd`)).not.toThrow();
      expect(() => login(marker, `${marker}-Passw0rd`)).not.toThrow();
      expect(restarts()).toEqual(backendBefore);
      // The old primary comes back by itself, as the new primary's standby.
      const primaryNow = await eventually('the old primary back as a standby', postgresHealthy, 300_000, 2000);
      expect(primaryNow).toBe(promoted);
      console.log(`PostgreSQL: ${primary} streaming again as ${promoted}'s standby ${Math.round((Date.now() - deletedAt) / 1000)}s after the deletion`);
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
