import { Injectable } from '@nestjs/common';
import { AppError } from '../common/errors.js';
import { DatabaseService } from '../database/database.service.js';

export interface User {
  id: number;
  username: string;
  email: string | null;
  role: 'user' | 'admin';
  createdAt: Date;
}

interface UserRow {
  id: string;
  username: string;
  email: string | null;
  role: 'user' | 'admin';
  created_at: Date;
  password_hash: string;
}

const toUser = (row: UserRow): User => ({ id: Number(row.id), username: row.username, email: row.email, role: row.role, createdAt: row.created_at });

@Injectable()
export class UsersRepository {
  constructor(private readonly db: DatabaseService) {}

  async findForLogin(username: string): Promise<{ user: User; passwordHash: string } | undefined> {
    const result = await this.db.query<UserRow>(
      'SELECT id, username, email, role, created_at, password_hash FROM users WHERE lower(username) = lower($1)',
      [username],
    );
    const row = result.rows[0];
    return row && { user: toUser(row), passwordHash: row.password_hash };
  }

  async findById(id: number): Promise<User | undefined> {
    const result = await this.db.query<UserRow>('SELECT id, username, email, role, created_at FROM users WHERE id = $1', [id]);
    return result.rows[0] && toUser(result.rows[0]);
  }

  /** Creates a user; a taken username or email becomes 409 username_taken / email_taken. */
  async create(username: string, email: string | null, passwordHash: string): Promise<User> {
    try {
      const result = await this.db.query<UserRow>(
        'INSERT INTO users (username, email, password_hash) VALUES ($1, $2, $3) RETURNING id, username, email, role, created_at',
        [username, email, passwordHash],
      );
      return toUser(result.rows[0]!);
    } catch (error) {
      const { code, constraint } = error as { code?: string; constraint?: string };
      if (code === '23505' && constraint?.includes('email')) throw new AppError(409, 'email_taken', 'That email is already registered.');
      if (code === '23505') throw new AppError(409, 'username_taken', 'That username is taken.');
      throw error;
    }
  }
}
