// An admin's run of a past window reads, in its ledger pass, only the transactions made before its
// window's end. It must not move the `since` of the next run's ledger pass past lines posted before it
// started against newer transactions: those are judged again by the next run, not by nobody.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { described, discrepanciesOf, misbookCharge, reconcile } from './support/reconciliation.js';
import { fundsAvailable, testAppForFile } from './support/transfers.js';

const SKEW_S = 300;

describe('an admin run of a past window between two runs', () => {
  const t = testAppForFile({ PAYOUT_MODE: 'reviewed', RECONCILIATION_POLL_MS: '3600000' });

  it('leaves a line posted before it against a newer transaction to the next run, which finds it', async () => {
    const seller = await createActiveSeller(t, 'Booked again, past window between');
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), await createListing(t, seller, { unitAmount: 4_000 }));
    await fundsAvailable(t);
    t.sandbox.control.advance(SKEW_S + 1);
    const first = await reconcile(t);
    expect(described(await discrepanciesOf(t, first.id))).toEqual([]);
    // a wrong line booked later against the charge's transaction, which a run compared already
    const bad = await misbookCharge(t, order, 250n, 'past-window');

    // an admin looks at a window that ended before the charge was made
    const charged = await t.stripe.balanceTransactions.retrieve(bad.txn);
    const past = await reconcile(t, { from: new Date((charged.created - 7_200) * 1000).toISOString(), to: new Date((charged.created - 3_600) * 1000).toISOString() });
    expect(past.status).toBe('completed');

    t.sandbox.control.advance(SKEW_S + 1);
    const next = await reconcile(t, { from: new Date(new Date(first.windowTo).getTime() - SKEW_S * 1000).toISOString() });
    const about = (await discrepanciesOf(t, next.id)).filter((d) => d.stripe.balanceTransactionId === bad.txn);
    expect(about).toEqual([expect.objectContaining({ kind: 'amount_mismatch', ours: expect.objectContaining({ entryIds: expect.arrayContaining([bad.entryId]) }) })]);

    await t.http.post(`/admin/reconciliation/discrepancies/${about[0]!.id}/heal`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({}).expect(200);
    await expectBooksMatchStripe(t);
  });
});
