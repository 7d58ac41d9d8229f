// Review 6: a refund of an order whose transfer to a seller was lowered by netting their debt: the
// seller's part is sized on their share (before netting), more than the transfer Stripe holds; the
// reversal takes what the transfer has, the rest is their debt again, never a reversal Stripe refuses.
import { expectBooksMatchStripe, getOrder } from './support/checkout.js';
import { drainTransferWorkers, shopWhereAOwes225, fundsAvailable, refundOrder, sellerDebtsOf, testAppForFile, refundSettled } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000' });

const _refund = (orderId: string, body: object, key?: string) => refundOrder(t, orderId, body, key);

it('A owes 225 (netted: their next transfer is 675 of 900); that order refunded in full: 675 reversed, 225 owed again, nothing failed', async () => {
  const { shop } = await shopWhereAOwes225(t);
  expect((await sellerDebtsOf(t, shop.a.id)).map((d: { outstanding: string }) => d.outstanding)).toEqual(['225']);

  const second = await shop.cart();
  const aPlanned = (await getOrder(t, second.id)).transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
  expect(aPlanned.amount).toBe('675');
  await drainTransferWorkers(t);
  await fundsAvailable(t);

  await refundSettled(t, second.id, { full: true });
  const after = await getOrder(t, second.id);
  const aTransfer = after.transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
  const atStripe = (await t.stripe.transfers.listReversals(aTransfer.stripeTransferId, { limit: 100 })).data;
  expect(atStripe.reduce((s, r) => s + r.amount, 0)).toBe(675);
  expect(after.transferReversals.map((r: { status: string }) => r.status)).not.toContain('failed');
  const open = (await sellerDebtsOf(t, shop.a.id)).filter((d: { outstanding: string }) => d.outstanding !== '0');
  expect(open.map((d: { outstanding: string; orderId: string }) => [d.orderId, d.outstanding])).toEqual([[second.id, '225']]);
  await expectBooksMatchStripe(t);
});

it('the same, refunded 3000 then 1000: A 675 reversed, then nothing left of the transfer: the 225 is owed at once (no reversal asked)', async () => {
  const { shop } = await shopWhereAOwes225(t);
  const second = await shop.cart();
  await drainTransferWorkers(t);
  await fundsAvailable(t);

  await refundSettled(t, second.id, { amount: '3000' });
  await refundSettled(t, second.id, { full: true });
  const after = await getOrder(t, second.id);
  const aParts = after.transferReversals.filter((r: { sellerId: string }) => r.sellerId === shop.a.id);
  expect(aParts.map((r: { amount: string; status: string }) => [r.amount, r.status]).sort()).toEqual([
    ['225', 'debt'],
    ['675', 'succeeded'],
  ]);
  const aTransfer = after.transfers.find((x: { sellerId: string }) => x.sellerId === shop.a.id);
  const atStripe = (await t.stripe.transfers.listReversals(aTransfer.stripeTransferId, { limit: 100 })).data;
  expect(atStripe.map((r) => r.amount)).toEqual([675]);
  const open = (await sellerDebtsOf(t, shop.a.id)).filter((d: { outstanding: string }) => d.outstanding !== '0');
  expect(open.map((d: { outstanding: string; orderId: string }) => [d.orderId, d.outstanding])).toEqual([[second.id, '225']]);
  await expectBooksMatchStripe(t);
});
