/** Failures per key in a sliding window; past the limit the key is refused until enough of them age out. */
export class FailureWindow {
  private readonly failures = new Map<string, number[]>();

  constructor(
    private readonly limit: number,
    private readonly windowMs: number,
    private readonly now: () => number,
  ) {}

  private recent(key: string): number[] {
    const since = this.now() - this.windowMs;
    const kept = (this.failures.get(key) ?? []).filter((at) => at > since);
    if (kept.length) this.failures.set(key, kept);
    else this.failures.delete(key);
    return kept;
  }

  /** Milliseconds until KEY may try again: 0 while it is under the limit. */
  retryAfterMs(key: string): number {
    const kept = this.recent(key);
    if (kept.length < this.limit) return 0;
    // Refused until the failure that put it at the limit leaves the window.
    return kept[kept.length - this.limit]! + this.windowMs - this.now();
  }

  record(key: string): void {
    // A spray of made-up names adds a key each: forget the stale ones before the map grows large.
    if (this.failures.size >= 10_000) for (const stale of [...this.failures.keys()]) this.recent(stale);
    this.failures.set(key, [...this.recent(key), this.now()]);
  }
}

/** Why a sign-in is refused before its password is even checked. */
export interface Throttled {
  /** account: this client failed too often for this username; client: this client failed too often, whatever the names. */
  scope: 'account' | 'client';
  retryAfterS: number;
}

/**
 * Failed sign-ins counted per client address and username, and per client address alone. The
 * owner of an account is never locked out by failures from another address, and one address
 * cannot spray a password over many names: past either limit, that address waits.
 */
export class LoginThrottle {
  private readonly perAccount: FailureWindow;
  private readonly perClient: FailureWindow;

  constructor(limits: { perAccount: number; perClient: number }, windowMs = 60_000, now: () => number = Date.now) {
    this.perAccount = new FailureWindow(limits.perAccount, windowMs, now);
    this.perClient = new FailureWindow(limits.perClient, windowMs, now);
  }

  /** Usernames are case-insensitive, so are their counts. */
  private static account(client: string, username: string): string {
    return `${client}\n${username.toLowerCase()}`;
  }

  check(client: string, username: string): Throttled | undefined {
    const clientWaitMs = this.perClient.retryAfterMs(client);
    if (clientWaitMs > 0) return { scope: 'client', retryAfterS: Math.ceil(clientWaitMs / 1000) };
    const accountWaitMs = this.perAccount.retryAfterMs(LoginThrottle.account(client, username));
    if (accountWaitMs > 0) return { scope: 'account', retryAfterS: Math.ceil(accountWaitMs / 1000) };
    return undefined;
  }

  recordFailure(client: string, username: string): void {
    this.perAccount.record(LoginThrottle.account(client, username));
    this.perClient.record(client);
  }
}
