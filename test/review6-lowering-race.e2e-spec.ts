// Review 6: a refund that lowers a transfer the transfers worker has already claimed (its claim is
// a lease, not a lock) must never let the worker send the transfer at the old amount.
import { randomUUID } from 'node:crypto';
import { TransferReversalSubmissionService } from '../apps/marketplace/src/transfers/transfer-reversal-submission.service.js';
import { TransferSubmissionService } from '../apps/marketplace/src/transfers/transfer-submission.service.js';
import type { Transfer } from '../apps/marketplace/src/transfers/transfer.entity.js';
import { TransfersRepository } from '../apps/marketplace/src/transfers/transfers.repository.js';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder } from './support/checkout.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { stripeTransfersOf, twoSellerShop } from './support/transfers.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '3600000' } });
});
afterAll(async () => {
  await t?.close();
});

const refund = (orderId: string, body: object) => t.http.post(`/orders/${orderId}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send(body);

async function drain(): Promise<void> {
  const transfers = t.app.get(TransferSubmissionService);
  const reversals = t.app.get(TransferReversalSubmissionService);
  for (let i = 0; i < 50; i++) if ((await transfers.runOnce()) + (await reversals.runOnce()) === 0) return;
  throw new Error('workers never drained');
}

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
  await drain();
  const atStripe = await stripeTransfersOf(t, order.id);
  expect(atStripe.map((x) => x.amount).sort((x, y) => x - y)).toEqual([675, 2025]);
  await expectBooksMatchStripe(t);
});
