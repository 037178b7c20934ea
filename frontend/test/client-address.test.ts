import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { peerAddressAsForwardedFor } from '@/lib/client-address';

/** A real server and real connections from two loopback addresses: what the handler sees as X-Forwarded-For. */
describe('peerAddressAsForwardedFor', () => {
  let server: Server;
  let port: number;

  beforeAll(async () => {
    peerAddressAsForwardedFor();
    server = createServer((req, res) => res.end(String(req.headers['x-forwarded-for'])));
    await new Promise<void>((done) => server.listen(0, '0.0.0.0', done));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((done) => server.close(() => done())));

  const seen = (from: string, headers: Record<string, string> = {}): Promise<string> =>
    new Promise((resolve, reject) => {
      const req = request({ host: '127.0.0.1', port, localAddress: from, headers }, (res) => {
        let body = '';
        res.on('data', (chunk) => (body += chunk));
        res.on('end', () => resolve(body));
      });
      req.on('error', reject).end();
    });

  it("replaces a client's own X-Forwarded-For with the address it connected from", async () => {
    expect(await seen('127.0.0.2', { 'x-forwarded-for': '203.0.113.9' })).toBe('127.0.0.2');
    expect(await seen('127.0.0.3', { 'x-forwarded-for': '203.0.113.9, 127.0.0.1' })).toBe('127.0.0.3');
  });

  it('sets it when the client sent none', async () => {
    expect(await seen('127.0.0.4')).toBe('127.0.0.4');
  });
});
