// Webhook ingest: signed deliveries verified, stored in the inbox and acknowledged, measured with
// autocannon against the compiled service (ROLE=api, a separate process), side by side, in the same
// run on the same PostgreSQL, with its anchors: raw single-row PostgreSQL inserts of the same payload;
// a bare `node:http` handler (its own process) that checks the signature and makes one INSERT per
// delivery; and the same bare handler with no database at all (the ceiling of HTTP and the
// signature check on this machine). Each server at its maximum rate, then at half of it for latency.
//
//   npm run build && node dist/bench/webhook-ingest.bench.js [seconds=10] [connections=32]
//   (BENCH_POOL_SIZE: the service's and the bare handler's connections, default 10)
import { freePort } from '@app/database';
import autocannon from 'autocannon';
import { spawn, type ChildProcess } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import Stripe from 'stripe';
import { runMigrations } from '../migrations/run-migrations.js';
import { startBenchPostgres } from './support/bench-postgres.js';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 32);
// the service's DATABASE_POOL_SIZE and the bare handler's pool: the same number of connections
const poolSize = process.env.BENCH_POOL_SIZE ?? '10';
const SECRET = 'whsec_bench_platform';
const here = path.dirname(fileURLToPath(import.meta.url));
const signer = new Stripe('sk_test_bench');

function eventBody(id: string): string {
  return JSON.stringify({
    id,
    object: 'event',
    type: 'charge.succeeded',
    api_version: '2026-01-01',
    created: Math.floor(Date.now() / 1000),
    livemode: false,
    pending_webhooks: 1,
    request: { id: null, idempotency_key: null },
    data: { object: { id: `ch_${id}`, object: 'charge', amount: 2000, currency: 'usd', status: 'succeeded', metadata: { order_id: 'o'.repeat(36) } } },
  });
}

async function rawInserts(url: string): Promise<number> {
  const pool = new pg.Pool({ connectionString: url, max: connections });
  await pool.query('CREATE TABLE IF NOT EXISTS bench_raw (id text PRIMARY KEY, payload jsonb NOT NULL, received_at timestamptz NOT NULL DEFAULT now())');
  let n = 0;
  const until = Date.now() + seconds * 1000;
  await Promise.all(
    Array.from({ length: connections }, async (_, c) => {
      for (let i = 0; Date.now() < until; i++) {
        const id = `raw_${c}_${i}`;
        await pool.query('INSERT INTO bench_raw (id, payload) VALUES ($1, $2)', [id, eventBody(id)]);
        n++;
      }
    }),
  );
  await pool.end();
  return n / seconds;
}

function run(opts: autocannon.Options): Promise<autocannon.Result> {
  return new Promise((resolve, reject) => autocannon(opts, (err, result) => (err ? reject(err) : resolve(result))));
}

// Signed before the run so the load generator's own HMACs do not compete for the 2 cores.
function presign(label: string, count: number): Array<{ body: string; signature: string }> {
  const timestamp = Math.floor(Date.now() / 1000) + 60; // stays within the 300 s tolerance for the run
  return Array.from({ length: count }, (_, i) => {
    const body = eventBody(`evt_${label}_${process.pid}_${i}`);
    return { body, signature: signer.webhooks.generateTestHeaderString({ payload: body, secret: SECRET, timestamp }) };
  });
}

function deliveries(url: string, label: string, overallRate?: number): Promise<autocannon.Result> {
  const signed = presign(label, 12_000 * seconds);
  let i = 0;
  return run({
    url,
    connections,
    duration: seconds,
    ...(overallRate ? { overallRate } : {}),
    requests: [
      {
        method: 'POST',
        path: '/webhooks/stripe',
        setupRequest: (req) => {
          const next = signed[i++ % signed.length]!;
          return { ...req, body: next.body, headers: { 'content-type': 'application/json', 'stripe-signature': next.signature } };
        },
      },
    ],
  });
}

async function waitReady(base: string, what: string): Promise<void> {
  for (let t = 0; ; t++) {
    try {
      if ((await fetch(`${base}/health/ready`)).ok) return;
    } catch {
      // starting
    }
    if (t > 300) throw new Error(`${what} did not start`);
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function stop(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  await new Promise((r) => child.on('exit', r));
}

interface Measured {
  perSecond: number;
  p50ms: number;
  p99ms: number;
  non2xx: number;
  errors: number;
  atHalfRate: { targetPerSecond: number; perSecond: number; p50ms: number; p99ms: number; non2xx: number };
}

/** One server: warm-up, its maximum rate, then half of that for latency. */
async function measure(base: string, label: string): Promise<Measured> {
  await deliveries(base, `${label}_warmup`);
  const max = await deliveries(base, `${label}_max`);
  const maxRate = max.requests.average;
  const half = await deliveries(base, `${label}_half`, Math.max(1, Math.floor(maxRate / 2)));
  return {
    perSecond: Math.round(maxRate),
    p50ms: max.latency.p50,
    p99ms: max.latency.p99,
    non2xx: max.non2xx,
    errors: max.errors,
    atHalfRate: { targetPerSecond: Math.floor(maxRate / 2), perSecond: Math.round(half.requests.average), p50ms: half.latency.p50, p99ms: half.latency.p99, non2xx: half.non2xx },
  };
}

const env = (extra: Record<string, string>) => ({ PATH: process.env.PATH ?? '', ...extra });

/** The bare anchor handler as its own process, with or without a database. */
async function bare(label: string, databaseUrl?: string): Promise<Measured> {
  const port = await freePort();
  const child = spawn(process.execPath, [path.join(here, 'support/bare-ingest.js')], {
    env: env({ PORT: String(port), STRIPE_WEBHOOK_SECRET: SECRET, ...(databaseUrl ? { DATABASE_URL: databaseUrl, POOL_SIZE: poolSize } : {}) }),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitReady(base, label);
    return await measure(base, label);
  } finally {
    await stop(child);
  }
}

const share = (a: number, b: number) => `${((100 * a) / b).toFixed(0)}%`;

async function main(): Promise<void> {
  const pgServer = await startBenchPostgres('bench_ingest');
  const { databaseUrl } = pgServer;
  await runMigrations(databaseUrl);

  const raw = await rawInserts(databaseUrl);
  console.error(`raw PostgreSQL single-row inserts: ${raw.toFixed(0)}/s (${connections} connections)`);
  const ceiling = await bare('ceiling');
  console.error(`bare handler, no database (ceiling): ${ceiling.perSecond}/s`);
  const bareInsert = await bare('bare', databaseUrl);
  console.error(`bare handler + one INSERT: ${bareInsert.perSecond}/s`);

  const port = await freePort();
  const nodeArgs = process.env.BENCH_APP_NODE_ARGS ? process.env.BENCH_APP_NODE_ARGS.split(' ') : [];
  const app = spawn(process.execPath, [...nodeArgs, path.join(here, '../apps/marketplace/src/main.js')], {
    env: env({
      PORT: String(port),
      HOST: '127.0.0.1',
      ROLE: 'api',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      DATABASE_URL: databaseUrl,
      DATABASE_POOL_SIZE: poolSize,
      STRIPE_API_BASE: 'http://127.0.0.1:9', // ingest makes no Stripe call
      STRIPE_WEBHOOK_SECRETS: SECRET,
      STRIPE_CONNECT_WEBHOOK_SECRETS: 'whsec_bench_connect',
    }),
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  try {
    const base = `http://127.0.0.1:${port}`;
    await waitReady(base, 'the service');
    const service = await measure(base, 'service');
    const rows = new pg.Client({ connectionString: databaseUrl });
    await rows.connect();
    const stored = (await rows.query(`SELECT count(*)::int AS n FROM webhook_events WHERE id LIKE 'evt_service_max_%'`)).rows[0].n as number;
    await rows.end();
    const report = {
      machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}`,
      loadAverage: os
        .loadavg()
        .map((l) => l.toFixed(1))
        .join(' '),
      seconds,
      connections,
      poolSize,
      rawInsertsPerSecond: Math.round(raw),
      ceiling,
      bareInsert,
      service: { ...service, storedRows: stored },
      shares: {
        serviceOfCeiling: share(service.perSecond, ceiling.perSecond),
        serviceOfBareInsert: share(service.perSecond, bareInsert.perSecond),
        ceilingOfBareInsert: share(ceiling.perSecond, bareInsert.perSecond),
        serviceOfRawInserts: share(service.perSecond, raw),
      },
      targets: {
        'service at least half the ceiling': service.perSecond * 2 >= ceiling.perSecond,
        'service p99 under 15 ms at half its maximum': service.atHalfRate.p99ms < 15,
      },
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    await stop(app);
    await pgServer.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
