'use client';

import { useActionState } from 'react';
import { Alert, buttonClass, inputClass } from '@/components/ui';
import { login, type FormState } from '@/lib/actions';

export function LoginForm({ next }: { next?: string }) {
  const [state, action, pending] = useActionState<FormState, FormData>(login, {});
  return (
    <form action={action} className="space-y-4" noValidate>
      {state.error && <Alert kind="error">{state.error}</Alert>}
      {next && <input type="hidden" name="next" value={next} />}
      <label className="block text-sm font-medium">
        Username
        <input name="username" autoComplete="username" required className={inputClass} />
      </label>
      <label className="block text-sm font-medium">
        Password
        <input name="password" type="password" autoComplete="current-password" required className={inputClass} />
      </label>
      <button type="submit" disabled={pending} className={buttonClass}>
        {pending ? 'Signing in…' : 'Sign in'}
      </button>
    </form>
  );
}
