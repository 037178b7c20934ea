import { Inject, Injectable } from '@nestjs/common';
import { LOGGER, type Logger } from '../common/logger.js';
import { currentRequest } from '../common/request-context.js';

/**
 * The security events the backend logs, one structured `info` line each: who signed in or
 * failed to, from where, who changed a GitHub token, when the backend proved its identity to
 * OpenBao, when it rotated its database credentials, and why it answered 503. Each line names
 * the event and, during a request, its request id (also the answer's X-Request-Id header) and
 * the client's address. Fields are names, ids and reasons only: never a password, token or key.
 */
export type SecurityEvent =
  | 'sign_in_succeeded'
  | 'sign_in_failed'
  | 'sign_in_throttled'
  | 'registered'
  | 'signed_out'
  | 'github_token_stored'
  | 'github_token_replaced'
  | 'github_token_deleted'
  | 'github_token_lost'
  | 'openbao_login'
  | 'openbao_relogin'
  | 'openbao_token_revoked'
  | 'rotation_started'
  | 'rotation_finished'
  | 'rotation_failed'
  | 'service_unavailable';

@Injectable()
export class SecurityEvents {
  constructor(@Inject(LOGGER) private readonly logger: Logger) {}

  record(event: SecurityEvent, fields: Record<string, unknown> = {}): void {
    const request = currentRequest();
    this.logger.info({ event, ...(request && { requestId: request.requestId, client: request.client }), ...fields }, `security event: ${event}`);
  }
}
