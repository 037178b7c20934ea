import { Inject, Injectable } from '@nestjs/common';
import { AppError } from '../common/errors.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { AuditRepository } from '../database/audit.repository.js';
import { SecurityEvents } from '../events/security-events.js';
import { KvService } from '../secrets/kv.service.js';
import { GITHUB_API, GithubTokenRejected, GithubUnavailable, type GithubApi, type GithubProfile, type GithubRepo } from './github-api.js';
import { GithubIntegrationsRepository, type GithubIntegration } from './github-integrations.repository.js';

const notConfigured = (): AppError => new AppError(409, 'github_not_configured', 'Connect a GitHub token first.');

/**
 * Each user's GitHub token: checked against GitHub before it is kept, kept only in OpenBao KV at
 * <githubUsers>/<user id>, never returned, logged or audited. The path comes from the verified
 * session's user id, never from the request, so no user can reach another's token.
 */
@Injectable()
export class GithubService {
  constructor(
    @Inject(GITHUB_API) private readonly github: GithubApi,
    private readonly kv: KvService,
    private readonly integrations: GithubIntegrationsRepository,
    private readonly audit: AuditRepository,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    private readonly events: SecurityEvents,
  ) {}

  private path(userId: number): string {
    return `${this.config.openbao.githubUsersPath}/${userId}`;
  }

  async configure(userId: number, token: string): Promise<{ configured: true; login: string }> {
    const profile = await this.ask(() => this.github.user(token));
    const replaced = (await this.integrations.get(userId)).configured;
    await this.kv.put(this.path(userId), { token });
    try {
      await this.integrations.markConfigured(userId, profile.login);
    } catch (error) {
      // PostgreSQL did not take the record: a first token must not stay behind in OpenBao, where
      // nothing would ever point at it. (A replaced one stays: PostgreSQL still says configured.)
      if (!replaced) await this.kv.destroy(this.path(userId)).catch(() => undefined);
      throw error;
    }
    await this.audit.record('github_token_saved', String(userId), 'github', { login: profile.login });
    this.events.record(replaced ? 'github_token_replaced' : 'github_token_stored', { userId, githubLogin: profile.login });
    return { configured: true, login: profile.login };
  }

  /**
   * What PostgreSQL says, checked against OpenBao: a token PostgreSQL calls configured but KV no
   * longer holds (an OpenBao set up anew, a secret deleted by hand) is "not configured", so the
   * user can save one again instead of facing a page that cannot load.
   */
  async status(userId: number): Promise<GithubIntegration> {
    const integration = await this.integrations.get(userId);
    if (!integration.configured || (await this.kv.get<{ token?: string }>(this.path(userId)))?.token) return integration;
    await this.forgetLost(userId);
    return this.integrations.get(userId);
  }

  /** PostgreSQL's record of a token that OpenBao no longer holds is dropped, and logged. */
  private async forgetLost(userId: number): Promise<void> {
    await this.integrations.markRemoved(userId);
    this.events.record('github_token_lost', { userId, reason: 'configured in PostgreSQL, missing in OpenBao KV' });
  }

  async remove(userId: number): Promise<void> {
    await this.kv.destroy(this.path(userId));
    await this.integrations.markRemoved(userId);
    await this.audit.record('github_token_deleted', String(userId), 'github');
    this.events.record('github_token_deleted', { userId });
  }

  async repos(userId: number, page: number, perPage: number): Promise<{ repos: GithubRepo[]; hasNext: boolean }> {
    const token = await this.token(userId);
    const result = await this.ask(() => this.github.repos(token, page, perPage));
    await this.integrations.touch(userId);
    return result;
  }

  async profile(userId: number): Promise<GithubProfile> {
    const token = await this.token(userId);
    const profile = await this.ask(() => this.github.user(token));
    await this.integrations.touch(userId);
    return profile;
  }

  private async token(userId: number): Promise<string> {
    const secret = await this.kv.get<{ token?: string }>(this.path(userId));
    if (secret?.token) return secret.token;
    if ((await this.integrations.get(userId)).configured) await this.forgetLost(userId);
    throw notConfigured();
  }

  private async ask<T>(fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (error) {
      if (error instanceof GithubTokenRejected) throw new AppError(400, 'invalid_github_token', 'GitHub does not accept this token (wrong, expired or revoked).');
      if (error instanceof GithubUnavailable) throw new AppError(502, 'github_unavailable', 'GitHub cannot be reached right now; try again later.');
      throw error;
    }
  }
}
