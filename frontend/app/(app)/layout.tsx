import type { ReactNode } from 'react';
import { Nav } from '@/components/nav';
import { requireSession } from '@/lib/session';

export default async function SignedInLayout({ children }: { children: ReactNode }) {
  const session = await requireSession();
  return (
    <>
      <Nav session={session} />
      {children}
    </>
  );
}
