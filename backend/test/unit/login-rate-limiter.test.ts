import { describe, expect, it } from 'vitest';
import { LoginRateLimiter } from '../../src/auth/login-rate-limiter.js';

describe('LoginRateLimiter', () => {
  it('blocks a username after the allowed failures in a minute, and only that username', () => {
    let now = 0;
    const limiter = new LoginRateLimiter(10, 60_000, () => now);
    for (let i = 0; i < 9; i++) limiter.recordFailure('jake');
    expect(limiter.blocked('jake')).toBe(false);
    limiter.recordFailure('JAKE'); // usernames are case-insensitive
    expect(limiter.blocked('jake')).toBe(true);
    expect(limiter.blocked('amy')).toBe(false);
    now = 60_001; // the window slides: old failures stop counting
    expect(limiter.blocked('jake')).toBe(false);
  });
});
