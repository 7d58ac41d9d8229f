// Review 6: a refund of an order whose transfer to a seller was lowered by netting their debt: the
// seller's part is sized on their share (before netting), more than the transfer Stripe holds; the
// reversal takes what the transfer has, the rest is their debt again, never a reversal Stripe refuses.
import { randomUUID } from 'node:crypto';
import { DataSource } from 'typeorm';
import { TransferReversalSubmissionService } from '../apps/marketplace/src/transfers/transfer-reversal-submission.service.js';
import { TransferSubmissionService } from '../apps/marketplace/src/transfers/transfer-submission.service.js';
import { bearer } from './factories/principal.factory.js';
import { expectBooksMatchStripe, getOrder } from './support/checkout.js';
import { waitFor } from './support/process.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { twoSellerShop } from './support/transfers.js';

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

it('A owes 225 (netted: their next transfer is 675 of 900); that order refunded in full: 675 reversed, 225 owed again, nothing failed', async () => {
  const shop = await twoSellerShop(t);
  for (const s of [shop.a, shop.b]) await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
  const first = await shop.cart();
  await drain();
  await expectBooksMatchStripe(t);
  await t.stripe.payouts.create({ amount: 900, currency: 'usd' }, { stripeAccount: shop.a.account });
  await refund(first.id, { amount: '1000' }).expect(201);
  await drain();
  expect((await debtsOf(shop.a.id)).map((d: { outstanding: string }) => d.outstanding)).toEqual(['225']);

  const second = await shop.cart();
  const aPlanned = (await getOrder(t, second.id)).transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
  expect(aPlanned.amount).toBe('675');
  await drain();
  await fundsAvailable();

  await refund(second.id, { full: true }).expect(201);
  await drain();
  await fundsAvailable();
  const after = await getOrder(t, second.id);
  const aTransfer = after.transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
  const atStripe = (await t.stripe.transfers.listReversals(aTransfer.stripeTransferId, { limit: 100 })).data;
  expect(atStripe.reduce((s, r) => s + r.amount, 0)).toBe(675);
  expect(after.transferReversals.map((r: { status: string }) => r.status)).not.toContain('failed');
  const open = (await debtsOf(shop.a.id)).filter((d: { outstanding: string }) => d.outstanding !== '0');
  expect(open.map((d: { outstanding: string; orderId: string }) => [d.orderId, d.outstanding])).toEqual([[second.id, '225']]);
  await expectBooksMatchStripe(t);
});

it('the same, refunded 3000 then 1000: A 675 reversed, then nothing left of the transfer: the 225 is owed at once (no reversal asked)', async () => {
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

  await refund(second.id, { amount: '3000' }).expect(201);
  await drain();
  await fundsAvailable();
  await refund(second.id, { full: true }).expect(201);
  await drain();
  await fundsAvailable();
  const after = await getOrder(t, second.id);
  const aParts = after.transferReversals.filter((r: { sellerId: string }) => r.sellerId === shop.a.id);
  expect(aParts.map((r: { amount: string; status: string }) => [r.amount, r.status]).sort()).toEqual([
    ['225', 'debt'],
    ['675', 'succeeded'],
  ]);
  const aTransfer = after.transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
  const atStripe = (await t.stripe.transfers.listReversals(aTransfer.stripeTransferId, { limit: 100 })).data;
  expect(atStripe.map((r) => r.amount)).toEqual([675]);
  const open = (await debtsOf(shop.a.id)).filter((d: { outstanding: string }) => d.outstanding !== '0');
  expect(open.map((d: { outstanding: string; orderId: string }) => [d.orderId, d.outstanding])).toEqual([[second.id, '225']]);
  await expectBooksMatchStripe(t);
});
