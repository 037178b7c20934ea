import 'server-only';
import { cookies, headers } from 'next/headers';
import { ApiError, ErrorResponse } from '@zt-demo/api-contract';
import type { z } from 'zod';
import { FORWARDED_FOR } from './client-address';

/** The session cookie: the backend's JWT, httpOnly, never visible to the browser's scripts. */
export const SESSION_COOKIE = 'zt_session';

/** The backend, reached only from this server (BFF); read at request time, never NEXT_PUBLIC_. */
const backendUrl = (path: string): string => new URL(path, process.env.BACKEND_URL ?? 'http://127.0.0.1:8000').toString();

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
  let response: Response;
  try {
    response = await fetch(backendUrl(path), {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body !== undefined && { 'content-type': 'application/json' }),
        ...(token && { authorization: `Bearer ${token}` }),
        ...(browser && { [FORWARDED_FOR]: browser }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: 'no-store',
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new BackendError(503, 'backend_unreachable', 'The backend cannot be reached right now.');
  }
  const body: unknown = response.status === 204 ? undefined : await response.json().catch(() => undefined);
  if (!response.ok) {
    const error = ErrorResponse.safeParse(body);
    if (!error.success) throw new BackendError(response.status, 'unknown', `The backend answered ${response.status}.`);
    throw new BackendError(response.status, error.data.error.code, error.data.error.message, error.data.error.fields);
  }
  if (!schema) return undefined;
  const parsed = schema.safeParse(body);
  if (!parsed.success) {
    console.error(`the backend's answer to ${path} does not match the API contract: ${parsed.error.message}`);
    throw new BackendError(502, 'bad_backend_answer', 'The backend answered something this app does not understand.');
  }
  return parsed.data;
}
