/**
 * Looking at the TLS of the stack's hops from the outside, as an attacker or an auditor would:
 * what certificate a server presents, what a plain-text client gets, and rogue servers that
 * present a certificate SPIRE never issued on an address a workload dials.
 */
import { once } from 'node:events';
import { connect as tcpConnect, createServer as createTcpServer, type Server, type Socket } from 'node:net';
import { connect as tlsConnect, TLSSocket, type PeerCertificate } from 'node:tls';

/** PostgreSQL's SSLRequest: length 8, code 80877103; the server answers 'S' and TLS begins. */
const SSL_REQUEST = Buffer.from([0, 0, 0, 8, 0x04, 0xd2, 0x16, 0x2f]);

/** The certificate a TLS server at host:port presents, verified against `ca` (host name not checked). */
export async function serverCertificate(host: string, port: number, ca: string, postgres = false): Promise<PeerCertificate> {
  let socket: Socket | undefined;
  if (postgres) {
    socket = tcpConnect({ host, port });
    await once(socket, 'connect');
    socket.write(SSL_REQUEST);
    const [answer] = (await once(socket, 'data')) as [Buffer];
    if (answer.toString() !== 'S') throw new Error(`PostgreSQL answered ${JSON.stringify(answer.toString())} to an SSLRequest`);
  }
  const tls = tlsConnect({ host, port, socket, ca, checkServerIdentity: () => undefined, minVersion: 'TLSv1.3' });
  await once(tls, 'secureConnect');
  const cert = tls.getPeerCertificate();
  tls.destroy();
  socket?.destroy();
  return cert;
}

/** What a plain TCP client gets after sending `bytes` (everything until the server closes, or 3 s). */
export async function plainExchange(host: string, port: number, bytes: Buffer | string): Promise<{ answer: string; closed: boolean }> {
  const socket = tcpConnect({ host, port });
  await once(socket, 'connect');
  socket.write(bytes);
  let answer = '';
  socket.on('data', (chunk: Buffer) => (answer += chunk.toString('latin1')));
  const closed = await Promise.race([
    new Promise<boolean>((resolve) => socket.on('close', () => resolve(true)).on('error', () => resolve(true))),
    new Promise<boolean>((resolve) => setTimeout(() => resolve(false), 3_000)),
  ]);
  socket.destroy();
  return { answer, closed };
}

export interface RogueServer {
  /** TLS handshakes clients started (and whether any finished). */
  handshakes: number;
  completed: number;
  /** Bytes any client sent inside a finished TLS session (a token, a password...). */
  received: Buffer[];
  close(): Promise<void>;
}

/**
 * A TLS server on host:port with a certificate of its own (self-signed, or from a CA SPIRE does not
 * know), standing where OpenBao or PostgreSQL should be (`postgres`: it speaks PostgreSQL's
 * SSLRequest first). It records whether a client finished a handshake and what it then sent.
 */
export async function startRogueServer(host: string, port: number, cert: string, key: string, postgres = false): Promise<RogueServer> {
  const rogue: RogueServer = { handshakes: 0, completed: 0, received: [], close: async () => {} };
  const sockets = new Set<Socket>();
  const serveTls = (socket: Socket): void => {
    rogue.handshakes++;
    const tls = new TLSSocket(socket, { isServer: true, cert, key });
    tls.on('secure', () => rogue.completed++);
    tls.on('data', (chunk: Buffer) => rogue.received.push(chunk));
    tls.on('error', () => socket.destroy());
  };
  const server: Server = createTcpServer((socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket)).on('error', () => {});
    if (!postgres) return serveTls(socket);
    socket.once('data', (first: Buffer) => {
      if (!first.subarray(0, 8).equals(SSL_REQUEST)) {
        rogue.received.push(first); // a plain startup message: it would carry the user name
        return socket.destroy();
      }
      socket.write('S');
      serveTls(socket);
    });
  });
  server.listen(port, host);
  await once(server, 'listening');
  rogue.close = async () => {
    for (const socket of sockets) socket.destroy();
    await new Promise((resolve) => server.close(resolve));
  };
  return rogue;
}
