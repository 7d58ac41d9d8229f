// Webhook ingest: signed deliveries verified, stored in the inbox and acknowledged, measured with
// autocannon against the compiled service (ROLE=api, a separate process), side by side with raw
// single-row PostgreSQL inserts of the same payload measured in the same run on the same server.
//
//   npm run build && node dist/bench/webhook-ingest.bench.js [seconds=10] [connections=32]
import { freePort } from '@app/database';
import autocannon from 'autocannon';
import { spawn } from 'node:child_process';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import pg from 'pg';
import Stripe from 'stripe';
import { runMigrations } from '../migrations/run-migrations.js';
import { startBenchPostgres } from './support/bench-postgres.js';

const seconds = Number(process.argv[2] ?? 10);
const connections = Number(process.argv[3] ?? 32);
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

async function main(): Promise<void> {
  const pgServer = await startBenchPostgres('bench_ingest');
  const { databaseUrl } = pgServer;
  await runMigrations(databaseUrl);

  const raw = await rawInserts(databaseUrl);
  console.log(`raw PostgreSQL single-row inserts: ${raw.toFixed(0)}/s (${connections} connections)`);

  const port = await freePort();
  const nodeArgs = process.env.BENCH_APP_NODE_ARGS ? process.env.BENCH_APP_NODE_ARGS.split(' ') : [];
  const app = spawn(process.execPath, [...nodeArgs, path.join(here, '../apps/marketplace/src/main.js')], {
    env: {
      PATH: process.env.PATH ?? '',
      PORT: String(port),
      HOST: '127.0.0.1',
      ROLE: 'api',
      LOG_LEVEL: process.env.BENCH_LOG_LEVEL ?? 'info',
      DATABASE_URL: databaseUrl,
      STRIPE_API_BASE: 'http://127.0.0.1:9', // ingest makes no Stripe call
      STRIPE_WEBHOOK_SECRETS: SECRET,
      STRIPE_CONNECT_WEBHOOK_SECRETS: 'whsec_bench_connect',
    },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  const base = `http://127.0.0.1:${port}`;
  for (let t = 0; ; t++) {
    try {
      if ((await fetch(`${base}/health/ready`)).ok) break;
    } catch {
      // starting
    }
    if (t > 300) throw new Error('service did not start');
    await new Promise((r) => setTimeout(r, 100));
  }
  try {
    await deliveries(base, 'warmup');
    const max = await deliveries(base, 'max');
    const maxRate = max.requests.average;
    const half = await deliveries(base, 'half', Math.max(1, Math.floor(maxRate / 2)));
    const rows = await new pg.Client({ connectionString: databaseUrl });
    await rows.connect();
    const stored = (await rows.query(`SELECT count(*)::int AS n FROM webhook_events WHERE id LIKE 'evt_max_%'`)).rows[0].n as number;
    await rows.end();
    const report = {
      machine: `${os.cpus().length} x ${os.cpus()[0]?.model ?? '?'}, Node ${process.version}`,
      seconds,
      connections,
      rawInsertsPerSecond: Math.round(raw),
      ingest: {
        perSecond: Math.round(maxRate),
        p50ms: max.latency.p50,
        p99ms: max.latency.p99,
        non2xx: max.non2xx,
        errors: max.errors,
        storedRows: stored,
        ofRaw: `${((100 * maxRate) / raw).toFixed(0)}%`,
      },
      atHalfRate: { targetPerSecond: Math.floor(maxRate / 2), perSecond: Math.round(half.requests.average), p50ms: half.latency.p50, p99ms: half.latency.p99, non2xx: half.non2xx },
    };
    console.log(JSON.stringify(report, null, 2));
  } finally {
    app.kill('SIGTERM');
    await new Promise((r) => app.on('exit', r));
    await pgServer.stop();
  }
}

main().catch((e: unknown) => {
  console.error(e);
  process.exit(1);
});
