import { randomUUID } from 'node:crypto';
import { Inject, Injectable, type OnApplicationBootstrap } from '@nestjs/common';
import jwt from 'jsonwebtoken';
import { retry } from '../common/backoff.js';
import { serviceUnavailable, unauthorized } from '../common/errors.js';
import { LOGGER, type Logger } from '../common/logger.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { KvService } from '../secrets/kv.service.js';
import type { User } from './users.repository.js';

export interface SessionClaims {
  user_id: number;
  username: string;
  role: 'user' | 'admin';
  /** The session's id, which sign-out revokes. */
  jti: string;
  iat: number;
  exp: number;
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * HS256 session tokens. The signing key lives only in OpenBao KV (created by setup); it is read
 * once at start and kept in memory, so no request costs an OpenBao call.
 */
@Injectable()
export class SessionTokens implements OnApplicationBootstrap {
  private key?: Buffer;

  constructor(
    private readonly kv: KvService,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
    @Inject(LOGGER) private readonly logger: Logger,
  ) {}

  onApplicationBootstrap(): void {
    void retry(() => this.loadKey(), {
      onRetry: (error, attempt) => this.logger.warn({ attempt, reason: (error as Error).message }, 'session signing key not readable yet; retrying'),
    });
  }

  private async loadKey(): Promise<void> {
    const secret = await this.kv.get<{ key?: string }>(this.config.openbao.signingKeyPath);
    if (!secret?.key) throw new Error(`no signing key at ${this.config.openbao.kvMount}/${this.config.openbao.signingKeyPath}`);
    this.key = Buffer.from(secret.key, 'base64');
    this.logger.info({ bytes: this.key.length }, 'session signing key loaded from OpenBao');
  }

  ready(): boolean {
    return this.key !== undefined;
  }

  private signingKey(): Buffer {
    if (!this.key) throw serviceUnavailable('Sign-in');
    return this.key;
  }

  issue(user: User): { token: string; expiresIn: number } {
    const expiresIn = this.config.auth.sessionTtlS;
    const token = jwt.sign({ user_id: user.id, username: user.username, role: user.role }, this.signingKey(), { algorithm: 'HS256', expiresIn, jwtid: randomUUID() });
    return { token, expiresIn };
  }

  /** The claims of a valid token; 401 for anything else (expired, tampered, alg none, another key). */
  verify(token: string): SessionClaims {
    const key = this.signingKey();
    try {
      const claims = jwt.verify(token, key, { algorithms: ['HS256'] }) as Partial<SessionClaims>;
      // Every claim the backend relies on is required: a token without a session id could not be signed out.
      if (
        typeof claims.user_id !== 'number' || typeof claims.username !== 'string' || (claims.role !== 'user' && claims.role !== 'admin') ||
        typeof claims.jti !== 'string' || !UUID.test(claims.jti) || typeof claims.exp !== 'number'
      ) {
        throw unauthorized();
      }
      return claims as SessionClaims;
    } catch {
      throw unauthorized();
    }
  }
}
