import { Injectable } from '@nestjs/common';
import { DatabaseService } from '../database/database.service.js';

/**
 * Session tokens ended by sign-out before their expiry. The table is shared by every backend
 * replica, so a signed-out token is refused by all of them; a row is needed only until the token
 * would have expired, and expired rows are deleted as new ones come in.
 */
@Injectable()
export class RevokedSessionsRepository {
  constructor(private readonly db: DatabaseService) {}

  async revoke(jti: string, expiresAt: Date): Promise<void> {
    await this.db.query('DELETE FROM revoked_sessions WHERE expires_at < now()');
    await this.db.query('INSERT INTO revoked_sessions (jti, expires_at) VALUES ($1, $2) ON CONFLICT (jti) DO NOTHING', [jti, expiresAt]);
  }

  async isRevoked(jti: string): Promise<boolean> {
    const result = await this.db.query('SELECT 1 FROM revoked_sessions WHERE jti = $1', [jti]);
    return result.rowCount !== 0;
  }
}
