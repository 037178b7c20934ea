import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { IdentityService } from './identity.service.js';
import { JWT_SVID_SOURCE } from './jwt-svid.js';
import { WorkloadApiClient } from '@zt-demo/spiffe';

@Module({
  providers: [
    { provide: JWT_SVID_SOURCE, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new WorkloadApiClient(config.identity.socket) },
    IdentityService,
  ],
  exports: [IdentityService],
})
export class IdentityModule {}
