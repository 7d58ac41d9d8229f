// A scheduled run reads only the connected accounts with activity since the previous run; the others
// are swept at least every RECONCILIATION_SWEEP_S, from where they were last read, so money Stripe
// moved on an idle account without telling us (its webhooks lost) is still found.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { described, discrepanciesOf, scheduledRuns } from './support/reconciliation.js';
import { fundsAvailable, testAppForFile } from './support/transfers.js';

const SWEEP_S = 10 * 86_400;

describe('which accounts a scheduled run reads', () => {
  // manual payout schedules: nothing happens to an account unless the test makes it happen
  const t = testAppForFile({ PAYOUT_MODE: 'reviewed', RECONCILIATION_POLL_MS: '3600000', RECONCILIATION_SWEEP_S: String(SWEEP_S) });
  afterEach(() => t.sandbox.control.setWebhookFaults({ outage: false }));
  const scheduledRun = scheduledRuns(t, new Date(Date.UTC(2026, 5, 1)));

  it('reads the accounts with activity, sweeps the idle ones from where they were last read, and finds what an idle one missed', async () => {
    const buyer = await createPrincipal(t, 'buyer');
    const busy = await createActiveSeller(t, 'Busy');
    const idle = await createActiveSeller(t, 'Idle');
    await paidOrder(t, buyer, await createListing(t, busy, { unitAmount: 3_000 }));
    await paidOrder(t, buyer, await createListing(t, idle, { unitAmount: 3_000 }));
    await fundsAvailable(t);
    t.sandbox.control.advance(301);

    const first = await scheduledRun(); // no run read them yet: both
    expect(first.balances).toEqual(expect.arrayContaining(['platform', busy.account, idle.account]));
    expect(described(await discrepanciesOf(t, first.id))).toEqual([]);

    await paidOrder(t, buyer, await createListing(t, busy, { unitAmount: 2_000 }));
    t.sandbox.control.advance(301);
    await t.sandbox.control.webhooksIdle();
    const second = await scheduledRun();
    expect(second.balances).toContain(busy.account);
    expect(second.balances).not.toContain(idle.account);
    expect(described(await discrepanciesOf(t, second.id))).toEqual([]);

    // money leaves the idle account at Stripe and no webhook says so
    t.sandbox.control.setWebhookFaults({ outage: true });
    const payout = await t.stripe.payouts.create({ amount: 1_000, currency: 'usd' }, { stripeAccount: idle.account });
    t.sandbox.control.advance(700); // more than a skew: the next window (a skew before this one's end) starts after the payout
    const third = await scheduledRun();
    expect(third.balances).not.toContain(idle.account);

    // the sweep reads it, from where the first run left it: the payout made before this run's window is in it
    t.sandbox.control.advance(SWEEP_S);
    const swept = await scheduledRun();
    expect(swept.balances).toContain(idle.account);
    expect(new Date(swept.balanceFrom[idle.account]!).getTime()).toBe(new Date(first.windowTo).getTime() - 300_000);
    expect(payout.created * 1000).toBeLessThan(new Date(swept.windowFrom).getTime());
    const found = (await discrepanciesOf(t, swept.id)).filter((d) => d.balance === idle.account);
    expect(found.map((d) => d.kind).sort()).toEqual(['balance_mismatch', 'missing_in_ledger']);
    const missing = found.find((d) => d.kind === 'missing_in_ledger')!;
    expect(missing).toMatchObject({ stripe: { objectId: payout.id, amount: '-1000' } });

    // healed (the payout's events backfilled), the books equal Stripe's and the next run clears it
    await t.http.post(`/admin/reconciliation/discrepancies/${missing.id}/heal`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({}).expect(200);
    t.sandbox.control.setWebhookFaults({ outage: false });
    await expectBooksMatchStripe(t);
    const next = await scheduledRun();
    expect(next.balances).toContain(idle.account); // it had activity (the backfilled events)
    for (const d of found)
      expect((await t.http.get(`/admin/reconciliation/discrepancies/${d.id}`).set(bearer(t.adminKey)).expect(200)).body).toMatchObject({ status: 'cleared', clearedInRunId: next.id });
  });
});
