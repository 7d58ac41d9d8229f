// Transfers drained by the real transfers worker under the Stripe request budget. The service runs as
// its own process (ROLE=all, its transfers loop idle) against a durable PostgreSQL and an in-process
// sandbox that delivers its webhooks; two active sellers, one buyer, and two-seller orders paid on
// the hosted page (every row `pending`). The service is then stopped (nothing else talks to Stripe)
// and, for each budget, that run's rows are made due and two worker processes (compiled main.js,
// ROLE=worker, the same budget) drain them. The sandbox counts what it receives per second; the
// share of the budget used is the mean over the whole seconds of the drain, divided by the budget;
// each run's `verdict` says whether the binding budget was at least 95% used and never exceeded.
//
//   npm run build && node dist/bench/transfers-drain.bench.js [orders per run=150,300,300] [processes=2]
//   BENCH_DATABASE_URL: a PostgreSQL server instead of a durable embedded one.
import { freePort } from '@app/database';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import { ACCOUNT_THIN_EVENT_TYPES } from '../apps/marketplace/src/onboarding/seller-account-thin-events.handler.js';
import { startSandbox } from '../apps/stripe-sandbox/src/index.js';
import { runMigrations } from '../migrations/run-migrations.js';
import { startBenchPostgres } from './support/bench-postgres.js';
import { requestStats, steadyRate } from './support/budget-drain.js';

const here = path.dirname(fileURLToPath(import.meta.url));
const MAIN = path.join(here, '../apps/marketplace/src/main.js');
const KEY = 'sk_test_transfers_drain_bench';
const PLATFORM_SECRET = 'whsec_bench_platform';
const CONNECT_SECRET = 'whsec_bench_connect';
const EVENTS_SECRET = 'whsec_bench_event_destination';

// global budget, POST /v1/transfers' own; each transfer is a create and a read of its py_ payment
const RUNS = [
  { budget: 25, transfersBudget: 25 },
  { budget: 100, transfersBudget: 50 },
  { budget: 100, transfersBudget: 25 }, // Stripe's per-endpoint default left as is: it caps the transfers, not the global budget
];
const ordersPerRun = (process.argv[2] ?? '150,300,300').split(',').map(Number);
const processes = Number(process.argv[3] ?? 2);
const extraEnv = Object.fromEntries(
  Object.entries(process.env)
    .filter(([k]) => k.startsWith('BENCH_ENV_'))
    .map(([k, v]) => [k.slice('BENCH_ENV_'.length), v ?? '']),
);

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 60_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      if (await probe()) return;
    } catch {
      // not yet
    }
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

function start(env: NodeJS.ProcessEnv, out: 'ignore' | 'inherit' = 'ignore'): { child: ChildProcess; exited: Promise<unknown> } {
  const child = spawn(process.execPath, [MAIN], { env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '/root', ENV_FILE: 'off', ...env }, stdio: ['ignore', out, 'inherit'] });
  return { child, exited: new Promise((r) => child.on('exit', r)) };
}

async function stop(p: { child: ChildProcess; exited: Promise<unknown> }): Promise<void> {
  if (p.child.exitCode === null && p.child.signalCode === null) p.child.kill('SIGTERM');
  await p.exited;
}

async function main(): Promise<void> {
  const bench = await startBenchPostgres(`bench_transfers_${process.pid}`);
  const { databaseUrl } = bench;
  await runMigrations(databaseUrl);
  const db = new pg.Client({ connectionString: databaseUrl });
  await db.connect();
  const port = await freePort();
  const base = `http://127.0.0.1:${port}`;
  const sandbox = await startSandbox({
    port: 0,
    webhookEndpoints: [
      { url: `${base}/webhooks/stripe`, secret: PLATFORM_SECRET, connect: false },
      { url: `${base}/webhooks/stripe/connect`, secret: CONNECT_SECRET, connect: true },
    ],
    // the event destination of thin events: sellers are onboarded on Accounts v2 (the default)
    eventDestinations: [{ url: `${base}/webhooks/stripe/events`, secret: EVENTS_SECRET, enabledEvents: [...ACCOUNT_THIN_EVENT_TYPES] }],
    webhookRetry: { baseDelayMs: 50, maxAttempts: 2 },
  });
  const common = {
    DATABASE_URL: databaseUrl,
    MIGRATIONS_RUN: 'false',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    STRIPE_API_BASE: sandbox.url,
    STRIPE_SECRET_KEY: KEY,
    STRIPE_WEBHOOK_SECRETS: PLATFORM_SECRET,
    STRIPE_CONNECT_WEBHOOK_SECRETS: CONNECT_SECRET,
    STRIPE_EVENT_DESTINATION_SECRETS: EVENTS_SECRET,
    WEBHOOK_BACKFILL_LOOKBACK_S: '0',
    RATE_LIMITS: 'off', // many checkouts by one buyer: the per-buyer limit is not what is measured
  };
  const api = start({
    ...common,
    ROLE: 'all',
    PORT: String(port),
    HOST: '127.0.0.1',
    INSTANCE_NAME: 'bench-api',
    STRIPE_REQUESTS_PER_SECOND: '1000',
    STRIPE_TRANSFERS_PER_SECOND: '1000',
    TRANSFERS_WORKER_POLL_MS: '3600000',
    WEBHOOK_POLL_MS: '20',
  });
  try {
    await waitUntil('the service', async () => (await fetch(`${base}/health/ready`)).ok);
    const adminOut = await new Promise<string>((resolve, reject) => {
      const child = spawn(process.execPath, [path.join(here, '../apps/marketplace/src/cli/admin-key.js')], {
        env: { PATH: process.env.PATH ?? '', ENV_FILE: 'off', ...common },
        stdio: ['ignore', 'pipe', 'inherit'],
      });
      let out = '';
      child.stdout.on('data', (d: Buffer) => (out += d.toString()));
      child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`admin-key exited ${code}`))));
    });
    const adminKey = /mkt_\S+/.exec(adminOut)![0];
    const call = async (method: string, url: string, key: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      // biome-ignore lint/suspicious/noExplicitAny: a JSON body the bench reads field by field
      return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, any> };
    };
    const principal = async (role: string, name: string) => {
      const created = await call('POST', '/admin/principals', adminKey, { role, name });
      const key = await call('POST', `/admin/principals/${created.body.id}/api-keys`, adminKey, {});
      return { id: created.body.id as string, key: key.body.key as string };
    };
    const listings: string[] = [];
    for (const name of ['Bench A', 'Bench B']) {
      const seller = await principal('seller', name);
      await call('POST', '/sellers/me/connected-account', seller.key, { country: 'US' });
      const link = await call('POST', '/sellers/me/onboarding-link', seller.key);
      await fetch(link.body.url, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ outcome: 'complete', account_number: '000123456789', routing_number: '110000000' }),
        redirect: 'manual',
      });
      await waitUntil(`${name} active`, async () => (await call('GET', '/sellers/me', seller.key)).body.status === 'active');
      listings.push((await call('POST', '/listings', seller.key, { title: `${name} mug`, unitAmount: 2500, currency: 'USD' })).body.id);
    }
    const buyer = await principal('buyer', 'Bench buyer');
    const cart = { items: listings.map((listingId) => ({ listingId, quantity: 1 })), successUrl: 'https://shop.example/thanks', cancelUrl: 'https://shop.example/cart' };
    const payOne = async () => {
      const res = await call('POST', '/checkout', buyer.key, cart, { 'idempotency-key': randomUUID() });
      if (res.status !== 201) throw new Error(`checkout answered ${res.status}: ${JSON.stringify(res.body)}`);
      const paid = await fetch(res.body.checkoutUrl, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ card_number: '4242424242424242' }),
        redirect: 'manual',
      });
      if (paid.status !== 303) throw new Error(`hosted checkout answered ${paid.status}`);
    };
    const totalOrders = ordersPerRun.reduce((a, b) => a + b, 0);
    const setupStarted = Date.now();
    let next = 0;
    await Promise.all(
      Array.from({ length: 25 }, async () => {
        while (next < totalOrders) {
          next++;
          await payOne();
        }
      }),
    );
    const pendingRows = async () => Number((await db.query(`SELECT count(*) AS n FROM transfers WHERE kind = 'order' AND status = 'pending'`)).rows[0].n);
    await waitUntil('every order paid', async () => (await pendingRows()) === totalOrders * 2, 300_000);
    console.error(`${totalOrders} orders paid in ${((Date.now() - setupStarted) / 1000).toFixed(1)} s`);
    await stop(api);
    // nothing is due until its run
    await db.query(`UPDATE transfers SET next_attempt_at = 'infinity' WHERE kind = 'order'`);

    for (const [i, run] of RUNS.entries()) {
      const orders = ordersPerRun[i];
      if (!orders) continue;
      const { rows } = await db.query(`SELECT id FROM transfers WHERE kind = 'order' AND status = 'pending' ORDER BY created_at LIMIT $1`, [orders * 2]);
      const ids = rows.map((r: { id: string }) => r.id);
      await fetch(`${sandbox.url}/_sandbox/requests/stats`, { method: 'DELETE' });
      await db.query(`UPDATE transfers SET next_attempt_at = NULL WHERE id = ANY($1)`, [ids]);
      const started = Date.now();
      const workers = Array.from({ length: processes }, (_, w) =>
        start({
          ...common,
          ROLE: 'worker',
          INSTANCE_NAME: `bench-worker-${w + 1}`,
          STRIPE_REQUESTS_PER_SECOND: String(run.budget),
          STRIPE_TRANSFERS_PER_SECOND: String(run.transfersBudget),
          TRANSFERS_WORKER_POLL_MS: '50',
          WEBHOOK_POLL_MS: '50',
          ...extraEnv,
        }),
      );
      const succeeded = async () => Number((await db.query(`SELECT count(*) AS n FROM transfers WHERE id = ANY($1) AND status = 'succeeded'`, [ids])).rows[0].n);
      await waitUntil('the run drained', async () => (await succeeded()) === ids.length, 600_000);
      const seconds = (Date.now() - started) / 1000;
      for (const w of workers) await stop(w);
      const window = Math.min(600, Math.ceil(seconds) + 5);
      const measured = async (key: string, limit: number) => {
        const stats = await requestStats(sandbox.url, key, window);
        const mean = steadyRate(stats);
        return {
          perSecond: stats.series.map((p) => p.count).join(' '),
          requests: stats.total,
          meanPerSecond: Number(mean.toFixed(2)),
          shareOfLimit: Number((mean / limit).toFixed(3)),
          maxPerSecond: stats.max_per_second,
          maxInAnySecond: stats.max_in_any_second,
        };
      };
      const bySubmitter = (await db.query(`SELECT submitted_by, count(*)::int AS n FROM transfers WHERE id = ANY($1) GROUP BY 1 ORDER BY 1`, [ids])).rows;
      const all = await measured('total', run.budget);
      const transfers = await measured('POST /v1/transfers', run.transfersBudget);
      console.log(
        JSON.stringify({
          ...run,
          processes,
          transfers: ids.length,
          drainSeconds: Number(seconds.toFixed(1)),
          transfersPerSecond: Number((ids.length / seconds).toFixed(1)),
          bySubmitter: Object.fromEntries(bySubmitter.map((r: { submitted_by: string; n: number }) => [r.submitted_by, r.n])),
          all,
          postTransfers: transfers,
          requestsPerTransfer: Number((all.requests / ids.length).toFixed(2)),
          // the budget that binds is whichever is the more used (global, or POST /v1/transfers' own)
          verdict: {
            shareOfBindingBudget: Math.max(all.shareOfLimit, transfers.shareOfLimit),
            atLeast95Percent: Math.max(all.shareOfLimit, transfers.shareOfLimit) >= 0.95,
            neverOverInACalendarSecond: all.maxPerSecond <= run.budget && transfers.maxPerSecond <= run.transfersBudget,
            neverOverInAnySlidingSecond: all.maxInAnySecond <= run.budget && transfers.maxInAnySecond <= run.transfersBudget,
          },
          loadAverage: os.loadavg()[0]!.toFixed(1),
          extraEnv,
          cpus: os.cpus().length,
          cpu: os.cpus()[0]?.model,
          node: process.version,
        }),
      );
    }
  } finally {
    await stop(api);
    await db.end();
    await sandbox.close();
    await bench.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
