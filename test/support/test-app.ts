import { freePort } from '@app/database';
import type { ModuleMetadata } from '@nestjs/common';
import type { NestExpressApplication } from '@nestjs/platform-express';
import Stripe from 'stripe';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createMarketplaceApp, createMarketplaceWorker } from '../../apps/marketplace/src/bootstrap.js';
import { createRootLogger } from '../../apps/marketplace/src/common/logger.js';
import { loadConfiguration } from '../../apps/marketplace/src/config/configuration.js';
import { ApiKeysService } from '../../apps/marketplace/src/identity/api-keys.service.js';
import { PrincipalsService } from '../../apps/marketplace/src/identity/principals.service.js';
import { ACCOUNT_THIN_EVENT_TYPES } from '../../apps/marketplace/src/onboarding/seller-account-thin-events.handler.js';
import { startSandbox, type RunningSandbox } from '../../apps/stripe-sandbox/src/index.js';
import { createTestDatabase } from './test-database.js';

export const PLATFORM_SECRET = 'whsec_test_platform_secret';
export const CONNECT_SECRET = 'whsec_test_connect_secret';
export const EVENTS_SECRET = 'whsec_test_event_destination_secret';
export const STRIPE_TEST_KEY = 'sk_test_marketplace_e2e';

export interface TestApp {
  app: NestExpressApplication;
  http: TestAgent;
  baseUrl: string;
  databaseUrl: string;
  adminKey: string;
  sandbox: RunningSandbox;
  /** The real Stripe SDK pointed at the sandbox, for checking what Stripe holds. */
  stripe: Stripe;
  close(): Promise<void>;
}

export interface TestAppOptions {
  env?: Record<string, string>;
  imports?: ModuleMetadata['imports'];
  /** Reuse a database (e.g. a second process-like instance on the same data). */
  databaseUrl?: string;
  /** Reuse a sandbox instead of starting one. */
  sandbox?: RunningSandbox;
  /** Settings that need the started sandbox (e.g. a restricted key made by its control API). */
  envFor?: (sandbox: RunningSandbox) => Record<string, string>;
  /** The event types the sandbox's platform endpoint receives (default: all). */
  platformEnabledEvents?: string[];
  /** The event types the sandbox's Connect endpoint receives (default: all). */
  connectEnabledEvents?: string[];
  /** Where the app's pino lines go (default stdout) and at which level (default TEST_LOG_LEVEL, else silent). */
  logDestination?: NodeJS.WritableStream;
  logLevel?: string;
}

/** The settings every test instance runs with (in process or as a child process): fast polls and retries, silent logs. */
export const TEST_SETTINGS: Readonly<Record<string, string>> = {
  HOST: '127.0.0.1',
  LOG_LEVEL: 'silent',
  MIGRATIONS_RUN: 'true',
  STRIPE_SECRET_KEY: STRIPE_TEST_KEY,
  STRIPE_WEBHOOK_SECRETS: PLATFORM_SECRET,
  STRIPE_CONNECT_WEBHOOK_SECRETS: CONNECT_SECRET,
  STRIPE_EVENT_DESTINATION_SECRETS: EVENTS_SECRET,
  STRIPE_REQUESTS_PER_SECOND: '1000',
  STRIPE_TRANSFERS_PER_SECOND: '1000',
  STRIPE_RETRY_BASE_MS: '20',
  WEBHOOK_POLL_MS: '20',
  WEBHOOK_RETRY_BASE_MS: '50',
  WEBHOOK_BACKFILL_LOOKBACK_S: '0',
  LEDGER_AVAILABILITY_SWEEP_MS: '200',
  STRIPE_PAYOUTS_PER_SECOND: '1000',
  // the app's default is reviewed; the suites written before reviewed payouts rely on Stripe's own
  // schedule paying sellers out, so they run automatic. Suites of reviewed payouts say PAYOUT_MODE=reviewed.
  PAYOUT_MODE: 'automatic',
  PAYOUT_HELD_RECHECK_MS: '200',
  // the hourly cron would fire in whichever suite runs on the hour: suites of the schedule set their own
  RECONCILIATION_CRON: '0 0 1 1 *',
  RECONCILIATION_POLL_MS: '250',
  // suites make many checkouts and 401s from one address in a minute: the limits' own suite sets its own
  RATE_LIMIT_AUTH_FAILURES: '1000000',
  RATE_LIMIT_CHECKOUTS: '1000000',
  RATE_LIMIT_REFUNDS: '1000000',
  RATE_LIMIT_PAYOUT_REQUESTS: '1000000',
};

/** The configuration every test instance runs with: TEST_SETTINGS, then `env`. */
export function testConfiguration(o: { port: number; sandboxUrl: string; databaseUrl: string; env?: Record<string, string> }) {
  return loadConfiguration({
    ...TEST_SETTINGS,
    PORT: String(o.port),
    STRIPE_API_BASE: o.sandboxUrl,
    ...o.env,
    DATABASE_URL: o.databaseUrl,
  });
}

/** A worker-role instance (no HTTP) on an existing database: background loops only. */
export async function startTestWorker(o: { databaseUrl: string; sandboxUrl: string; env?: Record<string, string>; imports?: ModuleMetadata['imports'] }) {
  const configuration = testConfiguration({ port: 0, sandboxUrl: o.sandboxUrl, databaseUrl: o.databaseUrl, env: { ROLE: 'worker', ...o.env } });
  return createMarketplaceWorker({ configuration, databaseUrl: o.databaseUrl, logger: createRootLogger(process.env.TEST_LOG_LEVEL ?? 'silent'), imports: o.imports });
}

/**
 * The app must know its port before it listens (the sandbox delivers webhooks to it, links carry
 * it), so a free port is picked first; another process can take it in between, so a collision
 * starts over on another port.
 */
async function listenOnFreePort(options: TestAppOptions, databaseUrl: string): Promise<{ app: NestExpressApplication; port: number; sandbox: RunningSandbox }> {
  for (let attempt = 1; ; attempt++) {
    const port = await freePort();
    const baseUrl = `http://127.0.0.1:${port}`;
    const sandbox =
      options.sandbox ??
      (await startSandbox({
        port: 0,
        webhookEndpoints: [
          { url: `${baseUrl}/webhooks/stripe`, secret: PLATFORM_SECRET, connect: false, ...(options.platformEnabledEvents ? { enabledEvents: options.platformEnabledEvents } : {}) },
          { url: `${baseUrl}/webhooks/stripe/connect`, secret: CONNECT_SECRET, connect: true, ...(options.connectEnabledEvents ? { enabledEvents: options.connectEnabledEvents } : {}) },
        ],
        // the event destination of thin events (Accounts v2), as created in the Dashboard
        eventDestinations: [{ url: `${baseUrl}/webhooks/stripe/events`, secret: EVENTS_SECRET, enabledEvents: [...ACCOUNT_THIN_EVENT_TYPES] }],
        webhookRetry: { baseDelayMs: 50 },
      }));
    let app: NestExpressApplication | undefined;
    try {
      app = await createMarketplaceApp({
        configuration: testConfiguration({ port, sandboxUrl: sandbox.url, databaseUrl, env: { ...options.env, ...options.envFor?.(sandbox) } }),
        databaseUrl,
        logger: createRootLogger(options.logLevel ?? process.env.TEST_LOG_LEVEL ?? 'silent', options.logDestination),
        imports: options.imports,
      });
      await app.listen(port, '127.0.0.1');
      return { app, port, sandbox };
    } catch (error) {
      await app?.close().catch(() => undefined);
      if (!options.sandbox) await sandbox.close();
      if ((error as { code?: string }).code !== 'EADDRINUSE' || attempt >= 5) throw error;
    }
  }
}

/**
 * The real app (same bootstrap as production) on its own migrated database, talking to an
 * in-process Stripe sandbox that delivers signed webhooks back to it.
 */
export async function startTestApp(options: TestAppOptions = {}): Promise<TestApp> {
  const databaseUrl = options.databaseUrl ?? (await createTestDatabase());
  const ownSandbox = !options.sandbox;
  const { app, port, sandbox } = await listenOnFreePort(options, databaseUrl);
  const baseUrl = `http://127.0.0.1:${port}`;
  const admin = await app.get(PrincipalsService).firstAdmin();
  const { plaintext: adminKey } = await app.get(ApiKeysService).issue(admin.id, 'test admin');
  const sandboxUrl = new URL(sandbox.url);
  const stripe = new Stripe(STRIPE_TEST_KEY, { host: sandboxUrl.hostname, port: sandboxUrl.port, protocol: 'http', maxNetworkRetries: 0 });
  return {
    app,
    http: request(app.getHttpServer()),
    baseUrl,
    databaseUrl,
    adminKey,
    sandbox,
    stripe,
    async close() {
      await app.close();
      if (ownSandbox) await sandbox.close();
    },
  };
}
