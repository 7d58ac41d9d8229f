// npm run admin:key — issues a new API key for the platform admin (created on first use) and prints it once.
import 'reflect-metadata';
import { ApiKeysService } from '../identity/api-keys.service.js';
import { PrincipalsService } from '../identity/principals.service.js';
import { createMarketplaceWorker } from '../bootstrap.js';
import { createRootLogger } from '../common/logger.js';
import { loadAppConfig } from '../config/app.config.js';
import { ConfigError } from '../config/validate-env.js';
import { openDatabaseServer } from '../database-server.js';

async function main(): Promise<void> {
  const config = loadAppConfig({ ...process.env, ROLE: 'worker' });
  const logger = createRootLogger(process.env.LOG_LEVEL ?? 'warn');
  const database = await openDatabaseServer(config);
  const ctx = await createMarketplaceWorker({ config, databaseUrl: database.url, logger });
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
