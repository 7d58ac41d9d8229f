import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { ensureDatabase, startEmbeddedPostgres, withDatabase } from '@app/database';

export interface BenchPostgres {
  /** `database` on the bench's server, created if missing. */
  databaseUrl: string;
  /** A scratch folder removed by stop() (the embedded cluster lives in it). */
  dataDir: string;
  stop(): Promise<void>;
}

/** A durable embedded PostgreSQL (fsync on) in a scratch folder, or BENCH_DATABASE_URL's server. */
export async function startBenchPostgres(database: string): Promise<BenchPostgres> {
  let serverUrl = process.env.BENCH_DATABASE_URL;
  let stopServer: () => Promise<void> = async () => undefined;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${database.replaceAll('_', '-')}-`));
  fs.chmodSync(dataDir, 0o755);
  if (!serverUrl) {
    const server = await startEmbeddedPostgres({ dataDir: path.join(dataDir, 'cluster') });
    serverUrl = server.url;
    stopServer = server.stop;
  }
  await ensureDatabase(serverUrl, database);
  return {
    databaseUrl: withDatabase(serverUrl, database),
    dataDir,
    stop: async () => {
      await stopServer();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
