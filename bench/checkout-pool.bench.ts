// Concurrent checkouts against a small connection pool: the compiled service as its own process
// (ROLE=all, the Stripe sandbox it launches itself, a durable embedded PostgreSQL or
// BENCH_DATABASE_URL), one active seller and one buyer set up over HTTP, then N `POST /checkout`
// with C in flight at once. Reports status counts (no 5xx expected) and latency, beside the
// sandbox's own time for the same Checkout Session call made directly with the stripe SDK. Then
// checkouts at fixed request rates (open loop: each sent at its time, whatever the others do), each
// rate's p50 and p99 beside the sandbox's own handling time of the Stripe requests the service made
// meanwhile (GET /_sandbox/requests/stats, handling_ms).
//
//   npm run build && node dist/bench/checkout-pool.bench.js [checkouts=200] [inFlight=50] [rates=20,50,100] [secondsPerRate=10]
//   (BENCH_POOL_SIZE, default 10; BENCH_POOL_TIMEOUT_MS, default 5000; BENCH_STRIPE_RPS, default 1000)
import { freePort } from '@app/database';
import { spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import Stripe from 'stripe';
import { startBenchPostgres } from './support/bench-postgres.js';

const total = Number(process.argv[2] ?? 200);
const inFlight = Number(process.argv[3] ?? 50);
const rates = (process.argv[4] ?? '20,50,100').split(',').filter(Boolean).map(Number);
const secondsPerRate = Number(process.argv[5] ?? 10);
const poolSize = process.env.BENCH_POOL_SIZE ?? '10';
const poolTimeoutMs = process.env.BENCH_POOL_TIMEOUT_MS ?? '5000';
const stripeRps = process.env.BENCH_STRIPE_RPS ?? '1000';
const here = path.dirname(fileURLToPath(import.meta.url));

/** Runs `count` calls with at most `concurrency` at once; returns each call's milliseconds and result. */
async function drive<T>(count: number, concurrency: number, call: (i: number) => Promise<T>): Promise<{ ms: number[]; results: T[]; seconds: number }> {
  const ms: number[] = [];
  const results: T[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(concurrency, count) }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        results[i] = await call(i);
        ms[i] = performance.now() - t0;
      }
    }),
  );
  return { ms, results, seconds: (performance.now() - started) / 1000 };
}

/** `rate` calls a second for `seconds`, each started at its own time (open loop); each call's milliseconds and result. */
async function atRate<T>(rate: number, seconds: number, call: (i: number) => Promise<T>): Promise<{ ms: number[]; results: T[]; seconds: number; lateStartsMs: number }> {
  const count = Math.round(rate * seconds);
  const ms: number[] = [];
  const results: T[] = [];
  const calls: Promise<void>[] = [];
  let lateStartsMs = 0;
  const started = performance.now();
  for (let i = 0; i < count; i++) {
    const due = started + (i * 1000) / rate;
    const wait = due - performance.now();
    if (wait > 0) await new Promise((r) => setTimeout(r, wait));
    lateStartsMs = Math.max(lateStartsMs, performance.now() - due);
    calls.push(
      (async () => {
        const t0 = performance.now();
        results[i] = await call(i);
        ms[i] = performance.now() - t0;
      })(),
    );
  }
  await Promise.all(calls);
  return { ms, results, seconds: (performance.now() - started) / 1000, lateStartsMs: Math.round(lateStartsMs) };
}

function percentiles(ms: number[]): { p50ms: number; p99ms: number; maxMs: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => Number(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]!.toFixed(1));
  return { p50ms: at(0.5), p99ms: at(0.99), maxMs: Number(sorted[sorted.length - 1]!.toFixed(1)) };
}

async function waitUntil(what: string, probe: () => Promise<boolean>, timeoutMs = 30_000): Promise<void> {
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

function runToEnd(script: string, env: NodeJS.ProcessEnv): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [script], { env, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    child.stdout.on('data', (d: Buffer) => (out += d.toString()));
    child.on('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`${script} exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const pg = await startBenchPostgres('bench_checkout');
  const { databaseUrl, dataDir } = pg;

  const port = await freePort();
  const sandboxPort = await freePort();
  const env: NodeJS.ProcessEnv = {
    PATH: process.env.PATH ?? '',
    PORT: String(port),
    HOST: '127.0.0.1',
    LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'warn',
    DATABASE_URL: databaseUrl,
    DATABASE_POOL_SIZE: poolSize,
    DATABASE_POOL_TIMEOUT_MS: poolTimeoutMs,
    DATA_DIR: dataDir, // the sandbox's state file
    SANDBOX_PORT: String(sandboxPort), // no STRIPE_* set: the service launches the sandbox itself
    STRIPE_REQUESTS_PER_SECOND: stripeRps,
    RATE_LIMITS: 'off', // one buyer's checkouts at full speed: the per-buyer limit would measure itself
  };
  const app: ChildProcess = spawn(process.execPath, [path.join(here, '../apps/marketplace/src/main.js')], { env, stdio: ['ignore', 'ignore', 'inherit'] });
  const base = `http://127.0.0.1:${port}`;
  try {
    await waitUntil('the service', async () => (await fetch(`${base}/health/ready`)).ok, 60_000);
    const adminKey = /mkt_\S+/.exec(await runToEnd(path.join(here, '../apps/marketplace/src/cli/admin-key.js'), env))![0];

    const api = async (method: string, url: string, key: string, body?: unknown, headers: Record<string, string> = {}) => {
      const res = await fetch(`${base}${url}`, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...headers },
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
      });
      // biome-ignore lint/suspicious/noExplicitAny: a JSON body the bench reads field by field
      return { status: res.status, body: (await res.json().catch(() => null)) as Record<string, any> };
    };
    const principal = async (role: string, name: string) => {
      const created = await api('POST', '/admin/principals', adminKey, { role, name });
      const key = await api('POST', `/admin/principals/${created.body.id}/api-keys`, adminKey, {});
      return { id: created.body.id as string, key: key.body.key as string };
    };

    // one active seller (hosted onboarding completed in the sandbox, account.updated worked) and a listing
    const seller = await principal('seller', 'Bench Ceramics');
    const account = await api('POST', '/sellers/me/connected-account', seller.key, { country: 'US' });
    const link = await api('POST', '/sellers/me/onboarding-link', seller.key);
    await fetch(link.body.url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ outcome: 'complete', account_number: '000123456789', routing_number: '110000000' }),
      redirect: 'manual',
    });
    await waitUntil('seller active', async () => (await api('GET', '/sellers/me', seller.key)).body.status === 'active');
    const listing = await api('POST', '/listings', seller.key, { title: 'Bench mug', unitAmount: 2500, currency: 'USD' });
    const buyer = await principal('buyer', 'Bench buyer');
    const cart = { items: [{ listingId: listing.body.id, quantity: 2 }], successUrl: 'https://shop.example/thanks', cancelUrl: 'https://shop.example/cart' };
    const checkout = () => api('POST', '/checkout', buyer.key, cart, { 'idempotency-key': randomUUID() });

    await drive(20, 10, checkout); // warm-up: JIT, pool connections opened
    const run = await drive(total, inFlight, checkout);
    const statuses: Record<string, number> = {};
    for (const r of run.results) statuses[r.status] = (statuses[r.status] ?? 0) + 1;
    const fiveXx = run.results.filter((r) => r.status >= 500).length;

    // the sandbox's own time for the same Checkout Session call, made directly (same concurrency, then one at a time)
    const stripe = new Stripe('sk_test_sandbox', { host: '127.0.0.1', port: sandboxPort, protocol: 'http', maxNetworkRetries: 0 });
    const session = (i: number) =>
      stripe.checkout.sessions.create(
        {
          mode: 'payment',
          success_url: cart.successUrl,
          cancel_url: cart.cancelUrl,
          metadata: { order_id: `bench-${i}` },
          line_items: [{ quantity: 2, price_data: { currency: 'usd', unit_amount: 2500, product_data: { name: 'Bench mug' } } }],
          payment_intent_data: { transfer_group: `bench-${i}`, transfer_data: { destination: account.body.stripeAccountId }, application_fee_amount: 500 },
        },
        { idempotencyKey: `bench:${randomUUID()}` },
      );
    await drive(20, 10, session);
    const direct = await drive(total, inFlight, session);
    const directSerial = await drive(Math.min(total, 100), 1, session);

    // fixed rates: the service's latency beside the sandbox's own time for what the service asked of it meanwhile
    const sandboxStats = `http://127.0.0.1:${sandboxPort}/_sandbox/requests/stats`;
    const atRates = [];
    for (const rate of rates) {
      await fetch(sandboxStats, { method: 'DELETE' });
      const measured = await atRate(rate, secondsPerRate, checkout);
      const stats = async (key: string) =>
        (await (await fetch(`${sandboxStats}?window=${Math.min(600, Math.ceil(measured.seconds) + 5)}&key=${encodeURIComponent(key)}`)).json()) as {
          total: number;
          handling_ms: { count: number; mean: number; p50: number; p99: number; max: number };
        };
      const [sessions, all] = [await stats('POST /v1/checkout/sessions'), await stats('total')];
      const rateStatuses: Record<string, number> = {};
      for (const r of measured.results) rateStatuses[r.status] = (rateStatuses[r.status] ?? 0) + 1;
      atRates.push({
        rate,
        checkouts: measured.results.length,
        achievedPerSecond: Number((measured.results.length / measured.seconds).toFixed(1)),
        statuses: rateStatuses,
        ...percentiles(measured.ms),
        lateStartsMs: measured.lateStartsMs,
        sandbox: {
          stripeRequestsPerCheckout: Number((all.total / measured.results.length).toFixed(2)),
          checkoutSessionCreate: sessions.handling_ms,
          allRequests: all.handling_ms,
        },
      });
      if (measured.results.some((r) => r.status >= 500)) process.exitCode = 1;
    }

    console.log(
      JSON.stringify(
        {
          machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}`,
          settings: { DATABASE_POOL_SIZE: poolSize, DATABASE_POOL_TIMEOUT_MS: poolTimeoutMs, STRIPE_REQUESTS_PER_SECOND: stripeRps },
          checkout: { requests: total, inFlight, statuses, fiveXx, perSecond: Math.round(total / run.seconds), ...percentiles(run.ms) },
          sandboxCheckoutSessionCreate: {
            [`inFlight${inFlight}`]: { requests: total, perSecond: Math.round(total / direct.seconds), ...percentiles(direct.ms) },
            oneAtATime: { requests: directSerial.ms.length, ...percentiles(directSerial.ms) },
          },
          atRates,
          loadAverage: os
            .loadavg()
            .map((l) => l.toFixed(1))
            .join(' '),
        },
        null,
        2,
      ),
    );
    if (fiveXx > 0) process.exitCode = 1;
  } finally {
    app.kill('SIGTERM');
    await new Promise((r) => app.on('exit', r));
    await pg.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
