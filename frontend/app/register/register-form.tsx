'use client';

import { useActionState, useState } from 'react';
import { Alert, buttonClass, inputClass } from '@/components/ui';
import { register, type FormState } from '@/lib/actions';

/** The backend's rules, checked as the user types; the backend checks them again. */
function check(name: string, value: string): string | undefined {
  if (name === 'username' && !/^[a-z0-9_.-]{3,50}$/.test(value)) return 'Use 3 to 50 characters: a-z, 0-9, _ . -';
  if (name === 'email' && value && !/^[^\s@]+@[^\s@]+\.[^\s@]+$/.test(value)) return 'That is not an email address.';
  if (name === 'password') {
    const bytes = new TextEncoder().encode(value).length;
    if (bytes < 6) return 'At least 6 characters.';
    if (bytes > 72) return 'At most 72 bytes.';
  }
  return undefined;
}

export function RegisterForm() {
  const [state, action, pending] = useActionState<FormState, FormData>(register, {});
  const [local, setLocal] = useState<Record<string, string | undefined>>({});
  const errorFor = (name: string) => local[name] ?? state.fields?.[name];
  const field = (name: string, label: string, type = 'text', autoComplete?: string) => (
    <label className="block text-sm font-medium">
      {label}
      <input
        name={name}
        type={type}
        autoComplete={autoComplete}
        aria-invalid={Boolean(errorFor(name))}
        aria-describedby={`${name}-error`}
        onBlur={(event) => setLocal((prev) => ({ ...prev, [name]: check(name, event.target.value) }))}
        className={inputClass}
      />
      <span id={`${name}-error`} className="mt-1 block text-xs text-red-700">
        {errorFor(name)}
      </span>
    </label>
  );
  return (
    <form action={action} className="space-y-3" noValidate>
      {state.error && <Alert kind="error">{state.error}</Alert>}
      {field('username', 'Username', 'text', 'username')}
      {field('email', 'Email (optional)', 'email', 'email')}
      {field('password', 'Password', 'password', 'new-password')}
      <button type="submit" disabled={pending} className={buttonClass}>
        {pending ? 'Creating…' : 'Create account'}
      </button>
    </form>
  );
}
