import { Injectable, SetMetadata, type CanActivate, type ExecutionContext } from '@nestjs/common';
import { Reflector } from '@nestjs/core';
import { forbidden, unauthorized } from '../common/errors.js';
import { RevokedSessionsRepository } from './revoked-sessions.repository.js';
import { SessionTokens, type SessionClaims } from './session-tokens.service.js';
import { UsersRepository, type User } from './users.repository.js';

export const ADMIN_ONLY = 'zt:admin-only';
/** Marks a route (or controller) as admin-only; it must also be behind AuthGuard. */
export const AdminOnly = (): MethodDecorator & ClassDecorator => SetMetadata(ADMIN_ONLY, true);

export interface AuthenticatedRequest {
  headers: Record<string, string | string[] | undefined>;
  session?: SessionClaims;
  /** The session's user as the database has it now (read by the guard; routes need not read it again). */
  user?: User;
}

/**
 * Requires a valid Bearer session token that was not signed out, of a user who still exists; puts
 * its claims on request.session with the user's name and role as they are now. A token says who
 * signed in, not what they may do: an admin demoted (or an account deleted) a minute ago is no
 * longer one, whatever a token issued before says.
 */
@Injectable()
export class AuthGuard implements CanActivate {
  constructor(
    private readonly tokens: SessionTokens,
    private readonly reflector: Reflector,
    private readonly revoked: RevokedSessionsRepository,
    private readonly users: UsersRepository,
  ) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const header = request.headers.authorization;
    const match = typeof header === 'string' ? /^Bearer ([A-Za-z0-9._~+/=-]+)$/i.exec(header) : null;
    if (!match) throw unauthorized();
    const session = this.tokens.verify(match[1]!);
    const [revoked, user] = await Promise.all([this.revoked.isRevoked(session.jti), this.users.findById(session.user_id)]);
    if (revoked || !user) throw unauthorized();
    request.session = { ...session, username: user.username, role: user.role };
    request.user = user;
    const adminOnly = this.reflector.getAllAndOverride<boolean>(ADMIN_ONLY, [context.getHandler(), context.getClass()]);
    if (adminOnly && request.session.role !== 'admin') throw forbidden();
    return true;
  }
}
