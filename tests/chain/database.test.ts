/**
 * Dynamic PostgreSQL credentials: OpenBao's database engine creates a real role that can use the
 * app tables through app_rw and create nothing, and revoking its lease ends its sessions and drops it.
 */
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { durationSeconds, identity } from '../lib/identity.ts';
import { backendDbUser } from '../lib/backend.ts';
import { backendToken, bao, dynamicRoles, loadStackEnv, pgLogin, pgSuperuser, rootToken, type StackEnv } from '../lib/stack.ts';

interface Credentials {
  username: string;
  password: string;
  leaseId: string;
  leaseDuration: number;
}

let env: StackEnv;
let token: string;
const leases: string[] = [];
const clients: pg.Client[] = [];
const credsPath = `${identity.database.secretsMount}/creds/${identity.database.role}`;

async function newCredentials(): Promise<Credentials> {
  const response = await bao(env, 'GET', credsPath, token);
  expect(response.status, JSON.stringify(response.body)).toBe(200);
  leases.push(response.body.lease_id);
  return {
    username: response.body.data.username,
    password: response.body.data.password,
    leaseId: response.body.lease_id,
    leaseDuration: response.body.lease_duration,
  };
}

async function connectAs(creds: Credentials): Promise<pg.Client> {
  const client = await pgLogin(env, creds.username, creds.password);
  client.on('error', () => {}); // a terminated session emits 'error'; the tests look at query results
  clients.push(client);
  return client;
}

/** Whether a server process (a session) with this pid still exists. By pid, not by user name: a
 * dropped role's sessions stay in pg_stat_activity with a NULL usename. */
async function sessionAlive(pid: number): Promise<boolean> {
  const admin = await pgSuperuser(env);
  try {
    const result = await admin.query('SELECT count(*)::int AS n FROM pg_stat_activity WHERE pid = $1', [pid]);
    return result.rows[0].n === 1;
  } finally {
    await admin.end();
  }
}

const sqlState = (promise: Promise<unknown>): Promise<string | undefined> =>
  promise.then(
    () => undefined,
    (error: { code?: string }) => error.code,
  );

beforeAll(async () => {
  env = loadStackEnv();
  token = await backendToken(env);
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.end()));
  const admin = await pgSuperuser(env);
  await admin.query("DELETE FROM app.audit_log WHERE action LIKE 'chain-test%'");
  await admin.end();
});

describe('database/creds/backend-role', () => {
  it('creates a login role with a lease of the configured TTL, whose only privilege is membership in app_rw', async () => {
    const creds = await newCredentials();
    expect(creds.username).toMatch(/^v-/);
    expect(creds.leaseDuration).toBe(durationSeconds(identity.database.defaultTtl));

    const admin = await pgSuperuser(env);
    try {
      const role = await admin.query(
        'SELECT rolcanlogin, rolsuper, rolcreaterole, rolcreatedb, rolvaliduntil FROM pg_roles WHERE rolname = $1',
        [creds.username],
      );
      expect(role.rows).toHaveLength(1);
      expect(role.rows[0]).toMatchObject({ rolcanlogin: true, rolsuper: false, rolcreaterole: false, rolcreatedb: false });
      expect(role.rows[0].rolvaliduntil).toBeInstanceOf(Date);
      const groups = await admin.query(
        `SELECT g.rolname FROM pg_auth_members m JOIN pg_roles g ON g.oid = m.roleid
         JOIN pg_roles u ON u.oid = m.member WHERE u.rolname = $1`,
        [creds.username],
      );
      expect(groups.rows.map((row) => row.rolname)).toEqual(['app_rw']);
      const owned = await admin.query('SELECT count(*)::int AS n FROM pg_class WHERE relowner = (SELECT oid FROM pg_roles WHERE rolname = $1)', [
        creds.username,
      ]);
      expect(owned.rows[0].n).toBe(0);
    } finally {
      await admin.end();
    }
  });

  it('reads and writes the app tables and uses their sequences', async () => {
    const client = await connectAs(await newCredentials());
    const demo = await client.query('SELECT username, role FROM users ORDER BY id'); // search_path = app
    expect(demo.rows.map((row) => row.username)).toEqual(expect.arrayContaining(['jake', 'amy', 'rosa', 'terry', 'charles', 'gina']));

    const name = `chain_${Date.now()}`;
    const inserted = await client.query(
      "INSERT INTO users (username, email, password_hash) VALUES ($1, $2, 'x') RETURNING id, role",
      [name, `${name}@example.test`],
    );
    const userId = inserted.rows[0].id as string;
    expect(Number(userId)).toBeGreaterThan(6); // from the identity sequence, after the six demo users
    expect(inserted.rows[0].role).toBe('user');

    await client.query('INSERT INTO github_integrations (user_id, is_configured, configured_at) VALUES ($1, true, now())', [userId]);
    const touched = await client.query('UPDATE github_integrations SET last_accessed = now() WHERE user_id = $1', [userId]);
    expect(touched.rowCount).toBe(1);
    const audit = await client.query("INSERT INTO audit_log (user_id, action) VALUES ($1, 'chain-test') RETURNING id", [userId]);
    expect(Number(audit.rows[0].id)).toBeGreaterThan(0);

    await client.query('DELETE FROM github_integrations WHERE user_id = $1', [userId]);
    expect((await client.query('DELETE FROM users WHERE id = $1', [userId])).rowCount).toBe(1);
    // the audit row outlives the user, detached from it
    const kept = await client.query('SELECT user_id FROM audit_log WHERE id = $1', [audit.rows[0].id]);
    expect(kept.rows[0].user_id).toBeNull();
  });

  it('cannot rewrite the audit trail', async () => {
    const client = await connectAs(await newCredentials());
    await client.query("INSERT INTO audit_log (action) VALUES ('chain-test-append')");
    expect(await sqlState(client.query("UPDATE audit_log SET action = 'forged'"))).toBe('42501');
    expect(await sqlState(client.query('DELETE FROM audit_log'))).toBe('42501');
  });

  it('cannot create tables, schemas or temporary tables', async () => {
    const client = await connectAs(await newCredentials());
    expect(await sqlState(client.query('CREATE TABLE app.sneaky (id int)'))).toBe('42501');
    expect(await sqlState(client.query('CREATE TABLE public.sneaky (id int)'))).toBe('42501');
    expect(await sqlState(client.query('CREATE SCHEMA sneaky'))).toBe('42501');
    expect(await sqlState(client.query('CREATE TEMP TABLE sneaky (id int)'))).toBe('42501');
  });

  it('revoking the lease ends the open sessions and drops the role', async () => {
    const creds = await newCredentials();
    const client = await connectAs(creds);
    expect((await client.query('SELECT 1 AS one')).rows[0].one).toBe(1);

    const pid = (await client.query('SELECT pg_backend_pid() AS pid')).rows[0].pid as number;
    expect(await sessionAlive(pid)).toBe(true);

    // A lease_id in the body would override the path: refused, so the path is all that names a lease.
    const smuggled = await bao(env, 'PUT', `sys/leases/revoke/${identity.database.secretsMount}/creds/${identity.database.role}/nothing`, token, { lease_id: creds.leaseId });
    expect(smuggled.status).toBe(403);
    expect(await sessionAlive(pid)).toBe(true);

    // as the backend does it: the lease in the path, where backend-policy scopes it
    const revoke = await bao(env, 'PUT', `sys/leases/revoke/${creds.leaseId}`, token, { sync: true });
    expect(revoke.status, JSON.stringify(revoke.body)).toBe(204);

    expect(await dynamicRoles(env)).not.toContain(creds.username);
    // pg_terminate_backend signals the session; it is gone a moment later
    await expect.poll(() => sessionAlive(pid), { timeout: 5_000 }).toBe(false);
    await expect(client.query('SELECT 1')).rejects.toThrow();
    // and the credentials no longer open a session
    await expect(pgLogin(env, creds.username, creds.password)).rejects.toThrow(/password authentication failed|does not exist/);
  });

  it("leaves no v- role behind once the leases are revoked (but the running backend's own)", async () => {
    const ours = leases.length;
    expect(ours).toBeGreaterThan(3);
    for (const leaseId of leases) {
      const revoke = await bao(env, 'PUT', 'sys/leases/revoke', rootToken(env), { lease_id: leaseId });
      expect([204, 400]).toContain(revoke.status); // 400: already revoked above
    }
    await bao(env, 'POST', 'auth/token/revoke-self', token);
    expect(await dynamicRoles(env)).toEqual([await backendDbUser(env)]);
  });
});
