/**
 * Every hop is TLS with SPIRE's X.509-SVIDs, verified by SPIFFE ID, and the tests try to break it
 * the way an attacker would, against the real processes of the local stack:
 * - plain text to OpenBao, PostgreSQL and the backend's API is refused;
 * - the backend's API admits the frontend (and, in the test stack, the tests' own client) only: a
 *   valid SVID of the same SPIRE for another SPIFFE ID, a certificate from a second trust domain,
 *   no certificate at all: all refused; the frontend's X-Forwarded-For is believed, no one else's;
 * - a server SPIRE never vouched for, on the address the backend dials for OpenBao or PostgreSQL,
 *   gets no token and no password: the backend (and OpenBao) refuse it, and the log says why;
 * - every certificate (OpenBao's, PostgreSQL's, the backend's, the frontend's) is renewed at
 *   least twice while load runs: no failed request, no restart, OpenBao never sealed.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { clientTlsOptions, peerSpiffeId, type X509Svid } from '@zt-demo/spiffe';
import { createCa, issueSvid } from '@zt-demo/spiffe/testing';
import pg from 'pg';
import { Agent, fetch as undiciFetch } from 'undici';
import { beforeAll, describe, expect, it } from 'vitest';
import { mintSvid, postgresSsl, trustBundle } from '../lib/api-identity.ts';
import { api, login, startLoad, uniqueName } from '../lib/backend.ts';
import { identity } from '../lib/identity.ts';
import { bao, loadStackEnv, rootToken, runAs, type StackEnv } from '../lib/stack.ts';
import { runScript } from '../lib/test-stack.ts';
import { plainExchange, serverCertificate, startRogueServer } from '../lib/tls-probes.ts';

let env: StackEnv;
let backendPort: number;
let baoPort: number;
let pgPort: number;

beforeAll(() => {
  env = loadStackEnv();
  backendPort = Number(env.ZT_BACKEND_PORT);
  baoPort = Number(env.ZT_BAO_PORT);
  pgPort = Number(env.ZT_PG_PORT);
});

const backendLog = (): Array<Record<string, any>> =>
  readFileSync(join(env.ZT_LOG_DIR!, 'backend.log'), 'utf8')
    .split('\n')
    .filter((line) => line.startsWith('{'))
    .map((line) => JSON.parse(line) as Record<string, any>);
const pidOf = (name: string): string => readFileSync(join(env.ZT_RUN_DIR!, `${name}.pid`), 'utf8').trim();

/** One call to the backend's API over TLS as `client` (or with no client certificate). */
async function callAs(client: X509Svid | undefined, path = '/api/health/live', headers: Record<string, string> = {}, method = 'GET', body?: string): Promise<{ status?: number; text?: string; error?: string }> {
  const connect = client ? clientTlsOptions(client, identity.spiffeIds.backend) : { ca: trustBundle(env), checkServerIdentity: () => undefined };
  const agent = new Agent({ connect });
  try {
    const response = await undiciFetch(`${env.ZT_BACKEND_URL}${path}`, { method, headers, body, dispatcher: agent, signal: AbortSignal.timeout(5_000) });
    return { status: response.status, text: await response.text() };
  } catch (error) {
    const cause = (error as { cause?: { code?: string; message?: string } }).cause;
    return { error: `${cause?.code ?? ''} ${cause?.message ?? (error as Error).message}` };
  } finally {
    await agent.close();
  }
}

describe('plain text is refused on every hop', () => {
  it('OpenBao answers plain HTTP with an error and nothing else; over TLS it presents its SPIFFE ID, chained to the SPIRE bundle', async () => {
    const plain = await plainExchange('127.0.0.1', baoPort, 'GET /v1/sys/health HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(plain.answer).toMatch(/^HTTP\/1\.[01] 400 /);
    expect(plain.answer).toContain('Client sent an HTTP request to an HTTPS server');
    expect(plain.answer).not.toContain('"initialized"');
    const cert = await serverCertificate('127.0.0.1', baoPort, trustBundle(env));
    expect(peerSpiffeId(cert)).toBe(identity.spiffeIds.openbao);
    for (const name of identity.x509Svid.dnsNames.openbao) expect(cert.subjectaltname).toContain(`DNS:${name}`);
  });

  it('PostgreSQL refuses a connection without TLS before any password is asked; over TLS it proves its SPIFFE ID', async () => {
    const plain = new pg.Client({ host: '127.0.0.1', port: pgPort, user: identity.database.adminUser, password: 'not-even-the-password', database: identity.database.name, ssl: false });
    await expect(plain.connect()).rejects.toThrow(/pg_hba\.conf rejects connection .* no encryption/);
    const cert = await serverCertificate('127.0.0.1', pgPort, trustBundle(env), true);
    expect(peerSpiffeId(cert)).toBe(identity.spiffeIds.postgres);
    // and a verified client gets as far as the password check (the rule admits TLS connections)
    const verified = new pg.Client({ host: '127.0.0.1', port: pgPort, user: identity.database.adminUser, password: 'wrong', database: identity.database.name, ssl: postgresSsl(env) });
    await expect(verified.connect()).rejects.toThrow(/password authentication failed/);
  });

  it("the backend's API gives a plain HTTP client no answer at all", async () => {
    const plain = await plainExchange('127.0.0.1', backendPort, 'GET /api/health/live HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n');
    expect(plain.closed).toBe(true);
    expect(plain.answer).not.toMatch(/^HTTP\//);
  });

  it('the plain port serves health checks and metrics only: no API route, no other method', async () => {
    const health = env.ZT_BACKEND_HEALTH_URL!;
    expect((await fetch(`${health}/api/health/live`)).status).toBe(200);
    expect((await fetch(`${health}/api/health/ready`)).status).toBe(200);
    expect(await (await fetch(`${health}/metrics`)).text()).toContain('zt_db_pool_generation');
    for (const path of ['/api/auth/me', '/api/openapi.json', '/api/security/status', '/']) expect((await fetch(`${health}${path}`)).status, path).toBe(404);
    const post = await fetch(`${health}/api/health/ready`, { method: 'POST', body: '{}' });
    expect(post.status).toBe(405);
    expect(((await post.json()) as { error: { code: string } }).error.code).toBe('method_not_allowed');
  });
});

describe("the backend's API admits only the identities it should", () => {
  it('refuses a client without a certificate in the TLS handshake', async () => {
    const result = await callAs(undefined);
    expect(result.status).toBeUndefined();
    expect(result.error).toMatch(/certificate required|ECONNRESET|socket|closed/i);
  });

  it('refuses a valid X.509-SVID of the same SPIRE for another SPIFFE ID, and logs who it was', async () => {
    const impostor = mintSvid(env, identity.testIdentities.impostor);
    const since = new Date().toISOString();
    const result = await callAs(impostor, '/api/auth/login', { 'content-type': 'application/json' }, 'POST', JSON.stringify({ username: 'jake', password: 'jake99' }));
    expect(result.status).toBeUndefined();
    await expect.poll(() => backendLog().filter((line) => line.event === 'api_client_refused' && line.time >= since).map((line) => line.spiffeId)).toContain(identity.testIdentities.impostor);
    // the backend's own SPIFFE ID is no client either
    expect((await callAs(mintSvid(env, identity.spiffeIds.backend))).status).toBeUndefined();
  });

  it('refuses certificates from a second trust domain, even one naming the frontend', async () => {
    const evil = createCa('evil.example');
    for (const spiffeId of ['spiffe://evil.example/ns/99-apps/sa/frontend', identity.spiffeIds.frontend]) {
      const leaf = issueSvid(evil, spiffeId);
      const forged: X509Svid = { ...mintSvid(env, identity.spiffeIds.frontend), certChainPem: leaf.certPem, keyPem: leaf.keyPem };
      const result = await callAs(forged);
      expect(result.status, spiffeId).toBeUndefined();
    }
  });

  it("believes the frontend's X-Forwarded-For, and no one else's", async () => {
    const username = uniqueName('forwarded');
    const attempt = async (as: X509Svid | undefined, forwarded: string) => {
      if (as) await callAs(as, '/api/auth/login', { 'content-type': 'application/json', 'x-forwarded-for': forwarded }, 'POST', JSON.stringify({ username, password: 'wrong-password' }));
      else await api(env, 'POST', '/api/auth/login', { body: { username, password: 'wrong-password' }, headers: { 'x-forwarded-for': forwarded } });
    };
    await attempt(mintSvid(env, identity.spiffeIds.frontend), '203.0.113.7');
    await attempt(undefined, '203.0.113.8'); // the tests' own client: admitted, but no proxy
    const clients = backendLog().filter((line) => line.event === 'sign_in_failed' && line.username === username).map((line) => line.client);
    expect(clients).toEqual(['203.0.113.7', '127.0.0.1']);
  });
});

describe('servers SPIRE never vouched for get no secret', () => {
  it('a self-signed "OpenBao" on its address: the backend sends it no token, fails the rotation, and says why', async () => {
    const admin = await login(env, 'terry');
    const fake = issueSvid(undefined, identity.spiffeIds.openbao, { dnsNames: ['localhost'] });
    const baoPid = Number(pidOf('openbao'));
    process.kill(baoPid, 'SIGKILL');
    await expect.poll(() => plainExchange('127.0.0.1', baoPort, '').then(() => 'listening', () => 'free'), { timeout: 5_000 }).toBe('free');
    const rogue = await startRogueServer('127.0.0.1', baoPort, fake.certPem, fake.keyPem);
    try {
      const since = new Date().toISOString();
      const rotated = await api(env, 'POST', '/api/security/rotate', { token: admin });
      expect(rotated.status).toBe(503);
      expect(rogue.handshakes).toBeGreaterThan(0);
      expect(rogue.completed).toBe(0);
      expect(rogue.received).toEqual([]); // no request, so no X-Vault-Token and no JWT-SVID
      const failed = backendLog().filter((line) => line.event === 'rotation_failed' && line.time >= since);
      expect(JSON.stringify(failed)).toMatch(/OpenBao's TLS certificate was refused \(self[- ]signed certificate/);
    } finally {
      await rogue.close();
      const rerun = runScript('setup.sh', ['--local']);
      expect(rerun.status, rerun.stderr).toBe(0);
    }
    expect((await api(env, 'POST', '/api/security/rotate', { token: admin })).status).toBe(200);
  });

  it('a "PostgreSQL" with a certificate from another CA: neither the backend nor OpenBao sends it a user name or password', async () => {
    const admin = await login(env, 'gina');
    const otherCa = createCa(identity.trustDomain); // same trust domain name, not SPIRE's key
    const fake = issueSvid(otherCa, identity.spiffeIds.postgres, { dnsNames: identity.x509Svid.dnsNames.postgres });
    const stopped = runAs(env.ZT_PG_USER!, [`${env.ZT_PG_BIN}/pg_ctl`, '-D', `${env.ZT_PG_DIR}/data`, '-m', 'fast', '-w', 'stop']);
    expect(stopped.status, stopped.stderr).toBe(0);
    const rogue = await startRogueServer('127.0.0.1', pgPort, fake.certPem, fake.keyPem, true);
    try {
      const since = new Date().toISOString();
      const me = await api(env, 'GET', '/api/auth/me', { token: admin });
      expect(me.status).toBe(503);
      const log = backendLog().filter((line) => line.time >= since && line.event === 'service_unavailable');
      expect(log.map((line) => line.cause)).toContainEqual(expect.stringMatching(/^database: PostgreSQL's TLS certificate was refused: unable to verify/));
      // OpenBao's database plugin (sslmode=verify-full against the SPIRE bundle) refuses it too
      const issued = await bao(env, 'GET', `${identity.database.secretsMount}/creds/${identity.database.role}`, rootToken(env));
      expect(issued.status).toBe(500);
      expect(JSON.stringify(issued.body)).toMatch(/certificate signed by unknown authority|failed to verify certificate/);
      expect(rogue.handshakes).toBeGreaterThanOrEqual(2); // the backend's pool, and OpenBao's database plugin
      expect(rogue.completed).toBe(0);
      expect(rogue.received).toEqual([]); // no startup message (user name), no password
    } finally {
      await rogue.close();
      const rerun = runScript('setup.sh', ['--local']);
      expect(rerun.status, rerun.stderr).toBe(0);
    }
    await expect.poll(async () => (await api(env, 'GET', '/api/auth/me', { token: admin })).status, { timeout: 30_000 }).toBe(200);
  });
});

describe('every certificate renews under load, with no restart and no failed request', () => {
  it("OpenBao's, PostgreSQL's, the backend's and the frontend's: each at least twice", async () => {
    const ttlS = Number(/^(\d+)m$/.exec(env.ZT_X509_SVID_TTL!)?.[1] ?? 0) * 60 || Number(/^(\d+)s$/.exec(env.ZT_X509_SVID_TTL!)?.[1]);
    expect(ttlS, 'the test stack runs with short X.509-SVIDs').toBeLessThanOrEqual(120);
    const pids = { openbao: pidOf('openbao'), backend: pidOf('backend'), frontend: pidOf('frontend'), postgres: readFileSync(join(env.ZT_PG_DIR!, 'data', 'postmaster.pid'), 'utf8').split('\n')[0] };
    const tokens = await Promise.all(['jake', 'amy', 'rosa', 'charles'].map((user) => login(env, user)));
    const admin = await login(env, 'terry');
    // a database session opened before the renewals must still work after them
    const session = new pg.Client({ host: '127.0.0.1', port: pgPort, user: 'postgres', database: identity.database.name, password: readFileSync(join(env.ZT_SECRETS_DIR!, 'pg-superuser-password'), 'utf8').trim(), ssl: postgresSsl(env) });
    await session.connect();
    const seen = { openbao: new Set<string>(), postgres: new Set<string>(), backend: new Set<string>(), frontend: new Set<string>() };
    const failures: string[] = [];
    let consoleCalls = 0;
    const load = startLoad(env, tokens, 6);
    const deadline = Date.now() + 6 * ttlS * 1000;
    try {
      while (Date.now() < deadline && Object.values(seen).some((serials) => serials.size < 3)) {
        // the frontend -> backend hop, as a browser makes the frontend use it: the console's data
        const answer = await fetch(`${env.ZT_FRONTEND_URL}/api/console`, { headers: { cookie: `zt_session=${admin}` } });
        consoleCalls++;
        if (answer.status !== 200) failures.push(`console ${answer.status} ${await answer.text()}`);
        else {
          const data = (await answer.json()) as { frontend: { svid: { serial: string } | null }; status: { tls: { svid: { serial: string } } } };
          if (data.frontend.svid) seen.frontend.add(data.frontend.svid.serial);
          seen.backend.add(data.status.tls.svid.serial);
        }
        seen.openbao.add((await serverCertificate('127.0.0.1', baoPort, trustBundle(env))).serialNumber);
        seen.postgres.add((await serverCertificate('127.0.0.1', pgPort, trustBundle(env), true)).serialNumber);
        const health = await bao(env, 'GET', 'sys/health', undefined);
        if (health.status !== 200) failures.push(`OpenBao health ${health.status}: sealed or down`);
        await new Promise((resolve) => setTimeout(resolve, 2_000));
      }
    } finally {
      const result = await load.stop();
      expect(result.failures, JSON.stringify(result.failures.slice(0, 3))).toEqual([]);
      expect(result.requests).toBeGreaterThan(100);
    }
    expect(failures).toEqual([]);
    expect(consoleCalls).toBeGreaterThan(5);
    for (const [name, serials] of Object.entries(seen)) expect(serials.size, `${name}: certificates seen ${[...serials].join(', ')}`).toBeGreaterThanOrEqual(3);
    expect((await session.query('SELECT 1 AS alive')).rows[0].alive).toBe(1);
    await session.end();
    expect({ openbao: pidOf('openbao'), backend: pidOf('backend'), frontend: pidOf('frontend'), postgres: readFileSync(join(env.ZT_PG_DIR!, 'data', 'postmaster.pid'), 'utf8').split('\n')[0] }).toEqual(pids);
    // what the backend saw of its peers is what they present now
    const status = (await api(env, 'GET', '/api/security/status', { token: admin })).body;
    expect(status.tls.peers.openbao.spiffe_id).toBe(identity.spiffeIds.openbao);
    expect(status.tls.peers.postgres.spiffe_id).toBe(identity.spiffeIds.postgres);
    expect(status.tls.svid.renewals).toBeGreaterThanOrEqual(2);
    expect((await bao(env, 'GET', 'sys/seal-status', rootToken(env))).body.sealed).toBe(false);
  });
});
