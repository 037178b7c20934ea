import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import type { IdentityService } from '../../src/identity/identity.service.js';
import { OpenBaoError, type OpenBaoApi, type TokenGrant } from '../../src/secrets/openbao-api.js';
import { OpenBaoSession } from '../../src/secrets/openbao-session.service.js';
import { RecordedEvents, silentLogger } from './fakes.js';

const config = loadConfig({ SPIFFE_ENDPOINT_SOCKET: 'unix:///x', OPENBAO_ADDR: 'https://127.0.0.1:1', DB_HOST: 'x' });

function setup(renewTtlS = 3600) {
  const calls: string[] = [];
  let svids = 0;
  const identity = { fetchWithRetry: async () => ({ spiffeId: 'spiffe://demo.local/ns/99-apps/sa/backend', token: `svid-${++svids}`, expiresAt: new Date(Date.now() + 300_000) }) } as unknown as IdentityService;
  const grant = (ttlS: number): TokenGrant => ({ token: `t-${calls.length}`, ttlS, renewable: true, policies: ['backend-policy', 'default'] });
  const api: OpenBaoApi & { failReadWith?: OpenBaoError; hangWrites?: boolean } = {
    setToken: () => undefined,
    jwtLogin: async (_mount, role, jwt) => {
      calls.push(`login ${role} ${jwt}`);
      return grant(3600);
    },
    renewSelf: async () => {
      calls.push('renew');
      return grant(renewTtlS);
    },
    read: async () => {
      calls.push('read');
      const failure = api.failReadWith;
      api.failReadWith = undefined;
      if (failure) throw failure;
      return { data: {}, leaseId: 'l', leaseDurationS: 0 } as never;
    },
    write: async (path) => {
      calls.push(`write ${path}`);
      if (api.hangWrites) await new Promise(() => undefined);
    },
    delete: async () => undefined,
    revokeLease: async () => undefined,
  };
  const events = new RecordedEvents();
  return { session: new OpenBaoSession(api, identity, config, silentLogger, events), calls, api, events: events.recorded };
}

describe('OpenBaoSession', () => {
  it('logs in with a fresh JWT-SVID as the configured role', async () => {
    const { session, calls } = setup();
    await session.login();
    expect(calls).toEqual(['login backend svid-1']);
    expect(session.status()).toMatchObject({ authMethod: 'jwt', role: 'backend', policies: ['backend-policy', 'default'], loggedIn: true });
  });

  it('shares one login between concurrent callers', async () => {
    const { session, calls } = setup();
    await Promise.all([session.login(), session.login(), session.login()]);
    expect(calls).toEqual(['login backend svid-1']);
  });

  it('does nothing when the token already outlives what is asked', async () => {
    const { session, calls } = setup();
    await session.login();
    await session.ensureTokenOutlives(30 * 60_000);
    expect(calls).toEqual(['login backend svid-1']);
  });

  it('renews when that is enough, and logs in anew with a fresh SVID when renewal cannot stretch the token', async () => {
    const stretched = setup(7200); // renewal extends the token to 2 h
    await stretched.session.login();
    await stretched.session.ensureTokenOutlives(3600_000 + 60_000); // a minute more than the 1 h left
    expect(stretched.calls).toEqual(['login backend svid-1', 'renew']);

    const capped = setup(100); // near token_max_ttl: renewal gives little
    await capped.session.login();
    await capped.session.ensureTokenOutlives(3700_000);
    expect(capped.calls).toEqual(['login backend svid-1', 'renew', 'login backend svid-2']);
  });

  it('logs in again once when OpenBao refuses the token (403), then retries the call', async () => {
    const { session, calls, api, events } = setup();
    await session.login();
    api.failReadWith = new OpenBaoError('OpenBao answered 403 to read: permission denied', 403);
    await session.call((bao) => bao.read('database/creds/backend-role'));
    expect(calls).toEqual(['login backend svid-1', 'read', 'login backend svid-2', 'read']);
    const login = { role: 'backend', policies: ['backend-policy', 'default'], ttlS: 3600, spiffeId: 'spiffe://demo.local/ns/99-apps/sa/backend' };
    expect(events).toEqual([['openbao_login', login], ['openbao_relogin', login]]);
  });

  it('does not log in again for other failures', async () => {
    const { session, calls, api } = setup();
    await session.login();
    api.failReadWith = new OpenBaoError('OpenBao is unreachable (ECONNREFUSED)');
    await expect(session.call((bao) => bao.read('x'))).rejects.toThrow(/unreachable/);
    expect(calls).toEqual(['login backend svid-1', 'read']);
  });

  it('revokes its token when the backend stops, once, and never waits long for OpenBao', async () => {
    const { session, calls, events } = setup();
    await session.revokeToken(); // not logged in: nothing to end
    expect(calls).toEqual([]);
    await session.login();
    await session.revokeToken();
    expect(calls).toEqual(['login backend svid-1', 'write auth/token/revoke-self']);
    expect(events.at(-1)).toEqual(['openbao_token_revoked', { reason: 'shutdown' }]);
    expect(session.status().loggedIn).toBe(false);

    const stuck = setup();
    await stuck.session.login();
    stuck.api.hangWrites = true;
    const started = Date.now();
    await stuck.session.revokeToken(50);
    expect(Date.now() - started).toBeLessThan(1_000);
    expect(stuck.events.map(([event]) => event)).not.toContain('openbao_token_revoked');
  });
});
