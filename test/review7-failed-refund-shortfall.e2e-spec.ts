// Review 7: a multi-seller refund whose reversal of a seller's netted transfer was partly a
// shortfall (the transfer held less than the seller's part: Stripe reversed what was left, the rest
// became the seller's debt), then Stripe failed the refund. The seller must get back exactly what
// Stripe took from them (the reversal, not the shortfall), and the shortfall's debt is canceled.
import { waitFor } from './support/process.js';
import { expectBooksMatchStripe, getOrder, ledgerEntries, sumLines, waitForOrder } from './support/checkout.js';
import { drainTransferWorkers, shopWhereAOwes225, fundsAvailable, refundOrder, sellerDebtsOf, stripeTransfersOf, testAppForFile, refundSettled } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '3600000', PAYMENTS_WORKER_POLL_MS: '60000' });

const _refund = (orderId: string, body: object, key?: string) => refundOrder(t, orderId, body, key);

it('A owes 225 (netted: their next transfer is 675 of 900); that order refunded in full (675 reversed, 225 owed again), then the refund fails: A gets 675 back, not 900; the 225 debt is canceled', async () => {
  const { shop } = await shopWhereAOwes225(t);
  const second = await shop.cart();
  await drainTransferWorkers(t);
  await fundsAvailable(t);

  const made = await refundSettled(t, second.id, { full: true });
  const aParts = (await getOrder(t, second.id)).transferReversals.filter((r: { sellerId: string }) => r.sellerId === shop.a.id);
  expect(aParts.map((r: { amount: string; shortfall: string; status: string }) => [r.amount, r.status])).toEqual([['900', 'succeeded']]);

  const res = await fetch(`${t.sandbox.url}/_sandbox/refunds/${made.body.stripeRefundId}/fail`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{}' });
  expect(res.status).toBe(200);
  await waitForOrder(t, second.id, (o) => o.refunds.find((r: { id: string }) => r.id === made.body.id)?.status === 'failed', 'refund failure recorded');
  await t.sandbox.control.webhooksIdle();
  // the returns are made once the failure's reversals in flight settle: drain until both sellers' are at Stripe
  const returned = await waitFor(
    async () => {
      await drainTransferWorkers(t);
      const made = (await stripeTransfersOf(t, second.id)).filter((x) => x.metadata.reason === 'refund_failed');
      return made.length >= 2 ? made : undefined;
    },
    20_000,
    'both refund_failed returns made',
  ).catch(async () => (await stripeTransfersOf(t, second.id)).filter((x) => x.metadata.reason === 'refund_failed'));
  expect(returned.map((x) => [x.destination, x.amount]).sort()).toEqual(
    [
      [shop.a.account, 675],
      [shop.b.account, 2700],
    ].sort(),
  );
  const fromSecond = (await sellerDebtsOf(t, shop.a.id)).filter((d: { orderId: string }) => d.orderId === second.id);
  expect(fromSecond).toEqual([expect.objectContaining({ amount: '225', recovered: '0', canceled: '225', outstanding: '0' })]);
  const entries = await ledgerEntries(t, second.id);
  expect(sumLines(entries, 'refund_losses')).toBe(0n);
  await expectBooksMatchStripe(t);
});
