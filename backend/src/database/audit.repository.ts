import { Injectable } from '@nestjs/common';
import { DatabaseService } from './database.service.js';

export type AuditAction =
  | 'login_success'
  | 'login_failure'
  | 'logout'
  | 'register'
  | 'github_token_saved'
  | 'github_token_deleted'
  | 'db_rotation'
  | 'db_rotation_forced';

/** The append-only audit trail. Details never hold a secret: callers pass names and ids only. */
@Injectable()
export class AuditRepository {
  constructor(private readonly db: DatabaseService) {}

  async record(action: AuditAction, userId: string | null, resource: string | null, details: Record<string, unknown> = {}): Promise<void> {
    await this.db.query('INSERT INTO audit_log (user_id, action, resource, details) VALUES ($1, $2, $3, $4)', [userId, action, resource, details]);
  }
}
