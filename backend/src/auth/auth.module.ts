import { Module } from '@nestjs/common';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { DatabaseModule } from '../database/database.module.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { AuthController } from './auth.controller.js';
import { AuthGuard } from './auth.guard.js';
import { AuthService } from './auth.service.js';
import { FAILURE_LOG } from './login-throttle.js';
import { BcryptHasher, PASSWORD_HASHER } from './password-hasher.js';
import { RevokedSessionsRepository } from './revoked-sessions.repository.js';
import { SessionTokens } from './session-tokens.service.js';
import { SignInFailuresRepository } from './sign-in-failures.repository.js';
import { UsersRepository } from './users.repository.js';

@Module({
  imports: [DatabaseModule, SecretsModule],
  controllers: [AuthController],
  providers: [
    { provide: PASSWORD_HASHER, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new BcryptHasher(config.auth.bcryptCost) },
    UsersRepository,
    RevokedSessionsRepository,
    { provide: FAILURE_LOG, useClass: SignInFailuresRepository },
    SessionTokens,
    AuthService,
    AuthGuard,
  ],
  exports: [AuthGuard, SessionTokens, UsersRepository, RevokedSessionsRepository],
})
export class AuthModule {}
