import 'server-only';
import { cookies, headers } from 'next/headers';
import { ApiError, ErrorResponse } from '@zt-demo/api-contract';
import { request } from 'undici';
import type { z } from 'zod';
import { FORWARDED_FOR } from './client-address';
import { backendDispatcher } from './workload-tls';

/** The session cookie: the backend's JWT, httpOnly, never visible to the browser's scripts. */
export const SESSION_COOKIE = 'zt_session';

/**
 * The backend, reached only from this server (BFF), over mutual TLS with the frontend's X.509-SVID
 * (lib/workload-tls.ts); read at request time, never NEXT_PUBLIC_.
 */
const backendUrl = (path: string): string => new URL(path, process.env.BACKEND_URL ?? 'https://127.0.0.1:8000').toString();

/** The backend's error answer (the API contract's ApiError), or the backend not answering at all. */
export class BackendError extends ApiError {}

interface Call {
  method?: string;
  body?: unknown;
}

/**
 * A call to the backend with the session's token. Its answer is parsed with SCHEMA, the API
 * contract's shape of that route's answer (@zt-demo/api-contract), so a change of the backend's
 * answers fails here, loudly, instead of somewhere in a page. Errors become BackendError with the
 * API's code. Without a schema the answer is not read (204, or an answer nobody needs).
 */
export async function backend<S extends z.ZodType>(path: string, schema: S, init?: Call): Promise<z.infer<S>>;
export async function backend(path: string, schema: null, init?: Call): Promise<void>;
export async function backend(path: string, schema: z.ZodType | null, init: Call = {}): Promise<unknown> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  // The browser's address, as this server saw it (instrumentation.ts), for the backend's throttle and logs.
  const browser = (await headers()).get(FORWARDED_FOR);
  let status: number;
  let body: unknown;
  try {
    const response = await request(backendUrl(path), {
      dispatcher: await backendDispatcher(),
      method: (init.method ?? 'GET') as 'GET',
      headers: {
        ...(init.body !== undefined && { 'content-type': 'application/json' }),
        ...(token && { authorization: `Bearer ${token}` }),
        ...(browser && { [FORWARDED_FOR]: browser }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      signal: AbortSignal.timeout(15_000),
    });
    status = response.statusCode;
    body = status === 204 ? await response.body.dump() : await response.body.json().catch(() => undefined);
  } catch (error) {
    // Not the backend's answer: it is down, or a TLS handshake failed (a certificate refused on
    // either side). Say which in the log; the page gets a plain "cannot be reached".
    const { code, message } = error as { code?: string; message?: string };
    console.error(`the backend at ${backendUrl(path)} could not be reached: ${message ?? code}`);
    throw new BackendError(503, 'backend_unreachable', 'The backend cannot be reached right now.');
  }
  if (status < 200 || status >= 300) {
    const error = ErrorResponse.safeParse(body);
    if (!error.success) throw new BackendError(status, 'unknown', `The backend answered ${status}.`);
    throw new BackendError(status, error.data.error.code, error.data.error.message, error.data.error.fields);
  }
  if (!schema) return undefined;
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    console.error(`the backend's answer to ${path} does not match the API contract: ${parsed.error.message}`);
    throw new BackendError(502, 'bad_backend_answer', 'The backend answered something this app does not understand.');
  }
  return parsed.data;
}
