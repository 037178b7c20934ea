import type { PoolClient, QueryResult, QueryResultRow } from 'pg';

/** Short-lived database credentials and the lease they came with. */
export interface DbCredentials {
  username: string;
  password: string;
  leaseId: string;
  leaseDurationS: number;
  obtainedAt: Date;
}

/** Port: where credentials come from and how a lease is dropped (OpenBao's database engine). */
export interface CredentialSource {
  next(): Promise<DbCredentials>;
  revoke(leaseId: string): Promise<void>;
}

/** The part of pg.Pool the rotation needs (a fake in unit tests). */
export interface PoolLike {
  query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[]): Promise<QueryResult<R>>;
  connect(): Promise<PoolClient>;
  end(): Promise<void>;
  on(event: 'error', listener: (error: Error) => void): unknown;
  readonly totalCount: number;
  readonly idleCount: number;
  readonly waitingCount: number;
}

export type PoolFactory = (credentials: DbCredentials) => PoolLike;

export interface RotationRecord {
  at: Date;
  fromUsername: string | null;
  toUsername: string | null;
  durationMs: number;
  reason: string;
  result: 'ok' | 'failed';
  error?: string;
}

interface Generation {
  pool: PoolLike;
  credentials: DbCredentials;
  number: number;
}

export interface RotatingPoolOptions {
  /** How long an old pool may take to drain before it is closed anyway. */
  drainTimeoutMs?: number;
  historySize?: number;
  onPoolError?: (error: Error) => void;
}

/** pg error codes meaning "these credentials no longer log in" (expired, revoked, wrong). */
const CREDENTIALS_REJECTED = new Set(['28P01', '28000']);

const sleep = (ms: number): Promise<void> => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A PostgreSQL pool whose credentials change underneath it without failing a request.
 *
 * Rotation: new credentials, new pool, probe query, switch new checkouts to the new pool, let the
 * old pool drain (in-flight and queued queries finish on it), close it, and only then revoke the
 * old lease (revocation terminates the role's sessions, so it must come last). One rotation at a
 * time: concurrent triggers (timer, admin, 28P01) share the one in flight.
 */
export class RotatingPool {
  private current?: Generation;
  private generations = 0;
  private inFlight?: { swapped: Promise<void>; finished: Promise<RotationRecord> };
  private readonly history: RotationRecord[] = [];
  private readonly retiring = new Set<Promise<void>>();

  constructor(
    private readonly source: CredentialSource,
    private readonly createPool: PoolFactory,
    private readonly options: RotatingPoolOptions = {},
  ) {}

  /** Rotates (or, the first time, connects) and resolves once the old lease is revoked. */
  rotate(reason: string): Promise<RotationRecord> {
    return this.begin(reason).finished;
  }

  /** Starts a rotation, or joins the one in flight. */
  private begin(reason: string): { swapped: Promise<void>; finished: Promise<RotationRecord> } {
    if (!this.inFlight) {
      let markSwapped!: () => void;
      const swapped = new Promise<void>((resolve) => (markSwapped = resolve));
      const finished = this.run(reason, markSwapped).finally(() => (this.inFlight = undefined));
      this.inFlight = { swapped, finished };
    }
    return this.inFlight;
  }

  private async run(reason: string, markSwapped: () => void): Promise<RotationRecord> {
    const started = Date.now();
    const old = this.current;
    const record = (result: 'ok' | 'failed', toUsername: string | null, error?: string): RotationRecord => {
      const entry: RotationRecord = {
        at: new Date(started),
        fromUsername: old?.credentials.username ?? null,
        toUsername,
        durationMs: Date.now() - started,
        reason,
        result,
        ...(error && { error }),
      };
      this.history.unshift(entry);
      this.history.length = Math.min(this.history.length, this.options.historySize ?? 20);
      return entry;
    };

    let fresh: Generation;
    try {
      const credentials = await this.source.next();
      const pool = this.createPool(credentials);
      pool.on('error', (error) => this.options.onPoolError?.(error)); // an idle client died; the pool replaces it
      try {
        await pool.query('SELECT 1'); // prove the new credentials before anyone depends on them
      } catch (error) {
        await pool.end().catch(() => undefined);
        await this.source.revoke(credentials.leaseId).catch(() => undefined);
        throw error;
      }
      fresh = { pool, credentials, number: ++this.generations };
    } catch (error) {
      markSwapped(); // waiters go on with the pool they have
      return record('failed', null, (error as Error).message);
    }

    this.current = fresh; // from here on, every new checkout gets the new pool
    markSwapped();
    if (old) {
      const retired = this.retire(old);
      this.retiring.add(retired);
      await retired.finally(() => this.retiring.delete(retired));
    }
    return record('ok', fresh.credentials.username);
  }

  /** Drain, close, then revoke. */
  private async retire(old: Generation): Promise<void> {
    const deadline = Date.now() + (this.options.drainTimeoutMs ?? 30_000);
    // queued checkouts must get a client from the old pool before end(), or they would be stranded
    while (old.pool.waitingCount > 0 && Date.now() < deadline) await sleep(10);
    await Promise.race([old.pool.end(), sleep(Math.max(0, deadline - Date.now()))]);
    await this.source.revoke(old.credentials.leaseId);
  }

  private pool(): PoolLike {
    if (!this.current) throw new DatabaseNotReadyError();
    return this.current.pool;
  }

  /** A query on the current pool. Rejected credentials trigger an early rotation and one retry. */
  async query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    try {
      return await this.pool().query<R>(sql, params);
    } catch (error) {
      if (!CREDENTIALS_REJECTED.has((error as { code?: string }).code ?? '')) throw error;
      await this.begin('credentials-rejected').swapped;
      return this.pool().query<R>(sql, params);
    }
  }

  /** A client for a transaction; release it when done. */
  connect(): Promise<PoolClient> {
    return this.pool().connect();
  }

  isReady(): boolean {
    return this.current !== undefined;
  }

  credentials(): DbCredentials | undefined {
    return this.current?.credentials;
  }

  generation(): number {
    return this.current?.number ?? 0;
  }

  stats(): { total: number; idle: number; waiting: number } {
    const pool = this.current?.pool;
    return { total: pool?.totalCount ?? 0, idle: pool?.idleCount ?? 0, waiting: pool?.waitingCount ?? 0 };
  }

  rotations(): RotationRecord[] {
    return [...this.history];
  }

  /** Closes everything and revokes the current lease (the role is dropped on a clean shutdown). */
  async close(): Promise<void> {
    await this.inFlight?.finished.catch(() => undefined);
    await Promise.allSettled([...this.retiring]);
    const last = this.current;
    this.current = undefined;
    if (last) {
      await last.pool.end().catch(() => undefined);
      await this.source.revoke(last.credentials.leaseId).catch(() => undefined);
    }
  }
}

export class DatabaseNotReadyError extends Error {
  constructor() {
    super('the database connection is not ready yet');
  }
}
