// The service as `npm start` runs it: a real process, real PostgreSQL, real signals.
import { ensureDatabase, freePort, withDatabase } from '@app/database';
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { ROOT, runNode, stopProcess, tempDataDir, waitFor, waitForOutput, waitForReady, type RunningProcess, type RunOptions } from './support/process.js';
import { testServerUrl } from './support/test-database.js';

const MAIN = 'dist/apps/marketplace/src/main.js';
const running: RunningProcess[] = [];
const dirs: string[] = [];
const scratch = () => {
  const dir = tempDataDir('boot');
  dirs.push(dir);
  return dir;
};
// Every start has its own DATA_DIR (the sandbox keeps its state there), never the checkout's .data/.
const start = (env: Record<string, string>, options?: RunOptions) => {
  const proc = runNode(MAIN, { DATA_DIR: scratch(), ...env }, options);
  running.push(proc);
  return proc;
};

afterEach(async () => {
  for (const proc of running.splice(0)) await stopProcess(proc);
  for (const dir of dirs.splice(0)) fs.rmSync(dir, { recursive: true, force: true });
});

describe('booting the service', () => {
  it('refuses a malformed PORT, naming the variable, with a non-zero exit', async () => {
    const proc = start({ PORT: 'abc', DATABASE_URL: withDatabase(testServerUrl(), 'unused') });
    expect(await proc.exited).toBe(1);
    // once, and what is wrong with it (not also "must not be less than 0")
    expect(proc.output().trim().split('\n')).toEqual(['Invalid configuration:', '  - PORT (got "abc"): must be an integer from 0 to 65535 (0 picks a free one)']);
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

    // a short boot log: no line per module or route at info, the banner last, once ready
    await waitForOutput(proc, /Admin API key/);
    const out = proc.output();
    expect(out).not.toMatch(/RouterExplorer|RoutesResolver|InstanceLoader|Mapped \{/);
    expect(out.split('\n').filter((line) => line.startsWith('{')).length).toBeLessThan(12);
    expect(out.indexOf(`Marketplace API   http://localhost:${port}`)).toBeGreaterThan(out.indexOf('"msg":"marketplace started"'));

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
  it('retries an unreachable DATABASE_URL for DATABASE_CONNECT_TIMEOUT_MS, then exits naming it, password hidden', async () => {
    const closed = await freePort();
    const began = Date.now();
    const proc = start({ DATABASE_URL: `postgres://app:hunter2@127.0.0.1:${closed}/marketplace`, DATABASE_CONNECT_TIMEOUT_MS: '1500', PORT: String(await freePort()) });
    expect(await proc.exited).toBe(1);
    expect(Date.now() - began).toBeGreaterThanOrEqual(1_400);
    const out = proc.output();
    expect(out).toContain('database not reachable yet; retrying');
    expect(out).toContain(`cannot connect to the database at DATABASE_URL=postgres://app:***@127.0.0.1:${closed}/marketplace`);
    expect(out).toContain('DATABASE_CONNECT_TIMEOUT_MS');
    expect(out).toContain('ECONNREFUSED');
    expect(out).not.toContain('hunter2');
    expect(out).not.toContain('Stripe sandbox running'); // nothing else was started
  });

  it('starts once a database that comes up late answers (compose: the api beside a database still initialising)', async () => {
    const name = `boot_late_${process.pid}`;
    await ensureDatabase(testServerUrl(), name);
    const target = new URL(testServerUrl());
    const late = await freePort();
    const port = await freePort();
    const proc = start({
      DATABASE_URL: withDatabase(`postgres://${target.username}:${target.password}@127.0.0.1:${late}/postgres`, name),
      DATABASE_CONNECT_TIMEOUT_MS: '20000',
      PORT: String(port),
      SANDBOX_PORT: String(await freePort()),
    });
    await waitForOutput(proc, /database not reachable yet; retrying/, 10_000);
    // the database "comes up": a proxy to the test server on the port the service keeps trying
    const proxy = net.createServer((socket) => {
      const upstream = net.connect(Number(target.port), target.hostname);
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => proxy.listen(late, '127.0.0.1', resolve));
    try {
      await waitForReady(`http://127.0.0.1:${port}`, 30_000);
      await stopProcess(proc);
      expect(await proc.exited).toBe(0);
    } finally {
      await new Promise((resolve) => proxy.close(resolve));
    }
  });

  it('refuses a real Stripe key without webhook secrets for the api, naming them, unless STRIPE_WEBHOOKS=off', async () => {
    const refused = start({ STRIPE_SECRET_KEY: 'sk_test_boot', ROLE: 'api', DATABASE_URL: withDatabase(testServerUrl(), 'unused') });
    expect(await refused.exited).toBe(1);
    expect(refused.output()).toContain('STRIPE_WEBHOOK_SECRETS (platform endpoint) and STRIPE_CONNECT_WEBHOOK_SECRETS (Connect endpoint) not set');
    expect(refused.output()).toContain('STRIPE_WEBHOOKS=off');

    const name = `boot_nohooks_${process.pid}`;
    await ensureDatabase(testServerUrl(), name);
    const port = await freePort();
    // an address that refuses connections: no Stripe call is needed to boot
    const off = start({
      STRIPE_SECRET_KEY: 'sk_test_boot',
      STRIPE_API_BASE: `http://127.0.0.1:${await freePort()}`,
      STRIPE_WEBHOOKS: 'off',
      ROLE: 'api',
      PORT: String(port),
      DATABASE_URL: withDatabase(testServerUrl(), name),
    });
    await waitForReady(`http://127.0.0.1:${port}`);
    expect(off.output()).toMatch(/"level":"warn".*"msg":"STRIPE_WEBHOOKS=off: deliveries to an endpoint without a signing secret are refused/);
  });

  it('reads .env from the working directory (ENV_FILE elsewhere), the real environment winning', async () => {
    const dir = scratch();
    fs.writeFileSync(path.join(dir, '.env'), '# local settings\nROLE=api\nLOG_LEVEL=loud\nMIGRATIONS_RUN=maybe\n');
    // MIGRATIONS_RUN from the environment wins over the file; LOG_LEVEL comes from the file
    const proc = start({ ENV_FILE: '', MIGRATIONS_RUN: 'true', DATABASE_URL: withDatabase(testServerUrl(), 'unused') }, { cwd: dir });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('LOG_LEVEL (got "loud")');
    expect(proc.output()).not.toContain('MIGRATIONS_RUN');

    const other = path.join(dir, 'other.env');
    fs.writeFileSync(other, 'PORT=abc\n');
    const named = start({ ENV_FILE: other, DATABASE_URL: withDatabase(testServerUrl(), 'unused') });
    expect(await named.exited).toBe(1);
    expect(named.output()).toContain('PORT (got "abc")');

    const none = start({ ENV_FILE: path.join(dir, 'missing.env'), PORT: 'abc', DATABASE_URL: withDatabase(testServerUrl(), 'unused') });
    expect(await none.exited).toBe(1); // a missing file is no error: the PORT from the environment is what fails
    expect(none.output()).not.toContain('ENV_FILE');
  });

  it('the worker role logs no port (it serves no HTTP)', async () => {
    const name = `boot_worker_${process.pid}`;
    await ensureDatabase(testServerUrl(), name);
    const proc = start({
      ROLE: 'worker',
      DATABASE_URL: withDatabase(testServerUrl(), name),
      STRIPE_API_BASE: `http://127.0.0.1:${await freePort()}`,
      WEBHOOK_BACKFILL_LOOKBACK_S: '0',
    });
    const [line] = await waitForOutput(proc, /^.*"msg":"marketplace started".*$/m, 30_000);
    expect(JSON.parse(line)).toEqual(expect.objectContaining({ role: 'worker' }));
    expect(JSON.parse(line)).not.toHaveProperty('port');
    expect(proc.output()).not.toContain('Marketplace API');
  });

  it('LOG_FORMAT=pretty writes one readable line per entry', async () => {
    const name = `boot_pretty_${process.pid}`;
    await ensureDatabase(testServerUrl(), name);
    const port = await freePort();
    const proc = start({ LOG_FORMAT: 'pretty', PORT: String(port), DATABASE_URL: withDatabase(testServerUrl(), name), SANDBOX_PORT: String(await freePort()) });
    await waitForOutput(proc, /Admin API key/);
    expect(proc.output()).toMatch(/^\d\d:\d\d:\d\d\.\d{3} INFO {2}marketplace started role=all port=\d+ url=http:\/\/localhost:\d+ bootMs=\d+$/m);
    expect(proc.output()).not.toMatch(/^\{"level"/m);
  });

  it('passes SANDBOX_HOST and SANDBOX_PUBLIC_URL to the sandbox it launches: hosted pages are linked at the public URL', async () => {
    const name = `boot_public_${process.pid}`;
    await ensureDatabase(testServerUrl(), name);
    const port = await freePort();
    const sandboxPort = await freePort();
    const publicUrl = `http://sandbox.example.test:${sandboxPort}`;
    const proc = start({ PORT: String(port), SANDBOX_PORT: String(sandboxPort), SANDBOX_HOST: '0.0.0.0', SANDBOX_PUBLIC_URL: publicUrl, DATABASE_URL: withDatabase(testServerUrl(), name) });
    await waitForReady(`http://127.0.0.1:${port}`);
    await waitForOutput(proc, /Admin API key/);
    expect(proc.output()).toContain(`sandbox at ${publicUrl}`);

    const stripe = async (pathname: string, form: Record<string, string>) => {
      const res = await fetch(`http://127.0.0.1:${sandboxPort}${pathname}`, {
        method: 'POST',
        headers: { Authorization: 'Bearer sk_test_sandbox', 'Content-Type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams(form),
      });
      expect(res.status).toBe(200);
      return (await res.json()) as { id: string; url: string };
    };
    const account = await stripe('/v1/accounts', { type: 'express', country: 'US' });
    const link = await stripe('/v1/account_links', { account: account.id, type: 'account_onboarding', refresh_url: 'http://x.test/r', return_url: 'http://x.test/s' });
    expect(link.url.startsWith(`${publicUrl}/_sandbox/onboarding/`)).toBe(true);
  });

  it('refuses a malformed SANDBOX_PUBLIC_URL, naming it', async () => {
    const proc = start({ SANDBOX_PUBLIC_URL: 'sandbox.example.test', DATABASE_URL: withDatabase(testServerUrl(), 'unused') });
    expect(await proc.exited).toBe(1);
    expect(proc.output()).toContain('SANDBOX_PUBLIC_URL (got "sandbox.example.test")');
  });
});
