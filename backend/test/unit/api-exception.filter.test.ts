import { HttpException, NotFoundException } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { toErrorResponse } from '../../src/common/api-exception.filter.js';
import { AppError, RateLimited } from '../../src/common/errors.js';
import { createLogger } from '../../src/common/logger.js';
import { DatabaseNotReadyError } from '../../src/database/rotating-pool.js';
import { OpenBaoError } from '../../src/secrets/openbao-api.js';

function capture() {
  const lines: string[] = [];
  const logger = createLogger('info', { write: (line: string) => void lines.push(line) });
  return { logger, lines };
}

describe('toErrorResponse', () => {
  it('passes AppErrors through with their fields', () => {
    const { logger } = capture();
    expect(toErrorResponse(new AppError(400, 'validation_failed', 'bad', { username: 'too short' }), logger)).toEqual({
      status: 400,
      body: { error: { code: 'validation_failed', message: 'bad', fields: { username: 'too short' } } },
    });
  });

  it('sends the seconds to wait of a 429 as Retry-After', () => {
    expect(toErrorResponse(new RateLimited('Too many failed sign-ins; try again in 42 s.', 42), capture().logger)).toEqual({
      status: 429,
      body: { error: { code: 'rate_limited', message: 'Too many failed sign-ins; try again in 42 s.' } },
      headers: { 'retry-after': '42' },
    });
  });

  it.each([
    ['pool not ready', new DatabaseNotReadyError()],
    ['connection refused', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
    ['admin shutdown', Object.assign(new Error('terminating connection due to administrator command'), { code: '57P01' })],
    // kind mode: the headless Service has no address while PostgreSQL's only pod is replaced
    ['name not found', Object.assign(new Error('getaddrinfo ENOTFOUND postgres.data.svc.cluster.local'), { code: 'ENOTFOUND' })],
    // a failover: the read-write Service has no endpoint until the standby is promoted
    ['Service without an endpoint', Object.assign(new Error('connect EHOSTUNREACH 10.96.29.196:5432 - Local (0.0.0.0:0)'), { code: 'EHOSTUNREACH' })],
    ['DNS not answering', Object.assign(new Error('getaddrinfo EAI_AGAIN postgres.data.svc.cluster.local'), { code: 'EAI_AGAIN' })],
    ['connection terminated', new Error('Connection terminated unexpectedly')],
    ['pool timeout', new Error('timeout exceeded when trying to connect')],
  ])('maps a database outage (%s) to 503 service_unavailable', (_what, error) => {
    const { status, body } = toErrorResponse(error, capture().logger);
    expect(status).toBe(503);
    expect(body.error.code).toBe('service_unavailable');
  });

  it('maps OpenBao being unreachable to 503', () => {
    expect(toErrorResponse(new OpenBaoError('OpenBao is unreachable (ECONNREFUSED)'), capture().logger).status).toBe(503);
  });

  it("maps Fastify's malformed-JSON error (as Nest hands it over) to 400 invalid_json", () => {
    const error = new HttpException('Body is not valid JSON', 400, { cause: Object.assign(new Error('x'), { code: 'FST_ERR_CTP_INVALID_JSON_BODY' }) });
    expect(toErrorResponse(error, capture().logger).body.error.code).toBe('invalid_json');
  });

  it('maps 404 and 413 to their codes', () => {
    expect(toErrorResponse(new NotFoundException(), capture().logger).body.error.code).toBe('not_found');
    expect(toErrorResponse(new HttpException('too large', 413), capture().logger).body.error.code).toBe('payload_too_large');
  });

  it('answers anything else with a generic 500 and keeps the details for the log', () => {
    const { logger, lines } = capture();
    const response = toErrorResponse(new TypeError("Cannot read properties of undefined (reading 'secret_thing')"), logger);
    expect(response).toEqual({ status: 500, body: { error: { code: 'internal_error', message: 'Something went wrong on our side.' } } });
    expect(JSON.stringify(response)).not.toContain('secret_thing');
    expect(lines.join('')).toContain('secret_thing');
  });
});

describe('the logger', () => {
  it('redacts secret-named fields wherever they sit', () => {
    const { logger, lines } = capture();
    logger.info({ password: 'jake99', token: 'ghp_x', nested: { client_token: 's.abc', jwt: 'eyJ' }, username: 'jake' }, 'test');
    const entry = JSON.parse(lines[0]!);
    expect(entry).toMatchObject({ password: '[redacted]', token: '[redacted]', nested: { client_token: '[redacted]', jwt: '[redacted]' }, username: 'jake' });
  });
});
