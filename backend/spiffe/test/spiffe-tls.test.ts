import { once } from 'node:events';
import type { AddressInfo } from 'node:net';
import { connect, createServer, type TLSSocket } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clientTlsOptions, peerSpiffeId, serverTlsOptions, splitDer, x509SvidFromMessage, type X509Svid } from '../src/index.ts';
import { createCa, issueSvid, type TestCa } from '../src/testing.ts';

// Real TLS handshakes on loopback between the helpers' options, with certificates from a test CA.
const BACKEND = 'spiffe://demo.local/ns/99-apps/sa/backend';
const FRONTEND = 'spiffe://demo.local/ns/99-apps/sa/frontend';
let ca: TestCa;

function svid(issuer: TestCa | undefined, spiffeId: string, bundle: TestCa = ca): X509Svid {
  const leaf = issueSvid(issuer, spiffeId, { dnsNames: ['localhost'] });
  return x509SvidFromMessage({ spiffeId, x509Svid: leaf.certDer, x509SvidKey: leaf.keyDer, bundle: bundle.certDer });
}

/** A mutual-TLS server with `server`'s SVID; resolves with the client's SPIFFE ID, or the error. */
async function handshake(server: X509Svid, client: X509Svid, expectedServer: string): Promise<{ serverSaw?: string; clientError?: string }> {
  const listener = createServer(serverTlsOptions(server));
  let serverSaw: string | undefined;
  listener.on('secureConnection', (socket: TLSSocket) => {
    serverSaw = peerSpiffeId(socket.getPeerCertificate());
    socket.end('hello');
  });
  listener.on('tlsClientError', () => {});
  listener.listen(0, '127.0.0.1');
  await once(listener, 'listening');
  const { port } = listener.address() as AddressInfo;
  try {
    const socket = connect({ host: '127.0.0.1', port, ...clientTlsOptions(client, expectedServer) });
    const answer = await new Promise<string>((resolve, reject) => {
      let data = '';
      socket.on('data', (chunk) => (data += chunk));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    expect(answer).toBe('hello');
    return { serverSaw };
  } catch (error) {
    return { serverSaw, clientError: (error as Error).message };
  } finally {
    listener.close();
  }
}

beforeAll(() => {
  ca = createCa('demo.local');
});

describe('SPIFFE TLS', () => {
  it('splits concatenated DER certificates', () => {
    const a = issueSvid(ca, BACKEND).certDer;
    const b = ca.certDer;
    expect(splitDer(Buffer.concat([a, b])).map((part) => part.equals(a) || part.equals(b))).toEqual([true, true]);
    expect(() => splitDer(Buffer.from([0x30, 0x82, 0x10]))).toThrow();
  });

  it('connects when both sides hold SVIDs of the bundle and the server is the one expected; the server sees the client ID', async () => {
    expect(await handshake(svid(ca, BACKEND), svid(ca, FRONTEND), BACKEND)).toEqual({ serverSaw: FRONTEND });
  });

  it('refuses a server with another SPIFFE ID, though its certificate chains to the bundle', async () => {
    const result = await handshake(svid(ca, FRONTEND), svid(ca, FRONTEND), BACKEND);
    expect(result.clientError).toMatch(/is for spiffe:\/\/demo.local\/ns\/99-apps\/sa\/frontend, not spiffe:\/\/demo.local\/ns\/99-apps\/sa\/backend/);
  });

  it('refuses a server whose certificate is self-signed, or from another CA, even with the right SPIFFE ID', async () => {
    const selfSigned = await handshake(svid(undefined, BACKEND), svid(ca, FRONTEND), BACKEND);
    expect(selfSigned.clientError).toMatch(/self[- ]signed/i);
    const rogue = createCa('demo.local');
    const otherCa = await handshake(svid(rogue, BACKEND, rogue), svid(ca, FRONTEND), BACKEND);
    expect(otherCa.clientError).toMatch(/self-signed|unable to (verify|get local issuer)/i);
  });

  it('a server refuses a client certificate from a second trust domain: no connection is made', async () => {
    const other = createCa('evil.example');
    const result = await handshake(svid(ca, BACKEND), svid(other, FRONTEND, ca), BACKEND);
    expect(result.serverSaw).toBeUndefined();
    expect(result.clientError).toBeDefined();
  });
});
