// Review 6: a refund whose Stripe call did not finish (pending, its outcome unknown) has lowered the
// sellers' unsent transfers; the transfers worker must not send them lowered before Stripe made the
// refund: if Stripe then refuses it, the lowering could no longer be given back (the seller short).
import { DataSource } from 'typeorm';
import { RefundRecoveryService } from '../apps/marketplace/src/payments/refunds/refund-recovery.service.js';
import { expectBooksMatchStripe, getOrder, waitForOrder } from './support/checkout.js';
import { drainTransferWorkers, refundOrder, stripeTransfersOf, testAppForFile, twoSellerShop } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000' });

const refund = (orderId: string, body: object, key?: string) => refundOrder(t, orderId, body, key);

it('refund of 1000 pending (Stripe unreachable): the lowered transfers wait; Stripe then refuses it: the lowerings are given back (450 in all after the 3500 made at Stripe)', async () => {
  const shop = await twoSellerShop(t);
  const order = await shop.cart();
  t.sandbox.control.addFault({ method: 'POST', path: '/v1/refunds', kind: 'error_500', count: 20 });
  await refund(order.id, { amount: '1000' });
  t.sandbox.control.clearFaults();
  expect((await getOrder(t, order.id)).refunds.map((r: { status: string }) => r.status)).toEqual(['pending']);
  await drainTransferWorkers(t);
  // nothing may leave lowered while the refund's outcome is unknown
  expect(await stripeTransfersOf(t, order.id)).toEqual([]);

  // Stripe will refuse it: 3500 of the charge refunded at Stripe meanwhile (its webhook not in yet)
  t.sandbox.control.setWebhookFaults({ outage: true });
  await t.stripe.refunds.create({ charge: order.chargeId, amount: 3500 });
  await t.app.get(DataSource).query(`UPDATE refunds SET updated_at = now() - interval '1 hour' WHERE order_id = $1`, [order.id]);
  await t.app.get(RefundRecoveryService).runOnce();
  expect((await getOrder(t, order.id)).refunds.map((r: { status: string }) => r.status)).toEqual(['failed']);
  // the lowerings were given back: nothing was sent
  expect((await getOrder(t, order.id)).transfers.map((x: { amount: string; status: string }) => [x.amount, x.status]).sort()).toEqual([
    ['2700', 'pending'],
    ['900', 'pending'],
  ]);

  // the 3500 made at Stripe settles: the sellers bear 3150 of it, 450 is transferred in all
  t.sandbox.control.setWebhookFaults({ outage: false });
  t.sandbox.control.releaseWebhooks();
  await t.sandbox.control.webhooksIdle();
  await waitForOrder(t, order.id, (o) => o.amountRefunded === '3500', 'the Dashboard refund settled');
  await drainTransferWorkers(t);
  expect((await stripeTransfersOf(t, order.id)).reduce((s, x) => s + x.amount, 0)).toBe(450);
  await expectBooksMatchStripe(t);
});
