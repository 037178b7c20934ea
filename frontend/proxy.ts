import { NextResponse, type NextRequest } from 'next/server';
import { loginPath, PAGE_HEADER } from './lib/paths';

const SESSION_COOKIE = 'zt_session';

/**
 * An optimistic guard for the protected pages: no session cookie, or an expired one, goes to
 * /login (remembering the page). It only spares a round trip: every page has the backend verify
 * the token (lib/session.ts). It also tells the pages which page was asked for (PAGE_HEADER), so
 * that a session the backend refuses can return here after sign-in.
 */
export function proxy(request: NextRequest): NextResponse {
  const page = request.nextUrl.pathname + request.nextUrl.search;
  const token = request.cookies.get(SESSION_COOKIE)?.value;
  if (!token) return NextResponse.redirect(new URL(loginPath({ next: page }), request.url));
  let exp = 0;
  try {
    exp = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).exp ?? 0;
  } catch {
    /* not a JWT: treated as expired */
  }
  if (exp * 1000 <= Date.now()) {
    const response = NextResponse.redirect(new URL(loginPath({ expired: true, next: page }), request.url));
    response.cookies.delete(SESSION_COOKIE);
    return response;
  }
  const forwarded = new Headers(request.headers);
  forwarded.set(PAGE_HEADER, page);
  return NextResponse.next({ request: { headers: forwarded } });
}

export const config = { matcher: ['/dashboard/:path*', '/github/:path*', '/security/:path*'] };
