// Review 7: a multi-seller refund lowered a seller's transfer before it was sent, an admin then gave
// up on that transfer (canceled: nothing moves, the share stays owed), and Stripe failed the refund.
// Giving the lowering back must not send the seller money by a return transfer the admin stopped
// paying: the lowered part goes back onto the canceled row (still canceled) and stays owed in the ledger.
import { randomUUID } from 'node:crypto';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder, ledgerEntries, sumLines, waitForOrder } from './support/checkout.js';
import { drainTransferWorkers, stripeTransfersOf, testAppForFile, twoSellerShop } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000' });

it("A's transfer lowered 900 -> 675 by a refund, canceled by an admin, then the refund fails: nothing is sent to A, the row is back at 900 and still canceled, A's 900 stays owed", async () => {
  const shop = await twoSellerShop(t);
  const order = await shop.cart();
  const made = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: '1000' }).expect(201);
  const aRow = (await getOrder(t, order.id)).transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
  expect(aRow.amount).toBe('675');
  await t.http.post(`/admin/transfers/${aRow.id}/cancel`).set(bearer(t.adminKey)).expect(200);

  const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${made.body.stripeRefundId}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(200);
  await waitForOrder(t, order.id, (o) => o.refunds.find((r: { id: string }) => r.id === made.body.id)?.status === 'failed', 'refund failure recorded');
  await t.sandbox.control.webhooksIdle();
  await drainTransferWorkers(t);

  const atStripe = await stripeTransfersOf(t, order.id);
  expect(atStripe.filter((x) => x.destination === shop.a.account)).toEqual([]);
  const now = await getOrder(t, order.id);
  expect(now.transfers.filter((x: { sellerId: string }) => x.sellerId === shop.a.id).map((x: { kind: string; amount: string; status: string }) => [x.kind, x.amount, x.status])).toEqual([
    ['order', '900', 'canceled'],
  ]);
  const entries = await ledgerEntries(t, order.id);
  expect(sumLines(entries, 'refund_losses')).toBe(0n);
  expect(sumLines(entries, 'seller_payable_pending', shop.a.id)).toBe(-900n);
  await expectBooksMatchStripe(t);
});
