import { createServer, type Server } from 'node:http';
import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from '../common/logger.js';

/** All the plain port serves: what kubelet probes and Prometheus need, nothing that takes input. */
export const PLAIN_PATHS = ['/api/health/live', '/api/health/ready', '/metrics'] as const;

/**
 * The plain-HTTP port beside the mutual-TLS API: kubelet's probes and a Prometheus scrape cannot
 * present an X.509-SVID. It answers GET on PLAIN_PATHS, by asking the application in-process (the
 * same handlers as on the API port), and 404 to anything else. Until the application exists (the
 * backend waits for its first X.509-SVID) it is alive but not ready.
 */
export class HealthServer {
  private readonly server: Server;
  private app?: NestFastifyApplication;

  constructor(logger: Logger) {
    this.server = createServer((request, response) => {
      const path = (request.url ?? '').split('?')[0] as (typeof PLAIN_PATHS)[number];
      const send = (status: number, body: string, type = 'application/json; charset=utf-8'): void => {
        response.writeHead(status, { 'content-type': type, 'cache-control': 'no-store' }).end(request.method === 'HEAD' ? undefined : body);
      };
      if (request.method !== 'GET' && request.method !== 'HEAD') return send(405, JSON.stringify({ error: { code: 'method_not_allowed', message: 'Only GET is served on this port.' } }));
      if (!PLAIN_PATHS.includes(path)) {
        return send(404, JSON.stringify({ error: { code: 'not_found', message: 'This port serves only health checks and metrics; the API is on the mutual-TLS port.' } }));
      }
      if (!this.app) {
        if (path === '/api/health/live') return send(200, JSON.stringify({ status: 'ok' }));
        return send(503, JSON.stringify({ status: 'unavailable', checks: { identity: 'unavailable' } }));
      }
      this.app
        .getHttpAdapter()
        .getInstance()
        .inject({ method: 'GET', url: path })
        .then((answer) => send(answer.statusCode, answer.body, String(answer.headers['content-type'] ?? 'text/plain')))
        .catch((error: Error) => {
          logger.warn({ reason: error.message, path }, 'the health port could not ask the application');
          send(500, JSON.stringify({ error: { code: 'internal_error', message: 'The health check failed.' } }));
        });
    });
  }

  listen(port: number, host: string): Promise<void> {
    return new Promise((resolve, reject) => {
      this.server.once('error', reject);
      this.server.listen(port, host, () => resolve());
    });
  }

  serve(app: NestFastifyApplication): void {
    this.app = app;
  }

  close(): void {
    this.server.close();
  }
}
