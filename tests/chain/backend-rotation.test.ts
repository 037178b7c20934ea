/**
 * The claim the demo makes: database credentials rotate underneath a busy backend without a
 * single failed request. 20 clients hammer authenticated, database-backed routes while three
 * rotations happen; after each, the old v- role is gone from PostgreSQL and the new one serves.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { api, DEMO_USERS, login, startLoad } from '../lib/backend.ts';
import { dynamicRoles, loadStackEnv, pgSuperuser, type StackEnv } from '../lib/stack.ts';

let env: StackEnv;
let tokens: string[];
let admin: string;

beforeAll(async () => {
  env = loadStackEnv();
  tokens = await Promise.all(DEMO_USERS.map((user) => login(env, user)));
  admin = await login(env, 'terry');
});

async function sessionsOf(username: string): Promise<number> {
  const client = await pgSuperuser(env);
  try {
    const result = await client.query("SELECT count(*)::int AS n FROM pg_stat_activity WHERE usename = $1 AND application_name = 'zt-backend'", [username]);
    return result.rows[0].n as number;
  } finally {
    await client.end();
  }
}

describe('rotation under load', () => {
  it('three rotations while 20 clients hammer the database: zero failed requests, old roles gone, new ones in use', async () => {
    const load = startLoad(env, tokens, 20);
    const seen: string[] = [];
    try {
      await new Promise((resolve) => setTimeout(resolve, 500)); // let the load build up
      for (let round = 0; round < 3; round++) {
        const response = await api(env, 'POST', '/api/security/rotate', { token: admin });
        expect(response.status, response.text).toBe(200);
        const { from_username: from, to_username: to } = response.body.rotation;
        seen.push(from, to);
        expect(from).not.toBe(to);
        // the rotation call returns after the old lease is revoked: the old role is gone already
        const roles = await dynamicRoles(env);
        expect(roles).not.toContain(from);
        expect(roles).toContain(to);
        // and the new role is the one serving the load
        await expect.poll(() => sessionsOf(to), { timeout: 5_000 }).toBeGreaterThan(0);
        expect(await sessionsOf(from)).toBe(0);
        await new Promise((resolve) => setTimeout(resolve, 300));
      }
    } finally {
      const result = await load.stop();
      expect(result.failures).toEqual([]);
      expect(result.requests).toBeGreaterThan(100); // the load really ran through the rotations
    }
    expect(new Set(seen).size).toBe(4); // four distinct users: the first and three new ones
  });
});
