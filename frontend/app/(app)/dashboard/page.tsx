import type { Metadata } from 'next';
import Link from 'next/link';
import { Card, PageShell } from '@/components/ui';
import { backend } from '@/lib/backend';
import { requireSession } from '@/lib/session';
import { SecurityStatus } from '@zt-demo/api-contract';

export const metadata: Metadata = { title: 'Dashboard' };

export default async function DashboardPage() {
  // the user as the backend verified them (requireSession, once per request) and the backend's state
  const [me, status] = await Promise.all([requireSession(), backend('/api/security/status', SecurityStatus)]);
  return (
    <PageShell title={`Welcome back, ${me.username}`}>
      <div className="grid gap-4 md:grid-cols-3">
        <Card title="You">
          <p className="text-sm">
            Role: <strong data-testid="role">{me.role}</strong>
          </p>
          {me.email && <p className="text-sm text-slate-600">{me.email}</p>}
          {me.role === 'admin' && <p className="mt-2 text-xs text-precinct-600">Admins can rotate database credentials.</p>}
        </Card>
        <Card title="Shortcuts">
          <ul className="space-y-1 text-sm">
            <li><Link className="text-precinct-600 underline" href="/github">Connect GitHub and list repositories</Link></li>
            <li><Link className="text-precinct-600 underline" href="/security">Open the zero-trust console</Link></li>
          </ul>
        </Card>
        <Card title="The backend right now">
          <dl className="space-y-1 text-sm">
            <dt className="text-slate-500">Identity</dt>
            <dd className="font-mono text-xs break-all">{status.workload.spiffe_id}</dd>
            <dt className="text-slate-500">Database user</dt>
            <dd className="font-mono text-xs break-all" data-testid="db-username">{status.database.username}</dd>
          </dl>
        </Card>
      </div>
    </PageShell>
  );
}
