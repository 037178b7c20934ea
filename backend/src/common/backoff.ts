export const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/** Exponential backoff with jitter: 0.5 s, 1 s, 2 s, ... capped at maxMs. */
export function backoffMs(attempt: number, baseMs = 500, maxMs = 30_000): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** attempt);
  return Math.round(ceiling / 2 + Math.random() * (ceiling / 2));
}

/** Calls fn until it resolves, waiting with backoff between attempts while shouldRetry(error) holds. */
export async function retry<T>(
  fn: () => Promise<T>,
  opts: { shouldRetry?: (error: unknown) => boolean; onRetry?: (error: unknown, attempt: number, delayMs: number) => void; maxMs?: number; signal?: AbortSignal } = {},
): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await fn();
    } catch (error) {
      if (opts.signal?.aborted || (opts.shouldRetry && !opts.shouldRetry(error))) throw error;
      const delay = backoffMs(attempt, 500, opts.maxMs);
      opts.onRetry?.(error, attempt + 1, delay);
      await sleep(delay);
    }
  }
}
