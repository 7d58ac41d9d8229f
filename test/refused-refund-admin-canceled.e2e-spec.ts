// An admin canceled A's transfer (900: nothing moves, the share stays owed); a refund of 1000 then
// lowers the canceled row (900 -> 675) and Stripe refuses the refund. The row must show the amount it
// had when it was canceled (900), not the lowering of a refund that never happened.
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder, waitForOrder } from './support/checkout.js';
import { refundOrder, testAppForFile, twoSellerShop } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000' });

it("A's transfer canceled by an admin at 900; a refund of 1000 refused by Stripe: A's row is 900 again, still canceled", async () => {
  const shop = await twoSellerShop(t);
  const order = await shop.cart();
  const aRow = (await getOrder(t, order.id)).transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
  await t.http.post(`/admin/transfers/${aRow.id}/cancel`).set(bearer(t.adminKey)).expect(200);
  // 3500 of 4000 refunded at Stripe (its webhook not in yet): our refund of 1000 is refused
  t.sandbox.control.setWebhookFaults({ outage: true });
  await t.stripe.refunds.create({ charge: order.chargeId, amount: 3500 });
  await refundOrder(t, order.id, { amount: '1000' });
  const now = await getOrder(t, order.id);
  expect(now.refunds.map((r: { status: string }) => r.status)).toEqual(['failed']);
  expect(now.transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id)).toMatchObject({ amount: '900', status: 'canceled' });

  t.sandbox.control.setWebhookFaults({ outage: false });
  t.sandbox.control.releaseWebhooks();
  await t.sandbox.control.webhooksIdle();
  await waitForOrder(t, order.id, (o) => o.amountRefunded === '3500', 'the Dashboard refund settled');
  t.sandbox.control.advance(3 * 86_400);
  await t.sandbox.control.webhooksIdle();
  await expectBooksMatchStripe(t);
});
