import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from './auth.guard.js';
import type { SessionClaims } from './session-tokens.service.js';
import type { User } from './users.repository.js';

/** The claims AuthGuard verified. */
export const Session = createParamDecorator(
  (_: unknown, context: ExecutionContext): SessionClaims => context.switchToHttp().getRequest<AuthenticatedRequest>().session!,
);

/** The session's user, as AuthGuard read it from the database for this request. */
export const SessionUser = createParamDecorator(
  (_: unknown, context: ExecutionContext): User => context.switchToHttp().getRequest<AuthenticatedRequest>().user!,
);
