import type { Metadata } from 'next';
import Link from 'next/link';
import { Alert, Card } from '@/components/ui';
import { isLocalPath } from '@/lib/paths';
import { LoginForm } from './login-form';

export const metadata: Metadata = { title: 'Sign in' };

const SQUAD = [
  ['jake', 'jake99', 'detective'],
  ['amy', 'amy99', 'detective'],
  ['rosa', 'rosa99', 'detective'],
  ['charles', 'charles99', 'detective'],
  ['terry', 'terry99', 'admin'],
  ['gina', 'gina99', 'admin'],
] as const;

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | undefined>> }) {
  const params = await searchParams;
  return (
    <main className="mx-auto grid max-w-4xl gap-6 px-4 py-12 md:grid-cols-2">
      <Card>
        <h1 className="mb-1 text-2xl font-semibold text-precinct-900">99th Precinct</h1>
        <p className="mb-5 text-sm text-slate-600">Sign in to the zero-trust demo.</p>
        {params.expired && <Alert kind="info">Your session expired. Please sign in again.</Alert>}
        {params.signedOut && <Alert kind="info">You are signed out.</Alert>}
        <LoginForm next={isLocalPath(params.next) ? params.next : undefined} />
        <p className="mt-4 text-sm text-slate-600">
          New here? <Link className="text-precinct-600 underline" href="/register">Create an account</Link>
        </p>
      </Card>
      <Card title="Demo users (this is a demo)">
        <table className="w-full text-sm">
          <thead>
            <tr className="text-left text-slate-500">
              <th className="py-1">User</th>
              <th>Password</th>
              <th>Role</th>
            </tr>
          </thead>
          <tbody>
            {SQUAD.map(([user, password, role]) => (
              <tr key={user} className="border-t border-slate-100">
                <td className="py-1 font-mono">{user}</td>
                <td className="font-mono">{password}</td>
                <td>{role}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </Card>
    </main>
  );
}
