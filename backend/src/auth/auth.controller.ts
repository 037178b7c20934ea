import { Body, Controller, Get, HttpCode, Post, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { parseInput } from '../common/validation.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService, publicUser, type LoginResult, type PublicUser } from './auth.service.js';
import { Session } from './session.decorator.js';
import type { SessionClaims } from './session-tokens.service.js';

/** PostgreSQL text cannot hold NUL, and no name or password needs one. */
const noNul = (value: string): boolean => !value.includes('\u0000');

const password = z
  .string({ error: 'is required' })
  .refine(noNul, 'must not contain NUL characters')
  .refine((value) => Buffer.byteLength(value, 'utf8') >= 6, 'must be at least 6 bytes')
  .refine((value) => Buffer.byteLength(value, 'utf8') <= 72, 'must be at most 72 bytes (bcrypt ignores the rest)');

const RegisterBody = z.object({
  username: z.string({ error: 'is required' }).regex(/^[a-z0-9_.-]{3,50}$/, 'must be 3 to 50 characters of a-z, 0-9, _ . -'),
  email: z.email('must be an email address').max(254, 'must be at most 254 characters').optional().nullable(),
  password,
});

const LoginBody = z.object({
  username: z.string({ error: 'is required' }).min(1, 'is required').max(50, 'is too long').refine(noNul, 'must not contain NUL characters'),
  password: z.string({ error: 'is required' }).min(1, 'is required').max(256, 'is too long').refine(noNul, 'must not contain NUL characters'),
});

@Controller('api/auth')
export class AuthController {
  constructor(private readonly auth: AuthService) {}

  @Post('register')
  @HttpCode(201)
  async register(@Body() body: unknown): Promise<{ user: PublicUser }> {
    const input = parseInput(RegisterBody, body);
    return { user: await this.auth.register(input.username, input.email ?? null, input.password) };
  }

  @Post('login')
  @HttpCode(200)
  login(@Body() body: unknown): Promise<LoginResult> {
    const input = parseInput(LoginBody, body);
    return this.auth.login(input.username, input.password);
  }

  @Get('me')
  @UseGuards(AuthGuard)
  async me(@Session() session: SessionClaims): Promise<PublicUser & { created_at: string }> {
    const user = await this.auth.me(session.user_id);
    return { ...publicUser(user), created_at: user.createdAt.toISOString() };
  }
}
