/**
 * Calls to the running backend (started by setup.sh --local for the chain tests), over mutual TLS
 * as the tests' own client identity (api-identity.ts). Every answer is checked against the API
 * contract (lib/contract.ts): one that breaks it fails the calling test.
 */
import { randomBytes } from 'node:crypto';
import { backendFetch } from './api-identity.ts';
import { expectContract } from './contract.ts';
import type { StackEnv } from './stack.ts';

export interface ApiResponse<T = any> {
  status: number;
  body: T;
  text: string;
  headers: Headers;
}

export interface ApiOptions {
  token?: string;
  body?: unknown;
  /** sent as is (for malformed or oversized bodies) */
  raw?: string;
  contentType?: string;
  /** Connect from this local address (e.g. 127.0.0.2: another client, as the backend sees it). */
  from?: string;
  /** Extra request headers. */
  headers?: Record<string, string>;
}

export async function api<T = any>(env: StackEnv, method: string, path: string, options: ApiOptions = {}): Promise<ApiResponse<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  let payload: string | undefined;
  if (options.raw !== undefined) payload = options.raw;
  else if (options.body !== undefined) payload = JSON.stringify(options.body);
  if (payload !== undefined) headers['content-type'] = options.contentType ?? 'application/json';
  const answer = await backendFetch(env, path, { method, headers, body: payload }, options.from);
  const response = { status: answer.status, text: await answer.text(), headers: answer.headers as unknown as Headers };
  const text = response.text;
  let body: unknown = text;
  try {
    body = text ? JSON.parse(text) : undefined;
  } catch {
    /* not JSON (e.g. /metrics) */
  }
  if (path.startsWith('/api/')) expectContract(method, path, response.status, body);
  return { status: response.status, body: body as T, text, headers: response.headers };
}

/** A name no other test run has used: PREFIX_ and six hex digits. */
export const uniqueName = (prefix: string): string => `${prefix}_${randomBytes(3).toString('hex')}`;

export const DEMO_USERS = ['jake', 'amy', 'rosa', 'terry', 'charles', 'gina'] as const;

/** Logs a user in; demo users have the password <name>99. */
export async function login(env: StackEnv, username: string, password = `${username}99`): Promise<string> {
  const response = await api(env, 'POST', '/api/auth/login', { body: { username, password } });
  if (response.status !== 200) throw new Error(`login of ${username} failed: ${response.status} ${response.text}`);
  return response.body.access_token as string;
}

/** Every error the API returns has this shape. */
export function expectErrorShape(body: any): void {
  if (typeof body?.error?.code !== 'string' || !/^[a-z_]+$/.test(body.error.code) || typeof body.error.message !== 'string') {
    throw new Error(`not the API's error shape: ${JSON.stringify(body)}`);
  }
}

/** The database user the running backend uses right now (from its security console). */
export async function backendDbUser(env: StackEnv): Promise<string> {
  const response = await api(env, 'GET', '/api/security/status', { token: await login(env, 'terry') });
  return response.body.database.username as string;
}

export interface LoadResult {
  requests: number;
  failures: Array<{ status: number | string; body: string }>;
}

/**
 * `clients` concurrent loops of authenticated, database-backed requests until stop() is called:
 * GET /api/auth/me and GET /api/github/status, alternating.
 */
export function startLoad(env: StackEnv, tokens: string[], clients: number): { stop: () => Promise<LoadResult> } {
  let running = true;
  const result: LoadResult = { requests: 0, failures: [] };
  const paths = ['/api/auth/me', '/api/github/status'];
  const loops = Array.from({ length: clients }, async (_, client) => {
    for (let i = 0; running; i++) {
      const path = paths[(client + i) % paths.length]!;
      try {
        const response = await backendFetch(env, path, { headers: { authorization: `Bearer ${tokens[client % tokens.length]}` } });
        const text = await response.text();
        result.requests++;
        if (response.status !== 200) result.failures.push({ status: response.status, body: text.slice(0, 200) });
        else expectContract('GET', path, response.status, JSON.parse(text));
      } catch (error) {
        result.requests++;
        // undici says only "fetch failed"; the reason (a refused handshake, a reset) is its cause
        const cause = (error as Error & { cause?: { code?: string; message?: string } }).cause;
        result.failures.push({ status: 'network', body: [(error as Error).message, cause?.code, cause?.message].filter(Boolean).join(': ') });
      }
    }
  });
  return {
    stop: async () => {
      running = false;
      await Promise.all(loops);
      return result;
    },
  };
}
