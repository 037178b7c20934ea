import { Inject, Injectable } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { OpenBaoSession } from './openbao-session.service.js';

/** KV v2 under the configured mount, with the backend's own token. */
@Injectable()
export class KvService {
  constructor(
    private readonly session: OpenBaoSession,
    @Inject(APP_CONFIG) private readonly config: AppConfig,
  ) {}

  private dataPath(path: string): string {
    return `${this.config.openbao.kvMount}/data/${path}`;
  }

  async get<T extends Record<string, unknown>>(path: string): Promise<T | undefined> {
    const secret = await this.session.call((api) => api.read<{ data: T }>(this.dataPath(path)));
    return secret?.data.data;
  }

  async put(path: string, data: Record<string, unknown>): Promise<void> {
    await this.session.call((api) => api.write(this.dataPath(path), { data }));
  }

  /** Removes every version and the metadata: the secret is gone, not just soft-deleted. */
  async destroy(path: string): Promise<void> {
    await this.session.call((api) => api.delete(`${this.config.openbao.kvMount}/metadata/${path}`));
  }
}
