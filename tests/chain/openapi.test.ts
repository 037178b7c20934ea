/**
 * The API contract as a document: the backend serves the OpenAPI 3.1 document made from
 * backend/contract, it is a valid OpenAPI 3.1 document, and it describes every route the backend
 * has. (That every answer the suite receives fits it is checked on each call: lib/contract.ts.)
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import { ROUTES } from '@zt-demo/api-contract';
import { beforeAll, describe, expect, it } from 'vitest';
import { backendFetch } from '../lib/api-identity.ts';
import { api } from '../lib/backend.ts';
import { OPENAPI, contractViolation } from '../lib/contract.ts';
import { loadStackEnv, type StackEnv } from '../lib/stack.ts';

let env: StackEnv;
beforeAll(() => {
  env = loadStackEnv();
});

describe('GET /api/openapi.json', () => {
  it('serves the document made from the API contract', async () => {
    const response = await backendFetch(env, '/api/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual(JSON.parse(JSON.stringify(OPENAPI)));
  });

  it('is a valid OpenAPI 3.1 document', async () => {
    const validator = new Validator();
    const result = await validator.validate(JSON.parse(JSON.stringify(OPENAPI)));
    expect(result.valid, JSON.stringify(result.errors)).toBe(true);
    expect(validator.version).toBe('3.1');
    // ...and the validator is not one that accepts anything:
    const broken = JSON.parse(JSON.stringify(OPENAPI));
    broken.paths['/api/auth/me'].get.responses = 'none';
    expect((await new Validator().validate(broken)).valid).toBe(false);
  });

  it('describes every route the backend has, and nothing it lacks', async () => {
    for (const route of ROUTES) {
      // An anonymous call reaches every route: 401 for the protected ones, never 404 or 405.
      const path = route.path;
      const response = await backendFetch(env, path, {
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
