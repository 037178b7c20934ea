import { describe, expect, it, vi } from 'vitest';
import { DatabaseNotReadyError, RotatingPool } from '../../src/database/rotating-pool.js';
import { FakeCredentials, FakePool, deferred } from './fakes.js';

function setup() {
  const source = new FakeCredentials();
  const pools: FakePool[] = [];
  const pool = new RotatingPool(source, (credentials) => {
    const created = new FakePool(credentials);
    pools.push(created);
    return created;
  });
  return { source, pools, pool };
}

describe('RotatingPool', () => {
  it('is not ready before its first credentials, and says so', async () => {
    const { pool } = setup();
    expect(pool.isReady()).toBe(false);
    await expect(pool.query('SELECT 1')).rejects.toBeInstanceOf(DatabaseNotReadyError);
  });

  it('probes new credentials before anyone uses them', async () => {
    const { pool, pools } = setup();
    const record = await pool.rotate('startup');
    expect(record).toMatchObject({ result: 'ok', fromUsername: null, toUsername: 'v-test-1', reason: 'startup' });
    expect(pools[0]!.queries).toEqual(['SELECT 1']);
    expect(pool.generation()).toBe(1);
  });

  it('sends new queries to the new pool as soon as it is proven', async () => {
    const { pool, pools } = setup();
    await pool.rotate('startup');
    await pool.rotate('scheduled');
    await pool.query('SELECT now()');
    expect(pools[1]!.queries).toEqual(['SELECT 1', 'SELECT now()']);
    expect(pools[0]!.queries).toEqual(['SELECT 1']);
  });

  it('revokes the old lease only after the old pool has drained and closed', async () => {
    const { pool, pools, source } = setup();
    await pool.rotate('startup');
    const release = pools[0]!.hold();
    const inFlight = pool.query('SELECT slow_report()'); // still running on the old pool
    const rotation = pool.rotate('scheduled');

    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pool.credentials()?.username).toBe('v-test-2'); // new checkouts already go to the new pool
    expect(pools[0]!.endCalledAt).toBeDefined(); // closing has begun...
    expect(pools[0]!.ended).toBe(false); // ...but waits for the query in flight
    expect(source.revoked).toEqual([]); // and the old lease is untouched: revoking would kill the query

    release();
    await expect(inFlight).resolves.toMatchObject({ rowCount: 1 });
    await rotation;
    expect(pools[0]!.ended).toBe(true);
    expect(source.revoked).toEqual(['database/creds/backend-role/lease-1']);
  });

  it('waits for queued checkouts on the old pool before closing it', async () => {
    const { pool, pools } = setup();
    await pool.rotate('startup');
    pools[0]!.waitingCount = 3; // callers queued for a client of the old pool
    const rotation = pool.rotate('scheduled');
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(pools[0]!.endCalledAt).toBeUndefined();
    pools[0]!.waitingCount = 0;
    await rotation;
    expect(pools[0]!.ended).toBe(true);
  });

  it('runs one rotation at a time: concurrent triggers share it', async () => {
    const { pool, source } = setup();
    await pool.rotate('startup');
    const gate = deferred();
    source.gate = gate.promise;
    const first = pool.rotate('scheduled');
    const second = pool.rotate('forced');
    gate.resolve();
    const [a, b] = await Promise.all([first, second]);
    expect(a).toBe(b);
    expect(source.issued).toBe(2);
  });

  it('keeps the current pool when new credentials cannot be had', async () => {
    const { pool, source } = setup();
    await pool.rotate('startup');
    source.failNext = new Error('OpenBao is unreachable (ECONNREFUSED)');
    const record = await pool.rotate('scheduled');
    expect(record).toMatchObject({ result: 'failed', fromUsername: 'v-test-1', toUsername: null, error: 'OpenBao is unreachable (ECONNREFUSED)' });
    expect(pool.credentials()?.username).toBe('v-test-1');
    await expect(pool.query('SELECT 1')).resolves.toBeDefined();
    expect(source.revoked).toEqual([]);
  });

  it('drops new credentials that fail their probe, and keeps the old pool', async () => {
    const source = new FakeCredentials();
    let created = 0;
    const pool = new RotatingPool(source, (credentials) => {
      const fake = new FakePool(credentials);
      if (++created === 2) fake.failNext = { code: '28P01', message: 'password authentication failed' };
      return fake;
    });
    await pool.rotate('startup');
    const record = await pool.rotate('scheduled');
    expect(record.result).toBe('failed');
    expect(pool.credentials()?.username).toBe('v-test-1');
    expect(source.revoked).toEqual(['database/creds/backend-role/lease-2']); // the unusable lease is not left behind
  });

  it('rotates early when PostgreSQL rejects the credentials (28P01), and retries the query once', async () => {
    const { pool, pools } = setup();
    await pool.rotate('startup');
    pools[0]!.failNext = { code: '28P01', message: 'password authentication failed for user "v-test-1"' };
    const result = await pool.query('SELECT 42');
    expect(result.rowCount).toBe(1);
    expect(pools[1]!.queries).toContain('SELECT 42');
    // the retry goes ahead as soon as the new pool is in place; the record follows once the old lease is revoked
    await vi.waitFor(() => expect(pool.rotations()[0]).toMatchObject({ reason: 'credentials-rejected', result: 'ok' }));
  });

  it('does not rotate on other errors', async () => {
    const { pool, pools, source } = setup();
    await pool.rotate('startup');
    pools[0]!.failNext = { code: '42P01', message: 'relation does not exist' };
    await expect(pool.query('SELECT * FROM nope')).rejects.toMatchObject({ code: '42P01' });
    expect(source.issued).toBe(1);
  });

  it('keeps a bounded, newest-first history', async () => {
    const source = new FakeCredentials();
    const pool = new RotatingPool(source, (credentials) => new FakePool(credentials), { historySize: 3 });
    for (let i = 0; i < 5; i++) await pool.rotate(`r${i}`);
    expect(pool.rotations().map((record) => record.reason)).toEqual(['r4', 'r3', 'r2']);
  });

  it('on close, ends the pool and revokes the current lease', async () => {
    const { pool, pools, source } = setup();
    await pool.rotate('startup');
    await pool.close();
    expect(pools[0]!.ended).toBe(true);
    expect(source.revoked).toEqual(['database/creds/backend-role/lease-1']);
    expect(pool.isReady()).toBe(false);
  });
});
