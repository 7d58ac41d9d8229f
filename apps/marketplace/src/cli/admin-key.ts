// npm run admin:key — issues a new API key for the platform admin (created on first use) and prints it once.
import 'reflect-metadata';
import { ApiKeysService } from '../identity/api-keys.service.js';
import { PrincipalsService } from '../identity/principals.service.js';
import { createMarketplaceWorker } from '../bootstrap.js';
import { createRootLogger } from '../common/logger.js';
import { loadConfiguration, withSandboxDefaults } from '../config/configuration.js';
import { ConfigError } from '../config/validate-env.js';
import { openDatabaseServer } from '../database-server.js';

async function main(): Promise<void> {
  // ROLE=api: no background loops in this short-lived process
  const configuration = loadConfiguration({ ...withSandboxDefaults(process.env).env, ROLE: 'api', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const logger = createRootLogger(configuration.app.LOG_LEVEL);
  const database = await openDatabaseServer(configuration.app);
  const ctx = await createMarketplaceWorker({ configuration, databaseUrl: database.url, logger });
  try {
    const admin = await ctx.get(PrincipalsService).firstAdmin();
    const { plaintext } = await ctx.get(ApiKeysService).issue(admin.id, 'admin:key');
    console.log(`Admin principal ${admin.id}\nAPI key (shown once, store it now):\n\n  ${plaintext}\n\nUse it as: Authorization: Bearer ${plaintext}`);
  } finally {
    await ctx.close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError ? error.message : `admin:key failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
