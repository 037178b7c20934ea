import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config/config.js';
import type { AuditRepository } from '../../src/database/audit.repository.js';
import { GithubTokenRejected, GithubUnavailable, type GithubApi } from '../../src/github/github-api.js';
import type { GithubIntegrationsRepository } from '../../src/github/github-integrations.repository.js';
import { GithubService } from '../../src/github/github.service.js';
import type { KvService } from '../../src/secrets/kv.service.js';
import { RecordedEvents } from './fakes.js';

const config = loadConfig({ SPIFFE_ENDPOINT_SOCKET: 'unix:///x', OPENBAO_ADDR: 'https://127.0.0.1:1', DB_HOST: 'x' });

const LOGINS: Record<string, string> = { ghp_seven: 'seven', ghp_eight: 'eight' };

function setup(github: Partial<GithubApi> = {}, postgresDown = () => false) {
  const kv = new Map<string, Record<string, unknown>>();
  const audit: unknown[] = [];
  const kvService = {
    get: async (path: string) => kv.get(path),
    put: async (path: string, data: Record<string, unknown>) => void kv.set(path, data),
    destroy: async (path: string) => void kv.delete(path),
  } as unknown as KvService;
  const configured = new Set<number>();
  const integrations = {
    markConfigured: async (userId: number) => {
      if (postgresDown()) throw Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' });
      configured.add(userId);
    },
    markRemoved: async (userId: number) => void configured.delete(userId),
    touch: async () => undefined,
    get: async (userId: number) => ({ configured: configured.has(userId) }),
  } as unknown as GithubIntegrationsRepository;
  const api: GithubApi = {
    user: async (token) => ({ login: LOGINS[token] ?? 'someone', name: null, avatar_url: '', html_url: '', public_repos: 1, followers: 0 }),
    repos: async () => ({ repos: [], hasNext: false }),
    ...github,
  };
  const auditRepo = { record: async (...args: unknown[]) => void audit.push(args) } as unknown as AuditRepository;
  const events = new RecordedEvents();
  return { service: new GithubService(api, kvService, integrations, auditRepo, config, events), kv, audit, events: events.recorded };
}

describe('GithubService', () => {
  it('logs stored, replaced and deleted as security events, with the user id and never the token', async () => {
    const { service, events } = setup();
    await service.configure(7, 'ghp_seven');
    await service.configure(7, 'ghp_eight');
    await service.remove(7);
    expect(events).toEqual([
      ['github_token_stored', { userId: 7, githubLogin: 'seven' }],
      ['github_token_replaced', { userId: 7, githubLogin: 'eight' }],
      ['github_token_deleted', { userId: 7 }],
    ]);
    expect(JSON.stringify(events)).not.toMatch(/ghp_/);
  });

  it('leaves no token in OpenBao when PostgreSQL fails to record a first one (nothing would point at it)', async () => {
    let down = true;
    const { service, kv } = setup({}, () => down);
    await expect(service.configure(7, 'ghp_seven')).rejects.toThrow('ECONNREFUSED');
    expect(kv.has(`${config.openbao.githubUsersPath}/7`)).toBe(false);
    // a replacement that PostgreSQL fails to record keeps the new token: PostgreSQL still says configured
    down = false;
    await service.configure(7, 'ghp_seven');
    down = true;
    await expect(service.configure(7, 'ghp_eight')).rejects.toThrow('ECONNREFUSED');
    expect(kv.get(`${config.openbao.githubUsersPath}/7`)).toEqual({ token: 'ghp_eight' });
  });

  it("keeps a checked token at the user's own KV path, and audits it without the token", async () => {
    const { service, kv, audit } = setup();
    expect(await service.configure(7, 'ghp_seven')).toEqual({ configured: true, login: 'seven' });
    expect(kv.get(`${config.openbao.githubUsersPath}/7`)).toEqual({ token: 'ghp_seven' });
    expect(JSON.stringify(audit)).not.toContain('ghp_seven');
  });

  it('uses each user\'s own token only', async () => {
    const { service } = setup();
    await service.configure(7, 'ghp_seven');
    await service.configure(8, 'ghp_eight');
    expect((await service.profile(7)).login).toBe('seven');
    expect((await service.profile(8)).login).toBe('eight');
    await expect(service.profile(9)).rejects.toMatchObject({ status: 409, code: 'github_not_configured' });
  });

  it('does not keep a token GitHub rejects: 400 invalid_github_token', async () => {
    const { service, kv } = setup({ user: async () => Promise.reject(new GithubTokenRejected('no')) });
    await expect(service.configure(7, 'ghp_bad')).rejects.toMatchObject({ status: 400, code: 'invalid_github_token' });
    expect(kv.size).toBe(0);
  });

  it('answers 502 github_unavailable when GitHub cannot be reached', async () => {
    const { service } = setup({ user: async () => Promise.reject(new GithubUnavailable('down')) });
    await expect(service.configure(7, 'ghp_x')).rejects.toMatchObject({ status: 502, code: 'github_unavailable' });
  });

  it('destroys the KV secret on removal', async () => {
    const { service, kv } = setup();
    await service.configure(7, 'ghp_seven');
    await service.remove(7);
    expect(kv.size).toBe(0);
  });

  it('reports a token PostgreSQL calls configured but KV lost as not configured, and forgets it', async () => {
    const { service, kv, events } = setup();
    await service.configure(7, 'ghp_seven');
    kv.clear(); // an OpenBao set up anew, say
    expect(await service.status(7)).toMatchObject({ configured: false });
    expect(events.at(-1)).toEqual(['github_token_lost', { userId: 7, reason: 'configured in PostgreSQL, missing in OpenBao KV' }]);
    await service.configure(7, 'ghp_seven');
    kv.clear();
    await expect(service.profile(7)).rejects.toMatchObject({ status: 409, code: 'github_not_configured' });
    expect(await service.status(7)).toMatchObject({ configured: false });
  });
});
