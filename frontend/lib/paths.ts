/** The request header the proxy sets on protected pages: the page asked for, to come back to. */
export const PAGE_HEADER = 'x-zt-page';

/**
 * Whether NEXT is a page of this app to return to after sign-in: a path on this origin, never
 * another site ("//evil.example", "/\evil.example" and absolute URLs are all refused).
 */
export function isLocalPath(next: string | null | undefined): next is string {
  return typeof next === 'string' && /^\/(?![/\\])[^\s]*$/.test(next) && next.length <= 512;
}

/** The sign-in page, with a message when a session ended and the page to return to. */
export function loginPath(options: { expired?: boolean; next?: string | null }): string {
  const params = new URLSearchParams();
  if (options.expired) params.set('expired', '1');
  if (isLocalPath(options.next) && options.next !== '/login') params.set('next', options.next);
  const query = params.toString();
  return query ? `/login?${query}` : '/login';
}
