// Review 7: a refund of a multi-seller order failed at Stripe, its return not made yet (the payments
// worker has not run since undoFailed committed: a crash, or its next round), and the order is
// refunded again. The new refund must be sized on the transfers as they are once the failed refund's
// lowerings are given back: a full refund lowers both unsent transfers to 0, no seller owes a debt,
// nothing is sent to anyone (never: the lowering raised back later and sent, and the same amount owed).
import { expectBooksMatchStripe, getOrder, ledgerEntries, sumLines, waitForOrder } from './support/checkout.js';
import { drainTransferWorkers, refundOrder, sellerDebtsOf, stripeTransfersOf, testAppForFile, twoSellerShop } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000' });

const refund = (orderId: string, body: object, key?: string) => refundOrder(t, orderId, body, key);

it('refund 1000 (lowerings 900 -> 675, 2700 -> 2025) fails, its return not made yet; a full refund then: both transfers at 0, no debt, nothing sent', async () => {
  const shop = await twoSellerShop(t);
  const order = await shop.cart();
  const first = await refund(order.id, { amount: '1000' }).expect(201);
  const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${first.body.stripeRefundId}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(200);
  await waitForOrder(t, order.id, (o) => o.refunds.find((r: { id: string }) => r.id === first.body.id)?.status === 'failed', 'refund failure recorded');
  await t.sandbox.control.webhooksIdle();
  // the return has not run: the transfers are still lowered
  expect((await getOrder(t, order.id)).transfers.map((x: { amount: string }) => x.amount).sort()).toEqual(['2025', '675']);

  await refund(order.id, { full: true }).expect(201);
  await drainTransferWorkers(t);
  const now = await getOrder(t, order.id);
  expect(now.transfers.filter((x: { kind: string }) => x.kind === 'order').map((x: { amount: string; status: string }) => [x.amount, x.status])).toEqual([
    ['0', 'canceled'],
    ['0', 'canceled'],
  ]);
  expect(now.transfers.filter((x: { kind: string }) => x.kind === 'refund_return')).toEqual([]);
  expect(now.refunds.find((r: { id: string }) => r.id === first.body.id).failureReturn).toMatchObject({ status: 'returned' });
  expect([...(await sellerDebtsOf(t, shop.a.id)), ...(await sellerDebtsOf(t, shop.b.id))]).toEqual([]);
  expect(await stripeTransfersOf(t, order.id)).toEqual([]);
  const entries = await ledgerEntries(t, order.id);
  expect(sumLines(entries, 'seller_debts')).toBe(0n);
  await expectBooksMatchStripe(t);
});
