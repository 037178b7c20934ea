import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden, unauthorized } from '../common/errors.js';
import { RevokedSessionsRepository } from './revoked-sessions.repository.js';
import { SessionTokens, type SessionClaims } from './session-tokens.service.js';

export const ADMIN_ONLY = 'zt:admin-only';
/** Marks a route (or controller) as admin-only; it must also be behind AuthGuard. */
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(ADMIN_ONLY, true);

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  session?: SessionClaims;
}

/** Requires a valid Bearer session token that was not signed out; puts its claims on request.session. */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly tokens: SessionTokens,
    private readonly reflector: Reflector,
    private readonly revoked: RevokedSessionsRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header) : null;
    if (!match) throw unauthorized();
    const session = this.tokens.verify(match[1]!);
    if (await this.revoked.isRevoked(session.jti)) throw unauthorized();
    request.session = session;
    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [context.getHandler(), context.getClass()]);
    if (adminOnly && request.session.role !== 'admin') throw forbidden();
    return true;
  }
}
