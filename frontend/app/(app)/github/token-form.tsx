'use client';

import { useActionState } from 'react';
import { Alert, buttonClass, inputClass } from '@/components/ui';
import { configureGithub, type FormState } from '@/lib/actions';

export function TokenForm({ replacing }: { replacing: boolean }) {
  const [state, action, pending] = useActionState<FormState, FormData>(configureGithub, {});
  return (
    <form action={action} className="space-y-3">
      {state.error && <Alert kind="error">{state.error}</Alert>}
      {state.ok && <Alert kind="ok">{state.ok}</Alert>}
      <label className="block text-sm font-medium">
        {replacing ? 'Replace the token' : 'Personal access token'}
        <input name="token" type="password" autoComplete="off" required className={inputClass} />
      </label>
      <button type="submit" disabled={pending} className={buttonClass}>
        {pending ? 'Checking with GitHub…' : 'Save token'}
      </button>
    </form>
  );
}
