import type { Metadata } from 'next';
import { PageShell } from '@/components/ui';
import { requireSession } from '@/lib/session';
import { Console } from './console';

export const metadata: Metadata = { title: 'Zero-trust console' };

export default async function SecurityPage() {
  const session = await requireSession();
  return (
    <PageShell title="Zero-trust console">
      <p className="mb-6 max-w-3xl text-sm text-slate-600">
        The backend holds no secret. It proves who it is with a short-lived SPIFFE JWT-SVID, trades it for an OpenBao
        token, and gets PostgreSQL credentials that live one hour and are rotated underneath it. This page refreshes itself.
      </p>
      <Console isAdmin={session.role === 'admin'} />
    </PageShell>
  );
}
