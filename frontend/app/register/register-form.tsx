'use client';

import { useActionState, useState } from 'react';
import { Alert, buttonClass, inputClass } from '@/components/ui';
import { register, type FormState } from '@/lib/actions';
import { registrationProblem } from '@/lib/validation';

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
        onBlur={(event) => setLocal((prev) => ({ ...prev, [name]: registrationProblem(name, event.target.value) }))}
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
