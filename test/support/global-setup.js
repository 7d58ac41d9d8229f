// One PostgreSQL server for the whole run (embedded, or TEST_DATABASE_URL's server), migrated once
// into a template database. Every test file clones the template into its own database, so parallel
// Jest workers never share one.
//
// Plain JS on purpose: Jest loads globalSetup through CommonJS require, outside moduleNameMapper,
// so it builds the project (SWC, about a second) and uses the same compiled code `npm start` runs.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';

export const TEMPLATE_DATABASE = 'marketplace_test_template';

export default async function globalSetup() {
  await import('../../tools/build.js');
  const { ensureDatabase, startEmbeddedPostgres, withDatabase } = await import('../../dist/libs/database/src/index.js');
  const { runMigrations } = await import('../../dist/migrations/run-migrations.js');

  let serverUrl = process.env.TEST_DATABASE_URL;
  if (!serverUrl) {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'marketplace-test-pg-'));
    fs.chmodSync(dataDir, 0o755);
    const server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'cluster'), durable: false });
    serverUrl = server.url;
    globalThis.__TEST_PG_STOP__ = async () => {
      await server.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    };
  }
  process.env.TEST_PG_SERVER_URL = serverUrl;

  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(`DROP DATABASE IF EXISTS ${TEMPLATE_DATABASE} WITH (FORCE)`);
  } finally {
    await client.end();
  }
  await ensureDatabase(serverUrl, TEMPLATE_DATABASE);
  await runMigrations(withDatabase(serverUrl, TEMPLATE_DATABASE));
}
