// npm run migration:run | migration:revert | migration:generate -- <Name> | (node dist/migrations/cli.js show)
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { loadAppConfig } from '../apps/marketplace/src/config/app.config.js';
import { loadEnvFile } from '../apps/marketplace/src/config/env-file.js';
import { openDatabaseServer } from '../apps/marketplace/src/database-server.js';
import { MigrationExecutor } from 'typeorm';
import { createDataSource, pendingSchemaChanges } from './data-source.js';

const [command, name] = process.argv.slice(2);
const sourceDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../migrations');

async function main(): Promise<void> {
  loadEnvFile(process.env); // the same .env as `npm start`
  const config = loadAppConfig();
  const server = await openDatabaseServer(config);
  const dataSource = createDataSource(server.url);
  await dataSource.initialize();
  try {
    switch (command) {
      case 'run': {
        const applied = await dataSource.runMigrations({ transaction: 'each' });
        console.log(applied.length ? applied.map((m) => `applied ${m.name}`).join('\n') : 'no pending migrations');
        break;
      }
      case 'revert': {
        // TypeORM's undoLastMigration returns nothing: tell which one went by the executed list before and after
        const executor = new MigrationExecutor(dataSource);
        const before = await executor.getExecutedMigrations();
        if (before.length === 0) {
          console.log('nothing to revert: no migration has been applied to this database');
          break;
        }
        await dataSource.undoLastMigration({ transaction: 'each' });
        const after = new Set((await executor.getExecutedMigrations()).map((m) => m.name));
        const reverted = before.filter((m) => !after.has(m.name));
        console.log(reverted.map((m) => `reverted ${m.name}`).join('\n') || 'nothing was reverted');
        break;
      }
      case 'show':
        console.log((await dataSource.showMigrations()) ? 'pending migrations exist' : 'all migrations applied');
        break;
      case 'generate':
        await generate(dataSource, name);
        break;
      default:
        throw new Error(`unknown command "${command ?? ''}": use run, revert, show or generate <Name>`);
    }
  } finally {
    await dataSource.destroy();
    await server.stop();
  }
}

// What TypeORM's own migration:generate does: diff entities against the database, write the SQL
// into a new migration for a person to read and edit before committing.
async function generate(dataSource: ReturnType<typeof createDataSource>, migrationName: string | undefined): Promise<void> {
  if (!migrationName || !/^[A-Z][A-Za-z0-9]*$/.test(migrationName)) throw new Error('usage: npm run migration:generate -- <PascalCaseName>');
  const sql = await pendingSchemaChanges(dataSource);
  if (sql.upQueries.length === 0) {
    console.log('entities and database agree: nothing to generate');
    return;
  }
  const timestamp = Date.now();
  const className = `${migrationName}${timestamp}`;
  const line = (q: { query: string; parameters?: unknown[] }) => `    await q.query(${JSON.stringify(q.query)}${q.parameters?.length ? `, ${JSON.stringify(q.parameters)}` : ''});`;
  const file = path.join(sourceDir, `${timestamp}-${migrationName}.ts`);
  fs.writeFileSync(
    file,
    `import type { MigrationInterface, QueryRunner } from 'typeorm';

export class ${className} implements MigrationInterface {
  name = '${className}';

  async up(q: QueryRunner): Promise<void> {
${sql.upQueries.map(line).join('\n')}
  }

  async down(q: QueryRunner): Promise<void> {
${sql.downQueries.reverse().map(line).join('\n')}
  }
}
`,
  );
  console.log(`wrote ${path.relative(process.cwd(), file)}: read it, then add ${className} to migrations/index.ts`);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
