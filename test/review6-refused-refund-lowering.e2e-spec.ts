// Review 6: a refund of a multi-seller order that Stripe refuses outright (a definitive refusal of
// the create call) must give the lowerings planned with it back to the sellers' unsent transfers.
import { randomUUID } from 'node:crypto';
import { TransferReversalSubmissionService } from '../apps/marketplace/src/transfers/transfer-reversal-submission.service.js';
import { TransferSubmissionService } from '../apps/marketplace/src/transfers/transfer-submission.service.js';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder, waitForOrder } from './support/checkout.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { stripeTransfersOf, twoSellerShop } from './support/transfers.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '3600000' } });
});
afterAll(async () => {
  t?.sandbox.control.setWebhookFaults({ outage: false });
  await t?.close();
});

const refund = (orderId: string, body: object) => t.http.post(`/orders/${orderId}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send(body);

async function drain(): Promise<void> {
  const transfers = t.app.get(TransferSubmissionService);
  const reversals = t.app.get(TransferReversalSubmissionService);
  for (let i = 0; i < 50; i++) if ((await transfers.runOnce()) + (await reversals.runOnce()) === 0) return;
  throw new Error('workers never drained');
}

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
  await drain();
  const atStripe = await stripeTransfersOf(t, order.id);
  expect(atStripe.reduce((s, x) => s + x.amount, 0)).toBe(450);
  await expectBooksMatchStripe(t);
});
