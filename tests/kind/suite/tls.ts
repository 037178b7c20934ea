/**
 * Mutual TLS with X.509-SVIDs on every hop of the cluster, attacked from the places an attacker
 * would stand:
 * - plain text to the backend's API (from the frontend pod), to OpenBao and to PostgreSQL (from
 *   the backend pod: the paths the network policies open) gets no answer or an error, never data;
 * - the backend's API refuses an X.509-SVID of the same SPIRE for another SPIFFE ID, a certificate
 *   from a second trust domain, and a client without one;
 * - a packet capture on the three nodes' network namespaces, while a user registers and signs in,
 *   sends a GitHub token, an admin rotates the database credentials and OpenBao issues a database
 *   password, holds none of these secrets on the hops between the workloads, while the same
 *   capture on the browser -> frontend hop (plain HTTP by design) does see its marker;
 * - every certificate (OpenBao's, PostgreSQL's, the backend's, the frontend's) renews at least
 *   twice under load through the NodePort, with no failed request and no restart;
 * - a server SPIRE never vouched for, on the address the backend dials for OpenBao (its Service
 *   pointed at a pod of the test's that presents a self-signed certificate with OpenBao's SPIFFE
 *   ID), completes no handshake with the backend, gets no request, and the backend says why.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expectSpiffeId } from '@zt-demo/spiffe';
import { createCa, issueSvid } from '@zt-demo/spiffe/testing';
import pg from 'pg';
import { afterAll, describe, expect, it } from 'vitest';
import { identity } from '../../lib/identity.ts';
import { appUrl, docker, eventually, kubectl, kubectlJson, openbaoInit, postgresStatus } from '../../lib/kind-cluster.ts';
import { ProbePods } from '../../lib/kind-probes.ts';
import { backendCall, clusterTrustBundle, mintInCluster } from '../../lib/kind-tls.ts';
import { serverCertificate } from '../../lib/tls-probes.ts';
import { Load, login } from './faults.ts';

const NODES = ['zt-demo-control-plane', 'zt-demo-worker', 'zt-demo-worker2'];

/** Node.js in an app pod: a plain TCP client that sends REQUEST and prints what came back. */
function plainFrom(app: 'frontend' | 'backend', host: string, port: number, request: string): string {
  const js = `const s=require('net').connect({host:'${host}',port:${port}},()=>s.write(${JSON.stringify(request)}));let o='';s.setTimeout(5000,()=>s.destroy());s.on('data',d=>o+=d.toString('latin1')).on('close',()=>console.log(JSON.stringify({answer:o}))).on('error',e=>console.log(JSON.stringify({answer:o,error:e.code})))`;
  const result = kubectl(['-n', '99-apps', 'exec', `deployment/${app}`, '-c', app, '--', 'node', '-e', js]);
  if (result.status !== 0) throw new Error(result.stderr);
  return (JSON.parse(result.stdout.trim()) as { answer: string }).answer;
}

/** tcpdump in each kind node's network namespace (nsenter from this machine), one file per node. */
class Capture {
  private readonly children: ChildProcess[] = [];
  readonly dir = mkdtempSync(join(tmpdir(), 'zt-capture-'));

  constructor(readonly name: string, readonly filter: string) {}

  async start(): Promise<void> {
    for (const node of NODES) {
      const pid = docker(['inspect', '-f', '{{.State.Pid}}', node]).stdout.trim();
      const child = spawn('nsenter', ['-t', pid, '-n', 'tcpdump', '-i', 'any', '-U', '-s', '0', '-c', '500000', '-w', join(this.dir, `${node}.pcap`), this.filter], { stdio: ['ignore', 'ignore', 'pipe'] });
      let said = '';
      child.stderr!.on('data', (chunk: Buffer) => (said += chunk.toString()));
      this.children.push(child);
      await new Promise<void>((resolve, reject) => {
        const timer = setTimeout(() => reject(new Error(`tcpdump on ${node} did not start: ${said}`)), 15_000);
        const check = setInterval(() => {
          if (/listening on/.test(said)) {
            clearInterval(check);
            clearTimeout(timer);
            resolve();
          }
        }, 100);
      });
    }
  }

  async stop(): Promise<Buffer> {
    await new Promise((resolve) => setTimeout(resolve, 1000)); // the last packets in flight
    await Promise.all(this.children.map((child) => new Promise<void>((resolve) => {
      child.on('exit', () => resolve());
      child.kill('SIGINT');
    })));
    return Buffer.concat(NODES.map((node) => join(this.dir, `${node}.pcap`)).filter(existsSync).map((file) => readFileSync(file)));
  }

  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

/** The bytes of TLS application-data records (0x17 0x03 0x03): proof the capture saw TLS traffic. */
const tlsRecords = (bytes: Buffer): number => {
  let count = 0;
  for (let i = bytes.indexOf(0x17); i !== -1 && i < bytes.length - 2; i = bytes.indexOf(0x17, i + 1)) {
    if (bytes[i + 1] === 0x03 && bytes[i + 2] === 0x03) count++;
  }
  return count;
};

export function tlsPart(): void {
  describe('mutual TLS on every hop (X.509-SVIDs from SPIRE)', () => {
    const probes = new ProbePods('tls');
    afterAll(() => probes.deleteAll());

    it('plain text gets no data: the backend from the frontend pod, OpenBao and PostgreSQL from the backend pod', () => {
      const toBackend = plainFrom('frontend', 'backend.99-apps.svc.cluster.local', 8000, 'GET /api/health/live HTTP/1.1\r\nHost: backend\r\nConnection: close\r\n\r\n');
      expect(toBackend).not.toMatch(/^HTTP\//);
      const toOpenbao = plainFrom('backend', 'openbao.openbao.svc.cluster.local', 8200, 'GET /v1/sys/health HTTP/1.1\r\nHost: openbao\r\nConnection: close\r\n\r\n');
      expect(toOpenbao).toMatch(/^HTTP\/1\.[01] 400 /);
      expect(toOpenbao).toContain('Client sent an HTTP request to an HTTPS server');
      // a PostgreSQL startup message without TLS (protocol 3.0, user openbao_admin, database appdb)
      const params = Buffer.from(`user\0${identity.database.adminUser}\0database\0${identity.database.name}\0\0`);
      const startup = Buffer.concat([Buffer.alloc(8), params]);
      startup.writeInt32BE(startup.length, 0);
      startup.writeInt32BE(196608, 4);
      const toPostgres = plainFrom('backend', 'postgres.data.svc.cluster.local', 5432, startup.toString('latin1'));
      expect(toPostgres).toMatch(/no encryption/);
      expect(toPostgres).toMatch(/pg_hba\.conf rejects connection/);
    });

    it("PostgreSQL's replication user admits PostgreSQL's own certificate only: the backend's SVID, another CA's and none are refused", async () => {
      const bundle = clusterTrustBundle();
      const primary = postgresStatus().currentPrimary;
      // streaming_replica, as the standby signs in (database postgres: CloudNativePG's rule for it),
      // each attempt through a port-forward of its own (kubectl ends one when PostgreSQL drops it).
      const attempt = async (client: { cert: string; key: string } | null): Promise<string> => {
        const port = await probes.portForward('data', `pod/${primary}`, 5432);
        const session = new pg.Client({
          host: '127.0.0.1', port, user: 'streaming_replica', database: 'postgres', connectionTimeoutMillis: 10_000,
          ssl: { ca: bundle, checkServerIdentity: expectSpiffeId(identity.spiffeIds.postgres), ...(client ?? {}) },
        });
        session.on('error', () => undefined); // a refused session's late socket error
        const outcome = (async () => {
          await session.connect();
          return (await session.query('SELECT current_user AS who')).rows[0].who as string;
        })().catch((error: Error) => `refused: ${error.message}`);
        const timeout = new Promise<string>((resolve) => setTimeout(() => resolve('no answer in 20 s'), 20_000).unref());
        const result = await Promise.race([outcome, timeout]);
        void session.end().catch(() => undefined);
        return result;
      };
      const svid = (spiffeId: string, dns: string) => {
        const { certPem, keyPem } = mintInCluster(spiffeId, [dns]);
        return { cert: certPem, key: keyPem };
      };
      // The control: PostgreSQL's identity, with its first DNS name as the subject's CN.
      expect(await attempt(svid(identity.spiffeIds.postgres, identity.x509Svid.dnsNames.postgres[0]!))).toBe('streaming_replica');
      expect(await attempt(svid(identity.spiffeIds.backend, identity.x509Svid.dnsNames.backend[0]!))).toMatch(/certificate authentication failed for user "streaming_replica"/);
      const evil = createCa(identity.trustDomain);
      const forged = issueSvid(evil, identity.spiffeIds.postgres, { dnsNames: [identity.x509Svid.dnsNames.postgres[0]!] });
      expect(await attempt({ cert: forged.certPem, key: forged.keyPem })).toMatch(/^refused: /);
      expect(await attempt(null)).toMatch(/^refused: /);
    }, 180_000);

    it("the backend's API refuses another SPIFFE ID of the same SPIRE, a second trust domain, and no certificate", () => {
      expect(backendCall('GET', '/api/health/live').status).toBe(200); // the frontend's identity: admitted
      const impostor = mintInCluster(identity.testIdentities.impostor);
      expect(backendCall('GET', '/api/health/live', undefined, undefined, impostor).error).toMatch(/ECONNRESET|socket hang up|closed/i);
      const evil = createCa('evil.example');
      const leaf = issueSvid(evil, identity.spiffeIds.frontend);
      const forged = { certPem: leaf.certPem, keyPem: leaf.keyPem, bundlePem: impostor.bundlePem };
      expect(backendCall('GET', '/api/health/live', undefined, undefined, forged).status).toBeUndefined();
      expect(backendCall('GET', '/api/health/live', undefined, undefined, null).status).toBeUndefined();
      const logs = kubectl(['-n', '99-apps', 'logs', '-l', 'app.kubernetes.io/name=backend', '-c', 'backend', '--since=5m', '--tail=-1']).stdout; // both replicas
      expect(logs).toContain(`"event":"api_client_refused"`);
      expect(logs).toContain(`"spiffeId":"${identity.testIdentities.impostor}"`);
    });

    it('a capture on the nodes sees no password, GitHub token or OpenBao token between the workloads, but sees plain HTTP from the browser', async () => {
      const workloads = new Capture('workload hops', 'tcp port 8000 or tcp port 8200 or tcp port 5432');
      const browserHop = new Capture('browser -> frontend', 'tcp port 3000 or tcp port 30300');
      const marker = Date.now().toString(36);
      const password = `Pw-${marker}-in-the-clear`;
      const githubToken = `ghp_${marker}NotARealTokenButSecret`;
      const browserMarker = `browser-${marker}-plain-http`;
      try {
        await workloads.start();
        await browserHop.start();
        const username = `captured_${marker}`;
        expect(backendCall('POST', '/api/auth/register', { username, password }).status).toBe(201);
        const session = backendCall('POST', '/api/auth/login', { username, password });
        expect(session.status).toBe(200);
        // GitHub cannot be reached from here, so the backend says so; the token crossed the hop all the same
        const github = backendCall('POST', '/api/github/configure', { token: githubToken }, session.body.access_token);
        expect([400, 502]).toContain(github.status);
        const rotation = backendCall('POST', '/api/security/rotate', undefined, login('gina', 'gina99'));
        expect(rotation.status).toBe(200);
        // a database password OpenBao issues now (and gives PostgreSQL in CREATE ROLE), read in OpenBao's pod
        const issued = kubectl(['-n', 'openbao', 'exec', '-i', 'openbao-0', '-c', 'openbao', '--', 'sh', '-c', 'read -r BAO_TOKEN; export BAO_TOKEN; exec bao read -format=json database/creds/backend-role'], { input: `${openbaoInit().root_token}\n` });
        expect(issued.status, issued.stderr).toBe(0);
        const lease = JSON.parse(issued.stdout) as { lease_id: string; data: { password: string } };
        const dbPassword = lease.data.password;
        kubectl(['-n', 'openbao', 'exec', '-i', 'openbao-0', '-c', 'openbao', '--', 'sh', '-c', 'read -r BAO_TOKEN; export BAO_TOKEN; exec bao lease revoke "$1"', 'sh', lease.lease_id], { input: `${openbaoInit().root_token}\n` });
        // the control: the browser's hop is plain HTTP, and the capture sees it
        await fetch(`${appUrl()}/login?probe=${browserMarker}`).then((r) => r.text());
        const hops = await workloads.stop();
        const browser = await browserHop.stop();
        console.log(`capture: ${hops.length} bytes on the workload hops (${tlsRecords(hops)} TLS records), ${browser.length} bytes on the browser's hop`);
        expect(tlsRecords(hops)).toBeGreaterThan(20);
        const text = hops.toString('latin1');
        for (const [what, secret] of [['the password', password], ['the GitHub token', githubToken], ['the database password', dbPassword], ['an OpenBao token header', 'X-Vault-Token'], ['a bearer token', 'Bearer ey'], ['an HTTP request', 'HTTP/1.1'], ['SQL', 'CREATE ROLE']] as const) {
          expect(text.includes(secret), `${what} is not in the capture`).toBe(false);
        }
        expect(text).not.toMatch(/\bs\.[A-Za-z0-9]{24}\b/); // an OpenBao token
        expect(browser.toString('latin1')).toContain(browserMarker);
      } finally {
        workloads.remove();
        browserHop.remove();
      }
    }, 300_000);

    it("every certificate renews at least twice under load through the NodePort: no failed request, no restart", async () => {
      const pods = (): Record<string, string> => Object.fromEntries(
        [['openbao', 'app.kubernetes.io/name=openbao'], ['data', 'app.kubernetes.io/name=postgres'], ['99-apps', 'app.kubernetes.io/part-of=zt-demo']].flatMap(([ns, selector]) =>
          kubectlJson<{ items: any[] }>(['-n', ns!, 'get', 'pods', '-l', selector!]).items.map((pod) => [pod.metadata.name, `${pod.metadata.uid} ${pod.status.containerStatuses.map((c: any) => c.restartCount).join(',')}`])),
      );
      const before = pods();
      const bundle = clusterTrustBundle();
      const baoPort = await probes.portForward('openbao', 'pod/openbao-0', 8200);
      const pgPort = await probes.portForward('data', `pod/${postgresStatus().currentPrimary}`, 5432);
      const token = login('terry', 'terry99');
      const load = new Load(`zt_session=${token}`);
      const seen = { openbao: new Set<string>(), postgres: new Set<string>(), backend: new Set<string>(), frontend: new Set<string>() };
      load.start();
      const deadline = Date.now() + 5 * 60_000;
      try {
        while (Date.now() < deadline && Object.values(seen).some((serials) => serials.size < 3)) {
          const answer = await fetch(`${appUrl()}/api/console`, { headers: { cookie: `zt_session=${token}` } });
          if (answer.status === 200) {
            const data = (await answer.json()) as { frontend: { svid: { serial: string } | null }; status: { tls: { svid: { serial: string } } } };
            if (data.frontend.svid) seen.frontend.add(data.frontend.svid.serial);
            seen.backend.add(data.status.tls.svid.serial);
          }
          seen.openbao.add((await serverCertificate('127.0.0.1', baoPort, bundle)).serialNumber);
          seen.postgres.add((await serverCertificate('127.0.0.1', pgPort, bundle, true)).serialNumber);
          await new Promise((resolve) => setTimeout(resolve, 3000));
        }
      } finally {
        const result = await load.stop();
        console.log(`renewals under load: ${result.failed.length} of ${result.total} requests failed; certificates seen: ${Object.entries(seen).map(([k, v]) => `${k} ${v.size}`).join(', ')}`);
        expect(result.failed).toEqual([]);
        expect(result.total).toBeGreaterThan(50);
      }
      for (const [name, serials] of Object.entries(seen)) expect(serials.size, name).toBeGreaterThanOrEqual(3);
      expect(pods()).toEqual(before);
      // OpenBao stayed unsealed through its renewals
      const sealed = kubectl(['-n', 'openbao', 'exec', 'openbao-0', '-c', 'openbao', '--', 'bao', 'status', '-format=json']);
      expect(JSON.parse(sealed.stdout).sealed).toBe(false);
    }, 600_000);

    it("a self-signed \"OpenBao\" on the address the backend dials gets no handshake and no token, and the backend says why", async () => {
      // The attacker's server: OpenBao's labels and SPIFFE ID, a certificate SPIRE never issued. Not
      // the chart's instance label: OpenBao's servers keep pods with all three labels off their
      // nodes (anti-affinity), and there is one on every node.
      const fake = issueSvid(undefined, identity.spiffeIds.openbao, { dnsNames: identity.x509Svid.dnsNames.openbao });
      const server = `const tls=require('tls');const say=(e)=>console.log(JSON.stringify(e));const s=tls.createServer({cert:process.env.CERT,key:process.env.KEY},c=>{say({event:'completed'});c.on('data',d=>say({event:'data',bytes:d.length}))});s.on('tlsClientError',e=>say({event:'refused',reason:e.code||e.message}));s.listen(8200,()=>say({event:'listening'}))`;
      const rogue = probes.start({
        namespace: 'openbao',
        serviceAccount: 'rogue',
        labels: { 'app.kubernetes.io/name': 'openbao', component: 'server', 'zt-demo.test/rogue': 'true' },
        // the backend's image: it has Node.js and is on every node (the plain Node.js image is only in the engine)
        image: kubectl(['-n', '99-apps', 'get', 'deployment', 'backend', '-o', 'jsonpath={.spec.template.spec.containers[0].image}']).stdout.trim(),
        command: ['node', '-e', server],
        env: { CERT: fake.certPem, KEY: fake.keyPem },
      });
      const events = (): Array<{ event: string; reason?: string }> =>
        kubectl(['-n', 'openbao', 'logs', rogue]).stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line));
      await eventually('the rogue server listening', () => (events().some((e) => e.event === 'listening') ? true : undefined), 120_000);
      const token = login('terry', 'terry99');
      const since = new Date().toISOString();
      // The Service then selects the rogue pod alone: its label instead of the chart's instance label.
      const rogueLabel = { path: '/spec/selector/zt-demo.test~1rogue', value: 'true' };
      const instanceLabel = { path: '/spec/selector/app.kubernetes.io~1instance', value: 'openbao' };
      const swap = (op: 'add' | 'remove') => {
        const [gone, added] = op === 'add' ? [instanceLabel, rogueLabel] : [rogueLabel, instanceLabel];
        return kubectl(['-n', 'openbao', 'patch', 'service', 'openbao', '--type=json', '-p', JSON.stringify([{ op: 'remove', path: gone.path }, { op: 'add', ...added }])]);
      };
      expect(swap('add').status).toBe(0);
      try {
        // Idle connections to the real OpenBao close after 10 s; then each rotation dials anew.
        const refused = await eventually('the backend meeting the rogue server', () => {
          const answer = backendCall('POST', '/api/security/rotate', undefined, token);
          return answer.status === 503 && events().some((e) => e.event === 'refused') ? answer : undefined;
        }, 180_000, 5_000);
        expect(refused.status).toBe(503);
        const seen = events();
        console.log(`rogue OpenBao: ${seen.filter((e) => e.event === 'refused').length} handshakes refused by the backend (${[...new Set(seen.map((e) => e.reason).filter(Boolean))].join(', ')})`);
        expect(seen.filter((e) => e.event === 'completed' || e.event === 'data')).toEqual([]); // no request: no token, no JWT-SVID
        const log = kubectl(['-n', '99-apps', 'logs', '-l', 'app.kubernetes.io/name=backend', '-c', 'backend', `--since-time=${since}`, '--tail=-1']).stdout; // both replicas
        expect(log).toMatch(/OpenBao's TLS certificate was refused \(self[- ]signed certificate/);
      } finally {
        expect(swap('remove').status).toBe(0);
        // gone before anything else looks for OpenBao's pods by their labels
        kubectl(['-n', 'openbao', 'delete', 'pod', rogue, '--wait=true', '--timeout=60s'], { timeoutMs: 90_000 });
      }
      // the real OpenBao again: the backend rotates as before
      await eventually('a rotation against the real OpenBao', () => (backendCall('POST', '/api/security/rotate', undefined, token).status === 200 ? true : undefined), 120_000, 5_000);
    }, 600_000);
  });
}
