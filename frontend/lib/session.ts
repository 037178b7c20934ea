import 'server-only';
import { cache } from 'react';
import { cookies, headers } from 'next/headers';
import { redirect } from 'next/navigation';
import { MeResponse } from '@zt-demo/api-contract';
import { backend, BackendError, SESSION_COOKIE } from './backend';
import { loginPath, PAGE_HEADER } from './paths';

export interface Session {
  userId: number;
  username: string;
  role: 'user' | 'admin';
  email: string | null;
}

/** Where a visitor whose session is gone goes: /login, with a message if they had one, and back here after. */
export async function loginUrl(expired: boolean): Promise<string> {
  return loginPath({ expired, next: (await headers()).get(PAGE_HEADER) });
}

/**
 * The signed-in user as the backend verified them, once per request. Nothing is read from the
 * cookie's claims: a token signed with an old key, signed out or tampered with shows nothing and
 * ends at /login?expired=1, with the page remembered.
 */
export const requireSession = cache(async (): Promise<Session> => {
  if (!(await cookies()).get(SESSION_COOKIE)) redirect(await loginUrl(false));
  try {
    const me = await backend('/api/auth/me', MeResponse);
    return { userId: me.id, username: me.username, role: me.role, email: me.email };
  } catch (error) {
    if (error instanceof BackendError && error.status === 401) redirect(await loginUrl(true));
    throw error;
  }
});
