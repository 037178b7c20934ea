import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service.js';

export interface GithubIntegration {
  configured: boolean;
  login: string | null;
  configuredAt: Date | null;
  lastAccessed: Date | null;
}

/** Metadata about a user's GitHub connection. The token itself lives only in OpenBao KV. */
@Injectable()
export class GithubIntegrationsRepository {
  constructor(private readonly db: DatabaseService) {}

  async get(userId: number): Promise<GithubIntegration> {
    const result = await this.db.query<{ is_configured: boolean; github_login: string | null; configured_at: Date | null; last_accessed: Date | null }>(
      'SELECT is_configured, github_login, configured_at, last_accessed FROM github_integrations WHERE user_id = $1',
      [userId],
    );
    const row = result.rows[0];
    return { configured: row?.is_configured ?? false, login: row?.github_login ?? null, configuredAt: row?.configured_at ?? null, lastAccessed: row?.last_accessed ?? null };
  }

  async markConfigured(userId: number, login: string): Promise<void> {
    await this.db.query(
      `INSERT INTO github_integrations (user_id, github_login, is_configured, configured_at) VALUES ($1, $2, true, now())
       ON CONFLICT (user_id) DO UPDATE SET github_login = excluded.github_login, is_configured = true, configured_at = now()`,
      [userId, login],
    );
  }

  async markRemoved(userId: number): Promise<void> {
    await this.db.query('UPDATE github_integrations SET is_configured = false, github_login = NULL WHERE user_id = $1', [userId]);
  }

  async touch(userId: number): Promise<void> {
    await this.db.query('UPDATE github_integrations SET last_accessed = now() WHERE user_id = $1', [userId]);
  }
}
