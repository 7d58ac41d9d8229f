// Disputes on multi-seller orders: every seller of the order has their payouts frozen while it is open.
import { DisputesService } from '../apps/marketplace/src/payments/disputes/disputes.service.js';
import { SellerGate } from '../apps/marketplace/src/onboarding/seller-gate.service.js';
import { createListing } from './factories/seller.factory.js';
import { checkout, expectBooksMatchStripe, ledgerEntries, payOnHostedPage, sumLines, waitForOrder } from './support/checkout.js';
import { testAppForFile, twoSellerShop } from './support/transfers.js';

const t = testAppForFile({ TRANSFERS_WORKER_POLL_MS: '50' });

it('a dispute on a two-seller order freezes both sellers payouts until it closes; another seller is not frozen', async () => {
  const shop = await twoSellerShop(t);
  const other = await twoSellerShop(t);
  const items = [
    { listingId: await createListing(t, shop.a, { unitAmount: 1_000 }), quantity: 1 },
    { listingId: await createListing(t, shop.b, { unitAmount: 3_000 }), quantity: 1 },
  ];
  const res = await checkout(t, shop.buyer, items);
  expect(res.status).toBe(201);
  expect(await payOnHostedPage(res.body.checkoutUrl, '4000000000000259')).toBe(303);
  const order = await waitForOrder(t, res.body.orderId, (o) => o.status === 'disputed' && o.disputes.length === 1, 'two-seller order disputed');
  const dp = order.disputes[0].stripeDisputeId;
  const gate = t.app.get(SellerGate);
  const disputes = t.app.get(DisputesService);
  for (const s of [shop.a, shop.b]) {
    expect(await disputes.hasOpenDispute(s.id)).toBe(true);
    await expect(gate.assertCanBePaidOut(s.id)).rejects.toMatchObject({ code: 'SELLER_PAYOUTS_FROZEN', details: { reasons: [`dispute ${dp} is open`] } });
  }
  expect(await disputes.hasOpenDispute(other.a.id)).toBe(false);

  const closed = await fetch(`${t.sandbox.url}/_sandbox/disputes/${dp}/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'won' }) });
  expect(closed.status).toBe(200);
  await waitForOrder(t, order.id, (o) => o.disputes[0].closedAt !== null, 'dispute closed');
  for (const s of [shop.a, shop.b]) expect(await disputes.hasOpenDispute(s.id)).toBe(false);
  await expectBooksMatchStripe(t);
});

it('lost: recovered from both sellers in proportion by reversals of their transfers (the whole of each for a full dispute), booked as dispute recoveries', async () => {
  const shop = await twoSellerShop(t);
  for (const s of [shop.a, shop.b]) await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
  const items = [
    { listingId: await createListing(t, shop.a, { unitAmount: 1_000 }), quantity: 1 },
    { listingId: await createListing(t, shop.b, { unitAmount: 3_000 }), quantity: 1 },
  ];
  const res = await checkout(t, shop.buyer, items);
  expect(await payOnHostedPage(res.body.checkoutUrl, '4000000000000259')).toBe(303);
  const disputed = await waitForOrder(
    t,
    res.body.orderId,
    (o) => o.disputes.length === 1 && o.transfers.length === 2 && o.transfers.every((x: { status: string }) => x.status === 'succeeded'),
    'disputed, transfers made',
  );
  expect(disputed.transferReversals).toEqual([]); // nothing taken while it is open
  t.sandbox.control.advance(3 * 86_400); // the sellers' funds become available
  await t.sandbox.control.webhooksIdle();
  const dp = disputed.disputes[0].stripeDisputeId;
  const closed = await fetch(`${t.sandbox.url}/_sandbox/disputes/${dp}/close`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ outcome: 'lost' }) });
  expect(closed.status).toBe(200);
  const lost = await waitForOrder(t, disputed.id, (o) => o.transferReversals.length === 2 && o.transferReversals.every((r: { status: string }) => r.status === 'succeeded'), 'the sellers reversed');
  const bySeller = (id: string) => lost.transferReversals.find((r: { sellerId: string }) => r.sellerId === id);
  expect(bySeller(shop.a.id)).toMatchObject({ kind: 'reversal', amount: '900', disputeId: lost.disputes[0].id, refundId: null });
  expect(bySeller(shop.b.id)).toMatchObject({ kind: 'reversal', amount: '2700' });
  for (const tr of lost.transfers) {
    const made = (await t.stripe.transfers.listReversals(tr.stripeTransferId)).data;
    expect(made.map((r) => [r.amount, r.metadata?.dispute_id])).toEqual([[Number(tr.amount), lost.disputes[0].id]]);
  }
  const entries = await ledgerEntries(t, disputed.id);
  expect(sumLines(entries, 'dispute_recoveries')).toBe(-3_600n);
  await expectBooksMatchStripe(t);
});
