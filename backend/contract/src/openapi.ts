/** The OpenAPI 3.1 document of the backend's API, made from the route table and its schemas. */
import { z } from 'zod';
import { ROUTES, type Route } from './routes.ts';
import './schemas.ts';

type JsonSchema = Record<string, unknown>;

/** The API's version: its major changes when a change would break a client built against the previous one. */
export const API_VERSION = '1.0.0';

const STATUS_TEXT: Record<number, string> = {
  200: 'OK', 201: 'Created', 204: 'No content', 400: 'Invalid input (validation_failed, invalid_json, ...)', 401: 'No valid session',
  403: 'Admins only', 409: 'Conflict', 413: 'Body larger than 16 KiB', 415: 'Not JSON', 429: 'Too many attempts', 502: 'GitHub failed',
  503: 'A dependency (PostgreSQL, OpenBao) is not available; try again',
};

const ref = (id: string): string => `#/components/schemas/${id}`;

/**
 * Every schema with an id (schemas.ts gives them with .meta({ id })), as JSON Schema 2020-12 (the
 * dialect of OpenAPI 3.1), referring to each other by $ref. Request bodies are described as what
 * the backend accepts (input), everything else as what it sends (output).
 */
function components(requestIds: Set<string>): Record<string, JsonSchema> {
  const of = (io: 'input' | 'output') =>
    (z.toJSONSchema(z.globalRegistry, { io, target: 'draft-2020-12', unrepresentable: 'any', uri: ref }) as { schemas: Record<string, JsonSchema> }).schemas;
  const output = of('output');
  const input = of('input');
  const all: Record<string, JsonSchema> = {};
  for (const id of Object.keys(output).sort()) {
    const { $schema: _dialect, $id: _uri, id: _id, ...schema } = (requestIds.has(id) ? input[id] : output[id]) as JsonSchema;
    all[id] = schema;
  }
  return all;
}

const idOf = (schema: z.ZodType): string => {
  const id = z.globalRegistry.get(schema)?.id;
  if (!id) throw new Error('every schema of a route body needs an id (.meta({ id }))');
  return id;
};

function operation(route: Route): JsonSchema {
  const op: JsonSchema = {
    summary: route.summary,
    operationId: `${route.method.toLowerCase()}${route.path.replace(/^\/api/, '').replace(/[/-](\w)/g, (_m, c: string) => c.toUpperCase())}`,
    ...(route.access !== 'public' && { security: [{ session: [] }] }),
    ...(route.access === 'admin' && { 'x-admin-only': true }),
    responses: Object.fromEntries(
      Object.entries(route.responses).map(([status, schema]) => [
        status,
        {
          description: STATUS_TEXT[Number(status)] ?? 'Response',
          ...(status === '429' && { headers: { 'Retry-After': { description: 'Seconds to wait before trying again', schema: { type: 'integer', minimum: 1 } } } }),
          ...(schema && { content: { 'application/json': { schema: { $ref: ref(idOf(schema)) } } } }),
        },
      ]),
    ),
  };
  if (route.body) op.requestBody = { required: true, content: { 'application/json': { schema: { $ref: ref(idOf(route.body)) } } } };
  if (route.query) {
    const { properties = {} } = z.toJSONSchema(route.query, { io: 'input', target: 'draft-2020-12' }) as { properties?: Record<string, JsonSchema> };
    op.parameters = Object.entries(properties).map(([name, schema]) => ({ name, in: 'query', required: false, schema }));
  }
  return op;
}

/** The OpenAPI 3.1 document (served by the backend at GET /api/openapi.json). */
export function openApiDocument(version = API_VERSION): JsonSchema {
  const paths: Record<string, Record<string, JsonSchema>> = {};
  for (const route of ROUTES) (paths[route.path] ??= {})[route.method.toLowerCase()] = operation(route);
  const requestIds = new Set(ROUTES.flatMap((route) => (route.body ? [idOf(route.body)] : [])));
  return {
    openapi: '3.1.0',
    info: {
      title: 'zt-demo backend',
      version,
      description:
        'The backend of zt-demo. It holds no static secret: it proves itself with a SPIFFE JWT-SVID, logs in to OpenBao and reads short-lived PostgreSQL credentials. Every error has the body {"error": {"code", "message", "fields"?}}.',
    },
    paths: { ...paths, '/api/openapi.json': { get: { summary: 'This document', operationId: 'getOpenapi', responses: { 200: { description: 'OK' } } } } },
    components: { schemas: components(requestIds), securitySchemes: { session: { type: 'http', scheme: 'bearer', bearerFormat: 'JWT' } } },
  };
}
