import Link from 'next/link';
import { logout } from '@/lib/actions';
import type { Session } from '@/lib/session';

const LINKS = [
  ['/dashboard', 'Dashboard'],
  ['/github', 'GitHub'],
  ['/security', 'Zero-trust console'],
] as const;

export function Nav({ session }: { session: Session }) {
  return (
    <header className="bg-precinct-950 text-slate-100">
      <nav className="mx-auto flex max-w-5xl flex-wrap items-center gap-x-6 gap-y-2 px-4 py-3" aria-label="Main">
        <Link href="/dashboard" className="font-semibold tracking-wide text-badge-400">
          99th Precinct
        </Link>
        {LINKS.map(([href, label]) => (
          <Link key={href} href={href} className="text-sm hover:text-badge-400 focus-visible:outline-2 focus-visible:outline-badge-400">
            {label}
          </Link>
        ))}
        <span className="ml-auto text-sm text-slate-300">
          {session.username} · {session.role}
        </span>
        <form action={logout}>
          <button type="submit" className="rounded border border-slate-500 px-3 py-1 text-sm hover:border-badge-400 hover:text-badge-400">
            Sign out
          </button>
        </form>
      </nav>
    </header>
  );
}
