import { createParamDecorator, type ExecutionContext } from '@nestjs/common';
import type { AuthenticatedRequest } from './auth.guard.js';
import type { SessionClaims } from './session-tokens.service.js';

/** The claims AuthGuard verified. */
export const Session = createParamDecorator(
  (_: unknown, context: ExecutionContext): SessionClaims => context.switchToHttp().getRequest<AuthenticatedRequest>().session!,
);
