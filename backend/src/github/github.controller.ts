import { Body, Controller, Delete, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { z } from 'zod';
import { AuthGuard } from '../auth/auth.guard.js';
import { Session } from '../auth/session.decorator.js';
import type { SessionClaims } from '../auth/session-tokens.service.js';
import { parseInput } from '../common/validation.js';
import type { GithubProfile, GithubRepo } from './github-api.js';
import { GithubService } from './github.service.js';

const ConfigureBody = z.object({
  token: z
    .string({ error: 'is required' })
    .min(1, 'is required')
    .max(255, 'is too long for a GitHub token')
    .regex(/^[A-Za-z0-9_]+$/, 'is not a GitHub token (letters, digits and _ only)'),
});

const ReposQuery = z.object({
  page: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(1000, 'must be at most 1000').default(1),
  per_page: z.coerce.number({ error: 'must be a number' }).int('must be a whole number').min(1, 'must be 1 or more').max(100, 'must be at most 100').default(30),
});

@Controller('api/github')
@UseGuards(AuthGuard)
export class GithubController {
  constructor(private readonly github: GithubService) {}

  @Post('configure')
  @HttpCode(200)
  configure(@Session() session: SessionClaims, @Body() body: unknown): Promise<{ configured: true; login: string }> {
    return this.github.configure(session.user_id, parseInput(ConfigureBody, body).token);
  }

  @Get('status')
  async status(@Session() session: SessionClaims): Promise<{ configured: boolean; login?: string; configured_at?: string; last_accessed?: string }> {
    const status = await this.github.status(session.user_id);
    return {
      configured: status.configured,
      ...(status.configured && status.login && { login: status.login }),
      ...(status.configured && status.configuredAt && { configured_at: status.configuredAt.toISOString() }),
      ...(status.configured && status.lastAccessed && { last_accessed: status.lastAccessed.toISOString() }),
    };
  }

  @Delete('token')
  @HttpCode(204)
  async remove(@Session() session: SessionClaims): Promise<void> {
    await this.github.remove(session.user_id);
  }

  @Get('repos')
  async repos(@Session() session: SessionClaims, @Query() query: unknown): Promise<{ repos: GithubRepo[]; page: number; per_page: number; has_next: boolean }> {
    const { page, per_page } = parseInput(ReposQuery, query);
    const result = await this.github.repos(session.user_id, page, per_page);
    return { repos: result.repos, page, per_page, has_next: result.hasNext };
  }

  @Get('user')
  user(@Session() session: SessionClaims): Promise<GithubProfile> {
    return this.github.profile(session.user_id);
  }
}
