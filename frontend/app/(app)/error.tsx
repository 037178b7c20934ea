'use client';

import { Alert, buttonClass } from '@/components/ui';

export default function ErrorPage({ reset }: { error: Error; reset: () => void }) {
  return (
    <main className="mx-auto max-w-5xl space-y-4 px-4 py-8">
      <Alert kind="error">This page could not be loaded: the backend may be restarting or rotating. Try again in a moment.</Alert>
      <button type="button" onClick={reset} className={buttonClass}>
        Try again
      </button>
    </main>
  );
}
