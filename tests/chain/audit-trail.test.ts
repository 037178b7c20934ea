/**
 * The audit trail a sceptical audience asks for: OpenBao's audit log records the backend's
 * JWT login (as the SPIFFE ID it proved, with the policy it got), the database credentials it
 * was issued and the lease it revoked, all through scripts/audit.sh; and none of the secrets
 * that went through OpenBao appears in it raw (OpenBao HMACs them).
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { api, login } from '../lib/backend.ts';
import { STANDIN_TOKENS } from '../lib/github-standin.ts';
import { identity } from '../lib/identity.ts';
import { backendToken, bao, loadStackEnv, rootToken, type StackEnv } from '../lib/stack.ts';
import { runScript } from '../lib/test-stack.ts';

interface AuditEntry {
  time: string;
  type: 'request' | 'response';
  auth?: { display_name?: string; policies?: string[]; metadata?: Record<string, string>; token_ttl?: number };
  request: { operation: string; path: string };
  error?: string;
}

let env: StackEnv;
const auditLog = () => readFileSync(join(env.ZT_LOG_DIR!, 'openbao-audit.log'), 'utf8');

/** scripts/audit.sh --local --json with the given filters, parsed. */
function audit(...args: string[]): AuditEntry[] {
  const run = runScript('audit.sh', ['--local', '--json', '--last', '500', ...args]);
  expect(run.status, run.stderr).toBe(0);
  return run.stdout.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as AuditEntry);
}

let rotatedAt: string;
let rotation: { from_username: string; to_username: string };
const secrets: string[] = [];

beforeAll(async () => {
  env = loadStackEnv();
  // A rotation the test asks for, so the issuance and the revocation are recent entries.
  rotatedAt = new Date(Date.now() - 1000).toISOString();
  const response = await api(env, 'POST', '/api/security/rotate', { token: await login(env, 'terry') });
  expect(response.status, response.text).toBe(200);
  rotation = response.body.rotation;
  // Secrets that go through OpenBao: a database password it issues, a GitHub token kept in KV,
  // the backend's OpenBao token, the root token.
  const token = await backendToken(env);
  const creds = await bao(env, 'GET', `${identity.database.secretsMount}/creds/${identity.database.role}`, token);
  expect(creds.status).toBe(200);
  const githubToken = Object.keys(STANDIN_TOKENS)[0]!;
  const session = await login(env, 'rosa');
  expect((await api(env, 'POST', '/api/github/configure', { token: session, body: { token: githubToken } })).status).toBe(200);
  secrets.push(creds.body.data.password, githubToken, token, rootToken(env));
  expect((await bao(env, 'POST', 'auth/token/revoke-self', token)).status).toBe(204);
  await api(env, 'DELETE', '/api/github/token', { token: session });
});

describe("OpenBao's audit log (scripts/audit.sh --local)", () => {
  it('is a file only its owner reads', () => {
    expect(statSync(join(env.ZT_LOG_DIR!, 'openbao-audit.log')).mode & 0o777).toBe(0o600);
  });

  it("records the backend's JWT login as its SPIFFE ID, with the role, backend-policy and the token's TTL", () => {
    const logins = audit('--path', `auth/${identity.openbao.jwtAuthMount}/login`).filter((entry) => !entry.error);
    expect(logins.length).toBeGreaterThan(0);
    const last = logins.at(-1)!;
    expect(last.auth?.display_name).toBe(`${identity.openbao.jwtAuthMount}-${identity.spiffeIds.backend}`);
    expect(last.auth?.metadata?.role).toBe(identity.openbao.jwtRole);
    expect(last.auth?.policies).toContain(identity.openbao.policy);
    expect(last.auth?.token_ttl).toBeGreaterThan(0);
  });

  it('records the issuance of the database credentials and the revocation of the old lease, by the backend', () => {
    const recent = (entries: AuditEntry[]) => entries.filter((entry) => entry.time >= rotatedAt && !entry.error);
    const issued = recent(audit('--path', `${identity.database.secretsMount}/creds/${identity.database.role}`));
    const revoked = recent(audit('--path', 'sys/leases/revoke'));
    const backend = `${identity.openbao.jwtAuthMount}-${identity.spiffeIds.backend}`;
    expect(issued.map((entry) => entry.auth?.display_name)).toContain(backend);
    expect(revoked.map((entry) => entry.auth?.display_name)).toContain(backend);
    expect(rotation.from_username).not.toBe(rotation.to_username);
  });

  it('shows one readable line per entry, naming who and with what policies', () => {
    const run = runScript('audit.sh', ['--local', '--path', `auth/${identity.openbao.jwtAuthMount}/login`, '--last', '1']);
    expect(run.status, run.stderr).toBe(0);
    expect(run.stdout.trim().split('\n')).toHaveLength(1);
    expect(run.stdout).toMatch(new RegExp(`update auth/${identity.openbao.jwtAuthMount}/login by ${identity.openbao.jwtAuthMount}-${identity.spiffeIds.backend} role=${identity.openbao.jwtRole} policies=\\S*${identity.openbao.policy}\\S* ttl=\\d+s`));
  });

  it('refuses an unknown option with a hint, and no trace', () => {
    const run = runScript('audit.sh', ['--local', '--bogus']);
    expect(run.status).toBe(1);
    expect(run.stderr.trim().split('\n')).toEqual(['error: unknown option: --bogus', expect.stringMatching(/^hint: +see scripts\/audit.sh --help/)]);
  });

  it('holds none of the secrets that went through OpenBao, raw', () => {
    const log = auditLog();
    expect(secrets.filter(Boolean)).toHaveLength(4);
    for (const secret of secrets) expect(log.includes(secret), `a secret of ${secret.length} characters is in the audit log`).toBe(false);
    expect(log).not.toMatch(/eyJ[A-Za-z0-9_-]{10,}\.eyJ[A-Za-z0-9_-]{10,}/); // no JWT-SVID
  });
});
