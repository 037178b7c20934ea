import { describe, expect, it } from 'vitest';
import { LoginThrottle } from '../../src/auth/login-throttle.js';

const limits = { perAccount: 10, perClient: 30 };

describe('LoginThrottle', () => {
  it('throttles one address for one username after its failures, and only that pair', () => {
    let now = 0;
    const throttle = new LoginThrottle(limits, 60_000, () => now);
    for (let i = 0; i < 9; i++) throttle.recordFailure('10.0.0.66', 'jake');
    expect(throttle.check('10.0.0.66', 'jake')).toBeUndefined();
    now = 1_000;
    throttle.recordFailure('10.0.0.66', 'JAKE'); // usernames are case-insensitive
    expect(throttle.check('10.0.0.66', 'jake')).toEqual({ scope: 'account', retryAfterS: 59 });
    expect(throttle.check('10.0.0.66', 'amy')).toBeUndefined();
    // the owner, elsewhere, is not locked out by the attacker's failures
    expect(throttle.check('10.0.0.7', 'jake')).toBeUndefined();
    now = 60_001; // the window slides: the first failures stop counting
    expect(throttle.check('10.0.0.66', 'jake')).toBeUndefined();
  });

  it('throttles an address that sprays failures over many usernames', () => {
    let now = 0;
    const throttle = new LoginThrottle(limits, 60_000, () => now);
    for (let i = 0; i < 30; i++) {
      now = i * 100;
      throttle.recordFailure('10.0.0.66', `user${i}`);
    }
    expect(throttle.check('10.0.0.66', 'someone-new')).toEqual({ scope: 'client', retryAfterS: 58 });
    expect(throttle.check('10.0.0.7', 'someone-new')).toBeUndefined();
  });

  it('waits only until enough failures leave the window, not a whole minute after the last', () => {
    let now = 0;
    const throttle = new LoginThrottle({ perAccount: 2, perClient: 100 }, 60_000, () => now);
    throttle.recordFailure('a', 'jake');
    now = 30_000;
    throttle.recordFailure('a', 'jake');
    expect(throttle.check('a', 'jake')?.retryAfterS).toBe(30);
    now = 60_000;
    expect(throttle.check('a', 'jake')).toBeUndefined();
  });
});
