import { Catch, HttpException, NotFoundException, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import type { FastifyReply, FastifyRequest } from 'fastify';
import { DatabaseNotReadyError } from '../database/rotating-pool.js';
import { OpenBaoError } from '../secrets/openbao-api.js';
import { SecurityEvents } from '../events/security-events.js';
import { isTlsRefusal, tlsRefusalReason } from '../tls/tls-errors.js';
import { AppError, RateLimited, serviceUnavailable } from './errors.js';
import type { Logger } from './logger.js';
import type { RouteMethods } from './http-layer-errors.js';

const HTTP_CODES: Record<number, [string, string]> = {
  400: ['bad_request', 'The request could not be read.'],
  404: ['not_found', 'There is nothing at this address.'],
  405: ['method_not_allowed', 'This address does not take that method.'],
  413: ['payload_too_large', 'The request body is larger than 16 KiB.'],
  415: ['unsupported_media_type', 'Send JSON (Content-Type: application/json).'],
};

/**
 * PostgreSQL is down, restarting or failing over: the caller should try again, it did nothing
 * wrong. In Kubernetes a name may not resolve while a pod is being replaced (ENOTFOUND,
 * EAI_AGAIN), and while the operator promotes a standby the read-write Service has no endpoint,
 * which Cilium answers with an ICMP "unreachable" (EHOSTUNREACH): outages too.
 */
function isDatabaseOutage(error: unknown): boolean {
  const { code, message } = error as { code?: string; message?: string };
  return (
    error instanceof DatabaseNotReadyError ||
    // a server whose certificate is refused is not PostgreSQL, so PostgreSQL cannot be reached
    isTlsRefusal(error) ||
    ['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EPIPE', 'ENOTFOUND', 'EAI_AGAIN', '57P01', '57P02', '57P03', '08006', '08001', '08003'].includes(code ?? '') ||
    /Connection terminated|timeout exceeded when trying to connect|Client has encountered a connection error/.test(message ?? '')
  );
}

const describe = (error: unknown): string => {
  const { code, message } = error as { code?: string; message?: string };
  return [code, message].filter(Boolean).join(' ') || String(error);
};

/** Turns anything thrown into the API's error body; 5xx details go to the log, never to the client. */
export function toErrorResponse(error: unknown, logger: Logger): { status: number; body: ReturnType<AppError['body']>; headers?: Record<string, string> } {
  const unavailable = (cause: string, what: AppError) => {
    // The cause of every 503, for whoever reads the log (the client only learns "try again").
    new SecurityEvents(logger).record('service_unavailable', { code: what.code, cause });
    return { status: 503, body: what.body() };
  };
  if (error instanceof RateLimited) return { status: 429, body: error.body(), headers: { 'retry-after': String(error.retryAfterS) } };
  if (error instanceof AppError) return error.status === 503 ? unavailable(error.message, error) : { status: error.status, body: error.body() };
  if (isTlsRefusal(error)) return unavailable(`database: PostgreSQL's TLS certificate was refused: ${tlsRefusalReason(error)}`, serviceUnavailable('The database'));
  if (isDatabaseOutage(error)) return unavailable(`database: ${describe(error)}`, serviceUnavailable('The database'));
  if (error instanceof OpenBaoError && (error.unreachable || (error.status ?? 0) >= 500)) return unavailable(`OpenBao: ${error.message}`, serviceUnavailable('OpenBao'));
  const status = error instanceof HttpException ? error.getStatus() : ((error as { statusCode?: number }).statusCode ?? 500);
  if (status >= 400 && status < 500) {
    const [code, message] = HTTP_CODES[status] ?? ['bad_request', 'The request could not be read.'];
    // Nest hands Fastify's own errors (bad JSON, body too large) over as an HttpException whose cause is the original
    const fastifyCode = ((error as { cause?: { code?: string } }).cause ?? (error as { code?: string })).code;
    if (fastifyCode === 'FST_ERR_CTP_INVALID_JSON_BODY' || fastifyCode === 'FST_ERR_CTP_EMPTY_JSON_BODY' || error instanceof SyntaxError) {
      return { status: 400, body: new AppError(400, 'invalid_json', 'The request body is not valid JSON.').body() };
    }
    return { status, body: new AppError(status, code, message).body() };
  }
  logger.error({ err: error }, 'unhandled error');
  return { status: 500, body: new AppError(500, 'internal_error', 'Something went wrong on our side.').body() };
}

@Catch()
export class ApiExceptionFilter implements ExceptionFilter {
  constructor(
    private readonly logger: Logger,
    private readonly routes?: RouteMethods,
  ) {}

  catch(error: unknown, host: ArgumentsHost): void {
    const http = host.switchToHttp();
    const reply = http.getResponse<FastifyReply>();
    // The router found no route for this method and address; if the address has routes for other
    // methods, the method is what is wrong: 405 with the methods it takes.
    const allowed = error instanceof NotFoundException ? (this.routes?.allowedAt(http.getRequest<FastifyRequest>().url) ?? []) : [];
    if (allowed.length) {
      const [code, message] = HTTP_CODES[405]!;
      void reply.status(405).header('allow', allowed.join(', ')).send(new AppError(405, code, message).body());
      return;
    }
    const { status, body, headers = {} } = toErrorResponse(error, this.logger);
    void reply.status(status).headers(headers).send(body);
  }
}
