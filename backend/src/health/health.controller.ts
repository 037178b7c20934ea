import { Controller, Get, Res } from '@nestjs/common';
import type { FastifyReply } from 'fastify';
import { isShuttingDown } from '../common/shutdown.js';
import { DatabaseService } from '../database/database.service.js';
import { IdentityService } from '../identity/identity.service.js';
import { OpenBaoSession } from '../secrets/openbao-session.service.js';

type Check = 'ok' | 'unavailable';

@Controller('api/health')
export class HealthController {
  constructor(
    private readonly identity: IdentityService,
    private readonly openbao: OpenBaoSession,
    private readonly database: DatabaseService,
  ) {}

  @Get('live')
  live(): { status: 'ok' } {
    return { status: 'ok' };
  }

  /**
   * Ready when the chain holds: a JWT-SVID that has not expired, an OpenBao token that has not
   * expired, and a database lease that has not expired on a PostgreSQL that answers. A short
   * OpenBao or SPIRE agent outage does not make the backend unready while what it holds is valid.
   */
  @Get('ready')
  async ready(@Res({ passthrough: true }) reply: FastifyReply): Promise<{ status: string; checks: Record<string, Check> }> {
    const svidExpiry = this.identity.current().svidExpiresAt?.getTime() ?? 0;
    const checks: Record<string, Check> = {
      identity: svidExpiry > Date.now() ? 'ok' : 'unavailable',
      openbao: this.openbao.status().loggedIn ? 'ok' : 'unavailable',
      database: (await this.database.healthy()) ? 'ok' : 'unavailable',
    };
    // Shutting down: take this pod out of the Service while it drains (common/shutdown.ts).
    if (isShuttingDown()) checks.shutdown = 'unavailable';
    const ok = Object.values(checks).every((check) => check === 'ok');
    reply.status(ok ? 200 : 503);
    return { status: ok ? 'ok' : 'unavailable', checks };
  }
}
