import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { IdentityModule } from '../identity/identity.module.js';
import { KvService } from './kv.service.js';
import { NodeVaultAdapter } from './node-vault.adapter.js';
import { OPENBAO_API } from './openbao-api.js';
import { OpenBaoSession } from './openbao-session.service.js';

@Module({
  imports: [IdentityModule],
  providers: [
    { provide: OPENBAO_API, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new NodeVaultAdapter(config.openbao.addr, config.openbao.timeoutMs) },
    OpenBaoSession,
    KvService,
  ],
  exports: [OpenBaoSession, KvService],
})
export class SecretsModule {}
