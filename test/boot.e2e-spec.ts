// The service as `npm start` runs it: a real process, real PostgreSQL, real signals.
import { ensureDatabase, freePort, withDatabase } from '@app/database';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ROOT, runNode, stopProcess, waitFor, waitForReady, type RunningProcess } from './support/process.js';
import { testServerUrl } from './support/test-database.js';

const MAIN = 'dist/apps/marketplace/src/main.js';
const running: RunningProcess[] = [];
const start = (env: Record<string, string>) => {
  const proc = runNode(MAIN, env);
  running.push(proc);
  return proc;
};

afterEach(async () => {
  for (const proc of running.splice(0)) await stopProcess(proc);
});

describe('booting the service', () => {
  it('refuses a malformed PORT, naming the variable, with a non-zero exit', async () => {
    const proc = start({ PORT: 'abc', DATABASE_URL: withDatabase(testServerUrl(), 'unused') });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toMatch(/PORT \(got "abc"\)/);
  });

  it('refuses a malformed ROLE and DATABASE_URL, naming both', async () => {
    const proc = start({ ROLE: 'everything', DATABASE_URL: 'mysql://x' });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('ROLE');
    expect(proc.output()).toContain('DATABASE_URL');
  });

  it('uses DATABASE_URL when set, runs its migrations there, and stops cleanly on SIGTERM', async () => {
    const name = `boot_ext_${process.pid}`;
    await ensureDatabase(testServerUrl(), name);
    const databaseUrl = withDatabase(testServerUrl(), name);
    const port = await freePort();
    const proc = start({ PORT: String(port), DATABASE_URL: databaseUrl, LOG_LEVEL: 'info', SANDBOX_PORT: String(await freePort()) });
    await waitForReady(`http://127.0.0.1:${port}`);

    const client = new pg.Client({ connectionString: databaseUrl });
    await client.connect();
    const applied = await client.query('SELECT name FROM migrations');
    await client.end();
    expect(applied.rows.map((r) => r.name)).toContain('Identity1764172800000');

    proc.child.kill('SIGTERM');
    expect(await proc.exited).toBe(0);
    expect(proc.output()).toContain('"msg":"stopped"');
  });

  it('the sandbox it started does not outlive it, even after a SIGKILL', async () => {
    const name = `boot_kill_${process.pid}`;
    await ensureDatabase(testServerUrl(), name);
    const port = await freePort();
    const sandboxPort = await freePort();
    const proc = start({ PORT: String(port), DATABASE_URL: withDatabase(testServerUrl(), name), SANDBOX_PORT: String(sandboxPort) });
    await waitForReady(`http://127.0.0.1:${port}`);
    expect((await fetch(`http://127.0.0.1:${sandboxPort}/_sandbox/clock`)).status).toBe(200);
    proc.child.kill('SIGKILL');
    await proc.exited;
    await waitFor(
      async () => {
        try {
          await fetch(`http://127.0.0.1:${sandboxPort}/_sandbox/clock`);
          return undefined;
        } catch {
          return true;
        }
      },
      10_000,
      'the orphaned sandbox to exit',
    );
  });

  it('without DATABASE_URL starts embedded PostgreSQL under DATA_DIR, and data survives a restart', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'marketplace-boot-'));
    fs.chmodSync(dataDir, 0o755);
    const port = await freePort();
    const env = { PORT: String(port), DATA_DIR: dataDir, LOG_LEVEL: 'info', SANDBOX_PORT: String(await freePort()) };
    try {
      const first = start(env);
      await waitForReady(`http://127.0.0.1:${port}`);
      expect(first.output()).toContain('npm run admin:key');
      // no STRIPE_SECRET_KEY: the Stripe sandbox runs beside it
      expect((await fetch(`http://127.0.0.1:${env.SANDBOX_PORT}/_sandbox/clock`)).status).toBe(200);

      // `npm run admin:key` while the service runs shares the running cluster
      const printed = execFileSync(process.execPath, [path.join(ROOT, 'dist/apps/marketplace/src/cli/admin-key.js')], {
        cwd: ROOT,
        env: { PATH: process.env.PATH ?? '', DATA_DIR: dataDir },
      }).toString();
      const key = /mkt_[A-Za-z0-9_-]{43}/.exec(printed)?.[0];
      expect(key).toBeDefined();
      const me = await fetch(`http://127.0.0.1:${port}/me`, { headers: { Authorization: `Bearer ${key}` } });
      expect(me.status).toBe(200);

      first.child.kill('SIGTERM');
      expect(await first.exited).toBe(0);
      expect(fs.existsSync(path.join(dataDir, 'postgres', 'postmaster.pid'))).toBe(false); // postgres stopped
      await expect(fetch(`http://127.0.0.1:${env.SANDBOX_PORT}/_sandbox/clock`)).rejects.toThrow(); // sandbox stopped

      const second = start(env);
      await waitForReady(`http://127.0.0.1:${port}`);
      const again = await fetch(`http://127.0.0.1:${port}/me`, { headers: { Authorization: `Bearer ${key}` } });
      expect(again.status).toBe(200);
      expect(((await again.json()) as { role: string }).role).toBe('admin');
      second.child.kill('SIGTERM');
      expect(await second.exited).toBe(0);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});
