import { Inject, Injectable, type OnApplicationShutdown, type OnModuleInit } from '@nestjs/common';
import { LOGGER, type Logger } from '../common/logger.js';
import { SecurityEvents } from '../events/security-events.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { IdentityService } from '../identity/identity.service.js';
import { metrics } from '../metrics/metrics.js';
import { OPENBAO_API, OpenBaoError, type OpenBaoApi } from './openbao-api.js';

export interface OpenBaoStatus {
  authMethod: 'jwt';
  role: string;
  policies: string[];
  tokenExpiresAt?: Date;
  loggedIn: boolean;
}

/**
 * The backend's OpenBao login. It logs in with a fresh JWT-SVID, renews the token before it runs
 * out, and logs in again when renewal can no longer stretch it (token_max_ttl) or the token was
 * revoked. Database leases die with the token that created them, so before new credentials are
 * read, ensureTokenOutlives() makes sure the token lives at least as long as the new lease.
 */
@Injectable()
export class OpenBaoSession implements OnModuleInit, OnApplicationShutdown {
  private expiresAt = 0;
  private policies: string[] = [];
  private loginInFlight?: Promise<void>;
  private logins = 0;
  private timer?: NodeJS.Timeout;
  static readonly CHECK_MS = 15_000;

  constructor(
    @Inject(OPENBAO_API) private readonly api: OpenBaoApi,
    private readonly identity: IdentityService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
    private readonly events: SecurityEvents,
  ) {}

  onModuleInit(): void {
    this.timer = setInterval(() => void this.keepAlive(), OpenBaoSession.CHECK_MS);
    this.timer.unref();
  }

  onApplicationShutdown(): void {
    clearInterval(this.timer);
  }

  /**
   * Ends the backend's OpenBao token (with its leases) when the backend stops, so no token that
   * reads every user's GitHub token outlives the process. Called by the database module once its
   * pool is closed, the last user of the token's lease. Bounded: a stopping backend does not wait
   * for an OpenBao that does not answer.
   */
  async revokeToken(timeoutMs = 3_000): Promise<void> {
    if (this.expiresAt <= Date.now()) return; // no live token to end
    clearInterval(this.timer);
    const timeout = new Promise<never>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs).unref());
    try {
      await Promise.race([this.api.write('auth/token/revoke-self', {}), timeout]);
      this.api.setToken(undefined);
      this.expiresAt = 0;
      this.events.record('openbao_token_revoked', { reason: 'shutdown' });
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'could not revoke the OpenBao token at shutdown; it expires on its own');
    }
  }

  /** Logs in (single-flight: concurrent callers share one login). */
  login(): Promise<void> {
    this.loginInFlight ??= this.doLogin().finally(() => (this.loginInFlight = undefined));
    return this.loginInFlight;
  }

  private async doLogin(): Promise<void> {
    const svid = await this.identity.fetchWithRetry();
    const grant = await this.api.jwtLogin(this.config.openbao.jwtMount, this.config.openbao.jwtRole, svid.token);
    this.api.setToken(grant.token);
    this.adopt(grant.ttlS, grant.policies);
    this.events.record(this.logins++ === 0 ? 'openbao_login' : 'openbao_relogin', {
      role: this.config.openbao.jwtRole, policies: grant.policies, ttlS: grant.ttlS, spiffeId: svid.spiffeId,
    });
  }

  private adopt(ttlS: number, policies?: string[]): void {
    this.expiresAt = Date.now() + ttlS * 1000;
    if (policies) this.policies = policies;
    metrics.openbaoTokenExpiry.set(this.expiresAt / 1000);
  }

  /** Renews the token; false when OpenBao would not extend it (max TTL reached) or it is gone. */
  async renew(): Promise<boolean> {
    try {
      const before = this.expiresAt;
      const grant = await this.api.renewSelf(this.config.openbao.tokenTtlS);
      this.adopt(grant.ttlS);
      return this.expiresAt > before;
    } catch (error) {
      if (error instanceof OpenBaoError && (error.status === 403 || error.status === 400)) return false; // revoked or expired
      throw error;
    }
  }

  /** Makes sure the token will still be valid in `ms`: renew first, log in anew if that is not enough. */
  async ensureTokenOutlives(ms: number): Promise<void> {
    const needed = Date.now() + ms;
    if (this.expiresAt >= needed) return;
    if (this.expiresAt > Date.now() && (await this.renew()) && this.expiresAt >= needed) return;
    await this.login();
  }

  /** Renews when a third of the token's life is left; logs in again when renewal cannot help. */
  private async keepAlive(): Promise<void> {
    if (!this.expiresAt || this.loginInFlight) return;
    const remaining = this.expiresAt - Date.now();
    if (remaining > (this.config.openbao.tokenTtlS * 1000) / 3) return;
    try {
      if (!(await this.renew()) && remaining < OpenBaoSession.CHECK_MS * 4) await this.login();
    } catch (error) {
      this.logger.warn({ reason: (error as Error).message }, 'could not renew the OpenBao token; will retry');
    }
  }

  /** Runs an OpenBao call; when the token was revoked or expired (403), logs in again and retries once. */
  async call<T>(fn: (api: OpenBaoApi) => Promise<T>): Promise<T> {
    if (!this.expiresAt) await this.login();
    try {
      return await fn(this.api);
    } catch (error) {
      if (!(error instanceof OpenBaoError) || error.status !== 403) throw error;
      this.logger.warn('OpenBao refused the token (403); logging in again');
      await this.login();
      return fn(this.api);
    }
  }

  status(): OpenBaoStatus {
    return {
      authMethod: 'jwt',
      role: this.config.openbao.jwtRole,
      policies: this.policies,
      tokenExpiresAt: this.expiresAt ? new Date(this.expiresAt) : undefined,
      loggedIn: this.expiresAt > Date.now(),
    };
  }
}
