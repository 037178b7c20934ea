import { Inject, Injectable, type OnApplicationBootstrap, type OnApplicationShutdown } from '@nestjs/common';
import pg, { type QueryResult, type QueryResultRow } from 'pg';
import { backoffMs } from '../common/backoff.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { SecurityEvents } from '../events/security-events.js';
import { metrics } from '../metrics/metrics.js';
import { OpenBaoSession } from '../secrets/openbao-session.service.js';
import type { WorkloadTls } from '../tls/workload-tls.js';
import { RotatingPool, type CredentialSource, type DbCredentials, type PoolFactory, type RotationRecord } from './rotating-pool.js';

export const POOL_FACTORY = Symbol('POOL_FACTORY');
/** Time allowed for an old pool to drain and its lease to be revoked after a rotation. */
const DRAIN_ALLOWANCE_MS = 5 * 60_000;

/**
 * pg pools for the configured database, one per set of credentials, over TLS: PostgreSQL must
 * present an X.509-SVID of the trust bundle for its SPIFFE ID (workload TLS), or no connection is made.
 */
export function pgPoolFactory(config: AppConfig, tls: WorkloadTls): PoolFactory {
  const ssl = tls.postgresSsl();
  return (credentials) =>
    new pg.Pool({
      ssl,
      host: config.database.host,
      port: config.database.port,
      database: config.database.name,
      user: credentials.username,
      password: credentials.password,
      min: config.database.poolMin,
      max: config.database.poolMax,
      connectionTimeoutMillis: 5_000, // never wait forever for a client
      idleTimeoutMillis: 30_000,
      statement_timeout: 15_000,
      idle_in_transaction_session_timeout: 30_000,
      application_name: 'zt-backend',
      keepAlive: true,
    });
}

/**
 * The database: a RotatingPool fed by OpenBao's database engine, rotated on a schedule (every
 * DB_ROTATE_INTERVAL, or at DB_ROTATE_FRACTION of the lease, whichever is sooner). When OpenBao
 * cannot be reached the current pool keeps serving and rotation is retried with backoff; readiness
 * fails only once the lease has run out.
 */
@Injectable()
export class DatabaseService implements OnApplicationBootstrap, OnApplicationShutdown {
  readonly pool: RotatingPool;
  private timer?: NodeJS.Timeout;
  private nextRotationAt?: Date;
  private failures = 0;
  private stopped = false;

  constructor(
    private readonly session: OpenBaoSession,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    @Inject(POOL_FACTORY) createPool: PoolFactory,
    private readonly events: SecurityEvents,
  ) {
    const source: CredentialSource = {
      next: () => this.nextCredentials(),
      revoke: (leaseId) => this.session.call((api) => api.revokeLease(leaseId)),
    };
    this.pool = new RotatingPool(source, createPool, {
      onPoolError: (error) => this.logger.warn({ reason: error.message }, 'an idle database connection failed; the pool replaces it'),
    });
  }

  onApplicationBootstrap(): void {
    // Not awaited: the HTTP server comes up at once and reports not-ready until the pool is.
    void this.rotate('startup');
  }

  async onApplicationShutdown(): Promise<void> {
    this.stopped = true;
    clearTimeout(this.timer);
    await this.pool.close();
    // The pool was the last user of the token's lease: now the token (and with it the lease and
    // its database user) can go.
    await this.session.revokeToken();
  }

  private async nextCredentials(): Promise<DbCredentials> {
    // The lease dies with the token that created it, so that token must stay valid for as long
    // as the lease is in use: until the next rotation, plus time to drain.
    const leaseDurationS = this.pool.credentials()?.leaseDurationS ?? this.config.openbao.tokenTtlS;
    await this.session.ensureTokenOutlives(this.rotationDelayMs({ leaseDurationS }) + DRAIN_ALLOWANCE_MS);
    const secret = await this.session.call((api) => api.read<{ username: string; password: string }>(this.config.database.credsPath));
    if (!secret) throw new Error(`OpenBao has nothing at ${this.config.database.credsPath}`);
    return { ...secret.data, leaseId: secret.leaseId, leaseDurationS: secret.leaseDurationS, obtainedAt: new Date() };
  }

  /** Rotates now (timer, startup or an admin) and schedules the next rotation. */
  async rotate(reason: string): Promise<RotationRecord> {
    clearTimeout(this.timer);
    this.events.record('rotation_started', { reason });
    const record = await this.pool.rotate(reason);
    metrics.rotations.inc({ reason, result: record.result });
    if (record.result === 'ok') {
      this.failures = 0;
      const credentials = this.pool.credentials()!;
      metrics.dbLeaseExpiry.set(leaseExpiry(credentials).getTime() / 1000);
      metrics.poolGeneration.set(this.pool.generation());
      this.events.record('rotation_finished', { reason, from: record.fromUsername, to: record.toUsername, durationMs: record.durationMs });
      if (reason !== 'forced') await this.auditRotation(record); // forced ones are audited with the admin who asked
      this.schedule(this.rotationDelayMs(credentials));
    } else {
      this.failures++;
      const delay = backoffMs(this.failures - 1, 1_000, 30_000);
      this.events.record('rotation_failed', { reason, error: record.error, retryInMs: delay, note: 'the current pool keeps serving' });
      this.schedule(delay);
    }
    return record;
  }

  private async auditRotation(record: RotationRecord): Promise<void> {
    await this.pool
      .query("INSERT INTO audit_log (action, resource, details) VALUES ('db_rotation', 'database', $1)", [
        { reason: record.reason, from: record.fromUsername, to: record.toUsername, duration_ms: record.durationMs },
      ])
      .catch((error: Error) => this.logger.warn({ reason: error.message }, 'could not audit a rotation'));
  }

  private rotationDelayMs(credentials: Pick<DbCredentials, 'leaseDurationS'>): number {
    const { rotateIntervalMs, rotateFraction } = this.config.database;
    const byFraction = rotateFraction ? credentials.leaseDurationS * 1000 * rotateFraction : Infinity;
    return Math.min(rotateIntervalMs, byFraction);
  }

  private schedule(delayMs: number): void {
    if (this.stopped) return;
    clearTimeout(this.timer);
    this.nextRotationAt = new Date(Date.now() + delayMs);
    this.timer = setTimeout(() => void this.rotate(this.pool.isReady() ? 'scheduled' : 'startup'), delayMs);
    this.timer.unref();
  }

  query<R extends QueryResultRow = QueryResultRow>(sql: string, params?: unknown[]): Promise<QueryResult<R>> {
    return this.pool.query<R>(sql, params);
  }

  /** Ready: a pool exists, its lease has not run out, and PostgreSQL answers. */
  async healthy(): Promise<boolean> {
    const credentials = this.pool.credentials();
    if (!credentials || leaseExpiry(credentials).getTime() <= Date.now()) return false;
    try {
      await this.pool.query('SELECT 1');
      return true;
    } catch {
      return false;
    }
  }

  status(): {
    username: string | null;
    leaseId: string | null;
    leaseExpiresAt: Date | null;
    nextRotationAt: Date | null;
    generation: number;
    pool: { total: number; idle: number; waiting: number };
  } {
    const credentials = this.pool.credentials();
    return {
      username: credentials?.username ?? null,
      leaseId: credentials ? truncateLeaseId(credentials.leaseId) : null,
      leaseExpiresAt: credentials ? leaseExpiry(credentials) : null,
      nextRotationAt: this.nextRotationAt ?? null,
      generation: this.pool.generation(),
      pool: this.pool.stats(),
    };
  }
}

export const leaseExpiry = (credentials: DbCredentials): Date => new Date(credentials.obtainedAt.getTime() + credentials.leaseDurationS * 1000);

/** "database/creds/backend-role/AbCd…wXyZ": enough to recognise a lease, not to use it. */
export function truncateLeaseId(leaseId: string): string {
  const slash = leaseId.lastIndexOf('/');
  const id = leaseId.slice(slash + 1);
  return id.length > 10 ? `${leaseId.slice(0, slash + 1)}${id.slice(0, 6)}…${id.slice(-4)}` : leaseId;
}
