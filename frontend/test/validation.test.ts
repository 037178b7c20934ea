import { describe, expect, it } from 'vitest';
import { registrationProblem } from '@/lib/validation';

describe('registrationProblem mirrors the backend rules', () => {
  it.each(['jake', 'amy.santiago', 'rosa_diaz-99', 'abc', 'a'.repeat(50), 'Jake', ' jake '])('accepts the username %j (spaces and case do not matter)', (name) => {
    expect(registrationProblem('username', name)).toBeUndefined();
  });
  it.each(['ab', 'jake peralta', 'jake!', 'a'.repeat(51), ''])('refuses the username %j', (name) => {
    expect(registrationProblem('username', name)).toMatch(/3 to 50/);
  });
  it('counts password bytes, not characters, like bcrypt', () => {
    expect(registrationProblem('password', '12345')).toMatch(/At least 6/);
    expect(registrationProblem('password', 'jake99')).toBeUndefined();
    expect(registrationProblem('password', 'é'.repeat(36))).toBeUndefined(); // 72 bytes
    expect(registrationProblem('password', 'é'.repeat(37))).toMatch(/At most 72 bytes/); // 74 bytes, 37 characters
  });
  it('refuses a password of nothing but spaces', () => {
    expect(registrationProblem('password', '        ')).toBe('Not only spaces.');
    expect(registrationProblem('password', ' jake 99 ')).toBeUndefined();
  });
  it('lets the email be empty, but not malformed', () => {
    expect(registrationProblem('email', '')).toBeUndefined();
    expect(registrationProblem('email', 'amy.santiago@99.precinct')).toBeUndefined();
    expect(registrationProblem('email', 'amy@')).toMatch(/not an email/);
  });
});
