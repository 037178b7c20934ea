import { Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { AdminOnly, AuthGuard } from '../auth/auth.guard.js';
import { Session } from '../auth/session.decorator.js';
import type { SessionClaims } from '../auth/session-tokens.service.js';
import { SecurityService, type RotationView, type SecurityStatus } from './security.service.js';

/** The zero-trust console's data: what the backend is, holds and has done, never a secret. */
@Controller('api/security')
@UseGuards(AuthGuard)
export class SecurityController {
  constructor(private readonly security: SecurityService) {}

  @Get('status')
  status(): SecurityStatus {
    return this.security.status();
  }

  @Post('rotate')
  @HttpCode(200)
  @AdminOnly()
  async rotate(@Session() session: SessionClaims): Promise<{ rotation: RotationView }> {
    return { rotation: await this.security.rotate(session) };
  }

  @Get('db-users')
  async dbUsers(): Promise<{ users: Array<{ username: string; valid_until: string | null }> }> {
    return { users: await this.security.dynamicDbUsers() };
  }
}
