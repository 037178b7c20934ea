import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { IdentityModule } from '../identity/identity.module.js';
import { WorkloadTls } from '../tls/workload-tls.js';
import { KvService } from './kv.service.js';
import { NodeVaultAdapter } from './node-vault.adapter.js';
import { OPENBAO_API } from './openbao-api.js';
import { OpenBaoSession } from './openbao-session.service.js';

@Module({
  imports: [IdentityModule],
  providers: [
    {
      provide: OPENBAO_API,
      inject: [APP_CONFIG, WorkloadTls],
      useFactory: (config: AppConfig, tls: WorkloadTls) => new NodeVaultAdapter(config.openbao.addr, config.openbao.timeoutMs, () => tls.openbaoAgent()),
    },
    OpenBaoSession,
    KvService,
  ],
  exports: [OpenBaoSession, KvService],
})
export class SecretsModule {}
