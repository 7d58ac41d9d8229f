// Two real processes, each with its own gateway and pool, one PostgreSQL: the Stripe request budget
// is theirs together. Measured where Stripe would count it: at the sandbox, per second of arrival.
import { prepareTransfers, requestStats, runDrainers, steadyRate, type DrainerResult, type SandboxRequestStats } from '../bench/support/budget-drain.js';
import { startSandbox, type RunningSandbox } from '../apps/stripe-sandbox/src/index.js';
import { StripeGateway } from '@app/stripe';
import { sqlClient } from './support/sql.js';
import { startTestApp } from './support/test-app.js';
import { createTestDatabase } from './support/test-database.js';

const KEY = 'sk_test_request_budget_e2e';

// no second over `limit`, and at least `share` of it used (a floor that shows the budget is not starved,
// low enough for a loaded CI machine; the share really reached is bench/transfers-drain.bench.ts's number):
// a failure shows the seconds and what each process's budget did
function expectSecondsWithin(stats: SandboxRequestStats, limit: number, share: number, results: DrainerResult[]): void {
  const context = { limit, steady: steadyRate(stats), series: stats.series, budgets: results.map((r) => r.budget) };
  expect({ over: stats.series.filter((s) => s.count > limit), context }).toEqual({ over: [], context });
  expect({ underused: context.steady < share * limit, context }).toEqual({ underused: false, context });
}

describe('the Stripe request budget, shared by every process on one database', () => {
  let sandbox: RunningSandbox;
  let databaseUrl: string;
  beforeAll(async () => {
    sandbox = await startSandbox({ port: 0 });
    databaseUrl = await createTestDatabase();
  });
  afterAll(async () => {
    await sandbox.close();
  });
  // two processes on the test's database and sandbox, 8 requests in flight each, for 4 seconds
  const drainTwo = (env: Record<string, string>) =>
    runDrainers(2, { DATABASE_URL: databaseUrl, STRIPE_API_BASE: sandbox.url, STRIPE_SECRET_KEY: KEY, DRAIN_SECONDS: '4', DRAIN_CONCURRENCY: '8', ...env });

  it('two processes sending as fast as they can never put more than 20 requests into one second, and use at least 60% of it', async () => {
    await fetch(`${sandbox.url}/_sandbox/requests/stats`, { method: 'DELETE' });
    const results = await drainTwo({ STRIPE_REQUESTS_PER_SECOND: '20', DRAIN_KIND: 'balance' });
    const stats = await requestStats(sandbox.url);
    // per second of arrival, as Stripe counts it (the schedule's math, property-tested in
    // request-budget.spec.ts, holds for sliding windows too; on a loaded machine the receiver's own
    // stalls can bunch arrivals it timestamps, so the sliding count is not asserted here)
    expectSecondsWithin(stats, 20, 0.6, results);
    // each alone would have sent 20/s: together they share 20/s
    for (const r of results) {
      expect(r.errors).toBe(0);
      expect(r.balance).toBeGreaterThan(15);
    }
    expect(stats.total).toBe(results.reduce((n, r) => n + r.balance, 0));
  }, 30_000);

  it('transfers have a budget of their own (POST /v1/transfers), taken beside the global one', async () => {
    const destination = await prepareTransfers(sandbox.url, KEY);
    const results = await drainTwo({ STRIPE_REQUESTS_PER_SECOND: '40', STRIPE_TRANSFERS_PER_SECOND: '10', DRAIN_KIND: 'mixed', DRAIN_DESTINATION: destination });
    const transfers = await requestStats(sandbox.url, 'POST /v1/transfers');
    const all = await requestStats(sandbox.url);
    // the endpoint's rate is used; the transfers waiting for their lane did not hold the other requests back
    expectSecondsWithin(transfers, 10, 0.6, results);
    expectSecondsWithin(all, 40, 0.5, results);
    for (const r of results) {
      expect(r.errors).toBe(0);
      expect(r.transfers).toBeGreaterThan(5);
    }
    // every transfer the drainers made reached Stripe once, at the endpoint's rate
    expect(transfers.total).toBe(results.reduce((n, r) => n + r.transfers, 0));
  }, 30_000);

  it("the service's own wiring: two app instances on one database share STRIPE_REQUESTS_PER_SECOND", async () => {
    const appDatabase = await createTestDatabase();
    const env = { STRIPE_REQUESTS_PER_SECOND: '10' };
    const a = await startTestApp({ databaseUrl: appDatabase, sandbox, env });
    const b = await startTestApp({ databaseUrl: appDatabase, sandbox, env });
    const sql = sqlClient(appDatabase);
    try {
      await fetch(`${sandbox.url}/_sandbox/requests/stats`, { method: 'DELETE' });
      const started = performance.now();
      await Promise.all([a, b].flatMap((t) => Array.from({ length: 15 }, () => t.app.get(StripeGateway).retrieveBalance())));
      const seconds = (performance.now() - started) / 1000;
      const stats = await requestStats(sandbox.url, 'GET /v1/balance');
      expect(stats.total).toBe(30);
      expect(stats.series.filter((s) => s.count > 10)).toEqual([]);
      // 30 slots 104 ms apart: each instance alone would have been done in half the time
      expect(seconds).toBeGreaterThan(2.9);
      expect(await sql.query(`SELECT name, interval_ms FROM stripe_request_budgets`)).toEqual([{ name: 'stripe', interval_ms: 104 }]);
    } finally {
      await sql.end();
      await a.close();
      await b.close();
    }
  }, 30_000);
});
