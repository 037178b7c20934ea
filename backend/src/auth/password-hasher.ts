import bcrypt from 'bcrypt';

/** Port: password hashing (bcrypt cost 12 in production; a fast fake in unit tests). */
export interface PasswordHasher {
  hash(password: string): Promise<string>;
  verify(password: string, hash: string): Promise<boolean>;
}

export const PASSWORD_HASHER = Symbol('PASSWORD_HASHER');

/** bcrypt through its async API, so hashing runs on the libuv pool and never blocks the event loop. */
export class BcryptHasher implements PasswordHasher {
  constructor(private readonly cost = 12) {}

  hash(password: string): Promise<string> {
    return bcrypt.hash(password, this.cost);
  }

  verify(password: string, hash: string): Promise<boolean> {
    return bcrypt.compare(password, hash);
  }
}
