import 'server-only';
import { cookies } from 'next/headers';
import { redirect } from 'next/navigation';
import { SESSION_COOKIE } from './backend';

export interface Session {
  userId: number;
  username: string;
  role: 'user' | 'admin';
  expiresAt: number;
}

/** Reads the claims of the session token for display only: the backend verifies it on every call. */
export function decodeSession(token: string | undefined): Session | undefined {
  const payload = token?.split('.')[1];
  if (!payload) return undefined;
  try {
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
    return { userId: claims.user_id, username: claims.username, role: claims.role, expiresAt: claims.exp * 1000 };
  } catch {
    return undefined;
  }
}

/** The current session, or a redirect to /login (with a message when it expired). */
export async function requireSession(): Promise<Session> {
  const session = decodeSession((await cookies()).get(SESSION_COOKIE)?.value);
  if (!session) redirect('/login');
  if (session.expiresAt <= Date.now()) redirect('/login?expired=1');
  return session;
}
