import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createLogger } from '../../src/common/logger.js';
import { loadConfig } from '../../src/config/config.js';
import { IdentityService } from '../../src/identity/identity.service.js';
import type { JwtSvidSource } from '../../src/identity/jwt-svid.js';

const config = loadConfig({ SPIFFE_ENDPOINT_SOCKET: 'unix:///x', OPENBAO_ADDR: 'https://127.0.0.1:1', DB_HOST: 'x' });

/** The service with an agent that can be made to fail, and the log lines it wrote. */
function setup() {
  const lines: Array<{ level: number; msg: string; reason?: string }> = [];
  const logger = createLogger('info', new Writable({ write: (chunk, _enc, done) => void (lines.push(JSON.parse(String(chunk))), done()) }));
  const agent = { down: false };
  const source: JwtSvidSource = {
    fetchJwtSvid: async () => {
      if (agent.down) throw new Error('connect ENOENT /run/spire/agent.sock');
      return { spiffeId: config.identity.spiffeId, token: 'svid', expiresAt: new Date(Date.now() + 300_000) };
    },
    close: () => undefined,
  };
  return { identity: new IdentityService(source, config, logger), agent, lines };
}

describe('IdentityService background refresh', () => {
  it('logs every failed refresh with its reason, and the recovery once', async () => {
    const { identity, agent, lines } = setup();
    await identity.refresh();
    expect(lines).toEqual([]);
    agent.down = true;
    await identity.refresh();
    await identity.refresh();
    expect(identity.current().ok).toBe(false);
    const failures = lines.filter((line) => line.level === 40);
    expect(failures).toHaveLength(2);
    expect(failures[0]).toMatchObject({ reason: 'connect ENOENT /run/spire/agent.sock', msg: expect.stringContaining('JWT-SVID refresh failed') });
    agent.down = false;
    await identity.refresh();
    await identity.refresh();
    expect(identity.current().ok).toBe(true);
    expect(lines.filter((line) => line.msg === 'JWT-SVID refresh works again')).toHaveLength(1);
  });
});
