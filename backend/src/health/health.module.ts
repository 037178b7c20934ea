import { Module } from '@nestjs/common';
import { DatabaseModule } from '../database/database.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { HealthController } from './health.controller.js';

@Module({ imports: [IdentityModule, SecretsModule, DatabaseModule], controllers: [HealthController] })
export class HealthModule {}
