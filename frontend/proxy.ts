import { NextResponse, type NextRequest } from 'next/server';

const SESSION_COOKIE = 'zt_session';

/**
 * An optimistic guard for the protected pages: no session cookie, or an expired one, goes to
 * /login. It only spares a round trip: every page and action still has the backend verify the token.
 */
export function proxy(request: NextRequest): NextResponse {
  const token = request.cookies.get(SESSION_COOKIE)?.value;
  if (!token) return NextResponse.redirect(new URL('/login', request.url));
  let exp = 0;
  try {
    exp = JSON.parse(atob(token.split('.')[1]!.replace(/-/g, '+').replace(/_/g, '/'))).exp ?? 0;
  } catch {
    /* not a JWT: treated as expired */
  }
  if (exp * 1000 <= Date.now()) {
    const response = NextResponse.redirect(new URL('/login?expired=1', request.url));
    response.cookies.delete(SESSION_COOKIE);
    return response;
  }
  return NextResponse.next();
}

export const config = { matcher: ['/dashboard/:path*', '/github/:path*', '/security/:path*'] };
