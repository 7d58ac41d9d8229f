// The worker rechecks held payout requests every PAYOUT_HELD_RECHECK_MS, each recheck reading the
// seller's balance at Stripe. When Stripe (or the shared request budget) is slow, a recheck takes
// longer than the interval: the next tick must not start a second one beside it. Before the fix each
// tick started one more, they piled up, filled the budget with GET /v1/balance and exhausted the
// worker's database pool (seen in test/multi-instance.e2e-spec.ts under load).
import { createActiveSeller } from './factories/seller.factory.js';
import { insertReviewRequest } from './support/payout-review.js';
import { sqlClient } from './support/sql.js';
import { testAppForFile } from './support/transfers.js';

const t = testAppForFile({ PAYOUT_MODE: 'reviewed', PAYOUT_HELD_RECHECK_MS: '50' });

it('a held request is rechecked one recheck at a time while Stripe answers slowly: no pile-up of balance reads', async () => {
  const seller = await createActiveSeller(t, 'Held Ceramics');
  const sql = sqlClient(t.databaseUrl);
  try {
    await insertReviewRequest(sql, { seller, amount: 5_000, status: 'held' });
    // every balance read takes 800 ms: a recheck lasts 16 ticks of 50 ms
    t.sandbox.control.addFault({ method: 'GET', path: '/v1/balance', kind: 'latency', latencyMs: 800, count: 1_000 });
    t.sandbox.control.resetRequestStats();
    await new Promise((r) => setTimeout(r, 2_500));
    const reads = t.sandbox.control.requestStats({ key: 'GET /v1/balance', windowSeconds: 10 }).total;
    // one recheck after another: about 2.5 s / 0.8 s of them (a tick every 50 ms that each started one would have made ~50)
    expect(reads).toBeGreaterThanOrEqual(2);
    expect(reads).toBeLessThanOrEqual(6);
  } finally {
    t.sandbox.control.clearFaults();
    await sql.end();
  }
});
