import { Server, type IncomingMessage } from 'node:http';

/** The header that carries the browser's address to the backend. */
export const FORWARDED_FOR = 'x-forwarded-for';

let installed = false;

/**
 * Every HTTP request this process serves gets X-Forwarded-For set to its peer's address, whatever
 * the client sent. Next.js creates its server itself, so this hooks the one place every request
 * passes before it: the server's 'request' event.
 */
export function peerAddressAsForwardedFor(): void {
  if (installed) return;
  installed = true;
  const emit = Server.prototype.emit;
  Server.prototype.emit = function (this: Server, event: string | symbol, ...args: unknown[]): boolean {
    if (event === 'request') setPeerAddress(args[0] as IncomingMessage);
    return Reflect.apply(emit, this, [event, ...args]) as boolean;
  } as Server['emit'];
}

function setPeerAddress(request: IncomingMessage): void {
  const peer = request.socket.remoteAddress;
  if (peer) request.headers[FORWARDED_FOR] = peer.replace(/^::ffff:/, '');
  else delete request.headers[FORWARDED_FOR];
}
