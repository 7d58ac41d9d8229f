// The Stripe request budget shared through PostgreSQL, drained by two processes at once: each sends
// POST /v1/transfers (1 cent to one connected account, a fresh idempotency key each) through the
// gateway as fast as the budget lets it. The sandbox counts what it receives per second; the share
// of the budget used is the mean over the whole seconds of the run, divided by the budget.
// Usage: npm run build && node dist/bench/stripe-budget.bench.js [seconds=10] [workers per process=16]
// BENCH_DATABASE_URL: a PostgreSQL server to use instead of a durable embedded one.
import os from 'node:os';
import { startSandbox } from '../apps/stripe-sandbox/src/index.js';
import { runMigrations } from '../migrations/run-migrations.js';
import { startBenchPostgres } from './support/bench-postgres.js';
import { prepareTransfers, requestStats, runDrainers, steadyRate } from './support/budget-drain.js';

const seconds = Number(process.argv[2] ?? 10);
const workers = Number(process.argv[3] ?? 16);
const KEY = 'sk_test_budget_bench';

const pg = await startBenchPostgres(`bench_budget_${process.pid}`);
const { databaseUrl } = pg;
await runMigrations(databaseUrl);
const sandbox = await startSandbox({ port: 0 });
try {
  const destination = await prepareTransfers(sandbox.url, KEY);
  // transfers only, the endpoint's own limit set to the budget (the global budget is what is
  // measured); then Stripe's live shape: 100/s global, 25/s for POST /v1/transfers, half the
  // workers sending transfers and half balance reads
  const runs = [
    { budget: 25, transfers: 25, kind: 'transfers' },
    { budget: 100, transfers: 100, kind: 'transfers' },
    { budget: 100, transfers: 25, kind: 'mixed' },
  ];
  for (const run of runs) {
    await fetch(`${sandbox.url}/_sandbox/requests/stats`, { method: 'DELETE' });
    const results = await runDrainers(2, {
      DATABASE_URL: databaseUrl,
      STRIPE_API_BASE: sandbox.url,
      STRIPE_SECRET_KEY: KEY,
      STRIPE_REQUESTS_PER_SECOND: String(run.budget),
      STRIPE_TRANSFERS_PER_SECOND: String(run.transfers),
      DRAIN_KIND: run.kind,
      DRAIN_DESTINATION: destination,
      DRAIN_SECONDS: String(seconds),
      DRAIN_CONCURRENCY: String(workers),
    });
    const measured = async (key: string, limit: number) => {
      const stats = await requestStats(sandbox.url, key, 600);
      const mean = steadyRate(stats);
      return {
        requests: stats.total,
        meanPerSecond: Number(mean.toFixed(2)),
        shareOfLimit: Number((mean / limit).toFixed(3)),
        maxPerSecond: stats.max_per_second,
        maxInAnySecond: stats.max_in_any_second,
      };
    };
    console.log(
      JSON.stringify({
        ...run,
        processes: results.length,
        workersPerProcess: workers,
        seconds,
        transfersPerProcess: results.map((r) => r.transfers),
        errors: results.reduce((n, r) => n + r.errors, 0),
        missedSlots: results.reduce((n, r) => n + r.budget.missed, 0),
        all: await measured('total', run.budget),
        postTransfers: await measured('POST /v1/transfers', run.transfers),
        cpus: os.cpus().length,
        cpu: os.cpus()[0]?.model,
        node: process.version,
      }),
    );
  }
} finally {
  await sandbox.close();
  await pg.stop();
}
