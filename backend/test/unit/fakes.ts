import type { PoolClient, QueryResult } from 'pg';
import { createLogger } from '../../src/common/logger.js';
import type { CredentialSource, DbCredentials, PoolLike } from '../../src/database/rotating-pool.js';
import { SecurityEvents, type SecurityEvent } from '../../src/events/security-events.js';
import type { FailureLog } from '../../src/auth/login-throttle.js';

export const silentLogger = createLogger('silent');

/** Security events that are kept in a list instead of logged, to see which ones a call records. */
export class RecordedEvents extends SecurityEvents {
  readonly recorded: Array<[SecurityEvent, Record<string, unknown>]> = [];
  constructor() {
    super(silentLogger);
  }
  override record(event: SecurityEvent, fields: Record<string, unknown> = {}): void {
    this.recorded.push([event, fields]);
  }
}

/** The sign-in throttle's failure log in memory, as PostgreSQL's table behaves (one per test, or shared to play two replicas). */
export class MemoryFailureLog implements FailureLog {
  private failures: Array<{ key: string; at: number }> = [];

  async nthLatestSince(key: string, n: number, sinceMs: number): Promise<number | undefined> {
    const times = this.failures.filter((f) => f.key === key && f.at > sinceMs).map((f) => f.at);
    return times.sort((a, b) => b - a)[n - 1];
  }

  async record(keys: string[], atMs: number, forgetBeforeMs: number): Promise<void> {
    this.failures = this.failures.filter((f) => f.at > forgetBeforeMs);
    for (const key of keys) this.failures.push({ key, at: atMs });
  }

  get size(): number {
    return this.failures.length;
  }
}

export const deferred = <T = void>() => {
  let resolve!: (value: T) => void;
  let reject!: (error: unknown) => void;
  const promise = new Promise<T>((res, rej) => ((resolve = res), (reject = rej)));
  return { promise, resolve, reject };
};

/**
 * A pool whose queries can be held open: `hold()` makes the next queries wait until released,
 * to watch what rotation does with work still in flight. end() resolves once nothing is active,
 * as pg-pool's does.
 */
export class FakePool implements PoolLike {
  active = 0;
  waitingCount = 0;
  ended = false;
  endCalledAt?: number;
  queries: string[] = [];
  failNext?: { code?: string; message: string };
  private gate?: Promise<void>;
  private drained = deferred();
  private errorListeners: Array<(error: Error) => void> = [];

  constructor(readonly credentials: DbCredentials) {}

  get totalCount(): number {
    return this.ended ? 0 : Math.max(1, this.active);
  }
  get idleCount(): number {
    return this.ended ? 0 : Math.max(0, 1 - this.active);
  }

  hold(): () => void {
    const release = deferred();
    this.gate = release.promise;
    return () => release.resolve();
  }

  async query<R>(sql: string): Promise<QueryResult<R extends object ? R : never>> {
    if (this.ended) throw new Error('Cannot use a pool after calling end on the pool');
    if (this.failNext) {
      const failure = this.failNext;
      this.failNext = undefined;
      throw Object.assign(new Error(failure.message), { code: failure.code });
    }
    this.queries.push(sql);
    this.active++;
    try {
      if (this.gate) await this.gate;
      return { rows: [{ user: this.credentials.username }], rowCount: 1 } as never;
    } finally {
      this.active--;
      if (this.active === 0 && this.endCalledAt !== undefined) this.drained.resolve();
    }
  }

  connect(): Promise<PoolClient> {
    throw new Error('not used in these tests');
  }

  async end(): Promise<void> {
    this.endCalledAt ??= Date.now();
    if (this.active > 0) await this.drained.promise;
    this.ended = true;
  }

  on(_event: 'error', listener: (error: Error) => void): this {
    this.errorListeners.push(listener);
    return this;
  }
}

/** Numbered credentials; records what was revoked, and when. */
export class FakeCredentials implements CredentialSource {
  issued = 0;
  revoked: string[] = [];
  next_ = (): DbCredentials => ({
    username: `v-test-${++this.issued}`,
    password: 'pw',
    leaseId: `database/creds/backend-role/lease-${this.issued}`,
    leaseDurationS: 3600,
    obtainedAt: new Date(),
  });
  failNext?: Error;
  gate?: Promise<void>;

  async next(): Promise<DbCredentials> {
    if (this.gate) await this.gate;
    if (this.failNext) {
      const error = this.failNext;
      this.failNext = undefined;
      throw error;
    }
    return this.next_();
  }

  async revoke(leaseId: string): Promise<void> {
    this.revoked.push(leaseId);
  }
}
