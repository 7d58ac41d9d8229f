// Review 7: a held two-seller order refunded in full (both held transfers lowered to 0, canceled),
// then Stripe fails the refund: the transfers come back at their full amounts and are still held
// (nothing sent before the release), and once released each seller is paid their share once.
import { randomUUID } from 'node:crypto';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder, ledgerEntries, sumLines, waitForOrder } from './support/checkout.js';
import { drainTransferWorkers, stripeTransfersOf, testAppForFile, twoSellerShop } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000', TRANSFERS_HOLD_DAYS: '10', TRANSFERS_HOLD_MAX_DAYS: '30' });

it('a held order refunded in full, the refund failed: both transfers back at 900 and 2700, still held; released: paid once each', async () => {
  const shop = await twoSellerShop(t);
  const order = await shop.cart();
  expect(order.holdDays).toBe(10);
  const made = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ full: true }).expect(201);
  expect((await getOrder(t, order.id)).transfers.map((x: { status: string }) => x.status)).toEqual(['canceled', 'canceled']);

  const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${made.body.stripeRefundId}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(200);
  await waitForOrder(t, order.id, (o) => o.refunds.find((r: { id: string }) => r.id === made.body.id)?.status === 'failed', 'refund failure recorded');
  await t.sandbox.control.webhooksIdle();
  await drainTransferWorkers(t);
  // the lowerings are given back in their own step after the failure is recorded: wait for it, not for a moment
  const now = await waitForOrder(t, order.id, (o) => o.transfers.every((x: { status: string }) => x.status === 'pending'), 'the lowerings given back');
  expect(now.transfers.map((x: { kind: string; amount: string; status: string }) => [x.kind, x.amount, x.status]).sort()).toEqual([
    ['order', '2700', 'pending'],
    ['order', '900', 'pending'],
  ]);
  expect(await stripeTransfersOf(t, order.id)).toEqual([]);

  await t.http.post(`/orders/${order.id}/release`).set(bearer(shop.buyer.key)).expect(200);
  await drainTransferWorkers(t);
  expect((await stripeTransfersOf(t, order.id)).map((x) => x.amount).sort((x, y) => x - y)).toEqual([900, 2700]);
  expect(sumLines(await ledgerEntries(t, order.id), 'refund_losses')).toBe(0n);
  await expectBooksMatchStripe(t);
});
