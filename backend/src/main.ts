import { createApp } from './app.factory.js';
import { createLogger } from './common/logger.js';
import { installGracefulShutdown } from './common/shutdown.js';
import { ConfigError, loadConfig } from './config/config.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`error: ${error.message}\nhint:  see backend/README section "Configuration" in README.md\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  const app = await createApp(config, logger);
  installGracefulShutdown(app, logger, config.shutdownDrainMs);
  await app.listen(config.port, config.host);
  logger.info({ address: `http://${config.host}:${config.port}`, spiffeId: config.identity.spiffeId }, 'backend listening');
}

void main();
