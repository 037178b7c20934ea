/**
 * Every answer the chain suite gets from the backend is checked against the API contract: the
 * OpenAPI document made from backend/contract, which the backend also serves at
 * GET /api/openapi.json. An answer with a status the route does not list, or a body its schema
 * does not accept, fails the test that received it.
 */
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { openApiDocument, routeOf } from '@zt-demo/api-contract';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => void;

export const OPENAPI = openApiDocument() as { paths: Record<string, Record<string, any>>; components: { schemas: Record<string, unknown> } };

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(OPENAPI, 'openapi');

function validate(ref: string, body: unknown): string | undefined {
  const validator = ajv.getSchema(`openapi${ref}`);
  if (!validator) return `the contract has no schema ${ref}`;
  if (validator(body)) return undefined;
  return ajv.errorsText(validator.errors, { dataVar: 'body' });
}

/** Why METHOD PATH's answer (STATUS, BODY) breaks the API contract, or undefined when it does not. */
export function contractViolation(method: string, path: string, status: number, body: unknown): string | undefined {
  const route = routeOf(method, path);
  if (!route) {
    // An address the API does not have: only its error envelope is part of the contract.
    if (status < 400) return `${method} ${path} answered ${status}, but the API contract has no such route`;
    return validate('#/components/schemas/Error', body);
  }
  const answer = OPENAPI.paths[route.path]![route.method.toLowerCase()]!.responses[status];
  if (!answer) return `${method} ${path} answered ${status}, which the API contract does not list for it (${Object.keys(route.responses).join(', ')})`;
  const ref: string | undefined = answer.content?.['application/json']?.schema?.$ref;
  if (!ref) return body === undefined || body === '' ? undefined : `${method} ${path} answered ${status} with a body, where the contract has none`;
  const problem = validate(ref, body);
  return problem && `${method} ${path} answered ${status}: ${problem}`;
}

/** Throws when the answer breaks the contract (for the test helpers that make calls). */
export function expectContract(method: string, path: string, status: number, body: unknown): void {
  const problem = contractViolation(method, path, status, body);
  if (problem) throw new Error(`API contract: ${problem}`);
}
