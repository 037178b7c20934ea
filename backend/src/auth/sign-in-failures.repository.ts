import { createHash } from 'node:crypto';
import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service.js';
import type { FailureLog } from './login-throttle.js';

/**
 * The sign-in throttle's failures in PostgreSQL, shared by every backend replica. Keys are stored
 * as SHA-256 digests: the table says how often a key failed, never which user or address it was.
 * Rows older than the window are deleted as new ones come in.
 */
@Injectable()
export class SignInFailuresRepository implements FailureLog {
  constructor(private readonly db: DatabaseService) {}

  private static digest(key: string): Buffer {
    return createHash('sha256').update(key).digest();
  }

  async nthLatestSince(key: string, n: number, sinceMs: number): Promise<number | undefined> {
    const result = await this.db.query<{ at: number }>(
      `SELECT extract(epoch FROM failed_at)::float8 * 1000 AS at FROM sign_in_failures
        WHERE key = $1 AND failed_at > to_timestamp($2::float8 / 1000)
        ORDER BY failed_at DESC OFFSET $3 LIMIT 1`,
      [SignInFailuresRepository.digest(key), sinceMs, n - 1],
    );
    const at = result.rows[0]?.at;
    return at === undefined ? undefined : Math.round(Number(at));
  }

  async record(keys: string[], atMs: number, forgetBeforeMs: number): Promise<void> {
    await this.db.query('DELETE FROM sign_in_failures WHERE failed_at <= to_timestamp($1::float8 / 1000)', [forgetBeforeMs]);
    await this.db.query('INSERT INTO sign_in_failures (key, failed_at) SELECT unnest($1::bytea[]), to_timestamp($2::float8 / 1000)', [
      keys.map(SignInFailuresRepository.digest),
      atMs,
    ]);
  }
}
