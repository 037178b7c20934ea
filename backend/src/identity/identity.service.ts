import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { retry } from '../common/backoff.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { metrics } from '../metrics/metrics.js';
import { JWT_SVID_SOURCE, type JwtSvid, type JwtSvidSource } from './jwt-svid.js';
import { isTransientWorkloadError } from '@zt-demo/spiffe';

export interface IdentityStatus {
  spiffeId: string;
  svidExpiresAt?: Date;
  ok: boolean;
  lastError?: string;
}

/**
 * The backend's SPIFFE identity. Every OpenBao login gets a fresh JWT-SVID (they live minutes and
 * are never cached for reuse); a background refresh keeps the status live and notices an agent
 * that went away.
 */
@Injectable()
export class IdentityService implements OnModuleInit, OnApplicationShutdown {
  private status: IdentityStatus;
  private timer?: NodeJS.Timeout;
  static readonly REFRESH_MS = 30_000;

  constructor(
    @Inject(JWT_SVID_SOURCE) private readonly source: JwtSvidSource,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {
    this.status = { spiffeId: config.identity.spiffeId, ok: false };
  }

  onModuleInit(): void {
    this.timer = setInterval(() => void this.refresh(), IdentityService.REFRESH_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
    this.source.close();
  }

  /** One attempt at a JWT-SVID for OpenBao's audience. */
  async fetch(): Promise<JwtSvid> {
    try {
      const svid = await this.source.fetchJwtSvid(this.config.identity.audience, this.config.identity.spiffeId);
      this.status = { spiffeId: svid.spiffeId, svidExpiresAt: svid.expiresAt, ok: true };
      metrics.svidExpiry.set(svid.expiresAt.getTime() / 1000);
      return svid;
    } catch (error) {
      this.status = { ...this.status, ok: false, lastError: (error as Error).message };
      throw error;
    }
  }

  /**
   * The background refresh. A failure is logged with its reason every time (readiness turns 503
   * meanwhile, and whoever looks must learn why), and the recovery once.
   */
  async refresh(): Promise<void> {
    const failing = !this.status.ok && this.status.lastError !== undefined;
    try {
      const svid = await this.fetch();
      if (failing) this.logger.info({ spiffeId: svid.spiffeId }, 'JWT-SVID refresh works again');
    } catch (error) {
      this.logger.warn(
        { spiffeId: this.config.identity.spiffeId, reason: (error as Error).message },
        'JWT-SVID refresh failed; readiness reports the identity unavailable until the SPIRE agent answers again',
      );
    }
  }

  /** A JWT-SVID, waiting with backoff while the agent is not up or has not issued the identity yet. */
  fetchWithRetry(signal?: AbortSignal): Promise<JwtSvid> {
    return retry(() => this.fetch(), {
      shouldRetry: isTransientWorkloadError,
      signal,
      onRetry: (error, attempt, delayMs) =>
        this.logger.warn({ attempt, delayMs, reason: (error as Error).message }, 'Workload API not answering with our identity yet; retrying'),
    });
  }

  current(): IdentityStatus {
    return this.status;
  }
}
