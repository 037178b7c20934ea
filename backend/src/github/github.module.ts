import { Module } from '@nestjs/common';
import { AuthModule } from '../auth/auth.module.js';
import { APP_CONFIG, type AppConfig } from '../config/config.js';
import { DatabaseModule } from '../database/database.module.js';
import { SecretsModule } from '../secrets/secrets.module.js';
import { GITHUB_API } from './github-api.js';
import { GithubIntegrationsRepository } from './github-integrations.repository.js';
import { GithubController } from './github.controller.js';
import { GithubService } from './github.service.js';
import { OctokitAdapter } from './octokit.adapter.js';

@Module({
  imports: [AuthModule, SecretsModule, DatabaseModule],
  controllers: [GithubController],
  providers: [
    { provide: GITHUB_API, inject: [APP_CONFIG], useFactory: (config: AppConfig) => new OctokitAdapter(config.github.apiUrl, config.github.timeoutMs) },
    GithubIntegrationsRepository,
    GithubService,
  ],
})
export class GithubModule {}
