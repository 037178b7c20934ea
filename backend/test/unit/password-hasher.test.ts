import { describe, expect, it } from 'vitest';
import { bcryptConcurrency, BcryptHasher, Gate } from '../../src/auth/password-hasher.js';

describe('Gate', () => {
  it('runs at most its limit at once, the rest in arrival order', async () => {
    const gate = new Gate(2);
    let running = 0;
    let most = 0;
    const order: number[] = [];
    const task = (i: number) => async () => {
      running++;
      most = Math.max(most, running);
      await new Promise((resolve) => setTimeout(resolve, 5));
      running--;
      order.push(i);
      return i;
    };
    expect(await Promise.all([0, 1, 2, 3, 4, 5].map((i) => gate.run(task(i))))).toEqual([0, 1, 2, 3, 4, 5]);
    expect(most).toBe(2);
    expect(order).toEqual([0, 1, 2, 3, 4, 5]);
  });

  it('frees the slot of a task that fails', async () => {
    const gate = new Gate(1);
    await expect(gate.run(() => Promise.reject(new Error('boom')))).rejects.toThrow('boom');
    expect(await gate.run(async () => 'next')).toBe('next');
  });
});

describe('bcryptConcurrency', () => {
  it('leaves two threads of the libuv pool free, and never exceeds the CPU cores', () => {
    expect(bcryptConcurrency(2, 4)).toBe(2);
    expect(bcryptConcurrency(8, 4)).toBe(2);
    expect(bcryptConcurrency(1, 4)).toBe(1);
    expect(bcryptConcurrency(8, 3)).toBe(1);
    expect(bcryptConcurrency(8, 16)).toBe(8);
  });
});

describe('BcryptHasher', () => {
  it('hashes and verifies with real bcrypt through the gate', async () => {
    const hasher = new BcryptHasher(4, new Gate(1));
    const hash = await hasher.hash('jake99');
    expect(await hasher.verify('jake99', hash)).toBe(true);
    expect(await hasher.verify('jake98', hash)).toBe(false);
  });
});
