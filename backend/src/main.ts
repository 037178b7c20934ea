import { X509Source } from '@zt-demo/spiffe';
import { createApp } from './app.factory.js';
import { createLogger } from './common/logger.js';
import { installGracefulShutdown } from './common/shutdown.js';
import { ConfigError, loadConfig } from './config/config.js';
import { HealthServer } from './health/health-server.js';
import { WorkloadTls } from './tls/workload-tls.js';

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (error) {
    if (!(error instanceof ConfigError)) throw error;
    process.stderr.write(`error: ${error.message}\nhint:  see the backend's "Configuration" table in docs/reference.md\n`);
    process.exit(1);
  }
  const logger = createLogger(config.logLevel);
  // Probes first: alive at once, ready only once the chain holds.
  const health = new HealthServer(logger);
  await health.listen(config.healthPort, config.host);
  // The API listener needs a certificate before it can start: the backend's X.509-SVID, from the
  // same Workload API as its JWT-SVIDs, kept renewed in memory from then on.
  const svids = new X509Source(config.identity.socket, config.identity.spiffeId, logger).start();
  try {
    await svids.ready(config.identity.svidWaitMs);
  } catch (error) {
    logger.fatal({ reason: (error as Error).message }, 'no X.509-SVID from the SPIRE agent: is the agent running, and the backend registered?');
    process.exit(1);
  }
  const tls = new WorkloadTls(svids, config.tls, logger);
  const app = await createApp(config, logger, tls);
  installGracefulShutdown(app, logger, config.shutdownDrainMs, () => {
    health.close();
    svids.close();
  });
  await app.listen(config.port, config.host);
  health.serve(app);
  logger.info(
    { address: `https://${config.host}:${config.port}`, health: `http://${config.host}:${config.healthPort}`, spiffeId: config.identity.spiffeId, apiClients: config.tls.apiClients },
    'backend listening (mutual TLS; plain HTTP for health and metrics only)',
  );
}

void main();
