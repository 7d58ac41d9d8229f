// Review 2 (adversarial): REFUND_AFTER_RETURN on a EUR order of a USD-settling platform.
import { randomUUID } from 'node:crypto';
import { bearer, createPrincipal, type PrincipalWithKey } from './factories/principal.factory.js';
import { createActiveSeller, createListing } from './factories/seller.factory.js';
import { expectBooksMatchStripe, paidOrder, waitForOrder } from './support/checkout.js';
import { startTestApp, type TestApp } from './support/test-app.js';

let t: TestApp;
let buyer: PrincipalWithKey;

beforeAll(async () => {
  t = await startTestApp({ env: { PAYMENTS_WORKER_POLL_MS: '50' } });
  buyer = await createPrincipal(t, 'buyer');
});
afterAll(async () => {
  await t?.close();
});

describe('review 2: a refund after a won dispute, EUR order on a USD platform', () => {
  it("the return reversal takes the seller's share net of the fee in one currency (USD, as Stripe settled both), not USD share minus a EUR fee", async () => {
    const s = await createActiveSeller(t);
    await t.stripe.accounts.update(s.account, { settings: { payouts: { schedule: { interval: 'manual' } } } });
    const listing = await createListing(t, s, { unitAmount: 10_000, currency: 'EUR' });
    const paid = await paidOrder(t, buyer, listing, 1, '4000000000000259'); // disputed in full
    const order = await waitForOrder(t, paid.id, (o) => o.status === 'disputed' && o.disputes[0]?.recoveryStatus === 'recovered', 'disputed and recovered');
    expect(
      (
        await fetch(`${t.sandbox.url}/_sandbox/disputes/${order.disputes[0].stripeDisputeId}/close`, {
          method: 'POST',
          headers: { 'content-type': 'application/json' },
          body: JSON.stringify({ outcome: 'won' }),
        })
      ).status,
    ).toBe(200);
    await waitForOrder(t, order.id, (o) => o.status === 'paid' && o.disputes[0].recoveryStatus === 'returned', 'won and returned');
    const back = (await t.stripe.transfers.list({ destination: s.account, limit: 100 })).data.find((tr) => tr.metadata?.dispute_id === order.disputes[0].stripeDisputeId)!;
    expect(back.currency).toBe('usd'); // what the seller netted of the charge, in USD (gross 10 800 less the fee 1 080)
    // 30 % refunded: the seller bears 30 % of what they netted
    const res = await t.http.post(`/orders/${order.id}/refunds`).set(bearer(t.adminKey)).set('Idempotency-Key', randomUUID()).send({ amount: 3_000 }).expect(201);
    expect(res.body.returnReversal).toMatchObject({ status: 'pending' });
    t.sandbox.control.advance(3 * 86_400);
    const done = await waitForOrder(t, order.id, (o) => o.refunds[0]?.returnReversal?.status === 'reversed', 'return reversed');
    const netted = BigInt(back.amount);
    const expected = (netted * 3_000n + 5_000n) / 10_000n;
    expect({ returnTransfer: back.amount, reversed: done.refunds[0].returnReversal.amount }).toEqual({ returnTransfer: back.amount, reversed: expected.toString() });
    await expectBooksMatchStripe(t);
  });
});
