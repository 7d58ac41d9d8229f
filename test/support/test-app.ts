import type { NestExpressApplication } from '@nestjs/platform-express';
import request from 'supertest';
import type TestAgent from 'supertest/lib/agent.js';
import { createMarketplaceApp } from '../../apps/marketplace/src/bootstrap.js';
import { createRootLogger } from '../../apps/marketplace/src/common/logger.js';
import { loadAppConfig } from '../../apps/marketplace/src/config/app.config.js';
import { ApiKeysService } from '../../apps/marketplace/src/identity/api-keys.service.js';
import { PrincipalsService } from '../../apps/marketplace/src/identity/principals.service.js';
import { createTestDatabase } from './test-database.js';

export interface TestApp {
  app: NestExpressApplication;
  http: TestAgent;
  databaseUrl: string;
  adminKey: string;
  close(): Promise<void>;
}

/** The real app (same bootstrap as production) on its own migrated database. */
export async function startTestApp(env: Record<string, string> = {}): Promise<TestApp> {
  const databaseUrl = await createTestDatabase();
  const config = loadAppConfig({ PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'silent', MIGRATIONS_RUN: 'true', ...env, DATABASE_URL: databaseUrl });
  const app = await createMarketplaceApp({ config, databaseUrl, logger: createRootLogger(process.env.TEST_LOG_LEVEL ?? 'silent') });
  await app.listen(0, '127.0.0.1');
  const admin = await app.get(PrincipalsService).firstAdmin();
  const { plaintext: adminKey } = await app.get(ApiKeysService).issue(admin.id, 'test admin');
  return { app, http: request(app.getHttpServer()), databaseUrl, adminKey, close: () => app.close() };
}
