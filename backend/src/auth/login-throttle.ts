/**
 * Where failed sign-ins are counted. Every backend replica writes to and reads from the same log
 * (PostgreSQL, SignInFailuresRepository), so an attacker gets no more guesses from two replicas
 * than from one, and none back when a replica restarts.
 */
export interface FailureLog {
  /** When KEY failed for the Nth time counting back from its newest failure after SINCE (ms since the epoch); undefined if it failed fewer times since. */
  nthLatestSince(key: string, n: number, sinceMs: number): Promise<number | undefined>;
  /** Records one failure of each of KEYS at AT and forgets every failure before FORGET_BEFORE. */
  record(keys: string[], atMs: number, forgetBeforeMs: number): Promise<void>;
}

export const FAILURE_LOG = Symbol('FAILURE_LOG');

/** Why a sign-in is refused before its password is even checked. */
export interface Throttled {
  /** account: this client failed too often for this username; client: this client failed too often, whatever the names. */
  scope: 'account' | 'client';
  retryAfterS: number;
}

/**
 * Failed sign-ins counted per client address and username, and per client address alone, in a
 * sliding window. The owner of an account is never locked out by failures from another address,
 * and one address cannot spray a password over many names: past either limit, that address waits
 * until enough of its failures leave the window.
 */
export class LoginThrottle {
  constructor(
    private readonly limits: { perAccount: number; perClient: number },
    private readonly log: FailureLog,
    private readonly windowMs = 60_000,
    private readonly now: () => number = Date.now,
  ) {}

  /** Usernames are case-insensitive, so are their counts; the two kinds of key never collide. */
  private static keys(client: string, username: string): { client: string; account: string } {
    return { client: `client\n${client}`, account: `account\n${client}\n${username.toLowerCase()}` };
  }

  /** Milliseconds until KEY may try again: 0 while it is under LIMIT. */
  private async waitMs(key: string, limit: number, now: number): Promise<number> {
    // Refused until the failure that put it at the limit leaves the window.
    const limiting = await this.log.nthLatestSince(key, limit, now - this.windowMs);
    return limiting === undefined ? 0 : Math.max(1, limiting + this.windowMs - now);
  }

  async check(client: string, username: string): Promise<Throttled | undefined> {
    const keys = LoginThrottle.keys(client, username);
    const now = this.now();
    const clientWaitMs = await this.waitMs(keys.client, this.limits.perClient, now);
    if (clientWaitMs > 0) return { scope: 'client', retryAfterS: Math.ceil(clientWaitMs / 1000) };
    const accountWaitMs = await this.waitMs(keys.account, this.limits.perAccount, now);
    if (accountWaitMs > 0) return { scope: 'account', retryAfterS: Math.ceil(accountWaitMs / 1000) };
    return undefined;
  }

  async recordFailure(client: string, username: string): Promise<void> {
    const keys = LoginThrottle.keys(client, username);
    const now = this.now();
    await this.log.record([keys.account, keys.client], now, now - this.windowMs);
  }
}
