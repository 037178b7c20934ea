import type { NestFastifyApplication } from '@nestjs/platform-fastify';
import type { Logger } from './logger.js';

let stopping = false;

/** True once a shutdown signal arrived: the readiness check reports it, so no new traffic comes. */
export const isShuttingDown = (): boolean => stopping;

/**
 * Graceful shutdown on SIGTERM or SIGINT. For DRAIN_MS the backend keeps serving but closes every
 * connection after its response and reports itself not ready, so that clients with keep-alive
 * connections (the frontend) reconnect, through the Service, to another pod while this one still
 * answers; then it closes: requests in flight finish, the database pool drains and its lease is
 * revoked (the modules' shutdown hooks). Behind a Service (kind mode) DRAIN_MS is a few seconds;
 * a process of its own (local mode) needs none.
 */
export function installGracefulShutdown(app: NestFastifyApplication, logger: Logger, drainMs: number, afterClose: () => void = () => {}): void {
  app.getHttpAdapter().getInstance().addHook('onSend', (_request, reply, payload, done) => {
    if (stopping) reply.header('connection', 'close');
    done(null, payload);
  });
  const shutdown = async (signal: NodeJS.Signals): Promise<void> => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal, drainMs }, 'shutting down: draining connections');
    if (drainMs > 0) await new Promise((resolve) => setTimeout(resolve, drainMs));
    await app.close();
    afterClose();
    logger.info('backend stopped');
    process.exit(0);
  };
  for (const signal of ['SIGTERM', 'SIGINT'] as const) process.once(signal, (s) => void shutdown(s));
}
