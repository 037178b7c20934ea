/** Time left until `iso`, as "1h 2m 03s", "4m 09s", "expired" or "—" when unknown. */
export function countdown(iso: string | null | undefined, now: number): string {
  if (!iso) return '—';
  const seconds = Math.round((new Date(iso).getTime() - now) / 1000);
  if (seconds <= 0) return 'expired';
  const h = Math.floor(seconds / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return `${h ? `${h}h ` : ''}${m}m ${String(s).padStart(2, '0')}s`;
}
