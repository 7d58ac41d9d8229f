// Review 6: a refund that lowers a transfer the transfers worker has already claimed (its claim is
// a lease, not a lock) must never let the worker send the transfer at the old amount.
import { TransferSubmissionService } from '../apps/marketplace/src/transfers/transfer-submission.service.js';
import type { Transfer } from '../apps/marketplace/src/transfers/transfer.entity.js';
import { TransfersRepository } from '../apps/marketplace/src/transfers/transfers.repository.js';
import { expectBooksMatchStripe, getOrder } from './support/checkout.js';
import { drainTransferWorkers, refundOrder, stripeTransfersOf, testAppForFile, twoSellerShop } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000' });

const refund = (orderId: string, body: object, key?: string) => refundOrder(t, orderId, body, key);

it('the worker claims both transfers, a refund lowers them (225 + 675 of 1000), then the worker sends: Stripe gets the lowered amounts, never the old ones', async () => {
  const shop = await twoSellerShop(t);
  const order = await shop.cart();
  // the worker's claim (a lease, committed): the rows it will send, read now
  const claimed = (await t.app.get(TransfersRepository).claimDue(100)).filter((r) => r.orderId === order.id);
  expect(claimed).toHaveLength(2);
  // the refund runs between the claim and the worker's transaction 1: the rows were never sent, so it lowers them
  await refund(order.id, { amount: '1000' }).expect(201);
  const now = await getOrder(t, order.id);
  expect(now.transferReversals.map((r: { kind: string }) => r.kind)).toEqual(['lowering', 'lowering']);
  // the worker goes on with the rows it claimed
  const worker = t.app.get(TransferSubmissionService) as unknown as { submit(row: Transfer): Promise<void>; recordError(row: Transfer, e: unknown): Promise<void> };
  for (const row of claimed) await worker.submit(row).catch((e: unknown) => worker.recordError(row, e));
  await drainTransferWorkers(t);
  const atStripe = await stripeTransfersOf(t, order.id);
  expect(atStripe.map((x) => x.amount).sort((x, y) => x - y)).toEqual([675, 2025]);
  await expectBooksMatchStripe(t);
});
