// Review 6: a reversal of an order transfer made outside the marketplace (the Dashboard: no
// metadata of ours) moves money between the seller's balance and the platform's: it must be booked.
import { expectBooksMatchStripe } from './support/checkout.js';
import { drainTransferWorkers, stripeTransfersOf, testAppForFile, twoSellerShop } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000' });

it('a Dashboard reversal of 100 of A’s transfer: the books still match Stripe', async () => {
  const shop = await twoSellerShop(t);
  for (const s of [shop.a, shop.b]) await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
  const order = await shop.cart();
  await drainTransferWorkers(t);
  await expectBooksMatchStripe(t);
  const a = (await stripeTransfersOf(t, order.id)).find((x) => x.destination === shop.a.account)!;
  await t.stripe.transfers.createReversal(a.id, { amount: 100 });
  await t.sandbox.control.webhooksIdle();
  await expectBooksMatchStripe(t);
});
