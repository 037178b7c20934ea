import type { Metadata } from 'next';
import Link from 'next/link';
import { Card } from '@/components/ui';
import { RegisterForm } from './register-form';

export const metadata: Metadata = { title: 'Create an account' };

export default function RegisterPage() {
  return (
    <main className="mx-auto max-w-md px-4 py-12">
      <Card>
        <h1 className="mb-5 text-2xl font-semibold text-precinct-900">Join the precinct</h1>
        <RegisterForm />
        <p className="mt-4 text-sm text-slate-600">
          Already on the squad? <Link className="text-precinct-600 underline" href="/login">Sign in</Link>
        </p>
      </Card>
    </main>
  );
}
