// The platform's own payouts to its bank (its fees paid out, manual or on Stripe's schedule) leave its
// Stripe balance: booked from their balance transactions, a failed one put back, so the platform's
// books still equal Stripe's and a reconciliation run finds every payout transaction in the ledger.
import { DataSource } from 'typeorm';
import { createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { payoutEntriesOf } from './support/platform-payouts.js';
import { waitFor } from './support/process.js';
import { described, discrepanciesOf, reconcile } from './support/reconciliation.js';
import { fundsAvailable, testAppForFile } from './support/transfers.js';

describe("the platform's own payouts", () => {
  const t = testAppForFile();
  const sql = () => t.app.get(DataSource);
  const entriesOf = (po: string) => payoutEntriesOf(t, po);

  it('paid and failed: each booked once from its balance transactions, the books equal Stripe, a run finds nothing', async () => {
    const seller = await createActiveSeller(t, 'Sells for the platform');
    const buyer = await createPrincipal(t, 'buyer');
    for (let i = 0; i < 3; i++) await paidOrder(t, buyer, await createListing(t, seller, { unitAmount: 10_000 }));
    await fundsAvailable(t);
    const before = await t.stripe.balance.retrieve();
    const available = before.available.find((b) => b.currency === 'usd')!.amount;
    expect(available).toBeGreaterThan(600);

    const paid = await t.stripe.payouts.create({ amount: 400, currency: 'usd' });
    const failing = await t.stripe.payouts.create({ amount: 200, currency: 'usd' });
    const res = await fetch(`${t.sandbox.url}/_sandbox/payouts/${failing.id}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{"failure_code":"account_closed"}' });
    expect(res.status).toBe(200);
    t.sandbox.control.advance(5 * 86_400);
    await t.sandbox.control.webhooksIdle();

    // each payout's events are worked in their own time: wait for both
    await waitFor(async () => ((await entriesOf(failing.id)).length === 2 && (await entriesOf(paid.id)).length === 1 ? true : undefined), 20_000, 'payouts booked, the failed one returned');
    expect(await entriesOf(paid.id)).toEqual([{ kind: 'platform_payout', cash: '-400', payouts: '400' }]);
    expect(await entriesOf(failing.id)).toEqual([
      { kind: 'platform_payout', cash: '-200', payouts: '200' },
      { kind: 'platform_payout_returned', cash: '200', payouts: '-200' },
    ]);
    expect((await t.stripe.payouts.retrieve(paid.id)).status).toBe('paid');
    await expectBooksMatchStripe(t);

    const run = await reconcile(t);
    expect(described(await discrepanciesOf(t, run.id))).toEqual([]);
    const [{ n }]: Array<{ n: number }> = await sql().query(
      `SELECT count(*)::int AS n FROM reconciliation_items WHERE run_id = $1 AND balance = 'platform' AND type IN ('payout', 'payout_failure') AND outcome = 'matched'`,
      [run.id],
    );
    expect(n).toBe(3);
  });
});
