import 'server-only';
import { cookies } from 'next/headers';

/** The session cookie: the backend's JWT, httpOnly, never visible to the browser's scripts. */
export const SESSION_COOKIE = 'zt_session';

/** The backend, reached only from this server (BFF); read at request time, never NEXT_PUBLIC_. */
const backendUrl = (path: string): string => new URL(path, process.env.BACKEND_URL ?? 'http://127.0.0.1:8000').toString();

export class BackendError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly fields?: Record<string, string>,
  ) {
    super(message);
  }
}

/** A call to the backend with the session's token; errors become BackendError with the API's code. */
export async function backend<T>(path: string, init: { method?: string; body?: unknown } = {}): Promise<T> {
  const token = (await cookies()).get(SESSION_COOKIE)?.value;
  let response: Response;
  try {
    response = await fetch(backendUrl(path), {
      method: init.method ?? 'GET',
      headers: {
        ...(init.body !== undefined && { 'content-type': 'application/json' }),
        ...(token && { authorization: `Bearer ${token}` }),
      },
      body: init.body === undefined ? undefined : JSON.stringify(init.body),
      cache: 'no-store',
      signal: AbortSignal.timeout(15_000),
    });
  } catch {
    throw new BackendError(503, 'backend_unreachable', 'The backend cannot be reached right now.');
  }
  if (response.status === 204) return undefined as T;
  const body = await response.json().catch(() => ({}));
  if (!response.ok) {
    const error = (body as { error?: { code?: string; message?: string; fields?: Record<string, string> } }).error;
    throw new BackendError(response.status, error?.code ?? 'unknown', error?.message ?? `The backend answered ${response.status}.`, error?.fields);
  }
  return body as T;
}
