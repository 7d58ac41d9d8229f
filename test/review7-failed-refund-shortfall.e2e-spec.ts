// Review 7: a multi-seller refund whose reversal of a seller's netted transfer was partly a
// shortfall (the transfer held less than the seller's part: Stripe reversed what was left, the rest
// became the seller's debt), then Stripe failed the refund. The seller must get back exactly what
// Stripe took from them (the reversal, not the shortfall), and the shortfall's debt is canceled.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { RefundFailureReturnService } from '../apps/marketplace/src/payments/refunds/refund-failure-return.service.js';
import { TransferReversalSubmissionService } from '../apps/marketplace/src/transfers/transfer-reversal-submission.service.js';
import { TransferSubmissionService } from '../apps/marketplace/src/transfers/transfer-submission.service.js';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder, ledgerEntries, sumLines, waitForOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { stripeTransfersOf, twoSellerShop } from './support/transfers.js';

let t: TestApp;

beforeAll(async () => {
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000' } });
});
afterAll(async () => {
  await t?.close();
});

const refund = (orderId: string, body: object) => t.http.post(`/orders/${orderId}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send(body);

async function drain(): Promise<void> {
  const transfers = t.app.get(TransferSubmissionService);
  const reversals = t.app.get(TransferReversalSubmissionService);
  const returns = t.app.get(RefundFailureReturnService);
  for (let i = 0; i < 50; i++) if ((await returns.runOnce()) + (await transfers.runOnce()) + (await reversals.runOnce()) === 0) return;
  throw new Error('workers never drained');
}

async function fundsAvailable(): Promise<void> {
  t.sandbox.control.advance(3 * 86_400);
  await t.sandbox.control.webhooksIdle();
  await waitFor(
    async () => {
      await drain();
      const [row]: Array<{ n: number }> = await t.app.get(DataSource).query(`SELECT count(*)::int AS n FROM transfer_reversals WHERE status IN ('pending', 'submitting')`);
      return row!.n === 0 ? true : undefined;
    },
    20_000,
    'no reversal waiting for funds',
  );
}

const debtsOf = async (sellerId: string) => (await t.http.get('/admin/seller-debts').query({ sellerId }).set(bearer(t.adminKey)).expect(200)).body.data;

it('A owes 225 (netted: their next transfer is 675 of 900); that order refunded in full (675 reversed, 225 owed again), then the refund fails: A gets 675 back, not 900; the 225 debt is canceled', async () => {
  const shop = await twoSellerShop(t);
  for (const s of [shop.a, shop.b]) await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
  const first = await shop.cart();
  await drain();
  await expectBooksMatchStripe(t);
  await t.stripe.payouts.create({ amount: 900, currency: 'usd' }, { stripeAccount: shop.a.account });
  await refund(first.id, { amount: '1000' }).expect(201);
  await drain();
  const second = await shop.cart();
  await drain();
  await fundsAvailable();

  const made = await refund(second.id, { full: true }).expect(201);
  await drain();
  await fundsAvailable();
  const aParts = (await getOrder(t, second.id)).transferReversals.filter((r: { sellerId: string }) => r.sellerId === shop.a.id);
  expect(aParts.map((r: { amount: string; shortfall: string; status: string }) => [r.amount, r.status])).toEqual([['900', 'succeeded']]);

  const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${made.body.stripeRefundId}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(200);
  await waitForOrder(t, second.id, (o) => o.refunds.find((r: { id: string }) => r.id === made.body.id)?.status === 'failed', 'refund failure recorded');
  await t.sandbox.control.webhooksIdle();
  await drain();

  const returned = (await stripeTransfersOf(t, second.id)).filter((x) => x.metadata.reason === 'refund_failed');
  expect(returned.map((x) => [x.destination, x.amount]).sort()).toEqual(
    [
      [shop.a.account, 675],
      [shop.b.account, 2700],
    ].sort(),
  );
  const fromSecond = (await debtsOf(shop.a.id)).filter((d: { orderId: string }) => d.orderId === second.id);
  expect(fromSecond).toEqual([expect.objectContaining({ amount: '225', recovered: '0', canceled: '225', outstanding: '0' })]);
  const entries = await ledgerEntries(t, second.id);
  expect(sumLines(entries, 'refund_losses')).toBe(0n);
  await expectBooksMatchStripe(t);
});
