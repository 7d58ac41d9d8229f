// npm run payouts:manual-schedule  puts every seller's connected account not yet on the manual payout
// schedule on it (PAYOUT_MODE=reviewed only): the worker's pass, once, now. Idempotent: run it again freely.
import 'reflect-metadata';
import { ManualPayoutSchedules } from '../payouts/manual-payout-schedules.service.js';
import { createMarketplaceWorker } from '../bootstrap.js';
import { createRootLogger } from '../common/logger.js';
import { loadConfiguration, withSandboxDefaults } from '../config/configuration.js';
import { loadEnvFile } from '../config/env-file.js';
import { ConfigError } from '../config/validate-env.js';
import { openDatabaseServer } from '../database-server.js';

async function main(): Promise<number> {
  loadEnvFile(process.env); // the same .env as `npm start`, so DATA_DIR/DATABASE_URL find its database
  // ROLE=api: no background loops in this short-lived process
  const configuration = loadConfiguration({ ...withSandboxDefaults(process.env).env, ROLE: 'api', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  if (configuration.payouts.PAYOUT_MODE !== 'reviewed') {
    console.log(`PAYOUT_MODE is ${configuration.payouts.PAYOUT_MODE}: schedules are Stripe's, nothing to do (set PAYOUT_MODE=reviewed)`);
    return 0;
  }
  const logger = createRootLogger(configuration.app.LOG_LEVEL);
  const database = await openDatabaseServer(configuration.app);
  const ctx = await createMarketplaceWorker({ configuration, databaseUrl: database.url, logger });
  try {
    const round = await ctx.get(ManualPayoutSchedules).setMissing();
    console.log(`${round.set} connected account${round.set === 1 ? '' : 's'} put on the manual payout schedule${round.failed ? `, ${round.failed} failed (see the log; run again)` : ''}`);
    return round.failed ? 1 : 0;
  } finally {
    await ctx.close();
    await database.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof ConfigError ? error.message : `payouts:manual-schedule failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
