import { once } from 'node:events';
import { createServer, request } from 'node:https';
import type { AddressInfo } from 'node:net';
import { clientTlsOptions, UnexpectedSpiffeIdError, x509SvidFromMessage, type X509Svid, type X509SvidProvider } from '@zt-demo/spiffe';
import { createCa, issueSvid, type TestCa } from '@zt-demo/spiffe/testing';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createLogger } from '../../src/common/logger.js';
import { HealthServer } from '../../src/health/health-server.js';
import { clientAddress } from '../../src/tls/client-address.js';
import { isTlsRefusal } from '../../src/tls/tls-errors.js';
import { WorkloadTls } from '../../src/tls/workload-tls.js';

const BACKEND = 'spiffe://demo.local/ns/99-apps/sa/backend';
const FRONTEND = 'spiffe://demo.local/ns/99-apps/sa/frontend';
const OPENBAO = 'spiffe://demo.local/ns/openbao/sa/openbao';
const POSTGRES = 'spiffe://demo.local/ns/data/sa/postgres';
const logger = createLogger('silent');
let ca: TestCa;

const svidFor = (spiffeId: string): X509Svid => {
  const leaf = issueSvid(ca, spiffeId, { dnsNames: ['localhost'] });
  return x509SvidFromMessage({ spiffeId, x509Svid: leaf.certDer, x509SvidKey: leaf.keyDer, bundle: ca.certDer });
};

/** A stand-in for the Workload API stream: a test pushes renewals into it. */
class FakeSource implements X509SvidProvider {
  private listeners: Array<(svid: X509Svid) => void> = [];
  constructor(private svid: X509Svid) {}
  current(): X509Svid {
    return this.svid;
  }
  onUpdate(listener: (svid: X509Svid) => void): () => void {
    this.listeners.push(listener);
    return () => {};
  }
  renew(svid: X509Svid): void {
    this.svid = svid;
    for (const listener of this.listeners) listener(svid);
  }
}

beforeAll(() => {
  ca = createCa('demo.local');
});

describe('WorkloadTls: the API listener', () => {
  let source: FakeSource;
  let tls: WorkloadTls;
  let port: number;
  const refused: Array<string | undefined> = [];
  let server: ReturnType<typeof createServer>;

  beforeAll(async () => {
    source = new FakeSource(svidFor(BACKEND));
    tls = new WorkloadTls(source, { openbao: OPENBAO, postgres: POSTGRES, apiClients: [FRONTEND] }, logger);
    server = createServer(tls.apiServerOptions(), (req, res) => res.end(WorkloadTls.callerOf(req.socket).spiffeId ?? 'none'));
    tls.guardApiServer(server, (peer) => refused.push(peer));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => server.close());

  const get = (client: X509Svid): Promise<{ body?: string; serverSerial?: string; error?: string }> =>
    new Promise((resolve) => {
      const req = request({ host: '127.0.0.1', port, path: '/', agent: false, ...clientTlsOptions(client, BACKEND) }, (res) => {
        const serverSerial = (res.socket as import('node:tls').TLSSocket).getPeerCertificate().serialNumber;
        let body = '';
        res.on('data', (chunk) => (body += chunk)).on('end', () => resolve({ body, serverSerial }));
      });
      req.on('error', (error) => resolve({ error: error.message })).end();
    });

  it('serves an admitted client, and tells the handler who it is', async () => {
    expect((await get(svidFor(FRONTEND))).body).toBe(FRONTEND);
  });

  it('cuts off a verified client with another SPIFFE ID before any HTTP, and reports it', async () => {
    const result = await get(svidFor('spiffe://demo.local/ns/99-apps/sa/impostor'));
    expect(result.body).toBeUndefined();
    expect(result.error).toBeDefined();
    expect(refused).toContain('spiffe://demo.local/ns/99-apps/sa/impostor');
  });

  it('presents a renewed SVID on the next handshake, without restarting, and makes a new OpenBao agent', async () => {
    const before = await get(svidFor(FRONTEND));
    const agent = tls.openbaoAgent();
    const renewed = svidFor(BACKEND);
    source.renew(renewed);
    const after = await get(svidFor(FRONTEND));
    expect(before.serverSerial).not.toBe(after.serverSerial);
    expect(after.serverSerial).toBe(renewed.serial);
    expect(tls.openbaoAgent()).not.toBe(agent);
    expect(tls.ownSvid()).toMatchObject({ spiffeId: BACKEND, serial: renewed.serial, renewals: 1 });
  });

  it("hands PostgreSQL connections the bundle of the moment, and accepts only PostgreSQL's SPIFFE ID", () => {
    const ssl = tls.postgresSsl() as { ca: string; checkServerIdentity: (host: string, cert: object) => Error | undefined };
    expect(ssl.ca).toBe(source.current().bundlePem);
    expect(ssl.checkServerIdentity('127.0.0.1', { subjectaltname: `URI:${POSTGRES}`, serialNumber: '01', valid_to: 'Jan  1 00:00:00 2099 GMT' })).toBeUndefined();
    expect(ssl.checkServerIdentity('127.0.0.1', { subjectaltname: `URI:${OPENBAO}` })).toBeInstanceOf(UnexpectedSpiffeIdError);
    expect(tls.peers.get('postgres')?.spiffeId).toBe(POSTGRES);
  });
});

describe('clientAddress', () => {
  it("takes X-Forwarded-For from the frontend's connection only", () => {
    expect(clientAddress('10.0.0.5', FRONTEND, FRONTEND, '203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.5', FRONTEND, FRONTEND, '198.51.100.1, 203.0.113.7')).toBe('203.0.113.7');
    expect(clientAddress('10.0.0.5', 'spiffe://demo.local/tests/api-client', FRONTEND, '203.0.113.7')).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', undefined, FRONTEND, '203.0.113.7')).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', FRONTEND, FRONTEND, 'not-an-address')).toBe('10.0.0.5');
    expect(clientAddress('10.0.0.5', FRONTEND, FRONTEND, undefined)).toBe('10.0.0.5');
  });
});

describe('isTlsRefusal', () => {
  it('knows a refused certificate from other failures', () => {
    for (const code of ['DEPTH_ZERO_SELF_SIGNED_CERT', 'SELF_SIGNED_CERT_IN_CHAIN', 'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'CERT_HAS_EXPIRED', 'ERR_TLS_CERT_ALTNAME_INVALID']) {
      expect(isTlsRefusal(Object.assign(new Error('x'), { code })), code).toBe(true);
    }
    expect(isTlsRefusal(new UnexpectedSpiffeIdError(OPENBAO, [POSTGRES]))).toBe(true);
    for (const code of ['ECONNREFUSED', 'ECONNRESET', '57P01', undefined]) expect(isTlsRefusal(Object.assign(new Error('x'), { code })), String(code)).toBe(false);
  });
});

describe('HealthServer', () => {
  it('is alive and not ready before the application exists, and serves nothing but its three paths', async () => {
    const health = new HealthServer(logger);
    await health.listen(0, '127.0.0.1');
    const port = ((health as unknown as { server: import('node:http').Server }).server.address() as AddressInfo).port;
    const url = (path: string) => `http://127.0.0.1:${port}${path}`;
    expect((await fetch(url('/api/health/live'))).status).toBe(200);
    expect(await (await fetch(url('/api/health/ready'))).json()).toEqual({ status: 'unavailable', checks: { identity: 'unavailable' } });
    expect((await fetch(url('/api/auth/me'))).status).toBe(404);
    expect((await fetch(url('/api/health/live'), { method: 'POST' })).status).toBe(405);
    health.close();
  });
});
