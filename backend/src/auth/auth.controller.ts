import { Body, Controller, Get, HttpCode, Ip, Post, UseGuards } from '@nestjs/common';
import { LoginRequest, RegisterRequest, type LoginResponse, type MeResponse, type PublicUser } from '@zt-demo/api-contract';
import { parseInput } from '../common/validation.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService, publicUser } from './auth.service.js';
import { Session, SessionUser } from './session.decorator.js';
import type { SessionClaims } from './session-tokens.service.js';
import type { User } from './users.repository.js';

@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @HttpCode(201)
  async register(@Body() body: unknown): Promise<{ user: PublicUser }> {
    const input = parseInput(RegisterRequest, body);
    return { user: await this.auth.register(input.username, input.email ?? null, input.password) };
  }

  @Post('login')
  @HttpCode(200)
  login(@Body() body: unknown, @Ip() client: string): Promise<LoginResponse> {
    const input = parseInput(LoginRequest, body);
    return this.auth.login(input.username, input.password, client);
  }

  @Post('logout')
  @HttpCode(204)
  @UseGuards(AuthGuard)
  async logout(@Session() session: SessionClaims): Promise<void> {
    await this.auth.logout(session);
  }

  @Get('me')
  @UseGuards(AuthGuard)
  me(@SessionUser() user: User): MeResponse {
    return { ...publicUser(user), created_at: user.createdAt.toISOString() };
  }
}
