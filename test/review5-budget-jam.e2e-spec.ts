// review5: the shared schedule must never jam. A next_slot far in the future (the database's clock
// stepped back, a bug, a huge backlog) made every instance sleep until it: no Stripe call for an hour.
// The schedule holds at most a bounded backlog: beyond it a slot is refused (nothing reserved), and a
// next_slot farther out than any grant could have put it is reset to now.
import { PgSlotStore } from '@app/database';
import { ScheduledRequestBudget, slotIntervalMs } from '@app/stripe';
import { sqlClient, type SqlClient } from './support/sql.js';
import { createTestDatabase } from './support/test-database.js';

describe('review5: the Stripe request budget schedule never jams', () => {
  let databaseUrl: string;
  let sql: SqlClient;
  let store: PgSlotStore;
  beforeAll(async () => {
    databaseUrl = await createTestDatabase();
    sql = sqlClient(databaseUrl);
    store = new PgSlotStore(databaseUrl, { applicationName: 'review5-budget-jam' });
  });
  afterAll(async () => {
    await store.close();
    await sql.end();
  });

  it('a next_slot an hour ahead (the database clock stepped back) does not stall every caller for an hour', async () => {
    const budget = new ScheduledRequestBudget(store, { name: 'jam', ratePerSecond: 20, slackMs: 40 });
    await budget.take();
    await sql.query(`UPDATE stripe_request_budgets SET next_slot = clock_timestamp() + interval '1 hour' WHERE name = 'jam'`);
    const started = performance.now();
    await budget.take();
    expect(performance.now() - started).toBeLessThan(5_000);
    const { ahead } = await sql.one<{ ahead: number }>(`SELECT extract(epoch FROM next_slot - clock_timestamp())::float8 AS ahead FROM stripe_request_budgets WHERE name = 'jam'`);
    expect(ahead).toBeLessThan(5);
  }, 20_000);

  it('a backlog is bounded: slots beyond it are refused and reserve nothing', async () => {
    const lane = { name: 'backlog', intervalMs: slotIntervalMs(20, 40) };
    const answers = [];
    for (let i = 0; i < 1_000; i++) answers.push(await store.reserve(lane));
    const granted = answers.filter((a) => a.granted).length;
    // 1,000 slots 52 ms apart would be 52 s of backlog: at most the bound's worth is granted
    expect(granted).toBeLessThan(1_000);
    expect(answers.at(-1)).toEqual({ granted: false, retryInMs: expect.any(Number) });
    const { ahead } = await sql.one<{ ahead: number }>(`SELECT extract(epoch FROM next_slot - clock_timestamp())::float8 AS ahead FROM stripe_request_budgets WHERE name = 'backlog'`);
    expect(ahead).toBeLessThanOrEqual(31);
  }, 60_000);
});
