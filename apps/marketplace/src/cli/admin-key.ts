// npm run admin:key [create [label]]  issues a new API key for the platform admin (created on first use), printed once
// npm run admin:key -- list           lists the admin keys: id, principal, prefix, label, created, revoked (never a key)
// npm run admin:key -- revoke <keyId> revokes one of them
import 'reflect-metadata';
import type { INestApplicationContext } from '@nestjs/common';
import { ApiKeysService } from '../identity/api-keys.service.js';
import { PrincipalsService } from '../identity/principals.service.js';
import { createMarketplaceWorker } from '../bootstrap.js';
import { createRootLogger } from '../common/logger.js';
import { loadConfiguration, withSandboxDefaults } from '../config/configuration.js';
import { loadEnvFile } from '../config/env-file.js';
import { ConfigError } from '../config/validate-env.js';
import { openDatabaseServer } from '../database-server.js';

const USAGE = 'usage: npm run admin:key [-- create [label]] | npm run admin:key -- list | npm run admin:key -- revoke <keyId>';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

class UsageError extends Error {}

type Command = (ctx: INestApplicationContext, args: string[]) => Promise<void>;

const COMMANDS: Record<string, Command> = {
  async create(ctx, [label]) {
    const admin = await ctx.get(PrincipalsService).firstAdmin();
    const { apiKey, plaintext } = await ctx.get(ApiKeysService).issue(admin.id, label ?? 'admin:key');
    console.log(`Admin principal ${admin.id}\nAPI key ${apiKey.id} (shown once, store it now):\n\n  ${plaintext}\n\nUse it as: Authorization: Bearer ${plaintext}`);
  },

  async list(ctx) {
    const keys = await ctx.get(ApiKeysService).listForRole('admin');
    if (keys.length === 0) {
      console.log('no admin keys yet: `npm run admin:key` issues one');
      return;
    }
    // the prefix (the key's first characters, as GET /admin/principals/:id/api-keys shows it), never the key
    const rows = keys.map((k) => [k.id, k.principalId, `${k.prefix}...`, k.label ?? '', k.createdAt.toISOString(), k.revokedAt ? k.revokedAt.toISOString() : 'live']);
    const header = ['KEY ID', 'PRINCIPAL', 'PREFIX', 'LABEL', 'CREATED', 'REVOKED'];
    const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i]!.length)));
    for (const row of [header, ...rows])
      console.log(
        row
          .map((cell, i) => cell.padEnd(widths[i]!))
          .join('  ')
          .trimEnd(),
      );
    const live = keys.filter((k) => !k.revokedAt).length;
    console.log(`\n${keys.length} admin key${keys.length === 1 ? '' : 's'}, ${live} live (last use is not recorded)`);
  },

  async revoke(ctx, [keyId = '']) {
    const keys = ctx.get(ApiKeysService);
    const key = (await keys.listForRole('admin')).find((k) => k.id === keyId.toLowerCase());
    if (!key) throw new UsageError(`no admin API key ${keyId} (see \`npm run admin:key -- list\`)`);
    if (key.revokedAt) {
      console.log(`admin key ${key.id} (${key.prefix}...) was already revoked at ${key.revokedAt.toISOString()}`);
      return;
    }
    const revoked = await keys.revoke(key.id);
    console.log(`revoked admin key ${revoked.id} (${revoked.prefix}...${revoked.label ? `, ${revoked.label}` : ''}) at ${revoked.revokedAt?.toISOString()}`);
  },
};

async function main(): Promise<void> {
  loadEnvFile(process.env); // the same .env as `npm start`, so DATA_DIR/DATABASE_URL find its database
  const [name = 'create', ...args] = process.argv.slice(2);
  const command = COMMANDS[name];
  if (!command) throw new UsageError(`unknown command "${name}"\n${USAGE}`);
  // refused before opening the database
  if (name === 'revoke' && !UUID.test(args[0] ?? '')) throw new UsageError(`revoke needs a key id from \`npm run admin:key -- list\`, got "${args[0] ?? ''}"\n${USAGE}`);
  // ROLE=api: no background loops in this short-lived process
  const configuration = loadConfiguration({ ...withSandboxDefaults(process.env).env, ROLE: 'api', LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn' });
  const logger = createRootLogger(configuration.app.LOG_LEVEL);
  const database = await openDatabaseServer(configuration.app);
  const ctx = await createMarketplaceWorker({ configuration, databaseUrl: database.url, logger });
  try {
    await command(ctx, args);
  } finally {
    await ctx.close();
    await database.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof ConfigError || error instanceof UsageError ? error.message : `admin:key failed: ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
});
