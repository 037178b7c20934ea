import { STATUS_CODES } from 'node:http';
import type { Socket } from 'node:net';
import { AppError } from './errors.js';

/**
 * Errors the HTTP layer raises before any route runs, in the API's envelope like every other
 * error: requests Node's parser refuses (oversized headers, a malformed request line, conflicting
 * lengths) and URLs Fastify cannot decode.
 */

const PARSER_ERRORS: Record<string, [number, string, string]> = {
  HPE_HEADER_OVERFLOW: [431, 'headers_too_large', 'The request headers are larger than this server accepts.'],
  HPE_URI_TOO_LONG: [414, 'url_too_long', 'The address is longer than this server accepts.'],
  ERR_HTTP_REQUEST_TIMEOUT: [408, 'request_timeout', 'The request took too long to arrive.'],
};

/** Fastify's clientErrorHandler: Node's parser refused the request, so there is only the socket to answer on. */
export function answerParserError(error: Error & { code?: string }, socket: Socket): void {
  if (error.code === 'ECONNRESET' || error.code === 'EPIPE' || !socket.writable) {
    socket.destroy();
    return;
  }
  const [status, code, message] = PARSER_ERRORS[error.code ?? ''] ?? [400, 'bad_request', 'The request could not be read.'];
  const body = JSON.stringify(new AppError(status, code, message).body());
  socket.end(
    `HTTP/1.1 ${status} ${STATUS_CODES[status]}\r\nContent-Type: application/json; charset=utf-8\r\n` +
      `Content-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`,
  );
}

/** Fastify's frameworkErrors: a URL that does not decode (e.g. /api/%E0%A4%A). */
export const badUrl = (): AppError => new AppError(400, 'bad_url', 'The address is not a valid URL.');

/** The methods each route of this backend answers, to tell 405 (wrong method) from 404 (no such address). */
export class RouteMethods {
  private readonly routes: Array<{ pattern: RegExp; method: string }> = [];

  /** Fastify's onRoute hook: PATH is the route's pattern (/api/users/:id). */
  add(methods: string | string[], path: string): void {
    const pattern = new RegExp(`^${path.split('/').map((part) => (part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'))).join('/')}/?$`);
    for (const method of [methods].flat()) this.routes.push({ pattern, method: method.toUpperCase() });
  }

  /** The methods answered at URL (query ignored), sorted; empty when nothing lives there. */
  allowedAt(url: string): string[] {
    const path = url.split('?')[0]!;
    return [...new Set(this.routes.filter((route) => route.pattern.test(path)).map((route) => route.method))].sort();
  }
}
