import { ensureDatabase, withDatabase } from '@app/database';
import { randomBytes } from 'node:crypto';

export const TEMPLATE_DATABASE = 'marketplace_test_template';

export function testServerUrl(): string {
  const url = process.env.TEST_PG_SERVER_URL;
  if (!url) throw new Error('TEST_PG_SERVER_URL is not set: run tests through jest (test/support/global-setup.ts)');
  return url;
}

/** A fresh database, already migrated (cloned from the template), for one test file. */
export async function createTestDatabase(): Promise<string> {
  const name = `t_${process.pid}_${randomBytes(5).toString('hex')}`;
  await ensureDatabase(testServerUrl(), name, TEMPLATE_DATABASE);
  return withDatabase(testServerUrl(), name);
}
