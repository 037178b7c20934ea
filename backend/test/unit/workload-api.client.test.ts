import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import * as grpc from '@grpc/grpc-js';
import * as protoLoader from '@grpc/proto-loader';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { grpcTarget, isTransientWorkloadError, WorkloadApiClient } from '../../src/identity/workload-api.client.js';

// A stand-in Workload API server on a unix socket, only to unit-test the client's side of the
// protocol; the chain tests use the real SPIRE agent.
const BACKEND = 'spiffe://demo.local/ns/99-apps/sa/backend';
const unsignedJwt = (claims: object) => `${Buffer.from('{"alg":"ES256"}').toString('base64url')}.${Buffer.from(JSON.stringify(claims)).toString('base64url')}.sig`;
const seen: Array<{ header: string | undefined; audience: string[]; spiffeId: string }> = [];
let dir: string;
let server: grpc.Server;
let socket: string;

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'wl-'));
  socket = `unix://${join(dir, 'agent.sock')}`;
  const definition = protoLoader.loadSync(resolve(import.meta.dirname, '../../proto/workload.proto'), { keepCase: false, defaults: true });
  const Service = grpc.loadPackageDefinition(definition).SpiffeWorkloadAPI as grpc.ServiceClientConstructor;
  server = new grpc.Server();
  server.addService(Service.service, {
    FetchJWTSVID: (call: grpc.ServerUnaryCall<{ audience: string[]; spiffeId: string }, unknown>, callback: grpc.sendUnaryData<unknown>) => {
      const header = call.metadata.get('workload.spiffe.io')[0] as string | undefined;
      seen.push({ header, audience: call.request.audience, spiffeId: call.request.spiffeId });
      if (header !== 'true') return callback({ code: grpc.status.INVALID_ARGUMENT, details: 'security header missing' });
      const exp = Math.floor(Date.now() / 1000) + 300;
      // both identities of a shared uid come back; the client must pick its own
      callback(null, { svids: [
        { spiffeId: 'spiffe://demo.local/ns/99-apps/sa/frontend', svid: unsignedJwt({ sub: 'frontend', exp }) },
        { spiffeId: BACKEND, svid: unsignedJwt({ sub: BACKEND, exp }) },
      ] });
    },
  });
  await new Promise<void>((ok, ko) => server.bindAsync(socket, grpc.ServerCredentials.createInsecure(), (error) => (error ? ko(error) : ok())));
});

afterAll(() => {
  server.forceShutdown();
  rmSync(dir, { recursive: true, force: true });
});

describe('WorkloadApiClient', () => {
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
});

describe('grpcTarget', () => {
  it.each([
    ['unix:///run/spire/agent.sock', 'unix:///run/spire/agent.sock'],
    ['tcp://127.0.0.1:8081', '127.0.0.1:8081'],
  ])('%s -> %s', (endpoint, target) => expect(grpcTarget(endpoint)).toBe(target));
  it('refuses anything else', () => expect(() => grpcTarget('/run/agent.sock')).toThrow(/unsupported/));
});
