import { Module, type DynamicModule } from '@nestjs/common';
import { ApiDocsModule } from './api-docs/api-docs.module.js';
import { AuthModule } from './auth/auth.module.js';
import type { Logger } from './common/logger.js';
import type { AppConfig } from './config/config.js';
import { ConfigModule } from './config/config.module.js';
import { EventsModule } from './events/events.module.js';
import { GithubModule } from './github/github.module.js';
import { HealthModule } from './health/health.module.js';
import { MetricsModule } from './metrics/metrics.module.js';
import { SecurityModule } from './security/security.module.js';
import { TlsModule } from './tls/tls.module.js';
import type { WorkloadTls } from './tls/workload-tls.js';

@Module({})
export class AppModule {
  static forRoot(config: AppConfig, logger: Logger, tls: WorkloadTls): DynamicModule {
    return {
      module: AppModule,
      imports: [ConfigModule.forRoot(config, logger), TlsModule.forRoot(tls), EventsModule, HealthModule, AuthModule, GithubModule, SecurityModule, MetricsModule, ApiDocsModule],
    };
  }
}
