/**
 * scripts/demo.sh --auto against the real local stack: every expected outcome of parts 1 to 4 is
 * checked by the demo itself, and this test makes sure those checks ran, passed, leaked no token,
 * and really fail when the chain is broken. Also: setup.sh --fast-rotation sets short leases and a
 * short rotation, and a run without it sets the default again.
 */
import { spawnSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { api, DEMO_USERS, login } from '../lib/backend.ts';
import { identity, durationSeconds } from '../lib/identity.ts';
import { bao, dynamicRoles, loadStackEnv, rootToken, type StackEnv } from '../lib/stack.ts';
import { REPO_ROOT } from '../lib/repo.ts';
import { runScript } from '../lib/test-stack.ts';

let env: StackEnv;
beforeAll(() => {
  env = loadStackEnv();
});

const roleOf = (user: string): string => (user === 'terry' || user === 'gina' ? 'admin' : 'user');

describe('scripts/demo.sh --auto (local mode)', () => {
  let run: ReturnType<typeof runScript>;
  let rolesBefore: string[];

  beforeAll(async () => {
    rolesBefore = await dynamicRoles(env);
    run = runScript('demo.sh', ['--auto', '--local'], {}, 180_000);
  });

  it('walks through all parts and exits 0', () => {
    expect(run.status, `${run.stdout}\n${run.stderr}`).toBe(0);
    for (const n of [1, 2, 3, 4, 5, 6]) expect(run.stdout).toMatch(new RegExp(`━━ Part ${n} of 6 · `));
    expect(run.stdout).toMatch(/^Done: \d+ checks passed; part 5's Cilium half needs kind mode\.$/m);
  });

  it('checked that each of the six demo users signs in with their role', () => {
    for (const user of DEMO_USERS) expect(run.stdout).toContain(`✓ ${user} signs in with role ${roleOf(user)}`);
    expect(run.stdout).toContain('✓ a wrong password is refused');
  });

  it("checked that OpenBao's login carries the backend's SPIFFE ID and refuses the frontend's", () => {
    expect(run.stdout).toContain(`✓ sub is the backend's SPIFFE ID`);
    expect(run.stdout).toContain(`"display_name": "${identity.openbao.jwtAuthMount}-${identity.spiffeIds.backend}"`);
    expect(run.stdout).toContain("✓ OpenBao's token carries the backend's SPIFFE ID");
    expect(run.stdout).toContain("✓ OpenBao refuses the frontend's identity");
  });

  it('checked a KV v2 round trip and a denied path', () => {
    expect(run.stdout).toContain('✓ KV v2 gives back what was written');
    // the value went in on stdin: no command the demo runs carries it as an argument (ps shows those)
    const put = run.stdout.split('\n').find((line) => line.includes('bao kv put'));
    expect(put).toMatch(/\| BAO_TOKEN=\$backend_token bao kv put .* token=-$/);
    expect(run.stdout).toContain("✓ reading the database engine's configuration is denied");
    expect(run.stdout).toContain('✓ the secret is gone after the delete');
  });

  it('checked that a v- user appears and is gone after the rotation, and left no other behind', async () => {
    expect(run.stdout).toMatch(/✓ the old user v-\S+ is gone/);
    const rolesAfter = await dynamicRoles(env);
    expect(rolesAfter).toHaveLength(1);
    expect(rolesBefore).not.toContain(rolesAfter[0]);
    const forced = /"from_username": "(v-[^"]+)",\s*\n.*"to_username": "(v-[^"]+)"/.exec(run.stdout);
    expect(forced?.[2]).toBe(rolesAfter[0]);
  });

  it("checked OpenBao's audit log: the backend's login, the new credentials and the revoked lease", () => {
    expect(run.stdout).toContain(`✓ the audit log has the backend's login with its SPIFFE ID and ${identity.openbao.policy}`);
    expect(run.stdout).toContain(`auth/${identity.openbao.jwtAuthMount}/login by ${identity.openbao.jwtAuthMount}-${identity.spiffeIds.backend}`);
    expect(run.stdout).toContain('✓ the audit log has the issuance of the new credentials, by the backend');
    expect(run.stdout).toContain('✓ the audit log has the revocation of the old lease, by the backend');
  });

  it('speaks as the audience sees it: the real app URL, times rather than epochs, one way to write a lease id', () => {
    expect(run.stdout).toMatch(new RegExp(`The web app at\\s+${env.ZT_FRONTEND_URL} does exactly this`));
    expect(run.stdout).toMatch(/"exp": "\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ \(in \d+ min\)"/);
    expect(run.stdout).toMatch(/✓ OpenBao holds the lease the backend names \([A-Za-z0-9]{6}…[A-Za-z0-9]{4}\)/);
  });

  it("wraps its prose at word boundaries to the terminal's width, never wider than 100 columns", () => {
    // the parts' prose: after the legend (whose shorthand lines are a table, not prose)
    const parts = run.stdout.slice(run.stdout.indexOf('━━ Part 1 of 6'));
    const prose = parts.split('\n').filter((line) => /^  [^\s▶✓✗$\[(]/.test(line));
    expect(prose.length).toBeGreaterThan(10);
    for (const line of prose) expect(line.length, line).toBeLessThanOrEqual(100);
    // say() itself, away from any terminal (setsid), in a 60-column window
    const text = 'People sign in with a password, and the backend compares it with a bcrypt hash in PostgreSQL, then answers with a session token.';
    const said = spawnSync('setsid', ['-w', 'bash', '-c', `source scripts/lib/common.sh && source scripts/lib/demo-ui.sh && say "${text}"`], {
      cwd: REPO_ROOT, env: { ...process.env, COLUMNS: '60' }, encoding: 'utf8',
    });
    const lines = said.stdout.trimEnd().split('\n');
    expect(lines.length).toBeGreaterThan(2);
    for (const line of lines) expect(line.length, line).toBeLessThanOrEqual(60);
    expect(lines.map((line) => line.trim()).join(' ')).toBe(text);
  });

  it('shows no token and no key: no JWT, no OpenBao token, not the root token, no private key', () => {
    const output = run.stdout + run.stderr;
    expect(output).not.toContain('PRIVATE KEY');
    expect(output).not.toMatch(/eyJ[\w-]{6,}\.[\w-]{6,}\.[\w-]{6,}/);
    expect(output).not.toMatch(/\bs\.[A-Za-z0-9]{20,}/);
    expect(output).not.toContain(rootToken(env));
  });

  it("checks every hop's TLS in local mode too, and says plainly that Cilium's half of part 5 needs kind mode", () => {
    for (const check of [
      `✓ OpenBao's certificate is an X.509-SVID for ${identity.spiffeIds.openbao}`,
      '✓ it chains to the SPIRE trust bundle',
      '✓ OpenBao refuses plain HTTP',
      '✓ PostgreSQL refuses a connection without TLS',
      '✓ the backend refuses a client without a certificate',
      `✓ the backend refuses ${identity.testIdentities.impostor}`,
      "✓ the backend's caller proved the frontend's SPIFFE ID",
      `✓ OpenBao proved ${identity.spiffeIds.openbao} to the backend`,
      `✓ PostgreSQL proved ${identity.spiffeIds.postgres} to the backend`,
    ]) expect(run.stdout).toContain(check);
    expect(run.stdout).toMatch(/▶ .*URI:spiffe:\/\/demo\.local\/ns\/openbao\/sa\/openbao/);
    expect(run.stdout).toContain('The rest of part 5 needs kind mode');
    expect(run.stdout).toMatch(/no pod network for Cilium/);
  });
});

describe('scripts/demo.sh --auto at a mismatch', () => {
  const roleUrl = `auth/${identity.openbao.jwtAuthMount}/role/${identity.openbao.jwtRole}`;
  // A role write replaces the role, so the whole role is written back with one field changed.
  const bindSubject = async (subject: string) => {
    const role = await bao(env, 'GET', roleUrl, rootToken(env));
    return bao(env, 'POST', roleUrl, rootToken(env), { ...role.body.data, bound_subject: subject });
  };
  afterAll(async () => {
    await bindSubject(identity.spiffeIds.backend);
    const role = await bao(env, 'GET', roleUrl, rootToken(env));
    expect(role.body.data.bound_subject).toBe(identity.spiffeIds.backend);
    expect(role.body.data.token_policies).toEqual([identity.openbao.policy]);
  });

  it('exits non-zero with a clear message at the first failed check, and goes no further', async () => {
    // OpenBao now binds another subject: the backend's JWT-SVID must be refused.
    const changed = await bindSubject(identity.spiffeIds.frontend);
    expect(changed.status).toBe(204);
    const run = runScript('demo.sh', ['--auto', '--local', '--part', '2'], {}, 120_000);
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: demo check failed: OpenBao accepts the backend's JWT-SVID\nhint: /m);
    expect(run.stdout).toContain('invalid subject');
    expect(run.stdout).not.toContain("OpenBao's token carries");
    expect(run.stdout).not.toContain('Done:');
  });
});

describe('scripts/demo.sh without a stack', () => {
  it('says what to start', () => {
    const run = runScript('demo.sh', ['--auto', '--local'], { ZT_STATE_NAME: '.local-none' });
    expect(run.status).toBe(1);
    expect(run.stderr).toMatch(/^error: no local stack to show .*\nhint: +start it first: scripts\/setup.sh --local\n$/);
  });
});

describe('scripts/setup.sh --fast-rotation', () => {
  const fast = identity.database.fastRotation;
  const secondsUntil = (iso: string): number => (Date.parse(iso) - Date.now()) / 1000;

  async function databaseStatus(): Promise<{ lease_expires_at: string; next_rotation_at: string; username: string }> {
    const token = await login(env, 'terry');
    const status = await api(env, 'GET', '/api/security/status', { token });
    expect(status.status).toBe(200);
    return status.body.database;
  }

  afterAll(() => {
    runScript('setup.sh', ['--local']);
  });

  it('gives short leases and rotates within minutes; a run without it sets the default again', async () => {
    const onFast = runScript('setup.sh', ['--local', '--fast-rotation']);
    expect(onFast.status, onFast.stderr).toBe(0);
    expect(onFast.stdout).toContain(`Database leases        ${fast.defaultTtl}, rotated every ${fast.rotationInterval} (fast setting`);
    expect(onFast.stdout).toContain('restarting the backend: its rotation setting changed');
    const role = await bao(env, 'GET', `${identity.database.secretsMount}/roles/${identity.database.role}`, rootToken(env));
    expect(role.body.data.default_ttl).toBe(durationSeconds(fast.defaultTtl));
    let db = await databaseStatus();
    expect(secondsUntil(db.lease_expires_at)).toBeLessThanOrEqual(durationSeconds(fast.defaultTtl));
    expect(secondsUntil(db.next_rotation_at)).toBeLessThanOrEqual(durationSeconds(fast.rotationInterval));
    expect(secondsUntil(db.next_rotation_at)).toBeGreaterThan(durationSeconds(fast.rotationInterval) - 60);

    const again = runScript('setup.sh', ['--local', '--fast-rotation']);
    expect(again.stdout).toContain('nothing changed');

    const onDefault = runScript('setup.sh', ['--local']);
    expect(onDefault.status, onDefault.stderr).toBe(0);
    expect(onDefault.stdout).toContain(`Database leases        ${identity.database.defaultTtl}, rotated every ${identity.database.rotationInterval} (default setting`);
    const back = await bao(env, 'GET', `${identity.database.secretsMount}/roles/${identity.database.role}`, rootToken(env));
    expect(back.body.data.default_ttl).toBe(durationSeconds(identity.database.defaultTtl));
    db = await databaseStatus();
    expect(secondsUntil(db.next_rotation_at)).toBeGreaterThan(durationSeconds(identity.database.rotationInterval) - 60);
    expect(readFileSync(`${env.ZT_RUN_DIR}/backend.settings`, 'utf8')).toContain(`rotate-interval=${identity.database.rotationInterval}`);
  });
});
