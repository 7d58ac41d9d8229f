// An automatic payout whose payout.created is worked before the ledger booked its funds available
// (balance.available never sent, no availability sweep): its allocation still holds what Stripe paid out,
// and reconciliation compares its contents with GET /v1/balance_transactions?payout= and finds them equal.
// Found by reconciliation itself: before, the allocation missed the still-pending line.
import { DataSource } from 'typeorm';
import { LedgerService } from '../apps/marketplace/src/ledger/index.js';
import { createPrincipal } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder } from './support/checkout.js';
import { allocatedTotal } from './support/payout-execution.js';
import { waitFor } from './support/process.js';
import { described, discrepanciesOf, reconcile } from './support/reconciliation.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({
    env: { LEDGER_AVAILABILITY_SWEEP_MS: '0' },
    // every event but balance.available: the ledger learns of the funds' availability only from the payout
    platformEnabledEvents: [
      'checkout.session.completed',
      'payment_intent.succeeded',
      'payment_intent.payment_failed',
      'checkout.session.expired',
      'charge.refunded',
      'refund.updated',
      'charge.refund.updated',
    ],
    connectEnabledEvents: [
      'account.updated',
      'capability.updated',
      'account.application.deauthorized',
      'payout.created',
      'payout.updated',
      'payout.paid',
      'payout.failed',
      'payout.canceled',
      'payout.reconciliation_completed',
      'charge.refunded',
      'transfer.created',
      'transfer.updated',
      'transfer.reversed',
    ],
  });
});
afterAll(async () => {
  await t?.close();
});

describe("an automatic payout's contents", () => {
  it('are what the ledger allocated to it even when payout.created is worked before the funds were booked available', async () => {
    const seller = await createActiveSeller(t, 'Paid out early');
    await paidOrder(t, await createPrincipal(t, 'buyer'), await createListing(t, seller, { unitAmount: 5_000 }));
    for (let day = 0; day < 5; day++) {
      t.sandbox.control.advance(86_400);
      await t.sandbox.control.webhooksIdle();
    }
    const [payout] = (await t.stripe.payouts.list({}, { stripeAccount: seller.account })).data;
    expect(payout).toMatchObject({ automatic: true, status: 'paid', reconciliation_status: 'completed', amount: 4_500 });
    const booked = await waitFor(
      async () => {
        const a = await allocatedTotal(t, payout!.id);
        return a.rows > 0 ? a : undefined;
      },
      15_000,
      'the payout booked',
    );
    expect(booked).toMatchObject({ allocated: 4_500n, released: 0n });
    // the availability sweep's work, for the platform's own funds (no balance.available here)
    await t.app.get(DataSource).transaction((tx) => t.app.get(LedgerService).bookAvailable(tx));
    await expectBooksMatchStripe(t);
    const run = await reconcile(t);
    expect(described(await discrepanciesOf(t, run.id))).toEqual([]);
  });
});
