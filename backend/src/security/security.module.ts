import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { DatabaseModule } from '../database/database.module.js';
import { IdentityModule } from '../identity/identity.module.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { SecurityController } from './security.controller.js';
import { SecurityService } from './security.service.js';

@Module({ imports: [AuthModule, IdentityModule, SecretsModule, DatabaseModule], controllers: [SecurityController], providers: [SecurityService] })
export class SecurityModule {}
