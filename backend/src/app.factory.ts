import 'reflect-metadata';
import { randomUUID } from 'node:crypto';
import type { Server as TlsServer } from 'node:tls';
import { NestFactory } from '@nestjs/core';
import { FastifyAdapter, type NestFastifyApplication } from '@nestjs/platform-fastify';
import type { FastifyReply } from 'fastify';
import { AppModule } from './app.module.js';
import { ApiExceptionFilter } from './common/api-exception.filter.js';
import { answerParserError, badUrl, RouteMethods } from './common/http-layer-errors.js';
import type { Logger } from './common/logger.js';
import { runInRequest, type RequestContext } from './common/request-context.js';
import { NestPinoLogger } from './common/nest-logger.js';
import type { AppConfig } from './config/config.js';
import { metrics } from './metrics/metrics.js';
import { clientAddress } from './tls/client-address.js';
import { WorkloadTls } from './tls/workload-tls.js';

export const BODY_LIMIT_BYTES = 16 * 1024;

/**
 * Builds the application (not listening yet) on an HTTPS server with mutual TLS: the client must
 * present an X.509-SVID of the trust bundle, and only admitted SPIFFE IDs get past the handshake
 * (tls/workload-tls.ts).
 */
export async function createApp(config: AppConfig, logger: Logger, tls: WorkloadTls): Promise<NestFastifyApplication> {
  // Request ids are the backend's own: a client's X-Request-Id is never taken, so an id in the
  // log always names one request of this backend.
  const adapter = new FastifyAdapter({
    https: tls.apiServerOptions(),
    bodyLimit: BODY_LIMIT_BYTES,
    logger: false,
    genReqId: () => randomUUID(),
    requestIdHeader: false,
    // The HTTP layer's own errors answer in the API's envelope too.
    clientErrorHandler: answerParserError,
    frameworkErrors: (_error: unknown, _request: unknown, reply: FastifyReply) => void reply.code(400).send(badUrl().body()),
  });
  // bodyParser off: Nest would add a form (urlencoded) parser, which lets any web page post a
  // sign-in to the API. Only Fastify's JSON parser is left; any other body is 415.
  const app = await NestFactory.create<NestFastifyApplication>(AppModule.forRoot(config, logger, tls), adapter, {
    logger: new NestPinoLogger(logger),
    abortOnError: false,
    bodyParser: false,
  });
  // Fastify's own errors (body too large, malformed JSON) reach the filter too: Nest maps them to HttpExceptions
  const fastify = app.getHttpAdapter().getInstance();
  const routes = new RouteMethods();
  // Nest registers the routes at init, after this hook is in place.
  fastify.addHook('onRoute', (route) => routes.add(route.method, route.url));
  app.useGlobalFilters(new ApiExceptionFilter(logger, routes));

  fastify.removeContentTypeParser(['text/plain']);
  // Everything a request does runs in its context, so security events name the request and client.
  // Entered twice: reading a body goes through stream events, which lose the context entered at
  // onRequest; preHandler enters it again right before the route's handler.
  const contexts = new WeakMap<object, RequestContext>();
  tls.guardApiServer(fastify.server as unknown as TlsServer, (peer, address) =>
    logger.info({ event: 'api_client_refused', client: address, spiffeId: peer ?? null }, 'security event: api_client_refused'),
  );
  fastify.addHook('onRequest', (request, reply, done) => {
    const caller = WorkloadTls.callerOf(request.raw.socket);
    const client = clientAddress(request.socket.remoteAddress, caller.spiffeId, config.tls.forwarder, request.headers['x-forwarded-for']);
    const context = { requestId: request.id, client, caller };
    contexts.set(request, context);
    reply.header('x-request-id', request.id);
    runInRequest(context, done);
  });
  fastify.addHook('preHandler', (request, _reply, done) => runInRequest(contexts.get(request)!, done));
  fastify.addHook('onResponse', (request, reply, done) => {
    const route = request.routeOptions.url ?? 'unmatched';
    metrics.httpDuration.observe({ method: request.method, route, status: String(reply.statusCode) }, reply.elapsedTime / 1000);
    logger.debug({ method: request.method, route, status: reply.statusCode, ms: Math.round(reply.elapsedTime) }, 'request');
    done();
  });
  return app;
}
