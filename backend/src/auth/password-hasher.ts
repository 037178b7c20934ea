import bcrypt from 'bcrypt';
import { availableParallelism } from 'node:os';

/** Port: password hashing (bcrypt cost 12 in production; a fast fake in unit tests). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

export const PASSWORD_HASHER = Symbol('PASSWORD_HASHER');

/** Runs at most LIMIT tasks at once; the others wait their turn, first come first served. */
export class Gate {
  private running = 0;
  private readonly waiting: Array<() => void> = [];

  constructor(readonly limit: number) {}

  async run<T>(task: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await task();
    } finally {
      // hand the slot straight to the next in line, or free it
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }
}

/** libuv's thread pool (UV_THREADPOOL_SIZE, 4 unless set): bcrypt, DNS lookups and pg's SCRAM crypto all share it. */
const threadPoolSize = (): number => Number(process.env.UV_THREADPOOL_SIZE) || 4;

/**
 * How many bcrypt computations may run at once: never the whole thread pool. A burst of sign-ins
 * used to queue a bcrypt job per request there, and a new database connection's SCRAM handshake
 * (WebCrypto, same pool) waited behind all of them until pg's 5 s connect timeout: 503s. Two
 * threads stay free; more parallel bcrypt than CPU cores would not be faster anyway.
 */
export const bcryptConcurrency = (cores = availableParallelism(), pool = threadPoolSize()): number => Math.max(1, Math.min(cores, pool - 2));

/** bcrypt through its async API (off the event loop), at most bcryptConcurrency() at a time. */
export class BcryptHasher implements PasswordHasher {
  constructor(
    private readonly cost = 12,
    private readonly gate = new Gate(bcryptConcurrency()),
  ) {}

  hash(password: string): Promise<string> {
    return this.gate.run(() => bcrypt.hash(password, this.cost));
  }

  verify(password: string, hash: string): Promise<boolean> {
    return this.gate.run(() => bcrypt.compare(password, hash));
  }
}
