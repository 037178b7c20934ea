import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { WorkloadTls } from '../tls/workload-tls.js';
import { AuditRepository } from './audit.repository.js';
import { DatabaseService, pgPoolFactory, POOL_FACTORY } from './database.service.js';

@Module({
  imports: [SecretsModule],
  providers: [{ provide: POOL_FACTORY, inject: [APP_CONFIG, WorkloadTls], useFactory: pgPoolFactory }, DatabaseService, AuditRepository],
  exports: [DatabaseService, AuditRepository],
})
export class DatabaseModule {}
