// Review 6: a refund of a multi-seller order that Stripe refuses outright (a definitive refusal of
// the create call) must give the lowerings planned with it back to the sellers' unsent transfers.
import { expectBooksMatchStripe, getOrder, waitForOrder } from './support/checkout.js';
import { drainTransferWorkers, refundOrder, stripeTransfersOf, testAppForFile, twoSellerShop } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000' });

const refund = (orderId: string, body: object, key?: string) => refundOrder(t, orderId, body, key);

it('3500 of 4000 refunded at Stripe (its webhook not in yet); our refund of 1000 is refused: the transfers are 900 and 2700 again, and after the 3500 the sellers get 450 in all', async () => {
  const shop = await twoSellerShop(t);
  const order = await shop.cart();
  t.sandbox.control.setWebhookFaults({ outage: true });
  await t.stripe.refunds.create({ charge: order.chargeId, amount: 3500 });
  await refund(order.id, { amount: '1000' });
  const now = await getOrder(t, order.id);
  expect(now.refunds.map((r: { status: string }) => r.status)).toEqual(['failed']);
  expect(now.transfers.map((x: { amount: string }) => x.amount).sort()).toEqual(['2700', '900']);
  expect(now.transferReversals.map((r: { status: string }) => r.status)).toEqual(['canceled', 'canceled']);

  t.sandbox.control.setWebhookFaults({ outage: false });
  t.sandbox.control.releaseWebhooks();
  await t.sandbox.control.webhooksIdle();
  await waitForOrder(t, order.id, (o) => o.amountRefunded === '3500', 'the Dashboard refund settled');
  await drainTransferWorkers(t);
  const atStripe = await stripeTransfersOf(t, order.id);
  expect(atStripe.reduce((s, x) => s + x.amount, 0)).toBe(450);
  await expectBooksMatchStripe(t);
});
