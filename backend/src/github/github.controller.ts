import { Body, Controller, Delete, Get, HttpCode, Post, Query, UseGuards } from '@nestjs/common';
import { GithubConfigureRequest, GithubReposQuery, type GithubReposResponse, type GithubStatus } from '@zt-demo/api-contract';
import { AuthGuard } from '../auth/auth.guard.js';
import { Session } from '../auth/session.decorator.js';
import type { SessionClaims } from '../auth/session-tokens.service.js';
import { parseInput } from '../common/validation.js';
import type { GithubProfile } from './github-api.js';
import { GithubService } from './github.service.js';

@Controller('api/github')
@UseGuards(AuthGuard)
export class GithubController {
  constructor(private readonly github: GithubService) {}

  @Post('configure')
  @HttpCode(200)
  configure(@Session() session: SessionClaims, @Body() body: unknown): Promise<{ configured: true; login: string }> {
    return this.github.configure(session.user_id, parseInput(GithubConfigureRequest, body).token);
  }

  @Get('status')
  async status(@Session() session: SessionClaims): Promise<GithubStatus> {
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
  async repos(@Session() session: SessionClaims, @Query() query: unknown): Promise<GithubReposResponse> {
    const { page, per_page } = parseInput(GithubReposQuery, query);
    const result = await this.github.repos(session.user_id, page, per_page);
    return { repos: result.repos, page, per_page, has_next: result.hasNext };
  }

  @Get('user')
  user(@Session() session: SessionClaims): Promise<GithubProfile> {
    return this.github.profile(session.user_id);
  }
}
