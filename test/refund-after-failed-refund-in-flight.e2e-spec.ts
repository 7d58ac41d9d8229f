// A refund of a two-seller order failed at Stripe while its reversal of A's transfer is still in
// flight (sent, its answer lost): its return waits for that reversal. B's transfer was never sent,
// so the failed refund lowered it (2700 -> 2025). A full refund made meanwhile must size B's part on
// what B is really owed (2700, the failed refund's lowering given back to the unsent row), not on the
// still-lowered row: B's transfer goes to 0 and B owes no debt.
import { StripeGateway } from '@app/stripe';
import { DataSource } from 'typeorm';
import { RefundFailureReturnService } from '../apps/marketplace/src/payments/refunds/refund-failure-return.service.js';
import { RefundSettlementService } from '../apps/marketplace/src/payments/refunds/refund-settlement.service.js';
import { TransferReversalSubmissionService } from '../apps/marketplace/src/transfers/transfer-reversal-submission.service.js';
import { expectBooksMatchStripe, getOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { drainTransferWorkers, fundsAvailable, manualPayoutShop, refundOrder, sellerDebtsOf, stripeTransfersOf, testAppForFile } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000' });

it("refund 1000 fails with A's reversal in flight; a full refund then: B's unsent transfer lowered from 2700 to 0, no debt for B", async () => {
  const shop = await manualPayoutShop(t);
  const order = await shop.cart();
  const db = t.app.get(DataSource);
  // B's transfer is not due yet (a retry delay): only A's is made
  await db.query(`UPDATE transfers SET next_attempt_at = now() + interval '1 day' WHERE order_id = $1 AND seller_id = $2`, [order.id, shop.b.id]);
  await drainTransferWorkers(t);
  await fundsAvailable(t);
  const aTransfer = (await getOrder(t, order.id)).transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
  expect(aTransfer.status).toBe('succeeded');

  t.sandbox.control.setWebhookFaults({ outage: true });
  t.sandbox.control.addFault({ method: 'POST', path: `/v1/transfers/${aTransfer.stripeTransferId}/reversals`, kind: 'lose_response', count: 20 });
  const first = await refundOrder(t, order.id, { amount: '1000' }).expect(201);
  await t.app.get(TransferReversalSubmissionService).runOnce();
  t.sandbox.control.clearFaults();
  const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${first.body.stripeRefundId}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(200);
  const snapshot = await t.app.get(StripeGateway).retrieveRefund(first.body.stripeRefundId);
  await db.transaction((tx) => t.app.get(RefundSettlementService).undoFailed(tx, first.body.id, snapshot));
  await t.app.get(RefundFailureReturnService).runOnce();
  const during = await getOrder(t, order.id);
  expect(during.refunds[0].failureReturn).toMatchObject({ status: 'pending' });
  expect(during.transfers.find((x: { sellerId: string }) => x.sellerId === shop.b.id)).toMatchObject({ amount: '2025', status: 'pending' });

  // the full refund while A's reversal is still in flight
  await refundOrder(t, order.id, { full: true }).expect(201);
  const now = await getOrder(t, order.id);
  expect(now.transfers.find((x: { sellerId: string; kind: string }) => x.kind === 'order' && x.sellerId === shop.b.id)).toMatchObject({ amount: '0', status: 'canceled' });
  const bPart = now.transferReversals.find((r: { sellerId: string; refundId: string }) => r.sellerId === shop.b.id && r.refundId !== first.body.id);
  expect(bPart).toMatchObject({ kind: 'lowering', amount: '2700', shortfall: '0' });

  t.sandbox.control.setWebhookFaults({ outage: false });
  t.sandbox.control.releaseWebhooks();
  await t.sandbox.control.webhooksIdle();
  await db.query(`UPDATE transfer_reversals SET next_attempt_at = now() WHERE order_id = $1`, [order.id]);
  await waitFor(
    async () => {
      await drainTransferWorkers(t);
      return (await getOrder(t, order.id)).refunds.find((r: { id: string }) => r.id === first.body.id).failureReturn.status === 'returned' ? true : undefined;
    },
    20_000,
    'the failed refund returned',
  );
  await fundsAvailable(t);
  expect(await sellerDebtsOf(t, shop.b.id)).toEqual([]);
  // B was never sent anything: its whole share went back with the full refund
  expect((await stripeTransfersOf(t, order.id)).filter((x) => x.destination === shop.b.account)).toEqual([]);
  await expectBooksMatchStripe(t);
});
