export default function Loading() {
  return (
    <main className="mx-auto max-w-5xl px-4 py-8" aria-busy="true">
      <p className="animate-pulse text-slate-500">Loading…</p>
    </main>
  );
}
