// Disputes on multi-seller orders: every seller of the order has their payouts frozen while it is open.
import { DisputesService } from '../apps/marketplace/src/payments/disputes/disputes.service.js';
import { SellerGate } from '../apps/marketplace/src/onboarding/seller-gate.service.js';
import { createListing } from './factories/seller.factory.js';
import { checkout, expectBooksMatchStripe, payOnHostedPage, waitForOrder } from './support/checkout.js';
import { startTestApp, type TestApp } from './support/test-app.js';
import { twoSellerShop } from './support/transfers.js';

let t: TestApp;
beforeAll(async () => {
  t = await startTestApp({ env: { TRANSFERS_WORKER_POLL_MS: '50' } });
});
afterAll(async () => {
  await t?.close();
});

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
