import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcTarget, isTransientWorkloadError, WorkloadApiClient, workloadPackageDefinition, X509Source, type X509Svid } from '../src/index.ts';
import { createCa, issueSvid, type TestCa } from '../src/testing.ts';

// A stand-in Workload API server on a unix socket, only to unit-test the client's side of the
// protocol; the chain and kind suites use the real SPIRE agent.
const BACKEND = 'spiffe://demo.local/ns/99-apps/sa/backend';
const FRONTEND = 'spiffe://demo.local/ns/99-apps/sa/frontend';
const unsignedJwt = (claims: object) => `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
const seen: Array<{ header: string | undefined; audience: string[]; spiffeId: string }> = [];
const x509Headers: Array<string | undefined> = [];
let dir: string;
let server: grpc.Server;
let socket: string;
let ca: TestCa;
/** The open FetchX509SVID streams; a test pushes messages into them. */
const streams = new Set<grpc.ServerWritableStream<unknown, unknown>>();

function x509Message(spiffeId: string, dnsNames: string[] = []) {
  const leaf = issueSvid(ca, spiffeId, { dnsNames });
  return { spiffeId, x509Svid: leaf.certDer, x509SvidKey: leaf.keyDer, bundle: ca.certDer, hint: spiffeId.split('/').at(-1) };
}

const waitFor = async (condition: () => boolean, ms = 5_000): Promise<void> => {
  const until = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > until) throw new Error('timed out');
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
};

beforeAll(async () => {
  ca = createCa('demo.local');
  dir = mkdtempSync(join(tmpdir(), 'wl-'));
  socket = `unix://${join(dir, 'agent.sock')}`;
  const Service = grpc.loadPackageDefinition(workloadPackageDefinition()).SpiffeWorkloadAPI as grpc.ServiceClientConstructor;
  server = new grpc.Server();
  server.addService(Service.service, {
    FetchJWTSVID: (call: grpc.ServerUnaryCall<{ audience: string[]; spiffeId: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const header = call.metadata.get('workload.spiffe.io')[0] as string | undefined;
      seen.push({ header, audience: call.request.audience, spiffeId: call.request.spiffeId });
      if (header !== 'true') return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'security header missing' });
      const exp = Math.floor(Date.now() / 1000) + 300;
      // both identities of a shared uid come back; the client must pick its own
      callback(null, { svids: [
        { spiffeId: FRONTEND, svid: unsignedJwt({ sub: 'frontend', exp }) },
        { spiffeId: BACKEND, svid: unsignedJwt({ sub: BACKEND, exp }) },
      ] });
    },
    FetchX509SVID: (call: grpc.ServerWritableStream<unknown, unknown>) => {
      x509Headers.push(call.metadata.get('workload.spiffe.io')[0] as string | undefined);
      streams.add(call);
      call.on('cancelled', () => streams.delete(call));
      call.write({ svids: [x509Message(FRONTEND), x509Message(BACKEND, ['localhost'])] });
    },
  });
  await new Promise<void>((ok, ko) => server.bindAsync(socket, grpc.ServerCredentials.createInsecure(), (error) => (error ? ko(error) : ok())));
});

afterAll(() => {
  server.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe('WorkloadApiClient: JWT-SVIDs', () => {
  it('sends the security header, asks for its SPIFFE ID and audience, and picks its own SVID', async () => {
    const client = new WorkloadApiClient(socket);
    const svid = await client.fetchJwtSvid('openbao', BACKEND);
    client.close();
    expect(seen.at(-1)).toEqual({ header: 'true', audience: ['openbao'], spiffeId: BACKEND });
    expect(svid.spiffeId).toBe(BACKEND);
    expect(svid.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('fails fast with a retryable error when no agent listens', async () => {
    const client = new WorkloadApiClient(`unix://${join(dir, 'nobody.sock')}`, 500);
    const error = await client.fetchJwtSvid('openbao', BACKEND).catch((e) => e);
    client.close();
    expect(isTransientWorkloadError(error)).toBe(true);
  });

  it('turns SPIFFE_ENDPOINT_SOCKET into a gRPC target', () => {
    expect(grpcTarget('unix:///run/spire/agent.sock')).toBe('unix:///run/spire/agent.sock');
    expect(grpcTarget('tcp://127.0.0.1:8081')).toBe('127.0.0.1:8081');
    expect(() => grpcTarget('http://x')).toThrow(/unsupported/);
  });
});

describe('X509Source: the X.509-SVID stream', () => {
  it('keeps its own SVID of several, as PEM, with the bundle, and the security header was sent', async () => {
    const source = new X509Source(socket, BACKEND).start();
    const svid = await source.ready(5_000);
    source.close();
    expect(x509Headers.at(-1)).toBe('true');
    expect(svid.spiffeId).toBe(BACKEND);
    expect(svid.hint).toBe('backend');
    expect(svid.dnsNames).toEqual(['localhost']);
    expect(svid.certChainPem).toMatch(/^-----BEGIN CERTIFICATE-----\n/);
    expect(svid.keyPem).toMatch(/^-----BEGIN PRIVATE KEY-----\n/);
    expect(svid.bundlePem).toBe(ca.certPem.replace(/\r/g, ''));
    expect(svid.expiresAt.getTime()).toBeGreaterThan(Date.now());
  });

  it('switches to a renewed SVID in place and tells its listeners, without reconnecting', async () => {
    const source = new X509Source(socket, BACKEND).start();
    const first = await source.ready(5_000);
    const updates: X509Svid[] = [];
    source.onUpdate((svid) => updates.push(svid));
    const connections = x509Headers.length;
    for (const stream of streams) stream.write({ svids: [x509Message(BACKEND)] });
    await waitFor(() => updates.length === 1);
    expect(updates[0]!.serial).not.toBe(first.serial);
    expect(source.current()?.serial).toBe(updates[0]!.serial);
    expect(source.status()).toMatchObject({ ok: true, renewals: 1 });
    expect(x509Headers.length).toBe(connections);
    // a caller that waits for the source after a renewal gets the renewed SVID, not the first
    expect((await source.ready(5_000)).serial).toBe(updates[0]!.serial);
    source.close();
  });

  it('keeps the SVID it has when a message lacks its identity, and says why', async () => {
    const source = new X509Source(socket, BACKEND).start();
    const first = await source.ready(5_000);
    for (const stream of streams) stream.write({ svids: [x509Message(FRONTEND)] });
    await waitFor(() => source.status().lastError !== undefined);
    expect(source.current()?.serial).toBe(first.serial);
    expect(source.status().lastError).toMatch(/no X.509-SVID for .*backend/);
    source.close();
  });

  it('refuses a certificate whose SPIFFE ID is not the one the message names', async () => {
    const source = new X509Source(socket, BACKEND).start();
    const first = await source.ready(5_000);
    const forged = { ...x509Message(FRONTEND), spiffeId: BACKEND };
    for (const stream of streams) stream.write({ svids: [forged] });
    await waitFor(() => source.status().lastError !== undefined);
    expect(source.status().lastError).toMatch(/names spiffe:\/\/demo.local\/ns\/99-apps\/sa\/frontend/);
    expect(source.current()?.serial).toBe(first.serial);
    source.close();
  });

  it('reconnects when the stream breaks, and says why it has no SVID while no agent answers', async () => {
    const source = new X509Source(socket, BACKEND).start();
    await source.ready(5_000);
    const connections = x509Headers.length;
    for (const stream of streams) stream.end(); // the agent went away
    await waitFor(() => x509Headers.length > connections, 10_000);
    source.close();

    const nobody = new X509Source(`unix://${join(dir, 'nobody.sock')}`, BACKEND).start();
    await expect(nobody.ready(1_500)).rejects.toThrow(/no X.509-SVID for spiffe:\/\/demo.local\/ns\/99-apps\/sa\/backend within 1.5s \(.+\)/);
    nobody.close();
  });
});
