import type { Metadata } from 'next';
import type { ReactNode } from 'react';
import './globals.css';

export const metadata: Metadata = {
  title: { default: '99th Precinct · zero-trust demo', template: '%s · 99th Precinct' },
  description: 'A workload with no static secret: SPIFFE identity, OpenBao, short-lived PostgreSQL credentials.',
};

export default function RootLayout({ children }: { children: ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen font-sans">{children}</body>
    </html>
  );
}
