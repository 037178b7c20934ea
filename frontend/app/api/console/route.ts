import { NextResponse } from 'next/server';
import { backend, BackendError } from '@/lib/backend';
import { frontendTlsView } from '@/lib/workload-tls';
import { DbUsersResponse, SecurityStatus } from '@zt-demo/api-contract';

/** The console's live data, fetched by this server with the session cookie (the browser never calls the backend). */
export async function GET(): Promise<NextResponse> {
  try {
    const [status, dbUsers] = await Promise.all([
      backend('/api/security/status', SecurityStatus),
      backend('/api/security/db-users', DbUsersResponse),
    ]);
    // The frontend's side of the frontend -> backend hop: its own X.509-SVID and the backend's certificate.
    return NextResponse.json({ status, dbUsers: dbUsers.users, frontend: frontendTlsView() }, { headers: { 'cache-control': 'no-store' } });
  } catch (error) {
    const status = error instanceof BackendError ? error.status : 502;
    return NextResponse.json({ error: { code: error instanceof BackendError ? error.code : 'backend_error' } }, { status });
  }
}
