import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../src/auth/login-throttle.js';
import { MemoryFailureLog } from './fakes.js';

const limits = { perAccount: 10, perClient: 30 };

describe('LoginThrottle', () => {
  it('throttles one address for one username after its failures, and only that pair', async () => {
    let now = 0;
    const throttle = new LoginThrottle(limits, new MemoryFailureLog(), 60_000, () => now);
    for (let i = 0; i < 9; i++) await throttle.recordFailure('10.0.0.66', 'jake');
    expect(await throttle.check('10.0.0.66', 'jake')).toBeUndefined();
    now = 1_000;
    await throttle.recordFailure('10.0.0.66', 'JAKE'); // usernames are case-insensitive
    expect(await throttle.check('10.0.0.66', 'jake')).toEqual({ scope: 'account', retryAfterS: 59 });
    expect(await throttle.check('10.0.0.66', 'amy')).toBeUndefined();
    // the owner, elsewhere, is not locked out by the attacker's failures
    expect(await throttle.check('10.0.0.7', 'jake')).toBeUndefined();
    now = 60_001; // the window slides: the first failures stop counting
    expect(await throttle.check('10.0.0.66', 'jake')).toBeUndefined();
  });

  it('throttles an address that sprays failures over many usernames', async () => {
    let now = 0;
    const throttle = new LoginThrottle(limits, new MemoryFailureLog(), 60_000, () => now);
    for (let i = 0; i < 30; i++) {
      now = i * 100;
      await throttle.recordFailure('10.0.0.66', `user${i}`);
    }
    expect(await throttle.check('10.0.0.66', 'someone-new')).toEqual({ scope: 'client', retryAfterS: 58 });
    expect(await throttle.check('10.0.0.7', 'someone-new')).toBeUndefined();
  });

  it('waits only until enough failures leave the window, not a whole minute after the last', async () => {
    let now = 0;
    const throttle = new LoginThrottle({ perAccount: 2, perClient: 100 }, new MemoryFailureLog(), 60_000, () => now);
    await throttle.recordFailure('a', 'jake');
    now = 30_000;
    await throttle.recordFailure('a', 'jake');
    expect((await throttle.check('a', 'jake'))?.retryAfterS).toBe(30);
    now = 60_000;
    expect(await throttle.check('a', 'jake')).toBeUndefined();
  });

  it('counts across replicas that share the log: two throttles do not give twice the guesses', async () => {
    const shared = new MemoryFailureLog();
    const replicas = [new LoginThrottle(limits, shared), new LoginThrottle(limits, shared)];
    for (let i = 0; i < 10; i++) await replicas[i % 2]!.recordFailure('10.0.0.66', 'jake');
    expect((await replicas[0]!.check('10.0.0.66', 'jake'))?.scope).toBe('account');
    expect((await replicas[1]!.check('10.0.0.66', 'jake'))?.scope).toBe('account');
  });

  it('forgets failures that left the window as new ones come in, so the log stays small', async () => {
    let now = 0;
    const log = new MemoryFailureLog();
    const throttle = new LoginThrottle(limits, log, 60_000, () => now);
    for (let i = 0; i < 5; i++) await throttle.recordFailure('10.0.0.66', `user${i}`);
    now = 120_000;
    await throttle.recordFailure('10.0.0.66', 'jake');
    expect(log.size).toBe(2); // the new failure's two keys
  });
});
