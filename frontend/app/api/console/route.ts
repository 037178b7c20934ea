import { NextResponse } from 'next/server';
import { backend, BackendError } from '@/lib/backend';
import type { SecurityStatus } from '@/lib/types';

/** The console's live data, fetched by this server with the session cookie (the browser never calls the backend). */
export async function GET(): Promise<NextResponse> {
  try {
    const [status, dbUsers] = await Promise.all([
      backend<SecurityStatus>('/api/security/status'),
      backend<{ users: Array<{ username: string; valid_until: string | null }> }>('/api/security/db-users'),
    ]);
    return NextResponse.json({ status, dbUsers: dbUsers.users }, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    const status = error instanceof BackendError ? error.status : 502;
    return NextResponse.json({ error: { code: error instanceof BackendError ? error.code : 'backend_error' } }, { status });
  }
}
