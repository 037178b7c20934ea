import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../../src/config/config.js';
import { durationMs, loadIdentityFacts } from '../../src/config/identity-facts.js';

const required = { SPIFFE_ENDPOINT_SOCKET: 'unix:///tmp/agent.sock', OPENBAO_ADDR: 'https://localhost:8200/', DB_HOST: '127.0.0.1' };

describe('loadConfig', () => {
  it('takes its identity facts from infrastructure/identity.json', () => {
    const facts = loadIdentityFacts();
    const config = loadConfig(required);
    expect(config.identity).toEqual({ socket: 'unix:///tmp/agent.sock', spiffeId: facts.spiffeIds.backend, audience: facts.jwtSvid.audience, svidWaitMs: 120_000 });
    expect(config.openbao).toMatchObject({ addr: 'https://localhost:8200', jwtRole: facts.openbao.jwtRole, tokenTtlS: 3600 });
    expect(config.tls).toEqual({ openbao: facts.spiffeIds.openbao, postgres: facts.spiffeIds.postgres, apiClients: [facts.spiffeIds.frontend], forwarder: facts.spiffeIds.frontend });
    expect(config.healthPort).toBe(8001);
    expect(config.database).toMatchObject({ name: facts.database.name, credsPath: `database/creds/${facts.database.role}`, rotateIntervalMs: 50 * 60_000, poolMin: 5, poolMax: 20 });
    expect(config.port).toBe(8000);
    expect(config.github.apiUrl).toBe('https://api.github.com');
  });

  it('accepts overrides', () => {
    const config = loadConfig({ ...required, PORT: '9000', DB_ROTATE_INTERVAL: '90s', DB_ROTATE_FRACTION: '0.5', GITHUB_API_URL: 'http://127.0.0.1:1234/' });
    expect(config.port).toBe(9000);
    expect(config.database.rotateIntervalMs).toBe(90_000);
    expect(config.database.rotateFraction).toBe(0.5);
    expect(config.github.apiUrl).toBe('http://127.0.0.1:1234');
  });

  it('names every problem in one error', () => {
    expect(() => loadConfig({ SPIFFE_ENDPOINT_SOCKET: '/no/scheme.sock', PORT: 'eighty', DB_ROTATE_FRACTION: '2' })).toThrowError(ConfigError);
    try {
      loadConfig({ SPIFFE_ENDPOINT_SOCKET: '/no/scheme.sock', PORT: 'eighty', DB_ROTATE_FRACTION: '2' });
    } catch (error) {
      for (const name of ['SPIFFE_ENDPOINT_SOCKET', 'OPENBAO_ADDR', 'DB_HOST', 'PORT', 'DB_ROTATE_FRACTION']) expect((error as Error).message).toContain(name);
    }
  });

  it('admits API clients by SPIFFE ID of the trust domain only', () => {
    const tests = 'spiffe://demo.local/tests/api-client';
    expect(loadConfig({ ...required, API_CLIENT_SPIFFE_IDS: ` spiffe://demo.local/ns/99-apps/sa/frontend, ${tests} ` }).tls.apiClients).toEqual(['spiffe://demo.local/ns/99-apps/sa/frontend', tests]);
    for (const bad of ['', 'frontend', 'spiffe://evil.example/ns/99-apps/sa/frontend', 'https://demo.local/x']) {
      expect(() => loadConfig({ ...required, API_CLIENT_SPIFFE_IDS: bad })).toThrowError(/API_CLIENT_SPIFFE_IDS/);
    }
  });

  it('speaks TLS to OpenBao only, and keeps the plain port apart from the API', () => {
    expect(() => loadConfig({ ...required, OPENBAO_ADDR: 'http://127.0.0.1:8200' })).toThrowError(/OPENBAO_ADDR: an https:\/\/ address/);
    expect(() => loadConfig({ ...required, PORT: '9000', HEALTH_PORT: '9000' })).toThrowError(/HEALTH_PORT must differ from PORT/);
  });

  it('refuses a pool whose minimum exceeds its maximum', () => {
    expect(() => loadConfig({ ...required, DB_POOL_MIN: '30', DB_POOL_MAX: '20' })).toThrowError(/DB_POOL_MIN/);
  });
});

describe('durationMs', () => {
  it.each([['90s', 90_000], ['50m', 3_000_000], ['1h', 3_600_000]])('%s is %i ms', (text, ms) => expect(durationMs(text)).toBe(ms));
  it.each(['', '5', '1d', '-1m', 'm5'])('refuses %j', (text) => expect(() => durationMs(text)).toThrow());
});
