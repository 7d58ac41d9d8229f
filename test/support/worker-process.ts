import { runNode, type RunningProcess } from './process.js';
import { CONNECT_SECRET, PLATFORM_SECRET, STRIPE_TEST_KEY, type TestApp } from './test-app.js';

const MAIN = 'dist/apps/marketplace/src/main.js';

/** A real worker process (ROLE=worker, the built app) on the test app's database and sandbox, quick to poll; `env` adds or overrides settings. */
export function workerProcess(t: TestApp, name: string, env: Record<string, string> = {}): RunningProcess {
  return runNode(MAIN, {
    ROLE: 'worker',
    INSTANCE_NAME: name,
    DATABASE_URL: t.databaseUrl,
    MIGRATIONS_RUN: 'false',
    LOG_LEVEL: 'info',
    STRIPE_API_BASE: t.sandbox.url,
    STRIPE_SECRET_KEY: STRIPE_TEST_KEY,
    STRIPE_WEBHOOK_SECRETS: PLATFORM_SECRET,
    STRIPE_CONNECT_WEBHOOK_SECRETS: CONNECT_SECRET,
    WEBHOOK_POLL_MS: '50',
    WEBHOOK_BACKFILL_LOOKBACK_S: '0',
    ...env,
  });
}
