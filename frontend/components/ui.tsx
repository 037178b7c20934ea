import type { ReactNode } from 'react';

export function Card({ title, children, className = '' }: { title?: string; children: ReactNode; className?: string }) {
  return (
    <section className={`rounded-lg border border-slate-200 bg-white p-5 shadow-sm ${className}`}>
      {title && <h2 className="mb-3 text-sm font-semibold tracking-wide text-precinct-600 uppercase">{title}</h2>}
      {children}
    </section>
  );
}

export function Alert({ kind, children }: { kind: 'error' | 'ok' | 'info'; children: ReactNode }) {
  const styles = { error: 'border-red-300 bg-red-50 text-red-800', ok: 'border-emerald-300 bg-emerald-50 text-emerald-800', info: 'border-sky-300 bg-sky-50 text-sky-900' };
  return (
    <p role={kind === 'error' ? 'alert' : 'status'} className={`rounded border px-3 py-2 text-sm ${styles[kind]}`}>
      {children}
    </p>
  );
}

export const inputClass =
  'mt-1 block w-full rounded border border-slate-300 px-3 py-2 text-slate-900 focus:border-precinct-600 focus:outline-2 focus:outline-badge-400';
export const buttonClass =
  'rounded bg-precinct-800 px-4 py-2 font-medium text-white hover:bg-precinct-600 focus-visible:outline-2 focus-visible:outline-badge-400 disabled:opacity-60';

export function PageShell({ title, children }: { title: string; children: ReactNode }) {
  return (
    <main className="mx-auto max-w-5xl px-4 py-8">
      <h1 className="mb-6 text-2xl font-semibold text-precinct-900">{title}</h1>
      {children}
    </main>
  );
}
