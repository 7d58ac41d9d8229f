// The reconciliation job reading Stripe with only a restricted, read-only key (STRIPE_RECONCILIATION_KEY):
// automatic payouts paid and their contents read from balance_transactions?payout=, a refund, zero discrepancies.
import { createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { described, discrepanciesOf, reconcile } from './support/reconciliation.js';
import { STRIPE_TEST_KEY, startTestApp, type TestApp } from './support/test-app.js';
import { refundOrder } from './support/transfers.js';

// what README "A read-only key for reconciliation" lists
const READ = { balance: 'read', payouts: 'read', transfers: 'read', charges: 'read', refunds: 'read', disputes: 'read', application_fees: 'read', events: 'read', accounts: 'read' };

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ envFor: (sandbox) => ({ STRIPE_RECONCILIATION_KEY: sandbox.control.createRestrictedKey({ secretKey: STRIPE_TEST_KEY, permissions: READ, connect: READ }).id }) });
});
afterAll(async () => {
  await t?.close();
});

describe('reconciliation with a restricted key', () => {
  it('automatic payouts paid (contents read from Stripe), a refund: a run reads everything with the read-only key and finds zero discrepancies', async () => {
    const seller = await createActiveSeller(t, 'Read only');
    const order = await paidOrder(t, await createPrincipal(t, 'buyer'), await createListing(t, seller, { unitAmount: 4_200 }));
    await refundOrder(t, order.id, { amount: '1200' }).expect(201);
    // Stripe's daily schedule (PAYOUT_MODE=automatic): funds available, paid out at a day's start, arrived a day later
    for (let day = 0; day < 5; day++) {
      t.sandbox.control.advance(86_400);
      await t.sandbox.control.webhooksIdle();
    }
    const payouts = (await t.stripe.payouts.list({}, { stripeAccount: seller.account })).data;
    expect(payouts[0]).toMatchObject({ automatic: true, status: 'paid', reconciliation_status: 'completed' });
    await expectBooksMatchStripe(t);

    const run = await reconcile(t);
    expect(run).toMatchObject({ status: 'completed', error: null });
    expect(described(await discrepanciesOf(t, run.id))).toEqual([]);
    expect(run.counts.matched).toBe(run.counts.stripeTransactions);
    expect(run.matched.map((m: { balance: string }) => m.balance)).toContain(seller.account);
  });
});
