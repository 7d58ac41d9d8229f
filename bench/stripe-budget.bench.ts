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
  for (const rate of [25, 100]) {
    await fetch(`${sandbox.url}/_sandbox/requests/stats`, { method: 'DELETE' });
    const results = await runDrainers(2, {
      DATABASE_URL: databaseUrl,
      STRIPE_API_BASE: sandbox.url,
      STRIPE_SECRET_KEY: KEY,
      STRIPE_REQUESTS_PER_SECOND: String(rate),
      // the global budget is what is measured: the transfers endpoint's own limit set to it
      STRIPE_TRANSFERS_PER_SECOND: String(rate),
      DRAIN_KIND: 'transfers',
      DRAIN_DESTINATION: destination,
      DRAIN_SECONDS: String(seconds),
      DRAIN_CONCURRENCY: String(workers),
    });
    const stats = await requestStats(sandbox.url, 'POST /v1/transfers', 600);
    const mean = steadyRate(stats);
    console.log(
      JSON.stringify({
        budget: rate,
        processes: results.length,
        workersPerProcess: workers,
        seconds,
        transfers: stats.total,
        perProcess: results.map((r) => r.transfers),
        errors: results.reduce((n, r) => n + r.errors, 0),
        missedSlots: results.reduce((n, r) => n + r.budget.missed, 0),
        meanPerSecond: Number(mean.toFixed(2)),
        shareOfBudget: Number((mean / rate).toFixed(3)),
        maxPerSecond: stats.max_per_second,
        maxInAnySecond: stats.max_in_any_second,
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
