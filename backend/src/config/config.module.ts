import { Global, Module, type DynamicModule } from '@nestjs/common';
import { LOGGER, type Logger } from '../common/logger.js';
import { APP_CONFIG, type AppConfig } from './config.js';

/** The validated configuration and the logger, available everywhere. */
@Global()
@Module({})
export class ConfigModule {
  static forRoot(config: AppConfig, logger: Logger): DynamicModule {
    return {
      module: ConfigModule,
      providers: [
        { provide: APP_CONFIG, useValue: config },
        { provide: LOGGER, useValue: logger },
      ],
      exports: [APP_CONFIG, LOGGER],
    };
  }
}
