// Review 6: a reversal of an order transfer made outside the marketplace (the Dashboard: no
// metadata of ours) moves money between the seller's balance and the platform's: it must be booked.
import { TransferReversalSubmissionService } from '../apps/marketplace/src/transfers/transfer-reversal-submission.service.js';
import { TransferSubmissionService } from '../apps/marketplace/src/transfers/transfer-submission.service.js';
import { expectBooksMatchStripe } from './support/checkout.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { stripeTransfersOf, twoSellerShop } from './support/transfers.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '3600000' } });
});
afterAll(async () => {
  await t?.close();
});

async function drain(): Promise<void> {
  const transfers = t.app.get(TransferSubmissionService);
  const reversals = t.app.get(TransferReversalSubmissionService);
  for (let i = 0; i < 50; i++) if ((await transfers.runOnce()) + (await reversals.runOnce()) === 0) return;
  throw new Error('workers never drained');
}

it('a Dashboard reversal of 100 of A’s transfer: the books still match Stripe', async () => {
  const shop = await twoSellerShop(t);
  for (const s of [shop.a, shop.b]) await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
  const order = await shop.cart();
  await drain();
  await expectBooksMatchStripe(t);
  const a = (await stripeTransfersOf(t, order.id)).find((x) => x.destination === shop.a.account)!;
  await t.stripe.transfers.createReversal(a.id, { amount: 100 });
  await t.sandbox.control.webhooksIdle();
  await expectBooksMatchStripe(t);
});
