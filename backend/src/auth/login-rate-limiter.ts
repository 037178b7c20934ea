/** Failed logins per username in a sliding window; past the limit, attempts are refused outright. */
export class LoginRateLimiter {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly maxFailures: number,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  private recent(username: string): number[] {
    const since = this.now() - this.windowMs;
    const kept = (this.failures.get(username) ?? []).filter((at) => at > since);
    if (kept.length) this.failures.set(username, kept);
    else this.failures.delete(username);
    return kept;
  }

  blocked(username: string): boolean {
    return this.recent(username.toLowerCase()).length >= this.maxFailures;
  }

  recordFailure(username: string): void {
    const key = username.toLowerCase();
    this.failures.set(key, [...this.recent(key), this.now()]);
  }
}
